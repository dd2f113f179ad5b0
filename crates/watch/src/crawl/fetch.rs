//! Fetching one address: the HTTP client with the address guard in its resolver, bounded
//! redirects followed by hand (so every hop is recorded and re-checked), a body size cap that
//! counts decoded bytes (a small gzip bomb stops at the cap), conditional requests and timeouts.
//!
//! A failure to fetch is not an error of the crawl: it is a [`FetchFailure`] with a
//! [`FailureKind`] and a message, recorded on the page, and the crawl goes on.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{self, HeaderMap};
use serde::{Deserialize, Serialize};
use url::Url;

use super::guard::{self, AddressPolicy};
use crate::Error;

/// How the crawler fetches.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// The `User-Agent` sent, and the agent matched in robots.txt.
    pub user_agent: String,
    /// Where the crawler may connect.
    pub policy: AddressPolicy,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for one whole request, body included.
    pub timeout: Duration,
    /// Bodies longer than this (after decoding) are cut and marked truncated.
    pub max_body: usize,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// Host names resolved to fixed addresses (like curl's `--resolve`); the guard still
    /// applies to them. The demo maps its `.example` sites to its loopback server this way.
    pub overrides: Vec<(String, SocketAddr)>,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            user_agent: concat!(
                "Lantoa/",
                env!("CARGO_PKG_VERSION"),
                " (Department of Information and Communications watch crawler)"
            )
            .to_owned(),
            policy: AddressPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body: 5 * 1024 * 1024,
            max_redirects: 5,
            overrides: Vec::new(),
        }
    }
}

/// Why a fetch failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The address is not a valid http(s) URL.
    InvalidUrl,
    /// The host resolves to an address the policy refuses.
    Forbidden,
    /// The name does not resolve or the connection failed.
    Unreachable,
    /// The host did not answer in time.
    Timeout,
    /// More redirects than allowed.
    TooManyRedirects,
    /// A redirect led back to an address already visited.
    RedirectLoop,
    /// robots.txt disallows the address for our agent.
    RobotsDisallow,
    /// The response broke off or could not be decoded.
    Body,
    /// A clip or post with no supplied text: platforms are not fetched, so there is nothing
    /// to review.
    NoText,
}

impl FailureKind {
    /// The stable name stored with the page.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::InvalidUrl => "invalid_url",
            FailureKind::Forbidden => "forbidden",
            FailureKind::Unreachable => "unreachable",
            FailureKind::Timeout => "timeout",
            FailureKind::TooManyRedirects => "too_many_redirects",
            FailureKind::RedirectLoop => "redirect_loop",
            FailureKind::RobotsDisallow => "robots_disallow",
            FailureKind::Body => "body",
            FailureKind::NoText => "no_text",
        }
    }
}

/// A fetch that did not produce a response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", kind.as_str())]
pub struct FetchFailure {
    /// The class of failure.
    pub kind: FailureKind,
    /// What happened, for the officer.
    pub message: String,
}

impl FetchFailure {
    fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

/// Validators from an earlier fetch, sent so an unchanged page answers 304.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The earlier `ETag`.
    pub etag: Option<String>,
    /// The earlier `Last-Modified`.
    pub last_modified: Option<String>,
}

/// One redirect followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// The redirect's status.
    pub status: u16,
    /// The address redirected from.
    pub from: String,
}

/// A response.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The address finally answered (after redirects).
    pub url: Url,
    /// HTTP status.
    pub status: u16,
    /// Response headers in order, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The body, decoded from gzip/br/deflate, at most `max_body` bytes.
    pub body: Vec<u8>,
    /// The body was longer than `max_body` and was cut.
    pub truncated: bool,
    /// Redirects followed, in order.
    pub redirects: Vec<Hop>,
    /// Time taken.
    pub elapsed: Duration,
}

impl Fetched {
    /// The first header named `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The validators to send next time.
    pub fn validators(&self) -> Validators {
        Validators {
            etag: self.header("etag").map(str::to_owned),
            last_modified: self.header("last-modified").map(str::to_owned),
        }
    }

