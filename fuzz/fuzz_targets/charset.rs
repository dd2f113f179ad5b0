//! Any bytes and any Content-Type: decoding never panics and yields NFC text.
#![no_main]

use lantoa_watch::crawl::charset::decode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&[u8], Option<&str>)| {
    let (body, content_type) = input;
    let d = decode(body, content_type);
    assert_eq!(lantoa_core::text::nfc(&d.text), d.text);
});
