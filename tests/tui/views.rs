//! Headless TUI tests: the demo loaded into an `App`, keys delivered through
//! `update`, effects run synchronously, frames drawn on ratatui's
//! `TestBackend` and compared as text snapshots (80x24 and 120x40), plus
//! style checks on buffer cells and behaviour checks on the app state.

use std::collections::BTreeSet;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier, Style};
use stagehand::index::search::match_positions;
use stagehand::tui::app::Level;
use stagehand::tui::keymap::Keymap;
use stagehand::tui::overlays::Overlay;
use stagehand::tui::screens::Screen;
use stagehand::tui::screens::entity::Tab;
use stagehand::tui::screens::list::Column;
use stagehand::tui::theme::{Slot, Theme};

use crate::common_tui::*;
use crate::{SIZES, snap};

pub(crate) fn current_tab(h: &Harness) -> Option<Tab> {
    match h.app.screen() {
        Screen::Entity(e) => Some(e.current()),
        _ => None,
    }
}

/// Presses `l` (next tab) until the entity page shows `tab`.
pub(crate) fn goto_tab(h: &mut Harness, tab: Tab) {
    for _ in 0..10 {
        if current_tab(h) == Some(tab) {
            return;
        }
        h.keys("l");
    }
    panic!("no {tab:?} tab");
}

pub(crate) fn search_results(h: &Harness) -> Vec<String> {
    match h.app.screen() {
        Screen::Search(s) => s.results.iter().map(|hit| h.app.index().ref_of(hit.entity).to_string()).collect(),
        _ => panic!("not on the search screen"),
    }
}

pub(crate) fn list_rows(h: &Harness) -> Vec<u32> {
    match h.app.screen() {
        Screen::List(l) => l.shown.clone(),
        _ => panic!("not on a list"),
    }
}

// ---------------------------------------------------------------- snapshots

#[test]
fn snapshot_search_home() {
    let mut h = Harness::demo();
    let screen = h.screen(120, 40);
    assert!(screen.contains("114/114") || screen.contains(&format!("{0}/{0}", h.app.index().len())), "{screen}");
    snap(&mut h, "search_home");
}

#[test]
fn snapshot_search_query() {
    let mut h = Harness::demo();
    h.type_text("track");
    let results = search_results(&h);
    assert!(results.contains(&"component:default/shipment-tracker".to_string()), "{results:?}");
    assert!(results.len() < h.app.index().len());
    snap(&mut h, "search_track");
}

#[test]
fn snapshot_entity_tabs() {
    let mut h = Harness::demo();
    h.type_text("shipment-tracker");
    assert_eq!(search_results(&h).first().map(String::as_str), Some("component:default/shipment-tracker"));
    h.keys("enter");
    assert_eq!(h.top_entity().as_deref(), Some("component:default/shipment-tracker"));
    assert_eq!(current_tab(&h), Some(Tab::Overview));
    let screen = h.screen(120, 40);
    for want in ["Overview", "Relations (", "YAML", "Shipment Tracker", "team-shipments", "production"] {
        assert!(screen.contains(want), "{want} missing:\n{screen}");
    }
    assert!(!screen.contains("loading…"), "the body loaded:\n{screen}");
    snap(&mut h, "entity_overview");

    goto_tab(&mut h, Tab::Relations);
    assert_eq!(current_tab(&h), Some(Tab::Relations));
    let screen = h.screen(120, 40);
    for want in ["ownedBy", "partOf", "default/team-shipments", "default/tracking"] {
        assert!(screen.contains(want), "{want} missing:\n{screen}");
    }
    snap(&mut h, "entity_relations");

    goto_tab(&mut h, Tab::Yaml);
    assert_eq!(current_tab(&h), Some(Tab::Yaml));
    let screen = h.screen(120, 40);
    assert!(screen.contains("kind: Component") && screen.contains("name: shipment-tracker"), "{screen}");
    snap(&mut h, "entity_yaml");
}

#[test]
fn snapshot_api_tab() {
    let mut h = Harness::demo();
    h.open("api:default/booking-api");
    goto_tab(&mut h, Tab::Api);
    assert_eq!(current_tab(&h), Some(Tab::Api));
    let screen = h.screen(120, 40);
    for want in [
        "Lumen Booking API 1.7.2",
        "Servers:",
        "https://booking.internal.lumen.example.com/v1",
        "Paths (3):",
        "/quotes",
    ] {
        assert!(screen.contains(want), "{want} missing:\n{screen}");
    }
    snap(&mut h, "api_tab");
}

