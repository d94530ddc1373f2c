//! Search: facet tokens narrow first (`kind:api owner:team-a !tag:java`),
//! then nucleo fuzzy-matches the rest against a compact per-entity haystack,
//! in two tiers (see [`rank`]). The CLI and the TUI use this same code.

mod facets;
mod hints;
mod meant;
mod rank;

use std::sync::OnceLock;

use nucleo::pattern::{CaseMatching, Normalization, Pattern};
use nucleo::{Config, Matcher, Utf32Str};

pub use hints::{FacetHint, Unknown, facet_hints};
pub use meant::{Meaning, meaning_of};
pub use rank::{LABEL_TIER, Matching, Scope, Stream};

use super::hay::Packed;
use super::table::Searchable;
use super::{Field, Index, SummaryRef};

/// Facets a query may narrow by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FacetKey {
    /// `kind:api`
    Kind,
    /// `owner:team-a` (by name, ref, or the owner's title)
    Owner,
    /// `tag:java`
    Tag,
    /// `lifecycle:production`
    Lifecycle,
    /// `ns:default`
    Namespace,
    /// `type:service`
    Type,
    /// `system:payments`
    System,
}

impl FacetKey {
    /// Every facet with the word that introduces it.
    pub const ALL: [(&'static str, FacetKey); 8] = [
        ("kind", FacetKey::Kind),
        ("owner", FacetKey::Owner),
        ("tag", FacetKey::Tag),
        ("lifecycle", FacetKey::Lifecycle),
        ("ns", FacetKey::Namespace),
        ("namespace", FacetKey::Namespace),
        ("type", FacetKey::Type),
        ("system", FacetKey::System),
    ];

    fn from_word(word: &str) -> Option<FacetKey> {
        Self::ALL.iter().find(|(w, _)| w.eq_ignore_ascii_case(word)).map(|(_, k)| *k)
    }
}

/// One `key:value` token of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facet {
    /// Which facet.
    pub key: FacetKey,
    /// The value, lower-cased.
    pub value: String,
    /// `!key:value`: exclude instead of include.
    pub negate: bool,
}

/// A parsed query: facets and the free text left for fuzzy matching.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// Facet tokens, all of which must hold.
    pub facets: Vec<Facet>,
    /// The rest, in nucleo's fzf-like syntax.
    pub text: String,
    /// `is:rejected`: the entities the catalog would not store (none of
    /// the stored ones; see [`super::rejected`]).
    pub rejected: bool,
}

impl Query {
    /// Splits a query line into facets and text.
    pub fn parse(line: &str) -> Query {
        let mut query = Query::default();
        let mut words = Vec::new();
        for token in line.split_whitespace() {
            let (negate, body) = match token.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, token),
            };
            let facet = body.split_once(':').and_then(|(k, v)| {
                let key = FacetKey::from_word(k)?;
                (!v.is_empty()).then(|| Facet { key, value: v.to_lowercase(), negate })
            });
            match facet {
                Some(f) => query.facets.push(f),
                None if body.eq_ignore_ascii_case("is:rejected") => query.rejected = !negate,
                None => words.push(token),
            }
        }
        query.text = words.join(" ");
        query
    }

    /// Whether entity `i` passes every facet.
    pub fn admits(&self, index: &Index, i: u32) -> bool {
        self.facets.iter().all(|f| facet_holds(f, index, i) != f.negate)
    }
}

fn ref_matches(target: Option<&str>, value: &str) -> bool {
    let Some(target) = target else { return false };
    if target == value {
        return true;
    }
    let (kind, rest) = target.split_once(':').unwrap_or(("", target));
    let name = rest.rsplit('/').next().unwrap_or(rest);
    name == value || rest == value || value.split_once(':') == Some((kind, name))
}

fn facet_holds(f: &Facet, index: &Index, i: u32) -> bool {
    match f.field() {
        Some(field) => f.holds_for_in(index, index.field(i, field)),
        None => index.tags(i).iter().any(|t| f.holds_for(Some(t))),
    }
}

/// Whether the entity `owner` refers to has `title` (lower case) as its
/// title or display name.
fn titled(index: &Index, owner: Option<&str>, title: &str) -> bool {
    let Some(s) = owner.and_then(|o| index.find(o)).and_then(|i| index.try_summary(i)) else { return false };
    [s.title, s.display_name].into_iter().flatten().any(|t| t.trim().to_lowercase() == title)
}

