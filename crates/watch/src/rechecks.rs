//! Re-checks: when a managing unit commits to fix by a date, the case moves to the workflow's
//! state that requires a re-check (`da_khac_phuc`) with that date, and the subject is crawled
//! again on it. The signs of the case's category found before and after are kept side by side;
//! if any remain, the case reopens in the state the workflow names (`reopen = "xem_xet"`).
//!
//! The serving process advances re-checks every minute ([`Crawler::advance_rechecks`]): due
//! ones get a crawl queued, and those whose crawl ended get their outcome.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use lantoa_core::msg::Msg;
use lantoa_core::role::Role;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::cases::Case;

/// A message as its stored JSON (read back by `noted::from_stored`).
fn stored(m: &Msg) -> Result<String> {
    serde_json::to_string(m).map_err(Error::internal)
}
use crate::{Crawler, Error, Result, Watch};

/// The actor the system records for its own steps.
pub const SYSTEM_ACTOR: &str = "lantoa";

/// A unit's commitment to fix.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewFix {
    /// The date the unit committed to fix by, `YYYY-MM-DD` or `dd/mm/yyyy`: the re-check's day.
    pub due: String,
    /// The step's reason on the timeline.
    pub note: String,
}

/// Signs of one category: rule id → the addresses it was found at.
pub type Signs = BTreeMap<String, Vec<String>>;

/// A re-check.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Recheck {
    /// Its id.
    pub id: i64,
    /// The case.
    pub case_id: i64,
    /// The subject.
    pub subject_id: i64,
    /// The committed date.
    pub due_on: NaiveDate,
    /// Its first instant in Hà Nội, µs.
    pub due_at: i64,
    /// scheduled, crawling, done or failed.
    pub status: String,
    /// The crawl that re-checked.
    pub crawl_id: Option<i64>,
    /// The signs when the fix was committed.
    pub before: Signs,
    /// The signs at the re-check.
    pub after: Option<Signs>,
    /// cleared or remains.
    pub outcome: Option<String>,
    /// What happened (the signs left, the reopening, or why not), sent as `{note, msg}`.
    #[serde(serialize_with = "lantoa_core::msg::noted::serialize_some")]
    pub message: Option<Msg>,
    /// Who recorded the commitment.
    pub scheduled_by: String,
    /// When, µs.
    pub scheduled_at: i64,
    /// When the outcome was recorded, µs.
    pub done_at: Option<i64>,
}

const COLUMNS: &str = "id, case_id, subject_id, due_on, due_at, status, crawl_id, before_signs, after_signs, outcome, message, scheduled_by, scheduled_at, done_at";

fn signs_of(text: &str) -> Result<Signs> {
    serde_json::from_str(text)
        .map_err(|e| Error::internal(format!("stored signs are not JSON: {e}")))
}

fn recheck_from(r: &sqlx::any::AnyRow) -> Result<Recheck> {
    let on: String = r.try_get(3)?;
    let before: String = r.try_get(7)?;
    let after: Option<String> = r.try_get(8)?;
    Ok(Recheck {
        id: r.try_get(0)?,
        case_id: r.try_get(1)?,
        subject_id: r.try_get(2)?,
        due_on: NaiveDate::parse_from_str(&on, "%Y-%m-%d")
            .map_err(|e| Error::internal(format!("stored re-check date {on:?}: {e}")))?,
        due_at: r.try_get(4)?,
        status: r.try_get(5)?,
        crawl_id: r.try_get(6)?,
        before: signs_of(&before)?,
        after: after.as_deref().map(signs_of).transpose()?,
        outcome: r.try_get(9)?,
        message: r
            .try_get::<Option<String>, _>(10)?
            .map(|t| lantoa_core::msg::noted::from_stored(&t)),
        scheduled_by: r.try_get(11)?,
        scheduled_at: r.try_get(12)?,
        done_at: r.try_get(13)?,
    })
}

