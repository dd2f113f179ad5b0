//! Datasets, uploads, published rows and the quarantine, stored.
//!
//! An agency's file is kept as it came (blob store) and queued as a job of kind
//! [`INGEST_JOB`]; any worker of role `opendata` runs it. The file is read on the blocking pool
//! ([`crate::ingest`]) and its rows are written in batches: every batch's clean rows are
//! published, its dirty rows quarantined and the upload's counters moved, in one transaction,
//! so a row is public as soon as its batch commits and the console shows the counts live. A
//! published row is keyed by the primary key's cleaned values; a later upload's row with the
//! same key replaces it. A quarantined row is fixed in the console (or by a corrected upload)
//! and published once it passes.

use std::collections::HashMap;
use std::sync::Arc;

use lantoa_core::msg::Msg;
use lantoa_core::phone::NumberingPlan;
use lantoa_registry::Registry;
use lantoa_store::blob::{BlobStore, Staged};
use lantoa_store::jobs::{NewJob, Queue};
use lantoa_store::{Clock, Db, Tx, audit};
use serde::Serialize;
use sqlx::Row as _;

use crate::admin::{AdminMap, REFORM_DATE};
use crate::check::{CellIn, Checker, RowError, Verdict};
use crate::ingest::{FileProblem, Ingest, Tally};
use crate::schema::Schema;
use crate::{Error, Result};

/// The job kind of an upload; its payload is `{"upload_id": N}`.
pub const INGEST_JOB: &str = "opendata.ingest";

/// Rows written per transaction.
const BATCH: usize = 500;

/// How often a dataset is meant to be updated (Decree 47/2020: published data updated at least
/// every three months).
const CADENCES: [&str; 6] = [
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "yearly",
    "irregular",
];
/// What may be shared: open as is, open after de-identification, or not at all.
const SENSITIVITIES: [&str; 3] = ["open", "deidentified", "restricted"];

/// A new dataset.
#[derive(Debug, Clone)]
pub struct NewDataset {
    /// URL name: 2–100 of `a-z 0-9 - _` (as CKAN requires).
    pub name: String,
    /// Title.
    pub title: String,
    /// Description.
    pub notes: String,
    /// The owning agency (a registry unit).
    pub owner_unit_id: i64,
    /// Licence id, e.g. `cc-by-4.0`.
    pub license_id: String,
    /// Update cadence.
    pub cadence: String,
    /// `open`, `deidentified` or `restricted`.
    pub sensitivity: String,
    /// Table Schema JSON.
    pub schema_json: String,
}

/// A dataset.
#[derive(Debug, Clone, Serialize)]
pub struct Dataset {
    /// Id.
    pub id: i64,
    /// URL name.
    pub name: String,
    /// Title.
    pub title: String,
    /// Description.
    pub notes: String,
    /// Owning agency.
    pub owner_unit_id: i64,
    /// Licence id.
    pub license_id: String,
    /// Update cadence.
    pub cadence: String,
    /// Sensitivity.
    pub sensitivity: String,
    /// Table Schema.
    pub schema: serde_json::Value,
    /// Created, µs since the epoch.
    pub created_at: i64,
    /// Last changed (metadata or rows), µs since the epoch.
    pub updated_at: i64,
}

lantoa_core::sort_order!(
    Error,
    invalid,
    /// How datasets are ordered.
    DatasetSort, "list-bad-sort", {
        /// By name (the default).
        Name = "name" => "name",
        /// By title (as Vietnamese is compared: on tone keys).
        Title = "title" => "name",
        /// The latest changed first (metadata or rows).
        Updated = "updated" => "updated_at DESC, id DESC",
        /// The newest created first.
        Newest = "newest" => "id DESC",
    }
);

/// Changes to a dataset's description; `None` keeps the field.
#[derive(Debug, Clone, Default)]
pub struct DatasetPatch {
    /// Title.
    pub title: Option<String>,
    /// Description.
    pub notes: Option<String>,
    /// Licence id.
    pub license_id: Option<String>,
    /// Update cadence.
    pub cadence: Option<String>,
    /// Sensitivity.
    pub sensitivity: Option<String>,
}

impl Dataset {
    /// Whether it is shared with the public (`open` or `deidentified`).
    pub fn is_public(&self) -> bool {
        self.sensitivity != "restricted"
    }

    /// The fields shared with the public: index in the row and the field's schema entry, in
    /// order, without the dropped ones.
    pub fn shared_fields(&self) -> Vec<(usize, serde_json::Value)> {
        self.schema["fields"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .filter(|(_, f)| f["lantoa:share"] != "drop")
            .collect()
    }
}

/// An upload and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct Upload {
    /// Id.
    pub id: i64,
    /// Dataset.
    pub dataset_id: i64,
    /// Version number within the dataset (1, 2, …).
    pub version: i64,
    /// File name as given.
    pub file_name: String,
    /// The raw file's address in the blob store.
    pub blob_sha256: String,
    /// `queued`, `running`, `done`, `refused` (file-level problems), `failed` (storage).
    pub status: String,
    /// `csv`, `xlsx` or `json`.
    pub format: Option<String>,
    /// Encoding read (CSV).
    pub encoding: Option<String>,
    /// Delimiter read.
    pub delimiter: Option<String>,
    /// Rows read.
    pub rows: i64,
    /// Rows published.
    pub clean: i64,
    /// Rows quarantined.
    pub quarantined: i64,
    /// Rows dropped as exact repeats.
    pub duplicates: i64,
    /// Cells of clean rows.
    pub cells: i64,
    /// Of those, cells with a value.
    pub filled_cells: i64,
    /// File-level problems.
    pub problems: Vec<FileProblemRow>,
    /// Row numbers of the dropped repeats (the first 1,000).
    pub duplicate_rows: Vec<u64>,
    /// Who uploaded.
    pub uploaded_by: String,
    /// When, µs.
    pub uploaded_at: i64,
    /// When processing ended, µs.
    pub finished_at: Option<i64>,
    /// Why it failed, if it did.
    pub message: Option<String>,
    /// The date the uploader said the file's data is as of (ISO).
    pub as_of: Option<String>,
    /// The latest date found in the file's date columns (ISO), when its names' era was told
    /// from them.
    pub latest_date: Option<String>,
    /// Which units the file's commune names were read as: `old` (before 1/7/2025) or
    /// `current`; `None` before the file is read or when it has no commune column.
    pub names: Option<String>,
}

/// A file-level problem as stored.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct FileProblemRow {
    /// Frictionless type.
    #[serde(rename = "type")]
    pub error_type: String,
    /// What is wrong (stored and sent in English and by id: [`lantoa_core::msg::noted`]).
    #[serde(flatten, with = "lantoa_core::msg::noted")]
    pub note: Msg,
    /// Whether the file was refused for it.
    pub fatal: bool,
}

impl From<&FileProblem> for FileProblemRow {
    fn from(p: &FileProblem) -> Self {
        Self {
            error_type: p.error_type.to_owned(),
            note: p.note.clone(),
            fatal: p.fatal,
        }
    }
}

/// A quarantined row.
#[derive(Debug, Clone, Serialize)]
pub struct Quarantined {
    /// Id.
    pub id: i64,
    /// Upload it came in.
    pub upload_id: i64,
    /// Row number in that file (header = 1).
    pub row_number: i64,
    /// Cells as given, in schema order (then any beyond the header).
    pub cells: Vec<String>,
    /// Its errors.
    pub errors: Vec<RowError>,
    /// `open`, `fixed` or `discarded`.
    pub status: String,
}

/// What a fix did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum FixOutcome {
    /// The row passed and is published.
    Published,
    /// It still fails; the errors are stored with the new cells.
    StillDirty(Vec<RowError>),
}

