//! The campaign rules that law or policy may change, read from `data/notify/rules.toml`.

use std::collections::HashMap;

use chrono::NaiveTime;
use lantoa_core::msg::Msg;
use serde::Deserialize;

/// The rules shipped with Lantoa, as text (`data/notify/rules.toml`).
pub const BUILTIN_TEXT: &str = include_str!("../../../data/notify/rules.toml");
const BUILTIN: &str = BUILTIN_TEXT;

/// Quiet hours, caps, the segment limit and prices.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// Non-emergency messages go only from this local time…
    pub allowed_from: NaiveTime,
    /// …until this one.
    pub allowed_until: NaiveTime,
    /// Non-emergency messages per number per 24 hours.
    pub max_per_day: u32,
    /// Segments per recipient accepted.
    pub max_segments: usize,
    /// VND per segment by operator id, and for operators not named.
    price: HashMap<String, u64>,
    default_price: u64,
    /// Replies (unaccented, upper case, trimmed) that opt the sender out.
    pub optout_keywords: Vec<String>,
    /// The CAP `<sender>` of the department's alerts, when set.
    pub cap_sender: Option<String>,
    /// The brandname an alert's SMS goes under, when set.
    pub alert_brandname: Option<String>,
    /// How long a part left uncertain waits for its receipt before a campaign that resends
    /// uncertain parts sends it again, seconds.
    pub resend_wait_secs: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    quiet_hours: Quiet,
    frequency: Frequency,
    message: Message,
    price: HashMap<String, u64>,
    optout: OptOut,
    #[serde(default)]
    alerts: Option<Alerts>,
    #[serde(default)]
    resend: Option<Resend>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Resend {
    wait_secs: u64,
}

/// [`Rules::resend_wait_secs`] when the file does not say.
const RESEND_WAIT_SECS: u64 = 60;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Alerts {
    sender: String,
    #[serde(default)]
    brandname: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptOut {
    keywords: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Quiet {
    allowed_from: String,
    allowed_until: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Frequency {
    max_per_day: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Message {
    max_segments: usize,
}

/// Why a rules file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("notify rules: {0}")]
pub struct RulesError(pub String);

impl Rules {
    /// The shipped rules.
    pub fn builtin() -> Result<Self, RulesError> {
        Self::from_toml(BUILTIN)
    }

    /// Rules from a TOML text in the form of `data/notify/rules.toml`.
    pub fn from_toml(text: &str) -> Result<Self, RulesError> {
        let f: File = toml::from_str(text).map_err(|e| RulesError(e.to_string()))?;
        let time = |what: &str, s: &str| {
            NaiveTime::parse_from_str(s, "%H:%M")
                .map_err(|_| RulesError(format!("quiet_hours.{what} = {s:?} is not a time HH:MM")))
        };
        if f.message.max_segments == 0 {
            return Err(RulesError("message.max_segments must be at least 1".into()));
        }
        let mut price = f.price;
        let default_price = price
            .remove("default")
            .ok_or_else(|| RulesError("price.default is missing".into()))?;
        Ok(Self {
            allowed_from: time("allowed_from", &f.quiet_hours.allowed_from)?,
            allowed_until: time("allowed_until", &f.quiet_hours.allowed_until)?,
            max_per_day: f.frequency.max_per_day,
            max_segments: f.message.max_segments,
            price,
            default_price,
            optout_keywords: f
                .optout
                .keywords
                .iter()
                .map(|k| crate::message::unaccented(k).trim().to_uppercase())
                .collect(),
            cap_sender: f
                .alerts
                .as_ref()
                .map(|a| a.sender.trim().to_owned())
                .filter(|s| !s.is_empty()),
            resend_wait_secs: f.resend.map_or(RESEND_WAIT_SECS, |r| r.wait_secs),
            alert_brandname: f
                .alerts
                .and_then(|a| a.brandname)
                .map(|b| b.trim().to_owned())
                .filter(|b| !b.is_empty()),
        })
    }

    /// VND per segment on `operator`.
    pub fn price(&self, operator: &str) -> u64 {
        self.price
            .get(operator)
            .copied()
            .unwrap_or(self.default_price)
    }

    /// Whether a citizen's reply asks for no more messages.
    pub fn is_optout(&self, reply: &str) -> bool {
        let said = crate::message::unaccented(reply).trim().to_uppercase();
        self.optout_keywords.contains(&said)
    }

    /// Whether a non-emergency message may go at local time `t`.
    pub fn allowed_at(&self, t: NaiveTime) -> bool {
        if self.allowed_from == self.allowed_until {
            // The same time twice: no quiet hours.
            true
        } else if self.allowed_from < self.allowed_until {
            self.allowed_from <= t && t < self.allowed_until
        } else {
            t >= self.allowed_from || t < self.allowed_until
        }
    }
}

/// Why a brandname is refused, or `None` when it is acceptable: at most 11 characters of Latin
/// letters, digits, `-`, `_`, `.` and space, and not all digits.
pub fn brandname_problem(name: &str) -> Option<Msg> {
    if name.trim().is_empty() {
        return Some(Msg::new("brandname-required"));
    }
    if name.chars().count() > 11 {
        return Some(
            Msg::new("brandname-too-long")
                .arg("value", name)
                .arg("chars", name.chars().count()),
        );
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ')))
    {
        return Some(
            Msg::new("brandname-bad-char")
                .arg("value", name)
                .arg("char", c),
        );
    }
    if name.chars().all(|c| c.is_ascii_digit()) {
        return Some(Msg::new("brandname-all-digits").arg("value", name));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_rules_read_and_quiet_hours_hold() {
        let r = Rules::builtin().unwrap();
        let t = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        assert!(r.allowed_at(t("07:00")) && r.allowed_at(t("21:59")));
        assert!(!r.allowed_at(t("22:00")) && !r.allowed_at(t("06:59")));
        assert_eq!(r.max_per_day, 3);
        assert_eq!(r.price("viettel"), 800);
        assert_eq!(r.price("unknown"), 800);
        let bad = Rules::from_toml(&BUILTIN.replace("\"07:00\"", "\"7h\"")).unwrap_err();
        assert!(bad.0.contains("allowed_from"), "{bad}");
    }

    #[test]
    fn brandnames_follow_the_registration_rules() {
        assert_eq!(brandname_problem("SoYTe-HN"), None);
        assert!(
            brandname_problem("SởYTế")
                .unwrap()
                .to_string()
                .contains("\"ở\"")
        );
        assert!(
            brandname_problem("SoYTeHaNoi12")
                .unwrap()
                .to_string()
                .contains("12 characters")
        );
        assert!(
            brandname_problem("1234")
                .unwrap()
                .to_string()
                .contains("all digits")
        );
        assert!(brandname_problem(" ").is_some());
    }
}
