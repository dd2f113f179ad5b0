//! The plan dashboard's figures: tasks, done and overdue by lead unit and by steering
//! committee member, counted by the database in one grouped query however many tasks a plan
//! has (each task row carries its latest report; see migration 0004), and the spans a
//! timeline draws.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sqlx::Row;

use crate::{Period, Plan, Plans, Result, TaskProgress, TaskStatus};

/// Tasks, done and overdue for one unit or member (or the whole plan).
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Tasks (sections not counted).
    pub tasks: i64,
    /// Reported done.
    pub done: i64,
    /// Overdue on the day.
    pub overdue: i64,
}

/// A plan's figures on a day.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Dashboard {
    /// Rows of the appendix: tasks and section headings.
    pub rows: i64,
    /// The whole plan.
    pub total: Counts,
    /// By lead unit (registry id), the most overdue first.
    pub by_unit: Vec<(i64, Counts)>,
    /// By steering committee member (none: not assigned), the most overdue first.
    pub by_member: Vec<(Option<i64>, Counts)>,
}

impl Plans {
    /// Tasks with a deadline (not yearly work) reported done on or before it, by `today`.
    pub async fn done_on_time(&self, plan_id: i64, today: NaiveDate) -> Result<i64> {
        if self.reported_after(plan_id, today).await? {
            return Ok(on_time(&self.progress(plan_id, today).await?));
        }
        self.done_on_time_by_rows(plan_id, today).await
    }

    /// [`Plans::dashboard`] and [`Plans::done_on_time`] on one day (a report's plans figures):
    /// on a past day the tasks are judged once for both.
    pub async fn standing(&self, plan_id: i64, day: NaiveDate) -> Result<(Dashboard, i64)> {
        if self.reported_after(plan_id, day).await? {
            let progress = self.progress(plan_id, day).await?;
            return Ok((tally(&progress), on_time(&progress)));
        }
        Ok((
            self.dashboard_by_rows(plan_id, day).await?,
            self.done_on_time_by_rows(plan_id, day).await?,
        ))
    }

    /// [`Plans::done_on_time`] from the task rows' latest reports (right when none is later
    /// than `today`).
    async fn done_on_time_by_rows(&self, plan_id: i64, today: NaiveDate) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM plans_tasks
             WHERE plan_id = $1 AND section = 0 AND yearly = 0 AND latest_status = 'done'
               AND due_on IS NOT NULL AND last_report_on <= due_on AND last_report_on <= $2",
        )
        .bind(plan_id)
        .bind(today.format("%Y-%m-%d").to_string())
        .fetch_one(self.db.pool())
        .await?)
    }

    /// The plan's figures on `today`: the same judgement as [`Plans::progress`] (done by the
    /// latest report; overdue past the deadline, or for yearly work without a report since the
    /// last passed year-end's year began), counted in one grouped SQL query that reads only
    /// an index.
    ///
    /// On a day before some task's latest report, the rows' latest reports are not the day's:
    /// the figures are then counted from each task's latest report on that day
    /// ([`Plans::progress`]), for a report on a past period.
    pub async fn dashboard(&self, plan_id: i64, today: NaiveDate) -> Result<Dashboard> {
        if self.reported_after(plan_id, today).await? {
            return Ok(tally(&self.progress(plan_id, today).await?));
        }
        self.dashboard_by_rows(plan_id, today).await
    }

    /// [`Plans::dashboard`] from the task rows' latest reports in one grouped query (right when
    /// none is later than `today`).
    async fn dashboard_by_rows(&self, plan_id: i64, today: NaiveDate) -> Result<Dashboard> {
        let plan = self.plan(plan_id).await?;
        // Yearly work's last passed deadline is the end of last year, if the plan had begun.
        let last_year = today.year() - 1;
        let yearly_due = i64::from(last_year >= plan.from_year);
        let rows = sqlx::query(
            "SELECT lead_unit_id, member_id, section, COUNT(*),
                SUM(CASE WHEN latest_status = 'done' THEN 1 ELSE 0 END),
                SUM(CASE WHEN (yearly = 0 AND due_on < $2 AND COALESCE(latest_status, '') <> 'done')
                          OR (yearly = 1 AND $3 = 1 AND (last_report_on IS NULL OR last_report_on < $4))
                     THEN 1 ELSE 0 END)
             FROM plans_tasks WHERE plan_id = $1
             GROUP BY lead_unit_id, member_id, section",
        )
        .bind(plan.id)
        .bind(today.format("%Y-%m-%d").to_string())
        .bind(yearly_due)
        .bind(format!("{last_year:04}-01-01"))
        .fetch_all(self.db.pool())
        .await?;
        let mut out = Dashboard::default();
        let mut by_unit: HashMap<i64, Counts> = HashMap::new();
        let mut by_member: HashMap<Option<i64>, Counts> = HashMap::new();
        for r in &rows {
            let n: i64 = r.try_get(3)?;
            out.rows += n;
            let (Some(unit), 0) = (r.try_get::<Option<i64>, _>(0)?, r.try_get::<i64, _>(2)?) else {
                continue;
            };
            let c = Counts {
                tasks: n,
                done: r.try_get::<Option<i64>, _>(4)?.unwrap_or(0),
                overdue: r.try_get::<Option<i64>, _>(5)?.unwrap_or(0),
            };
            for sum in [
                by_unit.entry(unit).or_default(),
                by_member.entry(r.try_get(1)?).or_default(),
                &mut out.total,
            ] {
                sum.tasks += c.tasks;
                sum.done += c.done;
                sum.overdue += c.overdue;
            }
        }
        out.by_unit = most_overdue_first(by_unit);
        out.by_member = most_overdue_first(by_member);
        Ok(out)
    }
}

