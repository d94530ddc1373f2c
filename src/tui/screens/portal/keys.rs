//! Keys of the portal screens, and delivering what their effects answer.
//! Running an action follows its attributes: read-only runs at once,
//! others ask (`y`/`n`, Enter for the default), destructive ones with
//! Cancel as the default. On `:tasks`, `c` cancels and `r` retries the
//! task under the cursor (or open), after asking. On `:search-remote`,
//! Enter opens a catalog result's entity, and a TechDocs result's page in
//! the Docs tab with its heading at the top.

use crossterm::event::{KeyCode, KeyEvent};

use crate::portal::action_input;
use crate::portal::actions::Ask;
use crate::portal::docs_place::docs_place;
use crate::tui::action::Action;
use crate::tui::app::Level;
use crate::tui::context::{Ctx, Handled, Nav};
use crate::tui::effects::Effect;
use crate::tui::effects::portal::PortalEffect;

use super::super::Screen;
use super::super::docs::DocsTarget;
use super::super::form::keys::{activate, handle_open};
use super::super::form::{FormHost, Row, items};
use super::{ActionForm, ActionsScreen, Confirm, PortalMsg, PortalScreen, SearchRemoteScreen, TaskDetail, TasksScreen};

/// Movement of an action, for lists: rows to move by.
fn delta(action: Action, page: usize) -> Option<isize> {
    let page = page as isize;
    Some(match action {
        Action::MoveUp => -1,
        Action::MoveDown => 1,
        Action::PageUp | Action::HalfPageUp => -page / 2,
        Action::PageDown | Action::HalfPageDown => page / 2,
        Action::Top => -100_000,
        Action::Bottom => 100_000,
        _ => return None,
    })
}

/// Runs `action` on a portal screen.
pub fn handle(p: &mut PortalScreen, action: Action, cx: &mut Ctx) -> Handled {
    match p {
        PortalScreen::Actions(a) => actions(a, action, cx),
        PortalScreen::Tasks(t) => tasks(t, action, cx),
        PortalScreen::Search(s) => search(s, action, cx),
    }
}

/// Keys no binding took: the filter, the form's editor or picker query, a
/// yes/no, `c`/`r`.
pub fn typed(p: &mut PortalScreen, key: KeyEvent, cx: &mut Ctx) {
    if let PortalScreen::Actions(a) = p {
        match &mut a.form {
            Some(f) if f.confirm.is_some() => {
                if let KeyCode::Char(c) = key.code {
                    answer(a, c == 'y' || c == 'Y', c, cx);
                }
            }
            Some(f) => {
                let (index, identity) = (cx.loaded.map(|l| &*l.index), cx.identity);
                super::super::form::keys::typed(&mut f.form, key, index, identity);
            }
            None if a.filtering && a.filter.input(key) => a.sel = Default::default(),
            None => {}
        }
        return;
    }
    let KeyCode::Char(c) = key.code else { return };
    match p {
        PortalScreen::Tasks(t) if t.confirm.is_some() => answer_task(t, c == 'y' || c == 'Y', c, cx),
        PortalScreen::Tasks(t) if c == 'c' || c == 'r' => ask_task(t, c == 'r', cx),
        _ => {}
    }
}

fn actions(a: &mut ActionsScreen, action: Action, cx: &mut Ctx) -> Handled {
    if a.form.is_some() {
        return form(a, action, cx);
    }
    let shown = a.shown().len();
    match action {
        Action::Select | Action::Back if a.filtering => a.filtering = false,
        Action::Filter => a.filtering = true,
        Action::ClearQuery => {
            a.filter.clear();
        }
        Action::Select => {
            let chosen = a.shown().get(a.sel.selected).map(|x| (*x).clone());
            if let Some(chosen) = chosen {
                a.form = Some(ActionForm::new(chosen));
            }
        }
        other => match delta(other, cx.page) {
            Some(d) => a.sel.move_by(d, shown),
            None => return Handled::No,
        },
    }
    Handled::Yes
}

