//! End to end, in tmux: the terminal conventions of issue 21. A plugin key
//! runs its templated command on the selected entity, `e` opens the
//! entity's file at its line in `$EDITOR` and the page shows the edit after
//! the re-sync, `o` picks among several links and a terminal `$BROWSER`
//! gets the terminal. The programs are recording scripts that write their
//! arguments to a file. Skipped, with a printed reason, without tmux.

mod common_tmux;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common_tmux::{STEP, Tmux, shell_quote};

const CATALOG: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-freight
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: parcel-router
  description: Routes parcels between depots
  annotations:
    backstage.io/kubernetes-id: parcel-k8s
    backstage.io/view-url: https://portal.example.com/catalog/parcel-router
  links:
    - url: https://grafana.example.com/d/parcels
      title: Parcel dashboard
    - url: https://runbooks.example.com/parcel-router
      title: Runbook
spec:
  type: service
  owner: team-freight
  lifecycle: production
";

/// The line `parcel-router`'s document starts on in [`CATALOG`].
fn component_line() -> usize {
    CATALOG.lines().position(|l| l == "---").expect("two documents") + 2
}

/// Writes an executable script at `path` that appends its arguments, one
/// per line, then `--`, to `record`, and then runs `then`.
fn recorder(path: &Path, record: &Path, then: &str) {
    let script = format!(
        "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> {rec}; done\nif [ -t 0 ]; then echo TTY >> {rec}; fi\necho -- >> {rec}\n{then}\n",
        rec = shell_quote(&record.display().to_string())
    );
    std::fs::write(path, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// A home with the catalog, a config naming it (plus `extra` config), and
/// the command line that syncs then runs the TUI.
fn setup(home: &Path, extra: &str) -> String {
    let catalog = home.join("catalog");
    std::fs::create_dir_all(&catalog).unwrap();
    std::fs::write(catalog.join("catalog-info.yaml"), CATALOG).unwrap();
    let config = home.join("config.yaml");
    std::fs::write(&config, format!("sources:\n  - name: local\n    dir: {}\n{extra}", catalog.display())).unwrap();
    let bin = shell_quote(env!("CARGO_BIN_EXE_stagehand"));
    let config = shell_quote(&config.display().to_string());
    format!("{bin} --config {config} sync >/dev/null && {bin} --config {config}; echo EXITED-$?; exec sh")
}

/// Polls `record` until it holds `n` finished runs; returns their lines.
fn recorded(record: &Path, n: usize) -> Vec<Vec<String>> {
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(record).unwrap_or_default();
        let runs: Vec<Vec<String>> =
            text.split_terminator("--\n").map(|run| run.lines().map(String::from).collect()).collect();
        if runs.len() >= n {
            return runs;
        }
        assert!(start.elapsed() < STEP, "the program never ran {n} time(s); recorded: {text:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits for the TUI with the index loaded, types `query` and waits for
/// `parcel-router` to be the selected result.
fn search_parcel_router(t: &Tmux) {
    t.wait_until("the index to load", |s| s.contains(" entities"));
    t.type_text("parcel router");
    t.wait_until("parcel-router selected", |s| s.contains("component:default/parcel-router"));
}

fn temp_file(home: &Path, name: &str) -> PathBuf {
    home.join(name)
}

#[test]
fn a_plugin_key_runs_its_templated_command_on_the_selected_entity() {
    let test = "a_plugin_key_runs_its_templated_command_on_the_selected_entity";
    let mut record = PathBuf::new();
    let Some(t) = Tmux::start(test, 120, 40, &[], |home| {
        record = temp_file(home, "plugin.log");
        let script = temp_file(home, "pods");
        recorder(&script, &record, "");
        setup(
            home,
            &format!(
                "plugins:\n  - name: pods\n    key: ctrl-k\n    kinds: [component]\n    command: {}\n    args: [get, pods, -l, \"app={{{{ entity.metadata.annotations['backstage.io/kubernetes-id'] }}}}\", '{{{{ ref }}}}', '{{{{ source.line }}}}']\n  - name: broken\n    key: s\n    command: x\n",
                script.display()
            ),
        )
    }) else {
        return;
    };
    // The plugin whose key shadows a built-in is reported, naming both.
    let screen = t.wait_until("the index to load", |s| s.contains(" entities"));
    assert!(screen.contains("`broken`") || screen.contains("toggle_star"), "{screen}");
    search_parcel_router(&t);
    t.keys(&["C-k"]);
    let runs = recorded(&record, 1);
    let line = component_line().to_string();
    assert_eq!(
        runs[0],
        ["get", "pods", "-l", "app=parcel-k8s", "component:default/parcel-router", line.as_str(), "TTY"],
        "the plugin ran in the foreground with its arguments templated"
    );
    let screen = t.wait_until("the TUI back after the plugin", |s| s.contains("plugin pods: done"));
    assert!(screen.contains("component:default/parcel-router"), "{screen}");
    // `?` lists it, `:pods` runs it again.
    t.keys(&["Tab", "?"]);
    t.wait_for("Plugins (config.yaml");
    t.keys(&["Escape"]);
    t.wait_until("the help closed", |s| !s.contains("Plugins (config.yaml"));
    t.keys(&[":"]);
    t.wait_for("command (tab completes)");
    t.type_text("pods");
    t.keys(&["Enter"]);
    assert_eq!(recorded(&record, 2).len(), 2);
    t.keys(&["C-c"]);
    t.wait_for("EXITED-0");
    t.assert_restored();
}

#[test]
fn e_opens_the_entity_file_at_its_line_and_the_page_shows_the_edit() {
    let test = "e_opens_the_entity_file_at_its_line_and_the_page_shows_the_edit";
    let home_dir = tempfile::tempdir().unwrap();
    let record = home_dir.path().join("editor.log");
    let editor = home_dir.path().join("fake-editor");
    // The "editor" records its arguments and edits the description in the
    // file it was given (its last argument), adding a top-level `status`
    // that the page must then show as a problem (a warning: an entity with
    // an error would not be stored, as in Backstage).
    recorder(
        &editor,
        &record,
        "for f; do :; done; sed -i -e 's/  description: Routes parcels between depots/  description: EDITED IN THE EDITOR/' \
         -e 's/^  lifecycle: production$/  lifecycle: production\\nstatus: {}/' \"$f\"",
    );
    let editor_env = editor.display().to_string();
    let Some(t) = Tmux::start(test, 120, 40, &[("EDITOR", &editor_env), ("VISUAL", "")], |home| setup(home, "")) else {
        return;
    };
    search_parcel_router(&t);
    t.keys(&["Enter"]);
    t.wait_until("the entity page", |s| s.contains("Routes parcels between depots"));
    t.keys(&["e"]);
    let runs = recorded(&record, 1);
    let file = t.home.path().join("catalog").join("catalog-info.yaml");
    let plus_line = format!("+{}", component_line());
    assert_eq!(runs[0], [plus_line.as_str(), &file.display().to_string(), "TTY"], "+LINE FILE, with the terminal");
    let screen = t.wait_until("the page after the re-sync", |s| s.contains("EDITED IN THE EDITOR"));
    assert!(screen.contains("component:default/parcel-router"), "{screen}");
    assert!(screen.contains("Problems (1)"), "the problem the edit made shows on the page:\n{screen}");
    t.keys(&["C-c"]);
    t.wait_for("EXITED-0");
    t.assert_restored();
}

#[test]
fn o_picks_among_several_links_and_a_terminal_browser_gets_the_terminal() {
    let test = "o_picks_among_several_links_and_a_terminal_browser_gets_the_terminal";
    let bin_dir = tempfile::tempdir().unwrap();
    let record = bin_dir.path().join("browser.log");
    // Named like a terminal browser, so it runs in the foreground.
    let browser = bin_dir.path().join("w3m");
    recorder(&browser, &record, "");
    let browser_env = browser.display().to_string();
    let Some(t) = Tmux::start(test, 120, 40, &[("BROWSER", &browser_env)], |home| setup(home, "")) else {
        return;
    };
    search_parcel_router(&t);
    t.keys(&["Enter"]);
    t.wait_until("the entity page", |s| s.contains("Routes parcels between depots"));
    t.keys(&["o"]);
    let screen = t.wait_for("links of component:default/parcel-router");
    for label in ["Parcel dashboard", "Runbook", "View in catalog", "https://runbooks.example.com/parcel-router"] {
        assert!(screen.contains(label), "{label}:\n{screen}");
    }
    t.keys(&["j", "Enter"]);
    let runs = recorded(&record, 1);
    assert_eq!(runs[0], ["https://runbooks.example.com/parcel-router", "TTY"]);
    let screen = t.wait_until("the TUI back after the browser", |s| s.contains("browser: done"));
    assert!(!screen.contains("links of"), "the picker closed:\n{screen}");
    t.keys(&["C-c"]);
    t.wait_for("EXITED-0");
    t.assert_restored();
}
