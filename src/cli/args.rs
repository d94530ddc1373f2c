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
    /// Act as this user for "owned by me" (overrides `identity` in the config).
    #[arg(long = "as", global = true, value_name = "REF")]
    pub as_user: Option<String>,
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
        /// Read every source again: remote catalogs fetch every entity, local
        /// sources parse every file even when none changed.
        #[arg(long)]
        full: bool,
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
        /// Ask the portal's search backend (/api/search/query) instead of the local index.
        #[arg(long, conflicts_with = "kind")]
        remote: bool,
        /// With --remote: only documents of this type (repeatable), e.g. software-catalog, techdocs.
        #[arg(long = "type", value_name = "T", requires = "remote")]
        types: Vec<String>,
        /// With --remote: the backstage source to ask (needed when there are several).
        #[arg(long, value_name = "NAME", requires = "remote")]
        source: Option<String>,
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
    /// The owner of an entity and the owner's parent groups up to the root.
    Owners {
        /// The entity.
        reference: String,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// What a group or user owns.
    OwnedBy {
        /// The group or user.
        reference: String,
        /// Include sub-groups (for a group) or the user's groups and their parents.
        #[arg(long)]
        transitive: bool,
        /// Only entities of this kind.
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// The members of a group.
    Members {
        /// The group.
        group: String,
        /// Include members of every sub-group.
        #[arg(long)]
        transitive: bool,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// The neighbourhood of an entity in the relation graph.
    Graph {
        /// The entity at the centre.
        reference: String,
        /// How many hops.
        #[arg(long, default_value_t = 1, value_name = "N")]
        depth: usize,
        /// Only these relation types (repeatable), e.g. ownedBy, dependsOn.
        #[arg(long = "relation", value_name = "TYPE")]
        relations: Vec<String>,
        /// Only nodes of these kinds (repeatable).
        #[arg(long = "kind", value_name = "KIND")]
        kinds: Vec<String>,
        /// Most relations shown per node.
        #[arg(long, default_value_t = 50, value_name = "N")]
        max_per_node: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Text)]
        format: GraphFormat,
    },
    /// Catalog health: orphans, dangling refs, group mismatches, cycles.
    /// Exit 1 when something is wrong.
    Health {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Run a Software Template: values from --values/--set, files into
    /// --output (or a dry run, or on the backend with --remote).
    Scaffold(super::scaffold::ScaffoldArgs),
    /// An entity's TechDocs, rendered for the terminal (pager friendly).
    /// Exit 2 when the entity has no docs.
    Docs {
        /// The entity: `name`, `kind:name` or `kind:namespace/name`.
        reference: String,
        /// The page: its path (`code/code-sample.md`), title or number; the first page when omitted.
        page: Option<String>,
        /// Lay out for this many columns (default: the terminal's width, else 80).
        #[arg(long, value_name = "N")]
        width: Option<u16>,
        /// No colours (also when stdout is not a terminal, or NO_COLOR is set).
        #[arg(long)]
        plain: bool,
        /// Print the nav tree (numbered pages with their paths) instead of a page.
        #[arg(long)]
        list: bool,
    },
    /// Find docs pages across every entity's local docs by title and text.
    /// Exit 1 when nothing matches.
    DocsSearch {
        /// What to look for (words are joined).
        #[arg(required = true, num_args = 1..)]
        term: Vec<String>,
        /// At most this many pages.
        #[arg(long, default_value_t = 20, value_name = "N")]
        limit: usize,
    },
    /// Register a location (catalog file URL) on a remote Backstage catalog,
    /// showing what it adds first.
    Register {
        /// The catalog-info URL (or an absolute path, for backends that allow files).
        target: String,
        /// Only show what would be added.
        #[arg(long)]
        dry_run: bool,
        /// The remote source to register on (needed when there are several).
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
    },
    /// Ask a remote catalog to refresh an entity now, then show it as re-read.
    Refresh {
        /// The entity.
        reference: String,
    },
    /// The user a remote catalog maps your token to.
    Whoami {
        /// The remote source to ask (needed when there are several).
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
    },
    /// Sign in to a remote catalog with Backstage's CLI flow (works over SSH:
    /// paste the address the browser ends on, or forward port 8055).
    Login {
        /// The remote source to sign in to (needed when there are several).
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
        /// Only print the address; do not start `$BROWSER`.
        #[arg(long)]
        no_browser: bool,
    },
    /// Forget (and revoke) the session `stagehand login` stored.
    Logout {
        /// The remote source to sign out of (needed when there are several).
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
    },
    /// The actions registry of a backstage source's plugins: list, run.
    Actions {
        /// What to do.
        #[command(subcommand)]
        action: super::actions::ActionsCommand,
    },
    /// Scaffolder tasks on a backstage source: list, show (--follow), cancel, retry.
    Tasks {
        /// What to do.
        #[command(subcommand)]
        action: super::tasks::TasksCommand,
    },
    /// Demo data: generate a synthetic organisation at any size.
    Demo {
        /// What to do.
        #[command(subcommand)]
        action: DemoAction,
    },
    /// Where config, cache and data live; show or create the config.
    Config {
        /// What to do.
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Serve the catalog, docs and templates to coding agents over the Model
    /// Context Protocol on stdio; read-only unless --allow-writes.
    Mcp {
        /// Also offer tools that write files (running a template into a folder).
        #[arg(long)]
        allow_writes: bool,
    },
    /// Print a shell completion script on stdout, e.g.
    /// `stagehand completions bash > ~/.local/share/bash-completion/completions/stagehand`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout, e.g. `stagehand man | man -l -`.
    Man,
}

/// Formats of `stagehand graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// An indented tree.
    Text,
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
    /// Nodes and edges as JSON.
    Json,
}

/// `stagehand demo ...`
#[derive(Debug, Subcommand)]
pub enum DemoAction {
    /// Write a deterministic synthetic organisation (catalog files with
    /// Location fan-out) to try stagehand at your size.
    Generate {
        /// About how many entities.
        #[arg(long, value_name = "N")]
        entities: usize,
        /// Where to write the catalog (its root is DIR/all.yaml).
        #[arg(long, value_name = "DIR")]
        out: std::path::PathBuf,
        /// Seed: the same seed gives the same files.
        #[arg(long, default_value_t = 1, value_name = "S")]
        seed: u64,
        /// Number of entity files (default: one per ~50 entities).
        #[arg(long, default_value_t = 0, value_name = "F")]
        files: usize,
        /// One multi-document file (DIR/catalog.yaml), e.g. to load into a Backstage backend.
        #[arg(long)]
        single_file: bool,
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
