//! The watch module's figures for a period, counted from its own records — crawls, findings,
//! case steps and sanctions — as the department reports them (shared/seed/: websites reviewed
//! and their units, clips reviewed, takedowns proposed, sites with "báo hóa" signs, units
//! invited, dossiers transferred, enterprises sanctioned, fines, the removal rate).

use serde::Serialize;
use sqlx::Row;

use crate::{Result, Watch};

/// What the watch module did in a period.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct WatchFigures {
    /// First instant counted, µs.
    pub from: i64,
    /// First instant not counted, µs.
    pub to: i64,
    /// Websites with a finished crawl in the period.
    pub websites_reviewed: i64,
    /// Their distinct managing units (registered ones).
    pub website_units: i64,
    /// Clips reviewed (a finished crawl, which for a clip reads its supplied text).
    pub clips_reviewed: i64,
    /// Posts reviewed.
    pub posts_reviewed: i64,
    /// Subjects with a "báo hóa" finding found in the period.
    pub sites_with_bao_hoa_signs: i64,
    /// Cases whose managing unit was invited to a working session in the period.
    pub invited: i64,
    /// Cases whose dossier was transferred to the Inspectorate.
    pub transferred: i64,
    /// Of them, for illegal advertising.
    pub transferred_advertising: i64,
    /// Cases with a takedown proposed.
    pub takedowns_proposed: i64,
    /// Of them, on posts.
    pub takedowns_proposed_posts: i64,
    /// Cases taken down in the period.
    pub taken_down: i64,
    /// Cases the platform did not take down in the period.
    pub not_taken_down: i64,
    /// taken down / (taken down + not), percent with one decimal; none without answers.
    pub removal_rate_pct: Option<f64>,
    /// Sanctions decided in the period (by the decision's date, Hà Nội time).
    pub sanctions: i64,
    /// Distinct managing units sanctioned (a subject without a registered unit counts alone).
    pub units_sanctioned: i64,
    /// Their fines, VND.
    pub fines_vnd: i64,
}

/// The case figures whose cases [`Watch::cases_counted`] lists.
pub const CASE_FIGURES: [&str; 7] = [
    "invited",
    "transferred",
    "transferred_advertising",
    "takedowns_proposed",
    "takedowns_proposed_posts",
    "taken_down",
    "sanctioned",
];

impl Watch {
    /// The cases a case figure counts for `[from, to)` (µs): those entering its state in the
    /// period (of its category or subject kind), or, for `sanctioned`, those with a sanction
    /// decided in it; the same conditions as [`Watch::figures`].
    pub async fn cases_counted(
        &self,
        figure: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<crate::cases::Case>> {
        let f = self.case_rules().figure_states().clone();
        let (state, category, kind) = match figure {
            "invited" => (f.invited, None, None),
            "transferred" => (f.transferred, None, None),
            "transferred_advertising" => (f.transferred, Some("advertising"), None),
            "takedowns_proposed" => (f.takedown_proposed, None, None),
            "takedowns_proposed_posts" => (f.takedown_proposed, None, Some("post")),
            "taken_down" => (f.taken_down, None, None),
            "sanctioned" => {
                let day = |micros: i64| {
                    lantoa_core::time::local_date(lantoa_core::time::from_micros(micros))
                        .format("%Y-%m-%d")
                        .to_string()
                };
                let ids: Vec<i64> = sqlx::query_scalar(
                    "SELECT case_id FROM watch_sanctions WHERE decision_date >= $1 AND decision_date < $2 ORDER BY case_id",
                )
                .bind(day(from))
                .bind(day(to))
                .fetch_all(self.db.pool())
                .await?;
                return self.cases_by_id(&ids).await;
            }
            other => {
                return Err(crate::Error::invalid(
                    "kind",
                    lantoa_core::msg::Msg::new("watch-bad-figure")
                        .arg("value", other)
                        .arg("known", CASE_FIGURES.join(", ")),
                ));
            }
        };
        let Some(state) = state else {
            return Ok(Vec::new());
        };
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT e.case_id FROM watch_case_events e
             JOIN watch_cases k ON k.id = e.case_id
             JOIN watch_subjects s ON s.id = k.subject_id
             WHERE e.to_state = $1 AND e.at >= $2 AND e.at < $3
               AND ($4 = '' OR k.category = $4) AND ($5 = '' OR s.kind = $5)
             ORDER BY e.case_id",
        )
        .bind(state)
        .bind(from)
        .bind(to)
        .bind(category.unwrap_or(""))
        .bind(kind.unwrap_or(""))
        .fetch_all(self.db.pool())
        .await?;
        self.cases_by_id(&ids).await
    }

