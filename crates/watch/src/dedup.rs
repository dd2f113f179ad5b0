//! Near-duplicate detection: MinHash sketches of word 3-gram shingles, and an LSH index that
//! finds the press articles a page may have copied.
//!
//! Text is reduced to its tone-free lower-case words ([`lantoa_core::text::fold_key`]) before
//! shingling, so a copy that changed tone-mark placement or case still matches. A sketch is
//! [`PERMUTATIONS`] 32-bit minima made by one-permutation hashing (Li, Owen and Zhang 2012):
//! each shingle's 64-bit hash goes to one of 128 bins by its top bits, each bin keeps its
//! smallest value, and empty bins borrow from another bin chosen by a fixed hash of the bin
//! number ("optimal densification", Shrivastava 2017) — one hash per shingle instead of 128,
//! with the same estimator: the similarity of two sketches (the share of equal bins) estimates
//! the Jaccard similarity of their shingle sets. The index splits a sketch into [`BANDS`] bands of
//! [`ROWS`] rows: two texts of similarity `s` share a band with probability
//! `1 − (1 − s^ROWS)^BANDS` — about 0.5 at s = 0.42 and above 0.99 at s = 0.65.

use std::collections::HashMap;

/// Values per sketch (bins of the one permutation).
pub const PERMUTATIONS: usize = 128;
const BIN_BITS: u32 = 7;
const _: () = assert!(1 << BIN_BITS == PERMUTATIONS, "one bin per sketch value");
/// LSH bands.
pub const BANDS: usize = 32;
/// Rows per band.
pub const ROWS: usize = PERMUTATIONS / BANDS;
/// Words per shingle.
pub const SHINGLE: usize = 3;

const fn mix_const(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A MinHash sketch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sketch(pub Vec<u32>);

/// splitmix64: a fast, well-mixed 64-bit hash step.
fn mix(z: u64) -> u64 {
    mix_const(z)
}

/// FNV-1a hashes of the words of `text`, each folded the way
/// [`lantoa_core::text::fold_key`] folds (no diacritics, *đ* as *d*, lower case), computed
/// character by character without building the folded string.
fn word_hashes(text: &str) -> Vec<u64> {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut out = Vec::with_capacity(text.len() / 5);
    let mut h = OFFSET;
    let mut in_word = false;
    let feed = |h: &mut u64, c: char| {
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            *h ^= u64::from(b);
            *h = h.wrapping_mul(PRIME);
        }
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            feed(&mut h, c.to_ascii_lowercase());
            in_word = true;
        } else if c.is_alphanumeric() {
            let base = match c {
                'đ' | 'Đ' => 'd',
                _ => {
                    let mut first = None;
                    unicode_normalization::char::decompose_canonical(c, |d| {
                        first.get_or_insert(d);
                    });
                    first.unwrap_or(c)
                }
            };
            for l in base.to_lowercase() {
                feed(&mut h, l);
            }
            in_word = true;
        } else if unicode_normalization::char::is_combining_mark(c) {
            // A decomposed tone mark inside a word: folded away.
        } else if in_word {
            out.push(h);
            h = OFFSET;
            in_word = false;
        }
    }
    if in_word {
        out.push(h);
    }
    out
}

impl Sketch {
    /// The sketch of `text`; `None` when it has fewer than [`SHINGLE`] words.
    pub fn of(text_in: &str) -> Option<Self> {
        let words = word_hashes(text_in);
        if words.len() < SHINGLE {
            return None;
        }
        let mut mins = [u32::MAX; PERMUTATIONS];
        let mut filled = [false; PERMUTATIONS];
        for w in words.windows(SHINGLE) {
            let h = mix(w[0] ^ mix(w[1] ^ mix(w[2])));
            let bin = (h >> (64 - BIN_BITS)) as usize;
            let v = h as u32;
            if !filled[bin] || v < mins[bin] {
                mins[bin] = v;
                filled[bin] = true;
            }
        }
        // Densify: an empty bin takes the value of a filled bin picked by hashing (bin,
        // attempt), the same picks for every sketch, so equal sets still give equal sketches.
        let mut dense = mins;
        for i in 0..PERMUTATIONS {
            if filled[i] {
                continue;
            }
            let mut attempt: u64 = 1;
            dense[i] = loop {
                let j = (mix(((i as u64) << 32) | attempt) % PERMUTATIONS as u64) as usize;
                if filled[j] {
                    break mins[j];
                }
                attempt += 1;
                if attempt > 4 * PERMUTATIONS as u64 {
                    // At least one bin is filled (there is a shingle); take the first.
                    let first = filled.iter().position(|f| *f).unwrap_or(0);
                    break mins[first];
                }
            };
        }
        let mins = dense;
        Some(Sketch(mins.to_vec()))
    }

