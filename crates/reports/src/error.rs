//! Errors of the reports module.

/// What can go wrong.
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
    /// The report of that period exists.
    #[error("{0}")]
    Duplicate(String),
    /// No such report.
    #[error("no report {0}")]
    NotFound(i64),
    /// The step is not allowed now (its state, or who asks).
    #[error("{0}")]
    Refused(String),
    /// The shipped figure labels do not read.
    #[error("data/reports/figures.toml: {0}")]
    Labels(String),
    /// Something stored does not read back.
    #[error("a stored report does not read: {0}")]
    Corrupt(String),
    /// The document could not be written.
    #[error("the report's document: {0}")]
    Document(String),
    /// A program the step needs (LibreOffice for the PDF) is not working; the message says which.
    #[error("{0}")]
    Unavailable(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] lantoa_store::Error),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Store(e.into())
    }
}

/// Results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl lantoa_core::error_code::HasErrorCode for Error {
    fn error_code(&self) -> lantoa_core::error_code::ErrorCode {
        use lantoa_core::error_code;
        match self {
            Error::Invalid { .. } => error_code::INVALID_INPUT,
            Error::Duplicate(_) | Error::Refused(_) => error_code::CONFLICT,
            Error::NotFound(_) => error_code::NOT_FOUND,
            Error::Labels(_) | Error::Corrupt(_) | Error::Document(_) => error_code::INTERNAL,
            Error::Unavailable(_) => error_code::UNAVAILABLE,
            Error::Store(e) => e.error_code(),
        }
    }
}
