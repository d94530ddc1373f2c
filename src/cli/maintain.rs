//! `sync`, `validate`, `problems` and `config`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, bail};

use crate::config::STARTER;
use crate::index::build::{SourceInput, build};
use crate::model::{Problem, Severity};
use crate::sources::{dir, fanout, repo_root};
use crate::workspace::{SyncEvent, Workspace};

use super::args::ConfigAction;
use super::output::Out;

/// `stagehand sync`: exit 1 when some sources failed (the index was
/// written with the others), 2 when every source synced failed.
pub fn sync(ws: &Workspace, only: Option<&str>, full: bool) -> anyhow::Result<u8> {
    let tty = std::io::stderr().is_terminal();
    let last = Mutex::new(Instant::now());
    let progress = |event: SyncEvent| match event {
        SyncEvent::Waiting => eprintln!("another stagehand is syncing this index; waiting for it to finish..."),
        SyncEvent::Progress(name, p) if tty => {
            let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
            if last.elapsed().as_millis() >= 100 {
                *last = Instant::now();
                let total = p.total.map(|t| format!(" of {t}")).unwrap_or_default();
                eprint!("\r\x1b[2K{name}: {}{total} {}", p.done, p.unit);
            }
        }
        SyncEvent::Unchanged(name, files) => {
            if tty {
                eprint!("\r\x1b[2K");
            }
            eprintln!("{name}: no file changed since the last sync ({files} checked, none parsed)");
        }
        SyncEvent::Carried(name, carried, files) => {
            if tty {
                eprint!("\r\x1b[2K");
            }
            eprintln!(
                "{name}: {carried} of {files} files unchanged since the last sync (carried over), the others parsed"
            );
        }
        SyncEvent::SourceDone(name, result) => {
            if tty {
                eprint!("\r\x1b[2K");
            }
            match result {
                Ok(n) => eprintln!("{name}: {n} entities"),
                Err(e) => eprintln!("{name}: failed: {}", crate::model::sanitize::line(&e)),
            }
        }
        _ => {}
    };
    let report = ws.sync(only, full, &progress)?;
    let index = &report.index;
    let errors = index.problems.iter().filter(|p| p.severity == Severity::Error).count();
    let warnings = index.problems.len() - errors;
    let failed = report.sources.iter().filter(|(_, r)| r.is_err()).count();
    eprintln!(
        "synced {} entities from {} source{} in {:.2}s; {} error{}, {} warning{}{}",
        index.len(),
        report.sources.len(),
        if report.sources.len() == 1 { "" } else { "s" },
        report.duration.as_secs_f64(),
        errors,
        if errors == 1 { "" } else { "s" },
        warnings,
        if warnings == 1 { "" } else { "s" },
        if index.problems.is_empty() { "" } else { " (see `stagehand problems`)" }
    );
    if !index.rejected.is_empty() {
        let n = index.rejected.len();
        eprintln!(
            "{n} entit{} rejected, as Backstage would not store them (see `stagehand search is:rejected`)",
            if n == 1 { "y" } else { "ies" }
        );
    }
    if failed == report.sources.len() {
        eprintln!("error: every source synced failed; the index keeps its previous entities");
        return Ok(super::EXIT_ERROR);
    }
    if failed > 0 {
        eprintln!("{failed} source(s) failed and kept their previous entities");
        return Ok(super::EXIT_FOUND_PROBLEMS);
    }
    Ok(0)
}

