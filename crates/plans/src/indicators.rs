//! A plan's indicators (chỉ tiêu): code, name, unit of measure, pillar, baseline, a target per
//! year and actuals per period with their source and evidence; for a year, each indicator's
//! latest actual against its target.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use lantoa_core::role::Role;
use lantoa_store::audit::{self, Entry};
use lantoa_store::is_unique_violation;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use lantoa_core::msg::{Describe as _, Msg};

use crate::error::planner_only;
use crate::{Error, Period, Plans, Result};

/// Whether more is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The more the better (a share of dossiers online).
    #[default]
    Higher,
    /// The less the better (days to process, paper pages).
    Lower,
}

/// An indicator to define.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewIndicator {
    /// Its code in the plan (`CQS-01`).
    pub code: String,
    /// What it measures.
    pub name: String,
    /// Its unit of measure (`%`, `hồ sơ`, `kWh`).
    pub measure: String,
    /// Its pillar (chính quyền số, kinh tế số, xã hội số, chuyển đổi số xanh…).
    pub pillar: String,
    /// Its value at the start, if known.
    #[serde(default)]
    pub baseline: Option<f64>,
    /// Whether more is better.
    #[serde(default)]
    pub direction: Direction,
    /// Targets by year.
    #[serde(default)]
    pub targets: Vec<(i32, f64)>,
    /// The figure another module computes for it (`module.measure`; the console offers the
    /// ones it can read), if any.
    #[serde(default)]
    pub computed_from: Option<String>,
}

/// An indicator.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Indicator {
    /// Id.
    pub id: i64,
    /// Its plan.
    pub plan_id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Unit of measure.
    pub measure: String,
    /// Pillar.
    pub pillar: String,
    /// Baseline.
    pub baseline: Option<f64>,
    /// Direction.
    pub direction: Direction,
    /// Targets by year, in order.
    pub targets: Vec<(i32, f64)>,
    /// The figure another module computes for it (`module.measure`), if any.
    pub computed_from: Option<String>,
}

/// An actual to record.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewActual {
    /// The period the value is for, as plans write periods ("Quý II/2024", "2024", a date).
    pub period: String,
    /// The value.
    pub value: f64,
    /// Where it comes from (a report, a system).
    pub source: String,
    /// Evidence (a document's number, a link).
    #[serde(default)]
    pub evidence: String,
}

/// An indicator's standing in a year.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Standing {
    /// The indicator.
    pub indicator: Indicator,
    /// The year's target.
    pub target: Option<f64>,
    /// The latest actual in the year, with the last day of its period.
    pub actual: Option<(NaiveDate, f64)>,
    /// Whether the actual meets the target in the indicator's direction.
    pub met: Option<bool>,
}

fn bad(field: &'static str, message: Msg) -> Error {
    crate::error::invalid(field, message)
}

