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
//! displace them and that screen is final. A search narrowing an earlier
//! one scans the earlier label matches best first instead, each bounded by
//! its earlier score (see [`Climb`]), and scores only the atoms the two
//! queries do not share.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use fixedbitset::FixedBitSet;
use nucleo::pattern::{Atom, AtomKind, Pattern};
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

/// Ranks `scope` for the query (its facets, then its text) in two tiers.
pub fn rank(
    index: &Index,
    packed: &Packed,
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
    let cands = Candidates::new(index, values, query, shared, scope);
    // An optimal narrowing search that shows a first screen scores labels
    // in the earlier query's rank order (see [`Climb`]).
    let climb = match scope {
        Scope::Narrowing { hits, .. } if matching == Matching::Optimal && stream.window < usize::MAX => {
            rise(&before, pattern, shared).map(|rise| Climb::new(hits, &rise, packed))
        }
        _ => None,
    };
    let perfect = perfect_of(&pattern.atoms);
    let need = prefilter::required(pattern);
    let greedy = matching == Matching::Greedy;
    let atoms = &pattern.atoms[..];
    let mut sent = false;

    let label_score = |i: u32, m: &mut Matcher| {
        if !prefilter::may_match(packed.label_mask(i as usize), need) {
            return None;
        }
        let start = cands.start(i, true);
        let (score, base) = score_atoms(atoms, start, packed.label(i as usize), m, greedy)?;
        Some(Hit { entity: i, score: LABEL_TIER + score.min(LABEL_TIER - 1), base })
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
            Some(climb) => climb.first_screen(hits, scanned, window),
            None => first_perfect(hits, label_top, &[], window),
        };
        if let Some(first) = first {
            (stream.first_screen)(first);
            sent = true;
        }
    })?;
    if climb.is_some() {
        tier1.par_sort_unstable_by_key(|h| h.entity);
    }
    let rest = without(&cands.all, &tier1);
    sort(&mut tier1);
    if !sent && tier1.len() >= window && !rest.is_empty() {
        (stream.first_screen)(tier1[..window].to_vec());
        sent = true;
    }
    let hay_score = |i: u32, m: &mut Matcher| {
        if !prefilter::may_match(packed.mask(i as usize), need) {
            return None;
        }
        let (score, base) = score_atoms(atoms, cands.start(i, false), packed.item(i as usize), m, greedy)?;
        Some(Hit { entity: i, score: score.min(LABEL_TIER - 1), base })
    };
    let mut tier2 = scan(&rest, hay_score, stream, |hits, _| {
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
        |i, _| facets.admit(i).then(|| Hit::unranked(i)),
        stream,
        |hits, _| {
            if !sent && hits.len() >= window {
                (stream.first_screen)(hits[..window].to_vec());
                sent = true;
            }
        },
    )
}

/// Where scoring a candidate starts: atoms before `from` are known to
/// score `known` in total; `base` is the earlier query's score of every
/// atom but its last, used when no atom is left to score.
#[derive(Debug, Clone, Copy, Default)]
struct Start {
    from: usize,
    known: u32,
    base: u32,
}

/// How many of the new pattern's leading atoms an earlier query's scores
/// cover (nucleo scores a pattern as the sum of its atoms' scores).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shared {
    /// None: every atom is scored.
    Nothing,
    /// The earlier query's atoms but its last: a hit's `base` covers them.
    AllButLast(usize),
    /// Every atom of the earlier query: a hit's score covers them.
    All(usize),
}

impl Shared {
    fn between(before: &Pattern, after: &Pattern) -> Shared {
        let (b, a) = (&before.atoms, &after.atoms);
        let common = b.iter().zip(a).take_while(|(x, y)| x == y).count();
        if !b.is_empty() && common == b.len() {
            Shared::All(common)
        } else if common + 1 == b.len() {
            Shared::AllButLast(common)
        } else {
            Shared::Nothing
        }
    }
}

/// The entities a search scores, and what an earlier query (narrowed from)
/// already knows of their scores.
struct Candidates {
    /// In index order.
    all: Vec<u32>,
    /// The label pass's own, when fewer (narrowing: the earlier label
    /// matches), in index order.
    labels: Option<Vec<u32>>,
    /// The earlier query's results by entity: [`Prior`]s, 0 for none
    /// (written in parallel).
    prior: Option<Vec<AtomicU64>>,
    shared: Shared,
}

