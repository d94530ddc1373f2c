//! `$text`, `$json` and `$yaml` placeholders: a mapping with exactly one of
//! these keys is replaced by the contents of the file it names, read relative
//! to the descriptor's folder. Paths that leave the source root are refused;
//! remote URLs are not fetched by local sources and are reported. All the
//! placeholders of one catalog file share a byte budget
//! ([`MAX_FILE_PLACEHOLDER_BYTES`]), and those of all the files of one
//! source another ([`MAX_SOURCE_PLACEHOLDER_BYTES`]): past either, each
//! further placeholder is a problem of its file, and the sync goes on.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::model::yaml::{self, Limits, MapEntry, Node, NodeValue, Pos};

use super::catalog_file::text_sum;
use super::depends::FileRead;
use super::read::{ReadError, read_text};

/// Most bytes the placeholders of one catalog file may add, together
/// (counted as the YAML byte budget counts them).
pub const MAX_FILE_PLACEHOLDER_BYTES: usize = 32 * 1024 * 1024;

/// Most bytes the placeholders of all the catalog files of one source may
/// add, together (counted as [`MAX_FILE_PLACEHOLDER_BYTES`] is).
pub const MAX_SOURCE_PLACEHOLDER_BYTES: usize = 256 * 1024 * 1024;

/// What the placeholders of one source's files have left to add, shared by
/// the threads that read them.
#[derive(Debug)]
pub struct SourceBudget {
    left: AtomicUsize,
}

impl SourceBudget {
    /// A fresh budget of [`MAX_SOURCE_PLACEHOLDER_BYTES`] for one source.
    pub fn per_source() -> SourceBudget {
        SourceBudget { left: AtomicUsize::new(MAX_SOURCE_PLACEHOLDER_BYTES) }
    }

    /// Takes `bytes`, or says why not (leaving it as it is).
    fn spend(&self, bytes: usize) -> Result<(), String> {
        self.left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(bytes)).map_err(|_| {
            format!(
                "the placeholders of this source's files would read more than {} MiB in all; refusing to read more",
                MAX_SOURCE_PLACEHOLDER_BYTES / (1024 * 1024)
            )
        })?;
        Ok(())
    }
}

/// What the placeholders of one catalog file have left to add, within what
/// its source has left.
#[derive(Debug)]
pub struct Budget<'s> {
    left: Cell<usize>,
    source: &'s SourceBudget,
}

impl<'s> Budget<'s> {
    /// A fresh budget of [`MAX_FILE_PLACEHOLDER_BYTES`] for one file of the
    /// source whose budget is `source`.
    pub fn per_file(source: &'s SourceBudget) -> Budget<'s> {
        Budget::of(MAX_FILE_PLACEHOLDER_BYTES, source)
    }

    /// A budget of `bytes` within `source`.
    pub fn of(bytes: usize, source: &'s SourceBudget) -> Budget<'s> {
        Budget { left: Cell::new(bytes), source }
    }

    /// Whether `bytes` fit in what the file has left; if not, why.
    fn check(&self, bytes: usize) -> Result<(), String> {
        if bytes > self.left.get() {
            return Err(format!(
                "the placeholders of this file would read more than {} MiB in all; refusing to read more",
                MAX_FILE_PLACEHOLDER_BYTES / (1024 * 1024)
            ));
        }
        Ok(())
    }

    /// Takes `bytes` from the file's budget and its source's, or says why
    /// not (leaving both as they are).
    fn spend(&self, bytes: usize) -> Result<(), String> {
        self.check(bytes)?;
        self.source.spend(bytes)?;
        self.left.set(self.left.get() - bytes);
        Ok(())
    }
}

/// What a placeholder resolution needs to know.
pub struct PlaceholderContext<'a> {
    /// The folder of the descriptor file.
    pub base_dir: &'a Path,
    /// Placeholders may not read outside this folder.
    pub root: &'a Path,
    /// The byte budget of the file the placeholders are in.
    pub budget: &'a Budget<'a>,
    /// Every file a placeholder named, stamped before it was read (what
    /// the next sync checks, see [`super::depends`]).
    pub reads: &'a std::cell::RefCell<Vec<FileRead>>,
}

/// A placeholder that could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceholderProblem {
    /// Where the placeholder is.
    pub pos: Pos,
    /// What went wrong.
    pub message: String,
}

const KINDS: [&str; 3] = ["$text", "$json", "$yaml"];

/// Replaces every placeholder in `node`, in place. Returns the problems.
pub fn resolve(node: &mut Node, ctx: &PlaceholderContext<'_>) -> Vec<PlaceholderProblem> {
    let mut problems = Vec::new();
    resolve_into(node, ctx, &mut problems);
    problems
}

