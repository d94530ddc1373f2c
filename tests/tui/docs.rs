//! The Docs tab in the headless TUI: snapshots at 80x24 and 120x40, nav
//! order, links, history, page keys, TOC, in-page search, `:docs` and
//! `:docs-search`.

use stagehand::tui::screens::Screen;
use stagehand::tui::screens::docs::{DocsView, Focus, NavRowKind};
use stagehand::tui::screens::entity::Tab;

use crate::common_tui::*;
use crate::snap;

fn view(h: &Harness) -> &DocsView {
    match h.app.screen() {
        Screen::Entity(e) => e.docs.as_deref().expect("a docs view"),
        _ => panic!("not on an entity page"),
    }
}

fn page_title(h: &Harness) -> String {
    let v = view(h);
    v.docs().expect("docs ready").site.pages[v.page].title.clone()
}

/// The demo with shipment-tracker's docs open at 120x40.
fn docs_open() -> Harness {
    let mut h = Harness::demo();
    h.draw(120, 40);
    h.command("docs shipment-tracker");
    h.draw(120, 40);
    h
}

#[test]
fn snapshot_docs_tab() {
    let mut h = docs_open();
    assert!(matches!(h.app.screen(), Screen::Entity(e) if e.current() == Tab::Docs));
    snap(&mut h, "docs_tab");
}

#[test]
fn snapshot_docs_toc_and_search() {
    let mut h = docs_open();
    h.keys("/");
    h.type_text("redis");
    h.keys("enter");
    assert!(!view(&h).matches.is_empty());
    h.keys("T");
    snap(&mut h, "docs_toc_search");
}

#[test]
fn the_nav_lists_pages_in_mkdocs_order_with_sections() {
    let h = docs_open();
    let rows: Vec<(usize, String)> = view(&h).nav_rows().into_iter().map(|r| (r.depth, r.title)).collect();
    assert_eq!(
        rows,
        vec![
            (0, "Overview".to_string()),
            (0, "Architecture".into()),
            (0, "Using the API".into()),
            (0, "Operations".into()),
            (1, "Runbook".into()),
            (1, "On-call".into()),
        ]
    );
}

#[test]
fn links_open_in_place_and_history_goes_back_and_forward() {
    let mut h = docs_open();
    assert_eq!(page_title(&h), "Overview");
    // The first link is external (the tracking page), the second is api-usage.md.
    h.keys("tab");
    h.keys("enter");
    assert!(h.flash().contains("https://track.lumen.example.com/"), "{}", h.flash());
    assert_eq!(page_title(&h), "Overview");
    h.keys("tab enter");
    assert_eq!(page_title(&h), "Using the API");
    h.keys("backspace");
    assert_eq!(page_title(&h), "Overview");
    h.keys("alt-right");
    assert_eq!(page_title(&h), "Using the API");
    // Backspace with no history left leaves the docs.
    h.keys("backspace backspace");
    assert!(matches!(h.app.screen(), Screen::Search(_)), "{}", h.top());
}

#[test]
fn anchor_links_scroll_to_their_heading() {
    let mut h = docs_open();
    // Link 6 is architecture.md#data-flow.
    for _ in 0..6 {
        h.keys("tab");
    }
    h.keys("enter");
    h.draw(120, 40);
    let v = view(&h);
    assert_eq!(page_title(&h), "Architecture");
    let rendered = v.rendered_at(stagehand::tui::screens::docs::content_width(120, true)).unwrap();
    let line = rendered.anchor_line("data-flow").unwrap();
    assert_eq!(v.scroll, line);
}

#[test]
fn page_keys_nav_and_toc_move_through_the_site() {
    let mut h = docs_open();
    h.keys("}");
    assert_eq!(page_title(&h), "Architecture");
    h.keys("{");
    assert_eq!(page_title(&h), "Overview");
    // The nav: down to Runbook (inside the Operations section), enter.
    h.keys("m");
    assert_eq!(view(&h).focus, Focus::Nav);
    h.keys("j j j j enter");
    assert_eq!(page_title(&h), "Runbook");
    assert_eq!(view(&h).focus, Focus::Content);
    // Folding the section hides its pages.
    h.keys("m k space");
    assert!(view(&h).nav_rows().iter().all(|r| r.title != "On-call"));
    h.keys("space esc");
    // The TOC jumps to a heading.
    h.draw(120, 40);
    h.keys("T j enter");
    let v = view(&h);
    let rendered = v.rendered_at(stagehand::tui::screens::docs::content_width(120, true)).unwrap();
    assert_eq!(v.scroll, rendered.headings[1].line);
    assert!(v.nav_rows().iter().any(|r| r.kind == NavRowKind::Page(v.page)));
}

