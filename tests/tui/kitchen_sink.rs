//! Backstage's kitchen-sink sample template (read from ../shared, never
//! copied) in the wizard, every page at 80x24 and 120x40: text, textarea,
//! email, url, a password typed masked, colour, hidden; numbers with their
//! ranges, checkbox, radio; selects and checkboxes with labels; date, time
//! (an invalid one, its error wrapped), file; a nested object under its
//! title; an array of objects; the catalog and repository pickers.

use std::path::PathBuf;

use stagehand::tui::screens::Screen;
use stagehand::tui::screens::wizard::Stage;

use crate::common_tui::*;

/// Snapshots at both sizes with the working directory and dry-run
/// folders (machine-dependent) made stable, and without the status bar
/// (the app's, not the wizard's: its own views' snapshots check it).
fn snap(h: &mut Harness, name: &str) {
    let cwd = std::env::current_dir().unwrap().display().to_string();
    let dry_run_dir = regex::Regex::new(r"/tmp/stagehand-dry-run-[A-Za-z0-9]+").unwrap();
    let pad = regex::Regex::new(r"(?m) +│$").unwrap();
    crate::snap_cleaned(h, name, |s| {
        let s = dry_run_dir.replace_all(&s.replace(&cwd, "[CWD]"), "[DRY-RUN]").into_owned();
        let s = pad.replace_all(&s, " │").into_owned();
        let mut lines: Vec<&str> = s.lines().collect();
        lines.pop();
        lines.join("\n")
    });
}

/// The kitchen-sink template's folder, or `None` (after saying why).
fn kitchen_sink(test: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/backstage-examples/backstage/plugins/scaffolder-backend/sample-templates/bui-kitchen-sink-demo");
    if dir.join("template.yaml").is_file() {
        Some(dir)
    } else {
        eprintln!("SKIP {test}: ../shared/fixtures (the kitchen-sink template) is missing");
        None
    }
}

/// A harness on the kitchen-sink catalog with the wizard open on page 1.
fn open(test: &str) -> Option<Harness> {
    let dir = kitchen_sink(test)?;
    let tmp = tmp_dir();
    let mut ws = dir_workspace(tmp.path(), dir);
    ws.config.patterns = vec!["template.yaml".into()];
    let mut h = Harness::with(ws, tmp, settings(stagehand::tui::keymap::Keymap::default()));
    h.command("templates");
    h.keys("enter");
    assert!(matches!(h.app.screen(), Screen::Wizard(_)), "{}", h.screen(120, 40));
    Some(h)
}

fn page_title(h: &Harness) -> String {
    match h.app.screen() {
        Screen::Wizard(w) if w.stage == Stage::Form => {
            w.page_index().map(|p| w.template.pages[p].title.clone()).unwrap_or_default()
        }
        _ => String::new(),
    }
}

