//! Errors as HTTP answers: JSON `{"error":{"code","message"}}` for the API, a localised page
//! for the console.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use lantoa_core::error_code::{self, ErrorCode, HasErrorCode};

use lantoa_core::msg::{Arg, Describe, Msg};

use crate::ctx::Ctx;
use crate::i18n::tr;

/// The longest error message sent back, in characters.
const MAX_MESSAGE_CHARS: usize = 2_000;
/// The longest quoted value in a console error message, in characters.
const MAX_ARG_CHARS: usize = 300;

/// An error answer. `msg` names the console message (in the console's or the domain's
/// catalogue) and its arguments; `message` is the API's text.
#[derive(Debug, Clone)]
pub struct WebError {
    /// The stable code and status.
    pub code: ErrorCode,
    /// The message, by id and arguments.
    pub msg: Msg,
    /// The English message for API clients.
    pub message: String,
}

impl WebError {
    /// The console's message for it, in `lang`.
    pub fn console_message(&self, lang: crate::i18n::Lang) -> String {
        crate::i18n::msg(lang, &self.msg)
    }

    /// What a domain crate's error says: the console renders its message in the reader's
    /// language, the API gives its English `Display` (which names the field at fault).
    pub fn said<E: Describe + HasErrorCode + std::fmt::Display>(e: &E) -> Self {
        Self::new(e.error_code(), "", e.to_string()).with_msg(e.message())
    }

    /// A refusal of the value given as `field`, said by a domain catalogue's message `msg`;
    /// the API's text is `field: ` and the message's English.
    pub fn refused(field: &str, msg: Msg) -> Self {
        Self::new(error_code::INVALID_INPUT, "", format!("{field}: {msg}")).with_msg(msg)
    }

    fn with_msg(mut self, msg: Msg) -> Self {
        // Arguments quote what the caller sent: each is cut to a short excerpt.
        self.msg = Msg {
            key: msg.key,
            args: msg
                .args
                .into_iter()
                .map(|(k, a)| match a {
                    Arg::Text(t) => (
                        k,
                        Arg::Text(lantoa_core::text::excerpt(&t, MAX_ARG_CHARS).into_owned()),
                    ),
                    other => (k, other),
                })
                .collect(),
        };
        self
    }

    /// An error of `code` with console message `key` and API message `message`.
    ///
    /// Messages and arguments quote what the caller sent, so each is cut to a short excerpt
    /// here, once for every error: a huge cell or field never comes back in the answer.
    pub fn new(code: ErrorCode, key: &'static str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            code,
            msg: Msg::new(key),
            message: lantoa_core::text::excerpt(&message, MAX_MESSAGE_CHARS).into_owned(),
        }
    }

    /// Adds a message argument.
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        let value = value.to_string();
        self.msg = self.msg.arg(
            name,
            lantoa_core::text::excerpt(&value, MAX_ARG_CHARS).into_owned(),
        );
        self
    }

    /// A text argument of the message, if it has one by this name.
    pub fn text_arg(&self, name: &str) -> Option<&str> {
        self.msg.args.iter().find_map(|(k, a)| match a {
            Arg::Text(t) if k == name => Some(t.as_str()),
            _ => None,
        })
    }

    /// Not signed in.
    pub fn unauthenticated() -> Self {
        Self::new(
            error_code::UNAUTHENTICATED,
            "err-unauthenticated",
            "sign in, or send a valid API token as 'Authorization: Bearer …'",
        )
    }

    /// Roles do not allow it.
    pub fn forbidden() -> Self {
        Self::new(
            error_code::FORBIDDEN,
            "err-forbidden",
            "your roles do not allow this action",
        )
    }

    /// CSRF token missing or wrong.
    pub fn csrf() -> Self {
        Self::new(
            error_code::CSRF_FAILED,
            "err-csrf",
            "the CSRF token is missing or wrong; send the form's 'csrf' field or the X-CSRF-Token header",
        )
    }

    /// Must change the one-time password first.
    pub fn password_change_required() -> Self {
        Self::new(
            error_code::PASSWORD_CHANGE_REQUIRED,
            "err-password-change-required",
            "change the one-time password first (POST /account/password in the console)",
        )
    }

    /// Too many requests.
    pub fn rate_limited(seconds: i64) -> Self {
        Self::new(
            error_code::RATE_LIMITED,
            "err-rate-limited",
            format!("too many requests; try again in {seconds} seconds"),
        )
        .arg("seconds", seconds)
    }

    /// Body over the limit.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            error_code::PAYLOAD_TOO_LARGE,
            "err-too-large",
            format!("the request body is over the limit of {limit} bytes"),
        )
        .arg("limit", limit)
    }

    /// An uploaded file over `web.max_upload_bytes`.
    pub fn upload_too_large(limit: u64) -> Self {
        Self::new(
            error_code::PAYLOAD_TOO_LARGE,
            "err-upload-too-large",
            format!("the file is over the upload limit of {limit} bytes (web.max_upload_bytes)"),
        )
        .arg("limit", limit)
    }

    /// Body unreadable.
    pub fn malformed(detail: impl Into<String>) -> Self {
        let detail = detail.into();
        Self::new(
            error_code::MALFORMED_BODY,
            "err-malformed",
            format!("the request body cannot be read: {detail}"),
        )
        .arg("detail", detail)
    }

    /// A known path asked with a method its route does not take.
    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            error_code::METHOD_NOT_ALLOWED,
            "err-method",
            format!("this route does not accept {method}"),
        )
        .arg("method", method)
    }

    /// No such record.
    pub fn not_found() -> Self {
        Self::new(
            error_code::NOT_FOUND,
            "err-not-found",
            "no such route or record",
        )
    }

    /// A form field is invalid.
    pub fn invalid(key: &'static str, message: impl Into<String>) -> Self {
        Self::new(error_code::INVALID_INPUT, key, message)
    }

    /// An internal failure: logged in full, shown without detail.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            error_code::INTERNAL,
            "err-internal",
            "internal error; the details are in the server log",
        )
    }

    fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let body =
            serde_json::json!({ "error": { "code": self.code.code, "message": self.message } });
        let mut r = (self.status(), axum::Json(body)).into_response();
        if self.code == error_code::RATE_LIMITED
            && let Some(secs) = self.text_arg("seconds")
            && let Ok(v) = HeaderValue::from_str(secs)
        {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        r.extensions_mut().insert(self);
        r
    }
}

