//! The search backend of a Backstage portal (`GET /api/search/query`):
//! documents the server indexes (catalog entities, TechDocs pages, and
//! whatever collators it has), paged with its cursor. Highlights come
//! wrapped in the server's own tags (`preTag`/`postTag`, random per
//! server); they are split into plain and highlighted pieces here, never
//! passed on as markup.

use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::sources::remote::client::{Client, Failure};

/// The search API under the base URL.
pub const SEARCH: &str = "/api/search/query";

/// The largest page the search backend serves (its default `maxPageLimit`).
pub const MAX_PAGE: usize = 100;

/// Pages read at most for one query (a server repeating its cursor stops here).
pub const MAX_PAGES: usize = 50;

/// One result (text not yet sanitized: every view sanitizes what it shows).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Hit {
    /// The document type (`software-catalog`, `techdocs`...).
    #[serde(rename = "type")]
    pub doc_type: String,
    /// The document's title.
    pub title: String,
    /// Its text.
    pub text: String,
    /// Where it lives in the portal (`/catalog/default/group/a`, a docs URL).
    pub location: String,
    /// The entity a catalog or TechDocs document belongs to, when it names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_ref: Option<String>,
    /// The server's highlighted fields.
    #[serde(skip)]
    pub highlight: Option<Highlight>,
    /// The document as the server sent it.
    pub document: Json,
}

/// Highlighted versions of a document's fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Highlight {
    /// The tag opening a highlight.
    pub pre: String,
    /// The tag closing it.
    pub post: String,
    /// Field name → text with tags.
    pub fields: Map<String, Json>,
}

/// One piece of a highlighted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// The text.
    pub text: String,
    /// Whether the server highlighted it.
    pub highlighted: bool,
}

impl Hit {
    /// Reads one entry of `results`.
    pub fn from_json(value: &Json) -> Hit {
        let doc = value.get("document").cloned().unwrap_or(Json::Null);
        let text = |key: &str| doc.get(key).and_then(Json::as_str).unwrap_or_default().to_string();
        let highlight = value.get("highlight").map(|h| Highlight {
            pre: h.get("preTag").and_then(Json::as_str).unwrap_or_default().to_string(),
            post: h.get("postTag").and_then(Json::as_str).unwrap_or_default().to_string(),
            fields: h.get("fields").and_then(Json::as_object).cloned().unwrap_or_default(),
        });
        let location = text("location");
        let kind = doc.get("kind").and_then(Json::as_str);
        Hit {
            doc_type: value.get("type").and_then(Json::as_str).unwrap_or("unknown").to_string(),
            title: text("title"),
            text: text("text"),
            entity_ref: entity_ref(&doc, kind, &location),
            location,
            highlight,
            document: doc,
        }
    }

    /// A field (`title`, `text`...) in pieces: highlighted where the server
    /// says, else the plain field.
    pub fn pieces(&self, field: &str) -> Vec<Piece> {
        let plain = || {
            let text = self.document.get(field).and_then(Json::as_str).unwrap_or_default();
            vec![Piece { text: text.to_string(), highlighted: false }]
        };
        let Some(h) = &self.highlight else { return plain() };
        match h.fields.get(field).and_then(Json::as_str) {
            Some(marked) => split(marked, &h.pre, &h.post),
            None => plain(),
        }
    }
}

/// The entity of a document: `kind`/`namespace`/`name` fields (TechDocs
/// documents), else a catalog location `/catalog/<ns>/<kind>/<name>`.
fn entity_ref(doc: &Json, kind: Option<&str>, location: &str) -> Option<String> {
    let field = |k: &str| doc.get(k).and_then(Json::as_str).filter(|s| !s.is_empty());
    if let (Some(kind), Some(name)) = (field("kind"), field("name")) {
        let ns = field("namespace").unwrap_or("default");
        return Some(format!("{kind}:{ns}/{name}").to_lowercase());
    }
    let path = location.split(['?', '#']).next().unwrap_or_default();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["catalog", ns, k, name, ..] if !name.is_empty() => {
            let kind = kind.unwrap_or(k);
            Some(format!("{kind}:{ns}/{name}").to_lowercase())
        }
        _ => None,
    }
}

/// Splits `marked` at the highlight tags into pieces; an unclosed tag
/// highlights to the end, empty tags highlight nothing.
pub fn split(marked: &str, pre: &str, post: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let push = |out: &mut Vec<Piece>, text: &str, highlighted: bool| {
        if !text.is_empty() {
            out.push(Piece { text: text.to_string(), highlighted });
        }
    };
    if pre.is_empty() || post.is_empty() {
        push(&mut out, marked, false);
        return out;
    }
    let mut rest = marked;
    while let Some(start) = rest.find(pre) {
        push(&mut out, &rest[..start], false);
        let inner = &rest[start + pre.len()..];
        match inner.find(post) {
            Some(end) => {
                push(&mut out, &inner[..end], true);
                rest = &inner[end + post.len()..];
            }
            None => {
                push(&mut out, inner, true);
                rest = "";
            }
        }
    }
    push(&mut out, rest, false);
    out
}

