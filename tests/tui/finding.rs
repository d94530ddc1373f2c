//! `/` within an entity page's tabs (Overview, Relations, Team, Graph,
//! API, YAML): matches highlighted, n/N stepping through them, the find
//! line and its result drawn.

use ratatui::style::Modifier;
use stagehand::tui::screens::Screen;
use stagehand::tui::screens::entity::Tab;
use stagehand::tui::theme::Slot;

use crate::common_tui::*;
use crate::snap;
use crate::views::goto_tab;

fn find_at(h: &Harness) -> (usize, usize) {
    match h.app.screen() {
        Screen::Entity(e) => (e.find.at, e.find.matches.len()),
        _ => panic!("not on an entity page"),
    }
}

#[test]
fn slash_in_the_yaml_tab_highlights_the_matches_and_n_steps() {
    let mut h = Harness::demo();
    h.open("component:default/shipment-tracker");
    goto_tab(&mut h, Tab::Yaml);
    h.screen(80, 24);
    h.keys("/");
    h.type_text("tracking");
    let screen = h.screen(80, 24);
    assert!(screen.contains("/ tracking"), "the find line is drawn:\n{screen}");
    h.keys("enter");
    let (at, total) = find_at(&h);
    assert!(total >= 2, "several matches: {total}");
    assert_eq!(at, 0);
    assert!(h.flash().contains(&format!("match 1 of {total}")), "{}", h.flash());

    h.keys("n");
    assert_eq!(find_at(&h).0, 1, "n: the next match");
    h.keys("N N");
    assert_eq!(find_at(&h).0, total - 1, "N wraps to the last");
    h.keys("n");

    // The current match is marked and bold; the text around it is not.
    let buf = h.draw(80, 24);
    let mark = h.app.theme.style(Slot::Match);
    let marked: Vec<(u16, u16)> = (0..buf.area.height)
        .flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            buf[(x, y)].modifier.contains(Modifier::BOLD) && buf[(x, y)].fg == mark.fg.unwrap_or_default()
        })
        .collect();
    let word: String = marked.iter().map(|&(x, y)| buf[(x, y)].symbol()).collect::<String>().to_lowercase();
    assert!(word.contains("tracking"), "the current match is bold in the match colour: {word:?}");
    snap(&mut h, "entity_yaml_find");

    h.keys("esc");
    assert_eq!(find_at(&h).1, 0, "esc forgets the find");
    assert!(!h.screen(80, 24).contains("/tracking"));
}

#[test]
fn slash_in_the_relations_tab_selects_the_match_and_marks_it() {
    let mut h = Harness::demo();
    h.open("component:default/shipment-tracker");
    goto_tab(&mut h, Tab::Relations);
    h.keys("/");
    h.type_text("team-ship");
    h.keys("enter");
    let selected = match h.app.screen() {
        Screen::Entity(e) => h.app.index().relations(e.entity)[e.relations.selected].target.to_string(),
        _ => panic!("not on an entity page"),
    };
    assert_eq!(selected, "group:default/team-shipments");
    let buf = h.draw(80, 24);
    let (x, y) = find(&buf, "team-ship").expect("drawn");
    let mark = h.app.theme.style(Slot::Match);
    assert_eq!(buf[(x, y)].fg, mark.fg.unwrap_or_default(), "the match is in the match colour");
    assert_ne!(buf[(x, y)].style(), buf[(x + 9, y)].style(), "the rest of the name is not marked");
    assert!(h.screen(80, 24).contains("/team-ship 1/"), "the find's result under the tab");
}

#[test]
fn slash_on_the_overview_marks_the_match() {
    let mut h = Harness::demo();
    h.open("component:default/shipment-tracker");
    assert!(h.screen(80, 24).contains("Overview"));
    h.keys("/");
    h.type_text("production");
    h.keys("enter");
    assert_eq!(find_at(&h), (0, 1), "one lifecycle");
    let buf = h.draw(80, 24);
    let (x, y) = find(&buf, "production").expect("drawn");
    assert_eq!(buf[(x, y)].fg, h.app.theme.style(Slot::Match).fg.unwrap_or_default(), "marked");
    h.keys("esc esc");
    assert!(!matches!(h.app.screen(), Screen::Entity(_)), "esc clears the find, then leaves the page");
}

#[test]
fn slash_finds_in_the_api_team_and_graph_tabs_and_scrolls_to_the_match() {
    // Each needle is below the first screen at 80x24 (the graph at depth
    // 2, after `+`).
    let cases = [
        ("api:default/tracking-api", Tab::Api, "", "confidence"),
        ("group:default/team-shipments", Tab::Outline, "", "tracking-cache"),
        ("group:default/team-shipments", Tab::Graph, "+", "spreadsheet-import"),
    ];
    for (entity, tab, keys, needle) in cases {
        let mut h = Harness::demo();
        h.open(entity);
        goto_tab(&mut h, tab);
        h.keys(keys);
        let first = h.screen(80, 24);
        assert!(!first.contains(needle), "{entity} {tab:?}: the case needs a match out of view:\n{first}");
        h.keys("/");
        h.type_text(needle);
        h.keys("enter");
        let (at, total) = find_at(&h);
        assert!(total >= 1 && at == 0, "{entity} {tab:?}: {total} matches, at {at}");
        let buf = h.draw(80, 24);
        let Some((x, y)) = find(&buf, needle) else {
            panic!("{entity} {tab:?}: the match is in view:\n{}", text(&buf));
        };
        let mark = h.app.theme.style(Slot::Match);
        assert_eq!(buf[(x, y)].fg, mark.fg.unwrap_or_default(), "{entity} {tab:?}: the match is marked");
        h.keys("esc");
        assert_eq!(find_at(&h).1, 0, "{entity} {tab:?}: esc forgets the find");
    }
}
