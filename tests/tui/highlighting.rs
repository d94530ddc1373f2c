//! Syntax highlighting of the YAML and API tabs: colours from the theme's
//! slots in the dark theme (checked on buffer cells; the snapshots record
//! characters only), none under NO_COLOR (the mono theme).

use ratatui::buffer::Buffer;
use ratatui::style::Color;
use stagehand::tui::keymap::Keymap;
use stagehand::tui::screens::entity::Tab;
use stagehand::tui::theme::{Slot, Theme};

use crate::common_tui::*;
use crate::snap;
use crate::views::goto_tab;

/// The foreground of the cell where `needle` starts on row `y`.
fn fg_of(buf: &Buffer, needle: &str, y: u16) -> Color {
    let row: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_string()).collect();
    let x = row.find(needle).unwrap_or_else(|| panic!("{needle} not on row {y}: {row}"));
    let x = row[..x].chars().count() as u16;
    buf[(x, y)].fg
}

/// The row that starts (after indentation) with `prefix`.
fn row_of(buf: &Buffer, prefix: &str) -> u16 {
    let (_, y) = find(buf, prefix).unwrap_or_else(|| panic!("{prefix} not drawn:\n{}", text(buf)));
    y
}

fn yaml_tab(h: &mut Harness) {
    h.open("component:default/shipment-tracker");
    goto_tab(h, Tab::Yaml);
}

#[test]
fn the_yaml_tab_is_highlighted_with_the_theme_slots() {
    let mut h = Harness::demo();
    yaml_tab(&mut h);
    let theme = h.app.theme.clone();
    let buf = h.draw(120, 40);
    let key = theme.style(Slot::KeyHint).fg.unwrap();
    let string = theme.style(Slot::Ok).fg.unwrap();
    assert_ne!(key, string);
    let y = row_of(&buf, "kind: Component");
    assert_eq!(fg_of(&buf, "kind", y), key, "a mapping key");
    assert_eq!(fg_of(&buf, "Component", y), string, "a scalar value");
    let y = row_of(&buf, "name: shipment-tracker");
    assert_eq!(fg_of(&buf, "name", y), key);
    assert_eq!(fg_of(&buf, "shipment-tracker", y), string);
    snap(&mut h, "entity_yaml_dark");
}

#[test]
fn under_no_color_the_yaml_tab_is_plain_and_reads_the_same() {
    let mut dark = Harness::demo();
    yaml_tab(&mut dark);
    let mut mono_settings = settings(Keymap::default());
    mono_settings.theme = Theme::builtin("mono").unwrap();
    let tmp = tmp_dir();
    let ws = demo_workspace(tmp.path());
    let mut mono = Harness::with(ws, tmp, mono_settings);
    yaml_tab(&mut mono);
    let buf = mono.draw(120, 40);
    let body_top = row_of(&buf, "apiVersion:");
    for y in body_top..buf.area.height - 1 {
        for x in 0..buf.area.width {
            let fg = buf[(x, y)].fg;
            assert!(matches!(fg, Color::Reset), "colour {fg:?} at ({x}, {y}) under NO_COLOR:\n{}", text(&buf));
        }
    }
    let demo = regex::Regex::new(crate::DEMO_PATH).unwrap();
    let plain = |buf: &Buffer| demo.replace_all(&text(buf), "[DEMO]").into_owned();
    assert_eq!(plain(&buf), plain(&dark.draw(120, 40)), "highlighting changes colours, never text");
    snap(&mut mono, "entity_yaml_no_color");
}

#[test]
fn the_api_definition_is_highlighted_below_its_summary() {
    let mut h = Harness::demo();
    h.open("api:default/booking-api");
    goto_tab(&mut h, Tab::Api);
    let theme = h.app.theme.clone();
    let buf = h.draw(120, 40);
    let y = row_of(&buf, "Servers:");
    assert_eq!(fg_of(&buf, "Servers", y), Color::Reset, "the summary is not code");
    let y = row_of(&buf, "openapi:");
    assert_eq!(fg_of(&buf, "openapi", y), theme.style(Slot::KeyHint).fg.unwrap(), "the definition is");
}

#[test]
fn the_end_of_a_long_definition_is_highlighted_after_a_jump() {
    let tmp = tmp_dir();
    let catalog = tmp.path().join("catalog");
    std::fs::create_dir_all(&catalog).unwrap();
    let mut definition = String::from("openapi: 3.0.0\ninfo: {title: Big, version: 1.0.0}\npaths:\n");
    for i in 0..6000 {
        definition.push_str(&format!("  /p{i}:\n    get: {{summary: 'Thing {i}'}}\n"));
    }
    definition.push_str("  /last-path:\n    get: {summary: 'The end'}\n");
    let indented: String = definition.lines().map(|l| format!("    {l}\n")).collect();
    std::fs::write(
        catalog.join("catalog-info.yaml"),
        format!("apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {{name: big}}\nspec:\n  type: openapi\n  owner: team\n  lifecycle: production\n  definition: |\n{indented}"),
    )
    .unwrap();
    let mut h = Harness::with(dir_workspace(tmp.path(), catalog), tmp_dir(), settings(Keymap::default()));
    h.open("api:default/big");
    goto_tab(&mut h, Tab::Api);
    h.draw(120, 40);
    h.keys("G");
    let buf = h.draw(120, 40);
    let y = row_of(&buf, "/last-path:");
    assert_eq!(fg_of(&buf, "/last-path", y), h.app.theme.style(Slot::KeyHint).fg.unwrap(), "{}", text(&buf));
    h.keys("g g");
    let buf = h.draw(120, 40);
    let y = row_of(&buf, "Paths (6001):");
    assert_eq!(fg_of(&buf, "Paths", y), Color::Reset, "back at the top, the summary is still plain");
}