#[test]
fn snapshot_problems_tab() {
    let mut h = Harness::demo();
    h.type_text("spreadsheet-import");
    h.keys("enter");
    assert_eq!(h.top_entity().as_deref(), Some("component:default/spreadsheet-import"));
    // The problems tab is the last one: `h` from the first wraps to it.
    h.keys("h");
    assert_eq!(current_tab(&h), Some(Tab::Problems));
    let screen = h.screen(120, 40);
    assert!(screen.contains("Problems (1)"), "{screen}");
    assert!(screen.contains("warning: `status` is written by the"), "{screen}");
    snap(&mut h, "problems_tab");
}

#[test]
fn snapshot_kind_lists_sort_and_filter() {
    let mut h = Harness::demo();
    // `:` is text while the query line has focus: tab to the results first.
    h.keys("tab");
    h.command("components");
    assert_eq!(h.top(), "components");
    let rows = list_rows(&h);
    assert!(rows.len() > 20);
    assert!(rows.iter().all(|&i| h.app.index().summary(i).kind == "Component"));
    snap(&mut h, "components_list");

    // S twice: NAME -> NAMESPACE -> OWNER.
    h.keys("S S");
    let owners: Vec<String> = list_rows(&h).iter().map(|&i| owner_of(&h, i)).collect();
    assert!(owners.windows(2).all(|w| w[0] <= w[1]), "{owners:?}");
    snap(&mut h, "components_sorted_owner");
    h.keys("R");
    let owners: Vec<String> = list_rows(&h).iter().map(|&i| owner_of(&h, i)).collect();
    assert!(owners.windows(2).all(|w| w[0] >= w[1]), "{owners:?}");
    snap(&mut h, "components_sorted_owner_reversed");

    h.keys("/");
    h.type_text("track");
    let shown = list_rows(&h);
    assert!(!shown.is_empty() && shown.len() < rows.len(), "{shown:?}");
    snap(&mut h, "components_filtered");
    // Enter leaves the filter line and keeps the filter; esc then leaves the list.
    h.keys("enter");
    assert_eq!(list_rows(&h), shown);
    h.keys("esc");
    assert_eq!(h.top(), "search");

    h.command("groups");
    assert_eq!(h.top(), "groups");
    assert!(list_rows(&h).iter().all(|&i| h.app.index().summary(i).kind == "Group"));
    snap(&mut h, "groups_list");
}

fn owner_of(h: &Harness, i: u32) -> String {
    Column::Owner.value(h.app.index().summary(i)).to_lowercase()
}

#[test]
fn snapshot_problems_view() {
    let mut h = Harness::demo();
    h.keys("tab");
    h.command("problems");
    assert_eq!(h.top(), "problems");
    let screen = h.screen(120, 40);
    assert!(screen.contains("problems (4)"), "{screen}");
    assert!(screen.contains("component:default/bad"), "{screen}");
    assert!(screen.contains("is rejected (Back"), "{screen}");
    assert!(screen.contains("metadata.name `Bad Name!` is invalid"), "{screen}");
    snap(&mut h, "problems_view");
    // Enter on a rejected entity's problem opens its rejected page.
    h.keys("enter");
    match h.app.screen() {
        Screen::Rejected(r) => assert_eq!(r.rejected.entity_ref, "component:default/bad name!"),
        _ => panic!("Enter did not open the rejected page"),
    }
    assert!(h.screen(80, 24).contains("REJECTED"));
}

#[test]
fn snapshot_help_overlay() {
    let mut h = Harness::demo();
    h.keys("tab ?");
    assert!(matches!(h.app.overlay, Some(Overlay::Help(_))));
    let screen = h.screen(120, 40);
    assert!(screen.contains("help · esc closes"), "{screen}");
    assert!(screen.contains("Show the keys for this view"), "{screen}");
    snap(&mut h, "help_overlay");
    // f1 opens the same overlay while typing in the query line.
    let mut typing = Harness::demo();
    typing.keys("f1");
    assert!(matches!(typing.app.overlay, Some(Overlay::Help(_))));
    h.keys("esc");
    assert!(h.app.overlay.is_none());
}

#[test]
fn palette_arrows_scroll_to_the_last_command() {
    let mut h = Harness::demo();
    h.keys("tab :");
    for _ in 0..60 {
        h.keys("down");
    }
    let screen = h.screen(80, 24);
    assert!(screen.contains(" quit ") && !screen.contains(" components "), "{screen}");
    snap(&mut h, "palette_last_command");
    h.keys("up");
    assert!(h.screen(80, 24).contains("messages"));
    h.keys("enter");
    assert!(h.app.overlay.as_ref().is_some_and(|o| matches!(o, Overlay::Messages(_))), "up then enter runs :messages");
}

