//! Progress: lead units report on their tasks (status, percent, what was done, evidence), and
//! the plan's tasks are judged on time or overdue against their deadlines — the core figure of
//! task tracking (shared/domain/plans.md, §2: on-time and overdue by unit).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use lantoa_core::role::Role;
use lantoa_store::audit::{self, Entry};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use lantoa_core::msg::Msg;

use crate::error::invalid;
use crate::{Error, Period, Plans, Result, Task};

/// A task's status as its lead unit reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Chưa triển khai.
    NotStarted,
    /// Đang triển khai.
    InProgress,
    /// Có vướng mắc.
    Blocked,
    /// Hoàn thành.
    Done,
}

impl TaskStatus {
    /// Every status.
    pub const ALL: [TaskStatus; 4] = [
        TaskStatus::NotStarted,
        TaskStatus::InProgress,
        TaskStatus::Blocked,
        TaskStatus::Done,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "not_started",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Blocked => "blocked",
            TaskStatus::Done => "done",
        }
    }

    /// The status named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Who reports: the actor, their roles and the unit they work for.
#[derive(Debug, Clone, Default)]
pub struct Reporter {
    /// Recorded as the author.
    pub actor: String,
    /// Their roles: a planner or admin may report for any unit.
    pub roles: Vec<Role>,
    /// The unit they work for (users.unit_id).
    pub unit_id: Option<i64>,
}

/// A report to submit.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    /// `not_started`, `in_progress`, `blocked` or `done`.
    pub status: String,
    /// 0–100; 100 for `done`.
    pub percent: i64,
    /// What was done, or what blocks it.
    pub body: String,
    /// Evidence: a document's number, a link (optional).
    #[serde(default)]
    pub evidence: String,
}

/// A submitted report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    /// Id.
    pub id: i64,
    /// The task.
    pub task_id: i64,
    /// The unit that reported (its lead), if known.
    pub unit_id: Option<i64>,
    /// Status.
    pub status: TaskStatus,
    /// Percent done.
    pub percent: i64,
    /// Text.
    pub body: String,
    /// Evidence.
    pub evidence: String,
    /// Who.
    pub submitted_by: String,
    /// When, µs.
    pub submitted_at: i64,
}

/// What a task's latest report says.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Latest {
    /// Status.
    pub status: TaskStatus,
    /// Percent done.
    pub percent: i64,
    /// The day it was made (Hà Nội).
    pub on: NaiveDate,
}

/// A task with its latest report and whether it is overdue on a day.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TaskProgress {
    /// The task.
    pub task: Task,
    /// Its latest report.
    pub latest: Option<Latest>,
    /// The deadline it is judged against on that day (for yearly work, the last year's end
    /// that has passed).
    pub judged_due: Option<NaiveDate>,
    /// Past that deadline and not done.
    pub overdue: bool,
}

/// A lead unit's tasks in a plan.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct UnitSummary {
    /// The unit.
    pub unit_id: i64,
    /// Tasks it leads.
    pub tasks: usize,
    /// Reported done.
    pub done: usize,
    /// Overdue.
    pub overdue: usize,
}

const REPORT_COLUMNS: &str =
    "id, task_id, unit_id, status, percent, body, evidence, submitted_by, submitted_at";

fn report_from(r: &sqlx::any::AnyRow) -> Result<Report> {
    let status: String = r.try_get(3)?;
    Ok(Report {
        id: r.try_get(0)?,
        task_id: r.try_get(1)?,
        unit_id: r.try_get(2)?,
        status: TaskStatus::parse(&status)
            .ok_or_else(|| Error::Internal(format!("stored status {status:?}")))?,
        percent: r.try_get(4)?,
        body: r.try_get(5)?,
        evidence: r.try_get(6)?,
        submitted_by: r.try_get(7)?,
        submitted_at: r.try_get(8)?,
    })
}

/// Hà Nội's day of an instant in µs.
fn day_of(micros: i64) -> NaiveDate {
    lantoa_core::time::local_date(lantoa_core::time::from_micros(micros))
}

/// Whether `t`, with `latest` its latest report, is overdue on `today`, and against which
/// deadline. Yearly work falls due at each year's end from the plan's first year: it is overdue
/// when the last year's end has passed without a report since that year began (a late report
/// clears it). Other work is overdue past its deadline until reported done. The dashboard
/// counts the same rule in SQL ([`crate::dashboard`]); a test holds the two together.
fn judge(
    t: &Task,
    latest: Option<&Latest>,
    from_year: i32,
    today: NaiveDate,
) -> (Option<NaiveDate>, bool) {
    if t.section {
        return (None, false);
    }
    match t.period {
        Some(Period::Yearly) => {
            let due = Period::Yearly
                .occurrences(from_year, today.year())
                .into_iter()
                .rfind(|d| *d < today);
            let overdue = due.is_some_and(|d| latest.is_none_or(|r| r.on.year() < d.year()));
            (due, overdue)
        }
        _ => {
            let done = latest.is_some_and(|r| r.status == TaskStatus::Done);
            (t.due_on, t.due_on.is_some_and(|d| d < today) && !done)
        }
    }
}

