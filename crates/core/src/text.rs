//! Vietnamese text: normalisation, a canonical tone-mark key and unaccented folding.
//!
//! Vietnamese writes a tone mark on one vowel of each syllable, and two conventions place it
//! differently: traditional *hòa, thúy, khỏe* and new-style *hoà, thuý, khoẻ*. The official
//! list of 2025 administrative units mixes both, and text typed on different keyboards arrives
//! in NFC or NFD. Two strings that a reader takes for the same word must therefore be compared
//! on a key, never on their bytes:
//!
//! * [`nfc`] — the form Lantoa stores and shows;
//! * [`tone_key`] — lower case, tone marks moved to the end of each syllable; keeps every
//!   diacritic, so *Hòa* ≠ *Hóa* but *Hoà* = *Hòa*. This is the key for matching names;
//! * [`fold_key`] — lower case without any diacritic (*đ* → *d*). It conflates different
//!   words (*Hòa*, *Hóa*, *Hoa*), so it is only ever a hint for a person to confirm.

use unicode_normalization::{UnicodeNormalization, is_nfc_quick};

/// The five Vietnamese tone marks as combining characters (huyền, sắc, ngã, hỏi, nặng).
const TONE_MARKS: [char; 5] = ['\u{0300}', '\u{0301}', '\u{0303}', '\u{0309}', '\u{0323}'];

fn is_tone_mark(c: char) -> bool {
    TONE_MARKS.contains(&c)
}

/// Returns `s` in Unicode Normalization Form C, the form Lantoa stores.
///
/// Characters below U+0300 are all in NFC and combine with nothing before them, so only the
/// runs of characters from U+0300 on are looked at (the quick check), and only a run that
/// fails it is composed — with the character before it, which its marks may join. The
/// character after a run is below U+0300 and starts afresh, so composing run by run gives
/// what composing the whole text gives; text typed with separate tone marks is recomposed
/// without recomposing the page around it.
pub fn nfc(s: &str) -> String {
    let mut out: Option<String> = None;
    let mut copied = 0;
    for (start, end) in high_runs(s) {
        if run_is_nfc(&s[start..end]) {
            continue;
        }
        // The run's first character is preceded by one below U+0300 (runs are maximal), or
        // by nothing.
        let from = s[..start]
            .char_indices()
            .next_back()
            .map_or(start, |(k, _)| k);
        let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
        o.push_str(&s[copied..from]);
        o.extend(s[from..end].nfc());
        copied = end;
    }
    match out {
        None => s.to_owned(),
        Some(mut o) => {
            o.push_str(&s[copied..]);
            o
        }
    }
}

/// Where the first byte of 0xCC or more is, looking 32 bytes at a time (the maximum of a
/// block is computed without branches, which the compiler turns into vector instructions).
fn first_at_or_above_cc(b: &[u8]) -> Option<usize> {
    let mut skipped = 0;
    for block in b.chunks_exact(32) {
        if block.iter().fold(0u8, |m, &c| m.max(c)) >= 0xCC {
            break;
        }
        skipped += 32;
    }
    b[skipped..]
        .iter()
        .position(|&c| c >= 0xCC)
        .map(|o| skipped + o)
}

/// The maximal runs of characters from U+0300 on (UTF-8 lead byte 0xCC or more, with their
/// continuation bytes), as byte ranges; found at nearly memory speed.
fn high_runs(s: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let b = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let start = i + first_at_or_above_cc(&b[i..])?;
        let mut end = start + 1;
        while end < b.len() && (b[end] >= 0xCC || (0x80..0xC0).contains(&b[end])) {
            end += 1;
        }
        // Both ends are character boundaries: `start` is a lead byte, `end` the end of the
        // text, an ASCII byte or a lead byte below 0xCC.
        i = end;
        Some((start, end))
    })
}

/// Whether `s` is certainly in NFC (the standard's quick check answering yes), looking only
/// at its runs of characters from U+0300 on: what `nfc` decides run by run, for the tests to
/// hold against the full quick check.
#[cfg(test)]
fn is_nfc_fast(s: &str) -> bool {
    high_runs(s).all(|(start, end)| run_is_nfc(&s[start..end]))
}

