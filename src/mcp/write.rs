//! The write tool (only with `--allow-writes`): `scaffold`, a Software
//! Template run on this machine into a folder, as `stagehand scaffold`
//! runs it; a dry run unless asked otherwise.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::cli::output::Out;
use crate::cli::scaffold::{LocalRun, check_values, load_template, run_local};
use crate::scaffold::Event;
use crate::scaffold::actions::is_binary_content;
use crate::scaffold::form::apply_defaults;
use crate::scaffold::runner::StepStatus;
use crate::scaffold::values::split_secrets;
use crate::workspace::Workspace;

use super::reply::{MAX_TEXT_BYTES, Reply};

/// Arguments of `scaffold`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ScaffoldArgs {
    /// The template: a ref (`go-service`, `template:default/go-service`).
    pub template: String,
    /// The parameter values, by key (see `template_parameters`); defaults fill the rest.
    #[serde(default)]
    pub values: Map<String, Json>,
    /// The folder the files go to (relative to the server's working directory).
    pub output_dir: String,
    /// Only show the files that would be written (default true); false writes them.
    pub dry_run: Option<bool>,
    /// Allow an existing, non-empty folder and replacing its files.
    #[serde(default)]
    pub overwrite: bool,
}

/// A file of a dry run.
#[derive(Serialize, JsonSchema)]
pub struct FileOut {
    /// Relative path.
    pub path: String,
    /// Size in bytes.
    pub bytes: usize,
    /// Executable bit.
    pub executable: bool,
    /// The text, while the reply has room (absent for binary files and past the budget).
    pub content: Option<String>,
}

/// Result of `scaffold`.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScaffoldOut {
    /// The template run.
    pub template: String,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// The output folder.
    pub directory: String,
    /// The files a dry run would write.
    pub files: Vec<FileOut>,
    /// Step progress and logs.
    pub log: Vec<String>,
    /// The template's output (links, text).
    pub output: Json,
    /// Catalog files registered locally (`stagehand sync` reads them).
    pub registered: Vec<String>,
}

/// `scaffold`: `stagehand scaffold TEMPLATE --output DIR [--dry-run]`.
pub fn scaffold(ws: &Workspace, args: &ScaffoldArgs) -> anyhow::Result<Reply> {
    let loaded = load_template(ws, &args.template)?;
    let template = &loaded.template;
    let mut params = args.values.clone();
    apply_defaults(&template.pages, &mut params);
    let secrets = split_secrets(template, &mut params);
    check_values(template, &params, &secrets, "give them in `values` (see the template_parameters tool)")?;
    let dry_run = args.dry_run.unwrap_or(true);
    let output_dir = std::path::absolute(PathBuf::from(&args.output_dir))?;
    let local = LocalRun { output_dir: output_dir.clone(), dry_run, overwrite: args.overwrite, git_remote: None };
    let mut log = Vec::new();
    let mut events = |e: Event| match e {
        Event::Step(i, status) => {
            let name = template.steps.get(i).map_or("", |s| s.name.as_str());
            match status {
                StepStatus::Running => log.push(format!("[{}] {name}", i + 1)),
                StepStatus::Skipped(why) => log.push(format!("[{}] {name}: skipped ({why})", i + 1)),
                StepStatus::Failed(e) => log.push(format!("[{}] {name}: failed: {e}", i + 1)),
                StepStatus::Done | StepStatus::Pending => {}
            }
        }
        Event::Log(_, line) => log.push(format!("    {line}")),
    };
    let result = run_local(ws, &loaded, params, secrets, &local, &mut events)?;
    let mut budget = MAX_TEXT_BYTES;
    let files: Vec<FileOut> = result
        .files
        .iter()
        .map(|f| {
            let text = (!is_binary_content(&f.bytes) && f.bytes.len() <= budget)
                .then(|| String::from_utf8_lossy(&f.bytes).into_owned());
            budget -= text.as_ref().map_or(0, String::len).min(budget);
            FileOut { path: f.path.clone(), bytes: f.bytes.len(), executable: f.executable, content: text }
        })
        .collect();
    let mut out = Out::default();
    if dry_run {
        out.line(&format!("Dry run: nothing was written. Files for {}:", output_dir.display()));
        for f in &files {
            out.line(&format!("  {} ({} bytes){}", f.path, f.bytes, if f.executable { " (executable)" } else { "" }));
        }
        out.line("Call again with dry_run=false to write them.");
    } else {
        out.line(&format!("Created {}", result.workspace.display()));
    }
    crate::cli::scaffold::print_output(&mut out, &result.output);
    let data = ScaffoldOut {
        template: template.entity_ref.clone(),
        dry_run,
        directory: output_dir.display().to_string(),
        files,
        log,
        output: serde_json::to_value(&result.output)?,
        registered: result.registered,
    };
    Reply::new(out.into_string(), &data)
}
