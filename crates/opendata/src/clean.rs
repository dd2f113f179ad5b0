//! Cleaning one value: what agencies write, turned into one canonical form per type.
//!
//! Each function takes trimmed text and returns the canonical text Lantoa publishes, or why it
//! cannot. Dates become ISO 8601 (`2025-07-01`), numbers lose their group separators and use a
//! decimal point (`1.234.567,89` → `1234567.89`), booleans become `true`/`false`, names are
//! capitalised word by word.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

use lantoa_core::msg::Msg;

use crate::schema::{DateFormat, StringFormat};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Why a value is not of its column's type; the note shown to the owner agency, by message id
/// (`cell-…` in the domain catalogues) with the value quoted.
pub type Note = Msg;

/// A note about value `s`.
fn note(key: &str, s: &str) -> Note {
    Msg::new(key).arg("value", s)
}

/// Excel's day 0 (its serials count days from 1899-12-30, leap-year bug included).
fn excel_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default()
}

/// A date from an Excel serial (days since 1899-12-30), for serials of 1900–2099.
pub fn excel_serial(serial: f64) -> Option<NaiveDate> {
    if !(1.0..=73050.0).contains(&serial) {
        return None;
    }
    // Truncation to whole days is the intent: a fraction is the time of day.
    #[allow(clippy::cast_possible_truncation)]
    let days = serial.trunc() as i64;
    excel_epoch().checked_add_signed(Duration::days(days))
}

/// Reads a date. Day-first Vietnamese forms (`1/7/2025`, `01-07-2025`, `01.07.2025`) are read
/// for the `any` format and for day-first patterns; ISO for `default`; a bare 5-digit number is
/// an Excel serial.
pub fn date(s: &str, format: &DateFormat) -> Result<NaiveDate, Note> {
    if s.len() == 5
        && s.bytes().all(|b| b.is_ascii_digit())
        && !matches!(format, DateFormat::Default)
    {
        return s
            .parse::<f64>()
            .ok()
            .and_then(excel_serial)
            .ok_or_else(|| note("cell-not-excel-serial", s));
    }
    let order = match format {
        DateFormat::Default => {
            return NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| note("cell-not-iso-date", s));
        }
        // An ISO date (what a spreadsheet's date cell becomes) is unambiguous in any format.
        _ if s.len() == 10 && s.as_bytes()[4] == b'-' => {
            return NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| note("cell-not-calendar-day", s));
        }
        DateFormat::Any => ['d', 'm', 'Y'],
        DateFormat::Pattern(p) => {
            let mut order = ['d', 'm', 'Y'];
            let mut k = 0;
            let mut it = p.chars();
            while let Some(c) = it.next() {
                if c == '%'
                    && let Some(d) = it.next()
                    && k < 3
                {
                    order[k] = if d == 'y' { 'Y' } else { d };
                    k += 1;
                }
            }
            order
        }
    };
    let bad = || note("cell-not-date", s);
    let (d, m, y) = match day_month_year_fast(s.as_bytes(), order) {
        Some(dmy) => dmy,
        None => day_month_year(s, order).ok_or_else(bad)?,
    };
    if d == 0 && m == 0 {
        return Err(note("cell-year-only", s));
    }
    if m > 12 && d <= 12 {
        return Err(note("cell-month-swapped", s).arg("month", m));
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| note("cell-not-calendar-day", s))
}

/// `dd/mm/yyyy` (or with `-` or `.`) read on bytes, the form almost every cell has; `None`
/// for anything else, which [`day_month_year`] reads.
fn day_month_year_fast(b: &[u8], order: [char; 3]) -> Option<(u32, u32, i32)> {
    if order != ['d', 'm', 'Y']
        || b.len() != 10
        || !matches!(b[2], b'/' | b'-' | b'.')
        || b[5] != b[2]
    {
        return None;
    }
    let digit = |i: usize| {
        let d = b[i].wrapping_sub(b'0');
        (d < 10).then_some(u32::from(d))
    };
    let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
    let year = two(6)? * 100 + two(8)?;
    Some((two(0)?, two(3)?, i32::try_from(year).ok()?))
}

