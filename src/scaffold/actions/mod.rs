//! The actions stagehand runs locally, each writing only inside the output
//! folder through [`SafeRoot`]. Anything else is named before a run starts.

mod catalog;
mod debug;
mod fetch;
mod fs;
mod publish;

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value as Json};

use super::safe_fs::SafeRoot;

/// What a step's action returns (`steps.<id>.output`).
pub type Output = Map<String, Json>;

/// Looks up an entity of the local catalog by ref (for `catalog:fetch`).
pub type CatalogLookup<'a> = &'a (dyn Fn(&str) -> Option<Json> + Sync);

/// What an action may use.
pub struct ActionCtx<'a> {
    /// The output folder.
    pub root: &'a SafeRoot,
    /// The template's folder (relative `url`s start here).
    pub template_dir: Option<&'a Path>,
    /// The folder the user chose, as shown in outputs (a dry run works
    /// elsewhere, in a temp folder).
    pub shown_root: &'a Path,
    /// The template's ref (`catalog:write` records it).
    pub template_ref: &'a str,
    /// Files that existed before the run may be replaced.
    pub overwrite: bool,
    /// A dry run: nothing published or registered.
    pub dry_run: bool,
    /// Where `publish:*` pushes, when the user gave a remote.
    pub git_remote: Option<&'a str>,
    /// The user (for commit authors).
    pub user_ref: Option<&'a str>,
    /// Catalog lookups.
    pub catalog: CatalogLookup<'a>,
    /// Set when the user cancels.
    pub cancel: &'a AtomicBool,
    /// Where `catalog:register` records new catalog files.
    pub register: &'a super::runner::Registrar,
    /// Sources `catalog:register` added locally.
    pub registered: &'a mut Vec<String>,
    /// Files this run wrote (they may be written again).
    pub created: &'a mut HashSet<String>,
    /// Step log.
    pub log: &'a mut dyn FnMut(String),
}

impl ActionCtx<'_> {
    /// Whether `rel` may be replaced: asked for, or written by this run.
    pub fn may_replace(&self, rel: &str) -> bool {
        self.overwrite || self.created.contains(&normalize_rel(rel))
    }

    /// Records a file written by this run.
    pub fn wrote(&mut self, rel: &str) {
        self.created.insert(normalize_rel(rel));
    }

    /// An error when the user cancelled.
    pub fn check_cancel(&self) -> Result<(), String> {
        if self.cancel.load(Ordering::Relaxed) { Err("cancelled".into()) } else { Ok(()) }
    }
}

/// A path without `.` parts and doubled separators; a leading `/` is kept
/// (so [`SafeRoot`] refuses it as absolute).
pub fn normalize_rel(rel: &str) -> String {
    let body = rel.split('/').filter(|p| !p.is_empty() && *p != ".").collect::<Vec<_>>().join("/");
    if rel.starts_with('/') || rel.starts_with('\\') { format!("/{body}") } else { body }
}

/// Joins a target folder and a relative path (`./` and empty mean the root).
pub fn join_rel(base: &str, rel: &str) -> String {
    normalize_rel(&format!("{base}/{rel}"))
}

/// Actions run locally (besides every `publish:*`).
pub const LOCAL_ACTIONS: [&str; 13] = [
    "fetch:template",
    "fetch:template:file",
    "fetch:plain",
    "fetch:plain:file",
    "fs:delete",
    "fs:rename",
    "fs:readdir",
    "debug:log",
    "debug:wait",
    "catalog:write",
    "catalog:fetch",
    "catalog:register",
    "publish:*",
];

/// Whether stagehand can run this action locally.
pub fn supported(action: &str) -> bool {
    action.starts_with("publish:") || LOCAL_ACTIONS.contains(&action)
}

/// Runs one action with its rendered input.
pub fn run(action: &str, input: &Json, ctx: &mut ActionCtx<'_>) -> Result<Output, String> {
    ctx.check_cancel()?;
    match action {
        "fetch:template" => fetch::template(input, ctx),
        "fetch:template:file" => fetch::template_file(input, ctx),
        "fetch:plain" => fetch::plain(input, ctx),
        "fetch:plain:file" => fetch::plain_file(input, ctx),
        "fs:delete" => fs::delete(input, ctx),
        "fs:rename" => fs::rename(input, ctx),
        "fs:readdir" => fs::readdir(input, ctx),
        "debug:log" => debug::log(input, ctx),
        "debug:wait" => debug::wait(input, ctx),
        "catalog:write" => catalog::write(input, ctx),
        "catalog:fetch" => catalog::fetch(input, ctx),
        "catalog:register" => catalog::register(input, ctx),
        a if a.starts_with("publish:") => publish::publish(a, input, ctx),
        other => Err(format!("action {other} is not supported locally; run the template on the backend (--remote)")),
    }
}

/// A string input, if given.
pub fn str_input<'a>(input: &'a Json, key: &str) -> Option<&'a str> {
    input.get(key).and_then(Json::as_str)
}

/// A boolean input (`false` when absent).
pub fn bool_input(input: &Json, key: &str) -> bool {
    input.get(key).and_then(Json::as_bool).unwrap_or(false)
}

/// Whether file contents are binary (copied raw by `fetch:template`).
pub fn is_binary_content(bytes: &[u8]) -> bool {
    fetch::is_binary(bytes)
}
