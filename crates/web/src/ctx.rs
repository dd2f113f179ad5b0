//! Who is asking, in which language, with which CSRF token — and whether they may.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use lantoa_accounts::{Principal, Session};

use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::routes::Access;

/// The session cookie.
pub const SESSION_COOKIE: &str = "lantoa_session";
/// The CSRF cookie for forms shown before sign-in (double submit).
pub const CSRF_COOKIE: &str = "lantoa_csrf";
/// The language cookie.
pub const LANG_COOKIE: &str = "lantoa_lang";

/// The request's context, available to every handler as an extension.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    /// The signed-in user or token, if any.
    pub principal: Option<Principal>,
    /// The console session, if signed in through the console.
    pub session: Option<Session>,
    /// The CSRF token the forms of this page must carry.
    pub csrf: String,
    /// The console language.
    pub lang: Lang,
    /// The request path (for "next" after sign-in and the language switch).
    pub path: String,
    /// Whether this request is for the API (errors as JSON).
    pub api: bool,
    /// The client's address.
    pub client: String,
    /// A new CSRF cookie to set on the response.
    pub(crate) new_csrf_cookie: Option<String>,
    /// Whether cookies carry `Secure` (from the configuration).
    pub(crate) secure_cookies: bool,
}

impl Ctx {
    /// The message `id` in the request's language, with no arguments.
    pub fn t(&self, id: &str) -> String {
        crate::i18n::tr(self.lang, id, &[])
    }

    /// Who acts, as the audit log and the modules record it (empty when nobody is signed in,
    /// which the access table never lets through to a handler that changes anything).
    pub fn actor(&self) -> String {
        self.principal
            .as_ref()
            .map(|p| p.actor())
            .unwrap_or_default()
    }

    /// The roles of whoever is signed in (none for a visitor).
    pub fn roles(&self) -> Vec<lantoa_core::Role> {
        self.principal
            .as_ref()
            .map(|p| p.roles.clone())
            .unwrap_or_default()
    }

    /// Whether someone is signed in with one of `roles`.
    pub fn has_any(&self, roles: &[lantoa_core::Role]) -> bool {
        self.principal.as_ref().is_some_and(|p| p.has_any(roles))
    }

    /// Whether the caller may change dataset `d` (an agency's uploader: its own agency's only;
    /// [`lantoa_opendata::may_change`]).
    pub fn may_change_dataset(&self, d: &lantoa_opendata::Dataset) -> bool {
        self.principal
            .as_ref()
            .is_some_and(|p| lantoa_opendata::may_change(&p.roles, p.unit_id, d))
    }

    /// Dataset `d`, if the caller may change it; else `forbidden`.
    pub fn changeable(
        &self,
        d: lantoa_opendata::Dataset,
    ) -> Result<lantoa_opendata::Dataset, crate::error::WebError> {
        if self.may_change_dataset(&d) {
            Ok(d)
        } else {
            Err(crate::error::WebError::forbidden())
        }
    }

    /// The caller as a campaign's step sees them: `actor` (from [`Ctx::actor`]) and the roles
    /// that decide which steps are theirs.
    pub fn taker<'a>(&self, actor: &'a str) -> lantoa_notify::Taker<'a> {
        lantoa_notify::Taker {
            actor,
            approver: self.has_any(&[lantoa_core::Role::Approver]),
            admin: self.has_any(&[lantoa_core::Role::Admin]),
        }
    }
}

/// Reads one cookie.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HTTP-only, same-site Lax, whole site.
pub fn set_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    max_age_secs: Option<i64>,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if state.config.secure_cookies {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

fn random_hex() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// A per-client fixed-window limit on API requests.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests per client (0: unlimited).
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request from `key`; `Err(seconds)` when over the limit.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if w.len() > 100_000 {
            w.retain(|_, (start, _)| now.duration_since(*start).as_secs() < 60);
        }
        let entry = w.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0).as_secs() >= 60 {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > self.per_minute {
            return Err(60u64
                .saturating_sub(now.duration_since(entry.0).as_secs())
                .max(1));
        }
        Ok(())
    }
}

/// The client's address: the peer's, or — when the peer is one of the configured trusted
/// proxies — the last address in the configured header that is not itself a trusted proxy
/// (each proxy appends the address it heard from, so what lies left of that was written by
/// the client and proves nothing). "local" for an in-process request.
pub fn client_address(
    config: &crate::WebConfig,
    peer: Option<std::net::IpAddr>,
    headers: &HeaderMap,
) -> String {
    let Some(peer) = peer else {
        return "local".to_owned();
    };
    if !config.trusted_proxies.contains(&peer) {
        return peer.to_string();
    }
    let mut hops: Vec<&str> = headers
        .get_all(config.client_ip_header.as_str())
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    while let Some(hop) = hops.pop() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) if config.trusted_proxies.contains(&ip) => continue,
            Ok(ip) => return ip.to_string(),
            // Something not an address where the proxy writes one: trust nothing further.
            Err(_) => break,
        }
    }
    peer.to_string()
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || is_device(path)
}

