//! What a search starts from: the candidates in index order, and what an
//! earlier query (narrowed from) already knows of their scores. nucleo
//! scores a pattern as the sum of its atoms' scores, so atoms both queries
//! share are not scored again.

use std::sync::atomic::{AtomicU64, Ordering};

use fixedbitset::FixedBitSet;
use nucleo::pattern::{Atom, AtomKind, Pattern};
use nucleo::{Matcher, Utf32Str};
use rayon::prelude::*;

use super::super::Hit;
use super::super::facets::Resolved;
use super::Scope;
use crate::index::Index;
use crate::index::hay::Fields;

/// Where scoring a candidate starts: atoms before `from` are known to
/// score `known` in total; `base` is the earlier query's score of every
/// atom but its last, used when no atom is left to score.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Start {
    pub(super) from: usize,
    pub(super) known: u32,
    pub(super) base: u32,
}

/// How many of the new pattern's leading atoms an earlier query's scores
/// cover (nucleo scores a pattern as the sum of its atoms' scores).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shared {
    /// None: every atom is scored.
    Nothing,
    /// The earlier query's atoms but its last: a hit's `base` covers them.
    AllButLast(usize),
    /// Every atom of the earlier query: a hit's score covers them.
    All(usize),
}

impl Shared {
    pub(super) fn between(before: &Pattern, after: &Pattern) -> Shared {
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
pub(super) struct Candidates {
    /// In index order.
    pub(super) all: Vec<u32>,
    /// The label pass's own, when fewer (narrowing: the earlier label
    /// matches), in index order.
    pub(super) labels: Option<Vec<u32>>,
    /// The earlier query's results by entity: [`Prior`]s, 0 for none
    /// (written in parallel).
    prior: Option<Vec<AtomicU64>>,
    shared: Shared,
}

impl Candidates {
    /// The candidates of a search whose facets are `facets` (resolved once
    /// per search, shared with the meant-entity lookup).
    pub(super) fn new(index: &Index, facets: &Resolved<'_>, shared: Shared, scope: Scope<'_>) -> Candidates {
        let n = index.len();
        let admitted = |i: &u32| facets.admit(*i);
        let nothing = |all: Vec<u32>| Candidates { all, labels: None, prior: None, shared: Shared::Nothing };
        match scope {
            Scope::All if facets.admits_none() => nothing(Vec::new()),
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
                    .par_chunks(super::PIECE * 16)
                    .enumerate()
                    .map(|(k, piece)| {
                        let (mut all, mut labels) = (Vec::new(), Vec::new());
                        for (j, p) in piece.iter().enumerate() {
                            let packed = p.load(Ordering::Relaxed);
                            if packed != 0 {
                                let i = (k * super::PIECE * 16 + j) as u32;
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
    pub(super) fn start(&self, i: u32, label: bool) -> Start {
        let Some(prior) = &self.prior else { return Start::default() };
        let hit = Prior::unpack(prior[i as usize].load(Ordering::Relaxed));
        // A meant hit was found by lookup: its score is no sum of atoms.
        if hit.in_label() != label || hit.meaning().is_some() {
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
pub(super) fn without(all: &[u32], taken: &[Hit]) -> Vec<u32> {
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
pub(super) fn score_atoms(
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

/// [`score_atoms`] on an entity's label, each positive fuzzy atom of two
/// or more characters scored within one of its fields (`fields`, the
/// best), never across two; other atoms on the whole `label` (an anchor is
/// the label's, a negation holds for all of it).
pub(super) fn score_label(
    atoms: &[Atom],
    start: Start,
    fields: &Fields<'_>,
    label: Utf32Str<'_>,
    matcher: &mut Matcher,
    greedy: bool,
) -> Option<(u32, u32)> {
    if fields.count() < 2 {
        return score_atoms(atoms, start, label, matcher, greedy);
    }
    let last = atoms.len().saturating_sub(1);
    let (mut total, mut base) = (start.known, start.base);
    for (j, atom) in atoms.iter().enumerate().skip(start.from) {
        if j == last {
            base = total;
        }
        // One character lies within one field, scored there as in the
        // whole label.
        let score = if per_field(atom) {
            let needle = atom.needle_text();
            fields
                .iter()
                .filter(|&field| may_contain(field, needle))
                .filter_map(|field| atom_score(atom, field, matcher, greedy))
                .max()
        } else {
            atom_score(atom, label, matcher, greedy)
        };
        total += u32::from(score?);
    }
    Some((total, base))
}

/// Whether [`score_label`] scores `atom` on each label field alone: a
/// positive fuzzy atom of two or more characters.
pub(super) fn per_field(atom: &Atom) -> bool {
    atom.kind == AtomKind::Fuzzy && !atom.negative && atom.needle_text().len() > 1
}

/// Whether a fuzzy `needle` may match `field`: false only when both are
/// ASCII and the needle is not a subsequence of the field, case folded
/// (nucleo then finds no match, whatever the case matching). A field that
/// fails costs a byte scan instead of nucleo's matcher.
fn may_contain(field: Utf32Str<'_>, needle: Utf32Str<'_>) -> bool {
    let (Utf32Str::Ascii(field), Utf32Str::Ascii(needle)) = (field, needle) else { return true };
    let mut rest = field.iter();
    needle.iter().all(|&n| {
        let n = n.to_ascii_lowercase();
        rest.any(|&b| b.to_ascii_lowercase() == n)
    })
}

/// [`Atom::score`], a positive fuzzy atom matched greedily when `greedy`
/// (else, on ASCII, by [`super::sparse`]: the same score).
fn atom_score(atom: &Atom, haystack: Utf32Str<'_>, matcher: &mut Matcher, greedy: bool) -> Option<u16> {
    if greedy && atom.kind == AtomKind::Fuzzy && !atom.negative {
        // `Atom::score` first sets the matcher's case and normalisation to
        // the atom's (documented); on an empty haystack it then returns at
        // once.
        let _ = atom.score(Utf32Str::Ascii(&[]), matcher);
        matcher.fuzzy_match_greedy(haystack, atom.needle_text())
    } else if let (AtomKind::Fuzzy, false, Utf32Str::Ascii(hay), Utf32Str::Ascii(needle)) =
        (atom.kind, atom.negative, haystack, atom.needle_text())
        && needle.len() > 1
        && hay.len() > needle.len()
    {
        // The atom's case matching, set as above; then its cells scored
        // sparsely, unless nucleo takes another path.
        let _ = atom.score(Utf32Str::Ascii(&[]), matcher);
        match super::sparse::score(hay, needle, matcher.config.ignore_case) {
            Some(score) => score,
            None => atom.score(haystack, matcher),
        }
    } else {
        atom.score(haystack, matcher)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::pattern;
    use super::*;

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

    /// The byte test turns away only fields nucleo finds no match in.
    #[test]
    fn the_subsequence_test_never_turns_away_a_match() {
        let mut rng = fastrand::Rng::with_seed(5);
        let alphabet = "abcAB -_é";
        let mut matcher = Matcher::new(nucleo::Config::DEFAULT);
        let mut buf = Vec::new();
        let (mut turned, mut matched) = (0, 0);
        for _ in 0..20_000 {
            let hay = super::super::testing::random_text(&mut rng, alphabet, 0..12);
            let needle = super::super::testing::random_text(&mut rng, "abcAB-é", 2..4);
            let atom = &pattern(&needle).atoms[0];
            let h = Utf32Str::new(&hay, &mut buf);
            let found = atom.score(h, &mut matcher).is_some();
            matched += usize::from(found);
            if !may_contain(h, atom.needle_text()) {
                turned += 1;
                assert!(!found, "{needle:?} matches {hay:?}");
            }
        }
        assert!(turned > 1000 && matched > 1000, "both cases occur: {turned} turned away, {matched} matched");
    }
}
