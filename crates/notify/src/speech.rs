//! Text for speech: what a commune loudspeaker bulletin says, written out as a Vietnamese
//! reader would say it before a speech engine reads it. Dates ("22/1" → "ngày hai mươi hai tháng
//! một"), times ("7h30", "07:30"), numbers ("1.250" → "một nghìn hai trăm năm mươi", "2,5" →
//! "hai phẩy năm"), units and abbreviations (`data/notify/speech.toml`: "UBND" → "Ủy ban nhân
//! dân"). What is not recognised is left as written.

use std::collections::HashMap;

use serde::Deserialize;

/// The shipped abbreviations and units.
pub const BUILTIN: &str = include_str!("../../../data/notify/speech.toml");

/// The words to say for abbreviations and units.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    abbreviations: HashMap<String, String>,
    units: HashMap<String, String>,
}

impl Lexicon {
    /// Reads a lexicon file.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| format!("speech lexicon: {e}"))
    }

    /// The shipped lexicon.
    pub fn builtin() -> Result<Self, String> {
        Self::from_toml(BUILTIN)
    }

    /// The shipped lexicon, for services built without a fallible step.
    pub fn shipped() -> Self {
        #[allow(clippy::expect_used)]
        Self::builtin().expect("the shipped speech.toml is compiled in and a unit test parses it")
    }
}

const DIGITS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];

/// 0–999 as said; `full` says "không trăm" and "linh" as a group inside a larger number does.
fn hundreds(n: u64, full: bool) -> Vec<&'static str> {
    let (h, t, u) = (
        (n / 100) as usize,
        ((n / 10) % 10) as usize,
        (n % 10) as usize,
    );
    let mut w = Vec::new();
    if h > 0 || full {
        w.push(DIGITS[h]);
        w.push("trăm");
    }
    match (t, u) {
        (0, 0) => {}
        (0, u) => {
            if h > 0 || full {
                w.push("linh");
            }
            w.push(DIGITS[u]);
        }
        (1, u) => {
            w.push("mười");
            match u {
                0 => {}
                5 => w.push("lăm"),
                u => w.push(DIGITS[u]),
            }
        }
        (t, u) => {
            w.push(DIGITS[t]);
            w.push("mươi");
            match u {
                0 => {}
                1 => w.push("mốt"),
                4 => w.push("tư"),
                5 => w.push("lăm"),
                u => w.push(DIGITS[u]),
            }
        }
    }
    w
}

/// A whole number as said: 2026 → "hai nghìn không trăm hai mươi sáu".
pub fn number(n: u64) -> String {
    if n == 0 {
        return "không".into();
    }
    const SCALES: [&str; 4] = ["", "nghìn", "triệu", "tỷ"];
    let mut groups = Vec::new();
    let mut rest = n;
    while rest > 0 {
        groups.push(rest % 1000);
        rest /= 1000;
    }
    let mut words: Vec<String> = Vec::new();
    let top = groups.len() - 1;
    for (i, g) in groups.iter().enumerate().rev() {
        if *g == 0 {
            continue;
        }
        let scale = if i >= SCALES.len() {
            // Beyond "tỷ", repeat it: nghìn tỷ, triệu tỷ.
            format!("{} tỷ", SCALES[i % 3])
        } else {
            SCALES[i].to_owned()
        };
        words.extend(hundreds(*g, i < top).into_iter().map(str::to_owned));
        if !scale.trim().is_empty() {
            words.push(scale.trim().to_owned());
        }
    }
    words.join(" ")
}

