//! Searches in flight: keys typed while a search runs, first screens shown
//! early, narrowing from earlier results, list filters answered late.

use std::collections::BTreeSet;

use stagehand::tui::keymap::Keymap;
use stagehand::tui::screens::Screen;

use crate::common_tui::*;
use crate::views::{list_rows, search_results};

/// The results the settled app shows for `query`.
fn settled_results(query: &str) -> Vec<String> {
    let mut h = Harness::demo();
    h.type_text(query);
    search_results(&h)
}

fn keys_of(text: &str) -> String {
    text.chars().map(|c| c.to_string()).collect::<Vec<_>>().join(" ")
}

#[test]
fn typing_while_the_first_search_runs_finds_everything() {
    // The runtime runs searches on other threads: keys typed right after the
    // index loads arrive before the first search has answered.
    let tmp = tmp_dir();
    let ws = demo_workspace(tmp.path());
    let mut h = Harness::unloaded(ws, tmp, settings(Keymap::default()));
    let loaded = stagehand::tui::effects::load(&h.ctx.ws);
    let mut held = h.send_held(stagehand::tui::app::Msg::IndexLoaded(loaded));
    held.extend(h.keys_held(&keys_of("booking")));
    h.finish(held);
    let expected = settled_results("booking");
    assert!(!expected.is_empty());
    assert_eq!(search_results(&h), expected);
}

#[test]
fn typing_after_a_widening_edit_in_flight_finds_everything() {
    // "api" answered; backspace ("ap") still running when "p" is typed:
    // "app" must not be searched within the results of "api".
    let api: BTreeSet<String> = settled_results("api").into_iter().collect();
    let expected = settled_results("app");
    assert!(expected.iter().any(|r| !api.contains(r)), "the case needs an `app` result that `api` lacks");
    let mut h = Harness::demo();
    h.type_text("api");
    let held = h.keys_held("backspace p");
    h.finish(held);
    assert_eq!(search_results(&h), expected);
}

#[test]
fn clearing_a_list_filter_while_its_search_runs_shows_every_row() {
    let mut h = Harness::demo();
    h.command("components");
    let all = list_rows(&h);
    h.keys("/");
    h.type_text("x");
    assert!(list_rows(&h).len() < all.len(), "the case needs a filter that hides rows");
    h.keys("backspace");
    assert_eq!(list_rows(&h), all);
    // "x" starts a filter search; backspace empties the filter before it answers.
    let held = h.keys_held("x backspace");
    h.finish(held);
    match h.app.screen() {
        Screen::List(l) => assert_eq!(l.filter.text(), ""),
        _ => panic!("not on the list"),
    }
    assert_eq!(list_rows(&h), all, "a stale answer for `t` replaced the unfiltered rows");
}

#[test]
fn a_first_screen_shows_early_and_the_complete_results_keep_the_selection() {
    use stagehand::tui::app::Msg;
    use stagehand::tui::effects::Effect;
    use stagehand::tui::effects::{EffectContext, perform};
    use std::sync::{Arc, Mutex};

    let mut h = Harness::demo();
    let expected = settled_results("t");
    h.send(Msg::Resize(80, 4)); // a first screen of 4 rows
    let sent = Arc::new(Mutex::new(Vec::new()));
    let sink = sent.clone();
    let ctx = EffectContext { ws: h.ctx.ws.clone(), progress: Arc::new(move |m| sink.lock().unwrap().push(m)) };
    let search = h.keys_held("t").into_iter().find(|e| matches!(e, Effect::Search { .. })).expect("a search");
    let done = perform(search, &ctx).expect("the complete results");
    let early: Vec<Msg> = sent.lock().unwrap().drain(..).collect();
    assert_eq!(early.len(), 1, "one first screen: {early:?}");
    for msg in early {
        h.send_held(msg);
    }
    assert_eq!(search_results(&h), expected[..4], "the first screen is the complete results' first rows");
    assert!(text(&h.draw(80, 24)).contains("4+…/114"), "the count says more is coming");
    h.keys_held("down");
    h.send_held(done);
    assert_eq!(search_results(&h), expected);
    match h.app.screen() {
        Screen::Search(s) => assert_eq!(s.sel.selected, 1, "the move made on the first screen stays"),
        _ => panic!("not on the search screen"),
    }
    assert!(!text(&h.draw(80, 24)).contains("+…/"), "complete: no more coming");
}

#[test]
fn a_search_started_while_another_runs_narrows_from_the_last_complete_results() {
    use stagehand::tui::effects::{Effect, SearchScope};
    let mut h = Harness::demo();
    h.type_text("t");
    // "tr" is still running when "a" is typed: "tra" narrows from "t".
    let held = h.keys_held("r a");
    let scopes: Vec<&SearchScope> = held
        .iter()
        .filter_map(|e| match e {
            Effect::Search { scope, .. } => Some(scope),
            _ => None,
        })
        .collect();
    assert!(matches!(scopes[..], [SearchScope::Narrowing { .. }, SearchScope::Narrowing { .. }]), "{scopes:?}");
    h.finish(held);
    assert_eq!(search_results(&h), settled_results("tra"));
    // After an edit that widens, nothing complete narrows: the whole index.
    let held = h.keys_held("backspace backspace x");
    assert!(!held.iter().any(|e| matches!(e, Effect::Search { scope: SearchScope::Narrowing { .. }, .. })));
    h.finish(held);
    assert_eq!(search_results(&h), settled_results("tx"));
}