/// Day, month and year from three numeric parts in `order`, or `None`.
fn day_month_year(s: &str, order: [char; 3]) -> Option<(u32, u32, i32)> {
    // Three parts, held without allocating: a date column is millions of cells.
    let mut parts = [""; 3];
    let mut n = 0;
    for p in s.split(['/', '-', '.', ' ']).filter(|p| !p.is_empty()) {
        if n == 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        parts[n] = p;
        n += 1;
    }
    if n != 3 {
        return None;
    }
    let (mut d, mut m, mut y) = (0u32, 0u32, 0i32);
    for (part, what) in parts.iter().zip(order) {
        let n: u32 = part.parse().ok()?;
        match what {
            'd' if part.len() <= 2 => d = n,
            'm' if part.len() <= 2 => m = n,
            'Y' if part.len() == 4 => y = i32::try_from(n).ok()?,
            'Y' if part.len() == 2 => {
                let n = i32::try_from(n).ok()?;
                y = if n < 69 { 2000 + n } else { 1900 + n };
            }
            _ => return None,
        }
    }
    Some((d, m, y))
}

/// Reads a date and time: ISO 8601 (`2025-07-01T08:30:00`, with or without zone) or
/// `dd/mm/yyyy HH:MM[:SS]`. Returns ISO text; a zone, if given, is kept.
pub fn datetime(s: &str) -> Result<String, Note> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(t.format("%Y-%m-%dT%H:%M:%S").to_string());
        }
    }
    Err(note("cell-not-datetime", s))
}

/// Reads a year (four digits).
pub fn year(s: &str) -> Result<i32, Note> {
    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().map_err(|_| note("cell-not-year", s))
    } else {
        Err(note("cell-not-year", s))
    }
}

/// Reads a whole number.
pub fn integer(s: &str) -> Result<i64, Note> {
    s.parse::<i64>().map_err(|_| note("cell-not-integer", s))
}

/// Reads a number written with `decimal` and `group` separators; with `bare` false, text
/// around the number (`1.000.000 đồng`) is allowed. Returns the value and its canonical text.
pub fn number(
    s: &str,
    decimal: char,
    group: Option<char>,
    bare: bool,
) -> Result<(f64, String), Note> {
    let body = if bare {
        s
    } else {
        let start = s.find(|c: char| c.is_ascii_digit() || c == '-' || c == '+');
        let end = s.rfind(|c: char| c.is_ascii_digit());
        match (start, end) {
            (Some(a), Some(b)) if a <= b => &s[a..=b],
            _ => return Err(note("cell-no-number", s)),
        }
    };
    let mut out = String::with_capacity(body.len());
    let mut seen_decimal = false;
    let mut digits_since_group: Option<usize> = None;
    for (i, c) in body.chars().enumerate() {
        match c {
            '0'..='9' => {
                out.push(c);
                if let Some(n) = digits_since_group.as_mut() {
                    *n += 1;
                }
            }
            '-' | '+' if i == 0 => out.push(c),
            c if c == decimal && !seen_decimal => {
                if digits_since_group.is_some_and(|n| n != 3) {
                    return Err(note("cell-digit-groups", s));
                }
                digits_since_group = None;
                seen_decimal = true;
                out.push('.');
            }
            c if Some(c) == group && !seen_decimal => {
                if digits_since_group.is_some_and(|n| n != 3)
                    || out.trim_start_matches(['-', '+']).is_empty()
                {
                    return Err(note("cell-digit-groups", s));
                }
                digits_since_group = Some(0);
            }
            _ => {
                return Err(match group {
                    _ if c != '.' && c != ',' => note("cell-not-number", s),
                    None => note("cell-not-number-decimal", s).arg("decimal", decimal),
                    Some(g) => note("cell-not-number-separators", s)
                        .arg("decimal", decimal)
                        .arg("group", g),
                });
            }
        }
    }
    if digits_since_group.is_some_and(|n| n != 3) {
        return Err(note("cell-digit-groups", s));
    }
    let value: f64 = out.parse().map_err(|_| note("cell-not-number", s))?;
    if !value.is_finite() {
        return Err(note("cell-not-finite", s));
    }
    let canonical = out.trim_start_matches('+').to_owned();
    Ok((value, canonical))
}