impl Plans {
    /// Defines an indicator of plan `plan_id` with its targets (a planner's work). Its code is
    /// new in the plan; targets fall within the plan's years, once each, and are finite.
    pub async fn define_indicator(
        &self,
        actor: &str,
        roles: &[Role],
        plan_id: i64,
        new: &NewIndicator,
    ) -> Result<Indicator> {
        planner_only(roles, "indicators")?;
        let plan = self.plan(plan_id).await?;
        for (field, v) in [
            ("code", &new.code),
            ("name", &new.name),
            ("measure", &new.measure),
            ("pillar", &new.pillar),
        ] {
            if v.trim().is_empty() {
                return Err(bad(
                    field,
                    Msg::new("plans-required").label("field", format!("plans-field-{field}")),
                ));
            }
        }
        if new.baseline.is_some_and(|b| !b.is_finite()) {
            return Err(bad("baseline", Msg::new("plans-not-a-number")));
        }
        let mut years = std::collections::BTreeSet::new();
        for (y, v) in &new.targets {
            if !(plan.from_year..=plan.to_year).contains(y) {
                return Err(bad(
                    "targets",
                    Msg::new("indicator-target-outside")
                        .arg("year", y)
                        .arg("from", plan.from_year)
                        .arg("to", plan.to_year),
                ));
            }
            if !v.is_finite() {
                return Err(bad(
                    "targets",
                    Msg::new("indicator-target-nan").arg("year", y),
                ));
            }
            if !years.insert(*y) {
                return Err(bad(
                    "targets",
                    Msg::new("indicator-two-targets").arg("year", y),
                ));
            }
        }
        let mut tx = self.db.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO plans_indicators (plan_id, code, name, measure, pillar, baseline, direction, computed_from)
             VALUES ($1, $2, $3, $4, $5, CASE WHEN $9 = 1 THEN $6 ELSE NULL END, $7, $8) RETURNING id",
        )
        .bind(plan.id)
        .bind(new.code.trim())
        .bind(new.name.trim())
        .bind(new.measure.trim())
        .bind(new.pillar.trim())
        // A float always, flagged when none (see record_dti_result).
        .bind(new.baseline.unwrap_or(0.0))
        .bind(match new.direction {
            Direction::Higher => "higher",
            Direction::Lower => "lower",
        })
        .bind(
            new.computed_from
                .as_deref()
                .map(str::trim)
                .filter(|k| !k.is_empty()),
        )
        .bind(i64::from(new.baseline.is_some()))
        .fetch_one(&mut *tx)
        .await;
        let id: i64 = match inserted {
            Ok(r) => r.try_get(0)?,
            Err(e) if is_unique_violation(&e) => {
                return Err(bad(
                    "code",
                    Msg::new("indicator-exists").arg("code", new.code.trim()),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        for (y, v) in &new.targets {
            sqlx::query(
                "INSERT INTO plans_targets (indicator_id, year, value) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(i64::from(*y))
            .bind(*v)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut tx,
            &Entry::new(
                actor,
                "plans.indicator_defined",
                format!("plan:{}", plan.id),
            )
            .after(serde_json::json!({ "indicator": id, "code": new.code.trim() })),
        )
        .await?;
        tx.commit().await?;
        self.indicators(plan.id)
            .await?
            .into_iter()
            .find(|i| i.id == id)
            .ok_or(Error::NotFound(plan.id))
    }

    /// The indicator with this id, when it is the plan's (else [`Error::Missing`]).
    pub async fn plan_indicator(&self, plan_id: i64, indicator_id: i64) -> Result<Indicator> {
        self.plan(plan_id).await?;
        self.indicators(plan_id)
            .await?
            .into_iter()
            .find(|i| i.id == indicator_id)
            .ok_or_else(|| Error::Missing(Msg::new("plans-no-indicator").arg("id", indicator_id)))
    }

    /// A plan's indicators by code.
    pub async fn indicators(&self, plan_id: i64) -> Result<Vec<Indicator>> {
        let rows = sqlx::query(
            "SELECT id, plan_id, code, name, measure, pillar, baseline, direction, computed_from FROM plans_indicators
             WHERE plan_id = $1 ORDER BY code",
        )
        .bind(plan_id)
        .fetch_all(self.db.pool())
        .await?;
        let targets = sqlx::query(
            "SELECT t.indicator_id, t.year, t.value FROM plans_targets t
             JOIN plans_indicators i ON i.id = t.indicator_id WHERE i.plan_id = $1 ORDER BY t.year",
        )
        .bind(plan_id)
        .fetch_all(self.db.pool())
        .await?;
        let mut by: HashMap<i64, Vec<(i32, f64)>> = HashMap::new();
        for t in &targets {
            by.entry(t.try_get(0)?).or_default().push((
                i32::try_from(t.try_get::<i64, _>(1)?).unwrap_or_default(),
                t.try_get(2)?,
            ));
        }
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                let dir: String = r.try_get(7)?;
                Ok(Indicator {
                    id,
                    plan_id: r.try_get(1)?,
                    code: r.try_get(2)?,
                    name: r.try_get(3)?,
                    measure: r.try_get(4)?,
                    pillar: r.try_get(5)?,
                    baseline: r.try_get(6)?,
                    direction: if dir == "lower" {
                        Direction::Lower
                    } else {
                        Direction::Higher
                    },
                    targets: by.remove(&id).unwrap_or_default(),
                    computed_from: r.try_get(8)?,
                })
            })
            .collect()
    }

    /// Records an actual of indicator `indicator_id` for a period (a planner's work); the period
    /// must be one a plan writes, with a day it ends.
    pub async fn record_actual(
        &self,
        actor: &str,
        roles: &[Role],
        indicator_id: i64,
        new: &NewActual,
    ) -> Result<NaiveDate> {
        planner_only(roles, "indicators")?;
        let period = Period::parse(&new.period).map_err(|e| bad("period", e.message()))?;
        let end = period
            .due()
            .ok_or_else(|| bad("period", Msg::new("indicator-period-open")))?;
        if !new.value.is_finite() {
            return Err(bad("value", Msg::new("plans-not-a-number")));
        }
        if new.source.trim().is_empty() {
            return Err(bad("source", Msg::new("indicator-source-needed")));
        }
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM plans_indicators WHERE id = $1")
                .bind(indicator_id)
                .fetch_optional(self.db.pool())
                .await?;
        if exists.is_none() {
            return Err(bad(
                "indicator",
                Msg::new("indicator-not-found").arg("id", indicator_id),
            ));
        }
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO plans_actuals (indicator_id, period_end, value, source, evidence, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(indicator_id)
        .bind(end.format("%Y-%m-%d").to_string())
        .bind(new.value)
        .bind(new.source.trim())
        .bind(new.evidence.trim())
        .bind(actor)
        .bind(self.clock.now_micros())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            &Entry::new(
                actor,
                "plans.actual_recorded",
                format!("indicator:{indicator_id}"),
            )
            .after(serde_json::json!({ "period_end": end, "value": new.value })),
        )
        .await?;
        tx.commit().await?;
        Ok(end)
    }

    /// Each indicator of a plan in `year`: its target, its latest actual in the year (the one
    /// for the latest period, the last recorded if two are for the same), and whether it meets
    /// the target.
    pub async fn standings(&self, plan_id: i64, year: i32) -> Result<Vec<Standing>> {
        let rows = sqlx::query(
            "SELECT a.indicator_id, a.period_end, a.value FROM plans_actuals a
             JOIN plans_indicators i ON i.id = a.indicator_id
             WHERE i.plan_id = $1 AND a.period_end >= $2 AND a.period_end <= $3
             ORDER BY a.period_end, a.id",
        )
        .bind(plan_id)
        .bind(format!("{year:04}-01-01"))
        .bind(format!("{year:04}-12-31"))
        .fetch_all(self.db.pool())
        .await?;
        let mut latest: HashMap<i64, (NaiveDate, f64)> = HashMap::new();
        for r in &rows {
            let end: String = r.try_get(1)?;
            let end = NaiveDate::parse_from_str(&end, "%Y-%m-%d")
                .map_err(|e| Error::Internal(format!("stored period end {end:?}: {e}")))?;
            latest.insert(r.try_get(0)?, (end, r.try_get(2)?));
        }
        Ok(self
            .indicators(plan_id)
            .await?
            .into_iter()
            .map(|i| {
                let target = i.targets.iter().find(|(y, _)| *y == year).map(|(_, v)| *v);
                let actual = latest.remove(&i.id);
                let met = match (target, actual) {
                    (Some(t), Some((_, a))) => Some(match i.direction {
                        Direction::Higher => a >= t,
                        Direction::Lower => a <= t,
                    }),
                    _ => None,
                };
                debug_assert!(actual.is_none_or(|(d, _)| d.year() == year));
                Standing {
                    indicator: i,
                    target,
                    actual,
                    met,
                }
            })
            .collect())
    }
}

/// The green digital-transformation indicator set Lantoa ships (`data/plans/green-indicators.toml`).
pub const GREEN_SET: &str = include_str!("../../../data/plans/green-indicators.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetFile {
    pillar: String,
    indicator: Vec<SetIndicator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetIndicator {
    code: String,
    name: String,
    measure: String,
    direction: Direction,
}

impl Plans {
    /// Adopts an indicator set (a TOML file like [`GREEN_SET`]) into a plan: each indicator
    /// whose code the plan lacks is defined without targets (the planner sets them); codes
    /// already there are left as they are. Returns the indicators defined.
    pub async fn add_indicator_set(
        &self,
        actor: &str,
        roles: &[Role],
        plan_id: i64,
        set_toml: &str,
    ) -> Result<Vec<Indicator>> {
        planner_only(roles, "indicators")?;
        let set: SetFile =
            toml::from_str(set_toml).map_err(|e| Error::Internal(format!("indicator set: {e}")))?;
        let have: std::collections::HashSet<String> = self
            .indicators(plan_id)
            .await?
            .into_iter()
            .map(|i| i.code)
            .collect();
        let mut out = Vec::new();
        for i in set.indicator {
            if have.contains(&i.code) {
                continue;
            }
            out.push(
                self.define_indicator(
                    actor,
                    roles,
                    plan_id,
                    &NewIndicator {
                        code: i.code,
                        name: i.name,
                        measure: i.measure,
                        pillar: set.pillar.clone(),
                        baseline: None,
                        direction: i.direction,
                        targets: Vec::new(),
                        computed_from: None,
                    },
                )
                .await?,
            );
        }
        Ok(out)
    }
}
