//! Walking the cursor pages of `/entities/by-query`. The cursor does not
//! keep `limit` or `fields`, so both are sent on every page; pages can
//! repeat an entity, so items with a uid seen before are dropped as the
//! pages arrive. A hostile or broken server is stopped by budgets: a
//! cursor seen before, more than [`MAX_ENTITIES`] entities, more than
//! [`MAX_WALK_BYTES`] of pages, more than [`MAX_PAGE_BYTES`] in one page
//! (decoded: a gzip bomb stops there). Each page's new items can be taken
//! as it arrives, so a walk holds one page at a time.

use std::cell::Cell;
use std::collections::HashSet;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

use serde_json::Value;

use super::CATALOG;
use super::client::Client;
use crate::sources::Progress;

/// Pages walked at most (a server that keeps answering with cursors).
const MAX_PAGES: usize = 1_000_000;

/// Distinct entities one walk reads at most.
pub const MAX_ENTITIES: usize = 2_000_000;

/// Largest page accepted, decoded (after gzip): a page of 500 entities of
/// 100 KB each fits; a parsed page takes up to about 20 times its size.
pub const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;

/// Decoded bytes one walk reads at most, all pages together.
pub const MAX_WALK_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// One page as read.
pub struct Page<T> {
    /// Its entities; `None` when the answer has no `items` list.
    pub items: Option<Vec<T>>,
    /// `totalItems`, when the server says.
    pub total: Option<usize>,
    /// `pageInfo.nextCursor`: there is another page.
    pub next: Option<String>,
}

/// What the walk needs to know of an item.
pub trait Item {
    /// `metadata.uid`, when the item has one.
    fn uid(&self) -> Option<&str>;
}

impl Item for Value {
    fn uid(&self) -> Option<&str> {
        self["metadata"]["uid"].as_str()
    }
}

/// What to ask for: `filter` parameters (alternatives), page size and
/// fields (every field when `None`).
pub struct Query<'a> {
    /// The `filter` parameters.
    pub filters: &'a [String],
    /// Items per page.
    pub limit: usize,
    /// The `fields` parameter.
    pub fields: Option<&'a str>,
}

/// A page read as JSON, items as they are.
pub fn value_page(body: &[u8]) -> serde_json::Result<Page<Value>> {
    let mut page: Value = serde_json::from_slice(body)?;
    let items = match page.get_mut("items").map(Value::take) {
        Some(Value::Array(items)) => Some(items),
        _ => None,
    };
    Ok(Page {
        items,
        total: page["totalItems"].as_u64().and_then(|t| usize::try_from(t).ok()),
        next: page["pageInfo"]["nextCursor"].as_str().map(String::from),
    })
}

/// The path of the pages.
pub fn path() -> String {
    format!("{CATALOG}/entities/by-query")
}

/// The parameters of a query's first page.
pub fn first_params(query: &Query<'_>) -> Vec<(&'static str, String)> {
    with_limit_and_fields(query, query.filters.iter().map(|f| ("filter", f.clone())).collect())
}

/// `params` with the query's `limit` and `fields`, which every page needs.
fn with_limit_and_fields(query: &Query<'_>, mut params: Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
    params.push(("limit", query.limit.to_string()));
    params.extend(query.fields.map(|f| ("fields", f.to_string())));
    params
}