impl Facet {
    /// The single-valued field the facet reads (`None`: tags).
    pub(crate) fn field(&self) -> Option<Field> {
        match self.key {
            FacetKey::Kind => Some(Field::Kind),
            FacetKey::Owner => Some(Field::Owner),
            FacetKey::Tag => None,
            FacetKey::Lifecycle => Some(Field::Lifecycle),
            FacetKey::Namespace => Some(Field::Namespace),
            FacetKey::Type => Some(Field::Type),
            FacetKey::System => Some(Field::System),
        }
    }

    /// [`Facet::holds_for`], and for `owner:` the owner's title or display
    /// name as well (`owner:shipments` for a group titled "Shipments").
    fn holds_for_in(&self, index: &Index, value: Option<&str>) -> bool {
        self.holds_for(value) || (self.key == FacetKey::Owner && titled(index, value, &self.value))
    }

    /// Whether one value of the facet's field (one tag) satisfies it,
    /// negation aside.
    pub(crate) fn holds_for(&self, value: Option<&str>) -> bool {
        match self.key {
            FacetKey::Owner | FacetKey::System => ref_matches(value, &self.value),
            _ => value.is_some_and(|v| v.eq_ignore_ascii_case(&self.value)),
        }
    }
}

/// Longest description prefix put in a haystack: enough to find an entity by
/// what it does, short enough to keep memory and noise down.
const DESCRIPTION_CHARS: usize = 120;

/// The text fuzzy matching sees for an entity: its label first (name,
/// title, display name: best matches there), then owner name, tags and
/// description. Kind and namespace are left to the `kind:` and `ns:`
/// facets: in the haystack they would make short queries match nearly
/// everything.
pub fn haystack(s: &SummaryRef<'_>) -> String {
    let parts = Searchable {
        name: s.name,
        title: s.title,
        display_name: s.display_name,
        owner: s.owner,
        tags: s.tags,
        description: s.description,
    };
    labelled_haystack(&parts).0
}

/// [`haystack`], the byte length of its label prefix and where the
/// label's second and third fields start (0: none).
fn labelled_haystack(s: &Searchable<'_>) -> (String, usize, [usize; 2]) {
    let owner = s.owner.and_then(|o| o.rsplit('/').next()).unwrap_or("");
    let mut out = String::with_capacity(96);
    out.push_str(s.name);
    let mut cuts = [0; 2];
    let mut next = 0;
    for part in [s.title.unwrap_or(""), s.display_name.unwrap_or("")] {
        if !part.is_empty() {
            out.push(' ');
            cuts[next] = out.len();
            next += 1;
            out.push_str(part);
        }
    }
    let label = out.len();
    if !owner.is_empty() {
        out.push(' ');
        out.push_str(owner);
    }
    for t in s.tags.iter() {
        out.push(' ');
        out.push_str(t);
    }
    if let Some(d) = s.description {
        out.push(' ');
        push_description(&mut out, d);
    }
    (out, label, cuts)
}

/// The first [`DESCRIPTION_CHARS`] characters of a description, control
/// characters as spaces.
fn push_description(out: &mut String, d: &str) {
    if d.is_ascii() {
        let head = &d[..d.len().min(DESCRIPTION_CHARS)];
        if !head.bytes().any(|b| b.is_ascii_control()) {
            out.push_str(head);
            return;
        }
    }
    out.extend(d.chars().take(DESCRIPTION_CHARS).map(|c| if c.is_control() { ' ' } else { c }));
}

/// Precomputed haystacks for an index, one per entity, built once (in
/// parallel) on first use or in the background: an empty query needs none,
/// so the first frame does not wait for them.
#[derive(Default)]
pub struct Haystacks {
    built: OnceLock<(Packed, meant::Lexicon)>,
    /// The distinct values facets read, found on first use.
    values: facets::Distinct,
    /// For one search: label fields are scanned, not sorted (see
    /// [`meant::Lexicon`]).
    once: bool,
}

impl Haystacks {
    /// Builds the haystacks now (in parallel).
    pub fn build(index: &Index) -> Haystacks {
        let hay = Haystacks::lazy();
        hay.ensure(index);
        hay
    }

    /// Haystacks built on first use, or by [`Haystacks::ensure`] from a
    /// background thread.
    pub fn lazy() -> Haystacks {
        Haystacks::default()
    }

    /// Haystacks for a single search (a CLI process): built on first use
    /// like [`Haystacks::lazy`]'s, but what serves many lookups (the sorted
    /// label fields) is not built.
    pub fn once() -> Haystacks {
        Haystacks { once: true, ..Haystacks::default() }
    }

