//! Mobile numbers: parsing, the 2018 conversion and operator routing.
//!
//! Citizens write their numbers as `0912 345 678`, `+84912345678`, `84-912-345-678`, and old
//! lists still hold 11-digit numbers from before 15/9/2018 (`01662345678`). [`NumberingPlan`]
//! turns all of these into one [`PhoneNumber`] in 10-digit national form and says which
//! operator the prefix was assigned to. The prefixes and the conversion table are data
//! (`data/operators.toml`), not code: the plan can be loaded from a replacement file.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;

use crate::msg::Describe as _;

/// The numbering plan shipped with Lantoa (`data/operators.toml`).
const BUILTIN_PLAN: &str = include_str!("../../../data/operators.toml");

/// A valid Vietnamese mobile number, held in 10-digit national form (`0912345678`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// The 10-digit national form, `0912345678`.
    pub fn national(&self) -> &str {
        &self.0
    }

    /// The international form, `+84912345678`.
    pub fn e164(&self) -> String {
        format!("+84{}", &self.0[1..])
    }

    /// The three-digit prefix that identifies the operator the number was first assigned to.
    pub fn prefix(&self) -> &str {
        &self.0[..3]
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a text is not a mobile number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PhoneError {
    /// Nothing was given.
    #[error("{}", self.message())]
    Empty,
    /// A character other than a digit or a separator (space, dot, dash, brackets).
    #[error("{}", self.message())]
    NotADigit(char),
    /// The number has the wrong count of digits for a mobile number.
    #[error("{}", self.message())]
    WrongLength(usize),
    /// The prefix belongs to no mobile operator in the plan.
    #[error("{}", self.message())]
    UnknownPrefix(String),
}

impl crate::msg::Describe for PhoneError {
    fn message(&self) -> crate::msg::Msg {
        use crate::msg::Msg;
        match self {
            Self::Empty => Msg::new("phone-empty"),
            Self::NotADigit(c) => Msg::new("phone-not-a-digit").arg("char", c),
            Self::WrongLength(n) => Msg::new("phone-wrong-length").arg("digits", n),
            Self::UnknownPrefix(p) => Msg::new("phone-unknown-prefix").arg("prefix", p),
        }
    }
}

/// A mobile operator and the prefixes assigned to it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Operator {
    /// Stable identifier, e.g. `viettel`.
    pub id: String,
    /// Display name, e.g. `Viettel`.
    pub name: String,
    /// Three-digit national prefixes, e.g. `096`.
    pub prefixes: Vec<String>,
}

#[derive(Deserialize)]
struct PlanFile {
    operator: Vec<Operator>,
    #[serde(default)]
    legacy_prefixes: HashMap<String, String>,
}

/// Why a numbering plan file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The file is not valid TOML of the expected shape.
    #[error("numbering plan: {0}")]
    Syntax(#[from] toml::de::Error),
    /// A prefix is not three digits starting with 0, or is given to two operators.
    #[error("numbering plan: prefix {prefix:?} of operator {operator}: {problem}")]
    BadPrefix {
        /// The operator whose entry is wrong.
        operator: String,
        /// The prefix as written.
        prefix: String,
        /// What is wrong with it.
        problem: &'static str,
    },
}

/// Operators, their prefixes and the 2018 conversion table.
#[derive(Debug, Clone)]
pub struct NumberingPlan {
    operators: Vec<Operator>,
    by_prefix: HashMap<String, usize>,
    legacy: HashMap<String, String>,
}

impl NumberingPlan {
    /// The plan shipped with Lantoa.
    pub fn builtin() -> Self {
        // The shipped file is checked by the test `builtin_plan_loads`.
        #[allow(clippy::expect_used)]
        Self::from_toml(BUILTIN_PLAN).expect("data/operators.toml is valid")
    }

