//! Keys on the wizard: moving through fields and pages, editing values
//! (text editor, choosers, catalog pickers), review, run, cancel.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::KeyEvent;
use ratatui_textarea::{CursorMove, TextArea};
use serde_json::Value as Json;

use crate::scaffold::fields::{FieldKind, plain};
use crate::scaffold::form::Field;
use crate::scaffold::runner::{RunInput, RunOptions, StepStatus};
use crate::scaffold::{repo_url, values};

use crate::tui::action::Action;
use crate::tui::app::Level;
use crate::tui::context::{Ctx, Handled, Nav};
use crate::tui::effects::Effect;
use crate::tui::input::LineInput;
use crate::tui::screens::Screen;
use crate::tui::screens::selection::Selection;

use super::chooser::{chooser_action, picker_hint, picker_options};
use super::{Chooser, ReviewRow, Row, Stage, Target, WizardScreen, field_at, set_repo_part, set_value};

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

/// Runs `action` on the wizard. Esc (or shift-tab) on the first page,
/// and on a finished run, leaves it.
pub fn handle(w: &mut WizardScreen, action: Action, cx: &mut Ctx) -> Handled {
    let page_len = cx.page as isize;
    if w.editor.is_some() {
        editor_action(w, action);
        return Handled::Yes;
    }
    if w.chooser.is_some() {
        chooser_action(w, action, page_len);
        return Handled::Yes;
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
    match (w.stage, action) {
        (Stage::Form, _) if delta.is_some() => {
            let n = w.rows().len();
            w.sel.move_by(delta.unwrap_or_default(), n);
        }
        (Stage::Form, Action::Select) => activate(w, cx.loaded.map(|l| &*l.index), cx.identity),
        (Stage::Form, Action::NextPane) => next_page(w),
        (Stage::Form, Action::PrevPane | Action::Back | Action::Quit) if w.page == 0 => cx.go(Nav::Leave),
        (Stage::Form, Action::PrevPane | Action::Back | Action::Quit) => {
            w.page -= 1;
            w.sel = Selection::default();
        }
        (Stage::Review, _) if delta.is_some() => {
            let n = w.review_rows().len();
            w.sel.move_by(delta.unwrap_or_default(), n);
        }
        (Stage::Review, Action::Select) => review_select(w, cx),
        (Stage::Review, Action::Back | Action::Quit | Action::PrevPane) => {
            w.stage = Stage::Form;
            w.page = w.visible().len().saturating_sub(1);
            w.sel = Selection::default();
        }
        (Stage::Running | Stage::Finished, _) if delta.is_some() => {
            w.scroll = w.scroll.saturating_add_signed(delta.unwrap_or_default()).min(w.logs.len() + 200);
        }
        (Stage::Running, Action::Back | Action::Quit) => {
            w.cancel.store(true, Ordering::Relaxed);
            cx.flash("cancelling after the current step…", Level::Warning);
        }
        (Stage::Finished, Action::Back | Action::Quit) => cx.go(Nav::Leave),
        (Stage::Running | Stage::Finished, Action::OpenLink) => open_output_link(w, cx),
        _ => return Handled::No, // not handled
    }
    Handled::Yes
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

fn activate(w: &mut WizardScreen, index: Option<&crate::index::Index>, identity: Option<&str>) {
    let rows = w.rows();
    let fields = w.fields();
    match rows.get(w.sel.selected).cloned() {
        Some(Row::Next) | None => next_page(w),
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
                    let options = picker_options(index, &f, identity, "");
                    let query = Some(LineInput::new(&picker_hint(&f)));
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
}

fn next_page(w: &mut WizardScreen) {
    let errors = w.page_errors();
    if !errors.is_empty() {
        w.show_all_errors = true;
        let rows = w.rows();
        let fields = w.fields();
        if let Some(i) = rows.iter().position(|r| matches!(r, Row::Field(f) if fields[*f].key() == errors[0].key)) {
            w.sel.selected = i;
        }
        return;
    }
    w.show_all_errors = false;
    w.sel = Selection::default();
    if w.page + 1 >= w.visible().len() {
        w.stage = Stage::Review;
    } else {
        w.page += 1;
    }
}

fn review_select(w: &mut WizardScreen, cx: &mut Ctx) {
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
        Some(ReviewRow::Run) => start_run(w, cx),
        None => {}
    }
}

fn start_run(w: &mut WizardScreen, cx: &mut Ctx) {
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

fn open_output_link(w: &WizardScreen, cx: &mut Ctx) {
    let url =
        w.result.as_ref().and_then(|r| r.as_ref().ok()).and_then(|r| r.output.links.iter().find_map(|l| l.url.clone()));
    match url {
        Some(u) if cx.browser && (u.starts_with("https://") || u.starts_with("http://")) => {
            cx.effect(Effect::OpenUrl(u))
        }
        Some(u) => cx.flash(u, Level::Info),
        None => {}
    }
}

/// Keys no binding took: text for the open editor or picker query.
pub fn typed(w: &mut WizardScreen, key: KeyEvent, cx: &mut Ctx) {
    let (index, identity) = (cx.loaded.map(|l| &*l.index), cx.identity);
    if let Some((_, area, multiline)) = &mut w.editor {
        if !*multiline && matches!(key.code, crossterm::event::KeyCode::Enter) {
            return;
        }
        area.input(key);
        return;
    }
    let Some((Target::Field(path), c)) = &mut w.chooser else { return };
    let Some(q) = &mut c.query else { return };
    if q.input(key) {
        let text = q.text().to_string();
        let path = path.clone();
        if let Some(field) = field_at(w, &path)
            && let Some((_, c)) = &mut w.chooser
        {
            c.options = picker_options(index, &field, identity, &text);
            c.sel = Selection::default();
        }
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
    for screen in stack.iter_mut() {
        if let Screen::Wizard(w) = screen
            && w.run_id == run_id
        {
            w.stage = Stage::Finished;
            w.result = Some(result);
            return (sync, Some(flash));
        }
    }
    (Vec::new(), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaffold::Template;

    fn template(pages: usize) -> Template {
        let pages: Vec<serde_json::Value> = (0..pages)
            .map(|i| serde_json::json!({"title": format!("page {i}"), "properties": {format!("f{i}"): {"type": "string"}}}))
            .collect();
        let value = serde_json::json!({
            "apiVersion": "scaffolder.backstage.io/v1beta3",
            "kind": "Template",
            "metadata": {"name": "t"},
            "spec": {"parameters": pages, "steps": []}
        });
        let entity = crate::model::Entity::from_json(value).unwrap();
        Template::from_entity(&entity, None).unwrap()
    }

    #[test]
    fn esc_on_the_first_page_leaves_the_wizard() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut w = WizardScreen::new(template(2));
        assert_eq!(handle(&mut w, Action::Back, &mut cx), Handled::Yes);
        assert!(matches!(cx.out.nav, Some(Nav::Leave)));
    }

    #[test]
    fn esc_on_a_later_page_goes_to_the_page_before() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut w = WizardScreen::new(template(2));
        assert_eq!(handle(&mut w, Action::NextPane, &mut cx), Handled::Yes);
        assert_eq!(w.page, 1);
        assert_eq!(handle(&mut w, Action::Back, &mut cx), Handled::Yes);
        assert_eq!(w.page, 0);
        assert!(cx.out.nav.is_none());
    }

    #[test]
    fn tab_on_the_last_page_reviews_and_esc_returns_to_it() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut w = WizardScreen::new(template(1));
        assert_eq!(handle(&mut w, Action::NextPane, &mut cx), Handled::Yes);
        assert_eq!(w.stage, Stage::Review);
        assert_eq!(handle(&mut w, Action::Back, &mut cx), Handled::Yes);
        assert_eq!(w.stage, Stage::Form);
        assert!(cx.out.nav.is_none());
    }

    #[test]
    fn help_and_star_are_left_to_the_global_actions() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut w = WizardScreen::new(template(1));
        assert_eq!(handle(&mut w, Action::Help, &mut cx), Handled::No);
        assert_eq!(handle(&mut w, Action::ToggleStar, &mut cx), Handled::No);
    }
}