    /// Every kind in `index`, as written: found once, then kept with the
    /// other values facets read.
    pub fn kinds<'a>(&self, index: &'a Index) -> Vec<&'a str> {
        self.values.kinds(index)
    }

    /// Whether they are built yet.
    pub fn is_built(&self) -> bool {
        self.built.get().is_some()
    }

    /// Builds them unless built (another caller waits for the first).
    pub fn ensure(&self, index: &Index) {
        self.parts(index);
    }

    /// The packed haystacks and the sorted label fields.
    fn parts(&self, index: &Index) -> (&Packed, &meant::Lexicon) {
        let (packed, lexicon) = self.built.get_or_init(|| {
            let packed = Packed::build(index.len(), |i| labelled_haystack(&index.table.searchable(i)));
            let lexicon =
                if self.once { meant::Lexicon::scanned() } else { meant::Lexicon::build(&packed, index.len()) };
            (packed, lexicon)
        });
        (packed, lexicon)
    }
}

/// One search result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// The entity.
    pub entity: u32,
    /// Its rank, higher first: for a meant entity [`LABEL_TIER`], its
    /// [`Meaning`] and a tie-break (shorter name, then kind); else
    /// [`LABEL_TIER`] plus nucleo's score of the label when one label field
    /// matches each word, nucleo's score of the haystack otherwise (0 when
    /// no text was typed).
    pub score: u32,
    /// The part of `score` (without the tier) owed to every atom of the
    /// query but its last: a search narrowing this query, which only
    /// changes or adds atoms after those, starts from it.
    pub base: u32,
}

impl Hit {
    /// A result of a query without text.
    pub fn unranked(entity: u32) -> Hit {
        Hit { entity, score: 0, base: 0 }
    }

    /// Whether the entity's label (name, title, display name) matched the
    /// whole query, or the query meant it (see [`Hit::meaning`]).
    pub fn in_label(&self) -> bool {
        self.score >= LABEL_TIER
    }

    /// How plainly the query meant the entity, if it did: a ref, its
    /// name, title, or their beginning.
    pub fn meaning(&self) -> Option<Meaning> {
        meaning_of(self.score)
    }

    /// nucleo's score, without the tier (0 for a meant hit: found by
    /// lookup, not scored).
    pub fn fuzzy_score(&self) -> u32 {
        if self.meaning().is_some() { 0 } else { self.score & meant::FUZZY_BITS }
    }
}

/// Ranks entities for a query: facet filter, then the label tier, then the
/// rest, best first, ties by ref. The whole answer at once; see
/// [`search_streaming`] for the first screen early.
pub fn search(index: &Index, hay: &Haystacks, query: &Query, scope: Scope<'_>) -> Vec<Hit> {
    let stream = Stream { window: usize::MAX, first_screen: &|_| {}, cancelled: &|| false };
    search_streaming(index, hay, query, scope, &stream).unwrap_or_default()
}

/// [`search`], handing `stream` the first screen as soon as it is known to
/// be final and giving up (`None`) when `stream` says it was cancelled.
pub fn search_streaming(
    index: &Index,
    hay: &Haystacks,
    query: &Query,
    scope: Scope<'_>,
    stream: &Stream<'_>,
) -> Option<Vec<Hit>> {
    if query.rejected {
        return Some(Vec::new());
    }
    if query.text.is_empty() {
        return unranked(index, hay, query, scope, stream);
    }
    rank::rank(index, hay.parts(index), &hay.values, query, Matching::for_index(index), scope, stream)
}

fn pattern(text: &str) -> Pattern {
    Pattern::parse(text, CaseMatching::Smart, Normalization::Smart)
}

/// The results of a query without text: what the facets admit, in ref
/// order. Without facets nothing is filtered and no thread pool is used:
/// the first frame after a load asks for them while the haystacks are being
/// built there.
fn unranked(index: &Index, hay: &Haystacks, query: &Query, scope: Scope<'_>, stream: &Stream<'_>) -> Option<Vec<Hit>> {
    let mut ids: Vec<u32> = match scope {
        Scope::All if query.facets.is_empty() => (0..index.len() as u32).collect(),
        Scope::All => return rank::admitted(index, &hay.values, query, stream),
        Scope::Rows(hits) | Scope::Narrowing { hits, .. } => {
            let facets = facets::Resolved::new(index, &hay.values, &query.facets);
            hits.iter().map(|h| h.entity).filter(|&i| facets.admit(i)).collect()
        }
    };
    ids.sort_unstable();
    Some(ids.into_iter().map(Hit::unranked).collect())
}

