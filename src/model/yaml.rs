//! A YAML loader that keeps the line and column of every node.
//!
//! Built on `saphyr-parser`'s event stream. It follows what Backstage's YAML
//! reader does with catalog files: every document of a stream is read, the
//! YAML 1.2 core schema resolves plain scalars, merge keys (`<<`) are ordinary
//! keys, duplicate keys are errors, and unknown tags (`!!python/name:...`) are
//! tolerated by keeping the tagged value as it is written. Aliases are
//! expanded under a node budget and a byte budget, so an alias bomb (many
//! small nodes, or one big scalar aliased many times) is an error, not an
//! outage. Duplicate keys are found through a hash set: linear in the keys.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::BuildHasher;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use serde_json::{Map, Number, Value};

/// A position in a text file: 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Pos {
    /// Line, starting at 1.
    pub line: u32,
    /// Column, starting at 1.
    pub col: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

fn pos_of(span: &Span) -> Pos {
    Pos {
        line: u32::try_from(span.start.line()).unwrap_or(u32::MAX),
        col: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
    }
}

/// One YAML node with the position where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where the node starts.
    pub pos: Pos,
    /// What the node holds.
    pub value: NodeValue,
}

/// One entry of a YAML mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct MapEntry {
    /// The key, as text (non-string scalar keys are written as they appear).
    pub key: String,
    /// Where the key starts.
    pub key_pos: Pos,
    /// The value.
    pub value: Node,
}

/// The value of a YAML node after core-schema resolution.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeValue {
    /// `null`, `~` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<MapEntry>),
}

impl NodeValue {
    /// A short name for the node's type, used in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            NodeValue::Null => "null",
            NodeValue::Bool(_) => "a boolean",
            NodeValue::Int(_) | NodeValue::Float(_) => "a number",
            NodeValue::Str(_) => "a string",
            NodeValue::Seq(_) => "a list",
            NodeValue::Map(_) => "a mapping",
        }
    }
}

impl Node {
    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            NodeValue::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    /// The map entry under `key` when this node is a mapping.
    pub fn entry(&self, key: &str) -> Option<&MapEntry> {
        match &self.value {
            NodeValue::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// Follows a path of keys from this node.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The string value, when the node is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The entries, when the node is a mapping.
    pub fn as_map(&self) -> Option<&[MapEntry]> {
        match &self.value {
            NodeValue::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items, when the node is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            NodeValue::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// Converts the node to JSON, keeping key order. Consumes the node so
    /// strings and keys move into the JSON value instead of being copied.
    pub fn into_json(self) -> Value {
        match self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(b),
            NodeValue::Int(i) => Value::Number(i.into()),
            NodeValue::Float(f) => match Number::from_f64(f) {
                Some(n) => Value::Number(n),
                None => Value::String(float_text(f)),
            },
            NodeValue::Str(s) => Value::String(s),
            NodeValue::Seq(items) => Value::Array(items.into_iter().map(Node::into_json).collect()),
            NodeValue::Map(entries) => {
                let mut map = Map::with_capacity(entries.len());
                for e in entries {
                    map.insert(e.key, e.value.into_json());
                }
                Value::Object(map)
            }
        }
    }

    /// The bytes the tree takes by the loader's byte budget: the text of
    /// every scalar and key plus [`NODE_BYTES`] per node.
    pub fn cost(&self) -> usize {
        self.weight().bytes
    }

    /// How many nodes the tree holds and how many bytes it takes, as the
    /// loader's budgets count them.
    fn weight(&self) -> Weight {
        let own = Weight { nodes: 1, bytes: NODE_BYTES };
        match &self.value {
            NodeValue::Str(s) => own.plus(Weight { nodes: 0, bytes: s.len() }),
            NodeValue::Seq(items) => items.iter().fold(own, |w, n| w.plus(n.weight())),
            NodeValue::Map(entries) => entries.iter().fold(own, |w, e| {
                // The key was a scalar node of its own when it was read.
                w.plus(Weight { nodes: 1, bytes: NODE_BYTES + e.key.len() }).plus(e.value.weight())
            }),
            _ => own,
        }
    }
}

/// What a node costs, by the loader's budgets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Weight {
    nodes: usize,
    bytes: usize,
}

impl Weight {
    fn plus(self, other: Weight) -> Weight {
        Weight { nodes: self.nodes.saturating_add(other.nodes), bytes: self.bytes.saturating_add(other.bytes) }
    }
}

/// The bytes a node costs beyond its text, for the byte budget (about
/// what a node takes in memory).
pub const NODE_BYTES: usize = 48;

fn float_text(f: f64) -> String {
    if f.is_nan() {
        ".nan".into()
    } else if f > 0.0 {
        ".inf".into()
    } else {
        "-.inf".into()
    }
}

/// One document of a YAML stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The document's root node; `None` for an empty or null document.
    pub root: Option<Node>,
    /// Where the document starts.
    pub pos: Pos,
}

/// A YAML syntax or structure error, with where it happened.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{pos}: {message}")]
pub struct YamlError {
    /// Where the error was found.
    pub pos: Pos,
    /// What is wrong.
    pub message: String,
}

/// Bounds that keep hostile input from using unbounded memory or time.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
    /// Most nodes one stream may produce, counting alias expansions.
    pub max_nodes: usize,
    /// Most bytes one stream may produce, counting alias expansions: the
    /// text of every scalar and key plus [`NODE_BYTES`] per node.
    pub max_bytes: usize,
}

