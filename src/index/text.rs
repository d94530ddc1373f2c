//! The text arena of the summary table: strings stored back to back, each
//! behind its length (LEB128), addressed by a 4-byte offset. Low-cardinality
//! values (kinds, owners, tags, files...) are interned, so a million
//! entities share a few thousand copies of them.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

/// A string in the arena: the offset of its length prefix, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Str(u32);

impl Str {
    /// No string (an absent optional field).
    pub const NONE: Str = Str(u32::MAX);
}

/// Reads string `s` from `text`: `None` when absent, or when a damaged file
/// points outside the arena or at bytes that are not UTF-8.
pub fn read(text: &[u8], s: Str) -> Option<&str> {
    if s == Str::NONE {
        return None;
    }
    let at = s.0 as usize;
    let mut len = 0usize;
    let mut used = 0;
    loop {
        let byte = *text.get(at + used)?;
        len |= usize::from(byte & 0x7f) << (7 * used);
        used += 1;
        if byte & 0x80 == 0 {
            break;
        }
        if used == 5 {
            return None;
        }
    }
    let start = at + used;
    std::str::from_utf8(text.get(start..start.checked_add(len)?)?).ok()
}

/// Writes an arena, interning where asked.
#[derive(Default)]
pub struct Builder {
    bytes: Vec<u8>,
    interned: HashMap<Box<str>, Str>,
}

impl Builder {
    /// An empty arena with room for `bytes` bytes.
    pub fn with_capacity(bytes: usize) -> Builder {
        Builder { bytes: Vec::with_capacity(bytes), interned: HashMap::default() }
    }

    /// Appends `s` (a value that rarely repeats: names, descriptions). The
    /// arena holds 4 GiB (some twenty million entities); past that a value
    /// is dropped and reads as absent.
    pub fn push(&mut self, s: &str) -> Str {
        let Some(at) = u32::try_from(self.bytes.len()).ok().filter(|&at| at != u32::MAX) else { return Str::NONE };
        let mut len = s.len();
        while len >= 0x80 {
            self.bytes.push((len as u8) | 0x80);
            len >>= 7;
        }
        self.bytes.push(len as u8);
        self.bytes.extend_from_slice(s.as_bytes());
        Str(at)
    }

    /// Appends `s` once, returning the same handle for every equal value.
    pub fn intern(&mut self, s: &str) -> Str {
        if let Some(&found) = self.interned.get(s) {
            return found;
        }
        let at = self.push(s);
        self.interned.insert(s.into(), at);
        at
    }

    /// `push` for an optional value.
    pub fn push_opt(&mut self, s: Option<&str>) -> Str {
        s.map_or(Str::NONE, |s| self.push(s))
    }

    /// `intern` for an optional value.
    pub fn intern_opt(&mut self, s: Option<&str>) -> Str {
        s.map_or(Str::NONE, |s| self.intern(s))
    }

    /// The arena's bytes.
    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_and_interned_ones_are_shared() {
        let mut b = Builder::default();
        let long = "x".repeat(300);
        let (a, l, e) = (b.push("alpha"), b.push(&long), b.push(""));
        let (i1, i2) = (b.intern("team-a"), b.intern("team-a"));
        assert_eq!(i1, i2);
        assert_ne!(b.intern("team-b"), i1);
        let none = b.push_opt(None);
        let text = b.finish();
        assert_eq!(read(&text, a), Some("alpha"));
        assert_eq!(read(&text, l), Some(long.as_str()));
        assert_eq!(read(&text, e), Some(""));
        assert_eq!(read(&text, i1), Some("team-a"));
        assert_eq!(read(&text, none), None);
    }

    #[test]
    fn damaged_handles_read_as_absent() {
        let mut b = Builder::default();
        let a = b.push("héllo");
        let mut text = b.finish();
        assert_eq!(read(&text, Str(1000)), None);
        text[0] = 50;
        assert_eq!(read(&text, a), None);
        text[0] = 2;
        assert_eq!(read(&text, a), None, "cuts é in half");
    }
}
