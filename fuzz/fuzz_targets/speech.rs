//! Any text: writing it out for speech never panics, and no word is lost (a word is replaced
//! by one or more words, never by none).
#![no_main]

use lantoa_notify::speech::{Lexicon, normalise};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let lex = Lexicon::builtin().expect("the shipped lexicon reads");
    let spoken = normalise(text, &lex);
    assert!(spoken.split_whitespace().count() >= text.split_whitespace().count());
});