#[test]
fn search_in_page_steps_through_matches() {
    let mut h = docs_open();
    h.keys("/");
    h.type_text("redis");
    h.keys("enter");
    let n = view(&h).matches.len();
    assert!(n >= 2, "{n}");
    assert_eq!(view(&h).match_at, 0);
    h.keys("n");
    assert_eq!(view(&h).match_at, 1);
    h.keys("N N");
    assert_eq!(view(&h).match_at, n - 1);
    assert!(h.flash().contains("redis"), "{}", h.flash());
}

#[test]
fn narrow_screens_hide_the_nav_until_asked() {
    let mut h = docs_open();
    let screen = h.screen(80, 24);
    assert!(!screen.contains("Architecture  "), "{screen}");
    h.keys("m");
    let screen = h.screen(80, 24);
    assert!(screen.contains("Architecture") && screen.contains("Runbook"), "{screen}");
}

#[test]
fn entities_without_docs_have_no_docs_tab() {
    let mut h = Harness::demo();
    h.open("component:default/tracking-ingest");
    let Screen::Entity(e) = h.app.screen() else { panic!() };
    assert!(!e.tabs.contains(&Tab::Docs));
    h.command("docs");
    assert!(h.flash().contains("no TechDocs"), "{}", h.flash());
}

#[test]
fn docs_search_finds_pages_and_opens_them() {
    let mut h = Harness::demo();
    h.command("docs-search billing run");
    let Screen::DocsSearch(s) = h.app.screen() else { panic!("{}", h.top()) };
    let hits = s.hits.clone().expect("searched");
    assert!(!hits.is_empty());
    assert_eq!(hits[0].title, "The nightly billing run");
    snap(&mut h, "docs_search");
    h.keys("enter");
    h.draw(120, 40);
    assert_eq!(page_title(&h), "The nightly billing run");
    assert!(!view(&h).matches.is_empty(), "the term is searched on arrival");
}

#[test]
fn pages_render_in_effects_while_keys_keep_working() {
    let mut h = docs_open();
    // The next page's render is held back, as if still running on a worker.
    let held = h.keys_held("}");
    assert_eq!(held.len(), 1, "one render effect");
    let screen = h.screen(120, 40);
    assert!(screen.contains("2/5  Architecture") && screen.contains("rendering…"), "{screen}");
    // Keys still work meanwhile: back to the first page, drawn from the cache.
    let more = h.keys_held("{");
    assert!(more.is_empty(), "the first page is cached");
    let screen = h.screen(120, 40);
    assert!(screen.contains("1/5  Overview") && screen.contains("The Shipment Tracker answers"), "{screen}");
    // The late render lands in the cache without moving the reader.
    h.finish(held);
    assert_eq!(page_title(&h), "Overview");
    h.keys("}");
    assert!(h.screen(120, 40).contains("Components"));
}

#[test]
fn space_opens_and_closes_collapsible_blocks() {
    let mut h = Harness::demo();
    h.draw(120, 40);
    h.command("docs invoice-service");
    h.draw(120, 40);
    for _ in 0..10 {
        if page_title(&h) == "Troubleshooting" {
            break;
        }
        h.keys("}");
        h.draw(120, 40);
    }
    assert_eq!(page_title(&h), "Troubleshooting");
    let screen = h.screen(120, 40);
    assert!(screen.contains("▸ ") && screen.contains("More: the 2023 Belgian VAT incident"), "{screen}");
    assert!(!screen.contains("vatRounding"), "??? starts closed:\n{screen}");
    assert!(screen.contains("stern -n billing"), "???+ starts open:\n{screen}");
    h.keys("space");
    h.draw(120, 40);
    let screen = h.screen(120, 40);
    assert!(
        screen.contains("vatRounding") && screen.lines().any(|l| l.contains("▾ ") && l.contains("More: the 2023")),
        "space opened it:\n{screen}"
    );
    h.keys("space");
    h.draw(120, 40);
    assert!(!h.screen(120, 40).contains("vatRounding"), "space closed it again");
}
