use lantoa_core::error_code::{self, ErrorCode, HasErrorCode};
use lantoa_core::msg::{Describe, Msg};

/// What can go wrong in the plans module; each says it as a [`Msg`] ([`Describe`]),
/// `Display` in English.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A field is missing or malformed; the message says why.
    #[error("{field}: {message}")]
    Invalid {
        /// The field at fault.
        field: &'static str,
        /// What is wrong.
        message: Msg,
    },
    /// The file cannot be read as a plan's appendix.
    #[error("{0}")]
    File(Msg),
    /// The caller may not do this; the message says who may.
    #[error("{0}")]
    NotAllowed(Msg),
    /// What is named exists already (a plan by its number, a committee member by name and
    /// position).
    #[error("{}", self.message())]
    Duplicate(String),
    /// No plan with this id.
    #[error("{}", self.message())]
    NotFound(i64),
    /// What a request names within a plan (a task, an indicator) is not the plan's.
    #[error("{0}")]
    Missing(Msg),
    /// A rules or framework file shipped or configured cannot be used, or stored data does not
    /// read: for the engineers, in English.
    #[error("internal error: {0}")]
    Internal(String),
    /// The registry failed.
    #[error(transparent)]
    Registry(#[from] lantoa_registry::Error),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] lantoa_store::Error),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Store(e.into())
    }
}

/// `v` trimmed, or the field named as required.
pub(crate) fn required(field: &'static str, v: &str) -> Result<String> {
    let v = v.trim();
    if v.is_empty() {
        Err(invalid(
            field,
            Msg::new("plans-required").label("field", format!("plans-field-{field}")),
        ))
    } else {
        Ok(v.to_owned())
    }
}

/// A Vietnamese mobile number in its national form, or the field `phone` named.
pub(crate) fn mobile(s: &str) -> Result<String> {
    let p = s.trim();
    lantoa_core::phone::NumberingPlan::builtin()
        .parse(p)
        .map(|n| n.national().to_owned())
        .map_err(|e| invalid("phone", e.message()))
}

/// Whether `roles` hold a planner's (or an admin's) power; `what` names the work refused (its
/// label is `plans-work-{what}`).
pub(crate) fn planner_only(roles: &[lantoa_core::role::Role], what: &str) -> Result<()> {
    use lantoa_core::role::Role;
    if roles
        .iter()
        .any(|r| matches!(r, Role::Admin | Role::Planner))
    {
        Ok(())
    } else {
        Err(Error::NotAllowed(
            Msg::new("plans-planner-only").label("what", format!("plans-work-{what}")),
        ))
    }
}

/// A refusal naming the field at fault.
pub(crate) fn invalid(field: &'static str, message: Msg) -> Error {
    Error::Invalid { field, message }
}

impl Describe for Error {
    fn message(&self) -> Msg {
        match self {
            Error::Invalid { message, .. }
            | Error::File(message)
            | Error::NotAllowed(message)
            | Error::Missing(message) => message.clone(),
            Error::Duplicate(what) => Msg::new("plans-duplicate").arg("what", what),
            Error::NotFound(id) => Msg::new("plans-no-plan").arg("id", id),
            Error::Internal(_) => Msg::new("internal-error"),
            Error::Registry(e) => e.message(),
            Error::Store(_) => Msg::new("storage-error"),
        }
    }
}

/// `Result` with the plans [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl HasErrorCode for Error {
    fn error_code(&self) -> ErrorCode {
        match self {
            Error::Invalid { .. } | Error::File(_) => error_code::INVALID_INPUT,
            Error::Duplicate(_) => error_code::DUPLICATE,
            Error::NotAllowed(_) => error_code::FORBIDDEN,
            Error::NotFound(_) | Error::Missing(_) => error_code::NOT_FOUND,
            Error::Internal(_) => error_code::INTERNAL,
            Error::Registry(e) => e.error_code(),
            Error::Store(e) => e.error_code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lantoa_core::msg::check_both_languages;

    #[test]
    fn every_variant_speaks_vietnamese_and_english() {
        let mut all = vec![
            Error::File(Msg::new("file-empty")),
            Error::Duplicate("X1".into()),
            Error::NotFound(3),
            Error::Missing(Msg::new("plans-no-task").arg("id", 5)),
            Error::Missing(Msg::new("plans-no-indicator").arg("id", 6)),
            Error::Internal("X1".into()),
            Error::Registry(lantoa_registry::Error::NotFound(4)),
        ];
        for field in [
            "issuer", "name", "number", "position", "source", "title", "code", "measure", "pillar",
        ] {
            all.push(required(field, "").unwrap_err());
        }
        for what in [
            "contacts",
            "indicators",
            "dti-results",
            "dti-scores",
            "committee",
        ] {
            all.push(planner_only(&[], what).unwrap_err());
        }
        for e in &all {
            // Breaks the build when a variant is added and not listed above.
            match e {
                Error::Invalid { .. }
                | Error::File(_)
                | Error::NotAllowed(_)
                | Error::Duplicate(_)
                | Error::NotFound(_)
                | Error::Missing(_)
                | Error::Internal(_)
                | Error::Registry(_)
                | Error::Store(_) => {}
            }
            check_both_languages(&e.message()).unwrap();
        }
        // Every reason a deadline is refused.
        for text in [
            "",
            "31/02/2024",
            "Quý II",
            "Quý V/2024",
            "Tháng 6",
            "Tháng 13/2024",
            "2025–2023",
            "x",
        ] {
            let e = crate::Period::parse(text).unwrap_err();
            check_both_languages(&lantoa_core::Describe::message(&e)).unwrap();
        }
    }
}
