//! `fetch:template`, `fetch:template:file`, `fetch:plain` and
//! `fetch:plain:file`, from skeletons beside the template's file, with
//! Backstage's rules for rendered paths and contents.

use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde_json::{Map, Value as Json};

use super::{ActionCtx, Output, bool_input, join_rel, str_input};
use crate::scaffold::expr::{Engine, Syntax};
use crate::scaffold::safe_fs::{Written, read_no_follow, walk};

/// The local folder or file a `url` input names, confined to the
/// template's folder by real path (links resolved), however the template
/// was given (`t.yaml`, `./t.yaml`, an absolute path, a catalog entity).
/// An absolute path is refused as the backend refuses it (403: "Relative
/// path is not allowed to refer to a directory outside its parent").
pub fn source(url: &str, ctx: &ActionCtx<'_>) -> Result<PathBuf, String> {
    if url.contains("://") {
        return Err(format!(
            "fetching {url} needs the network; stagehand fetches only skeletons beside the template (use --remote)"
        ));
    }
    let base = ctx.template_dir.ok_or("this template has no local folder to fetch skeletons from (use --remote)")?;
    confined(base, url)
}

/// `url` inside `base`, by real path.
pub fn confined(base: &Path, url: &str) -> Result<PathBuf, String> {
    let outside = || {
        format!("url `{url}` is outside the template's folder; refusing to read it (the backend answers 403 Forbidden)")
    };
    let wanted = Path::new(url);
    if url.starts_with(['/', '\\']) || wanted.has_root() || wanted.is_absolute() {
        return Err(outside());
    }
    let real_base = std::fs::canonicalize(if base.as_os_str().is_empty() { Path::new(".") } else { base })
        .map_err(|e| format!("cannot open the template's folder {}: {e}", base.display()))?;
    let joined = crate::sources::placeholders::normalize(&real_base.join(wanted));
    if !joined.starts_with(&real_base) {
        return Err(outside());
    }
    match std::fs::canonicalize(&joined) {
        Ok(real) if real.starts_with(&real_base) => Ok(real),
        Ok(_) => Err(outside()),
        Err(e) => Err(format!("cannot read `{url}` beside the template: {e}")),
    }
}

fn target(input: &Json) -> String {
    str_input(input, "targetPath").unwrap_or("./").to_string()
}

/// The skeleton files `copyWithoutTemplating` names, matched as the
/// backend's `globby` matches them: a pattern naming a folder stands for
/// everything under it (`docs`, `.github/workflows/`), `*` stops at `/`,
/// dot files count, and a `./`-prefixed pattern matches nothing (globby
/// answers `./x`, which is no entry's name).
fn copy_only(input: &Json, dir: &Path) -> Result<Option<GlobSet>, String> {
    let key = "copyWithoutTemplating";
    let Some(list) = input.get(key) else { return Ok(None) };
    let items = list.as_array().ok_or_else(|| format!("Fetch action input {key} must be an Array"))?;
    let mut set = GlobSetBuilder::new();
    for g in items.iter().filter_map(Json::as_str) {
        if g.starts_with("./") || g.starts_with('!') {
            continue;
        }
        let trimmed = g.trim_end_matches('/');
        let is_dir = !trimmed.is_empty() && dir.join(trimmed).symlink_metadata().is_ok_and(|m| m.is_dir());
        let pattern = if is_dir { format!("{trimmed}/**") } else { g.to_string() };
        let glob = GlobBuilder::new(&pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("{key}: bad glob `{g}`: {e}"))?;
        set.add(glob);
    }
    set.build().map(Some).map_err(|e| format!("{key}: {e}"))
}

/// Whether file contents are binary, as the backend's `isbinaryfile`
/// decides ([`crate::scaffold::binary`]).
pub fn is_binary(bytes: &[u8]) -> bool {
    crate::scaffold::binary::is_binary(bytes)
}

/// A rendered path Backstage skips: empty, starting with `/`, or with `//`.
pub fn skipped(path: &str) -> bool {
    path.is_empty() || path.starts_with('/') || path.contains("//")
}

fn context(input: &Json, cookiecutter: bool) -> Json {
    let values = input.get("values").cloned().unwrap_or(Json::Object(Map::new()));
    let mut ctx = Map::new();
    ctx.insert(if cookiecutter { "cookiecutter" } else { "values" }.into(), values);
    Json::Object(ctx)
}

