//! The audit log: every state change, appended to a hash chain.
//!
//! Each row holds who did what to which entity, when, and the state before and after (JSON).
//! Its hash is SHA-256 over the previous row's hash and the row's own fields, so altering or
//! deleting a row breaks the chain from there on; [`verify`] names the first row that does not
//! fit. The head (last sequence number and hash) lives in `audit_head`; appending updates it in
//! the same transaction as the change itself, which also serialises appends on both backends.
//! A change that rolls back leaves no audit row, and an audit row exists only for a committed
//! change.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Clock, Db, Result, Tx};

/// The hash the first row links to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A change to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The user name or `system`/`token:<id>` that made the change.
    pub actor: String,
    /// What was done, `module.verb`, e.g. `accounts.user_created`.
    pub action: String,
    /// What it was done to, `type:id`, e.g. `user:3`.
    pub entity: String,
    /// State before (absent for creation).
    pub before: Option<serde_json::Value>,
    /// State after (absent for deletion).
    pub after: Option<serde_json::Value>,
}

impl Entry {
    /// An entry without before/after state.
    pub fn new(
        actor: impl Into<String>,
        action: impl Into<String>,
        entity: impl Into<String>,
    ) -> Self {
        Self {
            actor: actor.into(),
            action: action.into(),
            entity: entity.into(),
            before: None,
            after: None,
        }
    }

    /// Sets the state before the change.
    pub fn before(mut self, v: impl Serialize) -> Self {
        self.before = serde_json::to_value(v).ok();
        self
    }

    /// Sets the state after the change.
    pub fn after(mut self, v: impl Serialize) -> Self {
        self.after = serde_json::to_value(v).ok();
        self
    }
}

/// A stored row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When, in microseconds since the epoch.
    pub at: i64,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// To what.
    pub entity: String,
    /// State before, as stored JSON text.
    pub before_json: Option<String>,
    /// State after, as stored JSON text.
    pub after_json: Option<String>,
    /// The previous row's hash.
    pub prev_hash: String,
    /// This row's hash.
    pub hash: String,
}

/// The fields of a row that its hash covers.
struct Fields<'a> {
    seq: i64,
    at: i64,
    actor: &'a str,
    action: &'a str,
    entity: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
}

fn row_hash(prev: &str, f: &Fields<'_>) -> String {
    let mut h = Sha256::new();
    // Length-prefixed fields, so no two different rows hash the same bytes.
    for field in [
        prev,
        &f.seq.to_string(),
        &f.at.to_string(),
        f.actor,
        f.action,
        f.entity,
        f.before.unwrap_or("\u{0}"),
        f.after.unwrap_or("\u{0}"),
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends `entry` inside the caller's transaction; returns its sequence number.
pub async fn append(tx: &mut Tx, entry: &Entry) -> Result<i64> {
    append_at(tx, entry, &Clock::System).await
}

/// [`append`] with an explicit clock.
pub async fn append_at(tx: &mut Tx, entry: &Entry, clock: &Clock) -> Result<i64> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut **tx)
        .await?;
    let seq: i64 = head.try_get(0)?;
    let prev: String = head.try_get(1)?;
    let at = clock.now_micros();
    let before = entry.before.as_ref().map(|v| v.to_string());
    let after = entry.after.as_ref().map(|v| v.to_string());
    let hash = row_hash(
        &prev,
        &Fields {
            seq,
            at,
            actor: &entry.actor,
            action: &entry.action,
            entity: &entry.entity,
            before: before.as_deref(),
            after: after.as_deref(),
        },
    );
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, entity, before_json, after_json, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq)
    .bind(at)
    .bind(&entry.actor)
    .bind(&entry.action)
    .bind(&entry.entity)
    .bind(before)
    .bind(after)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(seq)
}

/// Why the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Break {
    /// Row `seq` was changed after it was written.
    Altered {
        /// The row.
        seq: i64,
    },
    /// Row `seq` is missing.
    Removed {
        /// The row.
        seq: i64,
    },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Break::Altered { seq } => write!(f, "audit row {seq} was altered"),
            Break::Removed { seq } => write!(f, "audit row {seq} was removed"),
        }
    }
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Rows read.
    pub rows: i64,
    /// The first break, if any.
    pub first_break: Option<Break>,
}

/// Walks the chain and reports the first row that was altered or removed.
pub async fn verify(db: &Db) -> Result<Verification> {
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    let head_seq: i64 = head.try_get(0)?;
    let head_hash: String = head.try_get(1)?;
    let mut expected_prev = GENESIS.to_owned();
    let mut expected_seq = 1i64;
    let mut rows = 0i64;
    let page = 1000i64;
    loop {
        let batch = list_after(db, expected_seq - 1, page).await?;
        let n = batch.len();
        for r in batch {
            rows += 1;
            if r.seq != expected_seq {
                return Ok(Verification {
                    rows,
                    first_break: Some(Break::Removed { seq: expected_seq }),
                });
            }
            let recomputed = row_hash(
                &expected_prev,
                &Fields {
                    seq: r.seq,
                    at: r.at,
                    actor: &r.actor,
                    action: &r.action,
                    entity: &r.entity,
                    before: r.before_json.as_deref(),
                    after: r.after_json.as_deref(),
                },
            );
            if r.prev_hash != expected_prev || r.hash != recomputed {
                return Ok(Verification {
                    rows,
                    first_break: Some(Break::Altered { seq: r.seq }),
                });
            }
            expected_prev = r.hash;
            expected_seq += 1;
        }
        if (n as i64) < page {
            break;
        }
    }
    let first_break = if expected_seq - 1 < head_seq {
        Some(Break::Removed { seq: expected_seq })
    } else if expected_prev != head_hash {
        Some(Break::Altered { seq: head_seq })
    } else {
        None
    };
    Ok(Verification { rows, first_break })
}

/// Rows with `seq > after`, oldest first.
pub async fn list_after(db: &Db, after: i64, limit: i64) -> Result<Vec<Record>> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, action, entity, before_json, after_json, prev_hash, hash
         FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(|r| record(&r)).collect()
}

/// The newest rows, newest first.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<Record>> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, action, entity, before_json, after_json, prev_hash, hash
         FROM audit_log ORDER BY seq DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(|r| record(&r)).collect()
}

fn record(r: &sqlx::any::AnyRow) -> Result<Record> {
    Ok(Record {
        seq: r.try_get(0)?,
        at: r.try_get(1)?,
        actor: r.try_get(2)?,
        action: r.try_get(3)?,
        entity: r.try_get(4)?,
        before_json: r.try_get(5)?,
        after_json: r.try_get(6)?,
        prev_hash: r.try_get(7)?,
        hash: r.try_get(8)?,
    })
}
