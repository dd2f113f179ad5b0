//! Findings and the review queue: what the signals found, each with its quoted evidence, the
//! clause it rests on and the capture it came from; a watch officer confirms or dismisses
//! each, and the decision is kept (a later crawl never reopens it) and audited.

use lantoa_core::msg::Msg;
use lantoa_store::audit::{self, Entry};
use serde::Serialize;
use sqlx::Row;

use crate::signals::Category;
use crate::{Error, Result, Watch};

/// A reviewer's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The finding is right.
    Confirmed,
    /// The finding is wrong (a false positive).
    Dismissed,
}

impl Decision {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Confirmed => "confirmed",
            Decision::Dismissed => "dismissed",
        }
    }
}

impl std::str::FromStr for Decision {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "confirmed" | "confirm" => Ok(Decision::Confirmed),
            "dismissed" | "dismiss" => Ok(Decision::Dismissed),
            other => Err(Error::invalid(
                "decision",
                Msg::new("finding-bad-decision").arg("value", other),
            )),
        }
    }
}

/// A finding.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Id.
    pub id: i64,
    /// The subject.
    pub subject_id: i64,
    /// The subject's name.
    pub subject_name: String,
    /// The rule.
    pub rule_id: String,
    /// Its category.
    pub category: Category,
    /// The clause the rule rests on.
    pub clause: String,
    /// The rule's weight.
    pub weight: f64,
    /// The page.
    pub url: String,
    /// The quoted evidence.
    pub evidence: String,
    /// The page row of the capture.
    pub page_id: i64,
    /// The capture's WARC record (SHA-256 in the blob store).
    pub warc_sha256: Option<String>,
    /// The crawl that last saw it.
    pub last_crawl_id: i64,
    /// When first found (µs).
    pub found_at: i64,
    /// open, confirmed or dismissed.
    pub status: String,
    /// Who decided.
    pub reviewed_by: Option<String>,
    /// When (µs).
    pub reviewed_at: Option<i64>,
    /// Their note.
    pub review_note: Option<String>,
}

/// The filters of a findings query: subject ($1, 0 for any), status ($2) and category ($3),
/// '' for any.
const FINDING_FILTER: &str = "($1 = 0 OR f.subject_id = $1) AND ($2 = '' OR f.status = $2) \
     AND ($3 = '' OR f.category = $3)";

lantoa_core::sort_order!(
    crate::Error,
    crate::Error::invalid,
    /// How findings are ordered.
    FindingSort, "list-bad-sort", {
        /// The review queue's order: open first, the heaviest signals, the newest (the default).
        Queue = "queue" => "CASE WHEN f.status = 'open' THEN 0 ELSE 1 END, f.weight DESC, f.id DESC",
        /// The newest found first.
        Newest = "newest" => "f.id DESC",
        /// The oldest found first.
        Oldest = "oldest" => "f.id",
        /// By subject's name.
        Subject = "subject" => "s.name_key, f.id DESC",
    }
);

/// Which findings to list.
#[derive(Debug, Clone, Default)]
pub struct FindingQuery {
    /// Only this subject.
    pub subject_id: Option<i64>,
    /// Only this status (open, confirmed, dismissed).
    pub status: Option<String>,
    /// Only this category.
    pub category: Option<Category>,
    /// At most this many (1–500).
    pub limit: i64,
    /// Skipping this many, for a list read page by page.
    pub offset: i64,
    /// The order.
    pub sort: FindingSort,
}

/// A subject's score in a category.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectScore {
    /// The subject.
    pub subject_id: i64,
    /// Its name.
    pub subject_name: String,
    /// Its address.
    pub url: String,
    /// The category.
    pub category: Category,
    /// The score in [0, 1).
    pub score: f64,
    /// The rules behind it, with their weights.
    pub because: Vec<(String, f64)>,
    /// The crawl it came from.
    pub crawl_id: i64,
}

const FINDING_COLUMNS: &str = "f.id, f.subject_id, s.name, f.rule_id, f.category, f.clause, f.weight, f.url, f.evidence, f.page_id, p.warc_sha256, f.last_crawl_id, f.found_at, f.status, f.reviewed_by, f.reviewed_at, f.review_note";

fn finding_from_row(r: &sqlx::any::AnyRow) -> Result<Finding> {
    let category: String = r.try_get(4)?;
    Ok(Finding {
        id: r.try_get(0)?,
        subject_id: r.try_get(1)?,
        subject_name: r.try_get(2)?,
        rule_id: r.try_get(3)?,
        category: Category::parse(&category)
            .ok_or_else(|| Error::internal(format!("unknown category {category:?} in storage")))?,
        clause: r.try_get(5)?,
        weight: r.try_get(6)?,
        url: r.try_get(7)?,
        evidence: r.try_get(8)?,
        page_id: r.try_get(9)?,
        warc_sha256: r.try_get(10)?,
        last_crawl_id: r.try_get(11)?,
        found_at: r.try_get(12)?,
        status: r.try_get(13)?,
        reviewed_by: r.try_get(14)?,
        reviewed_at: r.try_get(15)?,
        review_note: r.try_get(16)?,
    })
}

/// Finding numbers as a form or a request gives them (each trimmed; empty ones skipped); one
/// that is not a number is named as `field`.
pub fn finding_ids<'a>(
    field: &'static str,
    values: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<i64>> {
    values
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|id| {
            id.parse::<i64>()
                .map_err(|_| Error::invalid(field, Msg::new("finding-bad-number").arg("value", id)))
        })
        .collect()
}

