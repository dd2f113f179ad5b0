//! Any text: parsing never panics, and a parsed code prints to a form that parses back to it.
#![no_main]

use lantoa_core::TaxCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    if let Ok(t) = TaxCode::parse(data) {
        assert_eq!(TaxCode::parse(&t.to_string()).ok(), Some(t.clone()));
        assert_eq!(t.main().len(), 10);
    }
});
