//! The TUI on the terminals people SSH from, through the real binary in
//! tmux: the colour escapes a 16-colour terminal gets, `TERM=dumb`, and the
//! demo keeping its stars to itself. Skipped, with a printed reason, where
//! tmux is not installed.

mod common_tmux;

use std::time::{Duration, Instant};

use common_tmux::{STEP, Tmux, shell_quote};

fn demo_command() -> String {
    format!("{} --demo; echo EXITED-$?; exec sh", shell_quote(env!("CARGO_BIN_EXE_stagehand")))
}

fn start(test: &str, term: &str) -> Option<Tmux> {
    Tmux::start(test, 80, 24, &[("TERM", term), ("COLORTERM", "")], |_| demo_command())
}

fn wait_loaded(t: &Tmux) -> String {
    t.wait_until("the index to load", |s| s.contains(" entities"))
}

/// The SGR parameter lists of every `ESC[...m` in `text`.
fn sgr_params(text: &str) -> Vec<&str> {
    text.split("\x1b[").skip(1).filter_map(|s| s.split_once('m').map(|(p, _)| p)).collect()
}

#[test]
fn a_16_colour_terminal_gets_no_256_colour_escapes() {
    let Some(t) = start("a_16_colour_terminal_gets_no_256_colour_escapes", "xterm-16color") else { return };
    wait_loaded(&t);
    let screen = t.capture_with(true);
    let params = sgr_params(&screen);
    assert!(
        params.iter().any(|p| p.split(';').any(|c| c.parse::<u8>().is_ok_and(|n| matches!(n, 31..=37 | 91..=97)))),
        "{params:?}"
    );
    for p in &params {
        assert!(!p.contains("38;5") && !p.contains("48;5") && !p.contains(";2;"), "`{p}` in:\n{screen}");
    }
}

#[test]
fn term_dumb_refuses_the_tui_and_points_to_the_cli() {
    let Some(t) = start("term_dumb_refuses_the_tui_and_points_to_the_cli", "dumb") else { return };
    let screen = t.wait_for("EXITED-");
    assert!(screen.contains("EXITED-2"), "{screen}");
    assert!(screen.contains("TERM=dumb") && screen.contains("CLI"), "{screen}");
    assert!(!screen.contains("entities"), "no TUI was drawn:\n{screen}");
}

#[test]
fn the_demo_stars_into_its_own_profile() {
    let Some(t) = start("the_demo_stars_into_its_own_profile", "xterm-256color") else { return };
    wait_loaded(&t);
    t.type_text("shipment-tracker");
    t.wait_for("shipment-tracker");
    t.keys(&["Enter"]);
    t.wait_for("Overview");
    t.keys(&["s"]);
    t.wait_for("starred");
    let data = t.home.path().join("data/stagehand/profiles");
    let demo = data.join("demo/starred.yaml");
    let start = Instant::now();
    while !demo.is_file() {
        assert!(start.elapsed() < STEP, "no {}", demo.display());
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(std::fs::read_to_string(&demo).unwrap().contains("shipment-tracker"));
    assert!(!data.join("default").exists(), "the real profile is untouched");
}
