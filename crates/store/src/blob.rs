//! Files addressed by their SHA-256.
//!
//! A blob is written once under `ROOT/ab/cd/abcdef…` (the first two byte pairs of its hash as
//! folders), through a temporary file renamed into place, and indexed in the `blobs` table.
//! Writing the same content twice stores it once. Every read re-hashes the content and fails
//! with [`Error::BlobCorrupt`] if it changed, so evidence cannot be altered unnoticed.
//! When several machines share a PostgreSQL database, `ROOT` is a shared filesystem
//! (see docs/OPERATIONS.md).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Clock, Db, Error, Result};

/// The address and size of a stored blob.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BlobRef {
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// The media type given when it was stored.
    pub media_type: String,
}

/// The blob store.
#[derive(Debug, Clone)]
pub struct BlobStore {
    db: Db,
    root: PathBuf,
    clock: Clock,
}

fn valid_address(sha256: &str) -> bool {
    sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl BlobStore {
    /// A store keeping files under `root` and its index in `db`.
    pub fn new(db: Db, root: impl Into<PathBuf>) -> Self {
        Self {
            db,
            root: root.into(),
            clock: Clock::System,
        }
    }

    fn path_of(&self, sha256: &str) -> PathBuf {
        self.root
            .join(&sha256[..2])
            .join(&sha256[2..4])
            .join(sha256)
    }

    /// Stores `content` and returns its address.
    pub async fn put(&self, content: &[u8], media_type: &str) -> Result<BlobRef> {
        let sha256 = hex::encode(Sha256::digest(content));
        let path = self.path_of(&sha256);
        write_atomically(&path, content).await?;
        let size = i64::try_from(content.len()).unwrap_or(i64::MAX);
        sqlx::query(
            "INSERT INTO blobs (sha256, size, media_type, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&sha256)
        .bind(size)
        .bind(media_type)
        .bind(self.clock.now_micros())
        .execute(self.db.pool())
        .await?;
        Ok(BlobRef {
            sha256,
            size,
            media_type: media_type.to_owned(),
        })
    }

    /// Reads a blob, checking its content still has its address.
    pub async fn get(&self, sha256: &str) -> Result<Vec<u8>> {
        if !valid_address(sha256) {
            return Err(Error::BlobMissing(sha256.to_owned()));
        }
        let content = match tokio::fs::read(self.path_of(sha256)).await {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::BlobMissing(sha256.to_owned()));
            }
            Err(e) => return Err(e.into()),
        };
        if hex::encode(Sha256::digest(&content)) != sha256 {
            return Err(Error::BlobCorrupt(sha256.to_owned()));
        }
        Ok(content)
    }

    /// The index entry of a blob.
    pub async fn describe(&self, sha256: &str) -> Result<BlobRef> {
        let row = sqlx::query("SELECT sha256, size, media_type FROM blobs WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(self.db.pool())
            .await?
            .ok_or_else(|| Error::BlobMissing(sha256.to_owned()))?;
        Ok(BlobRef {
            sha256: row.try_get(0)?,
            size: row.try_get(1)?,
            media_type: row.try_get(2)?,
        })
    }
}

async fn write_atomically(path: &Path, content: &[u8]) -> Result<()> {
    // One blocking task for the whole write: tokio's file calls would each hop to the
    // blocking pool, and a capture-heavy crawl writes thousands of these.
    let path = path.to_path_buf();
    let content = content.to_vec();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        if std::fs::metadata(&path).is_ok() {
            return Ok(());
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".tmp-{}", rand::random::<u64>()));
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&content)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, &path)
    })
    .await
    .map_err(|e| std::io::Error::other(e.to_string()))??;
    Ok(())
}