#[test]
fn every_widget_of_the_kitchen_sink() {
    let Some(mut h) = open("every_widget_of_the_kitchen_sink") else { return };

    // Page 1: the name (autofocused), a bad email (its problem shown), a
    // password typed and shown masked.
    h.keys("enter");
    h.type_text("sink");
    h.keys("enter j enter");
    h.type_text("A description long enough to need a second line on the review page at eighty columns WRAPPED-END");
    h.keys("esc k j j enter");
    h.type_text("not-an-email");
    h.keys("enter j j enter");
    h.type_text("hunter2");
    let screen = h.screen(80, 24);
    assert!(!screen.contains("hunter2") && screen.contains("•••••••"), "{screen}");
    snap(&mut h, "kitchen_sink_password_typed");
    h.keys("enter");
    assert!(!h.screen(120, 40).contains("hunter2"));
    snap(&mut h, "kitchen_sink_basic_widgets");
    h.keys("k k enter ctrl-u");
    h.type_text("sink@example.com");
    h.keys("enter tab");
    assert_eq!(page_title(&h), "Numbers, ranges and toggles", "{}", h.screen(120, 40));

    // Page 2: defaults, bounds shown.
    let screen = h.screen(80, 24);
    assert!(screen.contains("(1–10)") && screen.contains("(0–100)"), "{screen}");
    snap(&mut h, "kitchen_sink_numbers");
    h.keys("tab");

    // Page 3: checkboxes show labels; the chooser marks what is chosen.
    h.keys("g g j j enter enter j j enter");
    snap(&mut h, "kitchen_sink_checkboxes");
    h.keys("esc");
    snap(&mut h, "kitchen_sink_selects");
    h.keys("tab");

    // Page 4: a time out of range is refused with the reason.
    assert_eq!(page_title(&h), "Dates and files");
    h.keys("g g j j enter");
    h.type_text("25:61");
    h.keys("enter");
    let screen = h.screen(80, 24);
    assert!(screen.contains("must be a time"), "{screen}");
    snap(&mut h, "kitchen_sink_dates");
    h.keys("enter ctrl-u");
    h.type_text("14:30");
    h.keys("enter");
    assert!(h.screen(120, 40).contains("14:30:00"));
    // The file widget: a path is read into a data URL; a missing file says so.
    let notes = h.tmp.path().join("notes.md");
    std::fs::write(&notes, "hello").unwrap();
    h.keys("j enter");
    h.type_text("/nonexistent-stagehand/missing.md");
    h.keys("enter");
    assert!(h.flash().contains("missing.md"), "{}", h.flash());
    h.app.flash = None; // as if it timed out: later snapshots are not about it
    h.keys("enter ctrl-u");
    h.type_text(&notes.display().to_string());
    h.keys("enter");
    assert!(h.screen(120, 40).contains("notes.md (text/markdown, 5 bytes)"), "{}", h.screen(120, 40));
    let Screen::Wizard(w) = h.app.screen() else { panic!("the wizard closed") };
    assert_eq!(w.params["readme"], "data:text/markdown;name=notes.md;base64,aGVsbG8=");
    h.keys("tab");

    // Page 5: the nested object under its title.
    assert_eq!(page_title(&h), "Nested objects and arrays");
    let screen = h.screen(80, 24);
    assert!(screen.contains("Owner profile"), "{screen}");
    snap(&mut h, "kitchen_sink_nested");
    h.keys("g g enter");
    h.type_text("Sink Owner");
    h.keys("enter");
    // Contacts: a form per item; enter on the list adds one, `+` another,
    // `K` moves an item up; the item's enum is a chooser.
    h.keys("j j enter enter");
    h.type_text("Ann");
    h.keys("enter j enter j enter +");
    h.keys("enter");
    h.type_text("Bo");
    h.keys("enter K");
    let Screen::Wizard(w) = h.app.screen() else { panic!("the wizard closed") };
    let contacts = w.params.get("contacts").cloned().unwrap_or_default();
    assert_eq!(contacts, serde_json::json!([{"name": "Bo"}, {"name": "Ann", "role": "Engineer"}]));
    let screen = h.screen(80, 24);
    assert!(screen.contains("Contacts 1") && screen.contains("Contacts 2") && screen.contains("2 items"), "{screen}");
    snap(&mut h, "kitchen_sink_contacts");
    h.keys("tab");

    // Page 6: the pickers.
    assert_eq!(page_title(&h), "Catalog and repo pickers", "{}", h.screen(120, 40));
    snap(&mut h, "kitchen_sink_pickers");
    // `allowedOwners` is a list to choose from, not free text.
    h.keys("G k k k enter");
    let screen = h.screen(80, 24);
    assert!(screen.contains("example-org") && screen.contains("choose"), "{screen}");
    snap(&mut h, "kitchen_sink_allowed_owners");
    h.keys("j enter");
    assert!(h.screen(120, 40).contains("example-org"));
    // The secret is masked as it is typed, too.
    h.keys("j j enter");
    h.type_text("t0ken");
    let screen = h.screen(80, 24);
    assert!(!screen.contains("t0ken") && screen.contains("•••••"), "{screen}");
    h.keys("enter");
    assert!(!h.screen(120, 40).contains("t0ken"));

    // The repository's owner and name, then review and a dry run: the
    // finished page renders `output.text` as Markdown.
    h.keys("g g j j j j j j j j j enter");
    h.type_text("acme");
    h.keys("enter j enter");
    h.type_text("sink");
    h.keys("enter tab");
    assert!(matches!(h.app.screen(), Screen::Wizard(w) if w.stage == Stage::Review), "{}", h.screen(120, 40));
    // A long value wraps on the review page instead of being cut.
    let screen = h.screen(80, 24);
    assert!(screen.contains("WRAPPED-END"), "{screen}");
    h.keys("G");
    let screen = h.screen(120, 40);
    assert!(screen.contains("Contacts 1 · Name: Bo") && screen.contains("Contacts 2 · Role: Engineer"), "{screen}");
    assert!(!screen.contains("t0ken") && !screen.contains("hunter2"), "{screen}");
    snap(&mut h, "kitchen_sink_review");
    h.keys("G k enter G enter");
    let screen = h.screen(120, 40);
    assert!(matches!(h.app.screen(), Screen::Wizard(w) if w.stage == Stage::Finished), "{screen}");
    assert!(screen.contains("Name: sink") && !screen.contains("**Name:**"), "{screen}");
    snap(&mut h, "kitchen_sink_finished");
    // Esc returns to the review page, values kept.
    h.keys("esc");
    let Screen::Wizard(w) = h.app.screen() else { panic!("the wizard closed") };
    assert_eq!(w.stage, Stage::Review);
    assert_eq!(w.params.get("email").and_then(|v| v.as_str()), Some("sink@example.com"));
}
