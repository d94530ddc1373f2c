//! The template model: a `scaffolder.backstage.io/v1beta3` Template entity
//! read into pages, steps and output, plus where its files live.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use super::form::{Page, pages};
use crate::model::Entity;

/// One step of `spec.steps`.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// `id` (used as `steps.<id>`); `None` when the template gave none.
    pub id: Option<String>,
    /// `name`, or the action when there is none.
    pub name: String,
    /// The action id (`fetch:template`).
    pub action: String,
    /// `input`, unrendered.
    pub input: Json,
    /// `if`, unrendered.
    pub condition: Option<Json>,
    /// `each`, unrendered.
    pub each: Option<Json>,
}

impl Step {
    /// The id, or a stand-in (`step-3`) for display and outputs.
    pub fn key(&self, index: usize) -> String {
        self.id.clone().unwrap_or_else(|| format!("step-{}", index + 1))
    }
}

/// A template, ready to fill in and run.
#[derive(Debug, Clone)]
pub struct Template {
    /// `template:namespace/name`.
    pub entity_ref: String,
    /// `metadata.title` or the name.
    pub title: String,
    /// `metadata.description`.
    pub description: Option<String>,
    /// The wizard pages.
    pub pages: Vec<Page>,
    /// The steps.
    pub steps: Vec<Step>,
    /// `spec.output`, unrendered.
    pub output: Json,
    /// The folder of the template's file (relative `url`s start here);
    /// `None` when the template did not come from a local file.
    pub base_dir: Option<PathBuf>,
    /// The entity as read.
    pub entity: Json,
}

/// Why a template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// Not a Template entity.
    #[error("{0} is a {1}, not a Template")]
    NotATemplate(String, String),
    /// An apiVersion other than v1beta3.
    #[error("{0}: apiVersion {1} is not supported (only scaffolder.backstage.io/v1beta3)")]
    Version(String, String),
    /// A malformed step.
    #[error("{0}: step {1} has no action")]
    Step(String, usize),
}

impl Template {
    /// Reads a template from its entity; `base_dir` is its file's folder.
    pub fn from_entity(entity: &Entity, base_dir: Option<PathBuf>) -> Result<Template, TemplateError> {
        Template::from_json(entity.to_value(), base_dir)
    }

    /// Reads a template from entity JSON.
    pub fn from_json(entity: Json, base_dir: Option<PathBuf>) -> Result<Template, TemplateError> {
        let kind = entity.get("kind").and_then(Json::as_str).unwrap_or("");
        let meta = entity.get("metadata");
        let name = meta.and_then(|m| m.get("name")).and_then(Json::as_str).unwrap_or("");
        let ns = meta.and_then(|m| m.get("namespace")).and_then(Json::as_str).unwrap_or("default");
        let entity_ref = format!("template:{ns}/{name}");
        if !kind.eq_ignore_ascii_case("template") {
            return Err(TemplateError::NotATemplate(entity_ref, kind.to_string()));
        }
        let version = entity.get("apiVersion").and_then(Json::as_str).unwrap_or("");
        if version != "scaffolder.backstage.io/v1beta3" {
            return Err(TemplateError::Version(entity_ref, version.to_string()));
        }
        let spec = entity.get("spec").cloned().unwrap_or(Json::Null);
        let mut steps = Vec::new();
        for (i, s) in spec.get("steps").and_then(Json::as_array).into_iter().flatten().enumerate() {
            let action =
                s.get("action").and_then(Json::as_str).ok_or_else(|| TemplateError::Step(entity_ref.clone(), i + 1))?;
            steps.push(Step {
                id: s.get("id").and_then(Json::as_str).map(String::from),
                name: s.get("name").and_then(Json::as_str).unwrap_or(action).to_string(),
                action: action.to_string(),
                input: s.get("input").cloned().unwrap_or(Json::Object(Default::default())),
                condition: s.get("if").cloned(),
                each: s.get("each").cloned(),
            });
        }
        Ok(Template {
            title: meta.and_then(|m| m.get("title")).and_then(Json::as_str).unwrap_or(name).to_string(),
            description: meta.and_then(|m| m.get("description")).and_then(Json::as_str).map(String::from),
            pages: pages(spec.get("parameters")),
            steps,
            output: spec.get("output").cloned().unwrap_or(Json::Null),
            base_dir,
            entity_ref,
            entity,
        })
    }

    /// Reads the first Template in a YAML file (for tests and `scaffold
    /// PATH`); its folder is the base for relative URLs.
    pub fn from_file(path: &Path) -> Result<Template, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        for doc in serde_yaml::Deserializer::from_str(&text) {
            let value: Json = serde::Deserialize::deserialize(doc).map_err(|e| format!("{}: {e}", path.display()))?;
            if value.get("kind").and_then(Json::as_str).is_some_and(|k| k.eq_ignore_ascii_case("template")) {
                // The real folder: `t.yaml` has the parent "", which would
                // confine nothing.
                let base = std::fs::canonicalize(path).ok().and_then(|p| p.parent().map(Path::to_path_buf));
                return Template::from_json(value, base).map_err(|e| e.to_string());
            }
        }
        Err(format!("{} has no Template entity", path.display()))
    }
}

/// The folder a catalog entity was read from, from its
/// `backstage.io/managed-by-location` annotation (`file:/path/t.yaml`).
pub fn base_dir_of(entity: &Entity) -> Option<PathBuf> {
    let location = entity.annotation(crate::model::entity::MANAGED_BY_LOCATION)?;
    let path = Path::new(location.strip_prefix("file:")?);
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    real.parent().filter(|p| p.is_absolute()).map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_pages_steps_and_refs() {
        let t = Template::from_json(
            json!({
                "apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
                "metadata": {"name": "t"},
                "spec": {"parameters": {"title": "One", "properties": {}},
                         "steps": [{"action": "debug:log"}, {"id": "b", "name": "B", "action": "fs:delete", "if": false}]}
            }),
            None,
        )
        .unwrap();
        assert_eq!(t.entity_ref, "template:default/t");
        assert_eq!(t.pages.len(), 1);
        assert_eq!(t.steps[0].key(0), "step-1");
        assert_eq!(t.steps[1].condition, Some(json!(false)));
        let bad = Template::from_json(
            json!({"apiVersion": "backstage.io/v1beta2", "kind": "Template", "metadata": {"name": "x"}}),
            None,
        );
        assert!(matches!(bad, Err(TemplateError::Version(..))));
    }
}