#[test]
fn snapshot_palette() {
    let mut h = Harness::demo();
    h.keys("tab :");
    h.type_text("gr");
    assert!(matches!(h.app.overlay, Some(Overlay::Palette(_))));
    let screen = h.screen(80, 24);
    assert!(screen.contains(":gr") && screen.contains("groups"), "{screen}");
    snap(&mut h, "palette_gr");
    h.keys("enter");
    assert_eq!(h.top(), "groups", "enter runs the highlighted suggestion");
}

#[test]
fn snapshot_starred() {
    let mut h = Harness::demo();
    h.open("component:default/shipment-tracker");
    h.keys("s");
    assert!(h.flash().starts_with("starred component:default/shipment-tracker"), "{}", h.flash());
    h.keys("esc tab");
    h.command("apis");
    // Star the second API from the list.
    h.keys("j s");
    let second = h.app.index().ref_of(list_rows(&h)[1]).to_string();
    h.keys("esc");
    h.command("starred");
    assert_eq!(h.top(), "starred");
    let starred: BTreeSet<String> = list_rows(&h).iter().map(|&i| h.app.index().ref_of(i).to_string()).collect();
    assert_eq!(starred, BTreeSet::from(["component:default/shipment-tracker".to_string(), second]));
    let screen = h.screen(120, 40);
    assert!(screen.contains("★ shipment-tracker"), "{screen}");
    snap(&mut h, "starred");
    // The stars were saved in the data dir (SaveStars ran).
    let saved =
        std::fs::read_to_string(stagehand::tui::stars::file(&h.ctx.ws.paths.profile_data_dir())).expect("stars saved");
    assert!(saved.contains("component:default/shipment-tracker"), "{saved}");
    // Unstarring from the starred list drops the row.
    h.keys("s");
    assert_eq!(list_rows(&h).len(), 1);
}

// ---------------------------------------------------------------- styles

fn style_at(buf: &Buffer, x: u16, y: u16) -> (Color, Color, Modifier) {
    let c = &buf[(x, y)];
    (c.fg, c.bg, c.modifier)
}

fn expect(style: Style) -> (Color, Color, Modifier) {
    (style.fg.unwrap_or(Color::Reset), style.bg.unwrap_or(Color::Reset), style.add_modifier - style.sub_modifier)
}

/// Checks each character of `name` drawn at (x, y): matched ones in
/// `base` patched with Match, the others in `base`.
fn check_highlight(buf: &Buffer, theme: &Theme, base: Style, query: &str, name: &str, x: u16, y: u16) {
    let positions = match_positions(query, name);
    assert!(!positions.is_empty(), "{query} matches {name}");
    assert!(positions.len() < name.chars().count(), "some characters are unmatched");
    let hl = base.patch(theme.style(Slot::Match));
    assert_ne!(expect(hl), expect(base), "match and base styles differ");
    for (i, _) in name.chars().enumerate() {
        let got = style_at(buf, x + i as u16, y);
        let want = if positions.contains(&(i as u32)) { expect(hl) } else { expect(base) };
        assert_eq!(got, want, "char {i} of {name} (matched: {:?})", positions);
    }
}

#[test]
fn matched_characters_use_the_match_style() {
    let mut h = Harness::demo();
    h.type_text("track");
    let results = search_results(&h);
    let row = results.iter().position(|r| r == "component:default/shipment-tracker").unwrap();
    assert!(row > 0, "not the selected row");
    let buf = h.draw(120, 40);
    let (x, y) = find(&buf, "shipment-tracker").expect("drawn");
    assert_eq!(y as usize, 2 + row, "breadcrumb and query line come first");
    let theme = h.app.theme.clone();
    check_highlight(&buf, &theme, theme.style(Slot::Base), "track", "shipment-tracker", x, y);
    // The dark theme's match is bold and underlined in its highlight colour.
    let (fg, _, modifier) = expect(theme.style(Slot::Match));
    assert!(modifier.contains(Modifier::BOLD | Modifier::UNDERLINED));
    assert_ne!(fg, theme.style(Slot::Base).fg.unwrap());
}

