//! `stagehand scaffold TEMPLATE_REF`: fill a template's parameters from a
//! values file and `--set`, then run it locally (or as a dry run, or on a
//! Backstage backend with `--remote`). Headless, for CI: missing or invalid
//! values are an error listing them, or are asked for when stdin is a
//! terminal.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::{Context, bail};
use serde_json::{Map, Value as Json};

use crate::config::RemoteConfig;
use crate::index::Index;
use crate::model::sanitize;
use crate::scaffold::backend::Backend;
use crate::scaffold::fields::{FieldKind, plain};
use crate::scaffold::form::{Field, apply_defaults};
use crate::scaffold::remote;
use crate::scaffold::runner::{self, Event, RunInput, RunOptions, StepStatus};
use crate::scaffold::{Template, template::base_dir_of, values};
use crate::sources::remote::client;
use crate::workspace::Workspace;

use super::output::Out;

/// What `stagehand scaffold` was asked.
#[derive(Debug, Clone, clap::Args)]
pub struct ScaffoldArgs {
    /// The template: a ref (`go-service`, `template:default/go-service`) or a template.yaml path.
    pub template: String,
    /// A YAML or JSON file of parameter values.
    #[arg(long, value_name = "FILE")]
    pub values: Option<PathBuf>,
    /// One value, `key=value` (repeatable; lists comma-separated or JSON).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Where the files go (default: ./NAME, from the `name` or `component_id` value).
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Show the files that would be written, with contents; touch nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Run the template on the Backstage backend (`--base-url`, STAGEHAND_BACKSTAGE_TOKEN).
    #[arg(long)]
    pub remote: bool,
    /// The backend's base URL (also STAGEHAND_BACKSTAGE_URL).
    #[arg(long, env = "STAGEHAND_BACKSTAGE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// Deprecated: other users see it in `ps`. Set STAGEHAND_BACKSTAGE_TOKEN instead.
    #[arg(long, env = "STAGEHAND_BACKSTAGE_TOKEN", value_name = "TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Allow an existing, non-empty output folder and replacing its files.
    #[arg(long)]
    pub overwrite: bool,
    /// Push what `publish:*` commits to this git remote.
    #[arg(long, value_name = "URL")]
    pub git_remote: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// A loaded template: the index it came from, and its remote source.
pub struct Loaded {
    /// The template.
    pub template: Template,
    /// The index, when there is one.
    pub index: Option<Index>,
    /// The `backstage:` source the template came from, if any.
    pub source: Option<String>,
}

/// Loads a template by path or ref, with the index when there is one.
pub fn load_template(ws: &Workspace, text: &str) -> anyhow::Result<Loaded> {
    let path = Path::new(text);
    if path.is_file() {
        let template = Template::from_file(path).map_err(anyhow::Error::msg)?;
        return Ok(Loaded { template, index: ws.load_index().ok(), source: None });
    }
    let index = ws.load_index()?;
    let wanted = if text.contains(':') { text.to_string() } else { format!("template:{text}") };
    let Some(i) = index.resolve(&wanted).or_else(|| index.resolve(text)) else {
        let hint = index.suggest(text, 3).join(", ");
        bail!(
            "no template `{text}` in the index{}",
            if hint.is_empty() { String::new() } else { format!("; did you mean {hint}?") }
        );
    };
    let entity = index.entity(i).map_err(anyhow::Error::msg)?;
    let template = Template::from_entity(&entity, base_dir_of(&entity)).map_err(anyhow::Error::msg)?;
    let source = index.remote_source_of(i).map(String::from);
    Ok(Loaded { template, index: Some(index), source })
}

/// The user's ref and entity, for `user.entity`.
pub fn user_of(ws: &Workspace, index: Option<&Index>) -> (Option<String>, Option<Json>) {
    let user = ws.identity();
    let entity = user
        .as_deref()
        .and_then(|u| index.and_then(|ix| ix.find(u).and_then(|i| ix.entity(i).ok())))
        .map(|e| e.to_value());
    (user, entity)
}

fn prompt_missing(
    template: &Template,
    params: &mut Map<String, Json>,
    secrets: &mut Map<String, Json>,
) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    for _round in 0..20 {
        let problems = values::problems(template, params, secrets);
        let Some((_, problem)) = problems.first() else { return Ok(()) };
        let fields = values::all_fields(template, params);
        let field = fields.iter().find(|f| f.key() == problem.key);
        let title = field.map_or(problem.key.clone(), |f| f.title());
        eprint!("{}", prompt_text(&title, &problem.message, field));
        std::io::stderr().flush()?;
        let line = if field.is_some_and(Field::masked) {
            read_secret()?
        } else {
            let mut line = String::new();
            if stdin.lock().read_line(&mut line)? == 0 {
                bail!("stdin closed while asking for {}", problem.key);
            }
            line
        };
        let answer = answer_for(field, line.trim_end_matches(['\n', '\r']));
        values::set(template, params, &format!("{}={answer}", problem.key)).map_err(anyhow::Error::msg)?;
        // A secret answered goes where secrets are checked and kept.
        secrets.extend(values::split_secrets(template, params));
    }
    Ok(())
}

