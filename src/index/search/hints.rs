//! Did-you-mean for facets that admit nothing because a word is unknown:
//! a facet key (`knd:api`, `foo:bar`) or a value no entity has
//! (`kind:apis`, `owner:shipmnts`, `tag:jav`). The TUI shows them in the
//! results header, the CLI on stderr.

use std::borrow::Cow;
use std::fmt;

use super::facets::{Distinct, Resolved};
use super::{Facet, FacetKey, Haystacks, Query};
use crate::index::Index;
use crate::model::sanitize;

/// What a [`FacetHint`] found unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unknown {
    /// The word before `:` is no facet (nor a kind, as in a ref).
    Key,
    /// No entity has this value of the facet.
    Value(FacetKey),
}

/// A facet token that admits nothing because a word of it is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetHint {
    /// The token as typed, sanitized.
    pub token: String,
    /// What is unknown.
    pub unknown: Unknown,
    /// The closest known token, to type instead.
    pub suggestion: Option<String>,
}

impl FacetHint {
    /// Whether the query is wrong rather than finding nothing: an unknown
    /// facet key or kind (the CLI exits 2).
    pub fn is_error(&self) -> bool {
        matches!(self.unknown, Unknown::Key | Unknown::Value(FacetKey::Kind))
    }
}

impl fmt::Display for FacetHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (key, value) = self.token.trim_start_matches('!').split_once(':').unwrap_or((&self.token, ""));
        match self.unknown {
            Unknown::Key => write!(f, "unknown facet `{key}:`")?,
            Unknown::Value(_) => write!(f, "no {key} `{value}` in the catalog")?,
        }
        match (&self.suggestion, self.unknown) {
            (Some(s), _) => write!(f, "; did you mean `{s}`?"),
            (None, Unknown::Key) => {
                let keys: Vec<&str> = FacetKey::ALL.iter().map(|(w, _)| *w).collect();
                write!(f, "; facets are {}", keys.join(", "))
            }
            (None, Unknown::Value(_)) => Ok(()),
        }
    }
}

