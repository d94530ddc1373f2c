//! Entity validation on the positioned YAML tree, following Backstage's
//! catalog-model rules (`FieldFormatEntityPolicy`, the envelope and metadata
//! schemas, and the built-in kinds' spec schemas).
//!
//! Every problem carries the file, the position of the offending node (or of
//! the parent mapping when a field is missing) and, when the kind and name
//! can be read, the entity's canonical ref. Messages say what is wrong and
//! what is allowed.
//!
//! Placeholders (`$text`, `$json`, `$yaml`) are resolved by the catalog before
//! it validates, so a placeholder stands in for a value of the type it reads:
//! `$text` for a string, `$json` / `$yaml` for a list or mapping.

use super::entity_ref::{DEFAULT_NAMESPACE, EntityRef, RefError};
use super::problem::{Problem, Severity};
use super::relations::REF_FIELDS;
use super::yaml::{Node, NodeValue, Pos};

mod kinds;
mod naming;

use kinds::*;
use naming::*;
pub use naming::{
    identity_problems, is_usable_identity_part, is_valid_api_version, is_valid_key, is_valid_kind,
    is_valid_label_value, is_valid_namespace, is_valid_object_name, is_valid_tag,
};

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/// Validates one entity document read from `file`.
///
/// Every problem has `file`, `pos` (the position of the offending node, or of
/// the parent mapping when a field is missing) and, when kind and
/// `metadata.name` are readable, `entity` set to the canonical ref.
pub fn validate_entity(root: &Node, file: &str) -> Vec<Problem> {
    let mut validator = Validator::new(root, file);
    validator.document(root);
    validator.problems
}

/// Whether the entity cannot be used at all: the document is not a mapping,
/// or it has no readable `kind` or `metadata.name` (non-empty strings).
/// [`validate_entity`] reports an error for each of these cases.
pub fn is_fatal(root: &Node) -> bool {
    identity(root).is_none()
}

/// The kind and name of an entity, when both are non-empty strings.
fn identity(root: &Node) -> Option<(&str, &str)> {
    let kind = root.get("kind")?.as_str().filter(|k| !k.is_empty())?;
    let name = root.path(&["metadata", "name"])?.as_str().filter(|n| !n.is_empty())?;
    Some((kind, name))
}

// ---------------------------------------------------------------------------
// The validator
// ---------------------------------------------------------------------------

/// A single-key mapping `{$text|$json|$yaml: string}`, resolved by the
/// catalog before validation. Returns the resolver key.
fn placeholder(node: &Node) -> Option<&str> {
    match node.as_map()? {
        [entry] if matches!(entry.key.as_str(), "$text" | "$json" | "$yaml") => {
            entry.value.as_str().map(|_| entry.key.as_str())
        }
        _ => None,
    }
}

/// The basic type a value must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Want {
    Str,
    Seq,
    Map,
}

impl Want {
    fn name(self) -> &'static str {
        match self {
            Want::Str => "a string",
            Want::Seq => "a list",
            Want::Map => "a mapping",
        }
    }

    fn matches(self, value: &NodeValue) -> bool {
        matches!(
            (self, value),
            (Want::Str, NodeValue::Str(_)) | (Want::Seq, NodeValue::Seq(_)) | (Want::Map, NodeValue::Map(_))
        )
    }
}

/// Collects problems for one entity.
struct Validator<'a> {
    file: &'a str,
    entity: Option<String>,
    namespace: String,
    problems: Vec<Problem>,
}

impl<'a> Validator<'a> {
    fn new(root: &Node, file: &'a str) -> Self {
        let namespace = root
            .path(&["metadata", "namespace"])
            .and_then(Node::as_str)
            .filter(|ns| !ns.is_empty())
            .unwrap_or(DEFAULT_NAMESPACE)
            .to_string();
        let entity = identity(root).map(|(kind, name)| EntityRef::new(kind, &namespace, name).canonical());
        Validator { file, entity, namespace, problems: Vec::new() }
    }