fn form(a: &mut ActionsScreen, action: Action, cx: &mut Ctx) -> Handled {
    let Some(f) = a.form.as_mut() else { return Handled::No };
    if f.confirm.is_some() {
        match action {
            Action::Select => {
                let yes = f.confirm.as_ref().is_some_and(|c| c.default_yes);
                answer(a, yes, '\n', cx);
            }
            Action::Back | Action::Quit => f.confirm = None,
            _ => {}
        }
        return Handled::Yes;
    }
    if handle_open(&mut f.form, action, cx) {
        return Handled::Yes;
    }
    let rows = f.form.rows();
    match action {
        Action::Back | Action::Quit => a.form = None,
        Action::Select => match rows.get(f.form.sel.selected).cloned() {
            Some(Row::Next) | None => run(a, cx),
            Some(row) => activate(&mut f.form, &row, cx.loaded.map(|l| &*l.index), cx.identity),
        },
        Action::ItemAdd | Action::ItemRemove | Action::ItemUp | Action::ItemDown => {
            return if items::item_action(&mut f.form, action) { Handled::Yes } else { Handled::No };
        }
        Action::PageDown | Action::HalfPageDown if f.output.is_some() => {
            f.scroll = f.scroll.saturating_add(cx.page / 2)
        }
        Action::PageUp | Action::HalfPageUp if f.output.is_some() => f.scroll = f.scroll.saturating_sub(cx.page / 2),
        other => match delta(other, cx.page) {
            Some(d) => f.form.sel.move_by(d, rows.len()),
            None => return Handled::No,
        },
    }
    Handled::Yes
}

/// Run on the form: checks the input (the cursor goes to the first
/// problem, every problem shows), then asks or runs.
fn run(a: &mut ActionsScreen, cx: &mut Ctx) {
    let Some(f) = a.form.as_mut() else { return };
    let problems = action_input::problems(&f.form.page, &f.form.values);
    if let Some(first) = problems.first() {
        f.form.edit.show_all_errors = true;
        let fields = f.form.fields();
        if let Some(row) =
            f.form.rows().iter().position(|r| matches!(r, Row::Field(i) if fields[*i].key() == first.key))
        {
            f.form.sel.selected = row;
        }
        cx.flash(format!("{}: {} (fix it before running)", first.key, first.message), Level::Error);
        return;
    }
    let question = format!("run {} ({})?", f.action.id, f.action.attributes.words());
    match f.action.attributes.ask() {
        Ask::Never => start(a, cx),
        Ask::DefaultRun => f.confirm = Some(Confirm { question: format!("{question} [Y/n]"), default_yes: true }),
        Ask::DefaultCancel => f.confirm = Some(Confirm { question: format!("{question} [y/N]"), default_yes: false }),
    }
}

/// The answer to the question before running: `y`, `n` or Enter.
fn answer(a: &mut ActionsScreen, yes: bool, key: char, cx: &mut Ctx) {
    let Some(f) = a.form.as_mut() else { return };
    if !matches!(key, 'y' | 'Y' | 'n' | 'N' | '\n') {
        return;
    }
    f.confirm = None;
    if yes {
        start(a, cx);
    } else {
        cx.flash("not run", Level::Info);
    }
}

fn start(a: &mut ActionsScreen, cx: &mut Ctx) {
    let Some(f) = a.form.as_mut() else { return };
    a.generation = cx.next_generation();
    f.running = true;
    f.output = None;
    f.scroll = 0;
    cx.effect(Effect::Portal(PortalEffect::Invoke {
        source: a.source.clone(),
        action: Box::new(f.action.clone()),
        input: f.form.values.clone(),
        generation: a.generation,
    }));
}

