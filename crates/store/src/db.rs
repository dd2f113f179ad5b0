use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Connection as _, Executor};

use crate::{Error, Result};

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (one machine).
    Sqlite,
    /// PostgreSQL (one or many machines).
    Postgres,
}

/// A transaction. Every state change and its audit row are written in one.
pub type Tx = sqlx::Transaction<'static, Any>;

/// A connection pool to SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite's connection for [`Db::writer`], taken from the pool on first use.
    writer: Arc<tokio::sync::Mutex<Option<PoolConnection<Any>>>>,
}

/// A connection for a hot write path, from [`Db::writer`]: on SQLite the one connection every
/// such writer shares, in turn; on PostgreSQL a connection of the pool.
#[derive(Debug)]
pub enum Writer {
    /// SQLite's shared writer connection, held until this is dropped.
    Shared(tokio::sync::OwnedMutexGuard<Option<PoolConnection<Any>>>),
    /// A pooled connection (PostgreSQL).
    Pooled(PoolConnection<Any>),
}

impl Writer {
    fn conn(&mut self) -> Result<&mut AnyConnection> {
        match self {
            Self::Shared(guard) => guard
                .as_deref_mut()
                // Only `Db::close` takes the connection out, under the lock.
                .ok_or(Error::from(sqlx::Error::PoolClosed)),
            Self::Pooled(conn) => Ok(conn),
        }
    }

    /// Starts a write transaction on this connection (`BEGIN IMMEDIATE` on SQLite, as
    /// [`Db::begin`]).
    pub async fn begin(&mut self) -> Result<sqlx::Transaction<'_, Any>> {
        Ok(match self {
            Self::Shared(_) => self.conn()?.begin_with("BEGIN IMMEDIATE").await?,
            Self::Pooled(_) => self.conn()?.begin().await?,
        })
    }
}

/// The URL with its password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Db {
    /// Opens the database the URL names: `sqlite://path/file.db` (created if missing) or
    /// `postgres://user:pass@host:port/db`.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, None).await
    }

    /// Like [`Db::connect`] with an explicit pool size.
    pub async fn connect_with(url: &str, max_connections: Option<u32>) -> Result<Self> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(Error::UnknownScheme(redact(url)));
        };
        let url_owned = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let mut opts = AnyPoolOptions::new()
            .max_connections(max_connections.unwrap_or(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            }))
            .acquire_timeout(Duration::from_secs(10));
        if backend == Backend::Sqlite {
            // A page cache of 16 MiB per connection: eight connections stay within 128 MiB,
            // so the server stays well under 300 MB while it ingests any file (64 MiB each
            // took it to about 680 MB on a 100 MB upload).
            opts = opts.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                         PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                         PRAGMA cache_size = -16384;",
                    )
                    .await?;
                    Ok(())
                })
            });
        }
        // One direct attempt first: an unreachable or unopenable database fails at once with
        // the driver's reason, instead of after the pool's acquire timeout.
        let probe = <sqlx::AnyConnection as sqlx::Connection>::connect(&url_owned)
            .await
            .map_err(|source| Error::Open {
                url: redact(url),
                source,
            })?;
        let _ = sqlx::Connection::close(probe).await;
        let pool = opts
            .connect(&url_owned)
            .await
            .map_err(|source| Error::Open {
                url: redact(url),
                source,
            })?;
        Ok(Self {
            pool,
            backend,
            writer: Arc::default(),
        })
    }

    /// The pool, for queries outside a transaction.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// One page of a list: the rows `sql` selects and the number `count_sql` counts, both
    /// with the same text parameters `binds` (`$1`, `$2`, … in both).
    pub async fn page(
        &self,
        sql: &str,
        count_sql: &str,
        binds: &[String],
    ) -> Result<(Vec<sqlx::any::AnyRow>, i64)> {
        let (mut page, mut count) = (sqlx::query(sql), sqlx::query(count_sql));
        for b in binds {
            page = page.bind(b.clone());
            count = count.bind(b.clone());
        }
        let rows = page.fetch_all(&self.pool).await?;
        let total: i64 = sqlx::Row::try_get(&count.fetch_one(&self.pool).await?, 0)?;
        Ok((rows, total))
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so two writers queue instead of failing with "database is locked"
    /// when both try to upgrade a read lock.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// A connection for a write path that runs many short transactions one after another (the
    /// send queue's claims and answers). SQLite lets one connection write at a time whatever
    /// the pool holds, and a connection whose database another one changed throws its whole
    /// page cache away before its next transaction: writers that take turns on one connection
    /// keep its cache warm. On PostgreSQL, which writes in parallel, it is a pooled connection.
    pub async fn writer(&self) -> Result<Writer> {
        Ok(match self.backend {
            Backend::Sqlite => {
                let mut guard = Arc::clone(&self.writer).lock_owned().await;
                if guard.is_none() {
                    *guard = Some(self.pool.acquire().await?);
                }
                Writer::Shared(guard)
            }
            Backend::Postgres => Writer::Pooled(self.pool.acquire().await?),
        })
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes the pool (after giving back the writer's connection, which the pool waits for).
    pub async fn close(&self) {
        self.writer.lock().await.take();
        self.pool.close().await;
    }
}

/// The `VALUES` list of a multi-row insert: `rows` tuples of `cols` numbered parameters,
/// `($1, $2), ($3, $4)`, the same text for SQLite and PostgreSQL.
pub fn values_placeholders(rows: usize, cols: usize) -> String {
    values_placeholders_from(1, rows, cols)
}

/// As [`values_placeholders`], numbered from `$first` (for statements whose first parameters
/// are something else).
pub fn values_placeholders_from(first: usize, rows: usize, cols: usize) -> String {
    let mut sql = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(first + r * cols + c).to_string());
        }
        sql.push(')');
    }
    sql
}

