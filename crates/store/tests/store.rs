//! The storage contract: run on SQLite by `cargo test`, and again on PostgreSQL by
//! `cargo xtask test` (which sets `LANTOA_TEST_DATABASE_URL`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use std::collections::HashSet;

use chrono::{Duration, TimeZone, Utc};
use lantoa_store::audit::{self, Break, Entry};
use lantoa_store::blob::BlobStore;
use lantoa_store::jobs::{FailOutcome, NewJob, Queue};
use lantoa_store::testing::TestDb;
use lantoa_store::worker::Worker;
use lantoa_store::{Clock, Error, migrate};
use serde_json::json;

async fn fresh() -> TestDb {
    TestDb::new(&[]).await.unwrap()
}

fn manual_clock() -> Clock {
    Clock::manual(Utc.with_ymd_and_hms(2026, 1, 5, 8, 0, 0).unwrap())
}

mod migrations {
    use super::*;

    #[tokio::test]
    async fn second_run_applies_nothing() {
        let t = fresh().await;
        let again = migrate::run(&t.db, &[&lantoa_store::MIGRATIONS])
            .await
            .unwrap();
        assert!(again.applied.is_empty());
    }

    #[tokio::test]
    async fn refuses_a_migration_edited_after_it_was_applied() {
        let t = fresh().await;
        sqlx::query(
            "UPDATE schema_migrations SET checksum = 'x' WHERE component = 'store' AND version = 1",
        )
        .execute(t.db.pool())
        .await
        .unwrap();
        let err = migrate::run(&t.db, &[&lantoa_store::MIGRATIONS])
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::MigrationChanged { version: 1, .. }),
            "{err}"
        );
    }

    #[tokio::test]
    async fn refuses_a_database_from_a_newer_version() {
        let t = fresh().await;
        sqlx::query("INSERT INTO schema_migrations (component, version, name, checksum, applied_at) VALUES ('store', 99, 'future', 'x', 0)")
            .execute(t.db.pool())
            .await
            .unwrap();
        let err = migrate::run(&t.db, &[&lantoa_store::MIGRATIONS])
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::MigrationUnknown { version: 99, .. }),
            "{err}"
        );
    }
}

mod jobs {
    use super::*;