/// Reads a string of the given format.
pub fn string(s: &str, format: StringFormat) -> Result<(), Note> {
    match format {
        StringFormat::Default => Ok(()),
        StringFormat::Email => {
            let ok = s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    // Bytes for an ASCII address (almost all), characters otherwise.
                    && !(if s.is_ascii() {
                        s.bytes().any(|b| b.is_ascii_whitespace() || b == 0x0B)
                    } else {
                        s.contains(char::is_whitespace)
                    })
                    && !domain.contains('@')
            });
            if ok {
                Ok(())
            } else {
                Err(note("cell-not-email", s))
            }
        }
        StringFormat::Uri => url::Url::parse(s)
            .map(|_| ())
            .map_err(|e| note("cell-not-uri", s).arg("detail", e)),
        StringFormat::Uuid => {
            let groups: Vec<&str> = s.split('-').collect();
            let lens = [8, 4, 4, 4, 12];
            if groups.len() == 5
                && groups
                    .iter()
                    .zip(lens)
                    .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                Ok(())
            } else {
                Err(note("cell-not-uuid", s))
            }
        }
    }
}

/// A name with white space collapsed and each word capitalised (`nguyễn  văn AN` →
/// `Nguyễn Văn An`), in NFC.
pub fn name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    name_into(s, &mut out);
    out
}

/// [`name`], appended to `out`.
pub fn name_into(s: &str, out: &mut String) {
    // One pass: words split on white space, each capitalised, joined by one space.
    let start = out.len();
    for word in s.split_whitespace() {
        if out.len() > start {
            out.push(' ');
        }
        let mut first = true;
        for c in word.chars() {
            if c.is_ascii() {
                out.push(if first {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                });
            } else {
                push_cased(c, first, out);
            }
            first = c == '-' || c == '(';
        }
    }
    // Case mapping keeps precomposed Vietnamese letters precomposed; the check is for the rest.
    if !is_nfc(&out[start..]) {
        let normalised: String = out[start..].nfc().collect();
        out.truncate(start);
        out.push_str(&normalised);
    }
}

/// Appends `c` upper-cased (`upper`) or lower-cased. The Vietnamese letters are mapped by their
/// code points' pairing — Latin-1 capitals are 0x20 below their small letters; in Latin
/// Extended-A and -B (Ă Đ Ĩ Ũ Ơ Ư) and Latin Extended Additional (U+1EA0–U+1EF9) each capital
/// is the even code point of a pair — and anything else by the standard tables.
fn push_cased(c: char, upper: bool, out: &mut String) {
    let u = u32::from(c);
    let mapped = match u {
        0xC0..=0xDE if u != 0xD7 => Some(if upper { u } else { u + 0x20 }),
        0xE0..=0xFE if u != 0xF7 => Some(if upper { u - 0x20 } else { u }),
        0x102
        | 0x103
        | 0x110
        | 0x111
        | 0x128
        | 0x129
        | 0x168
        | 0x169
        | 0x1A0
        | 0x1A1
        | 0x1AF
        | 0x1B0
        | 0x1EA0..=0x1EF9 => {
            // U+1AF/U+1B0 (Ư ư) pair odd-even; the rest even-odd.
            let capital_even = u != 0x1AF && u != 0x1B0;
            let is_capital = (u % 2 == 0) == capital_even;
            Some(match (upper, is_capital) {
                (true, false) => u - 1,
                (false, true) => u + 1,
                _ => u,
            })
        }
        _ => None,
    };
    match mapped.and_then(char::from_u32) {
        Some(m) => out.push(m),
        None if upper => out.extend(c.to_uppercase()),
        None => out.extend(c.to_lowercase()),
    }
}

