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

use std::sync::LazyLock;

use regex::Regex;

use super::entity_ref::{DEFAULT_NAMESPACE, EntityRef, RefError};
use super::problem::{Problem, Severity};
use super::relations::REF_FIELDS;
use super::yaml::{Node, NodeValue, Pos};

// ---------------------------------------------------------------------------
// Naming rules
// ---------------------------------------------------------------------------

#[allow(clippy::expect_used, reason = "audited: constant patterns, compiled by every test run")]
fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static validation regex must compile")
}

static OBJECT_NAME: LazyLock<Regex> = LazyLock::new(|| regex(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$"));
/// Backstage's `isValidDnsLabel`: single dashes only.
static DNS_LABEL: LazyLock<Regex> = LazyLock::new(|| regex(r"^[a-z0-9]+(-[a-z0-9]+)*$"));
static KIND: LazyLock<Regex> = LazyLock::new(|| regex(r"^[a-zA-Z][a-z0-9A-Z]*$"));
static VERSION: LazyLock<Regex> = LazyLock::new(|| regex(r"^[a-z0-9A-Z]+$"));
static TAG: LazyLock<Regex> = LazyLock::new(|| regex(r"^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$"));

const NAME_RULE: &str = "use 1-63 characters, letters, digits, `-`, `_` and `.`, \
                         starting and ending with a letter or digit";
const NAMESPACE_RULE: &str = "use 1-63 lowercase letters and digits, with single `-` between them";
const KIND_RULE: &str = "use 1-63 letters and digits, starting with a letter";
const API_VERSION_RULE: &str = "use `[prefix/]version`: an optional lowercase DNS name such as \
                                `backstage.io`, then 1-63 letters and digits such as `v1alpha1`";
const KEY_RULE: &str = "use `[prefix/]name`: an optional lowercase DNS name such as \
                        `backstage.io`, then 1-63 letters, digits, `-`, `_` and `.`, \
                        starting and ending with a letter or digit";
const LABEL_VALUE_RULE: &str = "use an empty string, or 1-63 letters, digits, `-`, `_` and `.`, \
                                starting and ending with a letter or digit";
const TAG_RULE: &str = "use 1-63 lowercase letters, digits, `:`, `+` and `#`, with single `-` between them";

fn length_within(value: &str, max: usize) -> bool {
    (1..=max).contains(&value.chars().count())
}

/// `<suffix>` or `<prefix>/<suffix>`, each part checked on its own.
fn prefix_and_or_suffix(value: &str, prefix: fn(&str) -> bool, suffix: fn(&str) -> bool) -> bool {
    match value.split_once('/') {
        None => suffix(value),
        Some((p, s)) => !s.contains('/') && prefix(p) && suffix(s),
    }
}

fn is_valid_dns_label(value: &str) -> bool {
    length_within(value, 63) && DNS_LABEL.is_match(value)
}

fn is_valid_dns_subdomain(value: &str) -> bool {
    length_within(value, 253) && value.split('.').all(is_valid_dns_label)
}

/// Whether `value` is a valid `metadata.name` (1-63 characters).
pub fn is_valid_object_name(value: &str) -> bool {
    length_within(value, 63) && OBJECT_NAME.is_match(value)
}

/// Whether `value` is a valid `metadata.namespace`.
pub fn is_valid_namespace(value: &str) -> bool {
    is_valid_dns_label(value)
}

/// Whether `value` is a valid `kind`.
pub fn is_valid_kind(value: &str) -> bool {
    length_within(value, 63) && KIND.is_match(value)
}

/// Whether `value` is a valid `apiVersion` (`[prefix/]suffix`).
pub fn is_valid_api_version(value: &str) -> bool {
    prefix_and_or_suffix(value, is_valid_dns_subdomain, |v| length_within(v, 63) && VERSION.is_match(v))
}

/// Whether `value` is a valid label or annotation key (`[prefix/]name`).
pub fn is_valid_key(value: &str) -> bool {
    prefix_and_or_suffix(value, is_valid_dns_subdomain, is_valid_object_name)
}

/// Whether `value` is a valid label value (empty, or like a name).
pub fn is_valid_label_value(value: &str) -> bool {
    value.is_empty() || is_valid_object_name(value)
}

/// Whether `value` is a valid tag.
pub fn is_valid_tag(value: &str) -> bool {
    length_within(value, 63) && TAG.is_match(value)
}

/// Quotes a value for a message, shortening long ones.
fn quoted(value: &str) -> String {
    const MAX: usize = 80;
    if value.chars().count() <= MAX {
        format!("`{value}`")
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("`{head}...`")
    }
}

/// "`<what> `<value>` is invalid: <rule>", noting the length when it is the
/// likely cause.
fn invalid(what: &str, value: &str, rule: &str, max_len: usize) -> String {
    let len = value.chars().count();
    if len > max_len {
        format!("{what} {} is invalid ({len} characters, at most {max_len}): {rule}", quoted(value))
    } else {
        format!("{what} {} is invalid: {rule}", quoted(value))
    }
}

// ---------------------------------------------------------------------------
// Built-in kinds
// ---------------------------------------------------------------------------

/// The shape a spec field must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// A non-empty string.
    Str,
    /// A list of non-empty strings.
    StrList,
    /// A mapping.
    Map,
    /// A mapping, or a list of mappings (template parameters).
    MapOrMapList,
    /// `displayName`, `email`, `picture` strings.
    Profile,
    /// Template steps: mappings with a string `action`.
    Steps,
    /// `required` or `optional`.
    Presence,
}

/// One spec field of a built-in kind.
#[derive(Clone, Copy, Debug)]
struct Field {
    name: &'static str,
    shape: Shape,
    required: bool,
}

const fn req(name: &'static str, shape: Shape) -> Field {
    Field { name, shape, required: true }
}

const fn opt(name: &'static str, shape: Shape) -> Field {
    Field { name, shape, required: false }
}

/// A built-in kind: accepted apiVersions and spec fields. Reference fields
/// from [`REF_FIELDS`] not listed here are optional.
struct KindRules {
    kind: &'static str,
    api_versions: &'static [&'static str],
    /// Accepted with a warning.
    old_api_versions: &'static [&'static str],
    fields: &'static [Field],
}

