//! Building the crawler from the configuration, and the `lantoa watch` verbs that use it.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use lantoa_registry::Registry;
use lantoa_store::Db;
use lantoa_store::blob::BlobStore;
use lantoa_watch::crawl::fetch::FetchConfig;
use lantoa_watch::crawl::guard::AddressPolicy;
use lantoa_watch::signals::Rules;
use lantoa_watch::{CrawlLimits, Crawler, Watch};

use crate::config::Config;

/// Where captures and other files live.
pub fn blobs(cfg: &Config, db: &Db) -> BlobStore {
    BlobStore::new(db.clone(), cfg.data_dir.join("blobs"))
}

/// The watch service with the case workflow of `watch.cases`, the sanctioning decrees of
/// `watch.sanctions` and the agencies of `watch.agencies` (or the shipped ones), keeping
/// documents in the data folder's blobs.
pub fn service(cfg: &Config, db: &Db) -> anyhow::Result<Watch> {
    let mut watch = Watch::new(db.clone(), Registry::new(db.clone())).with_blobs(blobs(cfg, db));
    if let Some(path) = &cfg.watch.agencies {
        watch = watch.with_agencies(load(
            path,
            "agencies file",
            lantoa_docs::Agencies::from_toml,
        )?);
    }
    if let Some(path) = &cfg.watch.sanctions {
        watch = watch.with_sanction_rules(load(
            path,
            "sanctions file",
            lantoa_watch::SanctionRules::from_toml,
        )?);
    }
    if let Some(path) = &cfg.watch.cases {
        watch = watch.with_case_rules(load(
            path,
            "case workflow",
            lantoa_watch::CaseRules::from_toml,
        )?);
    }
    if let Some(path) = &cfg.watch.signals {
        watch = watch.with_signal_rules(Arc::new(
            Rules::load(path).with_context(|| format!("signals file {}", path.display()))?,
        ));
    }
    Ok(watch)
}

/// Reads the rules file at `path` (`what` names it in errors) with `parse`.
fn load<T, E>(
    path: &std::path::Path,
    what: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> anyhow::Result<T>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the {what} {}", path.display()))?;
    parse(&text).with_context(|| format!("{what} {}", path.display()))
}

/// The crawler as configured; `overrides` send host names to fixed addresses (the demo web),
/// and `allow_private` is forced on for them.
pub fn crawler(
    cfg: &Config,
    db: &Db,
    overrides: Vec<(String, SocketAddr)>,
) -> anyhow::Result<Crawler> {
    crawler_over(cfg, db, overrides, service(cfg, db)?)
}

/// The crawler as configured, over `watch` (the demo year gives one on a manual clock).
pub fn crawler_over(
    cfg: &Config,
    db: &Db,
    overrides: Vec<(String, SocketAddr)>,
    watch: Watch,
) -> anyhow::Result<Crawler> {
    let w = &cfg.watch;
    // The rules the service was built with (its documents name them), read once.
    let rules = watch.signal_rules();
    let defaults = FetchConfig::default();
    let fetch = FetchConfig {
        policy: AddressPolicy {
            allow_private: w.allow_private.unwrap_or(false) || !overrides.is_empty(),
        },
        timeout: w.timeout_secs.map_or(defaults.timeout, Duration::from_secs),
        max_body: w.max_body_bytes.unwrap_or(defaults.max_body),
        overrides,
        ..defaults
    };
    let d = CrawlLimits::default();
    let limits = CrawlLimits {
        max_pages: w.max_pages.unwrap_or(d.max_pages),
        max_depth: w.max_depth.unwrap_or(d.max_depth),
        connections: w.connections.unwrap_or(d.connections),
        delay: w.delay_ms.map_or(d.delay, Duration::from_millis),
        sitemap_pages: d.sitemap_pages,
    };
    let crawler = Crawler::new(db.clone(), watch, blobs(cfg, db), fetch, limits, rules)?;
    Ok(match &w.webdriver {
        Some(url) => crawler.with_screenshots(lantoa_watch::capture::screenshot::Screenshots::new(
            url.clone(),
            w.chromium.clone(),
        )),
        None => crawler,
    })
}

