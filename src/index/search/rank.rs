//! Tiered, streamed ranking. An entity whose label (name, title, display
//! name) matches the whole query ranks above every entity that matches only
//! through its owner, tags or description; within a tier by nucleo's score,
//! then by ref (index order).
//!
//! The label pass runs first over short strings, so the first screen is
//! usually known long before the rest is scored. Candidates are scanned in
//! index order, in waves: nucleo never scores a haystack above the query
//! matched at the very start of one (its "perfect" score), so once `window`
//! perfect matches are found in a prefix of the index, no later entity can
//! displace them and that screen is final.

use std::cell::RefCell;

use fixedbitset::FixedBitSet;
use nucleo::pattern::{AtomKind, Pattern};
use nucleo::{Config, Matcher, Utf32Str};
use rayon::prelude::*;

use super::facets::{Distinct, Resolved};
use super::{Hit, Query};
use crate::index::Index;
use crate::index::hay::Packed;
use crate::index::prefilter;

/// Added to the score of an entity whose label matches the whole query:
/// above any score nucleo gives (a sum of 16-bit atom scores).
pub const LABEL_TIER: u32 = 1 << 31;

/// Which entities a search considers.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// The whole index.
    All,
    /// Only these entities (a list's rows, or results without tiers).
    Rows(&'a [Hit]),
    /// The ranked results of a query with text that this query narrows
    /// (see [`super::narrows`]): a label match now was a label match then.
    Narrowing(&'a [Hit]),
}

/// How a streamed search reports early and learns it is no longer wanted.
pub struct Stream<'a> {
    /// Rows of the first screen.
    pub window: usize,
    /// Called at most once, with the first `window` results, when they are
    /// known to be final while the rest is still being scored.
    pub first_screen: &'a (dyn Fn(Vec<Hit>) + Sync),
    /// Polled between waves; `true` abandons the search.
    pub cancelled: &'a (dyn Fn() -> bool + Sync),
}

/// Entities per parallel piece of a wave.
const PIECE: usize = 2048;
/// The first wave's size; each next one doubles, up to [`LAST_WAVE`].
const FIRST_WAVE: usize = 4096;
const LAST_WAVE: usize = 1 << 17;
/// In an index of more entities than this, the second tier is scored with
/// nucleo's greedy matcher (linear) instead of its optimal one (quadratic):
/// fzf does the same on large input (its v1 algorithm). The same entities
/// match; order within the tier may differ. Per index, not per search, so
/// a query ranks the same however it was typed.
const GREEDY_ABOVE: usize = 250_000;

/// Ranks `scope` for `pattern` (the query's text) in two tiers.
pub fn rank(
    index: &Index,
    packed: &Packed,
    values: &Distinct,
    query: &Query,
    pattern: &Pattern,
    scope: Scope<'_>,
    stream: &Stream<'_>,
) -> Option<Vec<Hit>> {
    let window = stream.window.max(1);
    let (all, label_ids) = candidates(index, values, query, scope);
    let perfect = perfect_score(pattern);
    let need = prefilter::required(pattern);
    let mut sent = false;

    let label_score = |i: u32, m: &mut Matcher| {
        if !prefilter::may_match(packed.label_mask(i as usize), need) {
            return None;
        }
        Some(LABEL_TIER + pattern.score(packed.label(i as usize), m)?.min(LABEL_TIER - 1))
    };
    let label_top = perfect.map(|p| LABEL_TIER + p);
    let mut tier1 = scan(label_ids.as_deref().unwrap_or(&all), label_score, stream, |hits| {
        if !sent && let Some(first) = first_perfect(hits, label_top, &[], window) {
            (stream.first_screen)(first);
            sent = true;
        }
    })?;
    sort(&mut tier1);

    let mut in_label = FixedBitSet::with_capacity(index.len());
    for h in &tier1 {
        in_label.insert(h.entity as usize);
    }
    let rest: Vec<u32> = all.into_par_iter().filter(|&i| !in_label.contains(i as usize)).collect();
    if !sent && tier1.len() >= window && !rest.is_empty() {
        (stream.first_screen)(tier1[..window].to_vec());
        sent = true;
    }
    let greedy = index.len() > GREEDY_ABOVE;
    let hay_score = |i: u32, m: &mut Matcher| {
        if !prefilter::may_match(packed.mask(i as usize), need) {
            return None;
        }
        let item = packed.item(i as usize);
        let score = if greedy { greedy_score(pattern, item, m)? } else { pattern.score(item, m)? };
        Some(score.min(LABEL_TIER - 1))
    };
    let mut tier2 = scan(&rest, hay_score, stream, |hits| {
        if !sent && let Some(first) = first_perfect(hits, perfect, &tier1, window) {
            (stream.first_screen)(first);
            sent = true;
        }
    })?;
    sort(&mut tier2);
    tier1.append(&mut tier2);
    Some(tier1)
}

