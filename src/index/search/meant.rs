//! What a query plainly means, ranked above any fuzzy match: the entity a
//! pasted ref or entity URL names, then an exact name, then an exact title
//! or display name, then a name, title or display name the query begins.
//! Found by lookup (a ref by binary search, the rest in a sorted
//! [`Lexicon`] of label fields), never by scoring every entity, so the
//! first screen of such a query is known at once.

use nucleo::{Utf32Str, Utf32String};
use rayon::prelude::*;

use super::Hit;
use super::rank::LABEL_TIER;
use crate::index::hay::Packed;
use crate::index::{Field, Index};
use crate::model::EntityRef;
use crate::model::entity_ref::split_ref;

/// How plainly a query means an entity, best last (0: only fuzzily).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Meaning {
    /// A name, title or display name begins with the query.
    Prefix = 1,
    /// The query is the title or display name.
    Title = 2,
    /// The query is the name.
    Name = 3,
    /// The query is the entity's ref or the URL of its page.
    Ref = 4,
}

impl Meaning {
    /// Its name in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Meaning::Prefix => "prefix",
            Meaning::Title => "title",
            Meaning::Name => "name",
            Meaning::Ref => "ref",
        }
    }
}

/// Where a hit's [`Meaning`] sits in its score (above nucleo's score).
const MEANING_SHIFT: u32 = 28;
/// The score bits nucleo's score (or a meant hit's tie-break) may use.
pub const FUZZY_BITS: u32 = (1 << MEANING_SHIFT) - 1;

/// The meaning of a hit's score, if it was meant.
pub fn meaning_of(score: u32) -> Option<Meaning> {
    match (score & !LABEL_TIER) >> MEANING_SHIFT {
        1 => Some(Meaning::Prefix),
        2 => Some(Meaning::Title),
        3 => Some(Meaning::Name),
        4 => Some(Meaning::Ref),
        _ => None,
    }
}

/// Kinds in the order a tie between meant entities puts them: what a
/// name most often means first.
const KIND_ORDER: [&str; 9] =
    ["system", "domain", "component", "api", "resource", "group", "user", "template", "location"];

/// A meant hit's score: its meaning, then the shorter name, then the kind
/// (see [`KIND_ORDER`]); ties go to the lower ref, as every tie does.
fn score(index: &Index, packed: &Packed, entity: u32, meaning: Meaning) -> u32 {
    let name_chars = packed.fields(entity as usize).get(0).map_or(0, |f| f.len()).min(0xFFFF) as u32;
    let kind = index.field(entity, Field::Kind).unwrap_or("");
    let kind_rank = KIND_ORDER.iter().position(|k| k.eq_ignore_ascii_case(kind)).unwrap_or(KIND_ORDER.len()) as u32;
    let tie = (name_chars << 4) | kind_rank;
    LABEL_TIER | ((meaning as u32) << MEANING_SHIFT) | (FUZZY_BITS - tie)
}

/// Every label field of every entity, sorted by its case-folded text: the
/// fields a query begins are one range. For a single search (a CLI
/// process) the fields are scanned instead: one pass over them is far
/// cheaper than sorting them.
#[derive(Default)]
pub struct Lexicon {
    /// `entity << 2 | field` (0: name, 1, 2: title, display name);
    /// `None`: scanned.
    sorted: Option<Vec<u32>>,
}

fn fold(c: char) -> char {
    if c.is_ascii() { c.to_ascii_lowercase() } else { c.to_lowercase().next().unwrap_or(c) }
}

fn field_of(packed: &Packed, entry: u32) -> Utf32Str<'_> {
    packed.fields((entry >> 2) as usize).get((entry & 3) as usize).unwrap_or(Utf32Str::Ascii(&[]))
}

/// The folded text of `field` against `needle`, only as far as the needle
/// goes: `Equal` when the field begins with it.
fn cmp_prefix(field: Utf32Str<'_>, needle: &[char]) -> std::cmp::Ordering {
    field.chars().map(fold).take(needle.len()).cmp(needle.iter().copied())
}

/// How a field that `needle` begins is meant: exactly (a name, or a title
/// or display name) or by its beginning.
fn meaning(field: Utf32Str<'_>, needle: &[char], k: u32) -> Meaning {
    match (field.len() == needle.len(), k) {
        (false, _) => Meaning::Prefix,
        (true, 0) => Meaning::Name,
        (true, _) => Meaning::Title,
    }
}

