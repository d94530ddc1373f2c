//! End to end (tmux): Enter typed in the same write as the query (a paste,
//! or keys batched over a slow link) acts on that query, never on the rows
//! an earlier query left on screen. Skipped, with a printed reason, where
//! tmux is not installed.

mod common_tmux;

use common_tmux::{Tmux, shell_quote};

fn start(test: &str) -> Option<Tmux> {
    let command = format!("{} --demo; echo EXITED-$?; exec sh", shell_quote(env!("CARGO_BIN_EXE_stagehand")));
    Tmux::start(test, 120, 40, &[], |_| command)
}

/// The home with an empty query: its top row is the first ref,
/// `api:default/booking-api`, the row a stale Enter would open.
fn wait_empty_home(t: &Tmux) {
    t.wait_until("the home with an empty query", |s| {
        s.contains("type to search") && s.contains("booking-api") && !s.contains("Overview │")
    });
}

#[test]
fn enter_in_the_same_write_as_the_query_opens_its_top_result() {
    let Some(t) = start("enter_in_the_same_write_as_the_query_opens_its_top_result") else {
        return;
    };
    t.wait_until("the index to load", |s| s.contains(" entities"));
    wait_empty_home(&t);
    for run in 0..20 {
        t.type_text("geo-toolkit\r");
        let screen = t.wait_until("an entity page", |s| s.contains("Overview │"));
        assert!(
            screen.contains("component:default/geo-toolkit") && screen.contains("› search › geo-toolkit"),
            "run {run}: Enter opened another entity:\n{screen}"
        );
        // Back to the home, then clear the query.
        t.keys(&["Escape"]);
        t.wait_until("the home", |s| s.contains("❯ geo-toolkit") && !s.contains("Overview │"));
        t.keys(&["Escape"]);
        wait_empty_home(&t);
    }

    // Enter on no results opens nothing and says so.
    t.type_text("invoice-servicezzz\r");
    let screen = t.wait_for("no matches for `invoice-servicezzz`");
    assert!(!screen.contains("Overview │"), "nothing opened:\n{screen}");
    assert!(screen.contains("❯ invoice-servicezzz"), "{screen}");
    t.keys(&["C-c"]);
    t.wait_for("EXITED-");
}
