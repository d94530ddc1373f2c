//! Keys on the wizard: moving through fields and pages, editing values
//! (text editor, choosers, catalog pickers), review, run, cancel.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::KeyEvent;
use ratatui_textarea::{CursorMove, TextArea};
use serde_json::Value as Json;

use crate::scaffold::fields::{FieldKind, plain};
use crate::scaffold::form::{Field, get_path, set_path};
use crate::scaffold::runner::{RunInput, RunOptions, StepStatus};
use crate::scaffold::{Template, repo_url, template::base_dir_of, values};

use super::action::Action;
use super::app::{App, Level};
use super::effects::Effect;
use super::input::LineInput;
use super::navigation::{self, Nav};
use super::screens::Screen;
use super::screens::selection::Selection;
use super::wizard::{Chooser, ReviewRow, Row, Stage, Target, WizardScreen};

/// Opens the wizard on Template entity `i`.
pub fn open(app: &mut App, i: u32) -> Vec<Effect> {
    let template =
        app.index().entity(i).and_then(|e| Template::from_entity(&e, base_dir_of(&e)).map_err(|e| e.to_string()));
    let source = app.index().remote_source_of(i).map(String::from);
    let backends = app.index().remote_sources().into_iter().map(String::from).collect();
    match template {
        Ok(t) => {
            let w = WizardScreen::new(t).with_backends(source, backends);
            return navigation::go(app, Nav::Push(Box::new(Screen::Wizard(Box::new(w)))));
        }
        Err(e) => app.flash(format!("cannot open the template: {e}"), Level::Error),
    }
    Vec::new()
}

fn wizard(app: &mut App) -> Option<&mut WizardScreen> {
    match app.screen_mut() {
        Screen::Wizard(w) => Some(w),
        _ => None,
    }
}

fn editor(text: &str, multiline: bool) -> TextArea<'static> {
    let lines: Vec<String> =
        if multiline { text.split('\n').map(String::from).collect() } else { vec![text.replace('\n', " ")] };
    let mut area = TextArea::new(lines);
    area.move_cursor(CursorMove::Bottom);
    area.move_cursor(CursorMove::End);
    area
}

fn text_of(f: &Field, v: Option<&Json>) -> String {
    match v {
        None => String::new(),
        Some(Json::Array(items)) if f.kind != FieldKind::Json => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        Some(v) if f.kind == FieldKind::Json => v.to_string(),
        Some(v) => plain(v),
    }
}

/// Handles an action while the wizard is on top; `None` leaves it to the
/// generic handling (help, palette, quit).
pub fn handle(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let index = app.loaded.as_ref().map(|l| l.index.clone());
    let identity = app.identity.clone();
    let page_len = app.page() as isize;
    let w = wizard(app)?;
    if w.editor.is_some() {
        editor_action(w, action);
        return Some(Vec::new());
    }
    if w.chooser.is_some() {
        super::wizard_chooser::chooser_action(w, action, page_len);
        return Some(Vec::new());
    }
    let delta = match action {
        Action::MoveUp => Some(-1),
        Action::MoveDown => Some(1),
        Action::PageUp | Action::HalfPageUp => Some(-page_len / 2),
        Action::PageDown | Action::HalfPageDown => Some(page_len / 2),
        Action::Top => Some(-100_000),
        Action::Bottom => Some(100_000),
        _ => None,
    };
    match w.stage {
        Stage::Form => {
            if let Some(d) = delta {
                let n = w.rows().len();
                w.sel.move_by(d, n);
                return Some(Vec::new());
            }
            match action {
                Action::Select => activate(w, index.as_deref(), identity.as_deref()),
                Action::NextPane => next_page(w),
                Action::PrevPane | Action::Back | Action::Quit => {
                    if w.page == 0 {
                        return Some(navigation::go(app, Nav::Leave));
                    } else {
                        w.page -= 1;
                        w.sel = Selection::default();
                    }
                    Vec::new()
                }
                _ => return None,
            }
            .into()
        }
        Stage::Review => {
            if let Some(d) = delta {
                let n = w.review_rows().len();
                w.sel.move_by(d, n);
                return Some(Vec::new());
            }
            match action {
                Action::Select => return Some(review_select(app)),
                Action::Back | Action::Quit | Action::PrevPane => {
                    w.stage = Stage::Form;
                    w.page = w.visible().len().saturating_sub(1);
                    w.sel = Selection::default();
                }
                _ => return None,
            }
            Some(Vec::new())
        }
        Stage::Running | Stage::Finished => {
            if let Some(d) = delta {
                w.scroll = w.scroll.saturating_add_signed(d).min(w.logs.len() + 200);
                return Some(Vec::new());
            }
            match action {
                Action::Back | Action::Quit if w.stage == Stage::Running => {
                    w.cancel.store(true, Ordering::Relaxed);
                    app.flash("cancelling after the current step…", Level::Warning);
                }
                Action::Back | Action::Quit => return Some(navigation::go(app, Nav::Leave)),
                Action::OpenLink => return Some(open_output_link(app)),
                _ => return None,
            }
            Some(Vec::new())
        }
    }
}

