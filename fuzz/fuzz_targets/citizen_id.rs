//! Any text: parsing never panics, and a parsed number agrees with its own birth year and sex.
#![no_main]

use lantoa_core::CitizenId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    if let Ok(id) = CitizenId::parse(data) {
        assert!(id.check_against(Some(id.birth_year()), Some(id.sex())).is_ok());
        assert!((1900..2400).contains(&id.birth_year()));
    }
});