/// `lantoa watch dossier verify FILE`: checks a dossier against its manifest — and, with the
/// records (`watch`), its signature and every file against the hashes the database recorded;
/// prints every file altered, missing, added or unlike the records, and fails (exit 1) if any.
pub async fn verify_dossier(
    file: &Path,
    watch: Option<&lantoa_watch::Watch>,
) -> anyhow::Result<bool> {
    use lantoa_watch::dossier::SignatureCheck;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut check = lantoa_watch::dossier::verify(&bytes)
        .with_context(|| format!("{} is not a dossier Lantoa can check", file.display()))?;
    if let Some(w) = watch {
        w.check_dossier_records(&mut check)
            .await
            .with_context(|| format!("{}: cannot compare with the records", file.display()))?;
    }
    for (what, names) in [
        ("ALTERED", &check.altered),
        ("MISSING", &check.missing),
        ("NOT LISTED", &check.unlisted),
        ("UNLIKE THE RECORDS", &check.unlike_records),
    ] {
        for n in names {
            println!("{what}: {n}");
        }
    }
    match check.signature {
        SignatureCheck::Valid => {
            println!("Signature: the manifest is as the department signed it.")
        }
        SignatureCheck::Invalid => {
            println!("SIGNATURE INVALID: the manifest is not as the department signed it.")
        }
        SignatureCheck::Absent => {
            println!("SIGNATURE MISSING: Lantoa signs every dossier it writes.")
        }
        SignatureCheck::Unchecked => println!(
            "Signature not checked (no key at hand; give --data-dir to check it and the records)."
        ),
    }
    if check.ok() {
        println!(
            "OK: {} files match manifest.sha256{} ({}).",
            check.intact.len(),
            if watch.is_some() {
                " and the records"
            } else {
                ""
            },
            file.display()
        );
    } else {
        println!(
            "FAILED: {} altered, {} missing, {} not listed, {} unlike the records; {} intact.",
            check.altered.len(),
            check.missing.len(),
            check.unlisted.len(),
            check.unlike_records.len(),
            check.intact.len()
        );
    }
    Ok(check.ok())
}

/// `lantoa watch crawl`: queues crawls (one subject or every one; clips and posts are
/// reviewed from their supplied text, never fetched from the platform) and, with
/// `once`, runs them here with a progress bar instead of leaving them to workers.
///
/// Returns false when a crawl run here fetched nothing at all, after saying why (each
/// reason — robots.txt, an address the crawler may not reach, an HTTP error — with how many
/// pages it stopped), so that a script sees the failure.
pub async fn crawl(
    crawler: &Crawler,
    watch: &Watch,
    subject: Option<i64>,
    once: bool,
) -> anyhow::Result<bool> {
    let mut all_fetched = true;
    let ids: Vec<i64> = match subject {
        Some(id) => vec![watch.get(id).await?.id],
        None => {
            let (subjects, _) = watch
                .list(&lantoa_watch::ListQuery {
                    kind: None,
                    q: None,
                    limit: 500,
                    offset: 0,
                    sort: Default::default(),
                })
                .await?;
            // Press first: the others are compared with their articles.
            let mut s = subjects;
            s.sort_by_key(|s| (!s.is_press, s.id));
            s.into_iter().map(|s| s.id).collect()
        }
    };
    for id in ids {
        let subject = watch.get(id).await?;
        let queued = crawler.enqueue("cli", id).await?;
        if !once {
            println!(
                "crawl {} queued for {} ({})",
                queued.id, subject.name, subject.url
            );
            continue;
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix:30} {pos} pages  {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(subject.name.chars().take(30).collect::<String>());
        bar.enable_steady_tick(Duration::from_millis(120));
        let done = crawler
            .run(queued.id, &|e| {
                bar.inc(1);
                bar.set_message(e.url.clone());
            })
            .await?;
        bar.finish_and_clear();
        println!(
            "crawl {}: {} — {} pages fetched, {} unchanged, {} not fetched, {} findings",
            done.id,
            subject.name,
            done.pages_ok,
            done.pages_unchanged,
            done.pages_failed,
            done.findings
        );
        if done.pages_ok == 0 && done.pages_unchanged == 0 {
            all_fetched = false;
            let mut reasons: Vec<(String, usize)> = Vec::new();
            for page in crawler.pages(done.id, 1000).await? {
                let reason = match (&page.failure_message, &page.failure, page.http_status) {
                    (Some(m), _, _) => m.clone(),
                    (None, Some(f), _) => f.clone(),
                    (None, None, Some(status)) => format!("HTTP {status}"),
                    (None, None, None) => continue,
                };
                match reasons.iter_mut().find(|(r, _)| *r == reason) {
                    Some((_, n)) => *n += 1,
                    None => reasons.push((reason, 1)),
                }
            }
            if let Some(m) = &done.message {
                eprintln!("  nothing fetched from {}: {m}", subject.url);
            } else if reasons.is_empty() {
                eprintln!(
                    "  nothing fetched from {}: no page was reached",
                    subject.url
                );
            }
            for (reason, n) in reasons {
                eprintln!(
                    "  nothing fetched from {}: {reason} ({n} pages)",
                    subject.url
                );
            }
        }
    }
    Ok(all_fetched)
}