impl Watch {
    /// Findings, open ones first, then newest first.
    pub async fn findings(&self, q: &FindingQuery) -> Result<Vec<Finding>> {
        if let Some(s) = &q.status
            && !matches!(s.as_str(), "open" | "confirmed" | "dismissed")
        {
            return Err(Error::invalid(
                "status",
                Msg::new("finding-bad-status").arg("value", s),
            ));
        }
        let rows = sqlx::query(&format!(
            "SELECT {FINDING_COLUMNS} FROM watch_findings f
             JOIN watch_subjects s ON s.id = f.subject_id
             JOIN watch_pages p ON p.id = f.page_id
             WHERE {FINDING_FILTER}
             ORDER BY {}
             LIMIT $4 OFFSET $5",
            q.sort.order_by()
        ))
        .bind(q.subject_id.unwrap_or(0))
        .bind(q.status.clone().unwrap_or_default())
        .bind(q.category.map(Category::as_str).unwrap_or(""))
        .bind(q.limit.clamp(1, 500))
        .bind(q.offset.max(0))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(finding_from_row).collect()
    }

    /// How many findings `q`'s filters select (its limit and offset aside).
    pub async fn count_findings(&self, q: &FindingQuery) -> Result<i64> {
        Ok(sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM watch_findings f WHERE {FINDING_FILTER}"
        ))
        .bind(q.subject_id.unwrap_or(0))
        .bind(q.status.clone().unwrap_or_default())
        .bind(q.category.map(Category::as_str).unwrap_or(""))
        .fetch_one(self.db.pool())
        .await?)
    }

    /// One finding.
    pub async fn finding(&self, id: i64) -> Result<Finding> {
        let row = sqlx::query(&format!(
            "SELECT {FINDING_COLUMNS} FROM watch_findings f
             JOIN watch_subjects s ON s.id = f.subject_id
             JOIN watch_pages p ON p.id = f.page_id WHERE f.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or(Error::NotFound {
            entity: "finding",
            id,
        })?;
        finding_from_row(&row)
    }

    /// Records a reviewer's decision on a finding, in the audit log too. Deciding again
    /// replaces the decision (the audit log keeps both).
    pub async fn review(
        &self,
        actor: &str,
        id: i64,
        decision: Decision,
        note: &str,
    ) -> Result<Finding> {
        self.review_many(actor, &[id], decision, note).await?;
        self.finding(id).await
    }

    /// The most findings one decision covers.
    pub const MAX_REVIEWED_AT_ONCE: usize = 500;

    /// Records one decision on several findings at once (the review queue's chosen rows): all
    /// or none — an id that is no finding is named and nothing is decided. Each finding has
    /// its own entry in the audit log. Answers how many were decided.
    pub async fn review_many(
        &self,
        actor: &str,
        ids: &[i64],
        decision: Decision,
        note: &str,
    ) -> Result<usize> {
        if ids.is_empty() {
            return Err(Error::invalid("ids", Msg::new("finding-none-chosen")));
        }
        if ids.len() > Self::MAX_REVIEWED_AT_ONCE {
            return Err(Error::invalid(
                "ids",
                Msg::new("finding-too-many-chosen")
                    .arg("count", ids.len())
                    .arg("max", Self::MAX_REVIEWED_AT_ONCE),
            ));
        }
        let mut befores = Vec::with_capacity(ids.len());
        for id in ids {
            if !befores.iter().any(|b: &Finding| b.id == *id) {
                befores.push(self.finding(*id).await?);
            }
        }
        let note = lantoa_core::text::clean(note);
        let now = chrono::Utc::now().timestamp_micros();
        let mut tx = self.db.begin().await?;
        for before in &befores {
            sqlx::query(
                "UPDATE watch_findings SET status = $1, reviewed_by = $2, reviewed_at = $3, review_note = $4 WHERE id = $5",
            )
            .bind(decision.as_str())
            .bind(actor)
            .bind(now)
            .bind((!note.is_empty()).then_some(note.as_str()))
            .bind(before.id)
            .execute(&mut *tx)
            .await?;
            audit::append(
                &mut tx,
                &Entry::new(actor, "watch.finding_reviewed", format!("finding:{}", before.id))
                    .before(serde_json::json!({ "status": before.status }))
                    .after(serde_json::json!({ "status": decision.as_str(), "note": note, "rule": before.rule_id, "url": before.url })),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(befores.len())
    }

    /// Findings by status, for the console's counters.
    pub async fn finding_counts(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*) FROM watch_findings GROUP BY status ORDER BY status",
        )
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Scores at or above `min`, highest first, optionally of one subject.
    pub async fn scores(&self, subject_id: Option<i64>, min: f64) -> Result<Vec<SubjectScore>> {
        let rows = sqlx::query(
            "SELECT c.subject_id, s.name, s.url, c.category, c.score, c.because, c.crawl_id
             FROM watch_scores c JOIN watch_subjects s ON s.id = c.subject_id
             WHERE ($1 = 0 OR c.subject_id = $1) AND c.score >= $2
             ORDER BY c.score DESC, s.name",
        )
        .bind(subject_id.unwrap_or(0))
        .bind(min)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let category: String = r.try_get(3)?;
                let because: String = r.try_get(5)?;
                Ok(SubjectScore {
                    subject_id: r.try_get(0)?,
                    subject_name: r.try_get(1)?,
                    url: r.try_get(2)?,
                    category: Category::parse(&category).unwrap_or(Category::BaoHoa),
                    score: r.try_get(4)?,
                    because: serde_json::from_str(&because).unwrap_or_default(),
                    crawl_id: r.try_get(6)?,
                })
            })
            .collect()
    }
}
