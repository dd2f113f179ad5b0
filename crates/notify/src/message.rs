//! SMS text: its encoding, its segments, its unaccented variant and its template fields.
//!
//! A text every character of which is in the GSM 03.38 alphabet (with its extension table,
//! whose characters cost two septets) goes as GSM-7: 160 septets in one message, 153 per part
//! once it is split (the 6-octet UDH `05 00 03 ref total seq` takes the rest). Anything else goes
//! as UCS-2: 70 UTF-16 units in one message, 67 per part. Vietnamese with its diacritics is
//! almost always UCS-2 (ă â đ ê ô ơ ư and most tone-marked vowels are not in GSM 03.38), so the
//! same notice costs about twice the segments it costs unaccented; [`unaccented`] gives that
//! variant for the author to weigh. Parts never split an escape pair or a surrogate pair.

use unicode_normalization::UnicodeNormalization;

/// How a text is encoded on the air.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// GSM 03.38, 7-bit (SMPP data_coding 0).
    Gsm7,
    /// UCS-2 (SMPP data_coding 8).
    Ucs2,
}

impl Encoding {
    /// The SMPP `data_coding` value.
    pub fn data_coding(self) -> u8 {
        match self {
            Encoding::Gsm7 => 0,
            Encoding::Ucs2 => 8,
        }
    }

    /// Units in a message of one part, and per part of a longer one.
    pub fn capacity(self) -> (usize, usize) {
        match self {
            Encoding::Gsm7 => (160, 153),
            Encoding::Ucs2 => (70, 67),
        }
    }
}

/// GSM 03.38's basic table (one septet each), escape excluded.
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// GSM 03.38's extension table (escape + one septet: two each).
const GSM_EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// Septets `c` costs in GSM-7, or `None` if it has no GSM-7 form.
pub fn gsm_septets(c: char) -> Option<usize> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// What a text costs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Cost {
    /// The encoding it needs.
    pub encoding: Encoding,
    /// Characters as the reader counts them.
    pub chars: usize,
    /// Units on the air: septets for GSM-7, UTF-16 units for UCS-2.
    pub units: usize,
    /// Messages it goes as (1 when it fits in one).
    pub segments: usize,
    /// Characters that force UCS-2 (empty for GSM-7), each once, in order of appearance.
    pub non_gsm: Vec<char>,
}

/// The encoding, size and segments of `text`.
pub fn cost(text: &str) -> Cost {
    let mut non_gsm = Vec::new();
    for c in text.chars() {
        if gsm_septets(c).is_none() && !non_gsm.contains(&c) {
            non_gsm.push(c);
        }
    }
    let encoding = if non_gsm.is_empty() {
        Encoding::Gsm7
    } else {
        Encoding::Ucs2
    };
    let units_of = |c: char| match encoding {
        Encoding::Gsm7 => gsm_septets(c).unwrap_or(1),
        Encoding::Ucs2 => c.len_utf16(),
    };
    let units: usize = text.chars().map(units_of).sum();
    let (single, part) = encoding.capacity();
    let segments = if units <= single {
        1
    } else {
        // Greedy, as the parts are cut: a character never straddles two parts.
        let mut parts = 1;
        let mut used = 0;
        for c in text.chars() {
            let u = units_of(c);
            if used + u > part {
                parts += 1;
                used = 0;
            }
            used += u;
        }
        parts
    };
    Cost {
        encoding,
        chars: text.chars().count(),
        units,
        segments,
        non_gsm,
    }
}

/// The text cut into the parts it is sent as (each within its encoding's part capacity), in
/// order; one part when it fits in one message.
pub fn parts(text: &str) -> Vec<String> {
    let c = cost(text);
    if c.segments == 1 {
        return vec![text.to_owned()];
    }
    let (_, cap) = c.encoding.capacity();
    let mut out = vec![String::new()];
    let mut used = 0;
    for ch in text.chars() {
        let u = match c.encoding {
            Encoding::Gsm7 => gsm_septets(ch).unwrap_or(1),
            Encoding::Ucs2 => ch.len_utf16(),
        };
        if used + u > cap {
            out.push(String::new());
            used = 0;
        }
        used += u;
        if let Some(last) = out.last_mut() {
            last.push(ch);
        }
    }
    out
}

