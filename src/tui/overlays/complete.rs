//! Tab completion of a palette command's argument: a ref for `:open` and
//! `:docs`, a kind for `:kind`, a theme for `:theme`, a source's name for
//! `:sync`, `:login` and `:actions`.

use std::collections::BTreeSet;

use crate::tui::app::App;
use crate::tui::theme::Theme;

/// `typed`, the argument of `command`, completed; `None` when the command
/// takes nothing that completes or nothing begins so.
pub fn complete_arg(app: &App, command: &str, typed: &str) -> Option<String> {
    match command {
        "open" | "docs" => complete_ref(app, typed),
        "kind" => first_beginning(kinds(app), typed),
        "theme" => first_beginning(Theme::available(app.themes_dir.as_deref()), typed),
        "sync" | "login" | "actions" => first_beginning(app.index().sources.iter().map(|s| s.name.as_str()), typed),
        _ => None,
    }
}

/// The completion of a typed ref: the best entity it may mean.
pub fn complete_ref(app: &App, typed: &str) -> Option<String> {
    let loaded = app.loaded.as_ref()?;
    let hit = crate::index::search::complete(&loaded.index, &loaded.hay, typed, 1).into_iter().next()?;
    Some(loaded.index.ref_of(hit.entity).to_string())
}

/// Every kind in the index, as written, in order (none while it loads):
/// the distinct values the search keeps, not a scan of every entity.
pub fn kinds(app: &App) -> BTreeSet<&str> {
    app.loaded.as_ref().map(|l| l.hay.kinds(&l.index).into_iter().collect()).unwrap_or_default()
}

/// The option `typed` begins, case aside: the shortest, then the first in
/// order.
fn first_beginning<S: AsRef<str>>(options: impl IntoIterator<Item = S>, typed: &str) -> Option<String> {
    let lower = typed.to_lowercase();
    options
        .into_iter()
        .map(|o| o.as_ref().to_string())
        .filter(|o| o.to_lowercase().starts_with(&lower))
        .min_by(|a, b| (a.len(), a).cmp(&(b.len(), b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shortest_option_the_typed_text_begins_case_aside() {
        let options = ["component", "Comp", "api", "COMPONENTS"];
        assert_eq!(first_beginning(options, "com").as_deref(), Some("Comp"));
        assert_eq!(first_beginning(options, "compon").as_deref(), Some("component"));
        assert_eq!(first_beginning(options, "A").as_deref(), Some("api"));
        assert_eq!(first_beginning(options, "x"), None);
    }
}
