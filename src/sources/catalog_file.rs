//! One catalog file: its entities, their problems, and the Location targets
//! it names.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::model::entity::{MANAGED_BY_LOCATION, MANAGED_BY_ORIGIN_LOCATION};
use crate::model::validation;
use crate::model::yaml::{self, Limits, Node, NodeValue, Pos};
use crate::model::{Entity, Problem, Severity};

use super::depends::FileRead;
use super::placeholders::{self, PlaceholderContext};
use super::read::read_text;

/// An entity read from a file, with where it came from.
#[derive(Debug, Clone)]
pub struct ReadEntity {
    /// The entity, annotated with its locations.
    pub entity: Entity,
    /// The file it was read from.
    pub file: PathBuf,
    /// The line its document starts on.
    pub line: u32,
}

/// A target named by a Location entity.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LocationTarget {
    /// `file`, `url`, ...
    pub kind: String,
    /// The target as written.
    pub target: String,
    /// `presence: optional`: a missing target is not a problem.
    pub optional: bool,
    /// Where the Location names it.
    pub pos: Pos,
}

/// An entity the catalog would not store, and why.
#[derive(Debug, Clone)]
pub struct RejectedEntity {
    /// The entity as read.
    pub read: ReadEntity,
    /// Why it is not stored (the first error).
    pub reason: String,
}

/// A Location entity of a file and the targets it names.
#[derive(Debug, Clone)]
pub struct LocationRead {
    /// Its position in [`FileOutput::entities`].
    pub at: usize,
    /// Its targets.
    pub targets: Vec<LocationTarget>,
}

/// Everything one file yields.
#[derive(Debug, Default)]
pub struct FileOutput {
    /// Entities the catalog would store (as far as this file can tell).
    pub entities: Vec<ReadEntity>,
    /// Entities it would not store: an error in their own validation or
    /// placeholders.
    pub rejected: Vec<RejectedEntity>,
    /// Problems with file and position.
    pub problems: Vec<Problem>,
    /// The Location entities among `entities`, with their targets.
    pub locations: Vec<LocationRead>,
    /// The file and every placeholder file read, each stamped before it
    /// was read (what the next sync checks, see [`super::depends`]).
    pub reads: Vec<FileRead>,
    /// Why the file as a whole cannot be used, when it cannot: unreadable,
    /// a YAML error, or a document that is not an entity envelope. The
    /// catalog then fails the Location that reads it, and stores nothing
    /// that Location emits.
    pub failure: Option<String>,
}

/// The checksum of a catalog file's text.
pub fn text_sum(text: &str) -> u64 {
    use std::hash::Hasher;
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(text.as_bytes());
    hasher.write_usize(text.len());
    hasher.finish()
}

/// How to read a file: where placeholders may read, and the origin location.
#[derive(Debug, Clone)]
pub struct FileContext<'a> {
    /// Placeholders may not leave this folder.
    pub root: &'a Path,
    /// The `managed-by-origin-location` value, e.g. `file:/abs/all.yaml`.
    pub origin: &'a str,
    /// What the placeholders of the source's files have left to read.
    pub placeholders: &'a placeholders::SourceBudget,
}

/// The location reference Backstage writes for a file: `file:<absolute path>`.
pub fn file_location(path: &Path) -> String {
    format!("file:{}", path.display())
}

