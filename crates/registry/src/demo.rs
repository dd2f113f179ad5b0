//! The demo city's registry records (`data/demo-city.toml`): real departments with their 2025
//! reorganisation, fictitious enterprises, press agencies and people.

use chrono::NaiveDate;
use lantoa_core::msg::Msg;
use lantoa_core::unit::UnitKind;
use serde::Deserialize;

use crate::service::{NewUnit, Registry};
use crate::{Error, Result};

/// The demo city file shipped with Lantoa.
pub const DEMO_CITY: &str = include_str!("../../../data/demo-city.toml");

#[derive(Deserialize)]
struct DemoFile {
    #[serde(default)]
    agency: Vec<DemoUnit>,
    #[serde(default)]
    enterprise: Vec<DemoUnit>,
    #[serde(default)]
    press_agency: Vec<DemoUnit>,
    #[serde(default)]
    person: Vec<DemoUnit>,
}

#[derive(Deserialize)]
struct DemoUnit {
    code: Option<String>,
    name: String,
    valid_from: Option<NaiveDate>,
    address: Option<String>,
    phone: Option<String>,
    position: Option<String>,
    merged_into: Option<String>,
    merged_on: Option<NaiveDate>,
    rename_to: Option<String>,
    renamed_on: Option<NaiveDate>,
}

impl Registry {
    /// Loads the demo units from `toml_text` (the layout of `data/demo-city.toml`), skipping
    /// those already present; returns how many were created.
    pub async fn load_demo(&self, actor: &str, toml_text: &str) -> Result<usize> {
        let file: DemoFile = toml::from_str(toml_text).map_err(|e| Error::Invalid {
            field: "demo city file",
            message: Msg::new("data-file-invalid").arg("detail", e),
        })?;
        let default_from = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
        let mut created = 0;
        let groups = [
            (UnitKind::Agency, &file.agency),
            (UnitKind::Enterprise, &file.enterprise),
            (UnitKind::PressAgency, &file.press_agency),
            (UnitKind::Person, &file.person),
        ];
        for (kind, units) in groups {
            for u in units {
                let exists = match &u.code {
                    Some(c) => self.by_code(kind, c).await?.is_some(),
                    None => !self.find_by_name(kind, &u.name).await?.is_empty(),
                };
                if exists {
                    continue;
                }
                let mut attrs = serde_json::Map::new();
                for (k, v) in [
                    ("address", &u.address),
                    ("phone", &u.phone),
                    ("position", &u.position),
                ] {
                    if let Some(v) = v {
                        attrs.insert(k.into(), v.clone().into());
                    }
                }
                let new = NewUnit {
                    kind,
                    code: u.code.clone(),
                    name: u.name.clone(),
                    attrs: serde_json::Value::Object(attrs),
                    valid_from: u.valid_from.unwrap_or(default_from),
                };
                let unit = self.create(actor, &new).await?;
                created += 1;
                if let (Some(name), Some(on)) = (&u.rename_to, u.renamed_on) {
                    self.rename(actor, unit.id, name, on).await?;
                }
            }
        }
        // Mergers last, once their targets exist.
        for u in &file.agency {
            if let (Some(code), Some(into), Some(on)) = (&u.code, &u.merged_into, u.merged_on) {
                let (Some(src), Some(dst)) = (
                    self.by_code(UnitKind::Agency, code).await?,
                    self.by_code(UnitKind::Agency, into).await?,
                ) else {
                    continue;
                };
                if src.status == crate::Status::Active {
                    self.merge(actor, &[src.id], dst.id, on).await?;
                }
            }
        }
        Ok(created)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_file_parses() {
        let f: super::DemoFile = toml::from_str(super::DEMO_CITY).unwrap();
        assert!(
            f.agency.len() >= 3
                && f.enterprise.len() >= 3
                && f.press_agency.len() >= 2
                && f.person.len() >= 2
        );
    }
}
