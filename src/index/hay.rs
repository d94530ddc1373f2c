//! Built haystacks, packed: every ASCII haystack back to back in byte
//! arenas (the others, rare, as chars in char arenas), one pair per piece of
//! 4096 entities, and per entity its place there, how many characters of it
//! are the label (name, title, display name: what a row shows first) and
//! where its fields start, and the [`prefilter`](super::prefilter) masks of
//! the label and of the whole.
//! A million haystacks are a few hundred allocations instead of a million,
//! built in parallel and never joined (joining would hold them twice).

use nucleo::{Utf32Str, Utf32String};
use rayon::prelude::*;

use super::prefilter;

/// Where one haystack is in its piece, and what is known of it.
#[derive(Debug, Clone, Copy)]
struct Item {
    start: u32,
    /// Characters, and [`WIDE`] when in the char arena (not ASCII).
    len: u32,
    /// Characters of the haystack that are the entity's label.
    label: u32,
    /// Where the label's second and third fields start (characters; 0:
    /// none, or too far to say).
    cuts: [u16; 2],
    mask: u64,
    label_mask: u64,
}

/// The bit of [`Item::len`] marking a haystack of the char arena.
const WIDE: u32 = 1 << 31;

/// The fields of one label (name, title, display name), up to three.
pub struct Fields<'a> {
    parts: [Utf32Str<'a>; 3],
    len: usize,
}

impl<'a> Fields<'a> {
    /// Each field, in order.
    pub fn iter(&self) -> impl Iterator<Item = Utf32Str<'a>> + '_ {
        self.parts[..self.len].iter().copied()
    }

    /// Field `k` (0: the name), if there is one.
    pub fn get(&self, k: usize) -> Option<Utf32Str<'a>> {
        self.parts[..self.len].get(k).copied()
    }

    /// How many (1 to 3).
    pub fn count(&self) -> usize {
        self.len
    }
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
    /// Packs `n` haystacks; `make(i)` gives entity `i`'s haystack, the
    /// byte length of its label prefix and the bytes where the label's
    /// second and third fields start (0: none). Built in parallel pieces.
    pub fn build(n: usize, make: impl Fn(usize) -> (String, usize, [usize; 2]) + Sync) -> Packed {
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
                    let (text, label_bytes, cuts) = make(i);
                    piece.push(&text, label_bytes, cuts);
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
        let range = it.start as usize..(it.start + (it.len & !WIDE)) as usize;
        if it.len & WIDE != 0 { Utf32Str::Unicode(&piece.wide[range]) } else { Utf32Str::Ascii(&piece.ascii[range]) }
    }

    /// The fields of haystack `i`'s label, each alone.
    pub fn fields(&self, i: usize) -> Fields<'_> {
        let label = self.label(i);
        let mut parts = [label; 3];
        let mut len = 0;
        let mut from = 0;
        let cuts = self.at(i).1.cuts;
        for cut in cuts.map(usize::from) {
            if cut <= from || cut > label.len() {
                continue;
            }
            // A field ends before the space that joins it to the next.
            parts[len] = label.slice(from..cut.saturating_sub(1).max(from));
            len += 1;
            from = cut;
        }
        parts[len] = label.slice(from..);
        Fields { parts, len: len + 1 }
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
    fn push(&mut self, text: &str, label_bytes: usize, cut_bytes: [usize; 2]) {
        let label_text = text.get(..label_bytes).unwrap_or(text);
        let label_mask = prefilter::mask(label_text);
        let mask = label_mask | prefilter::mask(text.get(label_text.len()..).unwrap_or(""));
        let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let ascii = text.is_ascii();
        // In characters as nucleo counts them (one per grapheme).
        let cuts = cut_bytes.map(|b| match label_text.get(..b) {
            Some(_) if b == 0 => 0,
            Some(head) if ascii => u16::try_from(head.len()).unwrap_or(0),
            Some(head) => u16::try_from(Utf32String::from(head).len()).unwrap_or(0),
            None => 0,
        });
        let item = if ascii {
            let start = to_u32(self.ascii.len());
            self.ascii.extend_from_slice(text.as_bytes());
            let len = to_u32(text.len()).min(WIDE - 1);
            Item { start, len, label: to_u32(label_text.len()), cuts, mask, label_mask }
        } else {
            // nucleo's own conversion (one char per grapheme), as matching
            // a `Utf32String` would see it.
            let start = to_u32(self.wide.len());
            let label = Utf32String::from(label_text).len();
            match Utf32String::from(text).slice(..) {
                Utf32Str::Unicode(chars) => self.wide.extend_from_slice(chars),
                Utf32Str::Ascii(bytes) => self.wide.extend(bytes.iter().map(|&b| char::from(b))),
            }
            let len = (to_u32(self.wide.len()) - start).min(WIDE - 1) | WIDE;
            Item { start, len, label: to_u32(label), cuts, mask, label_mask }
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
            (texts[i].clone(), label, [0, 0])
        });
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(packed.item(i), Utf32String::from(text.as_str()).slice(..), "{i}");
            let label = text.split(' ').next().unwrap_or("");
            assert_eq!(packed.label(i), Utf32String::from(label).slice(..), "{i}");
            assert_eq!(packed.mask(i), prefilter::mask(text));
            assert_eq!(packed.label_mask(i), prefilter::mask(label));
            assert_eq!(packed.fields(i).iter().collect::<Vec<_>>(), [packed.label(i)]);
        }
    }

    #[test]
    fn splits_labels_into_their_fields() {
        let texts = [
            ("tracker Shipment Tracker Ana desc", [8, 25]),
            ("配送 Delivery desc", [7, 0]),
            ("solo desc", [0, 0]),
            ("ünï Café Ünë desc", [6, 12]),
        ];
        let labels = [28, 15, 4, 17];
        let packed = Packed::build(texts.len(), |i| (texts[i].0.to_string(), labels[i], texts[i].1));
        let fields = |i| packed.fields(i).iter().map(|f| f.to_string()).collect::<Vec<_>>();
        assert_eq!(fields(0), ["tracker", "Shipment Tracker", "Ana"]);
        assert_eq!(fields(1), ["配送", "Delivery"]);
        assert_eq!(fields(2), ["solo"]);
        assert_eq!(fields(3), ["ünï", "Café", "Ünë"]);
        assert_eq!(packed.fields(0).get(1).map(|f| f.len()), Some(16));
    }
}