/// Reads one catalog file. As in the catalog, a ref written twice in one
/// file keeps its last document, silently.
pub fn read_catalog_file(path: &Path, ctx: &FileContext<'_>) -> FileOutput {
    let display = path.display().to_string();
    let mut out = FileOutput::default();
    let mut read = FileRead::now(path.to_path_buf());
    let text = match read_text(path) {
        Ok(text) => text,
        Err(e) => {
            out.reads.push(read);
            out.failure = Some(e.to_string());
            out.problems.push(Problem::error(e.to_string()).in_file(&display));
            return out;
        }
    };
    read.sum = Some(text_sum(&text));
    out.reads.push(read);
    let reads = std::cell::RefCell::new(Vec::new());
    let stream = yaml::load_stream(&text, Limits::default());
    let base_dir = path.parent().unwrap_or(Path::new("."));
    let location = file_location(path);
    let budget = placeholders::Budget::per_file(ctx.placeholders);
    // Empty documents (`---` at the end, `~`) are skipped, as the catalog does.
    let roots: Vec<Node> =
        stream.documents.into_iter().filter_map(|d| d.root).filter(|r| !matches!(r.value, NodeValue::Null)).collect();
    let refs: Vec<Option<String>> = roots.iter().map(entity_ref_of).collect();
    let last: HashMap<&str, usize> = refs.iter().enumerate().filter_map(|(i, r)| Some((r.as_deref()?, i))).collect();
    for (i, root) in roots.into_iter().enumerate() {
        if refs[i].as_deref().is_some_and(|r| last[r] != i) {
            continue;
        }
        let pctx = PlaceholderContext { base_dir, root: ctx.root, budget: &budget, reads: &reads };
        read_document(root, &pctx, &location, ctx, &display, &mut out);
    }
    out.reads.extend(reads.into_inner());
    if let Some(error) = stream.error {
        let message = format!("invalid YAML: {}", error.message);
        out.failure.get_or_insert_with(|| format!("{message} (line {})", error.pos.line));
        out.problems.push(Problem::error(message).in_file(&display).at(error.pos));
    }
    out.entities.iter_mut().for_each(|e| e.file = path.to_path_buf());
    out.rejected.iter_mut().for_each(|e| e.read.file = path.to_path_buf());
    out
}

fn read_document(
    mut root: Node,
    pctx: &PlaceholderContext<'_>,
    location: &str,
    ctx: &FileContext<'_>,
    display: &str,
    out: &mut FileOutput,
) {
    let line = root.pos.line;
    if let Some(why) = envelope_error(&root) {
        out.failure.get_or_insert_with(|| format!("the document on line {line} {why}"));
        out.problems.extend(validation::validate_entity(&root, display));
        return;
    }
    empty_annotations(&mut root);
    let unresolved = placeholders::resolve(&mut root, pctx);
    let entity_ref = entity_ref_of(&root);
    let mut errors = Vec::new();
    for p in unresolved {
        let problem = Problem::error(p.message).in_file(display).at(p.pos);
        errors.push(match &entity_ref {
            Some(r) => problem.for_entity(r.clone()),
            None => problem,
        });
    }
    let problems = validation::validate_entity(&root, display);
    let reason = errors
        .iter()
        .chain(&problems)
        .find(|p| p.severity == Severity::Error)
        .map(|p| format!("{} (line {})", p.message, p.pos.map_or(line, |pos| pos.line)));
    out.problems.extend(errors);
    out.problems.extend(problems);
    let targets = (root.get("kind").and_then(Node::as_str) == Some("Location")).then(|| location_targets(&root));
    let mut json = root.into_json();
    crate::model::relations::sort_lists(&mut json);
    let Ok(mut entity) = Entity::from_json(json) else { return };
    entity.set_annotation(MANAGED_BY_LOCATION, location);
    entity.set_annotation(MANAGED_BY_ORIGIN_LOCATION, ctx.origin);
    let read = ReadEntity { entity, file: PathBuf::new(), line };
    if let Some(reason) = reason {
        out.rejected.push(RejectedEntity { read, reason });
        return;
    }
    if let Some(targets) = targets {
        out.locations.push(LocationRead { at: out.entities.len(), targets });
    }
    out.entities.push(read);
}

/// `metadata.annotations` written with no value (`annotations:` followed by
/// only comments) becomes an empty mapping: the catalog does the same as it
/// adds its location annotations (`annotations || {}`).
fn empty_annotations(root: &mut Node) {
    let NodeValue::Map(entries) = &mut root.value else { return };
    let Some(metadata) = entries.iter_mut().find(|e| e.key == "metadata") else { return };
    let NodeValue::Map(entries) = &mut metadata.value.value else { return };
    if let Some(entry) = entries.iter_mut().find(|e| e.key == "annotations")
        && matches!(entry.value.value, NodeValue::Null)
    {
        entry.value.value = NodeValue::Map(Vec::new());
    }
}

