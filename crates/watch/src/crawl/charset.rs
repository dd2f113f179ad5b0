//! Page bodies to text.
//!
//! Vietnamese sites still serve Windows-1258 and legacy charsets, sometimes with a header that
//! contradicts the page. The order of trust follows the HTML standard's: a byte-order mark,
//! then the `charset` of the HTTP `Content-Type`, then a `<meta charset>` (or `http-equiv`)
//! in the first 1024 bytes, then UTF-8 if the bytes are valid UTF-8, else Windows-1258.
//! Windows-1258 writes most tone marks as combining characters, so the decoded text is brought
//! to NFC before anything compares it.

use encoding_rs::Encoding;
use serde::Serialize;

/// Where the charset was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CharsetSource {
    /// A byte-order mark.
    Bom,
    /// The HTTP `Content-Type` header.
    Header,
    /// A `<meta>` element.
    Meta,
    /// Not declared; the bytes were valid UTF-8.
    SniffedUtf8,
    /// Not declared and not UTF-8: Windows-1258 assumed.
    Fallback,
}

/// A decoded body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, in NFC.
    pub text: String,
    /// The encoding used (its WHATWG name, e.g. `windows-1258`).
    pub encoding: &'static str,
    /// Where it was found.
    pub source: CharsetSource,
    /// Whether some bytes were not valid in that encoding (replaced by U+FFFD).
    pub had_errors: bool,
}

fn charset_param(value: &str) -> Option<&str> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']))
    })
}

fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let at = head.find("charset")?;
    let rest = head[at + "charset".len()..].trim_start();
    let rest = rest
        .strip_prefix('=')?
        .trim_start()
        .trim_start_matches(['"', '\'']);
    let label: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    Encoding::for_label(label.as_bytes())
}

/// Decodes `body`, given the response's `Content-Type` header if any.
pub fn decode(body: &[u8], content_type: Option<&str>) -> Decoded {
    let (encoding, source, skip) = if let Some((enc, bom)) = Encoding::for_bom(body) {
        (enc, CharsetSource::Bom, bom)
    } else if let Some(enc) = content_type
        .and_then(charset_param)
        .and_then(|l| Encoding::for_label(l.as_bytes()))
    {
        (enc, CharsetSource::Header, 0)
    } else if let Some(enc) = meta_charset(&body[..body.len().min(1024)]) {
        (enc, CharsetSource::Meta, 0)
    } else if std::str::from_utf8(body).is_ok() {
        (encoding_rs::UTF_8, CharsetSource::SniffedUtf8, 0)
    } else {
        (encoding_rs::WINDOWS_1258, CharsetSource::Fallback, 0)
    };
    // A page that declares UTF-16 in a meta element cannot really be UTF-16 (the meta was
    // readable as ASCII); the standard treats it as UTF-8.
    let encoding = if source == CharsetSource::Meta
        && (encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE)
    {
        encoding_rs::UTF_8
    } else {
        encoding
    };
    let (text, had_errors) = encoding.decode_without_bom_handling(&body[skip..]);
    Decoded {
        text: lantoa_core::text::nfc(&text),
        encoding: encoding.name(),
        source,
        had_errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "Tòa soạn" as Windows-1258 writes it: base letters and combining tone marks
    /// (0xCC grave, 0xF2 dot below), "ạ" = a + dot below.
    const TOA_SOAN_1258: &[u8] = b"To\xcca so\x61\xf2n";

    #[test]
    fn windows_1258_from_the_header_is_decoded_and_composed() {
        let d = decode(TOA_SOAN_1258, Some("text/html; charset=windows-1258"));
        assert_eq!(d.text, "Tòa soạn");
        assert_eq!(
            (d.encoding, d.source, d.had_errors),
            ("windows-1258", CharsetSource::Header, false)
        );
    }

    #[test]
    fn meta_declares_when_the_header_does_not() {
        let mut page = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1258\"></head><body>".to_vec();
        page.extend_from_slice(TOA_SOAN_1258);
        let d = decode(&page, Some("text/html"));
        assert!(d.text.ends_with("Tòa soạn"), "{}", d.text);
        assert_eq!(d.source, CharsetSource::Meta);
    }

    #[test]
    fn a_bom_wins_over_a_wrong_header() {
        let mut body = vec![0xEF, 0xBB, 0xBF];
        body.extend_from_slice("Tòa soạn".as_bytes());
        let d = decode(&body, Some("text/html; charset=iso-8859-1"));
        assert_eq!(
            (d.text.as_str(), d.source),
            ("Tòa soạn", CharsetSource::Bom)
        );
    }

    #[test]
    fn undeclared_bytes_are_utf8_if_valid_else_windows_1258() {
        assert_eq!(
            decode("Hà Nội".as_bytes(), None).source,
            CharsetSource::SniffedUtf8
        );
        let d = decode(TOA_SOAN_1258, None);
        assert_eq!(
            (d.text.as_str(), d.source),
            ("Tòa soạn", CharsetSource::Fallback)
        );
    }

    #[test]
    fn binary_and_garbage_never_panic() {
        for body in [
            &[0xFFu8, 0xFE, 0x00][..],
            &[0u8; 10],
            b"<meta charset=\"",
            b"<meta charset=utf-16>hi",
        ] {
            let _ = decode(body, Some("text/html; charset=nonsense"));
        }
        assert_eq!(decode(b"<meta charset=utf-16>hi", None).encoding, "UTF-8");
    }
}
