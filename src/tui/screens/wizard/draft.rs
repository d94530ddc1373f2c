//! Drafts in the wizard: asked for when it opens, saved whenever a value
//! changes (so leaving, a failed run or a crash keeps them), offered as
//! "restore draft", deleted once a run created what they described. The
//! files are [`crate::scaffold::drafts`]; secrets never reach them.

use serde_json::{Map, Value as Json};

use crate::scaffold::drafts;
use crate::scaffold::form::apply_defaults;

use crate::tui::context::{Ctx, Nav};
use crate::tui::effects::Effect;
use crate::tui::screens::Screen;

use super::WizardScreen;
pub use super::draft_types::{DraftEffect, DraftLoaded};

/// Opens the wizard and asks for its template's draft.
pub fn open(w: WizardScreen, cx: &mut Ctx) {
    let template = w.template.entity_ref.clone();
    cx.go(Nav::Push(Box::new(Screen::Wizard(Box::new(w)))));
    cx.effect(Effect::Draft(DraftEffect::Load(template)));
}

/// A draft arrived: the wizards on that template offer it, unless it holds
/// nothing the form does not already have. Returns a problem to flash.
pub fn on_loaded<'a>(screens: impl Iterator<Item = &'a mut Screen>, loaded: DraftLoaded) -> Option<String> {
    let draft = match loaded.draft {
        Ok(Some(d)) => d,
        Ok(None) => return None,
        Err(e) => return Some(e),
    };
    for screen in screens {
        if let Screen::Wizard(w) = screen
            && w.template.entity_ref == loaded.template
            && !w.dirty
            && restored(w, &draft.values) != w.params
        {
            w.draft_offer = Some(draft.clone());
            if w.stage == super::Stage::Form && w.page == 0 {
                w.sel = crate::tui::screens::selection::Selection::default();
            }
        }
    }
    None
}

/// The values the form would hold with `draft` restored: the draft over the
/// defaults, then defaults for the fields it reveals.
/// Keys the template no longer asks for (it changed since) are dropped.
fn restored(w: &WizardScreen, draft: &Map<String, Json>) -> Map<String, Json> {
    let known = crate::scaffold::values::known_keys(&w.template);
    let mut values = w.params.clone();
    for (k, v) in draft.iter().filter(|(k, _)| known.contains(*k)) {
        values.insert(k.clone(), v.clone());
    }
    apply_defaults(&w.template.pages, &mut values);
    values
}

/// Restores the offered draft (the user chose "restore draft").
pub fn restore(w: &mut WizardScreen) {
    let Some(draft) = w.draft_offer.take() else { return };
    w.params = restored(w, &draft.values);
    w.edit.touched.extend(draft.values.keys().cloned());
    w.dirty = true;
}

/// After a key: when the values changed, the draft is saved (and an offer
/// not taken is dropped: the new values replace it).
pub fn after_change(w: &mut WizardScreen, before: &Map<String, Json>, cx: &mut Ctx) {
    if w.params == *before {
        return;
    }
    w.dirty = true;
    w.draft_offer = None;
    cx.effect(Effect::Draft(DraftEffect::Save(drafts::of(&w.template, &w.params))));
}

/// How long ago a draft was saved, in words.
pub fn age(saved_at: u64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let secs = now.saturating_sub(saved_at);
    match secs {
        0..60 => "just now".to_string(),
        60..3600 => format!("{} min ago", secs / 60),
        3600..86_400 => format!("{} h ago", secs / 3600),
        _ => format!("{} days ago", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaffold::Template;
    use crate::scaffold::drafts::Draft;
    use serde_json::json;

    fn wizard() -> WizardScreen {
        let t = Template::from_json(
            json!({
                "apiVersion": "scaffolder.backstage.io/v1beta3",
                "kind": "Template",
                "metadata": {"name": "t"},
                "spec": {"parameters": [{"properties": {
                    "name": {"type": "string"},
                    "size": {"type": "string", "default": "s"}
                }}], "steps": []}
            }),
            None,
        )
        .unwrap();
        WizardScreen::new(t)
    }

    fn loaded(values: Json) -> DraftLoaded {
        DraftLoaded {
            template: "template:default/t".into(),
            draft: Ok(Some(Draft {
                template: "template:default/t".into(),
                saved_at: 0,
                values: values.as_object().unwrap().clone(),
            })),
        }
    }

    #[test]
    fn a_draft_is_offered_then_restored_over_the_defaults() {
        let mut stack = [Screen::Wizard(Box::new(wizard()))];
        assert_eq!(on_loaded(stack.iter_mut(), loaded(json!({"name": "kept", "gone": "dropped"}))), None);
        let Screen::Wizard(w) = &mut stack[0] else { unreachable!() };
        assert!(w.draft_offer.is_some());
        restore(w);
        assert_eq!(Json::Object(w.params.clone()), json!({"size": "s", "name": "kept"}));
        assert!(w.dirty && w.draft_offer.is_none());
    }

    #[test]
    fn a_draft_equal_to_the_defaults_or_for_another_template_is_not_offered() {
        let mut stack = [Screen::Wizard(Box::new(wizard()))];
        on_loaded(stack.iter_mut(), loaded(json!({"size": "s"})));
        let mut other = loaded(json!({"name": "x"}));
        other.template = "template:default/other".into();
        on_loaded(stack.iter_mut(), other);
        let Screen::Wizard(w) = &stack[0] else { unreachable!() };
        assert!(w.draft_offer.is_none());
    }

    #[test]
    fn a_change_saves_a_draft_without_secrets_and_drops_the_offer() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut w = wizard();
        let before = w.params.clone();
        after_change(&mut w, &before, &mut cx);
        assert!(cx.out.effects.is_empty(), "nothing changed, nothing saved");
        w.params.insert("name".into(), json!("n"));
        after_change(&mut w, &before, &mut cx);
        assert!(w.dirty);
        assert!(matches!(&cx.out.effects[..], [Effect::Draft(DraftEffect::Save(d))] if d.values["name"] == "n"));
    }

    #[test]
    fn ages_read_as_words() {
        assert_eq!(age(u64::MAX), "just now");
        assert!(age(0).ends_with("days ago"));
    }
}
