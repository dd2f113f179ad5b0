//! Any bytes: reading a WARC record never panics; a record written from any parts reads back
//! with the same target and body.
#![no_main]

use lantoa_watch::capture::warc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&[u8], &str, Vec<(String, String)>, u16)| {
    let (bytes, target, headers, status) = input;
    let _ = warc::read(bytes);
    let headers: Vec<(String, String)> = headers
        .into_iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v))
        .filter(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .collect();
    let written = warc::write(&warc::ResponseRecord {
        target_uri: target,
        date: chrono::DateTime::from_timestamp(0, 0).unwrap_or_default(),
        status,
        headers: &headers,
        body: bytes,
        truncated: false,
    });
    let rec = warc::read(&written).expect("a written record reads back");
    assert_eq!(rec.http_body(), bytes);
});
