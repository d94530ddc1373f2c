//! The light pass of an incremental sync: every entity's uid and etag,
//! read from pages that carry nothing else. A page is read straight into
//! [`Stamp`]s (no JSON tree per entity); one of an unexpected shape is read
//! as a JSON tree instead, taking what it can. A listing that fits one page
//! has a validator (its ETag): given back next time, the server answers
//! 304, without the page, when nothing changed. After a full sync, the
//! validator is worked out from the entities read.

use serde::Deserialize;
use serde_json::Value;

use super::client::{Client, Fresh};
use super::pages::{Item, MAX_PAGE_BYTES, Page, Query, first_params, path, value_page, walk_on};
use crate::sources::Progress;

/// The `fields` of a light page: only what tells a changed entity from an
/// unchanged one.
pub const FIELDS: &str = "metadata.uid,metadata.etag";

/// Rows per light page: its rows are ~100 bytes, so large pages save
/// round trips (the server answers 10,000 light rows in about the time of
/// three 1,000-row pages of whole entities).
pub const PAGE_SIZE: usize = 10_000;

/// An entity's uid and etag as a light page lists them.
#[derive(Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Stamp {
    /// `metadata.uid`.
    pub uid: Option<String>,
    /// `metadata.etag`.
    pub etag: Option<String>,
}

impl Item for Stamp {
    fn uid(&self) -> Option<&str> {
        self.uid.as_deref()
    }
}

/// What the light pass found.
#[derive(Debug, PartialEq)]
pub enum Listing {
    /// The listing is still the one the validator names.
    Unchanged,
    /// Every entity's stamp, and the listing's validator when it fits one
    /// page and the server gave one.
    Stamps(Vec<Stamp>, Option<String>),
}

/// Lists every entity of `query` (light fields), asking first whether the
/// listing `validator` names changed.
pub fn list(
    client: &Client,
    query: &Query<'_>,
    validator: Option<&str>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Listing, String> {
    let (first, etag) = match client.get_if_changed(&path(), &first_params(query), validator, MAX_PAGE_BYTES, page)? {
        Fresh::NotModified => return Ok(Listing::Unchanged),
        Fresh::Changed(first, etag) => (first, etag),
    };
    let one_page = first.next.is_none();
    let stamps = walk_on(client, query, first, page, progress)?;
    Ok(Listing::Stamps(stamps, etag.filter(|_| one_page)))
}

/// The validator a Backstage backend gives the one-page listing of exactly
/// the entities with these uids and etags: express's weak ETag
/// (`W/"<length in hex>-<27 characters of the base64 SHA-1>"`) of the JSON
/// it writes, items in uid order. A server that writes the listing any
/// other way answers the conditional request with the listing itself, so
/// nothing is lost.
pub fn expected_validator(mut stamps: Vec<(&str, &str)>) -> String {
    use base64::Engine as _;
    stamps.sort_unstable();
    let items: Vec<Value> =
        stamps.iter().map(|(uid, etag)| serde_json::json!({"metadata": {"uid": uid, "etag": etag}})).collect();
    let body = serde_json::json!({"items": items, "totalItems": stamps.len(), "pageInfo": {}}).to_string();
    let digest = sha1_smol::Sha1::from(body.as_bytes()).digest().bytes();
    let hash = base64::engine::general_purpose::STANDARD.encode(digest);
    format!("W/\"{:x}-{}\"", body.len(), hash.get(..27).unwrap_or(&hash))
}

/// A light page as the backend writes it.
#[derive(Deserialize)]
struct Typed {
    items: Vec<TypedItem>,
    #[serde(rename = "totalItems")]
    total: Option<u64>,
    #[serde(rename = "pageInfo", default)]
    info: TypedInfo,
}

#[derive(Deserialize)]
struct TypedItem {
    #[serde(default)]
    metadata: Stamp,
}

#[derive(Default, Deserialize)]
struct TypedInfo {
    #[serde(rename = "nextCursor")]
    next: Option<String>,
}

/// Reads a light page: typed when it has the expected shape, else as a
/// JSON tree (a uid or etag that is not a string then reads as none).
pub fn page(body: &[u8]) -> serde_json::Result<Page<Stamp>> {
    match serde_json::from_slice::<Typed>(body) {
        Ok(typed) => Ok(Page {
            items: Some(typed.items.into_iter().map(|i| i.metadata).collect()),
            total: typed.total.and_then(|t| usize::try_from(t).ok()),
            next: typed.info.next,
        }),
        Err(_) => {
            let Page { items, total, next } = value_page(body)?;
            Ok(Page { items: items.map(|items| items.iter().map(stamp_of).collect()), total, next })
        }
    }
}

fn stamp_of(item: &Value) -> Stamp {
    let text = |key: &str| item["metadata"][key].as_str().map(String::from);
    Stamp { uid: text("uid"), etag: text("etag") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(uid: Option<&str>, etag: Option<&str>) -> Stamp {
        Stamp { uid: uid.map(String::from), etag: etag.map(String::from) }
    }

    #[test]
    fn a_page_as_the_backend_writes_it_reads_typed() {
        let body = br#"{"items":[{"metadata":{"uid":"u1","etag":"e1"}},{"metadata":{"uid":"u2"}},{}],
            "totalItems":3,"pageInfo":{"nextCursor":"c"}}"#;
        let read = page(body).unwrap();
        assert_eq!(read.items.unwrap(), [stamp(Some("u1"), Some("e1")), stamp(Some("u2"), None), stamp(None, None)]);
        assert_eq!((read.total, read.next.as_deref()), (Some(3), Some("c")));
    }

    #[test]
    fn the_expected_validator_is_the_etag_express_gives_the_listing() {
        // What `etag(JSON.stringify(listing), {weak: true})` gives in node
        // (etag 1.8.1, as express 4.22 uses it) for the same listings.
        assert_eq!(expected_validator(vec![("u2", "e2"), ("u1", "e1")]), r#"W/"74-sMD73t9aZ21Z122NpT5wq7cUJBI""#);
        assert_eq!(expected_validator(vec![]), r#"W/"29-V/NrBFcMZR5o0GDGtUlAz9asj84""#);
    }

    #[test]
    fn odd_shapes_read_what_they_can() {
        let body =
            br#"{"items":[{"metadata":{"uid":"u1","etag":7}},"x",{"metadata":null}],"totalItems":"3","pageInfo":{}}"#;
        let read = page(body).unwrap();
        assert_eq!(read.items.unwrap(), [stamp(Some("u1"), None), stamp(None, None), stamp(None, None)]);
        assert_eq!((read.total, read.next), (None, None));
        assert!(page(br#"{"entities":[]}"#).unwrap().items.is_none());
        assert!(page(b"not json").is_err());
    }
}
