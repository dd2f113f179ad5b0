//! Figures other modules compute, offered to plans' indicators: an indicator defined with
//! `computed_from` takes its actual from the module that owns the figure, read through that
//! module's service (never its tables), and recorded in the plan with the measure as its source.
//! The plans crate knows none of the other modules; this adapter is where they meet.

use chrono::{Datelike, NaiveDate};

use crate::AppState;
use crate::error::WebError;

/// The measures the console can compute: key and message id of its description.
pub const MEASURES: [(&str, &str); 5] = [
    (
        "opendata.public_datasets",
        "measure-opendata-public-datasets",
    ),
    ("watch.websites_reviewed", "measure-watch-websites-reviewed"),
    ("watch.removal_rate", "measure-watch-removal-rate"),
    ("notify.campaigns_sent", "measure-notify-campaigns"),
    ("notify.delivered_pct", "measure-notify-delivered"),
];

/// Whether `key` is a measure the console computes.
pub fn known(key: &str) -> bool {
    MEASURES.iter().any(|(k, _)| *k == key)
}

/// Hà Nội's midnight at the start of `d`, as µs.
pub(crate) fn midnight(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map(|t| lantoa_core::time::to_micros(t.and_utc()) - 7 * 3600 * 1_000_000)
        .unwrap_or_default()
}

/// The figure `key` as of `on`; figures over a period count from 1 January of `on`'s year to
/// the end of `on`.
pub async fn measure(state: &AppState, key: &str, on: NaiveDate) -> Result<f64, WebError> {
    let year_start = NaiveDate::from_ymd_opt(on.year(), 1, 1).unwrap_or(on);
    let (from, to) = (
        midnight(year_start),
        midnight(on + chrono::Duration::days(1)),
    );
    Ok(match key {
        "opendata.public_datasets" => state.opendata.public_datasets().await?.len() as f64,
        "watch.websites_reviewed" => state.watch.figures(from, to).await?.websites_reviewed as f64,
        "watch.removal_rate" => state
            .watch
            .figures(from, to)
            .await?
            .removal_rate_pct
            .ok_or_else(|| {
                crate::pages::plans::invalid(
                    "computed_from",
                    lantoa_core::Msg::new("measure-no-takedowns"),
                )
            })?,
        "notify.campaigns_sent" => state.notify.figures(from, to).await?.campaigns as f64,
        "notify.delivered_pct" => state.notify.figures(from, to).await?.delivered_pct,
        other => {
            return Err(crate::pages::plans::invalid(
                "computed_from",
                lantoa_core::Msg::new("indicator-unknown-measure").arg("value", other),
            ));
        }
    })
}

/// One indicator's refresh: its code and the value recorded, or why none was.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Refreshed {
    /// Indicator code.
    pub code: String,
    /// The measure.
    pub key: String,
    /// The value recorded.
    pub value: Option<f64>,
    /// Why nothing was recorded.
    pub problem: Option<String>,
}

/// Reads every computed indicator of a plan as of `on` and records each value as the actual of
/// that day, with the measure as its source. One indicator's failure does not stop the others.
pub async fn refresh(
    state: &AppState,
    actor: &str,
    roles: &[lantoa_core::Role],
    plan_id: i64,
    on: NaiveDate,
) -> Result<Vec<Refreshed>, WebError> {
    let mut out = Vec::new();
    for ind in state.plans.indicators(plan_id).await? {
        let Some(key) = ind.computed_from.clone() else {
            continue;
        };
        let recorded = match measure(state, &key, on).await {
            Ok(v) => state
                .plans
                .record_actual(
                    actor,
                    roles,
                    ind.id,
                    &lantoa_plans::NewActual {
                        period: on.format("%d/%m/%Y").to_string(),
                        value: v,
                        source: format!("Lantoa: {key}"),
                        evidence: format!("computed on {}", on.format("%d/%m/%Y")),
                    },
                )
                .await
                .map(|_| v)
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.message),
        };
        out.push(Refreshed {
            code: ind.code,
            key,
            value: recorded.as_ref().ok().copied(),
            problem: recorded.err(),
        });
    }
    Ok(out)
}
