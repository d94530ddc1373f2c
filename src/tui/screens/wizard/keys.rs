//! Keys on the wizard: moving through fields and pages, editing values
//! (text editor, choosers, catalog pickers), review, run, cancel.

use std::sync::atomic::Ordering;

use crossterm::event::{KeyCode, KeyEvent};

use crate::tui::action::Action;
use crate::tui::app::Level;
use crate::tui::context::{Ctx, Handled, Nav};
use crate::tui::screens::form::items;
use crate::tui::screens::form::keys::{activate as activate_row, editor, handle_open};
use crate::tui::screens::selection::Selection;

use super::draft;
use super::{ReviewRow, Row, Stage, Target, WizardScreen};

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
    if handle_open(w, action, cx) {
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
            return if items::item_action(w, action) { Handled::Yes } else { Handled::No };
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

fn activate(w: &mut WizardScreen, index: Option<&crate::index::Index>, identity: Option<&str>) {
    match w.rows().get(w.sel.selected).cloned() {
        Some(Row::Next) | None => next_page(w),
        Some(Row::RestoreDraft) => draft::restore(w),
        Some(row) => activate_row(w, &row, index, identity),
    }
}

fn next_page(w: &mut WizardScreen) {
    let errors = w.page_errors();
    if !errors.is_empty() {
        w.edit.show_all_errors = true;
        let rows = w.rows();
        let fields = w.fields();
        if let Some(i) = rows.iter().position(|r| matches!(r, Row::Field(f) if fields[*f].key() == errors[0].key)) {
            w.sel.selected = i;
        }
        return;
    }
    w.edit.show_all_errors = false;
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
            w.edit.editor = Some((Target::Output, editor(&shown, false), false));
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
    crate::tui::screens::form::keys::typed(w, key, index, identity);
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
        assert!(w.edit.reveal);
        press(&mut w, Action::Reveal, &mut cx);
        assert!(!w.edit.reveal);
    }

    #[test]
    fn help_and_star_are_left_to_the_global_actions() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut w = WizardScreen::new(template(1));
        assert_eq!(handle(&mut w, Action::Help, &mut cx), Handled::No);
        assert_eq!(handle(&mut w, Action::ToggleStar, &mut cx), Handled::No);
    }

    #[test]
    fn choosing_a_value_that_reveals_a_field_fills_its_default() {
        let schema = serde_json::json!({
            "properties": {"host": {"type": "string", "enum": ["github", "gitlab"]}},
            "dependencies": {"host": {"oneOf": [
                {"properties": {"host": {"const": "github"}}},
                {"properties": {"host": {"const": "gitlab"}, "gitlabHost": {"type": "string", "default": "gitlab.com"}}}
            ]}}
        });
        let mut t = template(1);
        t.pages = crate::scaffold::form::pages(Some(&schema));
        let mut w = WizardScreen::new(t);
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        press(&mut w, Action::Select, &mut cx);
        press(&mut w, Action::MoveDown, &mut cx);
        press(&mut w, Action::Select, &mut cx);
        assert_eq!(w.params.get("host"), Some(&serde_json::json!("gitlab")));
        assert_eq!(w.params.get("gitlabHost"), Some(&serde_json::json!("gitlab.com")));
        assert!(w.fields().iter().any(|f| f.key() == "gitlabHost"));
    }
}
