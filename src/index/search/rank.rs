//! Tiered, streamed ranking. What the query plainly means comes first (a
//! ref, an exact name or title, a beginning: see [`meant`]), found by
//! lookup. Then an entity whose label (name, title, display name) matches
//! the whole query, each word within one field, ranks above every entity
//! that matches only through its owner, tags or description; within a tier
//! by nucleo's score, then by ref (index order).
//!
//! The label pass runs first over short strings, so the first screen is
//! usually known long before the rest is scored. Candidates are scanned in
//! index order, in waves: nucleo never scores a haystack above the query
//! matched at the very start of one (its "perfect" score), so once `window`
//! perfect matches are found in a prefix of the index, no later entity can
//! displace them and that screen is final. A search narrowing an earlier
//! one scans the earlier label matches best first instead, each bounded by
//! its earlier score (see [`Climb`]), then (when fewer than a screen match
//! their label) the earlier second-tier matches likewise until the first
//! screen is known; it scores only the atoms the two queries do not share.

mod admitted;
mod candidates;
mod climb;
mod order;
mod sparse;

use fixedbitset::FixedBitSet;

use std::cell::RefCell;

use nucleo::pattern::Atom;
use nucleo::{Config, Matcher, Utf32Str};
use rayon::prelude::*;

use super::facets::{Distinct, Resolved};
use super::meant::{self, FUZZY_BITS, Lexicon};
use super::{Hit, Query};
use crate::index::Index;
use crate::index::hay::Packed;
use crate::index::prefilter;
pub use admitted::admitted;
use candidates::{Candidates, Shared, per_field, score_atoms, score_label, without};
use climb::{Climb, rise};
use order::sort;

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
    /// The ranked results (`hits`) of the query `before`, which this query
    /// narrows (see [`super::narrows`]): a label match now was a label
    /// match then, and the atoms both queries share are not scored again.
    Narrowing {
        /// The earlier query.
        before: &'a Query,
        /// Its complete results.
        hits: &'a [Hit],
    },
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
/// In an index of more entities than this, fuzzy atoms are matched
/// [`Matching::Greedy`].
const GREEDY_ABOVE: usize = 250_000;

/// How fuzzy atoms are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matching {
    /// nucleo's optimal matcher (quadratic): the best match's score.
    Optimal,
    /// nucleo's greedy matcher (linear): the same entities match, with the
    /// score of the leftmost shortest match instead of the best one, as
    /// fzf's v1 algorithm.
    Greedy,
}

impl Matching {
    /// The matching for an index: greedy past [`GREEDY_ABOVE`] entities.
    /// Per index, not per search, so a query ranks the same however it was
    /// typed.
    pub fn for_index(index: &Index) -> Matching {
        if index.len() > GREEDY_ABOVE { Matching::Greedy } else { Matching::Optimal }
    }
}

