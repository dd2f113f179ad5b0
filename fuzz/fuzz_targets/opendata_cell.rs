//! Any bytes as a cell: decoding never panics; converted text is never empty when the bytes
//! were not, and UTF-8 without Latin-1 look-alikes comes back unchanged.
#![no_main]

use lantoa_opendata::decode::cell;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(d) = cell(bytes) {
        assert!(bytes.is_empty() || !d.text.is_empty());
        if let Ok(s) = std::str::from_utf8(bytes)
            && !s.chars().any(|c| ('\u{a0}'..='\u{ff}').contains(&c))
        {
            assert_eq!(d.text, s);
        }
    }
});