fn storage_or_internal(e: &impl std::fmt::Display, code: ErrorCode) -> WebError {
    if code == error_code::STORAGE {
        tracing::error!(error = %e, "storage error");
        WebError::new(
            error_code::STORAGE,
            "err-storage",
            "the database is not answering",
        )
    } else {
        WebError::internal(e)
    }
}

impl From<lantoa_store::Error> for WebError {
    fn from(e: lantoa_store::Error) -> Self {
        let code = e.error_code();
        match code.status {
            404 => WebError::not_found(),
            409 => WebError::new(code, "err-conflict", e.to_string()),
            _ => storage_or_internal(&e, code),
        }
    }
}

impl From<lantoa_accounts::Error> for WebError {
    fn from(e: lantoa_accounts::Error) -> Self {
        use lantoa_accounts::{Error as A, PasswordProblem as P};
        let code = e.error_code();
        let msg = e.to_string();
        match e {
            A::BadCredentials => WebError::new(code, "err-bad-credentials", msg),
            A::RateLimited { retry_after_secs } => {
                WebError::new(code, "err-rate-limited", msg).arg("seconds", retry_after_secs)
            }
            A::Disabled => WebError::new(code, "err-disabled", msg),
            A::UserExists(u) => WebError::new(code, "err-user-exists", msg).arg("username", u),
            A::NoSuchUser(_) => WebError::new(code, "err-no-such-user", msg),
            A::InvalidUsername(u) => {
                WebError::new(code, "err-invalid-username", msg).arg("username", u)
            }
            A::WeakPassword(P::TooShort(n)) => {
                WebError::new(code, "err-weak-password-short", msg).arg("min", n)
            }
            A::WeakPassword(P::ContainsUsername) => {
                WebError::new(code, "err-weak-password-username", msg)
            }
            A::WeakPassword(P::Repeated) => WebError::new(code, "err-weak-password-repeated", msg),
            A::WeakPassword(P::SameAsCurrent) => WebError::new(code, "err-weak-password-same", msg),
            A::WeakPassword(_) => {
                WebError::new(code, "err-weak-password-short", msg).arg("min", 10)
            }
            A::WrongCurrentPassword => WebError::new(code, "err-wrong-current", msg),
            A::NoRoles => WebError::new(code, "err-no-roles", msg),
            A::RoleNotHeld(_) => WebError::new(code, "err-role-not-held", msg),
            A::LastAdmin => WebError::new(code, "err-last-admin", msg),
            A::Store(s) => s.into(),
            other => storage_or_internal(&other, code),
        }
    }
}

impl From<lantoa_registry::Error> for WebError {
    fn from(e: lantoa_registry::Error) -> Self {
        use lantoa_registry::Error as R;
        match e {
            R::Store(s) => s.into(),
            other => WebError::said(&other),
        }
    }
}

/// Parses a unit kind from a form or query, or says which value is wrong.
pub fn parse_unit_kind(value: &str) -> Result<lantoa_core::unit::UnitKind, WebError> {
    value
        .parse()
        .map_err(|e: lantoa_core::unit::UnknownUnitKind| {
            WebError::invalid("err-bad-kind", e.to_string()).arg("value", value)
        })
}

impl From<lantoa_watch::Error> for WebError {
    fn from(e: lantoa_watch::Error) -> Self {
        use lantoa_watch::Error as W;
        match e {
            W::Registry(r) => r.into(),
            W::Store(s) => s.into(),
            W::Internal(_) | W::Config { .. } => WebError::internal(e),
            other => WebError::said(&other),
        }
    }
}

