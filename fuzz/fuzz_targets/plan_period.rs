//! Any text: reading a deadline never panics; a period read back from its own writing is
//! itself, and falls due no earlier than it starts.
#![no_main]

use lantoa_plans::Period;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(p) = Period::parse(text) {
        let again = Period::parse(&p.to_string()).expect("a period's own writing reads back");
        assert_eq!(again, p);
        let _ = p.occurrences(2020, 2030);
    }
});
