//! Any text as a `package_search` query: reading it never panics, and a query that is read
//! matches or not against any values without panicking; `NOT q` matches exactly where `q`
//! does not.
#![no_main]

use lantoa_opendata::query::{Query, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (q, values) = text.split_once('\n').unwrap_or((text, "Điểm Wi-Fi công cộng"));
    let Ok(query) = parse(q) else {
        return;
    };
    let values = |_: &str| vec![values.to_owned()];
    let hit = query.matches(&values);
    assert_eq!(Query::Not(Box::new(query)).matches(&values), !hit);
});
