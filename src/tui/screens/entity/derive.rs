//! What an entity page shows, derived from the loaded entity (pure).

use serde_json::Value;

use crate::index::Index;
use crate::index::graph_tree::{TreeItem, TreeLine, tree};
use crate::model::Entity;

use crate::tui::screens::docs::lifecycle::attach;

use super::EntityScreen;
use super::outline::{self, OutlineLine};

/// The outline tab's lines for the page's entity (groups, users, systems, domains).
pub fn outline_lines(index: &Index, page: &EntityScreen) -> Vec<OutlineLine> {
    let Some(s) = index.try_summary(page.entity) else { return Vec::new() };
    match s.kind.to_lowercase().as_str() {
        "group" => outline::group(index, page.entity, page.with_subgroups, &page.toggled),
        "user" => outline::user(index, page.entity),
        _ => outline::structure(index, page.entity, &page.toggled),
    }
}

/// The outline tab's title for a kind.
pub fn outline_title(kind: &str) -> &'static str {
    match kind.to_lowercase().as_str() {
        "group" => "Team",
        "user" => "Groups",
        _ => "Structure",
    }
}

/// The graph tab's lines.
pub fn graph_lines(index: &Index, page: &EntityScreen) -> Vec<TreeLine> {
    if page.entity as usize >= index.len() {
        return Vec::new();
    }
    tree(index, page.entity, &page.graph.options(), &page.graph.expanded)
}

/// What Enter on a graph line does: open an entity, or expand a fan-out.
pub enum GraphChoice {
    /// Open this entity.
    Open(u32),
    /// Show every relation of this node.
    Expand(u32),
    /// A missing ref: nothing to open.
    Missing(String),
    /// The root itself.
    Root,
}

/// The choice behind graph line `row`.
pub fn graph_choice(index: &Index, lines: &[TreeLine], row: usize) -> Option<GraphChoice> {
    let line = lines.get(row)?;
    Some(match &line.item {
        TreeItem::More { parent, .. } => GraphChoice::Expand(*parent),
        TreeItem::Node { .. } if line.depth == 0 => GraphChoice::Root,
        TreeItem::Node { target, exists: true, .. } => GraphChoice::Open(*target),
        TreeItem::Node { target, .. } => GraphChoice::Missing(index.ref_of(*target).to_string()),
    })
}

/// Annotations worth showing on the overview.
pub const NOTABLE_ANNOTATIONS: [&str; 8] = [
    "backstage.io/source-location",
    "backstage.io/techdocs-ref",
    "backstage.io/techdocs-entity",
    "backstage.io/view-url",
    "backstage.io/edit-url",
    "backstage.io/managed-by-location",
    "backstage.io/orphan",
    "github.com/project-slug",
];

/// Stores a loaded entity in its page, with the YAML and API texts built.
/// `generation` is the app's counter (a Docs tab gets one).
pub fn fill(page: &mut EntityScreen, result: Result<Box<Entity>, String>, generation: &mut u64) {
    if let Ok(entity) = &result {
        page.yaml = serde_yaml::to_string(&**entity).unwrap_or_else(|e| format!("cannot show as YAML: {e}"));
        page.api = api_lines(entity);
        page.highlight.replace(None);
    }
    page.body = Some(result);
    attach(page, generation);
}

/// The API tab: a summary of the definition (OpenAPI title, servers and
/// paths; AsyncAPI channels) followed by the definition text.
pub fn api_lines(entity: &Entity) -> Vec<String> {
    let Some(definition) = entity.spec().and_then(|s| s.get("definition")) else {
        return vec!["This API has no `spec.definition`.".into()];
    };
    let text = match definition {
        Value::String(s) => s.clone(),
        other => {
            return vec![
                "The definition was not read (a placeholder that could not be resolved):".into(),
                other.to_string(),
            ];
        }
    };
    let mut lines = Vec::new();
    let api_type = entity.spec_type().unwrap_or("");
    if let Ok(doc) = serde_yaml::from_str::<Value>(&text) {
        match api_type {
            "openapi" => openapi_summary(&doc, &mut lines),
            "asyncapi" => asyncapi_summary(&doc, &mut lines),
            _ => {}
        }
    }
    if !lines.is_empty() {
        lines.push(String::new());
        lines.push("── definition ──".into());
    }
    lines.extend(text.lines().map(String::from));
    lines
}

