//! Crawls: one pass over one subject, queued as a job of kind [`CRAWL_JOB`] and run by any
//! worker of role `crawl` — more machines, more crawls at once.
//!
//! A crawl reads the host's robots.txt and its sitemaps, then walks the site breadth-first from
//! the subject's address within its page and depth caps, at most `connections` requests at a
//! time and one request start per `delay` (or the site's `Crawl-delay`, whichever is longer).
//! Every response is captured as a WARC record in the blob store; every page records its
//! outcome, so an unreachable host, a redirect loop, a robots disallow or a binary body is a
//! row with its reason and the crawl goes on. When the walk ends, the pages are analysed
//! ([`crate::signals`]) and the findings and scores stored.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use lantoa_store::blob::BlobStore;
use lantoa_store::jobs::{NewJob, Queue};
use lantoa_store::{Db, audit};
use serde::Serialize;
use sqlx::Row;
use tokio::sync::Mutex;
use url::Url;

use crate::capture::warc;
use crate::classify::{self, Model};
use crate::crawl::charset;
use crate::crawl::fetch::{FailureKind, FetchConfig, FetchFailure, Fetched, Fetcher, Validators};
use crate::crawl::robots::Robots;
use crate::crawl::sitemap;
use crate::dedup::{self, Sketch};
use crate::extract::{self, Extracted};
use crate::signals::{self, Hit, PageView, PressMatch, Rules, SubjectFacts};
use crate::subject::{Subject, SubjectKind};
use crate::{Error, Result, Watch};

mod writer;
use writer::{Counter, PageWriter};

/// The job kind of a crawl; its payload is `{"crawl_id": N}`.
pub const CRAWL_JOB: &str = "watch.crawl";

/// Caps and politeness of a crawl.
#[derive(Debug, Clone)]
pub struct CrawlLimits {
    /// Pages tried per crawl (robots.txt and sitemaps not counted).
    pub max_pages: usize,
    /// Links followed from the start page.
    pub max_depth: usize,
    /// Requests in flight to the host.
    pub connections: usize,
    /// Time between request starts to the host (raised to the site's Crawl-delay).
    pub delay: Duration,
    /// Page addresses read from sitemaps.
    pub sitemap_pages: usize,
}

impl Default for CrawlLimits {
    fn default() -> Self {
        Self {
            max_pages: 200,
            max_depth: 3,
            connections: 2,
            delay: Duration::from_millis(1000),
            sitemap_pages: 500,
        }
    }
}

/// A crawl as the console shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Crawl {
    /// Id.
    pub id: i64,
    /// The subject crawled.
    pub subject_id: i64,
    /// queued, running, done or failed.
    pub status: String,
    /// Who asked.
    pub requested_by: String,
    /// When queued (µs).
    pub queued_at: i64,
    /// When started (µs).
    pub started_at: Option<i64>,
    /// When finished (µs).
    pub finished_at: Option<i64>,
    /// Pages fetched.
    pub pages_ok: i64,
    /// Pages unchanged since the last crawl (304).
    pub pages_unchanged: i64,
    /// Pages not fetched, each with its reason.
    pub pages_failed: i64,
    /// Bytes received.
    pub bytes: i64,
    /// Findings of this crawl.
    pub findings: i64,
    /// Why a crawl failed, in the error's own words (English: the API, the engineers).
    pub message: Option<String>,
    /// Why a crawl failed, to render in the reader's language (none for a reason kept
    /// before reasons were kept as messages: `message` says it).
    pub reason: Option<lantoa_core::Msg>,
    /// The subject's name.
    pub subject_name: String,
}

/// One page of a crawl.
#[derive(Debug, Clone, Serialize)]
pub struct PageRow {
    /// Id.
    pub id: i64,
    /// The address tried.
    pub url: String,
    /// Links from the start page.
    pub depth: i64,
    /// HTTP status.
    pub http_status: Option<i64>,
    /// Media type.
    pub content_type: Option<String>,
    /// Bytes stored.
    pub bytes: Option<i64>,
    /// Cut at the size cap.
    pub truncated: bool,
    /// Unchanged since the last crawl.
    pub unchanged: bool,
    /// The capture.
    pub warc_sha256: Option<String>,
    /// Why it was not fetched or analysed.
    pub failure: Option<String>,
    /// Details.
    pub failure_message: Option<String>,
    /// Title.
    pub title: Option<String>,
}

const CRAWL_COLUMNS: &str = "c.id, c.subject_id, c.status, c.requested_by, c.queued_at, c.started_at, c.finished_at, c.pages_ok, c.pages_unchanged, c.pages_failed, c.bytes, c.findings, c.message, s.name";
const CRAWL_FROM: &str = "watch_crawls c JOIN watch_subjects s ON s.id = c.subject_id";

/// The states a crawl passes through.
pub const CRAWL_STATUSES: [&str; 4] = ["queued", "running", "done", "failed"];

lantoa_core::sort_order!(
    Error,
    Error::invalid,
    /// How crawls are ordered.
    CrawlSort, "list-bad-sort", {
        /// The newest first (the default).
        Newest = "newest" => "c.id DESC",
        /// The oldest first.
        Oldest = "oldest" => "c.id",
        /// The most findings first.
        Findings = "findings" => "c.findings DESC, c.id DESC",
        /// The most pages that failed first.
        Failed = "failed" => "c.pages_failed DESC, c.id DESC",
    }
);

