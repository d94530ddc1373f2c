//! The write tool `run_action` (only with `--allow-writes`): an action of a
//! `backstage:` source's actions registry, invoked as `stagehand actions run`
//! invokes it away from a terminal: the input checked against the action's
//! schema first, read-only and write actions run, destructive ones only
//! with `yes: true`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::cli::actions::{inputs_of, registry};
use crate::cli::confirm::{Decision, decide};
use crate::portal::{action_input, actions};
use crate::scaffold::form::apply_defaults;
use crate::workspace::Workspace;

use super::reply::{MAX_TEXT_BYTES, Reply};

/// Arguments of `run_action`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RunActionArgs {
    /// The action's id, as `stagehand actions list` names it (`catalog:get-catalog-entity`).
    pub id: String,
    /// The input, by name; the action's defaults fill the rest.
    #[serde(default)]
    pub input: Map<String, Json>,
    /// The backstage source to run it on (needed when there are several).
    pub source: Option<String>,
    /// Confirms a destructive action (as `--yes`); without it one is refused.
    #[serde(default)]
    pub yes: bool,
}

/// Result of `run_action`.
#[derive(Serialize, JsonSchema)]
pub struct RunActionOut {
    /// The action run.
    pub id: String,
    /// The source it ran on.
    pub source: String,
    /// What the action answered.
    pub output: Json,
}

/// `run_action`: `stagehand actions run ID --input JSON [--yes]`, never asking.
pub fn run_action(ws: &Workspace, args: &RunActionArgs) -> anyhow::Result<Reply> {
    let (name, registry) = registry(ws, args.source.as_deref())?;
    let action = registry.find(&args.id).map_err(anyhow::Error::msg)?;
    let form = action.form();
    let mut values = args.input.clone();
    apply_defaults(std::slice::from_ref(&form), &mut values);
    let problems = action_input::problems(&form, &values);
    if !problems.is_empty() {
        let lines: Vec<String> = problems.iter().map(|p| format!("  {}: {}", p.key, p.message)).collect();
        anyhow::bail!("invalid input for {}:\n{}\n{}", args.id, lines.join("\n"), inputs_of(&form));
    }
    let what = format!("run {} ({}) on `{name}`", args.id, action.attributes.words());
    if decide(action.attributes.ask(), args.yes, false) != Decision::Run {
        anyhow::bail!("refused to {what} without confirmation: it is destructive; call again with yes: true");
    }
    let output = registry.invoke(&action, &values).map_err(anyhow::Error::msg)?;
    let mut text = match actions::text_of(&output) {
        Some(text) => text.to_string(),
        None => serde_json::to_string_pretty(&output)?,
    };
    if text.len() > MAX_TEXT_BYTES {
        let mut cut = MAX_TEXT_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("\n… (cut here; the structured content holds the whole output)");
    }
    Reply::new(text, &RunActionOut { id: args.id.clone(), source: name, output })
}
