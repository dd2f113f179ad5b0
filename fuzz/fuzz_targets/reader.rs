//! Any text as HTML: the page reader builds a well-formed document (every subtree inside its
//! parent's), and an address the link shortcut accepts is the one the URL parser gives.
#![no_main]

use lantoa_watch::extract::checks;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Err(e) = checks::reader_shape(input) {
        panic!("{e}");
    }
    if let Err(e) = checks::link_shortcut(input) {
        panic!("{e}");
    }
});
