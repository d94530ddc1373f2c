//! Arrays of objects on a form: each item is a small form (its fields are
//! rows under a "Contacts 2" title); items are added, removed and moved
//! with the cursor on any of their rows.

use serde_json::{Map, Value as Json};

use crate::scaffold::fields::FieldKind;
use crate::scaffold::form::{Field, get_path};
use crate::tui::action::Action;

use super::{FormHost, Row};

/// The list field under the cursor, and the item the cursor is in (if on
/// one of an item's rows rather than on the list's own row).
fn under_cursor(host: &dyn FormHost) -> Option<(Field, Option<usize>)> {
    let fields = host.fields();
    let Some(Row::Field(i)) = host.rows().get(host.sel().selected).cloned() else { return None };
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

/// Puts the cursor on the first row of item `n` of `list`.
fn focus_item(host: &mut dyn FormHost, list: &Field, n: usize) {
    let mut prefix = list.path.clone();
    prefix.push(n.to_string());
    let fields = host.fields();
    if let Some(row) =
        host.rows().iter().position(|r| matches!(r, Row::Field(i) if fields[*i].path.starts_with(&prefix)))
    {
        host.sel_mut().selected = row;
    }
}

/// Add, remove, move up or down; `false` when the cursor is on no list.
pub fn item_action(host: &mut dyn FormHost, action: Action) -> bool {
    let Some((list, item)) = under_cursor(host) else { return false };
    let mut all = get_path(host.values(), &list.path).and_then(Json::as_array).cloned().unwrap_or_default();
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
    host.set_value(&list, (!all.is_empty()).then_some(Json::Array(all)));
    match target {
        Some(n) => focus_item(host, &list, n),
        None => {
            let fields = host.fields();
            if let Some(row) =
                host.rows().iter().position(|r| matches!(r, Row::Field(i) if fields[*i].path == list.path))
            {
                host.sel_mut().selected = row;
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
    use crate::tui::screens::form::SchemaForm;
    use serde_json::json;

    fn form() -> SchemaForm {
        SchemaForm::new(
            crate::scaffold::form::pages(Some(&json!({"properties": {"contacts": {"type": "array", "items": {
                "type": "object", "required": ["name"],
                "properties": {"name": {"type": "string"}, "role": {"type": "string", "enum": ["PM", "Dev"], "default": "Dev"}}
            }}}})))
            .remove(0),
        )
    }

    fn contacts(f: &SchemaForm) -> Json {
        f.values.get("contacts").cloned().unwrap_or(Json::Null)
    }

    #[test]
    fn items_are_added_with_defaults_moved_and_removed() {
        let mut f = form();
        assert!(item_action(&mut f, Action::ItemAdd));
        assert_eq!(contacts(&f), json!([{"role": "Dev"}]));
        let focused = |f: &SchemaForm| match f.rows()[f.sel.selected] {
            Row::Field(i) => f.fields()[i].key(),
            _ => String::new(),
        };
        assert_eq!(focused(&f), "contacts.0.name", "the cursor goes to the new item");
        let name = f.fields()[1].clone();
        f.set_value(&name, Some(json!("Ann")));
        item_action(&mut f, Action::ItemAdd);
        let name = f.fields()[3].clone();
        f.set_value(&name, Some(json!("Bo")));
        assert_eq!(contacts(&f), json!([{"role": "Dev", "name": "Ann"}, {"role": "Dev", "name": "Bo"}]));
        item_action(&mut f, Action::ItemUp);
        assert_eq!(contacts(&f)[0]["name"], "Bo");
        assert_eq!(focused(&f), "contacts.0.name", "the cursor moves with the item");
        item_action(&mut f, Action::ItemDown);
        assert_eq!(contacts(&f)[1]["name"], "Bo");
        item_action(&mut f, Action::ItemRemove);
        assert_eq!(contacts(&f), json!([{"role": "Dev", "name": "Ann"}]));
        item_action(&mut f, Action::ItemRemove);
        assert_eq!(contacts(&f), Json::Null);
        assert_eq!(focused(&f), "contacts");
    }

    #[test]
    fn an_item_is_validated_by_the_item_schema() {
        let mut f = form();
        item_action(&mut f, Action::ItemAdd);
        let role = f.fields().into_iter().find(|x| x.key() == "contacts.0.role").unwrap();
        f.set_value(&role, Some(json!("CEO")));
        let keys: Vec<String> = f.problems().into_iter().map(|e| e.key).collect();
        assert_eq!(keys, ["contacts.0.name", "contacts.0.role"]);
    }

    #[test]
    fn off_a_list_nothing_happens() {
        let mut f = SchemaForm::new(
            crate::scaffold::form::pages(Some(&json!({"properties": {"a": {"type": "string"}}}))).remove(0),
        );
        assert!(!item_action(&mut f, Action::ItemAdd));
        assert_eq!(item_title("Contacts", "1"), "Contacts 2");
    }
}
