//! The report's figures, read through each module's own figures for the period (never its
//! tables): Watch, Notify, Open data, Plans. What each figure is called, its unit and the
//! console page listing what it counts are in `data/reports/figures.toml`. A module that is not
//! configured or fails gives its section an error saying which, and the rest still renders; a
//! section whose figures are all zero says it has no data rather than printing zeros.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The shipped labels.
pub const LABELS: &str = include_str!("../../../data/reports/figures.toml");

/// A field or figure's names and page.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Label {
    /// Its key (`watch.clips_reviewed`, or a field: `watch`).
    pub key: String,
    /// In Vietnamese.
    pub vi: String,
    /// In English.
    pub en: String,
    /// Its unit (`%`, `VND`), none for a count.
    #[serde(default)]
    pub unit: String,
    /// The console page listing what it counts.
    #[serde(default)]
    pub link: String,
    /// A rank, where a smaller number is better: its change is said in places gained or
    /// lost, not as a percentage.
    #[serde(default)]
    pub rank: bool,
    /// Whether that page narrows to a period (`from`, `to` in its query).
    #[serde(default)]
    pub period: bool,
    /// Whether that page shows a standing on a day (`on`, the period's last day, in its
    /// query): the plans, as they stood when the period ended.
    #[serde(default)]
    pub on_day: bool,
}

/// A breakdown table's names.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TableLabel {
    /// Its key (`notify.by_topic`).
    pub key: String,
    /// Its title in Vietnamese.
    pub vi: String,
    /// In English.
    pub en: String,
    /// Its columns in Vietnamese, the row's name first.
    pub columns_vi: Vec<String>,
    /// In English.
    pub columns_en: Vec<String>,
    /// The console page of its records.
    #[serde(default)]
    pub link: String,
}

/// Every field and figure, in the report's order.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    /// The fields (sections).
    pub field: Vec<Label>,
    /// The figures; a figure's field is its key's first part.
    pub figure: Vec<Label>,
    /// The breakdown tables.
    #[serde(default)]
    pub table: Vec<TableLabel>,
}

impl Labels {
    /// The shipped labels.
    pub fn builtin() -> Result<Self> {
        toml::from_str(LABELS).map_err(|e| Error::Labels(e.to_string()))
    }

    /// The shipped labels, read once per process (the console builds a service per request).
    pub fn shipped() -> Result<std::sync::Arc<Self>> {
        static SHIPPED: std::sync::OnceLock<std::sync::Arc<Labels>> = std::sync::OnceLock::new();
        if let Some(l) = SHIPPED.get() {
            return Ok(l.clone());
        }
        let read = std::sync::Arc::new(Self::builtin()?);
        Ok(SHIPPED.get_or_init(|| read).clone())
    }

    /// A figure's label.
    pub fn figure(&self, key: &str) -> Option<&Label> {
        self.figure.iter().find(|l| l.key == key)
    }
}

/// One figure's value.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Figure {
    /// Its key.
    pub key: String,
    /// Its value; none when it cannot be had (a rate with nothing to divide).
    pub value: Option<f64>,
}

/// A breakdown under a field: rows, each a name and its values (`None` where there is none).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Breakdown {
    /// Its key (`plans.by_unit`).
    pub key: String,
    /// Its rows.
    pub rows: Vec<(String, Vec<Option<f64>>)>,
}

/// A field's figures for a period.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Section {
    /// The field (`watch`).
    pub field: String,
    /// Its figures in the labels' order.
    pub figures: Vec<Figure>,
    /// Its breakdowns, those with rows.
    #[serde(default)]
    pub tables: Vec<Breakdown>,
    /// Why it has none: the module is not here or failed.
    pub error: Option<String>,
}

impl Section {
    /// Whether the period has no data for it (every figure zero or none).
    pub fn is_empty(&self) -> bool {
        self.error.is_none()
            && self
                .figures
                .iter()
                .all(|f| f.value.is_none_or(|v| v == 0.0))
    }

    /// The value of figure `key`.
    pub fn value(&self, key: &str) -> Option<f64> {
        self.figures
            .iter()
            .find(|f| f.key == key)
            .and_then(|f| f.value)
    }
}

