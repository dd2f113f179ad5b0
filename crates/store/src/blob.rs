//! Files addressed by their SHA-256.
//!
//! A blob is appended to a pack file under `ROOT/packs/` and indexed in the `blobs` table with
//! the pack's name and the offset where it starts. Each store handle (and its clones) keeps one
//! open pack per kind: captures (`application/warc`) go to `*.warc` packs, so a pack of captures
//! is itself a valid WARC file that standard tools read; everything else goes to `*.pack`. A
//! pack is closed at 1 GiB and a new one opened; every process writes its own packs, so several
//! machines can share `ROOT`. Appends are flushed to disk (`fdatasync`) before the index row is
//! written, so an indexed blob is never lost to a crash; a crash between the two leaves only
//! unindexed bytes at a pack's end.
//!
//! One file per blob (`ROOT/ab/cd/<sha256>`, how blobs were stored before packs) is still read.
//! It cost a directory entry and an inode per capture, which limited a crawl to about 1,200
//! pages/s on ext4 (docs/BENCHMARKS.md).
//!
//! Writing the same content twice stores it once. Every read re-hashes the content and fails
//! with [`Error::BlobCorrupt`] if it changed, so evidence cannot be altered unnoticed.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Clock, Db, Error, Result, Tx};

/// The media type of WARC records; blobs of this type go to `*.warc` packs.
const WARC: &str = "application/warc";

/// A pack is closed once it reaches this size.
const PACK_LIMIT: u64 = 1 << 30;

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

/// Content written to a pack but not yet indexed: give it to [`BlobStore::index`] inside the
/// transaction that records what refers to it.
#[derive(Debug, Clone)]
#[must_use = "a written blob is found only once it is indexed"]
pub struct Written {
    blob: BlobRef,
    /// Pack and offset.
    at: (String, i64),
}

impl Written {
    /// The blob's address.
    pub fn blob(&self) -> &BlobRef {
        &self.blob
    }
}

/// Where a blob's bytes are.
enum Place {
    /// In a pack, from `offset`, `size` bytes.
    Packed {
        path: PathBuf,
        offset: u64,
        size: u64,
    },
    /// In a file of its own (how blobs were stored before packs); `size` is `None` when the
    /// index holds no row for it.
    Loose { path: PathBuf, size: Option<u64> },
}

struct OpenPack {
    name: String,
    file: File,
    len: u64,
}

/// The blob store.
#[derive(Clone)]
pub struct BlobStore {
    db: Db,
    root: PathBuf,
    clock: Clock,
    pack_limit: u64,
    /// Open packs by extension.
    packs: Arc<Mutex<HashMap<&'static str, OpenPack>>>,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStore")
            .field("root", &self.root)
            .finish()
    }
}