    /// The figures for `[from, to)` (µs since the epoch).
    pub async fn figures(&self, from: i64, to: i64) -> Result<WatchFigures> {
        let pool = self.db.pool();
        let reviewed = |kind: &'static str| async move {
            let r = sqlx::query(
                "SELECT COUNT(DISTINCT s.id), COUNT(DISTINCT s.managing_unit_id)
                 FROM watch_crawls c JOIN watch_subjects s ON s.id = c.subject_id
                 WHERE c.status = 'done' AND c.finished_at >= $1 AND c.finished_at < $2
                   AND s.kind = $3",
            )
            .bind(from)
            .bind(to)
            .bind(kind)
            .fetch_one(pool)
            .await?;
            Ok::<(i64, i64), crate::Error>((r.try_get(0)?, r.try_get(1)?))
        };
        let (websites, website_units) = reviewed("website").await?;
        let (clips, _) = reviewed("clip").await?;
        let (posts, _) = reviewed("post").await?;
        let bao_hoa: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT subject_id) FROM watch_findings
             WHERE category = 'bao_hoa' AND found_at >= $1 AND found_at < $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(pool)
        .await?;
        // Cases entering a state in the period, optionally of one category or subject kind.
        let entered = |state: Option<String>,
                       category: Option<&'static str>,
                       kind: Option<&'static str>| async move {
            let Some(state) = state else { return Ok(0) };
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(DISTINCT e.case_id) FROM watch_case_events e
                 JOIN watch_cases k ON k.id = e.case_id
                 JOIN watch_subjects s ON s.id = k.subject_id
                 WHERE e.to_state = $1 AND e.at >= $2 AND e.at < $3
                   AND ($4 = '' OR k.category = $4) AND ($5 = '' OR s.kind = $5)",
            )
            .bind(state)
            .bind(from)
            .bind(to)
            .bind(category.unwrap_or(""))
            .bind(kind.unwrap_or(""))
            .fetch_one(pool)
            .await?;
            Ok::<i64, crate::Error>(n)
        };
        let f = self.case_rules().figure_states().clone();
        let taken_down = entered(f.taken_down.clone(), None, None).await?;
        let not_taken_down = entered(f.not_taken_down.clone(), None, None).await?;
        let answered = taken_down + not_taken_down;
        // Sanctions by their decision's date, in Hà Nội.
        let day = |micros: i64| {
            lantoa_core::time::local_date(lantoa_core::time::from_micros(micros))
                .format("%Y-%m-%d")
                .to_string()
        };
        let s = sqlx::query(
            // A subject without a registered unit counts as a unit of its own.
            "SELECT COUNT(*), COUNT(DISTINCT COALESCE(unit_id, -subject_id)),
                    CAST(COALESCE(SUM(fine_vnd), 0) AS BIGINT)
             FROM watch_sanctions WHERE decision_date >= $1 AND decision_date < $2",
        )
        .bind(day(from))
        .bind(day(to))
        .fetch_one(pool)
        .await?;
        Ok(WatchFigures {
            from,
            to,
            websites_reviewed: websites,
            website_units,
            clips_reviewed: clips,
            posts_reviewed: posts,
            sites_with_bao_hoa_signs: bao_hoa,
            invited: entered(f.invited.clone(), None, None).await?,
            transferred: entered(f.transferred.clone(), None, None).await?,
            transferred_advertising: entered(f.transferred.clone(), Some("advertising"), None)
                .await?,
            takedowns_proposed: entered(f.takedown_proposed.clone(), None, None).await?,
            takedowns_proposed_posts: entered(f.takedown_proposed.clone(), None, Some("post"))
                .await?,
            taken_down,
            not_taken_down,
            removal_rate_pct: (answered > 0)
                .then(|| (taken_down as f64 * 1000.0 / answered as f64).round() / 10.0),
            sanctions: s.try_get(0)?,
            units_sanctioned: s.try_get(1)?,
            fines_vnd: s.try_get(2)?,
        })
    }
}