/// The quick check over one run, split at its stable characters: each resets the check as a
/// character below U+0300 does, so the pieces either side of it are checked alone.
fn run_is_nfc(run: &str) -> bool {
    let mut piece = 0;
    for (k, c) in run.char_indices() {
        if stable(c) {
            if !quick_yes(&run[piece..k]) {
                return false;
            }
            piece = k + c.len_utf8();
        }
    }
    quick_yes(&run[piece..])
}

/// Characters that are in NFC, have combining class 0 and never compose with what precedes
/// them: Vietnamese's precomposed letters (U+1EA0–U+1EF9) and the dashes, quotation marks and
/// ellipsis of General Punctuation (U+2010–U+203F), which fill Vietnamese and English text.
fn stable(c: char) -> bool {
    matches!(u32::from(c), 0x1EA0..=0x1EF9 | 0x2010..=0x203F)
}

fn quick_yes(s: &str) -> bool {
    s.is_empty() || is_nfc_quick(s.chars()) == unicode_normalization::IsNormalized::Yes
}

/// Trims `s`, collapses runs of white space to one space and normalises to NFC.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    nfc(&out)
}

/// The canonical tone key of `s`: lower case, white space collapsed, and in each syllable the
/// tone mark taken off its vowel and written after the syllable.
///
/// ```
/// use lantoa_core::text::tone_key;
/// assert_eq!(tone_key("Xã Chiêm Hoá"), tone_key("xã chiêm hóa"));
/// assert_ne!(tone_key("Hòa"), tone_key("Hóa"));
/// ```
pub fn tone_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut syllable = String::new();
    let mut tone: Option<char> = None;
    let flush = |out: &mut String, syllable: &mut String, tone: &mut Option<char>| {
        if !syllable.is_empty() {
            out.extend(syllable.nfc());
            if let Some(t) = tone.take() {
                out.push(t);
            }
            syllable.clear();
        }
    };
    for c in s.nfd().flat_map(char::to_lowercase) {
        if is_tone_mark(c) {
            tone = Some(c);
        } else if c.is_alphanumeric() || is_combining(c) {
            syllable.push(c);
        } else {
            flush(&mut out, &mut syllable, &mut tone);
            if c.is_whitespace() {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
            } else {
                out.push(c);
            }
        }
    }
    flush(&mut out, &mut syllable, &mut tone);
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// `s` without any diacritic: tone marks and vowel marks removed, *đ*/*Đ* made *d*/*D*.
///
/// ```
/// assert_eq!(lantoa_core::text::unaccent("Đống Đa, Hà Nội"), "Dong Da, Ha Noi");
/// ```
pub fn unaccent(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        })
        .collect()
}

