//! The climbed first screen of an optimal narrowing search: how far a
//! score can rise from the earlier query's, and the label pass (then the
//! second tier, when the labels fill no screen) in that order.

use fixedbitset::FixedBitSet;
use nucleo::Utf32Str;
use nucleo::pattern::{Atom, AtomKind, Pattern};
use rayon::prelude::*;

use super::super::Hit;
use super::candidates::Shared;
use super::perfect_of;
use crate::index::hay::Packed;

/// The label pass of an optimal narrowing search, in the earlier query's
/// rank order: no label scores more than its earlier score plus a `rise`
/// (see [`rise`]), so once `window` scores beat what every label not yet
/// scored could reach, the first screen is final.
pub(super) struct Climb {
    /// The earlier label matches, best first.
    pub(super) ids: Vec<u32>,
    /// The most each can score now (never rising along `ids`).
    reach: Vec<u32>,
}

impl Climb {
    /// Labels that are not ASCII come first, unbounded: for a one-character
    /// needle nucleo scores them by a first good match, not the best one.
    /// So do the earlier meant hits (their scores are no nucleo scores).
    pub(super) fn new(hits: &[Hit], rise: &Rise, packed: &Packed) -> Climb {
        let labels = &hits[..hits.partition_point(|h| h.in_label())];
        // (reach, entity, 0 unbounded | 1 full rise | 2 less, apart)
        let reached: Vec<(u32, u32, u8)> = labels
            .par_iter()
            .map(|h| match packed.label(h.entity as usize) {
                // A meant hit's score is no nucleo score to rise from.
                _ if h.meaning().is_some() => (u32::MAX, h.entity, 0),
                Utf32Str::Ascii(label) => {
                    let up = rise.on(label);
                    (h.score.saturating_add(up), h.entity, 1 + u8::from(up < rise.most))
                }
                Utf32Str::Unicode(_) => (u32::MAX, h.entity, 0),
            })
            .collect();
        // Earlier scores come best first, ties by ref; so do the reaches of
        // each kind: merge them.
        let kind = |k| reached.iter().filter(move |o| o.2 == k).map(|o| (o.0, o.1));
        let order: Vec<(u32, u32)> = kind(0).chain(merge(kind(1), kind(2))).collect();
        Climb { ids: order.iter().map(|o| o.1).collect(), reach: order.iter().map(|o| o.0).collect() }
    }

    /// The second tier of an optimal narrowing search: of `rest` (in index
    /// order), the earlier second-tier hits best first, each reaching at
    /// most its earlier score plus the rise (not told apart: that would
    /// scan every haystack). The others come first, unbounded: earlier
    /// label matches (their haystacks were not scored) and haystacks that
    /// are not ASCII.
    pub(super) fn second_tier(hits: &[Hit], rest: &[u32], rise: &Rise, packed: &Packed) -> Climb {
        let earlier = &hits[hits.partition_point(|h| h.in_label())..];
        let mut left = FixedBitSet::with_capacity(rest.last().map_or(0, |&i| i as usize + 1));
        rest.iter().for_each(|&i| left.insert(i as usize));
        let bounded: Vec<&Hit> = earlier
            .iter()
            .filter(|h| {
                left.contains(h.entity as usize) && matches!(packed.item(h.entity as usize), Utf32Str::Ascii(_))
            })
            .collect();
        let mut unbounded = left;
        bounded.iter().for_each(|h| unbounded.set(h.entity as usize, false));
        let first: Vec<u32> = unbounded.ones().map(|i| i as u32).collect();
        let reach = bounded.iter().map(|h| h.score.saturating_add(rise.most));
        Climb {
            ids: first.iter().copied().chain(bounded.iter().map(|h| h.entity)).collect(),
            reach: std::iter::repeat_n(u32::MAX, first.len()).chain(reach).collect(),
        }
    }

    /// The first screen, when the hits of the first `scanned` labels settle
    /// it: `window` of them rank above anything the rest could reach. The
    /// next label's reach is the most any later one reaches; later labels
    /// reaching it as well come next in index order (the earlier ranking's
    /// ties), so a hit of that score ranks first if its ref is lower.
    pub(super) fn first_screen(&self, hits: &[Hit], scanned: usize, window: usize) -> Option<Vec<Hit>> {
        let (limit, next) = (*self.reach.get(scanned)?, self.ids[scanned]);
        let mut settled: Vec<Hit> =
            hits.iter().filter(|h| h.score > limit || (h.score == limit && h.entity < next)).copied().collect();
        if settled.len() < window {
            return None;
        }
        settled.sort_unstable_by_key(|h| (std::cmp::Reverse(h.score), h.entity));
        settled.truncate(window);
        Some(settled)
    }
}

/// The most one more needle character adds to nucleo's optimal score: a
/// matched character (16) and the best bonus (a word start after
/// whitespace, 10). nucleo keeps its constants private; a property test
/// checks the bound.
const CHAR_RISE: u32 = 26;

