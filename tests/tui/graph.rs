//! Headless TUI tests for ownership-graph navigation (issue 4) on the demo
//! catalog: the group page (Team tab), the user page (Groups tab), the
//! system and domain trees (Structure tab), the graph tab with depth,
//! filters and "+N more", `:health`, `:mine` and `:my-groups`. Frames are
//! snapshotted at 80x24 and 120x40; behaviour is checked on the app state.

use std::collections::{BTreeSet, HashSet};

use ratatui::buffer::Buffer;
use stagehand::index::graph::{self, GraphOptions, neighbourhood};
use stagehand::index::graph_tree::{TreeItem, tree};
use stagehand::tui::keymap::Keymap;
use stagehand::tui::screens::Screen;
use stagehand::tui::screens::entity::derive::{graph_lines, outline_lines};
use stagehand::tui::screens::entity::{EntityScreen, GRAPH_PER_NODE, MAX_GRAPH_DEPTH, Tab};
use stagehand::tui::theme::Slot;

use crate::common_tui::*;
use crate::snap;
use crate::views::{current_tab, goto_tab};

/// The identity the `:mine` tests run as.
pub(crate) const ELIF: &str = "user:default/elif.demir";

/// The demo with `identity` configured, as `identity:` in the config would.
pub(crate) fn demo_as(identity: &str) -> Harness {
    let tmp = tmp_dir();
    let ws = demo_workspace(tmp.path());
    let mut settings = settings(Keymap::default());
    settings.identity = Some(identity.to_string());
    Harness::with(ws, tmp, settings)
}

fn page(h: &Harness) -> &EntityScreen {
    match h.app.screen() {
        Screen::Entity(e) => e,
        _ => panic!("not on an entity page but on {}", h.top()),
    }
}

/// Opens `entity_ref` from the search home and shows `tab`.
fn open_at(h: &mut Harness, entity_ref: &str, tab: Tab) {
    h.open(entity_ref);
    assert_eq!(h.top_entity().as_deref(), Some(entity_ref));
    goto_tab(h, tab);
}

/// The outline row of the page showing entity `entity_ref`.
fn outline_row(h: &Harness, entity_ref: &str) -> usize {
    let index = h.app.index();
    let target = index.find(entity_ref).unwrap_or_else(|| panic!("{entity_ref} is not in the index"));
    outline_lines(index, page(h))
        .iter()
        .position(|l| l.entity() == Some(target))
        .unwrap_or_else(|| panic!("{entity_ref} is not in the outline"))
}

/// The graph row of the first node `entity_ref` (not a repeat).
fn graph_row(h: &Harness, entity_ref: &str) -> usize {
    let index = h.app.index();
    let target = index.find(entity_ref).unwrap_or_else(|| panic!("{entity_ref} is not in the index"));
    graph_lines(index, page(h))
        .iter()
        .position(|l| matches!(l.item, TreeItem::Node { target: t, repeat: false, .. } if t == target))
        .unwrap_or_else(|| panic!("{entity_ref} is not in the graph"))
}

/// The graph row of the first "+N more" line.
fn more_row(h: &Harness) -> usize {
    graph_lines(h.app.index(), page(h))
        .iter()
        .position(|l| matches!(l.item, TreeItem::More { .. }))
        .expect("a +N more line")
}

/// Moves the outline cursor to the line of `entity_ref` with `j` and `k`.
fn outline_to(h: &mut Harness, entity_ref: &str) {
    let row = outline_row(h, entity_ref);
    while page(h).outline.selected < row {
        h.keys("j");
    }
    while page(h).outline.selected > row {
        h.keys("k");
    }
}

/// Moves a cursor that is at row 0 down to `row` with `j`.
pub(crate) fn down_to(h: &mut Harness, row: usize) {
    for _ in 0..row {
        h.keys("j");
    }
}

/// Whether the row drawn with `needle` uses the theme's selected style.
fn is_selected(h: &Harness, buf: &Buffer, needle: &str) -> bool {
    let (x, y) = find(buf, needle).unwrap_or_else(|| panic!("{needle} is not drawn:\n{}", text(buf)));
    buf[(x, y)].bg == h.app.theme.style(Slot::Selected).bg.expect("the selected style has a background")
}

