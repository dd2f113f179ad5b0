//! Text encodings of agencies' files.
//!
//! A file is UTF-8 (with or without BOM) or UTF-16 (by BOM, or by its zero bytes); other bytes
//! are read cell by cell, so one file can mix encodings. A cell that is not UTF-8 is Windows-1258
//! (the Vietnamese Windows code page) unless it reads as TCVN3. Text typed in the two legacy
//! font encodings survives in many spreadsheets, either as bytes or already "converted" to the
//! Latin-1 look-alikes of those bytes (`Hµ Néi` for *Hà Nội*, `Haø Noäi` in VNI):
//!
//! * **TCVN3** (ABC, the `.VnTime` fonts): one byte per precomposed lower-case letter; it is
//!   converted by its table ([`TCVN3`]). Capitals written in the separate upper-case fonts use
//!   the same bytes and so come out lower case; the cleaning of a `name` column capitalises
//!   words again.
//! * **VNI**: a base letter followed by a diacritic byte. It is detected and the cell refused
//!   with `encoding-error`, not guessed at.
//!
//! Detection looks at characters that are not Vietnamese letters (`µ`, `×`, `ø`, `ï`…) and at
//! what precedes them: VNI's marks follow a vowel; TCVN3's letters stand where a vowel would.
//! An accented vowel right after *a* or *e* is VNI too: no Vietnamese cluster has it.
//! When the evidence is even, the cell is refused rather than guessed.

use std::borrow::Cow;
use std::io::Read;

/// TCVN3 (TCVN 5712:1993, ABC/`.VnTime`) bytes and the letters they stand for. Source: the
/// standard's ABC table as used by Vietnamese font converters; lower case, then the seven
/// capitals with their own codes.
pub const TCVN3: [(u8, char); 74] = [
    (0xB5, 'à'),
    (0xB8, 'á'),
    (0xB6, 'ả'),
    (0xB7, 'ã'),
    (0xB9, 'ạ'),
    (0xA8, 'ă'),
    (0xBB, 'ằ'),
    (0xBE, 'ắ'),
    (0xBC, 'ẳ'),
    (0xBD, 'ẵ'),
    (0xC6, 'ặ'),
    (0xA9, 'â'),
    (0xC7, 'ầ'),
    (0xCA, 'ấ'),
    (0xC8, 'ẩ'),
    (0xC9, 'ẫ'),
    (0xCB, 'ậ'),
    (0xAE, 'đ'),
    (0xCC, 'è'),
    (0xD0, 'é'),
    (0xCE, 'ẻ'),
    (0xCF, 'ẽ'),
    (0xD1, 'ẹ'),
    (0xAA, 'ê'),
    (0xD2, 'ề'),
    (0xD5, 'ế'),
    (0xD3, 'ể'),
    (0xD4, 'ễ'),
    (0xD6, 'ệ'),
    (0xD7, 'ì'),
    (0xDD, 'í'),
    (0xD8, 'ỉ'),
    (0xDC, 'ĩ'),
    (0xDE, 'ị'),
    (0xDF, 'ò'),
    (0xE3, 'ó'),
    (0xE1, 'ỏ'),
    (0xE2, 'õ'),
    (0xE4, 'ọ'),
    (0xAB, 'ô'),
    (0xE5, 'ồ'),
    (0xE8, 'ố'),
    (0xE6, 'ổ'),
    (0xE7, 'ỗ'),
    (0xE9, 'ộ'),
    (0xAC, 'ơ'),
    (0xEA, 'ờ'),
    (0xED, 'ớ'),
    (0xEB, 'ở'),
    (0xEC, 'ỡ'),
    (0xEE, 'ợ'),
    (0xEF, 'ù'),
    (0xF3, 'ú'),
    (0xF1, 'ủ'),
    (0xF2, 'ũ'),
    (0xF4, 'ụ'),
    (0xAD, 'ư'),
    (0xF5, 'ừ'),
    (0xF8, 'ứ'),
    (0xF6, 'ử'),
    (0xF7, 'ữ'),
    (0xF9, 'ự'),
    (0xFA, 'ỳ'),
    (0xFD, 'ý'),
    (0xFB, 'ỷ'),
    (0xFC, 'ỹ'),
    (0xFE, 'ỵ'),
    (0xA1, 'Ă'),
    (0xA2, 'Â'),
    (0xA7, 'Đ'),
    (0xA3, 'Ê'),
    (0xA4, 'Ô'),
    (0xA5, 'Ơ'),
    (0xA6, 'Ư'),
];

