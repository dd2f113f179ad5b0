//! Any bytes as what an SMSC delivers: reading a deliver_sm's text as a receipt or a reply never
//! panics, and an id read from a receipt's text is one non-empty word of it.
#![no_main]

use lantoa_notify::smpp::{Delivered, parse_receipt_text, read_deliver};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, u8, &[u8])| {
    let (esm_class, data_coding, bytes) = input;
    let text = String::from_utf8_lossy(bytes);
    if let Some((id, _)) = parse_receipt_text(&text) {
        assert!(!id.is_empty());
        assert!(!id.contains(char::is_whitespace));
        assert!(text.split_whitespace().any(|w| w
            .split_once(':')
            .is_some_and(|(k, v)| k.eq_ignore_ascii_case("id") && v == id)));
    }
    match read_deliver(esm_class, &[], "84912345678", bytes, data_coding) {
        Delivered::Receipt { smsc_id, .. } => assert!(!smsc_id.is_empty()),
        Delivered::Reply { from, .. } => assert_eq!(from, "84912345678"),
        Delivered::Other => {}
    }
});