/// Why a document is not an entity envelope (the catalog's first check,
/// whose failure fails the whole file): a mapping with non-empty string
/// `apiVersion` and `kind`, and a `metadata` mapping with a non-empty
/// string `name` (and `namespace`, when given).
fn envelope_error(root: &Node) -> Option<&'static str> {
    let text = |node: Option<&Node>| node.and_then(Node::as_str).is_some_and(|s| !s.is_empty());
    if root.as_map().is_none() {
        return Some("is not a mapping");
    }
    if !text(root.get("apiVersion")) || !text(root.get("kind")) {
        return Some("has no `apiVersion` or `kind` string");
    }
    let Some(metadata) = root.get("metadata").filter(|m| m.as_map().is_some()) else {
        return Some("has no `metadata` mapping");
    };
    if !text(metadata.get("name")) || metadata.get("namespace").is_some_and(|n| !text(Some(n))) {
        return Some("has no `metadata.name` string (or an empty `metadata.namespace`)");
    }
    None
}

fn entity_ref_of(root: &Node) -> Option<String> {
    let kind = root.get("kind")?.as_str()?;
    let name = root.path(&["metadata", "name"])?.as_str()?;
    let ns = root.path(&["metadata", "namespace"]).and_then(Node::as_str).unwrap_or("default");
    Some(crate::model::EntityRef::new(kind, ns, name).canonical())
}

