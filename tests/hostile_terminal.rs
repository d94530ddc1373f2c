//! Terminal safety, proven in a real terminal: the hostile fixture catalog
//! (tests/fixtures/hostile, written by its make.py) carries OSC 0/2 title
//! sets, OSC 52 clipboard writes, cursor movement and screen clears, 8-bit C1
//! CSI/OSC, bidi overrides and isolates, zero-width characters and DCS
//! requests in names, titles, descriptions, tags, annotations, links, docs
//! and a template's steps and output. The real binary runs it inside a
//! private tmux server with `set-clipboard on`: in the TUI (search, entity
//! page, YAML, Problems and Docs tabs, :problems) and in every CLI text
//! output the pane title stays, no paste buffer appears, the cursor stays
//! where the shell expects it and the payload shows as harmless `␛`
//! characters. A control at the end prints the same payload raw and sees the
//! title and buffer change, so the checks can see a leak. `--json` output is
//! parsed and holds no raw control, C1, bidi or zero-width character.

mod common_tmux;

use std::path::{Path, PathBuf};
use std::process::Command;

use common_tmux::{Tmux, shell_quote};

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_stagehand")
}

fn fixture() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hostile"))
}

/// Writes the config (a `dir` source on the fixture) under `home`.
fn write_config(home: &Path) -> PathBuf {
    let dir = home.join("config/stagehand");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("config.yaml");
    std::fs::write(
        &file,
        format!(
            "sources:\n  - name: hostile\n    dir: {}\npatterns: [catalog-info.yaml, template.yaml]\nosc52: false\n",
            fixture().display()
        ),
    )
    .unwrap();
    file
}

/// Characters that must never reach a terminal raw.
fn is_dangerous(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}' | '\u{FEFF}')
}

/// The state that a leaked sequence would change.
struct Guard<'a> {
    t: &'a Tmux,
    title: String,
}

impl Guard<'_> {
    fn check(&self, step: &str) {
        let title = self.t.display("#{pane_title}");
        assert_eq!(title, self.title, "{step}: the pane title changed");
        assert!(!title.contains("PWNED"), "{step}: title {title}");
        let buffers = self.t.run(&["list-buffers"]);
        let listed = String::from_utf8_lossy(&buffers.stdout);
        assert!(listed.trim().is_empty(), "{step}: OSC 52 set a paste buffer: {listed}");
        let shown = self.t.run(&["show-buffer"]);
        assert!(!shown.status.success() || shown.stdout.is_empty(), "{step}: show-buffer has content");
    }
}

/// What the last command printed: every line before its marker (each
/// command starts with `clear`), minus the command line itself.
fn output_of(all: &str) -> String {
    let lines: Vec<&str> = all.lines().collect();
    let end = lines.iter().rposition(|l| l.starts_with("DONE-")).unwrap_or(lines.len());
    lines[..end].iter().filter(|l| !l.contains("; echo DONE-")).copied().collect::<Vec<_>>().join("\n")
}

