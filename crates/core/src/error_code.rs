//! The table of stable error codes.
//!
//! Every library crate's `Error` implements [`HasErrorCode`], mapping each variant to one row
//! of this table. The web layer turns the row into an HTTP status and a
//! `{"error":{"code","message"}}` body; domain crates never depend on HTTP. Codes are part of
//! the public API: add rows, never rename one.

/// One row of the table: a stable code and the HTTP status it answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    /// Stable machine-readable code, e.g. `not_found`.
    pub code: &'static str,
    /// HTTP status the web layer answers with.
    pub status: u16,
}

/// Implemented by every crate's error type.
pub trait HasErrorCode {
    /// The table row for this error.
    fn error_code(&self) -> ErrorCode;
}

macro_rules! error_codes {
    ($($(#[$doc:meta])* $name:ident = ($code:literal, $status:literal);)*) => {
        $( $(#[$doc])* pub const $name: ErrorCode = ErrorCode { code: $code, status: $status }; )*
        /// Every row, for documentation and tests.
        pub const ALL: &[ErrorCode] = &[$($name),*];
    };
}

error_codes! {
    /// The input is malformed or fails a rule; the message says which field and why.
    INVALID_INPUT = ("invalid_input", 422);
    /// The request body is not valid JSON or form data.
    MALFORMED_BODY = ("malformed_body", 400);
    /// The request body is larger than the configured limit.
    PAYLOAD_TOO_LARGE = ("payload_too_large", 413);
    /// No such record or route.
    NOT_FOUND = ("not_found", 404);
    /// The method is not allowed on this route.
    METHOD_NOT_ALLOWED = ("method_not_allowed", 405);
    /// The record already exists or changed under the caller.
    CONFLICT = ("conflict", 409);
    /// No valid session or token.
    UNAUTHENTICATED = ("unauthenticated", 401);
    /// Wrong user name or password.
    BAD_CREDENTIALS = ("bad_credentials", 401);
    /// The caller's roles do not allow this action.
    FORBIDDEN = ("forbidden", 403);
    /// The form's CSRF token is missing or wrong.
    CSRF_FAILED = ("csrf_failed", 403);
    /// The user must change the one-time password first.
    PASSWORD_CHANGE_REQUIRED = ("password_change_required", 403);
    /// Too many attempts; try again later.
    RATE_LIMITED = ("rate_limited", 429);
    /// A component the step needs (the speech engine, a peer) is not working; the message
    /// says which.
    UNAVAILABLE = ("unavailable", 503);
    /// The database is unreachable or failed.
    STORAGE = ("storage_error", 503);
    /// An error inside Lantoa; details are in the server log, not in the answer.
    INTERNAL = ("internal_error", 500);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_statuses_are_errors() {
        let mut seen = HashSet::new();
        for row in ALL {
            assert!(seen.insert(row.code), "duplicate code {}", row.code);
            assert!((400..600).contains(&row.status));
        }
    }
}