fn openapi_summary(doc: &Value, out: &mut Vec<String>) {
    let info = &doc["info"];
    let version = doc["openapi"].as_str().or_else(|| doc["swagger"].as_str()).unwrap_or("?");
    out.push(format!(
        "{} {}  (OpenAPI {version})",
        info["title"].as_str().unwrap_or("untitled"),
        info["version"].as_str().unwrap_or("")
    ));
    if let Some(servers) = doc["servers"].as_array() {
        out.push("Servers:".into());
        for s in servers {
            let desc = s["description"].as_str().map(|d| format!("  ({d})")).unwrap_or_default();
            out.push(format!("  {}{desc}", s["url"].as_str().unwrap_or("?")));
        }
    }
    if let Some(paths) = doc["paths"].as_object() {
        out.push(format!("Paths ({}):", paths.len()));
        for (path, item) in paths {
            let methods: Vec<String> = item
                .as_object()
                .map(|m| {
                    m.iter()
                        .filter(|(k, _)| {
                            matches!(
                                k.as_str(),
                                "get" | "put" | "post" | "delete" | "patch" | "head" | "options" | "trace"
                            )
                        })
                        .map(|(k, v)| {
                            let summary = v["summary"].as_str().map(|s| format!(" — {s}")).unwrap_or_default();
                            format!("{:<7}{path}{summary}", k.to_uppercase())
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.extend(methods.into_iter().map(|m| format!("  {m}")));
        }
    }
}

fn asyncapi_summary(doc: &Value, out: &mut Vec<String>) {
    let info = &doc["info"];
    out.push(format!(
        "{} {}  (AsyncAPI {})",
        info["title"].as_str().unwrap_or("untitled"),
        info["version"].as_str().unwrap_or(""),
        doc["asyncapi"].as_str().unwrap_or("?")
    ));
    if let Some(channels) = doc["channels"].as_object() {
        out.push(format!("Channels ({}):", channels.len()));
        out.extend(channels.keys().map(|c| format!("  {c}")));
    }
}

/// What the overview tab shows: labelled fields, then annotations of note.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Overview {
    /// (label, value) pairs, in display order.
    pub fields: Vec<(String, String)>,
    /// (annotation key, value) pairs.
    pub annotations: Vec<(String, String)>,
}

/// The overview of an entity; `owner` and `system` are canonical refs.
pub fn overview(entity: &Entity, owner: Option<&str>, system: Option<&str>) -> Overview {
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut add = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            rows.push((k.to_string(), v));
        }
    };
    add("Kind", Some(entity.kind().to_string()));
    add("Ref", Some(entity.entity_ref().to_string()));
    add("Title", entity.title().map(String::from));
    add("Description", entity.description().map(String::from));
    add("Owner", owner.map(String::from));
    add("System", system.map(String::from));
    add("Domain", entity.spec_str("domain").map(String::from));
    add("Type", entity.spec_type().map(String::from));
    add("Lifecycle", entity.spec_str("lifecycle").map(String::from));
    if let Some(profile) = entity.spec().and_then(|s| s.get("profile")) {
        add("Name", profile["displayName"].as_str().map(String::from));
        add("Email", profile["email"].as_str().map(String::from));
    }
    add("Tags", Some(entity.tags().join(", ")));
    for (k, v) in entity.labels() {
        add(&format!("Label {k}"), Some(v.to_string()));
    }
    for (url, title) in entity.links() {
        add("Link", Some(format!("{} {url}", title.unwrap_or("")).trim().to_string()));
    }
    let annotations = NOTABLE_ANNOTATIONS
        .iter()
        .filter_map(|key| entity.annotation(key).map(|v| (key.to_string(), v.to_string())))
        .collect();
    Overview { fields: rows, annotations }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn openapi_definitions_list_title_servers_and_paths() {
        let def = "openapi: 3.0.0\ninfo: {title: Pets, version: 1.0.0}\nservers: [{url: 'https://p.example.com'}]\npaths:\n  /pets:\n    get: {summary: List pets}\n    post: {}\n";
        let e = Entity::from_json(
            json!({"kind": "API", "metadata": {"name": "p"}, "spec": {"type": "openapi", "definition": def}}),
        )
        .unwrap();
        let lines = api_lines(&e);
        assert_eq!(lines[0], "Pets 1.0.0  (OpenAPI 3.0.0)");
        assert!(lines.contains(&"  https://p.example.com".to_string()));
        assert!(lines.contains(&"  GET    /pets — List pets".to_string()));
        assert!(lines.contains(&"  POST   /pets".to_string()));
        assert!(lines.contains(&"── definition ──".to_string()));
    }

    #[test]
    fn overview_lists_what_is_set() {
        let e = Entity::from_json(json!({"kind": "User", "metadata": {"name": "jo", "tags": ["a"]}, "spec": {"profile": {"displayName": "Jo", "email": "jo@x"}, "memberOf": []}})).unwrap();
        let rows = overview(&e, None, None);
        let keys: Vec<&str> = rows.fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, vec!["Kind", "Ref", "Name", "Email", "Tags"]);
        assert!(rows.annotations.is_empty());
    }
}