/// Reads a secret or password from the terminal without echoing it: a `•`
/// per character, backspace erases, ctrl-c gives up.
fn read_secret() -> anyhow::Result<String> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
    crossterm::terminal::enable_raw_mode()?;
    let mut text = String::new();
    let result = loop {
        let key = match read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => k,
            Ok(_) => continue,
            Err(e) => break Err(anyhow::Error::from(e)),
        };
        match key.code {
            KeyCode::Enter => break Ok(std::mem::take(&mut text)),
            KeyCode::Char('c' | 'd') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                break Err(anyhow::anyhow!("cancelled while a secret was asked for"));
            }
            KeyCode::Char(c) => {
                text.push(c);
                eprint!("•");
            }
            KeyCode::Backspace if text.pop().is_some() => eprint!("\u{8} \u{8}"),
            _ => {}
        }
        let _ = std::io::stderr().flush();
    };
    let _ = crossterm::terminal::disable_raw_mode();
    eprintln!();
    result
}

/// The choices of a select or checkbox field, if it has any.
fn choices(field: Option<&Field>) -> Option<&[(Json, String)]> {
    match &field?.kind {
        FieldKind::Select { options, .. } | FieldKind::MultiSelect { options } => Some(options),
        _ => None,
    }
}

/// The question for a missing or invalid value: its choices listed first,
/// numbered, when it has them.
fn prompt_text(title: &str, message: &str, field: Option<&Field>) -> String {
    let mut out = String::new();
    let head = format!("{} ({})", sanitize::line(title), sanitize::line(message));
    let Some(options) = choices(field) else { return format!("{head}: ") };
    out.push_str(&head);
    out.push('\n');
    for (i, (value, label)) in options.iter().enumerate() {
        let value = plain(value);
        let shown = if *label == value { value } else { format!("{value} ({label})") };
        out.push_str(&format!("  {}) {}\n", i + 1, sanitize::line(&shown)));
    }
    let several = matches!(field.map(|f| &f.kind), Some(FieldKind::MultiSelect { .. }));
    let how = if several { "numbers or values, comma-separated" } else { "a number or a value" };
    out.push_str(&format!("{} [{how}]: ", sanitize::line(title)));
    out
}

/// A typed answer as a `--set` value: choice numbers become their values.
fn answer_for(field: Option<&Field>, line: &str) -> String {
    let Some(options) = choices(field) else { return line.to_string() };
    let pick = |part: &str| match part.trim().parse::<usize>() {
        Ok(n) if (1..=options.len()).contains(&n) => plain(&options[n - 1].0),
        _ => part.trim().to_string(),
    };
    if matches!(field.map(|f| &f.kind), Some(FieldKind::MultiSelect { .. })) {
        line.split(',').map(pick).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(",")
    } else {
        pick(line)
    }
}

/// Fills parameters from the args: values file, `--set`, defaults,
/// secrets split out; then checks them.
pub fn collect_values(
    template: &Template,
    args: &ScaffoldArgs,
) -> anyhow::Result<(Map<String, Json>, Map<String, Json>)> {
    let mut params = match &args.values {
        Some(p) => values::read_values_file(p).map_err(anyhow::Error::msg)?,
        None => Map::new(),
    };
    for s in &args.set {
        values::set(template, &mut params, s).map_err(anyhow::Error::msg)?;
    }
    apply_defaults(&template.pages, &mut params);
    let mut secrets = values::split_secrets(template, &mut params);
    let problems = values::problems(template, &params, &secrets);
    if !problems.is_empty() && std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        prompt_missing(template, &mut params, &mut secrets)?;
        secrets.extend(values::split_secrets(template, &mut params));
    }
    check_values(template, &params, &secrets, "set them with --set KEY=VALUE or --values FILE")?;
    Ok((params, secrets))
}

