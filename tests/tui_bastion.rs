//! The TUI as met over SSH on a first run and at 80x24: recovering when the
//! first sync lands, the message log, the status bar, problems and health
//! readable, keymap and theme mistakes listed. TestBackend frames (the
//! problems and health snapshots are in tests/tui).

mod common;
mod common_tui;

use common::{component, group, write};
use common_tui::{Harness, dir_workspace, settings, tmp_dir};
use stagehand::tui::app::Msg;
use stagehand::tui::effects;
use stagehand::tui::keymap::Keymap;

/// A `dir` workspace with a small catalog whose index file is gone: the
/// first run after `config init`, before any sync.
fn first_run() -> Harness {
    let tmp = tmp_dir();
    let catalog = tmp.path().join("catalog");
    write(&catalog, "team/catalog-info.yaml", group("team-a"));
    write(&catalog, "svc/catalog-info.yaml", component("billing", "team-a"));
    let ws = dir_workspace(tmp.path(), catalog);
    let mut h = Harness::unloaded(ws, tmp, settings(Keymap::default()));
    std::fs::remove_file(h.ctx.ws.paths.index_file()).unwrap();
    let loaded = effects::load(&h.ctx.ws);
    assert!(loaded.is_err(), "no index yet");
    h.send(Msg::IndexLoaded(loaded));
    h
}

#[test]
fn the_first_sync_replaces_the_load_error() {
    let mut h = first_run();
    assert!(h.screen(80, 24).contains("cannot load the index"));
    h.keys("ctrl-r");
    let screen = h.screen(80, 24);
    assert!(!screen.contains("cannot load the index"), "{screen}");
    assert!(screen.contains("component:default/billing") || screen.contains("billing"), "{screen}");
    h.keys("tab enter");
    assert!(h.top_entity().is_some(), "enter opens the row shown: {}", h.screen(80, 24));
}