#[test]
fn the_selected_row_uses_the_selected_style() {
    let mut h = Harness::demo();
    h.type_text("track");
    let theme = h.app.theme.clone();
    let first = search_results(&h)[0].clone();
    let name = first.rsplit('/').next().unwrap().to_string();

    // Query focused: the selection is shown inactive.
    let buf = h.draw(120, 40);
    let (x, y) = find(&buf, &name).unwrap();
    assert_eq!(y, 2);
    assert_eq!(style_at(&buf, 0, y).1, expect(theme.style(Slot::Base).patch(theme.style(Slot::SelectedInactive))).1);

    // Results focused: Selected, across the whole row, matches patched over it.
    h.keys("tab");
    let buf = h.draw(120, 40);
    let selected = theme.style(Slot::Selected);
    let (_, bg, _) = expect(selected);
    for col in 1..70 {
        assert_eq!(buf[(col, y)].bg, bg, "column {col} of the selected row");
    }
    check_highlight(&buf, &theme, selected, "track", &name, x, y);
    // The next row is not selected.
    assert_ne!(buf[(x, y + 1)].bg, bg);

    // Lists: the selected row moves with j.
    h.command("components");
    h.keys("j");
    let buf = h.draw(120, 40);
    let second = h.app.index().summary(list_rows(&h)[1]).name.to_string();
    let (x, y) = find(&buf, &second).unwrap();
    assert_eq!(style_at(&buf, x, y), expect(selected));
    let first = h.app.index().summary(list_rows(&h)[0]).name.to_string();
    let (x0, y0) = find(&buf, &first).unwrap();
    assert_eq!(style_at(&buf, x0, y0), expect(theme.style(Slot::Base)));
}

// ---------------------------------------------------------------- behaviour

#[test]
fn following_a_relation_then_back_and_forward() {
    let mut h = Harness::demo();
    h.open("component:default/shipment-tracker");
    h.keys("l");
    let me = h.app.index().find("component:default/shipment-tracker").unwrap();
    let rels: Vec<String> = h.app.index().relations(me).iter().map(|r| r.target.to_string()).collect();
    let at = rels.iter().position(|r| r == "system:default/tracking").expect("partOf tracking");
    for _ in 0..at {
        h.keys("j");
    }
    h.keys("enter");
    assert_eq!(h.top_entity().as_deref(), Some("system:default/tracking"));
    assert!(h.screen(120, 40).contains("system:default/tracking"));

    h.keys("esc");
    assert_eq!(h.top_entity().as_deref(), Some("component:default/shipment-tracker"));
    assert_eq!(current_tab(&h), Some(Tab::Relations), "the page kept its tab");
    h.keys("alt-right");
    assert_eq!(h.top_entity().as_deref(), Some("system:default/tracking"));
    h.keys("alt-left");
    assert_eq!(h.top_entity().as_deref(), Some("component:default/shipment-tracker"));
    h.keys("backspace");
    assert_eq!(h.top(), "search");
    // Two steps forward again.
    h.keys("alt-right alt-right");
    assert_eq!(h.top_entity().as_deref(), Some("system:default/tracking"));
    h.keys("alt-right");
    assert_eq!(h.top_entity().as_deref(), Some("system:default/tracking"), "nothing further");
}

#[test]
fn a_dangling_relation_says_so_instead_of_opening() {
    let mut h = Harness::demo();
    h.open("component:default/legacy-edi-bridge");
    h.keys("l");
    let screen = h.screen(120, 40);
    assert!(screen.contains("team-ghost") && screen.contains("(missing: not in the catalog)"), "{screen}");
    let me = h.app.index().find("component:default/legacy-edi-bridge").unwrap();
    let at = h.app.index().relations(me).iter().position(|r| r.target.contains("team-ghost")).unwrap();
    for _ in 0..at {
        h.keys("j");
    }
    h.keys("enter");
    assert_eq!(h.top_entity().as_deref(), Some("component:default/legacy-edi-bridge"));
    assert!(h.flash().contains("team-ghost is not in the catalog"), "{}", h.flash());
    assert_eq!(h.app.flash.as_ref().unwrap().level, Level::Warning);
}

#[test]
fn q_quits_from_the_home_results_but_types_in_the_query() {
    let mut h = Harness::demo();
    h.keys("q");
    assert!(!h.app.quit, "q types into the query line");
    match h.app.screen() {
        Screen::Search(s) => assert_eq!(s.input.text(), "q"),
        _ => panic!("left the search home"),
    }
    h.keys("ctrl-u");
    h.keys("tab q");
    assert!(h.app.quit);

    // On a deeper screen, q goes back first.
    let mut h = Harness::demo();
    h.open("api:default/booking-api");
    h.keys("q");
    assert!(!h.app.quit);
    assert_eq!(h.top(), "search");
    h.keys("ctrl-c");
    assert!(h.app.quit, "ctrl-c quits from anywhere");
}

