//! Errors of the open-data module.

use lantoa_core::msg::{Describe, Msg};

use crate::schema::SchemaProblem;

/// What can go wrong; each says it as a [`Msg`] ([`Describe`]), `Display` in English.
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
    /// The schema is not valid Table Schema.
    #[error("{}", self.message())]
    Schema(Vec<SchemaProblem>),
    /// A dataset with this name exists.
    #[error("{}", self.message())]
    Duplicate(String),
    /// No such dataset, upload or quarantined row.
    #[error("{}", self.message())]
    NotFound {
        /// What was looked for.
        what: &'static str,
        /// Its id or name.
        id: String,
    },
    /// A file shipped with Lantoa (the demo city's) cannot be used, or a task stopped: for the
    /// engineers, in English.
    #[error("internal error: {0}")]
    Internal(String),
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
            message: Msg::new("body-unreadable").arg("detail", e),
        }
    }
}

impl Describe for Error {
    fn message(&self) -> Msg {
        match self {
            Error::Invalid { message, .. } => message.clone(),
            Error::Schema(problems) => Msg::new("schema-invalid").msgs(
                "detail",
                problems
                    .iter()
                    .map(|p| {
                        Msg::new("schema-problem")
                            .arg("path", &p.path)
                            .msgs("detail", vec![p.message.clone()])
                    })
                    .collect(),
            ),
            Error::Duplicate(name) => Msg::new("dataset-exists").arg("name", name),
            Error::NotFound { what, id } => Msg::new("opendata-not-found")
                .label("what", format!("opendata-thing-{}", what.replace(' ', "-")))
                .arg("id", id),
            Error::Internal(_) => Msg::new("internal-error"),
            Error::Registry(e) => e.message(),
            Error::Store(_) => Msg::new("storage-error"),
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
            Error::Duplicate(_) => error_code::DUPLICATE,
            Error::NotFound { .. } => error_code::NOT_FOUND,
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
        let all = [
            Error::Invalid {
                field: "title",
                message: Msg::new("opendata-title-required"),
            },
            Error::Schema(vec![crate::schema::SchemaProblem {
                path: "fields[0].type".into(),
                message: Msg::new("schema-type")
                    .arg("value", "X1")
                    .arg("types", "X1"),
            }]),
            Error::Duplicate("X1".into()),
            Error::NotFound {
                what: "quarantined row",
                id: "3".into(),
            },
            Error::Internal("X1".into()),
            Error::Registry(lantoa_registry::Error::Ended(2)),
        ];
        for e in &all {
            // Breaks the build when a variant is added and not listed above.
            match e {
                Error::Invalid { .. }
                | Error::Schema(_)
                | Error::Duplicate(_)
                | Error::NotFound { .. }
                | Error::Internal(_)
                | Error::Registry(_)
                | Error::Store(_) => {}
            }
            check_both_languages(&e.message()).unwrap();
        }
        for what in ["dataset", "upload", "group", "agency", "quarantined row"] {
            let e = Error::NotFound {
                what,
                id: "X1".into(),
            };
            check_both_languages(&e.message()).unwrap();
        }
    }
}
