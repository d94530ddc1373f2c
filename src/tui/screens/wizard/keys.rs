//! Keys on the wizard: moving through fields and pages, editing values
//! (text editor, choosers, catalog pickers), review, run, cancel.

use std::sync::atomic::Ordering;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::{CursorMove, TextArea};
use serde_json::Value as Json;

use crate::scaffold::fields::{FieldKind, plain};
use crate::scaffold::form::Field;
use crate::scaffold::{repo_url, values};

use crate::tui::action::Action;
use crate::tui::app::Level;
use crate::tui::context::{Ctx, Handled, Nav};
use crate::tui::input::LineInput;
use crate::tui::screens::selection::Selection;

use super::chooser::{chooser_action, picker_hint, picker_options};
use super::draft;
use super::{
    Chooser, ReviewRow, Row, Stage, Target, WizardScreen, disabled_options, field_at, set_repo_part, set_value,
};

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

/// Runs `action` on the wizard. Esc (or shift-tab) on the first page
/// leaves it, asking first when values changed; Esc on a run's result
/// returns to the review page. A change of values saves the draft.
pub fn handle(w: &mut WizardScreen, action: Action, cx: &mut Ctx) -> Handled {
    let before = w.params.clone();
    let handled = handle_action(w, action, cx);
    draft::after_change(w, &before, cx);
    handled
}

/// Leaves the wizard, or asks first (Cancel chosen) when values changed.
fn leave(w: &mut WizardScreen, cx: &mut Ctx) {
    if w.dirty {
        w.confirm_leave = Some(false);
    } else {
        cx.go(Nav::Leave);
    }
}

/// Keys while "Leave the wizard?" is open: Cancel is the default.
fn confirm_action(w: &mut WizardScreen, leave_chosen: bool, action: Action, cx: &mut Ctx) {
    match action {
        Action::Select => {
            w.confirm_leave = None;
            if leave_chosen {
                cx.go(Nav::Leave);
            }
        }
        Action::Back | Action::Quit => w.confirm_leave = None,
        Action::NextPane | Action::PrevPane | Action::MoveUp | Action::MoveDown => {
            w.confirm_leave = Some(!leave_chosen)
        }
        _ => {}
    }
}

fn handle_action(w: &mut WizardScreen, action: Action, cx: &mut Ctx) -> Handled {
    let page_len = cx.page as isize;
    if let Some(leave_chosen) = w.confirm_leave {
        confirm_action(w, leave_chosen, action, cx);
        return Handled::Yes;
    }
    if w.editor.is_some() {
        if action == Action::Reveal {
            w.reveal = !w.reveal;
        } else {
            editor_action(w, action, cx);
        }
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
        (Stage::Form, Action::ItemAdd | Action::ItemRemove | Action::ItemUp | Action::ItemDown) => {
            return if super::items::item_action(w, action) { Handled::Yes } else { Handled::No };
        }
        (Stage::Form, Action::Select) => activate(w, cx.loaded.map(|l| &*l.index), cx.identity),
        (Stage::Form, Action::NextPane) => next_page(w),
        (Stage::Form, Action::PrevPane | Action::Back | Action::Quit) if w.page == 0 => leave(w, cx),
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
        (Stage::Finished, Action::Back) => {
            w.stage = Stage::Review;
            w.sel = Selection { selected: w.review_rows().len().saturating_sub(1), ..Default::default() };
        }
        (Stage::Finished, Action::Quit) => leave(w, cx),
        (Stage::Running | Stage::Finished, Action::OpenLink) => super::run::open_output_link(w, cx),
        (Stage::Finished, Action::CopyRef) => super::run::copy_output_link(w, cx),
        (Stage::Finished, Action::NextPane | Action::PrevPane) => {
            let n = super::run::output_links(w).len().max(1);
            w.link = if action == Action::NextPane { (w.link + 1) % n } else { (w.link + n - 1) % n };
        }
        _ => return Handled::No, // not handled
    }
    Handled::Yes
}

fn editor_action(w: &mut WizardScreen, action: Action, cx: &mut Ctx) {
    let Some((_, area, multiline)) = &mut w.editor else { return };
    match action {
        Action::Select if *multiline => area.insert_newline(),
        Action::Select => commit_editor(w, cx),
        Action::Back if *multiline => commit_editor(w, cx),
        Action::Back => w.editor = None,
        Action::ClearQuery => *area = editor("", *multiline),
        Action::MoveUp if *multiline => area.move_cursor(CursorMove::Up),
        Action::MoveDown if *multiline => area.move_cursor(CursorMove::Down),
        Action::NextPane | Action::MoveDown | Action::MoveUp => commit_editor(w, cx),
        _ => {}
    }
}

fn commit_editor(w: &mut WizardScreen, cx: &mut Ctx) {
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
                // Kept as typed: the field shows why it is not valid (a file
                // that cannot be read says why on the status line).
                Err(e) => {
                    if field.schema.get("format").and_then(Json::as_str) == Some("data-url") {
                        cx.flash(e, Level::Error);
                    }
                    set_value(w, &field, Some(Json::String(text)));
                }
            }
        }
    }
}

