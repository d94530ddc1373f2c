//! Headless TUI tests, one binary: the demo (or a given catalog) loaded
//! into an `App`, keys delivered through `update`, effects run
//! synchronously, frames drawn on ratatui's `TestBackend` and compared as
//! text snapshots (80x24 and 120x40) through the one [`snap`] helper.

#[path = "../common_tui/mod.rs"]
mod common_tui;

mod conventions;
mod docs;
mod finding;
mod graph;
mod health_and_mine;
mod highlighting;
mod hostile;
mod kitchen_sink;
mod login;
mod portal;
mod rejected;
mod searching;
mod views;
mod wizard;
mod wizard_remote;

use common_tui::{Harness, TMP_PREFIX};

/// The sizes every screen is snapshotted at.
pub const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// Where the demo is unpacked: the harness's temp dir plus the demo's
/// content fingerprint.
pub const DEMO_PATH: &str = r"/tmp/stagehand-tui-[A-Za-z0-9]{6}/cache/demo/[0-9a-f]{12}";

/// A demo path cut from the left (`…` then its end), up to the demo
/// catalog's own folders and files.
pub const CUT_DEMO_PATH: &str = r"…[^\s│]*?/(apis|broken|components|ops|org|resources|runbooks|services|templates|all\.yaml|domains\.yaml|systems\.yaml)";

/// Snapshots the screen at both sizes, with the temp demo path replaced by
/// `[DEMO]`; fails when another temp path escaped into the screen.
pub fn snap(h: &mut Harness, name: &str) {
    snap_cleaned(h, name, |screen| screen.to_string());
}

/// Snapshots the screen at both sizes after `clean` made it stable (paths,
/// hashes of a run), with the temp demo path replaced by `[DEMO]`.
pub fn snap_cleaned(h: &mut Harness, name: &str, clean: impl Fn(&str) -> String) {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(DEMO_PATH, "[DEMO]");
    settings.add_filter(CUT_DEMO_PATH, "…[DEMO]/$1");
    settings.set_prepend_module_to_snapshot(true);
    settings.set_omit_expression(true);
    let demo_path = regex::Regex::new(DEMO_PATH).unwrap();
    let cut_demo_path = regex::Regex::new(CUT_DEMO_PATH).unwrap();
    for (w, ht) in SIZES {
        let screen = clean(&h.screen(w, ht));
        let filtered = demo_path.replace_all(&screen, "[DEMO]");
        let filtered = cut_demo_path.replace_all(&filtered, "…[DEMO]/$1");
        assert!(!filtered.contains(TMP_PREFIX), "a temp path escaped the filter:\n{filtered}");
        settings.bind(|| insta::assert_snapshot!(format!("{name}_{w}x{ht}"), screen));
    }
}