/// The loudspeaker devices' API: JSON like the API, but each device authenticates with its
/// cluster's own token, which the handlers check.
fn is_device(path: &str) -> bool {
    path.starts_with("/speakers/")
}

/// Resolves the principal, then enforces the route table: sign-in, pending password change,
/// roles, CSRF for state-changing requests, and the API rate limit.
pub async fn access(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let api = is_api(&path);
    let client = client_address(
        &state.config,
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip()),
        &parts.headers,
    );
    let lang = Lang::from_code(cookie(&parts.headers, LANG_COOKIE).unwrap_or("vi"));
    let mut ctx = Ctx {
        secure_cookies: state.config.secure_cookies,
        lang,
        path: path.clone(),
        api,
        client: client.clone(),
        ..Ctx::default()
    };

    // Who is asking: a bearer token (API only), else the session cookie.
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    if let (true, false, Some(secret)) = (api, is_device(&path), bearer.as_deref()) {
        // Errors here are the API's: JSON, which `with_ctx` marks so that no console page
        // is made of them.
        match state.accounts.authenticate_token(secret).await {
            Ok(Some(p)) => ctx.principal = Some(p),
            Ok(None) => return with_ctx(WebError::unauthenticated().into_response(), ctx),
            Err(e) => return with_ctx(WebError::from(e).into_response(), ctx),
        }
    } else if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
        match state.accounts.session(token).await {
            Ok(Some(s)) => {
                ctx.principal = Some(s.principal.clone());
                ctx.csrf = s.csrf.clone();
                ctx.session = Some(s);
            }
            Ok(None) => {}
            Err(e) => return with_ctx(WebError::from(e).into_response(), ctx),
        }
    }
    if ctx.session.is_none() {
        match cookie(&parts.headers, CSRF_COOKIE) {
            Some(c) if c.len() == 32 => ctx.csrf = c.to_owned(),
            _ => {
                let fresh = random_hex();
                ctx.csrf = fresh.clone();
                ctx.new_csrf_cookie = Some(fresh);
            }
        }
    }

    if api && bearer.is_some() {
        let key = ctx.principal.as_ref().map_or(client.clone(), |p| p.actor());
        if let Err(secs) = state.limiter.check(&key) {
            return with_ctx(WebError::rate_limited(secs as i64).into_response(), ctx);
        }
    }

    // The route's rule. HEAD is answered by the GET handler (axum runs it in full and drops
    // the body), so it is held to GET's rule; a method the table has no row for is refused
    // here, before any handler can run, whatever the router would have done with it.
    let matched = parts
        .extensions
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let rule_method = if parts.method == Method::HEAD {
        "GET"
    } else {
        parts.method.as_str()
    };
    let access = match &matched {
        Some(m) => match state
            .table
            .get(&(rule_method.to_owned(), m.clone()))
            .copied()
        {
            Some(access) => access,
            None => {
                return with_ctx(
                    WebError::method_not_allowed(parts.method.as_str()).into_response(),
                    ctx,
                );
            }
        },
        None => {
            // No route for this path: no handler runs, the fallback answers 404.
            parts.extensions.insert(ctx.clone());
            let response = next.run(Request::from_parts(parts, body)).await;
            return with_ctx(response, ctx);
        }
    };

    if let Some(denied) = check_access(&ctx, access) {
        return with_ctx(denied, ctx);
    }

    // State-changing requests carry the CSRF token, unless authenticated by a bearer token.
    // Public API routes (the CKAN read actions, which clients also POST) change nothing and
    // act for no one, so there is nothing for a forged request to abuse.
    let public_api = api && matches!(access, crate::routes::Access::Public);
    let mut body = body;
    if parts.method != Method::GET
        && parts.method != Method::HEAD
        && !(api && bearer.is_some())
        && !public_api
    {
        // The token comes in the X-CSRF-Token header, in the form's `csrf` field, or — for
        // file uploads (multipart forms, whose body is not buffered here) — in the form
        // action's query string.
        let header_token = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| {
                parts
                    .uri
                    .query()
                    .and_then(|q| form_urlencoded_get(q.as_bytes(), "csrf"))
            });
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let mut given = header_token;
        if given.is_none() && is_form {
            let bytes = match axum::body::to_bytes(body, state.config.max_body_bytes).await {
                Ok(b) => b,
                Err(_) => {
                    return with_ctx(
                        WebError::too_large(state.config.max_body_bytes).into_response(),
                        ctx,
                    );
                }
            };
            given = form_urlencoded_get(&bytes, "csrf");
            body = Body::from(bytes);
        }
        if given.as_deref() != Some(ctx.csrf.as_str()) || ctx.csrf.is_empty() {
            tracing::info!(path = %path, client = %client, "CSRF check failed");
            return with_ctx(WebError::csrf().into_response(), ctx);
        }
    }

    parts.extensions.insert(ctx.clone());
    let response = next.run(Request::from_parts(parts, body)).await;
    with_ctx(response, ctx)
}

