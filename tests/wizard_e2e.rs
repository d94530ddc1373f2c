//! The wizard end to end in a real terminal (tmux), on Backstage's
//! kitchen-sink sample template read from ../shared: a password is masked
//! from its first keystroke, and values survive leaving the wizard as a
//! draft that reopening offers to restore. Skipped, with a printed reason,
//! where tmux or the fixture is missing.

mod common_tmux;

use std::path::{Path, PathBuf};

use common_tmux::{Tmux, shell_quote};

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_stagehand")
}

/// The folder of the kitchen-sink template in the shared fixtures.
fn kitchen_sink() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/backstage-examples/backstage/plugins/scaffolder-backend/sample-templates/bui-kitchen-sink-demo");
    dir.join("template.yaml").is_file().then_some(dir)
}

/// A session on the kitchen-sink catalog, synced, with the wizard open on
/// its first page; `None` (after saying why) without tmux or the fixture.
fn open_wizard(test: &str) -> Option<Tmux> {
    let Some(dir) = kitchen_sink() else {
        eprintln!("SKIP {test}: ../shared/fixtures (the kitchen-sink template) is missing");
        return None;
    };
    let t = Tmux::start(test, 100, 30, &[], |home| {
        let config = home.join("config/stagehand");
        std::fs::create_dir_all(&config).unwrap();
        let yaml = format!("sources:\n  - name: samples\n    dir: {}\npatterns: [template.yaml]\n", dir.display());
        std::fs::write(config.join("config.yaml"), yaml).unwrap();
        let bin = shell_quote(binary());
        format!("{bin} sync >/dev/null && {bin}; echo EXITED-$?; exec sh")
    })?;
    t.wait_until("the index to load", |s| s.contains(" entities"));
    start_wizard(&t);
    Some(t)
}

/// `:templates`, Enter on the only template.
fn start_wizard(t: &Tmux) {
    t.type_text(":");
    t.wait_for("command");
    t.type_text("templates");
    t.keys(&["Enter"]);
    t.wait_for("bui-kitchen-sink-demo");
    t.keys(&["Enter"]);
    t.wait_for("page 1/6");
}

/// Draft files under the session's data dir.
fn drafts(home: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![home.join("data")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.parent().is_some_and(|d| d.ends_with("drafts")) {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn a_password_is_masked_from_the_first_keystroke() {
    let Some(t) = open_wizard("a_password_is_masked_from_the_first_keystroke") else { return };
    // Name (focused), Description, Email, Website, Password.
    t.keys(&["j", "j", "j", "j", "Enter"]);
    t.wait_for("show");
    let secret = "hunter2";
    for (i, c) in secret.char_indices() {
        t.type_text(&c.to_string());
        let masks = "•".repeat(i + 1);
        let screen = t.wait_for(&masks);
        if i >= 2 {
            assert!(!screen.contains(&secret[..=i]), "typed text on screen:\n{screen}");
        }
    }
    // ctrl-t shows it while typing, and hides it again.
    t.keys(&["C-t"]);
    t.wait_for(secret);
    t.keys(&["C-t"]);
    let screen = t.wait_until("the secret hidden again", |s| !s.contains(secret));
    assert!(screen.contains("•••••••"), "{screen}");
    // Committed: the form shows a mask, never the value.
    t.keys(&["Enter"]);
    let screen = t.wait_until("the editor to close", |s| !s.contains("hide") && !s.contains("show"));
    assert!(!screen.contains(secret) && screen.contains("••••••"), "{screen}");
    // Moving on through the pages never shows it either.
    t.keys(&["k", "k", "Enter"]);
    t.type_text("someone@example.com");
    t.keys(&["Enter"]);
    t.wait_for("someone@example.com");
    t.keys(&["k", "k", "Enter"]);
    t.type_text("n");
    t.keys(&["Enter"]);
    for page in 2..=5 {
        t.keys(&["Tab"]);
        let screen = t.wait_for(&format!("page {page}/6"));
        assert!(!screen.contains(secret), "{screen}");
    }
    for path in drafts(t.home.path()) {
        assert!(!std::fs::read_to_string(&path).unwrap().contains(secret), "{}", path.display());
    }
    t.keys(&["C-c"]);
    t.wait_for("EXITED-0");
}

#[test]
fn values_come_back_after_leaving_as_a_draft() {
    let Some(t) = open_wizard("values_come_back_after_leaving_as_a_draft") else { return };
    t.keys(&["Enter"]);
    t.type_text("kept-across-visits");
    t.keys(&["Enter"]);
    t.wait_for("kept-across-visits");
    // Leaving a changed form asks first, Cancel chosen: Enter stays.
    t.keys(&["Escape"]);
    t.wait_for("Leave the wizard?");
    t.keys(&["Enter"]);
    t.wait_until("the question to close", |s| !s.contains("Leave the wizard?") && s.contains("page 1/6"));
    t.keys(&["Escape"]);
    t.wait_for("Leave the wizard?");
    t.keys(&["Right", "Enter"]);
    let screen = t.wait_until("the templates list", |s| !s.contains("page 1/6"));
    assert!(screen.contains("bui-kitchen-sink-demo"), "{screen}");
    // The draft is a private file without secrets.
    let files = drafts(t.home.path());
    assert_eq!(files.len(), 1, "{files:?}");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&files[0]).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    // Reopening offers the draft; restoring brings the value back.
    t.keys(&["Enter"]);
    let screen = t.wait_for("Restore draft");
    assert!(!screen.contains("kept-across-visits"), "{screen}");
    t.keys(&["Enter"]);
    let screen = t.wait_for("kept-across-visits");
    assert!(!screen.contains("Restore draft"), "{screen}");
    t.keys(&["C-c"]);
    t.wait_for("EXITED-0");
}

#[test]
fn the_cli_asks_for_a_secret_without_echoing_it() {
    let test = "the_cli_asks_for_a_secret_without_echoing_it";
    let Some(t) = Tmux::start(test, 100, 30, &[], |home| {
        let dir = home.join("tpl");
        std::fs::create_dir_all(&dir).unwrap();
        let template = "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: {name: needs-token}\n\
            spec:\n  parameters:\n    - required: [region, token]\n      properties:\n\
            \x20       region: {type: string, enum: [eu, us], enumNames: [Europe, Americas]}\n\
            \x20       token: {title: Deploy token, type: string, ui:field: Secret}\n\
            \x20 steps:\n    - {id: log, action: 'debug:log', input: {message: 'region ${{ parameters.region }}'}}\n";
        std::fs::write(dir.join("template.yaml"), template).unwrap();
        let bin = shell_quote(binary());
        let path = shell_quote(&dir.join("template.yaml").display().to_string());
        format!("{bin} scaffold {path} --dry-run; echo EXITED-$?; exec sh")
    }) else {
        return;
    };
    // The enum's choices come first, numbered; a number answers.
    let screen = t.wait_for("[a number or a value]");
    assert!(screen.contains("1) eu (Europe)") && screen.contains("2) us (Americas)"), "{screen}");
    t.type_text("2");
    t.keys(&["Enter"]);
    t.wait_for("Deploy token");
    let secret = "s3cr3t-value";
    for (i, c) in secret.char_indices() {
        t.type_text(&c.to_string());
        let screen = t.wait_for(&"•".repeat(i + 1));
        assert!(!screen.contains(&secret[..=i]) || i < 2, "typed text on screen:\n{screen}");
    }
    t.keys(&["Enter"]);
    let screen = t.wait_for("EXITED-");
    assert!(screen.contains("EXITED-0"), "{screen}");
    assert!(screen.contains("region us") && !screen.contains(secret), "{screen}");
}
