//! The audit log: every state change, appended to a keyed hash chain.
//!
//! Each row holds who did what to which entity, when, and the state before and after (JSON).
//! Its hash is an HMAC-SHA256, under the audit key, of the previous row's hash and the row's own
//! fields, so altering or deleting a row breaks the chain from there on; [`verify`] names the
//! first row that does not fit. The key lives outside the database (`LANTOA_AUDIT_KEY`, or the
//! file `audit.key` in the data folder), so someone who can write the database but not read the
//! key cannot recompute the chain after changing a row.
//!
//! The head (last sequence number and hash) lives in `audit_head`; appending updates it in the
//! same transaction as the change itself, which also serialises appends on both backends. A
//! change that rolls back leaves no audit row, and an audit row exists only for a committed
//! change. Deleting the newest rows and rewinding the head leaves a chain that is whole but
//! shorter: [`verify_with`] catches it against an *anchor* — a `SEQ:HASH` that [`verify`]
//! printed earlier and that was kept elsewhere (docs/OPERATIONS.md, "Anchoring the audit log").
//!
//! Rows written before the chain was keyed (hashes without the `k1:` mark) are verified as
//! they were written, counted as `legacy_rows`, and may only come before every keyed row.

use std::sync::OnceLock;

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Clock, Db, Error, Result, Tx};

/// The mark of a keyed row's hash.
const KEYED: &str = "k1:";

static KEY: OnceLock<[u8; 32]> = OnceLock::new();

/// Sets the audit key for this process (32 bytes). Setting the same key again is fine; another
/// key is refused: one process writes one chain.
pub fn use_key(key: [u8; 32]) -> Result<()> {
    let set = KEY.get_or_init(|| key);
    if *set == key {
        Ok(())
    } else {
        Err(Error::Audit(
            "another audit key is already in use in this process".into(),
        ))
    }
}

/// Reads a key written as 64 hexadecimal digits.
pub fn parse_key(hex_key: &str) -> Result<[u8; 32]> {
    let bytes = hex::decode(hex_key.trim())
        .map_err(|_| Error::Audit("the key is not hexadecimal".into()))?;
    bytes
        .try_into()
        .map_err(|_| Error::Audit("the key is not 32 bytes (64 hexadecimal digits)".into()))
}

/// The key in `path`, made (32 random bytes, readable by its owner only) when there is none.
pub fn key_file(path: &std::path::Path) -> Result<[u8; 32]> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_key(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key: [u8; 32] = rand::random();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut f = options
                .open(path)
                .map_err(|e| Error::Audit(format!("cannot create {}: {e}", path.display())))?;
            std::io::Write::write_all(&mut f, format!("{}\n", hex::encode(key)).as_bytes())
                .map_err(|e| Error::Audit(format!("cannot write {}: {e}", path.display())))?;
            Ok(key)
        }
        Err(e) => Err(Error::Audit(format!("cannot read {}: {e}", path.display()))),
    }
}

/// Whether this process holds the audit key (and can sign and check signatures).
pub fn has_key() -> bool {
    KEY.get().is_some()
}

/// A fresh HMAC-SHA256 under `key`.
fn mac(key: &[u8; 32]) -> Hmac<Sha256> {
    // An HMAC takes a key of any length.
    <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC-SHA256 accepts a 32-byte key"))
}

/// The MAC of a signed file, before it is finalised.
fn file_mac(key: &[u8; 32], bytes: &[u8]) -> Hmac<Sha256> {
    let mut m = mac(key);
    // A label of its own, so a signature is never mistaken for an audit row's hash.
    m.update(b"lantoa signed file v1\n");
    m.update(bytes);
    m
}

/// Signs a file Lantoa hands out (a dossier's manifest) with the audit key.
pub fn sign(bytes: &[u8]) -> Result<String> {
    let tag = file_mac(key()?, bytes).finalize().into_bytes();
    Ok(format!("{KEYED}{}", hex::encode(tag)))
}