/// The targets of a Location entity: `target` and `targets` merged.
fn location_targets(root: &Node) -> Vec<LocationTarget> {
    let Some(spec) = root.get("spec") else { return Vec::new() };
    let kind = spec.get("type").and_then(Node::as_str).unwrap_or("file").to_string();
    let optional = spec.get("presence").and_then(Node::as_str) == Some("optional");
    let single = spec.get("target").into_iter();
    let many = spec.get("targets").and_then(Node::as_seq).unwrap_or(&[]).iter();
    single
        .chain(many)
        .filter_map(|n| {
            Some(LocationTarget { kind: kind.clone(), target: n.as_str()?.to_string(), optional, pos: n.pos })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::placeholders::SourceBudget;

    #[test]
    fn reads_entities_problems_and_targets() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("all.yaml");
        std::fs::write(
            &file,
            "---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: all}\n\
             spec:\n  target: ./a.yaml\n  targets: [./b/*.yaml]\n  presence: optional\n\
             ---\n~\n---\n- not a mapping\n",
        )
        .unwrap();
        let origin = file_location(&file);
        let out = read_catalog_file(
            &file,
            &FileContext { root: dir.path(), origin: &origin, placeholders: &SourceBudget::per_source() },
        );
        assert_eq!(out.entities.len(), 1);
        let e = &out.entities[0];
        assert_eq!(e.line, 2);
        assert_eq!(e.entity.annotation(MANAGED_BY_LOCATION), Some(origin.as_str()));
        assert_eq!(out.locations.len(), 1);
        let targets = &out.locations[0].targets;
        assert_eq!(targets.len(), 2);
        assert!(targets.iter().all(|t| t.optional && t.kind == "file"));
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert_eq!(out.problems[0].pos.unwrap().line, 12);
        assert_eq!(out.failure.as_deref(), Some("the document on line 12 is not a mapping"));
    }

    fn read(text: &str) -> FileOutput {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.yaml");
        std::fs::write(&file, text).unwrap();
        read_catalog_file(
            &file,
            &FileContext { root: dir.path(), origin: "file:/x", placeholders: &SourceBudget::per_source() },
        )
    }

    const HEAD: &str = "apiVersion: backstage.io/v1alpha1\n";

    /// Rule 1: the same ref twice in one file keeps the last document,
    /// silently, as the catalog does.
    #[test]
    fn the_last_document_of_a_ref_wins() {
        let doc = |owner: &str| {
            format!("{HEAD}kind: Component\nmetadata: {{name: c}}\nspec: {{type: s, lifecycle: x, owner: {owner}}}\n")
        };
        let out = read(&[doc("team-a"), doc("team-b"), doc("team-c").replace("name: c", "name: C")].join("---\n"));
        assert_eq!(out.entities.len(), 1, "refs compare without case");
        assert_eq!(out.entities[0].entity.spec_str("owner"), Some("team-c"));
        assert_eq!(out.entities[0].line, 11);
        assert!(out.problems.is_empty() && out.rejected.is_empty(), "{:?}", out.problems);
    }

    /// Rule 6 on read: the lists the catalog sorts are stored sorted.
    #[test]
    fn ref_lists_are_read_sorted() {
        let out = read(&format!(
            "{HEAD}kind: Group\nmetadata: {{name: g}}\nspec: {{type: team, children: [zz, aa], members: [b, A, a]}}\n"
        ));
        let spec = out.entities[0].entity.spec().unwrap();
        assert_eq!(spec["children"], serde_json::json!(["aa", "zz"]));
        assert_eq!(spec["members"], serde_json::json!(["A", "a", "b"]));
    }

    /// `annotations:` with nothing under it is an empty mapping, as the
    /// catalog makes it (a group with only commented-out annotations).
    #[test]
    fn annotations_without_a_value_are_empty() {
        let out = read(&format!(
            "{HEAD}kind: Group\nmetadata:\n  name: g\n  annotations:\n    # none yet\nspec: {{type: team, children: []}}\n"
        ));
        assert!(out.rejected.is_empty() && out.problems.is_empty(), "{:?}", out.problems);
        let annotations = out.entities[0].entity.annotations();
        assert_eq!(
            annotations.iter().map(|a| a.0).collect::<Vec<_>>(),
            [MANAGED_BY_LOCATION, MANAGED_BY_ORIGIN_LOCATION]
        );
    }

    /// Rule 3: entities failing validation or a placeholder are rejected
    /// with the reason; a custom kind is kept.
    #[test]
    fn invalid_entities_are_rejected_with_the_reason() {
        let api = |name: &str, extra: &str| {
            format!(
                "{HEAD}kind: API\nmetadata: {{name: {name}}}\nspec: {{type: openapi, lifecycle: x, owner: o{extra}}}\n"
            )
        };
        let text = [
            api("mapped", ", definition: {openapi: 3.0.0}"),
            api("bare", ""),
            api("unreadable", ", definition: {$text: ./nope.txt}"),
            api("fine", ", definition: x"),
            format!("{HEAD}kind: Runbook\nmetadata: {{name: rb}}\nspec: {{owner: o}}\n"),
        ]
        .join("---\n");
        let out = read(&text);
        let kept: Vec<&str> = out.entities.iter().map(|e| e.entity.name()).collect();
        assert_eq!(kept, ["fine", "rb"]);
        let why: Vec<(&str, &str)> = out.rejected.iter().map(|r| (r.read.entity.name(), r.reason.as_str())).collect();
        assert_eq!(why.len(), 3, "{why:?}");
        assert!(why[0].0 == "mapped" && why[0].1.contains("`spec.definition` must be a string"), "{why:?}");
        assert!(why[1].0 == "bare" && why[1].1.contains("`spec.definition` is missing"), "{why:?}");
        assert!(why[2].0 == "unreadable" && why[2].1.contains("nope.txt"), "{why:?}");
        assert!(out.failure.is_none());
    }

    #[test]
    fn a_syntax_error_fails_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.yaml");
        std::fs::write(
            &file,
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: g}\nspec: {type: team, children: []}\n---\nkind: [oops\n",
        )
        .unwrap();
        let out = read_catalog_file(
            &file,
            &FileContext { root: dir.path(), origin: "file:/x", placeholders: &SourceBudget::per_source() },
        );
        assert_eq!(out.entities.len(), 1, "read, but the file fails whole");
        assert!(out.failure.as_deref().is_some_and(|f| f.starts_with("invalid YAML")));
        assert!(out.problems[0].message.starts_with("invalid YAML"));
        assert!(out.problems[0].pos.unwrap().line >= 6);
    }
}
