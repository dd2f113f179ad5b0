//! Compact tables of 64-bit key hashes, for uniqueness over tens of millions of rows.
//!
//! A general hash map holds 10 million `(u64, u64)` entries in about 270 MB and doubles its
//! storage when it grows, so for a moment it needs both tables: an upload of 10 million rows
//! peaked near 500 MB. [`KeyTable`] keeps one `u64` per key instead: the hash's top 12 bits pick
//! one of 4,096 shards (so they need not be stored), its next 48 bits are stored with a 16-bit
//! tag beside them. Shards grow by half when 85% full, one at a time, so memory stays near
//! 11–14 bytes per key and never doubles at once. Lookups probe linearly within a shard.
//!
//! 4,096 shard headers (128 KB) stay in the core's cache; 65,536 of them (2 MB) did not, and
//! each lookup then waited for its header before its slot (8% of an upload's time). The price
//! is the hash's lowest 4 bits, not kept: a key is 60 bits of its hash, and two distinct keys
//! are taken for one with a chance of about n²/2⁶¹ over n keys (4 in 100,000 for a file of 10
//! million rows).
//!
//! The tag is a 16-bit fingerprint of something else about the entry (the primary-key table
//! stores the row's values there, to tell a repeated row from a conflicting one); two different
//! fingerprints are always told apart, two equal ones mean "the same" with a 1 in 65,536 chance
//! of being wrong.

const SHARD_BITS: u32 = 12;
const SHARDS: usize = 1 << SHARD_BITS;
/// The 48 bits below the shard's that a slot stores.
const REST_MASK: u64 = (1 << 48) - 1;

#[derive(Default, Clone)]
struct Shard {
    slots: Vec<u64>,
    len: usize,
}

/// A set of 64-bit key hashes, each with a 16-bit tag.
#[derive(Clone)]
pub struct KeyTable {
    shards: Vec<Shard>,
    len: usize,
}

impl Default for KeyTable {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for KeyTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyTable").field("len", &self.len).finish()
    }
}

/// Where a key's slot search starts in a shard of `cap` slots.
fn start(rest: u64, cap: usize) -> usize {
    // Lemire's multiply-shift: a fair index without a division, for any capacity.
    (((rest & 0xFFFF_FFFF) * cap as u64) >> 32) as usize
}

/// The key's shard and the 48 bits below the shard's that its slot keeps.
fn split(key: u64) -> (usize, u64) {
    (
        (key >> (64 - SHARD_BITS)) as usize,
        (key >> (16 - SHARD_BITS)) & REST_MASK,
    )
}

/// The stored word: the key's 48 lower bits above the tag. Zero marks an empty slot, so the one
/// word that would be zero is stored as 1 (its tag then reads 1; a 1-in-2⁶⁴ case).
fn word(rest: u64, tag: u16) -> u64 {
    match (rest << 16) | u64::from(tag) {
        0 => 1,
        w => w,
    }
}

impl KeyTable {
    /// An empty table. Its shards are allocated at the first insert, so a table that stays
    /// empty (a checker for one corrected row) costs nothing.
    pub fn new() -> Self {
        Self {
            shards: Vec::new(),
            len: 0,
        }
    }

    /// Keys held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The tag of `key`, if held.
    pub fn get(&self, key: u64) -> Option<u16> {
        let (s, rest) = split(key);
        let shard = self.shards.get(s)?;
        let cap = shard.slots.len();
        if cap == 0 {
            return None;
        }
        let mut i = start(rest, cap);
        loop {
            let w = shard.slots[i];
            if w == 0 {
                return None;
            }
            if w >> 16 == rest {
                return Some((w & 0xFFFF) as u16);
            }
            i = if i + 1 == cap { 0 } else { i + 1 };
        }
    }

    /// Reads the slot where the search for `key` starts and gives its word (meaningless to
    /// the caller): done for several tables before any is searched, their cache misses overlap
    /// instead of following one another.
    pub fn touch(&self, key: u64) -> u64 {
        let (s, rest) = split(key);
        self.shards
            .get(s)
            .and_then(|shard| shard.slots.get(start(rest, shard.slots.len())))
            .copied()
            .unwrap_or(0)
    }

    /// Adds `key` with `tag`; returns the tag already held for it instead, leaving it.
    pub fn insert(&mut self, key: u64, tag: u16) -> Option<u16> {
        if self.shards.is_empty() {
            self.shards = vec![Shard::default(); SHARDS];
        }
        let (s, rest) = split(key);
        let shard = &mut self.shards[s];
        if (shard.len + 1) * 20 > shard.slots.len() * 17 {
            grow(shard);
        }
        let cap = shard.slots.len();
        let mut i = start(rest, cap);
        loop {
            let w = shard.slots[i];
            if w == 0 {
                shard.slots[i] = word(rest, tag);
                shard.len += 1;
                self.len += 1;
                return None;
            }
            if w >> 16 == rest {
                return Some((w & 0xFFFF) as u16);
            }
            i = if i + 1 == cap { 0 } else { i + 1 };
        }
    }

