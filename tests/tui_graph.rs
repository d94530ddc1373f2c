mod common_tui;
use common_tui::*;
use stagehand::tui::app::Screen;
use stagehand::tui::screens::Tab;

fn current_tab(h: &Harness) -> Option<Tab> {
    match h.app.screen() {
        Screen::Entity(e) => Some(e.current()),
        _ => None,
    }
}
fn goto_tab(h: &mut Harness, tab: Tab) {
    for _ in 0..10 {
        if current_tab(h) == Some(tab) {
            return;
        }
        h.keys("l");
    }
    panic!("no {tab:?} tab");
}

#[test]
fn explore() {
    let mut h = Harness::demo();
    h.open("group:default/team-shipments");
    goto_tab(&mut h, Tab::Outline);
    println!("{}", h.screen(120, 40));
    println!("{}", h.screen(80, 24));
    let mut h = Harness::demo();
    h.open("group:default/freight-tech");
    goto_tab(&mut h, Tab::Outline);
    println!("{}", h.screen(120, 40));
    h.keys("t");
    println!("{}", h.screen(120, 40));
    let mut h = Harness::demo();
    h.open("group:default/engineering");
    goto_tab(&mut h, Tab::Outline);
    println!("{}", h.screen(120, 40));
    let mut h = Harness::demo();
    h.open("user:default/elif.demir");
    goto_tab(&mut h, Tab::Outline);
    println!("{}", h.screen(120, 40));
    let mut h = Harness::demo();
    h.open("system:default/tracking");
    goto_tab(&mut h, Tab::Outline);
    println!("{}", h.screen(120, 40));
    let mut h = Harness::demo();
    h.open("domain:default/freight");
    goto_tab(&mut h, Tab::Outline);
    println!("{}", h.screen(120, 40));
    let mut h = Harness::demo();
    h.open("component:default/shipment-tracker");
    goto_tab(&mut h, Tab::Graph);
    println!("{}", h.screen(120, 40));
    h.keys("+");
    println!("{}", h.screen(120, 40));
}