/// VNI's diacritic and letter bytes that are not Vietnamese letters themselves.
const VNI_MARKS: &str = "øûïäåëüæöñØÛÏÄÅËÜÆÖÑ";

/// Vietnamese letters in the Latin-1 range: text with only these is ordinary Unicode.
const VIETNAMESE_LATIN1: &str = "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý";

fn tcvn3_char(b: u8) -> Option<char> {
    TCVN3.iter().find(|(x, _)| *x == b).map(|(_, c)| *c)
}

/// The encoding of a whole file, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileEncoding {
    /// UTF-8 or single-byte text, read cell by cell.
    Utf8,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// UTF-16, little-endian.
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
}

impl FileEncoding {
    /// Tells the encoding from the first bytes of a file.
    pub fn sniff(head: &[u8]) -> Self {
        match head {
            [0xEF, 0xBB, 0xBF, ..] => Self::Utf8Bom,
            [0xFF, 0xFE, ..] => Self::Utf16Le,
            [0xFE, 0xFF, ..] => Self::Utf16Be,
            _ => {
                // UTF-16 without a BOM: ASCII text has a zero in every other byte.
                let n = head.len().min(4096) / 2 * 2;
                if n >= 8 {
                    let (even, odd) = head[..n].chunks(2).fold((0, 0), |(e, o), p| {
                        (e + usize::from(p[0] == 0), o + usize::from(p[1] == 0))
                    });
                    if odd * 10 >= n / 2 * 4 && even == 0 {
                        return Self::Utf16Le;
                    }
                    if even * 10 >= n / 2 * 4 && odd == 0 {
                        return Self::Utf16Be;
                    }
                }
                Self::Utf8
            }
        }
    }

    /// A reader giving the file as UTF-8 bytes (BOM removed).
    pub fn reader<'a>(self, inner: impl Read + 'a) -> Box<dyn Read + 'a> {
        let enc = match self {
            Self::Utf8 => return Box::new(inner),
            Self::Utf8Bom => encoding_rs::UTF_8,
            Self::Utf16Le => encoding_rs::UTF_16LE,
            Self::Utf16Be => encoding_rs::UTF_16BE,
        };
        Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(enc))
                .bom_override(true)
                .build(inner),
        )
    }
}

/// Which legacy encoding a cell was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Legacy {
    /// Bytes of the Windows-1258 code page.
    Windows1258,
    /// TCVN3 (ABC), converted.
    Tcvn3,
}

/// A cell that cannot be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodingProblem {
    /// Typed in the VNI font encoding.
    #[error("{}", lantoa_core::Describe::message(self))]
    Vni,
    /// A legacy encoding that cannot be told apart.
    #[error("{}", lantoa_core::Describe::message(self))]
    Ambiguous,
}

impl lantoa_core::Describe for EncodingProblem {
    fn message(&self) -> lantoa_core::Msg {
        lantoa_core::Msg::new(match self {
            Self::Vni => "cell-vni",
            Self::Ambiguous => "cell-legacy-encoding",
        })
    }
}

/// A cell's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// The text (not yet normalised).
    pub text: Cow<'a, str>,
    /// The legacy encoding it was converted from, if any.
    pub legacy: Option<Legacy>,
}

/// Reads one cell's bytes as text.
pub fn cell(bytes: &[u8]) -> Result<Decoded<'_>, EncodingProblem> {
    match std::str::from_utf8(bytes) {
        Ok(s) => text(s),
        Err(_) => match judge(bytes.iter().map(|&b| char::from(b))) {
            Verdict::Tcvn3 => Ok(Decoded {
                text: Cow::Owned(tcvn3_reading(&as_given(bytes))),
                legacy: Some(Legacy::Tcvn3),
            }),
            Verdict::Vni => Err(EncodingProblem::Vni),
            Verdict::Ambiguous => Err(EncodingProblem::Ambiguous),
            Verdict::Unicode => {
                let (text, _, _) = encoding_rs::WINDOWS_1258.decode(bytes);
                Ok(Decoded {
                    text: Cow::Owned(text.into_owned()),
                    legacy: Some(Legacy::Windows1258),
                })
            }
        },
    }
}

