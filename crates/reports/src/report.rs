//! A report per period: its figures (read live while it is a draft or in review, kept as they
//! were once approved), the same period last year for comparison, the plan's target per figure,
//! and the texts officers write per section (every save a version). Draft → review (its author
//! submits) → approved (by someone else; the figures are kept then). An approved report may be
//! reopened as the next version.

use chrono::{Datelike, NaiveDate};
use lantoa_plans::regime::{Cutoff, Frequency, Regime};
use lantoa_store::{Clock, Db, audit};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::figures::{self, Labels, Section, Sources};
use lantoa_core::msg::Msg;

use crate::{Error, Result};

/// The sections officers write, after the figures' fields: shortcomings, and the tasks ahead.
pub const TEXT_SECTIONS: [&str; 6] = [
    "watch",
    "notify",
    "opendata",
    "plans",
    "shortcomings",
    "next_tasks",
];

/// A report as stored.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    /// Id.
    pub id: i64,
    /// `monthly`, `quarterly`, `half_yearly` or `yearly`.
    pub frequency: String,
    /// The year.
    pub year: i32,
    /// Which period of the year (1-based).
    pub n: u32,
    /// `decree09` or `calendar`.
    pub cutoff: String,
    /// `Năm 2023`, `Quý I/2024`.
    pub label: String,
    /// The figures' first day.
    pub from: NaiveDate,
    /// Their last day.
    pub to: NaiveDate,
    /// `draft`, `review` or `approved`.
    pub state: String,
    /// Its version (1, then one more each time it is reopened).
    pub version: i64,
    /// Who created it.
    pub created_by: String,
    /// Who sent it for review.
    pub submitted_by: Option<String>,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// When, µs.
    pub approved_at: Option<i64>,
    /// Its number in the register of reports, from its first approval.
    pub number: Option<i64>,
}

/// What the report shows: its figures, last year's, the targets and the texts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Contents {
    /// This period's figures by field.
    pub sections: Vec<Section>,
    /// The same period a year before.
    pub last_year: Vec<Section>,
    /// Targets by figure key.
    pub targets: Vec<(String, f64)>,
    /// The latest text of each section, by section.
    pub texts: Vec<(String, Text)>,
}

/// One version of a section's text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Text {
    /// Its version.
    pub version: i64,
    /// What it says.
    pub body: String,
    /// Who wrote it.
    pub written_by: String,
    /// When, µs.
    pub written_at: i64,
}

impl Contents {
    /// The target of figure `key`.
    pub fn target(&self, key: &str) -> Option<f64> {
        self.targets.iter().find(|(k, _)| k == key).map(|(_, t)| *t)
    }

    /// The text of section `name`.
    pub fn text(&self, name: &str) -> Option<&Text> {
        self.texts.iter().find(|(k, _)| k == name).map(|(_, t)| t)
    }
}

fn invalid(field: &'static str, message: Msg) -> Error {
    Error::Invalid { field, message }
}

/// The label of a report's state.
fn state(s: &str) -> String {
    format!("reports-state-{s}")
}

/// A frequency from its name.
pub fn frequency(s: &str) -> Result<Frequency> {
    match s {
        "monthly" => Ok(Frequency::Monthly),
        "quarterly" => Ok(Frequency::Quarterly),
        "half_yearly" => Ok(Frequency::HalfYearly),
        "yearly" => Ok(Frequency::Yearly),
        other => Err(invalid(
            "frequency",
            Msg::new("plans-not-one-of")
                .arg("value", other)
                .arg("allowed", "monthly, quarterly, half_yearly, yearly"),
        )),
    }
}

fn cutoff(s: &str) -> Result<Cutoff> {
    match s {
        "decree09" => Ok(Cutoff::Decree09),
        "calendar" => Ok(Cutoff::Calendar),
        other => Err(invalid(
            "cutoff",
            Msg::new("plans-not-one-of")
                .arg("value", other)
                .arg("allowed", "decree09, calendar"),
        )),
    }
}

