//! The `stagehand` binary: the TUI with no command, the CLI otherwise.

#![deny(clippy::unwrap_used, clippy::expect_used)]

use std::process::ExitCode;

/// mimalloc: catalog parsing allocates many small strings; it is markedly
/// faster than the system allocator for that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

use stagehand::cli::{self, Cli};
use stagehand::workspace::Workspace;

fn main() -> ExitCode {
    let args = Cli::parse();
    if let Some(code) = args.command.as_ref().and_then(cli::run_standalone) {
        return code;
    }
    let interactive = args.command.is_none();
    if interactive {
        use std::io::IsTerminal;
        let term = std::env::var("TERM").ok();
        let refusal = stagehand::tui::colors::refusal(
            std::io::stdin().is_terminal(),
            std::io::stdout().is_terminal(),
            term.as_deref(),
        );
        if let Some(why) = refusal {
            eprintln!("error: {why}");
            return ExitCode::from(cli::EXIT_ERROR);
        }
    }
    let ws = match Workspace::open(args.config.clone(), args.demo, interactive) {
        Ok(mut ws) => {
            if let Some(user) = args.as_user.clone() {
                if let Err(e) = stagehand::model::EntityRef::parse_with(&user, Some("User"), "default") {
                    eprintln!("error: --as: {e}");
                    return ExitCode::from(cli::EXIT_ERROR);
                }
                ws.config.identity = Some(user);
            }
            ws
        }
        Err(e) => {
            eprintln!("error: {}", stagehand::model::sanitize::text(&format!("{e:#}")));
            return ExitCode::from(cli::EXIT_ERROR);
        }
    };
    match args.command {
        Some(command) => {
            // The TUI shows it as its first notice.
            if let Some(warning) = &ws.paths.fallback_warning {
                eprintln!("warning: {warning}");
            }
            cli::run(command, &ws)
        }
        None => stagehand::tui::run(ws),
    }
}
