//! The demo city's datasets (`data/opendata/`): created if missing, with their files uploaded
//! and queued, so `lantoa serve --demo` shows quarantine and publishing at work.

use chrono::{DateTime, FixedOffset, Utc};
use lantoa_core::unit::UnitKind;
use lantoa_store::Clock;
use serde::Deserialize;

use crate::service::{NewDataset, OpenData};
use crate::{Error, Result};

const MANIFEST: &str = include_str!("../../../data/opendata/demo.toml");

/// The demo files, by name.
const FILES: [(&str, &[u8]); 7] = [
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
    (
        "dengue-2023.csv",
        include_bytes!("../../../data/opendata/dengue-2023.csv"),
    ),
];

#[derive(Deserialize)]
struct Manifest {
    #[serde(default)]
    group: Vec<GroupEntry>,
    dataset: Vec<Entry>,
}

#[derive(Deserialize)]
struct GroupEntry {
    name: String,
    title: String,
    description: String,
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
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    groups: Vec<String>,
    earlier: Option<Earlier>,
}

/// A dataset's earlier year: registered on `created`, its file read on `read`, one of its
/// quarantined rows (`fix_from`, as given) corrected to `fix_to` on `fixed`.
#[derive(Deserialize)]
struct Earlier {
    file: String,
    created: DateTime<FixedOffset>,
    read: DateTime<FixedOffset>,
    fixed: DateTime<FixedOffset>,
    fix_from: Vec<String>,
    fix_to: Vec<String>,
}

fn file(name: &str) -> Result<&'static [u8]> {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| *b)
        .ok_or_else(|| Error::Internal(format!("demo.toml names {name}, which is not shipped")))
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
    /// Files of an earlier year read (on that year's days).
    pub earlier: usize,
}

impl OpenData {
    /// Creates the demo datasets that are missing and queues their files. The owners are
    /// agencies of the demo city (load the registry's demo first).
    pub async fn load_demo(&self, actor: &str) -> Result<DemoReport> {
        let manifest: Manifest =
            toml::from_str(MANIFEST).map_err(|e| Error::Internal(format!("demo.toml: {e}")))?;
        let mut report = DemoReport::default();
        for g in &manifest.group {
            if self.group(&g.name).await.is_err() {
                self.create_group(actor, &g.name, &g.title, &g.description)
                    .await?;
            }
        }
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
            // A dataset with an earlier year is registered on that year's day.
            let clock = match &e.earlier {
                Some(y) => Clock::manual(y.created.with_timezone(&Utc)),
                None => Clock::System,
            };
            let then = self.clone().with_clock(clock.clone());
            let d = then
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
            then.set_labels(actor, d.id, Some(&e.tags), Some(&e.groups))
                .await?;
            if let Some(y) = &e.earlier {
                then.load_earlier(actor, d.id, y, &clock).await?;
                report.earlier += 1;
            }
            self.upload(actor, d.id, &e.file, file(&e.file)?).await?;
            report.queued += 1;
        }
        Ok(report)
    }

    /// Reads an earlier year's file and corrects its row on that year's days (`clock` is this
    /// service's own manual clock, moved day by day).
    async fn load_earlier(
        &self,
        actor: &str,
        dataset_id: i64,
        y: &Earlier,
        clock: &Clock,
    ) -> Result<()> {
        clock.advance(y.read.with_timezone(&Utc) - clock.now());
        let upload = self
            .upload(actor, dataset_id, &y.file, file(&y.file)?)
            .await?;
        self.run_upload(upload.id).await?;
        clock.advance(y.fixed.with_timezone(&Utc) - clock.now());
        let row = self
            .quarantine(dataset_id, "open", 1000)
            .await?
            .into_iter()
            .find(|q| q.upload_id == upload.id && q.cells == y.fix_from)
            .ok_or_else(|| {
                Error::Internal(format!(
                    "{} has no quarantined row {:?}",
                    y.file, y.fix_from
                ))
            })?;
        self.fix(actor, row.id, &y.fix_to).await?;
        Ok(())
    }
}
