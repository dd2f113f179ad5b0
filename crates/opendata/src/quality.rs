//! The city's four words for good data, measured: **đúng** (right: the share of distinct rows
//! that passed), **đủ** (complete: the share of clean rows' cells that hold a value), **sạch**
//! (clean: the share of rows that were not repeats) per upload, and **sống** (alive: whether the
//! dataset was updated within its cadence).

use serde::Serialize;

use crate::service::{Dataset, Upload};

/// Đúng, đủ, sạch of one upload, in percent (one decimal); `None` where there is nothing to
/// measure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quality {
    /// Đúng: clean rows of the distinct rows read.
    pub valid: Option<f64>,
    /// Đủ: filled cells of the clean rows' cells.
    pub complete: Option<f64>,
    /// Sạch: rows that were not repeats.
    pub unique: Option<f64>,
}

fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

impl Upload {
    /// Its đúng, đủ, sạch.
    pub fn quality(&self) -> Quality {
        Quality {
            valid: percent(self.clean, self.rows - self.duplicates),
            complete: percent(self.filled_cells, self.cells),
            unique: percent(self.rows - self.duplicates, self.rows),
        }
    }
}

/// Sống: when the dataset was last updated and whether that is within its cadence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeliness {
    /// The last upload read to its end, µs since the epoch.
    pub last_update: Option<i64>,
    /// Days allowed between updates by the cadence (`None`: irregular).
    pub allowed_days: Option<i64>,
    /// Days since the last update.
    pub age_days: Option<i64>,
    /// Updated within its cadence (an irregular dataset is alive once it has data).
    pub alive: bool,
}

/// Days a cadence allows between updates.
pub fn cadence_days(cadence: &str) -> Option<i64> {
    match cadence {
        "daily" => Some(1),
        "weekly" => Some(7),
        "monthly" => Some(31),
        "quarterly" => Some(92),
        "yearly" => Some(366),
        _ => None,
    }
}

/// Sống of a dataset, from its uploads, at `now` (µs).
pub fn timeliness(d: &Dataset, uploads: &[Upload], now: i64) -> Timeliness {
    let last_update = uploads
        .iter()
        .filter(|u| u.status == "done")
        .filter_map(|u| u.finished_at)
        .max();
    let allowed_days = cadence_days(&d.cadence);
    let age_days = last_update.map(|t| (now - t).max(0) / 86_400_000_000);
    let alive = match (age_days, allowed_days) {
        (Some(age), Some(allowed)) => age <= allowed,
        (Some(_), None) => true,
        (None, _) => false,
    };
    Timeliness {
        last_update,
        allowed_days,
        age_days,
        alive,
    }
}

/// Đúng, đủ, sạch over a dataset's uploads (oldest first) as an SVG line chart
/// ([`lantoa_core::chart::lines`], 0–100%). The numbers are in the uploads table beside it.
pub fn chart_svg(uploads: &[Upload], title: &str, labels: [&str; 3]) -> String {
    use lantoa_core::chart::{Series, lines};
    let done: Vec<&Upload> = uploads.iter().filter(|u| u.status == "done").collect();
    let x: Vec<String> = done.iter().map(|u| format!("v{}", u.version)).collect();
    let colours = ["#1b6e3a", "#1f5fa8", "#b35c00"];
    let series: Vec<Series> = labels
        .iter()
        .zip(colours)
        .enumerate()
        .map(|(s, (label, colour))| Series {
            name: (*label).to_owned(),
            colour: colour.to_owned(),
            values: done
                .iter()
                .map(|u| {
                    let q = u.quality();
                    [q.valid, q.complete, q.unique][s]
                })
                .collect(),
        })
        .collect();
    lines("quality-svg", title, &x, &series, 100.0, "%")
}

/// Published rows that may be the same thing written twice, for a steward to look at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// `strict`: the names are the same but for tone-mark placement, case, spacing or Unicode
    /// form (*Hoà* and *Hòa*), so probably one thing; `hint`: they differ only in diacritics
    /// (*Hòa* and *Hóa*), which are different names, shown only for a person to judge.
    pub level: &'static str,
    /// The rows, each as its cleaned values.
    pub rows: Vec<Vec<String>>,
}

/// Groups the given rows by the name-kind fields' keys: rows with equal strict keys
/// ([`lantoa_core::text::tone_key`], diacritics kept) are `strict` suggestions; rows whose
/// strict keys differ but whose folded keys ([`lantoa_core::text::fold_key`]) are equal are
/// `hint`s. At most `limit` suggestions, strict first.
pub fn duplicate_suggestions(
    schema: &crate::schema::Schema,
    rows: &[Vec<String>],
    limit: usize,
) -> Vec<Suggestion> {
    use std::collections::BTreeMap;
    let names: Vec<usize> = schema
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.vn == Some(crate::schema::Kind::Name))
        .map(|(i, _)| i)
        .collect();
    if names.is_empty() {
        return Vec::new();
    }
    let key = |row: &Vec<String>, f: fn(&str) -> String| {
        names
            .iter()
            .map(|&i| f(row.get(i).map_or("", String::as_str)))
            .collect::<Vec<_>>()
            .join("\u{1f}")
    };
    let mut strict: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut folded: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        if names
            .iter()
            .all(|&n| row.get(n).is_none_or(String::is_empty))
        {
            continue;
        }
        strict
            .entry(key(row, lantoa_core::text::tone_key))
            .or_default()
            .push(i);
        folded
            .entry(key(row, lantoa_core::text::fold_key))
            .or_default()
            .push(i);
    }
    let mut out: Vec<Suggestion> = strict
        .values()
        .filter(|g| g.len() > 1)
        .map(|g| Suggestion {
            level: "strict",
            rows: g.iter().map(|&i| rows[i].clone()).collect(),
        })
        .collect();
    for g in folded.values().filter(|g| g.len() > 1) {
        let distinct: std::collections::BTreeSet<String> = g
            .iter()
            .map(|&i| key(&rows[i], lantoa_core::text::tone_key))
            .collect();
        if distinct.len() > 1 {
            out.push(Suggestion {
                level: "hint",
                rows: g.iter().map(|&i| rows[i].clone()).collect(),
            });
        }
    }
    out.truncate(limit);
    out
}
