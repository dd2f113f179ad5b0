//! Eight bytes at a step: what the byte scans of the ingest path share (the legacy-encoding
//! scan, the NFC check, the clean CSV writer).

/// One in every byte.
const LO: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte.
const HI: u64 = 0x8080_8080_8080_8080;

/// Byte `c` in all eight places.
pub(crate) const fn splat(c: u8) -> u64 {
    LO * c as u64
}

/// Whether any byte of `x` is zero (exact as a yes or no; which byte, it does not say).
pub(crate) const fn has_zero_byte(x: u64) -> bool {
    x.wrapping_sub(LO) & !x & HI != 0
}

/// Whether every byte of `w` is ASCII.
pub(crate) const fn all_ascii(w: u64) -> bool {
    w & HI == 0
}

/// The eight bytes of `b` from `i`, when there are eight.
pub(crate) fn word_at(b: &[u8], i: usize) -> Option<u64> {
    b.get(i..i + 8)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
        .map(u64::from_le_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zero_byte_is_found_at_every_place_and_only_there() {
        for at in 0..8 {
            let mut b = [0x41u8; 8];
            b[at] = 0;
            assert!(has_zero_byte(u64::from_le_bytes(b)), "{at}");
            b[at] = 0x80;
            assert!(!has_zero_byte(u64::from_le_bytes(b)), "{at}");
        }
        assert!(!has_zero_byte(u64::MAX) && has_zero_byte(0));
        assert_eq!(word_at(b"abcdefgh", 1), None);
        assert!(all_ascii(u64::from_le_bytes(*b"abcdefgh")));
        assert!(has_zero_byte(
            u64::from_le_bytes(*b"abc,defg") ^ splat(b',')
        ));
    }
}
