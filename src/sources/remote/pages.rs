//! Walking the cursor pages of `/entities/by-query`. The cursor does not
//! keep `limit` or `fields`, so both are sent on every page; pages can
//! repeat an entity, so items with a uid seen before are dropped.

use std::collections::HashSet;

use serde_json::Value;

use super::CATALOG;
use super::client::Client;
use crate::sources::Progress;

/// Pages walked at most (a server that keeps answering with cursors).
const MAX_PAGES: usize = 1_000_000;

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

/// Every page of `query`, each read by `parse`, items in order, repeats
/// dropped.
pub fn walk<T: Item>(
    client: &Client,
    query: &Query<'_>,
    parse: impl Fn(&[u8]) -> serde_json::Result<Page<T>>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<T>, String> {
    let first = client.get_parsed(&path(), &first_params(query), &parse)?;
    walk_on(client, query, first, parse, progress)
}

/// [`walk`] from a first page already read (asked for with
/// [`first_params`]).
pub fn walk_on<T: Item>(
    client: &Client,
    query: &Query<'_>,
    first: Page<T>,
    parse: impl Fn(&[u8]) -> serde_json::Result<Page<T>>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<T>, String> {
    let mut items = Vec::new();
    let mut page = first;
    let mut pages = 1usize;
    loop {
        let Some(list) = page.items else {
            return Err(format!(
                "{} answered a page without `items`; is `url` a Backstage backend of version 1.20 or newer?",
                client.base()
            ));
        };
        let empty = list.is_empty();
        items.extend(list);
        progress(Progress { done: items.len(), total: page.total, unit: "entities" });
        let params = match page.next {
            Some(cursor) if !empty => with_limit_and_fields(query, vec![("cursor", cursor)]),
            _ => break,
        };
        if pages >= MAX_PAGES {
            return Err("the catalog keeps returning pages; stopping after a million".into());
        }
        page = client.get_parsed(&path(), &params, &parse)?;
        pages += 1;
    }
    Ok(if pages > 1 { without_repeats(items) } else { items })
}

/// `items` without the later ones of each uid (items without a uid stay).
fn without_repeats<T: Item>(items: Vec<T>) -> Vec<T> {
    let mut seen = HashSet::with_capacity(items.len());
    let first: Vec<bool> = items.iter().map(|item| item.uid().is_none_or(|uid| seen.insert(uid))).collect();
    drop(seen);
    items.into_iter().zip(first).filter_map(|(item, first)| first.then_some(item)).collect()
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

    #[test]
    fn repeats_are_dropped_and_items_without_uid_kept() {
        let items = vec![
            json!({"metadata": {"uid": "a"}, "n": 1}),
            json!({"metadata": {}}),
            json!({"metadata": {"uid": "a"}, "n": 2}),
            json!({"metadata": {}}),
        ];
        let kept = without_repeats(items);
        assert_eq!(kept.len(), 3);
        assert_eq!(kept[0]["n"], 1);
    }
}
