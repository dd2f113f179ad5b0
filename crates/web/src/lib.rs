//! # lantoa-web — the console and the JSON API
//!
//! One axum router serves the server-rendered console (Vietnamese by default, English by a
//! switch), the JSON API under `/api/v1` with its OpenAPI document, and the operational
//! endpoints `/healthz`, `/readyz` and `/metrics`.
//!
//! Every route is a row of one table ([`routes::table`]): method, path, who may use it, and the
//! handler. The router is built from the table, the access middleware checks every request
//! against it (sign-in, one-time password pending, roles, CSRF), the OpenAPI document is
//! generated from it, and the role-matrix test walks it as every role. A route cannot exist
//! without saying who may use it.
//!
//! Errors from the module crates carry a stable code ([`lantoa_core::error_code`]); here they
//! become `{"error":{"code","message"}}` for the API and a localised page for the console.
//!
//! ```no_run
//! # async fn demo(db: lantoa_store::Db, modules: lantoa_web::Modules) -> std::io::Result<()> {
//! let state = lantoa_web::AppState::new(db, lantoa_web::WebConfig::default(), modules);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, lantoa_web::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>()).await
//! # }
//! ```
#![deny(missing_docs)]

mod api;
mod ctx;
mod error;
mod export;
mod files;
pub mod i18n;
pub mod measures;
mod metrics;
mod pages;
pub mod reminders;
pub mod routes;
mod serve;
mod upload;
mod view;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use lantoa_accounts::Accounts;
use lantoa_registry::Registry;
use lantoa_store::Db;
use lantoa_store::jobs::Queue;

pub use ctx::Ctx;
pub use error::WebError;
pub use serve::serve;
pub use view::{MODULES, TEMPLATES};

/// Every migration set the web layer's services need, in order.
pub const MIGRATIONS: [&lantoa_store::migrate::MigrationSet; 8] = [
    &lantoa_store::MIGRATIONS,
    &lantoa_accounts::MIGRATIONS,
    &lantoa_registry::MIGRATIONS,
    &lantoa_watch::MIGRATIONS,
    &lantoa_opendata::MIGRATIONS,
    &lantoa_notify::MIGRATIONS,
    &lantoa_plans::MIGRATIONS,
    &lantoa_reports::MIGRATIONS,
];

/// Settings of the web layer (the `[web]` table of `lantoa.toml`).
#[derive(Debug, Clone, PartialEq)]
pub struct WebConfig {
    /// Largest request body accepted, in bytes (file uploads excepted).
    pub max_body_bytes: usize,
    /// Largest file accepted by an upload (open-data files, CKAN `resource_create`), in bytes.
    /// Uploads are written to disk as they arrive, so this bounds disk, not memory.
    pub max_upload_bytes: u64,
    /// Send cookies with `Secure` (set when served over HTTPS, as in production).
    pub secure_cookies: bool,
    /// API requests allowed per client per minute (0: no limit).
    pub api_rate_per_minute: u32,
    /// The operating department's name shown in the console header.
    pub org_name: String,
    /// LibreOffice's `soffice`, which renders reports to PDF.
    pub soffice: std::path::PathBuf,
    /// The reverse proxies in front of the server, whose client-address header is believed;
    /// empty: the peer's own address is the client's, and no header is read.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The header those proxies put the client's address in (`X-Forwarded-For`, or one like
    /// `X-Real-IP` holding one address).
    pub client_ip_header: String,
    /// A client that has not sent a whole request head this many seconds after the
    /// connection opened, or after the last response on a kept-alive connection, is
    /// disconnected: the timeout on slow headers and on idle connections alike.
    pub header_timeout_secs: u64,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            max_upload_bytes: 16 << 30,
            secure_cookies: false,
            api_rate_per_minute: 600,
            org_name: "Sở Văn hóa và Thể thao Hà Nội".to_owned(),
            soffice: "soffice".into(),
            trusted_proxies: Vec::new(),
            client_ip_header: "x-forwarded-for".to_owned(),
            header_timeout_secs: 15,
        }
    }
}

