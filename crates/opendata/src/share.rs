//! What a published row shows: each field's sharing policy (`lantoa:share` in the schema) turns
//! a clean value into the value shared, so personal data is dropped or generalised before it is
//! ever published (Law 91/2025 on personal data protection: de-identified data is outside the
//! law; a hashed identifier is still personal data, so identifiers are dropped, never hashed).
//!
//! * `keep` (the default) — as cleaned;
//! * `drop` — never shared (the column is left out of every output);
//! * `year` — a date shared as its year;
//! * `age_band` — a birth date shared as a ten-year age band on 1 January of the current year
//!   (`30–39`);
//! * `suppress_below:N` — a count shared as `<N` when below N (small counts identify people).
//!
//! A dataset may also name quasi-identifiers (`lantoa:quasi: true`) and a `lantoa:k`: a row is
//! published only once at least k published rows share its quasi-identifier values; until then it
//! is held back ([`crate::check::ErrorType::KAnonymity`]) and released when its group is large
//! enough.

/// A field's sharing policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    /// As cleaned.
    Keep,
    /// Never shared.
    Drop,
    /// A date as its year.
    Year,
    /// A birth date as a ten-year age band.
    AgeBand,
    /// A count as `<N` below N.
    SuppressBelow(i64),
}

impl Share {
    /// Reads a policy as written in a schema.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "keep" => Self::Keep,
            "drop" => Self::Drop,
            "year" => Self::Year,
            "age_band" => Self::AgeBand,
            other => {
                let n: i64 = other.strip_prefix("suppress_below:")?.parse().ok()?;
                if n < 2 {
                    return None;
                }
                Self::SuppressBelow(n)
            }
        })
    }

    /// The shared form of a clean value (`""` for a dropped field). `year` is the current year,
    /// for age bands.
    pub fn apply(self, value: &str, year: i32) -> String {
        if value.is_empty() {
            return String::new();
        }
        match self {
            Self::Keep => value.to_owned(),
            Self::Drop => String::new(),
            Self::Year => value.get(..4).unwrap_or(value).to_owned(),
            Self::AgeBand => match value.get(..4).and_then(|y| y.parse::<i32>().ok()) {
                Some(born) => {
                    let age = (year - born).max(0);
                    let low = age / 10 * 10;
                    format!("{low}–{}", low + 9)
                }
                None => String::new(),
            },
            Self::SuppressBelow(n) => match value.parse::<f64>() {
                Ok(v) if v < n as f64 => format!("<{n}"),
                _ => value.to_owned(),
            },
        }
    }
}

/// The shared form of a clean row under the schema's policies; ages are reckoned in `year`
/// (the year it is published).
pub fn row(schema: &crate::schema::Schema, values: &[String], year: i32) -> Vec<String> {
    schema
        .fields
        .iter()
        .zip(values)
        .map(|(f, v)| f.share.apply(v, year))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_generalise_and_drop() {
        assert_eq!(Share::Year.apply("1985-03-05", 2026), "1985");
        assert_eq!(Share::AgeBand.apply("1985-03-05", 2026), "40–49");
        assert_eq!(Share::AgeBand.apply("2020-01-01", 2026), "0–9");
        assert_eq!(Share::Drop.apply("001185012345", 2026), "");
        assert_eq!(Share::SuppressBelow(5).apply("3", 2026), "<5");
        assert_eq!(Share::SuppressBelow(5).apply("12", 2026), "12");
        assert_eq!(Share::Keep.apply("", 2026), "");
        assert_eq!(
            Share::parse("suppress_below:10"),
            Some(Share::SuppressBelow(10))
        );
        assert_eq!(Share::parse("suppress_below:1"), None);
        assert_eq!(Share::parse("hash"), None);
    }
}