/// Reads one cell already known to be UTF-8: Unicode text, or TCVN3 bytes that went through a
/// Latin-1 reading (converted), or VNI (refused).
pub fn text(s: &str) -> Result<Decoded<'_>, EncodingProblem> {
    if plainly_unicode(s.as_bytes()) {
        return Ok(Decoded {
            text: Cow::Borrowed(s),
            legacy: None,
        });
    }
    match judge(s.chars()) {
        Verdict::Unicode => Ok(Decoded {
            text: Cow::Borrowed(s),
            legacy: None,
        }),
        Verdict::Tcvn3 => Ok(Decoded {
            text: Cow::Owned(tcvn3_reading(s)),
            legacy: Some(Legacy::Tcvn3),
        }),
        Verdict::Vni => Err(EncodingProblem::Vni),
        Verdict::Ambiguous => Err(EncodingProblem::Ambiguous),
    }
}

/// Whether the Latin-1 letters `c` (U+00A0–U+00FF) is one Vietnamese writes with (à, á, â,
/// ã, è, é, ê, ì, í, ò, ó, ô, õ, ù, ú, ý and their capitals): [`VIETNAMESE_LATIN1`] as a match.
fn vietnamese_latin1(c: u32) -> bool {
    matches!(
        c & !0x20,
        0xC0..=0xC3 | 0xC8..=0xCA | 0xCC | 0xCD | 0xD2..=0xD5 | 0xD9 | 0xDA | 0xDD
    )
}

/// Whether UTF-8 `b` shows none of the signs `judge` counts: every Latin-1 letter in it is
/// one Vietnamese uses and none follows an `a` or `e` (VNI's mark after its base letter).
/// Decided on bytes, this answers almost every cell without decoding it; the rest go to
/// `judge`.
pub fn plainly_unicode(b: &[u8]) -> bool {
    // A plain loop, eight ASCII bytes at a step: a vectorised search costs more to start than it
    // saves on a row.
    use crate::swar::{has_zero_byte, splat, word_at};
    let mut i = 0;
    while i < b.len() {
        // Eight bytes at a time while none is the lead byte of a Latin-1 letter (0xC2 or
        // 0xC3; Vietnamese's other letters are further on, and ASCII never is).
        if let Some(w) = word_at(b, i)
            && !has_zero_byte((w & splat(0xFE)) ^ splat(0xC2))
        {
            i += 8;
            continue;
        }
        match latin1_step(b, i) {
            Some(step) => i += step,
            None => return false,
        }
    }
    true
}

/// How far past byte `i` of `b` to go on, or none when it begins a sign of a legacy encoding
/// (a Latin-1 letter Vietnamese does not use, or one after an `a` or `e`, VNI's mark after its
/// base letter).
fn latin1_step(b: &[u8], i: usize) -> Option<usize> {
    let lead = b[i];
    if lead & 0xFE != 0xC2 {
        return Some(1);
    }
    let next = *b.get(i + 1)?;
    let c = (u32::from(lead & 0x1F) << 6) | u32::from(next & 0x3F);
    let sign = c >= 0xA0
        && (!vietnamese_latin1(c) || (i > 0 && matches!(b[i - 1], b'a' | b'e' | b'A' | b'E')));
    (!sign).then_some(2)
}

enum Verdict {
    Unicode,
    Tcvn3,
    Vni,
    Ambiguous,
}

fn judge(chars: impl Iterator<Item = char>) -> Verdict {
    let (mut tcvn, mut vni) = (0u32, 0u32);
    let mut prev = ' ';
    for c in chars {
        let high = ('\u{a0}'..='\u{ff}').contains(&c);
        // Vietnamese vowel clusters that begin with a or e go on with i, o, u or y only, so
        // "a"/"e" followed by an accented vowel is VNI's mark after its base letter
        // ("Nguyeãn", "Vaên").
        if high && "aeAE".contains(prev) && c.is_alphabetic() {
            vni += 1;
        } else if high && !VIETNAMESE_LATIN1.contains(c) {
            let after_vowel = "aeiouyAEIOUY".contains(prev);
            let vni_mark = VNI_MARKS.contains(c);
            if vni_mark && (after_vowel || "öÖñÑ".contains(c)) {
                vni += 1;
            }
            if u8::try_from(u32::from(c))
                .ok()
                .and_then(tcvn3_char)
                .is_some()
                && !after_vowel
            {
                tcvn += 1;
            }
        }
        prev = c;
    }
    match (tcvn, vni) {
        (0, 0) => Verdict::Unicode,
        (t, v) if t > v => Verdict::Tcvn3,
        (t, v) if v > t => Verdict::Vni,
        _ => Verdict::Ambiguous,
    }
}