const BACKSTAGE_IO: &[&str] = &["backstage.io/v1alpha1", "backstage.io/v1beta1"];

/// API types that carry no `definition` (they describe endpoints instead).
const DEFINITIONLESS_API_TYPES: &[&str] = &["mcp-server", "ai-model-server"];

use Shape::*;

const KINDS: &[KindRules] = &[
    KindRules {
        kind: "Component",
        api_versions: BACKSTAGE_IO,
        old_api_versions: &[],
        fields: &[req("type", Str), req("lifecycle", Str), req("owner", Str)],
    },
    KindRules {
        kind: "API",
        api_versions: BACKSTAGE_IO,
        old_api_versions: &[],
        fields: &[req("type", Str), req("lifecycle", Str), req("owner", Str), req("definition", Str)],
    },
    KindRules {
        kind: "Resource",
        api_versions: BACKSTAGE_IO,
        old_api_versions: &[],
        fields: &[req("type", Str), req("owner", Str)],
    },
    KindRules {
        kind: "System",
        api_versions: BACKSTAGE_IO,
        old_api_versions: &[],
        fields: &[req("owner", Str), opt("type", Str)],
    },
    KindRules {
        kind: "Domain",
        api_versions: BACKSTAGE_IO,
        old_api_versions: &[],
        fields: &[req("owner", Str), opt("type", Str)],
    },
    KindRules {
        kind: "Group",
        api_versions: BACKSTAGE_IO,
        old_api_versions: &[],
        fields: &[req("type", Str), req("children", StrList), opt("profile", Profile)],
    },
    KindRules {
        kind: "User",
        api_versions: BACKSTAGE_IO,
        old_api_versions: &[],
        fields: &[req("memberOf", StrList), opt("profile", Profile)],
    },
    KindRules {
        kind: "Location",
        api_versions: BACKSTAGE_IO,
        old_api_versions: &[],
        fields: &[opt("type", Str), opt("target", Str), opt("targets", StrList), opt("presence", Presence)],
    },
    KindRules {
        kind: "Template",
        api_versions: &["scaffolder.backstage.io/v1beta3"],
        old_api_versions: &["backstage.io/v1beta2", "scaffolder.backstage.io/v1beta2"],
        fields: &[
            req("type", Str),
            req("steps", Steps),
            opt("parameters", MapOrMapList),
            opt("output", Map),
            opt("owner", Str),
            opt("lifecycle", Str),
        ],
    },
];

