//! # lantoa-registry — the city's units, with their history
//!
//! Agencies, enterprises, press agencies, communes and wards, and people are *units*. A unit's
//! identity — its kind and code (tax code, commune code, licence number) — never changes. What
//! it is called and what is known of it are [`Version`]s, each valid from one date until the
//! next: a rename or an update closes the current version and opens another, a merger closes
//! a unit and names its successor, an abolition closes it for good. Nothing is overwritten,
//! so a report for 2024 can still name a ward as it was called in 2024.
//!
//! Names are matched on the canonical tone key ([`lantoa_core::text::tone_key`]), so
//! "Phường Hoà Bình" finds "Phường Hòa Bình".
//!
//! Hà Nội's 126 current communes and wards ship with Lantoa (`data/hanoi-communes-2025.csv`),
//! with the communes of before 1/7/2025 and the old→new conversion, which is one-to-many for
//! split units ([`Registry::convert_legacy_commune`]).
//!
//! ```no_run
//! # async fn demo(db: lantoa_store::Db) -> lantoa_registry::Result<()> {
//! use lantoa_registry::{Registry, NewUnit};
//! use lantoa_core::unit::UnitKind;
//! let registry = Registry::new(db);
//! registry.load_hanoi_communes("admin", |_, _| {}).await?;
//! let e = registry
//!     .create("admin", &NewUnit::new(UnitKind::Enterprise, Some("0100109106"), "Công ty TNHH Tin Nhanh"))
//!     .await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod communes;
mod demo;
mod error;
mod service;

pub use communes::{
    Conversion, ConversionRowRef, ConversionTarget, LegacyCommune, LoadReport, Reference,
    reference as commune_reference,
};
pub use demo::DEMO_CITY;
pub use error::{Error, Result};
pub use service::{ListQuery, NewUnit, Registry, Status, Unit, UnitSort, Version};

/// Migrations of the registry tables.
pub const MIGRATIONS: lantoa_store::migrate::MigrationSet = lantoa_store::migrate::MigrationSet {
    component: "registry",
    migrations: &[
        lantoa_store::migration!(1, "0001_registry.sql"),
        lantoa_store::migration!(2, "0002_current_version.sql"),
    ],
};