impl Default for Limits {
    /// 64 levels, 2,000,000 nodes and 64 MiB (four times the largest file
    /// read, so any file without aliases fits).
    fn default() -> Self {
        Limits { max_depth: 64, max_nodes: 2_000_000, max_bytes: 64 * 1024 * 1024 }
    }
}

/// The documents of a stream; on a syntax error, the documents read before
/// it and the error.
#[derive(Debug, Default)]
pub struct Stream {
    /// Every complete document before any error.
    pub documents: Vec<Document>,
    /// The first error, if any: reading stopped there.
    pub error: Option<YamlError>,
}

/// Reads every document of a YAML stream.
pub fn load_stream(text: &str, limits: Limits) -> Stream {
    let mut loader = Loader { limits, ..Loader::default() };
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        match next {
            Ok((event, span)) => {
                if let Err(error) = loader.on_event(event, &span) {
                    loader.error = Some(error);
                    break;
                }
            }
            Err(e) => {
                let pos = Pos {
                    line: u32::try_from(e.marker().line()).unwrap_or(u32::MAX),
                    col: u32::try_from(e.marker().col() + 1).unwrap_or(u32::MAX),
                };
                loader.error = Some(YamlError { pos, message: e.info().to_string() });
                break;
            }
        }
    }
    Stream { documents: loader.documents, error: loader.error }
}

/// Reads a stream that must hold exactly one document (config files).
pub fn load_single(text: &str, limits: Limits) -> Result<Option<Node>, YamlError> {
    let stream = load_stream(text, limits);
    if let Some(error) = stream.error {
        return Err(error);
    }
    let mut docs = stream.documents.into_iter();
    let first = docs.next();
    if let Some(second) = docs.next() {
        return Err(YamlError { pos: second.pos, message: "expected one YAML document, found several".into() });
    }
    Ok(first.and_then(|d| d.root))
}

enum Frame {
    Seq { pos: Pos, anchor: usize, items: Vec<Node> },
    Map { pos: Pos, anchor: usize, entries: Vec<MapEntry>, key: Option<(String, Pos)>, keys: KeySet },
}

/// The keys of a mapping being read, for the duplicate check: a scan while
/// the mapping is small, hashes of the keys once it is not.
#[derive(Default)]
struct KeySet {
    hashes: Option<HashSet<u64>>,
}

/// Mappings up to this many entries are checked by a scan.
const SCAN_KEYS: usize = 16;

impl KeySet {
    /// Whether `key` is already among `entries` (whose keys this set holds).
    fn contains(&mut self, entries: &[MapEntry], key: &str, hasher: &RandomState) -> bool {
        if entries.len() < SCAN_KEYS {
            return entries.iter().any(|e| e.key == key);
        }
        let hashes =
            self.hashes.get_or_insert_with(|| entries.iter().map(|e| hasher.hash_one(e.key.as_str())).collect());
        // A hash seen before is a duplicate, or (rarely) a collision: the
        // scan tells them apart.
        !hashes.insert(hasher.hash_one(key)) && entries.iter().any(|e| e.key == key)
    }
}

#[derive(Default)]
struct Loader {
    limits: Limits,
    documents: Vec<Document>,
    error: Option<YamlError>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, Weight)>,
    doc_pos: Pos,
    doc_root: Option<Node>,
    used: Weight,
    hasher: RandomState,
}

