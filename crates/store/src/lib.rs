//! # lantoa-store — the database mechanism
//!
//! Lantoa runs on embedded SQLite for one machine and on PostgreSQL at scale. This crate gives
//! both one API, so that every module writes each query once:
//!
//! * [`Db`] — a pool over SQLite or PostgreSQL, chosen by the URL's scheme; queries are
//!   runtime-checked `sqlx` queries through the `Any` driver, written in the SQL both
//!   databases share, with `$1`-style parameters. Instants are stored as microseconds since
//!   the epoch (`BIGINT`), so no date type differs between backends.
//! * [`migrate`] — each component (the store itself and every module crate) ships numbered
//!   migrations per backend; the runner applies them in order, records a checksum, and refuses
//!   to start if an applied migration was edited.
//! * [`jobs`] — a job queue with leases: enqueue, claim, heartbeat, complete, fail with
//!   exponential backoff, dead after N tries. On PostgreSQL claims use
//!   `FOR UPDATE SKIP LOCKED`, so many `lantoa worker` processes share one queue; a worker
//!   that dies loses its lease and its job returns to the queue. [`worker`] runs handlers.
//! * [`blob`] — files addressed by their SHA-256, verified on every read.
//! * [`audit`] — the append-only, hash-chained log of every state change.
//!
//! ```no_run
//! # async fn demo() -> lantoa_store::Result<()> {
//! use lantoa_store::{Db, migrate};
//! let db = Db::connect("sqlite://lantoa-data/lantoa.db").await?;
//! migrate::run(&db, &[&lantoa_store::MIGRATIONS]).await?;
//! let mut tx = db.begin().await?;
//! lantoa_store::audit::append(&mut tx, &lantoa_store::audit::Entry::new("admin", "demo.load", "city"))
//!     .await?;
//! tx.commit().await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod audit;
pub mod blob;
pub mod clock;
mod db;
mod error;
pub mod jobs;
pub mod migrate;
pub mod sheet;
#[cfg(feature = "testing")]
pub mod testing;
pub mod worker;

pub use clock::Clock;
pub use db::{
    Backend, Db, JsonCol, Tx, Writer, is_unique_violation, json_agg, json_column, json_rows,
    redact, values_placeholders, values_placeholders_from,
};
pub use error::{Error, Result};

/// The store's own migrations (jobs, blobs, audit log).
pub const MIGRATIONS: migrate::MigrationSet = migrate::MigrationSet {
    component: "store",
    migrations: &[
        crate::migration!(1, "0001_store.sql"),
        crate::migration!(2, "0002_blob_packs.sql"),
    ],
};

/// The `ESCAPE` clause that goes after every `LIKE $n` whose pattern [`like_pattern`] made,
/// the same on SQLite and PostgreSQL.
pub const LIKE_ESCAPE: &str = r" ESCAPE '\'";

/// A `LIKE` pattern matching `prefix`, then `literal` exactly, then `suffix`: the literal's
/// `%`, `_` and `\` are escaped, so a search for `%` finds a percent sign rather than
/// everything. Use it with [`LIKE_ESCAPE`].
pub fn like_pattern(prefix: &str, literal: &str, suffix: &str) -> String {
    let mut out = String::with_capacity(literal.len() + prefix.len() + suffix.len() + 4);
    out.push_str(prefix);
    for c in literal.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push_str(suffix);
    out
}

/// Re-exported so that module crates write queries against the same `sqlx`.
pub use sqlx;