/// Fails listing every missing or invalid value, ending with `hint`.
pub fn check_values(
    template: &Template,
    params: &Map<String, Json>,
    secrets: &Map<String, Json>,
    hint: &str,
) -> anyhow::Result<()> {
    let problems = values::problems(template, params, secrets);
    if !problems.is_empty() {
        let lines: Vec<String> =
            problems.iter().map(|(page, e)| format!("  {}: {} ({page})", e.key, e.message)).collect();
        bail!("missing or invalid values for {}:\n{}\n{hint}", template.entity_ref, lines.join("\n"));
    }
    Ok(())
}

fn default_output(template: &Template, params: &Map<String, Json>) -> PathBuf {
    let name = ["name", "component_id", "componentName"]
        .iter()
        .find_map(|k| params.get(*k).and_then(Json::as_str))
        .unwrap_or_else(|| template.entity_ref.rsplit('/').next().unwrap_or("scaffolded"));
    let safe: String = name.chars().map(|c| if c.is_alphanumeric() || "-_.".contains(c) { c } else { '-' }).collect();
    PathBuf::from(if safe.is_empty() || safe.starts_with('.') { "scaffolded".to_string() } else { safe })
}

/// Prints progress of a local run on stderr.
pub fn print_event(template: &Template, event: &Event) {
    let total = template.steps.len();
    match event {
        Event::Step(i, status) => {
            let name = template.steps.get(*i).map_or("", |s| s.name.as_str());
            let line = match status {
                StepStatus::Running => format!("[{}/{total}] {name}", i + 1),
                StepStatus::Skipped(why) => format!("[{}/{total}] {name}: skipped ({why})", i + 1),
                StepStatus::Failed(e) => format!("[{}/{total}] {name}: failed: {e}", i + 1),
                StepStatus::Done | StepStatus::Pending => return,
            };
            eprintln!("{}", sanitize::line(&line));
        }
        Event::Log(_, line) => eprintln!("      {}", sanitize::line(line)),
    }
}

/// `stagehand scaffold`.
pub fn scaffold(ws: &Workspace, args: &ScaffoldArgs) -> anyhow::Result<u8> {
    let Loaded { template, index, source } = load_template(ws, &args.template)?;
    let (params, secrets) = collect_values(&template, args)?;
    if args.remote {
        let backend = backend_for(ws, source.as_deref(), args)?;
        return remote(&template, &params, &secrets, &backend, args);
    }
    let output_dir = args.output.clone().unwrap_or_else(|| default_output(&template, &params));
    // Absolute, so links the template prints (`file:///…`) name the folder.
    let output_dir = std::path::absolute(&output_dir).unwrap_or(output_dir);
    if !args.dry_run && !args.overwrite && std::fs::read_dir(&output_dir).is_ok_and(|mut d| d.next().is_some()) {
        bail!(
            "{} exists and is not empty; choose another folder with --output DIR, or pass --overwrite to write into it",
            output_dir.display()
        );
    }
    let loaded = Loaded { template, index, source };
    let local =
        LocalRun { output_dir, dry_run: args.dry_run, overwrite: args.overwrite, git_remote: args.git_remote.clone() };
    let result = run_local(ws, &loaded, params, secrets, &local, &mut |e| print_event(&loaded.template, &e))?;
    let template = loaded.template;
    let mut out = Out::default();
    if args.json {
        let directory = (!args.dry_run).then(|| result.workspace.display().to_string());
        return print_json(out, &template.entity_ref, args.dry_run, &result, directory);
    }
    if args.dry_run {
        out.line("Dry run: nothing was written. Files:");
        for f in &result.files {
            out.line(&format!("  {}{}", f.path, if f.executable { " (executable)" } else { "" }));
        }
        for f in &result.files {
            out.line("");
            out.line(&format!("── {} ──", f.path));
            if crate::scaffold::actions::is_binary_content(&f.bytes) {
                out.line(&format!("(binary, {} bytes)", f.bytes.len()));
            } else {
                out.block(&String::from_utf8_lossy(&f.bytes));
            }
        }
    } else {
        out.line(&format!("Created {}", result.workspace.display()));
    }
    if !result.registered.is_empty() {
        out.line(&format!(
            "Registered in the local catalog as {}; run `stagehand sync` to read it into the index",
            result.registered.join(", ")
        ));
    }
    print_output(&mut out, &result.output);
    out.flush()?;
    Ok(0)
}