/// Ranks `scope` for the query (its facets, then its text): what it
/// plainly means first (see [`meant`]), then two tiers.
pub fn rank(
    index: &Index,
    (packed, lexicon): (&Packed, &Lexicon),
    values: &Distinct,
    query: &Query,
    matching: Matching,
    scope: Scope<'_>,
    stream: &Stream<'_>,
) -> Option<Vec<Hit>> {
    let pattern = &super::pattern(&query.text);
    let before = match scope {
        Scope::Narrowing { before, .. } => super::pattern(&before.text),
        _ => super::pattern(""),
    };
    let shared = Shared::between(&before, pattern);
    if let Scope::Narrowing { hits, .. } = scope
        && shared == Shared::All(pattern.atoms.len())
    {
        // The same atoms and facets (a space typed): the same results.
        return Some(hits.to_vec());
    }
    let window = stream.window.max(1);
    let facets = Resolved::new(index, values, &query.facets);
    let cands = Candidates::new(index, &facets, shared, scope);
    let mut sent = false;
    // The meant entities are known at once and rank above the rest. They
    // are looked up, not taken from an earlier query's results: only the
    // facets (the same when narrowing) and a list's rows bound them.
    let admit = |i: u32| match scope {
        Scope::Rows(_) => cands.all.binary_search(&i).is_ok(),
        _ => query.facets.is_empty() || facets.admit(i),
    };
    let mut named = named_by_text(index, values, query);
    named.retain(|&i| admit(i));
    let ahead = meant::meant(index, packed, lexicon, &query.text, &named, admit);
    let is_meant = (!ahead.is_empty()).then(|| {
        let mut set = FixedBitSet::with_capacity(index.len());
        ahead.iter().for_each(|h| set.insert(h.entity as usize));
        set
    });
    let is_meant = |i: u32| is_meant.as_ref().is_some_and(|set| set.contains(i as usize));
    if ahead.len() >= window {
        (stream.first_screen)(ahead[..window].to_vec());
        sent = true;
    }
    // An optimal narrowing search that shows a first screen scores labels,
    // and then the rest, in the earlier query's rank order (see [`Climb`]).
    let rise = match scope {
        Scope::Narrowing { hits, .. } if matching == Matching::Optimal && stream.window < usize::MAX && !sent => {
            rise(&before, pattern, shared).map(|rise| (hits, rise))
        }
        _ => None,
    };
    let climb = rise.as_ref().map(|(hits, rise)| Climb::new(hits, rise, packed));
    let perfect = perfect_of(&pattern.atoms);
    let need = prefilter::required(pattern);
    let greedy = matching == Matching::Greedy;
    let atoms = &pattern.atoms[..];
    let by_field = atoms.iter().any(per_field);

    let label_score = |i: u32, m: &mut Matcher| {
        if !prefilter::may_match(packed.label_mask(i as usize), need) || is_meant(i) {
            return None;
        }
        let (start, label) = (cands.start(i, true), packed.label(i as usize));
        // Without a word scored per field, the fields are not needed.
        let (score, base) = if by_field {
            score_label(atoms, start, &packed.fields(i as usize), label, m, greedy)?
        } else {
            score_atoms(atoms, start, label, m, greedy)?
        };
        Some(Hit { entity: i, score: LABEL_TIER + score.min(FUZZY_BITS), base })
    };
    let label_top = perfect.map(|p| LABEL_TIER + p);
    let label_ids = match &climb {
        Some(climb) => &climb.ids[..],
        None => cands.labels.as_deref().unwrap_or(&cands.all),
    };
    let mut tier1 = scan(label_ids, label_score, stream, |hits, scanned| {
        if sent {
            return;
        }
        let first = match &climb {
            Some(climb) => {
                climb.first_screen(hits, scanned, window - ahead.len()).map(|first| [&ahead[..], &first].concat())
            }
            None => first_perfect(hits, label_top, &ahead, window),
        };
        if let Some(first) = first {
            (stream.first_screen)(first);
            sent = true;
        }
    })?;
    if climb.is_some() {
        tier1.par_sort_unstable_by_key(|h| h.entity);
    }
    let mut rest = without(&cands.all, &tier1);
    if !ahead.is_empty() {
        rest.retain(|&i| !is_meant(i));
    }
    sort(&mut tier1);
    let mut tier1 = [ahead, tier1].concat();
    if !sent && tier1.len() >= window && !rest.is_empty() {
        (stream.first_screen)(tier1[..window].to_vec());
        sent = true;
    }
    let hay_score = |i: u32, m: &mut Matcher| {
        if !prefilter::may_match(packed.mask(i as usize), need) {
            return None;
        }
        let (score, base) = score_atoms(atoms, cands.start(i, false), packed.item(i as usize), m, greedy)?;
        Some(Hit { entity: i, score: score.min(FUZZY_BITS), base })
    };
    // Climbing, the first screen is known after a part; the rest is
    // scored in index order (its haystacks are read in order).
    let climb = rise.as_ref().filter(|_| !sent).map(|(hits, rise)| Climb::second_tier(hits, &rest, rise, packed));
    let (mut tier2, scanned) =
        scan_until(climb.as_ref().map_or(&rest, |c| &c.ids), hay_score, stream, |hits, scanned| {
            let first = match &climb {
                Some(c) => {
                    c.first_screen(hits, scanned, window.saturating_sub(tier1.len())).map(|f| [&tier1[..], &f].concat())
                }
                None if sent => None,
                None => first_perfect(hits, perfect, &tier1, window),
            };
            if let Some(first) = first {
                (stream.first_screen)(first);
                sent = true;
            }
            climb.is_some() && sent
        })?;
    if let Some(climb) = &climb {
        let mut left = climb.ids[scanned..].to_vec();
        left.par_sort_unstable();
        tier2.append(&mut scan(&left, hay_score, stream, |_, _| {})?);
        tier2.par_sort_unstable_by_key(|h| h.entity);
    }
    sort(&mut tier2);
    tier1.append(&mut tier2);
    Some(tier1)
}

/// The entities the query text names as a ref or URL (see
/// [`meant::named`]).
fn named_by_text(index: &Index, values: &Distinct, query: &Query) -> Vec<u32> {
    if query.text.contains([':', '/']) { meant::named(index, &values.kinds(index), &query.text) } else { Vec::new() }
}