/// Every page of `query` from a first page already read (asked for with
/// [`first_params`]), each read by `parse`, items in order, repeats
/// dropped.
pub fn walk_on<T: Item>(
    client: &Client,
    query: &Query<'_>,
    first: Page<T>,
    parse: impl Fn(&[u8]) -> serde_json::Result<Page<T>>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<T>, String> {
    let mut items = Vec::new();
    walk_pages(client, query, first, parse, progress, |page| {
        items.extend(page);
        Ok(())
    })?;
    Ok(items)
}

/// Every page of `query`, each page's new items (repeats dropped) handed
/// to `take` as the page arrives, before the next page is asked for: the
/// walk itself keeps only the uids and cursors seen.
pub fn walk_each<T: Item>(
    client: &Client,
    query: &Query<'_>,
    parse: impl Fn(&[u8]) -> serde_json::Result<Page<T>>,
    progress: &(dyn Fn(Progress) + Sync),
    take: impl FnMut(Vec<T>) -> Result<(), String>,
) -> Result<(), String> {
    let first = client.get_parsed(&path(), &first_params(query), MAX_PAGE_BYTES, &parse)?;
    walk_pages(client, query, first, parse, progress, take)
}

/// [`walk_each`] from a first page already read.
fn walk_pages<T: Item>(
    client: &Client,
    query: &Query<'_>,
    first: Page<T>,
    parse: impl Fn(&[u8]) -> serde_json::Result<Page<T>>,
    progress: &(dyn Fn(Progress) + Sync),
    mut take: impl FnMut(Vec<T>) -> Result<(), String>,
) -> Result<(), String> {
    let read = Cell::new(0u64);
    let counted = |body: &[u8]| {
        read.set(read.get().saturating_add(body.len() as u64));
        parse(body)
    };
    let mut walk = Walk::default();
    let mut page = first;
    let mut pages = 1usize;
    loop {
        let total = page.total;
        let (fresh, next) = walk.add(page, client.base())?;
        take(fresh)?;
        progress(Progress { done: walk.taken, total, unit: "entities" });
        let Some(cursor) = next else { break };
        if pages >= MAX_PAGES {
            return Err("the catalog keeps returning pages; stopping after a million".into());
        }
        if read.get() > MAX_WALK_BYTES {
            return Err(format!(
                "{} sent more than {} GiB of pages; stopping (a `filter` mirrors part of the catalog)",
                client.base(),
                MAX_WALK_BYTES >> 30
            ));
        }
        let params = with_limit_and_fields(query, vec![("cursor", cursor)]);
        page = client.get_parsed(&path(), &params, MAX_PAGE_BYTES, counted)?;
        pages += 1;
    }
    Ok(())
}

/// What a walk remembers of the pages read so far: how many items it
/// took, their uids (to drop repeats) and what the budgets need to know.
struct Walk {
    taken: usize,
    uids: HashSet<String>,
    /// Hashes of the cursors followed (a cursor can be long).
    cursors: HashSet<u64>,
    hasher: RandomState,
}

impl Default for Walk {
    fn default() -> Self {
        Walk { taken: 0, uids: HashSet::new(), cursors: HashSet::new(), hasher: RandomState::new() }
    }
}

impl Walk {
    /// A page's new items, and the cursor of the next page if there is one
    /// to follow.
    fn add<T: Item>(&mut self, page: Page<T>, base: &str) -> Result<(Vec<T>, Option<String>), String> {
        let Some(list) = page.items else {
            return Err(format!(
                "{base} answered a page without `items`; is `url` a Backstage backend of version 1.20 or newer?"
            ));
        };
        let empty = list.is_empty();
        let mut fresh = Vec::with_capacity(list.len());
        for item in list {
            if let Some(uid) = item.uid()
                && !self.uids.insert(uid.to_string())
            {
                continue;
            }
            if self.taken >= MAX_ENTITIES {
                return Err(format!(
                    "{base} listed more than {MAX_ENTITIES} entities; stopping (a `filter` mirrors part of the catalog)"
                ));
            }
            self.taken += 1;
            fresh.push(item);
        }
        let next = match page.next {
            Some(cursor) if !empty => {
                if !self.cursors.insert(self.hasher.hash_one(cursor.as_str())) {
                    return Err(format!(
                        "{base} sent a cursor it had sent before: its pages go round in a loop; stopping"
                    ));
                }
                Some(cursor)
            }
            _ => None,
        };
        Ok((fresh, next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_page_reads_items_total_and_cursor() {
        let body = br#"{"items":[{"metadata":{"uid":"a"}}],"totalItems":3,"pageInfo":{"nextCursor":"c2"}}"#;
        let page = value_page(body).unwrap();
        assert_eq!(page.items.map(|i| i.len()), Some(1));
        assert_eq!((page.total, page.next.as_deref()), (Some(3), Some("c2")));
        let last = value_page(br#"{"items":[],"pageInfo":{}}"#).unwrap();
        assert_eq!((last.total, last.next), (None, None));
        assert!(value_page(br#"{"entities":[]}"#).unwrap().items.is_none());
    }

    fn page_of(items: Vec<Value>, next: Option<&str>) -> Page<Value> {
        Page { items: Some(items), total: None, next: next.map(String::from) }
    }

    #[test]
    fn repeats_are_dropped_as_pages_arrive_and_items_without_uid_kept() {
        let mut walk = Walk::default();
        let first = vec![json!({"metadata": {"uid": "a"}, "n": 1}), json!({"metadata": {}})];
        let (fresh, next) = walk.add(page_of(first, Some("c2")), "b").unwrap();
        assert_eq!((fresh.len(), next.as_deref()), (2, Some("c2")));
        let second = vec![json!({"metadata": {"uid": "a"}, "n": 2}), json!({"metadata": {}})];
        let (fresh, next) = walk.add(page_of(second, None), "b").unwrap();
        assert_eq!((fresh, next), (vec![json!({"metadata": {}})], None));
        assert_eq!(walk.taken, 3);
    }

    #[test]
    fn a_cursor_sent_twice_stops_the_walk() {
        let mut walk = Walk::default();
        let item = |uid: &str| vec![json!({"metadata": {"uid": uid}})];
        walk.add(page_of(item("a"), Some("same")), "b").unwrap();
        // The same page again: nothing new is kept, and the loop is seen.
        let error = walk.add(page_of(item("a"), Some("same")), "b").unwrap_err();
        assert!(error.contains("cursor it had sent before"), "{error}");
        assert_eq!(walk.taken, 1);
    }

    #[test]
    fn an_empty_page_ends_the_walk_and_a_page_without_items_is_an_error() {
        let mut walk = Walk::default();
        let (fresh, next) = walk.add(page_of(vec![], Some("more")), "b").unwrap();
        assert_eq!((fresh.len(), next), (0, None));
        let error = walk.add(Page::<Value> { items: None, total: None, next: None }, "http://b").unwrap_err();
        assert!(error.contains("without `items`"));
    }
}
