//! Errors of the notify module.

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
    /// The list file cannot be read at all.
    #[error("list file: {0}")]
    List(#[from] crate::audience::ListError),
    /// A name already in use.
    #[error("a {what} named {name} exists")]
    Duplicate {
        /// List or campaign.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// No such list or campaign.
    #[error("no {what} {id}")]
    NotFound {
        /// What was looked for.
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// The step is not allowed now (wrong state, or the author approving their own campaign).
    #[error("{0}")]
    Refused(String),
    /// A CAP document or alert is refused; the element is named.
    #[error(transparent)]
    Cap(#[from] crate::cap::CapError),
    /// A component the step needs (the speech engine) is not working; the message says which.
    #[error("{0}")]
    Unavailable(String),
    /// The step is not the caller's to take (another person's draft, a decision without the
    /// approver's role); the message says whose it is.
    #[error("{0}")]
    Forbidden(String),
    /// A loudspeaker cluster's token is unknown or revoked.
    #[error("{0}")]
    Unauthenticated(String),
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
        Error::Store(lantoa_store::Error::from(std::io::Error::other(
            e.to_string(),
        )))
    }
}

/// A refusal naming the field at fault.
pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Error {
    Error::Invalid {
        field,
        message: message.into(),
    }
}

/// What a failed insert becomes: a unique violation is a `Duplicate` of `what` named `name`,
/// anything else a storage error.
pub(crate) fn duplicate<'a>(
    what: &'static str,
    name: &'a str,
) -> impl FnOnce(sqlx::Error) -> Error + 'a {
    move |e| {
        if lantoa_store::is_unique_violation(&e) {
            Error::Duplicate {
                what,
                name: name.to_owned(),
            }
        } else {
            e.into()
        }
    }
}

/// Results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl lantoa_core::error_code::HasErrorCode for Error {
    fn error_code(&self) -> lantoa_core::error_code::ErrorCode {
        use lantoa_core::error_code;
        match self {
            Error::Invalid { .. } | Error::List(_) | Error::Cap(_) => error_code::INVALID_INPUT,
            Error::Duplicate { .. } | Error::Refused(_) => error_code::CONFLICT,
            Error::NotFound { .. } => error_code::NOT_FOUND,
            Error::Unavailable(_) => error_code::UNAVAILABLE,
            Error::Unauthenticated(_) => error_code::UNAUTHENTICATED,
            Error::Forbidden(_) => error_code::FORBIDDEN,
            Error::Store(e) => e.error_code(),
        }
    }
}