pub(crate) fn refs(h: &Harness, ids: &[u32]) -> Vec<String> {
    ids.iter().map(|&i| h.app.index().ref_of(i).to_string()).collect()
}

pub(crate) fn list_rows(h: &Harness) -> Vec<u32> {
    match h.app.screen() {
        Screen::List(l) => l.shown.clone(),
        _ => panic!("not on a list but on {}", h.top()),
    }
}

// ---------------------------------------------------------------- group page

#[test]
fn group_page_of_a_team() {
    let mut h = Harness::demo();
    open_at(&mut h, "group:default/team-shipments", Tab::Outline);
    let screen = h.screen(120, 40);
    assert!(screen.contains("Overview │ Team │ Relations"), "the outline tab is called Team:\n{screen}");
    for want in [
        "Parent chain (3)",
        "  group freight-tech  Freight Technology",
        "    group engineering  Engineering",
        "      group lumen  Lumen Freight",
        "Child groups (0)",
        "Members (3)",
        "user elif.demir  Elif Demir  <elif.demir@lumen.example.com>",
        "user gustavo.lima  Gustavo Lima  <gustavo.lima@lumen.example.com>",
        "Owns directly (19 direct, 19 with sub-groups; t toggles)",
        "  API (5)",
        "  Component (7)",
        "component shipment-tracker  Shipment Tracker",
    ] {
        assert!(screen.contains(want), "{want} missing:\n{screen}");
    }
    snap(&mut h, "group_team_shipments");
}

#[test]
fn group_page_toggles_ownership_with_sub_groups() {
    let mut h = Harness::demo();
    open_at(&mut h, "group:default/freight-tech", Tab::Outline);
    let screen = h.screen(120, 40);
    assert!(screen.contains("Owns directly (1 direct, 34 with sub-groups; t toggles)"), "{screen}");
    assert!(screen.contains("domain freight  Freight Operations"), "{screen}");
    assert!(!screen.contains("component shipment-tracker"), "only what freight-tech owns itself:\n{screen}");
    // team-data names freight-tech as parent without being listed in its
    // children: it is still a child group (relations are derived from both sides).
    assert!(screen.contains("  group team-data  Data & ML Team"), "{screen}");

    h.keys("t");
    assert!(page(&h).with_subgroups);
    let screen = h.screen(120, 40);
    for want in [
        "Owns with sub-groups (1 direct, 34 with sub-groups; t toggles)",
        "  API (7)",
        "  Component (14)",
        "component shipment-tracker  Shipment Tracker",
        "component eta-predictor  ETA Predictor",
        "component route-optimizer  Route Optimizer",
    ] {
        assert!(screen.contains(want), "{want} missing:\n{screen}");
    }
    snap(&mut h, "group_freight_tech_with_subgroups");

    // The outline lists exactly the transitive ownership.
    let index = h.app.index();
    let g = index.find("group:default/freight-tech").unwrap();
    let listed: BTreeSet<u32> = outline_lines(index, page(&h)).iter().filter_map(|l| l.entity()).collect();
    for owned in graph::owned_by(index, g, true) {
        assert!(listed.contains(&owned), "{} owned through a sub-group is not listed", index.ref_of(owned));
    }
    h.keys("t");
    assert!(h.screen(120, 40).contains("Owns directly (1 direct, 34"));
}

#[test]
fn group_page_expands_a_child_group() {
    let mut h = Harness::demo();
    open_at(&mut h, "group:default/engineering", Tab::Outline);
    let screen = h.screen(120, 40);
    assert!(screen.contains("▸ group freight-tech  Freight Technology  (4 sub-groups)"), "{screen}");
    assert!(!screen.contains("team-shipments"), "collapsed:\n{screen}");

    let row = outline_row(&h, "group:default/freight-tech");
    down_to(&mut h, row);
    h.keys("space");
    assert_eq!(h.top_entity().as_deref(), Some("group:default/engineering"), "space folds, it does not open");
    let screen = h.screen(120, 40);
    assert!(screen.contains("▾ group freight-tech  Freight Technology  (4 sub-groups)"), "{screen}");
    for team in ["team-data", "team-routing", "team-shipments", "team-warehouse"] {
        assert!(screen.contains(&format!("    group {team}  ")), "{team} under freight-tech:\n{screen}");
    }
    snap(&mut h, "group_engineering_expanded");

    // Space again collapses; Enter on the child group opens it.
    h.keys("space");
    assert!(h.screen(120, 40).contains("▸ group freight-tech"));
    h.keys("enter");
    assert_eq!(h.top_entity().as_deref(), Some("group:default/freight-tech"));
}

