//! nucleo's optimal fuzzy score of an ASCII needle on an ASCII haystack,
//! computed over the positions where the needle's characters occur instead
//! of every cell of nucleo's matrix.
//!
//! nucleo (`nucleo-matcher` 0.3, [`nucleo::Config::DEFAULT`]) fills a
//! needle × span matrix (the span: from the needle's first possible start
//! to the last occurrence of its last character), about 60 instructions
//! per haystack character for a three-letter needle. In a row only the
//! cells where the haystack holds that row's character can be matched; the
//! rest carry the gap score, which falls by one per column and so is the
//! best of `score + column` over the matched cells to the left. Scoring
//! only the matched cells gives nucleo's score exactly (the same integer
//! arithmetic, the same ties); a property test checks it against nucleo.
//! Haystacks this does not handle (see [`score`]) are left to nucleo; the
//! test pins the scores to the nucleo version in use.

use std::cell::RefCell;

/// nucleo's scoring constants (`score.rs`) and [`nucleo::Config::DEFAULT`]'s
/// bonuses.
const SCORE_MATCH: i32 = 16;
const PENALTY_GAP_START: i32 = 3;
const BONUS_BOUNDARY: u8 = 8;
const BONUS_CAMEL123: u8 = BONUS_BOUNDARY - 3;
const BONUS_NON_WORD: u8 = BONUS_BOUNDARY;
const BONUS_CONSECUTIVE: u8 = 4;
const BONUS_BOUNDARY_WHITE: u8 = BONUS_BOUNDARY + 2;
const BONUS_BOUNDARY_DELIMITER: u8 = BONUS_BOUNDARY + 1;
const BONUS_FIRST_CHAR_MULTIPLIER: i32 = 2;
/// The longest span, and the most span × needle cells, handled here: far
/// inside nucleo's matrix limits (above them nucleo matches greedily).
const MAX_SPAN: usize = 1024;
const MAX_CELLS: usize = 16 * 1024;

/// nucleo's character classes, in its order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Whitespace,
    NonWord,
    Delimiter,
    Lower,
    Upper,
    Number,
}

/// The class of every byte (non-ASCII bytes never occur here).
const CLASSES: [Class; 256] = {
    let mut table = [Class::NonWord; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        table[c] = match b {
            b'a'..=b'z' => Class::Lower,
            b'A'..=b'Z' => Class::Upper,
            b'0'..=b'9' => Class::Number,
            b' ' | b'\t' | b'\n' | b'\x0C' | b'\r' => Class::Whitespace,
            b'/' | b',' | b':' | b';' | b'|' => Class::Delimiter,
            _ => Class::NonWord,
        };
        c += 1;
    }
    table
};

fn class(c: u8) -> Class {
    CLASSES[usize::from(c)]
}

/// nucleo's `Config::bonus_for` with the default configuration.
fn bonus_for(prev: Class, class: Class) -> u8 {
    if class > Class::Delimiter {
        match prev {
            Class::Whitespace => return BONUS_BOUNDARY_WHITE,
            Class::Delimiter => return BONUS_BOUNDARY_DELIMITER,
            Class::NonWord => return BONUS_BOUNDARY,
            _ => {}
        }
    }
    if prev == Class::Lower && class == Class::Upper || prev != Class::Number && class == Class::Number {
        BONUS_CAMEL123
    } else if class == Class::Whitespace {
        BONUS_BOUNDARY_WHITE
    } else if class == Class::NonWord {
        BONUS_NON_WORD
    } else {
        0
    }
}

/// The bonus of a match at `x` (the class before the haystack is
/// whitespace).
fn bonus_at(haystack: &[u8], x: usize) -> u8 {
    let prev = if x == 0 { Class::Whitespace } else { class(haystack[x - 1]) };
    bonus_for(prev, class(haystack[x]))
}

/// A matched cell: its column, score and consecutive bonus.
#[derive(Clone, Copy)]
struct Cell {
    at: u32,
    score: i32,
    consecutive: u8,
}