fn form_urlencoded_get(bytes: &[u8], key: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// What to answer when `ctx` may not use a route of `access`, or `None` if it may.
fn check_access(ctx: &Ctx, access: Access) -> Option<Response> {
    if matches!(access, Access::Public | Access::Device) {
        return None;
    }
    let Some(p) = &ctx.principal else {
        return Some(if ctx.api {
            WebError::unauthenticated().into_response()
        } else {
            let next =
                serde_urlencoded::to_string([("next", ctx.path.as_str())]).unwrap_or_default();
            Redirect::to(&format!("/login?{next}")).into_response()
        });
    };
    match principal_may(p, access) {
        Ok(()) => None,
        Err(e) if e.code == lantoa_core::error_code::PASSWORD_CHANGE_REQUIRED && !ctx.api => {
            Some(Redirect::to("/account/password").into_response())
        }
        Err(e) => Some(e.into_response()),
    }
}

/// Whether a signed-in principal may use a route of `access`: a one-time password must be
/// changed first (but on the routes that change it), and the roles must be among the route's.
/// The one rule for the console, `/api/v1` and the CKAN write actions.
pub(crate) fn principal_may(p: &Principal, access: Access) -> Result<(), WebError> {
    if p.must_change_password && !matches!(access, Access::SignedInPending) {
        return Err(WebError::password_change_required());
    }
    match access {
        Access::Roles(roles) if !p.has_any(roles) => Err(WebError::forbidden()),
        _ => Ok(()),
    }
}

/// Attaches the context to a response (so error pages can be localised) and sets the
/// anonymous CSRF cookie if one was made.
fn with_ctx(mut response: Response, ctx: Ctx) -> Response {
    if let Some(c) = &ctx.new_csrf_cookie {
        let secure = if ctx.secure_cookies { "; Secure" } else { "" };
        let v = format!("{CSRF_COOKIE}={c}; Path=/; HttpOnly; SameSite=Strict{secure}");
        if let Ok(h) = HeaderValue::from_str(&v) {
            response.headers_mut().append(header::SET_COOKIE, h);
        }
    }
    response.extensions_mut().insert(ctx);
    response
}

#[cfg(test)]
mod tests {
    use super::client_address;
    use axum::http::HeaderMap;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_client_is_read_from_a_trusted_proxy_only() {
        let config = crate::WebConfig {
            trusted_proxies: vec!["10.0.0.5".parse().unwrap(), "10.0.0.6".parse().unwrap()],
            ..Default::default()
        };
        let proxy = Some("10.0.0.5".parse().unwrap());
        let stranger = Some("192.0.2.1".parse().unwrap());
        assert_eq!(client_address(&config, None, &headers(&[])), "local");
        assert_eq!(
            client_address(&config, stranger, &headers(&["203.0.113.9"])),
            "192.0.2.1"
        );
        assert_eq!(
            client_address(&config, proxy, &headers(&["203.0.113.9"])),
            "203.0.113.9"
        );
        // Two proxies in a row, and a client's own forged entries to the left.
        assert_eq!(
            client_address(
                &config,
                proxy,
                &headers(&["1.2.3.4, 203.0.113.9, 10.0.0.6"])
            ),
            "203.0.113.9"
        );
        assert_eq!(
            client_address(&config, proxy, &headers(&["1.2.3.4", "203.0.113.9"])),
            "203.0.113.9"
        );
        // Garbage where an address should be: nothing further is believed.
        assert_eq!(
            client_address(&config, proxy, &headers(&["1.2.3.4, not-an-ip"])),
            "10.0.0.5"
        );
        assert_eq!(client_address(&config, proxy, &headers(&[])), "10.0.0.5");
        // No proxy configured: the header is never read.
        let plain = crate::WebConfig::default();
        assert_eq!(
            client_address(&plain, proxy, &headers(&["203.0.113.9"])),
            "10.0.0.5"
        );
    }
}
