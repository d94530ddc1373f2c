//! A panic inside the TUI (forced through the debug-build-only
//! `STAGEHAND_TEST_PANIC`), in a real terminal: the terminal is usable
//! afterwards (main screen, cursor shown, cooked mode), one line says
//! stagehand crashed and where the report is, and the report is short,
//! private (0600) and holds no secret.

mod common_tmux;

use common_tmux::{Tmux, shell_quote};

const SECRET: &str = "sekret-value-4242";

#[test]
fn a_panic_in_the_tui_restores_the_terminal_and_writes_a_redacted_report() {
    let command = format!("{} --demo; echo EXITED-$?; exec sh", shell_quote(env!("CARGO_BIN_EXE_stagehand")));
    let panic_value = format!("boom {SECRET}");
    let env = [("STAGEHAND_TEST_PANIC", panic_value.as_str()), ("MY_API_TOKEN", SECRET)];
    let Some(t) = Tmux::start("a_panic_in_the_tui_restores_the_terminal", 120, 40, &env, |_| command) else {
        return;
    };
    let screen = t.wait_for("EXITED-");
    assert!(screen.contains("EXITED-101"), "{screen}");
    assert!(screen.contains("stagehand crashed: forced test panic: boom [redacted]"), "{screen}");
    assert!(!screen.contains(SECRET), "{screen}");
    assert!(!screen.contains("RUST_BACKTRACE"), "one short message, not Rust's default:\n{screen}");
    t.assert_restored();

    let dir = t.home.path().join("cache/stagehand/crash");
    let reports: Vec<_> = std::fs::read_dir(&dir).expect("the crash dir").flatten().map(|e| e.path()).collect();
    assert_eq!(reports.len(), 1, "{reports:?}");
    let report = std::fs::read_to_string(&reports[0]).unwrap();
    assert!(screen.contains(&reports[0].display().to_string()[..20]), "the path is shown:\n{screen}");
    assert!(report.contains("forced test panic: boom [redacted]"), "{report}");
    assert!(!report.contains(SECRET), "{report}");
    assert!(report.lines().count() <= 10, "{report}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&reports[0]).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    }
}