    /// Reads a plan from TOML in the layout of `data/operators.toml`.
    pub fn from_toml(text: &str) -> Result<Self, PlanError> {
        let file: PlanFile = toml::from_str(text)?;
        let mut by_prefix = HashMap::new();
        for (i, op) in file.operator.iter().enumerate() {
            for p in &op.prefixes {
                let bad = |problem| PlanError::BadPrefix {
                    operator: op.id.clone(),
                    prefix: p.clone(),
                    problem,
                };
                if p.len() != 3 || !p.starts_with('0') || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad("a prefix is three digits starting with 0"));
                }
                if by_prefix.insert(p.clone(), i).is_some() {
                    return Err(bad("the prefix is given to two operators"));
                }
            }
        }
        Ok(Self {
            operators: file.operator,
            by_prefix,
            legacy: file.legacy_prefixes,
        })
    }

    /// All operators of the plan.
    pub fn operators(&self) -> &[Operator] {
        &self.operators
    }

    /// Parses a number written in any common form into its 10-digit national form.
    pub fn parse(&self, input: &str) -> Result<PhoneNumber, PhoneError> {
        let mut digits = String::with_capacity(input.len());
        let mut trimmed = input.trim();
        // A label before the number ("ĐT: …", "SĐT:", "DĐ:", "Tel:", "Mobile:").
        if let Some((label, rest)) = trimmed.split_once(':')
            && !label.trim().is_empty()
            && label
                .chars()
                .all(|c| c.is_alphabetic() || c == ' ' || c == '.')
        {
            trimmed = rest.trim();
        }
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        let mut plus = false;
        for c in trimmed.chars() {
            // Full-width digits and plus, as some input methods type them.
            let c = match c {
                '\u{ff10}'..='\u{ff19}' => char::from(b'0' + (u32::from(c) - 0xff10) as u8),
                '\u{ff0b}' => '+',
                c => c,
            };
            match c {
                '0'..='9' => digits.push(c),
                // Only before the first digit: "(+84) 91-234-5678", "+84 …".
                '+' if digits.is_empty() && !plus => plus = true,
                '.'
                | '-'
                | '('
                | ')'
                | '\u{2010}'..='\u{2015}'
                | '\u{2212}'
                | '\u{200b}'
                | '\u{feff}' => {}
                c if c.is_whitespace() => {}
                other => return Err(PhoneError::NotADigit(other)),
            }
        }
        // After the country code a written trunk zero ("+84 (0) 912 …") is not doubled.
        let after_country = |r: &str| {
            if r.starts_with('0') {
                r.to_owned()
            } else {
                format!("0{r}")
            }
        };
        let national = if let Some(r) = digits.strip_prefix("0084") {
            after_country(r)
        } else if plus {
            match digits.strip_prefix("84") {
                Some(r) => after_country(r),
                None => return Err(PhoneError::UnknownPrefix(format!("+{}", &digits))),
            }
        } else if let Some(r) = digits.strip_prefix("84")
            && (digits.len() == 11
                || digits.len() == 12
                || (digits.len() == 13 && r.starts_with('0')))
        {
            after_country(r)
        } else if digits.starts_with('0') {
            digits
        } else if digits.len() == 9 || digits.len() == 10 {
            // Spreadsheets drop the leading zero of numbers stored as numbers.
            format!("0{digits}")
        } else {
            digits
        };
        let national = match national.len() {
            10 => national,
            11 => match self.legacy.get(&national[..4]) {
                Some(new) => format!("{new}{}", &national[4..]),
                None => return Err(PhoneError::UnknownPrefix(national[..4].to_owned())),
            },
            n => return Err(PhoneError::WrongLength(n)),
        };
        if !self.by_prefix.contains_key(&national[..3]) {
            return Err(PhoneError::UnknownPrefix(national[..3].to_owned()));
        }
        Ok(PhoneNumber(national))
    }

    /// The operator the number's prefix was assigned to. A ported number may now be served by
    /// another operator: callers that route messages consult their ported-numbers table first.
    pub fn operator_of(&self, number: &PhoneNumber) -> Option<&Operator> {
        self.by_prefix
            .get(number.prefix())
            .map(|&i| &self.operators[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn builtin_plan_loads() {
        let plan = NumberingPlan::builtin();
        assert!(plan.operators().len() >= 6);
    }

    #[test]
    fn accepts_the_common_written_forms() {
        let plan = NumberingPlan::builtin();
        for input in [
            "0912345678",
            "+84912345678",
            "84912345678",
            "0084 912 345 678",
            "091.234.5678",
            "(091) 234-5678",
            "912345678",
            "(+84) 91-234-5678",
            "+84 (0) 912 345 678",
            "(84) 912.345.678",
            "840912345678",
            "ĐT: 0912 345 678",
            "SĐT: +84 912 345 678",
            "DĐ. Tel: 0912345678",
            "0912 – 345 – 678",
            "0912\u{a0}345\u{a0}678",
            "０９１２３４５６７８",
            "\u{feff}0912345678",
        ] {
            assert_eq!(
                plan.parse(input).unwrap().national(),
                "0912345678",
                "{input}"
            );
        }
    }

    #[test]
    fn converts_eleven_digit_numbers_of_before_2018() {
        let plan = NumberingPlan::builtin();
        let n = plan.parse("01662345678").unwrap();
        assert_eq!(n.national(), "0362345678");
        assert_eq!(plan.operator_of(&n).unwrap().id, "viettel");
        assert_eq!(
            plan.parse("+841232345678").unwrap().national(),
            "0832345678"
        );
    }

    #[test]
    fn rejects_with_the_reason() {
        let plan = NumberingPlan::builtin();
        assert_eq!(plan.parse(""), Err(PhoneError::Empty));
        assert_eq!(plan.parse("09123x5678"), Err(PhoneError::NotADigit('x')));
        // A plus only opens the number; two numbers in one cell are not one.
        assert_eq!(plan.parse("0912+345678"), Err(PhoneError::NotADigit('+')));
        assert_eq!(
            plan.parse("0912345678 / 0987654321"),
            Err(PhoneError::NotADigit('/'))
        );
        assert_eq!(plan.parse("ĐT:"), Err(PhoneError::Empty));
        assert_eq!(plan.parse("091234"), Err(PhoneError::WrongLength(6)));
        assert_eq!(
            plan.parse("0212345678"),
            Err(PhoneError::UnknownPrefix("021".into()))
        );
        assert_eq!(
            plan.parse("01012345678"),
            Err(PhoneError::UnknownPrefix("0101".into()))
        );
    }

    #[test]
    fn plan_rejects_a_prefix_given_twice() {
        let text = r#"
            [[operator]]
            id = "a"
            name = "A"
            prefixes = ["090"]
            [[operator]]
            id = "b"
            name = "B"
            prefixes = ["090"]
        "#;
        assert!(matches!(
            NumberingPlan::from_toml(text),
            Err(PlanError::BadPrefix { .. })
        ));
    }

    proptest! {
        #[test]
        fn every_written_form_of_a_valid_number_parses_to_it(
            idx in 0usize..40, rest in "[0-9]{7}", form in 0u8..4
        ) {
            let plan = NumberingPlan::builtin();
            let prefixes: Vec<&String> = plan.operators().iter().flat_map(|o| &o.prefixes).collect();
            let prefix = prefixes[idx % prefixes.len()];
            let national = format!("{prefix}{rest}");
            let written = match form {
                0 => national.clone(),
                1 => format!("+84{}", &national[1..]),
                2 => format!("84{}", &national[1..]),
                _ => format!("{} {} {}", &national[..4], &national[4..7], &national[7..]),
            };
            let n = plan.parse(&written).unwrap();
            prop_assert_eq!(n.national(), national.as_str());
            prop_assert_eq!(plan.parse(&n.e164()).unwrap(), n.clone());
            prop_assert!(plan.operator_of(&n).is_some());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = NumberingPlan::builtin().parse(&s);
        }
    }
}