/// Sex as written in Vietnamese records (`Nam`, `Nữ`, `M`, `F`…).
pub fn sex(s: &str) -> Option<lantoa_core::citizen_id::Sex> {
    use lantoa_core::citizen_id::Sex;
    // The forms almost every file uses, without folding.
    match s {
        "Nam" => return Some(Sex::Male),
        "Nữ" => return Some(Sex::Female),
        _ => {}
    }
    match lantoa_core::text::fold_key(s).as_str() {
        "nam" | "m" | "male" => Some(Sex::Male),
        "nu" | "f" | "female" => Some(Sex::Female),
        _ => None,
    }
}

/// A date as ISO 8601 text, `2025-07-01`.
pub fn iso_date(d: NaiveDate) -> String {
    let mut s = String::with_capacity(10);
    push_iso_date(d, &mut s);
    s
}

/// [`iso_date`], appended to `s`.
pub fn push_iso_date(d: NaiveDate, s: &mut String) {
    // By hand: the formatting machinery cost more than the rest of a date cell's work.
    let digit = |n: u32| b'0' + (n % 10) as u8;
    let y = d.year().clamp(0, 9999).unsigned_abs();
    let (m, day) = (d.month(), d.day());
    let bytes = [
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(m / 10),
        digit(m),
        b'-',
        digit(day / 10),
        digit(day),
    ];
    // Ten ASCII digits and dashes: always UTF-8.
    s.push_str(std::str::from_utf8(&bytes).unwrap_or_default());
}

/// The year of an ISO date written by [`iso_date`].
pub fn iso_year(iso: &str) -> Option<i32> {
    let (y, rest) = iso.split_once('-')?;
    if y.len() == 4 && rest.len() == 5 {
        y.parse().ok()
    } else {
        None
    }
}

/// Whether `s` is in NFC. Characters below U+0300 and the precomposed Vietnamese letters
/// (U+1E00–U+1EFF) are always NFC, so most Vietnamese text is answered without the normaliser's
/// tables.
pub(crate) fn is_nfc(s: &str) -> bool {
    precomposed(s.as_bytes()) || is_nfc_quick(s.chars()) == IsNormalized::Yes
}