/// A sort key of a field's first folded characters (up to 16): one byte
/// each, the first not ASCII as 255 and nothing after it. Keys order as
/// the texts do, ties aside.
fn sort_key(field: Utf32Str<'_>) -> u128 {
    let mut key = 0u128;
    for (n, c) in field.chars().map(fold).take(16).enumerate() {
        let byte = u8::try_from(u32::from(c)).ok().filter(u8::is_ascii).unwrap_or(255);
        key |= u128::from(byte) << (8 * (15 - n));
        if byte == 255 {
            break;
        }
    }
    key
}

impl Lexicon {
    /// Sorts the label fields of `packed` (in parallel).
    pub fn build(packed: &Packed, n: usize) -> Lexicon {
        let mut keyed: Vec<(u128, u32)> = (0..n as u32)
            .into_par_iter()
            .flat_map_iter(|i| {
                let fields = packed.fields(i as usize);
                (0..fields.count())
                    .map(move |k| (sort_key(fields.get(k).unwrap_or(Utf32Str::Ascii(&[]))), (i << 2) | k as u32))
            })
            .collect();
        keyed.par_sort_unstable_by(|&(ka, a), &(kb, b)| {
            ka.cmp(&kb).then_with(|| {
                let (x, y) = (field_of(packed, a), field_of(packed, b));
                x.chars().map(fold).cmp(y.chars().map(fold)).then(a.cmp(&b))
            })
        });
        Lexicon { sorted: Some(keyed.into_iter().map(|(_, e)| e).collect()) }
    }

    /// A lexicon that scans the label fields of every lookup (for one
    /// search).
    pub fn scanned() -> Lexicon {
        Lexicon { sorted: None }
    }

    /// The entities of `packed` (`n` of them) with a label field that
    /// `needle` (folded) begins, and how: `(entity, Prefix | Title |
    /// Name)`, an entity once or more; only the exact ones unless
    /// `prefixes`.
    fn beginning(&self, packed: &Packed, n: usize, needle: &[char], prefixes: bool) -> Vec<(u32, Meaning)> {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let Some(entries) = &self.sorted else {
            let mut found = Vec::new();
            for i in 0..n {
                for (k, field) in packed.fields(i).iter().enumerate() {
                    if field.len() >= needle.len() && cmp_prefix(field, needle) == Equal {
                        let m = meaning(field, needle, k as u32);
                        if prefixes || m != Meaning::Prefix {
                            found.push((i as u32, m));
                        }
                    }
                }
            }
            return found;
        };
        let from = entries.partition_point(|&e| cmp_prefix(field_of(packed, e), needle) == Less);
        let to = from + entries[from..].partition_point(|&e| cmp_prefix(field_of(packed, e), needle) != Greater);
        let all = entries[from..to].iter().map(|&e| (e >> 2, meaning(field_of(packed, e), needle, e & 3)));
        // Exact fields sort first among those they begin.
        if prefixes { all.collect() } else { all.take_while(|&(_, m)| m != Meaning::Prefix).collect() }
    }
}

/// The entities `text` names as a ref (`kind:ns/name`, `kind:name`,
/// `ns/name`) or as the URL of an entity page (`…/catalog/<ns>/<kind>/<name>`).
pub fn named(index: &Index, kinds: &[&str], text: &str) -> Vec<u32> {
    let text = text.trim();
    if text.is_empty() || text.contains(char::is_whitespace) {
        return Vec::new();
    }
    if let Some(path) = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://")) {
        return url_ref(path).and_then(|canonical| index.find(&canonical)).into_iter().collect();
    }
    if !text.contains([':', '/']) {
        return Vec::new();
    }
    let Ok(parts) = split_ref(text) else { return Vec::new() };
    let ns = parts.namespace.unwrap_or(crate::model::entity_ref::DEFAULT_NAMESPACE);
    let mut found: Vec<u32> = match parts.kind {
        Some(kind) => index.find(&EntityRef::new(kind, ns, parts.name).canonical()).into_iter().collect(),
        None => kinds.iter().filter_map(|kind| index.find(&EntityRef::new(kind, ns, parts.name).canonical())).collect(),
    };
    found.sort_unstable();
    found.dedup();
    found
}

/// `kind:ns/name` from the path of a Backstage entity page URL.
fn url_ref(path: &str) -> Option<String> {
    let path = path.split(['?', '#']).next()?;
    let mut segments = path.split('/').skip(1);
    while let Some(segment) = segments.next() {
        if segment == "catalog" {
            let (ns, kind, name) = (segments.next()?, segments.next()?, segments.next()?);
            let (ns, kind, name) = (percent_decoded(ns)?, percent_decoded(kind)?, percent_decoded(name)?);
            if ns.is_empty() || kind.is_empty() || name.is_empty() {
                return None;
            }
            return Some(EntityRef::new(&kind, &ns, &name).canonical());
        }
    }
    None
}

