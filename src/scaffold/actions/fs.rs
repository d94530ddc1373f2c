//! `fs:delete`, `fs:rename` and `fs:readdir`, confined to the output folder.

use serde_json::{Value as Json, json};

use super::{ActionCtx, Output, bool_input, normalize_rel};
use crate::scaffold::safe_fs::walk;

fn strings(input: &Json, key: &str) -> Result<Vec<String>, String> {
    let list = input.get(key).and_then(Json::as_array).ok_or_else(|| format!("`{key}` must be a list"))?;
    Ok(list.iter().filter_map(Json::as_str).map(String::from).collect())
}

/// `fs:delete`: files or folders (globs allowed).
pub fn delete(input: &Json, ctx: &mut ActionCtx<'_>) -> Result<Output, String> {
    for pattern in strings(input, "files")? {
        let targets: Vec<String> = if pattern.contains(['*', '?', '[', '{']) {
            let glob = globset::GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("bad glob `{pattern}`: {e}"))?
                .compile_matcher();
            let all = walk(ctx.root.path()).map_err(|e| e.to_string())?;
            all.into_iter().map(|(p, _)| p).filter(|p| glob.is_match(p)).collect()
        } else {
            vec![normalize_rel(&pattern)]
        };
        for rel in targets {
            let path = ctx.root.resolve_with(&rel, true).map_err(|e| e.to_string())?;
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => std::fs::remove_dir_all(&path),
                Ok(_) => std::fs::remove_file(&path),
                Err(_) => continue,
            }
            .map_err(|e| format!("cannot delete {rel}: {e}"))?;
            (ctx.log)(format!("File {rel} deleted successfully"));
        }
    }
    Ok(Output::new())
}

/// `fs:rename`: `files: [{from, to, overwrite}]`.
pub fn rename(input: &Json, ctx: &mut ActionCtx<'_>) -> Result<Output, String> {
    let files = input.get("files").and_then(Json::as_array).ok_or("fs:rename needs `files`")?;
    for f in files {
        let (Some(from), Some(to)) = (f.get("from").and_then(Json::as_str), f.get("to").and_then(Json::as_str)) else {
            return Err("each fs:rename entry needs `from` and `to`".into());
        };
        let (from, to) = (normalize_rel(from), normalize_rel(to));
        let src = ctx.root.resolve_with(&from, true).map_err(|e| e.to_string())?;
        let dst = ctx.root.resolve(&to).map_err(|e| e.to_string())?;
        if std::fs::symlink_metadata(&src).is_err() {
            return Err(format!("fs:rename: {from} does not exist"));
        }
        if std::fs::symlink_metadata(&dst).is_ok() {
            if !(bool_input(f, "overwrite") && ctx.may_replace(&to)) {
                return Err(format!("fs:rename: {to} already exists"));
            }
            let removed = if dst.is_dir() { std::fs::remove_dir_all(&dst) } else { std::fs::remove_file(&dst) };
            removed.map_err(|e| format!("cannot replace {to}: {e}"))?;
        }
        if let Some(parent) = std::path::Path::new(&to).parent().map(|p| p.to_string_lossy().into_owned())
            && !parent.is_empty()
        {
            ctx.root.create_dir(&parent)?;
        }
        std::fs::rename(&src, &dst).map_err(|e| format!("cannot rename {from} to {to}: {e}"))?;
        ctx.wrote(&to);
        (ctx.log)(format!("Renamed {from} to {to}"));
    }
    Ok(Output::new())
}

/// `fs:readdir`: `paths`, `recursive` -> `{files, folders}`.
pub fn readdir(input: &Json, ctx: &mut ActionCtx<'_>) -> Result<Output, String> {
    let recursive = bool_input(input, "recursive");
    let mut files = Vec::new();
    let mut folders = Vec::new();
    for p in strings(input, "paths")? {
        let rel = normalize_rel(&p);
        let dir = ctx.root.resolve(&rel).map_err(|e| e.to_string())?;
        for (entry, meta) in walk(&dir).map_err(|e| format!("cannot read {p}: {e}"))? {
            if !recursive && entry.contains('/') {
                continue;
            }
            let name = entry.rsplit('/').next().unwrap_or(&entry).to_string();
            let full = dir.join(&entry);
            let item =
                json!({"name": name, "path": super::join_rel(&rel, &entry), "fullPath": full.display().to_string()});
            if meta.is_dir() { folders.push(item) } else { files.push(item) }
        }
    }
    let mut out = Output::new();
    out.insert("files".into(), Json::Array(files));
    out.insert("folders".into(), Json::Array(folders));
    Ok(out)
}