/// Completion for a typed ref, by lookup only (never a scan, so fast at
/// any size): the entities it names as a ref or URL, then those whose name,
/// title or display name its last part begins, best first; with a kind or
/// namespace typed (`component:sh`, `ops/pa`), only refs that begin so.
pub fn complete(index: &Index, hay: &Haystacks, typed: &str, n: usize) -> Vec<Hit> {
    let lower = typed.trim().to_lowercase();
    if lower.is_empty() {
        return Vec::new();
    }
    let (packed, lexicon) = hay.parts(index);
    let with_kind = lower.contains([':', '/']);
    let named = if with_kind { meant::named(index, &hay.values.kinds(index), &lower) } else { Vec::new() };
    let last = lower.rsplit([':', '/']).next().unwrap_or(&lower);
    let fits = |i: u32| {
        let r = index.ref_of(i);
        let (kind, rest) = r.split_once(':').unwrap_or(("", r));
        let short = format!("{kind}:{}", rest.rsplit('/').next().unwrap_or(rest));
        !with_kind || r.starts_with(&lower) || rest.starts_with(&lower) || short.starts_with(&lower)
    };
    let mut hits = meant::meant(index, packed, lexicon, last, &named, fits);
    hits.truncate(n);
    hits
}

/// Whether the results of `before` can be narrowed to get `after`'s
/// (same facets, text only grew): nucleo's append optimisation.
pub fn narrows(before: &Query, after: &Query) -> bool {
    before.facets == after.facets
        && before.rejected == after.rejected
        && after.text.starts_with(&before.text)
        && !before.text.ends_with('\\')
        && !after.text[before.text.len()..].contains(['|', '!', '\'', '^', '$'])
        && !before.text.contains(['|', '!'])
}

