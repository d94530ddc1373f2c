//! Faults, nothing lost: `stagehand sync` (the real binary) killed with
//! SIGKILL at random points a hundred times never leaves a half index; two
//! syncs at once serialize; a read-only cache dir is a clear error while
//! reads go on; no writable home falls back to a temp dir with a warning.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use stagehand::index::store;

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_stagehand")
}

/// A private home: XDG dirs under it, a `dir` source on `catalog`.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new(catalog: &Path) -> Home {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config/stagehand");
        std::fs::create_dir_all(&config).unwrap();
        // The generated catalog (its root file fans out) and the extras
        // the kill test adds beside it (catalog-info.yaml files).
        std::fs::write(
            config.join("config.yaml"),
            format!(
                "sources:\n  - name: gen\n    file: {}\n  - name: extra\n    dir: {}\n",
                catalog.join("all.yaml").display(),
                catalog.display()
            ),
        )
        .unwrap();
        Home { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(binary());
        let h = self.path();
        c.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", h)
            .env("XDG_CONFIG_HOME", h.join("config"))
            .env("XDG_CACHE_HOME", h.join("cache"))
            .env("XDG_DATA_HOME", h.join("data"));
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn index_file(&self) -> PathBuf {
        self.path().join("cache/stagehand/profiles/default/index.bin")
    }
}

fn generate(entities: usize) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("catalog");
    let status = Command::new(binary())
        .args(["demo", "generate", "--entities", &entities.to_string(), "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    (tmp, out)
}

fn extra(catalog: &Path, i: usize) {
    let dir = catalog.join(format!("extra-{i}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("catalog-info.yaml"),
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {{name: extra-{i}}}\nspec: {{type: db, owner: nobody}}\n"
        ),
    )
    .unwrap();
}

#[cfg(unix)]
#[test]
fn sigkill_at_random_points_of_a_sync_never_leaves_a_half_index() {
    let (_tmp, catalog) = generate(5000);
    let home = Home::new(&catalog);
    let started = Instant::now();
    let first = home.run(&["sync"]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let full = started.elapsed();
    let mut count = store::load(&home.index_file()).expect("the first index").len();
    assert!(count >= 5000, "the generated catalog was read: {count}");
    let (mut killed, mut finished) = (0, 0);
    let rounds = 100;
    for i in 0..rounds {
        // Each round adds an entity: the new index has one more than the old.
        extra(&catalog, i);
        let mut child = home.command(&["sync"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        // Anywhere from before it starts to after it is done.
        let delay = full.mul_f64(fastrand::f64() * 1.3);
        std::thread::sleep(delay);
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGKILL);
        }
        let status = child.wait().unwrap();
        if status.success() {
            finished += 1
        } else {
            killed += 1
        }
        let index = store::load(&home.index_file())
            .unwrap_or_else(|e| panic!("round {i} (killed after {delay:?}): the index does not load: {e}"));
        let n = index.len();
        assert!(n == count || n == count + 1, "round {i}: {n} entities; before: {count}");
        if n == count + 1 || index.resolve(&format!("resource:default/extra-{i}")).is_some() {
            count = n;
        } else {
            // Killed before the rename: the old index, and the new entity
            // comes with the next complete sync.
            std::fs::remove_dir_all(catalog.join(format!("extra-{i}"))).unwrap();
        }
    }
    eprintln!("{rounds} rounds: {killed} killed mid-way, {finished} finished first");
    // A complete sync afterwards: no temporaries were left behind.
    assert!(home.run(&["sync"]).status.success());
    let dir = home.index_file().parent().unwrap().to_path_buf();
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".index-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn two_syncs_at_once_take_turns() {
    let (_tmp, catalog) = generate(2000);
    let home = Home::new(&catalog);
    for round in 0..3 {
        let a = home.command(&["sync"]).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
        let b = home.command(&["sync"]).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
        assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
        let index = store::load(&home.index_file()).expect("the index loads");
        assert!(index.len() >= 2000, "round {round}: {}", index.len());
        let waited =
            [&a, &b].iter().any(|o| String::from_utf8_lossy(&o.stderr).contains("another stagehand is syncing"));
        eprintln!("round {round}: one waited for the other: {waited}");
    }
}

/// Runs `command` as `nobody` when we are root (root ignores permissions),
/// after handing it the home.
#[cfg(unix)]
fn as_unprivileged(home: &Path, command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return;
    }
    let status = Command::new("chown").args(["-R", "65534:65534"]).arg(home).status().unwrap();
    assert!(status.success());
    // The temp dir's parents must be traversable.
    // SAFETY: setgid/setuid in the child between fork and exec.
    unsafe {
        command.pre_exec(|| {
            if libc::setgid(65534) != 0 || libc::setuid(65534) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(unix)]
fn chmod_tree(dir: &Path, dir_mode: u32, file_mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            chmod_tree(&p, dir_mode, file_mode);
        } else {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(file_mode)).unwrap();
        }
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(dir_mode)).unwrap();
}

#[cfg(unix)]
#[test]
fn a_read_only_cache_is_a_clear_error_and_reads_go_on() {
    let (_tmp, catalog) = generate(200);
    let home = Home::new(&catalog);
    assert!(home.run(&["sync"]).status.success());
    // The temp dir must be reachable by nobody; the catalog readable.
    chmod_tree(home.path(), 0o755, 0o644);
    chmod_tree(&catalog, 0o755, 0o644);
    for p in [home.path().parent().unwrap(), catalog.parent().unwrap()] {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755));
    }
    let mut probe = home.command(&["list"]);
    as_unprivileged(home.path(), &mut probe);
    chmod_tree(&home.path().join("cache"), 0o555, 0o444);
    let mut sync = home.command(&["sync"]);
    as_unprivileged(home.path(), &mut sync);
    let out = sync.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let restore = || chmod_tree(&home.path().join("cache"), 0o755, 0o644);
    if out.status.success() {
        restore();
        eprintln!("SKIP read-only cache: this user can write a read-only dir (root without a uid to drop to?)");
        return;
    }
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("error: cannot") && err.contains("index"), "a clear error: {err}");
    assert!(!err.contains("panicked"), "{err}");
    // Reads go on from what is there.
    let out = probe.output().unwrap();
    assert!(out.status.success(), "list on a read-only cache: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).lines().count() >= 150);
    restore();
}

#[cfg(unix)]
#[test]
fn no_writable_home_falls_back_to_a_temp_dir_with_a_warning() {
    // Nothing can be created under /proc, not even by root.
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(binary())
        .args(["--demo", "list", "--kind", "system"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", "/proc/stagehand-no-home")
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("warning:") && err.contains("no writable home"), "{err}");
    assert!(err.contains(&tmp.path().display().to_string()), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).is_empty());
    let _ = Duration::ZERO;
}