/// How a file's text that is not plain Unicode is to be read, decided from all of the file's
/// words ([`Vote`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reading {
    /// TCVN3 (ABC): bytes, or their Latin-1 look-alikes, converted.
    Tcvn3,
    /// VNI: refused cell by cell, as ever.
    Vni,
    /// Windows-1258 bytes; text in UTF-8 is Unicode.
    Windows1258,
}

impl Reading {
    /// Its name in an upload's report.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tcvn3 => "tcvn3",
            Self::Vni => "vni",
            Self::Windows1258 => "windows-1258",
        }
    }
}

/// VNI's marks: the byte (as a Latin-1 letter, lower case) and the combining marks it adds to
/// the letter before it. Source: the VNI Windows font encoding as documented by Vietnamese
/// font converters (circumflex and breve combine with a tone in one byte).
const VNI_MARK_TABLE: [(char, &str); 17] = [
    ('ù', "\u{301}"),
    ('ø', "\u{300}"),
    ('û', "\u{309}"),
    ('õ', "\u{303}"),
    ('ï', "\u{323}"),
    ('â', "\u{302}"),
    ('á', "\u{302}\u{301}"),
    ('à', "\u{302}\u{300}"),
    ('å', "\u{302}\u{309}"),
    ('ã', "\u{302}\u{303}"),
    ('ä', "\u{302}\u{323}"),
    ('ê', "\u{306}"),
    ('é', "\u{306}\u{301}"),
    ('è', "\u{306}\u{300}"),
    ('ú', "\u{306}\u{309}"),
    ('ü', "\u{306}\u{303}"),
    ('ë', "\u{306}\u{323}"),
];

/// VNI's letters of their own (as Latin-1 letters, lower case).
const VNI_LETTERS: [(char, char); 8] = [
    ('ö', 'ư'),
    ('ô', 'ơ'),
    ('ñ', 'đ'),
    ('ò', 'ị'),
    ('æ', 'ỉ'),
    ('ó', 'ĩ'),
    ('í', 'í'),
    ('ì', 'ì'),
];

/// `chars` (bytes as Latin-1 letters) read as VNI, lower case: for telling the encoding only.
fn vni_reading(chars: &str) -> String {
    let mut out = String::with_capacity(chars.len() + 4);
    for c in chars.chars().flat_map(char::to_lowercase) {
        if let Some((_, marks)) = VNI_MARK_TABLE.iter().find(|(m, _)| *m == c)
            && out.chars().last().is_some_and(|p| p.is_ascii_alphabetic())
        {
            out.push_str(marks);
        } else if let Some((_, l)) = VNI_LETTERS.iter().find(|(m, _)| *m == c) {
            out.push(*l);
        } else {
            out.push(c);
        }
    }
    out
}

/// `chars` with each Latin-1 character read as the TCVN3 byte it is.
fn tcvn3_reading(chars: &str) -> String {
    chars
        .chars()
        .map(|c| {
            u8::try_from(u32::from(c))
                .ok()
                .and_then(tcvn3_char)
                .unwrap_or(c)
        })
        .collect()
}

/// The evidence of a whole file: words that are Vietnamese in one reading only, counted per
/// reading. Words in plain Unicode are passed over (they are no evidence of a legacy encoding),
/// so the count costs little on an ordinary file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Vote {
    /// Words that are Vietnamese only as TCVN3.
    pub tcvn3: u64,
    /// Only as VNI.
    pub vni: u64,
    /// Only as Windows-1258 bytes (or, in UTF-8, as the Unicode they are).
    pub windows_1258: u64,
    /// Bytes seen.
    pub bytes: u64,
    /// A word cut at the end of the last block, carried to the next.
    #[serde(skip)]
    carry: Vec<u8>,
}