fn valid_address(sha256: &str) -> bool {
    sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Pack names are ours (`20261128-0123456789abcdef.warc`); anything else in the index is
/// refused rather than joined to a path.
fn valid_pack_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

impl BlobStore {
    /// A store keeping files under `root` and its index in `db`.
    pub fn new(db: Db, root: impl Into<PathBuf>) -> Self {
        Self {
            db,
            root: root.into(),
            clock: Clock::System,
            pack_limit: PACK_LIMIT,
            packs: Arc::default(),
        }
    }

    /// The same store closing packs at `bytes` instead of 1 GiB (tests use a few bytes).
    pub fn with_pack_limit(mut self, bytes: u64) -> Self {
        self.pack_limit = bytes;
        self
    }

    fn loose_path(&self, sha256: &str) -> PathBuf {
        self.root
            .join(&sha256[..2])
            .join(&sha256[2..4])
            .join(sha256)
    }

    fn pack_dir(&self) -> PathBuf {
        self.root.join("packs")
    }

    /// Stores `content` and returns its address.
    pub async fn put(&self, content: &[u8], media_type: &str) -> Result<BlobRef> {
        let sha256 = hex::encode(Sha256::digest(content));
        if self.is_stored(&sha256).await? {
            return Ok(BlobRef {
                sha256,
                size: i64::try_from(content.len()).unwrap_or(i64::MAX),
                media_type: media_type.to_owned(),
            });
        }
        let written = self.write(content, media_type).await?;
        index_on(self.db.pool(), &written, self.clock.now_micros()).await?;
        Ok(written.blob)
    }

    /// Appends `content` to a pack, flushed to disk, without asking the index whether it is
    /// stored already (a capture never is: its record names its address, time and digest).
    /// Index it with [`BlobStore::index`]; until then it cannot be read. Should the content be
    /// stored already, the index keeps the first copy and this one is unreferenced bytes.
    pub async fn write(&self, content: &[u8], media_type: &str) -> Result<Written> {
        let blob = BlobRef {
            sha256: hex::encode(Sha256::digest(content)),
            size: i64::try_from(content.len()).unwrap_or(i64::MAX),
            media_type: media_type.to_owned(),
        };
        let ext = if media_type == WARC { "warc" } else { "pack" };
        let packs = self.packs.clone();
        let limit = self.pack_limit;
        let dir = self.pack_dir();
        let day = self.clock.now().format("%Y%m%d").to_string();
        let content = content.to_vec();
        // One blocking task for the whole append: tokio's file calls would each hop to the
        // blocking pool, and a crawl appends thousands of these.
        let at = tokio::task::spawn_blocking(move || -> std::io::Result<(String, i64)> {
            let mut packs = packs
                .lock()
                .map_err(|_| std::io::Error::other("a pack writer panicked"))?;
            let result = append(&mut packs, ext, limit, &dir, &day, &content);
            if result.is_err() {
                // The pack's length is unknown after a failed write; the next blob opens a
                // fresh pack rather than trusting it.
                packs.remove(ext);
            }
            result
        })
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))??;
        Ok(Written { blob, at })
    }

    /// Indexes a written blob in `tx`, so it becomes readable when `tx` commits.
    pub async fn index(&self, tx: &mut Tx, written: &Written) -> Result<BlobRef> {
        index_on(&mut **tx, written, self.clock.now_micros()).await?;
        Ok(written.blob.clone())
    }

    /// Whether the index holds a blob with this address.
    async fn is_stored(&self, sha256: &str) -> Result<bool> {
        Ok(sqlx::query("SELECT 1 FROM blobs WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(self.db.pool())
            .await?
            .is_some())
    }

    /// Where a blob's bytes are, from the index: an address that is not one, or that nothing
    /// holds, is missing; an index row naming a pack or offset Lantoa never writes is altered.
    async fn place(&self, sha256: &str) -> Result<Place> {
        if !valid_address(sha256) {
            return Err(Error::BlobMissing(sha256.to_owned()));
        }
        let row = sqlx::query("SELECT size, pack, pack_offset FROM blobs WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(self.db.pool())
            .await?;
        let corrupt = || Error::BlobCorrupt(sha256.to_owned());
        let Some(r) = row else {
            return Ok(Place::Loose {
                path: self.loose_path(sha256),
                size: None,
            });
        };
        let size = u64::try_from(r.try_get::<i64, _>(0)?).map_err(|_| corrupt())?;
        Ok(match r.try_get::<Option<String>, _>(1)? {
            Some(pack) => {
                let offset = r.try_get::<Option<i64>, _>(2)?.unwrap_or(-1);
                let offset = u64::try_from(offset).map_err(|_| corrupt())?;
                if !valid_pack_name(&pack) {
                    return Err(corrupt());
                }
                Place::Packed {
                    path: self.pack_dir().join(pack),
                    offset,
                    size,
                }
            }
            None => Place::Loose {
                path: self.loose_path(sha256),
                size: Some(size),
            },
        })
    }

    /// Reads a blob, checking its content still has its address.
    pub async fn get(&self, sha256: &str) -> Result<Vec<u8>> {
        let missing = || Error::BlobMissing(sha256.to_owned());
        let content = match self.place(sha256).await? {
            Place::Packed { path, offset, size } => {
                let size =
                    usize::try_from(size).map_err(|_| Error::BlobCorrupt(sha256.to_owned()))?;
                match tokio::task::spawn_blocking(move || read_range(&path, offset, size))
                    .await
                    .map_err(|e| std::io::Error::other(e.to_string()))?
                {
                    Ok(c) => c,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
                    // A pack cut short reads as altered evidence, not as an I/O fault.
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                        return Err(Error::BlobCorrupt(sha256.to_owned()));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Place::Loose { path, .. } => match tokio::fs::read(path).await {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
                Err(e) => return Err(e.into()),
            },
        };
        if hex::encode(Sha256::digest(&content)) != sha256 {
            return Err(Error::BlobCorrupt(sha256.to_owned()));
        }
        Ok(content)
    }

    /// A file to be written piece by piece (an upload as it arrives), so its size never bounds
    /// memory. It is kept under `ROOT/staging/` while written; [`Staged::commit`] makes the file
    /// itself a pack holding this one blob (no copy) and indexes it. Dropped uncommitted, the
    /// file is removed.
    pub async fn stage(&self) -> Result<Staged> {
        let dir = self.root.join("staging");
        tokio::fs::create_dir_all(&dir).await?;
        let path = dir.join(format!("{:016x}.part", rand::random::<u64>()));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await?;
        Ok(Staged {
            store: self.clone(),
            file: Some(tokio::io::BufWriter::with_capacity(1 << 20, file)),
            path,
            hasher: Sha256::new(),
            size: 0,
            head: Vec::new(),
        })
    }

    /// Opens a blob for reading as a stream, for blobs too large to hold in memory. The
    /// content is re-hashed as it is read; the read that reaches the end fails with
    /// `InvalidData` if the content changed, or `UnexpectedEof` if it was cut short, so a
    /// reader must read to the end before trusting what it read.
    pub async fn open(&self, sha256: &str) -> Result<BlobReader> {
        let (path, offset, size) = match self.place(sha256).await? {
            Place::Packed { path, offset, size } => (path, offset, size),
            Place::Loose {
                path,
                size: Some(size),
            } => (path, 0, size),
            Place::Loose { size: None, .. } => return Err(Error::BlobMissing(sha256.to_owned())),
        };
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::BlobMissing(sha256.to_owned()));
            }
            Err(e) => return Err(e.into()),
        };
        let mut file = std::io::BufReader::with_capacity(1 << 20, file);
        std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(offset))?;
        Ok(BlobReader {
            inner: std::io::Read::take(file, size),
            expected: sha256.to_owned(),
            size,
            read: 0,
            hasher: Sha256::new(),
            checked: false,
        })
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

    /// Where a blob is kept: its pack file and offset, or `None` for a loose file.
    pub async fn location(&self, sha256: &str) -> Result<Option<(PathBuf, u64)>> {
        match self.place(sha256).await? {
            Place::Packed { path, offset, .. } => Ok(Some((path, offset))),
            Place::Loose { size: Some(_), .. } => Ok(None),
            Place::Loose { size: None, .. } => Err(Error::BlobMissing(sha256.to_owned())),
        }
    }
}