fn kind_rules(kind: &str) -> Option<&'static KindRules> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// The spec fields to check for a kind: its own table, then every reference
/// field of [`REF_FIELDS`] for the kind that the table does not list.
fn spec_fields(rules: &KindRules) -> Vec<Field> {
    let mut fields = rules.fields.to_vec();
    for rf in REF_FIELDS.iter().filter(|f| f.kinds.contains(&rules.kind)) {
        if !fields.iter().any(|f| f.name == rf.field) {
            fields.push(opt(rf.field, if rf.many { StrList } else { Str }));
        }
    }
    fields
}

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
            let path = format!("spec.{}", field.name);
            let Some(node) = spec.get(field.name) else {
                if field.required && !self.optional_here(rules, spec, field) {
                    let message =
                        format!("`{path}` is missing: kind {} requires it ({})", rules.kind, shape_text(field.shape));
                    self.error(spec.pos, message);
                }
                continue;
            };
            self.spec_field(rules, field, node, &path);
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
mod tests {
    use super::*;
    use crate::model::yaml::{Limits, load_single, load_stream};

    fn node(text: &str) -> Node {
        load_single(text, Limits::default()).unwrap().unwrap()
    }

    fn problems(text: &str) -> Vec<Problem> {
        validate_entity(&node(text), "test.yaml")
    }

    fn errors(text: &str) -> Vec<Problem> {
        problems(text).into_iter().filter(|p| p.severity == Severity::Error).collect()
    }

    /// The single error, with its position.
    fn one_error(text: &str) -> (Pos, String) {
        let errors = errors(text);
        assert_eq!(errors.len(), 1, "expected one error, got {errors:#?}");
        (errors[0].pos.unwrap(), errors[0].message.clone())
    }

    fn at(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }

    const COMPONENT: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: petstore
  namespace: pets
  labels:
    backstage.io/tier: gold
    empty: ''
  annotations:
    github.com/project-slug: acme/petstore
  tags: [java, c++, 'lang:go']
  links:
    - url: https://example.com/dash
      title: Dashboard
spec:
  type: service
  lifecycle: production
  owner: team-a
  system: pets
  providesApis: [petstore-api]
  dependsOn: ['resource:db', 'component:other/lib']
";

