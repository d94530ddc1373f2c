//! The scriptable CLI: one command per view, `--json` for scripts, and
//! exit codes that mean something: 0 success, 1 the check found something
//! (`validate`, `health`, `docs-search`, a sync where some sources failed),
//! 2 an error (bad config, every source failed, missing index, unknown ref,
//! a filter value nothing has).

pub mod actions;
pub mod args;
pub mod browse;
pub mod confirm;
pub mod docs;
pub mod graph;
mod known;
mod login;
pub mod maintain;
mod meta;
pub mod output;
mod remote;
pub mod scaffold;
mod server_search;
pub mod tasks;

use std::process::ExitCode;

pub use args::{Cli, Command};

use crate::workspace::Workspace;

/// Exit code when a check found problems.
pub const EXIT_FOUND_PROBLEMS: u8 = 1;
/// Exit code for errors.
pub const EXIT_ERROR: u8 = 2;

/// Runs a subcommand that needs no workspace (`completions`, `man`);
/// `None` for the others.
pub fn run_standalone(command: &Command) -> Option<ExitCode> {
    let result = match command {
        Command::Completions { shell } => meta::completions(*shell),
        Command::Man => meta::man(),
        _ => return None,
    };
    Some(exit(result))
}

fn exit(result: anyhow::Result<u8>) -> ExitCode {
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {}", crate::model::sanitize::text(&format!("{e:#}")));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Runs one subcommand and returns the process exit code.
pub fn run(command: Command, ws: &Workspace) -> ExitCode {
    let result = match command {
        Command::Completions { shell } => meta::completions(shell),
        Command::Man => meta::man(),
        Command::Sync { source, full } => maintain::sync(ws, source.as_deref(), full),
        Command::Search { query, remote: true, types, source, limit, json, .. } => {
            let term = query.join(" ");
            let q = server_search::RemoteQuery { term: &term, types: &types, limit, source: source.as_deref(), json };
            server_search::search(ws, &q)
        }
        Command::Search { query, kind, limit, json, .. } => {
            browse::search(ws, &query.join(" "), kind.as_deref(), limit, json)
        }
        Command::List { kind, owner, json } => browse::list(ws, kind.as_deref(), owner.as_deref(), json),
        Command::Show { reference, json, yaml } => browse::show(ws, &reference, json, yaml),
        Command::Validate { paths } => maintain::validate(ws, &paths),
        Command::Problems { json } => maintain::problems(ws, json),
        Command::Config { action } => maintain::config(ws, action),
        Command::Owners { reference, json } => graph::owners(ws, &reference, json),
        Command::OwnedBy { reference, transitive, kind, json } => {
            graph::owned_by(ws, &reference, transitive, kind.as_deref(), json)
        }
        Command::Members { group, transitive, json } => graph::members(ws, &group, transitive, json),
        Command::Graph { reference, depth, relations, kinds, max_per_node, format } => {
            let opts = crate::index::graph::GraphOptions { depth, relations, kinds, per_node: max_per_node };
            graph::graph(ws, &reference, &opts, format)
        }
        Command::Health { json } => graph::health(ws, json),
        Command::Scaffold(args) => scaffold::scaffold(ws, &args),
        Command::Docs { reference, page, width, plain, list } => {
            docs::docs(ws, &reference, &docs::DocsOptions { page, width, plain, list })
        }
        Command::DocsSearch { term, limit } => docs::docs_search(ws, &term.join(" "), limit),
        Command::Register { target, dry_run, source } => remote::register(ws, &target, dry_run, source.as_deref()),
        Command::Refresh { reference } => remote::refresh(ws, &reference),
        Command::Whoami { source } => remote::whoami(ws, source.as_deref()),
        Command::Login { source, no_browser } => login::login(ws, source.as_deref(), no_browser),
        Command::Logout { source } => login::logout(ws, source.as_deref()),
        Command::Actions { action } => actions::run(ws, action),
        Command::Tasks { action } => tasks::run(ws, action),
        Command::Demo { action: args::DemoAction::Generate { entities, out, seed, files, single_file } } => {
            maintain::generate(&crate::demo::generate::Plan { entities, seed, files, single_file }, &out)
        }
        Command::Mcp { allow_writes } => crate::mcp::serve(ws.clone(), allow_writes),
    };
    exit(result)
}