/// The octets of one part as it goes in `short_message`: GSM-7 one septet per octet (SMPP's
/// default alphabet, unpacked; extension characters as escape `0x1B` and their code), UCS-2 as
/// big-endian UTF-16.
pub fn encode(part: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Ucs2 => part.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        Encoding::Gsm7 => {
            let mut out = Vec::with_capacity(part.len());
            for c in part.chars() {
                if let Some(i) = GSM_BASIC.chars().position(|b| b == c) {
                    // The basic table skips the escape code 0x1B.
                    out.push(if i < 0x1B { i as u8 } else { i as u8 + 1 });
                } else if let Some(i) = GSM_EXTENSION.chars().position(|b| b == c) {
                    out.push(0x1B);
                    out.push(GSM_EXTENSION_CODES[i]);
                } else {
                    // Never reached for a text whose cost chose GSM-7; '?' rather than drop it.
                    out.push(0x3F);
                }
            }
            out
        }
    }
}

/// The codes of [`GSM_EXTENSION`]'s characters after the escape, in its order.
const GSM_EXTENSION_CODES: [u8; 10] = [0x0A, 0x14, 0x28, 0x29, 0x2F, 0x3C, 0x3D, 0x3E, 0x40, 0x65];

/// `text` as the octets of each part it is sent as, with the encoding they are in.
pub fn encoded_parts(text: &str) -> (Encoding, Vec<Vec<u8>>) {
    let encoding = cost(text).encoding;
    let parts = parts(text).iter().map(|p| encode(p, encoding)).collect();
    (encoding, parts)
}

/// `text` without Vietnamese diacritics (`Phòng chống sốt xuất huyết` → `Phong chong sot xuat
/// huyet`; `đ` → `d`), and any other character GSM-7 lacks replaced by its unaccented base
/// letter when it has one.
pub fn unaccented(text: &str) -> String {
    text.nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        })
        .collect::<String>()
        .nfc()
        .collect()
}

/// One word of a text beside its unaccented form.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WordChange {
    /// The word as written.
    pub before: String,
    /// The word without diacritics.
    pub after: String,
    /// Whether they differ.
    pub changed: bool,
}

/// The words of `text` beside their unaccented forms, for showing what dropping diacritics
/// changes. Dropping them maps character to character, so the words pair one to one.
pub fn unaccented_diff(text: &str) -> Vec<WordChange> {
    text.split_whitespace()
        .map(|w| {
            let after = unaccented(w);
            WordChange {
                changed: after != w,
                before: w.to_owned(),
                after,
            }
        })
        .collect()
}

/// A template's fields: `{ten}`, `{phuong_xa}`…; `{{` and `}}` stand for braces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
    /// Whether its own text is all GSM-7 (written without diacritics).
    plain: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(String),
}

/// What is wrong with a template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// The text is empty or blank.
    #[error("{}", lantoa_core::Describe::message(self))]
    Empty,
    /// A `{` with no `}`.
    #[error("{}", lantoa_core::Describe::message(self))]
    Unclosed(usize),
    /// A `}` with no `{`.
    #[error("{}", lantoa_core::Describe::message(self))]
    Stray(usize),
    /// A field the recipients do not have.
    #[error("{}", lantoa_core::Describe::message(self))]
    Unknown {
        /// The field as written.
        field: String,
        /// The fields there are.
        known: String,
    },
}

