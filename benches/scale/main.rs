//! Scale benchmarks for issue 8: sync, index load and first frame, search
//! per keystroke (beside `fzf --filter`), graph queries, memory, bytes written
//! to the terminal, docs rendering and scaffolding, at 10k, 100k and 1M
//! entities. Prints Markdown tables for BENCHMARKS.md.
//!
//! ```text
//! cargo bench --bench scale                          # 10k, 100k, 1M
//! SCALE_SIZES=10000,100000 cargo bench --bench scale # pick sizes
//! SCALE_ONLY=search,frame cargo bench --bench scale  # pick sections
//! SCALE_FZF=0 SCALE_ONLY=search cargo bench --bench scale  # without the fzf reference
//! SCALE_ONLY=cli SCALE_BINS=before=/a/stagehand,after=/b/stagehand cargo bench --bench scale
//! SCALE_PER_FILE=25 SCALE_ONLY=sync cargo bench --bench scale  # entities spread over more files
//! cargo bench --bench scale -- --test                # smoke run at 2k
//! ```
//!
//! Synthetic catalogs are generated once under `target/scale-data/<N>` with
//! `stagehand::demo::generate` (the same code as `stagehand demo generate`).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod child;
mod cli;
mod data;
mod frame;
mod misc;
mod search;
mod stats;
mod sync;

use std::path::PathBuf;

/// What to run.
pub struct Opts {
    /// Catalog sizes.
    pub sizes: Vec<usize>,
    /// Sections to run (empty: all).
    pub only: Vec<String>,
    /// Where generated catalogs and indexes live.
    pub data: PathBuf,
    /// Smoke mode: tiny sizes, one repetition.
    pub smoke: bool,
}

impl Opts {
    /// Whether a section runs.
    pub fn runs(&self, section: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|s| s == section)
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        return child::main(&args[2..]);
    }
    let smoke = args.iter().any(|a| a == "--test");
    let sizes = match std::env::var("SCALE_SIZES") {
        Ok(s) => s.split(',').filter_map(|n| n.trim().parse().ok()).collect(),
        Err(_) if smoke => vec![2_000],
        Err(_) => vec![10_000, 100_000, 1_000_000],
    };
    let only = std::env::var("SCALE_ONLY")
        .map(|s| s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())
        .unwrap_or_default();
    let data = std::env::var_os("SCALE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/scale-data"));
    let opts = Opts { sizes, only, data, smoke };
    println!("# scale bench: {}", stats::machine());
    for &n in &opts.sizes {
        let set = data::prepare(&opts, n)?;
        println!("\n## {} entities ({} files)\n", set.entities, set.files);
        if opts.runs("sync") {
            sync::run(&opts, &set)?;
        } else {
            data::ensure_index(&set)?;
        }
        if opts.runs("frame") {
            frame::run(&opts, &set)?;
        }
        if opts.runs("search") {
            search::run(&opts, &set)?;
        }
        if opts.runs("cli") {
            cli::run(&opts, &set)?;
        }
        if opts.runs("graph") {
            misc::graph(&opts, &set)?;
        }
        if opts.runs("bytes") {
            frame::bytes(&opts, &set)?;
        }
    }
    if opts.runs("docs") {
        misc::docs(&opts)?;
    }
    if opts.runs("scaffold") {
        misc::scaffold(&opts)?;
    }
    Ok(())
}
