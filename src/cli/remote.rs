//! `register`, `refresh` and `whoami`: speaking back to a remote catalog.

use anyhow::bail;

use crate::sources::remote;
use crate::workspace::Workspace;

use super::browse::resolve;
use super::output::Out;

/// `stagehand register TARGET`: a dry run first (what it would add), then,
/// unless `dry_run`, the registration.
pub fn register(ws: &Workspace, target: &str, dry_run: bool, source: Option<&str>) -> anyhow::Result<u8> {
    let (name, config) = ws.remote_source(source)?;
    let preview = remote::register(&config, target, true).map_err(anyhow::Error::msg)?;
    let mut out = Out::default();
    out.line(&format!("{} would add {} entities:", preview.location, preview.entities.len()));
    for e in &preview.entities {
        out.line(&format!("  {e}"));
    }
    if !dry_run {
        let done = remote::register(&config, target, false).map_err(anyhow::Error::msg)?;
        out.line(&format!(
            "registered {} on `{name}`; run `stagehand sync --source {name}` once the catalog has processed it",
            done.location
        ));
    }
    out.flush()?;
    Ok(0)
}

/// `stagehand refresh REF`.
pub fn refresh(ws: &Workspace, reference: &str) -> anyhow::Result<u8> {
    let index = ws.load_index()?;
    let i = resolve(&index, reference)?;
    let source = index.source_name(i).to_string();
    let Ok((name, config)) = ws.remote_source(Some(&source)) else {
        bail!(
            "{} comes from the local source `{source}`; `stagehand sync --source {source}` re-reads it",
            index.ref_of(i)
        );
    };
    let entity = index.entity(i).map_err(anyhow::Error::msg)?;
    let fresh = remote::refresh(&config, &entity.entity_ref()).map_err(anyhow::Error::msg)?;
    let mut out = Out::default();
    out.line(&format!("refreshed {} on `{name}`", fresh.canonical_ref()));
    out.block(&serde_yaml::to_string(&fresh)?);
    out.flush()?;
    eprintln!("run `stagehand sync --source {name}` to update the local index");
    Ok(0)
}

/// `stagehand whoami`.
pub fn whoami(ws: &Workspace, source: Option<&str>) -> anyhow::Result<u8> {
    let (name, config) = ws.remote_source(source)?;
    let user = remote::whoami(&config).map_err(anyhow::Error::msg)?;
    let mut out = Out::default();
    out.line(&format!("{user} (according to `{name}`)"));
    if let Some(note) = super::login::session_note(&config.token) {
        out.line(&note);
    }
    out.flush()?;
    Ok(0)
}