impl lantoa_core::Describe for TemplateError {
    fn message(&self) -> lantoa_core::Msg {
        use lantoa_core::Msg;
        match self {
            Self::Empty => Msg::new("template-empty"),
            Self::Unclosed(at) => Msg::new("template-unclosed").arg("at", at),
            Self::Stray(at) => Msg::new("template-stray").arg("at", at),
            Self::Unknown { field, known } => Msg::new("template-unknown-field")
                .arg("field", format!("{{{field}}}"))
                .arg("known", known),
        }
    }
}

/// The fields a recipient has.
pub const FIELDS: [&str; 3] = ["ten", "phuong_xa", "so_dien_thoai"];

impl Template {
    /// Whether its own text is written without diacritics (all GSM-7): what is filled into its
    /// fields then loses its diacritics too, so the message stays GSM-7 as its author chose.
    pub fn plain(&self) -> bool {
        self.plain
    }

    /// Reads `text`, refusing unknown fields.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        if text.trim().is_empty() {
            return Err(TemplateError::Empty);
        }
        let mut pieces = Vec::new();
        let mut buf = String::new();
        let mut chars = text.chars().enumerate().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|p| p.1) == Some('{') => {
                    chars.next();
                    buf.push('{');
                }
                '}' if chars.peek().map(|p| p.1) == Some('}') => {
                    chars.next();
                    buf.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for (_, d) in chars.by_ref() {
                        if d == '}' {
                            closed = true;
                            break;
                        }
                        name.push(d);
                    }
                    if !closed {
                        return Err(TemplateError::Unclosed(i + 1));
                    }
                    let name = name.trim().to_owned();
                    if !FIELDS.contains(&name.as_str()) {
                        return Err(TemplateError::Unknown {
                            field: name,
                            known: FIELDS.map(|f| format!("{{{f}}}")).join(", "),
                        });
                    }
                    if !buf.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut buf)));
                    }
                    pieces.push(Piece::Field(name));
                }
                '}' => return Err(TemplateError::Stray(i + 1)),
                other => buf.push(other),
            }
        }
        if !buf.is_empty() {
            pieces.push(Piece::Text(buf));
        }
        let plain = pieces.iter().all(|p| match p {
            Piece::Text(t) => cost(t).encoding == Encoding::Gsm7,
            Piece::Field(_) => true,
        });
        Ok(Self { pieces, plain })
    }

    /// Whether the text has fields (so each recipient's message may differ in length).
    pub fn has_fields(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Field(_)))
    }

    /// The text for one recipient; `value` gives a field's value ("" when the recipient has
    /// none).
    pub fn render(&self, value: impl Fn(&str) -> String) -> String {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Field(f) => out.push_str(&value(f)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_encoded_as_gsm_03_38_codes_or_utf16_big_endian() {
        // Codes from GSM 03.38: '@' 0x00, 'Δ' 0x10, 'Æ' 0x1C (after the escape), 'É' 0x1F,
        // 'A' 0x41, 'Ä' 0x5B, 'à' 0x7F, '€' escape + 0x65, '[' escape + 0x3C.
        assert_eq!(
            encode("@ΔÆÉAÄà€[", Encoding::Gsm7),
            [
                0x00, 0x10, 0x1C, 0x1F, 0x41, 0x5B, 0x7F, 0x1B, 0x65, 0x1B, 0x3C
            ]
        );
        assert_eq!(encode("Hà", Encoding::Ucs2), [0x00, 0x48, 0x00, 0xE0]);
        let (encoding, parts) = encoded_parts(&"x".repeat(200));
        assert_eq!(encoding, Encoding::Gsm7);
        assert_eq!(parts.iter().map(Vec::len).collect::<Vec<_>>(), [153, 47]);
    }

    #[test]
    fn plain_text_is_gsm7_and_vietnamese_is_ucs2() {
        let c = cost("Hello Ha Noi");
        assert_eq!((c.encoding, c.segments, c.units), (Encoding::Gsm7, 1, 12));
        let c = cost("Phòng chống sốt xuất huyết");
        assert_eq!(c.encoding, Encoding::Ucs2);
        assert!(
            c.non_gsm.contains(&'ố') && !c.non_gsm.contains(&'ò'),
            "{:?}",
            c.non_gsm
        );
        // The extension table costs two septets.
        assert_eq!(cost("{}").units, 4);
    }

    #[test]
    fn segment_boundaries_are_160_153_70_67() {
        assert_eq!(cost(&"a".repeat(160)).segments, 1);
        assert_eq!(cost(&"a".repeat(161)).segments, 2);
        assert_eq!(cost(&"a".repeat(306)).segments, 2);
        assert_eq!(cost(&"a".repeat(307)).segments, 3);
        assert_eq!(cost(&"ư".repeat(70)).segments, 1);
        assert_eq!(cost(&"ư".repeat(71)).segments, 2);
        assert_eq!(cost(&"ư".repeat(134)).segments, 2);
        assert_eq!(cost(&"ư".repeat(135)).segments, 3);
        // An escape pair is not split: 152 'a' then '€' cannot fit in the first part of 153.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(10));
        let p = parts(&text);
        assert_eq!(p[0], "a".repeat(152));
        assert!(p[1].starts_with('€'));
        assert_eq!(p.concat(), text);
    }

    #[test]
    fn the_unaccented_variant_of_a_dengue_notice_fits_in_fewer_segments() {
        let notice = "Sở Y tế Hà Nội: Đang vào mùa sốt xuất huyết. Hãy diệt lăng quăng, đậy kín dụng cụ chứa nước, ngủ màn.";
        let plain = unaccented(notice);
        assert!(
            plain.starts_with("So Y te Ha Noi: Dang vao mua sot xuat huyet."),
            "{plain}"
        );
        let (a, b) = (cost(notice), cost(&plain));
        assert_eq!(a.encoding, Encoding::Ucs2);
        assert_eq!(b.encoding, Encoding::Gsm7);
        assert!(b.segments < a.segments, "{} vs {}", b.segments, a.segments);
    }

    #[test]
    fn templates_render_fields_and_refuse_unknown_ones_with_the_list() {
        let t = Template::parse("Kính gửi {ten} ({phuong_xa}): {{khẩn}}").unwrap();
        assert!(t.has_fields());
        let out = t.render(|f| match f {
            "ten" => "Bà Lan".into(),
            "phuong_xa" => "Phường Hoàn Kiếm".into(),
            _ => String::new(),
        });
        assert_eq!(out, "Kính gửi Bà Lan (Phường Hoàn Kiếm): {khẩn}");
        let e = Template::parse("Chào {ho_ten}").unwrap_err();
        assert!(
            e.to_string().contains("{ho_ten}") && e.to_string().contains("{ten}"),
            "{e}"
        );
        assert_eq!(Template::parse("  "), Err(TemplateError::Empty));
        assert_eq!(Template::parse("a {ten"), Err(TemplateError::Unclosed(3)));
        assert_eq!(Template::parse("a } b"), Err(TemplateError::Stray(3)));
    }

    proptest::proptest! {
        #[test]
        fn parts_rejoin_to_the_text_and_fit(text in "[a-zA-Z€{} ăâđêôơưạảấầẩẫậ]{0,400}") {
            let c = cost(&text);
            let p = parts(&text);
            proptest::prop_assert_eq!(p.concat(), text.clone());
            proptest::prop_assert_eq!(p.len(), c.segments);
            let (single, cap) = c.encoding.capacity();
            for part in &p {
                let units: usize = part.chars().map(|ch| match c.encoding {
                    Encoding::Gsm7 => gsm_septets(ch).unwrap_or(1),
                    Encoding::Ucs2 => ch.len_utf16(),
                }).sum();
                let limit = if p.len() == 1 { single } else { cap };
                proptest::prop_assert!(units <= limit, "{} > {}", units, limit);
            }
        }
    }
}