/// A blob being written; see [`BlobStore::stage`].
#[derive(Debug)]
pub struct Staged {
    store: BlobStore,
    file: Option<tokio::io::BufWriter<tokio::fs::File>>,
    path: PathBuf,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
}

/// How many of a staged blob's first bytes are kept for [`Staged::head`].
const HEAD: usize = 64 * 1024;

impl Staged {
    /// Appends `bytes`.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<()> {
        use tokio::io::AsyncWriteExt;
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| std::io::Error::other("the staged blob is already committed"))?;
        file.write_all(bytes).await?;
        self.hasher.update(bytes);
        self.size += bytes.len() as u64;
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
        }
        Ok(())
    }

    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The first 64 KiB written (to tell a file's format).
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// Flushes the file to disk, moves it into `packs/` as a pack of one blob and indexes it.
    /// Content stored already is kept once: the staged copy is removed.
    pub async fn commit(mut self, media_type: &str) -> Result<BlobRef> {
        use tokio::io::AsyncWriteExt;
        let mut file = self
            .file
            .take()
            .ok_or_else(|| std::io::Error::other("the staged blob is already committed"))?;
        file.flush().await?;
        let file = file.into_inner();
        file.sync_all().await?;
        drop(file);
        let blob = BlobRef {
            sha256: hex::encode(std::mem::take(&mut self.hasher).finalize()),
            size: i64::try_from(self.size).unwrap_or(i64::MAX),
            media_type: media_type.to_owned(),
        };
        let store = &self.store;
        if store.is_stored(&blob.sha256).await? {
            tokio::fs::remove_file(&self.path).await?;
            return Ok(blob);
        }
        let dir = store.pack_dir();
        tokio::fs::create_dir_all(&dir).await?;
        let ext = if media_type == WARC { "warc" } else { "pack" };
        let name = format!(
            "{}-{:016x}.{ext}",
            store.clock.now().format("%Y%m%d"),
            rand::random::<u64>()
        );
        tokio::fs::rename(&self.path, dir.join(&name)).await?;
        // The renamed entry must survive a crash as well as the bytes.
        let d = dir.clone();
        tokio::task::spawn_blocking(move || File::open(d)?.sync_all())
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))??;
        let written = Written {
            blob,
            at: (name, 0),
        };
        index_on(store.db.pool(), &written, store.clock.now_micros()).await?;
        Ok(written.blob)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if self.file.is_some() {
            // Not committed: nothing refers to the partial file.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A blob read as a stream; see [`BlobStore::open`].
#[derive(Debug)]
pub struct BlobReader {
    inner: std::io::Take<std::io::BufReader<File>>,
    expected: String,
    size: u64,
    read: u64,
    hasher: Sha256,
    checked: bool,
}

impl BlobReader {
    /// The blob's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }
}

impl std::io::Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        if n == 0 && !buf.is_empty() && !self.checked {
            self.checked = true;
            if self.read < self.size {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!(
                        "blob {} is cut short: {} of {} bytes",
                        self.expected, self.read, self.size
                    ),
                ));
            }
            if hex::encode(std::mem::take(&mut self.hasher).finalize()) != self.expected {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "blob {} was altered: its content no longer has its address",
                        self.expected
                    ),
                ));
            }
        }
        Ok(n)
    }
}