#[test]
fn outline_cursor_moves_and_enter_on_a_member_opens_the_user() {
    let mut h = Harness::demo();
    open_at(&mut h, "group:default/team-shipments", Tab::Outline);
    assert_eq!(page(&h).outline.selected, 0);
    let buf = h.draw(120, 40);
    assert!(is_selected(&h, &buf, "Parent chain (3)"), "the cursor starts on the first line");

    let row = outline_row(&h, "user:default/farah.haddad");
    down_to(&mut h, row);
    assert_eq!(page(&h).outline.selected, row);
    let buf = h.draw(120, 40);
    assert!(is_selected(&h, &buf, "farah.haddad  Farah Haddad"), "{}", text(&buf));
    assert!(!is_selected(&h, &buf, "Parent chain (3)"));
    assert!(!is_selected(&h, &buf, "elif.demir  Elif Demir"));
    h.keys("k");
    let buf = h.draw(120, 40);
    assert!(is_selected(&h, &buf, "elif.demir  Elif Demir"));

    // The cursor stays inside the outline.
    h.keys("G");
    let len = outline_lines(h.app.index(), page(&h)).len();
    assert_eq!(page(&h).outline.selected, len - 1);
    h.keys("g g");
    assert_eq!(page(&h).outline.selected, 0);
    // Enter on a header does nothing.
    h.keys("enter");
    assert_eq!(h.top_entity().as_deref(), Some("group:default/team-shipments"));

    outline_to(&mut h, "user:default/elif.demir");
    h.keys("enter");
    assert_eq!(h.top_entity().as_deref(), Some(ELIF));
    assert_eq!(current_tab(&h), Some(Tab::Overview));
    assert!(h.screen(120, 40).contains("› team-shipments › elif.demir"));

    // Back: the group page again, on its Team tab with the cursor kept.
    h.keys("backspace");
    assert_eq!(h.top_entity().as_deref(), Some("group:default/team-shipments"));
    assert_eq!(current_tab(&h), Some(Tab::Outline));
    let buf = h.draw(120, 40);
    assert!(is_selected(&h, &buf, "elif.demir  Elif Demir"));
}

/// `t` shortens the outline when it goes back to direct ownership: the
/// cursor must stay on a line (it is clamped when moved, not when toggled).
#[test]
fn toggling_sub_groups_keeps_the_cursor_on_a_line() {
    let mut h = Harness::demo();
    open_at(&mut h, "group:default/freight-tech", Tab::Outline);
    h.keys("t G t");
    let len = outline_lines(h.app.index(), page(&h)).len();
    assert!(page(&h).outline.selected < len, "cursor on line {} of {len}", page(&h).outline.selected);
    let buf = h.draw(120, 40);
    let selected = h.app.theme.style(Slot::Selected).bg.unwrap();
    assert!((0..40).any(|y| buf[(1, y)].bg == selected), "no line is highlighted:\n{}", text(&buf));
}

// ---------------------------------------------------------------- user page

#[test]
fn user_page_lists_groups_and_what_they_own() {
    let mut h = Harness::demo();
    open_at(&mut h, ELIF, Tab::Outline);
    let screen = h.screen(120, 40);
    assert!(screen.contains("Overview │ Groups │ Relations"), "the outline tab is called Groups:\n{screen}");
    for want in [
        "Groups (1)",
        "  group team-shipments  Shipments Team",
        "Inherited groups (3)",
        "  group engineering  Engineering",
        "  group lumen  Lumen Freight",
        "Owns directly (0)",
        "Owns through groups (20)",
        "domain freight  Freight Operations",
    ] {
        assert!(screen.contains(want), "{want} missing:\n{screen}");
    }
    snap(&mut h, "user_elif_demir");

    // A user in no group says so.
    let mut h = Harness::demo();
    open_at(&mut h, "user:default/tariq.mansour", Tab::Outline);
    let screen = h.screen(120, 40);
    assert!(screen.contains("Groups (0)") && screen.contains("in no group"), "{screen}");

    // A user in two teams: both direct.
    let mut h = Harness::demo();
    open_at(&mut h, "user:default/gustavo.lima", Tab::Outline);
    let screen = h.screen(120, 40);
    assert!(screen.contains("Groups (2)") && screen.contains("group team-data"), "{screen}");
    assert!(screen.contains("component eta-predictor"), "team-data's component:\n{screen}");
}

