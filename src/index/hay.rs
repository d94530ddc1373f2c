//! Built haystacks, packed: every ASCII haystack back to back in byte
//! arenas (the others, rare, as chars in char arenas), one pair per piece of
//! 4096 entities, and per entity its place there, how many characters of it
//! are the label (name, title, display name: what a row shows first), and
//! the [`prefilter`](super::prefilter) masks of the label and of the whole.
//! A million haystacks are a few hundred allocations instead of a million,
//! built in parallel and never joined (joining would hold them twice).

use nucleo::{Utf32Str, Utf32String};
use rayon::prelude::*;

use super::prefilter;

/// Where one haystack is in its piece, and what is known of it.
#[derive(Debug, Clone, Copy)]
struct Item {
    start: u32,
    len: u32,
    /// Characters of the haystack that are the entity's label.
    label: u32,
    /// Whether it is in the char arena (not ASCII).
    wide: bool,
    mask: u64,
    label_mask: u64,
}

/// The haystacks of [`PIECE`] consecutive entities.
#[derive(Debug, Default)]
struct Piece {
    ascii: Vec<u8>,
    wide: Vec<char>,
    items: Vec<Item>,
}

/// Packed haystacks, one per entity.
#[derive(Debug, Default)]
pub struct Packed {
    pieces: Vec<Piece>,
}

/// Entities per piece.
const PIECE: usize = 4096;
/// Bytes reserved per haystack (they are about 120 long).
const TYPICAL_BYTES: usize = 128;

impl Packed {
    /// Packs `n` haystacks; `make(i)` gives entity `i`'s haystack and the
    /// byte length of its label prefix. Built in parallel pieces.
    pub fn build(n: usize, make: impl Fn(usize) -> (String, usize) + Sync) -> Packed {
        let pieces = (0..n.div_ceil(PIECE))
            .into_par_iter()
            .map(|p| {
                let range = p * PIECE..n.min((p + 1) * PIECE);
                // Room for typical haystacks up front: growing by doubling
                // would leave freed buffers behind in the allocator.
                let mut piece = Piece {
                    ascii: Vec::with_capacity(range.len() * TYPICAL_BYTES),
                    wide: Vec::new(),
                    items: Vec::with_capacity(range.len()),
                };
                for i in range {
                    let (text, label_bytes) = make(i);
                    piece.push(&text, label_bytes);
                }
                piece.ascii.shrink_to_fit();
                piece.wide.shrink_to_fit();
                piece
            })
            .collect();
        Packed { pieces }
    }

    fn at(&self, i: usize) -> (&Piece, &Item) {
        let piece = &self.pieces[i / PIECE];
        (piece, &piece.items[i % PIECE])
    }

    /// Haystack `i`.
    pub fn item(&self, i: usize) -> Utf32Str<'_> {
        let (piece, it) = self.at(i);
        let range = it.start as usize..(it.start + it.len) as usize;
        if it.wide { Utf32Str::Unicode(&piece.wide[range]) } else { Utf32Str::Ascii(&piece.ascii[range]) }
    }

    /// The label of haystack `i`: its first characters.
    pub fn label(&self, i: usize) -> Utf32Str<'_> {
        let item = self.item(i);
        item.slice(..(self.at(i).1.label as usize).min(item.len()))
    }

    /// Haystack `i`'s character mask.
    pub fn mask(&self, i: usize) -> u64 {
        self.at(i).1.mask
    }

    /// The character mask of haystack `i`'s label.
    pub fn label_mask(&self, i: usize) -> u64 {
        self.at(i).1.label_mask
    }
}

impl Piece {
    fn push(&mut self, text: &str, label_bytes: usize) {
        let label_text = text.get(..label_bytes).unwrap_or(text);
        let (mask, label_mask) = (prefilter::mask(text), prefilter::mask(label_text));
        let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let item = if text.is_ascii() {
            let start = to_u32(self.ascii.len());
            self.ascii.extend_from_slice(text.as_bytes());
            Item { start, len: to_u32(text.len()), label: to_u32(label_text.len()), wide: false, mask, label_mask }
        } else {
            // nucleo's own conversion (one char per grapheme), as matching
            // a `Utf32String` would see it.
            let start = to_u32(self.wide.len());
            let label = Utf32String::from(label_text).len();
            match Utf32String::from(text).slice(..) {
                Utf32Str::Unicode(chars) => self.wide.extend_from_slice(chars),
                Utf32Str::Ascii(bytes) => self.wide.extend(bytes.iter().map(|&b| char::from(b))),
            }
            let len = to_u32(self.wide.len()) - start;
            Item { start, len, label: to_u32(label), wide: true, mask, label_mask }
        };
        self.items.push(item);
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