/// The highest score nucleo can give `atoms` anywhere: each positive atom
/// matched at the start of a haystack that is just its needle. `None` when
/// that cannot be worked out (then nothing is ever known early).
fn perfect_of(atoms: &[Atom]) -> Option<u32> {
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut total = 0u32;
    for atom in atoms.iter().filter(|a| !a.negative) {
        let needle: Utf32Str<'_> = atom.needle_text();
        total += u32::from(atom.score(needle, &mut matcher)?);
    }
    Some(total.min(FUZZY_BITS))
}

thread_local! {
    /// One matcher per thread, kept: each holds a 135 KB scratch slab.
    static MATCHER: RefCell<Matcher> = RefCell::new(Matcher::new(Config::DEFAULT));
}

/// Scores `ids` in growing parallel waves; `after_wave` sees the hits so
/// far (in the order of `ids`) and how many ids were scored. `None` when
/// cancelled.
fn scan(
    ids: &[u32],
    score: impl Fn(u32, &mut Matcher) -> Option<Hit> + Sync,
    stream: &Stream<'_>,
    mut after_wave: impl FnMut(&[Hit], usize),
) -> Option<Vec<Hit>> {
    let (hits, _) = scan_until(ids, score, stream, |hits, scanned| {
        after_wave(hits, scanned);
        false
    })?;
    Some(hits)
}