thread_local! {
    /// Two rows of matched cells, kept per thread.
    static ROWS: RefCell<(Vec<Cell>, Vec<Cell>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// nucleo's score of the fuzzy `needle` on `haystack` as its optimal
/// matcher gives it, case folded when `ignore_case` (the needle then in
/// lower case, as nucleo's atom keeps it): `Some(None)` for no match,
/// `None` when nucleo takes another path (a needle of one character, as
/// long as the haystack or filling its span) or the needle (over 16
/// characters) or span is too long here: then nucleo should be asked.
pub(super) fn score(haystack: &[u8], needle: &[u8], ignore_case: bool) -> Option<Option<u16>> {
    let n = needle.len();
    if n < 2 || n >= haystack.len() || (ignore_case && needle.iter().any(u8::is_ascii_uppercase)) {
        return None;
    }
    // A byte equals a needle character when `byte | fold == c`: case
    // folding sets only the bit upper-case letters lack.
    let fold = |c: u8| if ignore_case && c.is_ascii_lowercase() { 0x20 } else { 0 };
    let eq = |h: u8, c: u8| h | fold(c) == c;
    let find = |c: u8, from: usize, to: usize| {
        let f = fold(c);
        haystack[from..to].iter().position(|&h| h | f == c).map(|p| from + p)
    };
    // nucleo's prefilter: the first start, the greedy match's end, and the
    // last occurrence of the last character.
    let Some(start) = find(needle[0], 0, haystack.len() - n + 1) else { return Some(None) };
    let mut offsets = [0usize; 16];
    if n > offsets.len() {
        return None;
    }
    offsets[0] = start;
    let mut greedy_end = start + 1;
    for (j, &c) in needle.iter().enumerate().skip(1) {
        let Some(at) = find(c, greedy_end, haystack.len()) else { return Some(None) };
        offsets[j] = at;
        greedy_end = at + 1;
    }
    let end =
        haystack[greedy_end..].iter().rposition(|&h| eq(h, needle[n - 1])).map_or(greedy_end, |i| greedy_end + i + 1);
    let span = end - start;
    if span == n || span > MAX_SPAN || span * n > MAX_CELLS {
        return None;
    }
    ROWS.with_borrow_mut(|(row, next)| {
        row.clear();
        let (c, f) = (needle[0], fold(needle[0]));
        for (d, &h) in haystack[start..end].iter().enumerate() {
            if h | f == c {
                let x = start + d;
                let bonus = bonus_at(haystack, x);
                let score = i32::from(bonus) * BONUS_FIRST_CHAR_MULTIPLIER + SCORE_MATCH;
                row.push(Cell { at: x as u32, score, consecutive: bonus });
            }
        }
        for (j, &c) in needle.iter().enumerate().skip(1) {
            next.clear();
            // `best`: the highest `score + column` of the cells left of
            // the gap, `k` the first cell not yet in it.
            let (mut k, mut best, f) = (0, i32::MIN, fold(c));
            let from = offsets[j];
            for (d, &h) in haystack[from..end].iter().enumerate() {
                if h | f != c {
                    continue;
                }
                let x = from + d;
                let (x, i) = (x as u32, x as i32 - 1);
                while k < row.len() && (row[k].at as i32) < i {
                    best = best.max(row[k].score + row[k].at as i32);
                    k += 1;
                }
                let gap = if best == i32::MIN { 0 } else { (best - PENALTY_GAP_START - (i - 1)).max(0) };
                let before = row.get(k).filter(|cell| cell.at as i32 == i);
                next.push(next_cell(x, gap, bonus_at(haystack, x as usize), before));
            }
            std::mem::swap(row, next);
        }
        Some(row.iter().map(|cell| cell.score).max().map(|s| s as u16))
    })
}

/// nucleo's `next_m_cell`: a match at `at` after the gap score `gap` and
/// the cell just before it, if that one matched the previous character.
fn next_cell(at: u32, gap: i32, bonus: u8, before: Option<&Cell>) -> Cell {
    let Some(before) = before else {
        return Cell { at, score: gap + i32::from(bonus) + SCORE_MATCH, consecutive: bonus };
    };
    let mut consecutive = before.consecutive.max(BONUS_CONSECUTIVE);
    if bonus >= BONUS_BOUNDARY && bonus > consecutive {
        consecutive = bonus;
    }
    let matched = before.score + i32::from(consecutive.max(bonus));
    let skipped = gap + i32::from(bonus);
    if matched > skipped {
        Cell { at, score: matched + SCORE_MATCH, consecutive }
    } else {
        Cell { at, score: skipped + SCORE_MATCH, consecutive: bonus }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{pattern, random_text};
    use super::*;
    use nucleo::{Config, Matcher, Utf32Str};

    /// The score of the pattern's first atom by nucleo and by [`score`]
    /// (`None` for a path left to nucleo).
    fn both(needle: &str, hay: &str, matcher: &mut Matcher) -> (Option<u16>, Option<Option<u16>>) {
        let p = pattern(needle);
        let atom = &p.atoms[0];
        let mut buf = Vec::new();
        let nucleo = atom.score(Utf32Str::new(hay, &mut buf), matcher);
        let Utf32Str::Ascii(needle) = atom.needle_text() else { panic!("ASCII needle") };
        (nucleo, score(hay.as_bytes(), needle, matcher.config.ignore_case))
    }

    /// On random ASCII haystacks (every character class, runs of the
    /// needle's letters, both cases) every score is nucleo's.
    #[test]
    fn scores_as_nucleo_does() {
        let mut rng = fastrand::Rng::with_seed(17);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let (mut handled, mut matched) = (0, 0);
        for round in 0..60_000 {
            let needle = random_text(&mut rng, "aabnN1-", 2..(3 + round % 11));
            if needle.starts_with('-') || needle.ends_with('-') {
                continue;
            }
            let alphabet = if round % 2 == 0 { "abnABN1 -_/:.|x" } else { "aaaabbnnAN  -/1" };
            let hay = random_text(&mut rng, alphabet, 0..48);
            let (nucleo, fast) = both(&needle, &hay, &mut matcher);
            if let Some(fast) = fast {
                assert_eq!(fast, nucleo, "{needle:?} on {hay:?}");
                handled += 1;
                matched += usize::from(fast.is_some());
            }
        }
        assert!(handled > 20_000 && matched > 10_000, "both cases occur: {handled} handled, {matched} matched");
    }

    #[test]
    fn leaves_other_paths_to_nucleo() {
        let mut matcher = Matcher::new(Config::DEFAULT);
        assert_eq!(both("a", "banana", &mut matcher).1, None, "one character");
        assert_eq!(both("ab", "ab", &mut matcher).1, None, "as long as the haystack");
        assert_eq!(both("an", "ban ana", &mut matcher).1, Some(Some(both("an", "ban ana", &mut matcher).0.unwrap())));
        assert_eq!(both("ban", "xban-y", &mut matcher).1, None, "filling its span");
        assert_eq!(both("ana", &"a n".repeat(600), &mut matcher).1, None, "a long span");
        assert_eq!(both("xyz", "banana", &mut matcher), (None, Some(None)), "no match");
        let long = "abcdefghijklmnopq";
        assert_eq!(both(long, &format!("{long}r {long}"), &mut matcher).1, None, "a needle of more than 16");
        let (nucleo, fast) = both(&long[1..], &format!("{long}r {long}"), &mut matcher);
        assert_eq!(fast, Some(nucleo), "a needle of 16");
    }
}