/// `stagehand validate PATH...`: files are read with their Location
/// fan-out, folders are walked; nothing is written.
pub fn validate(ws: &Workspace, paths: &[PathBuf]) -> anyhow::Result<u8> {
    let patterns = dir::pattern_set(&ws.config.effective_patterns()).map_err(anyhow::Error::msg)?;
    let mut inputs = Vec::new();
    let mut files = 0;
    for path in paths {
        let absolute = std::path::absolute(path).with_context(|| format!("bad path {}", path.display()))?;
        let (roots, sandbox) = if absolute.is_dir() {
            let found = dir::find_catalog_files(&absolute, &patterns);
            (found, absolute.clone())
        } else if absolute.is_file() {
            let sandbox = repo_root(&absolute);
            (vec![absolute.clone()], sandbox)
        } else {
            bail!("{} does not exist", path.display());
        };
        let crawl = fanout::crawl(roots.into_iter().map(fanout::Root::file).collect(), &sandbox, &|_| {});
        files += crawl.files;
        inputs.push(validation_input(&path.display().to_string(), crawl));
    }
    let (index, problems) = validated(inputs);
    let problems: Vec<&Problem> = problems.iter().collect();
    let mut out = Out::default();
    for p in &problems {
        out.line(&p.to_string());
    }
    out.flush()?;
    let errors = problems.iter().filter(|p| p.severity == Severity::Error).count();
    eprintln!("{} entities in {files} files: {errors} errors, {} warnings", index.len(), problems.len() - errors);
    Ok(if errors > 0 { super::EXIT_FOUND_PROBLEMS } else { 0 })
}

/// What one crawl of catalog files read, as a source of a throwaway index.
pub fn validation_input(name: &str, crawl: fanout::Crawl) -> SourceInput {
    let output = crate::sources::SourceOutput {
        entities: crawl.entities,
        rejected: crawl.rejected,
        problems: crawl.problems,
        files: crawl.files,
        ..crate::sources::SourceOutput::default()
    };
    SourceInput {
        name: name.into(),
        kind: "validate".into(),
        target: name.into(),
        read: Some(Ok(output.compacted(&crate::index::build::Record::local))),
        server_relations: false,
    }
}

/// Builds a throwaway index of `inputs`: what `validate` checks (entity
/// rules, duplicates, relations), with the problems in file order.
pub fn validated(inputs: Vec<SourceInput>) -> (crate::index::Index, Vec<Problem>) {
    let index = build(inputs, None, 0);
    let mut problems = index.problems.clone();
    problems.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    (index, problems)
}

/// `stagehand problems`.
pub fn problems(ws: &Workspace, json: bool) -> anyhow::Result<u8> {
    let index = ws.load_index()?;
    let mut out = Out::default();
    if json {
        out.json(&index.problems)?;
    } else {
        for p in &index.problems {
            match &p.entity {
                Some(e) => out.line(&format!("{p} [{e}]")),
                None => out.line(&p.to_string()),
            }
        }
        if index.problems.is_empty() {
            eprintln!("no problems");
        }
    }
    out.flush()?;
    Ok(0)
}

/// `stagehand config path|show|init`.
pub fn config(ws: &Workspace, action: ConfigAction) -> anyhow::Result<u8> {
    let p = &ws.paths;
    let mut out = Out::default();
    match action {
        ConfigAction::Path => {
            let exists = if p.config_file.is_file() { "" } else { " (not created yet: `stagehand config init`)" };
            out.line(&format!("config:  {}{exists}", p.config_file.display()));
            out.line(&format!("keymap:  {}", p.keymap_file().display()));
            out.line(&format!("themes:  {}", p.themes_dir().display()));
            out.line(&format!("cache:   {}", p.cache_dir.display()));
            out.line(&format!("index:   {}", p.index_file().display()));
            out.line(&format!("data:    {}", p.profile_data_dir().display()));
            out.line(&format!("profile: {}", p.profile));
        }
        ConfigAction::Show => {
            out.line(&format!("# {}", p.config_file.display()));
            for line in show_config(&ws.config) {
                out.line(&line);
            }
        }
        ConfigAction::Init { force } => {
            if p.config_file.exists() && !force {
                bail!("{} already exists; use --force to overwrite it", p.config_file.display());
            }
            if let Some(dir) = p.config_file.parent() {
                crate::index::store::create_private_dir(dir)?;
            }
            std::fs::write(&p.config_file, STARTER)
                .with_context(|| format!("cannot write {}", p.config_file.display()))?;
            eprintln!("wrote {}; edit its sources, then run `stagehand sync`", p.config_file.display());
        }
    }
    out.flush()?;
    Ok(0)
}

