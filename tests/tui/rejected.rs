//! Rejected entities in the TUI: `is:rejected` lists them with a REJECTED
//! marker and their reason, Enter opens their page (marker, reason,
//! file:line, YAML as read); they are never among plain results.

use stagehand::tui::screens::Screen;

use crate::common_tui::*;
use crate::snap;
use crate::views::search_results;

const BAD: &str = "component:default/bad name!";

#[test]
fn is_rejected_lists_the_demos_rejected_component_with_its_marker_and_reason() {
    let mut h = Harness::demo();
    h.type_text("is:rejected");
    assert!(search_results(&h).is_empty(), "no stored entity is rejected");
    match h.app.screen() {
        Screen::Search(s) => {
            let refs: Vec<&str> = s.rejected.iter().map(|r| r.entity_ref.as_str()).collect();
            assert_eq!(refs, [BAD]);
        }
        _ => panic!("not on the search screen"),
    }
    let screen = h.screen(120, 40);
    for want in ["REJECTED", BAD, "1 rejected", "broken/catalog-info.yaml:", "reason"] {
        assert!(screen.contains(want), "{want} missing:\n{screen}");
    }
    snap(&mut h, "search_rejected");
}

#[test]
fn facets_and_words_narrow_the_rejected_rows() {
    let mut h = Harness::demo();
    h.type_text("is:rejected kind:api");
    assert!(h.screen(80, 24).contains("no rejected entities"), "{}", h.screen(80, 24));
    let mut h = Harness::demo();
    h.type_text("is:rejected owner:team-shipments spreadsheet");
    assert!(h.screen(80, 24).contains(BAD), "{}", h.screen(80, 24));
    let mut h = Harness::demo();
    h.type_text("bad name");
    assert!(search_results(&h).iter().all(|r| r != BAD), "never a plain result");
    assert!(!h.screen(80, 24).contains("REJECTED"));
}

#[test]
fn enter_opens_the_rejected_page_with_reason_location_and_yaml_and_back_returns() {
    let mut h = Harness::demo();
    h.type_text("is:rejected");
    h.keys("enter");
    match h.app.screen() {
        Screen::Rejected(r) => assert_eq!(r.rejected.entity_ref, BAD),
        _ => panic!("Enter did not open the rejected page"),
    }
    let screen = h.screen(120, 40);
    for want in ["REJECTED", "reason", "broken/catalog-info.yaml:", "name: Bad Name!", "Not_Valid", "kind: Component"] {
        assert!(screen.contains(want), "{want} missing:\n{screen}");
    }
    // The YAML's managed-by annotations hold the temp demo path, wrapped
    // at 80 columns where no whole-path filter can find it.
    let tmp = regex::Regex::new(r"/tmp/stagehand-tui-[A-Za-z0-9]{6}/").unwrap();
    let hash = regex::Regex::new(r"demo/[0-9a-f]{12}").unwrap();
    crate::snap_cleaned(&mut h, "rejected_page", |screen| {
        hash.replace_all(&tmp.replace_all(screen, "[TMP]/"), "demo/[HASH]").into_owned()
    });
    h.keys("esc");
    assert!(matches!(h.app.screen(), Screen::Search(_)), "back to the search");
}
