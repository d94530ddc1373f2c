//! The one list of what a user can do.
//!
//! Keys map to an [`Action`] through the keymap (keymap.rs); views
//! and `update` only ever see actions, never raw keys. Each action has a stable
//! snake_case name (used in keymap files), a one-line description and a help
//! group (both used by the generated `?` overlay).
//!
//! Every action has a default key in `keymaps/default.yaml`; there are no
//! palette-only actions today (palette commands such as `:problems` or
//! `:theme dark` are handled by the palette itself, not through actions).

use std::fmt;

/// A section of the help overlay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// Moving the cursor within a list or page.
    Move,
    /// Moving between views, panes and tabs.
    Navigate,
    /// Filtering and sorting lists.
    Find,
    /// Acting on the selected entity.
    Entity,
    /// Reading TechDocs.
    Docs,
    /// The application as a whole.
    General,
}

impl Group {
    /// Every group, in the order the help overlay shows them.
    pub const ALL: &'static [Group] =
        &[Group::Move, Group::Navigate, Group::Find, Group::Entity, Group::Docs, Group::General];

    /// The heading shown in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Group::Move => "Move",
            Group::Navigate => "Navigate",
            Group::Find => "Find",
            Group::Entity => "Entity",
            Group::Docs => "Docs",
            Group::General => "General",
        }
    }
}

/// Declares [`Action`] with its name, group and description in one table, so
/// the three can never drift apart.
macro_rules! actions {
    ($($variant:ident = $name:literal, $group:ident, $desc:literal;)*) => {
        /// Something a user can do; bound to keys in the keymap.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $(#[doc = $desc] $variant,)*
        }

        impl Action {
            /// Every action, in help order.
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            /// The stable snake_case name used in keymap files.
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }

            /// A one-line description for the help overlay.
            pub fn description(self) -> &'static str {
                match self {
                    $(Action::$variant => $desc,)*
                }
            }

            /// The help overlay section this action belongs to.
            pub fn group(self) -> Group {
                match self {
                    $(Action::$variant => Group::$group,)*
                }
            }
        }
    };
}

actions! {
    MoveUp = "move_up", Move, "Move the cursor up one row";
    MoveDown = "move_down", Move, "Move the cursor down one row";
    PageUp = "page_up", Move, "Move up one page";
    PageDown = "page_down", Move, "Move down one page";
    HalfPageUp = "half_page_up", Move, "Move up half a page";
    HalfPageDown = "half_page_down", Move, "Move down half a page";
    Top = "top", Move, "Jump to the first row";
    Bottom = "bottom", Move, "Jump to the last row";
    Select = "select", Navigate, "Open the selected item (drill in, follow a link, run a command)";
    Back = "back", Navigate, "Go back to the previous view, or close the overlay";
    Forward = "forward", Navigate, "Go forward again in the view history";
    NextPane = "next_pane", Navigate, "Focus the next pane";
    PrevPane = "prev_pane", Navigate, "Focus the previous pane";
    NextTab = "next_tab", Navigate, "Show the next tab of the entity page";
    PrevTab = "prev_tab", Navigate, "Show the previous tab of the entity page";
    Filter = "filter", Find, "Filter the list, or edit the search query";
    ClearQuery = "clear_query", Find, "Clear the query or filter text";
    Complete = "complete", Find, "Complete the command or value being typed";
    SortNext = "sort_next", Find, "Sort by the next column";
    SortReverse = "sort_reverse", Find, "Reverse the sort order";
    ToggleStar = "toggle_star", Entity, "Star or unstar the selected entity";
    CopyRef = "copy_ref", Entity, "Copy the entity reference to the clipboard";
    OpenLink = "open_link", Entity, "Open the entity's link (a picker when it has several) with $BROWSER";
    Edit = "edit", Entity, "Edit the entity's catalog file at its line in $VISUAL/$EDITOR (remote: its edit-url)";
    Refresh = "refresh", Entity, "Re-fetch the entity from its remote catalog";
    ShowRelations = "show_relations", Entity, "Show the entity's relations";
    ShowGraph = "show_graph", Entity, "Show the entity's neighbourhood graph";
    Fold = "fold", Entity, "Expand or collapse the selected tree node, or the first ??? block on a docs page";
    ToggleSubgroups = "toggle_subgroups", Entity, "Count ownership directly or with sub-groups";
    DepthMore = "depth_more", Entity, "Graph: one more level of neighbours";
    DepthLess = "depth_less", Entity, "Graph: one level less";
    CycleRelations = "cycle_relations", Entity, "Graph: show the next set of relation types";
    CycleKinds = "cycle_kinds", Entity, "Graph: show the next set of entity kinds";
    NextPage = "next_page", Docs, "Docs: the next page in nav order";
    PrevPage = "prev_page", Docs, "Docs: the previous page in nav order";
    NextLink = "next_link", Docs, "Docs: select the next link on the page (enter follows it)";
    PrevLink = "prev_link", Docs, "Docs: select the previous link on the page";
    SearchNext = "search_next", Docs, "The next match of `/` in the tab or docs page";
    SearchPrev = "search_prev", Docs, "The previous match of `/` in the tab or docs page";
    Toc = "toc", Docs, "Docs: the page's table of contents (enter jumps to a heading)";
    DocsNav = "docs_nav", Docs, "Docs: focus the nav tree (enter opens a page, space folds a section)";
    HistoryBack = "history_back", Docs, "Docs: back to the page before the last link (or leave)";
    HistoryForward = "history_forward", Docs, "Docs: forward again after going back";
    CommandPalette = "command_palette", General, "Open the command palette";
    Help = "help", General, "Show the keys for this view";
    Sync = "sync", General, "Sync every configured source";
    Suspend = "suspend", General, "Suspend to the shell (resume with `fg`)";
    Quit = "quit", General, "Go back, or quit at the first view";
    ForceQuit = "force_quit", General, "Quit at once, from anywhere";
    Reveal = "reveal", General, "Form: show or hide the secret being typed";
    ItemAdd = "item_add", General, "Form: add an item to the list of forms";
    ItemRemove = "item_remove", General, "Form: remove the item under the cursor";
    ItemUp = "item_up", General, "Form: move the item under the cursor up";
    ItemDown = "item_down", General, "Form: move the item under the cursor down";
}

impl Action {
    /// The action with this snake_case name, if any.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// The known action name closest to `name`, for "did you mean" hints.
    pub fn suggest(name: &str) -> Option<&'static str> {
        let wanted = name.replace('-', "_").to_ascii_lowercase();
        Action::ALL
            .iter()
            .map(|a| (strsim::jaro_winkler(&wanted, a.name()), a.name()))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, name)| name)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for &action in Action::ALL {
            let name = action.name();
            assert!(seen.insert(name), "duplicate name {name}");
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{name}");
            assert_eq!(Action::from_name(name), Some(action));
            assert!(!action.description().is_empty());
            assert!(Group::ALL.contains(&action.group()));
        }
        assert_eq!(Action::from_name("nope"), None);
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(Action::suggest("toggle-star"), Some("toggle_star"));
        assert_eq!(Action::suggest("mvoe_up"), Some("move_up"));
        assert_eq!(Action::suggest("zzzzzz"), None);
    }
}
