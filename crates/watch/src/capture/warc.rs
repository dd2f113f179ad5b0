//! WARC 1.1 response records (ISO 28500:2017), written and read by hand: the format is a
//! handful of header lines and a length-delimited block, and no maintained crate writes
//! SHA-256 digests. The reader is fuzzed (`fuzz/fuzz_targets/warc.rs`).
//!
//! The block is the HTTP response as received, except that the body is stored decoded: the
//! HTTP client undoes gzip/br/deflate and drops `Content-Encoding`, and `Content-Length`
//! gives the stored body's length, so the record replays as it is. (Should a
//! `Content-Encoding` header reach the writer, it is kept under the name
//! `X-Lantoa-Original-Content-Encoding` rather than claim an encoding the body no longer has.)

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

/// The media type of a stored WARC record.
pub const MEDIA_TYPE: &str = "application/warc";

/// What goes into a response record.
#[derive(Debug, Clone)]
pub struct ResponseRecord<'a> {
    /// The address fetched (after redirects).
    pub target_uri: &'a str,
    /// When the response was received.
    pub date: DateTime<Utc>,
    /// HTTP status.
    pub status: u16,
    /// Response headers, names lower-case.
    pub headers: &'a [(String, String)],
    /// The (decoded) body.
    pub body: &'a [u8],
    /// The body was cut at the crawler's size cap (`WARC-Truncated: length`).
    pub truncated: bool,
}

fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

