//! # lantoa-watch — watching online information
//!
//! The department reviews general information websites, social networks, video clips and
//! posts for "báo hóa" signs, illegal advertising and harmful content (shared/domain/watch.md).
//! This crate owns that work:
//!
//! * the **subjects** — what is watched, with its URL, its managing unit (a unit of
//!   [`lantoa_registry`]), its licence, and whether it is a licensed press agency; registered
//!   one by one or imported from CSV/XLSX with a report per row ([`Watch::import_csv`]);
//! * the **crawler** ([`Crawler`], [`crawl`]) — polite, guarded fetching whose every response is
//!   kept as a WARC record ([`capture`]);
//! * **extraction** ([`extract`]), **signals** ([`signals`]), near-duplicates ([`dedup`]) and
//!   the **classifier** ([`classify`]);
//! * **findings** with their evidence and reviewers' decisions ([`findings`]);
//! * enforcement **cases** opened from findings and moved through the workflow of
//!   `data/watch/cases.toml` with their timeline and deadlines ([`cases`]).
//!
//! ```no_run
//! # async fn demo(db: lantoa_store::Db) -> lantoa_watch::Result<()> {
//! use lantoa_watch::{Watch, NewSubject, SubjectKind};
//! let watch = Watch::new(db.clone(), lantoa_registry::Registry::new(db));
//! let s = watch
//!     .create("lan.nt", &NewSubject::new(SubjectKind::Website, "https://tintuc-phoco.example/", "Tin tức Phố Cổ"))
//!     .await?;
//! let report = watch.import_csv("lan.nt", std::fs::read("subjects.csv")?.as_slice()).await?;
//! println!("{} created, {} rejected", report.created, report.rejected);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod capture;
pub mod cases;
pub mod classify;
pub mod crawl;
pub mod crawler;
pub mod dedup;
pub mod demo_web;
pub mod demo_year;
pub mod documents;
pub mod dossier;
mod error;
pub mod extract;
pub mod figures;
pub mod findings;
mod import;
pub mod quality;
pub mod rechecks;
pub mod sanctions;
pub mod signals;
mod subject;

pub use cases::{Case, CaseEvent, CaseRules, CaseSort, CaseState, NewCase};
pub use crawler::{
    CRAWL_JOB, CRAWL_STATUSES, Crawl, CrawlLimits, CrawlQuery, CrawlSort, Crawler, PageEvent,
    PageRow,
};
pub use documents::{CaseDocument, DocumentInput, DocumentKind};
pub use error::{Error, Result};
pub use figures::WatchFigures;
pub use findings::{Decision, Finding, FindingQuery, FindingSort, SubjectScore, finding_ids};
pub use import::{ImportReport, RowOutcome, RowStatus};
pub use rechecks::{NewFix, Recheck, RecheckPass};
pub use sanctions::{NewSanction, Sanction, SanctionRules};
pub use subject::{ListQuery, NewSubject, Subject, SubjectKind, SubjectSort, Watch, normalise_url};

/// The demo city's watched sites (`data/demo-subjects.csv`, fictitious `.example` domains).
pub const DEMO_SUBJECTS: &str = include_str!("../../../data/demo-subjects.csv");

/// Migrations of the watch tables.
pub const MIGRATIONS: lantoa_store::migrate::MigrationSet = lantoa_store::migrate::MigrationSet {
    component: "watch",
    migrations: &[
        lantoa_store::migration!(1, "0001_subjects.sql"),
        lantoa_store::migration!(2, "0002_crawl.sql"),
        lantoa_store::migration!(3, "0003_subject_texts.sql"),
        lantoa_store::migration!(4, "0004_models.sql"),
        lantoa_store::migration!(5, "0005_cases.sql"),
        lantoa_store::migration!(6, "0006_sanctions.sql"),
        lantoa_store::migration!(7, "0007_documents.sql"),
        lantoa_store::migration!(8, "0008_rechecks.sql"),
    ],
};