impl From<lantoa_plans::Error> for WebError {
    fn from(e: lantoa_plans::Error) -> Self {
        use lantoa_plans::Error as P;
        match e {
            P::Registry(r) => r.into(),
            P::Store(s) => s.into(),
            P::Internal(_) => WebError::internal(e),
            other => WebError::said(&other),
        }
    }
}

impl From<lantoa_reports::Error> for WebError {
    fn from(e: lantoa_reports::Error) -> Self {
        use lantoa_reports::Error as R;
        match e {
            R::Store(s) => s.into(),
            R::Labels(_) | R::Corrupt(_) | R::Document(_) => WebError::internal(e),
            other => WebError::said(&other),
        }
    }
}

impl From<lantoa_opendata::Error> for WebError {
    fn from(e: lantoa_opendata::Error) -> Self {
        use lantoa_opendata::Error as O;
        match e {
            O::Registry(r) => r.into(),
            O::Store(s) => s.into(),
            O::Internal(_) => WebError::internal(e),
            other => WebError::said(&other),
        }
    }
}

impl From<lantoa_notify::Error> for WebError {
    fn from(e: lantoa_notify::Error) -> Self {
        use lantoa_notify::Error as N;
        match e {
            N::Store(s) => s.into(),
            other => WebError::said(&other),
        }
    }
}

impl From<axum::extract::rejection::BytesRejection> for WebError {
    /// A body that could not be read: over the configured limit, or broken off.
    fn from(e: axum::extract::rejection::BytesRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::new(
                error_code::PAYLOAD_TOO_LARGE,
                "err-too-large-any",
                "the request body is over the configured limit (web.max_body_bytes)",
            )
        } else {
            Self::malformed(e.body_text())
        }
    }
}

/// A filter from a query string: absent or empty means no filter, else `parse` decides.
pub fn parse_filter<T, E: Into<WebError>>(
    value: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, WebError> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| parse(v).map_err(Into::into))
        .transpose()
}

/// Parses a watch category (`bao_hoa`, `advertising`, `harmful`), or says which value is wrong.
pub fn parse_category(value: &str) -> Result<lantoa_watch::signals::Category, WebError> {
    lantoa_watch::signals::Category::parse(value).ok_or_else(|| {
        WebError::said(&lantoa_watch::Error::invalid(
            "category",
            Msg::new("case-bad-category")
                .arg("value", value)
                .arg("known", "bao_hoa, advertising, harmful"),
        ))
    })
}

/// Parses a date given as `field` in a form officers write (`dd/mm/yyyy`, `YYYY-MM-DD`;
/// [`lantoa_core::time::parse_day`]), or says which value is wrong.
pub fn parse_date(field: &str, value: &str) -> Result<chrono::NaiveDate, WebError> {
    lantoa_core::time::parse_day(value).ok_or_else(|| {
        WebError::invalid(
            "err-bad-date",
            format!("{field}: {value:?} is not a date (dd/mm/yyyy or YYYY-MM-DD)"),
        )
        .arg("value", value)
    })
}

/// The fallback for unknown routes.
pub async fn not_found() -> WebError {
    WebError::not_found()
}

/// The fallback for a known path with a method it does not take.
pub async fn method_not_allowed(req: Request) -> WebError {
    WebError::method_not_allowed(req.method().as_str())
}

/// Turns error answers of console pages into localised HTML pages.
pub async fn render_page_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let Some(err) = response.extensions().get::<WebError>().cloned() else {
        return response;
    };
    let ctx = response
        .extensions()
        .get::<Ctx>()
        .cloned()
        .unwrap_or_default();
    if ctx.api {
        return response;
    }
    let title = tr(ctx.lang, &format!("err-title-{}", err.code.status), &[]);
    let message = err.console_message(ctx.lang);
    let html = crate::view::render_error(&ctx, &title, &message);
    let mut out = (err.status(), Html(html)).into_response();
    for (k, v) in response.headers() {
        if k == header::SET_COOKIE || k == header::RETRY_AFTER {
            out.headers_mut().append(k.clone(), v.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn dates_are_read_as_officers_and_machines_write_them() {
        let day = chrono::NaiveDate::from_ymd_opt(2025, 1, 30);
        for v in [
            "30/01/2025",
            "2025-01-30",
            " 30-01-2025 ",
            "2025-01-30T09:00:00+07:00",
        ] {
            assert_eq!(parse_date("valid_from", v).ok(), day, "{v}");
        }
        for v in ["31/02/2025", "30.01.2025", "", "ngày 30"] {
            let e = parse_date("valid_from", v).unwrap_err();
            assert_eq!(e.msg.key, "err-bad-date", "{v}");
            assert!(e.message.starts_with("valid_from: "), "{}", e.message);
            assert_eq!(e.text_arg("value"), Some(v));
        }
    }
}