    /// Whether the body is HTML (by `Content-Type`, or by sniffing when there is none).
    pub fn is_html(&self) -> bool {
        match self.header("content-type") {
            Some(ct) => {
                let ct = ct.to_ascii_lowercase();
                ct.starts_with("text/html") || ct.starts_with("application/xhtml")
            }
            None => {
                let head = &self.body[..self.body.len().min(512)];
                let head = String::from_utf8_lossy(head).to_ascii_lowercase();
                head.contains("<html") || head.contains("<!doctype html")
            }
        }
    }
}

/// The resolver that applies the address guard to every name, overrides included.
#[derive(Debug)]
struct GuardedResolver {
    policy: AddressPolicy,
    overrides: Vec<(String, SocketAddr)>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let policy = self.policy;
        let fixed: Vec<SocketAddr> = self
            .overrides
            .iter()
            .filter(|(h, _)| *h == host)
            .map(|(_, a)| *a)
            .collect();
        Box::pin(async move {
            let addrs = if fixed.is_empty() {
                guard::resolve(&host, 0, policy).await?
            } else {
                if !policy.allow_private
                    && let Some(bad) = fixed.iter().find(|a| !guard::is_public(a.ip()))
                {
                    return Err(Box::new(Error::Forbidden {
                        host,
                        address: bad.ip().to_string(),
                    })
                        as Box<dyn std::error::Error + Send + Sync>);
                }
                fixed
            };
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Fetches addresses under a [`FetchConfig`].
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    config: Arc<FetchConfig>,
}

/// Makes ring the process's TLS provider (reqwest is built without one). Calling it again
/// does nothing.
pub fn install_tls_provider() {
    // `Err` means a provider is installed already, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Fetcher {
    /// A fetcher with its own connection pool.
    pub fn new(config: FetchConfig) -> Result<Self, Error> {
        install_tls_provider();
        let overrides = config
            .overrides
            .iter()
            .map(|(h, a)| (h.to_ascii_lowercase(), *a))
            .collect();
        let client = reqwest::Client::builder()
            .user_agent(&config.user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .pool_max_idle_per_host(64)
            .dns_resolver(Arc::new(GuardedResolver {
                policy: config.policy,
                overrides,
            }))
            .build()
            .map_err(|e| Error::internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            client,
            config: Arc::new(config),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// Fetches `url`, following redirects, sending `validators` when given.
    pub async fn fetch(
        &self,
        url: &str,
        validators: Option<&Validators>,
    ) -> Result<Fetched, FetchFailure> {
        let started = Instant::now();
        let mut current = parse_http_url(url)?;
        let mut redirects = Vec::new();
        let mut seen = HashSet::from([current.to_string()]);
        loop {
            self.check_literal(&current)?;
            let mut req = self.client.get(current.clone());
            if let Some(v) = validators {
                if let Some(etag) = &v.etag {
                    req = req.header(header::IF_NONE_MATCH, etag);
                }
                if let Some(lm) = &v.last_modified {
                    req = req.header(header::IF_MODIFIED_SINCE, lm);
                }
            }
            let resp = req.send().await.map_err(|e| classify(&e))?;
            let status = resp.status();
            if status.is_redirection() && status.as_u16() != 304 {
                let location = resp
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .ok_or_else(|| {
                        FetchFailure::new(
                            FailureKind::Body,
                            format!("{current} answered {status} without a Location header"),
                        )
                    })?;
                let next = current.join(location).map_err(|e| {
                    FetchFailure::new(
                        FailureKind::InvalidUrl,
                        format!(
                            "{current} redirects to {location:?}, which is not an address: {e}"
                        ),
                    )
                })?;
                redirects.push(Hop {
                    status: status.as_u16(),
                    from: current.to_string(),
                });
                if !seen.insert(next.to_string()) {
                    return Err(FetchFailure::new(
                        FailureKind::RedirectLoop,
                        format!("{current} redirects back to {next}"),
                    ));
                }
                if redirects.len() > self.config.max_redirects {
                    return Err(FetchFailure::new(
                        FailureKind::TooManyRedirects,
                        format!(
                            "more than {} redirects, the last to {next}",
                            self.config.max_redirects
                        ),
                    ));
                }
                current = parse_http_url(next.as_str())?;
                continue;
            }
            let headers = header_list(resp.headers());
            let (body, truncated) = read_capped(resp, self.config.max_body).await?;
            return Ok(Fetched {
                url: current,
                status: status.as_u16(),
                headers,
                body,
                truncated,
                redirects,
                elapsed: started.elapsed(),
            });
        }
    }
}

impl Fetcher {
    /// The client resolves names through the guard, but an address written as an IP literal
    /// (`http://127.0.0.1/`, `http://[::1]/`) is never resolved, so it is checked here — on
    /// every hop, since a redirect may point at one.
    fn check_literal(&self, url: &Url) -> Result<(), FetchFailure> {
        let ip = match url.host() {
            Some(url::Host::Ipv4(v4)) => std::net::IpAddr::V4(v4),
            Some(url::Host::Ipv6(v6)) => std::net::IpAddr::V6(v6),
            _ => return Ok(()),
        };
        if self.config.policy.allow_private || guard::is_public(ip) {
            return Ok(());
        }
        Err(FetchFailure::new(
            FailureKind::Forbidden,
            Error::Forbidden {
                host: url.host_str().unwrap_or_default().to_owned(),
                address: ip.to_string(),
            }
            .to_string(),
        ))
    }
}

/// Parses an address the crawler may fetch: absolute, http or https, with a host.
pub fn parse_http_url(url: &str) -> Result<Url, FetchFailure> {
    let parsed = Url::parse(url.trim()).map_err(|e| {
        FetchFailure::new(
            FailureKind::InvalidUrl,
            format!("{url:?} is not an address: {e}"),
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(FetchFailure::new(
            FailureKind::InvalidUrl,
            format!("{url:?} is not an http(s) address with a host"),
        ));
    }
    Ok(parsed)
}

fn header_list(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

async fn read_capped(
    mut resp: reqwest::Response,
    max: usize,
) -> Result<(Vec<u8>, bool), FetchFailure> {
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = max - body.len();
                if chunk.len() > room {
                    body.extend_from_slice(&chunk[..room]);
                    return Ok((body, true));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok((body, false)),
            Err(e) => return Err(classify(&e)),
        }
    }
}

/// Turns a client error into the failure recorded on the page.
fn classify(e: &reqwest::Error) -> FetchFailure {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(ours) = s.downcast_ref::<Error>() {
            let kind = match ours {
                Error::Forbidden { .. } => FailureKind::Forbidden,
                _ => FailureKind::Unreachable,
            };
            return FetchFailure::new(kind, ours.to_string());
        }
        source = s.source();
    }
    let kind = if e.is_timeout() {
        FailureKind::Timeout
    } else if e.is_body() || e.is_decode() {
        FailureKind::Body
    } else {
        FailureKind::Unreachable
    };
    // The innermost cause says most ("connection refused", "invalid gzip header").
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    let what = e.url().map(|u| u.to_string()).unwrap_or_default();
    FetchFailure::new(kind, format!("{what}: {detail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ip_literals_and_redirects_to_them_are_guarded_too() {
        let f = Fetcher::new(FetchConfig::default()).unwrap();
        for url in [
            "http://127.0.0.1:1/",
            "http://[::1]:1/",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data",
        ] {
            let err = f.fetch(url, None).await.unwrap_err();
            assert_eq!(err.kind, FailureKind::Forbidden, "{url}: {err}");
            assert!(err.message.contains("not a public address"), "{err}");
        }
        let err = f.fetch("ftp://a.example/", None).await.unwrap_err();
        assert_eq!(err.kind, FailureKind::InvalidUrl);
        let err = f.fetch("not a url", None).await.unwrap_err();
        assert_eq!(err.kind, FailureKind::InvalidUrl);
    }
}
