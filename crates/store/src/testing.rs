//! A fresh database per test.
//!
//! [`TestDb::new`] gives a migrated, empty database: a SQLite file in a temporary folder, or,
//! when `LANTOA_TEST_DATABASE_URL` names a PostgreSQL server (as `cargo xtask test` sets it), a
//! new database created on that server for this test alone. The same test code therefore runs
//! on both backends.

pub mod measure;

use crate::migrate::{self, MigrationSet};
use crate::{Db, Result};

/// The variable naming the PostgreSQL server for tests (a URL to any existing database on it).
pub const ENV: &str = "LANTOA_TEST_DATABASE_URL";

/// The audit key of every test process (and of the programs a test starts, through
/// `LANTOA_AUDIT_KEY`), so the chains they write together verify.
pub const AUDIT_KEY_HEX: &str = "6c616e746f612074657374206175646974206b6579206f6e6c79212121212121";

/// A database for one test.
#[derive(Debug)]
pub struct TestDb {
    /// The database.
    pub db: Db,
    /// Its URL.
    pub url: String,
    /// Holds the SQLite folder (and the blob folder) until the test ends.
    pub dir: tempfile::TempDir,
}

impl TestDb {
    /// A fresh database with `sets` migrated (the store's own set is always included).
    pub async fn new(sets: &[&MigrationSet]) -> Result<Self> {
        crate::audit::use_key(crate::audit::parse_key(AUDIT_KEY_HEX)?)?;
        let dir = tempfile::tempdir()?;
        let url = match std::env::var(ENV) {
            Ok(server) if !server.is_empty() => {
                let admin = Db::connect_with(&server, Some(1)).await?;
                let name = format!("lantoa_test_{:016x}", rand::random::<u64>());
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(admin.pool())
                    .await?;
                admin.close().await;
                let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
                format!("{base}/{name}")
            }
            _ => format!("sqlite://{}", dir.path().join("test.db").display()),
        };
        let db = Db::connect_with(&url, Some(4)).await?;
        let mut all: Vec<&MigrationSet> = vec![&crate::MIGRATIONS];
        all.extend(sets.iter().copied().filter(|s| s.component != "store"));
        migrate::run(&db, &all).await?;
        Ok(Self { db, url, dir })
    }

    /// Whether this test runs on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.db.backend() == crate::Backend::Postgres
    }
}

/// A copy of a ZIP file (an XLSX workbook) whose directory claims every part unpacks to `size`
/// bytes: a "zip bomb" as its headers present it, for the tests that every workbook reader
/// refuses one before inflating it.
pub fn claiming_unpacked(zip: &[u8], size: u32) -> Vec<u8> {
    let mut out = zip.to_vec();
    let le = size.to_le_bytes();
    let mut i = 0;
    while i + 46 <= out.len() {
        match out[i..i + 4] {
            // Local file header: uncompressed size at 22.
            [0x50, 0x4b, 0x03, 0x04] => out[i + 22..i + 26].copy_from_slice(&le),
            // Central directory header: uncompressed size at 24.
            [0x50, 0x4b, 0x01, 0x02] => out[i + 24..i + 28].copy_from_slice(&le),
            _ => {}
        }
        i += 1;
    }
    out
}
