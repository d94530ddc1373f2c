//! The scaffolding wizard in the headless harness: `:templates`, Enter,
//! fill every page (editor, chooser, catalog picker, repository parts),
//! validation next to fields, review, run, output; snapshots at 80x24 and
//! 120x40.

use stagehand::tui::screens::Screen;
use stagehand::tui::screens::wizard::Stage;

use crate::common_tui::*;
use crate::snap_cleaned;

/// Snapshots the wizard at both sizes, with run paths, commit hashes and
/// the working directory (and `tmp`, when given) made stable.
fn snap(h: &mut Harness, name: &str, tmp: Option<&str>) {
    let tmp_re = regex::Regex::new(r"/tmp/stagehand-[^ │]*").unwrap();
    let hash_re = regex::Regex::new(r"Committed [0-9a-f]{40}").unwrap();
    let pad_re = regex::Regex::new(r"(?m) +│$").unwrap();
    let cwd = std::env::current_dir().unwrap().display().to_string();
    snap_cleaned(h, name, |screen| {
        let mut screen = screen.to_string();
        if let Some(t) = tmp {
            screen = screen.replace(t, "[TMP]");
        }
        screen = tmp_re.replace_all(&screen, "[TMP]").into_owned();
        screen = hash_re.replace_all(&screen, "Committed [HASH]").into_owned();
        screen = screen.replace(&cwd, "[CWD]");
        // Paths differ in length between machines: padding before a box's
        // right border is not part of what is checked.
        pad_re.replace_all(&screen, " │").into_owned()
    });
}

fn stage(h: &Harness) -> Option<Stage> {
    match h.app.screen() {
        Screen::Wizard(w) => Some(w.stage),
        _ => None,
    }
}

/// Opens the wizard on a demo template from `:templates`.
fn open_template(h: &mut Harness, name: &str) {
    h.command("templates");
    for _ in 0..10 {
        let screen = h.screen(120, 40);
        let row = screen.lines().find(|l| l.contains('›') || l.contains(name)).unwrap_or_default().to_string();
        if let Screen::List(l) = h.app.screen()
            && l.selected().is_some_and(|i| h.app.index().summary(i).name == name)
        {
            break;
        }
        let _ = row;
        h.keys("j");
    }
    h.keys("enter");
    assert_eq!(stage(h), Some(Stage::Form), "{}", h.screen(120, 40));
}

/// Moves the cursor to the row that starts with `label` (form page).
fn goto(h: &mut Harness, label: &str) {
    h.keys("g g");
    for _ in 0..30 {
        let screen = h.screen(120, 40);
        if let Some(Screen::Wizard(w)) = Some(h.app.screen()) {
            let _ = w;
        }
        let focused = focused_line(h);
        if focused.trim_start_matches('│').starts_with(label) {
            return;
        }
        let _ = screen;
        h.keys("j");
    }
    panic!("no row {label}:\n{}", h.screen(120, 40));
}

/// The text of the selected row (drawn with the selection style).
fn focused_line(h: &mut Harness) -> String {
    let buf = h.draw(120, 40);
    let selected = h.app.theme.style(stagehand::tui::theme::Slot::Selected);
    for y in 0..buf.area.height {
        let cells: Vec<_> = (0..buf.area.width).map(|x| &buf[(x, y)]).collect();
        if cells.iter().skip(2).take(3).all(|c| c.style().bg == selected.bg && selected.bg.is_some()) {
            return cells.iter().map(|c| c.symbol()).collect::<String>();
        }
    }
    String::new()
}

fn edit(h: &mut Harness, label: &str, text: &str) {
    goto(h, label);
    h.keys("enter");
    h.keys("ctrl-u");
    h.type_text(text);
    h.keys("enter");
}

