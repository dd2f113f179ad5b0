//! Any bytes as a file's words, fed in blocks cut anywhere: the survey never panics, counts
//! the same however the file is cut, and whatever it decides, every cell of the file can be
//! read under it without panicking.
#![no_main]

use lantoa_opendata::decode::{Vote, cell_in};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, bytes)) = data.split_first() else {
        return;
    };
    let mut whole = Vote::default();
    whole.feed(bytes);
    whole.finish();
    let mut parts = Vote::default();
    let at = usize::from(cut).min(bytes.len());
    parts.feed(&bytes[..at]);
    parts.feed(&bytes[at..]);
    parts.finish();
    assert_eq!(
        (whole.tcvn3, whole.vni, whole.windows_1258),
        (parts.tcvn3, parts.vni, parts.windows_1258)
    );
    let reading = whole.decide();
    for cell in bytes.split(|&b| b == b',' || b == b'\n') {
        let _ = cell_in(cell, reading);
    }
});
