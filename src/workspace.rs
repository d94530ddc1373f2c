//! The workspace: config, paths and the index of one profile, and the sync
//! that reads every source into a new index. The CLI and the TUI both work
//! through this, so neither has logic the other lacks.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::config::{Config, SourceConfig, SourceKind};
use crate::index::build::{Outcome, Record, SourceInput, build_over, lost_conflicts};
use crate::index::store::{self, LoadError, SyncLock};
use crate::index::stored::SourceEntities;
use crate::index::{Index, SourceState, depends, now, sidecar};
use crate::paths::Paths;
use crate::sources::depends::SourceFiles;
use crate::sources::{ReadContext, SourceOutput, read_source_into};

/// Why the demo catalog is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoReason {
    /// `--demo` was given.
    Asked,
    /// No config file exists yet.
    NoConfig,
}

/// Config, paths and mode of one stagehand run.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Where things live.
    pub paths: Paths,
    /// The parsed config (default when there is none).
    pub config: Config,
    /// `Some` when running on the built-in demo catalog.
    pub demo: Option<DemoReason>,
}

/// Progress of a sync, for a spinner or the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncEvent {
    /// Another stagehand is syncing this profile; waiting for it.
    Waiting,
    /// A source started.
    SourceStarted(String),
    /// Files or entities read so far in the current source.
    Progress(String, crate::sources::Progress),
    /// A local source none of whose files changed since the last sync
    /// (that many checked): its entities are carried over, not read.
    Unchanged(String, usize),
    /// A local source that changed: of its files (the second number), the
    /// first number were unchanged and carried over, the rest parsed.
    Carried(String, usize, usize),
    /// A source finished: entities read, or the error.
    SourceDone(String, Result<usize, String>),
}

/// What a sync did.
#[derive(Debug)]
pub struct SyncReport {
    /// The new index (already saved, unless in demo mode).
    pub index: Index,
    /// How long it took.
    pub duration: Duration,
    /// Per source synced: entities read, or the error.
    pub sources: Vec<(String, Result<usize, String>)>,
}