impl Loader {
    fn on_event(&mut self, event: Event<'_>, span: &Span) -> Result<(), YamlError> {
        let pos = pos_of(span);
        match event {
            Event::DocumentStart(_) => {
                self.doc_pos = pos;
                self.doc_root = None;
                self.anchors.clear();
            }
            Event::DocumentEnd => {
                let root = self.doc_root.take();
                let root = root.filter(|n| n.value != NodeValue::Null);
                self.documents.push(Document { root, pos: self.doc_pos });
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.spend(Weight { nodes: 1, bytes: NODE_BYTES + text.len() }, pos)?;
                let value = resolve_scalar(&text, style, tag.as_deref());
                self.complete(Node { pos, value }, anchor)?;
            }
            Event::Alias(id) => {
                let (_, weight) = self
                    .anchors
                    .get(&id)
                    .ok_or_else(|| YamlError { pos, message: "alias refers to an unknown anchor".into() })?;
                // Counted before the copy is made: the copy is what a bomb
                // is made of.
                self.spend(*weight, pos)?;
                let node =
                    self.anchors.get(&id).map(|(node, _)| node.clone()).unwrap_or(Node { pos, value: NodeValue::Null });
                self.complete(Node { pos, ..node }, 0)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.open(pos)?;
                self.spend(Weight { nodes: 1, bytes: NODE_BYTES }, pos)?;
                self.stack.push(Frame::Seq { pos, anchor, items: Vec::new() });
            }
            Event::MappingStart(anchor, _) => {
                self.open(pos)?;
                self.spend(Weight { nodes: 1, bytes: NODE_BYTES }, pos)?;
                self.stack.push(Frame::Map { pos, anchor, entries: Vec::new(), key: None, keys: KeySet::default() });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { pos, anchor, items }) => (Node { pos, value: NodeValue::Seq(items) }, anchor),
                    Some(Frame::Map { pos, anchor, entries, .. }) => {
                        (Node { pos, value: NodeValue::Map(entries) }, anchor)
                    }
                    None => return Ok(()),
                };
                self.complete(node, anchor)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// Counts what a node costs against the budgets.
    fn spend(&mut self, weight: Weight, pos: Pos) -> Result<(), YamlError> {
        self.used = self.used.plus(weight);
        let message = if self.used.nodes > self.limits.max_nodes {
            format!(
                "document expands to more than {} nodes (alias bomb?); refusing to read further",
                self.limits.max_nodes
            )
        } else if self.used.bytes > self.limits.max_bytes {
            format!(
                "document expands to more than {} (alias bomb?); refusing to read further",
                bytes_text(self.limits.max_bytes)
            )
        } else {
            return Ok(());
        };
        Err(YamlError { pos, message })
    }

    fn open(&mut self, pos: Pos) -> Result<(), YamlError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(YamlError { pos, message: format!("nesting deeper than {} levels", self.limits.max_depth) });
        }
        Ok(())
    }

    /// Places a node that was counted when it started.
    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor > 0 {
            let weight = node.weight();
            self.anchors.insert(anchor, (node.clone(), weight));
        }
        match self.stack.last_mut() {
            None => self.doc_root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, keys, .. }) => match key.take() {
                None => {
                    let text = key_text(&node)?;
                    if keys.contains(entries, &text, &self.hasher) {
                        return Err(YamlError {
                            pos: node.pos,
                            message: format!("duplicate key `{text}`: map keys must be unique"),
                        });
                    }
                    *key = Some((text, node.pos));
                }
                Some((k, key_pos)) => entries.push(MapEntry { key: k, key_pos, value: node }),
            },
        }
        Ok(())
    }
}

/// `64 MiB`, or `1000 bytes` below a MiB.
fn bytes_text(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) { format!("{} MiB", bytes / MIB) } else { format!("{bytes} bytes") }
}

fn key_text(node: &Node) -> Result<String, YamlError> {
    Ok(match &node.value {
        NodeValue::Null => "null".into(),
        NodeValue::Bool(b) => b.to_string(),
        NodeValue::Int(i) => i.to_string(),
        NodeValue::Float(f) => f.to_string(),
        NodeValue::Str(s) => s.clone(),
        NodeValue::Seq(_) | NodeValue::Map(_) => {
            return Err(YamlError {
                pos: node.pos,
                message: "a mapping key must be a scalar, not a list or mapping".into(),
            });
        }
    })
}

fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> NodeValue {
    if let Some(tag) = tag {
        if tag.is_yaml_core_schema() || tag.handle == "!!" {
            return match tag.suffix.as_str() {
                "str" => NodeValue::Str(text.to_string()),
                "null" => NodeValue::Null,
                "bool" | "int" | "float" => resolve_plain(text),
                _ => NodeValue::Str(text.to_string()),
            };
        }
        // Unknown tags (`!Ref`, `!!python/name:...`) keep the written text.
        return NodeValue::Str(text.to_string());
    }
    match style {
        ScalarStyle::Plain => resolve_plain(text),
        _ => NodeValue::Str(text.to_string()),
    }
}

/// YAML 1.2 core schema resolution of a plain scalar.
fn resolve_plain(text: &str) -> NodeValue {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return NodeValue::Null,
        "true" | "True" | "TRUE" => return NodeValue::Bool(true),
        "false" | "False" | "FALSE" => return NodeValue::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return NodeValue::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return NodeValue::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return NodeValue::Float(f64::NAN),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return NodeValue::Str(text.to_string());
    }
    if let Some(hex) = text.strip_prefix("0x")
        && let Ok(i) = i64::from_str_radix(hex, 16)
    {
        return NodeValue::Int(i);
    }
    if let Some(oct) = text.strip_prefix("0o")
        && let Ok(i) = i64::from_str_radix(oct, 8)
    {
        return NodeValue::Int(i);
    }
    if is_core_int(text)
        && let Ok(i) = text.parse::<i64>()
    {
        return NodeValue::Int(i);
    }
    if is_core_float(text)
        && let Ok(f) = text.parse::<f64>()
    {
        return NodeValue::Float(f);
    }
    NodeValue::Str(text.to_string())
}

fn is_core_int(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_core_float(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (int.bytes().all(|b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit()))
                && (!int.is_empty() || !frac.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(is_core_int);
    mantissa_ok && exponent_ok
}

#[cfg(test)]
#[path = "yaml_tests.rs"]
mod tests;