impl Candidates {
    fn new(index: &Index, values: &Distinct, query: &Query, shared: Shared, scope: Scope<'_>) -> Candidates {
        let n = index.len();
        let facets = Resolved::new(index, values, &query.facets);
        let admitted = |i: &u32| facets.admit(*i);
        let nothing = |all: Vec<u32>| Candidates { all, labels: None, prior: None, shared: Shared::Nothing };
        match scope {
            Scope::All => nothing((0..n as u32).into_par_iter().filter(admitted).collect()),
            Scope::Rows(rows) => nothing(in_order(n, rows.iter()).into_iter().filter(admitted).collect()),
            // The earlier query had the same facets: its results passed them.
            Scope::Narrowing { hits, .. } => {
                if shared == Shared::Nothing {
                    let labels = hits.iter().take_while(|h| h.in_label());
                    return Candidates {
                        all: in_order(n, hits.iter()),
                        labels: Some(in_order(n, labels)),
                        prior: None,
                        shared,
                    };
                }
                let prior: Vec<AtomicU64> = (0..n).into_par_iter().map(|_| AtomicU64::new(0)).collect();
                hits.par_iter().for_each(|h| prior[h.entity as usize].store(Prior::pack(h), Ordering::Relaxed));
                let (mut all, mut labels) = (Vec::with_capacity(hits.len()), Vec::new());
                let pieces: Vec<(Vec<u32>, Vec<u32>)> = prior
                    .par_chunks(PIECE * 16)
                    .enumerate()
                    .map(|(k, piece)| {
                        let (mut all, mut labels) = (Vec::new(), Vec::new());
                        for (j, p) in piece.iter().enumerate() {
                            let packed = p.load(Ordering::Relaxed);
                            if packed != 0 {
                                let i = (k * PIECE * 16 + j) as u32;
                                all.push(i);
                                if Prior::unpack(packed).in_label() {
                                    labels.push(i);
                                }
                            }
                        }
                        (all, labels)
                    })
                    .collect();
                for (a, l) in pieces {
                    all.extend(a);
                    labels.extend(l);
                }
                Candidates { all, labels: Some(labels), prior: Some(prior), shared }
            }
        }
    }

    /// Where scoring entity `i` starts in the label pass (`label`) or the
    /// second tier: an entity that was a label match is scored afresh in
    /// the second tier (its earlier scores were of its label).
    fn start(&self, i: u32, label: bool) -> Start {
        let Some(prior) = &self.prior else { return Start::default() };
        let hit = Prior::unpack(prior[i as usize].load(Ordering::Relaxed));
        if hit.in_label() != label {
            return Start::default();
        }
        match self.shared {
            Shared::Nothing => Start::default(),
            Shared::AllButLast(from) => Start { from, known: hit.base, base: hit.base },
            Shared::All(from) => Start { from, known: hit.fuzzy_score(), base: hit.base },
        }
    }
}

/// A hit's score and base packed in 64 bits, never 0 (a base has 31 bits).
struct Prior;

impl Prior {
    const PRESENT: u32 = 1 << 31;

    fn pack(h: &Hit) -> u64 {
        (u64::from(h.score) << 32) | u64::from(h.base.min(Self::PRESENT - 1) | Self::PRESENT)
    }

    fn unpack(v: u64) -> Hit {
        Hit { entity: 0, score: (v >> 32) as u32, base: v as u32 & !Self::PRESENT }
    }
}

/// The entities of `all` not in `taken`, both in index order.
fn without(all: &[u32], taken: &[Hit]) -> Vec<u32> {
    let mut taken = taken.iter().map(|h| h.entity).peekable();
    let mut rest = Vec::with_capacity(all.len().saturating_sub(taken.len()));
    for &i in all {
        if taken.next_if_eq(&i).is_none() {
            rest.push(i);
        }
    }
    rest
}

/// The entities of `hits`, in index order.
fn in_order<'a>(n: usize, hits: impl Iterator<Item = &'a Hit>) -> Vec<u32> {
    let mut set = FixedBitSet::with_capacity(n);
    for h in hits {
        set.insert(h.entity as usize);
    }
    set.ones().map(|i| i as u32).collect()
}