fn resolve_into(node: &mut Node, ctx: &PlaceholderContext<'_>, out: &mut Vec<PlaceholderProblem>) {
    if let Some((kind, target)) = placeholder(node) {
        match substitute(&kind, &target, node.pos, ctx) {
            Ok(value) => *node = value,
            Err(message) => out.push(PlaceholderProblem { pos: node.pos, message }),
        }
        return;
    }
    match &mut node.value {
        NodeValue::Seq(items) => items.iter_mut().for_each(|n| resolve_into(n, ctx, out)),
        NodeValue::Map(entries) => entries.iter_mut().for_each(|e| resolve_into(&mut e.value, ctx, out)),
        _ => {}
    }
}

fn placeholder(node: &Node) -> Option<(String, String)> {
    let entries = node.as_map()?;
    let [MapEntry { key, value, .. }] = entries else { return None };
    if !KINDS.contains(&key.as_str()) {
        return None;
    }
    Some((key.clone(), value.as_str()?.to_string()))
}

fn substitute(kind: &str, target: &str, pos: Pos, ctx: &PlaceholderContext<'_>) -> Result<Node, String> {
    if target.contains("://") {
        return Err(format!(
            "{kind} placeholder `{target}` is a remote URL; local sources only read files beside the descriptor"
        ));
    }
    // Recorded before the confinement check, which follows links: a link
    // changed to point elsewhere is a change.
    let joined = normalize(&ctx.base_dir.join(target));
    let slot = joined.starts_with(normalize(ctx.root)).then(|| {
        let mut reads = ctx.reads.borrow_mut();
        reads.push(FileRead::now(joined));
        reads.len() - 1
    });
    let path = confined_path(ctx.base_dir, ctx.root, target).ok_or_else(|| {
        format!("{kind} placeholder `{target}` leaves the source root {}; refusing to read it", ctx.root.display())
    })?;
    let over_budget = |e: String| format!("{kind} placeholder `{target}`: {e}");
    // The file's size first: a file over the budget is not even read.
    let size = std::fs::metadata(&path).map(|m| usize::try_from(m.len()).unwrap_or(usize::MAX)).unwrap_or(0);
    ctx.budget.check(size).map_err(over_budget)?;
    let text = read_text(&path).map_err(|e: ReadError| format!("{kind} placeholder `{target}`: {e}"))?;
    if let Some(at) = slot
        && let Some(read) = ctx.reads.borrow_mut().get_mut(at)
    {
        read.sum = Some(text_sum(&text));
    }
    let node = match kind {
        "$text" => Node { pos, value: NodeValue::Str(text) },
        "$json" => {
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("$json placeholder `{target}`: invalid JSON: {e}"))?;
            json_to_node(&value, pos)
        }
        _ => match yaml::load_single(&text, Limits::default()) {
            Ok(Some(node)) => reposition(node, pos),
            Ok(None) => Node { pos, value: NodeValue::Null },
            Err(e) => return Err(format!("$yaml placeholder `{target}`: invalid YAML at {e}")),
        },
    };
    ctx.budget.spend(node.cost()).map_err(over_budget)?;
    Ok(node)
}

/// Resolves `target` against `base`, lexically, and returns it only if it
/// stays inside `root` (symlinks resolved when the file exists).
pub fn confined_path(base: &Path, root: &Path, target: &str) -> Option<PathBuf> {
    let joined = normalize(&base.join(target));
    let root = normalize(root);
    if !joined.starts_with(&root) {
        return None;
    }
    match (joined.canonicalize(), root.canonicalize()) {
        (Ok(real), Ok(real_root)) if !real.starts_with(&real_root) => None,
        _ => Some(joined),
    }
}

/// Removes `.` and `..` components without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn reposition(mut node: Node, pos: Pos) -> Node {
    node.pos = pos;
    match &mut node.value {
        NodeValue::Seq(items) => {
            for item in items.iter_mut() {
                *item = reposition(std::mem::replace(item, Node { pos, value: NodeValue::Null }), pos);
            }
        }
        NodeValue::Map(entries) => {
            for e in entries.iter_mut() {
                e.key_pos = pos;
                let v = std::mem::replace(&mut e.value, Node { pos, value: NodeValue::Null });
                e.value = reposition(v, pos);
            }
        }
        _ => {}
    }
    node
}