impl Workspace {
    /// Opens the workspace: resolves paths and reads the config. A missing
    /// config file is not an error (`demo_if_unconfigured` then picks the
    /// demo); a broken one is, with its file and line.
    pub fn open(config_override: Option<PathBuf>, demo: bool, demo_if_unconfigured: bool) -> anyhow::Result<Workspace> {
        let paths = Paths::resolve(config_override);
        if demo {
            return Ok(Workspace { paths: paths.for_demo(), config: Config::default(), demo: Some(DemoReason::Asked) });
        }
        let text = match std::fs::read_to_string(&paths.config_file) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => bail!("cannot read config {}: {e}", paths.config_file.display()),
        };
        let Some(text) = text else {
            let demo = demo_if_unconfigured.then_some(DemoReason::NoConfig);
            let paths = if demo.is_some() { paths.for_demo() } else { paths };
            return Ok(Workspace { paths, config: Config::default(), demo });
        };
        let home = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf());
        let display = paths.config_file.display().to_string();
        let mut config = Config::parse(&text, &display, home.as_deref())?;
        crate::sources::login::use_logins(&mut config, &paths.profile_data_dir());
        Ok(Workspace { paths, config, demo: None })
    }

    /// The configured identity (`identity:` or `--as`) as a canonical ref;
    /// a bare name means a user in the default namespace.
    pub fn identity(&self) -> Option<String> {
        let text = self.config.identity.as_deref()?;
        crate::model::EntityRef::parse_with(text, Some("User"), "default").ok().map(|r| r.canonical())
    }

    /// The remote source called `name`, or the only remote source.
    pub fn remote_source(&self, name: Option<&str>) -> anyhow::Result<(String, crate::config::RemoteConfig)> {
        let remotes: Vec<(&str, &crate::config::RemoteConfig)> = self
            .config
            .sources
            .iter()
            .filter_map(|s| match &s.kind {
                SourceKind::Backstage(r) => Some((s.name.as_str(), r)),
                _ => None,
            })
            .collect();
        let names = || remotes.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
        match name {
            Some(n) => remotes
                .iter()
                .find(|(m, _)| *m == n)
                .map(|(m, r)| (m.to_string(), (*r).clone()))
                .ok_or_else(|| anyhow::anyhow!("no backstage source named `{n}`; backstage sources: {}", names())),
            None => match remotes.as_slice() {
                [(m, r)] => Ok((m.to_string(), (*r).clone())),
                [] => bail!("no `backstage:` source is configured in {}", self.paths.config_file.display()),
                _ => bail!("several backstage sources ({}); pick one with --source NAME", names()),
            },
        }
    }

    /// Whether the config file exists.
    pub fn has_config(&self) -> bool {
        self.paths.config_file.is_file()
    }

    /// The sources in effect (the demo's in demo mode).
    pub fn sources(&self) -> anyhow::Result<Vec<SourceConfig>> {
        if self.demo.is_some() {
            let root = crate::demo::unpack(&self.demo_base())
                .with_context(|| format!("cannot unpack the demo catalog under {}", self.demo_base().display()))?;
            return Ok(vec![SourceConfig { name: crate::demo::SOURCE_NAME.into(), kind: SourceKind::File(root) }]);
        }
        let mut sources = self.config.sources.clone();
        let registered = crate::sources::registered::sources(&self.registered_list()).map_err(anyhow::Error::msg)?;
        sources.extend(registered.into_iter().filter(|r| !self.config.sources.iter().any(|s| s.name == r.name)));
        Ok(sources)
    }

    /// The list of catalog files `catalog:register` added locally (read as
    /// `registered-N` sources).
    pub fn registered_list(&self) -> PathBuf {
        crate::sources::registered::file(&self.paths.profile_data_dir())
    }

    /// Where a template run's `catalog:register` records new catalog
    /// files: on the remote catalog of `source` when the template came from
    /// a `backstage:` source, else in the local list (nowhere in demo mode:
    /// the run says how to add the file).
    pub fn registrar(&self, source: Option<&str>) -> crate::scaffold::runner::Registrar {
        use crate::scaffold::runner::Registrar;
        if let Some(name) = source
            && let Ok((name, config)) = self.remote_source(Some(name))
        {
            return Registrar::Remote(name, config);
        }
        if self.demo.is_some() { Registrar::None } else { Registrar::Local(self.registered_list()) }
    }

    /// The backend a template from `source` runs on: that `backstage:`
    /// source (or, with `None`, the only one configured), with its token,
    /// CA file and timeout. The token is never part of a message.
    pub fn scaffolder_backend(&self, source: Option<&str>) -> anyhow::Result<crate::scaffold::backend::Backend> {
        let (name, config) = self.remote_source(source)?;
        let http = crate::sources::remote::client::Client::new(&config)
            .map_err(|e| anyhow::anyhow!("backstage source `{name}`: {e}"))?;
        Ok(crate::scaffold::backend::Backend { source: name, client: crate::scaffold::remote::Client::new(http) })
    }

    /// Where the demo is unpacked: the cache, or a temp folder when the
    /// cache is not writable.
    fn demo_base(&self) -> PathBuf {
        let cache = self.paths.cache_dir.clone();
        if store::create_private_dir(&cache).is_ok() { cache } else { std::env::temp_dir().join("stagehand-demo") }
    }

    /// Loads the index (in demo mode: builds the demo index in memory).
    pub fn load_index(&self) -> anyhow::Result<Index> {
        if self.demo.is_some() {
            return Ok(self.sync(None, false, &|_| {})?.index);
        }
        match store::load(&self.paths.index_file()) {
            Ok(index) => Ok(index),
            Err(LoadError::Missing(path)) if !self.has_config() => bail!(
                "no index at {} and no config at {}; run `stagehand config init`, then `stagehand sync` (or try `stagehand --demo`)",
                path.display(),
                self.paths.config_file.display()
            ),
            Err(e) => Err(e.into()),
        }
    }

    /// Reads every source (or only `only`) into a new index and saves it
    /// atomically. Remote sources sync incrementally unless `full`. A failed
    /// source keeps its previous entities; a failed save keeps the previous
    /// index file. A sync that changed no entity and no problem leaves the
    /// index file as it is and records its time in the sidecar.
    pub fn sync(
        &self,
        only: Option<&str>,
        full: bool,
        progress: &(dyn Fn(SyncEvent) + Sync),
    ) -> anyhow::Result<SyncReport> {
        let started = Instant::now();
        let sources = self.sources()?;
        if sources.is_empty() {
            bail!(
                "no sources configured in {}; add one (see `stagehand config init`)",
                self.paths.config_file.display()
            );
        }
        if let Some(name) = only
            && !sources.iter().any(|s| s.name == name)
        {
            let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
            bail!("no source named `{name}`; configured sources: {}", names.join(", "));
        }
        let index_file = self.paths.index_file();
        let _lock = if self.demo.is_none() {
            Some(SyncLock::acquire(&index_file, || progress(SyncEvent::Waiting)).with_context(|| {
                format!("cannot lock the index at {} (is the cache dir writable?)", index_file.display())
            })?)
        } else {
            None
        };
        // A damaged index (any section) is not built on: the sync rebuilds.
        // Checking every body reads the whole file, so it waits, when every
        // source is local and read, until a source fails and its previous
        // entities are wanted.
        let every_local_read = only.is_none() && !sources.iter().any(|s| matches!(s.kind, SourceKind::Backstage(_)));
        let previous = if self.demo.is_none() {
            store::load(&index_file).ok().filter(|p| every_local_read || p.bodies_intact())
        } else {
            None
        };
        let patterns = self.config.effective_patterns();
        let git_cache = self.paths.cache_dir.clone();
        // Off the demo, bodies wait on disk (beside the index) while the
        // sync runs, not in memory.
        let spill_dir = self.demo.is_none().then(|| index_file.parent().unwrap_or(std::path::Path::new(".")));
        let spill = spill_dir.and_then(|dir| {
            store::create_private_dir(dir).and_then(|()| crate::index::build::Spill::new_in(dir)).ok().map(Arc::new)
        });
        // What each local source's last read depended on: a source none of
        // whose files changed is not read again (unless `full`).
        let depended = match (&previous, full) {
            (Some(prev), false) => depends::load(&index_file, prev.generation()),
            _ => Vec::new(),
        };
        let unchanged_since = |source: &SourceConfig| {
            let prev = previous.as_ref()?;
            // A source that lost an entity to another may have to store it
            // now: it is read again.
            (!lost_conflicts(prev, &source.name)).then_some(())?;
            depended.iter().find(|(name, _)| *name == source.name).map(|(_, files)| files)
        };
        let read_one = |source: &SourceConfig, previous_files: Option<&SourceFiles>| {
            let stored = previous.as_ref().and_then(|prev| SourceEntities::new(prev, &source.name, spill.as_ref()));
            progress(SyncEvent::SourceStarted(source.name.clone()));
            let name = source.name.clone();
            let report = move |p: crate::sources::Progress| progress(SyncEvent::Progress(name.clone(), p));
            let server = matches!(source.kind, SourceKind::Backstage(_));
            let known = previous.as_ref().filter(|_| server).map(|prev| known_entities(prev, &source.name));
            let listing = previous
                .as_ref()
                .and_then(|prev| prev.sources.iter().find(|s| s.name == source.name))
                .and_then(|s| s.listing.as_deref());
            let ctx = ReadContext {
                cache_dir: &git_cache,
                patterns: &patterns,
                progress: &report,
                known: known.as_ref(),
                listing,
                full,
                previous: previous_files,
            };
            let stored = stored.as_ref().map(|s| s as &dyn crate::sources::carry::Stored<Record>);
            let read = read_source_into(source, &ctx, &|r| Record::new_in(r, server, spill.as_ref()), stored);
            let outcome = read.as_ref().map(entities_read).map_err(Clone::clone);
            if let Ok(out) = &read
                && out.unchanged
            {
                progress(SyncEvent::Unchanged(source.name.clone(), out.files));
            } else if let Ok(out) = &read
                && out.carried > 0
            {
                progress(SyncEvent::Carried(source.name.clone(), out.carried, out.files));
            }
            progress(SyncEvent::SourceDone(source.name.clone(), outcome));
            read
        };
        let mut reads: Vec<Option<Result<_, String>>> = sources
            .iter()
            .map(|source| only.is_none_or(|n| n == source.name).then(|| read_one(source, unchanged_since(source))))
            .collect();
        // An unchanged source's entities are read back from the previous
        // index unless every source is unchanged: a damaged one is not
        // built on, those sources are read instead.
        let is_unchanged =
            |r: &Option<Result<SourceOutput<Record>, String>>| matches!(r, Some(Ok(out)) if out.unchanged);
        if reads.iter().any(is_unchanged)
            && !reads.iter().all(is_unchanged)
            && !previous.as_ref().is_some_and(Index::bodies_intact)
        {
            for (read, source) in reads.iter_mut().zip(&sources) {
                if is_unchanged(read) {
                    *read = Some(read_one(source, None));
                }
            }
        }
        let mut inputs = Vec::new();
        let mut results = Vec::new();
        let mut depends_now = Vec::new();
        for (source, read) in sources.iter().zip(reads) {
            if let Some(read) = &read {
                results.push((source.name.clone(), read.as_ref().map(entities_read).map_err(Clone::clone)));
            }
            let files = match &read {
                Some(Ok(out)) => out.depends.clone(),
                Some(Err(_)) => None,
                None => depended.iter().find(|(name, _)| *name == source.name).map(|(_, f)| f.clone()),
            };
            depends_now.extend(files.map(|f| (source.name.clone(), f)));
            inputs.push(SourceInput {
                name: source.name.clone(),
                kind: source.kind.label().into(),
                target: source.kind.target(),
                read,
                server_relations: matches!(source.kind, SourceKind::Backstage(_)),
            });
        }
        drop(spill);
        let previous = previous
            .filter(|p| !every_local_read || inputs.iter().all(|i| matches!(i.read, Some(Ok(_)))) || p.bodies_intact());
        let (mut index, outcome, bodies) =
            build_over(inputs, previous.as_ref(), now(), spill_dir).with_context(|| {
                format!(
                    "cannot write the new index's bodies beside {}; the previous index is unchanged",
                    index_file.display()
                )
            })?;
        if self.demo.is_none() {
            match &previous {
                Some(prev) if only_restamped(prev, &index, outcome) => {
                    sidecar::write(&index, &index_file).with_context(|| {
                        format!(
                            "cannot record the sync in {}; the index is unchanged",
                            sidecar::path_for(&index_file).display()
                        )
                    })?;
                }
                _ => {
                    let cannot = || {
                        format!("cannot write the index at {}; the previous index is unchanged", index_file.display())
                    };
                    match bodies {
                        Some(bodies) => store::save_with(&index, bodies, &index_file).with_context(cannot)?,
                        None => store::save(&index, &index_file).with_context(cannot)?,
                    }
                    sidecar::remove(&index_file);
                    // Read back: the bodies may have gone straight to the
                    // file, and the file's stamp names the record below.
                    index = store::load(&index_file).with_context(cannot)?;
                }
            }
            // Best effort: without the record, the next sync reads every
            // source again (a record of another index file is ignored).
            let _ = depends::save(&index_file, index.generation(), depends_now);
        }
        drop(previous);
        Ok(SyncReport { index, duration: started.elapsed(), sources: results })
    }
}

