//! Incremental local sync: a source none of whose files changed is not
//! parsed again, in one that changed only the changed files are, and
//! whatever changes (a file's text, a new file in a
//! folder, a placeholder's file, a file a Location's glob now finds, a
//! deleted target, a `.gitignore`, another source's entities) gives the
//! index a full sync of the same files gives.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use stagehand::index::{Index, store};
use stagehand::workspace::{SyncEvent, Workspace};

const GROUP: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a, description: the first team}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: shared, description: claimed by source a first}
spec: {type: service, lifecycle: production, owner: team-a}
";

const SERVICE: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: billing
  description: {$text: ./about.txt}
spec: {type: service, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Location
metadata: {name: more}
spec: {targets: ['./more/*.yaml', ./kept.yaml]}
";

fn component(name: &str, owner: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: {name}}}\n\
         spec: {{type: service, lifecycle: production, owner: {owner}}}\n"
    )
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Two sources: `a`, one file; `b`, a folder (placeholders, a Location
/// with a glob).
struct Catalog {
    dir: tempfile::TempDir,
}

impl Catalog {
    fn new() -> Catalog {
        let dir = tempfile::tempdir().unwrap();
        let c = Catalog { dir };
        write(&c.a(), GROUP);
        write(&c.b().join("svc/catalog-info.yaml"), SERVICE);
        write(&c.b().join("svc/about.txt"), "bills customers");
        write(&c.b().join("svc/kept.yaml"), &component("kept", "team-a"));
        write(&c.b().join("svc/more/one.yaml"), &component("one", "team-a"));
        write(&c.b().join("web/catalog-info.yaml"), &component("web", "team-b"));
        c
    }

    fn a(&self) -> PathBuf {
        self.dir.path().join("a/catalog-info.yaml")
    }

    fn b(&self) -> PathBuf {
        self.dir.path().join("b")
    }

    /// A workspace on this catalog whose index lives under `profile`.
    fn workspace(&self, profile: &str) -> Workspace {
        let config = self.dir.path().join("config.yaml");
        let text = format!(
            "sources:\n  - name: a\n    file: {}\n  - name: b\n    dir: {}\n",
            self.a().display(),
            self.b().display()
        );
        std::fs::write(&config, text).unwrap();
        let mut ws = Workspace::open(Some(config), false, false).unwrap();
        ws.paths.cache_dir = self.dir.path().join(profile).join("cache");
        ws.paths.data_dir = self.dir.path().join(profile).join("data");
        ws
    }
}

/// Syncs `ws`; returns the names of the sources found unchanged.
fn sync(ws: &Workspace) -> Vec<String> {
    synced(ws).0
}

/// Syncs `ws`; returns the names of the sources found unchanged, and for
/// those that changed, how many of how many files were carried over.
fn synced(ws: &Workspace) -> (Vec<String>, Vec<(String, usize, usize)>) {
    let unchanged = Mutex::new(Vec::new());
    let carried = Mutex::new(Vec::new());
    let progress = |e: SyncEvent| match e {
        SyncEvent::Unchanged(name, _) => unchanged.lock().unwrap().push(name),
        SyncEvent::Carried(name, n, of) => carried.lock().unwrap().push((name, n, of)),
        _ => {}
    };
    ws.sync(None, false, &progress).unwrap();
    (unchanged.into_inner().unwrap(), carried.into_inner().unwrap())
}

/// Everything the index says, in a comparable form (no sync times).
fn content(index: &Index) -> Vec<String> {
    let mut out: Vec<String> = (0..index.len() as u32)
        .map(|i| {
            format!(
                "{} from {} at {:?}: {}",
                index.ref_of(i),
                index.source_name(i),
                index.origin(i),
                String::from_utf8_lossy(index.body_json(i))
            )
        })
        .collect();
    let mut problems: Vec<String> = index.problems.iter().map(|p| format!("problem {p:?}")).collect();
    problems.sort();
    out.extend(problems);
    out.extend(index.rejected.iter().map(|r| format!("rejected {r:?}")));
    let states = index.sources.iter().map(|s| format!("source {} {} {:?}", s.name, s.entities, s.last_error));
    out.extend(states);
    out
}

/// The index of a full sync of the same files, in a profile of its own.
fn fresh(catalog: &Catalog, n: usize) -> Vec<String> {
    let ws = catalog.workspace(&format!("fresh-{n}"));
    ws.sync(None, true, &|_| {}).unwrap();
    content(&store::load(&ws.paths.index_file()).unwrap())
}

fn loaded(ws: &Workspace) -> Vec<String> {
    content(&store::load(&ws.paths.index_file()).unwrap())
}

#[test]
fn a_sync_with_no_file_changed_parses_nothing_and_keeps_the_index_file() {
    let catalog = Catalog::new();
    let ws = catalog.workspace("main");
    assert!(sync(&ws).is_empty(), "the first sync reads everything");
    let before = std::fs::read(ws.paths.index_file()).unwrap();
    assert_eq!(sync(&ws), ["a", "b"]);
    assert_eq!(std::fs::read(ws.paths.index_file()).unwrap(), before, "the index file is not rewritten");
    // Written again with the same text: still the same file.
    std::fs::write(catalog.a(), GROUP).unwrap();
    assert_eq!(sync(&ws), ["a", "b"]);
    assert_eq!(std::fs::read(ws.paths.index_file()).unwrap(), before);
    assert_eq!(loaded(&ws), fresh(&catalog, 0));
    // `--full` reads every source again.
    let full = Mutex::new(0);
    ws.sync(None, true, &|e| {
        if matches!(e, SyncEvent::Unchanged(..)) {
            *full.lock().unwrap() += 1;
        }
    })
    .unwrap();
    assert_eq!(*full.lock().unwrap(), 0);
}

#[test]
fn every_kind_of_change_gives_the_index_a_full_sync_gives() {
    let catalog = Catalog::new();
    let ws = catalog.workspace("main");
    sync(&ws);
    let b = catalog.b();
    type Change<'c> = Box<dyn Fn() + 'c>;
    let changes: Vec<(&str, Change, &[&str])> = vec![
        ("a file's text", Box::new(|| write(&b.join("web/catalog-info.yaml"), &component("web", "team-a"))), &["a"]),
        (
            "a new file in the folder",
            Box::new(|| write(&b.join("new/catalog-info.yaml"), &component("new", "team-a"))),
            &["a"],
        ),
        ("a placeholder's file", Box::new(|| write(&b.join("svc/about.txt"), "bills everyone")), &["a"]),
        (
            "a file the glob now finds",
            Box::new(|| write(&b.join("svc/more/two.yaml"), &component("two", "team-a"))),
            &["a"],
        ),
        ("a Location's target deleted", Box::new(|| std::fs::remove_file(b.join("svc/kept.yaml")).unwrap()), &["a"]),
        ("a .gitignore", Box::new(|| write(&b.join(".gitignore"), "new/\n")), &["a"]),
        (
            "the other source takes an entity",
            Box::new(|| write(&b.join("shared/catalog-info.yaml"), &component("shared", "team-a"))),
            &["a"],
        ),
        (
            "the first claimer gives it up",
            Box::new(|| write(&catalog.a(), &GROUP.replace("name: shared", "name: shared-a"))),
            &[],
        ),
        ("nothing", Box::new(|| {}), &["a", "b"]),
    ];
    // Of source b's files, how many are carried over (the others parsed)
    // after each of the first changes.
    let carried_in_b = [(3, 4), (4, 5), (4, 5), (5, 6)];
    for (n, (what, change, unchanged)) in changes.into_iter().enumerate() {
        change();
        let (found, carried) = synced(&ws);
        assert_eq!(found, unchanged, "{what}: the sources found unchanged");
        if let Some(&(carried_n, of)) = carried_in_b.get(n) {
            assert_eq!(carried, [("b".to_string(), carried_n, of)], "{what}: the files of b carried over");
        }
        assert_eq!(loaded(&ws), fresh(&catalog, n + 1), "{what}: the index");
    }
}

#[test]
fn a_damaged_or_stale_record_means_every_source_is_read() {
    let catalog = Catalog::new();
    let ws = catalog.workspace("main");
    sync(&ws);
    let record = stagehand::index::depends::path_for(&ws.paths.index_file());
    let mut bytes = std::fs::read(&record).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x55;
    std::fs::write(&record, &bytes).unwrap();
    assert!(sync(&ws).is_empty(), "a damaged record is not trusted");
    assert_eq!(sync(&ws), ["a", "b"], "the sync wrote a good one");
    // A record of another index file (an index written after it, say by a
    // sync killed before the record) is ignored.
    let kept = std::fs::read(&record).unwrap();
    write(&catalog.b().join("web/catalog-info.yaml"), &component("web", "team-c"));
    sync(&ws);
    std::fs::write(&record, kept).unwrap();
    assert!(sync(&ws).is_empty());
    assert_eq!(loaded(&ws), fresh(&catalog, 0));
}

#[test]
fn a_generated_catalog_with_a_few_files_changed_gives_a_full_syncs_index() {
    let dir = tempfile::tempdir().unwrap();
    let plan = stagehand::demo::generate::Plan { entities: 5_000, seed: 3, files: 200, single_file: false };
    let root = stagehand::demo::generate::generate(&plan, &dir.path().join("gen")).unwrap().root;
    let workspace = |profile: &str| {
        let config = dir.path().join("config.yaml");
        std::fs::write(&config, format!("sources:\n  - name: gen\n    file: {}\n", root.display())).unwrap();
        let mut ws = Workspace::open(Some(config), false, false).unwrap();
        ws.paths.cache_dir = dir.path().join(profile).join("cache");
        ws.paths.data_dir = dir.path().join(profile).join("data");
        ws
    };
    let ws = workspace("main");
    sync(&ws);
    // Three entity files: a team's owner changed (relations move between
    // files carried over), a document dropped, one added.
    let mut files: Vec<PathBuf> = walk(&root.parent().unwrap().join("shard-001"));
    files.sort();
    let edited: Vec<PathBuf> = files.iter().filter(|f| f.ends_with("catalog-002.yaml")).cloned().collect();
    assert_eq!(edited.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&edited[0]).unwrap();
    let owner = text.lines().find_map(|l| l.trim().strip_prefix("owner: ")).unwrap().to_string();
    std::fs::write(&edited[0], text.replacen(&format!("owner: {owner}"), "owner: team-moved", 1)).unwrap();
    let dropped = files.iter().find(|f| f.ends_with("catalog-003.yaml")).unwrap();
    let text = std::fs::read_to_string(dropped).unwrap();
    let kept: Vec<&str> = text.split("\n---\n").skip(1).collect();
    std::fs::write(dropped, kept.join("\n---\n")).unwrap();
    let added = files.iter().find(|f| f.ends_with("catalog-004.yaml")).unwrap();
    let mut text = std::fs::read_to_string(added).unwrap();
    text += &format!("\n---\n{}", component("added-late", "team-moved"));
    std::fs::write(added, text).unwrap();
    let (unchanged, carried) = synced(&ws);
    assert!(unchanged.is_empty());
    let [(name, carried, of)] = carried.as_slice() else { panic!("{carried:?}") };
    assert_eq!((name.as_str(), *carried + 3), ("gen", *of), "every file but the three edited is carried over");
    let fresh = workspace("fresh");
    fresh.sync(None, true, &|_| {}).unwrap();
    assert_eq!(loaded(&ws), loaded(&fresh));
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out
}
