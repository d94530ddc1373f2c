//! A cheap necessary condition for a fuzzy match: which characters occur in
//! a haystack, as 64 bits. A pattern whose (positive) atoms need a
//! character the haystack lacks cannot match it, so nucleo is not asked.
//! Bits may be shared by several characters (that only lets more through),
//! and a haystack with any non-ASCII character sets every bit (nucleo's
//! normalisation may match it to an ASCII needle).

use nucleo::pattern::Pattern;

/// The characters of `text`, case folded, as a bit set.
pub fn mask(text: &str) -> u64 {
    if !text.is_ascii() {
        return u64::MAX;
    }
    text.bytes().fold(0, |bits, b| bits | BITS[usize::from(b & 0x7f)])
}

/// [`bit`] of every ASCII byte.
const BITS: [u64; 128] = {
    let mut table = [0; 128];
    let mut b = 0;
    while b < 128 {
        table[b as usize] = bit(b);
        b += 1;
    }
    table
};

const fn bit(b: u8) -> u64 {
    1 << (b.to_ascii_lowercase() % 64)
}

/// The bits a haystack needs to possibly match `pattern`: the ASCII
/// characters of its positive atoms (negative ones match by absence).
pub fn required(pattern: &Pattern) -> u64 {
    let mut bits = 0;
    for atom in pattern.atoms.iter().filter(|a| !a.negative) {
        for c in atom.needle_text().chars() {
            if c.is_ascii() {
                bits |= bit(c as u8);
            }
        }
    }
    bits
}

/// Whether a haystack with characters `have` may match a pattern needing `need`.
pub fn may_match(have: u64, need: u64) -> bool {
    have & need == need
}

#[cfg(test)]
mod tests {
    use super::*;
    use nucleo::pattern::{CaseMatching, Normalization};
    use nucleo::{Config, Matcher, Utf32Str};

    fn pattern(text: &str) -> Pattern {
        Pattern::parse(text, CaseMatching::Smart, Normalization::Smart)
    }

    #[test]
    fn never_rejects_what_nucleo_matches() {
        let hays = ["petstore Pet Store team-a java", "café ledger", "Orders-API v2", "x", ""];
        let queries = ["pst", "PS", "cafe", "ledger", "^orders", "api$", "'v2", "!java pet", "zz", "t a", "é"];
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        for q in queries {
            let p = pattern(q);
            for h in hays {
                if p.score(Utf32Str::new(h, &mut buf), &mut matcher).is_some() {
                    assert!(may_match(mask(h), required(&p)), "{q:?} matches {h:?}");
                }
            }
        }
    }

    #[test]
    fn rejects_haystacks_missing_a_character() {
        assert!(!may_match(mask("petstore"), required(&pattern("pz"))));
        assert!(may_match(mask("petstore"), required(&pattern("!z pet"))));
        assert_eq!(mask("naïve"), u64::MAX);
    }
}
