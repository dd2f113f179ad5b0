//! Any text: telling personal data by content never panics, an excerpt is never longer than
//! asked, and a cell made spreadsheet-safe never starts a formula.
#![no_main]

use lantoa_core::text::{excerpt, spreadsheet_safe};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, &str, bool, u8)| {
    let (value, label, birth, max) = input;
    let _ = lantoa_opendata::personal::kind_of(value, birth);
    let _ = lantoa_opendata::personal::is_birth_date_label(label);
    let _ = lantoa_opendata::personal::is_address_label(label);
    let cut = excerpt(value, usize::from(max));
    assert!(cut.chars().count() <= usize::from(max) + 1);
    let safe = spreadsheet_safe(value);
    if let Some(b) = safe.as_bytes().first()
        && matches!(b, b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    {
        assert!(safe.trim().parse::<f64>().is_ok(), "{safe:?}");
    }
});