fn engine(input: &Json, cookiecutter: bool) -> Engine {
    let syntax = if cookiecutter { Syntax::Cookiecutter } else { Syntax::Backstage };
    Engine::with_blocks(syntax, bool_input(input, "trimBlocks"), bool_input(input, "lstripBlocks"))
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    Some(meta.permissions().mode())
}

#[cfg(not(unix))]
fn mode_of(_meta: &std::fs::Metadata) -> Option<u32> {
    None
}

fn write_file(
    ctx: &mut ActionCtx<'_>,
    rel: &str,
    bytes: &[u8],
    mode: Option<u32>,
    replace: bool,
) -> Result<(), String> {
    let overwrite = replace || ctx.may_replace(rel);
    match ctx.root.write(rel, bytes, mode, overwrite)? {
        Written::Skipped => (ctx.log)(format!("Skipping {rel}: it exists (set replace: true, or allow overwriting)")),
        Written::Created | Written::Replaced => ctx.wrote(rel),
    }
    Ok(())
}

/// `fetch:template`, as the current backend runs it: file names are always
/// rendered; contents are rendered unless `copyWithoutTemplating` names
/// them (`copyWithoutRender` is ignored by the backend, so here too); a
/// file that exists is kept unless `replace` (a second `fetch:template`
/// does not overwrite the first); text that is not UTF-8 is rendered with
/// U+FFFD for its bad bytes.
pub fn template(input: &Json, ctx: &mut ActionCtx<'_>) -> Result<Output, String> {
    let url = str_input(input, "url").ok_or("fetch:template needs `url`")?;
    let dir = source(url, ctx)?;
    if !dir.is_dir() {
        return Err(format!("fetch:template: `{url}` is not a folder beside the template"));
    }
    let raw = copy_only(input, &dir)?;
    let cookiecutter = bool_input(input, "cookiecutterCompat");
    let extension = match input.get("templateFileExtension") {
        Some(Json::Bool(true)) => Some(".njk".to_string()),
        Some(Json::String(e)) => Some(if e.starts_with('.') { e.clone() } else { format!(".{e}") }),
        _ => None,
    };
    if extension.is_some() && (raw.is_some() || cookiecutter) {
        return Err(
            "Fetch action input extension incompatible with copyWithoutTemplating and cookiecutterCompat".into()
        );
    }
    if input.get("copyWithoutRender").is_some() {
        (ctx.log)(
            "copyWithoutRender is ignored, as the current Backstage backend ignores it: those files are rendered \
             (use copyWithoutTemplating)"
                .into(),
        );
    }
    let engine = engine(input, cookiecutter);
    let values = context(input, cookiecutter);
    let replace = bool_input(input, "replace");
    let base = target(input);
    (ctx.log)("Listing files and directories in template".into());
    let entries = walk(&dir).map_err(|e| format!("cannot read the skeleton {}: {e}", dir.display()))?;
    for (location, meta) in entries {
        ctx.check_cancel()?;
        let is_dir = meta.is_dir();
        let marked = if is_dir { format!("{location}/") } else { location.clone() };
        let (render_contents, name) = match &extension {
            Some(ext) => {
                let render = !is_dir && marked.ends_with(ext.as_str());
                (render, if render { marked[..marked.len() - ext.len()].to_string() } else { marked.clone() })
            }
            None => (!raw.as_ref().is_some_and(|g| !is_dir && g.is_match(&location)), marked.clone()),
        };
        let local = engine.render_str(&name, &values).map_err(|e| format!("{location}: {e}"))?;
        if skipped(&local) {
            continue;
        }
        let rel = join_rel(&base, &local);
        if rel.is_empty() {
            continue;
        }
        let exists = ctx.root.resolve(&rel).is_ok_and(|p| std::fs::symlink_metadata(p).is_ok());
        if exists && !replace && (ctx.created.contains(&rel) || !ctx.overwrite) {
            if !is_dir {
                (ctx.log)(format!("Skipping {location}: {rel} exists (set replace: true to overwrite it)"));
            }
            continue;
        }
        if !render_contents && extension.is_none() {
            (ctx.log)(format!("Copying file/directory {location} without processing."));
        }
        if is_dir {
            (ctx.log)(format!("Writing directory {location} to template output path."));
            ctx.root.create_dir(&rel)?;
            continue;
        }
        let source_path = dir.join(&location);
        if meta.file_type().is_symlink() {
            let link = std::fs::read_link(&source_path).map_err(|e| format!("{location}: {e}"))?;
            match ctx.root.symlink(&rel, &link, true) {
                Ok(_) => (ctx.log)(format!("Copying symbolic link at {location}, to template output path.")),
                Err(e) => (ctx.log)(format!("Skipping {location}: {e}")),
            }
            continue;
        }
        let Some(bytes) = read_no_follow(&source_path).map_err(|e| format!("cannot read {location}: {e}"))? else {
            (ctx.log)(format!("Skipping {location}: not a regular file"));
            continue;
        };
        let mode = mode_of(&meta);
        if is_binary(&bytes) {
            (ctx.log)(format!("Copying file binary or symbolic link at {location}, to template output path."));
            write_file(ctx, &rel, &bytes, mode, true)?;
            continue;
        }
        let contents = String::from_utf8_lossy(&bytes);
        let out = if render_contents {
            engine.render_str(&contents, &values).map_err(|e| format!("{location}: {e}"))?
        } else {
            contents.into_owned()
        };
        (ctx.log)(format!("Writing file {location} to template output path."));
        write_file(ctx, &rel, out.as_bytes(), mode, true)?;
    }
    (ctx.log)("Template result written to output path".into());
    Ok(Output::new())
}