    /// Estimated Jaccard similarity with `other`.
    pub fn similarity(&self, other: &Sketch) -> f64 {
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f64 / PERMUTATIONS as f64
    }

    /// Hex form, for storage.
    pub fn to_hex(&self) -> String {
        let mut bytes = Vec::with_capacity(self.0.len() * 4);
        for v in &self.0 {
            bytes.extend_from_slice(&v.to_be_bytes());
        }
        hex::encode(bytes)
    }

    /// Parses [`Sketch::to_hex`].
    pub fn from_hex(s: &str) -> Option<Self> {
        let bytes = hex::decode(s).ok()?;
        if bytes.len() != PERMUTATIONS * 4 {
            return None;
        }
        Some(Sketch(
            bytes
                .chunks_exact(4)
                .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ))
    }

    fn band_key(&self, band: usize) -> u64 {
        let mut h = band as u64;
        for v in &self.0[band * ROWS..(band + 1) * ROWS] {
            h = mix(h ^ u64::from(*v));
        }
        h
    }
}

/// An LSH index of sketches, each with a caller's key.
#[derive(Debug, Default)]
pub struct Index<K> {
    items: Vec<(K, Sketch)>,
    buckets: HashMap<u64, Vec<u32>>,
}

impl<K: Clone> Index<K> {
    /// An empty index.
    pub fn new() -> Self {
        Self {
            items: Vec::new(),
            buckets: HashMap::new(),
        }
    }

    /// Adds a sketch.
    pub fn insert(&mut self, key: K, sketch: Sketch) {
        let n = u32::try_from(self.items.len()).unwrap_or(u32::MAX);
        for band in 0..BANDS {
            self.buckets
                .entry(sketch.band_key(band))
                .or_default()
                .push(n);
        }
        self.items.push((key, sketch));
    }

    /// Number of sketches.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The most similar indexed sketch sharing a band with `sketch`, with its similarity.
    pub fn best(&self, sketch: &Sketch) -> Option<(K, f64)> {
        let mut best: Option<(u32, f64)> = None;
        let mut tried = std::collections::HashSet::new();
        for band in 0..BANDS {
            let Some(cands) = self.buckets.get(&sketch.band_key(band)) else {
                continue;
            };
            for &c in cands {
                if !tried.insert(c) {
                    continue;
                }
                let s = self.items[c as usize].1.similarity(sketch);
                if best.is_none_or(|(_, b)| s > b) {
                    best = Some((c, s));
                }
            }
        }
        best.map(|(c, s)| (self.items[c as usize].0.clone(), s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = "Sở Xây dựng thành phố cho biết sẽ tổ chức phân luồng giao thông trên tuyến đường vành đai trong ba tháng để thi công cầu vượt, người dân nên chọn lộ trình khác vào giờ cao điểm sáng và chiều các ngày trong tuần.";

    #[test]
    fn copies_are_similar_and_different_texts_are_not() {
        let a = Sketch::of(ARTICLE).unwrap();
        let copy = Sketch::of(&ARTICLE.to_uppercase().replace("hòa", "hoà")).unwrap();
        assert_eq!(a.similarity(&copy), 1.0);
        let edited = ARTICLE
            .replace("ba tháng", "bốn tháng")
            .replace("sáng và chiều", "");
        let e = Sketch::of(&edited).unwrap();
        assert!(a.similarity(&e) > 0.5, "{}", a.similarity(&e));
        let other = Sketch::of("Giá rau xanh tại các chợ dân sinh tăng mạnh sau những ngày mưa lớn kéo dài, tiểu thương cho biết nguồn hàng giảm.").unwrap();
        assert!(a.similarity(&other) < 0.1);
        assert_eq!(Sketch::from_hex(&a.to_hex()).unwrap(), a);
        assert!(Sketch::of("hai từ").is_none());
        // Composed and decomposed forms, case and đ fold alike.
        assert_eq!(word_hashes("Đường HÒA Bình"), word_hashes("duong hoa binh"));
        assert_eq!(word_hashes("ho\u{0300}a"), word_hashes("hoa"));

        let mut index = Index::new();
        index.insert("other", other);
        index.insert("press", a);
        let (key, s) = index.best(&e).unwrap();
        assert_eq!(key, "press");
        assert!(s > 0.5);
    }
}