#[test]
fn facets_filter_by_kind_and_owner() {
    let mut h = Harness::demo();
    h.type_text("kind:api owner:team-shipments");
    let results = search_results(&h);
    let index = h.app.index();
    let expected: BTreeSet<String> = (0..index.len() as u32)
        .filter(|&i| {
            let s = index.summary(i);
            s.kind.eq_ignore_ascii_case("api") && s.owner == Some("group:default/team-shipments")
        })
        .map(|i| index.ref_of(i).to_string())
        .collect();
    assert!(expected.len() >= 2, "{expected:?}");
    assert_eq!(results.iter().cloned().collect::<BTreeSet<_>>(), expected);
    let counter = format!("{}/{}", expected.len(), index.len());
    let screen = h.screen(120, 40);
    assert!(screen.contains(&counter), "{screen}");
}

#[test]
fn typing_narrows_the_results() {
    let mut h = Harness::demo();
    let mut previous: BTreeSet<String> = search_results(&h).into_iter().collect();
    assert_eq!(previous.len(), h.app.index().len());
    for c in "shipmen".chars() {
        h.type_text(&c.to_string());
        let now: BTreeSet<String> = search_results(&h).into_iter().collect();
        assert!(now.is_subset(&previous), "after {c}: {now:?} not within {previous:?}");
        previous = now;
    }
    assert!(previous.len() < h.app.index().len());
    assert!(previous.contains("component:default/shipment-tracker"));
    // Backspace widens again.
    h.keys("backspace backspace backspace");
    assert!(search_results(&h).len() >= previous.len());
}

#[test]
fn theme_command_switches_theme() {
    let mut h = Harness::demo();
    h.keys("tab");
    h.command("theme mono");
    assert_eq!(h.app.theme.name(), "mono");
    assert_eq!(h.flash(), "theme: mono");
    let buf = h.draw(80, 24);
    // Mono draws no colours.
    for cell in buf.content() {
        assert!(matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset), "{cell:?}");
    }
    h.command("theme nope");
    assert_eq!(h.app.theme.name(), "mono", "an unknown theme changes nothing");
    assert_eq!(h.app.flash.as_ref().unwrap().level, Level::Error);
}

#[test]
fn unknown_palette_commands_flash_an_error() {
    let mut h = Harness::demo();
    h.keys("tab");
    h.command("frobnicate");
    let flash = h.app.flash.as_ref().expect("a flash");
    assert_eq!(flash.level, Level::Error);
    assert!(flash.text.contains("unknown command :frobnicate"), "{}", flash.text);
    assert_eq!(h.top(), "search");
    let screen = h.screen(80, 24);
    assert!(screen.contains("unknown command :frobnicate"), "{screen}");
}

#[test]
fn a_user_keymap_binds_new_keys_and_help_lists_them() {
    // As a user's keymap.yaml would: `x` opens help, `?` is unbound.
    let user = "global:\n  x: help\n  \"?\": null\n";
    let keymap = Keymap::default().merged(user).expect("valid keymap");
    let mut h = Harness::demo_with(keymap.clone());
    h.keys("tab ?");
    assert!(h.app.overlay.is_none(), "? is unbound");
    h.keys("x");
    assert!(matches!(h.app.overlay, Some(Overlay::Help(_))), "x opens help");
    let screen = h.screen(120, 40);
    let line = screen.lines().find(|l| l.contains("Show the keys for this view")).expect("help line");
    let keys = line.split('│').nth(1).unwrap_or(line).trim_start();
    assert!(keys.starts_with("f1, x "), "{line}");
    h.keys("esc");
    assert!(h.app.overlay.is_none());
    // The status bar hints follow the keymap: `?` is gone from them.
    let status = h.screen(120, 40).lines().last().unwrap().to_string();
    assert!(status.contains("f1 help") && !status.contains("? help"), "{status}");
    // In the query line, x is text.
    let mut typing = Harness::demo_with(keymap);
    typing.keys("x");
    assert!(typing.app.overlay.is_none());
}

#[test]
fn the_owner_column_shows_the_owner_not_its_namespace() {
    // Owners in the default namespace are shown as `team-x` (as on the
    // search home), so the narrow OWNER column is not `default/` on every row.
    let mut h = Harness::demo();
    h.command("components");
    for (w, ht) in SIZES {
        let screen = h.screen(w, ht);
        let row = screen.lines().find(|l| l.contains("booking-serv")).expect("row drawn");
        assert!(!row.contains("default/"), "{row}");
        assert!(row.contains("team-"), "{row}");
    }
    let screen = h.screen(120, 40);
    let row = screen.lines().find(|l| l.contains("pager-relay")).expect("row drawn");
    assert!(row.contains("ops/sre"), "other namespaces stay: {row}");
}