fn activate(w: &mut WizardScreen, index: Option<&crate::index::Index>, identity: Option<&str>) {
    let rows = w.rows();
    let fields = w.fields();
    match rows.get(w.sel.selected).cloned() {
        Some(Row::Next) | None => next_page(w),
        Some(Row::RestoreDraft) => draft::restore(w),
        Some(Row::RepoPart(i, part)) => {
            let f = &fields[i];
            let (host, parts) = repo_url::split(w.value(f).and_then(Json::as_str).unwrap_or(""));
            // `allowedHosts`, `allowedOwners`...: a list to choose from.
            let allowed = repo_url::allowed_for(&f.schema, &part);
            if !allowed.is_empty() {
                let current = if part == "host" {
                    host.clone()
                } else {
                    parts.iter().find(|(k, _)| *k == part).map(|p| p.1.clone()).unwrap_or_default()
                };
                let options = allowed.iter().map(|h| (Json::String(h.clone()), h.clone())).collect();
                let sel = Selection {
                    selected: allowed.iter().position(|h| *h == current).unwrap_or(0),
                    ..Default::default()
                };
                let c = Chooser { options, sel, multi: false, chosen: Vec::new(), query: None, disabled: Vec::new() };
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
                        Chooser {
                            options: options.clone(),
                            sel,
                            multi: false,
                            chosen: Vec::new(),
                            query: None,
                            disabled: disabled_options(&f),
                        },
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
                            disabled: disabled_options(&f),
                        },
                    ));
                }
                FieldKind::Picker(_) | FieldKind::MultiPicker => {
                    let multi = f.kind == FieldKind::MultiPicker;
                    let chosen =
                        if multi { value.and_then(|v| v.as_array().cloned()).unwrap_or_default() } else { Vec::new() };
                    let options = picker_options(index, &f, identity, "");
                    let query = Some(LineInput::new(&picker_hint(&f)));
                    let c = Chooser { options, sel: Selection::default(), multi, chosen, query, disabled: Vec::new() };
                    w.chooser = Some((target, c));
                }
                FieldKind::Info | FieldKind::Hidden | FieldKind::Object | FieldKind::RepoUrl => {}
                // Enter on a list of forms adds an item.
                FieldKind::ObjectList => {
                    super::items::item_action(w, Action::ItemAdd);
                }
                // `RepoOwnerPicker` with `allowedOwners`: a list.
                FieldKind::Text { .. } if !repo_url::allowed_for(&f.schema, "owner").is_empty() => {
                    let allowed = repo_url::allowed_for(&f.schema, "owner");
                    let current = value.as_ref().and_then(Json::as_str).unwrap_or("");
                    let sel = Selection {
                        selected: allowed.iter().position(|o| o == current).unwrap_or(0),
                        ..Default::default()
                    };
                    let options = allowed.into_iter().map(|o| (Json::String(o.clone()), o)).collect();
                    let c =
                        Chooser { options, sel, multi: false, chosen: Vec::new(), query: None, disabled: Vec::new() };
                    w.chooser = Some((target, c));
                }
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
        Some(ReviewRow::Run) => super::run::start_run(w, cx),
        None => {}
    }
}

pub use super::run::{on_run_done, on_run_event};

/// Keys no binding took: text for the open editor or picker query.
pub fn typed(w: &mut WizardScreen, key: KeyEvent, cx: &mut Ctx) {
    let (index, identity) = (cx.loaded.map(|l| &*l.index), cx.identity);
    if let Some(leave_chosen) = w.confirm_leave {
        match key.code {
            KeyCode::Left | KeyCode::Right => w.confirm_leave = Some(!leave_chosen),
            KeyCode::Char('y') => confirm_action(w, true, Action::Select, cx),
            KeyCode::Char('n') => w.confirm_leave = None,
            _ => {}
        }
        return;
    }
    if let Some((_, area, multiline)) = &mut w.editor {
        if !*multiline && matches!(key.code, KeyCode::Enter) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaffold::Template;
    use crate::tui::effects::Effect;

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

    fn press(w: &mut WizardScreen, action: Action, cx: &mut Ctx) {
        assert_eq!(handle(w, action, cx), Handled::Yes);
    }

    #[test]
    fn leaving_a_changed_form_asks_first_with_cancel_chosen() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut w = WizardScreen::new(template(1));
        press(&mut w, Action::Select, &mut cx);
        typed(&mut w, KeyEvent::from(KeyCode::Char('x')), &mut cx);
        press(&mut w, Action::Select, &mut cx);
        assert_eq!(w.params.get("f0"), Some(&serde_json::json!("x")));
        assert!(matches!(&cx.out.effects[..], [Effect::Draft(draft::DraftEffect::Save(_))]), "the draft is saved");
        press(&mut w, Action::Back, &mut cx);
        assert_eq!(w.confirm_leave, Some(false), "asks, Cancel chosen");
        press(&mut w, Action::Select, &mut cx);
        assert!(cx.out.nav.is_none() && w.confirm_leave.is_none(), "enter on Cancel stays");
        press(&mut w, Action::Back, &mut cx);
        typed(&mut w, KeyEvent::from(KeyCode::Right), &mut cx);
        press(&mut w, Action::Select, &mut cx);
        assert!(matches!(cx.out.nav, Some(Nav::Leave)));
    }

    #[test]
    fn esc_on_a_result_returns_to_the_review_page() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut w = WizardScreen::new(template(1));
        w.stage = Stage::Finished;
        assert_eq!(handle(&mut w, Action::Back, &mut cx), Handled::Yes);
        assert_eq!(w.stage, Stage::Review);
        assert_eq!(w.review_rows()[w.sel.selected], ReviewRow::Run);
        assert!(cx.out.nav.is_none());
    }

    #[test]
    fn reveal_toggles_only_while_editing() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut w = WizardScreen::new(template(1));
        press(&mut w, Action::Select, &mut cx);
        press(&mut w, Action::Reveal, &mut cx);
        assert!(w.reveal);
        press(&mut w, Action::Reveal, &mut cx);
        assert!(!w.reveal);
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