/// The entities of the whole index that pass the query's facets (it has
/// no text), in index order: scanned in waves, so the first screen (the
/// first `window` admitted) is sent as soon as it is found.
pub fn admitted(index: &Index, values: &Distinct, query: &Query, stream: &Stream<'_>) -> Option<Vec<Hit>> {
    let ids: Vec<u32> = (0..index.len() as u32).collect();
    let facets = Resolved::new(index, values, &query.facets);
    let window = stream.window.max(1);
    let mut sent = false;
    scan(
        &ids,
        |i, _| facets.admit(i).then_some(0),
        stream,
        |hits| {
            if !sent && hits.len() >= window {
                (stream.first_screen)(hits[..window].to_vec());
                sent = true;
            }
        },
    )
}

/// The candidates in index order, and the label pass's own when fewer.
fn candidates(index: &Index, values: &Distinct, query: &Query, scope: Scope<'_>) -> (Vec<u32>, Option<Vec<u32>>) {
    let n = index.len();
    let facets = Resolved::new(index, values, &query.facets);
    let admitted = |i: &u32| facets.admit(*i);
    match scope {
        Scope::All => ((0..n as u32).into_par_iter().filter(admitted).collect(), None),
        Scope::Rows(rows) => (in_order(n, rows.iter()).into_iter().filter(admitted).collect(), None),
        // The earlier query had the same facets: its results passed them.
        Scope::Narrowing(before) => {
            let labels = before.iter().take_while(|h| h.in_label());
            (in_order(n, before.iter()), Some(in_order(n, labels)))
        }
    }
}

/// The entities of `hits`, in index order.
fn in_order<'a>(n: usize, hits: impl Iterator<Item = &'a Hit>) -> Vec<u32> {
    let mut set = FixedBitSet::with_capacity(n);
    for h in hits {
        set.insert(h.entity as usize);
    }
    set.ones().map(|i| i as u32).collect()
}

/// The highest score nucleo can give `pattern` anywhere: each positive atom
/// matched at the start of a haystack that is just its needle. `None` when
/// that cannot be worked out (then nothing is ever known early).
fn perfect_score(pattern: &Pattern) -> Option<u32> {
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut total = 0u32;
    for atom in pattern.atoms.iter().filter(|a| !a.negative) {
        let needle: Utf32Str<'_> = atom.needle_text();
        total += u32::from(atom.score(needle, &mut matcher)?);
    }
    Some(total.min(LABEL_TIER - 1))
}

thread_local! {
    /// One matcher per thread, kept: each holds a 135 KB scratch slab.
    static MATCHER: RefCell<Matcher> = RefCell::new(Matcher::new(Config::DEFAULT));
}

/// [`Pattern::score`] with fuzzy atoms matched greedily.
fn greedy_score(pattern: &Pattern, haystack: Utf32Str<'_>, matcher: &mut Matcher) -> Option<u32> {
    let mut total = 0u32;
    for atom in &pattern.atoms {
        let score = if atom.kind == AtomKind::Fuzzy && !atom.negative {
            // `Atom::score` first sets the matcher's case and normalisation
            // to the atom's (documented); on an empty haystack it then
            // returns at once.
            let _ = atom.score(Utf32Str::Ascii(&[]), matcher);
            matcher.fuzzy_match_greedy(haystack, atom.needle_text())
        } else {
            atom.score(haystack, matcher)
        };
        total += u32::from(score?);
    }
    Some(total)
}

