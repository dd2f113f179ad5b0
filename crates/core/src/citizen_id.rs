//! The 12-digit citizen identity number (CCCD, *căn cước công dân*).
//!
//! Structure (Decree 137/2015 art. 13; Circular 07/2016/TT-BCA art. 7): `PPP G YY RRRRRR`.
//! `PPP` is the province where the birth was registered (63 codes, `data/cccd-province-codes.csv`),
//! `G` gives century and sex (0/1: 1900s male/female, 2/3: 2000s, 4/5: 2100s, …), `YY` the
//! last two digits of the birth year, then six random digits. There is no check digit, so the
//! only checks are the province code and agreement with a birth year and sex given beside it.

use std::fmt;
use std::sync::OnceLock;

/// The province codes (`data/cccd-province-codes.csv`).
const PROVINCE_CODES: &str = include_str!("../../../data/cccd-province-codes.csv");

/// Whether each three-digit code is a province code, indexed by its value.
fn province_codes() -> &'static [bool; 1000] {
    static CODES: OnceLock<[bool; 1000]> = OnceLock::new();
    CODES.get_or_init(|| {
        let mut known = [false; 1000];
        for code in PROVINCE_CODES
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').next())
            .filter_map(|c| c.parse::<usize>().ok())
        {
            if let Some(k) = known.get_mut(code) {
                *k = true;
            }
        }
        known
    })
}

/// Sex as written in identity documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// Nam.
    Male,
    /// Nữ.
    Female,
}

/// A structurally valid citizen identity number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CitizenId(String);

/// Why a text is not a citizen identity number, or disagrees with the data beside it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CitizenIdError {
    /// Not exactly twelve digits.
    #[error("{}", crate::msg::Describe::message(self))]
    Shape(usize),
    /// The first three digits are not a province code.
    #[error("{}", crate::msg::Describe::message(self))]
    UnknownProvince(String),
    /// The birth year encoded does not match the one given.
    #[error("{}", crate::msg::Describe::message(self))]
    BirthYearMismatch {
        /// Year from the number.
        encoded: i32,
        /// Year from the record.
        given: i32,
    },
    /// The sex encoded does not match the one given.
    #[error("{}", crate::msg::Describe::message(self))]
    SexMismatch {
        /// Sex from the number.
        encoded: Sex,
        /// Sex from the record.
        given: Sex,
    },
}

impl crate::msg::Describe for CitizenIdError {
    fn message(&self) -> crate::msg::Msg {
        use crate::msg::Msg;
        let sex = |s: &Sex| match s {
            Sex::Male => "sex-male",
            Sex::Female => "sex-female",
        };
        match self {
            Self::Shape(n) => Msg::new("cccd-shape").arg("chars", n),
            Self::UnknownProvince(p) => Msg::new("cccd-unknown-province").arg("code", p),
            Self::BirthYearMismatch { encoded, given } => Msg::new("cccd-birth-year")
                .arg("encoded", encoded)
                .arg("given", given),
            Self::SexMismatch { encoded, given } => Msg::new("cccd-sex")
                .label("encoded", sex(encoded))
                .label("given", sex(given)),
        }
    }
}

impl CitizenId {
    /// Parses a 12-digit number, checking its province code.
    pub fn parse(input: &str) -> Result<Self, CitizenIdError> {
        let s = input.trim();
        if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CitizenIdError::Shape(s.chars().count()));
        }
        let code = s.as_bytes()[..3]
            .iter()
            .fold(0usize, |n, b| n * 10 + usize::from(b - b'0'));
        if !province_codes()[code] {
            return Err(CitizenIdError::UnknownProvince(s[..3].to_owned()));
        }
        Ok(Self(s.to_owned()))
    }

    /// The twelve digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The twelve digits, owned.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The birth-registration province code, e.g. `001` for Hà Nội.
    pub fn province_code(&self) -> &str {
        &self.0[..3]
    }

    fn gender_century_digit(&self) -> i32 {
        i32::from(self.0.as_bytes()[3] - b'0')
    }

    /// The sex the number encodes.
    pub fn sex(&self) -> Sex {
        if self.gender_century_digit() % 2 == 0 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The birth year the number encodes.
    pub fn birth_year(&self) -> i32 {
        let century = 1900 + 100 * (self.gender_century_digit() / 2);
        let yy = self.0[4..6].parse::<i32>().unwrap_or(0);
        century + yy
    }

    /// Checks the number against a birth year and sex recorded beside it.
    pub fn check_against(
        &self,
        birth_year: Option<i32>,
        sex: Option<Sex>,
    ) -> Result<(), CitizenIdError> {
        if let Some(given) = birth_year
            && given != self.birth_year()
        {
            return Err(CitizenIdError::BirthYearMismatch {
                encoded: self.birth_year(),
                given,
            });
        }
        if let Some(given) = sex
            && given != self.sex()
        {
            return Err(CitizenIdError::SexMismatch {
                encoded: self.sex(),
                given,
            });
        }
        Ok(())
    }
}

impl fmt::Display for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ships_the_63_province_codes() {
        assert_eq!(province_codes().iter().filter(|k| **k).count(), 63);
        assert!(province_codes()[1]);
        assert!(province_codes()[96]);
    }

    #[test]
    fn decodes_century_sex_and_year() {
        let id = CitizenId::parse("001203012345").unwrap();
        assert_eq!(id.province_code(), "001");
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.birth_year(), 2003);
        let id = CitizenId::parse("079185000001").unwrap();
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.birth_year(), 1985);
    }

    #[test]
    fn rejects_bad_shape_and_province() {
        assert_eq!(
            CitizenId::parse("00120301234"),
            Err(CitizenIdError::Shape(11))
        );
        assert_eq!(
            CitizenId::parse("00120301234a"),
            Err(CitizenIdError::Shape(12))
        );
        assert_eq!(
            CitizenId::parse("003203012345"),
            Err(CitizenIdError::UnknownProvince("003".into()))
        );
    }

    #[test]
    fn cross_checks_birth_year_and_sex() {
        let id = CitizenId::parse("001185000001").unwrap();
        assert!(id.check_against(Some(1985), Some(Sex::Female)).is_ok());
        assert!(matches!(
            id.check_against(Some(1986), None),
            Err(CitizenIdError::BirthYearMismatch {
                encoded: 1985,
                given: 1986
            })
        ));
        assert!(matches!(
            id.check_against(None, Some(Sex::Male)),
            Err(CitizenIdError::SexMismatch { .. })
        ));
    }

    proptest! {
        #[test]
        fn encoded_year_and_sex_round_trip(year in 1900i32..2099, female in any::<bool>(), rest in "[0-9]{6}") {
            let g = (year - 1900) / 100 * 2 + i32::from(female);
            let s = format!("001{g}{:02}{rest}", year % 100);
            let id = CitizenId::parse(&s).unwrap();
            prop_assert_eq!(id.birth_year(), year);
            prop_assert_eq!(id.sex(), if female { Sex::Female } else { Sex::Male });
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,14}") {
            let _ = CitizenId::parse(&s);
        }
    }
}
