//! Any text as HTML, with or without a base address: extraction never panics, and every link
//! it reports is an absolute http(s) address.
#![no_main]

use lantoa_watch::extract::extract;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, bool)| {
    let (html, with_base) = input;
    let base = url::Url::parse("https://a.example/tin/1").ok();
    let x = extract(html, if with_base { base.as_ref() } else { None });
    for l in &x.links {
        assert!(l.href.starts_with("http://") || l.href.starts_with("https://"), "{}", l.href);
    }
});