/// `fetch:template:file`.
pub fn template_file(input: &Json, ctx: &mut ActionCtx<'_>) -> Result<Output, String> {
    let url = str_input(input, "url").ok_or("fetch:template:file needs `url`")?;
    let target = str_input(input, "targetPath").ok_or("fetch:template:file needs `targetPath`")?;
    let file = source(url, ctx)?;
    let bytes = read_no_follow(&file)
        .map_err(|e| format!("cannot read {url}: {e}"))?
        .ok_or_else(|| format!("`{url}` is not a regular file"))?;
    let mode = std::fs::metadata(&file).ok().as_ref().and_then(mode_of);
    let cookiecutter = bool_input(input, "cookiecutterCompat");
    let out = if is_binary(&bytes) {
        bytes
    } else {
        engine(input, cookiecutter)
            .render_str(&String::from_utf8_lossy(&bytes), &context(input, cookiecutter))
            .map_err(|e| format!("{url}: {e}"))?
            .into_bytes()
    };
    write_file(ctx, &super::normalize_rel(target), &out, mode, bool_input(input, "replace"))?;
    Ok(Output::new())
}

/// `fetch:plain`: copies a folder as it is.
pub fn plain(input: &Json, ctx: &mut ActionCtx<'_>) -> Result<Output, String> {
    let url = str_input(input, "url").ok_or("fetch:plain needs `url`")?;
    let dir = source(url, ctx)?;
    let base = target(input);
    if dir.is_file() {
        return copy_file(&dir, &join_rel(&base, &file_name(&dir)), ctx, input);
    }
    for (location, meta) in walk(&dir).map_err(|e| format!("cannot read {url}: {e}"))? {
        ctx.check_cancel()?;
        let rel = join_rel(&base, &location);
        if meta.is_dir() {
            ctx.root.create_dir(&rel)?;
        } else if meta.file_type().is_symlink() {
            if let Ok(link) = std::fs::read_link(dir.join(&location))
                && let Err(e) = ctx.root.symlink(&rel, &link, ctx.may_replace(&rel))
            {
                (ctx.log)(format!("Skipping {location}: {e}"));
            }
        } else {
            copy_file(&dir.join(&location), &rel, ctx, input)?;
        }
    }
    Ok(Output::new())
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default()
}

fn copy_file(from: &Path, rel: &str, ctx: &mut ActionCtx<'_>, input: &Json) -> Result<Output, String> {
    let bytes = read_no_follow(from)
        .map_err(|e| format!("cannot read {}: {e}", from.display()))?
        .ok_or_else(|| format!("{} is not a regular file", from.display()))?;
    let mode = std::fs::metadata(from).ok().as_ref().and_then(mode_of);
    write_file(ctx, rel, &bytes, mode, bool_input(input, "replace"))?;
    Ok(Output::new())
}

/// `fetch:plain:file`.
pub fn plain_file(input: &Json, ctx: &mut ActionCtx<'_>) -> Result<Output, String> {
    let url = str_input(input, "url").ok_or("fetch:plain:file needs `url`")?;
    let target = str_input(input, "targetPath").ok_or("fetch:plain:file needs `targetPath`")?;
    let file = source(url, ctx)?;
    copy_file(&file, &super::normalize_rel(target), ctx, input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipped_paths_and_binaries() {
        assert!(skipped("") && skipped("/x") && skipped("a//b") && !skipped("a/b"));
        assert!(is_binary(b"\x89PNG\r\n\x1a\n\0\0") && !is_binary("héllo".as_bytes()));
    }
}
