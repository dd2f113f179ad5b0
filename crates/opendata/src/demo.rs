//! The demo city's datasets (`data/opendata/`): created if missing, with their files uploaded
//! and queued, so `lantoa serve --demo` shows quarantine and publishing at work.

use lantoa_core::unit::UnitKind;
use serde::Deserialize;

use crate::service::{NewDataset, OpenData};
use crate::{Error, Result};

const MANIFEST: &str = include_str!("../../../data/opendata/demo.toml");

/// The demo files, by name.
const FILES: [(&str, &[u8]); 6] = [
    (
        "wifi.schema.json",
        include_bytes!("../../../data/opendata/wifi.schema.json"),
    ),
    (
        "wifi.csv",
        include_bytes!("../../../data/opendata/wifi.csv"),
    ),
    (
        "websites.schema.json",
        include_bytes!("../../../data/opendata/websites.schema.json"),
    ),
    (
        "websites.csv",
        include_bytes!("../../../data/opendata/websites.csv"),
    ),
    (
        "dengue.schema.json",
        include_bytes!("../../../data/opendata/dengue.schema.json"),
    ),
    (
        "dengue.csv",
        include_bytes!("../../../data/opendata/dengue.csv"),
    ),
];

#[derive(Deserialize)]
struct Manifest {
    dataset: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    title: String,
    notes: String,
    owner: String,
    license_id: String,
    cadence: String,
    sensitivity: String,
    schema: String,
    file: String,
}

fn file(name: &str) -> Result<&'static [u8]> {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| *b)
        .ok_or_else(|| Error::Invalid {
            field: "demo",
            message: format!("demo.toml names {name}, which is not shipped"),
        })
}

/// What loading the demo did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoReport {
    /// Datasets created now.
    pub created: usize,
    /// Datasets that were there already.
    pub already: usize,
    /// Uploads queued now.
    pub queued: usize,
}

impl OpenData {
    /// Creates the demo datasets that are missing and queues their files. The owners are
    /// agencies of the demo city (load the registry's demo first).
    pub async fn load_demo(&self, actor: &str) -> Result<DemoReport> {
        let manifest: Manifest = toml::from_str(MANIFEST).map_err(|e| Error::Invalid {
            field: "demo",
            message: e.to_string(),
        })?;
        let mut report = DemoReport::default();
        for e in manifest.dataset {
            if self.dataset_by_name(&e.name).await.is_ok() {
                report.already += 1;
                continue;
            }
            let owner = self
                .registry()
                .by_code(UnitKind::Agency, &e.owner)
                .await?
                .ok_or_else(|| Error::NotFound {
                    what: "agency",
                    id: e.owner.clone(),
                })?;
            let schema = String::from_utf8_lossy(file(&e.schema)?).into_owned();
            let d = self
                .create_dataset(
                    actor,
                    &NewDataset {
                        name: e.name,
                        title: e.title,
                        notes: e.notes,
                        owner_unit_id: owner.id,
                        license_id: e.license_id,
                        cadence: e.cadence,
                        sensitivity: e.sensitivity,
                        schema_json: schema,
                    },
                )
                .await?;
            report.created += 1;
            self.upload(actor, d.id, &e.file, file(&e.file)?).await?;
            report.queued += 1;
        }
        Ok(report)
    }
}
