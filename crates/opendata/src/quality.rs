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

/// Đúng, đủ, sạch over a dataset's uploads (oldest first) as an SVG line chart, drawn by hand
/// (three polylines on a 0–100% grid): no script, readable without the page's styles, with a
/// title for screen readers. The numbers are in the uploads table beside it.
pub fn chart_svg(uploads: &[Upload], title: &str, labels: [&str; 3]) -> String {
    const W: f64 = 560.0;
    const H: f64 = 180.0;
    const LEFT: f64 = 40.0;
    const TOP: f64 = 10.0;
    const PLOT_W: f64 = W - LEFT - 130.0;
    const PLOT_H: f64 = H - TOP - 30.0;
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let done: Vec<&Upload> = uploads.iter().filter(|u| u.status == "done").collect();
    let n = done.len();
    let x = |i: usize| {
        if n <= 1 {
            LEFT + PLOT_W / 2.0
        } else {
            LEFT + PLOT_W * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| TOP + PLOT_H * (1.0 - v / 100.0);
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-labelledby="quality-chart-title" class="chart"><title id="quality-chart-title">{}</title>"#,
        esc(title)
    );
    for pct in [0.0, 50.0, 100.0] {
        out.push_str(&format!(
            r##"<line x1="{LEFT}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="#ccc"/><text x="{2:.1}" y="{3:.1}" font-size="10" text-anchor="end">{pct}%</text>"##,
            y(pct),
            LEFT + PLOT_W,
            LEFT - 4.0,
            y(pct) + 3.0
        ));
    }
    for (i, u) in done.iter().enumerate() {
        out.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle">v{}</text>"#,
            x(i),
            H - 8.0,
            u.version
        ));
    }
    let colours = ["#1b6e3a", "#1f5fa8", "#b35c00"];
    for (s, (label, colour)) in labels.iter().zip(colours).enumerate() {
        let points: Vec<String> = done
            .iter()
            .enumerate()
            .filter_map(|(i, u)| {
                let q = u.quality();
                [q.valid, q.complete, q.unique][s].map(|v| format!("{:.1},{:.1}", x(i), y(v)))
            })
            .collect();
        if !points.is_empty() {
            out.push_str(&format!(
                r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
                points.join(" ")
            ));
            for p in &points {
                let (px, py) = p.split_once(',').unwrap_or(("0", "0"));
                out.push_str(&format!(
                    r#"<circle cx="{px}" cy="{py}" r="3" fill="{colour}"/>"#
                ));
            }
        }
        let ly = TOP + 14.0 + 18.0 * s as f64;
        out.push_str(&format!(
            r#"<rect x="{:.1}" y="{:.1}" width="12" height="4" fill="{colour}"/><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
            LEFT + PLOT_W + 16.0,
            ly - 4.0,
            LEFT + PLOT_W + 32.0,
            ly,
            esc(label)
        ));
    }
    out.push_str("</svg>");
    out
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
