//! `:health`, `:mine` and `:my-groups` on the demo catalog.

use stagehand::index::graph;
use stagehand::index::health::HealthKind;
use stagehand::tui::app::Level;
use stagehand::tui::screens::Screen;
use stagehand::tui::screens::list::ListSource;

use crate::common_tui::*;
use crate::graph::{ELIF, demo_as, down_to, list_rows, refs};
use crate::snap;

#[test]
fn health_lists_issues_and_opens_the_entity() {
    let mut h = Harness::demo();
    h.command("health");
    assert_eq!(h.top(), "health");
    let issues = match h.app.screen() {
        Screen::Health(s) => s.issues.clone(),
        _ => panic!("not on the health screen"),
    };
    let found: Vec<(HealthKind, &str)> = issues.iter().map(|i| (i.kind, i.entity_ref.as_str())).collect();
    for want in [
        (HealthKind::MissingOwner, "component:default/legacy-edi-bridge"),
        (HealthKind::Dangling, "component:default/customs-docs"),
        (HealthKind::ParentMismatch, "group:default/team-data"),
        (HealthKind::UserWithoutGroup, "user:default/tariq.mansour"),
        (HealthKind::UnprovidedApi, "api:default/customs-api"),
        (HealthKind::DependencyCycle, "component:default/booking-service"),
    ] {
        assert!(found.contains(&want), "{want:?} missing from {found:?}");
    }
    let cycle = issues.iter().find(|i| i.kind == HealthKind::DependencyCycle).unwrap();
    assert!(cycle.message.contains("component:default/shipment-api"), "{}", cycle.message);
    let screen = h.screen(120, 40);
    assert!(screen.contains(&format!("health ({} issues)", issues.len())), "{screen}");
    assert!(screen.contains("user in no group  user:default/tariq.mansour"), "{screen}");
    snap(&mut h, "health");

    // j to the user in no group, Enter opens the user.
    let row = issues.iter().position(|i| i.entity_ref == "user:default/tariq.mansour").unwrap();
    down_to(&mut h, row);
    h.keys("enter");
    assert_eq!(h.top_entity().as_deref(), Some("user:default/tariq.mansour"));
    assert!(h.screen(120, 40).contains("› health › tariq.mansour"));
    h.keys("esc");
    assert_eq!(h.top(), "health");
    h.keys("g g enter");
    assert_eq!(h.top_entity(), Some(issues[0].entity_ref.clone()));
}

#[test]
fn mine_lists_what_the_identity_owns_through_its_groups() {
    let mut h = demo_as(ELIF);
    h.command("mine");
    assert_eq!(h.top(), "mine");
    let index = h.app.index();
    let elif = index.find(ELIF).unwrap();
    let mut expected = refs(&h, &graph::owned_by(index, elif, true));
    expected.sort();
    let mut rows = refs(&h, &list_rows(&h));
    rows.sort();
    assert_eq!(rows, expected);
    assert_eq!(rows.len(), 20);
    for want in ["component:default/shipment-tracker", "system:default/tracking", "domain:default/freight"] {
        assert!(rows.contains(&want.to_string()), "{want} missing from {rows:?}");
    }
    let screen = h.screen(120, 40);
    assert!(screen.contains("mine (20)"), "{screen}");
    snap(&mut h, "mine");

    // Enter opens a row; esc comes back to the list.
    h.keys("enter");
    let opened = h.top_entity().expect("an entity page");
    assert!(expected.contains(&opened));
    h.keys("esc");
    assert_eq!(h.top(), "mine");

    h.keys("esc");
    h.command("my-groups");
    assert_eq!(h.top(), "my groups");
    assert!(matches!(h.app.screen(), Screen::List(l) if l.source == ListSource::MyGroups(ELIF.to_string())));
    let mut groups = refs(&h, &list_rows(&h));
    groups.sort();
    assert_eq!(
        groups,
        [
            "group:default/engineering",
            "group:default/freight-tech",
            "group:default/lumen",
            "group:default/team-shipments"
        ]
    );
    snap(&mut h, "my_groups");
}

#[test]
fn mine_without_an_identity_flashes_a_hint() {
    let mut h = Harness::demo();
    h.command("mine");
    assert_eq!(h.top(), "search", "no list opens");
    let flash = h.app.flash.as_ref().expect("a flash");
    assert_eq!(flash.level, Level::Warning);
    assert!(flash.text.contains("no identity") && flash.text.contains("--as"), "{}", flash.text);
    let status = h.screen(120, 40).lines().last().unwrap().to_string();
    assert!(status.contains("no identity: set `identity: user:default/you`"), "{status}");
    h.command("my-groups");
    assert_eq!(h.top(), "search");
    assert!(h.flash().contains("no identity"));

    // An identity the catalog does not know says so.
    let mut h = demo_as("user:default/nobody");
    h.command("mine");
    assert_eq!(h.top(), "search");
    assert_eq!(h.flash(), "user:default/nobody is not in the catalog");
}
