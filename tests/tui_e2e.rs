//! End to end: the real binary in a real terminal (tmux), driven with
//! send-keys and read with capture-pane. Skipped, with a printed reason,
//! where tmux is not installed.

mod common_tmux;

use std::path::Path;
use std::process::Command;

use common_tmux::{Tmux, shell_quote};

/// Starts `command` in a fresh 120x40 session, or `None` (after saying why)
/// when tmux is missing.
fn start(test: &str, command: &str) -> Option<Tmux> {
    Tmux::start(test, 120, 40, &[], |_| command.to_string())
}

/// Waits for the loaded index: the status bar's "N entities".
fn wait_loaded(t: &Tmux) -> String {
    t.wait_until("the index to load", |s| {
        s.lines().last().is_some_and(|l| l.contains(" entities")) || s.contains(" entities │")
    })
}

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_stagehand")
}

/// The command line the pane runs: stagehand, then its exit status, then a
/// shell that keeps the pane open.
fn demo_command() -> String {
    format!("{} --demo; echo EXITED-$?; exec sh", shell_quote(binary()))
}

/// The "N entities" count of the status bar.
fn entity_count(screen: &str) -> Option<usize> {
    let status = screen.lines().rev().find(|l| l.contains(" entities"))?;
    let before = status.split(" entities").next()?;
    before.rsplit(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// The ref shown first in the preview pane (the selected result).
fn preview_ref(screen: &str) -> Option<String> {
    let line = screen.lines().nth(2)?;
    let cell = line.rsplit('│').nth(1)?;
    Some(cell.trim().to_string())
}

#[test]
fn a_session_from_search_to_quit() {
    let Some(t) = start("a_session_from_search_to_quit", &demo_command()) else {
        return;
    };
    let screen = wait_loaded(&t);
    assert!(screen.contains("stagehand") && screen.contains("› search"), "{screen}");
    // The demo has 114 entities today; any count near it means it all loaded.
    assert!(entity_count(&screen).is_some_and(|n| n >= 100), "the whole demo loaded:\n{screen}");
    assert_eq!(t.display("#{alternate_on}"), "1", "stagehand draws on the alternate screen");

    // Search.
    t.type_text("shipment tracker");
    let screen = t.wait_until("results for the query", |s| {
        s.contains("❯ shipment tracker") && preview_ref(s).as_deref() == Some("component:default/shipment-tracker")
    });
    assert!(screen.contains("shipment-tracker  Shipment Tracker"), "{screen}");
    let first = preview_ref(&screen).unwrap();

    // Down moves the selection (the preview follows it), Up comes back.
    t.keys(&["Down"]);
    let screen = t.wait_until("the second result selected", |s| preview_ref(s).is_some_and(|r| r != first));
    let second = preview_ref(&screen).unwrap();
    assert!(second.contains(':'), "{second}");
    t.keys(&["Up"]);
    t.wait_until("the first result selected again", |s| preview_ref(s).as_deref() == Some(first.as_str()));

    // Enter opens the entity page.
    t.keys(&["Enter"]);
    let screen =
        t.wait_until("the entity page, loaded", |s| s.contains("Overview │ Relations") && s.contains("Description"));
    assert!(screen.contains("component:default/shipment-tracker  Shipment Tracker"), "{screen}");
    assert!(screen.contains("› search › shipment-tracker"), "{screen}");
    assert!(screen.contains("Owner") && screen.contains("group:default/team-shipments"), "{screen}");

    // l: the Relations tab.
    t.keys(&["l"]);
    let screen = t.wait_for("ownedBy");
    assert!(screen.contains("partOf") && screen.contains("default/tracking"), "{screen}");

    // The second relation is partOf system:default/tracking: follow it.
    t.keys(&["j"]);
    t.keys(&["Enter"]);
    let screen = t.wait_for("system:default/tracking  Tracking");
    assert!(screen.contains("› shipment-tracker › tracking"), "{screen}");

    // Backspace goes back to the component, still on its Relations tab.
    t.keys(&["BSpace"]);
    let screen = t.wait_until("the component again", |s| {
        s.contains("component:default/shipment-tracker") && s.contains("ownedBy")
    });
    assert!(!screen.contains("› tracking"), "{screen}");

    // Esc goes back to search, the query kept.
    t.keys(&["Escape"]);
    let screen = t.wait_until("the search home", |s| s.contains("❯ shipment tracker") && !s.contains("Overview │"));
    assert!(screen.contains("shipment-tracker"), "{screen}");

    // `?` would be typed into the query: tab moves focus to the results first.
    t.keys(&["Tab"]);
    t.keys(&["?"]);
    let screen = t.wait_for("help · esc closes");
    assert!(screen.contains("Show the keys for this view") && screen.contains("Open the command palette"), "{screen}");
    assert!(screen.contains("❯ shipment tracker"), "`?` was not typed into the query:\n{screen}");
    t.keys(&["Escape"]);
    t.wait_until("help to close", |s| !s.contains("help · esc closes"));

    // :theme light
    let dark = t.capture_with(true);
    t.keys(&[":"]);
    t.wait_for("command");
    t.type_text("theme light");
    t.keys(&["Enter"]);
    t.wait_for("theme: light");
    let light = t.capture_with(true);
    assert_ne!(strip_flash(&dark), strip_flash(&light), "the colours changed");

    // q quits from the results of the home screen.
    t.keys(&["q"]);
    let screen = t.wait_for("EXITED-");
    assert!(screen.contains("EXITED-0"), "{screen}");
    assert!(!screen.contains("› search"), "the TUI is gone from the screen:\n{screen}");
    t.assert_restored();
}

/// A captured screen without its last (status) line, so only colours differ.
fn strip_flash(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    lines[..lines.len().saturating_sub(1)].join("\n")
}

/// The pid of the process whose parent is `parent`, from /proc.
fn child_of(parent: u32) -> Option<u32> {
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
        let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
        let ppid = after.split_whitespace().nth(1).and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(parent) && comm(&entry.path()).as_deref() == Some("stagehand") {
            return Some(pid);
        }
    }
    None
}

fn comm(proc_dir: &Path) -> Option<String> {
    Some(std::fs::read_to_string(proc_dir.join("comm")).ok()?.trim().to_string())
}

#[test]
fn sigterm_restores_the_terminal() {
    let Some(t) = start("sigterm_restores_the_terminal", &demo_command()) else {
        return;
    };
    wait_loaded(&t);
    // Leave it somewhere deeper than the home screen, with an overlay open.
    t.type_text("booking");
    t.wait_for("❯ booking");
    t.keys(&["Enter"]);
    t.wait_for("Overview │ Relations");
    t.keys(&["?"]);
    t.wait_for("help · esc closes");
    assert_eq!(t.display("#{alternate_on}"), "1");

    let shell: u32 = t.display("#{pane_pid}").parse().expect("pane pid");
    let pid = child_of(shell).expect("stagehand runs under the pane's shell");
    let status = Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill");
    assert!(status.success());
    let screen = t.wait_for("EXITED-");
    assert!(screen.contains("EXITED-143"), "SIGTERM exits with 128 + 15 after restoring the terminal:\n{screen}");
    t.assert_restored();
}

#[test]
fn q_at_home_after_startup_exits_cleanly() {
    // Quitting straight away (tab to the results, q) also restores the terminal.
    let Some(t) = start("q_at_home_after_startup_exits_cleanly", &demo_command()) else {
        return;
    };
    wait_loaded(&t);
    t.keys(&["Tab"]);
    t.keys(&["q"]);
    let screen = t.wait_for("EXITED-");
    assert!(screen.contains("EXITED-0"), "{screen}");
    t.assert_restored();
}

/// The breadcrumb trail: the first line of the screen.
fn breadcrumb(screen: &str) -> String {
    screen.lines().next().unwrap_or("").trim().to_string()
}

/// Presses `key` `n` times.
fn press(t: &Tmux, key: &str, n: usize) {
    for _ in 0..n {
        t.keys(&[key]);
    }
}

#[test]
fn from_a_component_to_its_owner_to_a_member_to_what_they_own_and_back() {
    let Some(t) = start("from_a_component_to_its_owner_to_a_member_to_what_they_own_and_back", &demo_command()) else {
        return;
    };
    wait_loaded(&t);

    // The component, from search.
    t.type_text("shipment-tracker");
    t.wait_until("shipment-tracker selected", |s| {
        preview_ref(s).as_deref() == Some("component:default/shipment-tracker")
    });
    t.keys(&["Enter"]);
    let screen = t.wait_until("the component page", |s| {
        s.contains("component:default/shipment-tracker  Shipment Tracker") && s.contains("Description")
    });
    assert_eq!(breadcrumb(&screen), "stagehand › search › shipment-tracker");

    // r: its relations; the first is ownedBy team-shipments: follow it.
    t.keys(&["r"]);
    let screen = t.wait_for("ownedBy");
    let first = screen.lines().skip_while(|l| !l.contains("ownedBy")).nth(1).unwrap_or("");
    assert!(first.contains("default/team-shipments"), "ownedBy comes first:\n{screen}");
    t.keys(&["Enter"]);
    let screen = t.wait_until("the owner's page", |s| {
        s.contains("group:default/team-shipments  Shipments") && s.contains("Overview │ Team │")
    });
    assert_eq!(breadcrumb(&screen), "stagehand › search › shipment-tracker › team-shipments");

    // The Team tab: parent chain, child groups, then members; the first
    // member is on line 7 of the outline.
    t.keys(&["l"]);
    let screen = t.wait_for("Members (3)");
    assert!(screen.contains("user elif.demir  Elif Demir  <elif.demir@lumen.example.com>"), "{screen}");
    assert!(screen.contains("Parent chain (3)") && screen.contains("Owns directly (19 direct"), "{screen}");
    press(&t, "j", 6);
    t.keys(&["Enter"]);
    let screen = t.wait_until("the member's page", |s| s.contains("user:default/elif.demir  Elif Demir"));
    assert_eq!(breadcrumb(&screen), "stagehand › search › shipment-tracker › team-shipments › elif.demir");
    assert!(screen.contains("Overview │ Groups │"), "{screen}");

    // The Groups tab: what the member owns through the team; open the
    // first owned API (line 10: two headers and a group, three inherited
    // groups, "Owns directly", "Owns through groups", "API (5)").
    t.keys(&["l"]);
    let screen = t.wait_for("Owns through groups (20)");
    assert!(screen.contains("Groups (1)") && screen.contains("group team-shipments"), "{screen}");
    assert!(screen.contains("api booking-api  Booking API"), "{screen}");
    press(&t, "j", 9);
    t.keys(&["Enter"]);
    let screen = t.wait_until("the owned API's page", |s| {
        s.contains("api:default/booking-api  Booking API") && s.contains("Owner")
    });
    assert!(screen.contains("group:default/team-shipments"), "owned through the team:\n{screen}");
    // Five screens deep: the trail keeps the last four.
    assert_eq!(breadcrumb(&screen), "stagehand › … › shipment-tracker › team-shipments › elif.demir › booking-api");

    // And back, one page at a time, each on the tab it was left on.
    t.keys(&["Escape"]);
    let screen = t.wait_until("the member again", |s| {
        s.contains("user:default/elif.demir") && s.contains("Owns through groups (20)")
    });
    assert_eq!(breadcrumb(&screen), "stagehand › search › shipment-tracker › team-shipments › elif.demir");
    t.keys(&["BSpace"]);
    let screen =
        t.wait_until("the team again", |s| s.contains("group:default/team-shipments") && s.contains("Members (3)"));
    assert_eq!(breadcrumb(&screen), "stagehand › search › shipment-tracker › team-shipments");
    t.keys(&["Escape"]);
    let screen = t.wait_until("the component again", |s| {
        s.contains("component:default/shipment-tracker") && s.contains("ownedBy")
    });
    assert_eq!(breadcrumb(&screen), "stagehand › search › shipment-tracker");
    t.keys(&["BSpace"]);
    let screen = t.wait_until("the search home", |s| breadcrumb(s) == "stagehand › search");
    assert!(screen.contains("❯ shipment-tracker"), "the query is kept:\n{screen}");

    t.keys(&["Tab"]);
    t.keys(&["q"]);
    let screen = t.wait_for("EXITED-");
    assert!(screen.contains("EXITED-0"), "{screen}");
    t.assert_restored();
}

#[test]
fn scaffold_a_template_from_the_wizard() {
    let work = tempfile::Builder::new().prefix("stagehand-e2e-work-").tempdir().expect("work dir");
    let out = work.path().join("geo-out");
    let command = format!(
        "cd {} && {} --demo; echo EXITED-$?; exec sh",
        shell_quote(&work.path().display().to_string()),
        shell_quote(binary())
    );
    let Some(t) = start("scaffold_a_template_from_the_wizard", &command) else {
        return;
    };
    wait_loaded(&t);
    // `:templates`, pick the Python library, Enter starts the wizard.
    t.type_text(":");
    t.wait_for("command");
    t.type_text("templates");
    t.keys(&["Enter"]);
    t.wait_for("python-library");
    t.keys(&["j"]);
    t.keys(&["Enter"]);
    t.wait_for("page 1/3");
    // Page 1: the name (editor), the owner (catalog picker), the lifecycle (select).
    t.keys(&["Enter"]);
    t.type_text("lumen_geo");
    t.keys(&["Enter"]);
    t.wait_for("lumen_geo");
    t.keys(&["j", "j", "Enter"]);
    t.wait_for("type to find");
    t.type_text("shipments");
    t.wait_for("group:default/team-shipments");
    t.keys(&["Enter"]);
    t.keys(&["j", "Enter"]);
    t.wait_for("choose");
    t.keys(&["j", "Enter"]);
    t.wait_for("Production - semver");
    // Page 2 keeps its defaults; page 3: the repository's owner and name.
    t.keys(&["Tab"]);
    t.wait_for("page 2/3");
    t.keys(&["Tab"]);
    t.wait_for("page 3/3");
    t.keys(&["j", "j", "Enter"]);
    t.type_text("lumen");
    t.keys(&["Enter"]);
    t.keys(&["j", "Enter"]);
    t.type_text("geo");
    t.keys(&["Enter"]);
    t.wait_for("repo=geo");
    t.keys(&["Tab"]);
    // Review: every value, then the folder, then run.
    let review = t.wait_for("[ Run ]");
    assert!(review.contains("lumen_geo") && review.contains("group:default/team-shipments"), "{review}");
    t.keys(&["G", "k", "k", "Enter", "C-u"]);
    t.type_text(&out.display().to_string());
    t.keys(&["Enter"]);
    t.wait_for("geo-out");
    t.keys(&["G", "Enter"]);
    let done = t.wait_for("Open in catalog");
    assert!(done.contains("Created") && done.contains("component:default/lumen-geo"), "{done}");
    assert!(done.contains("✓ Render skeleton") || done.contains("Steps"), "{done}");
    // The files are on disk, committed.
    assert!(out.join("src/lumen_geo/__init__.py").is_file(), "{done}");
    assert!(out.join("catalog-info.yaml").is_file());
    assert!(out.join(".git").is_dir());
    // Esc on the result returns to the review page; `q` leaves from there
    // page by page (nothing changed since the run, so nothing is asked).
    t.keys(&["Escape"]);
    t.wait_for("[ Run ]");
    t.keys(&["q", "q", "q", "q"]);
    t.wait_for("templates");
    t.keys(&["C-c"]);
    t.wait_for("EXITED-0");
    t.assert_restored();
}

#[test]
fn reading_docs_through_nav_links_and_search() {
    let Some(t) = start("reading_docs_through_nav_links_and_search", &demo_command()) else {
        return;
    };
    wait_loaded(&t);
    // Open a component.
    t.type_text("shipment tracker");
    t.wait_until("results for the query", |s| preview_ref(s).as_deref() == Some("component:default/shipment-tracker"));
    t.keys(&["Enter"]);
    t.wait_until("the entity page", |s| s.contains("Overview │ Relations") && s.contains("Docs"));
    // Open its docs.
    t.keys(&[":"]);
    t.type_text("docs");
    t.keys(&["Enter"]);
    let screen =
        t.wait_until("the first page", |s| s.contains("1/5  Overview") && s.contains("The Shipment Tracker answers"));
    assert!(screen.contains("▾ Operations") && screen.contains("Runbook"), "the nav tree:\n{screen}");
    // Through the nav: the second page.
    t.keys(&["m"]);
    t.keys(&["j"]);
    t.keys(&["Enter"]);
    t.wait_until("the architecture page", |s| s.contains("2/5  Architecture") && s.contains("Components"));
    // Through a link: the runbook (architecture.md links to it).
    t.keys(&["Tab"]);
    t.keys(&["Enter"]);
    t.wait_until("the runbook", |s| s.contains("4/5  Runbook") && s.contains("Redis is unavailable"));
    // The next page key: on-call.
    t.keys(&["}"]);
    t.wait_until("the on-call page", |s| s.contains("5/5  On-call") && s.contains("Handover"));
    // Search in the page.
    t.keys(&["/"]);
    t.type_text("handover");
    t.keys(&["Enter"]);
    let screen = t.wait_for("/handover 1/");
    assert!(screen.contains("match 1 of"), "{screen}");
    // Back through history, then out of the docs to search, then quit.
    t.keys(&["BSpace"]);
    t.wait_for("4/5  Runbook");
    // Esc clears the search first (wait for it: two escapes sent at once can
    // reach the program as one alt-esc).
    t.keys(&["Escape"]);
    t.wait_until("the search cleared", |s| s.contains("4/5  Runbook") && !s.contains("/handover"));
    t.keys(&["Escape"]);
    t.wait_until("the search home", |s| s.contains("❯ shipment tracker") && !s.contains("Overview │"));
    t.keys(&["C-c"]);
    t.wait_for("EXITED-0");
    t.assert_restored();
}