/// The hints for a query line: each facet token whose key or value is
/// unknown, in the order typed.
pub fn facet_hints(index: &Index, hay: &Haystacks, line: &str) -> Vec<FacetHint> {
    let values = &hay.values;
    let mut kinds: Option<Vec<String>> = None;
    let mut hints = Vec::new();
    for token in line.split_whitespace() {
        let body = token.strip_prefix('!').unwrap_or(token);
        let Some((key, value)) = body.split_once(':') else { continue };
        if key.is_empty() || value.is_empty() || !key.chars().all(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let parsed = Query::parse(token);
        // `is:rejected` is a known facet, though not a field's.
        if parsed.rejected {
            continue;
        }
        let hint = match parsed.facets.first() {
            Some(facet) => {
                unknown_value(index, values, facet).map(|suggestion| (Unknown::Value(facet.key), suggestion))
            }
            None => {
                let kinds = kinds.get_or_insert_with(|| values.kinds(index).iter().map(|k| k.to_lowercase()).collect());
                let lower = key.to_lowercase();
                let is_ref = kinds.contains(&lower) || lower == "http" || lower == "https";
                let words: Vec<&str> = FacetKey::ALL.iter().map(|(w, _)| *w).collect();
                (!is_ref).then(|| (Unknown::Key, closest(&lower, words).map(|k| format!("{k}:{value}"))))
            }
        };
        if let Some((unknown, suggestion)) = hint {
            let token = sanitize::line(token).into_owned();
            let suggestion = suggestion.map(|s| sanitize::line(&s).into_owned());
            hints.push(FacetHint { token, unknown, suggestion });
        }
    }
    hints
}

/// `None` when some entity has the facet's value; else the closest value
/// there is, as a token (or `None` inside when nothing is close).
fn unknown_value(index: &Index, values: &Distinct, facet: &Facet) -> Option<Option<String>> {
    let resolved = Resolved::new(index, values, std::slice::from_ref(facet));
    if resolved.admits_some_value() {
        return None;
    }
    let word = FacetKey::ALL.iter().find(|(_, k)| *k == facet.key).map_or("", |(w, _)| *w);
    // The closest value is found once per facet value (typing after a
    // facet asks again on every key).
    let near = values.suggestion(facet, || {
        let known = values.texts(index, facet);
        let short: Vec<&str> = known.iter().map(|v| v.rsplit('/').next().unwrap_or(v)).collect();
        closest(&facet.value, short).map(str::to_lowercase)
    });
    let bang = if facet.negate { "!" } else { "" };
    Some(near.map(|v| format!("{bang}{word}:{v}")))
}

/// The option closest to `word`: within two edits, or similar enough.
fn closest<'a>(word: &str, options: Vec<&'a str>) -> Option<&'a str> {
    let chars = word.chars().count();
    let score = |o: &str| {
        let o: Cow<'_, str> =
            if o.bytes().any(|b| !b.is_ascii() || b.is_ascii_uppercase()) { o.to_lowercase().into() } else { o.into() };
        // An edit distance is at least the difference in length: most
        // options need no distance.
        let near = o.chars().count().abs_diff(chars) <= 2 && strsim::levenshtein(word, &o) <= 2;
        let similar = strsim::jaro_winkler(word, &o);
        (near || similar >= 0.85 || (o.starts_with(word) && word.len() >= 3)).then_some(similar)
    };
    options.into_iter().filter_map(|o| score(o).map(|s| (s, o))).max_by(|a, b| a.0.total_cmp(&b.0)).map(|(_, o)| o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn index() -> Index {
        crate::index::testing::index_of(vec![
            json!({"kind": "API", "metadata": {"name": "tracking-api", "tags": ["java"]}, "spec": {"type": "openapi", "lifecycle": "production", "owner": "team-shipments"}}),
            json!({"kind": "Group", "metadata": {"name": "team-shipments", "title": "Shipments"}, "spec": {"type": "team", "children": []}}),
            json!({"kind": "Component", "metadata": {"name": "web"}, "spec": {"type": "website", "lifecycle": "experimental", "owner": "group:default/team-shipments"}}),
        ])
    }

    fn hints(line: &str) -> Vec<String> {
        let idx = index();
        facet_hints(&idx, &Haystacks::lazy(), line).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn unknown_keys_and_values_get_the_closest_known() {
        assert_eq!(hints("kind:apis"), ["no kind `apis` in the catalog; did you mean `kind:api`?"]);
        assert_eq!(hints("knd:api track"), ["unknown facet `knd:`; did you mean `kind:api`?"]);
        assert_eq!(hints("!tag:jav"), ["no tag `jav` in the catalog; did you mean `!tag:java`?"]);
        assert_eq!(
            hints("lifecycle:prod"),
            ["no lifecycle `prod` in the catalog; did you mean `lifecycle:production`?"]
        );
        assert_eq!(
            hints("owner:team-shipmnts"),
            ["no owner `team-shipmnts` in the catalog; did you mean `owner:team-shipments`?"]
        );
        assert!(hints("foo:bar")[0].starts_with("unknown facet `foo:`; facets are kind, owner"));
    }

    #[test]
    fn a_kept_suggestion_reads_as_a_fresh_one() {
        let idx = index();
        let hay = Haystacks::lazy();
        for line in ["owner:team-shipmnts x", "!owner:team-shipmnts y", "tag:jav", "tag:jav z", "owner:zzzzzz"] {
            let fresh = facet_hints(&idx, &Haystacks::lazy(), line);
            assert_eq!(facet_hints(&idx, &hay, line), fresh, "{line}");
        }
    }

    #[test]
    fn known_words_refs_and_urls_get_none() {
        for line in [
            "kind:API owner:shipments tag:java",
            "owner:team-shipments !lifecycle:experimental",
            "api:tracking-api",
            "group:default/team-shipments",
            "is:rejected kind:component",
            "https://backstage.example.com/catalog/default/api/tracking-api",
            "ns/name plain words",
        ] {
            assert!(hints(line).is_empty(), "{line}: {:?}", hints(line));
        }
        let idx = index();
        let kind = &facet_hints(&idx, &Haystacks::lazy(), "kind:apis")[0];
        assert!(kind.is_error());
        assert!(!facet_hints(&idx, &Haystacks::lazy(), "tag:nope")[0].is_error());
    }
}