impl Plans {
    /// Records a progress report on task `task_id`. The reporter must work for the task's lead
    /// unit, or be a planner or admin; a section takes no report; the status must be known,
    /// the percent 0–100 (100 when done), and the text given.
    pub async fn submit_report(
        &self,
        who: &Reporter,
        task_id: i64,
        new: &NewReport,
    ) -> Result<Report> {
        self.submit(who, task_id, new, None).await
    }

    /// A report, with an evidence file kept in the same transaction when one is given.
    pub(crate) async fn submit(
        &self,
        who: &Reporter,
        task_id: i64,
        new: &NewReport,
        file: Option<&crate::evidence::EvidenceFile>,
    ) -> Result<Report> {
        let row = sqlx::query(&format!(
            "SELECT {} FROM plans_tasks WHERE id = $1",
            crate::plan::TASK_COLUMNS
        ))
        .bind(task_id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or_else(|| invalid("task", Msg::new("plans-no-task").arg("id", task_id)))?;
        let task = crate::plan::task_from(&row)?;
        if task.section {
            return Err(invalid(
                "task",
                Msg::new("plans-section-not-task").arg("code", &task.code),
            ));
        }
        let for_any = who
            .roles
            .iter()
            .any(|r| matches!(r, Role::Admin | Role::Planner));
        if !for_any && (task.lead_unit_id.is_none() || who.unit_id != task.lead_unit_id) {
            return Err(Error::NotAllowed(
                Msg::new("plans-lead-unit-reports").arg("code", &task.code),
            ));
        }
        let status = TaskStatus::parse(new.status.trim()).ok_or_else(|| {
            invalid(
                "status",
                Msg::new("plans-not-one-of")
                    .arg("value", &new.status)
                    .arg("allowed", "not_started, in_progress, blocked, done"),
            )
        })?;
        if !(0..=100).contains(&new.percent) {
            return Err(invalid(
                "percent",
                Msg::new("plans-bad-percent").arg("value", new.percent),
            ));
        }
        if status == TaskStatus::Done && new.percent != 100 {
            return Err(invalid("percent", Msg::new("plans-done-is-100")));
        }
        let body = new.body.trim();
        if body.is_empty() {
            return Err(invalid("body", Msg::new("plans-report-body-needed")));
        }
        // The file is checked and its bytes written before the transaction; it is indexed,
        // and so becomes readable, only when the report commits.
        let stored = match file {
            Some(f) => Some(crate::evidence::write(self, f).await?),
            None => None,
        };
        let mut tx = self.db.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO plans_reports (task_id, unit_id, status, percent, body, evidence, submitted_by, submitted_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(task.id)
        .bind(task.lead_unit_id)
        .bind(status.as_str())
        .bind(new.percent)
        .bind(body)
        .bind(new.evidence.trim())
        .bind(&who.actor)
        .bind(self.clock.now_micros())
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        // The task carries its latest report, for the dashboards' grouped counts.
        sqlx::query(
            "UPDATE plans_tasks SET latest_status = $1, latest_percent = $2, last_report_on = $3 WHERE id = $4",
        )
        .bind(status.as_str())
        .bind(new.percent)
        .bind(day_of(self.clock.now_micros()).format("%Y-%m-%d").to_string())
        .bind(task.id)
        .execute(&mut *tx)
        .await?;
        if let Some(stored) = &stored {
            crate::evidence::index(&mut tx, stored, id, task.id).await?;
        }
        audit::append(
            &mut tx,
            &Entry::new(
                &who.actor,
                "plans.report_submitted",
                format!("task:{}", task.id),
            )
            .after(serde_json::json!({ "report": id, "status": status, "percent": new.percent })),
        )
        .await?;
        tx.commit().await?;
        let row = sqlx::query(&format!(
            "SELECT {REPORT_COLUMNS} FROM plans_reports WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(self.db.pool())
        .await?;
        report_from(&row)
    }

    /// A task's reports, newest first.
    pub async fn task_reports(&self, task_id: i64) -> Result<Vec<Report>> {
        let rows = sqlx::query(&format!(
            "SELECT {REPORT_COLUMNS} FROM plans_reports WHERE task_id = $1 ORDER BY submitted_at DESC, id DESC"
        ))
        .bind(task_id)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(report_from).collect()
    }

    /// Every task of a plan with its latest report, judged on `today` (Hà Nội).
    pub async fn progress(&self, plan_id: i64, today: NaiveDate) -> Result<Vec<TaskProgress>> {
        self.progress_where(plan_id, today, "", None).await
    }

    /// One page of a plan's tasks in the appendix's order (`limit` from `offset`), judged on
    /// `today`: what the plan page shows of a plan with thousands of tasks.
    pub async fn progress_page(
        &self,
        plan_id: i64,
        today: NaiveDate,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<TaskProgress>> {
        self.progress_where(plan_id, today, "", Some((offset, limit)))
            .await
    }

    /// The tasks of a plan that `filter` (SQL over plans_tasks, with no parameters) keeps.
    pub(crate) async fn progress_where(
        &self,
        plan_id: i64,
        today: NaiveDate,
        filter: &str,
        page: Option<(i64, i64)>,
    ) -> Result<Vec<TaskProgress>> {
        let plan = self.plan(plan_id).await?;
        // The task rows carry their latest report; on a day before some of those, each task's
        // latest report on that day is read from the reports instead.
        let history = if self.reported_after(plan_id, today).await? {
            Some(self.latest_reports_on(plan_id, today).await?)
        } else {
            None
        };
        let paging = page.map_or(String::new(), |(offset, limit)| {
            format!(" LIMIT {} OFFSET {}", limit.max(0), offset.max(0))
        });
        let rows = sqlx::query(&format!(
            "SELECT {}, latest_status, latest_percent, last_report_on FROM plans_tasks
             WHERE plan_id = $1 {filter} ORDER BY position, id{paging}",
            crate::plan::TASK_COLUMNS
        ))
        .bind(plan_id)
        .fetch_all(self.db.pool())
        .await?;
        let n = crate::plan::TASK_COLUMNS.split(',').count();
        rows.iter()
            .map(|r| {
                let task = crate::plan::task_from(r)?;
                let status: Option<String> = r.try_get(n)?;
                let on: Option<String> = r.try_get(n + 2)?;
                let latest = match (&history, status.as_deref().and_then(TaskStatus::parse), on) {
                    (Some(h), _, _) => h.get(&task.id).cloned(),
                    (None, Some(status), Some(on)) => Some(Latest {
                        status,
                        percent: r.try_get(n + 1)?,
                        on: crate::plan::date("last_report_on", &on)?,
                    }),
                    _ => None,
                };
                let (judged_due, overdue) = judge(&task, latest.as_ref(), plan.from_year, today);
                Ok(TaskProgress {
                    task,
                    latest,
                    judged_due,
                    overdue,
                })
            })
            .collect()
    }

    /// Whether some task of the plan has a report made after `day` (Hà Nội).
    pub(crate) async fn reported_after(&self, plan_id: i64, day: NaiveDate) -> Result<bool> {
        let later: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM plans_tasks WHERE plan_id = $1 AND last_report_on > $2",
        )
        .bind(plan_id)
        .bind(day.format("%Y-%m-%d").to_string())
        .fetch_one(self.db.pool())
        .await?;
        Ok(later > 0)
    }

    /// Each task's latest report made on or before `day`, by task id.
    async fn latest_reports_on(
        &self,
        plan_id: i64,
        day: NaiveDate,
    ) -> Result<HashMap<i64, Latest>> {
        let end = lantoa_core::time::day_start(day + chrono::Duration::days(1));
        let rows = sqlx::query(
            "SELECT r.task_id, r.status, r.percent, r.submitted_at
             FROM plans_reports r JOIN plans_tasks t ON t.id = r.task_id
             WHERE t.plan_id = $1 AND r.submitted_at < $2 ORDER BY r.submitted_at, r.id",
        )
        .bind(plan_id)
        .bind(end)
        .fetch_all(self.db.pool())
        .await?;
        let mut latest = HashMap::new();
        for r in rows {
            let status: String = r.try_get(1)?;
            let Some(status) = TaskStatus::parse(&status) else {
                continue;
            };
            latest.insert(
                r.try_get::<i64, _>(0)?,
                Latest {
                    status,
                    percent: r.try_get(2)?,
                    on: day_of(r.try_get(3)?),
                },
            );
        }
        Ok(latest)
    }

    /// Each lead unit's tasks, done and overdue in a plan on `today`, the most overdue first.
    pub async fn unit_summary(&self, plan_id: i64, today: NaiveDate) -> Result<Vec<UnitSummary>> {
        Ok(summarise(&self.progress(plan_id, today).await?))
    }
}

/// Each lead unit's tasks, done and overdue among `progress` (a plan's, from
/// [`Plans::progress`]), the most overdue first.
pub fn summarise(progress: &[TaskProgress]) -> Vec<UnitSummary> {
    let mut by_unit: HashMap<i64, UnitSummary> = HashMap::new();
    for p in progress {
        let Some(unit) = p.task.lead_unit_id else {
            continue;
        };
        let s = by_unit.entry(unit).or_insert_with(|| UnitSummary {
            unit_id: unit,
            ..Default::default()
        });
        s.tasks += 1;
        s.done += usize::from(
            p.latest
                .as_ref()
                .is_some_and(|r| r.status == TaskStatus::Done),
        );
        s.overdue += usize::from(p.overdue);
    }
    let mut out: Vec<UnitSummary> = by_unit.into_values().collect();
    out.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(a.unit_id.cmp(&b.unit_id)));
    out
}
