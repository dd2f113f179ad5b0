use lantoa_core::error_code::{self, ErrorCode, HasErrorCode};
use lantoa_core::msg::{Describe, Msg};
use lantoa_core::unit::UnitKind;

/// What can go wrong in the registry; `Display` is the English of [`Describe::message`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No unit with this id.
    #[error("{}", self.message())]
    NotFound(i64),
    /// A unit of this kind and code exists.
    #[error("{}", self.message())]
    Duplicate {
        /// Kind.
        kind: UnitKind,
        /// Code.
        code: String,
    },
    /// The field is missing or malformed; the message says why.
    #[error("{field}: {message}")]
    Invalid {
        /// The field at fault.
        field: &'static str,
        /// What is wrong.
        message: Msg,
    },
    /// The unit was merged or abolished and cannot change.
    #[error("{}", self.message())]
    Ended(i64),
    /// A change dated on or before the current version's start.
    #[error("{}", self.message())]
    DateOrder {
        /// The date given.
        given: String,
        /// The current version's start.
        current: String,
    },
    /// Units of different kinds cannot be merged.
    #[error("{}", self.message())]
    KindMismatch {
        /// Kind of the source.
        from: UnitKind,
        /// Kind of the target.
        into: UnitKind,
    },
    /// No legacy commune with this code.
    #[error("{}", self.message())]
    UnknownLegacyCommune(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] lantoa_store::Error),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Store(e.into())
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Store(e.into())
    }
}

impl Describe for Error {
    fn message(&self) -> Msg {
        let kind = |k: &UnitKind| format!("unit-kind-{}", k.as_str());
        match self {
            Error::NotFound(id) => Msg::new("registry-no-unit").arg("id", id),
            Error::Duplicate { kind: k, code } => Msg::new("registry-duplicate")
                .label("kind", kind(k))
                .arg("code", code),
            Error::Invalid { message, .. } => message.clone(),
            Error::Ended(id) => Msg::new("registry-ended").arg("id", id),
            Error::DateOrder { given, current } => Msg::new("registry-date-order")
                .arg("given", given)
                .arg("current", current),
            Error::KindMismatch { from, into } => Msg::new("registry-kind-mismatch")
                .label("from", kind(from))
                .label("into", kind(into)),
            Error::UnknownLegacyCommune(code) => {
                Msg::new("registry-no-legacy-commune").arg("code", code)
            }
            Error::Store(_) => Msg::new("storage-error"),
        }
    }
}

/// `Result` with the registry [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl HasErrorCode for Error {
    fn error_code(&self) -> ErrorCode {
        match self {
            Error::NotFound(_) | Error::UnknownLegacyCommune(_) => error_code::NOT_FOUND,
            Error::Duplicate { .. } => error_code::DUPLICATE,
            Error::Invalid { .. }
            | Error::Ended(_)
            | Error::DateOrder { .. }
            | Error::KindMismatch { .. } => error_code::INVALID_INPUT,
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
            Error::NotFound(1),
            Error::Invalid {
                field: "name",
                message: Msg::new("registry-name-empty"),
            },
            Error::Ended(2),
            Error::DateOrder {
                given: "X1".into(),
                current: "X2".into(),
            },
            Error::UnknownLegacyCommune("X1".into()),
        ];
        for kind in UnitKind::ALL {
            all.push(Error::Duplicate {
                kind,
                code: "X1".into(),
            });
            all.push(Error::KindMismatch {
                from: kind,
                into: UnitKind::Agency,
            });
        }
        for e in &all {
            // Breaks the build when a variant is added and not listed above.
            match e {
                Error::NotFound(_)
                | Error::Duplicate { .. }
                | Error::Invalid { .. }
                | Error::Ended(_)
                | Error::DateOrder { .. }
                | Error::KindMismatch { .. }
                | Error::UnknownLegacyCommune(_)
                | Error::Store(_) => {}
            }
            check_both_languages(&e.message()).unwrap();
        }
    }
}