/// A page of the crawl list.
#[derive(Debug, Clone, Default)]
pub struct CrawlQuery {
    /// Only crawls of this subject.
    pub subject_id: Option<i64>,
    /// Only crawls in this state (one of [`CRAWL_STATUSES`]).
    pub status: Option<String>,
    /// The subject's name (compared on tone keys) or host contains this.
    pub q: Option<String>,
    /// The order.
    pub sort: CrawlSort,
    /// Page size (at most 1,000).
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

/// Why a crawl failed, as kept: the message an officer reads in their language, and the
/// error's own words for the engineers (a storage error's message says only "an error inside
/// Lantoa").
#[derive(serde::Serialize, serde::Deserialize)]
struct FailedReason {
    reason: lantoa_core::Msg,
    detail: String,
}

fn crawl_from_row(r: &sqlx::any::AnyRow) -> Result<Crawl> {
    let kept: Option<String> = r.try_get(12)?;
    // A reason is kept as its message with the error's own words (JSON, [`FailedReason`]);
    // one kept as plain text before is shown as it is.
    let (message, reason) = match kept
        .as_deref()
        .and_then(|k| serde_json::from_str::<FailedReason>(k).ok())
    {
        Some(f) => (Some(f.detail), Some(f.reason)),
        None => (kept, None),
    };
    Ok(Crawl {
        id: r.try_get(0)?,
        subject_id: r.try_get(1)?,
        status: r.try_get(2)?,
        requested_by: r.try_get(3)?,
        queued_at: r.try_get(4)?,
        started_at: r.try_get(5)?,
        finished_at: r.try_get(6)?,
        pages_ok: r.try_get(7)?,
        pages_unchanged: r.try_get(8)?,
        pages_failed: r.try_get(9)?,
        bytes: r.try_get(10)?,
        findings: r.try_get(11)?,
        message,
        reason,
        subject_name: r.try_get(13)?,
    })
}

/// Runs crawls.
#[derive(Clone)]
pub struct Crawler {
    inner: Arc<Inner>,
    /// Screenshots of pages with findings, when a chromedriver is configured.
    shots: Option<Arc<crate::capture::screenshot::Screenshots>>,
}

struct Inner {
    db: Db,
    watch: Watch,
    blobs: BlobStore,
    fetcher: Fetcher,
    rules: Arc<Rules>,
    limits: CrawlLimits,
    agent: String,
    writer: PageWriter,
    /// The classifier in use, with the id of its stored model (0: trained from the shipped
    /// examples because none is stored yet).
    model: Mutex<Option<(i64, Arc<Model>)>>,
}

impl std::fmt::Debug for Crawler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crawler")
            .field("limits", &self.inner.limits)
            .finish()
    }
}

/// The outcome of one page, as the CLI's progress shows it.
#[derive(Debug, Clone)]
pub struct PageEvent {
    /// Address.
    pub url: String,
    /// Status when fetched.
    pub status: Option<u16>,
    /// Reason when not.
    pub failure: Option<String>,
}

struct PageResult {
    id: i64,
    url: String,
    home: bool,
    extracted: Option<Extracted>,
    links: Vec<Url>,
    depth: usize,
}

fn skip_extension(url: &Url) -> bool {
    const BINARY: [&str; 16] = [
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".pdf", ".zip", ".rar", ".mp4", ".mp3",
        ".avi", ".doc", ".docx", ".xls", ".xlsx",
    ];
    let path = url.path().to_ascii_lowercase();
    BINARY.iter().any(|e| path.ends_with(e))
}

fn same_host(a: &str, b: &str) -> bool {
    a.trim_start_matches("www.") == b.trim_start_matches("www.")
}

impl Crawler {
    /// A crawler over the watch service, storing captures in `blobs`.
    pub fn new(
        db: Db,
        watch: Watch,
        blobs: BlobStore,
        fetch: FetchConfig,
        limits: CrawlLimits,
        rules: Arc<Rules>,
    ) -> Result<Self> {
        let agent = fetch
            .user_agent
            .split(['/', ' '])
            .next()
            .unwrap_or("Lantoa")
            .to_owned();
        Ok(Self {
            inner: Arc::new(Inner {
                writer: PageWriter::new(db.clone(), blobs.clone()),
                db,
                watch,
                blobs,
                fetcher: Fetcher::new(fetch)?,
                rules,
                limits,
                agent,
                model: Mutex::new(None),
            }),
            shots: None,
        })
    }

    /// The same crawler taking a screenshot of every page a crawl finds something on, rendered
    /// from its capture (config `watch.webdriver`).
    pub fn with_screenshots(mut self, shots: crate::capture::screenshot::Screenshots) -> Self {
        self.shots = Some(Arc::new(shots));
        self
    }

