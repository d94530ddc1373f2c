//! Issue 23 #3 end to end: a template whose skeleton asks for gigabytes
//! (`indent(4000000000)`) run from the wizard in a real terminal (tmux).
//! The step fails with the budget error on the result page (the process
//! used to abort, leaving the alternate screen and raw mode on); quitting
//! then leaves the terminal restored, and no crash report is written.
//! Skipped, with a printed reason, where tmux is missing. (Fails without
//! the budget: checked by removing `indent`'s bound.)

mod common_tmux;

use std::path::Path;

use common_tmux::{Tmux, shell_quote};

const TEMPLATE: &str = "apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: budget-buster, title: Budget buster}
spec:
  owner: group:default/a
  type: service
  parameters:
    - title: Name
      properties:
        name: {type: string, default: svc}
  steps:
    - id: grow
      name: Render the skeleton
      action: fetch:template
      input:
        url: ./skeleton
        values:
          name: ${{ parameters.name }}
";

/// Writes the template, its skeleton and a config reading it.
fn setup(home: &Path) -> std::path::PathBuf {
    let tpl = home.join("tpl");
    std::fs::create_dir_all(tpl.join("skeleton")).unwrap();
    std::fs::write(tpl.join("template.yaml"), TEMPLATE).unwrap();
    std::fs::write(tpl.join("skeleton/big.txt"), "${{ values.name | indent(4000000000) }}\n").unwrap();
    let config = home.join("config/stagehand");
    std::fs::create_dir_all(&config).unwrap();
    let yaml = format!("sources:\n  - name: tpl\n    dir: {}\npatterns: [template.yaml]\n", tpl.display());
    std::fs::write(config.join("config.yaml"), yaml).unwrap();
    let work = home.join("work");
    std::fs::create_dir_all(&work).unwrap();
    work
}

#[test]
fn a_template_over_a_budget_fails_its_step_and_the_terminal_is_restored() {
    let test = "a_template_over_a_budget_fails_its_step_and_the_terminal_is_restored";
    let Some(t) = Tmux::start(test, 200, 40, &[], |home| {
        let work = setup(home);
        let bin = shell_quote(env!("CARGO_BIN_EXE_stagehand"));
        // Address space capped at 2.5 GB: without the budget the 4 GB
        // `indent` fails to allocate and aborts at once (what this test
        // catches) instead of pressing the machine for memory.
        format!(
            "ulimit -v 2500000; cd {} && {bin} sync >/dev/null && {bin}; echo EXITED-$?; exec sh",
            shell_quote(&work.display().to_string())
        )
    }) else {
        return;
    };
    t.wait_until("the index to load", |s| s.contains(" entities"));
    t.type_text(":");
    t.wait_for("command");
    t.type_text("templates");
    t.keys(&["Enter"]);
    t.wait_for("budget-buster");
    t.keys(&["Enter"]);
    t.wait_for("page 1/1");
    t.keys(&["Tab"]);
    t.wait_for("[ Run ]");
    t.keys(&["G", "Enter"]);
    let failed = t.wait_for("finished");
    assert!(failed.contains("Failed: Render the skeleton failed"), "the run failed:\n{failed}");
    assert!(
        failed.contains("`indent` would be too large") && failed.contains("template budget exceeded"),
        "the budget error is shown:\n{failed}"
    );
    assert!(failed.contains("✗ Render the skeleton"), "on the step that hit it:\n{failed}");
    assert_eq!(t.display("#{alternate_on}"), "1", "still the TUI: the process did not abort");
    // Back to the review page, out of the wizard page by page, then quit.
    t.keys(&["Escape"]);
    t.wait_for("[ Run ]");
    for _ in 0..4 {
        if t.capture().lines().next().is_some_and(|l| l.trim_end().ends_with("› templates")) {
            break;
        }
        let before = t.capture();
        t.keys(&["q"]);
        t.wait_until("a page left", |s| s != before);
    }
    t.wait_until("the templates list", |s| s.lines().next().is_some_and(|l| l.trim_end().ends_with("› templates")));
    t.keys(&["C-c"]);
    let screen = t.wait_for("EXITED-");
    assert!(screen.contains("EXITED-0"), "{screen}");
    assert!(!screen.contains("stagehand crashed"), "{screen}");
    t.assert_restored();
    let crash = t.home.path().join("cache/stagehand/crash");
    let reports: Vec<_> = std::fs::read_dir(&crash).into_iter().flatten().flatten().map(|e| e.path()).collect();
    assert!(reports.is_empty(), "a crash report was written: {reports:?}");
}
