//! Built haystacks, packed: every ASCII haystack back to back in one byte
//! arena (the others, rare, as chars in a second one), and per entity its
//! place there, how many characters of it are the label (name, title,
//! display name: what a row shows first), and the
//! [`prefilter`](super::prefilter) masks of the label and of the whole. A million haystacks are a few
//! allocations instead of a million.

use nucleo::{Utf32Str, Utf32String};
use rayon::prelude::*;

use super::prefilter;

/// Where one haystack is, and what is known of it.
#[derive(Debug, Clone, Copy)]
struct Item {
    start: usize,
    len: u32,
    /// Characters of the haystack that are the entity's label.
    label: u32,
    /// Whether it is in the char arena (not ASCII).
    wide: bool,
    mask: u64,
    label_mask: u64,
}

/// Packed haystacks, one per entity.
#[derive(Debug, Default)]
pub struct Packed {
    ascii: Vec<u8>,
    wide: Vec<char>,
    items: Vec<Item>,
}

/// Entities per parallel piece of the build.
const PIECE: usize = 4096;

impl Packed {
    /// Packs `n` haystacks; `make(i)` gives entity `i`'s haystack and the
    /// byte length of its label prefix. Built in parallel pieces, then joined.
    pub fn build(n: usize, make: impl Fn(usize) -> (String, usize) + Sync) -> Packed {
        let pieces: Vec<Packed> = (0..n.div_ceil(PIECE))
            .into_par_iter()
            .map(|p| {
                let mut piece = Packed::default();
                for i in p * PIECE..n.min((p + 1) * PIECE) {
                    let (text, label_bytes) = make(i);
                    piece.push(&text, label_bytes);
                }
                piece
            })
            .collect();
        let mut all = Packed {
            ascii: Vec::with_capacity(pieces.iter().map(|p| p.ascii.len()).sum()),
            wide: Vec::with_capacity(pieces.iter().map(|p| p.wide.len()).sum()),
            items: Vec::with_capacity(n),
        };
        for piece in pieces {
            let (ascii_at, wide_at) = (all.ascii.len(), all.wide.len());
            all.items.extend(
                piece.items.iter().map(|it| Item { start: it.start + if it.wide { wide_at } else { ascii_at }, ..*it }),
            );
            all.ascii.extend_from_slice(&piece.ascii);
            all.wide.extend_from_slice(&piece.wide);
        }
        all
    }

    fn push(&mut self, text: &str, label_bytes: usize) {
        let label_text = text.get(..label_bytes).unwrap_or(text);
        let (mask, label_mask) = (prefilter::mask(text), prefilter::mask(label_text));
        let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let item = if text.is_ascii() {
            let start = self.ascii.len();
            self.ascii.extend_from_slice(text.as_bytes());
            Item { start, len: to_u32(text.len()), label: to_u32(label_text.len()), wide: false, mask, label_mask }
        } else {
            // nucleo's own conversion (one char per grapheme), as matching
            // a `Utf32String` would see it.
            let start = self.wide.len();
            let label = Utf32String::from(label_text).len();
            match Utf32String::from(text).slice(..) {
                Utf32Str::Unicode(chars) => self.wide.extend_from_slice(chars),
                Utf32Str::Ascii(bytes) => self.wide.extend(bytes.iter().map(|&b| char::from(b))),
            }
            let len = to_u32(self.wide.len() - start);
            Item { start, len, label: to_u32(label), wide: true, mask, label_mask }
        };
        self.items.push(item);
    }

    /// Haystack `i`.
    pub fn item(&self, i: usize) -> Utf32Str<'_> {
        let it = &self.items[i];
        let range = it.start..it.start + it.len as usize;
        if it.wide { Utf32Str::Unicode(&self.wide[range]) } else { Utf32Str::Ascii(&self.ascii[range]) }
    }

    /// The label of haystack `i`: its first characters.
    pub fn label(&self, i: usize) -> Utf32Str<'_> {
        let item = self.item(i);
        item.slice(..(self.items[i].label as usize).min(item.len()))
    }

    /// Haystack `i`'s character mask.
    pub fn mask(&self, i: usize) -> u64 {
        self.items[i].mask
    }

    /// The character mask of haystack `i`'s label.
    pub fn label_mask(&self, i: usize) -> u64 {
        self.items[i].label_mask
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_ascii_and_wide_haystacks_across_pieces() {
        let texts: Vec<String> = (0..PIECE + 10)
            .map(|i| if i % 3 == 0 { format!("café-{i} desc") } else { format!("svc-{i} desc") })
            .collect();
        let packed = Packed::build(texts.len(), |i| {
            let label = texts[i].split(' ').next().unwrap_or("").len();
            (texts[i].clone(), label)
        });
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(packed.item(i), Utf32String::from(text.as_str()).slice(..), "{i}");
            let label = text.split(' ').next().unwrap_or("");
            assert_eq!(packed.label(i), Utf32String::from(label).slice(..), "{i}");
            assert_eq!(packed.mask(i), prefilter::mask(text));
            assert_eq!(packed.label_mask(i), prefilter::mask(label));
        }
    }
}