/// The modules a report reads; one not given is reported as not configured.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Watch.
    pub watch: Option<lantoa_watch::Watch>,
    /// Notify.
    pub notify: Option<lantoa_notify::Notify>,
    /// Open data.
    pub opendata: Option<lantoa_opendata::OpenData>,
    /// Plans.
    pub plans: Option<lantoa_plans::Plans>,
    /// The units registry, to name the plans' lead units.
    pub registry: Option<lantoa_registry::Registry>,
}

/// `[from, to]` (days, Hà Nội) as µs `[start, end)`.
pub fn span(from: NaiveDate, to: NaiveDate) -> (i64, i64) {
    use lantoa_core::time::day_start;
    (day_start(from), day_start(to + Duration::days(1)))
}

fn section(field: &str, labels: &Labels, values: &[(&str, Option<f64>)]) -> Section {
    let prefix = format!("{field}.");
    Section {
        field: field.to_owned(),
        figures: labels
            .figure
            .iter()
            .filter(|l| l.key.starts_with(&prefix))
            .map(|l| Figure {
                key: l.key.clone(),
                value: values
                    .iter()
                    .find(|(k, _)| l.key[prefix.len()..] == **k)
                    .and_then(|(_, v)| *v),
            })
            .collect(),
        tables: Vec::new(),
        error: None,
    }
}

fn failed(field: &str, why: String) -> Section {
    Section {
        field: field.to_owned(),
        figures: Vec::new(),
        tables: Vec::new(),
        error: Some(why),
    }
}

fn table(key: &str, rows: Vec<(String, Vec<Option<f64>>)>) -> Option<Breakdown> {
    (!rows.is_empty()).then(|| Breakdown {
        key: key.to_owned(),
        rows,
    })
}

fn n(v: i64) -> Option<f64> {
    Some(v as f64)
}

