//! # lantoa-opendata — clean agencies' data and share each row as soon as it is clean
//!
//! The city asked the department to "continuously clean the data and share it as soon as it is
//! clean" (*sạch đến đâu là chia sẻ đến đó*). This crate is that pipeline (shared/domain/
//! opendata.md):
//!
//! ```text
//! upload ─► decode (UTF-8/16, Windows-1258, TCVN3; VNI refused) ─► header ↔ Table Schema
//!        ─► per row: normalise (NFC, names, dates, numbers, phones, communes) ─► validate
//!           (Frictionless error types + Vietnamese checks) ─► deduplicate on the primary key
//!        ─► clean rows published at once · dirty rows quarantined with their reasons
//! ```
//!
//! * [`schema`] reads and checks a Frictionless Table Schema;
//! * [`decode`] reads the encodings agencies' files come in, cell by cell;
//! * [`clean`] turns one value into its canonical form;
//! * [`admin`] maps old and current commune names and codes to the current units;
//! * [`check`] cleans and validates a row and says what becomes of it;
//! * [`ingest`] reads a file row by row, in bounded memory;
//! * [`keys`] remembers which keys were seen, in about 12 bytes each;
//! * [`service`] stores datasets, uploads, published rows and the quarantine.
//!
//! ```
//! use lantoa_opendata::{admin::AdminMap, check::{Checker, Verdict}, ingest::{Ingest, Tally}, schema::Schema};
//! let schema = Schema::from_json(r#"{"fields": [
//!     {"name": "ma", "constraints": {"required": true}},
//!     {"name": "xa", "lantoa:kind": "commune"}
//! ], "primaryKey": "ma"}"#).unwrap();
//! let admin = AdminMap::hanoi().unwrap();
//! let plan = lantoa_core::phone::NumberingPlan::builtin();
//! let mut checker = Checker::new(&schema, &admin, &plan);
//! let csv = "ma;xa\nA1;Phường Phúc Xá\nA2;Phường Không Có\n";
//! let mut ingest = Ingest::csv(csv.as_bytes(), &schema).unwrap();
//! let mut tally = Tally::default();
//! while let Some(row) = ingest.next(&mut checker) {
//!     let row = row.unwrap();
//!     if let Verdict::Clean(values) = &row.verdict {
//!         assert_eq!(&values[1], "Phường Hồng Hà"); // the old ward's current unit
//!     }
//!     tally.add(&row.verdict);
//! }
//! assert_eq!((tally.clean, tally.quarantined), (1, 1));
//! ```
#![deny(missing_docs)]

pub use access::{agency_scope, may_change};
pub use demo::DemoReport;
pub use error::{Error, Result};
pub use service::{
    Dataset, DatasetPatch, DatasetSort, FixOutcome, INGEST_JOB, NewDataset, OpenData, Quarantined,
    Upload,
};

/// Migrations of the open-data tables.
pub const MIGRATIONS: lantoa_store::migrate::MigrationSet = lantoa_store::migrate::MigrationSet {
    component: "opendata",
    migrations: &[
        lantoa_store::migration!(1, "0001_datasets.sql"),
        lantoa_store::migration!(2, "0002_quarantine_key_status.sql"),
        lantoa_store::migration!(3, "0003_upload_names_as_of.sql"),
        lantoa_store::migration!(4, "0004_row_ids.sql"),
        lantoa_store::migration!(5, "0005_groups_tags.sql"),
    ],
};

pub mod access;
pub mod admin;
pub mod check;
pub mod clean;
pub mod decode;
mod demo;
mod error;
pub mod figures;
pub mod ingest;
pub mod keys;
pub mod labels;
pub mod personal;
pub mod quality;
pub mod query;
pub mod schema;
pub mod service;
pub mod share;
mod swar;
