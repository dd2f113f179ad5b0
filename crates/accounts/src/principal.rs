use lantoa_core::Role;
use serde::Serialize;

/// How a principal proved who it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// A console session.
    Session,
    /// An API token, by its id.
    Token(i64),
}

/// Who is making a request, and what they may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// The user's id.
    pub user_id: i64,
    /// The user name.
    pub username: String,
    /// The name to show.
    pub display_name: String,
    /// The roles in force (for a token, those it was scoped to that the user still holds).
    pub roles: Vec<Role>,
    /// Session or token.
    pub via: Via,
    /// The user must change a one-time password before doing anything else.
    pub must_change_password: bool,
    /// The agency (registry unit) the user works for, if one.
    pub unit_id: Option<i64>,
}

impl Principal {
    /// Whether the principal holds any of `roles`.
    pub fn has_any(&self, roles: &[Role]) -> bool {
        self.roles.iter().any(|r| roles.contains(r))
    }

    /// The actor name written to the audit log: the user name, with the token id for tokens.
    pub fn actor(&self) -> String {
        match self.via {
            Via::Session => self.username.clone(),
            Via::Token(id) => format!("{} (token {id})", self.username),
        }
    }
}
