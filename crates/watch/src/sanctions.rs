//! Sanctions: the Inspectorate's decision on a case — its number and date, the legal basis
//! (decree, article, clause), the fine and the remedial measures. Recording one moves the case
//! to the workflow's state that requires a sanction (`xu_phat`), in the same transaction; the
//! managing unit's history then shows every sanction it had, so a repeat violation is seen.
//!
//! A decision is recorded only on a case whose dossier went to the Inspectorate (the
//! workflow's `transferred` state), dated neither in the future nor before that transfer, on a
//! decree, article and clause listed in `data/watch/sanctions.toml` (config
//! `watch.sanctions`), with a fine in that clause's range. Each refusal names its field.

use std::sync::LazyLock;

use chrono::NaiveDate;
use lantoa_core::msg::Msg;
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
        decision_date: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
            .map_err(|e| Error::internal(format!("stored decision date {date:?}: {e}")))?,
        decree: r.try_get(6)?,
        article: r.try_get(7)?,
        clause: r.try_get(8)?,
        fine_vnd: r.try_get(9)?,
        remedies: r.try_get(10)?,
        recorded_by: r.try_get(11)?,
        recorded_at: r.try_get(12)?,
    })
}

/// The sanctioning decrees: which articles and clauses exist and each clause's fine range.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SanctionRules {
    #[serde(rename = "decree")]
    decrees: Vec<Decree>,
}

/// One sanctioning decree.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decree {
    /// Its number as written (`15/2020/NĐ-CP`).
    pub id: String,
    /// Numbers a decision may cite instead (an amending decree).
    #[serde(default)]
    pub also: Vec<String>,
    /// Its title.
    pub name: String,
    /// How many times a clause's range an organisation's fine may reach.
    #[serde(default = "one")]
    pub organisation_factor: i64,
    /// Its articles that the Inspectorate applies.
    #[serde(default, rename = "article")]
    pub articles: Vec<Article>,
}

/// An article of a decree.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    /// Its number.
    pub number: String,
    /// Its clauses.
    #[serde(default, rename = "clause")]
    pub clauses: Vec<Clause>,
}

/// A clause and its fine range.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// Its number.
    pub number: String,
    /// What it covers.
    #[serde(default)]
    pub about: String,
    /// The least fine, VND.
    pub min_vnd: i64,
    /// The greatest fine, VND (for whom the decree states it; see `organisation_factor`).
    pub max_vnd: i64,
    /// A decision may warn without a fine.
    #[serde(default)]
    pub warning: bool,
}

fn one() -> i64 {
    1
}

/// `15/2020/NĐ-CP` in a comparable form: upper case, no spaces, `Đ` as `D`.
fn decree_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .map(|c| if c == 'Đ' { 'D' } else { c })
        .collect()
}

static DECREE_NUMBER: LazyLock<Option<regex::Regex>> =
    LazyLock::new(|| regex::Regex::new(r"(?i)\d+\s*/\s*\d{4}\s*/\s*N[ĐD]\s*-\s*CP").ok());

/// 1.000.000 đồng, as Vietnamese write money.
fn vnd(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!(
        "{sign}{} đồng",
        lantoa_core::text::thousands(n.unsigned_abs())
    )
}

impl SanctionRules {
    /// The shipped file, `data/watch/sanctions.toml`.
    pub fn builtin() -> Result<Self> {
        Self::from_toml(include_str!("../../../data/watch/sanctions.toml"))
    }

    /// Reads a sanctions file; a clause whose range is empty or negative is refused.
    pub fn from_toml(text: &str) -> Result<Self> {
        let rules: SanctionRules =
            toml::from_str(text).map_err(|e| Error::config("sanctions", e))?;
        for d in &rules.decrees {
            for a in &d.articles {
                for c in &a.clauses {
                    if c.min_vnd < 0 || c.max_vnd < c.min_vnd {
                        return Err(Error::config(
                            "sanctions",
                            format!(
                                "decree {} art. {} cl. {}: the range {}–{} is not a range",
                                d.id, a.number, c.number, c.min_vnd, c.max_vnd
                            ),
                        ));
                    }
                }
            }
            if d.organisation_factor < 1 {
                return Err(Error::config(
                    "sanctions",
                    format!("decree {}: organisation_factor must be 1 or more", d.id),
                ));
            }
        }
        Ok(rules)
    }

    /// The decree a decision cites (`15/2020/NĐ-CP (sửa đổi bởi 14/2022/NĐ-CP)` cites 15/2020).
    pub fn decree(&self, cited: &str) -> Option<&Decree> {
        let re = DECREE_NUMBER.as_ref()?;
        re.find_iter(cited).find_map(|m| {
            let key = decree_key(m.as_str());
            self.decrees
                .iter()
                .find(|d| decree_key(&d.id) == key || d.also.iter().any(|a| decree_key(a) == key))
        })
    }

    /// Every decree, in the file's order.
    pub fn decrees(&self) -> &[Decree] {
        &self.decrees
    }