fn tasks(t: &mut TasksScreen, action: Action, cx: &mut Ctx) -> Handled {
    if t.confirm.is_some() {
        match action {
            Action::Select => {
                let yes = t.confirm.as_ref().is_some_and(|(c, ..)| c.default_yes);
                answer_task(t, yes, '\n', cx);
            }
            Action::Back | Action::Quit => t.confirm = None,
            _ => {}
        }
        return Handled::Yes;
    }
    if let Some(d) = &mut t.detail {
        match action {
            Action::Back | Action::Quit => {
                t.detail = None;
                // Events of the task left behind are dropped by generation.
                t.generation = cx.next_generation();
                reload(t, cx);
            }
            other => match delta(other, cx.page) {
                Some(n) => d.scroll = d.scroll.saturating_add_signed(-n).min(d.log.len()),
                None => return Handled::No,
            },
        }
        return Handled::Yes;
    }
    let len = t.tasks.as_ref().and_then(|r| r.as_ref().ok()).map_or(0, Vec::len);
    match action {
        Action::Select => {
            let Some(task) = t.current().cloned() else { return Handled::Yes };
            t.generation = cx.next_generation();
            let id = task.id.clone();
            t.detail = Some(TaskDetail { task, log: Vec::new(), following: false, error: None, scroll: 0 });
            cx.effect(Effect::Portal(PortalEffect::OpenTask {
                source: t.source.clone(),
                id,
                generation: t.generation,
            }));
        }
        other => match delta(other, cx.page) {
            Some(d) => t.sel.move_by(d, len),
            None => return Handled::No,
        },
    }
    Handled::Yes
}

/// Lists the tasks again.
fn reload(t: &mut TasksScreen, cx: &mut Ctx) {
    cx.effect(Effect::Portal(PortalEffect::ListTasks {
        source: t.source.clone(),
        created_by: t.created_by.clone(),
        generation: t.generation,
    }));
}

/// `c` or `r`: asks before cancelling or retrying the current task.
fn ask_task(t: &mut TasksScreen, retry: bool, cx: &mut Ctx) {
    let Some(task) = t.current() else { return };
    let (can, verb) = if retry { (task.ended(), "retry") } else { (!task.ended(), "cancel") };
    if !can {
        let why = if retry { "only ended tasks can be retried" } else { "it already ended" };
        cx.flash(format!("cannot {verb} task {}: {why} ({})", task.id, task.status), Level::Warning);
        return;
    }
    let question = format!("{verb} task {} of {}? [Y/n]", task.id, task.template_label());
    t.confirm = Some((Confirm { question, default_yes: true }, task.id.clone(), retry));
}

fn answer_task(t: &mut TasksScreen, yes: bool, key: char, cx: &mut Ctx) {
    if !matches!(key, 'y' | 'Y' | 'n' | 'N' | '\n') {
        return;
    }
    let Some((_, id, retry)) = t.confirm.take() else { return };
    if yes {
        cx.effect(Effect::Portal(PortalEffect::Control { source: t.source.clone(), id, retry }));
    }
}

fn search(s: &mut SearchRemoteScreen, action: Action, cx: &mut Ctx) -> Handled {
    let hits = s.found.as_ref().and_then(|r| r.as_ref().ok()).map(|f| f.hits.as_slice()).unwrap_or_default();
    match action {
        Action::Select => {
            let Some(hit) = hits.get(s.sel.selected) else { return Handled::Yes };
            let place = docs_place(&hit.location);
            match (hit.entity_ref.as_deref().and_then(|r| cx.index().find(r)), place) {
                // A TechDocs page: the Docs tab, on that page, at its heading.
                (Some(i), Some(place)) => {
                    let target = DocsTarget { path: Some(place.path), anchor: place.anchor, ..DocsTarget::default() };
                    cx.go(Nav::OpenDocs(i, target))
                }
                (Some(i), None) => cx.go(Nav::Open(i)),
                (None, _) => {
                    cx.flash(format!("{} is not in the local index: {}", hit.title, hit.location), Level::Info)
                }
            }
        }
        other => match delta(other, cx.page) {
            Some(d) => s.sel.move_by(d, hits.len()),
            None => return Handled::No,
        },
    }
    Handled::Yes
}