/// How many entities a source's read gave: read, kept from the previous
/// index by a remote source, or carried over by an unchanged local one.
fn entities_read(out: &SourceOutput<Record>) -> usize {
    match &out.depends {
        Some(files) if out.unchanged => files.entities,
        _ => out.entities.len() + out.kept.len(),
    }
}

/// Whether `index` differs from `previous` (the file it was built over)
/// only in its sync time and source states, which a sidecar can record.
fn only_restamped(previous: &Index, index: &Index, outcome: Outcome) -> bool {
    fn identity(s: &SourceState) -> (&str, &str, &str) {
        (&s.name, &s.kind, &s.target)
    }
    outcome == Outcome::Restamped
        && index.generation() == previous.generation()
        && index.problems == previous.problems
        && index.sources.iter().map(identity).eq(previous.sources.iter().map(identity))
}

/// What the previous index holds of a remote source: uid → etag.
fn known_entities<'i>(index: &'i Index, source: &str) -> crate::sources::remote::Known<'i> {
    use crate::index::Field;
    let Some(at) = index.sources.iter().position(|s| s.name == source) else { return Default::default() };
    (0..index.len() as u32)
        .filter(|&i| index.source_of(i) == Some(at))
        .filter_map(|i| Some((index.field(i, Field::Uid)?, index.field(i, Field::Etag)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_builds_in_memory() {
        let mut ws = Workspace::open(None, true, false).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        ws.paths.cache_dir = tmp.path().to_path_buf();
        let index = ws.load_index().unwrap();
        assert!(index.len() >= 60, "{}", index.len());
        assert!(!tmp.path().join("profiles").exists(), "demo mode never writes an index");
    }
}