/// An aggregate that gathers a query's rows into one JSON array of arrays of `exprs`, read as
/// one text value: the reverse of [`json_rows`]. A hundred rows read as one value cross from
/// the database to the program once instead of a hundred times. Over no rows, SQLite gives
/// `[]` and PostgreSQL NULL: read both as empty.
///
/// ```
/// use lantoa_store::{Backend, json_agg};
/// assert_eq!(json_agg(Backend::Sqlite, &["id", "phone"]), "json_group_array(json_array(id, phone))");
/// assert_eq!(json_agg(Backend::Postgres, &["id"]), "json_agg(json_build_array(id))::text");
/// ```
pub fn json_agg(backend: Backend, exprs: &[&str]) -> String {
    match backend {
        Backend::Sqlite => format!("json_group_array(json_array({}))", exprs.join(", ")),
        Backend::Postgres => format!("json_agg(json_build_array({}))::text", exprs.join(", ")),
    }
}

/// The type of one column of [`json_rows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonCol {
    /// Text (a JSON string or null).
    Text,
    /// A 64-bit integer (a JSON number or null).
    Int,
}

/// A `SELECT` giving the rows of a JSON array of arrays bound as the one parameter `$param`,
/// its columns named `c0`, `c1`, … and typed by `cols`: many rows written with one bound
/// value instead of one per cell. SQLite looks parameters up by name for every bind, so a
/// statement of many numbered parameters costs the square of their count; this costs one.
///
/// ```
/// use lantoa_store::{Backend, JsonCol, json_rows};
/// assert_eq!(
///     json_rows(Backend::Sqlite, 1, &[JsonCol::Int, JsonCol::Text]),
///     "SELECT value ->> 0 AS c0, value ->> 1 AS c1 FROM json_each($1)"
/// );
/// ```
pub fn json_rows(backend: Backend, param: usize, cols: &[JsonCol]) -> String {
    let (item, from) = match backend {
        Backend::Sqlite => ("value", format!("json_each(${param})")),
        Backend::Postgres => ("e", format!("json_array_elements(${param}::json) AS e")),
    };
    let columns: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(i, col)| match (backend, col) {
            (Backend::Postgres, JsonCol::Int) => format!("({item} ->> {i})::bigint AS c{i}"),
            _ => format!("{item} ->> {i} AS c{i}"),
        })
        .collect();
    format!("SELECT {} FROM {from}", columns.join(", "))
}

/// Values as the one-column rows [`json_rows`] reads: `[[1],[2]]`.
pub fn json_column<T: serde::Serialize>(
    values: impl IntoIterator<Item = T>,
) -> Result<String, serde_json::Error> {
    let rows: Vec<[T; 1]> = values.into_iter().map(|v| [v]).collect();
    serde_json::to_string(&rows)
}

/// Whether a database error is a unique-constraint violation, so callers can turn it into a
/// domain error (`DuplicateUser`) instead of a 500.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_a_multi_row_values_list() {
        assert_eq!(values_placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(values_placeholders(1, 1), "($1)");
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://lantoa:secret@db:5432/lantoa"),
            "postgres://lantoa:***@db:5432/lantoa"
        );
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }

    #[tokio::test]
    async fn refuses_unknown_schemes() {
        assert!(matches!(
            Db::connect("mysql://x").await,
            Err(Error::UnknownScheme(_))
        ));
    }
}
