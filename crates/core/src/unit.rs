//! The kinds of unit in the city's registry, and commune codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A kind of unit the registry keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// Cơ quan, đơn vị: a state agency (department, district-level body, commune People's Committee).
    Agency,
    /// Doanh nghiệp: an enterprise, identified by its tax code.
    Enterprise,
    /// Cơ quan báo chí: a licensed press agency.
    PressAgency,
    /// Xã, phường, đặc khu: a commune-level administrative unit (since 1/7/2025 the lower of two levels).
    Commune,
    /// A person: a contact, a person responsible for a site, a steering-committee member.
    Person,
}

impl UnitKind {
    /// Every kind, in the order the console lists them.
    pub const ALL: [UnitKind; 5] = [
        UnitKind::Agency,
        UnitKind::Enterprise,
        UnitKind::PressAgency,
        UnitKind::Commune,
        UnitKind::Person,
    ];

    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Agency => "agency",
            UnitKind::Enterprise => "enterprise",
            UnitKind::PressAgency => "press_agency",
            UnitKind::Commune => "commune",
            UnitKind::Person => "person",
        }
    }
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name is not a unit kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown unit kind {0:?}; kinds are agency, enterprise, press_agency, commune, person")]
pub struct UnknownUnitKind(pub String);

impl FromStr for UnitKind {
    type Err = UnknownUnitKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UnitKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| UnknownUnitKind(s.to_owned()))
    }
}

/// A commune-level unit's code from the statistics office: five digits, e.g. `00004` for
/// Phường Ba Đình. Codes are never reused for another unit, so they identify a unit across
/// renames; a merged unit keeps the code of one of its predecessors or gets a new one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CommuneCode(String);

/// The text is not five digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::msg::Describe::message(self))]
pub struct BadCommuneCode(pub String);

impl crate::msg::Describe for BadCommuneCode {
    fn message(&self) -> crate::msg::Msg {
        crate::msg::Msg::new("commune-code-shape").arg("value", &self.0)
    }
}

impl CommuneCode {
    /// Parses five digits (a shorter all-digit code is padded with leading zeros, as
    /// spreadsheets drop them).
    pub fn parse(s: &str) -> Result<Self, BadCommuneCode> {
        let t = s.trim();
        if t.is_empty() || t.len() > 5 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BadCommuneCode(s.to_owned()));
        }
        Ok(Self(format!("{t:0>5}")))
    }

    /// The five digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CommuneCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commune_codes_are_padded_and_checked() {
        assert_eq!(CommuneCode::parse("4").unwrap().as_str(), "00004");
        assert_eq!(CommuneCode::parse(" 00097 ").unwrap().as_str(), "00097");
        assert!(CommuneCode::parse("123456").is_err());
        assert!(CommuneCode::parse("12a").is_err());
        assert!(CommuneCode::parse("").is_err());
    }

    #[test]
    fn kinds_round_trip() {
        for k in UnitKind::ALL {
            assert_eq!(k.as_str().parse::<UnitKind>().unwrap(), k);
        }
    }
}