/// Character positions in `text` that the query's fuzzy part matches, for
/// highlighting one visible field.
pub fn match_positions(query_text: &str, text: &str) -> Vec<u32> {
    if query_text.is_empty() {
        return Vec::new();
    }
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut indices = Vec::new();
    let hay = Utf32Str::new(text, &mut buf);
    for atom in &pattern(query_text).atoms {
        atom.indices(hay, &mut matcher, &mut indices);
    }
    indices.sort_unstable();
    indices.dedup();
    indices
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn index() -> Index {
        crate::index::testing::index_of(vec![
            json!({"kind": "Component", "metadata": {"name": "petstore", "title": "Pet Store", "tags": ["java"]}, "spec": {"type": "service", "lifecycle": "production", "owner": "team-a", "system": "pets"}}),
            json!({"kind": "API", "metadata": {"name": "petstore-api", "description": "The pet API"}, "spec": {"type": "openapi", "lifecycle": "production", "owner": "group:default/team-b"}}),
            json!({"kind": "Component", "metadata": {"name": "searcher", "namespace": "ops", "tags": ["go"]}, "spec": {"type": "website", "lifecycle": "experimental", "owner": "team-a"}}),
            json!({"kind": "Group", "metadata": {"name": "team-a"}, "spec": {"type": "team", "children": []}}),
        ])
    }

    fn names(index: &Index, q: &str) -> Vec<String> {
        let hay = Haystacks::build(index);
        search(index, &hay, &Query::parse(q), Scope::All).iter().map(|h| index.name_of(h.entity).to_string()).collect()
    }

    #[test]
    fn parses_facets_and_negation() {
        let q = Query::parse("kind:API !tag:java pet store foo:bar");
        assert_eq!(q.facets.len(), 2);
        assert_eq!(q.facets[0], Facet { key: FacetKey::Kind, value: "api".into(), negate: false });
        assert!(q.facets[1].negate);
        assert_eq!(q.text, "pet store foo:bar");
    }

    #[test]
    fn facets_narrow_before_matching() {
        let idx = index();
        assert_eq!(names(&idx, "kind:api"), vec!["petstore-api"]);
        assert_eq!(names(&idx, "owner:team-a"), vec!["petstore", "searcher"]);
        assert_eq!(names(&idx, "owner:group:default/team-b"), vec!["petstore-api"]);
        assert_eq!(names(&idx, "tag:java"), vec!["petstore"]);
        assert_eq!(names(&idx, "!tag:java kind:component"), vec!["searcher"]);
        assert_eq!(names(&idx, "lifecycle:experimental"), vec!["searcher"]);
        assert_eq!(names(&idx, "ns:ops"), vec!["searcher"]);
        assert_eq!(names(&idx, "type:openapi"), vec!["petstore-api"]);
        assert_eq!(names(&idx, "system:pets"), vec!["petstore"]);
    }

    #[test]
    fn fuzzy_ranks_name_matches_first() {
        let idx = index();
        let mut found = names(&idx, "petstr");
        found.truncate(2);
        found.sort();
        assert_eq!(found, ["petstore", "petstore-api"]);
        assert_eq!(names(&idx, "searcher")[0], "searcher");
        // The owner's name is in every owned entity's haystack; the group
        // itself still comes first.
        assert_eq!(names(&idx, "team-a")[0], "team-a");
        assert!(names(&idx, "zzzz").is_empty());
        assert_eq!(names(&idx, "").len(), 4);
    }

    #[test]
    fn a_label_match_stays_within_one_field() {
        let idx = crate::index::testing::index_of(vec![
            json!({"kind": "Resource", "metadata": {"name": "kafka-broker-replacement", "title": "Replace a Kafka broker"}}),
            json!({"kind": "Component", "metadata": {"name": "shipment-tracker", "title": "Shipment Tracker"}}),
            json!({"kind": "Component", "metadata": {"name": "tracer", "title": "Kafka", "description": "track"}}),
        ]);
        let hay = Haystacks::build(&idx);
        let hits = search(&idx, &hay, &Query::parse("track"), Scope::All);
        let label: Vec<&str> = hits.iter().filter(|h| h.in_label()).map(|h| idx.name_of(h.entity)).collect();
        assert_eq!(label, ["shipment-tracker"], "no label match across the name and the title");
        let words = search(&idx, &hay, &Query::parse("kafka repl"), Scope::All);
        assert_eq!(idx.name_of(words[0].entity), "kafka-broker-replacement", "words may match different fields");
        assert!(words[0].in_label());
    }

    #[test]
    fn narrowing_gives_the_same_results() {
        let idx = index();
        let hay = Haystacks::build(&idx);
        let (a, b) = (Query::parse("pe"), Query::parse("pet"));
        assert!(narrows(&a, &b));
        assert!(!narrows(&b, &a));
        let first = search(&idx, &hay, &a, Scope::All);
        assert_eq!(
            search(&idx, &hay, &b, Scope::Narrowing { before: &a, hits: &first }),
            search(&idx, &hay, &b, Scope::All)
        );
    }

    #[test]
    fn an_empty_query_lists_everything_in_ref_order() {
        let idx = index();
        let hay = Haystacks::lazy();
        let all = search(&idx, &hay, &Query::default(), Scope::All);
        assert_eq!(all.iter().map(|h| h.entity).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert!(!hay.is_built(), "an empty query needs no haystacks");
        let within = [Hit { entity: 3, score: 9, base: 0 }, Hit { entity: 1, score: 4, base: 0 }];
        assert_eq!(search(&idx, &hay, &Query::default(), Scope::Rows(&within)), [Hit::unranked(1), Hit::unranked(3)]);
    }

    #[test]
    fn completes_refs_by_name_title_or_ref_prefix() {
        let idx = index();
        let hay = Haystacks::build(&idx);
        let refs = |typed: &str| -> Vec<String> {
            complete(&idx, &hay, typed, 5).iter().map(|h| idx.ref_of(h.entity).to_string()).collect()
        };
        assert_eq!(refs("petstore"), ["component:default/petstore", "api:default/petstore-api"]);
        assert_eq!(refs("Pet St"), ["component:default/petstore"], "a title's beginning");
        assert_eq!(refs("api:pet"), ["api:default/petstore-api"]);
        assert_eq!(refs("component:default/pe"), ["component:default/petstore"]);
        assert_eq!(refs("ops/sea"), ["component:ops/searcher"]);
        assert_eq!(refs("api:default/petstore-api"), ["api:default/petstore-api"]);
        assert!(refs("zzz").is_empty() && refs(" ").is_empty());
    }

    #[test]
    fn descriptions_are_cut_and_their_control_characters_blanked() {
        let cut = |d: &str| {
            let mut out = String::new();
            push_description(&mut out, d);
            out
        };
        let long = "x".repeat(DESCRIPTION_CHARS + 5);
        assert_eq!(cut(&long), long[..DESCRIPTION_CHARS]);
        assert_eq!(cut("a\tb\u{7f}c"), "a b c");
        assert_eq!(cut("é\u{85}x"), "é x");
        let wide = "é".repeat(DESCRIPTION_CHARS + 5);
        assert_eq!(cut(&wide).chars().count(), DESCRIPTION_CHARS);
    }

    #[test]
    fn highlights_matched_characters() {
        assert_eq!(match_positions("pst", "petstore"), vec![0, 3, 4]);
        assert!(match_positions("", "x").is_empty());
    }
}
