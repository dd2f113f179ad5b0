use lantoa_core::error_code::{self, ErrorCode, HasErrorCode};
use lantoa_core::unit::UnitKind;

/// What can go wrong in the registry.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No unit with this id.
    #[error("no unit {0}")]
    NotFound(i64),
    /// A unit of this kind and code exists.
    #[error("a {kind} with code {code} already exists")]
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
        message: String,
    },
    /// The unit was merged or abolished and cannot change.
    #[error("unit {0} no longer exists (merged or abolished)")]
    Ended(i64),
    /// A change dated on or before the current version's start.
    #[error(
        "the change is dated {given}, but the current version starts {current}; a change must come after it"
    )]
    DateOrder {
        /// The date given.
        given: String,
        /// The current version's start.
        current: String,
    },
    /// Units of different kinds cannot be merged.
    #[error("cannot merge a {from} into a {into}")]
    KindMismatch {
        /// Kind of the source.
        from: UnitKind,
        /// Kind of the target.
        into: UnitKind,
    },
    /// No legacy commune with this code.
    #[error("no commune of before 1/7/2025 with code {0}")]
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

/// `Result` with the registry [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl HasErrorCode for Error {
    fn error_code(&self) -> ErrorCode {
        match self {
            Error::NotFound(_) | Error::UnknownLegacyCommune(_) => error_code::NOT_FOUND,
            Error::Duplicate { .. } => error_code::CONFLICT,
            Error::Invalid { .. }
            | Error::Ended(_)
            | Error::DateOrder { .. }
            | Error::KindMismatch { .. } => error_code::INVALID_INPUT,
            Error::Store(e) => e.error_code(),
        }
    }
}