/// The SHA-256 of `bytes` as WARC writes it: `sha256:` and lower-case hex.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Writes one response record.
pub fn write(rec: &ResponseRecord<'_>) -> Vec<u8> {
    let mut block = Vec::with_capacity(rec.body.len() + 512);
    block.extend_from_slice(
        format!("HTTP/1.1 {} {}\r\n", rec.status, reason(rec.status)).as_bytes(),
    );
    for (name, value) in rec.headers {
        let name = match name.as_str() {
            "content-length" | "transfer-encoding" => continue,
            "content-encoding" => "x-lantoa-original-content-encoding",
            other => other,
        };
        // Header values come from the network; no CR or LF may split the record.
        let value = value.replace(['\r', '\n'], " ");
        block.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    block.extend_from_slice(format!("content-length: {}\r\n\r\n", rec.body.len()).as_bytes());
    block.extend_from_slice(rec.body);

    envelope(
        "response",
        rec.target_uri,
        rec.date,
        "application/http;msgtype=response",
        &block,
        Some(&digest(rec.body)),
        rec.truncated,
    )
}

/// Writes one resource record: content Lantoa holds for an address without having fetched
/// it (the description and transcript an officer supplied for a clip or post).
pub fn write_resource(
    target_uri: &str,
    date: DateTime<Utc>,
    media_type: &str,
    content: &[u8],
) -> Vec<u8> {
    envelope(
        "resource", target_uri, date, media_type, content, None, false,
    )
}

fn envelope(
    kind: &str,
    target_uri: &str,
    date: DateTime<Utc>,
    content_type: &str,
    block: &[u8],
    payload_digest: Option<&str>,
    truncated: bool,
) -> Vec<u8> {
    let date = date.to_rfc3339_opts(SecondsFormat::Secs, true);
    let block_digest = digest(block);
    let id_seed = Sha256::digest(format!("{target_uri}\n{date}\n{block_digest}"));
    let id = uuid_like(&id_seed[..16]);
    let target = target_uri.replace(['\r', '\n', ' '], "");
    let content_type = content_type.replace(['\r', '\n'], "");
    let mut out = Vec::with_capacity(block.len() + 512);
    out.extend_from_slice(b"WARC/1.1\r\n");
    out.extend_from_slice(format!("WARC-Type: {kind}\r\n").as_bytes());
    out.extend_from_slice(format!("WARC-Record-ID: <urn:uuid:{id}>\r\n").as_bytes());
    out.extend_from_slice(format!("WARC-Date: {date}\r\n").as_bytes());
    out.extend_from_slice(format!("WARC-Target-URI: {target}\r\n").as_bytes());
    out.extend_from_slice(format!("WARC-Block-Digest: {block_digest}\r\n").as_bytes());
    if let Some(p) = payload_digest {
        out.extend_from_slice(format!("WARC-Payload-Digest: {p}\r\n").as_bytes());
    }
    if truncated {
        out.extend_from_slice(b"WARC-Truncated: length\r\n");
    }
    out.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", block.len()).as_bytes());
    out.extend_from_slice(block);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

/// A UUID-shaped identifier (version 8, "custom") from 16 bytes of a digest: records are
/// named by what they hold, so writing the same capture twice gives the same id.
fn uuid_like(b: &[u8]) -> String {
    let mut x = [0u8; 16];
    x.copy_from_slice(&b[..16]);
    x[6] = (x[6] & 0x0f) | 0x80;
    x[8] = (x[8] & 0x3f) | 0x80;
    let h = hex::encode(x);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// A record read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// WARC header fields in order.
    pub fields: Vec<(String, String)>,
    /// The block (for a response, the HTTP message).
    pub block: Vec<u8>,
}

/// What is wrong with a WARC record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WarcError {
    /// The bytes do not start with a WARC version line.
    #[error("not a WARC record: the first line is not WARC/1.x")]
    NotWarc,
    /// A header line has no colon.
    #[error("WARC header line {0} has no ':'")]
    BadField(usize),
    /// `Content-Length` is missing or not a number.
    #[error("WARC record has no valid Content-Length")]
    NoLength,
    /// The block is shorter than `Content-Length`.
    #[error("WARC block is {got} bytes, Content-Length says {want}")]
    Short {
        /// Bytes present.
        got: usize,
        /// Bytes announced.
        want: usize,
    },
    /// `WARC-Block-Digest` does not match the block.
    #[error("WARC-Block-Digest does not match the block: the record was altered")]
    Digest,
}

impl Record {
    /// The first field named `name` (case-insensitive).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The HTTP body inside a response block (after the blank line); for any other record
    /// type, the block itself.
    pub fn http_body(&self) -> &[u8] {
        if self.field("WARC-Type") != Some("response") {
            return &self.block;
        }
        match find(&self.block, b"\r\n\r\n") {
            Some(i) => &self.block[i + 4..],
            None => &[],
        }
    }

    /// The HTTP status line and headers inside a response block.
    pub fn http_head(&self) -> String {
        let end = find(&self.block, b"\r\n\r\n").unwrap_or(self.block.len());
        String::from_utf8_lossy(&self.block[..end]).into_owned()
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads the first record of `bytes` and checks its block digest when it has one.
pub fn read(bytes: &[u8]) -> Result<Record, WarcError> {
    let head_end = find(bytes, b"\r\n\r\n").ok_or(WarcError::NotWarc)?;
    let head = String::from_utf8_lossy(&bytes[..head_end]);
    let mut lines = head.split("\r\n");
    let version = lines.next().unwrap_or_default();
    if !version.starts_with("WARC/1.") {
        return Err(WarcError::NotWarc);
    }
    let mut fields = Vec::new();
    for (i, line) in lines.enumerate() {
        let (n, v) = line.split_once(':').ok_or(WarcError::BadField(i + 2))?;
        fields.push((n.trim().to_owned(), v.trim().to_owned()));
    }
    let want: usize = fields
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .ok_or(WarcError::NoLength)?;
    let start = head_end + 4;
    let got = bytes.len() - start;
    if got < want {
        return Err(WarcError::Short { got, want });
    }
    let record = Record {
        fields,
        block: bytes[start..start + want].to_vec(),
    };
    if let Some(d) = record.field("WARC-Block-Digest")
        && d.starts_with("sha256:")
        && d != digest(&record.block)
    {
        return Err(WarcError::Digest);
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_record_reads_back_and_an_altered_one_does_not() {
        let headers = vec![
            (
                "content-type".to_owned(),
                "text/html; charset=utf-8".to_owned(),
            ),
            ("content-encoding".to_owned(), "gzip".to_owned()),
            ("x-evil".to_owned(), "a\r\nWARC-Type: fake".to_owned()),
        ];
        let body = "<html><title>Tin tức</title></html>".as_bytes();
        let bytes = write(&ResponseRecord {
            target_uri: "https://a.example/tin/1",
            date: DateTime::parse_from_rfc3339("2026-11-28T05:00:00Z")
                .unwrap()
                .into(),
            status: 200,
            headers: &headers,
            body,
            truncated: false,
        });
        let rec = read(&bytes).unwrap();
        assert_eq!(rec.field("warc-type"), Some("response"));
        assert_eq!(
            rec.field("WARC-Target-URI"),
            Some("https://a.example/tin/1")
        );
        assert_eq!(rec.field("WARC-Date"), Some("2026-11-28T05:00:00Z"));
        assert_eq!(rec.http_body(), body);
        assert_eq!(rec.field("WARC-Payload-Digest").unwrap(), digest(body));
        let head = rec.http_head();
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(head.contains("x-lantoa-original-content-encoding: gzip"));
        assert!(
            !head.contains("\r\nWARC-Type"),
            "header injection is neutralised"
        );

        let mut altered = bytes.clone();
        let at = altered.len() - 10;
        altered[at] ^= 1;
        assert_eq!(read(&altered), Err(WarcError::Digest));
        assert_eq!(read(b"HTTP/1.1 200 OK\r\n\r\n"), Err(WarcError::NotWarc));
        assert!(matches!(
            read(&bytes[..bytes.len() - 40]),
            Err(WarcError::Short { .. })
        ));
    }
}