/// [`scan`], stopped after a wave when `after_wave` says so: the hits and
/// how many ids were scored.
fn scan_until(
    ids: &[u32],
    score: impl Fn(u32, &mut Matcher) -> Option<Hit> + Sync,
    stream: &Stream<'_>,
    mut after_wave: impl FnMut(&[Hit], usize) -> bool,
) -> Option<(Vec<Hit>, usize)> {
    let mut hits = Vec::new();
    let (mut at, mut wave) = (0, FIRST_WAVE);
    while at < ids.len() {
        if (stream.cancelled)() {
            return None;
        }
        let end = ids.len().min(at + wave);
        hits.par_extend(ids[at..end].par_chunks(PIECE).flat_map_iter(|piece| {
            MATCHER.with_borrow_mut(|matcher| {
                piece.iter().filter_map(|&entity| score(entity, matcher)).collect::<Vec<_>>()
            })
        }));
        (at, wave) = (end, (wave * 2).min(LAST_WAVE));
        if after_wave(&hits, end) {
            break;
        }
    }
    Some((hits, at))
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

/// Helpers the tests of this module, its parts and its siblings share.
#[cfg(test)]
pub(super) mod testing;

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::candidates::Start;
    use super::testing::{big, pattern, random_text};
    use super::*;
    use crate::index::search::{Haystacks, search, search_streaming};
    use nucleo::Utf32Str;

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
        let queries = [
            "p",
            "pa",
            "pay",
            "payments-1",
            "ledger",
            "le or",
            "silver team",
            "quiet 7",
            "zzz",
            "^gate",
            "or$",
            "ledger-66",
            "the orders",
            "component:quiet-5",
        ];
        for q in queries {
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

    /// The scope the TUI searches `q` in after `before` gave `hits`.
    fn typed_scope<'a>(before: &'a Query, hits: &'a [Hit], q: &Query) -> Scope<'a> {
        if super::super::narrows(before, q) && !before.text.is_empty() {
            Scope::Narrowing { before, hits }
        } else {
            Scope::All
        }
    }

    fn ranked(index: &Index, hay: &Haystacks, q: &str, matching: Matching, scope: Scope<'_>) -> Vec<Hit> {
        let stream = Stream { window: usize::MAX, first_screen: &|_| {}, cancelled: &|| false };
        rank(index, hay.parts(index), &hay.values, &Query::parse(q), matching, scope, &stream).unwrap()
    }

    #[test]
    fn narrowing_per_tier_gives_the_same_results() {
        let index = big();
        let hay = Haystacks::build(&index);
        for (a, b) in [("p", "pa"), ("pa", "pay"), ("le", "led"), ("silver", "silver t"), ("q", "qu 1")] {
            let before = search(&index, &hay, &Query::parse(a), Scope::All);
            let narrowed =
                search(&index, &hay, &Query::parse(b), Scope::Narrowing { before: &Query::parse(a), hits: &before });
            assert_eq!(narrowed, search(&index, &hay, &Query::parse(b), Scope::All), "{a:?} → {b:?}");
        }
    }

    /// Typing character by character, each query narrowed from the one
    /// before (reusing the scores of the atoms they share, or all of them
    /// when a space is typed) ranks exactly as a search from scratch: the
    /// same order, scores and bases.
    #[test]
    fn typing_with_shared_atoms_ranks_as_searching_afresh() {
        let index = big();
        let hay = Haystacks::build(&index);
        for matching in [Matching::Optimal, Matching::Greedy] {
            for line in [
                "silver team 1",
                "le or  ga",
                "pay 'gate !quiet x",
                "a-l 7$ or",
                "Pay ME",
                "component:default/quiet-5",
                "The Ledger serv",
                "ledger-60",
            ] {
                let (mut before, mut hits) = (Query::default(), Vec::new());
                for end in line.char_indices().map(|(i, c)| i + c.len_utf8()) {
                    let q = Query::parse(&line[..end]);
                    let fresh = ranked(&index, &hay, &line[..end], matching, Scope::All);
                    let scope = typed_scope(&before, &hits, &q);
                    let typed = ranked(&index, &hay, &line[..end], matching, scope);
                    assert_eq!(typed, fresh, "{matching:?} {:?}", &line[..end]);
                    (before, hits) = (q, typed);
                }
            }
        }
    }

    /// An optimal narrowing search sends its first screen early from the
    /// earlier ranking's bound, and it is always the final one.
    #[test]
    fn a_first_screen_climbed_from_the_earlier_ranking_is_the_final_one() {
        let index = big();
        let hay = Haystacks::build(&index);
        let (mut early, mut keys) = (0, 0);
        for window in [1, 10, 40] {
            for line in [
                "payments-1",
                "ledger 7",
                "silver team 1",
                "a-led",
                "Gate",
                "'order ^qu",
                "or 1 2",
                "default/gateway-3",
                "the q",
            ] {
                let (mut before, mut hits) = (Query::default(), Vec::new());
                for end in line.char_indices().map(|(i, c)| i + c.len_utf8()) {
                    let q = Query::parse(&line[..end]);
                    let scope = typed_scope(&before, &hits, &q);
                    let first = Mutex::new(None);
                    let stream =
                        Stream { window, first_screen: &|h| *first.lock().unwrap() = Some(h), cancelled: &|| false };
                    let all =
                        rank(&index, hay.parts(&index), &hay.values, &q, Matching::Optimal, scope, &stream).unwrap();
                    keys += 1;
                    if let Some(first) = first.into_inner().unwrap() {
                        early += 1;
                        assert_eq!(first, all[..window], "{:?} window {window}", &line[..end]);
                    }
                    (before, hits) = (q, all);
                }
            }
        }
        assert!(early * 2 > keys, "most keys know their first screen early: {early} of {keys}");
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
        let alphabet = "abcdeAB -_/.:xyzé";
        let queries = ["a", "ab", "abc", "a b", "AB", "'ab", "^ab", "ab$", "é", "x-y", "abc !z", "b a c"];
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        for q in queries {
            let p = pattern(q);
            let perfect = perfect_of(&p.atoms).expect("a perfect score");
            let needles: Vec<String> = p.atoms.iter().map(|a| a.needle_text().to_string()).collect();
            for round in 0..4000 {
                let mut hay = random_text(&mut rng, alphabet, 0..24);
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
        let alphabet = "abcdeAB -_/.:xyzé";
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        let mut matched = 0;
        for q in ["a", "abc", "a b", "AB", "'ab", "^ab", "ab$", "é", "abc !z", "b a c", "aé"] {
            let p = pattern(q);
            let perfect = perfect_of(&p.atoms).expect("a perfect score");
            for _ in 0..4000 {
                let hay = random_text(&mut rng, alphabet, 0..30);
                let hay = Utf32Str::new(&hay, &mut buf);
                let (optimal, greedy) = (
                    p.score(hay, &mut matcher),
                    score_atoms(&p.atoms, Start::default(), hay, &mut matcher, true).map(|(s, _)| s),
                );
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
            assert_eq!(p.score(Utf32Str::new(hay, &mut buf), &mut matcher), perfect_of(&p.atoms), "{q}");
        }
    }

    #[test]
    fn the_first_screen_needs_enough_perfect_scores() {
        let hit = |entity, score| Hit { entity, score, base: 0 };
        let hits = [hit(1, 9), hit(2, 5), hit(4, 9), hit(7, 9)];
        assert_eq!(first_perfect(&hits, Some(9), &[], 2), Some(vec![hit(1, 9), hit(4, 9)]));
        assert_eq!(first_perfect(&hits, Some(9), &[], 4), None);
        assert_eq!(first_perfect(&hits, None, &[], 1), None);
        let ahead = [hit(3, LABEL_TIER + 1)];
        assert_eq!(first_perfect(&hits, Some(9), &ahead, 2), Some(vec![ahead[0], hit(1, 9)]));
        assert_eq!(first_perfect(&hits, Some(9), &[ahead[0], ahead[0]], 1), None);
    }
}
