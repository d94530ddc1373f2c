//! Helpers shared by the integration tests.
//!
//! Each test binary compiles this module on its own and uses only part of
//! it, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use stagehand::config::{SourceConfig, SourceKind};
use stagehand::index::Index;
use stagehand::index::build::{SourceInput, build};
use stagehand::model::{Problem, Severity};
use stagehand::sources::{ReadContext, SourceOutput, read_source};

/// `../shared` beside the repository, when it is there.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared"));
    dir.is_dir().then_some(dir)
}

/// `../shared/fixtures/backstage-examples`, or `None` after printing why the
/// calling test is skipped.
pub fn fixtures(test: &str) -> Option<PathBuf> {
    let dir = shared_dir().map(|s| s.join("fixtures/backstage-examples"));
    match dir {
        Some(d) if d.is_dir() => Some(std::fs::canonicalize(&d).unwrap_or(d)),
        _ => {
            eprintln!(
                "SKIP {test}: ../shared/fixtures/backstage-examples is not beside the repository ({}/../shared)",
                env!("CARGO_MANIFEST_DIR")
            );
            None
        }
    }
}

/// `backstage/packages/catalog-model/examples` under the fixtures.
pub fn catalog_examples(fixtures: &Path) -> PathBuf {
    fixtures.join("backstage/packages/catalog-model/examples")
}

/// The default `dir` patterns.
pub fn default_patterns() -> Vec<String> {
    stagehand::sources::dir::DEFAULT_PATTERNS.iter().map(|s| s.to_string()).collect()
}

/// A source config.
pub fn source(name: &str, kind: SourceKind) -> SourceConfig {
    SourceConfig { name: name.to_string(), kind }
}

/// Reads one source with `patterns` and a throwaway cache dir.
pub fn read_with(source: &SourceConfig, patterns: &[String], cache: &Path) -> Result<SourceOutput, String> {
    let ctx = ReadContext {
        cache_dir: cache,
        patterns,
        progress: &|_| {},
        known: None,
        listing: None,
        full: false,
        previous: None,
    };
    read_source(source, &ctx)
}

/// Reads one local source with the default patterns.
pub fn read(source: &SourceConfig) -> SourceOutput {
    let cache = tempfile::tempdir().expect("temp cache dir");
    read_with(source, &default_patterns(), cache.path())
        .unwrap_or_else(|e| panic!("source `{}` could not be read: {e}", source.name))
}

/// The input for [`build`] of one source that was read.
pub fn input(source: &SourceConfig, read: Result<SourceOutput, String>) -> SourceInput {
    SourceInput {
        name: source.name.clone(),
        kind: source.kind.label().to_string(),
        target: source.kind.target(),
        read: Some(read.map(|o| o.compacted(&stagehand::index::build::Record::local))),
        server_relations: false,
    }
}

/// Reads one local source and builds an index of it alone.
pub fn index_of(source: &SourceConfig) -> Index {
    let output = read(source);
    build(vec![input(source, Ok(output))], None, 1)
}

/// Every entity ref of the index, sorted.
pub fn refs(index: &Index) -> Vec<String> {
    let mut refs: Vec<String> = (0..index.len() as u32).map(|i| index.ref_of(i).to_string()).collect();
    refs.sort();
    refs
}

/// Sorted owned strings.
pub fn sorted(items: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// The entity with this canonical ref, or a panic naming what is there.
pub fn entity(index: &Index, canonical: &str) -> u32 {
    index.find(canonical).unwrap_or_else(|| panic!("`{canonical}` is not in the index; it has {:?}", refs(index)))
}

/// The relations of `from`: (type, target, target exists), sorted.
pub fn relations(index: &Index, from: &str) -> Vec<(String, String, bool)> {
    let i = entity(index, from);
    let mut rels: Vec<(String, String, bool)> =
        index.relations(i).iter().map(|r| (r.kind.to_string(), r.target.to_string(), r.entity.is_some())).collect();
    rels.sort();
    rels
}

/// Whether `from` has the relation `kind` to `to`, and whether `to` exists.
pub fn relation(index: &Index, from: &str, kind: &str, to: &str) -> Option<bool> {
    relations(index, from).into_iter().find(|(k, t, _)| k == kind && t == to).map(|(_, _, exists)| exists)
}

/// Asserts `from -kind-> to`, with `to` in the index.
#[track_caller]
pub fn assert_rel(index: &Index, from: &str, kind: &str, to: &str) {
    match relation(index, from, kind, to) {
        Some(true) => {}
        Some(false) => panic!("{from} -{kind}-> {to} exists but its target is dangling"),
        None => panic!("missing relation {from} -{kind}-> {to}; {from} has {:#?}", relations(index, from)),
    }
}

/// Asserts there is no `from -kind-> to`.
#[track_caller]
pub fn assert_no_rel(index: &Index, from: &str, kind: &str, to: &str) {
    assert!(
        relation(index, from, kind, to).is_none(),
        "unexpected relation {from} -{kind}-> {to}; {from} has {:#?}",
        relations(index, from)
    );
}

/// The targets of `from`'s relations of type `kind`, sorted.
pub fn targets(index: &Index, from: &str, kind: &str) -> Vec<String> {
    relations(index, from).into_iter().filter(|(k, _, _)| k == kind).map(|(_, t, _)| t).collect()
}

/// Problems of error severity.
pub fn errors(problems: &[Problem]) -> Vec<&Problem> {
    problems.iter().filter(|p| p.severity == Severity::Error).collect()
}

/// Problems whose file ends with `suffix`.
pub fn problems_in<'a>(problems: &'a [Problem], suffix: &str) -> Vec<&'a Problem> {
    problems.iter().filter(|p| p.file.as_deref().is_some_and(|f| f.ends_with(suffix))).collect()
}

