//! Resources: every entity as `stagehand://entity/{kind}/{namespace}/{name}`
//! (JSON) and every docs page as
//! `stagehand://docs/{kind}/{namespace}/{name}/{page}` (Markdown).

use rmcp::ErrorData;
use rmcp::model::{Resource, ResourceContents, ResourceTemplate};

use crate::index::Index;
use crate::workspace::Workspace;

use super::catalog::{RefArgs, get_entity};
use super::docs::{DocsPageArgs, docs_page};
use super::reply::clean;

/// Entities listed per `resources/list` page.
const PAGE: usize = 200;
const ENTITY: &str = "stagehand://entity/";
const DOCS: &str = "stagehand://docs/";

/// The URI path of a canonical ref: `kind/namespace/name`, each part
/// percent-encoded beyond the characters entity names allow.
fn ref_path(entity_ref: &str) -> String {
    let (kind, rest) = entity_ref.split_once(':').unwrap_or(("", entity_ref));
    let (namespace, name) = rest.split_once('/').unwrap_or(("default", rest));
    format!("{}/{}/{}", encode(kind), encode(namespace), encode(name))
}

/// Percent-encodes all but ASCII letters, digits, `-`, `_`, `.` and `~`.
fn encode(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for b in part.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `kind/namespace/name[/rest]` back to a ref and the rest.
fn parse_path(path: &str) -> Option<(String, Option<String>)> {
    let mut parts = path.splitn(4, '/');
    let (kind, namespace, name) = (parts.next()?, parts.next()?, parts.next()?);
    if [kind, namespace, name].iter().any(|p| p.is_empty()) {
        return None;
    }
    let rest = parts.next().filter(|r| !r.is_empty()).map(decode);
    Some((format!("{}:{}/{}", decode(kind), decode(namespace), decode(name)), rest))
}

/// Decodes `%XX` escapes (invalid ones stay as written).
fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// One page of `resources/list`: entities from `cursor`, each followed by
/// its docs when it has some; with the next cursor.
pub fn list(index: &Index, cursor: Option<&str>) -> Result<(Vec<Resource>, Option<String>), ErrorData> {
    let start = match cursor {
        None => 0,
        Some(c) => c.parse::<usize>().map_err(|_| ErrorData::invalid_params(format!("bad cursor `{c}`"), None))?,
    };
    let end = (start + PAGE).min(index.len());
    let mut resources = Vec::new();
    for i in start..end {
        let i = i as u32;
        let s = index.summary(i);
        let path = ref_path(index.ref_of(i));
        let title = s.title.unwrap_or(s.name);
        let name = crate::model::sanitize::line(index.ref_of(i)).into_owned();
        let mut entity = Resource::new(format!("{ENTITY}{path}"), name.clone())
            .with_title(crate::model::sanitize::line(title).into_owned())
            .with_mime_type("application/json");
        if let Some(d) = s.description {
            entity = entity.with_description(crate::model::sanitize::line(d).into_owned());
        }
        resources.push(entity);
        if index.entity(i).is_ok_and(|e| crate::docs::has_docs(&e)) {
            let docs = Resource::new(format!("{DOCS}{path}"), format!("docs of {name}"))
                .with_description("the first page of its TechDocs; other pages at .../{page path}")
                .with_mime_type("text/markdown");
            resources.push(docs);
        }
    }
    Ok((resources, (end < index.len()).then(|| end.to_string())))
}

/// The resource templates: an entity, a docs page.
pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new(format!("{ENTITY}{{kind}}/{{namespace}}/{{name}}"), "entity")
            .with_description("A catalog entity with its relations, problems and source file:line (JSON)")
            .with_mime_type("application/json"),
        ResourceTemplate::new(format!("{DOCS}{{kind}}/{{namespace}}/{{name}}/{{+page}}"), "docs page")
            .with_description("A TechDocs page of an entity as Markdown; the first page without {page}")
            .with_mime_type("text/markdown"),
    ]
}

/// Reads one resource, failing with the CLI's message (`no entity ...`).
pub fn read(ws: &Workspace, index: &Index, uri: &str) -> Result<ResourceContents, ErrorData> {
    let not_found = |message: String| ErrorData::resource_not_found(message, Some(serde_json::json!({ "uri": uri })));
    if let Some(path) = uri.strip_prefix(ENTITY) {
        let Some((reference, None)) = parse_path(path) else {
            return Err(not_found(format!("`{uri}` is not {ENTITY}{{kind}}/{{namespace}}/{{name}}")));
        };
        let reply = get_entity(index, &RefArgs { reference }).map_err(|e| not_found(format!("{e:#}")))?;
        let json = serde_json::to_string_pretty(&clean(reply.data)).map_err(|e| not_found(e.to_string()))?;
        return Ok(ResourceContents::text(json, uri).with_mime_type("application/json"));
    }
    if let Some(path) = uri.strip_prefix(DOCS) {
        let Some((reference, page)) = parse_path(path) else {
            return Err(not_found(format!("`{uri}` is not {DOCS}{{kind}}/{{namespace}}/{{name}}[/{{page}}]")));
        };
        let reply = docs_page(ws, index, &DocsPageArgs { reference, page, offset: None })
            .map_err(|e| not_found(format!("{e:#}")))?;
        let text = crate::model::sanitize::text(&reply.text).into_owned();
        return Ok(ResourceContents::text(text, uri).with_mime_type("text/markdown"));
    }
    Err(not_found(format!("unknown resource `{uri}`: stagehand serves {ENTITY}... and {DOCS}...")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip_refs_and_pages() {
        assert_eq!(ref_path("component:default/petstore"), "component/default/petstore");
        assert_eq!(parse_path("component/default/petstore"), Some(("component:default/petstore".into(), None)));
        assert_eq!(
            parse_path("component/default/petstore/code/a%20b.md"),
            Some(("component:default/petstore".into(), Some("code/a b.md".into())))
        );
        assert_eq!(parse_path("component/default"), None);
        assert_eq!(parse_path("component//x"), None);
        assert_eq!(decode("100%"), "100%");
        let odd = "component:default/a b\u{1b}é";
        assert_eq!(ref_path(odd), "component/default/a%20b%1B%C3%A9");
        assert_eq!(parse_path(&ref_path(odd)), Some((odd.into(), None)));
    }
}