/// nucleo's score of `atoms` on `haystack` (those before `start.from`
/// known), and the score of every atom but the last. `None`: no match.
fn score_atoms(
    atoms: &[Atom],
    start: Start,
    haystack: Utf32Str<'_>,
    matcher: &mut Matcher,
    greedy: bool,
) -> Option<(u32, u32)> {
    let last = atoms.len().saturating_sub(1);
    let (mut total, mut base) = (start.known, start.base);
    for (j, atom) in atoms.iter().enumerate().skip(start.from) {
        if j == last {
            base = total;
        }
        total += u32::from(atom_score(atom, haystack, matcher, greedy)?);
    }
    Some((total, base))
}

/// [`Atom::score`], a positive fuzzy atom matched greedily when `greedy`.
fn atom_score(atom: &Atom, haystack: Utf32Str<'_>, matcher: &mut Matcher, greedy: bool) -> Option<u16> {
    if greedy && atom.kind == AtomKind::Fuzzy && !atom.negative {
        // `Atom::score` first sets the matcher's case and normalisation to
        // the atom's (documented); on an empty haystack it then returns at
        // once.
        let _ = atom.score(Utf32Str::Ascii(&[]), matcher);
        matcher.fuzzy_match_greedy(haystack, atom.needle_text())
    } else {
        atom.score(haystack, matcher)
    }
}

/// The label pass of an optimal narrowing search, in the earlier query's
/// rank order: no label scores more than its earlier score plus a `rise`
/// (see [`rise`]), so once `window` scores beat what every label not yet
/// scored could reach, the first screen is final.
struct Climb {
    /// The earlier label matches, best first.
    ids: Vec<u32>,
    /// The most each can score now (never rising along `ids`).
    reach: Vec<u32>,
}