/// Where and how a local run writes.
#[derive(Debug, Clone)]
pub struct LocalRun {
    /// The output folder.
    pub output_dir: PathBuf,
    /// Write nothing; return the planned files.
    pub dry_run: bool,
    /// Allow an existing, non-empty folder.
    pub overwrite: bool,
    /// Push what `publish:*` commits here.
    pub git_remote: Option<String>,
}

/// Runs a loaded template on this machine (the same run as `stagehand
/// scaffold`): fails when a step needs a backend, naming where to run it.
pub fn run_local(
    ws: &Workspace,
    loaded: &Loaded,
    params: Map<String, Json>,
    secrets: Map<String, Json>,
    local: &LocalRun,
    events: &mut dyn FnMut(Event),
) -> anyhow::Result<runner::RunResult> {
    let Loaded { template, index, source } = loaded;
    let problems = runner::preflight(template);
    if !problems.is_empty() {
        let hint = match (&source, index.as_ref().map(Index::remote_sources).unwrap_or_default().as_slice()) {
            (Some(s), _) => format!("it comes from the backstage source `{s}`: run it there with --remote"),
            (None, [one]) => format!("run it on the backend of the backstage source `{one}` with --remote"),
            (None, []) => "run it on a backend with --remote --base-url URL".to_string(),
            (None, many) => {
                format!("run it on a backend with --remote and --base-url (backstage sources: {})", many.join(", "))
            }
        };
        bail!("{} cannot run locally:\n  {}\n{hint}", template.entity_ref, problems.join("\n  "));
    }
    let (user_ref, user_entity) = user_of(ws, index.as_ref());
    let input = RunInput { parameters: params, secrets, user_ref, user_entity };
    let options = RunOptions {
        output_dir: local.output_dir.clone(),
        dry_run: local.dry_run,
        overwrite: local.overwrite,
        git_remote: local.git_remote.clone(),
        register: ws.registrar(source.as_deref()),
    };
    let lookup =
        |r: &str| index.as_ref().and_then(|ix| ix.find(r).and_then(|i| ix.entity(i).ok())).map(|e| e.to_value());
    let cancel = AtomicBool::new(false);
    runner::run(template, &input, &options, &lookup, events, &cancel).map_err(|e| {
        let kept = e
            .workspace
            .as_ref()
            .map(|w| format!("\nthe partial workspace is kept at {}", w.display()))
            .unwrap_or_default();
        anyhow::anyhow!("{}{kept}", e.message)
    })
}

/// A run as JSON: text files as `content`, binary files as
/// `base64Content` (as the backend's dry run answers), never mangled.
fn print_json(
    mut out: Out,
    template: &str,
    dry_run: bool,
    result: &crate::scaffold::RunResult,
    directory: Option<String>,
) -> anyhow::Result<u8> {
    use base64::Engine as _;
    let files: Vec<Json> = result
        .files
        .iter()
        .map(|f| match std::str::from_utf8(&f.bytes) {
            Ok(text) if !crate::scaffold::actions::is_binary_content(&f.bytes) => {
                serde_json::json!({"path": f.path, "executable": f.executable, "content": text})
            }
            _ => serde_json::json!({"path": f.path, "executable": f.executable,
                "base64Content": base64::engine::general_purpose::STANDARD.encode(&f.bytes)}),
        })
        .collect();
    out.json(&serde_json::json!({
        "template": template,
        "dryRun": dry_run,
        "output": result.output,
        "directory": directory,
        "task": result.task,
        "files": files,
    }))?;
    out.flush()?;
    Ok(0)
}

/// Output links and text, sanitized.
pub fn print_output(out: &mut Out, output: &crate::scaffold::output::RunOutput) {
    for l in &output.links {
        let target = l.url.as_deref().or(l.entity_ref.as_deref()).unwrap_or("");
        out.line(&format!("link: {}  {target}", l.title.as_deref().unwrap_or("")));
    }
    for t in &output.text {
        out.line("");
        if let Some(title) = &t.title {
            out.line(&format!("## {title}"));
        }
        out.block(&t.content);
    }
}

