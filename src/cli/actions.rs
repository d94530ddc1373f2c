//! `stagehand actions list|run`: the actions registry of a `backstage:`
//! source's plugins, from the command line.

use anyhow::{Context, bail};
use clap::Subcommand;
use serde_json::{Map, Value as Json};

use crate::portal::action_input;
use crate::portal::actions::{self, PLUGINS, Registry};
use crate::scaffold::form::apply_defaults;
use crate::sources::remote::client::Client;
use crate::workspace::Workspace;

use super::confirm;
use super::output::{Out, fit};

/// `stagehand actions ...`
#[derive(Debug, Subcommand)]
pub enum ActionsCommand {
    /// List the actions the backend's plugins offer, with their attributes.
    List {
        /// The backstage source to ask (needed when there are several).
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
        /// Ask these plugins (repeatable) instead of catalog, scaffolder, search and techdocs.
        #[arg(long = "plugin", value_name = "ID")]
        plugins: Vec<String>,
        /// Every action with its input and output schemas, as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run an action. Its input (--input, then --set) is checked against
    /// its schema first; actions that write ask on a terminal, destructive
    /// ones refuse without confirmation (exit 2) unless --yes.
    Run {
        /// The action id, `plugin:name` (e.g. catalog:get-catalog-entity).
        id: String,
        /// The whole input as a JSON object.
        #[arg(long, value_name = "JSON")]
        input: Option<String>,
        /// One input value, `key=value` (repeatable; converted by the schema's type).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// The backstage source to run it on (needed when there are several).
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
        /// Print the output as JSON (always JSON, even when it is text).
        #[arg(long)]
        json: bool,
        /// Run without asking, destructive actions included.
        #[arg(long)]
        yes: bool,
    },
}

/// Runs one `actions` subcommand.
pub fn run(ws: &Workspace, command: ActionsCommand) -> anyhow::Result<u8> {
    match command {
        ActionsCommand::List { source, plugins, json } => list(ws, source.as_deref(), &plugins, json),
        ActionsCommand::Run { id, input, set, source, json, yes } => {
            invoke(ws, &id, input.as_deref(), &set, source.as_deref(), json, yes)
        }
    }
}

/// The actions registry of the backstage source `source` (or the only one).
pub fn registry(ws: &Workspace, source: Option<&str>) -> anyhow::Result<(String, Registry)> {
    let (name, config) = ws.remote_source(source)?;
    let http = Client::new(&config).map_err(|e| anyhow::anyhow!("backstage source `{name}`: {e}"))?;
    Ok((name, Registry::new(http)))
}

/// `stagehand actions list`.
fn list(ws: &Workspace, source: Option<&str>, plugins: &[String], json: bool) -> anyhow::Result<u8> {
    let (name, registry) = registry(ws, source)?;
    let asked: Vec<&str> =
        if plugins.is_empty() { PLUGINS.to_vec() } else { plugins.iter().map(String::as_str).collect() };
    let listing = registry.list(&asked).map_err(anyhow::Error::msg)?;
    let mut out = Out::default();
    if json {
        out.json(&serde_json::json!({
            "source": name,
            "url": registry.base(),
            "actions": listing.actions,
            "missing": listing.missing,
        }))?;
        out.flush()?;
        return Ok(0);
    }
    for plugin in &listing.missing {
        eprintln!("note: `{plugin}` answered 404 on {}: not installed, or no actions registry", registry.base());
    }
    if listing.actions.is_empty() {
        bail!("no actions on `{name}` ({}) from {}", registry.base(), asked.join(", "));
    }
    let width = listing.actions.iter().map(|a| a.id.chars().count()).max().unwrap_or(20).clamp(20, 48);
    for a in &listing.actions {
        out.line(
            format!("{} {} {} — {}", fit(&a.id, width), fit(&a.attributes.words(), 24), a.title, a.summary())
                .trim_end(),
        );
    }
    out.flush()?;
    Ok(0)
}

/// The input: `--input` (a JSON object), then each `--set`, then defaults.
fn input_of(
    form: &crate::scaffold::form::Page,
    input: Option<&str>,
    set: &[String],
) -> anyhow::Result<Map<String, Json>> {
    let mut values = match input {
        None => Map::new(),
        Some(text) => match serde_json::from_str(text).context("--input is not JSON")? {
            Json::Object(m) => m,
            _ => bail!("--input must be a JSON object of input names to values"),
        },
    };
    for assignment in set {
        action_input::set(form, &mut values, assignment).map_err(anyhow::Error::msg)?;
    }
    apply_defaults(std::slice::from_ref(form), &mut values);
    Ok(values)
}

/// The inputs an action takes, for messages.
pub fn inputs_of(form: &crate::scaffold::form::Page) -> String {
    let fields = form.fields(&Map::new());
    let lines: Vec<String> = fields
        .iter()
        .map(|f| {
            let required = if f.required { " (required)" } else { "" };
            format!("  {}{required}: {}", f.key(), f.description().unwrap_or("").lines().next().unwrap_or(""))
        })
        .collect();
    if lines.is_empty() { "it takes no input".to_string() } else { format!("its inputs:\n{}", lines.join("\n")) }
}

/// `stagehand actions run ID`.
fn invoke(
    ws: &Workspace,
    id: &str,
    input: Option<&str>,
    set: &[String],
    source: Option<&str>,
    json: bool,
    yes: bool,
) -> anyhow::Result<u8> {
    let (name, registry) = registry(ws, source)?;
    let action = registry.find(id).map_err(anyhow::Error::msg)?;
    let form = action.form();
    let values = input_of(&form, input, set)?;
    let problems = action_input::problems(&form, &values);
    if !problems.is_empty() {
        let lines: Vec<String> = problems.iter().map(|p| format!("  {}: {}", p.key, p.message)).collect();
        bail!(
            "invalid input for {id}:\n{}\n{}\nset values with --set KEY=VALUE or --input JSON",
            lines.join("\n"),
            inputs_of(&form)
        );
    }
    let what = format!("run {id} ({}) on `{name}`", action.attributes.words());
    confirm::confirm(&what, action.attributes.ask(), yes)?;
    let output = registry.invoke(&action, &values).map_err(anyhow::Error::msg)?;
    let mut out = Out::default();
    match actions::text_of(&output) {
        Some(text) if !json => out.block(text),
        _ => out.json(&output)?,
    }
    out.flush()?;
    Ok(0)
}
