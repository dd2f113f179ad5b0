//! # lantoa-plans — digital-transformation plans
//!
//! The city runs digital transformation through plans (such as Plan 239/KH-UBND: indicators
//! and some two hundred tasks, each led by a unit with others cooperating, each with a
//! deadline written as a period). This crate holds the plans and their tasks ([`Plans`]),
//! reads deadlines as typed periods ([`period`]) and imports a plan's appendix from CSV or XLSX
//! with a preview and a report per row ([`import`]). Indicators, progress reports, reminders
//! and the DTI come next.
#![deny(missing_docs)]

pub mod charts;
pub mod committee;
pub mod contacts;
pub mod dashboard;
mod demo;
pub mod dti;
mod error;
pub mod evidence;
pub mod import;
pub mod indicators;
pub mod period;
mod plan;
pub mod progress;
pub mod regime;
pub mod reminders;

pub use committee::{Member, MemberRole, NewMember};
pub use contacts::Contact;
pub use dashboard::{Counts, Dashboard};
pub use demo::{DEMO_APPENDIX, DEMO_NUMBER};
pub use dti::{Assessment, DtiResult, Frameworks, Loaded, NewScore};
pub use error::{Error, Result};
pub use evidence::{Evidence, EvidenceFile};
pub use import::{FieldProblem, ImportReport, RowReport, RowStatus};
pub use indicators::{Direction, Indicator, NewActual, NewIndicator, Standing};
pub use period::{Period, PeriodError};
pub use plan::{NewPlan, Plan, Plans, Task};
pub use progress::{Latest, NewReport, Report, Reporter, TaskProgress, TaskStatus, UnitSummary};
pub use reminders::{DigestItem, ReminderRules, UnitDigest};

/// Migrations of the plans tables.
pub const MIGRATIONS: lantoa_store::migrate::MigrationSet = lantoa_store::migrate::MigrationSet {
    component: "plans",
    migrations: &[
        lantoa_store::migration!(1, "0001_plans.sql"),
        lantoa_store::migration!(2, "0002_reports.sql"),
        lantoa_store::migration!(3, "0003_indicators.sql"),
        lantoa_store::migration!(4, "0004_dashboard_committee.sql"),
        lantoa_store::migration!(5, "0005_computed.sql"),
        lantoa_store::migration!(6, "0006_contacts.sql"),
        lantoa_store::migration!(7, "0007_evidence.sql"),
    ],
};