fn digits_only(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A token as said, if it is a date, a time or a number.
fn say(token: &str) -> Option<String> {
    let small = |s: &str| s.parse::<u64>().ok().filter(|_| s.len() <= 4);
    // Dates: d/m or d/m/yyyy.
    let parts: Vec<&str> = token.split('/').collect();
    if (2..=3).contains(&parts.len()) && parts.iter().all(|p| digits_only(p)) {
        let (d, m) = (small(parts[0])?, small(parts[1])?);
        if (1..=31).contains(&d) && (1..=12).contains(&m) {
            let mut s = format!("ngày {} tháng {}", number(d), number(m));
            if let Some(y) = parts.get(2) {
                s.push_str(&format!(" năm {}", number(small(y)?)));
            }
            return Some(s);
        }
        return None;
    }
    // Times: 7h, 7h30, 07:30.
    let lower = token.to_lowercase();
    if let Some((h, m)) = lower.split_once('h').or_else(|| lower.split_once(':'))
        && digits_only(h)
        && (m.is_empty() || digits_only(m))
        && h.len() <= 2
        && m.len() <= 2
    {
        let (h, m) = (small(h)?, if m.is_empty() { 0 } else { small(m)? });
        if h <= 24 && m < 60 {
            return Some(if m == 0 {
                format!("{} giờ", number(h))
            } else {
                format!("{} giờ {} phút", number(h), number(m))
            });
        }
    }
    // Numbers: 1.250.000 (thousands), 2,5 (decimal), 42.
    if let Some((whole, frac)) = token.split_once(',')
        && digits_only(frac)
    {
        let whole = say_whole(whole)?;
        let frac: Vec<&str> = frac.bytes().map(|b| DIGITS[(b - b'0') as usize]).collect();
        return Some(format!("{whole} phẩy {}", frac.join(" ")));
    }
    say_whole(token)
}

fn say_whole(s: &str) -> Option<String> {
    let groups: Vec<&str> = s.split('.').collect();
    let ok = digits_only(groups[0])
        && (groups.len() == 1
            || (groups[0].len() <= 3
                && groups[1..].iter().all(|g| g.len() == 3 && digits_only(g))));
    if !ok || s.len() > 18 {
        return None;
    }
    s.replace('.', "").parse::<u64>().ok().map(number)
}

/// The text as it is to be spoken.
pub fn normalise(text: &str, lex: &Lexicon) -> String {
    let mut out: Vec<String> = Vec::new();
    for raw in text.split_whitespace() {
        // Punctuation that ends a word stays where it is.
        let end = raw
            .char_indices()
            .rev()
            .take_while(|(_, c)| matches!(c, ',' | '.' | ';' | ':' | '!' | '?' | ')' | '"'))
            .last()
            .map_or(raw.len(), |(i, _)| i);
        let (word, tail) = raw.split_at(end);
        let (head, word) = match word.strip_prefix('(') {
            Some(w) => ("(", w),
            None => ("", word),
        };
        let spoken = if let Some(a) = lex.abbreviations.get(word) {
            a.clone()
        } else if let Some(s) = say(word) {
            // "ngày 3/9" is said "ngày ba tháng chín", not "ngày ngày …".
            let after_ngay = out
                .last()
                .is_some_and(|w| w.to_lowercase() == "ngày" || w.to_lowercase() == "từ ngày");
            match s.strip_prefix("ngày ") {
                Some(rest) if after_ngay && head.is_empty() => rest.to_owned(),
                _ => s,
            }
        } else if let Some((n, unit)) = split_unit(word, lex) {
            format!("{n} {unit}")
        } else {
            word.to_owned()
        };
        out.push(format!("{head}{spoken}{tail}"));
    }
    out.join(" ")
}

/// "25km" → ("hai mươi lăm", "ki-lô-mét"); "30%" → ("ba mươi", "phần trăm").
fn split_unit(word: &str, lex: &Lexicon) -> Option<(String, String)> {
    let at = word.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))?;
    let (n, unit) = word.split_at(at);
    let said = say(n)?;
    lex.units.get(unit).map(|u| (said, u.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_vietnamese_says_them() {
        for (n, said) in [
            (0, "không"),
            (5, "năm"),
            (10, "mười"),
            (15, "mười lăm"),
            (21, "hai mươi mốt"),
            (24, "hai mươi tư"),
            (25, "hai mươi lăm"),
            (101, "một trăm linh một"),
            (110, "một trăm mười"),
            (1_000, "một nghìn"),
            (1_005, "một nghìn không trăm linh năm"),
            (2_026, "hai nghìn không trăm hai mươi sáu"),
            (1_250_000, "một triệu hai trăm năm mươi nghìn"),
            (3_000_000_000, "ba tỷ"),
        ] {
            assert_eq!(number(n), said, "{n}");
        }
    }

    #[test]
    fn a_bulletin_reads_as_spoken() {
        let lex = Lexicon::builtin().unwrap();
        assert_eq!(
            normalise(
                "UBND phường thông báo: từ 22/1, lúc 7h30, phun thuốc SXH.",
                &lex
            ),
            "Ủy ban nhân dân phường thông báo: từ ngày hai mươi hai tháng một, lúc bảy giờ ba mươi phút, phun thuốc sốt xuất huyết."
        );
        assert_eq!(
            normalise("Mưa 2,5mm; gió 60km/h (30%) ngày 3/9/2025", &lex),
            "Mưa hai phẩy năm mi-li-mét; gió sáu mươi ki-lô-mét một giờ (ba mươi phần trăm) ngày ba tháng chín năm hai nghìn không trăm hai mươi lăm"
        );
        assert_eq!(
            normalise("1.250 hộ; 14:00 họp", &lex),
            "một nghìn hai trăm năm mươi hộ; mười bốn giờ họp"
        );
        // Not a date, not a number: as written.
        assert_eq!(
            normalise("số 45/2020/NĐ-CP và 99/99", &lex),
            "số 45/2020/NĐ-CP và 99/99"
        );
        assert_eq!(
            normalise("Sở TT&TT, CA phường", &lex),
            "Sở Thông tin và Truyền thông, CA phường"
        );
    }
}