fn editor_action(w: &mut WizardScreen, action: Action) {
    let Some((_, area, multiline)) = &mut w.editor else { return };
    match action {
        Action::Select if *multiline => area.insert_newline(),
        Action::Select => commit_editor(w),
        Action::Back if *multiline => commit_editor(w),
        Action::Back => w.editor = None,
        Action::ClearQuery => *area = editor("", *multiline),
        Action::MoveUp if *multiline => area.move_cursor(CursorMove::Up),
        Action::MoveDown if *multiline => area.move_cursor(CursorMove::Down),
        Action::NextPane | Action::MoveDown | Action::MoveUp => commit_editor(w),
        _ => {}
    }
}

pub(super) fn field_at(w: &WizardScreen, path: &[String]) -> Option<Field> {
    values::all_fields(&w.template, &w.params).into_iter().find(|f| f.path == path)
}

pub(super) fn set_value(w: &mut WizardScreen, field: &Field, value: Option<Json>) {
    w.touched.insert(field.key());
    if field.kind == FieldKind::Secret {
        match value {
            Some(v) => w.secrets.insert(field.key(), v),
            None => w.secrets.remove(&field.key()),
        };
    } else {
        set_path(&mut w.params, &field.path, value);
    }
}

pub(super) fn set_repo_part(w: &mut WizardScreen, path: &[String], part: &str, text: &str) {
    let current = get_path(&w.params, path).and_then(Json::as_str).unwrap_or("").to_string();
    let (mut host, mut parts) = repo_url::split(&current);
    if part == "host" {
        host = text.trim().to_string();
    } else {
        parts.retain(|(k, _)| k != part);
        parts.push((part.to_string(), text.trim().to_string()));
    }
    let order = repo_url::parts_for(&host);
    parts.sort_by_key(|(k, _)| order.iter().position(|o| o == k).unwrap_or(usize::MAX));
    w.touched.insert(path.join("."));
    set_path(&mut w.params, path, Some(Json::String(repo_url::compose(&host, &parts))));
}

fn commit_editor(w: &mut WizardScreen) {
    let Some((target, area, _)) = w.editor.take() else { return };
    let text = area.lines().join("\n");
    match target {
        Target::Output => w.output = text,
        Target::RepoPart(path, part) => set_repo_part(w, &path, &part, &text),
        Target::Field(path) => {
            let Some(field) = field_at(w, &path) else { return };
            if text.trim().is_empty() && !matches!(field.kind, FieldKind::Text { .. }) || text.is_empty() {
                set_value(w, &field, None);
                return;
            }
            match values::parse_for(Some(&field), &text) {
                Ok(v) => set_value(w, &field, Some(v)),
                // Kept as typed: the field shows why it is not valid.
                Err(_) => set_value(w, &field, Some(Json::String(text))),
            }
        }
    }
}