    /// Makes room for `keys` keys in all, spread as the hash spreads them, so that a table
    /// filled to about that many never grows its shards. Growing leaves the old buffers to the
    /// allocator, which may hold on to them (mimalloc held half again as much at 10 million
    /// keys); sizing once from the expected count avoids that. Never shrinks.
    pub fn reserve(&mut self, keys: usize) {
        if self.shards.is_empty() {
            self.shards = vec![Shard::default(); SHARDS];
        }
        // Keys per shard and one standard deviation of their spread, under the 85% load
        // limit: about one shard in six still grows once, which costs far less than room for
        // the fullest shard in all of them.
        let per = keys.div_ceil(SHARDS);
        let spread = per + (per as f64).sqrt() as usize + 2;
        let cap = spread * 20 / 17 + 1;
        for shard in &mut self.shards {
            if shard.slots.len() < cap {
                resize(shard, cap);
            }
        }
    }

    /// Bytes of slot storage held (the figure the memory goal is about).
    pub fn bytes(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.slots.capacity() * 8)
            .sum::<usize>()
            + self.shards.capacity() * std::mem::size_of::<Shard>()
    }
}

fn grow(shard: &mut Shard) {
    let cap = shard.slots.len();
    resize(shard, (cap + cap / 2).max(8));
}

/// Moves a shard's keys into `new_cap` slots.
fn resize(shard: &mut Shard, new_cap: usize) {
    let old = std::mem::replace(&mut shard.slots, vec![0; new_cap]);
    for w in old.into_iter().filter(|&w| w != 0) {
        let rest = w >> 16;
        let mut i = start(rest, new_cap);
        while shard.slots[i] != 0 {
            i = if i + 1 == new_cap { 0 } else { i + 1 };
        }
        shard.slots[i] = w;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reserved_table_holds_its_keys_with_little_growth() {
        let mut t = KeyTable::new();
        t.reserve(2_000_000);
        let reserved = t.bytes();
        for k in 0..2_000_000u64 {
            let key = xxhash_rust::xxh3::xxh3_64(&k.to_le_bytes());
            assert_eq!(t.insert(key, 7), None);
        }
        // About one shard in six grows once; the table as a whole stays near its reservation.
        assert!(
            t.bytes() < reserved * 11 / 10,
            "{} against {reserved}",
            t.bytes()
        );
        for k in 0..2_000_000u64 {
            let key = xxhash_rust::xxh3::xxh3_64(&k.to_le_bytes());
            assert_eq!(t.get(key), Some(7));
        }
        // Reserving for fewer keys keeps what there is.
        let filled = t.bytes();
        t.reserve(10);
        assert_eq!(t.bytes(), filled);
        // Within 1.6 times the 8 bytes per key a full table would need, plus the headers.
        assert!(
            reserved < 2_000_000 * 8 * 16 / 10 + SHARDS * 32,
            "{reserved}"
        );
    }

    #[test]
    fn keys_and_tags_come_back() {
        let mut t = KeyTable::new();
        for k in 0..200_000u64 {
            let key = xxhash_rust::xxh3::xxh3_64(&k.to_le_bytes());
            assert_eq!(t.insert(key, (k % 65_000) as u16 + 1), None);
        }
        assert_eq!(t.len(), 200_000);
        for k in 0..200_000u64 {
            let key = xxhash_rust::xxh3::xxh3_64(&k.to_le_bytes());
            assert_eq!(t.get(key), Some((k % 65_000) as u16 + 1));
            assert_eq!(
                t.insert(key, 7),
                Some((k % 65_000) as u16 + 1),
                "kept, not replaced"
            );
        }
        for k in 200_000..210_000u64 {
            assert_eq!(t.get(xxhash_rust::xxh3::xxh3_64(&k.to_le_bytes())), None);
        }
        // 8 bytes per slot at most 85% full, the shard headers, and each shard's first 8 slots.
        assert!(
            t.bytes() < 200_000 * 14 + SHARDS * (32 + 64),
            "{}",
            t.bytes()
        );
    }

    #[test]
    fn keys_differing_only_in_their_shard_bits_are_different_keys() {
        let mut t = KeyTable::new();
        assert_eq!(
            (t.get(42), t.bytes()),
            (None, 0),
            "an unused table holds nothing"
        );
        let a = 0x0001_0000_0000_1234u64;
        let b = 0x0002_0000_0000_1234u64;
        assert_eq!(t.insert(a, 1), None);
        assert_eq!(t.insert(b, 2), None);
        assert_eq!((t.get(a), t.get(b)), (Some(1), Some(2)));
        assert_eq!(t.insert(0, 0), None, "the all-zero word is storable");
        assert!(t.get(0).is_some());
        // The lowest four bits are not kept: keys differing only there are one key.
        assert_eq!(t.insert(a | 0xF, 9), Some(1));
    }

    #[test]
    fn the_shard_headers_stay_small() {
        // What keeps a lookup to one wait for memory: 4,096 headers of 32 bytes.
        assert_eq!(SHARDS * std::mem::size_of::<Shard>(), 128 * 1024);
    }
}
