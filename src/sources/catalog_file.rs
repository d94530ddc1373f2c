//! One catalog file: its entities, their problems, and the Location targets
//! it names.

use std::path::{Path, PathBuf};

use crate::model::entity::{MANAGED_BY_LOCATION, MANAGED_BY_ORIGIN_LOCATION};
use crate::model::validation;
use crate::model::yaml::{self, Limits, Node, Pos};
use crate::model::{Entity, Problem};

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
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// Everything one file yields.
#[derive(Debug, Default)]
pub struct FileOutput {
    /// Valid (or usable) entities.
    pub entities: Vec<ReadEntity>,
    /// Problems with file and position.
    pub problems: Vec<Problem>,
    /// Targets of the Location entities in the file.
    pub targets: Vec<LocationTarget>,
}

/// How to read a file: where placeholders may read, and the origin location.
#[derive(Debug, Clone)]
pub struct FileContext<'a> {
    /// Placeholders may not leave this folder.
    pub root: &'a Path,
    /// The `managed-by-origin-location` value, e.g. `file:/abs/all.yaml`.
    pub origin: &'a str,
}

/// The location reference Backstage writes for a file: `file:<absolute path>`.
pub fn file_location(path: &Path) -> String {
    format!("file:{}", path.display())
}

/// Reads one catalog file.
pub fn read_catalog_file(path: &Path, ctx: &FileContext<'_>) -> FileOutput {
    let display = path.display().to_string();
    let mut out = FileOutput::default();
    let text = match read_text(path) {
        Ok(text) => text,
        Err(e) => {
            out.problems.push(Problem::error(e.to_string()).in_file(&display));
            return out;
        }
    };
    let stream = yaml::load_stream(&text, Limits::default());
    let base_dir = path.parent().unwrap_or(Path::new("."));
    let location = file_location(path);
    let budget = placeholders::Budget::per_file();
    for doc in stream.documents {
        let Some(root) = doc.root else { continue };
        let pctx = PlaceholderContext { base_dir, root: ctx.root, budget: &budget };
        read_document(root, &pctx, &location, ctx, &display, &mut out);
    }
    if let Some(error) = stream.error {
        out.problems.push(Problem::error(format!("invalid YAML: {}", error.message)).in_file(&display).at(error.pos));
    }
    out.entities.iter_mut().for_each(|e| e.file = path.to_path_buf());
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
    let unresolved = placeholders::resolve(&mut root, pctx);
    if !unresolved.is_empty() {
        let entity_ref = entity_ref_of(&root);
        for p in unresolved {
            let problem = Problem::error(p.message).in_file(display).at(p.pos);
            out.problems.push(match &entity_ref {
                Some(r) => problem.for_entity(r.clone()),
                None => problem,
            });
        }
    }
    out.problems.extend(validation::validate_entity(&root, display));
    if validation::is_fatal(&root) {
        return;
    }
    if root.get("kind").and_then(Node::as_str) == Some("Location") {
        out.targets.extend(location_targets(&root));
    }
    let Ok(mut entity) = Entity::from_json(root.into_json()) else { return };
    entity.set_annotation(MANAGED_BY_LOCATION, location);
    entity.set_annotation(MANAGED_BY_ORIGIN_LOCATION, ctx.origin);
    out.entities.push(ReadEntity { entity, file: PathBuf::new(), line });
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
        let out = read_catalog_file(&file, &FileContext { root: dir.path(), origin: &origin });
        assert_eq!(out.entities.len(), 1);
        let e = &out.entities[0];
        assert_eq!(e.line, 2);
        assert_eq!(e.entity.annotation(MANAGED_BY_LOCATION), Some(origin.as_str()));
        assert_eq!(out.targets.len(), 2);
        assert!(out.targets.iter().all(|t| t.optional && t.kind == "file"));
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert_eq!(out.problems[0].pos.unwrap().line, 12);
    }

    #[test]
    fn a_syntax_error_keeps_the_documents_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.yaml");
        std::fs::write(
            &file,
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: g}\nspec: {type: team, children: []}\n---\nkind: [oops\n",
        )
        .unwrap();
        let out = read_catalog_file(&file, &FileContext { root: dir.path(), origin: "file:/x" });
        assert_eq!(out.entities.len(), 1);
        assert!(out.problems[0].message.starts_with("invalid YAML"));
        assert!(out.problems[0].pos.unwrap().line >= 6);
    }
}
