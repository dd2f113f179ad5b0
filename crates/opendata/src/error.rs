//! Errors of the open-data module.

use crate::schema::SchemaProblem;

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
    /// The schema is not valid Table Schema.
    #[error("the schema is not valid Table Schema: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Schema(Vec<SchemaProblem>),
    /// A dataset with this name exists.
    #[error("a dataset named {0} exists")]
    Duplicate(String),
    /// No such dataset, upload or quarantined row.
    #[error("no {what} {id}")]
    NotFound {
        /// What was looked for.
        what: &'static str,
        /// Its id or name.
        id: String,
    },
    /// The registry refused (unknown owner unit).
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

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Invalid {
            field: "json",
            message: e.to_string(),
        }
    }
}

/// Results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl lantoa_core::error_code::HasErrorCode for Error {
    fn error_code(&self) -> lantoa_core::error_code::ErrorCode {
        use lantoa_core::error_code;
        match self {
            Error::Invalid { .. } | Error::Schema(_) => error_code::INVALID_INPUT,
            Error::Duplicate(_) => error_code::CONFLICT,
            Error::NotFound { .. } => error_code::NOT_FOUND,
            Error::Registry(e) => e.error_code(),
            Error::Store(e) => e.error_code(),
        }
    }
}