    /// Screenshots the pages of `crawl_id` that have findings and no screenshot yet. A page
    /// that cannot be rendered is logged and left without one: the capture is the evidence,
    /// the screenshot shows it.
    async fn screenshot_findings(&self, crawl_id: i64) -> Result<usize> {
        let Some(shots) = &self.shots else {
            return Ok(0);
        };
        let pool = self.inner.db.pool();
        let rows = sqlx::query(
            "SELECT DISTINCT p.id, p.warc_sha256, p.charset FROM watch_findings f
             JOIN watch_pages p ON p.id = f.page_id
             WHERE f.last_crawl_id = $1 AND p.warc_sha256 IS NOT NULL AND p.screenshot_sha256 IS NULL
             ORDER BY p.id LIMIT 50",
        )
        .bind(crawl_id)
        .fetch_all(pool)
        .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let client = match shots.session().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(crawl_id, error = %e, "no screenshots for this crawl");
                return Ok(0);
            }
        };
        let mut taken = 0;
        for r in &rows {
            let page: i64 = r.try_get(0)?;
            let warc_sha: String = r.try_get(1)?;
            let charset: Option<String> = r.try_get(2)?;
            let record = self.inner.blobs.get(&warc_sha).await?;
            let Ok(rec) = warc::read(&record) else {
                continue;
            };
            match shots
                .render(
                    &client,
                    rec.http_body(),
                    charset.as_deref().unwrap_or("utf-8"),
                )
                .await
            {
                Ok(png) => {
                    let written = self.inner.blobs.write(&png, "image/png").await?;
                    let mut tx = self.inner.db.begin().await?;
                    self.inner.blobs.index(&mut tx, &written).await?;
                    sqlx::query("UPDATE watch_pages SET screenshot_sha256 = $1 WHERE id = $2")
                        .bind(&written.blob().sha256)
                        .bind(page)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    taken += 1;
                }
                Err(e) => tracing::warn!(page, error = %e, "screenshot failed"),
            }
        }
        let _ = client.close().await;
        Ok(taken)
    }

    /// Now, by the watch service's clock (the demo's year and tests move it).
    fn now_micros(&self) -> i64 {
        self.inner.watch.clock.now_micros()
    }

    /// The watch service.
    pub fn watch(&self) -> &Watch {
        &self.inner.watch
    }

    /// The blob store holding the captures.
    pub fn blobs(&self) -> &BlobStore {
        &self.inner.blobs
    }

    /// The rules in use.
    pub fn rules(&self) -> &Rules {
        &self.inner.rules
    }

    /// Queues a crawl of `subject_id` (and its job, in one transaction). A subject with a
    /// crawl already queued or running gets that crawl back instead of a second one.
    pub async fn enqueue(&self, actor: &str, subject_id: i64) -> Result<Crawl> {
        let subject = self.inner.watch.get(subject_id).await?;
        let db = &self.inner.db;
        let mut tx = db.begin().await?;
        let existing = sqlx::query(&format!(
            "SELECT {CRAWL_COLUMNS} FROM {CRAWL_FROM} WHERE c.subject_id = $1 AND c.status IN ('queued', 'running') ORDER BY c.id LIMIT 1"
        ))
        .bind(subject.id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = existing {
            return crawl_from_row(&row);
        }
        let id: i64 = sqlx::query(
            "INSERT INTO watch_crawls (subject_id, status, requested_by, queued_at) VALUES ($1, 'queued', $2, $3) RETURNING id",
        )
        .bind(subject.id)
        .bind(actor)
        .bind(self.now_micros())
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        Queue::new(db.clone())
            .enqueue_in(
                &mut tx,
                &NewJob::new(CRAWL_JOB, serde_json::json!({ "crawl_id": id })),
            )
            .await?;
        audit::append(
            &mut tx,
            &audit::Entry::new(
                actor,
                "watch.crawl_queued",
                format!("subject:{}", subject.id),
            )
            .after(serde_json::json!({ "crawl_id": id, "url": subject.url })),
        )
        .await?;
        tx.commit().await?;
        self.crawl(id).await
    }

    /// The crawl with this id.
    pub async fn crawl(&self, id: i64) -> Result<Crawl> {
        let row = sqlx::query(&format!(
            "SELECT {CRAWL_COLUMNS} FROM {CRAWL_FROM} WHERE c.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.inner.db.pool())
        .await?
        .ok_or(Error::NotFound {
            entity: "crawl",
            id,
        })?;
        crawl_from_row(&row)
    }

    /// A page of crawls by state, by subject (its name, compared on tone keys, or its host) and
    /// in an order, with the number the filters select.
    pub async fn crawl_page(&self, q: &CrawlQuery) -> Result<(Vec<Crawl>, i64)> {
        let mut filter = String::from(" WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        if let Some(subject) = q.subject_id {
            // A number, written as one: PostgreSQL does not compare an integer with text.
            filter.push_str(&format!(" AND c.subject_id = {subject}"));
        }
        if let Some(status) = lantoa_core::page::filter_value(q.status.as_deref(), &CRAWL_STATUSES)
            .map_err(|m| Error::invalid("status", m))?
        {
            binds.push(status);
            filter.push_str(&format!(" AND c.status = ${}", binds.len()));
        }
        crate::subject::name_or_host(&mut filter, &mut binds, "s.", q.q.as_deref());
        let sql = format!(
            "SELECT {CRAWL_COLUMNS} FROM {CRAWL_FROM}{filter} ORDER BY {} LIMIT {} OFFSET {}",
            q.sort.order_by(),
            q.limit.clamp(1, 1000),
            q.offset.max(0)
        );
        let count_sql = format!("SELECT COUNT(*) FROM {CRAWL_FROM}{filter}");
        let (rows, total) = self.inner.db.page(&sql, &count_sql, &binds).await?;
        Ok((
            rows.iter().map(crawl_from_row).collect::<Result<_>>()?,
            total,
        ))
    }

    /// The latest crawls, newest first, optionally of one subject, and only those older than
    /// crawl `before` when given (the next page of a list).
    pub async fn recent(
        &self,
        subject_id: Option<i64>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Crawl>> {
        let rows = sqlx::query(&format!(
            "SELECT {CRAWL_COLUMNS} FROM {CRAWL_FROM}
             WHERE ($1 = 0 OR c.subject_id = $1) AND ($2 = 0 OR c.id < $2)
             ORDER BY c.id DESC LIMIT $3"
        ))
        .bind(subject_id.unwrap_or(0))
        .bind(before.unwrap_or(0))
        .bind(limit)
        .fetch_all(self.inner.db.pool())
        .await?;
        rows.iter().map(crawl_from_row).collect()
    }

    /// Crawls finished from `from` to `to` (µs, `to` excluded), of subjects of `kind` when given
    /// (`website`, `clip`, `post`), in the order they finished: the records the reports' "reviewed"
    /// figures count (each subject counted once there).
    pub async fn finished_between(
        &self,
        from: i64,
        to: i64,
        kind: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Crawl>> {
        let rows = sqlx::query(&format!(
            "SELECT {CRAWL_COLUMNS} FROM {CRAWL_FROM}
             WHERE c.status = 'done' AND c.finished_at >= $1 AND c.finished_at < $2 AND ($3 = '' OR s.kind = $3)
             ORDER BY c.finished_at, c.id LIMIT $4"
        ))
        .bind(from)
        .bind(to)
        .bind(kind.unwrap_or(""))
        .bind(limit)
        .fetch_all(self.inner.db.pool())
        .await?;
        rows.iter().map(crawl_from_row).collect()
    }

    /// The pages of a crawl, in the order tried.
    pub async fn pages(&self, crawl_id: i64, limit: i64) -> Result<Vec<PageRow>> {
        let rows = sqlx::query(
            "SELECT id, url, depth, http_status, content_type, bytes, truncated, unchanged, warc_sha256, failure, failure_message, title
             FROM watch_pages WHERE crawl_id = $1 ORDER BY id LIMIT $2",
        )
        .bind(crawl_id)
        .bind(limit)
        .fetch_all(self.inner.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PageRow {
                    id: r.try_get(0)?,
                    url: r.try_get(1)?,
                    depth: r.try_get(2)?,
                    http_status: r.try_get(3)?,
                    content_type: r.try_get(4)?,
                    bytes: r.try_get(5)?,
                    truncated: r.try_get::<i64, _>(6)? != 0,
                    unchanged: r.try_get::<i64, _>(7)? != 0,
                    warc_sha256: r.try_get(8)?,
                    failure: r.try_get(9)?,
                    failure_message: r.try_get(10)?,
                    title: r.try_get(11)?,
                })
            })
            .collect()
    }

    /// Runs a queued crawl to its end (the job handler). `on_page` sees every page as it is
    /// done. Fails only when storage fails; everything about the site is recorded instead.
    pub async fn run(
        &self,
        crawl_id: i64,
        on_page: &(dyn Fn(&PageEvent) + Send + Sync),
    ) -> Result<Crawl> {
        let crawl = self.crawl(crawl_id).await?;
        if crawl.status == "done" {
            return Ok(crawl);
        }
        let subject = self.inner.watch.get(crawl.subject_id).await?;
        sqlx::query("UPDATE watch_crawls SET status = 'running', started_at = $1 WHERE id = $2")
            .bind(self.now_micros())
            .bind(crawl_id)
            .execute(self.inner.db.pool())
            .await?;
        match self.walk(crawl_id, &subject, on_page).await {
            Ok(pages) => {
                let findings = self.analyse(crawl_id, &subject, &pages).await?;
                self.screenshot_findings(crawl_id).await?;
                sqlx::query(
                    "UPDATE watch_crawls SET status = 'done', finished_at = $1, findings = $2 WHERE id = $3",
                )
                .bind(self.now_micros())
                .bind(findings)
                .bind(crawl_id)
                .execute(self.inner.db.pool())
                .await?;
            }
            Err(e) => {
                sqlx::query(
                    "UPDATE watch_crawls SET status = 'failed', finished_at = $1, message = $2 WHERE id = $3",
                )
                .bind(self.now_micros())
                .bind(
                    serde_json::to_string(&FailedReason {
                        reason: lantoa_core::msg::Describe::message(&e),
                        detail: e.to_string(),
                    })
                    .unwrap_or_else(|_| e.to_string()),
                )
                .bind(crawl_id)
                .execute(self.inner.db.pool())
                .await?;
                return Err(e);
            }
        }
        self.crawl(crawl_id).await
    }

    async fn walk(
        &self,
        crawl_id: i64,
        subject: &Subject,
        on_page: &(dyn Fn(&PageEvent) + Send + Sync),
    ) -> Result<Vec<PageResult>> {
        let limits = &self.inner.limits;
        let start = match crate::crawl::fetch::parse_http_url(&subject.url) {
            Ok(u) => u,
            Err(f) => {
                self.record_failure(crawl_id, subject.id, &subject.url, 0, &f)
                    .await?;
                on_page(&PageEvent {
                    url: subject.url.clone(),
                    status: None,
                    failure: Some(f.to_string()),
                });
                return Ok(Vec::new());
            }
        };
        // Posts and clips are single addresses on a platform; only the address itself is
        // fetched. Accounts and channels stay under their path; websites under their host.
        let single = matches!(subject.kind, SubjectKind::Clip | SubjectKind::Post);
        let prefix = match subject.kind {
            SubjectKind::SocialAccount | SubjectKind::VideoChannel => {
                Some(start.as_str().trim_end_matches('/').to_owned())
            }
            _ => None,
        };
        if single {
            return self.supplied(crawl_id, subject, on_page).await;
        }
        let host = start.host_str().unwrap_or_default().to_owned();
        let robots = Arc::new(self.robots(crawl_id, subject.id, &start).await?);
        let delay = robots.delay().map_or(limits.delay, |d| d.max(limits.delay));

        let mut seen: HashSet<String> = HashSet::new();
        let mut frontier: VecDeque<(Url, usize)> = VecDeque::new();
        seen.insert(start.to_string());
        frontier.push_back((start.clone(), 0));
        if !single {
            for u in self
                .sitemap_pages(crawl_id, subject.id, &start, &robots)
                .await?
            {
                if same_host(u.host_str().unwrap_or_default(), &host) && seen.insert(u.to_string())
                {
                    frontier.push_back((u, 1));
                }
            }
        }

        let gate = Arc::new(Mutex::new(Instant::now()));
        let history = sqlx::query(
            "SELECT 1 FROM watch_pages WHERE subject_id = $1 AND crawl_id <> $2 LIMIT 1",
        )
        .bind(subject.id)
        .bind(crawl_id)
        .fetch_optional(self.inner.db.pool())
        .await?
        .is_some();
        let mut tried = 0usize;
        let mut inflight = tokio::task::JoinSet::new();
        let mut results = Vec::new();
        loop {
            while inflight.len() < limits.connections.max(1) && tried < limits.max_pages {
                let Some((url, depth)) = frontier.pop_front() else {
                    break;
                };
                tried += 1;
                let this = self.clone();
                let robots = robots.clone();
                let gate = gate.clone();
                let home = url == start;
                let subject_id = subject.id;
                inflight.spawn(async move {
                    this.page(
                        crawl_id, subject_id, url, depth, home, &robots, &gate, delay, history,
                    )
                    .await
                });
            }
            let Some(done) = inflight.join_next().await else {
                break;
            };
            let (result, event) =
                done.map_err(|e| Error::internal(format!("a page task stopped: {e}")))??;
            on_page(&event);
            if let Some(r) = result {
                if !single && r.depth < limits.max_depth {
                    for link in &r.links {
                        let inside = match &prefix {
                            Some(p) => link.as_str().starts_with(p.as_str()),
                            None => same_host(link.host_str().unwrap_or_default(), &host),
                        };
                        if inside && !skip_extension(link) && seen.insert(link.to_string()) {
                            frontier.push_back((link.clone(), r.depth + 1));
                        }
                    }
                }
                results.push(r);
            }
        }
        Ok(results)
    }

    /// A clip or post: its supplied title, description and transcript are captured as a WARC
    /// resource record and reviewed as one page. Nothing is fetched from the platform.
    async fn supplied(
        &self,
        crawl_id: i64,
        subject: &Subject,
        on_page: &(dyn Fn(&PageEvent) + Send + Sync),
    ) -> Result<Vec<PageResult>> {
        let Some((description, transcript)) = self.inner.watch.text(subject.id).await? else {
            let f = FetchFailure {
                kind: FailureKind::NoText,
                message: "no description or transcript was supplied; platforms are not fetched"
                    .into(),
            };
            self.record_failure(crawl_id, subject.id, &subject.url, 0, &f)
                .await?;
            on_page(&PageEvent {
                url: subject.url.clone(),
                status: None,
                failure: Some(f.to_string()),
            });
            return Ok(Vec::new());
        };
        let main_text = [description, transcript]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("\n");
        let content = format!("{}\n\n{main_text}", subject.name);
        let record = warc::write_resource(
            &subject.url,
            Utc::now(),
            "text/plain; charset=utf-8",
            content.as_bytes(),
        );
        let written = self.inner.blobs.write(&record, warc::MEDIA_TYPE).await?;
        let sketch = Sketch::of(&main_text).map(|s| s.to_hex());
        let bytes = i64::try_from(content.len()).unwrap_or(i64::MAX);
        let insert = sqlx::query(
            "INSERT INTO watch_pages (crawl_id, subject_id, url, depth, fetched_at, final_url, content_type, charset, bytes, warc_sha256, title, main_text, sketch)
             VALUES ($1, $2, $3, 0, $4, $3, 'text/plain; charset=utf-8', 'utf-8', $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(crawl_id)
        .bind(subject.id)
        .bind(subject.url.clone())
        .bind(self.now_micros())
        .bind(bytes)
        .bind(written.blob().sha256.clone())
        .bind(subject.name.clone())
        .bind(main_text.clone())
        .bind(sketch);
        let id = self
            .inner
            .writer
            .record(crawl_id, Counter::Ok, bytes, Some(written), insert)
            .await?;
        on_page(&PageEvent {
            url: subject.url.clone(),
            status: None,
            failure: None,
        });
        let extracted = Extracted {
            title: subject.name.clone(),
            main_text,
            ..Extracted::default()
        };
        Ok(vec![PageResult {
            id,
            url: subject.url.clone(),
            home: false,
            extracted: Some(extracted),
            links: Vec::new(),
            depth: 0,
        }])
    }

    async fn robots(&self, crawl_id: i64, subject_id: i64, start: &Url) -> Result<Robots> {
        let mut robots_url = start.clone();
        robots_url.set_path("/robots.txt");
        robots_url.set_query(None);
        match self.inner.fetcher.fetch(robots_url.as_str(), None).await {
            Ok(f) => {
                // A robots.txt answered 404 is the normal "no rules", not an error page.
                self.record_page(
                    crawl_id,
                    subject_id,
                    robots_url.as_str(),
                    0,
                    &f,
                    None,
                    None,
                    false,
                )
                .await?;
                Ok(Robots::from_response(&self.inner.agent, f.status, &f.body))
            }
            Err(fail) => {
                self.record_failure(crawl_id, subject_id, robots_url.as_str(), 0, &fail)
                    .await?;
                Ok(Robots::DisallowAll(format!(
                    "robots.txt could not be fetched: {fail}"
                )))
            }
        }
    }

    async fn sitemap_pages(
        &self,
        crawl_id: i64,
        subject_id: i64,
        start: &Url,
        robots: &Robots,
    ) -> Result<Vec<Url>> {
        let mut queue: VecDeque<String> = robots.sitemaps().iter().cloned().collect();
        if queue.is_empty() {
            let mut u = start.clone();
            u.set_path("/sitemap.xml");
            u.set_query(None);
            queue.push_back(u.to_string());
        }
        let mut pages = Vec::new();
        let mut files = 0;
        while let Some(sm) = queue.pop_front() {
            files += 1;
            if files > 10 || pages.len() >= self.inner.limits.sitemap_pages || !robots.allowed(&sm)
            {
                break;
            }
            let f = match self.inner.fetcher.fetch(&sm, None).await {
                Ok(f) => f,
                Err(fail) => {
                    self.record_failure(crawl_id, subject_id, &sm, 0, &fail)
                        .await?;
                    continue;
                }
            };
            if f.status == 404 {
                continue; // No sitemap is normal; not worth a row.
            }
            let parsed = sitemap::parse(&f.body, self.inner.limits.sitemap_pages - pages.len());
            let note = parsed.error.clone();
            self.record_page(
                crawl_id,
                subject_id,
                &sm,
                0,
                &f,
                note.as_deref(),
                None,
                false,
            )
            .await?;
            pages.extend(parsed.pages.iter().filter_map(|p| Url::parse(p).ok()));
            queue.extend(parsed.sitemaps);
        }
        Ok(pages)
    }

    #[allow(clippy::too_many_arguments)]
    async fn page(
        &self,
        crawl_id: i64,
        subject_id: i64,
        url: Url,
        depth: usize,
        home: bool,
        robots: &Robots,
        gate: &Mutex<Instant>,
        delay: Duration,
        history: bool,
    ) -> Result<(Option<PageResult>, PageEvent)> {
        let event = |status: Option<u16>, failure: Option<String>| PageEvent {
            url: url.to_string(),
            status,
            failure,
        };
        if !robots.allowed(url.as_str()) {
            let why = match robots {
                Robots::DisallowAll(m) => m.clone(),
                _ => "robots.txt disallows this address for our crawler".to_owned(),
            };
            let f = FetchFailure {
                kind: FailureKind::RobotsDisallow,
                message: why,
            };
            self.record_failure(crawl_id, subject_id, url.as_str(), depth, &f)
                .await?;
            return Ok((None, event(None, Some(f.to_string()))));
        }
        // Politeness: request starts to this host are at least `delay` apart.
        if !delay.is_zero() {
            let mut next = gate.lock().await;
            let now = Instant::now();
            if *next > now {
                tokio::time::sleep(*next - now).await;
            }
            *next = Instant::now() + delay;
        }
        // A subject's first crawl has no earlier captures to revalidate: skip the lookup.
        let previous = if history {
            self.previous(subject_id, url.as_str()).await?
        } else {
            None
        };
        let validators = previous.as_ref().map(|p| &p.1);
        match self.inner.fetcher.fetch(url.as_str(), validators).await {
            Err(f) => {
                self.record_failure(crawl_id, subject_id, url.as_str(), depth, &f)
                    .await?;
                Ok((None, event(None, Some(f.to_string()))))
            }
            Ok(f) if f.status == 304 && previous.is_some() => {
                let (prev_id, _, sha) = previous.unwrap_or_default();
                let id = self
                    .record_unchanged(crawl_id, subject_id, url.as_str(), depth, prev_id)
                    .await?;
                let record = self.inner.blobs.get(&sha).await?;
                let rec = warc::read(&record)
                    .map_err(|e| Error::internal(format!("stored capture {sha}: {e}")))?;
                let extracted = analyse_off_thread(rec.http_body().to_vec(), None, url.clone())
                    .await?
                    .map(|(x, _)| x);
                let links = links_of(extracted.as_ref());
                Ok((
                    Some(PageResult {
                        id,
                        url: url.to_string(),
                        home,
                        extracted,
                        links,
                        depth,
                    }),
                    event(Some(304), None),
                ))
            }
            Ok(f) => {
                // An error page (4xx, 5xx) is captured as evidence of what the site answered,
                // but it is not the site's content: not analysed, not compared with the press,
                // not followed, and counted as a page that failed, not one read.
                let error_page = f.status >= 400;
                let analysed = if f.is_html() && !error_page {
                    analyse_off_thread(
                        f.body.clone(),
                        f.header("content-type").map(str::to_owned),
                        f.url.clone(),
                    )
                    .await?
                } else {
                    None
                };
                let note = if error_page {
                    Some(format!("HTTP {}; captured, not analysed", f.status))
                } else if f.is_html() {
                    None
                } else {
                    Some(format!(
                        "not HTML ({}); captured, not analysed",
                        f.header("content-type").unwrap_or("no content type")
                    ))
                };
                let id = self
                    .record_page(
                        crawl_id,
                        subject_id,
                        url.as_str(),
                        depth,
                        &f,
                        note.as_deref(),
                        analysed.as_ref(),
                        error_page,
                    )
                    .await?;
                let extracted = analysed.map(|(x, _)| x);
                let links = links_of(extracted.as_ref());
                Ok((
                    Some(PageResult {
                        id,
                        url: url.to_string(),
                        home,
                        extracted,
                        links,
                        depth,
                    }),
                    event(Some(f.status), note),
                ))
            }
        }
    }

    /// The latest capture of `url` for the subject: its page id, validators and WARC address.
    async fn previous(
        &self,
        subject_id: i64,
        url: &str,
    ) -> Result<Option<(i64, Validators, String)>> {
        let row = sqlx::query(
            "SELECT id, etag, last_modified, warc_sha256 FROM watch_pages
             WHERE subject_id = $1 AND url = $2 AND warc_sha256 IS NOT NULL AND http_status = 200
             ORDER BY id DESC LIMIT 1",
        )
        .bind(subject_id)
        .bind(url)
        .fetch_optional(self.inner.db.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        let v = Validators {
            etag: r.try_get(1)?,
            last_modified: r.try_get(2)?,
        };
        if v.etag.is_none() && v.last_modified.is_none() {
            return Ok(None);
        }
        Ok(Some((r.try_get(0)?, v, r.try_get(3)?)))
    }

    async fn record_failure(
        &self,
        crawl_id: i64,
        subject_id: i64,
        url: &str,
        depth: usize,
        f: &FetchFailure,
    ) -> Result<i64> {
        let insert = sqlx::query(
            "INSERT INTO watch_pages (crawl_id, subject_id, url, depth, fetched_at, failure, failure_message)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(crawl_id)
        .bind(subject_id)
        .bind(url.to_owned())
        .bind(i64::try_from(depth).unwrap_or(i64::MAX))
        .bind(self.now_micros())
        .bind(f.kind.as_str())
        .bind(f.message.clone());
        self.inner
            .writer
            .record(crawl_id, Counter::Failed, 0, None, insert)
            .await
    }

    /// A 304: the page row repeats the earlier capture's, marked unchanged.
    async fn record_unchanged(
        &self,
        crawl_id: i64,
        subject_id: i64,
        url: &str,
        depth: usize,
        prev: i64,
    ) -> Result<i64> {
        let insert = sqlx::query(
            "INSERT INTO watch_pages (crawl_id, subject_id, url, depth, fetched_at, http_status, final_url, content_type, charset, bytes, truncated, unchanged, warc_sha256, etag, last_modified, title, published_at, main_text, sketch)
             SELECT $1, subject_id, url, $2, $3, 304, final_url, content_type, charset, bytes, truncated, 1, warc_sha256, etag, last_modified, title, published_at, main_text, sketch
             FROM watch_pages WHERE id = $4 AND subject_id = $5 AND url = $6 RETURNING id",
        )
        .bind(crawl_id)
        .bind(i64::try_from(depth).unwrap_or(i64::MAX))
        .bind(self.now_micros())
        .bind(prev)
        .bind(subject_id)
        .bind(url.to_owned());
        self.inner
            .writer
            .record(crawl_id, Counter::Unchanged, 0, None, insert)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn record_page(
        &self,
        crawl_id: i64,
        subject_id: i64,
        url: &str,
        depth: usize,
        f: &Fetched,
        note: Option<&str>,
        analysed: Option<&(Extracted, String)>,
        error_page: bool,
    ) -> Result<i64> {
        let record = warc::write(&warc::ResponseRecord {
            target_uri: f.url.as_str(),
            date: Utc::now(),
            status: f.status,
            headers: &f.headers,
            body: &f.body,
            truncated: f.truncated,
        });
        let written = self.inner.blobs.write(&record, warc::MEDIA_TYPE).await?;
        let (title, published, main_text, sketch, charset) = match analysed {
            Some((x, cs)) => (
                Some(x.title.clone()),
                x.published.map(|p| p.timestamp_micros()),
                Some(x.main_text.clone()),
                Sketch::of(&x.main_text).map(|s| s.to_hex()),
                Some(cs.clone()),
            ),
            None => (None, None, None, None, None),
        };
        let failure = if error_page {
            Some("http_error")
        } else if f.truncated {
            Some("truncated")
        } else if note.is_some() {
            Some(if f.is_html() { "body" } else { "not_html" })
        } else {
            None
        };
        let message = if f.truncated && !error_page {
            Some(format!(
                "the body is longer than {} bytes; the first {} were kept and analysed",
                self.inner.fetcher.config().max_body,
                f.body.len()
            ))
        } else {
            note.map(str::to_owned)
        };
        let bytes = i64::try_from(f.body.len()).unwrap_or(i64::MAX);
        let insert = sqlx::query(
            "INSERT INTO watch_pages (crawl_id, subject_id, url, depth, fetched_at, http_status, final_url, content_type, charset, bytes, truncated, warc_sha256, etag, last_modified, failure, failure_message, title, published_at, main_text, sketch)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id",
        )
        .bind(crawl_id)
        .bind(subject_id)
        .bind(url.to_owned())
        .bind(i64::try_from(depth).unwrap_or(i64::MAX))
        .bind(self.now_micros())
        .bind(i64::from(f.status))
        .bind(f.url.to_string())
        .bind(f.header("content-type").map(str::to_owned))
        .bind(charset)
        .bind(bytes)
        .bind(i64::from(f.truncated))
        .bind(written.blob().sha256.clone())
        .bind(f.header("etag").map(str::to_owned))
        .bind(f.header("last-modified").map(str::to_owned))
        .bind(failure)
        .bind(message)
        .bind(title)
        .bind(published)
        .bind(main_text)
        .bind(sketch);
        let counter = if error_page {
            Counter::Failed
        } else {
            Counter::Ok
        };
        self.inner
            .writer
            .record(crawl_id, counter, bytes, Some(written), insert)
            .await
    }

    /// The press articles (pages of licensed press subjects) as a near-duplicate index, with
    /// their publication times.
    async fn press_index(&self, except: i64) -> Result<dedup::Index<(String, Option<i64>)>> {
        let rows = sqlx::query(
            "SELECT p.url, p.published_at, p.sketch FROM watch_pages p JOIN watch_subjects s ON s.id = p.subject_id
             WHERE s.is_press = 1 AND p.subject_id <> $1 AND p.sketch IS NOT NULL AND p.unchanged = 0
             ORDER BY p.id DESC LIMIT 20000",
        )
        .bind(except)
        .fetch_all(self.inner.db.pool())
        .await?;
        let mut index = dedup::Index::new();
        let mut seen = HashSet::new();
        for r in rows {
            let url: String = r.try_get(0)?;
            if !seen.insert(url.clone()) {
                continue;
            }
            let sketch: String = r.try_get(2)?;
            if let Some(s) = Sketch::from_hex(&sketch) {
                index.insert((url, r.try_get::<Option<i64>, _>(1)?), s);
            }
        }
        Ok(index)
    }

    /// The latest stored classifier, or one trained from the shipped examples.
    async fn model(&self) -> Result<Arc<Model>> {
        let latest = self.inner.watch.model_info().await?;
        let id = latest.as_ref().map_or(0, |m| m.id);
        let mut cache = self.inner.model.lock().await;
        if let Some((cached, m)) = cache.as_ref()
            && *cached == id
        {
            return Ok(m.clone());
        }
        let model = match latest {
            Some(info) => {
                let bytes = self.inner.blobs.get(&info.blob_sha256).await?;
                Model::from_bytes(&bytes).ok_or_else(|| {
                    Error::internal(format!("stored model {} is not readable", info.id))
                })?
            }
            None => {
                let examples = classify::shipped_examples()?;
                tokio::task::spawn_blocking(move || Model::train(&examples))
                    .await
                    .map_err(|e| Error::internal(format!("training stopped: {e}")))?
            }
        };
        let model = Arc::new(model);
        *cache = Some((id, model.clone()));
        Ok(model)
    }

    /// Evaluates the rules over the crawl's pages, stores findings and scores; returns the
    /// number of findings seen in this crawl.
    async fn analyse(&self, crawl_id: i64, subject: &Subject, pages: &[PageResult]) -> Result<i64> {
        let press = if subject.is_press {
            dedup::Index::new()
        } else {
            self.press_index(subject.id).await?
        };
        let facts = SubjectFacts {
            kind: subject.kind,
            host: &subject.host,
            is_press: subject.is_press,
        };
        let model = self.model().await?;
        let mut found: Vec<(i64, String, Hit)> = Vec::new();
        for p in pages {
            let Some(x) = &p.extracted else { continue };
            let press_match = Sketch::of(&x.main_text).and_then(|s| press.best(&s)).map(
                |((url, published), sim)| PressMatch {
                    similarity: sim,
                    url,
                    delay_minutes: match (published, x.published) {
                        (Some(src), Some(copy)) => {
                            Some((copy.timestamp_micros() - src) / 60_000_000)
                        }
                        _ => None,
                    },
                },
            );
            let view = PageView {
                url: &p.url,
                home: p.home,
                extracted: x,
                press_match: press_match.as_ref(),
                harm_probability: (x.main_text.chars().count() >= 40)
                    .then(|| model.probability(&format!("{}\n{}", x.title, x.main_text))),
            };
            for hit in self.inner.rules.evaluate(&facts, &view) {
                found.push((p.id, p.url.clone(), hit));
            }
        }
        let db = &self.inner.db;
        let mut tx = db.begin().await?;
        let now = self.now_micros();
        for (page_id, url, hit) in &found {
            // Insert, or refresh an open finding; a reviewed one keeps its decision and evidence.
            let updated = sqlx::query(
                "UPDATE watch_findings SET last_crawl_id = $1,
                    evidence = CASE WHEN status = 'open' THEN $2 ELSE evidence END,
                    page_id = CASE WHEN status = 'open' THEN $3 ELSE page_id END,
                    clause = $4, weight = $5
                 WHERE subject_id = $6 AND rule_id = $7 AND url = $8",
            )
            .bind(crawl_id)
            .bind(&hit.evidence)
            .bind(page_id)
            .bind(&hit.clause)
            .bind(hit.weight)
            .bind(subject.id)
            .bind(&hit.rule)
            .bind(url)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                sqlx::query(
                    "INSERT INTO watch_findings (subject_id, rule_id, category, clause, weight, url, evidence, page_id, first_crawl_id, last_crawl_id, found_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)",
                )
                .bind(subject.id)
                .bind(&hit.rule)
                .bind(hit.category.as_str())
                .bind(&hit.clause)
                .bind(hit.weight)
                .bind(url)
                .bind(&hit.evidence)
                .bind(page_id)
                .bind(crawl_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        // Scores count this crawl's findings that no reviewer dismissed.
        let dismissed: HashSet<(String, String)> = sqlx::query(
            "SELECT rule_id, url FROM watch_findings WHERE subject_id = $1 AND status = 'dismissed'",
        )
        .bind(subject.id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_>>()?;
        let live: Vec<Hit> = found
            .iter()
            .filter(|(_, url, h)| !dismissed.contains(&(h.rule.clone(), url.clone())))
            .map(|(_, _, h)| h.clone())
            .collect();
        for s in signals::score(&live) {
            sqlx::query("DELETE FROM watch_scores WHERE subject_id = $1 AND category = $2")
                .bind(subject.id)
                .bind(s.category.as_str())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO watch_scores (subject_id, category, crawl_id, score, because, computed_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(subject.id)
            .bind(s.category.as_str())
            .bind(crawl_id)
            .bind(s.score)
            .bind(serde_json::to_string(&s.because).unwrap_or_default())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(i64::try_from(found.len()).unwrap_or(i64::MAX))
    }
}

fn links_of(x: Option<&Extracted>) -> Vec<Url> {
    x.map(|x| {
        x.links
            .iter()
            .filter(|l| !l.hidden)
            .filter_map(|l| Url::parse(&l.href).ok())
            .collect()
    })
    .unwrap_or_default()
}

/// Decodes and extracts a body on the blocking pool (parsing a large page takes long enough
/// to stall other requests' timers); returns what was extracted and the charset used.
async fn analyse_off_thread(
    body: Vec<u8>,
    content_type: Option<String>,
    url: Url,
) -> Result<Option<(Extracted, String)>> {
    tokio::task::spawn_blocking(move || {
        let decoded = charset::decode(&body, content_type.as_deref());
        Some((
            extract::extract(&decoded.text, Some(&url)),
            decoded.encoding.to_owned(),
        ))
    })
    .await
    .map_err(|e| Error::internal(format!("extraction stopped: {e}")))
}
