//! Running a template locally: preflight (every action runnable, before
//! anything runs), then each step with `if` and `each`, inputs rendered
//! against `parameters`, `steps`, `secrets` and `user`, progress and logs
//! reported as they happen, secrets redacted from logs; finally the output
//! links and text. A dry run works in a private temp folder and returns
//! the files instead of leaving them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value as Json, json};

use super::actions::{self, ActionCtx, CatalogLookup};
use super::expr::{Engine, Syntax, is_truthy};
use super::output::{RunOutput, render_output};
use super::safe_fs::{SafeRoot, walk};
use super::taint::Redactor;
use super::template::Template;

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Where files go (a temp folder is used instead in a dry run).
    pub output_dir: PathBuf,
    /// Show what would be written; leave nothing behind.
    pub dry_run: bool,
    /// Files that existed before the run may be replaced.
    pub overwrite: bool,
    /// `publish:*` pushes here when given.
    pub git_remote: Option<String>,
    /// Where `catalog:register` records the new catalog file.
    pub register: Registrar,
}

/// Where `catalog:register` records a new catalog file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Registrar {
    /// Nowhere: the run says which source to add to the config.
    #[default]
    None,
    /// The local list of registered files (`registered.yaml` in the
    /// profile's data folder), read as `registered-N` sources by a sync.
    Local(PathBuf),
    /// The remote catalog of the named `backstage:` source the template
    /// came from.
    Remote(String, crate::config::RemoteConfig),
}

/// The values a run uses.
#[derive(Debug, Clone, Default)]
pub struct RunInput {
    /// The form values (`parameters`).
    pub parameters: Map<String, Json>,
    /// Secret values (`secrets`), never logged.
    pub secrets: Map<String, Json>,
    /// The user's canonical ref.
    pub user_ref: Option<String>,
    /// The user's entity, when in the catalog.
    pub user_entity: Option<Json>,
}

/// A step's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepStatus {
    /// Not started.
    Pending,
    /// Running.
    Running,
    /// Skipped (its `if` was false, or a dry run), with why.
    Skipped(String),
    /// Finished.
    Done,
    /// Failed, with the error.
    Failed(String),
}

/// Progress of a run.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Step `index` changed state.
    Step(usize, StepStatus),
    /// A log line of step `index` (secrets redacted, unsanitized).
    Log(usize, String),
}

/// A file a dry run would write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// Relative path, `/`-separated.
    pub path: String,
    /// Contents.
    pub bytes: Vec<u8>,
    /// Executable bit set.
    pub executable: bool,
}

/// What a finished run produced.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// Output links and text.
    pub output: RunOutput,
    /// Where the files are (gone after a dry run).
    pub workspace: PathBuf,
    /// A dry run's files.
    pub files: Vec<PlannedFile>,
    /// A run on a backend: which task, where.
    pub task: Option<String>,
    /// Sources `catalog:register` added locally (sync them to see the
    /// new entities).
    pub registered: Vec<String>,
}

/// Why a run stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RunError {
    /// The step that failed (`None`: before any step).
    pub step: Option<usize>,
    /// What went wrong (secrets redacted).
    pub message: String,
    /// The partial workspace, kept for inspection.
    pub workspace: Option<PathBuf>,
}

/// Problems that stop a template from running locally, found before
/// anything runs: unsupported actions, skeletons fetched over the network.
pub fn preflight(template: &Template) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, step) in template.steps.iter().enumerate() {
        let name = format!("step {} ({})", step.key(i), step.name);
        if !actions::supported(&step.action) {
            problems.push(format!("{name} uses {}, which stagehand cannot run locally", step.action));
        } else if step.action.starts_with("fetch:")
            && let Some(url) = step.input.get("url").and_then(Json::as_str)
            && url.contains("://")
            && !url.contains("${{")
        {
            problems.push(format!("{name} fetches {url}, which needs the network"));
        } else if step.action.starts_with("fetch:") && template.base_dir.is_none() {
            problems.push(format!("{name} fetches a skeleton, but the template has no local folder"));
        }
    }
    problems
}