#[test]
fn hostile_catalog_cannot_drive_the_terminal() {
    let Some(t) = Tmux::start("hostile_catalog_cannot_drive_the_terminal", 160, 50, &[], |home| {
        write_config(home);
        "exec sh".to_string()
    }) else {
        return;
    };
    let out = t.run(&["set-option", "-s", "set-clipboard", "on"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    t.wait_for("$");
    let guard = Guard { t: &t, title: t.display("#{pane_title}") };
    guard.check("start");
    let bin = shell_quote(binary());

    // CLI text output on a terminal, command by command. `expect` says
    // whether the payload must show (as harmless ␛) in that output.
    let validate = format!("validate {}", shell_quote(&fixture().display().to_string()));
    let commands: &[(&str, bool)] = &[
        ("sync", false),
        ("search hostile", true),
        ("search --kind template hostile", true),
        ("list", true),
        ("list --kind group", true),
        ("show hostile-service", true),
        ("show --yaml hostile-service", true),
        ("show team-hostile", true),
        ("show template:hostile-template", true),
        ("show good-neighbour", true),
        ("problems", true),
        (validate.as_str(), true),
        ("docs hostile-service", true),
        ("docs hostile-service --plain", true),
        ("docs hostile-service --list", true),
        ("docs hostile-service second", true),
        ("docs-search searchable-hostile-term", true),
        ("health", true),
        ("graph hostile-service", true),
        ("owners hostile-service", false),
        ("members team-hostile", false),
        ("owned-by team-hostile", true),
        ("config show", false),
        ("scaffold hostile-template --set name=demo --dry-run", true),
    ];
    for (args, expect) in commands {
        let line = format!("clear; {bin} {args}");
        let all = t.shell(&line);
        let shown = output_of(&all);
        guard.check(args);
        assert_eq!(t.display("#{cursor_flag}"), "1", "{args}: the cursor was hidden");
        assert_eq!(t.display("#{alternate_on}"), "0", "{args}: the screen switched");
        // The cursor is on the prompt right below the marker: nothing moved it.
        let screen = t.capture();
        let y: usize = t.display("#{cursor_y}").parse().unwrap();
        let rows: Vec<&str> = screen.lines().collect();
        assert!(
            y >= 1 && rows.get(y - 1).is_some_and(|r| r.starts_with("DONE-")),
            "{args}: the cursor is not below the marker (row {y}):\n{screen}"
        );
        assert!(!shown.contains("PWNED-OSC0\n"), "{args}");
        if *expect {
            let lower = shown.to_lowercase();
            assert!(
                lower.contains("␛]0;pwned") || lower.contains("\\e]0;pwned"),
                "{args}: the payload is not shown harmlessly:\n{shown}\n--- the pane:\n{all}"
            );
        }
        eprintln!("ok: {args}");
    }

    // The TUI.
    t.type_text(&format!("clear; {bin}; echo TUI-EXITED-$?"));
    t.keys(&["Enter"]);
    t.wait_until("the index to load", |s| s.contains(" entities"));
    guard.check("tui start");
    t.type_text("hostile");
    let screen = t.wait_until("search results", |s| s.contains("␛]0;PWNED"));
    guard.check("tui search");
    assert!(screen.lines().next().is_some_and(|l| l.contains("stagehand")), "layout:\n{screen}");
    assert!(screen.lines().last().is_some_and(|l| l.contains(" entities")), "layout:\n{screen}");

    t.keys(&["C-u"]);
    t.type_text("hostile-service");
    t.wait_until("hostile-service first", |s| s.contains("component:default/hostile-service"));
    t.keys(&["Enter"]);
    let screen = t.wait_until("the entity page", |s| s.contains("Overview │") && s.contains("Description"));
    assert!(screen.contains("␛]0;PWNED"), "overview:\n{screen}");
    guard.check("tui overview");
    // Every tab in turn: YAML, Problems and Docs among them.
    let mut seen = Vec::new();
    for _ in 0..8 {
        t.keys(&["l"]);
        std::thread::sleep(std::time::Duration::from_millis(300));
        let screen = t.wait_until("a tab", |s| s.contains('│'));
        guard.check("tui tab");
        assert!(screen.lines().next().is_some_and(|l| l.contains("stagehand")), "layout:\n{screen}");
        if screen.contains("apiVersion") {
            seen.push("yaml");
            assert!(screen.contains("PWNED-OSC0"), "yaml tab:\n{screen}");
        }
        if screen.contains("Heading ␛]0;PWNED") {
            seen.push("docs");
        }
    }
    assert!(seen.contains(&"yaml") && seen.contains(&"docs"), "tabs seen: {seen:?}");
    t.keys(&["Escape"]);
    t.keys(&["Tab"]);
    t.keys(&[":"]);
    t.type_text("problems");
    t.keys(&["Enter"]);
    let screen = t.wait_until("the problems list", |s| s.contains("PWNED-NAME"));
    assert!(screen.contains("␛]0;PWNED-NAME"), "problems:\n{screen}");
    guard.check("tui problems");
    t.keys(&["C-c"]);
    t.wait_for("TUI-EXITED-0");
    t.assert_restored();
    guard.check("after the TUI");

    // The control: the same payload printed raw does change the title and
    // set a buffer, so the checks above would have seen a leak.
    t.shell(r"printf '\033]2;CONTROL-TITLE\033\\\033]52;c;Q09OVFJPTA==\007'");
    let title = t.display("#{pane_title}");
    assert_eq!(title, "CONTROL-TITLE", "the control did not set the title: the test is blind");
    let buffer = t.run(&["show-buffer"]);
    assert_eq!(String::from_utf8_lossy(&buffer.stdout), "CONTROL", "the control did not set a buffer");
}

#[test]
fn json_output_escapes_every_control() {
    let home = tempfile::tempdir().unwrap();
    let config = write_config(home.path());
    let run = |args: &[&str]| {
        Command::new(binary())
            .args(args)
            .env("STAGEHAND_CONFIG", &config)
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("HOME", home.path())
            .output()
            .unwrap()
    };
    assert!(run(&["sync"]).status.code().is_some());
    for args in [
        &["search", "hostile", "--json"][..],
        &["list", "--json"],
        &["show", "hostile-service", "--json"],
        &["show", "team-hostile", "--json"],
        &["show", "template:hostile-template", "--json"],
        &["problems", "--json"],
        &["health", "--json"],
        &["owners", "hostile-service", "--json"],
        &["scaffold", "hostile-template", "--set", "name=demo", "--dry-run", "--json"],
    ] {
        let out = run(args);
        let text = String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("{args:?}: not UTF-8: {e}"));
        assert!(!text.contains('\u{1b}'), "{args:?}: a raw ESC in JSON");
        if let Some(c) = text.chars().find(|c| is_dangerous(*c)) {
            panic!("{args:?}: a raw U+{:04X} in JSON output", c as u32);
        }
        let value: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{text}"));
        // Escaped, not lost: the payload comes back intact.
        let round = value.to_string();
        if !matches!(args[0], "health" | "owners") {
            assert!(round.contains("PWNED"), "{args:?}: the payload is missing:\n{text}");
        }
        let mut strings = Vec::new();
        collect(&value, &mut strings);
        if args[0] == "show" && args[1] == "hostile-service" {
            assert!(strings.iter().any(|s| s.contains("\u{1b}]0;PWNED-OSC0\u{7}")), "intact payload");
        }
    }
    // stderr of a sync names problems sanitized.
    let out = run(&["sync"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains('\u{1b}') || err.contains("\u{1b}[2K"), "{err}");
}

fn collect(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect(x, out)),
        _ => {}
    }
}
