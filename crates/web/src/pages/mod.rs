//! Console pages. Handlers are thin: they read the form, call a module service, and render a
//! template or redirect. Texts come from the catalogues.

pub mod alerts;
pub mod assets;
pub mod auth;
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
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
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