/// Every problem, one per line, for assertion messages.
pub fn dump(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n")
}

/// Writes `text` to `dir/name`, creating folders.
pub fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("a file has a parent")).expect("create folders");
    std::fs::write(&path, text).expect("write file");
    path
}

/// A minimal valid Component.
pub fn component(name: &str, owner: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n"
    )
}

/// A minimal valid Group.
pub fn group(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\nspec:\n  type: team\n  children: []\n"
    )
}

/// A Location naming `targets`.
pub fn location(name: &str, targets: &[&str]) -> String {
    let list: String = targets.iter().map(|t| format!("    - {t}\n")).collect();
    format!("apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: {name}\nspec:\n  targets:\n{list}")
}

/// Whether `git` can be run.
pub fn have_git() -> bool {
    std::process::Command::new("git").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// A private set of XDG dirs, a home, a working folder and a `catalog`
/// folder, and the binary run inside them.
pub struct Sandbox {
    /// The temporary root.
    pub tmp: tempfile::TempDir,
}

impl Sandbox {
    /// A new sandbox with its folders made.
    pub fn new() -> Sandbox {
        let tmp = tempfile::tempdir().expect("sandbox");
        for d in ["config", "cache", "data", "home", "work", "catalog"] {
            std::fs::create_dir_all(tmp.path().join(d)).expect("sandbox folder");
        }
        Sandbox { tmp }
    }

    /// A path under the sandbox.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// The default config file.
    pub fn config_file(&self) -> PathBuf {
        self.path("config/stagehand/config.yaml")
    }

    /// The default profile's index.
    pub fn index_file(&self) -> PathBuf {
        self.path("cache/stagehand/profiles/default/index.bin")
    }

    /// Writes the default config file.
    pub fn write_config(&self, text: &str) {
        std::fs::create_dir_all(self.config_file().parent().expect("config dir")).expect("config dir");
        std::fs::write(self.config_file(), text).expect("config");
    }

    /// The binary with the sandbox's dirs, no colour, run in `work`.
    pub fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_stagehand"));
        cmd.env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_CACHE_HOME", self.path("cache"))
            .env("XDG_DATA_HOME", self.path("data"))
            .env("HOME", self.path("home"))
            .env("NO_COLOR", "1")
            .env_remove("STAGEHAND_CONFIG")
            .current_dir(self.path("work"));
        cmd
    }

    /// [`Sandbox::command`] as an `assert_cmd` command.
    pub fn cmd(&self) -> assert_cmd::Command {
        assert_cmd::Command::from_std(self.command())
    }

    /// Runs the binary with `args` to the end.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = self.cmd().args(args).output().expect("the binary runs");
        Run {
            args: args.join(" "),
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            raw_stdout: output.stdout,
            raw_stderr: output.stderr,
        }
    }
}

/// One finished run of the binary, with checks that name the command and
/// show its output when they fail.
pub struct Run {
    /// The arguments, joined.
    pub args: String,
    /// The exit code (-1: killed by a signal).
    pub code: i32,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
    /// Standard output as written.
    pub raw_stdout: Vec<u8>,
    /// Standard error as written.
    pub raw_stderr: Vec<u8>,
}

impl Run {
    /// Asserts the exit code.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "`stagehand {}` exited {} (wanted {expected})\n--- stdout\n{}\n--- stderr\n{}",
            self.args, self.code, self.stdout, self.stderr
        );
        self
    }

    /// Asserts that standard error holds `needle`.
    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(self.stderr.contains(needle), "`stagehand {}`: no `{needle}` in stderr:\n{}", self.args, self.stderr);
        self
    }

    /// Standard output as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("`stagehand {}` printed invalid JSON ({e}):\n{}", self.args, self.stdout))
    }

    /// Standard output's lines.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}