/// Converts JSON into a node tree, every node at `pos`.
pub fn json_to_node(value: &serde_json::Value, pos: Pos) -> Node {
    use serde_json::Value;
    let value = match value {
        Value::Null => NodeValue::Null,
        Value::Bool(b) => NodeValue::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => NodeValue::Int(i),
            None => NodeValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => NodeValue::Str(s.clone()),
        Value::Array(items) => NodeValue::Seq(items.iter().map(|v| json_to_node(v, pos)).collect()),
        Value::Object(map) => NodeValue::Map(
            map.iter().map(|(k, v)| MapEntry { key: k.clone(), key_pos: pos, value: json_to_node(v, pos) }).collect(),
        ),
    };
    Node { pos, value }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Node {
        yaml::load_single(text, Limits::default()).unwrap().unwrap()
    }

    #[test]
    fn reads_text_json_and_yaml_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "hello").unwrap();
        std::fs::write(dir.path().join("b.json"), r#"{"x": [1, 2]}"#).unwrap();
        std::fs::write(dir.path().join("c.yaml"), "y: true\n").unwrap();
        let mut node = load("t: {$text: ./a.txt}\nj: {$json: b.json}\ny: {$yaml: c.yaml}\n");
        let source = SourceBudget::per_source();
        let budget = Budget::per_file(&source);
        let ctx =
            PlaceholderContext { base_dir: dir.path(), root: dir.path(), budget: &budget, reads: &Default::default() };
        assert!(resolve(&mut node, &ctx).is_empty());
        assert_eq!(node.get("t").unwrap().as_str(), Some("hello"));
        let json = node.clone().into_json();
        assert_eq!(json["j"]["x"][1], 2);
        assert_eq!(json["y"]["y"], true);
        assert_eq!(node.get("t").unwrap().pos.line, 1);
    }

    #[test]
    fn refuses_paths_outside_the_root_and_urls() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(dir.path().join("secret"), "s").unwrap();
        let mut node = load("a: {$text: ../secret}\nb: {$text: 'https://example.com/x'}\nc: {$text: missing.txt}\n");
        let source = SourceBudget::per_source();
        let budget = Budget::per_file(&source);
        let ctx = PlaceholderContext { base_dir: &sub, root: &sub, budget: &budget, reads: &Default::default() };
        let problems = resolve(&mut node, &ctx);
        assert_eq!(problems.len(), 3);
        assert!(problems[0].message.contains("leaves the source root"));
        assert!(problems[1].message.contains("remote URL"));
        assert_eq!(problems[2].pos.line, 3);
        assert!(node.get("a").unwrap().get("$text").is_some(), "unresolved placeholders stay as written");
    }

    #[test]
    fn the_placeholders_of_a_file_share_a_byte_budget() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("big.txt"), "x".repeat(1000)).unwrap();
        std::fs::write(dir.path().join("small.json"), "[1, 2]").unwrap();
        let text: String = (0..10).map(|i| format!("t{i}: {{$text: ./big.txt}}\n")).collect();
        let mut node = load(&(text + "j: {$json: small.json}\n"));
        // Room for three copies of big.txt and the small JSON.
        let source = SourceBudget::per_source();
        let budget = Budget::of(3 * (1000 + yaml::NODE_BYTES) + 500, &source);
        let ctx =
            PlaceholderContext { base_dir: dir.path(), root: dir.path(), budget: &budget, reads: &Default::default() };
        let problems = resolve(&mut node, &ctx);
        assert_eq!(problems.len(), 7, "{problems:#?}");
        assert!(problems.iter().all(|p| p.message.contains("more than 32 MiB in all")));
        assert_eq!(problems[0].pos.line, 4);
        assert_eq!(node.get("t2").unwrap().as_str().map(str::len), Some(1000));
        assert!(node.get("t3").unwrap().get("$text").is_some(), "over the budget: left as written");
        assert_eq!(node.clone().into_json()["j"][1], 2, "a small one still fits");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_placeholder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let made = std::process::Command::new("mkfifo").arg(dir.path().join("fifo")).status().unwrap();
        assert!(made.success());
        let mut node = load("t: {$text: ./fifo}\n");
        let source = SourceBudget::per_source();
        let budget = Budget::per_file(&source);
        let ctx =
            PlaceholderContext { base_dir: dir.path(), root: dir.path(), budget: &budget, reads: &Default::default() };
        let problems = resolve(&mut node, &ctx);
        assert!(problems[0].message.contains("not a regular file (a FIFO)"), "{problems:?}");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_that_leave_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(dir.path().join("outside"), "s").unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside"), root.join("link")).unwrap();
        assert!(confined_path(&root, &root, "link").is_none());
    }
}