/// Whether `b` may be part of a word (a letter, or any byte of a non-ASCII character).
fn word_byte(b: u8) -> bool {
    b >= 0x80 || b.is_ascii_alphabetic()
}

impl Vote {
    /// Counts the words of the next block of the file (blocks may cut words: the cut word is
    /// carried over).
    pub fn feed(&mut self, block: &[u8]) {
        self.bytes += block.len() as u64;
        let Some(cut) = block.iter().rposition(|&b| !word_byte(b)).map(|i| i + 1) else {
            // No word ends in this block: all of it goes on the cut word.
            self.carry.extend_from_slice(block);
            return;
        };
        let mut carry = std::mem::take(&mut self.carry);
        carry.extend_from_slice(&block[..cut]);
        self.words(&carry);
        carry.clear();
        carry.extend_from_slice(&block[cut..]);
        self.carry = carry;
    }

    /// Counts the words of the last, cut block.
    pub fn finish(&mut self) {
        let rest = std::mem::take(&mut self.carry);
        self.words(&rest);
    }

    fn words(&mut self, text: &[u8]) {
        // Most blocks of most files are plain Unicode throughout: passed over at once.
        if !text.iter().any(|&b| b >= 0x80)
            || (simdutf8::basic::from_utf8(text).is_ok() && plainly_unicode(text))
        {
            return;
        }
        for word in text.split(|&b| !word_byte(b)) {
            if word.iter().all(u8::is_ascii) {
                continue;
            }
            let (chars, utf8): (Cow<'_, str>, bool) = match std::str::from_utf8(word) {
                Ok(_) if plainly_unicode(word) => continue,
                Ok(s) => (Cow::Borrowed(s), true),
                Err(_) => (word.iter().map(|&b| char::from(b)).collect(), false),
            };
            let as_is = if utf8 {
                lantoa_core::text::is_syllable(&chars)
            } else {
                lantoa_core::text::is_syllable(&encoding_rs::WINDOWS_1258.decode(word).0)
            };
            let tcvn3 = lantoa_core::text::is_syllable(&tcvn3_reading(&chars));
            let vni = lantoa_core::text::is_syllable(&vni_reading(&chars));
            match (as_is, tcvn3, vni) {
                (true, false, false) => self.windows_1258 += 1,
                (false, true, false) => self.tcvn3 += 1,
                (false, false, true) => self.vni += 1,
                _ => {}
            }
        }
    }

    /// The reading with at least twice the words of any other; `None` when no word tells, or
    /// the evidence is close (then each cell is judged on its own).
    pub fn decide(&self) -> Option<Reading> {
        let mut all = [
            (self.tcvn3, Reading::Tcvn3),
            (self.vni, Reading::Vni),
            (self.windows_1258, Reading::Windows1258),
        ];
        all.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
        (all[0].0 > 0 && all[0].0 >= 2 * all[1].0).then_some(all[0].1)
    }
}

/// Reads one cell's bytes in a file decided to be in `reading` (see [`cell`] for a file with
/// no decision): the file's reading is applied to every cell that is not plain Unicode.
pub fn cell_in(bytes: &[u8], reading: Option<Reading>) -> Result<Decoded<'_>, EncodingProblem> {
    let Some(reading) = reading else {
        return cell(bytes);
    };
    let utf8 = std::str::from_utf8(bytes);
    if let Ok(s) = utf8
        && plainly_unicode(bytes)
    {
        return Ok(Decoded {
            text: Cow::Borrowed(s),
            legacy: None,
        });
    }
    match reading {
        Reading::Tcvn3 => Ok(Decoded {
            text: Cow::Owned(tcvn3_reading(&as_given(bytes))),
            legacy: Some(Legacy::Tcvn3),
        }),
        Reading::Vni => Err(EncodingProblem::Vni),
        Reading::Windows1258 if utf8.is_err() => Ok(Decoded {
            text: Cow::Owned(encoding_rs::WINDOWS_1258.decode(bytes).0.into_owned()),
            legacy: Some(Legacy::Windows1258),
        }),
        // Unicode text with signs of look-alikes in a Windows-1258 file: judged on its own.
        Reading::Windows1258 => cell(bytes),
    }
}