/// Two runs of (reach, entity), each best first (ties by ref), as one.
fn merge(a: impl Iterator<Item = (u32, u32)>, b: impl Iterator<Item = (u32, u32)>) -> impl Iterator<Item = (u32, u32)> {
    let rank = |o: &(u32, u32)| (std::cmp::Reverse(o.0), o.1);
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if rank(x) > rank(y) => b.next(),
        (Some(_), _) => a.next(),
        (None, _) => b.next(),
    })
}

/// What an appended character loses when it cannot follow the one before
/// it in the haystack: nucleo's penalty for starting a gap, taken from a
/// running score of at least one match (16), so never cut short.
const GAP_START: u32 = 3;

/// How far an entity's optimal score can rise from the earlier pattern's
/// to this one's (see [`rise`]).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Rise {
    /// The most.
    most: u32,
    /// When one character was appended to the last atom: it and the one
    /// before (both ASCII, folded unless the atom respects case). A label
    /// without them side by side rises [`GAP_START`] less.
    apart: Option<(u8, u8, bool)>,
}

impl Rise {
    /// The rise on one ASCII label.
    fn on(&self, label: &[u8]) -> u32 {
        let Some((before, last, fold)) = self.apart else { return self.most };
        let same = |a: u8, b: u8| if fold { a.eq_ignore_ascii_case(&b) } else { a == b };
        let side_by_side = label.windows(2).any(|w| same(w[0], before) && same(w[1], last));
        if side_by_side { self.most } else { self.most - GAP_START }
    }
}

/// How far an entity's optimal score can rise from the earlier pattern's
/// to this one's, given what they share: each character appended to the
/// last (fuzzy) atom adds at most [`CHAR_RISE`], each new atom at most its
/// perfect score. `None` when no bound is known.
pub(super) fn rise(before: &Pattern, after: &Pattern, shared: Shared) -> Option<Rise> {
    let (from, grown, apart) = match shared {
        Shared::Nothing => return None,
        Shared::All(k) => (k, 0, None),
        Shared::AllButLast(k) => {
            let (was, now) = (before.atoms.get(k)?, after.atoms.get(k)?);
            // nucleo's substring matchers take the first occurrence, not
            // the best, so only fuzzy atoms are bounded so.
            if was.kind != AtomKind::Fuzzy || now.kind != AtomKind::Fuzzy || was.negative || now.negative {
                return None;
            }
            let lower = |a: &Atom| a.needle_text().chars().flat_map(char::to_lowercase).collect::<String>();
            let appended = lower(now).strip_prefix(lower(was).as_str())?.chars().count();
            let needle: Vec<char> = now.needle_text().chars().collect();
            let apart = match needle[..] {
                [.., a, b] if appended == 1 && a.is_ascii() && b.is_ascii() => {
                    Some((a as u8, b as u8, !needle.iter().any(|c| c.is_uppercase())))
                }
                _ => None,
            };
            (k + 1, u32::try_from(appended).ok()?.saturating_mul(CHAR_RISE), apart)
        }
    };
    Some(Rise { most: grown.saturating_add(perfect_of(after.atoms.get(from..)?)?), apart })
}

#[cfg(test)]
mod tests {
    use nucleo::{Config, Matcher};

    use super::super::testing::{pattern, random_text};
    use super::*;

    /// [`CHAR_RISE`] bounds what a character appended to a fuzzy atom adds
    /// to nucleo's optimal score, in either case, [`GAP_START`] less when
    /// it cannot follow the character before; other kinds get no bound.
    #[test]
    fn an_appended_character_rises_the_optimal_score_by_at_most_char_rise() {
        let mut rng = fastrand::Rng::with_seed(5);
        // ASCII only: `Climb::new` leaves other labels unbounded.
        let alphabet = "abcAB -_/.:x1";
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        let (mut checked, mut apart) = (0, 0);
        for _ in 0..60_000 {
            let hay = random_text(&mut rng, alphabet, 1..40);
            let needle: String =
                (0..rng.usize(1..4)).map(|_| "abcx1"[rng.usize(..5)..].chars().next().unwrap()).collect();
            let c = random_text(&mut rng, alphabet, 1..2);
            if c == " " {
                continue;
            }
            let prefix = ["", "'", "^"][rng.usize(..3)];
            let (was, now) = (pattern(&format!("{prefix}{needle}")), pattern(&format!("{prefix}{needle}{c}")));
            let Some(rise) = rise(&was, &now, Shared::between(&was, &now)) else {
                assert!(!prefix.is_empty(), "fuzzy atoms are bounded");
                continue;
            };
            let bound = rise.on(hay.as_bytes());
            let hay = Utf32Str::new(&hay, &mut buf);
            if let (Some(a), Some(b)) = (was.score(hay, &mut matcher), now.score(hay, &mut matcher)) {
                checked += 1;
                apart += usize::from(bound < rise.most);
                assert!(b <= a + bound, "{was:?} → {now:?} on {hay:?}: {a} → {b}");
            }
        }
        assert!(checked > 3000 && apart > 1000, "needs matches: {checked}, {apart} apart");
    }

