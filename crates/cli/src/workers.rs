//! Which job kinds each worker role serves, and the periodic jobs.

use anyhow::{Context, bail};
use lantoa_accounts::{Accounts, PURGE_JOB};
use lantoa_opendata::{INGEST_JOB, OpenData};
use lantoa_store::Db;
use lantoa_store::jobs::{NewJob, Queue};
use lantoa_store::worker::Worker;
use lantoa_watch::{CRAWL_JOB, Crawler};

/// Every worker role, as `lantoa serve` runs them all.
pub const ALL_ROLES: [&str; 3] = ["housekeeping", "crawl", "opendata"];

/// A worker serving the job kinds of `roles`.
pub fn build(
    db: &Db,
    roles: &[String],
    crawler: &Crawler,
    opendata: &OpenData,
) -> anyhow::Result<Worker> {
    let name = format!("{}-{}-{}", hostname(), std::process::id(), roles.join("+"));
    let mut worker = Worker::new(Queue::new(db.clone()), name);
    for role in roles {
        match role.as_str() {
            "housekeeping" => {
                let accounts = Accounts::new(db.clone());
                worker = worker.handle(PURGE_JOB, move |_payload: serde_json::Value| {
                    let accounts = accounts.clone();
                    async move {
                        let n = accounts.purge_expired().await.map_err(|e| e.to_string())?;
                        tracing::info!(rows = n, "expired sessions and sign-in attempts purged");
                        Ok(())
                    }
                });
            }
            "crawl" => {
                let crawler = crawler.clone();
                worker = worker.handle(CRAWL_JOB, move |payload: serde_json::Value| {
                    let crawler = crawler.clone();
                    async move {
                        let id = job_id(&payload, "crawl_id")?;
                        let done = crawler.run(id, &|_| {}).await.map_err(|e| e.to_string())?;
                        tracing::info!(
                            crawl = id,
                            pages = done.pages_ok,
                            findings = done.findings,
                            "crawl done"
                        );
                        Ok(())
                    }
                });
            }
            "opendata" => {
                let od = opendata.clone();
                worker = worker.handle(INGEST_JOB, move |payload: serde_json::Value| {
                    let od = od.clone();
                    async move {
                        let id = job_id(&payload, "upload_id")?;
                        let u = od.run_upload(id).await.map_err(|e| e.to_string())?;
                        tracing::info!(
                            upload = id,
                            rows = u.rows,
                            clean = u.clean,
                            quarantined = u.quarantined,
                            duplicates = u.duplicates,
                            status = %u.status,
                            "upload read"
                        );
                        Ok(())
                    }
                });
            }
            other => bail!(
                "unknown worker role {other:?}; roles are: {}, {DISPATCH}",
                ALL_ROLES.join(", ")
            ),
        }
    }
    Ok(worker)
}

/// The role that sends SMS campaigns over the configured SMSCs.
pub const DISPATCH: &str = "dispatch";

/// A dispatcher over the SMSCs of `[[notify.smsc]]` sending through `notify`, named for this
/// host and process.
pub fn dispatcher(
    config: &lantoa_notify::DispatchConfig,
    notify: lantoa_notify::Notify,
) -> anyhow::Result<lantoa_notify::Dispatcher> {
    if config.smsc.is_empty() {
        bail!("the dispatch role needs at least one [[notify.smsc]] in the configuration");
    }
    let owner = format!(
        "{}-{}-{:08x}",
        hostname(),
        std::process::id(),
        rand::random::<u32>()
    );
    Ok(lantoa_notify::Dispatcher::new(
        notify,
        config.clone(),
        owner,
    )?)
}

/// The notify service with the rules file `[notify] rules` names, or the shipped rules.
pub fn notify(
    config: &lantoa_notify::DispatchConfig,
    db: &Db,
) -> anyhow::Result<lantoa_notify::Notify> {
    let Some(path) = &config.rules else {
        return Ok(lantoa_notify::Notify::new(db.clone())?
            .with_broadcast(config.broadcast.clone())
            .with_speech(config.speech.clone()));
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the notify rules {}", path.display()))?;
    let rules = lantoa_notify::rules::Rules::from_toml(&text)
        .with_context(|| format!("notify rules {}", path.display()))?;
    let communes = lantoa_notify::audience::Communes::hanoi()?;
    Ok(lantoa_notify::Notify::with(
        db.clone(),
        lantoa_core::phone::NumberingPlan::builtin(),
        communes,
        rules,
    )
    .with_broadcast(config.broadcast.clone())
    .with_speech(config.speech.clone()))
}

/// Sends the operator broadcast requests that are due, every five seconds until `stop`.
pub async fn broadcasts(
    notify: lantoa_notify::Notify,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let client = match lantoa_notify::broadcast::client() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "no broadcast requests will be sent");
            return;
        }
    };
    loop {
        if let Err(e) = notify.deliver_broadcasts(&client).await {
            tracing::warn!(error = %e, "cannot send broadcast requests");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// The id a job's payload names under `key`.
fn job_id(payload: &serde_json::Value, key: &str) -> Result<i64, String> {
    payload
        .get(key)
        .and_then(serde_json::Value::as_i64)
        .ok_or_else(|| format!("job payload without {key}: {payload}"))
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "lantoa".to_owned())
}

/// Enqueues the hourly housekeeping job until `stop`.
pub async fn schedule(db: Db, mut stop: tokio::sync::watch::Receiver<bool>) {
    let queue = Queue::new(db);
    loop {
        if let Err(e) = queue
            .enqueue(&NewJob::new(PURGE_JOB, serde_json::json!({})))
            .await
        {
            tracing::warn!(error = %e, "cannot schedule housekeeping");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Advances the watch module's re-checks every minute: a crawl for each that is due, the
/// outcome of each whose crawl ended (reopening its case when the signs remain).
pub async fn rechecks(
    crawler: lantoa_watch::Crawler,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match crawler.advance_rechecks().await {
            Ok(p) if p.started + p.concluded > 0 => {
                tracing::info!(started = p.started, concluded = p.concluded, "re-checks");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot advance re-checks"),
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
            _ = stop.changed() => return,
        }
    }
}