/// The days a report covers: period `n` of `year` at `frequency` under `cutoff`.
pub fn period(
    frequency_name: &str,
    year: i32,
    n: u32,
    cutoff_name: &str,
) -> Result<lantoa_plans::regime::ReportingPeriod> {
    let f = frequency(frequency_name)?;
    let per_year = match f {
        Frequency::Monthly => 12,
        Frequency::Quarterly => 4,
        Frequency::HalfYearly => 2,
        Frequency::Yearly => 1,
    };
    if !(1..=per_year).contains(&n) {
        return Err(invalid(
            "n",
            Msg::new("report-bad-period")
                .arg("value", n)
                .arg("max", per_year),
        ));
    }
    if !(2000..=2100).contains(&year) {
        return Err(invalid(
            "year",
            Msg::new("report-bad-year").arg("year", year),
        ));
    }
    Ok(Regime {
        frequency: f,
        cutoff: cutoff(cutoff_name)?,
        due_days_after_cutoff: 0,
    }
    .period(year, n))
}

const COLUMNS: &str = "id, frequency, year, n, cutoff, label, from_day, to_day, state, version, created_by, submitted_by, approved_by, approved_at, number";

fn day(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| Error::Corrupt(format!("{s}: {e}")))
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Report> {
    Ok(Report {
        id: r.try_get(0)?,
        frequency: r.try_get(1)?,
        year: i32::try_from(r.try_get::<i64, _>(2)?).unwrap_or_default(),
        n: u32::try_from(r.try_get::<i64, _>(3)?).unwrap_or_default(),
        cutoff: r.try_get(4)?,
        label: r.try_get(5)?,
        from: day(&r.try_get::<String, _>(6)?)?,
        to: day(&r.try_get::<String, _>(7)?)?,
        state: r.try_get(8)?,
        version: r.try_get(9)?,
        created_by: r.try_get(10)?,
        submitted_by: r.try_get(11)?,
        approved_by: r.try_get(12)?,
        approved_at: r.try_get(13)?,
        number: r.try_get(14)?,
    })
}

/// The reports service.
#[derive(Debug, Clone)]
pub struct Reports {
    db: Db,
    clock: Clock,
    labels: std::sync::Arc<Labels>,
    sources: Sources,
}

impl Reports {
    /// The service reading figures from `sources`.
    pub fn new(db: Db, sources: Sources) -> Result<Self> {
        Ok(Self {
            db,
            clock: Clock::System,
            labels: Labels::shipped()?,
            sources,
        })
    }

    /// The same service on another clock (tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The figures' names.
    pub fn labels(&self) -> &Labels {
        &self.labels
    }