/// The backend `--remote` runs on: `--base-url`/`--token` (or
/// STAGEHAND_BACKSTAGE_URL/_TOKEN) when given, else the `backstage:`
/// source the template came from, else the only one configured. A
/// `--token` overrides the source's token; no token is ever printed.
pub fn backend_for(ws: &Workspace, source: Option<&str>, args: &ScaffoldArgs) -> anyhow::Result<Backend> {
    let mut backend = match &args.base_url {
        Some(url) => {
            let http = client::Client::new(&RemoteConfig::new(url)).map_err(anyhow::Error::msg)?;
            let http = http.with_token(None, "no token was given: set STAGEHAND_BACKSTAGE_TOKEN");
            Backend { source: "--base-url".into(), client: remote::Client::new(http) }
        }
        None => ws.scaffolder_backend(source).context(
            "--remote needs a backend: configure a `backstage:` source, or give --base-url URL (or STAGEHAND_BACKSTAGE_URL)",
        )?,
    };
    if let Some(token) = &args.token {
        if std::env::var("STAGEHAND_BACKSTAGE_TOKEN").ok().as_deref() != Some(token.as_str()) {
            eprintln!(
                "warning: --token is deprecated: other users of this machine can read it in `ps`; \
                 set STAGEHAND_BACKSTAGE_TOKEN, or use a `backstage:` source's token_env/token_file/token_command"
            );
        }
        backend.client = backend.client.with_token(token, "--token (or STAGEHAND_BACKSTAGE_TOKEN)");
    }
    Ok(backend)
}

/// `--remote`: a dry run or a task on the backend, its events on stderr.
fn remote(
    template: &Template,
    params: &Map<String, Json>,
    secrets: &Map<String, Json>,
    backend: &Backend,
    args: &ScaffoldArgs,
) -> anyhow::Result<u8> {
    let input = RunInput { parameters: params.clone(), secrets: secrets.clone(), ..RunInput::default() };
    let cancel = AtomicBool::new(false);
    let mut show = |e: Event| match e {
        Event::Log(i, line) => {
            let step = template.steps.get(i).map(|s| s.key(i)).unwrap_or_default();
            eprintln!("  {} {}", sanitize::line(&step), sanitize::line(&line));
        }
        Event::Step(..) => {}
    };
    let result = crate::scaffold::backend::run(backend, template, &input, args.dry_run, &mut show, &cancel)
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let mut out = Out::default();
    if args.json {
        return print_json(out, &template.entity_ref, args.dry_run, &result, None);
    }
    if args.dry_run {
        out.line("Dry run on the backend: nothing was written. Files:");
        for f in &result.files {
            out.line(&format!("  {}", f.path));
        }
        out.flush()?;
        return Ok(0);
    }
    out.line(&format!("Finished {}", result.task.as_deref().unwrap_or("the task")));
    print_output(&mut out, &result.output);
    out.flush()?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(schema: Json) -> Field {
        let kind = crate::scaffold::fields::kind_of(&schema);
        Field { path: vec!["region".into()], schema, required: true, kind }
    }

    #[test]
    fn enum_prompts_list_the_choices_up_front() {
        let f = field(json!({"type": "string", "enum": ["eu", "us"], "enumNames": ["Europe", "us"]}));
        let text = prompt_text("Region", "required", Some(&f));
        assert_eq!(text, "Region (required)\n  1) eu (Europe)\n  2) us\nRegion [a number or a value]: ");
        assert_eq!(answer_for(Some(&f), "2"), "us");
        assert_eq!(answer_for(Some(&f), "eu"), "eu");
        assert_eq!(answer_for(Some(&f), "7"), "7", "out of range stays as typed, and is refused as not a choice");
        let plain_text = field(json!({"type": "string"}));
        assert_eq!(prompt_text("Name", "required", Some(&plain_text)), "Name (required): ");
        assert_eq!(answer_for(Some(&plain_text), "2"), "2");
    }

    #[test]
    fn checkbox_prompts_take_several_numbers() {
        let f = field(json!({"type": "array", "items": {"type": "string", "enum": ["logs", "metrics", "traces"]}}));
        assert!(prompt_text("Features", "required", Some(&f)).ends_with("[numbers or values, comma-separated]: "));
        assert_eq!(answer_for(Some(&f), "1, 3"), "logs,traces");
    }
}
