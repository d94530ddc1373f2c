//! Generated catalogs and their workspaces, cached under the data dir.

use std::path::{Path, PathBuf};

use anyhow::Context;
use stagehand::demo::generate::{Plan, generate};
use stagehand::workspace::Workspace;

use super::Opts;

/// One generated catalog.
pub struct DataSet {
    /// Entities written (Locations included).
    pub entities: usize,
    /// Files written.
    pub files: usize,
    /// Its folder (catalog, config, cache).
    pub dir: PathBuf,
    /// The root Location file.
    pub root: PathBuf,
}

impl DataSet {
    /// The catalog folder.
    pub fn catalog(&self) -> PathBuf {
        self.dir.join("catalog")
    }

    /// The config file (one `file:` source).
    pub fn config(&self) -> PathBuf {
        self.dir.join("config/stagehand/config.yaml")
    }

    /// Environment for a `stagehand` process using this data set.
    pub fn env(&self) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("XDG_CONFIG_HOME", self.dir.join("config")),
            ("XDG_CACHE_HOME", self.dir.join("cache")),
            ("XDG_DATA_HOME", self.dir.join("data")),
        ]
    }

    /// The workspace the `stagehand` binary would open with [`Self::env`].
    pub fn workspace(&self) -> anyhow::Result<Workspace> {
        let mut ws = Workspace::open(Some(self.config()), false, false)?;
        ws.paths.config_dir = self.dir.join("config/stagehand");
        ws.paths.cache_dir = self.dir.join("cache/stagehand");
        ws.paths.data_dir = self.dir.join("data/stagehand");
        ws.paths.profile = "default".into();
        Ok(ws)
    }

    /// The index file.
    pub fn index_file(&self) -> anyhow::Result<PathBuf> {
        Ok(self.workspace()?.paths.index_file())
    }
}

/// Entities per file from `SCALE_PER_FILE` (0 or unset: the generator's
/// default of about 50), e.g. 25 for 100k entities in ~4,000 files.
fn per_file() -> usize {
    std::env::var("SCALE_PER_FILE").ok().and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// Generates the catalog of about `n` entities unless it exists.
pub fn prepare(opts: &Opts, n: usize) -> anyhow::Result<DataSet> {
    let per_file = per_file();
    let files = if per_file == 0 { 0 } else { n.div_ceil(per_file) };
    let name = if per_file == 0 { n.to_string() } else { format!("{n}-per-file-{per_file}") };
    let dir = opts.data.join(name);
    let catalog = dir.join("catalog");
    let stamp = dir.join("written.txt");
    let (entities, files) = match std::fs::read_to_string(&stamp).ok().and_then(|s| parse_stamp(&s)) {
        Some(v) => v,
        None => {
            let _ = std::fs::remove_dir_all(&catalog);
            let t = std::time::Instant::now();
            let w = generate(&Plan { entities: n, seed: 8, files, single_file: false }, &catalog)
                .with_context(|| format!("generating {n} entities"))?;
            eprintln!("generated {} entities in {} files in {:.1?}", w.entities, w.files, t.elapsed());
            std::fs::write(&stamp, format!("{} {}", w.entities, w.files))?;
            (w.entities, w.files)
        }
    };
    let set = DataSet { entities, files, root: catalog.join("all.yaml"), dir };
    write_config(&set.config(), &set.root)?;
    Ok(set)
}

fn parse_stamp(s: &str) -> Option<(usize, usize)> {
    let mut it = s.split_whitespace().map(|x| x.parse().ok());
    Some((it.next()??, it.next()??))
}

fn write_config(path: &Path, root: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, format!("sources:\n  - name: synthetic\n    file: {}\n", root.display()))?;
    Ok(())
}

/// Syncs once when there is no index yet, or the one there cannot be read
/// (an older format, say).
pub fn ensure_index(set: &DataSet) -> anyhow::Result<()> {
    if stagehand::index::store::load(&set.index_file()?).is_err() {
        set.workspace()?.sync(None, true, &|_| {})?;
    }
    Ok(())
}