/// The module services a process serves, each built once by its caller (`lantoa serve`, a
/// test) with its configuration.
#[derive(Clone)]
pub struct Modules {
    /// The watch service.
    pub watch: lantoa_watch::Watch,
    /// The crawler over it.
    pub crawler: lantoa_watch::Crawler,
    /// The open-data service.
    pub opendata: lantoa_opendata::OpenData,
    /// The notify service.
    pub notify: lantoa_notify::Notify,
    /// The plans service.
    pub plans: lantoa_plans::Plans,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Users, sessions, tokens.
    pub accounts: Accounts,
    /// The units registry.
    pub registry: Registry,
    /// The watch module.
    pub watch: lantoa_watch::Watch,
    /// The plans module.
    pub plans: lantoa_plans::Plans,
    /// The job queue.
    pub queue: Queue,
    /// Settings.
    pub config: Arc<WebConfig>,
    /// The crawler (queues crawls, reads captures).
    pub crawler: lantoa_watch::Crawler,
    /// The open-data service.
    pub opendata: lantoa_opendata::OpenData,
    /// The notify service.
    pub notify: lantoa_notify::Notify,
    pub(crate) metrics: Arc<metrics::Metrics>,
    pub(crate) table: Arc<HashMap<(String, String), routes::Access>>,
    pub(crate) limiter: Arc<ctx::RateLimiter>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The state over `db` with the given settings and module services.
    pub fn new(db: Db, config: WebConfig, modules: Modules) -> Self {
        let table = routes::table()
            .into_iter()
            .map(|r| ((r.method.to_owned(), r.path.to_owned()), r.access))
            .collect();
        view::set_org_name(&config.org_name);
        Self {
            accounts: Accounts::new(db.clone()),
            watch: modules.watch,
            plans: modules.plans,
            registry: Registry::new(db.clone()),
            queue: Queue::new(db.clone()),
            db,
            limiter: Arc::new(ctx::RateLimiter::new(config.api_rate_per_minute)),
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::new()),
            table: Arc::new(table),
            crawler: modules.crawler,
            opendata: modules.opendata,
            notify: modules.notify,
        }
    }

    /// The reports service over this process's modules.
    pub(crate) fn reports(&self) -> Result<lantoa_reports::Reports, error::WebError> {
        Ok(lantoa_reports::Reports::new(
            self.db.clone(),
            lantoa_reports::Sources {
                watch: Some(self.watch.clone()),
                notify: Some(self.notify.clone()),
                opendata: Some(self.opendata.clone()),
                plans: Some(self.plans.clone()),
                registry: Some(self.registry.clone()),
            },
        )?)
    }
}

/// The whole router: console, API, operations.
pub fn router(state: AppState) -> Router {
    let mut r: Router<AppState> = Router::new();
    let mut by_path: Vec<(&'static str, axum::routing::MethodRouter<AppState>)> = Vec::new();
    for spec in routes::table() {
        match by_path.iter_mut().find(|(p, _)| *p == spec.path) {
            Some((_, mr)) => {
                let merged = std::mem::take(mr).merge((spec.handler)());
                *mr = merged;
            }
            None => by_path.push((spec.path, (spec.handler)())),
        }
    }
    for (path, mr) in by_path {
        r = r.route(path, mr);
    }
    let limit = state.config.max_body_bytes;
    r.fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ctx::access,
        ))
        .layer(axum::middleware::from_fn(error::render_page_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state)
}

/// The Content-Security-Policy of every answer: the console's own style sheet and scripts
/// only (no inline script or style, nothing from another site), never framed, forms posted
/// only here. Captured pages shown from the watch module are held by the same rule.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'self'";

/// Sets the security headers on every answer, pages, API, errors and downloads alike, unless
/// a handler set its own.
async fn security_headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderName, HeaderValue};
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    for (name, value) in [
        ("content-security-policy", CONTENT_SECURITY_POLICY),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
    ] {
        let name = HeaderName::from_static(name);
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}