fn activate(w: &mut WizardScreen, index: Option<&crate::index::Index>, identity: Option<&str>) -> Vec<Effect> {
    let rows = w.rows();
    let fields = w.fields();
    match rows.get(w.sel.selected).cloned() {
        Some(Row::Next) | None => return next_page(w),
        Some(Row::RepoPart(i, part)) => {
            let f = &fields[i];
            let (host, parts) = repo_url::split(w.value(f).and_then(Json::as_str).unwrap_or(""));
            let hosts = repo_url::allowed_hosts(&f.schema);
            if part == "host" && !hosts.is_empty() {
                let options = hosts.iter().map(|h| (Json::String(h.clone()), h.clone())).collect();
                let sel =
                    Selection { selected: hosts.iter().position(|h| *h == host).unwrap_or(0), ..Default::default() };
                let c = Chooser { options, sel, multi: false, chosen: Vec::new(), query: None };
                w.chooser = Some((Target::RepoPart(f.path.clone(), part), c));
            } else {
                let current = if part == "host" {
                    host
                } else {
                    parts.iter().find(|(k, _)| *k == part).map(|p| p.1.clone()).unwrap_or_default()
                };
                w.editor = Some((Target::RepoPart(f.path.clone(), part), editor(&current, false), false));
            }
        }
        Some(Row::Field(i)) => {
            let f = fields[i].clone();
            let value = w.value(&f).cloned();
            let target = Target::Field(f.path.clone());
            match &f.kind {
                FieldKind::Boolean => {
                    let on = value.as_ref().and_then(Json::as_bool).unwrap_or(false);
                    set_value(w, &f, Some(Json::Bool(!on)));
                }
                FieldKind::Select { options, .. } => {
                    let sel = Selection {
                        selected: options.iter().position(|(v, _)| Some(v) == value.as_ref()).unwrap_or(0),
                        ..Default::default()
                    };
                    w.chooser = Some((
                        target,
                        Chooser { options: options.clone(), sel, multi: false, chosen: Vec::new(), query: None },
                    ));
                }
                FieldKind::MultiSelect { options } => {
                    let chosen = value.and_then(|v| v.as_array().cloned()).unwrap_or_default();
                    w.chooser = Some((
                        target,
                        Chooser {
                            options: options.clone(),
                            sel: Selection::default(),
                            multi: true,
                            chosen,
                            query: None,
                        },
                    ));
                }
                FieldKind::Picker(_) | FieldKind::MultiPicker => {
                    let multi = f.kind == FieldKind::MultiPicker;
                    let chosen =
                        if multi { value.and_then(|v| v.as_array().cloned()).unwrap_or_default() } else { Vec::new() };
                    let options = super::wizard_chooser::picker_options(index, &f, identity, "");
                    let query = Some(LineInput::new(&super::wizard_chooser::picker_hint(&f)));
                    w.chooser = Some((target, Chooser { options, sel: Selection::default(), multi, chosen, query }));
                }
                FieldKind::Info | FieldKind::Hidden | FieldKind::Object | FieldKind::RepoUrl => {}
                kind => {
                    let multiline = matches!(kind, FieldKind::Text { multiline: true, .. } | FieldKind::Json);
                    w.editor = Some((target, editor(&text_of(&f, value.as_ref()), multiline), multiline));
                }
            }
        }
    }
    Vec::new()
}

fn next_page(w: &mut WizardScreen) -> Vec<Effect> {
    let errors = w.page_errors();
    if !errors.is_empty() {
        w.show_all_errors = true;
        let rows = w.rows();
        let fields = w.fields();
        if let Some(i) = rows.iter().position(|r| matches!(r, Row::Field(f) if fields[*f].key() == errors[0].key)) {
            w.sel.selected = i;
        }
        return Vec::new();
    }
    w.show_all_errors = false;
    w.sel = Selection::default();
    if w.page + 1 >= w.visible().len() {
        w.stage = Stage::Review;
    } else {
        w.page += 1;
    }
    Vec::new()
}

fn review_select(app: &mut App) -> Vec<Effect> {
    let index = app.loaded.as_ref().map(|l| l.index.clone());
    let identity = app.identity.clone();
    let run_id = app.next_generation();
    let Some(w) = wizard(app) else { return Vec::new() };
    let rows = w.review_rows();
    match rows.get(w.sel.selected).cloned() {
        Some(ReviewRow::Value(p, key)) => {
            w.stage = Stage::Form;
            w.page = w.visible().iter().position(|x| *x == p).unwrap_or(0);
            let fields = w.fields();
            w.sel = Selection::default();
            w.sel.selected =
                w.rows().iter().position(|r| matches!(r, Row::Field(i) if fields[*i].key() == key)).unwrap_or(0);
        }
        Some(ReviewRow::Output) => {
            let shown = w.output_dir().display().to_string();
            w.editor = Some((Target::Output, editor(&shown, false), false));
        }
        Some(ReviewRow::RunOn) => w.cycle_run_on(),
        Some(ReviewRow::DryRun) => w.dry_run = !w.dry_run,
        Some(ReviewRow::Run) => return start_run(app, run_id, index, identity),
        None => {}
    }
    Vec::new()
}

