//! The open-data module's figures for a period, for the department's reports: datasets and
//! those shared with the public, files read, rows published and kept back, rows fixed, and
//! how complete the cells read were.

use serde::Serialize;
use sqlx::Row as _;

use crate::{OpenData, Result};

/// What the open-data module did in a period.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct OpenDataFigures {
    /// Datasets registered by the end of the period.
    pub datasets: i64,
    /// Of them, shared with the public (now).
    pub public_datasets: i64,
    /// Files read to their end in the period.
    pub uploads: i64,
    /// Data rows those files held.
    pub rows_read: i64,
    /// Rows published clean from them.
    pub rows_published: i64,
    /// Rows kept back in quarantine from them.
    pub rows_quarantined: i64,
    /// Quarantined rows fixed (and so published) in the period.
    pub rows_fixed: i64,
    /// Filled cells over cells in those files, percent; none without files.
    pub completeness_pct: Option<f64>,
}

impl OpenData {
    /// The files [`OpenData::figures`] counts for `[from, to)` (µs): those read to their end in
    /// the period, in the order they finished.
    pub async fn uploads_between(&self, from: i64, to: i64) -> Result<Vec<crate::Upload>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM opendata_uploads WHERE status = 'done' AND finished_at >= $1 AND finished_at < $2
             ORDER BY finished_at, id LIMIT 5000",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.db.pool())
        .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.upload_info(id).await?);
        }
        Ok(out)
    }

    /// The figures for `[from, to)` (µs since the epoch).
    pub async fn figures(&self, from: i64, to: i64) -> Result<OpenDataFigures> {
        let pool = self.db.pool();
        let datasets: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM opendata_datasets WHERE created_at < $1")
                .bind(to)
                .fetch_one(pool)
                .await?;
        let public_datasets = self
            .public_datasets()
            .await?
            .iter()
            .filter(|d| d.created_at < to)
            .count() as i64;
        let r = sqlx::query(
            "SELECT COUNT(*), CAST(COALESCE(SUM(rows), 0) AS BIGINT), CAST(COALESCE(SUM(clean), 0) AS BIGINT),
                    CAST(COALESCE(SUM(quarantined), 0) AS BIGINT), CAST(COALESCE(SUM(cells), 0) AS BIGINT),
                    CAST(COALESCE(SUM(filled_cells), 0) AS BIGINT)
             FROM opendata_uploads WHERE status = 'done' AND finished_at >= $1 AND finished_at < $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(pool)
        .await?;
        let (cells, filled): (i64, i64) = (r.try_get(4)?, r.try_get(5)?);
        let rows_fixed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM opendata_quarantine WHERE status = 'fixed' AND resolved_at >= $1 AND resolved_at < $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(pool)
        .await?;
        Ok(OpenDataFigures {
            datasets,
            public_datasets,
            uploads: r.try_get(0)?,
            rows_read: r.try_get(1)?,
            rows_published: r.try_get(2)?,
            rows_quarantined: r.try_get(3)?,
            rows_fixed,
            completeness_pct: (cells > 0)
                .then(|| (filled as f64 * 1000.0 / cells as f64).round() / 10.0),
        })
    }
}