/// Whether UTF-8 `b` holds only characters below U+0300 (one or two bytes, lead byte below
/// 0xCC) and precomposed Vietnamese letters (U+1E00–U+1EFF: 0xE1 0xB8–0xBB …), judged on bytes.
pub(crate) fn precomposed(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        // Eight ASCII bytes at a time: most of a Vietnamese cell is ASCII.
        if let Some(w) = crate::swar::word_at(b, i)
            && crate::swar::all_ascii(w)
        {
            i += 8;
            continue;
        }
        match b[i] {
            0x00..=0x7F => i += 1,
            0xC0..=0xCB => i += 2,
            0xE1 if matches!(b.get(i + 1), Some(0xB8..=0xBB)) => i += 3,
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str, f: &DateFormat) -> String {
        date(s, f)
            .map(|d| d.to_string())
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn dates_in_vietnamese_forms_become_iso() {
        let p = DateFormat::Pattern("%d/%m/%Y".into());
        assert_eq!(d("01/07/2025", &p), "2025-07-01");
        assert_eq!(d("1/7/2025", &p), "2025-07-01");
        assert_eq!(d("01-07-2025", &p), "2025-07-01");
        assert_eq!(d("01.07.2025", &p), "2025-07-01");
        assert_eq!(d("45839", &p), "2025-07-01", "Excel serial");
        assert_eq!(d("2025-07-01", &DateFormat::Any), "2025-07-01");
        assert_eq!(
            d("2025-07-01", &p),
            "2025-07-01",
            "ISO is read in any format"
        );
        assert!(d("2025-02-30", &p).contains("not a day"));
        assert!(d("31/02/2025", &p).contains("not a day of the calendar"));
        assert!(d("07/25/2025", &p).contains("swapped"));
        assert!(d("00/00/1950", &p).contains("only the year"));
        assert!(d("hôm qua", &p).starts_with("ERR"));
        assert!(d("01/07/2025", &DateFormat::Default).starts_with("ERR"));
        assert_eq!(
            d("2025/07/01", &DateFormat::Pattern("%Y/%m/%d".into())),
            "2025-07-01"
        );
    }

    #[test]
    fn iso_dates_are_written_by_hand_correctly() {
        for (y, m, d) in [(1900, 1, 1), (2025, 7, 1), (999, 12, 31), (2099, 10, 9)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(iso_date(date), date.format("%Y-%m-%d").to_string());
        }
    }

    #[test]
    fn vietnamese_numbers_lose_their_separators() {
        assert_eq!(
            number("1.234.567,89", ',', Some('.'), true).unwrap().1,
            "1234567.89"
        );
        assert_eq!(number("-12,5", ',', Some('.'), true).unwrap().0, -12.5);
        assert_eq!(
            number("1.000.000 đồng", ',', Some('.'), false).unwrap().1,
            "1000000"
        );
        assert!(number("1.000.000 đồng", ',', Some('.'), true).is_err());
        assert!(number("1.23.4", ',', Some('.'), true).is_err());
        assert!(
            number("1,5", '.', None, true)
                .unwrap_err()
                .to_string()
                .contains("decimals")
        );
        assert_eq!(number("3.25", '.', None, true).unwrap().1, "3.25");
    }

    #[test]
    fn names_and_formats() {
        assert_eq!(name("  nguyễn  văn AN "), "Nguyễn Văn An");
        assert!(string("a@b.vn", StringFormat::Email).is_ok());
        assert!(string("a@b", StringFormat::Email).is_err());
        assert!(string("https://hanoi.gov.vn/", StringFormat::Uri).is_ok());
        assert!(string("hanoi.gov.vn", StringFormat::Uri).is_err());
        assert!(string("123e4567-e89b-12d3-a456-426614174000", StringFormat::Uuid).is_ok());
        assert_eq!(sex("Nữ"), Some(lantoa_core::citizen_id::Sex::Female));
    }

    #[test]
    fn every_letter_from_latin_1_to_latin_extended_additional_cases_as_the_standard_tables_do() {
        for c in ('\u{C0}'..='\u{1EFF}').chain(['a', 'Z']) {
            let (mut up, mut low) = (String::new(), String::new());
            push_cased(c, true, &mut up);
            push_cased(c, false, &mut low);
            assert_eq!(up, c.to_uppercase().collect::<String>(), "{c:?}");
            assert_eq!(low, c.to_lowercase().collect::<String>(), "{c:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_day_round_trips_through_the_vietnamese_form(days in 0i64..73000) {
            let day = excel_epoch() + Duration::days(days + 1);
            let written = day.format("%d/%m/%Y").to_string();
            proptest::prop_assert_eq!(
                date(&written, &DateFormat::Pattern("%d/%m/%Y".into())).unwrap(),
                day
            );
        }

        #[test]
        fn the_bytewise_reading_agrees_with_the_general_one(s in "[0-9/.-]{10}") {
            let order = ['d', 'm', 'Y'];
            if let Some(fast) = day_month_year_fast(s.as_bytes(), order) {
                proptest::prop_assert_eq!(Some(fast), day_month_year(&s, order));
            }
        }

        #[test]
        fn grouped_numbers_read_back(n in -1_000_000_000i64..1_000_000_000, frac in 0u32..100) {
            let grouped = {
                let digits = n.unsigned_abs().to_string();
                let mut out = String::new();
                for (i, c) in digits.chars().enumerate() {
                    if i > 0 && (digits.len() - i) % 3 == 0 { out.push('.'); }
                    out.push(c);
                }
                format!("{}{out},{frac:02}", if n < 0 { "-" } else { "" })
            };
            let (v, _) = number(&grouped, ',', Some('.'), true).unwrap();
            let want = n as f64 + (if n < 0 { -1.0 } else { 1.0 }) * f64::from(frac) / 100.0;
            proptest::prop_assert!((v - want).abs() < 1e-6, "{} -> {}", grouped, v);
        }
    }
}