impl Watch {
    /// The signs of `category` on a subject that no reviewer dismissed; with `crawl`, only
    /// those that crawl saw.
    async fn signs(&self, subject_id: i64, category: &str, crawl: Option<i64>) -> Result<Signs> {
        let rows = sqlx::query(
            "SELECT rule_id, url FROM watch_findings
             WHERE subject_id = $1 AND category = $2 AND status <> 'dismissed'
               AND ($3 = 0 OR last_crawl_id = $3)
             ORDER BY rule_id, url",
        )
        .bind(subject_id)
        .bind(category)
        .bind(crawl.unwrap_or(0))
        .fetch_all(self.db.pool())
        .await?;
        let mut out = Signs::new();
        for r in rows {
            out.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
        }
        Ok(out)
    }

    /// Records the managing unit's commitment to fix by `fix.due`: the case moves to the
    /// workflow's state that requires a re-check, and the re-check is scheduled for that day,
    /// with the signs as they stand — both or neither. The date may not be in the past.
    pub async fn record_fix(
        &self,
        actor: &str,
        roles: &[Role],
        case_id: i64,
        fix: &NewFix,
    ) -> Result<(Case, Recheck)> {
        let Some(to) = self.cases.state_requiring("recheck").map(|s| s.id.clone()) else {
            return Err(Error::config(
                "watch.cases",
                "the case workflow has no state that schedules a re-check",
            ));
        };
        let (c, target, note) = self.checked_move(roles, case_id, &to, &fix.note).await?;
        let due = crate::sanctions::parse_date("due", &fix.due)?;
        let today = lantoa_core::time::local_date(self.clock.now());
        if due < today {
            return Err(Error::invalid(
                "due",
                Msg::new("recheck-in-past").arg("date", due.format("%d/%m/%Y")),
            ));
        }
        let due_at = due
            .and_hms_opt(0, 0, 0)
            .and_then(|d| d.and_local_timezone(lantoa_core::time::zone()).single())
            .map(|d| d.timestamp_micros())
            .ok_or_else(|| Error::internal(format!("{due} has no first instant")))?;
        let before = self.signs(c.subject_id, &c.category, None).await?;
        let before_json = serde_json::to_string(&before).map_err(Error::internal)?;
        let mut tx = self.db.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO watch_rechecks (case_id, subject_id, due_on, due_at, status, before_signs, scheduled_by, scheduled_at)
             VALUES ($1, $2, $3, $4, 'scheduled', $5, $6, $7) RETURNING id",
        )
        .bind(c.id)
        .bind(c.subject_id)
        .bind(due.format("%Y-%m-%d").to_string())
        .bind(due_at)
        .bind(&before_json)
        .bind(actor)
        .bind(self.clock.now_micros())
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        self.step_in(
            &mut tx,
            actor,
            &c,
            &target,
            note,
            serde_json::json!({ "recheck": id, "due": due }),
        )
        .await?;
        tx.commit().await?;
        Ok((self.case(c.id).await?, self.recheck(id).await?))
    }

    /// The re-check with this id.
    pub async fn recheck(&self, id: i64) -> Result<Recheck> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM watch_rechecks WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or_else(|| Error::invalid("recheck", Msg::new("recheck-not-found").arg("id", id)))?;
        recheck_from(&row)
    }

    /// A case's re-checks, oldest first.
    pub async fn case_rechecks(&self, case_id: i64) -> Result<Vec<Recheck>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM watch_rechecks WHERE case_id = $1 ORDER BY id"
        ))
        .bind(case_id)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(recheck_from).collect()
    }

    /// Records the outcome of a re-check whose crawl ended: the signs the crawl saw; if any,
    /// the case reopens in the workflow's `reopen` state (unless another case on the subject
    /// and category is open, which the message then says).
    async fn conclude_recheck(&self, r: &Recheck, crawl_status: &str) -> Result<Recheck> {
        let now = self.clock.now_micros();
        if crawl_status != "done" {
            sqlx::query(
                "UPDATE watch_rechecks SET status = 'failed', message = $1, done_at = $2 WHERE id = $3",
            )
            .bind(stored(
                &Msg::new("recheck-crawl-failed").arg("status", crawl_status),
            )?)
            .bind(now)
            .bind(r.id)
            .execute(self.db.pool())
            .await?;
            return self.recheck(r.id).await;
        }
        let c = self.case(r.case_id).await?;
        let after = self.signs(r.subject_id, &c.category, r.crawl_id).await?;
        let remains = !after.is_empty();
        let named: Vec<String> = after
            .keys()
            .map(|id| self.signals.name_of(id).to_owned())
            .collect();
        let remaining = |key: &str| {
            Msg::new(key)
                .arg("count", after.values().map(Vec::len).sum::<usize>())
                .arg("signs", named.join("; "))
        };
        let mut message = Msg::new("recheck-cleared");
        if remains {
            let reopen = self
                .cases
                .state(&c.state)
                .and_then(|s| s.reopen.clone())
                .and_then(|to| self.cases.state(&to).cloned());
            match reopen {
                Some(target) if c.state != target.id => {
                    let mut tx = self.db.begin().await?;
                    let note = format!(
                        "Kiểm tra lại ngày {}: vẫn còn dấu hiệu ({})",
                        r.due_on.format("%d/%m/%Y"),
                        named.join("; ")
                    );
                    match self
                        .step_in(
                            &mut tx,
                            SYSTEM_ACTOR,
                            &c,
                            &target,
                            &note,
                            serde_json::json!({ "recheck": r.id }),
                        )
                        .await
                    {
                        Ok(()) => {
                            tx.commit().await?;
                            message = remaining("recheck-remains-reopened")
                                .label("state", format!("case-state-{}", target.id));
                        }
                        Err(Error::Transition(why)) => {
                            message =
                                remaining("recheck-remains-not-reopened").msgs("why", vec![why]);
                        }
                        Err(e) => return Err(e),
                    }
                }
                _ => message = remaining("recheck-remains-moved-on"),
            }
        }
        let after_json = serde_json::to_string(&after).map_err(Error::internal)?;
        sqlx::query(
            "UPDATE watch_rechecks SET status = 'done', after_signs = $1, outcome = $2, message = $3, done_at = $4 WHERE id = $5",
        )
        .bind(after_json)
        .bind(if remains { "remains" } else { "cleared" })
        .bind(stored(&message)?)
        .bind(now)
        .bind(r.id)
        .execute(self.db.pool())
        .await?;
        self.recheck(r.id).await
    }
}

