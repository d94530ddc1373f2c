//! The chooser on a wizard field: enum values, hosts, checkboxes and the
//! catalog pickers (typed text filters index suggestions).

use serde_json::Value as Json;

use crate::scaffold::fields::{FieldKind, PickerKind, plain};
use crate::scaffold::form::Field;
use crate::scaffold::pickers;

use crate::tui::action::Action;

use super::{Target, WizardScreen, field_at, set_repo_part, set_value};

/// Most catalog suggestions a picker lists.
pub const SUGGESTIONS: usize = 50;

/// Keys while a chooser is open.
pub fn chooser_action(w: &mut WizardScreen, action: Action, page: isize) {
    let Some((target, c)) = &mut w.chooser else { return };
    let n = c.options.len();
    match action {
        Action::MoveUp => c.sel.move_by(-1, n),
        Action::MoveDown => c.sel.move_by(1, n),
        Action::PageUp | Action::HalfPageUp => c.sel.move_by(-page / 2, n),
        Action::PageDown | Action::HalfPageDown => c.sel.move_by(page / 2, n),
        Action::Select if c.multi => {
            if let Some((v, _)) = c.options.get(c.sel.selected).cloned() {
                if let Some(pos) = c.chosen.iter().position(|x| *x == v) {
                    c.chosen.remove(pos);
                } else {
                    c.chosen.push(v);
                }
            }
        }
        Action::Select | Action::NextPane => {
            let target = target.clone();
            let picked = c.options.get(c.sel.selected).map(|(v, _)| v.clone());
            let typed = c.query.as_ref().map(|q| q.text().trim().to_string()).filter(|t| !t.is_empty());
            w.chooser = None;
            pick(w, target, picked, typed);
        }
        Action::Back => {
            let (target, c) = match w.chooser.take() {
                Some(x) => x,
                None => return,
            };
            if c.multi
                && let Target::Field(path) = target
                && let Some(field) = field_at(w, &path)
            {
                let value = (!c.chosen.is_empty()).then_some(Json::Array(c.chosen));
                set_value(w, &field, value);
            }
        }
        _ => {}
    }
}

fn pick(w: &mut WizardScreen, target: Target, picked: Option<Json>, typed: Option<String>) {
    match target {
        Target::RepoPart(path, part) => {
            if let Some(v) = picked.map(|v| plain(&v)).or(typed) {
                set_repo_part(w, &path, &part, &v);
            }
        }
        Target::Field(path) => {
            let Some(field) = field_at(w, &path) else { return };
            let value = match (picked, typed) {
                (Some(v), _) => Some(v),
                (None, Some(t)) if pickers::allows_arbitrary(&field) => {
                    pickers::typed_ref(&field, &t).map(Json::String)
                }
                _ => None,
            };
            if value.is_some() {
                set_value(w, &field, value);
            }
        }
        Target::Output => {}
    }
}

/// Catalog suggestions for a picker field.
pub fn picker_options(
    index: Option<&crate::index::Index>,
    field: &Field,
    identity: Option<&str>,
    text: &str,
) -> Vec<(Json, String)> {
    let Some(index) = index else { return Vec::new() };
    pickers::candidates(index, field, identity, text, SUGGESTIONS)
        .into_iter()
        .map(|c| (Json::String(c.value), c.label))
        .collect()
}

/// The placeholder of a picker's query.
pub fn picker_hint(f: &Field) -> String {
    match f.kind {
        FieldKind::Picker(PickerKind::Owner) => "type to find a group or user".into(),
        FieldKind::Picker(PickerKind::MyGroups) => "your groups".into(),
        FieldKind::Picker(PickerKind::OwnedEntity) => "entities you own".into(),
        _ => "type to find an entity".into(),
    }
}