/// `stagehand demo generate`.
pub fn generate(plan: &crate::demo::generate::Plan, out: &std::path::Path) -> anyhow::Result<u8> {
    let started = Instant::now();
    let written =
        crate::demo::generate::generate(plan, out).with_context(|| format!("cannot write to {}", out.display()))?;
    eprintln!(
        "wrote {} entities in {} files under {} in {:.2}s; root: {}",
        written.entities,
        written.files,
        out.display(),
        started.elapsed().as_secs_f64(),
        written.root.display()
    );
    eprintln!(
        "try it: add `- {{name: synthetic, file: {}}}` to your sources, or run `stagehand validate {}`",
        written.root.display(),
        written.root.display()
    );
    Ok(0)
}

/// The effective config as YAML that reads back: every value quoted where
/// YAML would read it otherwise, URLs without user and password, the token
/// only as where it comes from.
fn show_config(c: &crate::config::Config) -> Vec<String> {
    use crate::config::{SourceKind, TokenSource, without_user_info};
    let q = yaml_scalar;
    let mut lines = vec!["sources:".to_string()];
    for s in &c.sources {
        lines.push(format!("  - name: {}", q(&s.name)));
        match &s.kind {
            SourceKind::Dir(d) => lines.push(format!("    dir: {}", q(&d.display().to_string()))),
            SourceKind::File(f) => lines.push(format!("    file: {}", q(&f.display().to_string()))),
            SourceKind::Backstage(r) => {
                lines.push("    backstage:".into());
                lines.push(format!("      url: {}", q(&without_user_info(&r.url))));
                // The token's value is never printed: only where it comes from.
                match &r.token {
                    TokenSource::None => {}
                    TokenSource::Login { source, .. } => {
                        lines.push(format!("      # token: the session of `stagehand login --source {source}`"))
                    }
                    TokenSource::Env(v) => lines.push(format!("      token_env: {}", q(v))),
                    TokenSource::Command(cmd) => lines.push(format!("      token_command: {}", q(cmd))),
                    TokenSource::File(f) => lines.push(format!("      token_file: {}", q(&f.display().to_string()))),
                }
                if !r.filters.is_empty() {
                    let filters: Vec<String> = r.filters.iter().map(|f| q(f)).collect();
                    lines.push(format!("      filter: [{}]", filters.join(", ")));
                }
                if let Some(ca) = &r.ca_file {
                    lines.push(format!("      ca_file: {}", q(&ca.display().to_string())));
                }
                lines.push(format!("      timeout: {}", q(&humantime::format_duration(r.timeout).to_string())));
                lines.push(format!("      page_size: {}", r.page_size));
            }
            SourceKind::Git { url, branch } => {
                lines.push(format!("    git: {}", q(&without_user_info(url))));
                if let Some(b) = branch {
                    lines.push(format!("    branch: {}", q(b)));
                }
            }
        }
    }
    let patterns: Vec<String> = c.effective_patterns().iter().map(|p| q(p)).collect();
    lines.push(format!("patterns: [{}]", patterns.join(", ")));
    if let Some(i) = &c.identity {
        lines.push(format!("identity: {}", q(i)));
    }
    lines.push(format!("theme: {}", q(c.theme.as_deref().unwrap_or("dark"))));
    lines.push(format!("osc52: {}", c.osc52));
    lines
}

/// `text` as a YAML scalar: plain when YAML reads it back as this very
/// string in a flow list too, else double-quoted (JSON's escaping, which
/// YAML reads).
fn yaml_scalar(text: &str) -> String {
    use crate::model::yaml::{Limits, NodeValue, load_single};
    let plain = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || "_./~@%+=-:".contains(c))
        && !text.starts_with(['-', ':', '%', '@', '~'])
        && !text.contains(": ")
        && !text.ends_with(':')
        && load_single(text, Limits::default()).ok().flatten().is_some_and(|n| n.value == NodeValue::Str(text.into()));
    if plain { text.to_string() } else { serde_json::Value::String(text.to_string()).to_string() }
}