/// What one pass over the re-checks did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RecheckPass {
    /// Re-checks whose crawl was queued.
    pub started: usize,
    /// Re-checks whose outcome was recorded.
    pub concluded: usize,
}

impl Crawler {
    /// Queues a crawl for every re-check that is due, and records the outcome of those whose
    /// crawl ended. The serving process calls this every minute; it is safe to call again.
    pub async fn advance_rechecks(&self) -> Result<RecheckPass> {
        let watch = self.watch();
        let pool = watch.db.pool();
        let mut pass = RecheckPass::default();
        let due = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM watch_rechecks WHERE status = 'scheduled' AND due_at <= $1 ORDER BY due_at, id"
        ))
        .bind(watch.clock.now_micros())
        .fetch_all(pool)
        .await?;
        for row in &due {
            let r = recheck_from(row)?;
            let crawl = self.enqueue(SYSTEM_ACTOR, r.subject_id).await?;
            sqlx::query(
                "UPDATE watch_rechecks SET status = 'crawling', crawl_id = $1 WHERE id = $2 AND status = 'scheduled'",
            )
            .bind(crawl.id)
            .bind(r.id)
            .execute(pool)
            .await?;
            pass.started += 1;
        }
        let crawling = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM watch_rechecks WHERE status = 'crawling' ORDER BY id"
        ))
        .fetch_all(pool)
        .await?;
        for row in &crawling {
            let r = recheck_from(row)?;
            let Some(crawl_id) = r.crawl_id else { continue };
            let crawl = self.crawl(crawl_id).await?;
            if matches!(crawl.status.as_str(), "queued" | "running") {
                continue;
            }
            watch.conclude_recheck(&r, &crawl.status).await?;
            pass.concluded += 1;
        }
        Ok(pass)
    }
}