/// The open-data service.
#[derive(Clone)]
pub struct OpenData {
    pub(crate) db: Db,
    registry: Registry,
    blobs: BlobStore,
    admin: Arc<AdminMap>,
    plan: Arc<NumberingPlan>,
    pub(crate) clock: Clock,
}

impl std::fmt::Debug for OpenData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenData").finish_non_exhaustive()
    }
}

/// Checks that `value` is one of `allowed`.
/// Rows of a shared dataset's file held back while they are looked at for personal data.
const LOOK_ROWS: usize = 5_000;

/// The columns a look at a file's first rows found holding personal data that a shared dataset
/// would show, each a fatal problem naming it.
fn personal_data(
    look: &crate::personal::Detector<'_>,
) -> std::result::Result<(), Vec<FileProblem>> {
    let exposed = look.exposed();
    if exposed.is_empty() {
        return Ok(());
    }
    Err(exposed
        .iter()
        .map(|f| FileProblem {
            error_type: "personal-data",
            note: f.message(),
            fatal: true,
        })
        .collect())
}

fn no_quarantined_row(id: i64) -> Error {
    Error::NotFound {
        what: "quarantined row",
        id: id.to_string(),
    }
}

fn one_of(field: &'static str, value: &str, allowed: &[&str]) -> Result<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(invalid(
            field,
            Msg::new("opendata-not-one-of")
                .arg("value", value)
                .arg("allowed", allowed.join(", ")),
        ))
    }
}

/// A URL name, as CKAN requires of datasets and groups: 2–100 of `a-z 0-9 - _`.
pub(crate) fn check_name(field: &'static str, name: &str) -> Result<()> {
    if !(2..=100).contains(&name.len())
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        return Err(invalid(
            field,
            Msg::new("opendata-bad-name").arg("value", name),
        ));
    }
    Ok(())
}

pub(crate) fn invalid(field: &'static str, message: Msg) -> Error {
    Error::Invalid { field, message }
}

const DATASET_COLUMNS: &str = "id, name, title, notes, owner_unit_id, license_id, cadence, sensitivity, schema_json, created_at, updated_at";
const UPLOAD_COLUMNS: &str = "id, dataset_id, version, file_name, blob_sha256, status, encoding, delimiter, rows, clean, quarantined, duplicates, cells, filled_cells, problems_json, duplicate_rows_json, uploaded_by, uploaded_at, finished_at, message, format, as_of, latest_date, names";

fn dataset_from(r: &sqlx::any::AnyRow) -> Result<Dataset> {
    Ok(Dataset {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        title: r.try_get(2)?,
        notes: r.try_get(3)?,
        owner_unit_id: r.try_get(4)?,
        license_id: r.try_get(5)?,
        cadence: r.try_get(6)?,
        sensitivity: r.try_get(7)?,
        schema: serde_json::from_str(&r.try_get::<String, _>(8)?)?,
        created_at: r.try_get(9)?,
        updated_at: r.try_get(10)?,
    })
}

fn upload_from(r: &sqlx::any::AnyRow) -> Result<Upload> {
    Ok(Upload {
        id: r.try_get(0)?,
        dataset_id: r.try_get(1)?,
        version: r.try_get(2)?,
        file_name: r.try_get(3)?,
        blob_sha256: r.try_get(4)?,
        status: r.try_get(5)?,
        encoding: r.try_get(6)?,
        delimiter: r.try_get(7)?,
        rows: r.try_get(8)?,
        clean: r.try_get(9)?,
        quarantined: r.try_get(10)?,
        duplicates: r.try_get(11)?,
        cells: r.try_get(12)?,
        filled_cells: r.try_get(13)?,
        problems: serde_json::from_str(&r.try_get::<String, _>(14)?)?,
        duplicate_rows: serde_json::from_str(&r.try_get::<String, _>(15)?)?,
        uploaded_by: r.try_get(16)?,
        uploaded_at: r.try_get(17)?,
        finished_at: r.try_get(18)?,
        message: r.try_get(19)?,
        format: r.try_get(20)?,
        as_of: r.try_get(21)?,
        latest_date: r.try_get(22)?,
        names: r.try_get(23)?,
    })
}

/// Which units a file's commune names are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Names {
    /// Those before 1/7/2025.
    Old,
    /// Today's.
    Current,
}

impl Names {
    fn as_str(self) -> &'static str {
        match self {
            Self::Old => "old",
            Self::Current => "current",
        }
    }
}

/// The published key of a clean row: the primary key's values, or the upload and row number.
fn row_key(schema: &Schema, values: &[String], upload_id: i64, row_number: u64) -> String {
    if schema.primary_key.is_empty() {
        format!("{upload_id}:{row_number}")
    } else {
        schema
            .primary_key
            .iter()
            .map(|&i| values[i].as_str())
            .collect::<Vec<_>>()
            .join("\u{1f}")
    }
}

/// What one batch holds.
enum Item {
    Row {
        number: u64,
        verdict: Verdict,
        raw: Option<Vec<String>>,
    },
    /// How the header was read; the first item of every upload.
    Header {
        format: &'static str,
        encoding: String,
        delimiter: char,
        problems: Vec<FileProblem>,
    },
    /// The file could not be read further at this point.
    Stopped(FileProblem),
    /// The encoding the file was read in, once all of it was read (CSV).
    Encoding(&'static str),
}

impl OpenData {
    /// The service over `db`, checking owners with `registry` and keeping files in `blobs`.
    pub fn new(db: Db, registry: Registry, blobs: BlobStore) -> Result<Self> {
        Ok(Self {
            db,
            registry,
            blobs,
            admin: Arc::new(AdminMap::hanoi()?),
            plan: Arc::new(NumberingPlan::builtin()),
            clock: Clock::System,
        })
    }

    /// The same service on another clock (the demo's earlier year, tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub(crate) fn now(&self) -> i64 {
        self.clock.now_micros()
    }

    /// The year now, in Hà Nội, on this service's clock.
    fn year(&self) -> i32 {
        chrono::Datelike::year(&lantoa_core::time::local(self.clock.now()))
    }

