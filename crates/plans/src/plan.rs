//! Plans and their tasks: the service and its storage.

use chrono::NaiveDate;
use lantoa_registry::Registry;
use lantoa_store::audit::{self, Entry};
use lantoa_store::{Clock, Db, is_unique_violation};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::error::required;
use crate::{Error, Period, Result};
use lantoa_core::Msg;

/// A plan to register.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    /// Its number and symbol, `239/KH-UBND`.
    pub number: String,
    /// Its date, `YYYY-MM-DD` or `dd/mm/yyyy`.
    pub issued_on: String,
    /// Who issued it (`UBND thành phố Hà Nội`).
    pub issuer: String,
    /// Its title.
    pub title: String,
    /// The first and last year it covers.
    pub from_year: i32,
    /// Last year.
    pub to_year: i32,
    /// The resolution or decision it implements (`18-NQ/TU`), if any.
    #[serde(default)]
    pub implements: String,
}

/// A registered plan.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Plan {
    /// Id.
    pub id: i64,
    /// Number.
    pub number: String,
    /// Date.
    pub issued_on: NaiveDate,
    /// Issuer.
    pub issuer: String,
    /// Title.
    pub title: String,
    /// First year.
    pub from_year: i32,
    /// Last year.
    pub to_year: i32,
    /// What it implements.
    pub implements: String,
}

/// A task of a plan (or a section heading, which has no lead).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Task {
    /// Id.
    pub id: i64,
    /// Its plan.
    pub plan_id: i64,
    /// Its place in the appendix: `I`, `I.1`, `I.1.2`.
    pub code: String,
    /// The code of the task or section above it.
    pub parent_code: Option<String>,
    /// Whether it is a section heading.
    pub section: bool,
    /// Order in the appendix.
    pub position: i64,
    /// What is to be done.
    pub title: String,
    /// The lead unit (registry id).
    pub lead_unit_id: Option<i64>,
    /// Cooperating units found in the registry.
    pub cooperating_ids: Vec<i64>,
    /// Cooperating units as written that are not registered units (e.g. "các quận, huyện").
    pub cooperating_text: Vec<String>,
    /// The deadline as written.
    pub deadline: String,
    /// The deadline read.
    pub period: Option<Period>,
    /// When it falls due.
    pub due_on: Option<NaiveDate>,
    /// The expected product.
    pub product: String,
    /// The steering committee member answerable for it.
    pub member_id: Option<i64>,
}

/// The plans service.
#[derive(Debug, Clone)]
pub struct Plans {
    pub(crate) db: Db,
    pub(crate) registry: Registry,
    pub(crate) clock: Clock,
    pub(crate) blobs: Option<lantoa_store::blob::BlobStore>,
}

const PLAN_COLUMNS: &str = "id, number, issued_on, issuer, title, from_year, to_year, implements";
pub(crate) const TASK_COLUMNS: &str = "id, plan_id, code, parent_code, section, position, title, lead_unit_id, cooperating, deadline, period, due_on, product, member_id";

pub(crate) fn date(field: &'static str, s: &str) -> Result<NaiveDate> {
    let v = s.trim();
    lantoa_core::time::parse_day(v).ok_or_else(|| {
        crate::error::invalid(
            field,
            lantoa_core::Msg::new("watch-not-a-date").arg("value", v),
        )
    })
}

fn plan_from(r: &sqlx::any::AnyRow) -> Result<Plan> {
    let on: String = r.try_get(2)?;
    Ok(Plan {
        id: r.try_get(0)?,
        number: r.try_get(1)?,
        issued_on: date("issued_on", &on)?,
        issuer: r.try_get(3)?,
        title: r.try_get(4)?,
        from_year: i32::try_from(r.try_get::<i64, _>(5)?).unwrap_or_default(),
        to_year: i32::try_from(r.try_get::<i64, _>(6)?).unwrap_or_default(),
        implements: r.try_get(7)?,
    })
}

/// The cooperating units as stored: ids found and text not found.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Cooperating {
    pub ids: Vec<i64>,
    pub text: Vec<String>,
}