    #[tokio::test]
    async fn claims_only_ready_jobs_of_the_kinds_served() {
        let t = fresh().await;
        let clock = manual_clock();
        let q = Queue::new(t.db.clone()).with_clock(clock.clone());
        let a = q
            .enqueue(&NewJob::new("crawl.fetch", json!({"url": "https://a.vn"})))
            .await
            .unwrap();
        let mut later = NewJob::new("crawl.fetch", json!({}));
        later.run_at = Some(clock.now() + Duration::minutes(5));
        q.enqueue(&later).await.unwrap();
        q.enqueue(&NewJob::new("notify.send", json!({})))
            .await
            .unwrap();

        let job = q.claim(&["crawl.fetch"], "w1").await.unwrap().unwrap();
        assert_eq!(job.id, a);
        assert_eq!(job.attempt, 1);
        assert_eq!(job.payload, json!({"url": "https://a.vn"}));
        assert!(
            q.claim(&["crawl.fetch"], "w1").await.unwrap().is_none(),
            "the other is not due yet"
        );
        q.complete(&job).await.unwrap();
        let counts = q.counts().await.unwrap();
        assert_eq!((counts.queued, counts.running, counts.dead), (2, 0, 0));

        clock.advance(Duration::minutes(6));
        assert!(q.claim(&["crawl.fetch"], "w1").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn failed_jobs_back_off_then_die_after_their_attempts() {
        let t = fresh().await;
        let clock = manual_clock();
        let q = Queue::new(t.db.clone()).with_clock(clock.clone());
        let mut job = NewJob::new("k", json!(1));
        job.max_attempts = 3;
        q.enqueue(&job).await.unwrap();

        let j1 = q.claim(&["k"], "w").await.unwrap().unwrap();
        let out = q.fail(&j1, "timeout").await.unwrap();
        assert_eq!(out, FailOutcome::Retry(clock.now() + Duration::seconds(10)));
        assert!(q.claim(&["k"], "w").await.unwrap().is_none(), "backing off");
        clock.advance(Duration::seconds(10));
        let j2 = q.claim(&["k"], "w").await.unwrap().unwrap();
        assert_eq!(j2.attempt, 2);
        assert_eq!(
            q.fail(&j2, "timeout").await.unwrap(),
            FailOutcome::Retry(clock.now() + Duration::seconds(20))
        );
        clock.advance(Duration::seconds(20));
        let j3 = q.claim(&["k"], "w").await.unwrap().unwrap();
        assert_eq!(
            q.fail(&j3, "still failing").await.unwrap(),
            FailOutcome::Dead
        );
        clock.advance(Duration::hours(2));
        assert!(q.claim(&["k"], "w").await.unwrap().is_none());
        let dead = q.dead(10).await.unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].last_error.as_deref(), Some("still failing"));
        assert!(q.retry_dead(dead[0].id).await.unwrap());
        assert!(q.claim(&["k"], "w").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn an_expired_lease_returns_the_job_and_fences_the_old_worker() {
        let t = fresh().await;
        let clock = manual_clock();
        let q = Queue::new(t.db.clone())
            .with_clock(clock.clone())
            .with_lease(Duration::seconds(30));
        q.enqueue(&NewJob::new("k", json!(null))).await.unwrap();
        let first = q.claim(&["k"], "dead-worker").await.unwrap().unwrap();
        clock.advance(Duration::seconds(20));
        q.heartbeat(&first).await.unwrap();
        clock.advance(Duration::seconds(20));
        assert!(
            q.claim(&["k"], "w2").await.unwrap().is_none(),
            "the heartbeat extended the lease"
        );
        clock.advance(Duration::seconds(31));
        let second = q.claim(&["k"], "w2").await.unwrap().unwrap();
        assert_eq!(second.id, first.id);
        assert_eq!(second.attempt, 2);
        assert!(matches!(
            q.heartbeat(&first).await,
            Err(Error::LeaseLost(_))
        ));
        assert!(matches!(q.complete(&first).await, Err(Error::LeaseLost(_))));
        q.complete(&second).await.unwrap();
        assert_eq!(q.counts().await.unwrap(), Default::default());
    }

    #[tokio::test]
    async fn a_lease_expiring_on_the_last_attempt_kills_the_job() {
        let t = fresh().await;
        let clock = manual_clock();
        let q = Queue::new(t.db.clone()).with_clock(clock.clone());
        let mut job = NewJob::new("k", json!(null));
        job.max_attempts = 1;
        q.enqueue(&job).await.unwrap();
        q.claim(&["k"], "w1").await.unwrap().unwrap();
        clock.advance(Duration::minutes(5));
        assert!(q.claim(&["k"], "w2").await.unwrap().is_none());
        assert_eq!(q.counts().await.unwrap().dead, 1);
    }

    #[tokio::test]
    async fn concurrent_workers_never_take_the_same_job() {
        let t = fresh().await;
        let q = Queue::new(t.db.clone());
        for i in 0..40 {
            q.enqueue(&NewJob::new("k", json!(i))).await.unwrap();
        }
        let mut tasks = Vec::new();
        for w in 0..4 {
            let q = q.clone();
            tasks.push(tokio::spawn(async move {
                let mut got = Vec::new();
                while let Some(j) = q.claim(&["k"], &format!("w{w}")).await.unwrap() {
                    got.push(j.id);
                    q.complete(&j).await.unwrap();
                }
                got
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let unique: HashSet<_> = all.iter().collect();
        assert_eq!(all.len(), 40);
        assert_eq!(unique.len(), 40);
    }

    #[tokio::test]
    async fn enqueue_in_a_rolled_back_transaction_leaves_no_job() {
        let t = fresh().await;
        let q = Queue::new(t.db.clone());
        let mut tx = t.db.begin().await.unwrap();
        q.enqueue_in(&mut tx, &NewJob::new("k", json!(null)))
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(q.counts().await.unwrap().queued, 0);
    }

    #[tokio::test]
    async fn worker_runs_handlers_and_records_failures() {
        let t = fresh().await;
        let q = Queue::new(t.db.clone());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let s = seen.clone();
        let worker = Worker::new(q.clone(), "test")
            .handle("ok", move |p: serde_json::Value| {
                let s = s.clone();
                async move {
                    s.lock().unwrap().push(p);
                    Ok(())
                }
            })
            .handle("bad", |_p: serde_json::Value| async {
                Err("refused".to_owned())
            });
        q.enqueue(&NewJob::new("ok", json!("hello"))).await.unwrap();
        q.enqueue(&NewJob::new("bad", json!(null))).await.unwrap();
        assert!(worker.run_once().await.unwrap());
        assert!(worker.run_once().await.unwrap());
        assert!(
            !worker.run_once().await.unwrap(),
            "the failed job is backing off"
        );
        assert_eq!(*seen.lock().unwrap(), vec![json!("hello")]);
        assert_eq!(q.counts().await.unwrap().queued, 1);
    }

    /// A handler that holds a write transaction while a heartbeat falls due (as an upload's
    /// ingest does, batch after batch) still commits, and its job completes: the heartbeat
    /// waits for the lock beside the handler, not instead of it.
    #[tokio::test]
    async fn a_heartbeat_due_during_a_handlers_transaction_does_not_stall_it() {
        let t = fresh().await;
        // Heartbeats every 100 ms.
        let q = Queue::new(t.db.clone()).with_lease(chrono::Duration::milliseconds(300));
        let db = t.db.clone();
        let worker = Worker::new(q.clone(), "test").handle("long", move |_p: serde_json::Value| {
            let db = db.clone();
            async move {
                for round in 0..3 {
                    let mut tx = db.begin().await.map_err(|e| e.to_string())?;
                    sqlx::query("INSERT INTO worker_probe (n) VALUES ($1)")
                        .bind(round)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| e.to_string())?;
                    // Still holding the write lock when the heartbeat falls due.
                    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                    tx.commit().await.map_err(|e| e.to_string())?;
                }
                Ok(())
            }
        });
        sqlx::query("CREATE TABLE worker_probe (n BIGINT)")
            .execute(t.db.pool())
            .await
            .unwrap();
        q.enqueue(&NewJob::new("long", json!(null))).await.unwrap();
        assert!(worker.run_once().await.unwrap());
        let c = q.counts().await.unwrap();
        assert_eq!((c.queued, c.running, c.dead), (0, 0, 0), "completed: {c:?}");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM worker_probe")
            .fetch_one(t.db.pool())
            .await
            .unwrap();
        assert_eq!(n, 3);
    }
}

mod blobs {
    use super::*;

    #[tokio::test]
    async fn stores_once_by_content_and_verifies_on_read() {
        let t = fresh().await;
        let store = BlobStore::new(t.db.clone(), t.dir.path().join("blobs"));
        let a = store
            .put(b"WARC/1.0 capture", "application/warc")
            .await
            .unwrap();
        let b = store
            .put(b"WARC/1.0 capture", "application/warc")
            .await
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.sha256, sha256_hex(b"WARC/1.0 capture"));
        assert_eq!(a.size, 16);
        assert_eq!(store.get(&a.sha256).await.unwrap(), b"WARC/1.0 capture");
        assert_eq!(
            store.describe(&a.sha256).await.unwrap().media_type,
            "application/warc"
        );
    }

    #[tokio::test]
    async fn detects_altered_and_missing_blobs() {
        let t = fresh().await;
        let root = t.dir.path().join("blobs");
        let store = BlobStore::new(t.db.clone(), &root);
        let a = store.put(b"evidence", "text/plain").await.unwrap();
        let (pack, offset) = store.location(&a.sha256).await.unwrap().unwrap();
        let mut bytes = std::fs::read(&pack).unwrap();
        bytes[offset as usize + 7] = b'E';
        std::fs::write(&pack, &bytes).unwrap();
        assert!(matches!(
            store.get(&a.sha256).await,
            Err(Error::BlobCorrupt(_))
        ));
        // A pack cut short is altered evidence too.
        std::fs::write(&pack, &bytes[..bytes.len() - 2]).unwrap();
        assert!(matches!(
            store.get(&a.sha256).await,
            Err(Error::BlobCorrupt(_))
        ));
        std::fs::remove_file(&pack).unwrap();
        assert!(matches!(
            store.get(&a.sha256).await,
            Err(Error::BlobMissing(_))
        ));
        assert!(matches!(
            store.get(&sha256_hex(b"never stored")).await,
            Err(Error::BlobMissing(_))
        ));
        assert!(matches!(
            store.get("../../etc/passwd").await,
            Err(Error::BlobMissing(_))
        ));
    }

    #[tokio::test]
    async fn captures_share_a_pack_that_is_their_concatenation() {
        let t = fresh().await;
        let root = t.dir.path().join("blobs");
        let store = BlobStore::new(t.db.clone(), &root);
        let records: Vec<Vec<u8>> = (0..3)
            .map(|i| {
                format!("WARC/1.1\r\nWARC-Record-ID: <urn:x:{i}>\r\n\r\nbody {i}\r\n\r\n")
                    .into_bytes()
            })
            .collect();
        let mut packs = std::collections::BTreeSet::new();
        for r in &records {
            let b = store.put(r, "application/warc").await.unwrap();
            packs.insert(store.location(&b.sha256).await.unwrap().unwrap().0);
        }
        let model = store
            .put(b"model weights", "application/json")
            .await
            .unwrap();
        let (model_pack, _) = store.location(&model.sha256).await.unwrap().unwrap();
        assert_eq!(packs.len(), 1, "one pack for the captures");
        let pack = packs.into_iter().next().unwrap();
        assert_eq!(pack.extension().unwrap(), "warc");
        assert_eq!(model_pack.extension().unwrap(), "pack");
        // Standard WARC tools read a pack of captures as one WARC file.
        assert_eq!(std::fs::read(&pack).unwrap(), records.concat());
        for r in &records {
            assert_eq!(&store.get(&sha256_hex(r)).await.unwrap(), r);
        }
    }

    #[tokio::test]
    async fn a_full_pack_is_closed_and_a_new_one_opened() {
        let t = fresh().await;
        let store = BlobStore::new(t.db.clone(), t.dir.path().join("blobs")).with_pack_limit(10);
        let mut packs = std::collections::BTreeSet::new();
        for i in 0..3 {
            let b = store
                .put(format!("blob number {i}").as_bytes(), "text/plain")
                .await
                .unwrap();
            packs.insert(store.location(&b.sha256).await.unwrap().unwrap().0);
            assert_eq!(
                store.get(&b.sha256).await.unwrap(),
                format!("blob number {i}").as_bytes()
            );
        }
        assert_eq!(packs.len(), 3);
    }

    #[tokio::test]
    async fn a_written_blob_is_readable_only_once_its_transaction_commits() {
        let t = fresh().await;
        let store = BlobStore::new(t.db.clone(), t.dir.path().join("blobs"));
        let w = store.write(b"rolled back", "text/plain").await.unwrap();
        let mut tx = t.db.begin().await.unwrap();
        store.index(&mut tx, &w).await.unwrap();
        tx.rollback().await.unwrap();
        assert!(matches!(
            store.get(&w.blob().sha256).await,
            Err(Error::BlobMissing(_))
        ));
        let w = store.write(b"committed", "text/plain").await.unwrap();
        let mut tx = t.db.begin().await.unwrap();
        store.index(&mut tx, &w).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(store.get(&w.blob().sha256).await.unwrap(), b"committed");
    }

    fn read_all(mut r: impl std::io::Read) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        r.read_to_end(&mut out)?;
        Ok(out)
    }

    #[tokio::test]
    async fn a_staged_blob_is_written_in_pieces_and_read_as_a_stream() {
        let t = fresh().await;
        let root = t.dir.path().join("blobs");
        let store = BlobStore::new(t.db.clone(), &root);
        // 3 MiB in uneven pieces, more than the head and the write buffer hold.
        let content: Vec<u8> = (0..3 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
        let mut staged = store.stage().await.unwrap();
        for piece in content.chunks(70_001) {
            staged.write(piece).await.unwrap();
        }
        assert_eq!(staged.size(), content.len() as u64);
        assert_eq!(staged.head(), &content[..64 * 1024]);
        let blob = staged.commit("text/csv").await.unwrap();
        assert_eq!(blob.sha256, sha256_hex(&content));
        assert_eq!(blob.size, content.len() as i64);
        // The staged file became a pack of its own; nothing is left in staging.
        let (pack, offset) = store.location(&blob.sha256).await.unwrap().unwrap();
        assert_eq!(offset, 0);
        assert_eq!(std::fs::read(&pack).unwrap(), content);
        assert_eq!(std::fs::read_dir(root.join("staging")).unwrap().count(), 0);
        let reader = store.open(&blob.sha256).await.unwrap();
        assert_eq!(reader.size(), content.len() as u64);
        assert_eq!(read_all(reader).unwrap(), content);
        // Packed blobs among others read as streams too.
        let small = store.put(b"among others", "text/plain").await.unwrap();
        let other = store.put(b"another one", "text/plain").await.unwrap();
        assert_eq!(
            read_all(store.open(&small.sha256).await.unwrap()).unwrap(),
            b"among others"
        );
        assert_eq!(
            read_all(store.open(&other.sha256).await.unwrap()).unwrap(),
            b"another one"
        );
        // Staging content stored already keeps the first copy and removes the new one.
        let mut again = store.stage().await.unwrap();
        again.write(b"among others").await.unwrap();
        assert_eq!(again.commit("text/plain").await.unwrap(), small);
        assert_eq!(std::fs::read_dir(root.join("staging")).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn a_staged_blob_dropped_before_commit_leaves_nothing() {
        let t = fresh().await;
        let root = t.dir.path().join("blobs");
        let store = BlobStore::new(t.db.clone(), &root);
        let mut staged = store.stage().await.unwrap();
        staged.write(b"half an upload").await.unwrap();
        drop(staged);
        assert_eq!(std::fs::read_dir(root.join("staging")).unwrap().count(), 0);
        assert!(matches!(
            store.open(&sha256_hex(b"half an upload")).await,
            Err(Error::BlobMissing(_))
        ));
    }

    #[tokio::test]
    async fn a_streamed_read_fails_at_its_end_when_the_blob_was_altered_or_cut() {
        let t = fresh().await;
        let store = BlobStore::new(t.db.clone(), t.dir.path().join("blobs"));
        let a = store.put(b"evidence of a row", "text/csv").await.unwrap();
        let (pack, offset) = store.location(&a.sha256).await.unwrap().unwrap();
        let mut bytes = std::fs::read(&pack).unwrap();
        bytes[offset as usize + 3] = b'X';
        std::fs::write(&pack, &bytes).unwrap();
        let e = read_all(store.open(&a.sha256).await.unwrap()).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
        assert!(e.to_string().contains(&a.sha256), "{e}");
        std::fs::write(&pack, &bytes[..bytes.len() - 4]).unwrap();
        let e = read_all(store.open(&a.sha256).await.unwrap()).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof);
        std::fs::remove_file(&pack).unwrap();
        assert!(matches!(
            store.open(&a.sha256).await,
            Err(Error::BlobMissing(_))
        ));
    }

    #[tokio::test]
    async fn blobs_stored_one_file_each_before_packs_still_read() {
        let t = fresh().await;
        let root = t.dir.path().join("blobs");
        let store = BlobStore::new(t.db.clone(), &root);
        let sha = sha256_hex(b"old capture");
        let dir = root.join(&sha[..2]).join(&sha[2..4]);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(&sha), b"old capture").unwrap();
        sqlx::query("INSERT INTO blobs (sha256, size, media_type, created_at) VALUES ($1, 11, 'application/warc', 0)")
            .bind(&sha)
            .execute(t.db.pool())
            .await
            .unwrap();
        assert_eq!(store.get(&sha).await.unwrap(), b"old capture");
        assert_eq!(store.location(&sha).await.unwrap(), None);
        std::fs::write(dir.join(&sha), b"old captur3").unwrap();
        assert!(matches!(store.get(&sha).await, Err(Error::BlobCorrupt(_))));
    }
}

mod audit_log {
    use super::*;

    async fn write(t: &TestDb, n: usize) {
        for i in 0..n {
            let mut tx = t.db.begin().await.unwrap();
            audit::append(
                &mut tx,
                &Entry::new("admin", "accounts.user_created", format!("user:{i}"))
                    .after(json!({"name": format!("u{i}")})),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
    }

    /// The log read a page at a time, newest first, by actor and by action's start.
    #[tokio::test]
    async fn the_log_is_read_back_page_by_page_and_filtered() {
        let t = fresh().await;
        write(&t, 7).await;
        let mut tx = t.db.begin().await.unwrap();
        audit::append(&mut tx, &Entry::new("lan", "watch.case_opened", "case:1"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let q = |before, actor: &str, action: &str| audit::LogQuery {
            before,
            actor: actor.to_owned(),
            action: action.to_owned(),
            limit: 3,
        };
        let seqs = |rows: Vec<audit::Record>| rows.iter().map(|r| r.seq).collect::<Vec<_>>();
        assert_eq!(
            seqs(audit::page(&t.db, &q(None, "", "")).await.unwrap()),
            [8, 7, 6]
        );
        assert_eq!(
            seqs(audit::page(&t.db, &q(Some(6), "", "")).await.unwrap()),
            [5, 4, 3]
        );
        assert_eq!(
            seqs(audit::page(&t.db, &q(Some(2), "", "")).await.unwrap()),
            [1]
        );
        assert_eq!(
            seqs(audit::page(&t.db, &q(None, "lan", "")).await.unwrap()),
            [8]
        );
        assert_eq!(
            seqs(
                audit::page(&t.db, &q(Some(7), "admin", "accounts."))
                    .await
                    .unwrap()
            ),
            [6, 5, 4]
        );
        // A pattern's own wildcards are literal: no action starts "accounts%".
        assert!(
            audit::page(&t.db, &q(None, "", "accounts%"))
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn an_intact_chain_verifies() {
        let t = fresh().await;
        write(&t, 5).await;
        let v = audit::verify(&t.db).await.unwrap();
        assert_eq!(v.rows, 5);
        assert_eq!(v.first_break, None);
    }

    #[tokio::test]
    async fn names_the_first_altered_row() {
        let t = fresh().await;
        write(&t, 5).await;
        sqlx::query("UPDATE audit_log SET actor = 'someone' WHERE seq = 3")
            .execute(t.db.pool())
            .await
            .unwrap();
        assert_eq!(
            audit::verify(&t.db).await.unwrap().first_break,
            Some(Break::Altered { seq: 3 })
        );
    }

    #[tokio::test]
    async fn names_a_removed_row_in_the_middle_or_at_the_end() {
        let t = fresh().await;
        write(&t, 5).await;
        sqlx::query("DELETE FROM audit_log WHERE seq = 2")
            .execute(t.db.pool())
            .await
            .unwrap();
        assert_eq!(
            audit::verify(&t.db).await.unwrap().first_break,
            Some(Break::Removed { seq: 2 })
        );

        let t = fresh().await;
        write(&t, 5).await;
        sqlx::query("DELETE FROM audit_log WHERE seq = 5")
            .execute(t.db.pool())
            .await
            .unwrap();
        assert_eq!(
            audit::verify(&t.db).await.unwrap().first_break,
            Some(Break::Removed { seq: 5 })
        );
    }

    /// The SHA-256 of a row's fields as the chain hashed them before it was keyed: what
    /// someone without the key can compute.
    fn unkeyed(prev: &str, r: &audit::Record) -> String {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        for field in [
            prev,
            &r.seq.to_string(),
            &r.at.to_string(),
            &r.actor,
            &r.action,
            &r.entity,
            r.before_json.as_deref().unwrap_or("\u{0}"),
            r.after_json.as_deref().unwrap_or("\u{0}"),
        ] {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        hex::encode(h.finalize())
    }

    /// Rewrites rows `from..` and the head with hashes made by `hash`, as someone who can
    /// write the database but holds no key would after changing a row.
    async fn recompute(t: &TestDb, from: i64, hash: impl Fn(&str, &audit::Record) -> String) {
        let rows = audit::list_after(&t.db, 0, 100).await.unwrap();
        let mut prev = rows[(from - 2) as usize].hash.clone();
        for r in rows.iter().filter(|r| r.seq >= from) {
            let h = hash(&prev, r);
            sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3")
                .bind(&prev)
                .bind(&h)
                .bind(r.seq)
                .execute(t.db.pool())
                .await
                .unwrap();
            prev = h;
        }
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&prev)
            .execute(t.db.pool())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_chain_recomputed_without_the_key_is_found() {
        for mark in ["", "k1:"] {
            let t = fresh().await;
            write(&t, 5).await;
            assert!(
                audit::list_after(&t.db, 0, 1).await.unwrap()[0]
                    .hash
                    .starts_with("k1:")
            );
            sqlx::query("UPDATE audit_log SET actor = 'someone' WHERE seq = 3")
                .execute(t.db.pool())
                .await
                .unwrap();
            recompute(&t, 3, |prev, r| format!("{mark}{}", unkeyed(prev, r))).await;
            assert_eq!(
                audit::verify(&t.db).await.unwrap().first_break,
                Some(Break::Altered { seq: 3 }),
                "{mark:?}"
            );
        }
    }

    /// Deleting the newest rows and rewinding the head leaves a whole, shorter chain: only an
    /// anchor kept elsewhere finds it.
    #[tokio::test]
    async fn a_rewound_head_is_found_against_an_anchor() {
        let t = fresh().await;
        write(&t, 5).await;
        let v = audit::verify(&t.db).await.unwrap();
        let anchor = v.head.clone();
        assert_eq!(anchor.seq, 5);
        assert_eq!(anchor.to_string().parse::<audit::Anchor>().unwrap(), anchor);
        let early = audit::Anchor {
            seq: 3,
            hash: audit::list_after(&t.db, 2, 1).await.unwrap()[0]
                .hash
                .clone(),
        };
        sqlx::query("DELETE FROM audit_log WHERE seq > 3")
            .execute(t.db.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE audit_head SET seq = 3, hash = $1 WHERE id = 1")
            .bind(&early.hash)
            .execute(t.db.pool())
            .await
            .unwrap();
        assert_eq!(audit::verify(&t.db).await.unwrap().first_break, None);
        assert_eq!(
            audit::verify_with(&t.db, Some(&anchor))
                .await
                .unwrap()
                .first_break,
            Some(Break::Rewound { seq: 5 })
        );
        assert_eq!(
            audit::verify_with(&t.db, Some(&early))
                .await
                .unwrap()
                .first_break,
            None
        );
        let wrong = audit::Anchor {
            seq: 3,
            hash: "k1:00".into(),
        };
        assert_eq!(
            audit::verify_with(&t.db, Some(&wrong))
                .await
                .unwrap()
                .first_break,
            Some(Break::Altered { seq: 3 })
        );
        assert!("5".parse::<audit::Anchor>().is_err());
    }

    /// Rows written before the chain was keyed verify as they were written and are counted;
    /// an unkeyed row after a keyed one is not Lantoa's.
    #[tokio::test]
    async fn rows_from_before_the_key_verify_and_are_counted() {
        let t = fresh().await;
        write(&t, 4).await;
        // A chain whose first two rows are from before the key.
        let rows = audit::list_after(&t.db, 0, 10).await.unwrap();
        let h1 = unkeyed(audit::GENESIS, &rows[0]);
        let h2 = unkeyed(&h1, &rows[1]);
        let mut prev = h2.clone();
        for (seq, h) in [(1, h1.as_str()), (2, h2.as_str())] {
            sqlx::query("UPDATE audit_log SET hash = $1 WHERE seq = $2")
                .bind(h)
                .bind(seq)
                .execute(t.db.pool())
                .await
                .unwrap();
        }
        sqlx::query("UPDATE audit_log SET prev_hash = $1 WHERE seq = 2")
            .bind(&h1)
            .execute(t.db.pool())
            .await
            .unwrap();
        // Rows 3 and 4 keyed again on top of them, as the server would have written them.
        for r in rows.iter().filter(|r| r.seq > 2) {
            let mut tx = t.db.begin().await.unwrap();
            sqlx::query("DELETE FROM audit_log WHERE seq = $1")
                .bind(r.seq)
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(r.seq - 1)
                .bind(&prev)
                .execute(&mut *tx)
                .await
                .unwrap();
            audit::append(
                &mut tx,
                &Entry::new(r.actor.clone(), r.action.clone(), r.entity.clone()),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            prev = audit::list_after(&t.db, r.seq - 1, 1).await.unwrap()[0]
                .hash
                .clone();
        }
        let v = audit::verify(&t.db).await.unwrap();
        assert_eq!((v.rows, v.legacy_rows, v.first_break), (4, 2, None));
        // Row 4 rewritten unkeyed after the keyed row 3: refused.
        recompute(&t, 4, unkeyed).await;
        assert_eq!(
            audit::verify(&t.db).await.unwrap().first_break,
            Some(Break::Altered { seq: 4 })
        );
    }

    #[tokio::test]
    async fn a_rolled_back_change_leaves_no_row_and_the_chain_holds() {
        let t = fresh().await;
        write(&t, 2).await;
        let mut tx = t.db.begin().await.unwrap();
        audit::append(&mut tx, &Entry::new("admin", "x", "y"))
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        write(&t, 1).await;
        let v = audit::verify(&t.db).await.unwrap();
        assert_eq!((v.rows, v.first_break), (3, None));
    }

    #[tokio::test]
    async fn concurrent_appends_keep_one_chain() {
        let t = fresh().await;
        let mut tasks = Vec::new();
        for i in 0..4 {
            let db = t.db.clone();
            tasks.push(tokio::spawn(async move {
                for j in 0..5 {
                    let mut tx = db.begin().await.unwrap();
                    audit::append(&mut tx, &Entry::new(format!("u{i}"), "a", format!("e{j}")))
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let v = audit::verify(&t.db).await.unwrap();
        assert_eq!((v.rows, v.first_break), (20, None));
    }
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

mod json_rows {
    use super::*;
    use lantoa_store::{JsonCol, json_rows, sqlx};
    use sqlx::Row;

    #[tokio::test]
    async fn rows_pass_as_one_json_value_with_their_types_and_nulls() {
        let t = fresh().await;
        sqlx::query("CREATE TABLE jr (n BIGINT NOT NULL, s TEXT, k TEXT NOT NULL)")
            .execute(t.db.pool())
            .await
            .unwrap();
        let rows = json!([
            [1, "một", "a"],
            [-7, null, "b\"'\\"],
            [9007199254740993i64, "x", "c"]
        ]);
        let sql = format!(
            "INSERT INTO jr (n, s, k) SELECT c0, c1, c2 FROM ({}) AS r",
            json_rows(
                t.db.backend(),
                1,
                &[JsonCol::Int, JsonCol::Text, JsonCol::Text]
            )
        );
        let done = sqlx::query(&sql)
            .bind(rows.to_string())
            .execute(t.db.pool())
            .await
            .unwrap();
        assert_eq!(done.rows_affected(), 3);
        let back: Vec<(i64, Option<String>, String)> =
            sqlx::query("SELECT n, s, k FROM jr ORDER BY k")
                .fetch_all(t.db.pool())
                .await
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect();
        assert_eq!(
            back,
            vec![
                (1, Some("một".into()), "a".into()),
                (-7, None, "b\"'\\".into()),
                (9007199254740993, Some("x".into()), "c".into()),
            ]
        );
    }
}