// ---------------------------------------------------------------- structure

#[test]
fn structure_of_a_system() {
    let mut h = Harness::demo();
    open_at(&mut h, "system:default/tracking", Tab::Outline);
    let screen = h.screen(120, 40);
    assert!(screen.contains("Overview │ Structure │ Relations"), "{screen}");
    for want in [
        "Part of this",
        "  ▾ component shipment-tracker  Shipment Tracker",
        "    component tracking-ingest  Tracking Ingest",
        "  api tracking-api  Public Tracking API",
        "  resource tracking-cache  Tracking cache",
        "Part of",
        "  domain shipment-visibility  Shipment Visibility",
    ] {
        assert!(screen.contains(want), "{want} missing:\n{screen}");
    }
    // Components come before APIs, APIs before resources.
    let at = |s: &str| screen.find(s).unwrap();
    assert!(at("component tracking-widget") < at("api tracking-api"));
    assert!(at("api tracking-events") < at("resource tracking-cache"));
    snap(&mut h, "structure_tracking");

    // Fold the component with a subcomponent.
    outline_to(&mut h, "component:default/shipment-tracker");
    h.keys("space");
    let screen = h.screen(120, 40);
    assert!(screen.contains("  ▸ component shipment-tracker"), "{screen}");
    // tracking-ingest is part of the system as well as a subcomponent of
    // shipment-tracker: folded, it shows at the top level instead.
    assert!(!screen.contains("    component tracking-ingest"), "folded away:\n{screen}");
    assert!(screen.contains("│  component tracking-ingest  Tracking Ingest"), "{screen}");
    snap(&mut h, "structure_tracking_folded");
}

#[test]
fn structure_of_a_domain() {
    let mut h = Harness::demo();
    open_at(&mut h, "domain:default/freight", Tab::Outline);
    let screen = h.screen(120, 40);
    for want in [
        "  ▾ domain shipment-visibility  Shipment Visibility",
        "    ▸ system tracking  Tracking",
        "  ▾ system routing  Routing",
        "    component route-optimizer  Route Optimizer",
        "  ▾ system shipments  Shipments",
        "  ▾ system warehouse  Warehouse",
        "    ▸ component warehouse-manager  Warehouse Manager",
    ] {
        assert!(screen.contains(want), "{want} missing:\n{screen}");
    }
    let part_of = |s: &str| s.lines().any(|l| l.trim_matches(['│', ' ']) == "Part of");
    assert!(!part_of(&screen), "freight is a root domain:\n{screen}");
    snap(&mut h, "structure_freight");

    // Fold the routing system; unfold tracking under the subdomain.
    outline_to(&mut h, "system:default/routing");
    h.keys("space");
    h.keys("g g");
    outline_to(&mut h, "system:default/tracking");
    h.keys("space");
    let screen = h.screen(120, 40);
    assert!(screen.contains("  ▸ system routing  Routing"), "{screen}");
    assert!(!screen.contains("route-optimizer"), "routing folded:\n{screen}");
    assert!(screen.contains("    ▾ system tracking  Tracking"), "{screen}");
    assert!(screen.contains("      component eta-predictor  ETA Predictor"), "{screen}");
    snap(&mut h, "structure_freight_folded");

    // Enter on a system opens it.
    h.keys("enter");
    assert_eq!(h.top_entity().as_deref(), Some("system:default/tracking"));
}

// ---------------------------------------------------------------- graph

