//! Reminders: for a day, each lead unit's tasks that fall due within the configured days and
//! that it has not reported on for that deadline, and those already overdue — the daily digest
//! a unit receives (`data/plans/reporting.toml`).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::regime::Regime;
use crate::{Error, Plans, Result, TaskStatus};

/// The shipped follow-up rules.
pub const BUILTIN_RULES: &str = include_str!("../../../data/plans/reporting.toml");

/// When lead units are reminded.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderRules {
    /// Days before a deadline when the lead unit is reminded.
    pub remind_days_before: u32,
    /// A report made this many days or fewer before a deadline counts as the report for it.
    pub report_counts_days_before: u32,
    /// The periodic progress report: how often, its cut-off, its deadline.
    pub regime: Regime,
    /// Reminders by SMS.
    pub sms: SmsRules,
}

/// How a day's reminders go out by SMS through Notify.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SmsRules {
    /// The department's registered brandname.
    pub brandname: String,
    /// The campaign's topic.
    pub topic: String,
    /// The message; `{ten}` is the unit's name.
    pub body: String,
    /// When `serve` makes the day's reminder campaign (Hà Nội time).
    pub send_at: chrono::NaiveTime,
}

impl ReminderRules {
    /// Reads the rules, refusing a file that is not TOML of these keys or gives more than a
    /// year.
    pub fn from_toml(text: &str) -> Result<Self> {
        let r: Self =
            toml::from_str(text).map_err(|e| Error::Internal(format!("plans.reporting: {e}")))?;
        if r.remind_days_before > 366
            || r.report_counts_days_before > 366
            || r.regime.due_days_after_cutoff > 366
        {
            return Err(Error::Internal(
                "plans.reporting: days must be at most 366".into(),
            ));
        }
        Ok(r)
    }

    /// The shipped rules.
    pub fn builtin() -> Result<Self> {
        Self::from_toml(BUILTIN_RULES)
    }
}

/// A task in a digest.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DigestItem {
    /// The plan's number.
    pub plan: String,
    /// The task's code.
    pub code: String,
    /// Its text.
    pub title: String,
    /// The deadline it is reminded of.
    pub due: NaiveDate,
}

/// One lead unit's digest for a day.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct UnitDigest {
    /// The unit.
    pub unit_id: i64,
    /// Tasks (not done, not overdue) whose periodic progress report is missing: for the period
    /// due within the reminder window, or for the last period whose deadline has passed. Each
    /// item's `due` is that report's deadline.
    pub reports_due: Vec<DigestItem>,
    /// Tasks falling due within the reminder window, not reported on for that deadline.
    pub due_soon: Vec<DigestItem>,
    /// Tasks past their deadline and not done.
    pub overdue: Vec<DigestItem>,
}

impl Plans {
    /// The digests for `today` over every plan: per lead unit, what falls due soon without a
    /// report for it and what is overdue. Units with nothing to hear of are left out.
    pub async fn digests(
        &self,
        rules: &ReminderRules,
        today: NaiveDate,
    ) -> Result<Vec<UnitDigest>> {
        let mut by_unit: BTreeMap<i64, UnitDigest> = BTreeMap::new();
        let window = today + Duration::days(i64::from(rules.remind_days_before));
        // The periodic report: the one due next (reminded when within the window) and the one
        // before it (late once its deadline has passed).
        let next = rules.regime.current(today);
        let last = rules.regime.previous(&next);
        for plan in self.plans().await? {
            for p in self.progress(plan.id, today).await? {
                let (Some(unit), false) = (p.task.lead_unit_id, p.task.section) else {
                    continue;
                };
                let item = |due: NaiveDate| DigestItem {
                    plan: plan.number.clone(),
                    code: p.task.code.clone(),
                    title: p.task.title.clone(),
                    due,
                };
                let digest = by_unit.entry(unit).or_insert_with(|| UnitDigest {
                    unit_id: unit,
                    ..Default::default()
                });
                if p.overdue {
                    if let Some(d) = p.judged_due.or(p.task.due_on) {
                        digest.overdue.push(item(d));
                    }
                    continue;
                }
                let done = p.latest.is_some_and(|r| r.status == TaskStatus::Done);
                let reported_since = |from: NaiveDate| p.latest.is_some_and(|r| r.on >= from);
                // Work not yet begun by its period's start needs no report on it.
                // …nor a period that ended before the plan was issued.
                let begun = |period_to: NaiveDate| {
                    period_to >= plan.issued_on
                        && p.task
                            .period
                            .and_then(|x| x.start())
                            .is_none_or(|s| s <= period_to)
                };
                if !done && last.due < today && begun(last.to) && !reported_since(last.from) {
                    digest.reports_due.push(item(last.due));
                } else if !done
                    && next.due <= window
                    && begun(next.to)
                    && !reported_since(next.from)
                {
                    digest.reports_due.push(item(next.due));
                }
                // The next deadline: the task's own, or for yearly work this year's end.
                let next = match p.task.period {
                    Some(crate::Period::Yearly) => {
                        NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 12, 31)
                    }
                    _ => p.task.due_on,
                };
                let Some(due) = next.filter(|d| *d >= today && *d <= window) else {
                    continue;
                };
                let counts_from = due - Duration::days(i64::from(rules.report_counts_days_before));
                let reported = p
                    .latest
                    .as_ref()
                    .is_some_and(|r| r.status == TaskStatus::Done || r.on >= counts_from);
                if !reported {
                    digest.due_soon.push(item(due));
                }
            }
        }
        Ok(by_unit
            .into_values()
            .filter(|d| {
                !d.due_soon.is_empty() || !d.overdue.is_empty() || !d.reports_due.is_empty()
            })
            .collect())
    }
}
