//! `catalog:write`, `catalog:fetch` and `catalog:register`, locally:
//! register checks the new catalog file and records it in the local list
//! of registered files, or on the remote catalog the template came from.

use serde_json::{Value as Json, json};

use super::{ActionCtx, Output, bool_input, normalize_rel, str_input};
use crate::scaffold::runner::Registrar;

/// `catalog:write`: `entity` as YAML at `filePath` (catalog-info.yaml),
/// annotated with `backstage.io/source-template` as Backstage does.
pub fn write(input: &Json, ctx: &mut ActionCtx<'_>) -> Result<Output, String> {
    let mut entity = input.get("entity").cloned().ok_or("catalog:write needs `entity`")?;
    if let Some(meta) = entity.get_mut("metadata").and_then(Json::as_object_mut) {
        let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
        if let Some(a) = annotations.as_object_mut() {
            a.insert("backstage.io/source-template".into(), json!(ctx.template_ref));
        }
    }
    let entity = &entity;
    let rel = normalize_rel(str_input(input, "filePath").unwrap_or("catalog-info.yaml"));
    let yaml = serde_yaml::to_string(entity).map_err(|e| format!("cannot write the entity as YAML: {e}"))?;
    (ctx.log)(format!("Writing catalog-info.yaml to {rel}"));
    let overwrite = ctx.may_replace(&rel);
    match ctx.root.write(&rel, yaml.as_bytes(), Some(0o644), overwrite)? {
        crate::scaffold::safe_fs::Written::Skipped => {
            return Err(format!("{rel} existed before this run; allow overwriting to replace it"));
        }
        _ => ctx.wrote(&rel),
    }
    Ok(Output::new())
}

/// `catalog:fetch`: `entityRef` or `entityRefs` from the local index.
pub fn fetch(input: &Json, ctx: &mut ActionCtx<'_>) -> Result<Output, String> {
    let optional = bool_input(input, "optional");
    let default_kind = str_input(input, "defaultKind");
    let default_ns = str_input(input, "defaultNamespace").unwrap_or("default");
    let lookup = |r: &str| {
        let canonical = crate::model::entity_ref::canonicalize(r, default_kind, default_ns)?;
        (ctx.catalog)(&canonical)
    };
    let mut out = Output::new();
    if let Some(r) = str_input(input, "entityRef") {
        match lookup(r) {
            Some(e) => {
                out.insert("entity".into(), e);
            }
            None if optional => {}
            None => return Err(format!("entity {r} is not in the catalog")),
        }
    }
    if let Some(refs) = input.get("entityRefs").and_then(Json::as_array) {
        let mut found = Vec::new();
        for r in refs.iter().filter_map(Json::as_str) {
            match lookup(r) {
                Some(e) => found.push(e),
                None if optional => found.push(Json::Null),
                None => return Err(format!("entity {r} is not in the catalog")),
            }
        }
        out.insert("entities".into(), Json::Array(found));
    }
    Ok(out)
}

/// `catalog:register`: checks the catalog file the published repository
/// holds, then registers it where the run's [`Registrar`] says: the local
/// list of registered files (a `registered-N` source after the next sync),
/// or the remote catalog the template came from. With no registrar (or in
/// a dry run) it only says how to add the file.
pub fn register(input: &Json, ctx: &mut ActionCtx<'_>) -> Result<Output, String> {
    let url = match (str_input(input, "catalogInfoUrl"), str_input(input, "repoContentsUrl")) {
        (Some(u), _) => u.to_string(),
        (None, Some(base)) => {
            let path = str_input(input, "catalogInfoPath").unwrap_or("/catalog-info.yaml");
            format!("{}/{}", base.trim_end_matches('/'), path.trim_start_matches('/'))
        }
        (None, None) if bool_input(input, "optional") => return Ok(Output::new()),
        (None, None) => {
            return Err("catalog:register needs catalogInfoUrl, or repoContentsUrl (from a publish step)".into());
        }
    };
    let mut out = Output::new();
    out.insert("catalogInfoUrl".into(), json!(url));
    if url.starts_with("https://") || url.starts_with("http://") {
        let Registrar::Remote(source, config) = ctx.register else {
            return Err(format!(
                "{url} is not in the output folder; registering remote URLs needs the backend (--remote)"
            ));
        };
        if ctx.dry_run {
            (ctx.log)(format!("dry run: would register {url} on `{source}`"));
            return Ok(out);
        }
        let r = crate::sources::remote::register(config, &url, false)?;
        (ctx.log)(format!("registered {} on `{source}`: {}", r.location, r.entities.join(", ")));
        if let Some(first) = r.entities.first() {
            out.insert("entityRef".into(), json!(first));
        }
        return Ok(out);
    }
    let local = url.strip_prefix("file://").unwrap_or(&url);
    let root = ctx.root.path().to_string_lossy().into_owned();
    let shown = ctx.shown_root.to_string_lossy().into_owned();
    // An absolute path (or file: URL) must be in the output folder; a
    // relative one is relative to it.
    let inside = local.strip_prefix(&root).or_else(|| local.strip_prefix(&shown));
    let rel = match inside {
        Some(r) => normalize_rel(r.trim_start_matches('/')),
        None if !local.starts_with('/') => normalize_rel(local),
        None => return Err(format!("{url} is not in the output folder")),
    };
    let path = ctx.root.resolve(&rel).map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {rel}: {e}"))?;
    let refs = entity_refs(&text).map_err(|e| format!("{rel} is not valid YAML: {e}"))?;
    let first = refs.first().cloned().ok_or_else(|| format!("{rel} holds no entity"))?;
    (ctx.log)(format!("{rel} holds {}", refs.join(", ")));
    out.insert("entityRef".into(), json!(first));
    match ctx.register {
        _ if ctx.dry_run => (ctx.log)(format!("dry run: would register {rel}")),
        Registrar::None => (ctx.log)(format!(
            "To see it in stagehand, add a source to config.yaml and run `stagehand sync`:  - {{ name: {}, file: {} }}",
            first.rsplit('/').next().unwrap_or("new"),
            path.display()
        )),
        Registrar::Local(list) => {
            let name = crate::sources::registered::add(list, &path)?;
            (ctx.log)(format!(
                "registered {} as source `{name}`; `stagehand sync` (or :sync in the TUI) reads it into the index",
                path.display()
            ));
            ctx.registered.push(name);
        }
        Registrar::Remote(source, config) => {
            let target = path.display().to_string();
            let r = crate::sources::remote::register(config, &target, false)
                .map_err(|e| format!("cannot register {target} on `{source}`: {e}"))?;
            (ctx.log)(format!("registered {} on `{source}`", r.location));
        }
    }
    Ok(out)
}

/// The canonical refs of the entities in a catalog file's YAML documents.
fn entity_refs(text: &str) -> Result<Vec<String>, serde_yaml::Error> {
    let mut refs = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(text) {
        let value: Json = serde::Deserialize::deserialize(doc)?;
        let kind = value.get("kind").and_then(Json::as_str).unwrap_or("");
        let name = value.pointer("/metadata/name").and_then(Json::as_str).unwrap_or("");
        let ns = value.pointer("/metadata/namespace").and_then(Json::as_str).unwrap_or("default");
        if !kind.is_empty() && !name.is_empty() {
            refs.push(crate::model::EntityRef::new(kind, ns, name).canonical());
        }
    }
    Ok(refs)
}
