//! Draft file work for the wizard, off the update loop.

use std::path::Path;

use crate::scaffold::drafts;
use crate::tui::app::Msg;
use crate::tui::screens::wizard::draft_types::{DraftEffect, DraftLoaded};

/// Runs a draft effect in `profile_data_dir`.
pub fn perform(effect: DraftEffect, profile_data_dir: &Path) -> Option<Msg> {
    match effect {
        DraftEffect::Load(template) => {
            let draft = drafts::load(&drafts::file(profile_data_dir, &template));
            Some(Msg::DraftLoaded(DraftLoaded { template, draft }))
        }
        DraftEffect::Save(d) => {
            drafts::save(&drafts::file(profile_data_dir, &d.template), &d).err().map(Msg::EffectFailed)
        }
        DraftEffect::Remove(template) => {
            drafts::remove(&drafts::file(profile_data_dir, &template)).err().map(Msg::EffectFailed)
        }
    }
}
