use lantoa_core::error_code::{self, ErrorCode, HasErrorCode};

/// What is wrong with a new password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PasswordProblem {
    /// Shorter than the policy's minimum.
    #[error("it must have at least {0} characters")]
    TooShort(usize),
    /// Contains the user name.
    #[error("it must not contain the user name")]
    ContainsUsername,
    /// One character repeated.
    #[error("it must not repeat one character")]
    Repeated,
    /// Same as the current password.
    #[error("it must differ from the current one")]
    SameAsCurrent,
}

/// What can go wrong with accounts.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Wrong user name or password (the two are not told apart).
    #[error("wrong user name or password")]
    BadCredentials,
    /// Too many failed sign-ins for this user name or client.
    #[error("too many failed sign-ins; try again in {retry_after_secs} seconds")]
    RateLimited {
        /// Seconds until the oldest counted failure leaves the window.
        retry_after_secs: i64,
    },
    /// The account is disabled.
    #[error("this account is disabled")]
    Disabled,
    /// A user with this name exists.
    #[error("a user named {0:?} already exists")]
    UserExists(String),
    /// No user with this name or id.
    #[error("no user {0:?}")]
    NoSuchUser(String),
    /// The user name is not 3–40 of a–z, 0–9, dot, dash, underscore.
    #[error("user name {0:?} must be 3 to 40 characters of a-z, 0-9, '.', '-' or '_'")]
    InvalidUsername(String),
    /// The new password breaks the policy.
    #[error("the new password is too weak: {0}")]
    WeakPassword(PasswordProblem),
    /// The current password given to change it is wrong.
    #[error("the current password is wrong")]
    WrongCurrentPassword,
    /// A user must hold at least one role.
    #[error("a user must hold at least one role")]
    NoRoles,
    /// A token may only carry roles its owner holds.
    #[error("the token asks for role {0}, which its owner does not hold")]
    RoleNotHeld(lantoa_core::Role),
    /// The last active admin cannot lose the role or be disabled.
    #[error("this is the last active admin; make another admin first")]
    LastAdmin,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] lantoa_store::Error),
    /// Password hashing failed.
    #[error("password hashing failed: {0}")]
    Hash(String),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Store(e.into())
    }
}

/// `Result` with the accounts [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl HasErrorCode for Error {
    fn error_code(&self) -> ErrorCode {
        match self {
            Error::BadCredentials => error_code::BAD_CREDENTIALS,
            Error::RateLimited { .. } => error_code::RATE_LIMITED,
            Error::Disabled => error_code::FORBIDDEN,
            Error::UserExists(_) => error_code::CONFLICT,
            Error::NoSuchUser(_) => error_code::NOT_FOUND,
            Error::InvalidUsername(_)
            | Error::WeakPassword(_)
            | Error::WrongCurrentPassword
            | Error::NoRoles
            | Error::RoleNotHeld(_)
            | Error::LastAdmin => error_code::INVALID_INPUT,
            Error::Store(e) => e.error_code(),
            Error::Hash(_) => error_code::INTERNAL,
        }
    }
}
