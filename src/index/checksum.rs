//! Checksums of the index file's sections, so a damaged file is an error
//! rather than wrong answers. The header and the summaries' text are
//! checked whole when the file is loaded; the bodies, which stay on disk
//! until read, are checked in blocks of [`BLOCK`] bytes as each body is read
//! (and all at once before a sync builds on them).

use std::hash::Hasher;

use serde::{Deserialize, Serialize};

/// Bytes per checked block of the bodies.
pub const BLOCK: usize = 8 * 1024;

/// The checksum of `bytes` (not cryptographic: it finds damage, not
/// tampering; anyone who can write the file can write its checksums).
pub fn sum(bytes: &[u8]) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(bytes);
    hasher.write_usize(bytes.len());
    hasher.finish()
}

/// The checksums of the bodies, one per [`BLOCK`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocks(pub Vec<u64>);

impl Blocks {
    /// The checksums of every block of `bytes`.
    pub fn of(bytes: &[u8]) -> Blocks {
        Blocks(bytes.chunks(BLOCK).map(sum).collect())
    }

    /// Whether the blocks of `all` that hold `start..end` are as written.
    pub fn verify(&self, all: &[u8], start: usize, end: usize) -> bool {
        if end > all.len() || start > end {
            return false;
        }
        if start == end {
            return true;
        }
        (start / BLOCK..=(end - 1) / BLOCK).all(|b| {
            let block = &all[b * BLOCK..((b + 1) * BLOCK).min(all.len())];
            self.0.get(b).is_some_and(|s| *s == sum(block))
        })
    }

    /// Whether every block of `all` is as written.
    pub fn verify_all(&self, all: &[u8]) -> bool {
        self.0.len() == all.len().div_ceil(BLOCK) && all.chunks(BLOCK).zip(&self.0).all(|(b, s)| sum(b) == *s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flipped_byte_fails_its_block_only() {
        let mut bytes: Vec<u8> = (0..3 * BLOCK + 100).map(|i| (i % 251) as u8).collect();
        let blocks = Blocks::of(&bytes);
        assert_eq!(blocks.0.len(), 4);
        assert!(blocks.verify_all(&bytes));
        bytes[BLOCK + 7] ^= 1;
        assert!(!blocks.verify_all(&bytes));
        assert!(!blocks.verify(&bytes, BLOCK, BLOCK + 10));
        assert!(!blocks.verify(&bytes, 10, BLOCK + 10), "a range over two blocks checks both");
        assert!(blocks.verify(&bytes, 0, BLOCK));
        assert!(blocks.verify(&bytes, 2 * BLOCK, 3 * BLOCK + 100));
        assert!(!blocks.verify(&bytes, 0, bytes.len() + 1), "past the end");
        assert!(Blocks::of(&[]).verify_all(&[]));
    }
}
