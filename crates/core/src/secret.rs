//! Bearer secrets: made from 32 random bytes, kept only as their SHA-256 digest, so a copy of
//! the database gives no one a working token.

use rand::Rng;
use sha2::{Digest, Sha256};

/// A new secret: `prefix` then 64 hex digits of randomness.
pub fn token(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::thread_rng().r#gen();
    format!("{prefix}{}", hex::encode(bytes))
}

/// What is stored of a secret: its SHA-256, in lower-case hex.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_differ_and_digests_are_stable() {
        let (a, b) = (token("x_"), token("x_"));
        assert_ne!(a, b);
        assert!(a.starts_with("x_") && a.len() == 66);
        assert_eq!(digest(&a), digest(&a));
        assert_ne!(digest(&a), digest(&b));
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