    #[test]
    fn a_climbed_first_screen_waits_for_a_lower_ref_that_may_tie() {
        let hit = |entity, score| Hit { entity, score, base: 0 };
        // Entity 8 was ranked above 3; 3 could still reach 100.
        let climb = Climb { ids: vec![8, 3], reach: vec![120, 100] };
        assert_eq!(climb.first_screen(&[hit(8, 100)], 1, 1), None, "3 may tie at 100 and rank first");
        assert_eq!(climb.first_screen(&[hit(8, 101)], 1, 1), Some(vec![hit(8, 101)]));
        // A later label of the same earlier score has a higher ref.
        let climb = Climb { ids: vec![2, 3], reach: vec![100, 100] };
        assert_eq!(climb.first_screen(&[hit(2, 100)], 1, 1), Some(vec![hit(2, 100)]));
        assert_eq!(climb.first_screen(&[hit(2, 100)], 1, 2), None, "window not full");
        assert_eq!(climb.first_screen(&[hit(2, 100), hit(3, 90)], 2, 1), None, "all scanned: the pass ends");
    }

    /// The second tier climbs the earlier second-tier hits best first,
    /// after what cannot be bounded: earlier label matches and haystacks
    /// that are not ASCII; entities no longer left are not scanned.
    #[test]
    fn the_second_tier_climbs_after_what_is_unbounded() {
        let texts = ["a x", "b x", "c é", "d x", "e x", "f x"];
        let packed = Packed::build(texts.len(), |i| (texts[i].to_string(), 1, [0, 0]));
        let hit = |entity, score| Hit { entity, score, base: 0 };
        // Ranked as a search ranks: label matches, then the rest, best first.
        let label = super::super::LABEL_TIER;
        let hits = [hit(4, label + 9), hit(0, 50), hit(2, 40), hit(3, 40), hit(5, 40), hit(1, 30)];
        let rise = Rise { most: 26, apart: None };
        // 5 is a label match now: not left for the second tier.
        let climb = Climb::second_tier(&hits, &[0, 1, 2, 3, 4], &rise, &packed);
        assert_eq!(climb.ids, [2, 4, 0, 3, 1]);
        assert_eq!(climb.reach, [u32::MAX, u32::MAX, 76, 66, 56]);
        assert_eq!(climb.first_screen(&[hit(2, 70), hit(4, 90), hit(0, 77)], 3, 2), Some(vec![hit(4, 90), hit(0, 77)]));
        assert_eq!(climb.first_screen(&[hit(2, 70), hit(4, 90)], 2, 1), Some(vec![hit(4, 90)]));
        assert_eq!(climb.first_screen(&[hit(2, 70), hit(4, 90)], 2, 2), None, "0 may reach 76, above 70");
    }

    /// Typing queries no label matches (random descriptions, some with
    /// words that match well; names of other letters), a first screen of
    /// second-tier hits is often known early, and always the final one.
    #[test]
    fn a_first_screen_climbed_in_the_second_tier_is_the_final_one() {
        use crate::index::search::{Haystacks, Query, Scope, Stream, narrows};
        use std::sync::Mutex;
        let mut rng = fastrand::Rng::with_seed(17);
        let index = crate::index::testing::index_of(
            // Past the first wave, so that a first screen can be early.
            (0..20_000)
                .map(|i| {
                    // One in 25 also holds the letters as words.
                    let words = if i % 25 == 0 { "abcde bad cab ea " } else { "" };
                    let description = format!("{words}{}", random_text(&mut rng, "abcdeAB -_", 4..40));
                    serde_json::json!({"kind": "Component", "metadata": {
                        "name": format!("x{}-{i}", random_text(&mut rng, "xyz", 1..6)), "description": description},
                        "spec": {"type": "service", "lifecycle": "production", "owner": format!("t{i}")}})
                })
                .collect(),
        );
        let hay = Haystacks::build(&index);
        let (parts, values) = (hay.parts(&index), &hay.values);
        let (mut second, mut keys) = (0, 0);
        for _ in 0..25 {
            let line = random_text(&mut rng, "abcde ", 2..7);
            let window = [1, 5, 40][rng.usize(..3)];
            let (mut before, mut hits) = (Query::default(), Vec::new());
            for end in 1..=line.len() {
                let q = Query::parse(&line[..end]);
                let scope = if narrows(&before, &q) && !before.text.is_empty() {
                    Scope::Narrowing { before: &before, hits: &hits }
                } else {
                    Scope::All
                };
                let first = Mutex::new(None);
                let stream =
                    Stream { window, first_screen: &|h| *first.lock().unwrap() = Some(h), cancelled: &|| false };
                let all =
                    super::super::rank(&index, parts, values, &q, super::super::Matching::Optimal, scope, &stream)
                        .unwrap();
                keys += usize::from(matches!(scope, Scope::Narrowing { .. }));
                if let Some(first) = first.into_inner().unwrap() {
                    assert_eq!(first, all[..window], "{:?} window {window}", &line[..end]);
                    second += usize::from(matches!(scope, Scope::Narrowing { .. }));
                }
                (before, hits) = (q, all);
            }
        }
        assert!(second * 3 > keys, "narrowing keys send first screens early: {second} of {keys}");
    }
}