pub(crate) fn task_from(r: &sqlx::any::AnyRow) -> Result<Task> {
    let coop: String = r.try_get(8)?;
    let coop: Cooperating = serde_json::from_str(&coop).unwrap_or_default();
    let period: Option<String> = r.try_get(10)?;
    let due: Option<String> = r.try_get(11)?;
    Ok(Task {
        id: r.try_get(0)?,
        plan_id: r.try_get(1)?,
        code: r.try_get(2)?,
        parent_code: r.try_get(3)?,
        section: r.try_get::<i64, _>(4)? != 0,
        position: r.try_get(5)?,
        title: r.try_get(6)?,
        lead_unit_id: r.try_get(7)?,
        cooperating_ids: coop.ids,
        cooperating_text: coop.text,
        deadline: r.try_get(9)?,
        period: period.and_then(|p| serde_json::from_str(&p).ok()),
        due_on: due.map(|d| date("due_on", &d)).transpose()?,
        product: r.try_get(12)?,
        member_id: r.try_get(13)?,
    })
}

impl Plans {
    /// The service over `db`, naming units through `registry`.
    pub fn new(db: Db, registry: Registry) -> Self {
        Self {
            db,
            registry,
            clock: Clock::default(),
            blobs: None,
        }
    }

    /// The same service keeping reports' evidence files in `blobs`.
    pub fn with_blobs(mut self, blobs: lantoa_store::blob::BlobStore) -> Self {
        self.blobs = Some(blobs);
        self
    }

    /// The same service reading time from `clock`.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Registers a plan; its number must be new, its years in order, its date a date.
    pub async fn create(&self, actor: &str, new: &NewPlan) -> Result<Plan> {
        let number = required("number", &new.number)?;
        let issuer = required("issuer", &new.issuer)?;
        let title = required("title", &new.title)?;
        let issued_on = date("issued_on", &new.issued_on)?;
        if !(1990..=2100).contains(&new.from_year)
            || new.to_year < new.from_year
            || new.to_year > 2100
        {
            return Err(crate::error::invalid(
                "to_year",
                lantoa_core::Msg::new("plans-bad-years")
                    .arg("from", new.from_year)
                    .arg("to", new.to_year),
            ));
        }
        let mut tx = self.db.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO plans_plans (number, issued_on, issuer, title, from_year, to_year, implements, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&number)
        .bind(issued_on.format("%Y-%m-%d").to_string())
        .bind(&issuer)
        .bind(&title)
        .bind(i64::from(new.from_year))
        .bind(i64::from(new.to_year))
        .bind(new.implements.trim())
        .bind(actor)
        .bind(self.clock.now_micros())
        .fetch_one(&mut *tx)
        .await;
        let id: i64 = match inserted {
            Ok(r) => r.try_get(0)?,
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::Duplicate(format!("a plan numbered {number}")));
            }
            Err(e) => return Err(e.into()),
        };
        audit::append(
            &mut tx,
            &Entry::new(actor, "plans.plan_created", format!("plan:{id}"))
                .after(serde_json::json!({ "number": number, "title": title })),
        )
        .await?;
        tx.commit().await?;
        self.plan(id).await
    }

    /// The plan with this id.
    pub async fn plan(&self, id: i64) -> Result<Plan> {
        let row = sqlx::query(&format!(
            "SELECT {PLAN_COLUMNS} FROM plans_plans WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or(Error::NotFound(id))?;
        plan_from(&row)
    }

    /// The task with this id, when it is the plan's (else [`Error::Missing`], as for a task
    /// that does not exist: a request naming one plan cannot reach another's task).
    pub async fn plan_task(&self, plan_id: i64, task_id: i64) -> Result<Task> {
        self.plan(plan_id).await?;
        let row = sqlx::query(&format!(
            "SELECT {TASK_COLUMNS} FROM plans_tasks WHERE plan_id = $1 AND id = $2"
        ))
        .bind(plan_id)
        .bind(task_id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or_else(|| Error::Missing(Msg::new("plans-no-task").arg("id", task_id)))?;
        task_from(&row)
    }

    /// Every plan, newest first.
    pub async fn plans(&self) -> Result<Vec<Plan>> {
        let rows = sqlx::query(&format!(
            "SELECT {PLAN_COLUMNS} FROM plans_plans ORDER BY issued_on DESC, id DESC"
        ))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(plan_from).collect()
    }

    /// A plan's tasks in the appendix's order.
    pub async fn tasks(&self, plan_id: i64) -> Result<Vec<Task>> {
        let rows = sqlx::query(&format!(
            "SELECT {TASK_COLUMNS} FROM plans_tasks WHERE plan_id = $1 ORDER BY position, id"
        ))
        .bind(plan_id)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(task_from).collect()
    }
}