/// Whether `signature` is this process's signature of `bytes` (compared in constant time by
/// the `hmac` crate).
pub fn signature_valid(bytes: &[u8], signature: &str) -> Result<bool> {
    let m = file_mac(key()?, bytes);
    Ok(signature
        .trim()
        .strip_prefix(KEYED)
        .and_then(|h| hex::decode(h).ok())
        .is_some_and(|tag| m.verify_slice(&tag).is_ok()))
}

fn key() -> Result<&'static [u8; 32]> {
    KEY.get().ok_or_else(|| {
        Error::Audit(
            "no audit key is loaded (LANTOA_AUDIT_KEY, or audit.key in the data folder)".into(),
        )
    })
}

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

/// The bytes a row's hash covers: length-prefixed fields, so no two different rows give the
/// same bytes.
fn row_bytes(prev: &str, f: &Fields<'_>, mut feed: impl FnMut(&[u8])) {
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
        feed(&(field.len() as u64).to_be_bytes());
        feed(field.as_bytes());
    }
}

/// A row's keyed hash: `k1:` and the HMAC-SHA256 under `key`.
fn keyed_hash(key: &[u8; 32], prev: &str, f: &Fields<'_>) -> String {
    let mut m = mac(key);
    row_bytes(prev, f, |b| m.update(b));
    format!("{KEYED}{}", hex::encode(m.finalize().into_bytes()))
}

/// A row's hash as written before the chain was keyed (plain SHA-256).
fn legacy_hash(prev: &str, f: &Fields<'_>) -> String {
    let mut h = Sha256::new();
    row_bytes(prev, f, |b| h.update(b));
    hex::encode(h.finalize())
}

/// Appends `entry` inside the caller's transaction; returns its sequence number.
pub async fn append(tx: &mut Tx, entry: &Entry) -> Result<i64> {
    append_at(tx, entry, &Clock::System).await
}

/// [`append`] with an explicit clock, on any connection inside a transaction (a [`Tx`] or
/// the writer's, see [`crate::Db::writer`]).
pub async fn append_at(tx: &mut sqlx::AnyConnection, entry: &Entry, clock: &Clock) -> Result<i64> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *tx)
        .await?;
    let seq: i64 = head.try_get(0)?;
    let prev: String = head.try_get(1)?;
    let at = clock.now_micros();
    let before = entry.before.as_ref().map(|v| v.to_string());
    let after = entry.after.as_ref().map(|v| v.to_string());
    let hash = keyed_hash(
        key()?,
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
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    Ok(seq)
}

/// Why the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Break {
    /// Row `seq` was changed after it was written (or written without the key).
    Altered {
        /// The row.
        seq: i64,
    },
    /// Row `seq` is missing.
    Removed {
        /// The row.
        seq: i64,
    },
    /// The chain ends before the anchored row `seq`: its newest rows were deleted and the head
    /// rewound.
    Rewound {
        /// The anchored row.
        seq: i64,
    },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Break::Altered { seq } => write!(f, "audit row {seq} was altered"),
            Break::Removed { seq } => write!(f, "audit row {seq} was removed"),
            Break::Rewound { seq } => write!(
                f,
                "the audit log ends before row {seq}, which the anchor says was written: rows were deleted and the head rewound"
            ),
        }
    }
}

/// A point of the chain kept outside the database: row `seq` had hash `hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anchor {
    /// The row.
    pub seq: i64,
    /// Its hash.
    pub hash: String,
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl std::str::FromStr for Anchor {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = || {
            Error::Audit(format!(
                "{s:?} is not an anchor SEQ:HASH as `audit verify` prints it"
            ))
        };
        let (seq, hash) = s.trim().split_once(':').ok_or_else(bad)?;
        Ok(Self {
            seq: seq.parse().map_err(|_| bad())?,
            hash: hash.to_owned(),
        })
    }
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Rows read.
    pub rows: i64,
    /// Rows written before the chain was keyed.
    pub legacy_rows: i64,
    /// The head: the newest row and its hash, to keep as the next anchor.
    pub head: Anchor,
    /// The first break, if any.
    pub first_break: Option<Break>,
}