/// Scores `ids` (in index order) in growing parallel waves; `after_wave`
/// sees the hits so far, in index order. `None` when cancelled.
fn scan(
    ids: &[u32],
    score: impl Fn(u32, &mut Matcher) -> Option<u32> + Sync,
    stream: &Stream<'_>,
    mut after_wave: impl FnMut(&[Hit]),
) -> Option<Vec<Hit>> {
    let mut hits = Vec::new();
    let (mut at, mut wave) = (0, FIRST_WAVE);
    while at < ids.len() {
        if (stream.cancelled)() {
            return None;
        }
        let end = ids.len().min(at + wave);
        let found: Vec<Hit> = ids[at..end]
            .par_chunks(PIECE)
            .flat_map_iter(|piece| {
                MATCHER.with_borrow_mut(|matcher| {
                    piece
                        .iter()
                        .filter_map(|&entity| Some(Hit { entity, score: score(entity, matcher)? }))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        hits.extend(found);
        after_wave(&hits);
        (at, wave) = (end, (wave * 2).min(LAST_WAVE));
    }
    Some(hits)
}

/// The first screen, when it is known from `ahead` (every better-tier
/// result, ranked) and the perfect scores among `hits` (index order):
/// nothing scanned later can score above `top` or tie ahead of them.
fn first_perfect(hits: &[Hit], top: Option<u32>, ahead: &[Hit], window: usize) -> Option<Vec<Hit>> {
    let top = top?;
    let wanted = window.checked_sub(ahead.len())?;
    let best: Vec<Hit> = hits.iter().filter(|h| h.score == top).take(wanted).copied().collect();
    (best.len() == wanted).then(|| ahead.iter().copied().chain(best).collect())
}

/// Best first, ties in index order (which is ref order).
fn sort(hits: &mut [Hit]) {
    hits.par_sort_unstable_by_key(|h| (u64::from(u32::MAX - h.score) << 32) | u64::from(h.entity));
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::index::search::{Haystacks, search, search_streaming};
    use nucleo::pattern::{CaseMatching, Normalization};
    use serde_json::json;

    fn pattern(text: &str) -> Pattern {
        Pattern::parse(text, CaseMatching::Smart, Normalization::Smart)
    }

    /// 12,000 entities over several waves: names from a few stems (a third
    /// of them after an `a-` prefix, scoring just below a perfect match),
    /// owners, tags and descriptions that also hold the stems.
    fn big() -> Index {
        let stems = ["payments", "ledger", "orders", "gateway", "silver", "quiet"];
        crate::index::testing::index_of(
            (0..12_000)
                .map(|i| {
                    let stem = stems[i % stems.len()];
                    let other = stems[(i / 7) % stems.len()];
                    json!({"kind": "Component", "metadata": {
                        "name": if i % 3 == 1 { format!("a-{stem}-{i}") } else { format!("{stem}-{i}") },
                        "title": if i % 5 == 0 { format!("The {other} service") } else { String::new() },
                        "description": format!("Handles {other} for team {}", i % 40),
                        "tags": [other]},
                     "spec": {"type": "service", "lifecycle": "production", "owner": format!("team-{}", i % 40)}})
                })
                .collect(),
        )
    }

    fn streamed(index: &Index, hay: &Haystacks, q: &str, window: usize) -> (Vec<Hit>, Option<Vec<Hit>>) {
        let first = Mutex::new(None);
        let stream = Stream { window, first_screen: &|hits| *first.lock().unwrap() = Some(hits), cancelled: &|| false };
        let all = search_streaming(index, hay, &Query::parse(q), Scope::All, &stream).unwrap();
        (all, first.into_inner().unwrap())
    }

    #[test]
    fn label_matches_rank_above_the_rest() {
        let index = big();
        let hay = Haystacks::build(&index);
        let hits = search(&index, &hay, &Query::parse("ledger"), Scope::All);
        let labels = hits.iter().take_while(|h| h.in_label()).count();
        assert!(labels > 0 && labels < hits.len(), "{labels} of {}", hits.len());
        for h in &hits[labels..] {
            let s = index.summary(h.entity);
            assert!(!s.name.contains("ledger") && !s.title.unwrap_or("").contains("ledger"), "{}", s.name);
        }
        assert!(hits.windows(2).all(|w| (w[0].score, w[1].entity) >= (w[1].score, w[0].entity)));
    }

    #[test]
    fn a_first_screen_sent_early_is_the_final_one() {
        let index = big();
        let hay = Haystacks::build(&index);
        let mut early = 0;
        for q in ["p", "pa", "pay", "payments-1", "ledger", "le or", "silver team", "quiet 7", "zzz", "^gate", "or$"] {
            for window in [1, 10, 40, 5000] {
                let (all, first) = streamed(&index, &hay, q, window);
                if let Some(first) = first {
                    early += 1;
                    assert_eq!(first, all[..window], "{q:?} window {window}");
                }
            }
        }
        assert!(early >= 10, "broad queries know their first screen early: {early}");
        let (all, first) = streamed(&index, &hay, "kind:component !tag:quiet", 25);
        assert_eq!(first.as_deref(), Some(&all[..25]), "a facet-only first screen is sent early");
    }

    #[test]
    fn narrowing_per_tier_gives_the_same_results() {
        let index = big();
        let hay = Haystacks::build(&index);
        for (a, b) in [("p", "pa"), ("pa", "pay"), ("le", "led"), ("silver", "silver t"), ("q", "qu 1")] {
            let before = search(&index, &hay, &Query::parse(a), Scope::All);
            let narrowed = search(&index, &hay, &Query::parse(b), Scope::Narrowing(&before));
            assert_eq!(narrowed, search(&index, &hay, &Query::parse(b), Scope::All), "{a:?} → {b:?}");
        }
    }

    #[test]
    fn a_cancelled_search_stops() {
        let index = big();
        let hay = Haystacks::build(&index);
        let polls = AtomicUsize::new(0);
        let stream =
            Stream { window: 10, first_screen: &|_| {}, cancelled: &|| polls.fetch_add(1, Ordering::Relaxed) >= 1 };
        assert_eq!(search_streaming(&index, &hay, &Query::parse("e"), Scope::All, &stream), None);
        assert_eq!(polls.load(Ordering::Relaxed), 2, "stopped at the second wave");
    }

    #[test]
    fn no_haystack_scores_above_the_perfect_score() {
        let mut rng = fastrand::Rng::with_seed(7);
        let alphabet: Vec<char> = "abcdeAB -_/.:xyzé".chars().collect();
        let queries = ["a", "ab", "abc", "a b", "AB", "'ab", "^ab", "ab$", "é", "x-y", "abc !z", "b a c"];
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        for q in queries {
            let p = pattern(q);
            let perfect = perfect_score(&p).expect("a perfect score");
            let needles: Vec<String> = p.atoms.iter().map(|a| a.needle_text().to_string()).collect();
            for round in 0..4000 {
                let len = rng.usize(0..24);
                let mut hay: String = (0..len).map(|_| alphabet[rng.usize(..alphabet.len())]).collect();
                if round % 3 == 0 {
                    hay = format!("{} {hay}", needles.join(" "));
                }
                if let Some(score) = p.score(Utf32Str::new(&hay, &mut buf), &mut matcher) {
                    assert!(score <= perfect, "{q:?} scores {score} on {hay:?}, above {perfect}");
                }
            }
        }
    }

    #[test]
    fn greedy_scoring_matches_the_same_haystacks_below_the_perfect_score() {
        let mut rng = fastrand::Rng::with_seed(11);
        let alphabet: Vec<char> = "abcdeAB -_/.:xyzé".chars().collect();
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        let mut matched = 0;
        for q in ["a", "abc", "a b", "AB", "'ab", "^ab", "ab$", "é", "abc !z", "b a c", "aé"] {
            let p = pattern(q);
            let perfect = perfect_score(&p).expect("a perfect score");
            for _ in 0..4000 {
                let hay: String = (0..rng.usize(0..30)).map(|_| alphabet[rng.usize(..alphabet.len())]).collect();
                let hay = Utf32Str::new(&hay, &mut buf);
                let (optimal, greedy) = (p.score(hay, &mut matcher), greedy_score(&p, hay, &mut matcher));
                assert_eq!(optimal.is_some(), greedy.is_some(), "{q:?} on {hay:?}");
                assert!(greedy.unwrap_or(0) <= perfect, "{q:?} on {hay:?}");
                matched += usize::from(greedy.is_some());
            }
        }
        assert!(matched > 1000, "the case needs matches: {matched}");
    }

    #[test]
    fn the_perfect_score_is_reached_by_the_query_at_the_start() {
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        for (q, hay) in [("pay", "payments-api Payments"), ("ana silva", "ana-silva Ana Silva")] {
            let p = pattern(q);
            assert_eq!(p.score(Utf32Str::new(hay, &mut buf), &mut matcher), perfect_score(&p), "{q}");
        }
    }

    #[test]
    fn the_first_screen_needs_enough_perfect_scores() {
        let hit = |entity, score| Hit { entity, score };
        let hits = [hit(1, 9), hit(2, 5), hit(4, 9), hit(7, 9)];
        assert_eq!(first_perfect(&hits, Some(9), &[], 2), Some(vec![hit(1, 9), hit(4, 9)]));
        assert_eq!(first_perfect(&hits, Some(9), &[], 4), None);
        assert_eq!(first_perfect(&hits, None, &[], 1), None);
        let ahead = [hit(3, LABEL_TIER + 1)];
        assert_eq!(first_perfect(&hits, Some(9), &ahead, 2), Some(vec![ahead[0], hit(1, 9)]));
        assert_eq!(first_perfect(&hits, Some(9), &[ahead[0], ahead[0]], 1), None);
    }
}