/// Delivers a portal effect's answer to its screen (by generation);
/// returns a flash and follow-up effects.
pub fn on_msg(stack: &mut [Screen], counter: &mut u64, msg: PortalMsg) -> (Option<(String, Level)>, Vec<Effect>) {
    let mut flash = None;
    let mut effects = Vec::new();
    let generation = match &msg {
        PortalMsg::Actions { generation, .. }
        | PortalMsg::Output { generation, .. }
        | PortalMsg::Tasks { generation, .. }
        | PortalMsg::Task { generation, .. }
        | PortalMsg::Event { generation, .. }
        | PortalMsg::Followed { generation, .. }
        | PortalMsg::Found { generation, .. } => Some(*generation),
        PortalMsg::Controlled { .. } => None,
    };
    let screen = stack.iter_mut().rev().find_map(|s| match s {
        Screen::Portal(p) if generation.is_none_or(|g| p.generation() == g) => Some(p),
        _ => None,
    });
    let Some(screen) = screen else { return (None, effects) };
    match (&mut **screen, msg) {
        (PortalScreen::Actions(a), PortalMsg::Actions { result, .. }) => a.listing = Some(result),
        (PortalScreen::Actions(a), PortalMsg::Output { result, .. }) => {
            if let Some(f) = a.form.as_mut().filter(|f| f.running) {
                f.running = false;
                if result.is_err() {
                    flash = Some((format!("{} failed", f.action.id), Level::Error));
                }
                f.output = Some(result);
            }
        }
        (PortalScreen::Tasks(t), PortalMsg::Tasks { result, .. }) => {
            let len = result.as_ref().map_or(0, Vec::len);
            t.tasks = Some(result);
            t.sel.selected = t.sel.selected.min(len.saturating_sub(1));
        }
        (PortalScreen::Tasks(t), PortalMsg::Task { result, .. }) => match (result, &mut t.detail) {
            (Ok((task, log)), Some(d)) => {
                d.following = !task.ended();
                d.task = task;
                d.log = log;
            }
            (Err(e), Some(d)) => d.error = Some(e),
            _ => {}
        },
        (PortalScreen::Tasks(t), PortalMsg::Event { event, .. }) => {
            if let Some(d) = &mut t.detail {
                d.on_event(&event);
            }
        }
        (PortalScreen::Tasks(t), PortalMsg::Followed { result, .. }) => {
            if let Some(d) = &mut t.detail {
                d.following = false;
                match result {
                    Ok(task) => d.task = task,
                    Err(e) => d.error = Some(e),
                }
            }
        }
        (PortalScreen::Tasks(t), PortalMsg::Controlled { id, retry, result }) => {
            let verb = if retry { "retry" } else { "cancel" };
            flash = Some(match result {
                Ok(()) => (format!("asked the backend to {verb} task {id}"), Level::Info),
                Err(e) => (format!("cannot {verb} task {id}: {e}"), Level::Error),
            });
            *counter += 1;
            t.generation = *counter;
            match &t.detail {
                Some(d) => effects.push(Effect::Portal(PortalEffect::OpenTask {
                    source: t.source.clone(),
                    id: d.task.id.clone(),
                    generation: t.generation,
                })),
                None => effects.push(Effect::Portal(PortalEffect::ListTasks {
                    source: t.source.clone(),
                    created_by: t.created_by.clone(),
                    generation: t.generation,
                })),
            }
        }
        (PortalScreen::Search(s), PortalMsg::Found { result, .. }) => s.found = Some(result),
        _ => {}
    }
    (flash, effects)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::context::Ctx;
    use serde_json::{Value as Json, json};

    /// An actions screen with the form of an action open: `attributes`
    /// its `readOnly`/`destructive`, its input the wizard's kinds of fields.
    fn screen(attributes: Json) -> ActionsScreen {
        let action = crate::portal::actions::Action::from_json(
            &json!({"id": "demo:rich", "attributes": attributes, "schema": {"input": {"type": "object",
                "required": ["kind", "limit"], "properties": {
                    "kind": {"type": "string", "enum": ["Component", "Group"]},
                    "dryRun": {"type": "boolean", "default": true},
                    "limit": {"type": "integer", "minimum": 1},
                    "tags": {"type": "array", "items": {"type": "string"}}}}}}),
            "demo",
        )
        .unwrap();
        let mut a = ActionsScreen::new(None, 1);
        a.form = Some(ActionForm::new(action));
        a
    }

    fn press(a: &mut ActionsScreen, action: Action, cx: &mut Ctx) {
        assert_eq!(actions(a, action, cx), Handled::Yes, "{action:?}");
    }

    fn type_text(a: &mut ActionsScreen, text: &str, cx: &mut Ctx) {
        let mut p = PortalScreen::Actions(Box::new(std::mem::replace(a, ActionsScreen::new(None, 1))));
        for c in text.chars() {
            typed(&mut p, KeyEvent::from(KeyCode::Char(c)), cx);
        }
        let PortalScreen::Actions(back) = p else { unreachable!() };
        *a = *back;
    }

    fn values(a: &ActionsScreen) -> Json {
        Json::Object(a.form.as_ref().unwrap().form.values.clone())
    }

    #[test]
    fn enums_choose_booleans_toggle_and_text_converts_by_type() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut a = screen(json!({"readOnly": true}));
        assert_eq!(values(&a), json!({"dryRun": true}), "defaults prefilled");
        press(&mut a, Action::Select, &mut cx);
        assert!(a.form.as_ref().unwrap().form.edit.chooser.is_some(), "an enum is a choice list");
        press(&mut a, Action::MoveDown, &mut cx);
        press(&mut a, Action::Select, &mut cx);
        press(&mut a, Action::MoveDown, &mut cx);
        press(&mut a, Action::Select, &mut cx);
        press(&mut a, Action::MoveDown, &mut cx);
        press(&mut a, Action::Select, &mut cx);
        type_text(&mut a, "5", &mut cx);
        press(&mut a, Action::Select, &mut cx);
        press(&mut a, Action::MoveDown, &mut cx);
        press(&mut a, Action::Select, &mut cx);
        type_text(&mut a, "x, y", &mut cx);
        press(&mut a, Action::Select, &mut cx);
        assert_eq!(values(&a), json!({"kind": "Group", "dryRun": false, "limit": 5, "tags": ["x", "y"]}));
    }

    #[test]
    fn run_with_problems_shows_them_and_goes_to_the_first() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut a = screen(json!({"readOnly": true}));
        press(&mut a, Action::Bottom, &mut cx);
        press(&mut a, Action::Select, &mut cx);
        let f = a.form.as_ref().unwrap();
        assert!(f.form.edit.show_all_errors && f.form.sel.selected == 0, "the cursor on `kind`");
        assert_eq!(cx.out.flash.as_ref().unwrap().0, "kind: required (fix it before running)");
        assert!(cx.out.effects.is_empty(), "nothing sent");
    }

    fn filled(attributes: Json, cx: &mut Ctx) -> ActionsScreen {
        let mut a = screen(attributes);
        let f = a.form.as_mut().unwrap();
        f.form.values.insert("kind".into(), json!("Group"));
        f.form.values.insert("limit".into(), json!(2));
        press(&mut a, Action::Bottom, cx);
        press(&mut a, Action::Select, cx);
        a
    }

    #[test]
    fn read_only_runs_at_once_others_ask_destructive_defaults_to_cancel() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let a = filled(json!({"readOnly": true}), &mut cx);
        assert!(a.form.as_ref().unwrap().running && a.form.as_ref().unwrap().confirm.is_none());
        assert!(matches!(&cx.out.effects[..], [Effect::Portal(PortalEffect::Invoke { .. })]));

        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut a = filled(json!({}), &mut cx);
        let confirm = a.form.as_ref().unwrap().confirm.clone().unwrap();
        assert!(confirm.default_yes && confirm.question.ends_with("[Y/n]"), "{confirm:?}");
        press(&mut a, Action::Select, &mut cx);
        assert_eq!(cx.out.effects.len(), 1, "enter runs");

        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut a = filled(json!({"destructive": true}), &mut cx);
        let confirm = a.form.as_ref().unwrap().confirm.clone().unwrap();
        assert!(!confirm.default_yes && confirm.question.ends_with("[y/N]"), "{confirm:?}");
        press(&mut a, Action::Select, &mut cx);
        assert!(cx.out.effects.is_empty(), "enter cancels");
        assert_eq!(cx.out.flash.as_ref().unwrap().0, "not run");
        press(&mut a, Action::Select, &mut cx);
        type_text(&mut a, "y", &mut cx);
        assert_eq!(cx.out.effects.len(), 1, "y runs");
    }
}
