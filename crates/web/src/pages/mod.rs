//! Console pages. Handlers are thin: they read the form, call a module service, and render a
//! template or redirect. Texts come from the catalogues.

pub mod alerts;
pub mod assets;
pub mod auth;
pub mod browse;
pub mod cases;
pub mod home;
pub mod notices;
pub mod notify;
pub mod opendata;
pub mod plans;
pub mod portal;
pub mod reports;
pub mod speakers;
pub mod units;
pub mod users;
pub mod watch;
pub mod work;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::Value;

use crate::ctx::Ctx;
use crate::error::WebError;
use crate::view;

/// A submitted form as name/value pairs (repeated names kept, e.g. several `roles`).
#[derive(Debug, Default)]
pub struct FormPairs(pub Vec<(String, String)>);

impl FormPairs {
    /// The first value of `name`, trimmed; empty if absent.
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for FormPairs {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await?;
        serde_urlencoded::from_bytes(&bytes)
            .map(FormPairs)
            .map_err(|e| WebError::malformed(e.to_string()))
    }
}

/// Re-renders a form page with the error's message and the error's status.
pub fn form_error(
    template: &str,
    ctx: &Ctx,
    active: &str,
    extra: Value,
    err: WebError,
) -> Response {
    let message = err.console_message(ctx.lang);
    let status = StatusCode::from_u16(err.code.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
    match view::views().render(
        template,
        ctx,
        active,
        minijinja::context! { error => message, ..extra },
    ) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => WebError::internal(e).into_response(),
    }
}

/// A local path to go to after a form, never another site.
///
/// Only a path on this site passes: it starts with one `/`, and holds nothing but printable
/// ASCII other than `\\` — browsers drop tabs and line breaks from a URL (so `/\t/evil` is
/// `//evil`, another host) and read `\\` as `/`, and a line break cannot go in a header.
pub fn safe_next(next: &str) -> String {
    let printable = next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if printable && next.starts_with('/') && !next.starts_with("//") {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

/// A `flash` query value that names a flash message, else nothing.
pub fn flash(value: Option<&str>) -> Option<String> {
    value
        .filter(|v| v.starts_with("flash-") && v.len() < 40)
        .map(str::to_owned)
}

/// A period a list is narrowed to (`?from=YYYY-MM-DD&to=YYYY-MM-DD`, both days included, Hà
/// Nội time), as the reports link to the records each figure counts; `kind` narrows further
/// where a list has kinds.
#[derive(Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct Span {
    /// The first day.
    pub from: Option<String>,
    /// The last day.
    pub to: Option<String>,
    /// A kind of record (crawls: `website`, `clip`, `post`).
    pub kind: Option<String>,
}

/// A day given in a query (`dd/mm/yyyy` or `YYYY-MM-DD`); a malformed one is named with its
/// `field`.
pub fn day(field: &'static str, v: &str) -> Result<chrono::NaiveDate, WebError> {
    lantoa_core::time::parse_day(v.trim()).ok_or_else(|| {
        WebError::from(lantoa_notify::Error::Invalid {
            field,
            message: lantoa_core::Msg::new("notify-not-a-date").arg("value", v),
        })
    })
}

impl Span {
    /// The span as query parameters, for the links that keep it (empty ones are left out).
    pub fn params(&self) -> [(&'static str, String); 3] {
        [
            ("from", self.from.clone().unwrap_or_default()),
            ("to", self.to.clone().unwrap_or_default()),
            ("kind", self.kind.clone().unwrap_or_default()),
        ]
    }

    /// The period as µs `[start, end)`, or none when no period is given; a malformed day is
    /// named.
    pub fn micros(&self) -> Result<Option<(i64, i64)>, WebError> {
        match (&self.from, &self.to) {
            (None, None) => Ok(None),
            (Some(f), Some(t)) => {
                let (from, to) = (day("from", f)?, day("to", t)?);
                Ok(Some(lantoa_reports::figures::span(from, to)))
            }
            _ => Err(lantoa_notify::Error::Invalid {
                field: "from",
                message: lantoa_core::Msg::new("period-needs-both"),
            }
            .into()),
        }
    }
}

/// The address of a list at `path` with its query `params`, those with empty values left out.
pub fn list_url(path: &str, params: &[(&str, String)]) -> String {
    let kept: Vec<_> = params.iter().filter(|(_, v)| !v.is_empty()).collect();
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(&kept).unwrap_or_default()
    )
}

/// The addresses of the previous and next pages of a list at `path` (pages of `size` rows,
/// numbered from 0), keeping its filters; `None` where there is no such page.
pub fn pager(
    path: &str,
    filters: &[(&'static str, String)],
    page: i64,
    size: i64,
    total: i64,
) -> (Option<String>, Option<String>) {
    let link = |page: i64| {
        let mut params = vec![("page", page.to_string())];
        params.extend(filters.iter().cloned());
        list_url(path, &params)
    };
    (
        (page > 0).then(|| link(page - 1)),
        ((page + 1) * size < total).then(|| link(page + 1)),
    )
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn the_pager_keeps_filters_and_stops_at_the_ends() {
        let filters = [("kind", "website".to_owned()), ("q", String::new())];
        assert_eq!(
            super::pager("/watch", &filters, 0, 100, 250),
            (None, Some("/watch?page=1&kind=website".to_owned()))
        );
        assert_eq!(
            super::pager("/watch", &filters, 2, 100, 250),
            (Some("/watch?page=1&kind=website".to_owned()), None)
        );
        assert_eq!(super::pager("/watch", &[], 0, 100, 100), (None, None));
    }
    use proptest::prelude::*;

    proptest! {
        /// Whatever is sent as `next`, the redirect stays on this site: one leading `/`, then
        /// only printable ASCII with no `\\` (which browsers read as `/`), no tab or line break
        /// (which browsers drop, turning `/\t/evil` into `//evil`).
        #[test]
        fn next_never_leaves_the_site(next in any::<String>()) {
            let to = safe_next(&next);
            prop_assert!(to.starts_with('/'));
            prop_assert!(!to.starts_with("//"));
            prop_assert!(to.bytes().all(|b| b.is_ascii_graphic() && b != b'\\'));
        }

        #[test]
        fn a_plain_site_path_is_kept(path in "/[a-z0-9][a-z0-9/?=&_-]{0,40}") {
            prop_assert_eq!(safe_next(&path), path);
        }
    }
}