/// A URL path segment with its `%XX` escapes decoded (`None`: not UTF-8).
fn percent_decoded(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = bytes.get(at + 1..at + 3).and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) if bytes[at] == b'%' => {
                out.push(byte);
                at += 3;
            }
            _ => {
                out.push(bytes[at]);
                at += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Whether the query text is plain words (no fzf operators), so a field it
/// begins or equals is meant.
pub fn is_plain(text: &str) -> bool {
    !text.is_empty() && !text.contains(['^', '\'', '!', '$', '|', '\\'])
}

/// Fewest characters a query needs for the fields it begins to be meant:
/// one character begins too many, and nucleo already ranks a match at the
/// start of a name above others.
const PREFIX_CHARS: usize = 2;

/// The meant hits among the entities `admit` lets through: `named`
/// (refs, already admitted), then those whose label fields `text` begins,
/// each once at its best meaning, ranked.
pub fn meant(
    index: &Index,
    packed: &Packed,
    lexicon: &Lexicon,
    text: &str,
    named: &[u32],
    admit: impl Fn(u32) -> bool,
) -> Vec<Hit> {
    let mut found: Vec<(u32, Meaning)> = named.iter().map(|&i| (i, Meaning::Ref)).collect();
    if is_plain(text) {
        let needle: Vec<char> = Utf32String::from(text).slice(..).chars().map(fold).collect();
        let beginning = lexicon.beginning(packed, index.len(), &needle, needle.len() >= PREFIX_CHARS);
        found.extend(beginning.into_iter().filter(|&(i, _)| admit(i)));
    }
    // Each entity at its best meaning.
    found.sort_unstable_by_key(|&(i, m)| (i, std::cmp::Reverse(m)));
    found.dedup_by_key(|&mut (i, _)| i);
    let mut hits: Vec<Hit> =
        found.into_iter().map(|(i, m)| Hit { entity: i, score: score(index, packed, i, m), base: 0 }).collect();
    hits.sort_unstable_by_key(|h| (std::cmp::Reverse(h.score), h.entity));
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::search::rank::testing::big;
    use crate::index::search::{Haystacks, Query, Scope, search};
    use serde_json::json;

    fn index() -> Index {
        crate::index::testing::index_of(vec![
            json!({"kind": "Component", "metadata": {"name": "tracking-widget", "title": "Tracking Widget"}}),
            json!({"kind": "API", "metadata": {"name": "tracking-api", "title": "Public Tracking API"}}),
            json!({"kind": "System", "metadata": {"name": "tracking", "title": "Tracking"}}),
            json!({"kind": "Group", "metadata": {"name": "team-track", "title": "Tracking"}, "spec": {"type": "team"}}),
            json!({"kind": "Component", "metadata": {"name": "配送", "namespace": "jp"}}),
            json!({"kind": "Component", "metadata": {"name": "配送-api"}}),
        ])
    }

    fn meant_of(index: &Index, text: &str) -> Vec<(String, Option<Meaning>)> {
        let hay = Haystacks::build(index);
        let (packed, lexicon) = hay.parts(index);
        let named = named(index, &["component", "api", "system", "group"], text);
        meant(index, packed, lexicon, text, &named, |_| true)
            .into_iter()
            .map(|h| (index.ref_of(h.entity).to_string(), meaning_of(h.score)))
            .collect()
    }

    #[test]
    fn ranks_name_then_title_then_prefix_by_shorter_name() {
        let idx = index();
        let found = meant_of(&idx, "tracking");
        let expect = [
            ("system:default/tracking", Meaning::Name),
            ("group:default/team-track", Meaning::Title),
            ("api:default/tracking-api", Meaning::Prefix),
            ("component:default/tracking-widget", Meaning::Prefix),
        ];
        assert_eq!(found, expect.map(|(r, m)| (r.to_string(), Some(m))));
        assert_eq!(meant_of(&idx, "TRACKING W"), [("component:default/tracking-widget".into(), Some(Meaning::Prefix))]);
        assert_eq!(meant_of(&idx, "public")[0].0, "api:default/tracking-api", "a title's beginning");
        assert_eq!(meant_of(&idx, "配送")[0], ("component:jp/配送".into(), Some(Meaning::Name)));
        assert!(meant_of(&idx, "^tracking").is_empty(), "fzf syntax is not plain");
    }

    /// What a query means ranks first: a ref, the exact name, an exact
    /// title, then names and titles it begins (shorter names first), then
    /// the fuzzy tiers; every meant hit is in the label tier.
    #[test]
    fn meant_entities_rank_first_in_their_order() {
        let index = big();
        let hay = Haystacks::build(&index);
        let refs = |q: &str| -> Vec<(String, Option<Meaning>)> {
            let hits = search(&index, &hay, &Query::parse(q), Scope::All);
            hits.iter().take(4).map(|h| (index.ref_of(h.entity).to_string(), h.meaning())).collect()
        };
        use Meaning::{Name, Prefix, Ref};
        let found = refs("orders-62");
        assert_eq!(found[0], ("component:default/orders-62".into(), Some(Name)));
        assert_eq!(found[1], ("component:default/orders-620".into(), Some(Prefix)), "the shorter name next");
        assert_eq!(refs("component:default/quiet-5")[0], ("component:default/quiet-5".into(), Some(Ref)));
        assert_eq!(refs("default/quiet-5")[0].1, Some(Ref));
        let titled = refs("the ledger service");
        assert!(titled.iter().all(|(_, m)| *m == Some(Meaning::Title)), "{titled:?}");
        let hits = search(&index, &hay, &Query::parse("orders"), Scope::All);
        let meant = hits.iter().take_while(|h| h.meaning().is_some()).count();
        assert!(meant > 0 && hits[..meant].iter().all(Hit::in_label));
        assert!(hits[meant..].iter().all(|h| h.meaning().is_none()));
        assert!(hits[..meant].windows(2).all(|w| {
            let len = |h: &Hit| index.name_of(h.entity).len();
            w[0].meaning() > w[1].meaning() || len(&w[0]) <= len(&w[1])
        }));
    }

    /// A scanned lexicon (one search) finds what the sorted one finds.
    #[test]
    fn scanned_and_sorted_lexicons_agree() {
        let large = big();
        let hay = Haystacks::build(&large);
        let (packed, sorted) = hay.parts(&large);
        let scanned = Lexicon::scanned();
        for text in ["o", "orders-62", "the ledger service", "THE", "a-l", "q", "quiet-11", "zz", "配"] {
            let admit = |i: u32| !i.is_multiple_of(3);
            let a = meant(&large, packed, sorted, text, &[], admit);
            assert_eq!(a, meant(&large, packed, &scanned, text, &[], admit), "{text:?}");
        }
        let idx = index();
        let hay = Haystacks::build(&idx);
        let (packed, sorted) = hay.parts(&idx);
        for text in ["配送", "配", "tracking", "Tracking W", "p"] {
            let a = meant(&idx, packed, sorted, text, &[], |_| true);
            assert_eq!(a, meant(&idx, packed, &scanned, text, &[], |_| true), "{text:?}");
        }
    }

    /// Sort keys order as the folded texts do (ties aside).
    #[test]
    fn sort_keys_order_as_the_texts() {
        let texts =
            ["", "a", "A", "ab", "abc", "a\u{0}", "ä", "äz", "éa", "z", "Zeta", "zeta-service-longer-than-16", "配送"];
        let mut buf = Vec::new();
        let mut buf2 = Vec::new();
        for x in texts {
            for y in texts {
                let (a, b) = (Utf32Str::new(x, &mut buf), Utf32Str::new(y, &mut buf2));
                let text_order = a.chars().map(fold).cmp(b.chars().map(fold));
                let key_order = sort_key(a).cmp(&sort_key(b));
                assert!(key_order == text_order || key_order.is_eq(), "{x:?} {y:?}");
            }
        }
    }

    #[test]
    fn refs_and_urls_name_their_entity() {
        let idx = index();
        let kinds = ["component", "api", "system", "group"];
        let one = |t: &str| named(&idx, &kinds, t).iter().map(|&i| idx.ref_of(i).to_string()).collect::<Vec<_>>();
        assert_eq!(one("api:default/tracking-api"), ["api:default/tracking-api"]);
        assert_eq!(one("API:tracking-api"), ["api:default/tracking-api"]);
        assert_eq!(one("jp/配送"), ["component:jp/配送"]);
        assert_eq!(
            one("https://backstage.example.com/catalog/default/system/tracking/dependencies?x=1"),
            ["system:default/tracking"]
        );
        assert_eq!(one("http://localhost:3000/catalog/jp/component/%E9%85%8D%E9%80%81"), ["component:jp/配送"]);
        assert!(one("tracking").is_empty() && one("api:nothing").is_empty() && one("a b:c").is_empty());
        assert_eq!(meant_of(&idx, "system:tracking")[0], ("system:default/tracking".into(), Some(Meaning::Ref)));
    }
}
