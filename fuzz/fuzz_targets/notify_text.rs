//! Any text as a message template and as a message: parsing never panics, a template that
//! parses renders, and a message's parts rejoin to it, each within its encoding's capacity.
#![no_main]

use lantoa_notify::message::{Encoding, Template, cost, gsm_septets, parts};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(t) = Template::parse(text) {
        let _ = t.render(|f| f.to_uppercase());
    }
    let c = cost(text);
    let p = parts(text);
    assert_eq!(p.concat(), text);
    assert_eq!(p.len(), c.segments);
    let (single, cap) = c.encoding.capacity();
    let limit = if p.len() == 1 { single } else { cap };
    for part in &p {
        let units: usize = part
            .chars()
            .map(|ch| match c.encoding {
                Encoding::Gsm7 => gsm_septets(ch).unwrap_or(1),
                Encoding::Ucs2 => ch.len_utf16(),
            })
            .sum();
        assert!(units <= limit);
        // On the air: a septet per octet for GSM-7, two octets per UTF-16 unit for UCS-2.
        assert_eq!(lantoa_notify::message::encode(part, c.encoding).len(), match c.encoding {
            Encoding::Gsm7 => units,
            Encoding::Ucs2 => units * 2,
        });
    }
});
