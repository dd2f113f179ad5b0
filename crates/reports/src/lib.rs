//! Lantoa's reports: the department's periodic and annual report, written from its own records.
//! A report covers a period (a month, quarter, half-year or year, by the calendar or by Decree
//! 09/2019's cut-off days); its figures are read through each module's own figures
//! ([`figures`]); officers write its texts, section by section, and a second person approves it
//! ([`report`]); it is shown in the console and written as DOCX in the administrative form of
//! Decree 30/2020, with its charts ([`export`]).
#![deny(missing_docs)]

pub use error::{Error, Result};
pub use figures::{Labels, Section, Sources};
pub use report::{Contents, Report, Reports, TEXT_SECTIONS, Text};

/// Migrations of the reports tables.
pub const MIGRATIONS: lantoa_store::migrate::MigrationSet = lantoa_store::migrate::MigrationSet {
    component: "reports",
    migrations: &[
        lantoa_store::migration!(1, "0001_reports.sql"),
        lantoa_store::migration!(2, "0002_register.sql"),
    ],
};

mod error;
pub mod export;
pub mod figures;
pub mod report;
