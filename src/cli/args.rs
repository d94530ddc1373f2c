//! Command-line arguments (clap).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// stagehand: your Backstage catalog in the terminal.
///
/// With no command, opens the TUI on the cached index (or on the built-in
/// demo catalog with `--demo`, or when no config exists).
#[derive(Debug, Parser)]
#[command(name = "stagehand", version, about, long_about = None)]
pub struct Cli {
    /// Use the built-in demo catalog (no config, no network).
    #[arg(long, global = true)]
    pub demo: bool,
    /// Config file to use instead of the default (also STAGEHAND_CONFIG).
    #[arg(long, global = true, env = "STAGEHAND_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// What to do; the TUI when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read every configured source into the local index.
    Sync {
        /// Sync only this source.
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
    },
    /// Fuzzy search, with facets such as `kind:api owner:team-a !tag:java`.
    Search {
        /// The query (words are joined).
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        /// Only entities of this kind.
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        /// At most this many results.
        #[arg(long, default_value_t = 20, value_name = "N")]
        limit: usize,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// List entities, sorted by ref.
    List {
        /// Only entities of this kind.
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        /// Only entities owned by this group or user (name or ref).
        #[arg(long, value_name = "REF")]
        owner: Option<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Show one entity with its relations (resolved and dangling).
    Show {
        /// `name`, `kind:name` or `kind:namespace/name`.
        reference: String,
        /// The entity and relations as JSON.
        #[arg(long, conflicts_with = "yaml")]
        json: bool,
        /// The entity as stored, as YAML.
        #[arg(long)]
        yaml: bool,
    },
    /// Validate catalog files or folders without touching the index.
    /// Exit 1 when anything is invalid.
    Validate {
        /// Files (their Locations are followed) or folders (walked).
        #[arg(required = true, num_args = 1..)]
        paths: Vec<PathBuf>,
    },
    /// What the last sync found.
    Problems {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Where config, cache and data live; show or create the config.
    Config {
        /// What to do.
        #[command(subcommand)]
        action: ConfigAction,
    },
}

/// `stagehand config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Print where the config, cache, index and data live.
    Path,
    /// Print the config in effect.
    Show,
    /// Write a commented starter config (refuses to overwrite without --force).
    Init {
        /// Overwrite an existing config.
        #[arg(long)]
        force: bool,
    },
}
