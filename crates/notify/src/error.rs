//! Errors of the notify module. Each says what is wrong as a [`Msg`] ([`Describe`]), which the
//! adapters render in the reader's language; `Display` is its English.

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
    /// The list file cannot be read at all.
    #[error("{}", self.message())]
    List(#[from] crate::audience::ListError),
    /// A name already in use.
    #[error("{}", self.message())]
    Duplicate {
        /// List or campaign.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// No such list or campaign.
    #[error("{}", self.message())]
    NotFound {
        /// What was looked for.
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// The step is not allowed now (wrong state, or the author approving their own campaign).
    #[error("{0}")]
    Refused(Msg),
    /// A CAP document or alert is refused; the element is named.
    #[error("{}", self.message())]
    Cap(#[from] crate::cap::CapError),
    /// A component the step needs (the speech engine) is not working; the message says which.
    #[error("{0}")]
    Unavailable(String),
    /// The step is not the caller's to take (another person's draft, a decision without the
    /// approver's role); the message says whose it is.
    #[error("{0}")]
    Forbidden(Msg),
    /// A loudspeaker cluster's token is unknown or revoked.
    #[error("{0}")]
    Unauthenticated(Msg),
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
pub(crate) fn invalid(field: &'static str, message: Msg) -> Error {
    Error::Invalid { field, message }
}

/// A refusal: `field` needs a value (named in words by `notify-field-…`).
pub(crate) fn required(field: &'static str) -> Error {
    invalid(
        field,
        Msg::new("notify-required").label("field", format!("notify-field-{field}")),
    )
}

/// A step not possible now: message `key` with `args`.
pub(crate) fn refused(msg: Msg) -> Error {
    Error::Refused(msg)
}

/// The label of what a `Duplicate` or `NotFound` names (its `what` describes it in English).
fn thing(what: &str) -> &'static str {
    const THINGS: [(&str, &str); 10] = [
        ("campaign", "notify-thing-campaign"),
        ("list", "notify-thing-list"),
        ("alert", "notify-thing-alert"),
        ("bulletin", "notify-thing-bulletin"),
        ("loudspeaker cluster", "notify-thing-cluster"),
        ("notice", "notify-thing-notice"),
        ("recipient", "notify-thing-recipient"),
        ("play", "notify-thing-play"),
        ("step", "notify-thing-step"),
        ("test", "notify-thing-test"),
    ];
    THINGS
        .iter()
        .find(|(start, _)| what.starts_with(start))
        .map_or("notify-thing-record", |(_, label)| label)
}

impl Describe for Error {
    fn message(&self) -> Msg {
        match self {
            Error::Invalid { message, .. }
            | Error::Refused(message)
            | Error::Forbidden(message)
            | Error::Unauthenticated(message) => message.clone(),
            Error::List(e) => e.message(),
            Error::Duplicate { what, name } => Msg::new("notify-duplicate")
                .label("what", thing(what))
                .arg("name", name),
            Error::NotFound { what, id } => Msg::new("notify-not-found")
                .label("what", thing(what))
                .arg("id", id),
            Error::Cap(e) => Msg::new("cap-invalid")
                .arg("element", &e.element)
                .msgs("detail", vec![e.message.clone()]),
            Error::Unavailable(why) => Msg::new("notify-unavailable").arg("detail", why),
            Error::Store(_) => Msg::new("storage-error"),
        }
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
            Error::Duplicate { .. } => error_code::DUPLICATE,
            Error::Refused(m) => error_code::for_message(&m.key).unwrap_or(error_code::CONFLICT),
            Error::NotFound { .. } => error_code::NOT_FOUND,
            Error::Unavailable(_) => error_code::UNAVAILABLE,
            Error::Unauthenticated(_) => error_code::UNAUTHENTICATED,
            Error::Forbidden(_) => error_code::FORBIDDEN,
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
            required("name"),
            Error::List(crate::audience::ListError::Empty),
            Error::List(crate::audience::ListError::NoPhoneColumn("X1".into())),
            Error::List(crate::audience::ListError::Unreadable("X1".into())),
            refused(Msg::new("alert-second-person")),
            Error::Cap(crate::cap::CapError {
                element: "info".into(),
                message: Msg::new("cap-not-a-time").arg("value", "X1"),
            }),
            Error::Unavailable("X1".into()),
            Error::Forbidden(
                Msg::new("campaign-who-cancels")
                    .arg("name", "X1")
                    .arg("author", "X2"),
            ),
            Error::Unauthenticated(Msg::new("cluster-token-unknown")),
        ];
        for what in [
            "campaign",
            "list",
            "alert",
            "bulletin on this cluster's playlist",
            "loudspeaker cluster",
            "notice for this link (it may have been renewed)",
            "recipient of this notice",
            "play on this cluster's playlist",
            "step (submit, approve, send-back, cancel)",
            "something else",
        ] {
            all.push(Error::NotFound {
                what,
                id: "X1".into(),
            });
            all.push(Error::Duplicate {
                what,
                name: "X1".into(),
            });
        }
        for field in [
            "name", "number", "title", "body", "event", "headline", "topic",
        ] {
            all.push(required(field));
        }
        for e in &all {
            // Breaks the build when a variant is added and not listed above.
            match e {
                Error::Invalid { .. }
                | Error::List(_)
                | Error::Duplicate { .. }
                | Error::NotFound { .. }
                | Error::Refused(_)
                | Error::Cap(_)
                | Error::Unavailable(_)
                | Error::Forbidden(_)
                | Error::Unauthenticated(_)
                | Error::Store(_) => {}
            }
            check_both_languages(&e.message()).unwrap();
        }
    }
}
