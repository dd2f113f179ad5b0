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
    /// A record with this name, number or address exists.
    DUPLICATE = ("duplicate", 409);
    /// The subject already has an open case in this category (the message names it).
    CASE_OPEN = ("case_open", 409);
    /// The case workflow has no such move from the case's step, or the case is finished.
    CASE_MOVE_REFUSED = ("case_move_refused", 409);
    /// The campaign is not in the state this step needs (e.g. approving one not pending).
    CAMPAIGN_WRONG_STATE = ("campaign_wrong_state", 409);
    /// The campaign's list has no one who may receive it.
    CAMPAIGN_REACHES_NO_ONE = ("campaign_reaches_no_one", 409);
    /// The report is not in the state this step needs.
    REPORT_WRONG_STATE = ("report_wrong_state", 409);
    /// The alert is not in the state this step needs (decided, cancelled).
    ALERT_WRONG_STATE = ("alert_wrong_state", 409);
    /// A second person must take this step (four eyes): its author may not.
    SECOND_PERSON_REQUIRED = ("second_person_required", 409);
    /// Someone changed the record since it was read; read it again.
    CHANGED_MEANWHILE = ("changed_meanwhile", 409);
    /// A numbering register was busy with another; take the step again.
    REGISTER_BUSY = ("register_busy", 409);
    /// The step was taken already (a token revoked, a bulletin withdrawn, a play reported).
    ALREADY_DONE = ("already_done", 409);
    /// The document cannot be issued at the case's step.
    DOCUMENT_NOT_IN_STATE = ("document_not_in_state", 409);
}

/// The specific rows of refusals by their message id (`lantoa_core::msg`): a step not possible
/// now answers with what kept it, not one `conflict` for all.
pub const BY_MESSAGE: &[(&str, ErrorCode)] = &[
    ("watch-case-open", CASE_OPEN),
    ("case-move-refused", CASE_MOVE_REFUSED),
    ("case-move-finished", CASE_MOVE_REFUSED),
    ("case-cannot-reopen", CASE_MOVE_REFUSED),
    ("campaign-wrong-status", CAMPAIGN_WRONG_STATE),
    ("campaign-not-draft", CAMPAIGN_WRONG_STATE),
    ("campaign-test-send-too-late", CAMPAIGN_WRONG_STATE),
    ("campaign-reaches-no-one", CAMPAIGN_REACHES_NO_ONE),
    ("report-draft-only", REPORT_WRONG_STATE),
    ("report-not-in-review", REPORT_WRONG_STATE),
    ("report-not-approved", REPORT_WRONG_STATE),
    ("report-final-needs-approval", REPORT_WRONG_STATE),
    ("alert-not-pending", ALERT_WRONG_STATE),
    ("alert-cancelled-already", ALERT_WRONG_STATE),
    ("alert-cancel-of-cancel", ALERT_WRONG_STATE),
    ("alert-cancelled-before-approval", ALERT_WRONG_STATE),
    ("campaign-second-person", SECOND_PERSON_REQUIRED),
    ("alert-second-person", SECOND_PERSON_REQUIRED),
    ("report-second-person", SECOND_PERSON_REQUIRED),
    ("case-changed-meanwhile", CHANGED_MEANWHILE),
    ("campaign-changed-meanwhile", CHANGED_MEANWHILE),
    ("report-changed-meanwhile", CHANGED_MEANWHILE),
    ("report-section-saved-meanwhile", CHANGED_MEANWHILE),
    ("play-changed-meanwhile", CHANGED_MEANWHILE),
    ("alert-decided-meanwhile", CHANGED_MEANWHILE),
    ("alert-numbering-busy", REGISTER_BUSY),
    ("document-register-busy", REGISTER_BUSY),
    ("report-register-busy", REGISTER_BUSY),
    ("cluster-revoked-already", ALREADY_DONE),
    ("bulletin-withdrawn-already", ALREADY_DONE),
    ("play-reported-already", ALREADY_DONE),
    ("document-none-in-state", DOCUMENT_NOT_IN_STATE),
    ("document-not-in-state", DOCUMENT_NOT_IN_STATE),
];

/// The specific row for a refusal by its message id; `None`: the crate's general row applies.
pub fn for_message(id: &str) -> Option<ErrorCode> {
    BY_MESSAGE.iter().find(|(m, _)| *m == id).map(|(_, c)| *c)
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