/// Replaces every secret value in `text` with `***` (values derived from
/// secrets need a [`Redactor`] that has seen the template).
pub fn redact(text: &str, secrets: &Map<String, Json>) -> String {
    Redactor::new(secrets).redact(text)
}

/// The expression context of a run.
pub fn context(input: &RunInput, steps: &Map<String, Json>) -> Json {
    json!({
        "parameters": input.parameters,
        "steps": steps,
        "secrets": input.secrets,
        "user": {"entity": input.user_entity, "ref": input.user_ref},
    })
}

/// Runs a template. `events` sees progress; `cancel` stops it between
/// (and inside long) steps. The output folder must be new or empty
/// unless `overwrite`.
pub fn run(
    template: &Template,
    input: &RunInput,
    options: &RunOptions,
    catalog: CatalogLookup<'_>,
    events: &mut dyn FnMut(Event),
    cancel: &AtomicBool,
) -> Result<RunResult, RunError> {
    let redactor = std::cell::RefCell::new(Redactor::new(&input.secrets));
    // A dry run's folder is gone when the run ends: never name it.
    let fail = |step: Option<usize>, message: String, workspace: Option<PathBuf>| RunError {
        step,
        message: redactor.borrow().redact(&message),
        workspace: workspace.filter(|_| !options.dry_run),
    };
    let problems = preflight(template);
    if !problems.is_empty() {
        return Err(fail(None, problems.join("; "), None));
    }
    let temp = if options.dry_run {
        Some(
            tempfile::Builder::new()
                .prefix("stagehand-dry-run-")
                .tempdir()
                .map_err(|e| fail(None, e.to_string(), None))?,
        )
    } else {
        None
    };
    let dir = temp.as_ref().map_or_else(|| options.output_dir.clone(), |t| t.path().to_path_buf());
    if !options.dry_run && !options.overwrite && is_non_empty_dir(&dir) {
        return Err(fail(
            None,
            format!("{} exists and is not empty; choose a new folder or allow overwriting", dir.display()),
            None,
        ));
    }
    let root = SafeRoot::create(&dir).map_err(|e| fail(None, format!("cannot create {}: {e}", dir.display()), None))?;
    let workspace = root.path().to_path_buf();
    let shown_root = if options.dry_run {
        if options.output_dir.as_os_str().is_empty() { PathBuf::from("dry-run") } else { options.output_dir.clone() }
    } else {
        workspace.clone()
    };
    let engine = Engine::new(Syntax::Backstage);
    let mut steps_out: Map<String, Json> = Map::new();
    let mut created = HashSet::new();
    let mut registered = Vec::new();
    for (i, step) in template.steps.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return Err(fail(Some(i), "cancelled".into(), Some(workspace)));
        }
        let ctx_json = context(input, &steps_out);
        for part in [step.condition.as_ref(), step.each.as_ref()].into_iter().flatten() {
            redactor.borrow_mut().taint(&engine, part, &ctx_json);
        }
        if let Some(cond) = &step.condition {
            let yes = engine
                .condition(cond, &ctx_json)
                .map_err(|e| fail(Some(i), format!("{}: if: {e}", step.name), Some(workspace.clone())))?;
            if !yes {
                events(Event::Step(i, StepStatus::Skipped("if is false".into())));
                continue;
            }
        }
        if options.dry_run && step.action == "debug:wait" {
            // The backend's dry run skips actions that do not support it.
            events(Event::Step(i, StepStatus::Skipped("dry run".into())));
            steps_out.insert(step.key(i), json!({"output": {}}));
            continue;
        }
        events(Event::Step(i, StepStatus::Running));
        let iterations = match &step.each {
            None => vec![None],
            Some(each) => {
                let value = engine
                    .render_value(each, &ctx_json)
                    .map_err(|e| fail(Some(i), format!("each: {e}"), Some(workspace.clone())))?;
                match value {
                    Some(Json::Array(items)) => items
                        .into_iter()
                        .enumerate()
                        .map(|(k, v)| Some(json!({"key": k.to_string(), "value": v})))
                        .collect(),
                    Some(Json::Object(map)) => {
                        map.into_iter().map(|(k, v)| Some(json!({"key": k, "value": v}))).collect()
                    }
                    _ => return Err(fail(Some(i), "each must be a list or an object".into(), Some(workspace))),
                }
            }
        };
        let mut output = Map::new();
        for iteration in iterations {
            let mut ctx_json = ctx_json.clone();
            if let (Some(each), Some(obj)) = (iteration, ctx_json.as_object_mut()) {
                obj.insert("each".into(), each);
            }
            redactor.borrow_mut().taint(&engine, &step.input, &ctx_json);
            let result = engine.render_value(&step.input, &ctx_json).map_err(|e| e.to_string()).and_then(|rendered| {
                let rendered = rendered.unwrap_or(Json::Object(Map::new()));
                let redactor = redactor.borrow();
                let mut log = |line: String| events(Event::Log(i, redactor.redact(&line)));
                let mut actx = ActionCtx {
                    root: &root,
                    template_dir: template.base_dir.as_deref(),
                    template_ref: &template.entity_ref,
                    shown_root: &shown_root,
                    overwrite: options.overwrite,
                    dry_run: options.dry_run,
                    git_remote: options.git_remote.as_deref(),
                    user_ref: input.user_ref.as_deref(),
                    catalog,
                    cancel,
                    register: &options.register,
                    registered: &mut registered,
                    created: &mut created,
                    log: &mut log,
                };
                actions::run(&step.action, &rendered, &mut actx)
            });
            match result {
                Ok(out) => {
                    for (k, v) in out {
                        if step.each.is_some() {
                            let slot = output.entry(k).or_insert_with(|| Json::Array(Vec::new()));
                            if let Json::Array(a) = slot {
                                a.push(v);
                            }
                        } else {
                            output.insert(k, v);
                        }
                    }
                }
                Err(e) => {
                    let message = redactor.borrow().redact(&e);
                    events(Event::Step(i, StepStatus::Failed(message.clone())));
                    let kept = (!options.dry_run).then(|| workspace.clone());
                    return Err(fail(Some(i), format!("{} failed: {message}", step.name), kept));
                }
            }
        }
        steps_out.insert(step.key(i), json!({"output": output}));
        events(Event::Step(i, StepStatus::Done));
    }
    let ctx_json = context(input, &steps_out);
    let output = render_output(&engine, &template.output, &ctx_json)
        .map_err(|e| fail(None, format!("output: {e}"), Some(workspace.clone())))?;
    let files = if options.dry_run { collect(&workspace) } else { Vec::new() };
    Ok(RunResult { output, workspace, files, task: None, registered })
}

fn is_non_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some())
}

/// Every file under `dir`, with contents.
pub fn collect(dir: &Path) -> Vec<PlannedFile> {
    let Ok(entries) = walk(dir) else { return Vec::new() };
    entries
        .into_iter()
        .filter(|(_, m)| !m.is_dir())
        .map(|(path, meta)| {
            #[cfg(unix)]
            let executable = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o111 != 0;
            #[cfg(not(unix))]
            let executable = false;
            let full = dir.join(&path);
            let bytes = if meta.file_type().is_symlink() {
                std::fs::read_link(&full).map(|l| l.to_string_lossy().into_owned().into_bytes()).unwrap_or_default()
            } else {
                std::fs::read(&full).unwrap_or_default()
            };
            PlannedFile { path, bytes, executable }
        })
        .collect()
}

/// Whether a JSON value counts as set for `if` (re-exported truthiness).
pub fn truthy(value: &Json) -> bool {
    is_truthy(value)
}
