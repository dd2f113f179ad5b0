//! Sanctions: the Inspectorate's decision on a case — its number and date, the legal basis
//! (decree, article, clause), the fine and the remedial measures. Recording one moves the case
//! to the workflow's state that requires a sanction (`xu_phat`), in the same transaction; the
//! managing unit's history then shows every sanction it had, so a repeat violation is seen.

use chrono::NaiveDate;
use lantoa_core::role::Role;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::cases::Case;
use crate::{Error, Result, Watch};

/// A sanction to record.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSanction {
    /// The decision's number and code (`12/QĐ-XPHC`).
    pub decision_no: String,
    /// Its date, `YYYY-MM-DD` or `dd/mm/yyyy`.
    pub decision_date: String,
    /// The decree it applies (`14/2022/NĐ-CP`).
    pub decree: String,
    /// The article.
    pub article: String,
    /// The clause, if any.
    #[serde(default)]
    pub clause: String,
    /// The fine, VND (0 when the decision only warns).
    pub fine_vnd: i64,
    /// The remedial measures ordered.
    #[serde(default)]
    pub remedies: String,
    /// The step's reason on the case's timeline.
    pub note: String,
}

/// A recorded sanction.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Sanction {
    /// Its id.
    pub id: i64,
    /// The case it ends.
    pub case_id: i64,
    /// The subject.
    pub subject_id: i64,
    /// The subject's managing unit at the time, if registered.
    pub unit_id: Option<i64>,
    /// The decision's number.
    pub decision_no: String,
    /// Its date.
    pub decision_date: NaiveDate,
    /// Decree.
    pub decree: String,
    /// Article.
    pub article: String,
    /// Clause.
    pub clause: String,
    /// Fine, VND.
    pub fine_vnd: i64,
    /// Remedial measures.
    pub remedies: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When, µs.
    pub recorded_at: i64,
}

const COLUMNS: &str = "id, case_id, subject_id, unit_id, decision_no, decision_date, decree, article, clause, fine_vnd, remedies, recorded_by, recorded_at";

fn sanction_from(r: &sqlx::any::AnyRow) -> Result<Sanction> {
    let date: String = r.try_get(5)?;
    Ok(Sanction {
        id: r.try_get(0)?,
        case_id: r.try_get(1)?,
        subject_id: r.try_get(2)?,
        unit_id: r.try_get(3)?,
        decision_no: r.try_get(4)?,
        decision_date: NaiveDate::parse_from_str(&date, "%Y-%m-%d").map_err(|e| {
            Error::Invalid {
                field: "decision_date",
                message: format!("stored date {date:?}: {e}"),
            }
        })?,
        decree: r.try_get(6)?,
        article: r.try_get(7)?,
        clause: r.try_get(8)?,
        fine_vnd: r.try_get(9)?,
        remedies: r.try_get(10)?,
        recorded_by: r.try_get(11)?,
        recorded_at: r.try_get(12)?,
    })
}

fn required<'a>(field: &'static str, value: &'a str, what: &str) -> Result<&'a str> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::Invalid {
            field,
            message: format!("a sanction needs {what}"),
        });
    }
    Ok(v)
}

/// A date as officers write it, `YYYY-MM-DD` or `dd/mm/yyyy`; errors name `field`.
pub(crate) fn parse_date(field: &'static str, value: &str) -> Result<NaiveDate> {
    let v = value.trim();
    crate::import::parse_date(v).ok_or_else(|| Error::Invalid {
        field,
        message: format!("{v:?} is not a date (YYYY-MM-DD or dd/mm/yyyy)"),
    })
}

impl Watch {
    /// Records the Inspectorate's decision on case `case_id` and moves the case to the state
    /// that requires a sanction — both or neither. The move must be one the workflow allows
    /// to a holder of `roles` from the case's state.
    pub async fn record_sanction(
        &self,
        actor: &str,
        roles: &[Role],
        case_id: i64,
        new: &NewSanction,
    ) -> Result<(Case, Sanction)> {
        let Some(to) = self
            .case_rules()
            .state_requiring("sanction")
            .map(|s| s.id.clone())
        else {
            return Err(Error::Transition(
                "the case workflow has no state that records a sanction".into(),
            ));
        };
        let (c, target, note) = self.checked_move(roles, case_id, &to, &new.note).await?;
        let decision_no = required("decision_no", &new.decision_no, "its decision's number")?;
        let decision_date = parse_date("decision_date", &new.decision_date)?;
        let decree = required("decree", &new.decree, "the decree it applies")?;
        let article = required("article", &new.article, "the article it applies")?;
        if new.fine_vnd < 0 {
            return Err(Error::Invalid {
                field: "fine_vnd",
                message: format!("a fine cannot be negative ({})", new.fine_vnd),
            });
        }
        let subject = self.get(c.subject_id).await?;
        let now = self.clock.now_micros();
        let mut tx = self.db.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO watch_sanctions (case_id, subject_id, unit_id, decision_no, decision_date, decree, article, clause, fine_vnd, remedies, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(c.id)
        .bind(c.subject_id)
        .bind(subject.managing_unit_id)
        .bind(decision_no)
        .bind(decision_date.format("%Y-%m-%d").to_string())
        .bind(decree)
        .bind(article)
        .bind(new.clause.trim())
        .bind(new.fine_vnd)
        .bind(new.remedies.trim())
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        self.step_in(
            &mut tx,
            actor,
            &c,
            &target,
            note,
            serde_json::json!({
                "sanction": id, "decision_no": decision_no, "decision_date": decision_date,
                "decree": decree, "article": article, "clause": new.clause.trim(),
                "fine_vnd": new.fine_vnd,
            }),
        )
        .await?;
        tx.commit().await?;
        let sanction = self.case_sanction(c.id).await?.ok_or_else(|| {
            Error::Transition(format!(
                "sanction {id} was recorded but cannot be read back"
            ))
        })?;
        Ok((self.case(c.id).await?, sanction))
    }

    /// The sanction that ended a case, if any.
    pub async fn case_sanction(&self, case_id: i64) -> Result<Option<Sanction>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM watch_sanctions WHERE case_id = $1"
        ))
        .bind(case_id)
        .fetch_optional(self.db.pool())
        .await?;
        row.as_ref().map(sanction_from).transpose()
    }

    /// Every sanction of a managing unit, oldest first: its history of violations.
    pub async fn unit_sanctions(&self, unit_id: i64) -> Result<Vec<Sanction>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM watch_sanctions WHERE unit_id = $1 ORDER BY decision_date, id"
        ))
        .bind(unit_id)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(sanction_from).collect()
    }
}