impl Climb {
    /// Labels that are not ASCII come first, unbounded: for a one-character
    /// needle nucleo scores them by a first good match, not the best one.
    fn new(hits: &[Hit], rise: &Rise, packed: &Packed) -> Climb {
        let labels = &hits[..hits.partition_point(|h| h.in_label())];
        // (reach, entity, 0 unbounded | 1 full rise | 2 less, apart)
        let reached: Vec<(u32, u32, u8)> = labels
            .par_iter()
            .map(|h| match packed.label(h.entity as usize) {
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

    /// The first screen, when the hits of the first `scanned` labels settle
    /// it: `window` of them rank above anything the rest could reach. The
    /// next label's reach is the most any later one reaches; later labels
    /// reaching it as well come next in index order (the earlier ranking's
    /// ties), so a hit of that score ranks first if its ref is lower.
    fn first_screen(&self, hits: &[Hit], scanned: usize, window: usize) -> Option<Vec<Hit>> {
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
struct Rise {
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
fn rise(before: &Pattern, after: &Pattern, shared: Shared) -> Option<Rise> {
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
    Some(total.min(LABEL_TIER - 1))
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
        after_wave(&hits, end);
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

/// Widest score range [`sort`] counts; wider ranges are compared.
const COUNTED_RANGE: u32 = 1 << 16;

/// Best first, ties in index order (which is ref order). `hits` come in
/// index order, so a stable counting sort by score does it in linear time;
/// nucleo's scores of one tier span a few hundred values.
fn sort(hits: &mut Vec<Hit>) {
    debug_assert!(hits.windows(2).all(|w| w[0].entity < w[1].entity), "hits in index order");
    let (Some(low), Some(high)) = (hits.iter().map(|h| h.score).min(), hits.iter().map(|h| h.score).max()) else {
        return;
    };
    if high - low >= COUNTED_RANGE {
        hits.par_sort_unstable_by_key(|h| (u64::from(u32::MAX - h.score) << 32) | u64::from(h.entity));
        return;
    }
    // Slot of each score, best first: where its first hit goes.
    let mut slot = vec![0usize; (high - low) as usize + 2];
    for h in hits.iter() {
        slot[(high - h.score) as usize + 1] += 1;
    }
    for k in 1..slot.len() {
        slot[k] += slot[k - 1];
    }
    let mut ranked = vec![Hit::unranked(0); hits.len()];
    for h in hits.iter() {
        let at = &mut slot[(high - h.score) as usize];
        ranked[*at] = *h;
        *at += 1;
    }
    *hits = ranked;
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

    fn ranked(index: &Index, hay: &Haystacks, q: &str, matching: Matching, scope: Scope<'_>) -> Vec<Hit> {
        let stream = Stream { window: usize::MAX, first_screen: &|_| {}, cancelled: &|| false };
        rank(index, hay.get(index), &hay.values, &Query::parse(q), matching, scope, &stream).unwrap()
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
            for line in ["silver team 1", "le or  ga", "pay 'gate !quiet x", "a-l 7$ or", "Pay ME"] {
                let (mut before, mut hits) = (Query::default(), Vec::new());
                for end in line.char_indices().map(|(i, c)| i + c.len_utf8()) {
                    let q = Query::parse(&line[..end]);
                    let fresh = ranked(&index, &hay, &line[..end], matching, Scope::All);
                    let scope = if super::super::narrows(&before, &q) && !before.text.is_empty() {
                        Scope::Narrowing { before: &before, hits: &hits }
                    } else {
                        Scope::All
                    };
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
            for line in ["payments-1", "ledger 7", "silver team 1", "a-led", "Gate", "'order ^qu", "or 1 2"] {
                let (mut before, mut hits) = (Query::default(), Vec::new());
                for end in line.char_indices().map(|(i, c)| i + c.len_utf8()) {
                    let q = Query::parse(&line[..end]);
                    let scope = if super::super::narrows(&before, &q) && !before.text.is_empty() {
                        Scope::Narrowing { before: &before, hits: &hits }
                    } else {
                        Scope::All
                    };
                    let first = Mutex::new(None);
                    let stream =
                        Stream { window, first_screen: &|h| *first.lock().unwrap() = Some(h), cancelled: &|| false };
                    let all =
                        rank(&index, hay.get(&index), &hay.values, &q, Matching::Optimal, scope, &stream).unwrap();
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

    /// [`CHAR_RISE`] bounds what a character appended to a fuzzy atom adds
    /// to nucleo's optimal score, in either case, [`GAP_START`] less when
    /// it cannot follow the character before; other kinds get no bound.
    #[test]
    fn an_appended_character_rises_the_optimal_score_by_at_most_char_rise() {
        let mut rng = fastrand::Rng::with_seed(5);
        // ASCII only: `Climb::new` leaves other labels unbounded.
        let alphabet: Vec<char> = "abcAB -_/.:x1".chars().collect();
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        let (mut checked, mut apart) = (0, 0);
        for _ in 0..60_000 {
            let hay: String = (0..rng.usize(1..40)).map(|_| alphabet[rng.usize(..alphabet.len())]).collect();
            let needle: String =
                (0..rng.usize(1..4)).map(|_| "abcx1"[rng.usize(..5)..].chars().next().unwrap()).collect();
            let c = alphabet[rng.usize(..alphabet.len())];
            if c == ' ' {
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

    #[test]
    fn the_same_atoms_share_every_score_and_a_grown_last_atom_its_base() {
        let p = pattern;
        assert_eq!(Shared::between(&p("ab cd"), &p("ab cd")), Shared::All(2));
        assert_eq!(Shared::between(&p("ab"), &p("ab c")), Shared::All(1));
        assert_eq!(Shared::between(&p("ab c"), &p("ab cd")), Shared::AllButLast(1));
        assert_eq!(Shared::between(&p("a"), &p("ab")), Shared::AllButLast(0));
        assert_eq!(Shared::between(&p("ab cd"), &p("abx cd")), Shared::Nothing);
        assert_eq!(Shared::between(&p(""), &p("a")), Shared::Nothing);
    }

    #[test]
    fn counting_sort_ranks_as_comparing() {
        let mut rng = fastrand::Rng::with_seed(3);
        for spread in [1, 300, COUNTED_RANGE + 5] {
            let mut entity = 0;
            let mut hits: Vec<Hit> = (0..5000)
                .map(|_| {
                    entity += rng.u32(1..4);
                    Hit { entity, score: LABEL_TIER + rng.u32(0..spread), base: rng.u32(..) }
                })
                .collect();
            let mut compared = hits.clone();
            compared.sort_by_key(|h| (std::cmp::Reverse(h.score), h.entity));
            sort(&mut hits);
            assert_eq!(hits, compared, "spread {spread}");
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
            let perfect = perfect_of(&p.atoms).expect("a perfect score");
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
            let perfect = perfect_of(&p.atoms).expect("a perfect score");
            for _ in 0..4000 {
                let hay: String = (0..rng.usize(0..30)).map(|_| alphabet[rng.usize(..alphabet.len())]).collect();
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