#[test]
fn graph_depth_filters_and_fan_out() {
    let mut h = Harness::demo();
    open_at(&mut h, "component:default/shipment-tracker", Tab::Graph);
    let screen = h.screen(120, 40);
    for want in [
        "depth 1 · all relations · all kinds",
        "component:default/shipment-tracker  Shipment Tracker",
        "├── ownedBy → group:default/team-shipments  Shipments",
        "├── partOf → system:default/tracking  Tracking",
        "├── dependsOn → component:default/eta-predictor  ETA Predictor",
        "└── consumesApi → api:default/tracking-events  Tracking Events",
    ] {
        assert!(screen.contains(want), "{want} missing:\n{screen}");
    }
    assert_eq!(graph_lines(h.app.index(), page(&h)).len(), 8, "the root and its 7 relations");
    snap(&mut h, "graph_depth1");

    h.keys("+");
    assert_eq!(page(&h).graph.depth, 2);
    assert_eq!(h.flash(), "graph depth 2");
    let screen = h.screen(120, 40);
    assert!(screen.contains("depth 2 · all relations"), "{screen}");
    assert!(screen.contains("│   ├── ownerOf → api:default/booking-api  Booking API"), "{screen}");
    assert!(screen.contains("│   └── +11 more"), "team-shipments' 23 relations, 12 shown:\n{screen}");
    assert!(
        screen.contains("├── ownerOf → component:default/shipment-tracker  Shipment Tracker  (↺ shown above)"),
        "the way back to the root is marked, not walked again:\n{screen}"
    );
    snap(&mut h, "graph_depth2");

    // f: all relations -> ownership.
    h.keys("f");
    assert_eq!(h.flash(), "graph: ownership");
    let screen = h.screen(120, 40);
    assert!(screen.contains("depth 2 · ownership · all kinds"), "{screen}");
    assert!(!screen.contains("partOf") && !screen.contains("dependsOn"), "{screen}");
    assert!(screen.contains("    └── +7 more"), "19 owned, 12 shown:\n{screen}");
    snap(&mut h, "graph_depth2_ownership");

    // Enter on "+7 more" shows all 19.
    let row = more_row(&h);
    down_to(&mut h, row);
    h.keys("enter");
    assert_eq!(h.top_entity().as_deref(), Some("component:default/shipment-tracker"), "expanding opens nothing");
    let lines = graph_lines(h.app.index(), page(&h));
    assert!(!lines.iter().any(|l| matches!(l.item, TreeItem::More { .. })), "expanded");
    assert_eq!(lines.iter().filter(|l| l.depth == 2).count(), 19);
    let screen = h.screen(120, 40);
    assert!(screen.contains("    └── ownerOf → system:default/tracking  Tracking"), "{screen}");
    snap(&mut h, "graph_ownership_expanded");

    // The expansion survives a depth change; `-` stops at 1, `+` at the maximum.
    h.keys("- - -");
    assert_eq!(page(&h).graph.depth, 1);
    assert_eq!(page(&h).graph.sel.selected, 0, "depth changes reset the cursor");
    for _ in 0..MAX_GRAPH_DEPTH + 2 {
        h.keys("+");
    }
    assert_eq!(page(&h).graph.depth, MAX_GRAPH_DEPTH);
    assert_eq!(h.flash(), format!("graph depth {MAX_GRAPH_DEPTH}"));
}

#[test]
fn graph_kind_filter_and_space() {
    let mut h = Harness::demo();
    open_at(&mut h, "component:default/shipment-tracker", Tab::Graph);
    h.keys("F");
    assert_eq!(h.flash(), "graph: components");
    let screen = h.screen(120, 40);
    assert!(screen.contains("depth 1 · all relations · components"), "{screen}");
    let lines = graph_lines(h.app.index(), page(&h));
    let shown: Vec<String> = lines
        .iter()
        .skip(1)
        .filter_map(|l| match l.item {
            TreeItem::Node { target, .. } => Some(h.app.index().ref_of(target).to_string()),
            TreeItem::More { .. } => None,
        })
        .collect();
    assert_eq!(shown, vec!["component:default/tracking-ingest", "component:default/eta-predictor"]);
    // Filters cycle back round to everything.
    for _ in 0..5 {
        h.keys("F");
    }
    assert_eq!(h.flash(), "graph: all kinds");
    for _ in 0..6 {
        h.keys("f");
    }
    assert_eq!(h.flash(), "graph: all relations");
    assert_eq!(graph_lines(h.app.index(), page(&h)).len(), 8);

    // Space on a node neither opens nor changes anything; Enter on the root neither.
    down_to(&mut h, 1);
    h.keys("space");
    assert_eq!(h.top_entity().as_deref(), Some("component:default/shipment-tracker"));
    h.keys("g g enter");
    assert_eq!(h.top_entity().as_deref(), Some("component:default/shipment-tracker"));
}