/// The canonical ref of the entity page on top, if one is.
fn page_on_top(h: &Harness) -> Option<String> {
    match h.app.screen() {
        Screen::Entity(page) => Some(page.canonical.clone()),
        _ => None,
    }
}

#[test]
fn enter_typed_before_the_results_acts_on_the_query_as_typed() {
    // The empty query's top row is api:default/booking-api: a stale Enter
    // would open it.
    let mut h = Harness::demo();
    let held = h.keys_held(&format!("{} enter", keys_of("geo-toolkit")));
    assert_eq!(page_on_top(&h), None, "Enter waits for its query's results");
    h.finish(held);
    assert_eq!(page_on_top(&h).as_deref(), Some("component:default/geo-toolkit"));

    let mut h = Harness::demo();
    let held = h.keys_held(&format!("{} enter", keys_of("invoice-servicezzz")));
    h.finish(held);
    assert_eq!(page_on_top(&h), None, "nothing to open");
    let screen = h.screen(120, 40);
    assert!(screen.contains("no matches for `invoice-servicezzz`"), "{screen}");

    // With the results in, Enter opens at once.
    let mut h = Harness::demo();
    h.type_text("tracking");
    h.keys("enter");
    assert_eq!(page_on_top(&h).as_deref(), Some("system:default/tracking"));
}

/// How many searches `held` effects start.
fn searches(held: &[stagehand::tui::effects::Effect]) -> usize {
    held.iter().filter(|e| matches!(e, stagehand::tui::effects::Effect::Search { .. })).count()
}

#[test]
fn the_query_of_the_results_shown_again_is_answered_without_a_search() {
    let mut h = Harness::demo();
    h.type_text("kind:api");
    let settled = search_results(&h);
    assert!(settled.len() > 1, "the case needs several results");
    // A space before the next word leaves the query as it was.
    let held = h.keys_held("space");
    assert_eq!(searches(&held), 0, "no search for the same query");
    assert_eq!(search_results(&h), settled);
    // A key typed and erased while its search runs: the results come
    // back at once and the late answer is dropped.
    let held = h.keys_held("t backspace");
    assert_eq!(searches(&held), 1, "only the `t` searched");
    assert_eq!(search_results(&h), settled);
    h.finish(held);
    assert_eq!(search_results(&h), settled);
    assert_eq!(page_on_top(&h), None);
    // An Enter pressed while a search ran is answered by a search.
    let held = h.keys_held("t enter backspace");
    assert_eq!(searches(&held), 2, "Enter waits for a search's answer");
    h.finish(held);
    assert_eq!(page_on_top(&h), Some(settled[0].clone()), "the top row of the query as typed");
}

#[test]
fn unknown_facets_get_a_did_you_mean_above_the_results() {
    let mut h = Harness::demo();
    h.type_text("kind:apis tracking");
    let screen = h.screen(80, 24);
    assert!(screen.contains("no kind `apis` in the catalog; did you mean `kind:api`?"), "{screen}");
    h.keys("ctrl-u");
    h.type_text("owner:shipments booking");
    let screen = h.screen(120, 40);
    assert!(!screen.contains("did you mean") && screen.contains("booking-api"), "{screen}");
}

#[test]
fn open_takes_a_ref_a_name_or_a_url_and_tab_completes_it() {
    let mut h = Harness::demo();
    h.command("open component:default/shipment-tracker");
    assert_eq!(page_on_top(&h).as_deref(), Some("component:default/shipment-tracker"));
    let mut h = Harness::demo();
    h.command("open https://backstage.example.com/catalog/default/system/tracking");
    assert_eq!(page_on_top(&h).as_deref(), Some("system:default/tracking"));

    // Tab completes the ref and keeps what was typed when nothing fits.
    let mut h = Harness::demo();
    h.keys("tab :");
    h.type_text("open geo-to");
    h.keys("tab");
    let palette = |h: &Harness| match &h.app.overlay {
        Some(stagehand::tui::overlays::Overlay::Palette(p)) => p.input.text().to_string(),
        _ => String::new(),
    };
    assert_eq!(palette(&h), "open component:default/geo-toolkit");
    h.keys("enter");
    assert_eq!(page_on_top(&h).as_deref(), Some("component:default/geo-toolkit"));
    let mut h = Harness::demo();
    h.keys("tab :");
    h.type_text("docs zzzz");
    h.keys("tab");
    assert_eq!(palette(&h), "docs zzzz", "tab keeps the argument");

    // Tab completes a kind, a theme and a source's name too.
    for (typed, completed) in
        [("kind runb", "kind Runbook"), ("theme high", "theme high-contrast"), ("sync de", "sync demo")]
    {
        let mut h = Harness::demo();
        h.keys("tab :");
        h.type_text(typed);
        h.keys("tab");
        assert_eq!(palette(&h), completed);
    }

    let mut h = Harness::demo();
    h.command("open shipment-trakcer");
    assert_eq!(page_on_top(&h), None);
    let screen = h.screen(120, 40);
    assert!(screen.contains("no entity `shipment-trakcer`; did you mean"), "{screen}");
}
