//! A run from the wizard: starting it (after the same checks as the
//! form's), its events and result arriving, and the result's output links
//! (open, copy). A real run that succeeded spends the template's draft.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::scaffold::runner::{RunInput, RunOptions, StepStatus};
use crate::scaffold::values;

use crate::tui::app::Level;
use crate::tui::context::Ctx;
use crate::tui::effects::Effect;
use crate::tui::screens::Screen;

use super::{Stage, WizardScreen, draft};

/// Runs the template with the values (refused, with the first problem,
/// while one is left), locally or on the chosen backend.
pub fn start_run(w: &mut WizardScreen, cx: &mut Ctx) {
    let index = cx.loaded.map(|l| l.index.clone());
    let identity = cx.identity.map(String::from);
    let run_id = cx.next_generation();
    if w.run_on.is_none()
        && let Some((why, instead)) = w.run_note()
    {
        cx.flash(format!("{why}; {instead}"), Level::Error);
        return;
    }
    let problems = values::problems(&w.template, &w.params, &w.secrets);
    if let Some((_, first)) = problems.first() {
        let text = format!("{}: {} (fix it before running)", first.key, first.message);
        cx.flash(text, Level::Error);
        return;
    }
    let user_entity = identity
        .as_deref()
        .and_then(|u| index.as_ref().and_then(|ix| ix.find(u).and_then(|i| ix.entity(i).ok())))
        .map(|e| e.to_value());
    let input = RunInput { parameters: w.params.clone(), secrets: w.secrets.clone(), user_ref: identity, user_entity };
    let options = RunOptions { output_dir: w.output_dir(), dry_run: w.dry_run, ..RunOptions::default() };
    w.stage = Stage::Running;
    w.steps = vec![StepStatus::Pending; w.template.steps.len()];
    w.logs.clear();
    w.result = None;
    w.scroll = 0;
    w.cancel = Arc::new(AtomicBool::new(false));
    w.run_id = run_id;
    cx.effect(Effect::RunTemplate {
        run_id,
        template: w.template.clone(),
        input: Box::new(input),
        options: Box::new(options),
        index,
        cancel: w.cancel.clone(),
        source: w.source.clone(),
        backend: w.run_on.clone(),
    });
}

/// The output links of a finished run.
pub fn output_links(w: &WizardScreen) -> &[crate::scaffold::output::OutputLink] {
    w.result.as_ref().and_then(|r| r.as_ref().ok()).map_or(&[], |r| r.output.links.as_slice())
}

/// `o` on a result: opens the selected link (its URL in the browser, else
/// shows it).
pub fn open_output_link(w: &WizardScreen, cx: &mut Ctx) {
    let Some(link) = output_links(w).get(w.link) else { return };
    match link.url.clone() {
        Some(u) if cx.browser && (u.starts_with("https://") || u.starts_with("http://")) => {
            cx.effect(Effect::OpenUrl(u))
        }
        Some(u) => cx.flash(u, Level::Info),
        None => cx.flash(link.entity_ref.clone().unwrap_or_default(), Level::Info),
    }
}

/// `y` on a result: copies the selected link's URL (or entity ref).
pub fn copy_output_link(w: &WizardScreen, cx: &mut Ctx) {
    let Some(link) = output_links(w).get(w.link) else { return };
    if let Some(text) = link.url.clone().or_else(|| link.entity_ref.clone()) {
        cx.flash(format!("copied {text}"), Level::Info);
        cx.effect(Effect::CopyOsc52(text));
    }
}

/// A run's event or result arrived.
pub fn on_run_event(stack: &mut [Screen], run_id: u64, event: crate::scaffold::Event) {
    for screen in stack.iter_mut() {
        if let Screen::Wizard(w) = screen
            && w.run_id == run_id
        {
            w.on_event(event);
            return;
        }
    }
}

/// A run finished; catalog files it registered locally are synced.
/// Returns the effects and what to flash.
pub fn on_run_done(
    stack: &mut [Screen],
    run_id: u64,
    result: Result<crate::scaffold::RunResult, crate::scaffold::runner::RunError>,
) -> (Vec<Effect>, Option<(String, Level)>) {
    let mut sync: Vec<Effect> = result
        .as_ref()
        .map(|r| r.registered.iter().map(|s| Effect::Sync(Some(s.clone()))).collect())
        .unwrap_or_default();
    for screen in stack.iter_mut() {
        if let Screen::Wizard(w) = screen
            && w.run_id == run_id
        {
            let flash = match &result {
                Ok(r) if r.files.is_empty() && r.task.is_some() => {
                    (format!("done: {}", r.task.as_deref().unwrap_or_default()), Level::Info)
                }
                Ok(r) if r.files.is_empty() && !w.dry_run => (format!("done: {}", r.workspace.display()), Level::Info),
                Ok(r) => (format!("dry run: {} files, nothing written", r.files.len()), Level::Info),
                Err(e) => (format!("run failed: {}", e.message), Level::Error),
            };
            // A real run made what the draft described: it is spent.
            if result.is_ok() && !w.dry_run {
                w.dirty = false;
                let template = w.template.entity_ref.clone();
                sync.push(Effect::Draft(draft::DraftEffect::Remove(template)));
            }
            w.stage = Stage::Finished;
            w.result = Some(result);
            return (sync, Some(flash));
        }
    }
    (Vec::new(), None)
}