async fn index_on<'e, E>(executor: E, written: &Written, now: i64) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let (pack, offset) = &written.at;
    sqlx::query(
        "INSERT INTO blobs (sha256, size, media_type, created_at, pack, pack_offset)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(&written.blob.sha256)
    .bind(written.blob.size)
    .bind(&written.blob.media_type)
    .bind(now)
    .bind(pack)
    .bind(*offset)
    .execute(executor)
    .await?;
    Ok(())
}

/// Appends to the open pack of kind `ext`, opening a new one when there is none or it is full.
fn append(
    packs: &mut HashMap<&'static str, OpenPack>,
    ext: &'static str,
    limit: u64,
    dir: &Path,
    day: &str,
    content: &[u8],
) -> std::io::Result<(String, i64)> {
    use std::io::Write;
    let full = packs
        .get(ext)
        .is_some_and(|p| p.len > 0 && p.len + content.len() as u64 > limit);
    if full {
        packs.remove(ext);
    }
    let pack = match packs.entry(ext) {
        std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
        std::collections::hash_map::Entry::Vacant(v) => {
            std::fs::create_dir_all(dir)?;
            let name = format!("{day}-{:016x}.{ext}", rand::random::<u64>());
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(dir.join(&name))?;
            // The new directory entry must survive a crash as well as the bytes.
            File::open(dir)?.sync_all()?;
            v.insert(OpenPack { name, file, len: 0 })
        }
    };
    let offset = pack.len;
    pack.file.write_all(content)?;
    pack.file.sync_data()?;
    pack.len += content.len() as u64;
    Ok((
        pack.name.clone(),
        i64::try_from(offset).map_err(std::io::Error::other)?,
    ))
}

fn read_range(path: &Path, offset: u64, size: usize) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let file = File::open(path)?;
    let mut buf = vec![0; size];
    file.read_exact_at(&mut buf, offset)?;
    Ok(buf)
}