    /// Creates the report of a period (once per period and cut-off rule).
    pub async fn create(
        &self,
        actor: &str,
        frequency_name: &str,
        year: i32,
        n: u32,
        cutoff_name: &str,
    ) -> Result<Report> {
        let p = period(frequency_name, year, n, cutoff_name)?;
        let mut tx = self.db.begin().await?;
        let id: i64 = match sqlx::query(
            "INSERT INTO reports_reports (frequency, year, n, cutoff, label, from_day, to_day, state, version, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', 1, $8, $9) RETURNING id",
        )
        .bind(frequency_name)
        .bind(i64::from(year))
        .bind(i64::from(n))
        .bind(cutoff_name)
        .bind(&p.label)
        .bind(p.from.format("%Y-%m-%d").to_string())
        .bind(p.to.format("%Y-%m-%d").to_string())
        .bind(actor)
        .bind(self.clock.now_micros())
        .fetch_one(&mut *tx)
        .await
        {
            Ok(r) => r.try_get(0)?,
            Err(e) if lantoa_store::is_unique_violation(&e) => {
                return Err(Error::Duplicate(
                    Msg::new("report-exists").arg("label", &p.label),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        audit::append_at(
            &mut tx,
            &audit::Entry::new(actor, "reports.created", format!("report:{id}")).after(
                serde_json::json!({ "label": p.label, "from": p.from, "to": p.to, "cutoff": cutoff_name }),
            ),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        self.report(id).await
    }

    /// A report.
    pub async fn report(&self, id: i64) -> Result<Report> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM reports_reports WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or(Error::NotFound(id))?;
        from_row(&row)
    }

    /// Every report, the newest period first.
    pub async fn reports(&self) -> Result<Vec<Report>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM reports_reports ORDER BY to_day DESC, id DESC"
        ))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// What the report shows: live figures for a draft or one in review, those it was approved
    /// with once approved.
    pub async fn contents(&self, r: &Report) -> Result<Contents> {
        if r.state == "approved" {
            let snap: Option<String> =
                sqlx::query_scalar("SELECT snapshot_json FROM reports_reports WHERE id = $1")
                    .bind(r.id)
                    .fetch_one(self.db.pool())
                    .await?;
            if let Some(s) = snap {
                return serde_json::from_str(&s).map_err(|e| Error::Corrupt(e.to_string()));
            }
        }
        self.live(r).await
    }

    async fn live(&self, r: &Report) -> Result<Contents> {
        let sections = figures::collect(&self.sources, &self.labels, r.from, r.to).await;
        let a_year_before = |d: NaiveDate| {
            d.with_year(d.year() - 1)
                .unwrap_or(d - chrono::Duration::days(365))
        };
        let last_year = figures::collect(
            &self.sources,
            &self.labels,
            a_year_before(r.from),
            a_year_before(r.to),
        )
        .await;
        let targets = sqlx::query(
            "SELECT figure, target FROM reports_targets WHERE report_id = $1 ORDER BY figure",
        )
        .bind(r.id)
        .fetch_all(self.db.pool())
        .await?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect::<Result<Vec<(String, f64)>>>()?;
        let mut texts = Vec::new();
        for section in TEXT_SECTIONS {
            if let Some(t) = self.text(r.id, section).await? {
                texts.push((section.to_owned(), t));
            }
        }
        Ok(Contents {
            sections,
            last_year,
            targets,
            texts,
        })
    }

    /// The latest text of a section.
    pub async fn text(&self, id: i64, section: &str) -> Result<Option<Text>> {
        Ok(self.history(id, section).await?.into_iter().next())
    }

    /// Every version of a section's text, the newest first.
    pub async fn history(&self, id: i64, section: &str) -> Result<Vec<Text>> {
        let rows = sqlx::query(
            "SELECT version, body, written_by, written_at FROM reports_texts
             WHERE report_id = $1 AND section = $2 ORDER BY version DESC",
        )
        .bind(id)
        .bind(section)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Text {
                    version: r.try_get(0)?,
                    body: r.try_get(1)?,
                    written_by: r.try_get(2)?,
                    written_at: r.try_get(3)?,
                })
            })
            .collect()
    }

    fn draft_only(r: &Report) -> Result<()> {
        if r.state == "draft" {
            Ok(())
        } else {
            Err(Error::Refused(
                Msg::new("report-draft-only")
                    .arg("label", &r.label)
                    .label("state", state(&r.state)),
            ))
        }
    }

    /// Saves a section's text as its next version.
    pub async fn write(&self, actor: &str, id: i64, section: &str, body: &str) -> Result<Text> {
        let r = self.report(id).await?;
        Self::draft_only(&r)?;
        if !TEXT_SECTIONS.contains(&section) {
            return Err(invalid(
                "section",
                Msg::new("plans-not-one-of")
                    .arg("value", section)
                    .arg("allowed", TEXT_SECTIONS.join(", ")),
            ));
        }
        let body = body.trim();
        if body.chars().count() > 20_000 {
            return Err(invalid("body", Msg::new("report-section-too-long")));
        }
        let mut tx = self.db.begin().await?;
        let version: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM reports_texts WHERE report_id = $1 AND section = $2",
        )
        .bind(id)
        .bind(section)
        .fetch_one(&mut *tx)
        .await?;
        let now = self.clock.now_micros();
        sqlx::query(
            "INSERT INTO reports_texts (report_id, section, version, body, written_by, written_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(section)
        .bind(version)
        .bind(body)
        .bind(actor)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if lantoa_store::is_unique_violation(&e) {
                Error::Refused(Msg::new("report-section-saved-meanwhile"))
            } else {
                e.into()
            }
        })?;
        audit::append_at(
            &mut tx,
            &audit::Entry::new(actor, "reports.text_written", format!("report:{id}"))
                .after(serde_json::json!({ "section": section, "version": version })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok(Text {
            version,
            body: body.to_owned(),
            written_by: actor.to_owned(),
            written_at: now,
        })
    }

    /// Sets (or with `None` clears) the plan's target for a figure.
    pub async fn set_target(
        &self,
        actor: &str,
        id: i64,
        key: &str,
        target: Option<f64>,
    ) -> Result<()> {
        let r = self.report(id).await?;
        Self::draft_only(&r)?;
        if self.labels.figure(key).is_none() {
            return Err(invalid(
                "figure",
                Msg::new("report-not-a-figure").arg("value", key),
            ));
        }
        if let Some(t) = target
            && (!t.is_finite() || t < 0.0)
        {
            return Err(invalid(
                "target",
                Msg::new("report-bad-target").arg("value", t),
            ));
        }
        let mut tx = self.db.begin().await?;
        sqlx::query("DELETE FROM reports_targets WHERE report_id = $1 AND figure = $2")
            .bind(id)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        if let Some(t) = target {
            sqlx::query(
                "INSERT INTO reports_targets (report_id, figure, target) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(key)
            .bind(t)
            .execute(&mut *tx)
            .await?;
        }
        audit::append_at(
            &mut tx,
            &audit::Entry::new(actor, "reports.target_set", format!("report:{id}"))
                .after(serde_json::json!({ "figure": key, "target": target })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn step(
        &self,
        actor: &str,
        r: &Report,
        to: &str,
        snapshot: Option<String>,
        action: &str,
    ) -> Result<Report> {
        let mut tx = self.db.begin().await?;
        let done = sqlx::query(
            "UPDATE reports_reports SET state = $1,
                 submitted_by = CASE WHEN $1 = 'review' THEN $2 ELSE submitted_by END,
                 approved_by = CASE WHEN $1 = 'approved' THEN $2 WHEN $1 = 'draft' THEN NULL ELSE approved_by END,
                 approved_at = CASE WHEN $1 = 'approved' THEN $3 WHEN $1 = 'draft' THEN NULL ELSE approved_at END,
                 snapshot_json = $4,
                 version = CASE WHEN state = 'approved' AND $1 = 'draft' THEN version + 1 ELSE version END
             WHERE id = $5 AND state = $6",
        )
        .bind(to)
        .bind(actor)
        .bind(self.clock.now_micros())
        .bind(snapshot)
        .bind(r.id)
        .bind(&r.state)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(Error::Refused(
                Msg::new("report-changed-meanwhile").arg("label", &r.label),
            ));
        }
        if to == "approved" {
            // The next number of this year's register, unless it has one from an earlier
            // approval; two approvals at once meet at the unique index and one tries again.
            let year = i64::from(
                self.clock
                    .now()
                    .with_timezone(&lantoa_core::time::zone())
                    .year(),
            );
            sqlx::query(
                "UPDATE reports_reports SET number_year = $1, number = (
                     SELECT COALESCE(MAX(number), 0) + 1 FROM reports_reports WHERE number_year = $1)
                 WHERE id = $2 AND number IS NULL",
            )
            .bind(year)
            .bind(r.id)
            .execute(&mut *tx)
            .await?;
        }
        audit::append_at(
            &mut tx,
            &audit::Entry::new(actor, action, format!("report:{}", r.id))
                .before(serde_json::json!({ "state": r.state, "version": r.version }))
                .after(serde_json::json!({ "state": to })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        self.report(r.id).await
    }

    /// The steps a report can take, by the name a request gives them.
    pub const STEPS: [&'static str; 4] = ["submit", "send-back", "approve", "reopen"];

    /// Takes the step a request names (one of [`Reports::STEPS`]); an unknown name is refused
    /// as the `step` field, naming the steps there are.
    pub async fn take_step(&self, actor: &str, id: i64, step: &str) -> Result<Report> {
        match step {
            "submit" => self.submit(actor, id).await,
            "send-back" => self.send_back(actor, id).await,
            "approve" => self.approve(actor, id).await,
            "reopen" => self.reopen(actor, id).await,
            other => Err(Error::Invalid {
                field: "step",
                message: Msg::new("plans-not-one-of")
                    .arg("value", other)
                    .arg("allowed", Self::STEPS.join(", ")),
            }),
        }
    }

    /// Its author (or any writer) sends a draft for review.
    pub async fn submit(&self, actor: &str, id: i64) -> Result<Report> {
        let r = self.report(id).await?;
        Self::draft_only(&r)?;
        self.step(actor, &r, "review", None, "reports.submitted")
            .await
    }

    /// The reviewer sends it back to draft.
    pub async fn send_back(&self, actor: &str, id: i64) -> Result<Report> {
        let r = self.report(id).await?;
        if r.state != "review" {
            return Err(Error::Refused(
                Msg::new("report-not-in-review")
                    .arg("label", &r.label)
                    .label("state", state(&r.state)),
            ));
        }
        self.step(actor, &r, "draft", None, "reports.sent_back")
            .await
    }

    /// Someone other than who submitted it approves a report in review; its figures are kept
    /// as they are now.
    pub async fn approve(&self, actor: &str, id: i64) -> Result<Report> {
        let r = self.report(id).await?;
        if r.state != "review" {
            return Err(Error::Refused(
                Msg::new("report-not-in-review")
                    .arg("label", &r.label)
                    .label("state", state(&r.state)),
            ));
        }
        if r.submitted_by
            .as_deref()
            .is_some_and(|by| lantoa_core::actor::same_person(by, actor))
        {
            return Err(Error::Refused(Msg::new("report-second-person")));
        }
        let contents = self.live(&r).await?;
        if let Some(s) = contents.sections.iter().find(|s| s.error.is_some()) {
            return Err(Error::Refused(
                Msg::new("report-section-without-figures")
                    .arg("section", &s.field)
                    .arg("detail", s.error.as_deref().unwrap_or_default()),
            ));
        }
        let snapshot =
            serde_json::to_string(&contents).map_err(|e| Error::Corrupt(e.to_string()))?;
        for _ in 0..5 {
            match self
                .step(
                    actor,
                    &r,
                    "approved",
                    Some(snapshot.clone()),
                    "reports.approved",
                )
                .await
            {
                Err(Error::Store(lantoa_store::Error::Sql(e)))
                    if lantoa_store::is_unique_violation(&e) =>
                {
                    continue;
                }
                other => return other,
            }
        }
        Err(Error::Refused(Msg::new("report-register-busy")))
    }

    /// An approved report is reopened as a draft of its next version.
    pub async fn reopen(&self, actor: &str, id: i64) -> Result<Report> {
        let r = self.report(id).await?;
        if r.state != "approved" {
            return Err(Error::Refused(
                Msg::new("report-not-approved")
                    .arg("label", &r.label)
                    .label("state", state(&r.state)),
            ));
        }
        self.step(actor, &r, "draft", None, "reports.reopened")
            .await
    }
}

impl Reports {
    /// The demo city's annual reports, drafts, once: 2023's (the year `serve --demo` makes
    /// through the watch services), with two texts written for the demo, and this year's (the
    /// demo's SMS, alerts, loudspeakers, notices and open data happen now). Returns the ids made.
    pub async fn load_demo(&self, actor: &str) -> Result<Vec<i64>> {
        let this_year = self
            .clock
            .now()
            .with_timezone(&lantoa_core::time::zone())
            .year();
        let mut made = Vec::new();
        if this_year != 2023 {
            match self.create(actor, "yearly", this_year, 1, "calendar").await {
                Ok(r) => made.push(r.id),
                Err(Error::Duplicate(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let r = match self.create(actor, "yearly", 2023, 1, "calendar").await {
            Ok(r) => r,
            Err(Error::Duplicate(_)) => return Ok(made),
            Err(e) => return Err(e),
        };
        made.push(r.id);
        self.write(
            actor,
            r.id,
            "shortcomings",
            "Một số trang tin điện tử tổng hợp chậm khắc phục sau khi được mời làm việc; việc rà soát clip trên mạng xã hội còn phụ thuộc vào phản ánh của người dân. (Bản trình diễn.)",
        )
        .await?;
        self.write(
            actor,
            r.id,
            "next_tasks",
            "Tiếp tục rà soát toàn bộ trang tin điện tử tổng hợp được cấp phép; đôn đốc các đơn vị chưa khắc phục; mở rộng hệ thống truyền thanh thông minh đến các phường, xã chưa có cụm loa. (Bản trình diễn.)",
        )
        .await?;
        Ok(made)
    }
}
