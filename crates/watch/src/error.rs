use lantoa_core::error_code::{self, ErrorCode, HasErrorCode};

/// What can go wrong in the watch module.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A field is missing or malformed; the message says why.
    #[error("{field}: {message}")]
    Invalid {
        /// The field at fault.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A subject with this URL is registered.
    #[error("a subject with URL {0} is already registered")]
    Duplicate(String),
    /// No subject with this id.
    #[error("no subject {0}")]
    NotFound(i64),
    /// The import file is not readable as CSV with a header row.
    #[error("the file cannot be read as CSV: {0}")]
    File(String),
    /// The host resolves to an address the crawler may not reach (private, loopback, …).
    #[error(
        "{host} resolves to {address}, which is not a public address; the crawler does not go there"
    )]
    Forbidden {
        /// The host name.
        host: String,
        /// The refused address.
        address: String,
    },
    /// The host cannot be reached.
    #[error("{host} cannot be reached: {reason}")]
    Unreachable {
        /// The host name.
        host: String,
        /// Why.
        reason: String,
    },
    /// The caller's roles do not allow this step; the message names the roles that do.
    #[error("{0}")]
    NotAllowed(String),
    /// The step is not possible from the case's state; the message says where it can go.
    #[error("{0}")]
    Transition(String),
    /// The subject already has an open case in this category.
    #[error("{subject} already has an open case on {category}: case {existing}")]
    CaseOpen {
        /// The open case.
        existing: i64,
        /// The subject's name.
        subject: String,
        /// The category.
        category: String,
    },
    /// No case with this id.
    #[error("no case {0}")]
    CaseNotFound(i64),
    /// The registry refused (unknown or ambiguous managing unit, bad tax code…).
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

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Store(e.into())
    }
}

/// `Result` with the watch [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl HasErrorCode for Error {
    fn error_code(&self) -> ErrorCode {
        match self {
            Error::Invalid { .. }
            | Error::File(_)
            | Error::Forbidden { .. }
            | Error::Unreachable { .. } => error_code::INVALID_INPUT,
            Error::Duplicate(_) | Error::Transition(_) | Error::CaseOpen { .. } => {
                error_code::CONFLICT
            }
            Error::NotAllowed(_) => error_code::FORBIDDEN,
            Error::NotFound(_) | Error::CaseNotFound(_) => error_code::NOT_FOUND,
            Error::Registry(e) => e.error_code(),
            Error::Store(e) => e.error_code(),
        }
    }
}
