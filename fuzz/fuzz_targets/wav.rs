//! Any bytes as a speech engine's output: sealing never panics; what it accepts has a RIFF size
//! matching its length and a play time from its own data.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok((wav, ms)) = lantoa_notify::tts::seal(bytes.to_vec()) {
        assert_eq!(wav.len(), bytes.len());
        let riff = u32::from_le_bytes([wav[4], wav[5], wav[6], wav[7]]) as usize;
        assert_eq!(riff, wav.len() - 8);
        assert!(ms >= 0);
    }
});
