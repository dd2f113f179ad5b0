//! Group commit of recorded pages.
//!
//! A crawl records a page for every address it tries. One transaction per page spent most of
//! a loopback crawl's time on `BEGIN`/`COMMIT` and on SQLite's writers waiting for each other,
//! so the pages of every crawl in this process go through one task that writes whatever is
//! waiting, up to [`MAX_BATCH`] pages, in one transaction, and adds them to their crawls'
//! counters once per batch. A page's caller still waits for its own commit: when `record`
//! returns, the row and its capture's index entry are stored, and the live counters include it.

use std::collections::HashMap;
use std::sync::Mutex;

use lantoa_store::Db;
use lantoa_store::blob::{BlobStore, Written};
use sqlx::Row;
use tokio::sync::{mpsc, oneshot};

use crate::{Error, Result};

/// The most pages written in one transaction.
const MAX_BATCH: usize = 256;

/// The live counter of a crawl that a recorded page adds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Counter {
    Ok,
    Unchanged,
    Failed,
}

/// The statement inserting one page row, with its values bound, returning the row's id.
pub(crate) type Insert = sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments<'static>>;

struct Pending {
    crawl_id: i64,
    counter: Counter,
    bytes: i64,
    capture: Option<Written>,
    insert: Insert,
    reply: oneshot::Sender<std::result::Result<i64, String>>,
}

/// The process's page writer; started on first use in the running Tokio runtime, and again if
/// that runtime has gone.
pub(crate) struct PageWriter {
    db: Db,
    blobs: BlobStore,
    sender: Mutex<Option<mpsc::Sender<Pending>>>,
}

impl PageWriter {
    pub(crate) fn new(db: Db, blobs: BlobStore) -> Self {
        Self {
            db,
            blobs,
            sender: Mutex::new(None),
        }
    }

    fn sender(&self) -> Result<mpsc::Sender<Pending>> {
        let mut slot = self
            .sender
            .lock()
            .map_err(|_| Error::internal("the page writer's lock was poisoned by a panic"))?;
        if let Some(s) = slot.as_ref().filter(|s| !s.is_closed()) {
            return Ok(s.clone());
        }
        let (sender, receiver) = mpsc::channel(MAX_BATCH * 4);
        tokio::spawn(run(self.db.clone(), self.blobs.clone(), receiver));
        *slot = Some(sender.clone());
        Ok(sender)
    }

    /// Records a page: indexes its capture (already written to a pack), runs `insert`, and
    /// adds one page and `bytes` to the crawl's `counter`, all in the next batch's transaction.
    pub(crate) async fn record(
        &self,
        crawl_id: i64,
        counter: Counter,
        bytes: i64,
        capture: Option<Written>,
        insert: Insert,
    ) -> Result<i64> {
        let (reply, answer) = oneshot::channel();
        let stopped = || Error::internal("the page writer stopped");
        self.sender()?
            .send(Pending {
                crawl_id,
                counter,
                bytes,
                capture,
                insert,
                reply,
            })
            .await
            .map_err(|_| stopped())?;
        answer
            .await
            .map_err(|_| stopped())?
            .map_err(Error::internal)
    }
}

async fn run(db: Db, blobs: BlobStore, mut receiver: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let mut replies = Vec::with_capacity(batch.len());
        let mut inserts = Vec::with_capacity(batch.len());
        let mut totals: HashMap<(i64, Counter), (i64, i64)> = HashMap::new();
        for p in batch.drain(..) {
            let t = totals.entry((p.crawl_id, p.counter)).or_default();
            t.0 += 1;
            t.1 += p.bytes;
            replies.push(p.reply);
            inserts.push((p.capture, p.insert));
        }
        match commit(&db, &blobs, inserts, &totals).await {
            Ok(ids) => {
                for (reply, id) in replies.into_iter().zip(ids) {
                    // The caller may have given up waiting; its page is stored regardless.
                    let _ = reply.send(Ok(id));
                }
            }
            Err(e) => {
                // Every page of the batch shares its transaction's fate; their crawls end as
                // failed with this reason (storage failures end a crawl by design).
                let message = format!("the page could not be stored: {e}");
                for reply in replies {
                    let _ = reply.send(Err(message.clone()));
                }
            }
        }
    }
}

async fn commit(
    db: &Db,
    blobs: &BlobStore,
    inserts: Vec<(Option<Written>, Insert)>,
    totals: &HashMap<(i64, Counter), (i64, i64)>,
) -> Result<Vec<i64>> {
    let mut tx = db.begin().await?;
    let mut ids = Vec::with_capacity(inserts.len());
    for (capture, insert) in inserts {
        if let Some(w) = &capture {
            blobs.index(&mut tx, w).await?;
        }
        ids.push(insert.fetch_one(&mut *tx).await?.try_get(0)?);
    }
    for (&(crawl_id, counter), &(pages, bytes)) in totals {
        let sql = match counter {
            Counter::Ok => {
                "UPDATE watch_crawls SET pages_ok = pages_ok + $1, bytes = bytes + $2 WHERE id = $3"
            }
            Counter::Unchanged => {
                "UPDATE watch_crawls SET pages_unchanged = pages_unchanged + $1, bytes = bytes + $2 WHERE id = $3"
            }
            Counter::Failed => {
                "UPDATE watch_crawls SET pages_failed = pages_failed + $1, bytes = bytes + $2 WHERE id = $3"
            }
        };
        sqlx::query(sql)
            .bind(pages)
            .bind(bytes)
            .bind(crawl_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(ids)
}