    /// The registry owners are checked against.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Creates a dataset, checking its name, owner, cadence, sensitivity and schema.
    pub async fn create_dataset(&self, actor: &str, new: &NewDataset) -> Result<Dataset> {
        let name = new.name.trim();
        check_name("name", name)?;
        if new.title.trim().is_empty() {
            return Err(invalid("title", Msg::new("opendata-title-required")));
        }
        one_of("cadence", &new.cadence, &CADENCES)?;
        one_of("sensitivity", &new.sensitivity, &SENSITIVITIES)?;
        if new.license_id.trim().is_empty() {
            return Err(invalid("license_id", Msg::new("opendata-licence-required")));
        }
        let schema = Schema::from_json(&new.schema_json).map_err(Error::Schema)?;
        crate::personal::check_labels(&schema, &new.sensitivity)
            .map_err(|m| invalid("schema", m))?;
        let owner = self.registry.get(new.owner_unit_id).await?;
        if owner.kind != lantoa_core::unit::UnitKind::Agency {
            return Err(invalid(
                "owner_unit_id",
                Msg::new("opendata-owner-not-agency")
                    .arg("name", &owner.name)
                    .label("kind", format!("unit-kind-{}", owner.kind.as_str())),
            ));
        }
        let at = self.now();
        let mut tx = self.db.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO opendata_datasets (name, title, notes, owner_unit_id, license_id, cadence, sensitivity, schema_json, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(name)
        .bind(new.title.trim())
        .bind(new.notes.trim())
        .bind(owner.id)
        .bind(new.license_id.trim())
        .bind(&new.cadence)
        .bind(&new.sensitivity)
        .bind(schema.source.to_string())
        .bind(actor)
        .bind(at)
        .fetch_one(&mut *tx)
        .await;
        let id = self
            .created(
                tx,
                inserted,
                name,
                "opendata.dataset_created",
                "dataset",
                serde_json::json!({ "name": name, "owner_unit_id": owner.id }),
                actor,
            )
            .await?;
        self.dataset(id).await
    }

    /// Ends the creation of a named thing (a dataset, a group): its insert's id, or
    /// [`Error::Duplicate`] when the name is taken; the audit entry; the commit.
    #[allow(clippy::too_many_arguments)] // one call per kind of thing, each naming every part
    pub(crate) async fn created(
        &self,
        mut tx: Tx,
        inserted: std::result::Result<sqlx::any::AnyRow, sqlx::Error>,
        name: &str,
        action: &str,
        kind: &str,
        after: serde_json::Value,
        actor: &str,
    ) -> Result<i64> {
        let id: i64 = match inserted {
            Ok(r) => r.try_get(0)?,
            Err(e) if lantoa_store::is_unique_violation(&e) => {
                return Err(Error::Duplicate(name.to_owned()));
            }
            Err(e) => return Err(e.into()),
        };
        audit::append_at(
            &mut tx,
            &audit::Entry::new(actor, action, format!("{kind}:{id}")).after(after),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a dataset's title, description, licence, cadence or sensitivity (the fields
    /// given); its name, owner and schema stay.
    pub async fn patch_dataset(
        &self,
        actor: &str,
        id: i64,
        patch: &DatasetPatch,
    ) -> Result<Dataset> {
        let before = self.dataset(id).await?;
        let title = patch.title.clone().unwrap_or_else(|| before.title.clone());
        if title.trim().is_empty() {
            return Err(invalid("title", Msg::new("opendata-title-required")));
        }
        let cadence = patch
            .cadence
            .clone()
            .unwrap_or_else(|| before.cadence.clone());
        one_of("cadence", &cadence, &CADENCES)?;
        let sensitivity = patch
            .sensitivity
            .clone()
            .unwrap_or_else(|| before.sensitivity.clone());
        one_of("sensitivity", &sensitivity, &SENSITIVITIES)?;
        self.check_sharing(&before, &sensitivity).await?;
        let notes = patch.notes.clone().unwrap_or_else(|| before.notes.clone());
        let license = patch
            .license_id
            .clone()
            .unwrap_or_else(|| before.license_id.clone());
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "UPDATE opendata_datasets SET title = $1, notes = $2, license_id = $3, cadence = $4, sensitivity = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(title.trim())
        .bind(notes.trim())
        .bind(license.trim())
        .bind(&cadence)
        .bind(&sensitivity)
        .bind(self.now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit::append_at(
            &mut tx,
            &audit::Entry::new(actor, "opendata.dataset_changed", format!("dataset:{id}"))
                .before(serde_json::json!({
                    "title": before.title, "notes": before.notes, "license_id": before.license_id,
                    "cadence": before.cadence, "sensitivity": before.sensitivity,
                }))
                .after(serde_json::json!({
                    "title": title, "notes": notes, "license_id": license,
                    "cadence": cadence, "sensitivity": sensitivity,
                })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        self.dataset(id).await
    }

    /// The sharing rules for `dataset` shared as `sensitivity`, checked on every change that
    /// could share more: a column labelled as personal data must be dropped or generalised,
    /// and so must one whose stored rows hold personal data by content (a restricted dataset
    /// opened up shows every row it took while restricted).
    async fn check_sharing(&self, dataset: &Dataset, sensitivity: &str) -> Result<()> {
        let schema = Schema::from_value(dataset.schema.clone()).map_err(Error::Schema)?;
        crate::personal::check_labels(&schema, sensitivity)
            .map_err(|m| invalid("sensitivity", m))?;
        if sensitivity == "restricted" {
            return Ok(());
        }
        let mut detector = crate::personal::Detector::new(&schema);
        let mut after: Option<String> = None;
        while !detector.satisfied() {
            let page = self.rows_after(dataset.id, after.as_deref(), 500).await?;
            let Some((last, _)) = page.last() else { break };
            after = Some(last.clone());
            for (_, values) in &page {
                detector.offer(values.iter().map(String::as_str));
            }
        }
        match detector.exposed().first() {
            Some(f) => Err(invalid("sensitivity", f.message())),
            None => Ok(()),
        }
    }

    /// The dataset with this id.
    pub async fn dataset(&self, id: i64) -> Result<Dataset> {
        let sql = format!("SELECT {DATASET_COLUMNS} FROM opendata_datasets WHERE id = $1");
        self.find(
            sqlx::query(&sql).bind(id),
            "dataset",
            id.to_string(),
            dataset_from,
        )
        .await
    }

    /// One row of a query, read by `from`, or `NotFound`.
    async fn find<'q, T>(
        &self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
        what: &'static str,
        id: String,
        from: fn(&sqlx::any::AnyRow) -> Result<T>,
    ) -> Result<T> {
        let row = query
            .fetch_optional(self.db.pool())
            .await?
            .ok_or(Error::NotFound { what, id })?;
        from(&row)
    }

    /// The dataset with this URL name.
    pub async fn dataset_by_name(&self, name: &str) -> Result<Dataset> {
        let sql = format!("SELECT {DATASET_COLUMNS} FROM opendata_datasets WHERE name = $1");
        self.find(
            sqlx::query(&sql).bind(name),
            "dataset",
            name.to_owned(),
            dataset_from,
        )
        .await
    }

    /// Public datasets whose name, title or description hold every word of `q` (tone marks and
    /// case optional), by name; all of them for an empty `q`.
    pub async fn search(&self, q: &str) -> Result<Vec<Dataset>> {
        let words: Vec<String> = lantoa_core::text::fold_key(q)
            .split_whitespace()
            .filter(|w| *w != "*:*")
            .map(str::to_owned)
            .collect();
        Ok(self
            .public_datasets()
            .await?
            .into_iter()
            .filter(|d| {
                let hay =
                    lantoa_core::text::fold_key(&format!("{} {} {}", d.name, d.title, d.notes));
                words.iter().all(|w| hay.contains(w.as_str()))
            })
            .collect())
    }

    /// The datasets shared with the public (all but `restricted`), by name.
    pub async fn public_datasets(&self) -> Result<Vec<Dataset>> {
        Ok(self
            .datasets(None)
            .await?
            .into_iter()
            .filter(Dataset::is_public)
            .collect())
    }

    /// A dataset shared with the public, by URL name; a restricted one is not found.
    pub async fn public_dataset(&self, name: &str) -> Result<Dataset> {
        let d = self.dataset_by_name(name).await?;
        if d.is_public() {
            Ok(d)
        } else {
            Err(Error::NotFound {
                what: "dataset",
                id: name.to_owned(),
            })
        }
    }

    /// Datasets, by name; of one owner when given.
    pub async fn datasets(&self, owner_unit_id: Option<i64>) -> Result<Vec<Dataset>> {
        let rows = sqlx::query(&format!(
            "SELECT {DATASET_COLUMNS} FROM opendata_datasets WHERE ($1 = 0 OR owner_unit_id = $1) ORDER BY name"
        ))
        .bind(owner_unit_id.unwrap_or(0))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(dataset_from).collect()
    }

    /// A page of datasets (of one owner when given) whose name or title contains the search
    /// (titles compared on tone keys), in an order, with the number selected. A city holds
    /// hundreds of datasets, not millions: they are read whole and the page cut here.
    pub async fn dataset_page(
        &self,
        q: &lantoa_core::page::PageQuery<DatasetSort>,
        owner_unit_id: Option<i64>,
    ) -> Result<(Vec<Dataset>, i64)> {
        let rows = sqlx::query(&format!(
            "SELECT {DATASET_COLUMNS} FROM opendata_datasets WHERE ($1 = 0 OR owner_unit_id = $1) ORDER BY {}",
            q.sort.order_by()
        ))
        .bind(owner_unit_id.unwrap_or(0))
        .fetch_all(self.db.pool())
        .await?;
        let mut all = rows.iter().map(dataset_from).collect::<Result<Vec<_>>>()?;
        if let Some(term) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let key = lantoa_core::text::tone_key(term);
            let lower = term.to_lowercase();
            all.retain(|d| {
                d.name.contains(&lower) || lantoa_core::text::tone_key(&d.title).contains(&key)
            });
        }
        if q.sort == DatasetSort::Title {
            all.sort_by_cached_key(|d| (lantoa_core::text::tone_key(&d.title), d.id));
        }
        let total = all.len() as i64;
        let page = all
            .into_iter()
            .skip(usize::try_from(q.offset.max(0)).unwrap_or(usize::MAX))
            .take(usize::try_from(q.limit.clamp(1, lantoa_core::page::PAGE_MAX)).unwrap_or(0))
            .collect();
        Ok((page, total))
    }

    /// Keeps a file held in memory for a dataset and queues its ingest; see
    /// [`OpenData::upload_staged`].
    pub async fn upload(
        &self,
        actor: &str,
        dataset_id: i64,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<Upload> {
        let mut staged = self.stage().await?;
        staged.write(bytes).await?;
        self.upload_staged(actor, dataset_id, file_name, staged, None)
            .await
    }

    /// A file to be written as it arrives (an upload of any size), for
    /// [`OpenData::upload_staged`].
    pub async fn stage(&self) -> Result<Staged> {
        Ok(self.blobs.stage().await?)
    }

    /// Keeps a staged file for a dataset and queues its ingest (one transaction). An empty
    /// file is refused here, before it is kept. `as_of` is the date the uploader says the data
    /// is as of: before 1/7/2025 its commune names are read as old units (without it, the
    /// file's own dates tell).
    pub async fn upload_staged(
        &self,
        actor: &str,
        dataset_id: i64,
        file_name: &str,
        staged: Staged,
        as_of: Option<chrono::NaiveDate>,
    ) -> Result<Upload> {
        let dataset = self.dataset(dataset_id).await?;
        if staged.size() == 0 {
            return Err(invalid("file", Msg::new("file-empty")));
        }
        let format = crate::ingest::format_of(file_name, staged.head());
        let media_type = match format {
            "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "json" => "application/json",
            _ => "text/csv",
        };
        let blob = staged.commit(media_type).await?;
        let mut tx = self.db.begin().await?;
        let version: i64 = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM opendata_uploads WHERE dataset_id = $1",
        )
        .bind(dataset.id)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        let id: i64 = sqlx::query(
            "INSERT INTO opendata_uploads (dataset_id, version, file_name, blob_sha256, status, uploaded_by, uploaded_at, format, as_of)
             VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $8) RETURNING id",
        )
        .bind(dataset.id)
        .bind(version)
        .bind(file_name)
        .bind(&blob.sha256)
        .bind(actor)
        .bind(self.now())
        .bind(format)
        .bind(as_of.map(|d| d.to_string()))
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        Queue::new(self.db.clone())
            .enqueue_in(
                &mut tx,
                &NewJob::new(INGEST_JOB, serde_json::json!({ "upload_id": id })),
            )
            .await?;
        audit::append_at(
            &mut tx,
            &audit::Entry::new(
                actor,
                "opendata.uploaded",
                format!("dataset:{}", dataset.id),
            )
            .after(serde_json::json!({
                "upload_id": id, "version": version, "file": file_name,
                "sha256": blob.sha256, "bytes": blob.size,
                "as_of": as_of.map(|d| d.to_string()),
            })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        self.upload_info(id).await
    }

    /// The upload with this id.
    pub async fn upload_info(&self, id: i64) -> Result<Upload> {
        let sql = format!("SELECT {UPLOAD_COLUMNS} FROM opendata_uploads WHERE id = $1");
        self.find(
            sqlx::query(&sql).bind(id),
            "upload",
            id.to_string(),
            upload_from,
        )
        .await
    }

    /// A dataset's uploads, newest first.
    pub async fn uploads(&self, dataset_id: i64) -> Result<Vec<Upload>> {
        let rows = sqlx::query(&format!(
            "SELECT {UPLOAD_COLUMNS} FROM opendata_uploads WHERE dataset_id = $1 ORDER BY version DESC"
        ))
        .bind(dataset_id)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(upload_from).collect()
    }

    /// Runs a queued upload to its end (the job handler): reads the file on the blocking pool
    /// and publishes and quarantines its rows batch by batch. Fails only when storage fails;
    /// a file that cannot be read is `refused` with its reasons.
    pub async fn run_upload(&self, upload_id: i64) -> Result<Upload> {
        let upload = self.upload_info(upload_id).await?;
        if upload.status == "done" || upload.status == "refused" {
            return Ok(upload);
        }
        let dataset = self.dataset(upload.dataset_id).await?;
        let schema = Arc::new(Schema::from_value(dataset.schema.clone()).map_err(Error::Schema)?);
        sqlx::query("UPDATE opendata_uploads SET status = 'running' WHERE id = $1")
            .bind(upload_id)
            .execute(self.db.pool())
            .await?;
        let file = self.blobs.open(&upload.blob_sha256).await?;
        let file_bytes = file.size();
        let names = self.names_of(&upload, &schema).await?;
        // The file's words, all of them, tell how its legacy text is read.
        let whole = self.blobs.open(&upload.blob_sha256).await?;
        let shared = dataset.is_public();
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<Item>>(4);
        let (admin, plan, s2) = (self.admin.clone(), self.plan.clone(), schema.clone());
        let file_name = upload.file_name.clone();
        let reader = tokio::task::spawn_blocking(move || -> Result<(), Vec<FileProblem>> {
            let mut checker = Checker::new(&s2, &admin, &plan);
            checker.names_before_reform(names == Some(Names::Old));
            let name = file_name.clone();
            let survey = crate::ingest::Survey::Pending(Box::new(
                move || match crate::ingest::survey(&name, whole) {
                    Ok(vote) => vote.decide(),
                    Err(e) => {
                        tracing::warn!(error = %e, "the file's words could not be surveyed; each cell is judged alone");
                        None
                    }
                },
            ));
            let mut ingest = Ingest::read_surveyed(&file_name, file, &s2, survey)?;
            if let Some(rows) = ingest.expected_rows(file_bytes) {
                checker.expect_rows(rows);
            }
            let send = |batch: Vec<Item>| sender.blocking_send(batch).is_ok();
            if !send(vec![Item::Header {
                format: ingest.dialect.format,
                encoding: ingest.dialect.encoding_name().to_owned(),
                delimiter: ingest.dialect.delimiter,
                problems: ingest.problems.clone(),
            }]) {
                return Ok(());
            }
            // A dataset shared beyond the department holds back the file's first rows (up to
            // LOOK_ROWS) and looks at them for personal data before any is published: a column
            // holding it by content refuses the whole file, and nothing of it is sent.
            let mut look = shared.then(|| crate::personal::Detector::new(&s2));
            let mut batch = Vec::with_capacity(BATCH);
            let mut read = 0usize;
            while let Some(row) = ingest.next(&mut checker) {
                read += 1;
                let stop = row.is_err();
                let item = match row {
                    Ok(r) => {
                        if let Some(d) = &mut look {
                            match (&r.verdict, &r.raw) {
                                (Verdict::Clean(clean), _) => d.offer(clean.iter()),
                                (_, Some(raw)) => d.offer(raw.iter().map(String::as_str)),
                                _ => {}
                            }
                        }
                        Item::Row {
                            number: r.number,
                            verdict: r.verdict,
                            raw: r.raw,
                        }
                    }
                    Err(p) => Item::Stopped(p),
                };
                batch.push(item);
                if let Some(d) = &look
                    && (d.satisfied() || read >= LOOK_ROWS)
                {
                    personal_data(d)?;
                    look = None;
                }
                if stop {
                    break;
                }
                if look.is_none() && batch.len() >= BATCH && !send(std::mem::take(&mut batch)) {
                    return Ok(());
                }
            }
            if let Some(d) = &look {
                personal_data(d)?;
            }
            // The survey of the file's words may have run after its header was sent.
            batch.push(Item::Encoding(ingest.dialect.encoding_name()));
            send(batch);
            Ok(())
        });
        let mut groups = Groups::load(self, dataset.id, &schema).await?;
        let mut tally = Tally::default();
        let mut problems: Vec<FileProblemRow> = Vec::new();
        let mut duplicate_rows: Vec<u64> = Vec::new();
        let (mut cells, mut filled) = (0i64, 0i64);
        let mut stopped: Option<String> = None;
        while let Some(batch) = receiver.recv().await {
            let mut tx = self.db.begin().await?;
            for item in batch {
                match item {
                    Item::Header {
                        format,
                        encoding,
                        delimiter,
                        problems: header_problems,
                    } => {
                        problems = header_problems.iter().map(FileProblemRow::from).collect();
                        let csv = format == "csv";
                        sqlx::query(
                            "UPDATE opendata_uploads SET encoding = $1, delimiter = $2 WHERE id = $3",
                        )
                        .bind(csv.then_some(encoding))
                        .bind(csv.then(|| delimiter.to_string()))
                        .bind(upload_id)
                        .execute(&mut *tx)
                        .await?;
                    }
                    Item::Encoding(name) => {
                        sqlx::query(
                            "UPDATE opendata_uploads SET encoding = $1 WHERE id = $2 AND format = 'csv'",
                        )
                        .bind(name)
                        .bind(upload_id)
                        .execute(&mut *tx)
                        .await?;
                    }
                    Item::Stopped(p) => {
                        stopped = Some(p.note.to_string());
                        problems.push(FileProblemRow::from(&p));
                    }
                    Item::Row {
                        number,
                        verdict,
                        raw,
                    } => {
                        tally.add(&verdict);
                        match verdict {
                            Verdict::Clean(row) => {
                                let values = row.to_vec();
                                cells += values.len() as i64;
                                filled += values.iter().filter(|v| !v.is_empty()).count() as i64;
                                let key = row_key(&schema, &values, upload_id, number);
                                groups
                                    .offer(
                                        &mut tx,
                                        &schema,
                                        dataset.id,
                                        Held {
                                            quarantine_id: None,
                                            upload_id,
                                            number,
                                            key,
                                            values,
                                        },
                                    )
                                    .await?;
                            }
                            Verdict::Dirty(errors) => {
                                let raw = raw.unwrap_or_default();
                                sqlx::query(
                                    "INSERT INTO opendata_quarantine (dataset_id, upload_id, row_number, row_key, cells_json, errors_json, status)
                                     VALUES ($1, $2, $3, $4, $5, $6, 'open')",
                                )
                                .bind(dataset.id)
                                .bind(upload_id)
                                .bind(number as i64)
                                .bind(raw_key(&schema, &raw))
                                .bind(serde_json::to_string(&raw)?)
                                .bind(serde_json::to_string(&errors)?)
                                .execute(&mut *tx)
                                .await?;
                            }
                            Verdict::Duplicate => {
                                if duplicate_rows.len() < 1000 {
                                    duplicate_rows.push(number);
                                }
                            }
                        }
                    }
                }
            }
            groups.batch.flush(&mut tx, dataset.id).await?;
            sqlx::query(
                "UPDATE opendata_uploads SET rows = $1, clean = $2, quarantined = $3, duplicates = $4, cells = $5, filled_cells = $6 WHERE id = $7",
            )
            .bind(tally.rows as i64)
            .bind(tally.clean as i64)
            .bind(tally.quarantined as i64)
            .bind(tally.duplicates as i64)
            .bind(cells)
            .bind(filled)
            .bind(upload_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE opendata_datasets SET updated_at = $1 WHERE id = $2")
                .bind(self.now())
                .bind(dataset.id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        let refused = match reader.await {
            Ok(Ok(())) => None,
            Ok(Err(file_problems)) => Some(file_problems),
            Err(e) => {
                return Err(Error::Internal(format!("the reader stopped: {e}")));
            }
        };
        let held = groups
            .hold_rest(self, &schema, dataset.id, upload_id)
            .await?;
        if held > 0 {
            tally.clean -= held;
            tally.quarantined += held;
            sqlx::query("UPDATE opendata_uploads SET clean = $1, quarantined = $2 WHERE id = $3")
                .bind(tally.clean as i64)
                .bind(tally.quarantined as i64)
                .bind(upload_id)
                .execute(self.db.pool())
                .await?;
        }
        let status = if let Some(fp) = &refused {
            problems = fp.iter().map(FileProblemRow::from).collect();
            "refused"
        } else {
            "done"
        };
        sqlx::query(
            "UPDATE opendata_uploads SET status = $1, problems_json = $2, duplicate_rows_json = $3, finished_at = $4, message = $5 WHERE id = $6",
        )
        .bind(status)
        .bind(serde_json::to_string(&problems)?)
        .bind(serde_json::to_string(&duplicate_rows)?)
        .bind(self.now())
        .bind(stopped)
        .bind(upload_id)
        .execute(self.db.pool())
        .await?;
        self.upload_info(upload_id).await
    }

    /// Which units an upload's commune names are (`None` when the schema has no commune
    /// column): old when the stated "as of" date, or else the latest date in the file's date
    /// columns, is before 1/7/2025; current otherwise. Recorded on the upload.
    async fn names_of(&self, upload: &Upload, schema: &Arc<Schema>) -> Result<Option<Names>> {
        if !schema
            .fields
            .iter()
            .any(|f| f.vn == Some(crate::schema::Kind::Commune))
        {
            return Ok(None);
        }
        let stated = upload
            .as_of
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let latest = match stated {
            Some(_) => None,
            None => {
                let file = self.blobs.open(&upload.blob_sha256).await?;
                let (name, s2) = (upload.file_name.clone(), schema.clone());
                tokio::task::spawn_blocking(move || {
                    Ingest::read(&name, file, &s2)
                        .ok()
                        .and_then(|i| i.latest_date(&s2, REFORM_DATE))
                })
                .await
                .map_err(|e| Error::Internal(format!("the date survey stopped: {e}")))?
            }
        };
        let names = match stated.or(latest) {
            Some(d) if d < REFORM_DATE => Names::Old,
            _ => Names::Current,
        };
        sqlx::query("UPDATE opendata_uploads SET latest_date = $1, names = $2 WHERE id = $3")
            .bind(latest.map(|d| d.to_string()))
            .bind(names.as_str())
            .bind(upload.id)
            .execute(self.db.pool())
            .await?;
        Ok(Some(names))
    }

    /// A page of a dataset's published rows (cleaned values in schema order), in key order,
    /// and how many there are.
    pub async fn rows(
        &self,
        dataset_id: i64,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Vec<String>>, i64)> {
        let (records, total) = self.records(dataset_id, offset, limit).await?;
        Ok((records.into_iter().map(|(_, v)| v).collect(), total))
    }

    /// [`OpenData::rows`], each row with its stable number (the DataStore's `_id`: kept when a
    /// later upload replaces the row's values).
    pub async fn records(
        &self,
        dataset_id: i64,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<(i64, Vec<String>)>, i64)> {
        let total: i64 = sqlx::query("SELECT COUNT(*) FROM opendata_rows WHERE dataset_id = $1")
            .bind(dataset_id)
            .fetch_one(self.db.pool())
            .await?
            .try_get(0)?;
        let rows = sqlx::query(
            "SELECT row_id, values_json FROM opendata_rows WHERE dataset_id = $1 ORDER BY row_key LIMIT $2 OFFSET $3",
        )
        .bind(dataset_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.db.pool())
        .await?;
        let values = rows
            .iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    serde_json::from_str(&r.try_get::<String, _>(1)?)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((values, total))
    }

    /// Up to `limit` published rows after the key `after` (from the start when `None`), in key
    /// order, each with its key: keyset paging, so a page costs the same wherever it is.
    pub async fn rows_after(
        &self,
        dataset_id: i64,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<(String, Vec<String>)>> {
        Ok(self
            .records_after(dataset_id, after, limit)
            .await?
            .into_iter()
            .map(|(key, _, values)| (key, values))
            .collect())
    }

    /// [`OpenData::rows_after`], each row with its key and its stable number.
    pub async fn records_after(
        &self,
        dataset_id: i64,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<(String, i64, Vec<String>)>> {
        let rows = sqlx::query(
            "SELECT row_key, row_id, values_json FROM opendata_rows
             WHERE dataset_id = $1 AND ($2 = 1 OR row_key > $3) ORDER BY row_key LIMIT $4",
        )
        .bind(dataset_id)
        .bind(i64::from(after.is_none()))
        .bind(after.unwrap_or_default())
        .bind(limit)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    r.try_get(1)?,
                    serde_json::from_str(&r.try_get::<String, _>(2)?)?,
                ))
            })
            .collect()
    }

    /// Every published row of a dataset in key order, page by page; `each` returns false to
    /// stop early.
    pub async fn scan(
        &self,
        dataset_id: i64,
        mut each: impl FnMut(Vec<String>) -> bool + Send,
    ) -> Result<()> {
        self.scan_records(dataset_id, |_, row| each(row)).await
    }

    /// [`OpenData::scan`], each row with its stable number.
    pub async fn scan_records(
        &self,
        dataset_id: i64,
        mut each: impl FnMut(i64, Vec<String>) -> bool + Send,
    ) -> Result<()> {
        let mut after: Option<String> = None;
        loop {
            let page = self
                .records_after(dataset_id, after.as_deref(), 2000)
                .await?;
            let Some((last, _, _)) = page.last() else {
                return Ok(());
            };
            after = Some(last.clone());
            for (_, id, row) in page {
                if !each(id, row) {
                    return Ok(());
                }
            }
        }
    }

    /// Possible duplicates among a dataset's published rows (the first 200,000), for a steward
    /// ([`crate::quality::duplicate_suggestions`]).
    pub async fn duplicate_suggestions(
        &self,
        dataset_id: i64,
        limit: usize,
    ) -> Result<Vec<crate::quality::Suggestion>> {
        let d = self.dataset(dataset_id).await?;
        let schema = Schema::from_value(d.schema).map_err(Error::Schema)?;
        let mut rows = Vec::new();
        self.scan(dataset_id, |r| {
            rows.push(r);
            rows.len() < 200_000
        })
        .await?;
        Ok(crate::quality::duplicate_suggestions(&schema, &rows, limit))
    }

    /// A dataset's quarantined rows of a status (`open` first), oldest first.
    pub async fn quarantine(
        &self,
        dataset_id: i64,
        status: &str,
        limit: i64,
    ) -> Result<Vec<Quarantined>> {
        self.quarantine_rows(dataset_id, status, 0, limit).await
    }

    /// A page of a dataset's quarantined rows of a status, oldest first, and how many there
    /// are in all. A status other than `open`, `fixed` or `discarded` is refused by name.
    pub async fn quarantine_page(
        &self,
        dataset_id: i64,
        status: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Quarantined>, i64)> {
        one_of("status", status, &["open", "fixed", "discarded"])?;
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM opendata_quarantine WHERE dataset_id = $1 AND status = $2",
        )
        .bind(dataset_id)
        .bind(status)
        .fetch_one(self.db.pool())
        .await?;
        let rows = self
            .quarantine_rows(dataset_id, status, offset.max(0), limit)
            .await?;
        Ok((rows, total))
    }

    /// The datasets (of one owner when given) with rows waiting in quarantine, each with how
    /// many: one query, for a dashboard.
    pub async fn open_quarantine(&self, owner_unit_id: Option<i64>) -> Result<Vec<(Dataset, i64)>> {
        let columns = DATASET_COLUMNS
            .split(", ")
            .map(|c| format!("d.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(&format!(
            "SELECT {columns}, q.n FROM opendata_datasets d
             JOIN (SELECT dataset_id, COUNT(*) AS n FROM opendata_quarantine WHERE status = 'open'
                   GROUP BY dataset_id) q ON q.dataset_id = d.id
             WHERE ($1 = 0 OR d.owner_unit_id = $1) ORDER BY d.name"
        ))
        .bind(owner_unit_id.unwrap_or(0))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((dataset_from(r)?, r.try_get::<i64, _>(r.len() - 1)?)))
            .collect()
    }

    async fn quarantine_rows(
        &self,
        dataset_id: i64,
        status: &str,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Quarantined>> {
        let rows = sqlx::query(
            "SELECT id, upload_id, row_number, cells_json, errors_json, status FROM opendata_quarantine
             WHERE dataset_id = $1 AND status = $2 ORDER BY upload_id, row_number LIMIT $3 OFFSET $4",
        )
        .bind(dataset_id)
        .bind(status)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(quarantined_from).collect()
    }

    /// Fixes a quarantined row by naming the fields that change (the schema's names); the
    /// others keep the cells the row has. A name the schema does not have is refused, naming
    /// it and the fields there are, and nothing changes. See [`OpenData::fix`].
    pub async fn fix_fields(
        &self,
        actor: &str,
        quarantine_id: i64,
        changes: &std::collections::BTreeMap<String, String>,
    ) -> Result<FixOutcome> {
        let dataset = self.quarantined_dataset(quarantine_id).await?;
        let schema = Schema::from_value(dataset.schema).map_err(Error::Schema)?;
        let names: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
        if let Some(unknown) = changes.keys().find(|k| !names.contains(&k.as_str())) {
            return Err(invalid(
                "cells",
                Msg::new("quarantine-unknown-field")
                    .arg("value", unknown)
                    .arg("fields", names.join(", ")),
            ));
        }
        let row = sqlx::query(
            "SELECT id, upload_id, row_number, cells_json, errors_json, status FROM opendata_quarantine WHERE id = $1",
        )
        .bind(quarantine_id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or_else(|| no_quarantined_row(quarantine_id))?;
        let q = quarantined_from(&row)?;
        let cells: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                changes
                    .get(*name)
                    .cloned()
                    .or_else(|| q.cells.get(i).cloned())
                    .unwrap_or_default()
            })
            .collect();
        self.fix(actor, quarantine_id, &cells).await
    }

    /// The dataset a quarantined row belongs to: what a caller checks its rights against
    /// before [`OpenData::fix`] (never a dataset the caller names, which may be another).
    pub async fn quarantined_dataset(&self, quarantine_id: i64) -> Result<Dataset> {
        let dataset_id: i64 =
            sqlx::query_scalar("SELECT dataset_id FROM opendata_quarantine WHERE id = $1")
                .bind(quarantine_id)
                .fetch_optional(self.db.pool())
                .await?
                .ok_or_else(|| no_quarantined_row(quarantine_id))?;
        self.dataset(dataset_id).await
    }

    /// Fixes a quarantined row with corrected cells (schema order): checked again, published
    /// if clean, else kept with its new errors. A fixed row whose key is already published by
    /// another row is a `primary-key` error; the other unique columns are checked within the
    /// row's own upload only when the file is read, not again here.
    pub async fn fix(
        &self,
        actor: &str,
        quarantine_id: i64,
        cells: &[String],
    ) -> Result<FixOutcome> {
        let row = sqlx::query(
            "SELECT id, upload_id, row_number, cells_json, errors_json, status, dataset_id FROM opendata_quarantine WHERE id = $1",
        )
        .bind(quarantine_id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or_else(|| no_quarantined_row(quarantine_id))?;
        let q = quarantined_from(&row)?;
        let dataset_id: i64 = row.try_get(6)?;
        if q.status != "open" {
            return Err(invalid(
                "quarantine",
                Msg::new("quarantine-not-open")
                    .arg("id", quarantine_id)
                    .label("status", format!("quarantine-status-{}", q.status)),
            ));
        }
        let dataset = self.dataset(dataset_id).await?;
        let schema = Schema::from_value(dataset.schema).map_err(Error::Schema)?;
        if cells.len() != schema.fields.len() {
            return Err(invalid(
                "cells",
                Msg::new("quarantine-cell-count")
                    .arg("given", cells.len())
                    .arg("fields", schema.fields.len()),
            ));
        }
        let mut checker = Checker::new(&schema, &self.admin, &self.plan);
        // A fixed row is read as its file was: old names stay old names.
        let upload = self.upload_info(q.upload_id).await?;
        checker.names_before_reform(upload.names.as_deref() == Some(Names::Old.as_str()));
        let input: Vec<CellIn<'_>> = cells
            .iter()
            .map(|c| CellIn::Text(c.as_str().into()))
            .collect();
        let verdict = checker.row(&input, &[]);
        let mut tx = self.db.begin().await?;
        let outcome = match verdict {
            Verdict::Clean(row) => {
                let values = row.to_vec();
                let key = row_key(&schema, &values, q.upload_id, q.row_number as u64);
                let taken = sqlx::query(
                    "SELECT values_json FROM opendata_rows WHERE dataset_id = $1 AND row_key = $2",
                )
                .bind(dataset_id)
                .bind(&key)
                .fetch_optional(&mut *tx)
                .await?;
                let group_too_small = match schema.k {
                    Some(k) => {
                        let qi =
                            quasi_key(&schema, &crate::share::row(&schema, &values, self.year()));
                        let mut n = 0usize;
                        self.scan(dataset_id, |row| {
                            n += usize::from(quasi_key(&schema, &row) == qi);
                            n + 1 < k
                        })
                        .await?;
                        n + 1 < k
                    }
                    None => false,
                };
                if group_too_small {
                    let errors = vec![k_anonymity_error(&schema)];
                    store_attempt(&mut tx, quarantine_id, cells, &errors).await?;
                    FixOutcome::StillDirty(errors)
                } else if taken.is_some() && !schema.primary_key.is_empty() {
                    let errors = vec![RowError {
                        error_type: crate::check::ErrorType::PrimaryKey,
                        field: None,
                        field_number: None,
                        cell: Some(key.replace('\u{1f}', ", ")),
                        note: lantoa_core::Msg::new("row-key-published"),
                    }];
                    store_attempt(&mut tx, quarantine_id, cells, &errors).await?;
                    FixOutcome::StillDirty(errors)
                } else {
                    let shared = crate::share::row(&schema, &values, self.year());
                    let mut one = RowBatch::new(&self.clock);
                    one.push(
                        &mut tx,
                        dataset_id,
                        &key,
                        q.upload_id,
                        q.row_number as u64,
                        &shared,
                    )
                    .await?;
                    one.flush(&mut tx, dataset_id).await?;
                    sqlx::query(
                        "UPDATE opendata_quarantine SET status = 'fixed', cells_json = $1, resolved_by = $2, resolved_at = $3 WHERE id = $4",
                    )
                    .bind(serde_json::to_string(cells)?)
                    .bind(actor)
                    .bind(self.now())
                    .bind(quarantine_id)
                    .execute(&mut *tx)
                    .await?;
                    FixOutcome::Published
                }
            }
            Verdict::Dirty(errors) => {
                store_attempt(&mut tx, quarantine_id, cells, &errors).await?;
                FixOutcome::StillDirty(errors)
            }
            // A checker that has seen no other row has no key to repeat.
            Verdict::Duplicate => {
                return Err(Error::Internal(
                    "the row was taken for a repeat of itself".into(),
                ));
            }
        };
        audit::append_at(
            &mut tx,
            &audit::Entry::new(
                actor,
                "opendata.row_fixed",
                format!("quarantine:{quarantine_id}"),
            )
            .before(serde_json::json!({ "cells": q.cells }))
            .after(serde_json::json!({
                "cells": cells,
                "published": outcome == FixOutcome::Published,
            })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }
}

/// A clean row waiting to be published.
struct Held {
    /// Its quarantine row, when it was held by an earlier upload.
    quarantine_id: Option<i64>,
    upload_id: i64,
    number: u64,
    key: String,
    /// Clean values (not yet shared).
    values: Vec<String>,
}

/// The quasi-identifier values of a shared row, joined.
fn quasi_key(schema: &Schema, shared: &[String]) -> String {
    schema
        .fields
        .iter()
        .zip(shared)
        .filter(|(f, _)| f.quasi)
        .map(|(_, v)| v.as_str())
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

/// Why a clean row is held back.
fn k_anonymity_error(schema: &Schema) -> RowError {
    let names: Vec<&str> = schema
        .fields
        .iter()
        .filter(|f| f.quasi)
        .map(|f| f.name.as_str())
        .collect();
    RowError {
        error_type: crate::check::ErrorType::KAnonymity,
        field: None,
        field_number: None,
        cell: None,
        note: lantoa_core::Msg::new("row-k-anonymity")
            .arg("k", schema.k.unwrap_or(0))
            .arg("fields", names.join(", ")),
    }
}

/// Publishing under k-anonymity: how many published rows each quasi-identifier group has, and
/// the clean rows waiting for their group to reach k. Without a k every row is published at once.
struct Groups {
    k: Option<usize>,
    /// The year ages are reckoned in (the upload's, on the service's clock).
    year: i32,
    published: HashMap<String, usize>,
    pending: HashMap<String, Vec<Held>>,
    /// Rows released, not yet written.
    batch: RowBatch,
}

/// Published rows waiting to be written: one statement per [`ROWS_PER_STATEMENT`] rows (and
/// one to close the quarantined rows they replace) instead of two statements, each a round
/// trip to the database, per row. Written before the transaction that holds them commits.
/// The statement that closes, as fixed, the open quarantined rows of a dataset that another
/// upload's clean rows replaced under `keys` keys: `$1` who, `$2` when, `$3` the dataset, `$4`
/// the replacing upload, `$5…` the keys. Public so that a test can read its query plan: it must
/// look its keys up in `opendata_quarantine_key`, not scan the dataset's open rows (which made
/// ingest grow with rows × dirty rows).
pub fn close_replaced_sql(keys: usize) -> String {
    let list: Vec<String> = (0..keys).map(|i| format!("${}", i + 5)).collect();
    format!(
        "UPDATE opendata_quarantine SET status = 'fixed', resolved_by = $1, resolved_at = $2
         WHERE dataset_id = $3 AND status = 'open' AND upload_id <> $4 AND row_key IN ({})",
        list.join(", ")
    )
}

struct RowBatch {
    rows: Vec<(String, i64, i64, String)>,
    keys: std::collections::HashSet<String>,
    clock: Clock,
}

/// Rows per multi-row statement (6 parameters each, well inside SQLite's and PostgreSQL's
/// limits).
const ROWS_PER_STATEMENT: usize = 100;

impl RowBatch {
    fn new(clock: &Clock) -> Self {
        Self {
            rows: Vec::new(),
            keys: std::collections::HashSet::new(),
            clock: clock.clone(),
        }
    }

    async fn push(
        &mut self,
        tx: &mut Tx,
        dataset_id: i64,
        key: &str,
        upload_id: i64,
        number: u64,
        values: &[String],
    ) -> Result<()> {
        // One statement may not change the same row twice (PostgreSQL refuses it).
        if self.keys.contains(key) {
            self.flush(tx, dataset_id).await?;
        }
        self.keys.insert(key.to_owned());
        self.rows.push((
            key.to_owned(),
            upload_id,
            number as i64,
            serde_json::to_string(values)?,
        ));
        if self.rows.len() >= ROWS_PER_STATEMENT {
            self.flush(tx, dataset_id).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, tx: &mut Tx, dataset_id: i64) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let at = self.clock.now_micros();
        // Numbers for the rows whose keys are new; a replaced row keeps its own (the upsert
        // leaves `row_id` alone), and its number here goes unused.
        let n = self.rows.len() as i64;
        let next: i64 = sqlx::query(
            "UPDATE opendata_datasets SET next_row_id = next_row_id + $1 WHERE id = $2 RETURNING next_row_id",
        )
        .bind(n)
        .bind(dataset_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
        let first_id = next - n;
        let mut sql = format!(
            "INSERT INTO opendata_rows (dataset_id, row_key, upload_id, row_number, values_json, published_at, row_id) VALUES {}",
            lantoa_store::values_placeholders(self.rows.len(), 7)
        );
        sql.push_str(
            " ON CONFLICT (dataset_id, row_key) DO UPDATE SET upload_id = excluded.upload_id,
              row_number = excluded.row_number, values_json = excluded.values_json,
              published_at = excluded.published_at",
        );
        let mut q = sqlx::query(&sql);
        for (i, (key, upload_id, number, json)) in self.rows.iter().enumerate() {
            q = q
                .bind(dataset_id)
                .bind(key.as_str())
                .bind(*upload_id)
                .bind(*number)
                .bind(json.as_str())
                .bind(at)
                .bind(first_id + i as i64);
        }
        q.execute(&mut **tx).await?;
        // Rows quarantined by other uploads under these keys are replaced: closed as fixed.
        let mut uploads: Vec<i64> = self.rows.iter().map(|r| r.1).collect();
        uploads.sort_unstable();
        uploads.dedup();
        for upload_id in uploads {
            let keys: Vec<&str> = self
                .rows
                .iter()
                .filter(|r| r.1 == upload_id)
                .map(|r| r.0.as_str())
                .collect();
            let sql = close_replaced_sql(keys.len());
            let mut q = sqlx::query(&sql)
                .bind(format!("upload:{upload_id}"))
                .bind(at)
                .bind(dataset_id)
                .bind(upload_id);
            for k in keys {
                q = q.bind(k);
            }
            q.execute(&mut **tx).await?;
        }
        self.rows.clear();
        self.keys.clear();
        Ok(())
    }
}

impl Groups {
    /// The dataset's groups as published, and the rows held back by earlier uploads.
    async fn load(od: &OpenData, dataset_id: i64, schema: &Schema) -> Result<Self> {
        let mut g = Self {
            k: schema.k,
            year: od.year(),
            published: HashMap::new(),
            pending: HashMap::new(),
            batch: RowBatch::new(&od.clock),
        };
        if g.k.is_none() {
            return Ok(g);
        }
        let mut published = HashMap::new();
        od.scan(dataset_id, |row| {
            *published.entry(quasi_key(schema, &row)).or_insert(0) += 1;
            true
        })
        .await?;
        g.published = published;
        for q in od.quarantine(dataset_id, "open", i64::MAX).await? {
            if q.errors
                .iter()
                .any(|e| e.error_type == crate::check::ErrorType::KAnonymity)
            {
                let shared = crate::share::row(schema, &q.cells, g.year);
                g.pending
                    .entry(quasi_key(schema, &shared))
                    .or_default()
                    .push(Held {
                        quarantine_id: Some(q.id),
                        upload_id: q.upload_id,
                        number: q.row_number as u64,
                        key: row_key(schema, &q.cells, q.upload_id, q.row_number as u64),
                        values: q.cells,
                    });
            }
        }
        Ok(g)
    }

    /// Publishes a clean row now if its group is large enough (with every row of the group
    /// that was waiting), else holds it.
    async fn offer(
        &mut self,
        tx: &mut Tx,
        schema: &Schema,
        dataset_id: i64,
        row: Held,
    ) -> Result<()> {
        let Some(k) = self.k else {
            let shared = crate::share::row(schema, &row.values, self.year);
            return self
                .batch
                .push(tx, dataset_id, &row.key, row.upload_id, row.number, &shared)
                .await;
        };
        let qi = quasi_key(schema, &crate::share::row(schema, &row.values, self.year));
        let have = self.published.get(&qi).copied().unwrap_or(0);
        let waiting = self.pending.entry(qi.clone()).or_default();
        waiting.push(row);
        if have + waiting.len() < k {
            return Ok(());
        }
        let ready = std::mem::take(waiting);
        self.pending.remove(&qi);
        *self.published.entry(qi).or_insert(0) += ready.len();
        for h in ready {
            let shared = crate::share::row(schema, &h.values, self.year);
            self.batch
                .push(tx, dataset_id, &h.key, h.upload_id, h.number, &shared)
                .await?;
            if let Some(id) = h.quarantine_id {
                sqlx::query(
                    "UPDATE opendata_quarantine SET status = 'fixed', resolved_by = 'k-anonymity', resolved_at = $1 WHERE id = $2",
                )
                .bind(self.batch.clock.now_micros())
                .bind(id)
                .execute(&mut **tx)
                .await?;
            }
        }
        Ok(())
    }

    /// Quarantines this upload's rows still waiting (`k-anonymity`); returns how many.
    async fn hold_rest(
        &mut self,
        od: &OpenData,
        schema: &Schema,
        dataset_id: i64,
        upload_id: i64,
    ) -> Result<u64> {
        if self.k.is_none() {
            return Ok(0);
        }
        let errors = serde_json::to_string(&[k_anonymity_error(schema)])?;
        let mut tx = od.db.begin().await?;
        let mut n = 0u64;
        for held in self.pending.values().flatten() {
            if held.quarantine_id.is_some() || held.upload_id != upload_id {
                continue;
            }
            n += 1;
            sqlx::query(
                "INSERT INTO opendata_quarantine (dataset_id, upload_id, row_number, row_key, cells_json, errors_json, status)
                 VALUES ($1, $2, $3, $4, $5, $6, 'open')",
            )
            .bind(dataset_id)
            .bind(upload_id)
            .bind(held.number as i64)
            .bind(&held.key)
            .bind(serde_json::to_string(&held.values)?)
            .bind(&errors)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(n)
    }
}

fn quarantined_from(r: &sqlx::any::AnyRow) -> Result<Quarantined> {
    Ok(Quarantined {
        id: r.try_get(0)?,
        upload_id: r.try_get(1)?,
        row_number: r.try_get(2)?,
        cells: serde_json::from_str(&r.try_get::<String, _>(3)?)?,
        errors: serde_json::from_str(&r.try_get::<String, _>(4)?)?,
        status: r.try_get(5)?,
    })
}

/// The key of a quarantined row from its cells as given (trimmed, NFC), so that a later clean
/// row with the same key resolves it; none without a primary key or with a key cell missing.
fn raw_key(schema: &Schema, cells: &[String]) -> Option<String> {
    if schema.primary_key.is_empty() {
        return None;
    }
    let parts: Option<Vec<String>> = schema
        .primary_key
        .iter()
        .map(|&i| {
            cells
                .get(i)
                .map(|c| lantoa_core::text::nfc(c.trim()))
                .filter(|c| !c.is_empty())
        })
        .collect();
    parts.map(|p| p.join("\u{1f}"))
}

async fn store_attempt(tx: &mut Tx, id: i64, cells: &[String], errors: &[RowError]) -> Result<()> {
    sqlx::query("UPDATE opendata_quarantine SET cells_json = $1, errors_json = $2 WHERE id = $3")
        .bind(serde_json::to_string(cells)?)
        .bind(serde_json::to_string(errors)?)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