#[test]
fn enter_on_a_graph_node_opens_it_and_back_returns() {
    let mut h = Harness::demo();
    open_at(&mut h, "component:default/shipment-tracker", Tab::Overview);
    // v: the graph tab from the overview.
    h.keys("v");
    assert_eq!(current_tab(&h), Some(Tab::Graph));
    h.keys("+");
    let row = graph_row(&h, "component:default/eta-predictor");
    down_to(&mut h, row);
    let buf = h.draw(120, 40);
    // The expanded line (eta-predictor also appears earlier as a repeat under its system).
    assert!(is_selected(&h, &buf, "dependsOn → component:default/eta-predictor"), "{}", text(&buf));
    h.keys("enter");
    assert_eq!(h.top_entity().as_deref(), Some("component:default/eta-predictor"));
    let screen = h.screen(120, 40);
    assert!(screen.contains("› shipment-tracker › eta-predictor"), "{screen}");
    assert_eq!(current_tab(&h), Some(Tab::Overview), "a new page opens on its overview");

    h.keys("esc");
    assert_eq!(h.top_entity().as_deref(), Some("component:default/shipment-tracker"));
    let g = &page(&h).graph;
    assert_eq!((current_tab(&h), g.depth, g.sel.selected), (Some(Tab::Graph), 2, row), "the graph kept its state");
    h.keys("alt-right");
    assert_eq!(h.top_entity().as_deref(), Some("component:default/eta-predictor"));
    h.keys("alt-left backspace");
    assert_eq!(h.top(), "search");
}

#[test]
fn r_shows_the_relations_tab_from_any_tab() {
    let mut h = Harness::demo();
    open_at(&mut h, "group:default/team-shipments", Tab::Overview);
    h.keys("r");
    assert_eq!(current_tab(&h), Some(Tab::Relations));
    assert!(h.screen(120, 40).contains("hasMember"));
    h.keys("v");
    assert_eq!(current_tab(&h), Some(Tab::Graph));
    h.keys("r");
    assert_eq!(current_tab(&h), Some(Tab::Relations));
    // From the relations, Enter follows the selected one (childOf freight-tech comes first).
    let first = h.app.index().relations(page(&h).entity)[0].target.to_string();
    h.keys("enter");
    assert_eq!(h.top_entity(), Some(first));
}

/// The tree drawn at depth 2 is the neighbourhood at depth 2: every node
/// within two hops appears (with the same per-node cap).
#[test]
fn the_depth_2_tree_shows_the_whole_depth_2_neighbourhood() {
    let mut h = Harness::demo();
    open_at(&mut h, "component:default/shipment-tracker", Tab::Graph);
    h.keys("+");
    let index = h.app.index();
    let root = page(&h).entity;
    let opts = GraphOptions { depth: 2, per_node: GRAPH_PER_NODE, ..GraphOptions::default() };
    let in_tree: BTreeSet<String> = tree(index, root, &opts, &HashSet::new())
        .iter()
        .filter_map(|l| match l.item {
            TreeItem::Node { target, .. } => Some(index.ref_of(target).to_string()),
            TreeItem::More { .. } => None,
        })
        .collect();
    let near: BTreeSet<String> =
        neighbourhood(index, root, &opts).nodes.iter().map(|(i, _)| index.ref_of(*i).to_string()).collect();
    let missing: Vec<&String> = near.difference(&in_tree).collect();
    // eta-predictor is a direct dependency; its owner team-data is two hops away.
    assert!(missing.is_empty(), "within two hops but not drawn: {missing:?}");
    assert!(in_tree.contains("group:default/team-data"), "{in_tree:?}");
}

// ---------------------------------------------------------------- palette
