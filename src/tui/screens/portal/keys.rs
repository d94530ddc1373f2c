//! Keys of the portal screens, and delivering what their effects answer.
//! Running an action follows its attributes: read-only runs at once,
//! others ask (`y`/`n`, Enter for the default), destructive ones with
//! Cancel as the default. On `:tasks`, `c` cancels and `r` retries the
//! task under the cursor (or open), after asking.

use crossterm::event::{KeyCode, KeyEvent};

use crate::portal::action_input;
use crate::portal::actions::Ask;
use crate::scaffold::fields::FieldKind;
use crate::scaffold::form::{get_path, set_path};
use crate::tui::action::Action;
use crate::tui::app::Level;
use crate::tui::context::{Ctx, Handled, Nav};
use crate::tui::effects::Effect;
use crate::tui::effects::portal::PortalEffect;
use crate::tui::input::LineInput;

use super::super::Screen;
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

/// Keys no binding took: the filter, the editor, a yes/no, `c`/`r`.
pub fn typed(p: &mut PortalScreen, key: KeyEvent, cx: &mut Ctx) {
    let KeyCode::Char(c) = key.code else {
        if let PortalScreen::Actions(a) = p {
            edit(a, key);
        }
        return;
    };
    match p {
        PortalScreen::Actions(a) => match &mut a.form {
            Some(f) if f.confirm.is_some() => answer(a, c == 'y' || c == 'Y', c, cx),
            _ => edit(a, key),
        },
        PortalScreen::Tasks(t) if t.confirm.is_some() => answer_task(t, c == 'y' || c == 'Y', c, cx),
        PortalScreen::Tasks(t) if c == 'c' || c == 'r' => ask_task(t, c == 'r', cx),
        PortalScreen::Tasks(_) | PortalScreen::Search(_) => {}
    }
}

/// Text typed into the filter or the editor.
fn edit(a: &mut ActionsScreen, key: KeyEvent) {
    if let Some(editor) = a.form.as_mut().and_then(|f| f.editor.as_mut()) {
        editor.input(key);
    } else if a.filtering && a.filter.input(key) {
        a.sel = Default::default();
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
    if f.editor.is_some() {
        match action {
            Action::Select | Action::NextPane => commit(f, cx),
            Action::Back => f.editor = None,
            Action::ClearQuery => {
                f.editor.as_mut().map(LineInput::clear);
            }
            _ => {}
        }
        return Handled::Yes;
    }
    let fields = f.fields();
    match action {
        Action::Back | Action::Quit => a.form = None,
        Action::Select if f.sel.selected >= fields.len() => run(a, cx),
        Action::Select => {
            let field = &fields[f.sel.selected];
            let value = get_path(&f.values, &field.path).cloned();
            if field.kind == FieldKind::Boolean {
                let on = value.and_then(|v| v.as_bool()).unwrap_or(false);
                set_path(&mut f.values, &field.path, Some(serde_json::Value::Bool(!on)));
            } else {
                let text = match value {
                    None => String::new(),
                    Some(serde_json::Value::String(s)) => s,
                    Some(v) => v.to_string(),
                };
                let mut editor = LineInput::new(&field.title());
                editor.set(&text);
                f.editor = Some(editor);
            }
        }
        Action::PageDown | Action::HalfPageDown if f.output.is_some() => {
            f.scroll = f.scroll.saturating_add(cx.page / 2)
        }
        Action::PageUp | Action::HalfPageUp if f.output.is_some() => f.scroll = f.scroll.saturating_sub(cx.page / 2),
        other => match delta(other, cx.page) {
            Some(d) => f.sel.move_by(d, fields.len() + 1),
            None => return Handled::No,
        },
    }
    Handled::Yes
}

/// Sets the edited field from the editor's text (converted by its type).
fn commit(f: &mut ActionForm, cx: &mut Ctx) {
    let Some(editor) = f.editor.take() else { return };
    let fields = f.fields();
    let Some(field) = fields.get(f.sel.selected) else { return };
    let text = editor.text().to_string();
    if text.is_empty() {
        set_path(&mut f.values, &field.path, None);
        return;
    }
    if let Err(e) = action_input::set(&f.page, &mut f.values, &format!("{}={text}", field.key())) {
        cx.flash(e, Level::Error);
    }
}

/// Run on the form: checks the input, then asks or runs.
fn run(a: &mut ActionsScreen, cx: &mut Ctx) {
    let Some(f) = a.form.as_mut() else { return };
    let problems = action_input::problems(&f.page, &f.values);
    if let Some(first) = problems.first() {
        f.show_errors = true;
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
        input: f.values.clone(),
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
            match hit.entity_ref.as_deref().and_then(|r| cx.index().find(r)) {
                Some(i) => cx.go(Nav::Open(i)),
                None => cx.flash(format!("{} is not in the local index: {}", hit.title, hit.location), Level::Info),
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
