//! Errors of the reports module. Each says what is wrong as a [`Msg`] ([`Describe`]);
//! `Display` is its English.

use lantoa_core::msg::{Describe, Msg};

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
        message: Msg,
    },
    /// The report of that period exists.
    #[error("{0}")]
    Duplicate(Msg),
    /// No such report.
    #[error("{}", self.message())]
    NotFound(i64),
    /// The step is not allowed now (its state, or who asks).
    #[error("{0}")]
    Refused(Msg),
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

impl Describe for Error {
    fn message(&self) -> Msg {
        match self {
            Error::Invalid { message, .. }
            | Error::Duplicate(message)
            | Error::Refused(message) => message.clone(),
            Error::NotFound(id) => Msg::new("report-not-found").arg("id", id),
            Error::Labels(_) | Error::Corrupt(_) | Error::Document(_) => Msg::new("internal-error"),
            Error::Unavailable(why) => Msg::new("notify-unavailable").arg("detail", why),
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
            Error::Invalid { .. } => error_code::INVALID_INPUT,
            Error::Duplicate(_) => error_code::DUPLICATE,
            Error::Refused(m) => error_code::for_message(&m.key).unwrap_or(error_code::CONFLICT),
            Error::NotFound(_) => error_code::NOT_FOUND,
            Error::Labels(_) | Error::Corrupt(_) | Error::Document(_) => error_code::INTERNAL,
            Error::Unavailable(_) => error_code::UNAVAILABLE,
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
            Error::Invalid {
                field: "year",
                message: Msg::new("report-bad-year").arg("year", 1900),
            },
            Error::Duplicate(Msg::new("report-exists").arg("label", "X1")),
            Error::NotFound(2),
            Error::Refused(Msg::new("report-second-person")),
            Error::Labels("X1".into()),
            Error::Corrupt("X1".into()),
            Error::Document("X1".into()),
            Error::Unavailable("X1".into()),
        ];
        for state in ["draft", "review", "approved"] {
            all.push(Error::Refused(
                Msg::new("report-not-in-review")
                    .arg("label", "X1")
                    .label("state", format!("reports-state-{state}")),
            ));
        }
        for e in &all {
            // Breaks the build when a variant is added and not listed above.
            match e {
                Error::Invalid { .. }
                | Error::Duplicate(_)
                | Error::NotFound(_)
                | Error::Refused(_)
                | Error::Labels(_)
                | Error::Corrupt(_)
                | Error::Document(_)
                | Error::Unavailable(_)
                | Error::Store(_) => {}
            }
            check_both_languages(&e.message()).unwrap();
        }
    }
}
