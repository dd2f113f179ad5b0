use lantoa_core::error_code::{self, ErrorCode, HasErrorCode};

/// What can go wrong in the plans module.
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
    /// The file cannot be read as a plan's appendix.
    #[error("the file cannot be read: {0}")]
    File(String),
    /// The caller may not do this; the message says who may.
    #[error("{0}")]
    NotAllowed(String),
    /// What is named exists already (a plan by its number, a committee member by name and
    /// position).
    #[error("{0} is already registered")]
    Duplicate(String),
    /// No plan with this id.
    #[error("no plan {0}")]
    NotFound(i64),
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
        Err(Error::Invalid {
            field,
            message: "required".into(),
        })
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
        .map_err(|e| Error::Invalid {
            field: "phone",
            message: format!("{p:?}: {e}"),
        })
}

/// Whether `roles` hold a planner's (or an admin's) power; `what` names the work refused.
pub(crate) fn planner_only(roles: &[lantoa_core::role::Role], what: &str) -> Result<()> {
    use lantoa_core::role::Role;
    if roles
        .iter()
        .any(|r| matches!(r, Role::Admin | Role::Planner))
    {
        Ok(())
    } else {
        Err(Error::NotAllowed(format!("{what} by the role planner")))
    }
}

/// `Result` with the plans [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl HasErrorCode for Error {
    fn error_code(&self) -> ErrorCode {
        match self {
            Error::Invalid { .. } | Error::File(_) => error_code::INVALID_INPUT,
            Error::Duplicate(_) => error_code::CONFLICT,
            Error::NotAllowed(_) => error_code::FORBIDDEN,
            Error::NotFound(_) => error_code::NOT_FOUND,
            Error::Registry(e) => e.error_code(),
            Error::Store(e) => e.error_code(),
        }
    }
}
