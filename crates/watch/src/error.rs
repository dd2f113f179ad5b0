use lantoa_core::error_code::{self, ErrorCode, HasErrorCode};
use lantoa_core::msg::{Describe, Msg};

/// What can go wrong in the watch module. Each error says what is wrong as a [`Msg`] (by id
/// in the domain catalogues), which the adapters render in the reader's language; `Display` is
/// its English.
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
    /// A subject with this URL is registered.
    #[error("{}", self.message())]
    Duplicate(String),
    /// No record of this kind (`subject`, `crawl`, `finding`, `model`) with this id.
    #[error("{}", self.message())]
    NotFound {
        /// What was looked for.
        entity: &'static str,
        /// Its id.
        id: i64,
    },
    /// The import file is not readable as CSV with a header row.
    #[error("{}", self.message())]
    File(String),
    /// The host resolves to an address the crawler may not reach (private, loopback, …).
    #[error("{}", self.message())]
    Forbidden {
        /// The host name.
        host: String,
        /// The refused address.
        address: String,
    },
    /// The host cannot be reached.
    #[error("{}", self.message())]
    Unreachable {
        /// The host name.
        host: String,
        /// Why.
        reason: String,
    },
    /// The caller's roles do not allow this step; the message names the roles that do.
    #[error("{0}")]
    NotAllowed(Msg),
    /// The step is not possible from the case's state; the message says where it can go.
    #[error("{0}")]
    Transition(Msg),
    /// The subject already has an open case in this category.
    #[error("{}", self.message())]
    CaseOpen {
        /// The open case.
        existing: i64,
        /// The subject's name.
        subject: String,
        /// The category.
        category: String,
    },
    /// No case with this id.
    #[error("{}", self.message())]
    CaseNotFound(i64),
    /// A rules file (signals, case workflow, sanctions) cannot be used; for the engineers who
    /// keep it, in English.
    #[error("{file}: {detail}")]
    Config {
        /// The file.
        file: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// A failure inside Lantoa (a task stopped, stored data unreadable); logged in full, shown
    /// without detail.
    #[error("internal error: {0}")]
    Internal(String),
    /// The registry refused (unknown or ambiguous managing unit, bad tax code…).
    #[error(transparent)]
    Registry(#[from] lantoa_registry::Error),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] lantoa_store::Error),
}

impl Error {
    /// `field` is wrong: `message` says how.
    pub fn invalid(field: &'static str, message: Msg) -> Self {
        Self::Invalid { field, message }
    }

    /// A failure inside Lantoa.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self::Internal(detail.to_string())
    }

    /// A rules file that cannot be used.
    pub fn config(file: &'static str, detail: impl std::fmt::Display) -> Self {
        Self::Config {
            file,
            detail: detail.to_string(),
        }
    }
}

impl Describe for Error {
    fn message(&self) -> Msg {
        match self {
            Error::Invalid { message, .. }
            | Error::NotAllowed(message)
            | Error::Transition(message) => message.clone(),
            Error::Duplicate(url) => Msg::new("watch-duplicate").arg("url", url),
            Error::NotFound { entity, id } => Msg::new("watch-not-found")
                .label("what", format!("watch-thing-{entity}"))
                .arg("id", id),
            Error::File(detail) => Msg::new("watch-file-unreadable").arg("detail", detail),
            Error::Forbidden { host, address } => Msg::new("watch-host-forbidden")
                .arg("host", host)
                .arg("address", address),
            Error::Unreachable { host, reason } => Msg::new("watch-host-unreachable")
                .arg("host", host)
                .arg("reason", reason),
            Error::CaseOpen {
                existing,
                subject,
                category,
            } => Msg::new("watch-case-open")
                .arg("subject", subject)
                .label("category", format!("category-{category}"))
                .arg("existing", existing),
            Error::CaseNotFound(id) => Msg::new("watch-no-case").arg("id", id),
            Error::Config { .. } | Error::Internal(_) => Msg::new("internal-error"),
            Error::Registry(e) => e.message(),
            Error::Store(_) => Msg::new("storage-error"),
        }
    }
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
            Error::Duplicate(_) => error_code::DUPLICATE,
            Error::CaseOpen { .. } => error_code::CASE_OPEN,
            Error::Transition(m) => error_code::for_message(&m.key).unwrap_or(error_code::CONFLICT),
            Error::NotAllowed(_) => error_code::FORBIDDEN,
            Error::NotFound { .. } | Error::CaseNotFound(_) => error_code::NOT_FOUND,
            Error::Config { .. } | Error::Internal(_) => error_code::INTERNAL,
            Error::Registry(e) => e.error_code(),
            Error::Store(e) => e.error_code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lantoa_core::msg::check_both_languages;

    /// One of each variant that speaks to people (the match below breaks the build when a
    /// variant is added and not listed here).
    fn every_variant() -> Vec<Error> {
        let all = vec![
            Error::invalid("name", Msg::new("subject-name-empty")),
            Error::Duplicate("X1".into()),
            Error::NotFound {
                entity: "subject",
                id: 7,
            },
            Error::NotFound {
                entity: "crawl",
                id: 7,
            },
            Error::NotFound {
                entity: "finding",
                id: 7,
            },
            Error::NotFound {
                entity: "model",
                id: 7,
            },
            Error::File("X1".into()),
            Error::Forbidden {
                host: "X1".into(),
                address: "X2".into(),
            },
            Error::Unreachable {
                host: "X1".into(),
                reason: "X2".into(),
            },
            Error::NotAllowed(Msg::new("case-open-needs-role").label("role", "role-watch_officer")),
            Error::Transition(Msg::new("case-changed-meanwhile").arg("case", 3)),
            Error::CaseOpen {
                existing: 1,
                subject: "X1".into(),
                category: "bao_hoa".into(),
            },
            Error::CaseNotFound(9),
            Error::config("signals", "X1"),
            Error::internal("X1"),
            Error::Registry(lantoa_registry::Error::NotFound(4)),
        ];
        for e in &all {
            match e {
                Error::Invalid { .. }
                | Error::Duplicate(_)
                | Error::NotFound { .. }
                | Error::File(_)
                | Error::Forbidden { .. }
                | Error::Unreachable { .. }
                | Error::NotAllowed(_)
                | Error::Transition(_)
                | Error::CaseOpen { .. }
                | Error::CaseNotFound(_)
                | Error::Config { .. }
                | Error::Internal(_)
                | Error::Registry(_)
                | Error::Store(_) => {}
            }
        }
        all
    }

    #[test]
    fn every_variant_speaks_vietnamese_and_english() {
        for e in every_variant() {
            check_both_languages(&e.message()).unwrap();
        }
    }
}
