//! The operator broadcast request. A city-side SMPP bind cannot reach 8.5 million people fast
//! (shared/domain/notify.md §0): for an area-wide emergency the approved alert goes as CAP to
//! each operator's endpoint, and the operators broadcast it to every subscriber in the area. Each
//! request is an HTTP POST of the alert's CAP XML, retried with growing pauses until the
//! operator acknowledges it (any 2xx; the response body is kept as its acknowledgement) or the
//! attempts run out; the trail is kept per operator. A Cancel of a broadcast alert is sent the
//! same way.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Error, Notify, Result};

/// Attempts before a request is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// An operator's endpoint (`[[notify.broadcast]]` in lantoa.toml).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// The operator's id (`viettel`).
    pub operator: String,
    /// Where CAP is POSTed.
    pub url: String,
    /// Sent as `Authorization: Bearer …`, if set.
    #[serde(default)]
    pub token: Option<String>,
}

/// One operator's request for one alert.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Request {
    /// Id.
    pub id: i64,
    /// The alert.
    pub alert_id: i64,
    /// Operator.
    pub operator: String,
    /// `pending`, `acknowledged` or `failed`.
    pub state: String,
    /// Attempts made.
    pub attempts: i64,
    /// The last failure.
    pub last_error: Option<String>,
    /// The operator's acknowledgement (its response body).
    pub ack: Option<String>,
    /// When queued, µs.
    pub queued_at: i64,
    /// When acknowledged, µs.
    pub acked_at: Option<i64>,
}

const COLUMNS: &str =
    "id, alert_id, operator, state, attempts, last_error, ack, queued_at, acked_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Request> {
    Ok(Request {
        id: r.try_get(0)?,
        alert_id: r.try_get(1)?,
        operator: r.try_get(2)?,
        state: r.try_get(3)?,
        attempts: r.try_get(4)?,
        last_error: r.try_get(5)?,
        ack: r.try_get(6)?,
        queued_at: r.try_get(7)?,
        acked_at: r.try_get(8)?,
    })
}

/// The pause before attempt `n + 1`: 15 s doubling, at most 30 minutes.
fn backoff_micros(attempts: i64) -> i64 {
    let secs = 15_i64.saturating_mul(1 << attempts.clamp(0, 7)).min(1800);
    secs * 1_000_000
}

impl Notify {
    /// Queues a broadcast request to each endpoint for alert `alert_id` (once per operator).
    pub(crate) async fn queue_broadcast(
        &self,
        tx: &mut lantoa_store::Tx,
        alert_id: i64,
    ) -> Result<()> {
        let now = self.clock.now_micros();
        for e in self.broadcast.iter() {
            sqlx::query(
                "INSERT INTO notify_broadcasts (alert_id, operator, url, state, attempts, next_at, queued_at)
                 VALUES ($1, $2, $3, 'pending', 0, $4, $4) ON CONFLICT (alert_id, operator) DO NOTHING",
            )
            .bind(alert_id)
            .bind(&e.operator)
            .bind(&e.url)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// An alert's broadcast requests, by operator.
    pub async fn broadcasts(&self, alert_id: i64) -> Result<Vec<Request>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM notify_broadcasts WHERE alert_id = $1 ORDER BY operator"
        ))
        .bind(alert_id)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// One pass over the requests due: each POSTed once; acknowledged on a 2xx (the body kept),
    /// otherwise retried later, or given up after [`MAX_ATTEMPTS`]. Returns the requests tried.
    pub async fn deliver_broadcasts(&self, client: &reqwest::Client) -> Result<usize> {
        let now = self.clock.now_micros();
        let due = sqlx::query(
            "SELECT b.id, b.operator, b.url, b.attempts, a.xml FROM notify_broadcasts b
             JOIN notify_alerts a ON a.id = b.alert_id
             WHERE b.state = 'pending' AND b.next_at <= $1 ORDER BY b.id LIMIT 100",
        )
        .bind(now)
        .fetch_all(self.db.pool())
        .await?;
        for r in &due {
            let (id, operator, url, attempts, xml): (i64, String, String, i64, String) = (
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
            );
            let mut req = client
                .post(&url)
                .header("content-type", "application/cap+xml; charset=utf-8")
                .body(xml);
            if let Some(token) = self
                .broadcast
                .iter()
                .find(|e| e.operator == operator)
                .and_then(|e| e.token.as_deref())
            {
                req = req.bearer_auth(token);
            }
            let outcome = match req.send().await {
                Ok(resp) if resp.status().is_success() => {
                    let body = resp.text().await.unwrap_or_default();
                    Ok(body.chars().take(2000).collect::<String>())
                }
                Ok(resp) => Err(format!("HTTP {}", resp.status())),
                Err(e) => Err(format!("no answer: {e}")),
            };
            let attempts = attempts + 1;
            let done_at = self.clock.now_micros();
            match outcome {
                Ok(ack) => {
                    sqlx::query(
                        "UPDATE notify_broadcasts SET state = 'acknowledged', attempts = $1, ack = $2, acked_at = $3, last_error = NULL WHERE id = $4",
                    )
                    .bind(attempts)
                    .bind(ack)
                    .bind(done_at)
                    .bind(id)
                    .execute(self.db.pool())
                    .await?;
                }
                Err(why) => {
                    let state = if attempts >= MAX_ATTEMPTS {
                        "failed"
                    } else {
                        "pending"
                    };
                    tracing::warn!(operator = %operator, attempts, error = %why, "broadcast request not acknowledged");
                    sqlx::query(
                        "UPDATE notify_broadcasts SET state = $1, attempts = $2, last_error = $3, next_at = $4 WHERE id = $5",
                    )
                    .bind(state)
                    .bind(attempts)
                    .bind(why)
                    .bind(done_at + backoff_micros(attempts))
                    .bind(id)
                    .execute(self.db.pool())
                    .await?;
                }
            }
        }
        Ok(due.len())
    }

    /// The same service sending broadcast requests to these endpoints.
    pub fn with_broadcast(mut self, endpoints: Vec<Endpoint>) -> Self {
        self.broadcast = std::sync::Arc::new(endpoints);
        self
    }

    /// Whether any operator endpoint is configured.
    pub fn broadcasts_configured(&self) -> bool {
        !self.broadcast.is_empty()
    }
}

/// An HTTP client for broadcast requests: 20 s per request, no redirects followed.
pub fn client() -> Result<reqwest::Client> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::Unavailable(format!("cannot make an HTTP client: {e}")))
}