/// Every field's figures from `from` to `to` (days, both included).
pub async fn collect(
    sources: &Sources,
    labels: &Labels,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Section> {
    let (start, end) = span(from, to);
    let missing = |m: &str| format!("the {m} module is not configured in this process");
    let watch = match &sources.watch {
        None => failed("watch", missing("watch")),
        Some(w) => match w.figures(start, end).await {
            Ok(f) => section(
                "watch",
                labels,
                &[
                    ("websites_reviewed", n(f.websites_reviewed)),
                    ("website_units", n(f.website_units)),
                    ("clips_reviewed", n(f.clips_reviewed)),
                    ("posts_reviewed", n(f.posts_reviewed)),
                    ("sites_with_bao_hoa_signs", n(f.sites_with_bao_hoa_signs)),
                    ("takedowns_proposed", n(f.takedowns_proposed)),
                    ("takedowns_proposed_posts", n(f.takedowns_proposed_posts)),
                    ("removal_rate_pct", f.removal_rate_pct),
                    ("invited", n(f.invited)),
                    ("transferred", n(f.transferred)),
                    ("transferred_advertising", n(f.transferred_advertising)),
                    ("units_sanctioned", n(f.units_sanctioned)),
                    ("fines_vnd", n(f.fines_vnd)),
                ],
            ),
            Err(e) => failed("watch", format!("the watch module did not answer: {e}")),
        },
    };
    let notify = match &sources.notify {
        None => failed("notify", missing("notify")),
        Some(nt) => match (
            nt.figures(start, end).await,
            nt.channel_figures(start, end).await,
        ) {
            (Ok(f), Ok(c)) => {
                let mut s = section(
                    "notify",
                    labels,
                    &[
                        ("campaigns", n(f.campaigns)),
                        ("recipients", n(f.recipients)),
                        ("segments", n(f.segments)),
                        (
                            "delivered_pct",
                            (f.recipients > 0).then_some(f.delivered_pct),
                        ),
                        ("public_alerts", n(c.public_alerts)),
                        ("plays_played", n(c.plays_played)),
                        ("plays_due", n(c.plays_due)),
                        ("notices", n(c.notices)),
                        ("notice_read", n(c.notice_read)),
                    ],
                );
                s.tables.extend(table(
                    "notify.by_topic",
                    f.by_topic
                        .iter()
                        .map(|t| {
                            (
                                t.key.clone(),
                                vec![
                                    n(t.campaigns),
                                    n(t.recipients),
                                    n(t.segments),
                                    n(t.delivered),
                                ],
                            )
                        })
                        .collect(),
                ));
                s
            }
            (Err(e), _) | (_, Err(e)) => {
                failed("notify", format!("the notify module did not answer: {e}"))
            }
        },
    };
    let opendata = match &sources.opendata {
        None => failed("opendata", missing("open-data")),
        Some(o) => match o.figures(start, end).await {
            Ok(f) => section(
                "opendata",
                labels,
                &[
                    ("datasets", n(f.datasets)),
                    ("public_datasets", n(f.public_datasets)),
                    ("rows_published", n(f.rows_published)),
                    ("rows_quarantined", n(f.rows_quarantined)),
                    ("rows_fixed", n(f.rows_fixed)),
                    ("completeness_pct", f.completeness_pct),
                ],
            ),
            Err(e) => failed(
                "opendata",
                format!("the open-data module did not answer: {e}"),
            ),
        },
    };
    let plans = match &sources.plans {
        None => failed("plans", missing("plans")),
        Some(p) => match plan_figures(p, sources.registry.as_ref(), to).await {
            Ok(f) => {
                let mut s = section(
                    "plans",
                    labels,
                    &[
                        ("tasks", n(f.tasks)),
                        ("done", n(f.done)),
                        ("on_time", n(f.on_time)),
                        ("overdue", n(f.overdue)),
                        ("dti_rank", f.dti_rank.map(|r| r as f64)),
                        ("dti_index", f.dti_index),
                    ],
                );
                s.tables.extend(table("plans.by_unit", f.by_unit));
                s.tables.extend(table("plans.indicators", f.indicators));
                s
            }
            Err(e) => failed("plans", format!("the plans module did not answer: {e}")),
        },
    };
    vec![watch, notify, opendata, plans]
}

/// The plans' figures on a day.
#[derive(Debug, Default)]
struct PlanFigures {
    tasks: i64,
    done: i64,
    on_time: i64,
    overdue: i64,
    by_unit: Vec<(String, Vec<Option<f64>>)>,
    indicators: Vec<(String, Vec<Option<f64>>)>,
    dti_rank: Option<i64>,
    dti_index: Option<f64>,
}

/// Tasks, done and overdue on `day` over every plan in force that year, by lead unit (the most
/// overdue first, named from the registry), the year's indicators against target (met: 1, not
/// met: 0), and the DTI published for that year.
async fn plan_figures(
    p: &lantoa_plans::Plans,
    registry: Option<&lantoa_registry::Registry>,
    day: NaiveDate,
) -> std::result::Result<PlanFigures, lantoa_plans::Error> {
    use chrono::Datelike;
    let mut f = PlanFigures::default();
    let mut units: std::collections::BTreeMap<i64, (i64, i64, i64)> = Default::default();
    for plan in p.plans().await? {
        if !(plan.from_year..=plan.to_year).contains(&day.year()) {
            continue;
        }
        let (d, on_time) = p.standing(plan.id, day).await?;
        f.tasks += d.total.tasks;
        f.done += d.total.done;
        f.overdue += d.total.overdue;
        f.on_time += on_time;
        for (unit, c) in d.by_unit {
            let u = units.entry(unit).or_default();
            *u = (u.0 + c.tasks, u.1 + c.done, u.2 + c.overdue);
        }
        for s in p.standings(plan.id, day.year()).await? {
            f.indicators.push((
                format!("{} {}", s.indicator.code, s.indicator.name),
                vec![
                    s.target,
                    s.actual.map(|(_, v)| v),
                    s.met.map(|m| if m { 1.0 } else { 0.0 }),
                ],
            ));
        }
    }
    let mut by_unit: Vec<(i64, (i64, i64, i64))> = units.into_iter().collect();
    by_unit.sort_by_key(|(_, (tasks, _, overdue))| {
        (std::cmp::Reverse(*overdue), std::cmp::Reverse(*tasks))
    });
    for (unit, (tasks, done, overdue)) in by_unit.into_iter().take(20) {
        let name = match registry {
            Some(r) => r
                .get(unit)
                .await
                .map(|u| u.name)
                .unwrap_or_else(|_| format!("#{unit}")),
            None => format!("#{unit}"),
        };
        f.by_unit.push((name, vec![n(tasks), n(done), n(overdue)]));
    }
    if let Ok(frameworks) = lantoa_plans::Frameworks::builtin()
        && let Some(a) = p
            .dti_years(&frameworks)
            .await?
            .into_iter()
            .find(|a| a.year == day.year())
        && let Some(r) = a.result
    {
        f.dti_rank = Some(r.rank);
        f.dti_index = r.index_value;
    }
    Ok(f)
}