    fn component_with(metadata_extra: &str, spec_extra: &str) -> String {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: c\n{metadata_extra}spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n{spec_extra}"
        )
    }

    #[test]
    fn a_valid_component_has_no_problems() {
        assert_eq!(problems(COMPONENT), vec![]);
        assert!(!is_fatal(&node(COMPONENT)));
    }

    #[test]
    fn problems_carry_file_position_and_entity() {
        let p = &problems(&component_with("", "  system: ''\n"))[0];
        assert_eq!(p.file.as_deref(), Some("test.yaml"));
        assert_eq!(p.pos, Some(at(9, 11)));
        assert_eq!(p.entity.as_deref(), Some("component:default/c"));
        assert_eq!(p.message, "`spec.system` must not be empty: write a non-empty string");
    }

    #[test]
    fn naming_rules_report_the_value_and_position() {
        let (pos, msg) = one_error(&COMPONENT.replace("name: petstore", "name: Bad Name!"));
        assert_eq!(pos, at(4, 9));
        assert_eq!(
            msg,
            "metadata.name `Bad Name!` is invalid: use 1-63 characters, letters, digits, `-`, `_` and `.`, \
             starting and ending with a letter or digit"
        );

        let (pos, msg) = one_error(&COMPONENT.replace("namespace: pets", "namespace: Pets--x"));
        assert_eq!(pos, at(5, 14));
        assert!(msg.starts_with("metadata.namespace `Pets--x` is invalid: use 1-63 lowercase"), "{msg}");

        let (pos, msg) = one_error(&COMPONENT.replace("kind: Component", "kind: 9lives"));
        assert_eq!(pos, at(2, 7));
        assert!(msg.starts_with("kind `9lives` is invalid"), "{msg}");

        let (pos, msg) = one_error(&COMPONENT.replace("backstage.io/v1alpha1", "Backstage.io/v1alpha1"));
        assert_eq!(pos, at(1, 13));
        assert!(msg.contains("apiVersion `Backstage.io/v1alpha1` is invalid"), "{msg}");
        let (_, msg) = one_error(&COMPONENT.replace("backstage.io/v1alpha1", "a/b/c"));
        assert!(msg.contains("`a/b/c` is invalid"), "{msg}");

        let (pos, msg) = one_error(&COMPONENT.replace("[java, c++", "[java, C++"));
        assert_eq!(pos, at(11, 16));
        assert!(msg.starts_with("tag `C++` is invalid: use 1-63 lowercase"), "{msg}");

        let (pos, msg) = one_error(&COMPONENT.replace("empty: ''", "empty: -bad"));
        assert_eq!(pos, at(8, 12));
        assert!(msg.starts_with("label `empty` value `-bad` is invalid: use an empty string"), "{msg}");
    }

    #[test]
    fn label_and_annotation_keys_may_have_a_dns_prefix() {
        assert!(is_valid_key("backstage.io/tier"));
        assert!(is_valid_key("goVersion"));
        assert!(!is_valid_key("Backstage.io/tier"));
        assert!(!is_valid_key("a/b/c"));
        assert!(!is_valid_key("backstage..io/x"));
        let (pos, msg) = one_error(&COMPONENT.replace("backstage.io/tier", "Acme.com/tier"));
        assert_eq!(pos, at(7, 5));
        assert!(msg.starts_with("label key `Acme.com/tier` is invalid: use `[prefix/]name`"), "{msg}");
        let (pos, msg) = one_error(&COMPONENT.replace("github.com/project-slug", "github.com/"));
        assert_eq!(pos, at(10, 5));
        assert!(msg.starts_with("annotation key `github.com/` is invalid"), "{msg}");
        // Annotation values may be any string, but must be strings.
        assert_eq!(errors(&COMPONENT.replace("acme/petstore", "'any thing! at all'")), vec![]);
        let (pos, msg) = one_error(&COMPONENT.replace("acme/petstore", "42"));
        assert_eq!(pos, at(10, 30));
        assert_eq!(
            msg,
            "`metadata.annotations.github.com/project-slug` must be a string, found a number: \
             quote the value to make it a string"
        );
    }

    #[test]
    fn names_of_63_characters_are_valid_and_64_are_not() {
        let ok = "a".repeat(63);
        assert_eq!(errors(&COMPONENT.replace("name: petstore", &format!("name: {ok}"))), vec![]);
        let long = "a".repeat(64);
        let (pos, msg) = one_error(&COMPONENT.replace("name: petstore", &format!("name: {long}")));
        assert_eq!(pos, at(4, 9));
        assert!(msg.contains("is invalid (64 characters, at most 63)"), "{msg}");
    }

    #[test]
    fn links_need_a_valid_url() {
        let (pos, msg) = one_error(&COMPONENT.replace("https://example.com/dash", "not a url"));
        assert_eq!(pos, at(13, 12));
        assert!(msg.starts_with("`metadata.links[0].url` `not a url` is not a valid URL"), "{msg}");
        let (pos, msg) = one_error(&COMPONENT.replace("    - url: https://example.com/dash\n", "    - icon: x\n"));
        assert_eq!(pos, at(13, 7));
        assert!(msg.starts_with("`metadata.links[0].url` is missing"), "{msg}");
    }

    #[test]
    fn wrong_types_in_spec_fields() {
        let (pos, msg) = one_error(&COMPONENT.replace("owner: team-a", "owner: [team-a]"));
        assert_eq!(pos, at(18, 10));
        assert_eq!(msg, "`spec.owner` must be a string, found a list");
        let (pos, msg) = one_error(&COMPONENT.replace("providesApis: [petstore-api]", "providesApis: petstore-api"));
        assert_eq!(pos, at(20, 17));
        assert_eq!(msg, "`spec.providesApis` must be a list, found a string");
        let (pos, msg) = one_error(&COMPONENT.replace("lifecycle: production", "lifecycle:"));
        assert_eq!(pos.line, 17);
        assert_eq!(msg, "`spec.lifecycle` has no value: it must be a string");
        let (pos, msg) = one_error(&COMPONENT.replace("  type: service\n", ""));
        assert_eq!(pos, at(16, 3));
        assert_eq!(msg, "`spec.type` is missing: kind Component requires it (a non-empty string)");
        let (pos, msg) = one_error(&component_with("", "  system: {a: 1}\n"));
        assert_eq!(pos, at(9, 11));
        assert_eq!(msg, "`spec.system` must be a string, found a mapping");
    }

    #[test]
    fn depends_on_needs_a_kind() {
        let (pos, msg) = one_error(&COMPONENT.replace("'resource:db'", "db"));
        assert_eq!(pos, at(21, 15));
        assert_eq!(
            msg,
            "`spec.dependsOn[0]` is not a valid reference: entity reference `db` needs a kind, e.g. `component:db`"
        );
        let (_, msg) = one_error(&COMPONENT.replace("owner: team-a", "owner: 'group:/x'"));
        assert!(msg.contains("empty namespace") && msg.contains("[kind:][namespace/]name"), "{msg}");
    }

    #[test]
    fn envelope_problems() {
        let (pos, msg) = one_error("- a\n- b\n");
        assert_eq!(pos, at(1, 1));
        assert!(msg.contains("found a list"), "{msg}");
        assert!(is_fatal(&node("- a\n")));

        let text = "apiVersion: backstage.io/v1alpha1\nkind: Thing\nmetadata:\n  title: x\n";
        let (pos, msg) = one_error(text);
        assert_eq!(pos, at(4, 3));
        assert_eq!(msg, "`metadata.name` is missing: every entity needs a name");
        assert!(is_fatal(&node(text)));
        assert_eq!(errors(text)[0].entity, None);

        let text = "metadata: {name: x}\nspec: []\nrelations: []\nextra: 1\n";
        let all = problems(text);
        let messages: Vec<_> = all.iter().map(|p| (p.severity, p.pos.unwrap().line, p.message.as_str())).collect();
        assert!(
            messages.iter().any(|m| m.0 == Severity::Warning && m.1 == 3 && m.2.contains("written by the catalog"))
        );
        assert!(messages.iter().any(|m| m.1 == 4 && m.2.starts_with("unknown top-level field `extra`")));
        assert!(messages.iter().any(|m| m.2.starts_with("`apiVersion` is missing")));
        assert!(messages.iter().any(|m| m.2.starts_with("`kind` is missing")));
        assert!(messages.iter().any(|m| m.2 == "`spec` must be a mapping, found a list"));
        assert!(is_fatal(&node(text)));
    }

    #[test]
    fn unknown_kinds_get_only_envelope_rules() {
        let text = "apiVersion: example.com/v1\nkind: Environment\nmetadata:\n  name: prod\nspec:\n  owner: [x]\n";
        assert_eq!(problems(text), vec![]);
        let lower = problems(&COMPONENT.replace("kind: Component", "kind: component"));
        assert_eq!(lower.len(), 1);
        assert_eq!(lower[0].severity, Severity::Warning);
        assert!(lower[0].message.contains("write `Component`"));
    }

    #[test]
    fn known_kinds_check_api_version_and_spec() {
        let (pos, msg) = one_error(&COMPONENT.replace("backstage.io/v1alpha1", "backstage.io/v2"));
        assert_eq!(pos, at(1, 13));
        assert_eq!(
            msg,
            "apiVersion `backstage.io/v2` is not accepted for kind Component: use `backstage.io/v1alpha1` or `backstage.io/v1beta1`"
        );
        let (pos, msg) = one_error("apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: s\n");
        assert_eq!(pos, at(1, 1));
        assert_eq!(msg, "`spec` is missing: kind System needs a `spec` mapping");
    }

    #[test]
    fn api_definitions() {
        let api = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: a\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n";
        let (pos, msg) = one_error(api);
        assert_eq!(pos, at(6, 3));
        assert!(msg.starts_with("`spec.definition` is missing"), "{msg}");
        assert_eq!(problems(&format!("{api}  definition:\n    $text: ./openapi.yaml\n")), vec![]);
        let (_, msg) = one_error(&format!("{api}  definition:\n    $json: ./openapi.json\n"));
        assert!(msg.contains("found a `$json` placeholder"), "{msg}");
        let mcp = api.replace("type: openapi", "type: mcp-server")
            + "  remotes:\n    - type: streamable-http\n      url: http://localhost:7007/api/mcp/v1\n";
        assert_eq!(problems(&mcp), vec![]);
    }

    #[test]
    fn location_presence() {
        let loc =
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: l\nspec:\n  targets: [./a.yaml]\n";
        assert_eq!(problems(&format!("{loc}  presence: optional\n")), vec![]);
        let (pos, msg) = one_error(&format!("{loc}  presence: maybe\n"));
        assert_eq!(pos, at(7, 13));
        assert_eq!(msg, "`spec.presence` `maybe` is invalid: use `required` or `optional`");
        let (pos, msg) = one_error(&format!("{loc}  target: [x]\n"));
        assert_eq!(pos, at(7, 11));
        assert_eq!(msg, "`spec.target` must be a string, found a list");
    }

    #[test]
    fn groups_users_and_templates() {
        let group = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: g\nspec:\n  type: team\n  children: []\n  members: [jo, 3]\n";
        let (pos, msg) = one_error(group);
        assert_eq!(pos, at(8, 17));
        assert!(msg.starts_with("`spec.members[1]` must be a string, found a number"), "{msg}");
        let user =
            "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: jo\nspec:\n  profile: {email: 1}\n";
        let messages: Vec<_> = errors(user).into_iter().map(|p| p.message).collect();
        assert!(messages.iter().any(|m| m.starts_with("`spec.memberOf` is missing")));
        assert!(messages.iter().any(|m| m.starts_with("`spec.profile.email` must be a string")));

        let template = "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: t\nspec:\n  type: service\n  parameters: [{title: A}]\n  steps:\n    - id: fetch\n      action: fetch:template\n    - name: Publish\n";
        let (pos, msg) = one_error(template);
        assert_eq!(pos, at(11, 7));
        assert!(msg.starts_with("`spec.steps[1].action` is missing"), "{msg}");
        let old = template.replace("scaffolder.backstage.io/v1beta3", "backstage.io/v1beta2");
        assert!(problems(&old).iter().any(|p| p.severity == Severity::Warning && p.message.contains("old format")));
    }

    fn examples_dir() -> Option<std::path::PathBuf> {
        let dir = std::path::PathBuf::from(
            "/work/shared/fixtures/backstage-examples/backstage/packages/catalog-model/examples",
        );
        if dir.is_dir() {
            Some(dir)
        } else {
            eprintln!("skipping: {} is absent", dir.display());
            None
        }
    }

    #[test]
    fn the_real_invalid_component_fixture() {
        let Some(dir) = examples_dir() else { return };
        let path = dir.join("components/invalid-component.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        let problems = validate_entity(&node(&text), "invalid-component.yaml");
        let found: Vec<_> = problems.iter().map(|p| (p.severity, p.pos.unwrap(), p.message.as_str())).collect();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].0, Severity::Error);
        assert_eq!(found[0].1, at(4, 9));
        assert!(found[0].2.starts_with("metadata.name `invalid component` is invalid"));
        assert_eq!(found[1].1, at(11, 7));
        assert!(found[1].2.starts_with("tag `go 1.15.3` is invalid"));
        assert_eq!(problems[0].entity.as_deref(), Some("component:default/invalid component"));
    }

    fn yaml_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                yaml_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_real_example_validates() {
        let Some(dir) = examples_dir() else { return };
        let mut files = Vec::new();
        yaml_files(&dir, &mut files);
        files.retain(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            !matches!(name, "invalid-component.yaml" | "petstore-webhook.oas.yaml")
        });
        assert!(files.len() > 40, "expected the example files, found {}", files.len());
        let mut documents = 0;
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let stream = load_stream(&text, Limits::default());
            assert!(stream.error.is_none(), "{}: {:?}", file.display(), stream.error);
            for doc in stream.documents {
                let Some(root) = doc.root else { continue };
                documents += 1;
                let name = file.display().to_string();
                let errors: Vec<_> =
                    validate_entity(&root, &name).into_iter().filter(|p| p.severity == Severity::Error).collect();
                assert!(errors.is_empty(), "{errors:#?}");
                assert!(!is_fatal(&root), "{name}");
            }
        }
        assert!(documents > 60, "{documents}");
    }
}