/// A cell that could not be read, as it was given: its bytes one character each (Latin-1), so
/// the owner sees their own text (*Vieät Nam*), never U+FFFD, and the bytes can be had back.
pub fn as_given(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_test_for_vietnamese_latin1_letters_agrees_with_the_list() {
        for c in 0xA0u32..=0xFF {
            let ch = char::from_u32(c).unwrap();
            assert_eq!(vietnamese_latin1(c), VIETNAMESE_LATIN1.contains(ch), "{ch}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_byte_test_never_passes_what_judge_would_flag(
            s in "[aeAEnNguyễôơưđàáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝøûïäåëüæöñµ\u{a0}-\u{ff} ]{0,24}"
        ) {
            if plainly_unicode(s.as_bytes()) {
                proptest::prop_assert!(matches!(judge(s.chars()), Verdict::Unicode), "{}", s);
            }
        }
    }

    #[test]
    fn the_byte_test_answers_unicode_only_where_judge_would() {
        for s in [
            "Nguyễn Thị Hòa",
            "Hà Nội",
            "ÀÁÂÃ",
            "Vaên",
            "Nguyeãn",
            "Hµ Néi",
            "caf\u{e9}",
            "ae\u{e0}",
            "x\u{a0}y",
            "\u{85}",
        ] {
            if plainly_unicode(s.as_bytes()) {
                assert!(matches!(judge(s.chars()), Verdict::Unicode), "{s}");
            }
        }
        assert!(plainly_unicode("Nguyễn Thị Hòa, Hà Nội".as_bytes()));
        assert!(!plainly_unicode("Vaên".as_bytes()));
    }

    fn text(bytes: &[u8]) -> String {
        cell(bytes).unwrap().text.into_owned()
    }

    /// [`plainly_unicode`] one byte at a time, as it reads without its eight-byte steps.
    fn plainly_unicode_bytewise(b: &[u8]) -> bool {
        let mut i = 0;
        while i < b.len() {
            match latin1_step(b, i) {
                Some(step) => i += step,
                None => return false,
            }
        }
        true
    }

    proptest::proptest! {
        #[test]
        fn the_eight_byte_steps_decide_as_the_bytewise_reading(
            b in proptest::collection::vec(proptest::prop_oneof![
                proptest::prelude::any::<u8>(),
                proptest::sample::select(vec![0xC2u8, 0xC3, b'a', b'e', 0xA0, 0xA9, 0xB2, 0xE1, 0xBB]),
            ], 0..40),
            text in "[a-zA-Z àáâãèéêìíòóôõùúýăđĩũơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ©®°±]{0,30}",
        ) {
            proptest::prop_assert_eq!(plainly_unicode(&b), plainly_unicode_bytewise(&b));
            proptest::prop_assert_eq!(
                plainly_unicode(text.as_bytes()),
                plainly_unicode_bytewise(text.as_bytes())
            );
        }
    }

    #[test]
    fn unicode_passes_untouched() {
        assert_eq!(text("Phường Hoàn Kiếm".as_bytes()), "Phường Hoàn Kiếm");
        assert_eq!(text("Bé Thúy".as_bytes()), "Bé Thúy");
        assert_eq!(text(b"Ha Noi"), "Ha Noi");
    }

    #[test]
    fn tcvn3_bytes_and_look_alikes_are_converted() {
        // "Hà Nội" and "Ninh Bình" in TCVN3 bytes.
        assert_eq!(
            text(b"H\xb5 N\xe9i"),
            "hà nội".replace('h', "H").replace('n', "N")
        );
        let c = cell(b"Ninh B\xd7nh").unwrap();
        assert_eq!(c.text, "Ninh Bình");
        assert_eq!(c.legacy, Some(Legacy::Tcvn3));
        // The same bytes already turned into Latin-1 look-alikes in a Unicode file.
        assert_eq!(text("Hµ Néi".as_bytes()), "Hà Nội");
        assert_eq!(text("§\u{AD}êng Gi¶i Phãng".as_bytes()), "Đường Giải Phóng");
    }

    #[test]
    fn vni_is_refused_not_guessed() {
        assert_eq!(cell("Haø Noäi".as_bytes()), Err(EncodingProblem::Vni));
        assert_eq!(cell(b"Vie\xe4t Nam"), Err(EncodingProblem::Vni));
        assert_eq!(
            cell("Nguyeãn Vaên Ba".as_bytes()),
            Err(EncodingProblem::Vni)
        );
        // New-style tone placement is Unicode, not VNI.
        assert_eq!(text("Hoà Quý Khuê".as_bytes()), "Hoà Quý Khuê");
    }

    #[test]
    fn other_bytes_are_windows_1258() {
        // "Việt" in Windows-1258: V i ê + combining dot below (0xF2) t.
        let c = cell(b"Vi\xea\xf2t").unwrap();
        assert_eq!(c.legacy, Some(Legacy::Windows1258));
        assert_eq!(
            lantoa_core::text::nfc(&c.text),
            "Việt",
            "decoded then normalised"
        );
    }

    #[test]
    fn file_encodings_are_told_by_bom_and_zero_bytes() {
        assert_eq!(
            FileEncoding::sniff(b"\xef\xbb\xbfa,b"),
            FileEncoding::Utf8Bom
        );
        assert_eq!(FileEncoding::sniff(b"\xff\xfea\0"), FileEncoding::Utf16Le);
        assert_eq!(
            FileEncoding::sniff(b"a\0,\0b\0\n\0c\0"),
            FileEncoding::Utf16Le
        );
        assert_eq!(
            FileEncoding::sniff(b"\0a\0,\0b\0\n\0c"),
            FileEncoding::Utf16Be
        );
        assert_eq!(FileEncoding::sniff(b"a,b\nc,d\n"), FileEncoding::Utf8);
        let mut out = String::new();
        FileEncoding::Utf16Le
            .reader(&b"\xff\xfeH\0\xe0\0"[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "Hà");
    }

    fn vote(text: &[u8]) -> Vote {
        let mut v = Vote::default();
        v.feed(text);
        v.finish();
        v
    }

    /// Look-alikes of TCVN3 in a Unicode file ("HuyÖn" alone passes for VNI) are read as TCVN3
    /// once the file's words are counted; a block boundary inside a word changes nothing.
    #[test]
    fn a_files_words_decide_its_reading() {
        let text = "Huy\u{d6}n S\u{f3}c S\u{a5}n,X\u{b7} T\u{a9}n D\u{a9}n,H\u{b5} N\u{e9}i\n";
        let whole = vote(text.as_bytes());
        assert_eq!(whole.decide(), Some(Reading::Tcvn3), "{whole:?}");
        let mut bytewise = Vote::default();
        for b in text.as_bytes() {
            bytewise.feed(std::slice::from_ref(b));
        }
        // A word cut twice (found by the fuzz target): counted once, whole.
        let mut cut = Vote::default();
        for part in [&b"Hu"[..], b"y\xd6", b"n Ha\xf8"] {
            cut.feed(part);
        }
        cut.finish();
        assert_eq!(
            (cut.tcvn3, cut.vni),
            (vote(b"Huy\xd6n Ha\xf8").tcvn3, vote(b"Huy\xd6n Ha\xf8").vni)
        );
        bytewise.finish();
        assert_eq!(
            (bytewise.tcvn3, bytewise.vni, bytewise.windows_1258),
            (whole.tcvn3, whole.vni, whole.windows_1258)
        );
        assert_eq!(
            cell_in("Huy\u{d6}n".as_bytes(), whole.decide())
                .unwrap()
                .text,
            "Huyện"
        );
        // Bytes of a Windows-1258 file are read as such even where a cell alone looks TCVN3.
        assert_eq!(
            cell_in(b"\xb5", Some(Reading::Windows1258)).unwrap().text,
            "µ"
        );
        assert_eq!(cell(b"\xb5").unwrap().legacy, Some(Legacy::Tcvn3));
        // Per cell, the same text is taken for VNI.
        assert_eq!(cell("Huy\u{d6}n".as_bytes()), Err(EncodingProblem::Vni));
        // Plain Unicode is no evidence; Windows-1258 bytes are.
        assert_eq!(vote("Phường Hoàn Kiếm, Hà Nội".as_bytes()).decide(), None);
        assert_eq!(
            vote(b"Vi\xea\xf2t Nam, H\xe0 N\xf4\xf2i, Ph\xfd\xf5\xccng").decide(),
            Some(Reading::Windows1258)
        );
        // Close evidence decides nothing: each cell is judged alone.
        let mixed = Vote {
            tcvn3: 3,
            vni: 2,
            ..Vote::default()
        };
        assert_eq!(mixed.decide(), None);
    }
}