fn start_run(
    app: &mut App,
    run_id: u64,
    index: Option<Arc<crate::index::Index>>,
    identity: Option<String>,
) -> Vec<Effect> {
    let Some(w) = wizard(app) else { return Vec::new() };
    if w.run_on.is_none()
        && let Some((why, instead)) = w.run_note()
    {
        app.flash(format!("{why}; {instead}"), Level::Error);
        return Vec::new();
    }
    let problems = values::problems(&w.template, &w.params, &w.secrets);
    if let Some((_, first)) = problems.first() {
        let text = format!("{}: {} (fix it before running)", first.key, first.message);
        app.flash(text, Level::Error);
        return Vec::new();
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
    vec![Effect::RunTemplate {
        run_id,
        template: w.template.clone(),
        input: Box::new(input),
        options: Box::new(options),
        index,
        cancel: w.cancel.clone(),
        source: w.source.clone(),
        backend: w.run_on.clone(),
    }]
}

fn open_output_link(app: &mut App) -> Vec<Effect> {
    let Some(w) = wizard(app) else { return Vec::new() };
    let url =
        w.result.as_ref().and_then(|r| r.as_ref().ok()).and_then(|r| r.output.links.iter().find_map(|l| l.url.clone()));
    match url {
        Some(u) if app.browser && (u.starts_with("https://") || u.starts_with("http://")) => vec![Effect::OpenUrl(u)],
        Some(u) => {
            app.flash(u, Level::Info);
            Vec::new()
        }
        None => Vec::new(),
    }
}

/// Keys no binding took: text for the open editor or picker query.
pub fn type_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let index = app.loaded.as_ref().map(|l| l.index.clone());
    let identity = app.identity.clone();
    let Some(w) = wizard(app) else { return Vec::new() };
    if let Some((_, area, multiline)) = &mut w.editor {
        if !*multiline && matches!(key.code, crossterm::event::KeyCode::Enter) {
            return Vec::new();
        }
        area.input(key);
        return Vec::new();
    }
    let Some((Target::Field(path), c)) = &mut w.chooser else { return Vec::new() };
    let Some(q) = &mut c.query else { return Vec::new() };
    if q.input(key) {
        let text = q.text().to_string();
        let path = path.clone();
        if let Some(field) = field_at(w, &path)
            && let Some((_, c)) = &mut w.chooser
        {
            c.options = super::wizard_chooser::picker_options(index.as_deref(), &field, identity.as_deref(), &text);
            c.sel = Selection::default();
        }
    }
    Vec::new()
}

/// A run's event or result arrived.
pub fn on_run_event(app: &mut App, run_id: u64, event: crate::scaffold::Event) {
    for screen in app.stack.iter_mut() {
        if let Screen::Wizard(w) = screen
            && w.run_id == run_id
        {
            w.on_event(event);
            return;
        }
    }
}

/// A run finished; catalog files it registered locally are synced.
pub fn on_run_done(
    app: &mut App,
    run_id: u64,
    result: Result<crate::scaffold::RunResult, crate::scaffold::runner::RunError>,
) -> Vec<Effect> {
    let sync: Vec<Effect> = result
        .as_ref()
        .map(|r| r.registered.iter().map(|s| Effect::Sync(Some(s.clone()))).collect())
        .unwrap_or_default();
    let flash = match &result {
        Ok(r) if r.files.is_empty() && r.task.is_some() => {
            (format!("done: {}", r.task.as_deref().unwrap_or_default()), Level::Info)
        }
        Ok(r) if r.files.is_empty() => (format!("done: {}", r.workspace.display()), Level::Info),
        Ok(r) => (format!("dry run: {} files, nothing written", r.files.len()), Level::Info),
        Err(e) => (format!("run failed: {}", e.message), Level::Error),
    };
    for screen in app.stack.iter_mut() {
        if let Screen::Wizard(w) = screen
            && w.run_id == run_id
        {
            w.stage = Stage::Finished;
            w.result = Some(result);
            app.flash(flash.0, flash.1);
            return sync;
        }
    }
    Vec::new()
}
