//! Arrays of objects on the wizard: each item is a small form (its fields
//! are rows under an "Contacts 2" title); items are added, removed and
//! moved with the cursor on any of their rows.

use serde_json::{Map, Value as Json};

use crate::scaffold::fields::FieldKind;
use crate::scaffold::form::{Field, get_path};
use crate::tui::action::Action;

use super::{Row, WizardScreen, set_value};

/// The list field under the cursor, and the item the cursor is in (if on
/// one of an item's rows rather than on the list's own row).
fn under_cursor(w: &WizardScreen) -> Option<(Field, Option<usize>)> {
    let fields = w.fields();
    let Some(Row::Field(i)) = w.rows().get(w.sel.selected).cloned() else { return None };
    let f = &fields[i];
    if f.kind == FieldKind::ObjectList {
        return Some((f.clone(), None));
    }
    (1..f.path.len()).rev().find_map(|k| {
        let n = f.path[k].parse::<usize>().ok()?;
        let list = fields.iter().find(|g| g.kind == FieldKind::ObjectList && g.path == f.path[..k])?;
        Some((list.clone(), Some(n)))
    })
}

fn items(w: &WizardScreen, list: &Field) -> Vec<Json> {
    get_path(&w.params, &list.path).and_then(Json::as_array).cloned().unwrap_or_default()
}

/// Puts the cursor on the first row of item `n` of `list`.
fn focus_item(w: &mut WizardScreen, list: &Field, n: usize) {
    let mut prefix = list.path.clone();
    prefix.push(n.to_string());
    let fields = w.fields();
    if let Some(row) = w.rows().iter().position(|r| matches!(r, Row::Field(i) if fields[*i].path.starts_with(&prefix)))
    {
        w.sel.selected = row;
    }
}

/// Add, remove, move up or down; `false` when the cursor is on no list.
pub fn item_action(w: &mut WizardScreen, action: Action) -> bool {
    let Some((list, item)) = under_cursor(w) else { return false };
    let mut all = items(w, &list);
    let target = match (action, item) {
        (Action::ItemAdd, _) => {
            all.push(Json::Object(Map::new()));
            Some(all.len() - 1)
        }
        (Action::ItemRemove, Some(n)) if n < all.len() => {
            all.remove(n);
            (!all.is_empty()).then(|| n.min(all.len() - 1))
        }
        (Action::ItemUp, Some(n)) if n > 0 && n < all.len() => {
            all.swap(n, n - 1);
            Some(n - 1)
        }
        (Action::ItemDown, Some(n)) if n + 1 < all.len() => {
            all.swap(n, n + 1);
            Some(n + 1)
        }
        _ => return true,
    };
    set_value(w, &list, (!all.is_empty()).then_some(Json::Array(all)));
    match target {
        Some(n) => focus_item(w, &list, n),
        None => {
            let fields = w.fields();
            if let Some(row) = w.rows().iter().position(|r| matches!(r, Row::Field(i) if fields[*i].path == list.path))
            {
                w.sel.selected = row;
            }
        }
    }
    true
}

/// The title above an item's rows: the list's title and the item number.
pub fn item_title(list_title: &str, index: &str) -> String {
    index.parse::<usize>().map_or_else(|_| format!("{list_title} {index}"), |n| format!("{list_title} {}", n + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaffold::Template;
    use serde_json::json;

    fn wizard() -> WizardScreen {
        let t = Template::from_json(
            json!({
                "apiVersion": "scaffolder.backstage.io/v1beta3",
                "kind": "Template",
                "metadata": {"name": "t"},
                "spec": {"parameters": [{"properties": {"contacts": {"type": "array", "items": {
                    "type": "object", "required": ["name"],
                    "properties": {"name": {"type": "string"}, "role": {"type": "string", "enum": ["PM", "Dev"], "default": "Dev"}}
                }}}}], "steps": []}
            }),
            None,
        )
        .unwrap();
        WizardScreen::new(t)
    }

    fn contacts(w: &WizardScreen) -> Json {
        w.params.get("contacts").cloned().unwrap_or(Json::Null)
    }

    #[test]
    fn items_are_added_with_defaults_moved_and_removed() {
        let mut w = wizard();
        assert!(item_action(&mut w, Action::ItemAdd));
        assert_eq!(contacts(&w), json!([{"role": "Dev"}]));
        let focused = |w: &WizardScreen| match w.rows()[w.sel.selected] {
            Row::Field(i) => w.fields()[i].key(),
            _ => String::new(),
        };
        assert_eq!(focused(&w), "contacts.0.name", "the cursor goes to the new item");
        let name = w.fields()[1].clone();
        set_value(&mut w, &name, Some(json!("Ann")));
        item_action(&mut w, Action::ItemAdd);
        let name = w.fields()[3].clone();
        set_value(&mut w, &name, Some(json!("Bo")));
        assert_eq!(contacts(&w), json!([{"role": "Dev", "name": "Ann"}, {"role": "Dev", "name": "Bo"}]));
        item_action(&mut w, Action::ItemUp);
        assert_eq!(contacts(&w)[0]["name"], "Bo");
        assert_eq!(focused(&w), "contacts.0.name", "the cursor moves with the item");
        item_action(&mut w, Action::ItemDown);
        assert_eq!(contacts(&w)[1]["name"], "Bo");
        item_action(&mut w, Action::ItemRemove);
        assert_eq!(contacts(&w), json!([{"role": "Dev", "name": "Ann"}]));
        item_action(&mut w, Action::ItemRemove);
        assert_eq!(contacts(&w), Json::Null);
        assert_eq!(focused(&w), "contacts");
    }

    #[test]
    fn an_item_is_validated_by_the_item_schema() {
        let mut w = wizard();
        item_action(&mut w, Action::ItemAdd);
        let role = w.fields().into_iter().find(|f| f.key() == "contacts.0.role").unwrap();
        set_value(&mut w, &role, Some(json!("CEO")));
        let errors = w.page_errors();
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["contacts.0.name", "contacts.0.role"], "{errors:?}");
    }

    #[test]
    fn off_a_list_nothing_happens() {
        let t = Template::from_json(
            json!({"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template", "metadata": {"name": "t"},
                   "spec": {"parameters": [{"properties": {"a": {"type": "string"}}}], "steps": []}}),
            None,
        )
        .unwrap();
        let mut w = WizardScreen::new(t);
        assert!(!item_action(&mut w, Action::ItemAdd));
        assert_eq!(item_title("Contacts", "1"), "Contacts 2");
    }
}
