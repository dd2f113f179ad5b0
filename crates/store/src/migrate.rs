//! Migrations per component and backend.
//!
//! Each component keeps `migrations/sqlite/NNNN_name.sql` and `migrations/postgres/NNNN_name.sql`
//! and lists them in a [`MigrationSet`] with the [`migration!`](crate::migration) macro. The
//! runner records each applied migration with the SHA-256 of its text in `schema_migrations`;
//! an applied migration is never edited (the runner refuses to start if one was), a change is
//! a new migration. On PostgreSQL an advisory lock keeps two processes from migrating at once.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Backend, Db, Error, Result};

/// One migration: its number, file name and the SQL for each backend.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Position in the component's sequence, from 1.
    pub version: i64,
    /// The file name, for messages.
    pub name: &'static str,
    /// SQL for SQLite.
    pub sqlite: &'static str,
    /// SQL for PostgreSQL.
    pub postgres: &'static str,
}

impl Migration {
    fn sql(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }
}

/// The ordered migrations of one component.
#[derive(Debug, Clone, Copy)]
pub struct MigrationSet {
    /// The component's name, e.g. `store`, `accounts`.
    pub component: &'static str,
    /// Its migrations, in order.
    pub migrations: &'static [Migration],
}

/// Declares a [`Migration`] from `migrations/sqlite/FILE` and `migrations/postgres/FILE` of
/// the calling crate.
#[macro_export]
macro_rules! migration {
    ($version:expr, $file:literal) => {
        $crate::migrate::Migration {
            version: $version,
            name: $file,
            sqlite: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/migrations/sqlite/",
                $file
            )),
            postgres: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/migrations/postgres/",
                $file
            )),
        }
    };
}

/// What [`run`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// `component #version name` of each migration applied now.
    pub applied: Vec<String>,
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// Applies every migration of `sets` not yet applied, in order.
pub async fn run(db: &Db, sets: &[&MigrationSet]) -> Result<Report> {
    let mut conn = db.pool().acquire().await?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            component  TEXT   NOT NULL,
            version    BIGINT NOT NULL,
            name       TEXT   NOT NULL,
            checksum   TEXT   NOT NULL,
            applied_at BIGINT NOT NULL,
            PRIMARY KEY (component, version)
        )",
    )
    .execute(&mut *conn)
    .await?;
    if db.backend() == Backend::Postgres {
        // One migrating process at a time; the lock is released with the session below.
        sqlx::query("SELECT pg_advisory_lock(7061746)")
            .execute(&mut *conn)
            .await?;
    }
    let result = apply_all(db, &mut conn, sets).await;
    if db.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_unlock(7061746)")
            .execute(&mut *conn)
            .await?;
    }
    result
}

async fn apply_all(
    db: &Db,
    conn: &mut sqlx::pool::PoolConnection<sqlx::Any>,
    sets: &[&MigrationSet],
) -> Result<Report> {
    let mut report = Report::default();
    for set in sets {
        let rows = sqlx::query(
            "SELECT version, checksum FROM schema_migrations WHERE component = $1 ORDER BY version",
        )
        .bind(set.component)
        .fetch_all(&mut **conn)
        .await?;
        let mut applied = std::collections::HashMap::new();
        for row in rows {
            applied.insert(row.try_get::<i64, _>(0)?, row.try_get::<String, _>(1)?);
        }
        for &version in applied.keys() {
            if !set.migrations.iter().any(|m| m.version == version) {
                return Err(Error::MigrationUnknown {
                    component: set.component.to_owned(),
                    version,
                });
            }
        }
        for m in set.migrations {
            let sql = m.sql(db.backend());
            match applied.get(&m.version) {
                Some(sum) if *sum == checksum(sql) => continue,
                Some(_) => {
                    return Err(Error::MigrationChanged {
                        component: set.component.to_owned(),
                        version: m.version,
                    });
                }
                None => {}
            }
            let fail = |source| Error::Migrate {
                component: set.component.to_owned(),
                version: m.version,
                name: m.name.to_owned(),
                source,
            };
            let mut tx = sqlx::Connection::begin(&mut **conn).await?;
            sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(fail)?;
            sqlx::query(
                "INSERT INTO schema_migrations (component, version, name, checksum, applied_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(set.component)
            .bind(m.version)
            .bind(m.name)
            .bind(checksum(sql))
            .bind(chrono::Utc::now().timestamp_micros())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
            tx.commit().await.map_err(fail)?;
            tracing::info!(
                component = set.component,
                version = m.version,
                name = m.name,
                "migration applied"
            );
            report
                .applied
                .push(format!("{} #{} {}", set.component, m.version, m.name));
        }
    }
    Ok(report)
}