/// `s` in lower case, exactly as `str::to_lowercase` gives it, with runs of ASCII copied and
/// lower-cased a run at a time. (The standard library goes a character at a time through its
/// case tables from the first non-ASCII character on, which on a page of prose with one
/// curly quote near the top is nearly all of it.)
pub fn lowercase(s: &str) -> String {
    // Σ lower-cases by its place in the word; the standard library knows how.
    if s.contains('Σ') {
        return s.to_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        let ascii = rest.bytes().take_while(u8::is_ascii).count();
        // `ascii` bytes are whole characters: both slices start at a character.
        let (run, tail) = rest.split_at(ascii);
        let at = out.len();
        out.push_str(run);
        out[at..].make_ascii_lowercase();
        rest = tail;
        if let Some(c) = rest.chars().next() {
            out.extend(c.to_lowercase());
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Lower case, unaccented, white space collapsed: a loose key that only suggests a match.
pub fn fold_key(s: &str) -> String {
    clean(&unaccent(s)).to_lowercase()
}

/// Whether `s` has any Vietnamese diacritic (or any non-ASCII letter).
pub fn has_diacritics(s: &str) -> bool {
    s.nfd().any(|c| is_combining(c) || c == 'đ' || c == 'Đ')
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

/// Initial consonants of a Vietnamese syllable, longest first.
const ONSETS: [&str; 27] = [
    "ngh", "ch", "gh", "gi", "kh", "ng", "nh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
];

/// Final consonants, longest first.
const CODAS: [&str; 8] = ["ch", "ng", "nh", "c", "m", "n", "p", "t"];

/// Vowel nuclei (with their closing glides), without tone marks.
const NUCLEI: [&str; 54] = [
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay", "âu", "ây",
    "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "ôi", "ơi", "oo", "ua", "uâ", "uê", "ui",
    "uô", "uơ", "uy", "ưa", "ưi", "ươ", "ưu", "yê", "iêu", "oai", "oao", "oay", "oeo", "uây",
    "uôi", "uya", "uyê", "uyu", "ươi", "ươu",
];

/// Whether `word` is one Vietnamese syllable (*Nguyễn*, *khuya*, *Đường*): an initial
/// consonant, a vowel nucleus, a final consonant, and at most one tone mark. Loose (it does not
/// check which tones a final allows), but text read in the wrong legacy encoding almost never
/// passes: *HuyÖn*, *Hµ*, *Vieät* do not. Used to tell a file's encoding from its words.
///
/// ```
/// use lantoa_core::text::is_syllable;
/// assert!(is_syllable("Nguyễn") && is_syllable("khuya") && is_syllable("ĐƯỜNG"));
/// assert!(!is_syllable("HuyÖn") && !is_syllable("Vieät") && !is_syllable("hoàà"));
/// ```
pub fn is_syllable(word: &str) -> bool {
    let mut tones = 0;
    let bare: String = word
        .nfd()
        .flat_map(char::to_lowercase)
        .filter(|&c| {
            let tone = is_tone_mark(c);
            tones += usize::from(tone);
            !tone
        })
        .nfc()
        .collect();
    if tones > 1 || bare.is_empty() {
        return false;
    }
    let fits = |rest: &str| {
        CODAS
            .iter()
            .filter_map(|c| rest.strip_suffix(c))
            .chain(std::iter::once(rest))
            .any(|nucleus| NUCLEI.contains(&nucleus))
    };
    ONSETS
        .iter()
        .filter_map(|o| bare.strip_prefix(o))
        .chain(std::iter::once(bare.as_str()))
        .any(fits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_are_written_as_each_language_writes_them() {
        use crate::msg::Lang::{En, Vi};
        assert_eq!(number(7_500_000.0, 0, Vi), "7.500.000");
        assert_eq!(number(7_500_000.0, 0, En), "7,500,000");
        assert_eq!(number(91.8, 1, Vi), "91,8");
        assert_eq!(number(91.8, 1, En), "91.8");
        assert_eq!(number(33.333, 1, Vi), "33,3");
        assert_eq!(number(0.96, 1, Vi), "1");
        assert_eq!(number(100.0, 1, Vi), "100");
        assert_eq!(number(-12.25, 1, Vi), "-12,3");
        assert_eq!(number(-0.01, 1, Vi), "0");
        assert_eq!(number(1234.5678, 2, En), "1,234.57");
        assert_eq!(number(f64::NAN, 1, Vi), "NaN");
        assert_eq!(thousands(1_234_567), "1.234.567");
    }

    proptest! {
        /// Looking up only the runs from U+0300 gives the standard quick check's answer, and
        /// the text composes as the standard composes it.
        #[test]
        fn nfc_is_the_standard_composition(s in prop_oneof![
            "[a-z ]{0,70}[a-zA-Zà-ỹ\u{300}-\u{36f}\u{1100}-\u{1112}\u{1161}-\u{1175}\u{2000}-\u{2135} ]{0,40}",
            // Letters, marks, jamo and syllables interleaved, with text between the runs.
            "([a-eA-E ]|[à-ãạ-ỹ]|[\u{300}-\u{36f}]|[\u{1100}-\u{1112}\u{1161}-\u{1175}\u{11a8}-\u{11c2}]|[\u{ac00}-\u{ac20}]|[\u{2000}-\u{2030}]){0,40}",
        ]) {
            let standard: String = s.nfc().collect();
            prop_assert_eq!(
                is_nfc_fast(&s),
                is_nfc_quick(s.chars()) == unicode_normalization::IsNormalized::Yes
            );
            prop_assert_eq!(nfc(&s), standard);
        }

        /// Lower-casing by runs gives what the standard library gives.
        #[test]
        fn lowercase_is_the_standard_lowercase(s in prop_oneof![any::<String>(), "[a-zA-Z ΣσΑİẠạĐđ“]{0,30}"]) {
            prop_assert_eq!(lowercase(&s), s.to_lowercase());
        }

        /// The block-wise search finds what a byte-by-byte one finds.
        #[test]
        fn the_first_combining_range_byte_is_found(b in proptest::collection::vec(any::<u8>().prop_map(|x| x % 0xCD), 0..200)) {
            prop_assert_eq!(first_at_or_above_cc(&b), b.iter().position(|&c| c >= 0xCC));
        }
    }

    /// Every stable character is in NFC with class 0, and checking around it gives the full
    /// check's answer whatever marks stand either side.
    #[test]
    fn stable_characters_split_the_check_exactly() {
        let stable_chars = (0x1EA0..=0x1EF9u32)
            .chain(0x2010..=0x203F)
            .filter_map(char::from_u32);
        for c in stable_chars {
            assert!(stable(c));
            assert_eq!(unicode_normalization::char::canonical_combining_class(c), 0);
            for m in (0x300..=0x36Fu32).filter_map(char::from_u32) {
                for s in [
                    format!("{c}{m}"),
                    format!("a{m}{c}{m}"),
                    format!("{m}{c}\u{316}{m}"),
                ] {
                    assert_eq!(
                        is_nfc_fast(&s),
                        is_nfc_quick(s.chars()) == unicode_normalization::IsNormalized::Yes,
                        "{s:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn syllables_are_told_from_text_in_the_wrong_encoding() {
        let words = "Phường Hoàn Kiếm Thành phố Hà Nội Nguyễn Thị Thủy huyện Sóc Sơn xã Tân Dân \
            khuya thuở quyết giữa gìn nghiêng Trường Đại học Quốc gia người ngoằn ngoèo oản";
        for w in words.split_whitespace() {
            assert!(is_syllable(w), "{w}");
        }
        // TCVN3 as Latin-1, VNI, Windows-1258 shown as Latin-1, two tones, no vowel.
        for w in [
            "HuyÖn",
            "Hµ",
            "N\u{e9}i",
            "Vieät",
            "Nguyeãn",
            "Vi\u{ea}\u{f2}t",
            "hoàá",
            "bc",
            "x2",
        ] {
            assert!(!is_syllable(w), "{w}");
        }
    }

    #[test]
    fn old_and_new_tone_placement_share_a_key() {
        for (a, b) in [
            ("hòa", "hoà"),
            ("thúy", "thuý"),
            ("khỏe", "khoẻ"),
            ("Xã Chiêm Hoá", "xã  chiêm hóa"),
        ] {
            assert_eq!(tone_key(a), tone_key(b), "{a} vs {b}");
        }
    }

    #[test]
    fn different_tones_and_vowels_keep_different_keys() {
        assert_ne!(tone_key("Hòa"), tone_key("Hóa"));
        assert_ne!(tone_key("Hòa"), tone_key("Hoa"));
        assert_ne!(tone_key("ơ"), tone_key("o"));
        assert_ne!(tone_key("đa"), tone_key("da"));
    }

    #[test]
    fn nfd_input_becomes_nfc() {
        let nfd: String = "Phường Hoàn Kiếm".nfd().collect();
        assert_ne!(nfd, "Phường Hoàn Kiếm");
        assert_eq!(nfc(&nfd), "Phường Hoàn Kiếm");
        assert_eq!(clean(&format!("  {nfd}  ")), "Phường Hoàn Kiếm");
    }

    #[test]
    fn unaccent_handles_d_bar_and_stacked_marks() {
        assert_eq!(unaccent("Đặng Thị Hồng Nhung"), "Dang Thi Hong Nhung");
        assert_eq!(fold_key("  Xã  ỨNG Hòa "), "xa ung hoa");
        assert!(has_diacritics("Hà"));
        assert!(!has_diacritics("Ha Noi"));
    }

    proptest! {
        #[test]
        fn tone_key_is_invariant_under_normal_form(s in "[a-zA-Z àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]{0,30}") {
            let nfd: String = s.nfd().collect();
            prop_assert_eq!(tone_key(&s), tone_key(&nfd));
            prop_assert_eq!(tone_key(&s), tone_key(&s.to_uppercase()));
        }

        #[test]
        fn tone_key_is_idempotent_on_nfc(s in "\\PC{0,40}") {
            let k = tone_key(&s);
            prop_assert_eq!(tone_key(&nfc(&k)), tone_key(&k));
        }

        #[test]
        fn unaccent_leaves_only_base_letters(s in "\\PC{0,40}") {
            let u = unaccent(&s);
            prop_assert!(!u.chars().any(is_combining));
            prop_assert!(!u.contains('đ') && !u.contains('Đ'));
            prop_assert_eq!(unaccent(&u), u.clone());
        }

        #[test]
        fn nfc_is_idempotent(s in "\\PC{0,40}") {
            let once = nfc(&s);
            prop_assert_eq!(nfc(&once), once.clone());
        }
    }
}

/// At most `max` characters of `s`, ending in `…` when cut: what an error message quotes of
/// what it was sent, so that a 200 MB cell does not come back in the answer.
pub fn excerpt(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => std::borrow::Cow::Borrowed(s),
        Some((cut, _)) => std::borrow::Cow::Owned(format!("{}…", &s[..cut])),
    }
}

/// The digits of `n` grouped by thousands with ".", as Vietnamese write numbers
/// (7500000 → "7.500.000").
pub fn thousands(n: u64) -> String {
    grouped(&n.to_string(), '.')
}

/// Decimal `digits` grouped by thousands with `sep`.
fn grouped(digits: &str, sep: char) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// `v` as people reading `lang` write it: rounded to at most `decimals` places (trailing zeros
/// dropped), thousands grouped — Vietnamese `7.500.000` and `91,8`, English `7,500,000` and
/// `91.8`. Not a finite number: as Rust writes it.
pub fn number(v: f64, decimals: u32, lang: crate::msg::Lang) -> String {
    let (sep, point) = match lang {
        crate::msg::Lang::Vi => ('.', ','),
        crate::msg::Lang::En => (',', '.'),
    };
    let scale = 10u128.pow(decimals.min(9));
    // A float beyond u128 (or not finite) is no figure anyone reads; written as it is.
    let scaled = (v.abs() * scale as f64).round();
    if !scaled.is_finite() || scaled >= u128::MAX as f64 {
        return v.to_string();
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let scaled = scaled as u128;
    let (whole, frac) = (scaled / scale, scaled % scale);
    let mut out = String::new();
    if v < 0.0 && scaled > 0 {
        out.push('-');
    }
    out.push_str(&grouped(&whole.to_string(), sep));
    if frac > 0 {
        let width = decimals.min(9) as usize;
        let digits = format!("{frac:0width$}");
        out.push(point);
        out.push_str(digits.trim_end_matches('0'));
    }
    out
}

/// A cell as a spreadsheet can open it without running it (OWASP, "CSV Injection"): text that
/// begins with `=`, `+`, `-`, `@`, a tab or a carriage return, and is not simply a number, is
/// prefixed with `'` so that Excel and LibreOffice read it as text rather than as a formula
/// (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`). Numbers such as `-5` or `+84912345678` stay as they
/// are.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell
        .as_bytes()
        .first()
        .is_some_and(|b| matches!(b, b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'));
    if risky && cell.trim().parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod spreadsheet_tests {
    use super::{excerpt, spreadsheet_safe};

    #[test]
    fn excerpts_cut_on_characters() {
        assert_eq!(excerpt("Hà Nội", 10), "Hà Nội");
        assert_eq!(excerpt("Hà Nội", 2), "Hà…");
        assert_eq!(excerpt(&"x".repeat(5000), 100).chars().count(), 101);
    }

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        for (cell, safe) in [
            (
                "=HYPERLINK(\"http://evil.example\",\"x\")",
                "'=HYPERLINK(\"http://evil.example\",\"x\")",
            ),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            (
                "@SUM(1+1)*cmd|' /C calc'!A0",
                "'@SUM(1+1)*cmd|' /C calc'!A0",
            ),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("\t=1+1", "'\t=1+1"),
            ("-5", "-5"),
            ("+84912345678", "+84912345678"),
            ("-12.5", "-12.5"),
            ("Phường Hoàn Kiếm", "Phường Hoàn Kiếm"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(cell), safe, "{cell:?}");
        }
    }
}
