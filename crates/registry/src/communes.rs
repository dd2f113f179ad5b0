//! Hà Nội's communes and wards: the 126 current units, the 526 of before 1/7/2025, and the
//! conversion between them (data files in `data/`, with their source in `data/README.md`).

use chrono::NaiveDate;
use lantoa_core::msg::Msg;
use lantoa_core::text;
use lantoa_core::unit::UnitKind;
use lantoa_store::audit::{self, Entry};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::service::{NewUnit, Registry};
use crate::{Error, Result};

const CURRENT: &str = include_str!("../../../data/hanoi-communes-2025.csv");
const LEGACY: &str = include_str!("../../../data/hanoi-communes-legacy.csv");
const CONVERSION: &str = include_str!("../../../data/hanoi-communes-conversion.csv");

/// The day the two-level local government took effect (Resolution 202/2025/QH15).
pub fn reform_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or_default()
}

#[derive(Deserialize)]
struct CurrentRow {
    province_code: String,
    commune_code: String,
    commune: String,
    commune_type: String,
    lat: f64,
    lon: f64,
    area_km2: f64,
}

#[derive(Deserialize)]
struct LegacyRow {
    province_code: String,
    district_code: String,
    district: String,
    commune_code: String,
    commune: String,
}

#[derive(Deserialize)]
struct ConversionRow {
    old_commune_code: String,
    new_commune_code: String,
    kind: String,
    default: u8,
}

/// What a load did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoadReport {
    /// Current units registered now.
    pub created: usize,
    /// Current units that were already registered.
    pub already: usize,
    /// Legacy communes loaded now.
    pub legacy: usize,
    /// Conversion rows loaded now.
    pub conversions: usize,
}

/// A commune of before 1/7/2025.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegacyCommune {
    /// Its old 5-digit code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its district (abolished in 2025).
    pub district: String,
}

/// One current unit an old commune went into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConversionTarget {
    /// The current unit's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Holds most of the old unit.
    pub is_default: bool,
}

/// Where an old commune went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Conversion {
    /// Entirely into one current unit.
    Whole {
        /// The old commune.
        old: LegacyCommune,
        /// The unit it became part of.
        into: ConversionTarget,
    },
    /// Divided between several: an address there without street detail cannot be placed.
    Split {
        /// The old commune.
        old: LegacyCommune,
        /// The units it was divided between.
        into: Vec<ConversionTarget>,
    },
}

fn csv_rows<T: for<'de> Deserialize<'de>>(data: &str) -> Result<Vec<T>> {
    csv::Reader::from_reader(data.as_bytes())
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(|e| Error::Invalid {
            field: "data file",
            message: Msg::new("data-file-invalid").arg("detail", e),
        })
}

/// One row of the conversion table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConversionRowRef {
    /// The old commune's code.
    pub old_code: String,
    /// A current unit it went (wholly or partly) into.
    pub new_code: String,
    /// The old commune was divided between several current units.
    pub split: bool,
    /// This current unit holds most of the old one.
    pub is_default: bool,
}

/// Hà Nội's shipped commune data, for in-memory lookups: cleaning millions of rows cannot ask
/// the database for each address. Same files as [`Registry::load_hanoi_communes`] loads.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    /// Current units: code and official name.
    pub current: Vec<(String, String)>,
    /// Communes of before 1/7/2025.
    pub legacy: Vec<LegacyCommune>,
    /// Where each old commune went.
    pub conversions: Vec<ConversionRowRef>,
}

/// Reads the shipped commune data.
pub fn reference() -> Result<Reference> {
    let current: Vec<CurrentRow> = csv_rows(CURRENT)?;
    let legacy: Vec<LegacyRow> = csv_rows(LEGACY)?;
    let conversion: Vec<ConversionRow> = csv_rows(CONVERSION)?;
    Ok(Reference {
        current: current
            .into_iter()
            .map(|r| (r.commune_code, r.commune))
            .collect(),
        legacy: legacy
            .into_iter()
            .map(|r| LegacyCommune {
                code: r.commune_code,
                name: r.commune,
                district: r.district,
            })
            .collect(),
        conversions: conversion
            .into_iter()
            .map(|r| ConversionRowRef {
                old_code: r.old_commune_code,
                new_code: r.new_commune_code,
                split: r.kind == "split",
                is_default: r.default != 0,
            })
            .collect(),
    })
}

