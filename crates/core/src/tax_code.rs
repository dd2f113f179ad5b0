//! The enterprise tax code (MST, *mã số thuế*).
//!
//! Ten digits: two for the issuing province, seven sequential, one check digit; a dependent
//! unit (branch) adds a three-digit suffix, written `0314409058-002`. The check digit is
//! `10 − (Σ dᵢ·wᵢ mod 11)` over the first nine digits with weights 31, 29, 23, 19, 17, 13, 7,
//! 5, 3 (Circular 105/2020/TT-BTC on tax registration); a sum divisible by 11 gives no valid
//! digit, so such prefixes are never issued.

use std::fmt;

const WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/// A tax code whose check digit is right.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaxCode {
    /// Canonical text: ten digits, then `-` and three digits for a branch.
    code: String,
}

/// Why a text is not a tax code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TaxCodeError {
    /// Not 10 digits, optionally followed by `-` and 3 digits.
    #[error("{}", crate::msg::Describe::message(self))]
    Shape,
    /// The check digit does not match the first nine digits.
    #[error("{}", crate::msg::Describe::message(self))]
    CheckDigit(String),
    /// Seven zeros in the sequential part, or a branch suffix `000`.
    #[error("{}", crate::msg::Describe::message(self))]
    NeverIssued(String),
}

impl crate::msg::Describe for TaxCodeError {
    fn message(&self) -> crate::msg::Msg {
        use crate::msg::Msg;
        match self {
            Self::Shape => Msg::new("tax-code-shape"),
            Self::CheckDigit(c) => Msg::new("tax-code-check-digit").arg("code", c),
            Self::NeverIssued(c) => Msg::new("tax-code-never-issued").arg("code", c),
        }
    }
}

/// The check digit for nine leading digits, or `None` when no digit can be valid.
pub fn check_digit(first_nine: &[u8; 9]) -> Option<u8> {
    let sum: u32 = first_nine
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    let c = 10 - (sum % 11);
    // `c` is 10 when the sum is divisible by 11: no single digit can match.
    u8::try_from(c).ok().filter(|c| *c < 10)
}

impl TaxCode {
    /// Parses `0123456789` or `0123456789-001` (spaces around the dash allowed).
    pub fn parse(input: &str) -> Result<Self, TaxCodeError> {
        // Checked without allocating: a column of tax codes is millions of cells.
        let compact: std::borrow::Cow<'_, str> = if input.contains(char::is_whitespace) {
            input
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .into()
        } else {
            input.into()
        };
        let compact = compact.as_ref();
        if !compact.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            return Err(TaxCodeError::Shape);
        }
        let (main, branch) = match compact.split_once('-') {
            Some((m, b)) => (m, Some(b)),
            None if compact.len() == 13 => (&compact[..10], Some(&compact[10..])),
            None => (compact, None),
        };
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(main, 10) || branch.is_some_and(|b| !digits(b, 3)) {
            return Err(TaxCodeError::Shape);
        }
        let d = main.as_bytes();
        let mut nine = [0u8; 9];
        for (n, b) in nine.iter_mut().zip(d) {
            *n = b - b'0';
        }
        if &main[2..9] == "0000000" || branch == Some("000") {
            return Err(TaxCodeError::NeverIssued(compact.to_owned()));
        }
        if check_digit(&nine) != Some(d[9] - b'0') {
            return Err(TaxCodeError::CheckDigit(main.to_owned()));
        }
        let mut code = String::with_capacity(14);
        code.push_str(main);
        if let Some(b) = branch {
            code.push('-');
            code.push_str(b);
        }
        Ok(Self { code })
    }

    /// The ten-digit code of the enterprise (without a branch suffix).
    pub fn main(&self) -> &str {
        &self.code[..10]
    }

    /// The branch suffix, if this is a dependent unit's code.
    pub fn branch(&self) -> Option<&str> {
        self.code.get(11..)
    }

    /// The canonical text, `0314409058` or `0314409058-002`.
    pub fn as_str(&self) -> &str {
        &self.code
    }

    /// The canonical text, owned.
    pub fn into_string(self) -> String {
        self.code
    }
}

impl fmt::Display for TaxCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_published_codes() {
        // 0100109106: the check digit of 010010910 by the formula above is 6.
        assert!(TaxCode::parse("0100109106").is_ok());
        let t = TaxCode::parse("0314409058-002").unwrap();
        assert_eq!(t.main(), "0314409058");
        assert_eq!(t.branch(), Some("002"));
        assert_eq!(t.to_string(), "0314409058-002");
        assert_eq!(TaxCode::parse("0314409058002").unwrap(), t);
    }

    #[test]
    fn rejects_with_the_reason() {
        assert_eq!(TaxCode::parse("031440905"), Err(TaxCodeError::Shape));
        assert_eq!(TaxCode::parse("0314409058-02"), Err(TaxCodeError::Shape));
        assert!(matches!(
            TaxCode::parse("0314409059"),
            Err(TaxCodeError::CheckDigit(_))
        ));
        assert!(matches!(
            TaxCode::parse("0314409058-000"),
            Err(TaxCodeError::NeverIssued(_))
        ));
        assert!(matches!(
            TaxCode::parse("0100000005"),
            Err(TaxCodeError::NeverIssued(_))
        ));
    }

    proptest! {
        #[test]
        fn exactly_one_digit_completes_a_valid_prefix(nine in proptest::array::uniform9(0u8..10)) {
            prop_assume!(nine[2..].iter().any(|d| *d != 0));
            let prefix: String = nine.iter().map(|d| char::from(b'0' + d)).collect();
            let valid: Vec<u8> = (0..10u8)
                .filter(|last| TaxCode::parse(&format!("{prefix}{last}")).is_ok())
                .collect();
            match check_digit(&nine) {
                Some(c) => prop_assert_eq!(valid, vec![c]),
                None => prop_assert!(valid.is_empty()),
            }
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,16}") {
            let _ = TaxCode::parse(&s);
        }
    }
}