    /// Checks a decision's legal basis and fine: the decree, article and clause exist and the
    /// fine is within the clause's range. Each refusal names its field.
    fn check(&self, decree: &str, article: &str, clause: &str, fine: i64) -> Result<()> {
        let bad = Error::invalid;
        let known = || {
            self.decrees
                .iter()
                .map(|d| d.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let d = self.decree(decree).ok_or_else(|| {
            bad(
                "decree",
                Msg::new("sanction-unknown-decree")
                    .arg("decree", decree)
                    .arg("known", known()),
            )
        })?;
        let number = article
            .trim()
            .trim_start_matches(|c: char| !c.is_ascii_digit());
        let a = d
            .articles
            .iter()
            .find(|a| a.number == number)
            .ok_or_else(|| {
                let listed: Vec<&str> = d.articles.iter().map(|a| a.number.as_str()).collect();
                bad(
                    "article",
                    if listed.is_empty() {
                        Msg::new("sanction-no-articles").arg("decree", &d.id)
                    } else {
                        Msg::new("sanction-unknown-article")
                            .arg("decree", &d.id)
                            .arg("article", article)
                            .arg("known", listed.join(", "))
                    },
                )
            })?;
        let clause_no = clause
            .trim()
            .trim_start_matches(|c: char| !c.is_ascii_digit());
        let c = a
            .clauses
            .iter()
            .find(|c| c.number == clause_no)
            .ok_or_else(|| {
                let listed: Vec<&str> = a.clauses.iter().map(|c| c.number.as_str()).collect();
                bad(
                    "clause",
                    Msg::new("sanction-unknown-clause")
                        .arg("article", &a.number)
                        .arg("decree", &d.id)
                        .arg("clause", clause)
                        .arg("known", listed.join(", ")),
                )
            })?;
        if fine == 0 && c.warning {
            return Ok(());
        }
        let max = c.max_vnd.saturating_mul(d.organisation_factor);
        if fine < c.min_vnd || fine > max {
            return Err(bad(
                "fine_vnd",
                Msg::new(if d.organisation_factor > 1 {
                    "sanction-fine-out-of-range-org"
                } else {
                    "sanction-fine-out-of-range"
                })
                .arg("fine", vnd(fine))
                .arg("article", &a.number)
                .arg("clause", &c.number)
                .arg("decree", &d.id)
                .arg("min", vnd(c.min_vnd))
                .arg("max", vnd(c.max_vnd))
                .arg("organisation", vnd(max)),
            ));
        }
        Ok(())
    }
}

/// `value` trimmed, or an error that the sanction needs `field` (message `sanction-needs`, with
/// the field named in words by `sanction-field-…`).
fn required<'a>(field: &'static str, value: &'a str) -> Result<&'a str> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(
            field,
            Msg::new("sanction-needs").label("what", format!("sanction-field-{field}")),
        ));
    }
    Ok(v)
}

/// A date as officers write it, `YYYY-MM-DD` or `dd/mm/yyyy`; errors name `field`.
pub(crate) fn parse_date(field: &'static str, value: &str) -> Result<NaiveDate> {
    let v = value.trim();
    crate::import::parse_date(v)
        .ok_or_else(|| Error::invalid(field, Msg::new("watch-not-a-date").arg("value", v)))
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
            return Err(Error::config(
                "watch.cases",
                "the case workflow has no state that records a sanction",
            ));
        };
        let (c, target, note) = self.checked_move(roles, case_id, &to, &new.note).await?;
        let decision_no = required("decision_no", &new.decision_no)?;
        let decision_date = parse_date("decision_date", &new.decision_date)?;
        let decree = required("decree", &new.decree)?;
        let article = required("article", &new.article)?;
        if new.fine_vnd < 0 {
            return Err(Error::invalid(
                "fine_vnd",
                Msg::new("sanction-fine-negative").arg("fine", new.fine_vnd),
            ));
        }
        // The dossier went to the Inspectorate first, and the decision follows it.
        let transferred = self
            .cases
            .figure_states()
            .transferred
            .clone()
            .ok_or_else(|| {
                Error::config(
                    "watch.cases",
                    "the case workflow names no state for a transfer to the Inspectorate",
                )
            })?;
        let transfer = self
            .case_timeline(c.id)
            .await?
            .into_iter()
            .filter(|e| e.to == transferred)
            .map(|e| e.at)
            .max()
            .ok_or_else(|| {
                Error::invalid(
                    "case",
                    Msg::new("sanction-not-transferred")
                        .label("state", format!("case-state-{transferred}"))
                        .arg("case", c.id),
                )
            })?;
        let transfer_day = lantoa_core::time::local_date(lantoa_core::time::from_micros(transfer));
        let today = lantoa_core::time::local_date(self.clock.now());
        if decision_date > today {
            return Err(Error::invalid(
                "decision_date",
                Msg::new("watch-date-in-future")
                    .arg("date", decision_date.format("%d/%m/%Y"))
                    .arg("today", today.format("%d/%m/%Y")),
            ));
        }
        if decision_date < transfer_day {
            return Err(Error::invalid(
                "decision_date",
                Msg::new("sanction-before-transfer")
                    .arg("date", decision_date.format("%d/%m/%Y"))
                    .arg("transferred", transfer_day.format("%d/%m/%Y")),
            ));
        }
        self.sanctions
            .check(decree, article, &new.clause, new.fine_vnd)?;
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
            Error::internal(format!(
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