impl Registry {
    /// Registers Hà Nội's 126 current communes and wards, and loads the legacy communes and
    /// the conversion table. Idempotent. `progress(done, total)` is called as it goes.
    pub async fn load_hanoi_communes(
        &self,
        actor: &str,
        progress: impl Fn(usize, usize),
    ) -> Result<LoadReport> {
        let current: Vec<CurrentRow> = csv_rows(CURRENT)?;
        let legacy: Vec<LegacyRow> = csv_rows(LEGACY)?;
        let conversion: Vec<ConversionRow> = csv_rows(CONVERSION)?;
        let total = current.len() + 1;
        let mut report = LoadReport::default();
        let mut tx = self.db.begin().await?;
        for (i, r) in current.iter().enumerate() {
            let exists = sqlx::query("SELECT 1 FROM units WHERE kind = 'commune' AND code = $1")
                .bind(&r.commune_code)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
            if exists {
                report.already += 1;
            } else {
                let new = NewUnit {
                    kind: UnitKind::Commune,
                    code: Some(r.commune_code.clone()),
                    name: r.commune.clone(),
                    attrs: serde_json::json!({
                        "type": r.commune_type,
                        "province_code": r.province_code,
                        "lat": r.lat,
                        "lon": r.lon,
                        "area_km2": r.area_km2,
                    }),
                    valid_from: reform_date(),
                };
                self.create_in(&mut tx, actor, &new).await?;
                report.created += 1;
            }
            progress(i + 1, total);
        }
        let loaded: i64 = sqlx::query("SELECT COUNT(*) FROM legacy_communes")
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        if loaded == 0 {
            for r in &legacy {
                sqlx::query(
                    "INSERT INTO legacy_communes (code, name, name_key, district_code, district, province_code)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&r.commune_code)
                .bind(&r.commune)
                .bind(text::tone_key(&r.commune))
                .bind(&r.district_code)
                .bind(&r.district)
                .bind(&r.province_code)
                .execute(&mut *tx)
                .await?;
            }
            for r in &conversion {
                sqlx::query(
                    "INSERT INTO commune_conversions (old_code, new_code, kind, is_default) VALUES ($1, $2, $3, $4)",
                )
                .bind(&r.old_commune_code)
                .bind(&r.new_commune_code)
                .bind(&r.kind)
                .bind(i64::from(r.default))
                .execute(&mut *tx)
                .await?;
            }
            report.legacy = legacy.len();
            report.conversions = conversion.len();
            audit::append_at(
                &mut tx,
                &Entry::new(actor, "registry.legacy_communes_loaded", "legacy_communes")
                    .after(serde_json::json!({ "communes": legacy.len(), "conversions": conversion.len() })),
                &self.clock,
            )
            .await?;
        }
        tx.commit().await?;
        progress(total, total);
        Ok(report)
    }

    /// Where the old commune with this code went on 1/7/2025.
    pub async fn convert_legacy_commune(&self, old_code: &str) -> Result<Conversion> {
        let old = sqlx::query("SELECT code, name, district FROM legacy_communes WHERE code = $1")
            .bind(old_code.trim())
            .fetch_optional(self.db.pool())
            .await?
            .ok_or_else(|| Error::UnknownLegacyCommune(old_code.to_owned()))?;
        let old = LegacyCommune {
            code: old.try_get(0)?,
            name: old.try_get(1)?,
            district: old.try_get(2)?,
        };
        let rows = sqlx::query(
            "SELECT c.new_code, c.kind, c.is_default FROM commune_conversions c
             WHERE c.old_code = $1 ORDER BY c.is_default DESC, c.new_code",
        )
        .bind(&old.code)
        .fetch_all(self.db.pool())
        .await?;
        let mut targets = Vec::new();
        let mut split = false;
        for r in rows {
            let code: String = r.try_get(0)?;
            split |= r.try_get::<String, _>(1)? == "split";
            let name = self
                .by_code(UnitKind::Commune, &code)
                .await?
                .map_or_else(|| code.clone(), |u| u.name);
            targets.push(ConversionTarget {
                code,
                name,
                is_default: r.try_get::<i64, _>(2)? != 0,
            });
        }
        match (split, targets.len()) {
            (_, 0) => Err(Error::UnknownLegacyCommune(old.code)),
            (false, 1) => Ok(Conversion::Whole {
                old,
                into: targets.remove(0),
            }),
            _ => Ok(Conversion::Split { old, into: targets }),
        }
    }

    /// Old communes whose name has the tone key of `name` (a name may repeat across districts).
    pub async fn find_legacy_commune(&self, name: &str) -> Result<Vec<LegacyCommune>> {
        let rows = sqlx::query(
            "SELECT code, name, district FROM legacy_communes WHERE name_key = $1 ORDER BY code",
        )
        .bind(text::tone_key(name))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LegacyCommune {
                    code: r.try_get(0)?,
                    name: r.try_get(1)?,
                    district: r.try_get(2)?,
                })
            })
            .collect()
    }
}