/// What a query found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    /// The results, in the server's order.
    pub hits: Vec<Hit>,
    /// How many the server says there are, when it says.
    pub total: Option<u64>,
    /// Whether more results were left on the server.
    pub more: bool,
}

/// Asks the search backend for `term` among documents of `types` (all
/// when empty), reading pages of `page` results (at most [`MAX_PAGE`])
/// until `limit` results or the last page.
pub fn query(client: &Client, term: &str, types: &[String], limit: usize, page: usize) -> Result<Found, Failure> {
    let page = page.clamp(1, MAX_PAGE);
    let mut found = Found::default();
    let mut cursor: Option<String> = None;
    let mut seen = Vec::new();
    for _ in 0..MAX_PAGES {
        let mut query: Vec<(String, String)> =
            vec![("term".into(), term.to_string()), ("pageLimit".into(), page.to_string())];
        query.extend(types.iter().enumerate().map(|(i, t)| (format!("types[{i}]"), t.clone())));
        if let Some(c) = &cursor {
            query.push(("pageCursor".into(), c.clone()));
        }
        let pairs: Vec<(&str, String)> = query.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let answer = client.get_json(SEARCH, &pairs).map_err(|f| explain(client, f))?;
        found.total = answer.get("numberOfResults").and_then(Json::as_u64).or(found.total);
        let results = answer.get("results").and_then(Json::as_array).cloned().unwrap_or_default();
        found.hits.extend(results.iter().map(Hit::from_json));
        cursor = answer.get("nextPageCursor").and_then(Json::as_str).map(String::from);
        found.more = cursor.is_some();
        if found.hits.len() >= limit || results.is_empty() {
            break;
        }
        match &cursor {
            Some(c) if !seen.contains(c) => seen.push(c.clone()),
            _ => break,
        }
    }
    if found.hits.len() > limit {
        found.hits.truncate(limit);
        found.more = true;
    }
    Ok(found)
}

/// A search failure, naming the plugin when it is not there.
fn explain(client: &Client, f: Failure) -> Failure {
    let why = match f.status {
        Some(reqwest::StatusCode::NOT_FOUND) => format!("the search plugin is not installed on {}", client.base()),
        Some(reqwest::StatusCode::BAD_REQUEST) => {
            "the search backend refused the query (an unknown --type? types are e.g. software-catalog, techdocs)"
                .to_string()
        }
        _ => "search failed".to_string(),
    };
    Failure { message: format!("{why}: {}", f.message), status: f.status }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn highlights_split_at_the_servers_tags() {
        let piece = |text: &str, highlighted| Piece { text: text.into(), highlighted };
        assert_eq!(
            split("team-<x>light</x> and <x>house</x>", "<x>", "</x>"),
            [piece("team-", false), piece("light", true), piece(" and ", false), piece("house", true)]
        );
        assert_eq!(split("a <x>open", "<x>", "</x>"), [piece("a ", false), piece("open", true)]);
        assert_eq!(split("no <em>tags</em>", "", ""), [piece("no <em>tags</em>", false)]);
    }

    #[test]
    fn results_read_as_the_search_backend_sends_them() {
        let hit = Hit::from_json(&json!({"type": "software-catalog",
            "document": {"title": "team-a", "text": "The A team", "kind": "Group", "namespace": "default",
                         "location": "/catalog/default/group/team-a"},
            "highlight": {"preTag": "<t>", "postTag": "</t>", "fields": {"text": "The <t>A</t> team"}}}));
        assert_eq!(hit.entity_ref.as_deref(), Some("group:default/team-a"));
        assert_eq!(hit.pieces("title"), [Piece { text: "team-a".into(), highlighted: false }]);
        assert_eq!(hit.pieces("text")[1], Piece { text: "A".into(), highlighted: true });
        let docs = Hit::from_json(&json!({"type": "techdocs", "document": {"title": "Intro", "text": "",
            "kind": "Component", "namespace": "default", "name": "beacon", "location": "/docs/default/component/beacon/intro/"}}));
        assert_eq!(docs.entity_ref.as_deref(), Some("component:default/beacon"));
        let other = Hit::from_json(&json!({"type": "tools", "document": {"title": "T", "location": "https://x"}}));
        assert_eq!((other.entity_ref, other.text.as_str()), (None, ""));
    }
}
