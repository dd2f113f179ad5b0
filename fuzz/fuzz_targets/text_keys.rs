//! Any text: the keys never panic, the tone key does not depend on the normal form or case,
//! and unaccented text has no marks left.
#![no_main]

use lantoa_core::text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let key = text::tone_key(data);
    assert_eq!(text::tone_key(&text::nfc(data)), key);
    let plain = text::unaccent(data);
    assert_eq!(text::unaccent(&plain), plain);
    let _ = text::fold_key(data);
});
