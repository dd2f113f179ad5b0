//! The roles users hold. Every route of the console and API names the roles that may use it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A role. A user holds one or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages users, tokens and configuration; reads everything.
    Admin,
    /// Chuyên viên thông tin điện tử: registers subjects, runs crawls, reviews findings, opens cases.
    WatchOfficer,
    /// Thanh tra Sở: receives dossiers, records sanctions.
    Inspector,
    /// Drafts SMS campaigns, alerts and bulletins.
    Communicator,
    /// Lãnh đạo phòng/Sở: approves mass sends and reports.
    Approver,
    /// Defines dataset schemas, oversees quality and publishing.
    DataSteward,
    /// An agency's own account: uploads its datasets, fixes its rows, reports task progress.
    AgencyUploader,
    /// Keeps plans, tasks, indicators and the DTI self-assessment.
    Planner,
    /// Reads, changes nothing.
    Viewer,
}

impl Role {
    /// Every role, in the order the console lists them.
    pub const ALL: [Role; 9] = [
        Role::Admin,
        Role::WatchOfficer,
        Role::Inspector,
        Role::Communicator,
        Role::Approver,
        Role::DataSteward,
        Role::AgencyUploader,
        Role::Planner,
        Role::Viewer,
    ];

    /// The stable name stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::WatchOfficer => "watch_officer",
            Role::Inspector => "inspector",
            Role::Communicator => "communicator",
            Role::Approver => "approver",
            Role::DataSteward => "data_steward",
            Role::AgencyUploader => "agency_uploader",
            Role::Planner => "planner",
            Role::Viewer => "viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name is not one of [`Role::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role {0:?}; roles are admin, watch_officer, inspector, communicator, approver, data_steward, agency_uploader, planner, viewer"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("root".parse::<Role>().is_err());
    }
}
