//! The job queue.
//!
//! A job is a `kind` (e.g. `accounts.purge_sessions`) and a JSON payload. A worker
//! [claims](Queue::claim) the oldest ready job of the kinds it serves and holds a lease on it
//! for [`Queue::lease`]; long jobs [heartbeat](Queue::heartbeat) to extend it. A job that
//! [fails](Queue::fail) returns to the queue after an exponential backoff, and is `dead` after
//! its `max_attempts`; a dead job stays for an operator to read and [retry](Queue::retry_dead).
//! If a worker dies, its lease expires and the next claim takes the job again (the attempt
//! counts). The attempt number is the lease's fencing token: a worker whose lease was taken
//! over can no longer heartbeat, complete or fail the job.
//!
//! On PostgreSQL the claim selects with `FOR UPDATE SKIP LOCKED`, so concurrent workers never
//! take the same job and never wait on each other; SQLite has one writer at a time and needs
//! no such clause.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::{Backend, Clock, Db, Error, Result, Tx};

/// Default number of attempts before a job is dead.
pub const DEFAULT_MAX_ATTEMPTS: i64 = 5;

/// A job to add to the queue.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// The handler that runs it.
    pub kind: String,
    /// Its input.
    pub payload: serde_json::Value,
    /// Not before this instant (now if `None`).
    pub run_at: Option<DateTime<Utc>>,
    /// Attempts before it is dead.
    pub max_attempts: i64,
}

impl NewJob {
    /// A job of `kind` with `payload`, to run now, with the default attempts.
    pub fn new(kind: impl Into<String>, payload: serde_json::Value) -> Self {
        Self {
            kind: kind.into(),
            payload,
            run_at: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }
}

/// A claimed job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Its id.
    pub id: i64,
    /// Its kind.
    pub kind: String,
    /// Its input.
    pub payload: serde_json::Value,
    /// This attempt's number, from 1; also the lease's fencing token.
    pub attempt: i64,
    /// Attempts allowed.
    pub max_attempts: i64,
    /// The worker holding the lease.
    pub worker: String,
}

/// What happened to a failed job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailOutcome {
    /// It will run again at this instant.
    Retry(DateTime<Utc>),
    /// It used its attempts and is dead.
    Dead,
}

/// Counts of jobs by state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QueueCounts {
    /// Waiting to run (including those backing off).
    pub queued: i64,
    /// Leased to a worker.
    pub running: i64,
    /// Out of attempts.
    pub dead: i64,
}

/// A dead job, for operators.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeadJob {
    /// Its id.
    pub id: i64,
    /// Its kind.
    pub kind: String,
    /// Attempts made.
    pub attempts: i64,
    /// The last error.
    pub last_error: Option<String>,
}

/// The queue.
#[derive(Debug, Clone)]
pub struct Queue {
    db: Db,
    clock: Clock,
    lease: Duration,
    backoff_base: Duration,
}

impl Queue {
    /// A queue over `db` with a 60-second lease and a 10-second backoff base.
    pub fn new(db: Db) -> Self {
        Self {
            db,
            clock: Clock::System,
            lease: Duration::seconds(60),
            backoff_base: Duration::seconds(10),
        }
    }

    /// Uses `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Sets how long a claim is held without a heartbeat.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// When a lease taken or renewed at `now` (stored form) runs out.
    fn lease_end(&self, now: i64) -> i64 {
        now.saturating_add(self.lease.num_microseconds().unwrap_or(i64::MAX / 4))
    }

    /// How long a claim is held without a heartbeat.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// The delay before attempt `attempt + 1` after `attempt` failed: base × 2^(attempt−1),
    /// at most one hour.
    pub fn backoff(&self, attempt: i64) -> Duration {
        let exp = u32::try_from((attempt - 1).clamp(0, 16)).unwrap_or(16);
        (self.backoff_base * 2i32.pow(exp)).min(Duration::hours(1))
    }