/// The text inside the boxes of a screen (between each line's first and
/// last `│`), words joined by single spaces: wrapped text reads whole.
fn boxed_words(screen: &str) -> String {
    let inner = screen.lines().filter_map(|l| {
        let (start, end) = (l.find('│')?, l.rfind('│')?);
        (end > start).then(|| &l[start + '│'.len_utf8()..end])
    });
    inner.flat_map(str::split_whitespace).collect::<Vec<_>>().join(" ")
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The demo path (temp dir plus fingerprint) as it appears on screen.
const DEMO_PATH: &str = r"/tmp/stagehand-tui-[A-Za-z0-9]{6}/cache/demo/[0-9a-f]{12}";

/// A demo path cut from the left (`…` then its end): the cut part, up to
/// the demo catalog's own folders and files.
const CUT_DEMO_PATH: &str = r"…[^\s│]*?/(apis|broken|components|ops|org|resources|runbooks|services|templates|all\.yaml|domains\.yaml|systems\.yaml)";

/// Snapshots the screen at 80x24 and 120x40, the temp paths replaced.
fn snap(h: &mut Harness, name: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(DEMO_PATH, "[DEMO]");
    settings.add_filter(CUT_DEMO_PATH, "…[DEMO]/$1");
    settings.set_omit_expression(true);
    let (whole, cut) = (regex::Regex::new(DEMO_PATH).unwrap(), regex::Regex::new(CUT_DEMO_PATH).unwrap());
    for (w, ht) in [(80, 24), (120, 40)] {
        let screen = h.screen(w, ht);
        let clean = whole.replace_all(&screen, "[DEMO]").into_owned();
        let clean = cut.replace_all(&clean, "…[DEMO]/$1").into_owned();
        assert!(!clean.contains(common_tui::TMP_PREFIX), "a temp path escaped the filter:\n{clean}");
        settings.bind(|| insta::assert_snapshot!(format!("{name}_{w}x{ht}"), screen));
    }
}

fn top_tab(h: &Harness) -> Option<stagehand::tui::screens::entity::Tab> {
    match h.app.screen() {
        stagehand::tui::screens::Screen::Entity(e) => Some(e.current()),
        _ => None,
    }
}

/// Selects the first row of the problems table whose message has `needle`.
fn select_problem(h: &mut Harness, needle: &str) {
    for _ in 0..200 {
        let stagehand::tui::screens::Screen::Problems(p) = h.app.screen() else { panic!("not on :problems") };
        if p.selected(h.app.index()).is_some_and(|p| p.message.contains(needle)) {
            return;
        }
        h.keys("j");
    }
    panic!("no problem with `{needle}`");
}

#[test]
fn problems_at_80x24_keep_file_and_line_and_show_the_whole_message() {
    let mut h = Harness::demo();
    h.command("problems");
    let screen = h.screen(80, 24);
    assert!(screen.contains("catalog-info.yaml:"), "file:line kept:\n{screen}");
    let stagehand::tui::screens::Screen::Problems(p) = h.app.screen() else { panic!() };
    let message = p.selected(h.app.index()).unwrap().message.clone();
    assert!(boxed_words(&screen).contains(&words(&message)), "the whole message `{message}` is shown:\n{screen}");
}

#[test]
fn health_at_80x24_shows_the_selected_finding_in_full() {
    let mut h = Harness::demo();
    h.command("health");
    let screen = h.screen(80, 24);
    let stagehand::tui::screens::Screen::Health(health) = h.app.screen() else { panic!() };
    let issue = &health.issues[0];
    assert!(boxed_words(&screen).contains(&words(&issue.message)), "`{}` in full:\n{screen}", issue.message);
    assert!(screen.contains(".yaml:"), "the entity's file:line:\n{screen}");
}

#[test]
fn enter_on_a_problem_opens_the_entitys_problems_tab() {
    let mut h = Harness::demo();
    h.command("problems");
    let with_entity = {
        let stagehand::tui::screens::Screen::Problems(p) = h.app.screen() else { panic!() };
        let index = h.app.index();
        p.shown
            .iter()
            .filter_map(|&at| p.get(index, at))
            .find(|p| p.entity.as_deref().is_some_and(|e| index.find(e).is_some()))
            .unwrap()
            .message
            .clone()
    };
    select_problem(&mut h, &with_entity);
    h.keys("enter");
    assert_eq!(top_tab(&h), Some(stagehand::tui::screens::entity::Tab::Problems), "{}", h.screen(80, 24));
}

#[test]
fn enter_on_a_source_problem_shows_the_source() {
    let tmp = tmp_dir();
    let catalog = tmp.path().join("catalog");
    write(&catalog, "svc/catalog-info.yaml", component("billing", "team-a"));
    let ws = dir_workspace(tmp.path(), catalog.clone());
    let mut h = Harness::with(ws, tmp, settings(Keymap::default()));
    std::fs::remove_dir_all(&catalog).unwrap();
    h.keys("ctrl-r");
    h.command("problems");
    select_problem(&mut h, "failed");
    h.keys("enter");
    assert!(matches!(h.app.screen(), stagehand::tui::screens::Screen::Sources(_)), "{}", h.screen(80, 24));
    assert!(h.screen(80, 24).contains("hostile"), "the source row");
}

#[test]
fn messages_keeps_every_status_message_in_full() {
    let mut h = Harness::demo();
    let long = format!("a long message that the status bar cannot show whole {}", "and more words ".repeat(8));
    h.send(Msg::Info(long.clone()));
    h.send(Msg::EffectFailed("second: something failed".into()));
    h.command("messages");
    let screen = h.screen(80, 24);
    let inside = boxed_words(&screen);
    assert!(inside.contains(&words(&long)) && inside.contains("second: something failed"), "{screen}");
    assert!(h.app.messages.iter().any(|(_, m)| *m == long));
    snap(&mut h, "messages");
    h.keys("esc");
    assert!(h.app.overlay.is_none());
}

#[test]
fn the_status_bar_keeps_counts_at_80_columns() {
    let mut h = Harness::demo();
    h.app.origin = "platform-catalog,payments-catalog,identity-catalog,edge".into();
    let screen = h.screen(80, 24);
    let status = screen.lines().last().unwrap();
    assert!(status.contains("entities") && status.contains("problems"), "{status}");
    assert!(!status.contains("platform-catalog"), "names go first: {status}");
}

#[test]
fn a_bad_keymap_line_skips_only_that_binding_and_is_listed() {
    let tmp = tmp_dir();
    let file = write(
        tmp.path(),
        "keymap.yaml",
        "global:\n  ctrl-x: quit\n  ctrl-y: no_such_action\nlist:\n  Z: toggle_star\n",
    );
    let (keymap, problems) = Keymap::load_user_file(&file);
    assert_eq!(problems.len(), 1, "{problems:?}");
    let shown = problems[0].to_string();
    assert!(shown.contains("keymap.yaml:3:") && shown.contains("no_such_action"), "{shown}");
    let bound: Vec<String> = keymap.bindings().map(|(_, k, a)| format!("{k}={a:?}")).collect();
    assert!(bound.iter().any(|b| b.starts_with("ctrl-x=")) && bound.iter().any(|b| b.starts_with("Z=")), "{bound:?}");
    let mut s = settings(keymap);
    s.setup_problems = problems;
    let ws = common_tui::demo_workspace(tmp.path());
    let mut h = Harness::with(ws, tmp, s);
    assert!(h.flash().contains("see :problems"), "{}", h.flash());
    h.command("problems");
    let screen = h.screen(120, 40);
    assert!(screen.contains("keymap.yaml:3:") && screen.contains("no_such_action"), "{screen}");
}

#[test]
fn theme_lists_and_loads_user_themes_and_lists_their_errors() {
    let mut h = Harness::demo();
    let dir = h.tmp.path().join("config/themes");
    write(&dir, "night.yaml", "inherits: dark\nslots:\n  title: {fg: \"#ff8700\"}\n");
    write(&dir, "broken.yaml", "inherits: dark\nslots:\n  title: {fg: notacolour}\n");
    h.app.themes_dir = Some(dir);
    h.command("theme");
    assert!(h.flash().contains("night") && h.flash().contains("broken"), "{}", h.flash());
    h.command("theme night");
    assert_eq!(h.app.theme.name(), "night", "{}", h.flash());
    h.command("theme broken");
    assert_eq!(h.app.theme.name(), "night", "a broken theme keeps the current one");
    assert!(h.flash().contains("broken.yaml:3:"), "{}", h.flash());
    h.command("problems");
    assert!(h.screen(120, 40).contains("broken.yaml:3:"));
}

#[test]
fn kind_with_a_typo_says_so_instead_of_an_empty_list() {
    let mut h = Harness::demo();
    h.command("kind Runbok");
    assert!(h.flash().contains("did you mean `Runbook`"), "{}", h.flash());
    assert_eq!(h.app.stack.len(), 1, "no empty list was opened");
    h.command("kind runbook");
    assert!(matches!(h.app.screen(), stagehand::tui::screens::Screen::List(_)));
}
