//! Runs jobs from the queue.
//!
//! A [`Worker`] serves a set of job kinds, each with a [`Handler`]. It claims a job, keeps its
//! lease alive with heartbeats while the handler runs, and completes or fails it. It stops
//! claiming when its shutdown signal fires and finishes the job in hand. `lantoa serve` runs
//! one worker per role (so an upload does not wait behind crawls); `lantoa worker --role …` runs one for
//! the kinds of the roles given.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::watch;

use crate::jobs::{Job, Queue};
use crate::{Error, Result};

/// The future a handler returns: `Err` carries the message recorded on the job.
pub type HandlerFuture = Pin<Box<dyn Future<Output = std::result::Result<(), String>> + Send>>;

/// Runs one kind of job.
pub trait Handler: Send + Sync + 'static {
    /// Runs the job with its payload.
    fn run(&self, payload: serde_json::Value) -> HandlerFuture;
}

impl<F, Fut> Handler for F
where
    F: Fn(serde_json::Value) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = std::result::Result<(), String>> + Send + 'static,
{
    fn run(&self, payload: serde_json::Value) -> HandlerFuture {
        Box::pin(self(payload))
    }
}

/// A loop that claims and runs jobs.
#[derive(Clone)]
pub struct Worker {
    queue: Queue,
    name: String,
    handlers: HashMap<String, Arc<dyn Handler>>,
    idle: std::time::Duration,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("name", &self.name)
            .field("kinds", &self.kinds())
            .finish()
    }
}

impl Worker {
    /// A worker named `name` (shown in the queue as the lease holder).
    pub fn new(queue: Queue, name: impl Into<String>) -> Self {
        Self {
            queue,
            name: name.into(),
            handlers: HashMap::new(),
            idle: std::time::Duration::from_millis(500),
        }
    }

    /// Serves jobs of `kind` with `handler`.
    pub fn handle(mut self, kind: impl Into<String>, handler: impl Handler) -> Self {
        self.handlers.insert(kind.into(), Arc::new(handler));
        self
    }

    /// The kinds served, sorted.
    pub fn kinds(&self) -> Vec<&str> {
        let mut k: Vec<&str> = self.handlers.keys().map(String::as_str).collect();
        k.sort_unstable();
        k
    }

    /// Claims and runs one job; returns whether there was one.
    pub async fn run_once(&self) -> Result<bool> {
        let kinds = self.kinds();
        let Some(job) = self.queue.claim(&kinds, &self.name).await? else {
            return Ok(false);
        };
        self.execute(job).await?;
        Ok(true)
    }

    async fn execute(&self, job: Job) -> Result<()> {
        let Some(handler) = self.handlers.get(&job.kind).cloned() else {
            self.queue.fail(&job, "no handler for this kind").await?;
            return Ok(());
        };
        let beat_every = (self.queue.lease() / 3)
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(10));
        let run = handler.run(job.payload.clone());
        // The heartbeats are one future polled beside the handler, never instead of it: a
        // handler holding a write transaction (SQLite allows one writer) must go on to commit
        // while a heartbeat waits for the lock, or the two wait on each other until the busy
        // timeout and the lease is lost.
        let beats = async {
            loop {
                tokio::time::sleep(beat_every).await;
                if let Err(e) = self.queue.heartbeat(&job).await {
                    return e;
                }
            }
        };
        tokio::pin!(run);
        tokio::pin!(beats);
        let outcome = tokio::select! {
            out = &mut run => out,
            e = &mut beats => {
                tracing::warn!(job = job.id, kind = %job.kind, error = %e, "job lease lost; abandoning it");
                return Ok(());
            }
        };
        match outcome {
            Ok(()) => {
                self.queue.complete(&job).await?;
                tracing::debug!(job = job.id, kind = %job.kind, "job done");
            }
            Err(message) => {
                let what = self.queue.fail(&job, &message).await?;
                tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempt, error = %message, outcome = ?what, "job failed");
            }
        }
        Ok(())
    }

    /// Runs until `shutdown` becomes true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(worker = %self.name, kinds = ?self.kinds(), "worker started");
        while !*shutdown.borrow() {
            match self.run_once().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(Error::LeaseLost(id)) => {
                    tracing::warn!(job = id, "job lease lost");
                    continue;
                }
                Err(e) => tracing::error!(error = %e, "worker cannot reach the queue"),
            }
            tokio::select! {
                _ = tokio::time::sleep(self.idle) => {}
                _ = shutdown.changed() => {}
            }
        }
        tracing::info!(worker = %self.name, "worker stopped");
    }
}