    fn report(&mut self, severity: Severity, pos: Pos, message: String) {
        let problem = match severity {
            Severity::Error => Problem::error(message),
            Severity::Warning => Problem::warning(message),
        };
        let mut problem = problem.in_file(self.file).at(pos);
        if let Some(entity) = &self.entity {
            problem = problem.for_entity(entity.clone());
        }
        self.problems.push(problem);
    }

    fn error(&mut self, pos: Pos, message: String) {
        self.report(Severity::Error, pos, message);
    }

    fn warning(&mut self, pos: Pos, message: String) {
        self.report(Severity::Warning, pos, message);
    }

    // --- typed access ----------------------------------------------------

    /// The value under `key`, or an error at the parent mapping when absent.
    fn required<'n>(&mut self, parent: &'n Node, key: &str, path: &str, what: &str) -> Option<&'n Node> {
        let node = parent.get(key);
        if node.is_none() {
            self.error(parent.pos, format!("`{path}` is missing: {what}"));
        }
        node
    }

    /// The node when it has the wanted type. A matching placeholder passes
    /// without further checks (`None`, no problem); anything else is an error.
    fn expect<'n>(&mut self, node: &'n Node, path: &str, want: Want) -> Option<&'n Node> {
        if let Some(key) = placeholder(node) {
            let reads_text = key == "$text";
            if reads_text == (want == Want::Str) {
                return None;
            }
            let reads = if reads_text { "a string" } else { "structured data" };
            let message =
                format!("`{path}` must be {}, found a `{key}` placeholder (which reads {reads})", want.name());
            self.error(node.pos, message);
            return None;
        }
        self.expect_literal(node, path, want)
    }

    /// Like [`Self::expect`] but without placeholders: for the fields that
    /// identify an entity.
    fn expect_literal<'n>(&mut self, node: &'n Node, path: &str, want: Want) -> Option<&'n Node> {
        if want.matches(&node.value) {
            return Some(node);
        }
        self.wrong_type(node, path, want);
        None
    }

    fn wrong_type(&mut self, node: &Node, path: &str, want: Want) {
        let found = node.value.type_name();
        let message = match (&node.value, want) {
            (NodeValue::Null, _) => format!("`{path}` has no value: it must be {}", want.name()),
            (NodeValue::Bool(_) | NodeValue::Int(_) | NodeValue::Float(_), Want::Str) => {
                format!("`{path}` must be a string, found {found}: quote the value to make it a string")
            }
            _ => format!("`{path}` must be {}, found {found}", want.name()),
        };
        self.error(node.pos, message);
    }

    /// A string that must not be empty.
    fn non_empty_str<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n str> {
        let text = self.expect(node, path, Want::Str)?.as_str()?;
        if text.is_empty() {
            self.error(node.pos, format!("`{path}` must not be empty: write a non-empty string"));
            return None;
        }
        Some(text)
    }

    /// A list whose items must be non-empty strings; returns the good items
    /// with their paths.
    fn str_list<'n>(&mut self, node: &'n Node, path: &str) -> Vec<(String, &'n Node, &'n str)> {
        let Some(items) = self.expect(node, path, Want::Seq).and_then(Node::as_seq) else {
            return Vec::new();
        };
        let mut good = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            if let Some(text) = self.non_empty_str(item, &item_path) {
                good.push((item_path, item, text));
            }
        }
        good
    }

    /// The mappings of a list of mappings, with their paths.
    fn map_list<'n>(&mut self, node: &'n Node, path: &str) -> Vec<(String, &'n Node)> {
        let Some(items) = self.expect(node, path, Want::Seq).and_then(Node::as_seq) else {
            return Vec::new();
        };
        let mut good = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            if self.expect(item, &item_path, Want::Map).is_some() {
                good.push((item_path, item));
            }
        }
        good
    }

    /// Optional string fields of a mapping.
    fn optional_strings(&mut self, parent: &Node, path: &str, keys: &[&str]) {
        for key in keys {
            if let Some(node) = parent.get(key) {
                self.expect(node, &format!("{path}.{key}"), Want::Str);
            }
        }
    }

    // --- envelope --------------------------------------------------------

    fn document(&mut self, root: &Node) {
        if root.as_map().is_none() {
            let message = format!(
                "an entity must be a mapping with `apiVersion`, `kind` and `metadata`, found {}",
                root.value.type_name()
            );
            self.error(root.pos, message);
            return;
        }
        self.root_keys(root);
        let api_version = self.api_version(root);
        let kind = self.kind(root);
        if let Some(metadata) =
            self.required(root, "metadata", "metadata", "every entity needs a `metadata` mapping with a `name`")
            && let Some(metadata) = self.expect_literal(metadata, "metadata", Want::Map)
        {
            self.metadata(metadata);
        }
        let spec = match root.get("spec") {
            Some(spec) => self.expect(spec, "spec", Want::Map),
            None => None,
        };
        let Some(kind) = kind else { return };
        match kind_rules(kind) {
            Some(rules) => {
                if let Some((node, version)) = api_version {
                    self.api_version_for_kind(rules, node, version);
                }
                if root.get("spec").is_none() {
                    self.error(root.pos, format!("`spec` is missing: kind {kind} needs a `spec` mapping"));
                }
                if let Some(spec) = spec {
                    self.spec(rules, spec);
                }
            }
            None => self.unknown_kind(root, kind),
        }
    }

    fn root_keys(&mut self, root: &Node) {
        for entry in root.as_map().unwrap_or_default() {
            match entry.key.as_str() {
                "apiVersion" | "kind" | "metadata" | "spec" => {}
                "relations" | "status" => {
                    let message = format!(
                        "`{}` is written by the catalog, not by descriptor files: remove it (the catalog replaces it)",
                        entry.key
                    );
                    self.warning(entry.key_pos, message);
                }
                other => {
                    let message = format!(
                        "unknown top-level field `{other}`: an entity has only `apiVersion`, `kind`, `metadata` and `spec` \
                         (put custom data under `spec` or `metadata`)"
                    );
                    self.error(entry.key_pos, message);
                }
            }
        }
    }

    /// Checks `apiVersion`; returns it when it is a well-formed string.
    fn api_version<'n>(&mut self, root: &'n Node) -> Option<(&'n Node, &'n str)> {
        let node =
            self.required(root, "apiVersion", "apiVersion", "every entity needs one, e.g. `backstage.io/v1alpha1`")?;
        let version = self.expect_literal(node, "apiVersion", Want::Str)?.as_str()?;
        if !is_valid_api_version(version) {
            self.error(node.pos, invalid("apiVersion", version, API_VERSION_RULE, usize::MAX));
            return None;
        }
        Some((node, version))
    }

    fn api_version_for_kind(&mut self, rules: &KindRules, node: &Node, version: &str) {
        if rules.api_versions.contains(&version) {
            return;
        }
        let accepted = rules.api_versions.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(" or ");
        if rules.old_api_versions.contains(&version) {
            let message = format!(
                "apiVersion `{version}` is an old format for kind {}: current Backstage expects {accepted}",
                rules.kind
            );
            self.warning(node.pos, message);
        } else {
            let message = format!("apiVersion `{version}` is not accepted for kind {}: use {accepted}", rules.kind);
            self.error(node.pos, message);
        }
    }

    /// Checks `kind`; returns it when it is a well-formed string.
    fn kind<'n>(&mut self, root: &'n Node) -> Option<&'n str> {
        let node = self.required(root, "kind", "kind", "every entity needs one, e.g. `Component`")?;
        let kind = self.expect_literal(node, "kind", Want::Str)?.as_str()?;
        if !is_valid_kind(kind) {
            self.error(node.pos, invalid("kind", kind, KIND_RULE, 63));
            return None;
        }
        Some(kind)
    }

    /// A kind that is not built in: only a warning when it differs from a
    /// built-in kind by case alone.
    fn unknown_kind(&mut self, root: &Node, kind: &str) {
        if let Some(rules) = KINDS.iter().find(|k| k.kind.eq_ignore_ascii_case(kind)) {
            let pos = root.get("kind").map_or(root.pos, |n| n.pos);
            let message = format!(
                "kind `{kind}` is not the built-in kind `{}`: kinds are case-sensitive, write `{}`",
                rules.kind, rules.kind
            );
            self.warning(pos, message);
        }
    }

    // --- metadata --------------------------------------------------------

    fn metadata(&mut self, metadata: &Node) {
        if let Some(node) = self.required(metadata, "name", "metadata.name", "every entity needs a name")
            && let Some(name) = self.expect_literal(node, "metadata.name", Want::Str).and_then(Node::as_str)
            && !is_valid_object_name(name)
        {
            self.error(node.pos, invalid("metadata.name", name, NAME_RULE, 63));
        }
        if let Some(node) = metadata.get("namespace")
            && let Some(ns) = self.expect_literal(node, "metadata.namespace", Want::Str).and_then(Node::as_str)
            && !is_valid_namespace(ns)
        {
            self.error(node.pos, invalid("metadata.namespace", ns, NAMESPACE_RULE, 63));
        }
        self.optional_strings(metadata, "metadata", &["title", "description"]);
        if let Some(labels) = metadata.get("labels") {
            self.string_map(labels, "metadata.labels", "label", true);
        }
        if let Some(annotations) = metadata.get("annotations") {
            self.string_map(annotations, "metadata.annotations", "annotation", false);
        }
        if let Some(tags) = metadata.get("tags") {
            self.tags(tags);
        }
        if let Some(links) = metadata.get("links") {
            self.links(links);
        }
    }

    /// Labels or annotations: string keys `[prefix/]name` to string values;
    /// label values follow the name rule too.
    fn string_map(&mut self, node: &Node, path: &str, what: &str, check_values: bool) {
        let Some(entries) = self.expect(node, path, Want::Map).and_then(Node::as_map) else {
            return;
        };
        for entry in entries {
            if !is_valid_key(&entry.key) {
                self.error(entry.key_pos, invalid(&format!("{what} key"), &entry.key, KEY_RULE, usize::MAX));
            }
            let value_path = format!("{path}.{}", entry.key);
            let Some(value) = self.expect(&entry.value, &value_path, Want::Str).and_then(Node::as_str) else {
                continue;
            };
            if check_values && !is_valid_label_value(value) {
                let message = invalid(&format!("label `{}` value", entry.key), value, LABEL_VALUE_RULE, 63);
                self.error(entry.value.pos, message);
            }
        }
    }

    fn tags(&mut self, node: &Node) {
        let Some(items) = self.expect(node, "metadata.tags", Want::Seq).and_then(Node::as_seq) else {
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let path = format!("metadata.tags[{i}]");
            if let Some(tag) = self.expect(item, &path, Want::Str).and_then(Node::as_str)
                && !is_valid_tag(tag)
            {
                self.error(item.pos, invalid("tag", tag, TAG_RULE, 63));
            }
        }
    }

    fn links(&mut self, node: &Node) {
        for (path, link) in self.map_list(node, "metadata.links") {
            let url_path = format!("{path}.url");
            let what = "every link needs a `url`, e.g. `https://example.com/dashboard`";
            if let Some(url_node) = self.required(link, "url", &url_path, what)
                && let Some(url) = self.expect(url_node, &url_path, Want::Str).and_then(Node::as_str)
                && let Err(e) = url::Url::parse(url)
            {
                let message = format!(
                    "`{url_path}` {} is not a valid URL ({e}): write an absolute URL such as `https://example.com/docs`",
                    quoted(url)
                );
                self.error(url_node.pos, message);
            }
            self.optional_strings(link, &path, &["title", "icon", "type"]);
        }
    }

    // --- spec ------------------------------------------------------------

    fn spec(&mut self, rules: &KindRules, spec: &Node) {
        for field in spec_fields(rules) {
            let Some(node) = spec.get(field.name) else {
                if field.required && !self.optional_here(rules, spec, field) {
                    let message = format!(
                        "`spec.{}` is missing: kind {} requires it ({})",
                        field.name,
                        rules.kind,
                        shape_text(field.shape)
                    );
                    self.error(spec.pos, message);
                }
                continue;
            };
            self.spec_field(rules, field, node, &format!("spec.{}", field.name));
        }
    }

    /// Required fields that a particular spec may leave out.
    fn optional_here(&self, rules: &KindRules, spec: &Node, field: Field) -> bool {
        rules.kind == "API"
            && field.name == "definition"
            && spec.get("type").and_then(Node::as_str).is_some_and(|t| DEFINITIONLESS_API_TYPES.contains(&t))
    }

    fn spec_field(&mut self, rules: &KindRules, field: Field, node: &Node, path: &str) {
        let ref_field = REF_FIELDS.iter().find(|f| f.field == field.name && f.kinds.contains(&rules.kind));
        match field.shape {
            Str => {
                if let Some(text) = self.non_empty_str(node, path)
                    && let Some(rf) = ref_field
                {
                    self.reference(node, path, text, rf.default_kind);
                }
            }
            StrList => {
                for (item_path, item, text) in self.str_list(node, path) {
                    if let Some(rf) = ref_field {
                        self.reference(item, &item_path, text, rf.default_kind);
                    }
                }
            }
            Map => {
                self.expect(node, path, Want::Map);
            }
            MapOrMapList => {
                if !matches!(node.value, NodeValue::Seq(_)) {
                    self.expect(node, path, Want::Map);
                } else {
                    self.map_list(node, path);
                }
            }
            Profile => {
                if let Some(profile) = self.expect(node, path, Want::Map) {
                    self.optional_strings(profile, path, &["displayName", "email", "picture"]);
                }
            }
            Steps => self.steps(node, path),
            Presence => self.presence(node, path),
        }
    }

    /// Parses an entity reference the way the catalog does.
    fn reference(&mut self, node: &Node, path: &str, text: &str, default_kind: Option<&str>) {
        if let Err(e) = EntityRef::parse_with(text, default_kind, &self.namespace) {
            let message = match e {
                RefError::MissingKind(_) => format!("`{path}` is not a valid reference: {e}"),
                _ => format!("`{path}` is not a valid reference: {e}; write `[kind:][namespace/]name`"),
            };
            self.error(node.pos, message);
        }
    }

    fn steps(&mut self, node: &Node, path: &str) {
        for (step_path, step) in self.map_list(node, path) {
            let action_path = format!("{step_path}.action");
            let what = "every step needs an `action`, e.g. `fetch:template`";
            if let Some(action) = self.required(step, "action", &action_path, what) {
                self.non_empty_str(action, &action_path);
            }
            self.optional_strings(step, &step_path, &["id", "name"]);
            if let Some(cond) = step.get("if")
                && !matches!(cond.value, NodeValue::Bool(_))
            {
                self.expect(cond, &format!("{step_path}.if"), Want::Str);
            }
        }
    }

    fn presence(&mut self, node: &Node, path: &str) {
        if let Some(presence) = self.expect(node, path, Want::Str).and_then(Node::as_str)
            && !matches!(presence, "required" | "optional")
        {
            let message = format!("`{path}` {} is invalid: use `required` or `optional`", quoted(presence));
            self.error(node.pos, message);
        }
    }
}

fn shape_text(shape: Shape) -> &'static str {
    match shape {
        Str => "a non-empty string",
        StrList => "a list of strings, possibly empty",
        Map => "a mapping",
        MapOrMapList => "a mapping or a list of mappings",
        Profile => "a mapping with `displayName`, `email`, `picture`",
        Steps => "a list of steps, each a mapping with an `action`",
        Presence => "`required` or `optional`",
    }
}

#[cfg(test)]
#[path = "validation_tests.rs"]
mod tests;
