//! Who acted, and whether two actions were taken by the same person.
//!
//! The modules record an actor as the audit log writes it: the user's sign-in name, followed by
//! ` (token N)` when the request came with an API token. The two-person rule (a live alert, a
//! campaign, a report approved by someone other than its author) must compare the *person*,
//! not those strings: the same officer holding a console session and a token is one person.
//! A sign-in name is unique, never reused (users are disabled, not deleted) and never changed,
//! so it names one user for good, as the user id does.

/// The person behind an actor: the sign-in name, without a token suffix.
pub fn person(actor: &str) -> &str {
    actor
        .split_once(" (token ")
        .map_or(actor, |(name, _)| name)
        .trim()
}

/// Whether two actors are the same person (case is not a difference: sign-in names are
/// stored in lower case).
pub fn same_person(a: &str, b: &str) -> bool {
    person(a).to_lowercase() == person(b).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_and_a_token_of_one_user_are_one_person() {
        assert!(same_person("lan", "lan (token 7)"));
        assert!(same_person("lan (token 3)", "lan (token 7)"));
        assert!(same_person("Lan", "lan"));
        assert!(!same_person("lan", "lanh"));
        assert!(!same_person("lan (token 7)", "an (token 7)"));
        assert_eq!(person("an.nv (token 12)"), "an.nv");
    }
}