/// The chain's head as kept (the newest row and its hash), without walking the chain: what a
/// page shows on every view; [`verify`] walks the chain to prove it.
pub async fn head(db: &Db) -> Result<Anchor> {
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    Ok(Anchor {
        seq: head.try_get(0)?,
        hash: head.try_get(1)?,
    })
}

/// Walks the chain and reports the first row that was altered or removed.
pub async fn verify(db: &Db) -> Result<Verification> {
    verify_with(db, None).await
}

/// [`verify`], and the chain must hold the anchored row with its hash.
pub async fn verify_with(db: &Db, anchor: Option<&Anchor>) -> Result<Verification> {
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    let head_seq: i64 = head.try_get(0)?;
    let head_hash: String = head.try_get(1)?;
    let mut expected_prev = GENESIS.to_owned();
    let mut expected_seq = 1i64;
    let (mut rows, mut legacy_rows) = (0i64, 0i64);
    let mut keyed_seen = false;
    let mut anchored: Option<String> = None;
    let page = 1000i64;
    let result = |rows, legacy_rows, first_break| Verification {
        rows,
        legacy_rows,
        head: Anchor {
            seq: head_seq,
            hash: head_hash.clone(),
        },
        first_break,
    };
    loop {
        let batch = list_after(db, expected_seq - 1, page).await?;
        let n = batch.len();
        for r in batch {
            rows += 1;
            if r.seq != expected_seq {
                return Ok(result(
                    rows,
                    legacy_rows,
                    Some(Break::Removed { seq: expected_seq }),
                ));
            }
            let fields = Fields {
                seq: r.seq,
                at: r.at,
                actor: &r.actor,
                action: &r.action,
                entity: &r.entity,
                before: r.before_json.as_deref(),
                after: r.after_json.as_deref(),
            };
            let recomputed = if r.hash.starts_with(KEYED) {
                keyed_seen = true;
                Some(keyed_hash(key()?, &expected_prev, &fields))
            } else if keyed_seen {
                // An unkeyed row after a keyed one was not written by Lantoa.
                None
            } else {
                legacy_rows += 1;
                Some(legacy_hash(&expected_prev, &fields))
            };
            if r.prev_hash != expected_prev || recomputed.as_deref() != Some(r.hash.as_str()) {
                return Ok(result(
                    rows,
                    legacy_rows,
                    Some(Break::Altered { seq: r.seq }),
                ));
            }
            if anchor.is_some_and(|a| a.seq == r.seq) {
                anchored = Some(r.hash.clone());
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
        match (anchor, anchored) {
            (Some(a), None) => Some(Break::Rewound { seq: a.seq }),
            (Some(a), Some(h)) if h != a.hash => Some(Break::Altered { seq: a.seq }),
            _ => None,
        }
    };
    Ok(result(rows, legacy_rows, first_break))
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

/// Which rows of the log to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    /// Only rows older than this sequence number (a page further back); all when `None`.
    pub before: Option<i64>,
    /// Only this actor's rows, when not empty.
    pub actor: String,
    /// Only actions starting so (`watch.`, `accounts.user_created`), when not empty.
    pub action: String,
    /// At most this many (1–500).
    pub limit: i64,
}

/// A page of the log, newest first, as `q` selects: the page after it starts before the
/// last row's `seq`.
pub async fn page(db: &Db, q: &LogQuery) -> Result<Vec<Record>> {
    let rows = sqlx::query(&format!(
        "SELECT seq, at, actor, action, entity, before_json, after_json, prev_hash, hash
         FROM audit_log
         WHERE ($1 = 0 OR seq < $1) AND ($2 = '' OR actor = $2)
           AND ($3 = '' OR action LIKE $3{})
         ORDER BY seq DESC LIMIT $4",
        crate::LIKE_ESCAPE
    ))
    .bind(q.before.unwrap_or(0))
    .bind(&q.actor)
    .bind(if q.action.is_empty() {
        String::new()
    } else {
        crate::like_pattern("", &q.action, "%")
    })
    .bind(q.limit.clamp(1, 500))
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