/// Tasks with a deadline (not yearly work) whose latest report is done, made by the deadline.
fn on_time(progress: &[TaskProgress]) -> i64 {
    progress
        .iter()
        .filter(|p| {
            !p.task.section
                && p.task.period != Some(Period::Yearly)
                && p.latest.as_ref().is_some_and(|l| {
                    l.status == TaskStatus::Done && p.task.due_on.is_some_and(|due| l.on <= due)
                })
        })
        .count() as i64
}

/// The dashboard of judged tasks, counted as the grouped query counts them (tasks with a lead
/// unit; every row, headings included, in `rows`).
fn tally(progress: &[TaskProgress]) -> Dashboard {
    let mut out = Dashboard {
        rows: progress.len() as i64,
        ..Default::default()
    };
    let mut by_unit: HashMap<i64, Counts> = HashMap::new();
    let mut by_member: HashMap<Option<i64>, Counts> = HashMap::new();
    for p in progress {
        let (Some(unit), false) = (p.task.lead_unit_id, p.task.section) else {
            continue;
        };
        let done = p
            .latest
            .as_ref()
            .is_some_and(|l| l.status == TaskStatus::Done);
        for sum in [
            by_unit.entry(unit).or_default(),
            by_member.entry(p.task.member_id).or_default(),
            &mut out.total,
        ] {
            sum.tasks += 1;
            sum.done += i64::from(done);
            sum.overdue += i64::from(p.overdue);
        }
    }
    out.by_unit = most_overdue_first(by_unit);
    out.by_member = most_overdue_first(by_member);
    out
}

fn most_overdue_first<K: Ord>(m: HashMap<K, Counts>) -> Vec<(K, Counts)> {
    let mut v: Vec<(K, Counts)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.overdue.cmp(&a.1.overdue).then(a.0.cmp(&b.0)));
    v
}

/// The span a timeline draws for a task: from its period's first day (or the plan's date) to
/// its deadline (or the plan's last day, for yearly and ongoing work).
pub fn span(plan: &Plan, t: &TaskProgress) -> (NaiveDate, NaiveDate) {
    let plan_end = NaiveDate::from_ymd_opt(plan.to_year, 12, 31).unwrap_or(plan.issued_on);
    let end = t.task.due_on.unwrap_or(plan_end);
    let start = t
        .task
        .period
        .and_then(|p| p.start())
        .unwrap_or(plan.issued_on)
        .min(end);
    (start, end)
}

impl Period {
    /// The first day of the period; none for a single day, yearly and ongoing work.
    pub fn start(&self) -> Option<NaiveDate> {
        let first = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1);
        match *self {
            Period::Date { .. } | Period::Yearly | Period::Ongoing => None,
            Period::Month { year, month } => first(year, month),
            Period::Quarter { year, quarter } => first(year, quarter * 3 - 2),
            Period::Half { year, half } => first(year, half * 6 - 5),
            Period::Year { year } => first(year, 1),
            Period::Years { from, .. } => first(from, 1),
        }
    }
}

/// One committee member's share of what needs the leadership's attention.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MemberAttention {
    /// The member (none: tasks no member answers for).
    pub member_id: Option<i64>,
    /// Their tasks' counts.
    pub counts: Counts,
    /// Their tasks overdue or reported blocked, the longest overdue first.
    pub tasks: Vec<TaskProgress>,
}

/// The escalation summary for the leadership: by committee member, the tasks overdue or
/// blocked; and the lead units with the most overdue.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Escalation {
    /// By member, the most overdue first.
    pub members: Vec<MemberAttention>,
    /// Lead units with overdue tasks, the most first.
    pub units: Vec<(i64, Counts)>,
}

impl Plans {
    /// What the leadership must hear of on `today`: reads only the tasks not done.
    pub async fn escalation(&self, plan_id: i64, today: NaiveDate) -> Result<Escalation> {
        let dashboard = self.dashboard(plan_id, today).await?;
        let open = self
            .progress_where(
                plan_id,
                today,
                "AND section = 0 AND COALESCE(latest_status, '') <> 'done'",
                None,
            )
            .await?;
        let mut by_member: HashMap<Option<i64>, Vec<TaskProgress>> = HashMap::new();
        for p in open {
            let blocked = p
                .latest
                .is_some_and(|l| l.status == crate::TaskStatus::Blocked);
            if p.overdue || blocked {
                by_member.entry(p.task.member_id).or_default().push(p);
            }
        }
        let members = dashboard
            .by_member
            .iter()
            .map(|(m, c)| {
                let mut tasks = by_member.remove(m).unwrap_or_default();
                tasks.sort_by_key(|p| (!p.overdue, p.judged_due.or(p.task.due_on)));
                MemberAttention {
                    member_id: *m,
                    counts: *c,
                    tasks,
                }
            })
            .collect();
        Ok(Escalation {
            members,
            units: dashboard
                .by_unit
                .into_iter()
                .filter(|(_, c)| c.overdue > 0)
                .collect(),
        })
    }
}