    /// Adds a job inside the caller's transaction, so it exists only if the change that
    /// asked for it commits.
    pub async fn enqueue_in(&self, tx: &mut Tx, job: &NewJob) -> Result<i64> {
        let now = self.clock.now_micros();
        let row = sqlx::query(
            "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at)
             VALUES ($1, $2, 'queued', 0, $3, $4, $5) RETURNING id",
        )
        .bind(&job.kind)
        .bind(job.payload.to_string())
        .bind(job.max_attempts.max(1))
        .bind(job.run_at.map_or(now, |t| t.timestamp_micros()))
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Adds a job in its own transaction.
    pub async fn enqueue(&self, job: &NewJob) -> Result<i64> {
        let mut tx = self.db.begin().await?;
        let id = self.enqueue_in(&mut tx, job).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Claims the oldest ready job of one of `kinds` for `worker`, or `None`.
    pub async fn claim(&self, kinds: &[&str], worker: &str) -> Result<Option<Job>> {
        if kinds.is_empty() {
            return Ok(None);
        }
        let now = self.clock.now_micros();
        let mut tx = self.db.begin().await?;
        // A job whose lease expired on its last attempt is dead, not retried.
        sqlx::query(
            "UPDATE jobs SET state = 'dead', worker = NULL,
                 last_error = COALESCE(last_error, 'lease expired on the last attempt')
             WHERE state = 'running' AND lease_until < $1 AND attempts >= max_attempts",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let placeholders: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 4)).collect();
        let lock = match self.db.backend() {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $2, worker = $3
             WHERE id = (
                 SELECT id FROM jobs
                 WHERE kind IN ({})
                   AND ((state = 'queued' AND run_at <= $1) OR (state = 'running' AND lease_until < $1))
                 ORDER BY run_at, id
                 LIMIT 1 {lock})
             RETURNING id, kind, payload, attempts, max_attempts",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql)
            .bind(now)
            .bind(self.lease_end(now))
            .bind(worker);
        for k in kinds {
            q = q.bind(*k);
        }
        let row = q.fetch_optional(&mut *tx).await?;
        tx.commit().await?;
        let Some(row) = row else { return Ok(None) };
        let payload: String = row.try_get(2)?;
        Ok(Some(Job {
            id: row.try_get(0)?,
            kind: row.try_get(1)?,
            payload: serde_json::from_str(&payload)?,
            attempt: row.try_get(3)?,
            max_attempts: row.try_get(4)?,
            worker: worker.to_owned(),
        }))
    }

    /// Extends the lease of a job this worker holds.
    pub async fn heartbeat(&self, job: &Job) -> Result<()> {
        let now = self.clock.now_micros();
        let done = sqlx::query(
            "UPDATE jobs SET lease_until = $1
             WHERE id = $2 AND state = 'running' AND worker = $3 AND attempts = $4",
        )
        .bind(self.lease_end(now))
        .bind(job.id)
        .bind(&job.worker)
        .bind(job.attempt)
        .execute(self.db.pool())
        .await?;
        still_held(job, done.rows_affected())
    }

    /// Marks a job done (it leaves the queue).
    pub async fn complete(&self, job: &Job) -> Result<()> {
        let done = sqlx::query(
            "DELETE FROM jobs WHERE id = $1 AND state = 'running' AND worker = $2 AND attempts = $3",
        )
        .bind(job.id)
        .bind(&job.worker)
        .bind(job.attempt)
        .execute(self.db.pool())
        .await?;
        still_held(job, done.rows_affected())
    }

    /// Records a failed attempt: the job runs again after a backoff, or is dead.
    pub async fn fail(&self, job: &Job, error: &str) -> Result<FailOutcome> {
        let now = self.clock.now();
        let (state, outcome) = if job.attempt >= job.max_attempts {
            ("dead", FailOutcome::Dead)
        } else {
            (
                "queued",
                FailOutcome::Retry(now + self.backoff(job.attempt)),
            )
        };
        let run_at = match &outcome {
            FailOutcome::Retry(at) => at.timestamp_micros(),
            FailOutcome::Dead => now.timestamp_micros(),
        };
        let done = sqlx::query(
            "UPDATE jobs SET state = $1, run_at = $2, last_error = $3, worker = NULL, lease_until = NULL
             WHERE id = $4 AND state = 'running' AND worker = $5 AND attempts = $6",
        )
        .bind(state)
        .bind(run_at)
        .bind(error)
        .bind(job.id)
        .bind(&job.worker)
        .bind(job.attempt)
        .execute(self.db.pool())
        .await?;
        still_held(job, done.rows_affected())?;
        Ok(outcome)
    }

    /// Counts jobs by state.
    pub async fn counts(&self) -> Result<QueueCounts> {
        let rows = sqlx::query("SELECT state, COUNT(*) FROM jobs GROUP BY state")
            .fetch_all(self.db.pool())
            .await?;
        let mut c = QueueCounts::default();
        for r in rows {
            let n: i64 = r.try_get(1)?;
            match r.try_get::<String, _>(0)?.as_str() {
                "queued" => c.queued = n,
                "running" => c.running = n,
                _ => c.dead = n,
            }
        }
        Ok(c)
    }

    /// The dead jobs, newest first.
    pub async fn dead(&self, limit: i64) -> Result<Vec<DeadJob>> {
        let rows = sqlx::query(
            "SELECT id, kind, attempts, last_error FROM jobs WHERE state = 'dead' ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.db.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(DeadJob {
                    id: r.try_get(0)?,
                    kind: r.try_get(1)?,
                    attempts: r.try_get(2)?,
                    last_error: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// Puts a dead job back in the queue with fresh attempts. Returns whether it was dead.
    pub async fn retry_dead(&self, id: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1 WHERE id = $2 AND state = 'dead'",
        )
        .bind(self.clock.now_micros())
        .bind(id)
        .execute(self.db.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// A fenced update of `job` changed `rows` rows: none means another worker holds it now.
fn still_held(job: &Job, rows: u64) -> Result<()> {
    if rows == 0 {
        return Err(Error::LeaseLost(job.id));
    }
    Ok(())
}