#[test]
fn fill_every_page_review_and_run() {
    let mut h = Harness::demo();
    let out = h.tmp.path().join("out-geo");
    open_template(&mut h, "python-library");
    snap(&mut h, "wizard_first_page", None);

    // Validation shows next to the field when moving on with a bad value.
    edit(&mut h, "Import name", "Bad Name");
    h.keys("tab");
    assert_eq!(stage(&h), Some(Stage::Form));
    let screen = h.screen(120, 40);
    assert!(screen.contains("must match the pattern"), "{screen}");
    snap(&mut h, "wizard_validation", None);

    edit(&mut h, "Import name", "lumen_geo");
    // The owner picker searches the catalog.
    goto(&mut h, "Owner");
    h.keys("enter");
    h.type_text("shipments");
    let screen = h.screen(120, 40);
    assert!(screen.contains("group:default/team-shipments"), "{screen}");
    snap(&mut h, "wizard_owner_picker", None);
    h.keys("enter");
    // An enum select.
    goto(&mut h, "Lifecycle");
    h.keys("enter j enter");
    h.keys("tab");
    assert!(h.screen(120, 40).contains("page 2/3"), "{}", h.screen(120, 40));
    // Page 2: defaults are fine; toggle a checkbox choice.
    goto(&mut h, "Python versions");
    h.keys("enter enter esc");
    h.keys("tab");
    // Page 3: the repository picker's parts.
    goto(&mut h, "  owner");
    h.keys("enter");
    h.type_text("lumen");
    h.keys("enter");
    goto(&mut h, "  repo");
    h.keys("enter");
    h.type_text("geo");
    h.keys("enter");
    h.keys("tab");
    assert_eq!(stage(&h), Some(Stage::Review), "{}", h.screen(120, 40));
    snap(&mut h, "wizard_review", None);

    // Edit jumps back to the page; Back/Next keep the values.
    h.keys("g g j enter");
    assert_eq!(stage(&h), Some(Stage::Form));
    assert!(h.screen(120, 40).contains("lumen_geo"));
    h.keys("tab tab tab");
    assert_eq!(stage(&h), Some(Stage::Review));

    // Choose the folder and run.
    h.keys("G k k enter ctrl-u");
    h.type_text(&out.display().to_string());
    h.keys("enter G enter");
    assert_eq!(stage(&h), Some(Stage::Finished), "{}", h.screen(120, 40));
    let screen = h.screen(120, 40);
    assert!(screen.contains("Created") && screen.contains("component:default/lumen-geo"), "{screen}");
    assert!(out.join("src/lumen_geo/__init__.py").is_file());
    assert!(out.join("pyproject.toml").is_file());
    let tmp = h.tmp.path().display().to_string();
    snap(&mut h, "wizard_finished", Some(&tmp));
    h.keys("esc");
    assert!(matches!(h.app.screen(), Screen::List(_)));
}

#[test]
fn dry_run_touches_nothing_and_conditional_pages_appear() {
    let mut h = Harness::demo();
    let out = h.tmp.path().join("site");
    open_template(&mut h, "static-website");
    edit(&mut h, "Name", "careers");
    edit(&mut h, "Site title", "Careers");
    goto(&mut h, "Owner");
    h.keys("enter");
    h.type_text("web");
    h.keys("enter tab");
    // "Public" reveals the page-level-`if` page.
    assert!(h.screen(120, 40).contains("page 2/3"));
    goto(&mut h, "Public on the internet");
    h.keys("enter");
    assert!(h.screen(120, 40).contains("page 2/4"), "{}", h.screen(120, 40));
    h.keys("tab tab");
    goto(&mut h, "  owner");
    h.keys("enter");
    h.type_text("lumen");
    h.keys("enter");
    goto(&mut h, "  repo");
    h.keys("enter");
    h.type_text("careers");
    h.keys("enter tab");
    assert_eq!(stage(&h), Some(Stage::Review), "{}", h.screen(120, 40));
    h.keys("G k k enter ctrl-u");
    h.type_text(&out.display().to_string());
    h.keys("enter G k enter G enter");
    assert_eq!(stage(&h), Some(Stage::Finished), "{}", h.screen(120, 40));
    let screen = h.screen(120, 40);
    assert!(screen.contains("Dry run:") && screen.contains("files would be written"), "{screen}");
    assert!(!out.exists(), "a dry run writes nothing");
}
