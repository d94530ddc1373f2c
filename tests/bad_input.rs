//! Hostile and broken catalog input: every bad file is a clear problem that
//! names the file (and the line, where there is one), and the good entity
//! beside it still makes it into the index. Read through a `dir` source
//! (each file on its own) and through a `file` source whose Location fans
//! out to the same files (which, as in Backstage, fails that Location and
//! stores nothing it names: each entity is then shown as rejected).

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use stagehand::config::{SourceConfig, SourceKind};
use stagehand::index::Index;
use stagehand::index::build::build;
use stagehand::model::{Problem, Severity};

/// What one bad file must produce.
#[derive(Clone)]
struct Expect {
    /// The folder of the file (under the catalog root).
    file: &'static str,
    severity: Severity,
    /// Line and column, when the problem has a position.
    pos: Option<(u32, u32)>,
    /// Fragments the message must contain.
    says: &'static [&'static str],
}

const fn expect(file: &'static str, pos: Option<(u32, u32)>, says: &'static [&'static str]) -> Expect {
    Expect { file, severity: Severity::Error, pos, says }
}

const GOOD: &str = "component:default/good";

/// Writes the catalog: one good entity and one folder per kind of bad input,
/// each with a `catalog-info.yaml`. Returns what each must produce.
fn make_catalog(d: &Path) -> Vec<Expect> {
    write(d, "good/catalog-info.yaml", component("good", "team-a"));
    write(d, "team/catalog-info.yaml", group("team-a"));

    write(
        d,
        "malformed/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: [unclosed\nspec: {}\n",
    );
    write(d, "list/catalog-info.yaml", "- apiVersion: backstage.io/v1alpha1\n- kind: Component\n");
    write(
        d,
        "types/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: typed\nspec:\n  type: service\n  lifecycle: production\n  owner: [a]\n  dependsOn: \"x\"\n",
    );
    write(
        d,
        "tabs/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n\tname: tabbed\n",
    );
    write(
        d,
        "dupkeys/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: dup\n  name: dup2\n",
    );
    // A billion laughs: 10^10 nodes once expanded.
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        let refs = vec![format!("*a{p}"); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    write(d, "bomb/catalog-info.yaml", bomb);
    // 17 MB of valid YAML text (comments), over the 16 MiB limit.
    let line = "# padding so that this catalog file is larger than the limit for catalog files\n";
    write(d, "big/catalog-info.yaml", line.repeat(17_000_000 / line.len() + 1));
    write(d, "binary/catalog-info.yaml", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00");
    write(
        d,
        "latin1/catalog-info.yaml",
        b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: caf\xe9\n".as_slice(),
    );
    std::fs::create_dir_all(d.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", d.join("loop/up")).unwrap();
    std::os::unix::fs::symlink("../loop", d.join("loop/again")).unwrap();
    write(d, "cycle/catalog-info.yaml", location("cycle-a", &["./b.yaml"]));
    write(d, "cycle/b.yaml", location("cycle-b", &["./catalog-info.yaml"]));
    write(d, "missing/catalog-info.yaml", location("to-missing", &["./nope.yaml"]));
    // `../` enough times to reach `/`, so the lexical target is /etc/passwd.
    let depth = d.components().count();
    let to_root = "../".repeat(depth + 2);
    write(
        d,
        "escape/catalog-info.yaml",
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: escaper\n  description:\n    $text: {to_root}etc/passwd\n  title:\n    $text: /etc/passwd\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ../../etc/passwd\n"
        ),
    );
    write(d, "twice1/catalog-info.yaml", group("twice"));
    write(d, "twice2/catalog-info.yaml", group("twice"));

    vec![
        expect("malformed", Some((5, 5)), &["invalid YAML"]),
        expect("list", Some((1, 1)), &["an entity must be a mapping", "found a list"]),
        expect("types", Some((8, 10)), &["`spec.owner` must be a string, found a list"]),
        expect("types", Some((9, 14)), &["`spec.dependsOn` must be a list, found a string"]),
        expect("tabs", Some((4, 2)), &["invalid YAML", "tab"]),
        expect("dupkeys", Some((5, 3)), &["invalid YAML: duplicate key `name`"]),
        expect("bomb", None, &["invalid YAML", "alias bomb"]),
        expect("big", None, &["more than the 16777216 byte limit"]),
        expect("binary", None, &["looks binary (NUL byte at offset 7)"]),
        expect("latin1", None, &["not valid UTF-8 (line 4, byte 71)"]),
        Expect {
            file: "cycle/b.yaml",
            severity: Severity::Warning,
            pos: Some((7, 7)),
            says: &["Location cycle", "cycle/b.yaml` includes `", "cycle/catalog-info.yaml`"],
        },
        expect("missing", Some((7, 7)), &["Location target `./nope.yaml` does not exist", "missing/nope.yaml"]),
        expect("missing", Some((1, 1)), &["`location:default/to-missing` is rejected", "does not exist"]),
        expect("types", Some((1, 1)), &["`component:default/typed` is rejected", "`spec.owner` must be a string"]),
        expect("escape", Some((1, 1)), &["`api:default/escaper` is rejected", "leaves the source root"]),
        expect("escape", Some((6, 5)), &["$text placeholder `../", "etc/passwd` leaves the source root"]),
        expect("escape", Some((8, 5)), &["$text placeholder `/etc/passwd` leaves the source root"]),
        expect("escape", Some((14, 5)), &["$text placeholder `../../etc/passwd` leaves the source root"]),
        Expect {
            file: "twice2",
            severity: Severity::Warning,
            pos: Some((1, 1)),
            says: &[
                "conflicting entity `group:default/twice`",
                "twice1/catalog-info.yaml:1",
                "twice2/catalog-info.yaml:1",
            ],
        },
    ]
}

fn file_of(root: &Path, expect: &Expect) -> PathBuf {
    if expect.file.ends_with(".yaml") {
        root.join(expect.file)
    } else {
        root.join(expect.file).join("catalog-info.yaml")
    }
}

/// Checks every expectation against the index's problems, and that no other
/// problem exists.
fn check(index: &Index, root: &Path, expected: &[Expect], extra_allowed: impl Fn(&Problem) -> bool) {
    let mut matched = vec![false; index.problems.len()];
    for e in expected {
        let file = file_of(root, e);
        let hit = index.problems.iter().enumerate().find(|(i, p)| {
            !matched[*i]
                && p.file.as_deref() == Some(file.to_str().unwrap())
                && p.severity == e.severity
                && e.pos.is_none_or(|(line, col)| p.pos.is_some_and(|pos| (pos.line, pos.col) == (line, col)))
                && e.says.iter().all(|s| p.message.contains(s))
        });
        match hit {
            Some((i, p)) => {
                matched[i] = true;
                // The rendered problem starts with the file (and line).
                let shown = p.to_string();
                assert!(shown.starts_with(file.to_str().unwrap()), "{shown}");
                if let Some((line, col)) = e.pos {
                    assert!(shown.starts_with(&format!("{}:{line}:{col}: ", file.display())), "{shown}");
                }
            }
            None => panic!(
                "no {:?} problem in {} at {:?} saying {:?}; problems:\n{}",
                e.severity,
                file.display(),
                e.pos,
                e.says,
                dump(&index.problems)
            ),
        }
    }
    let unexpected: Vec<&Problem> =
        index.problems.iter().zip(&matched).filter(|(p, m)| !**m && !extra_allowed(p)).map(|(p, _)| p).collect();
    assert!(
        unexpected.is_empty(),
        "unexpected problems:\n{}",
        unexpected.iter().map(|p| format!("  {p}\n")).collect::<String>()
    );
}

/// What both sources must agree on.
fn check_entities(index: &Index, root: &Path) {
    // The good entity is there, with its owner resolved.
    let good = entity(index, GOOD);
    assert_eq!(index.summary(good).file, Some(root.join("good/catalog-info.yaml").to_str().unwrap()));
    assert_rel(index, GOOD, "ownedBy", "group:default/team-a");
    assert!(index.problems_of(good).is_empty());

    // Wrongly typed spec fields reject the entity, as Backstage would.
    assert!(index.resolve("typed").is_none());
    let typed = index.find_rejected("component:default/typed");
    assert_eq!(typed.len(), 1);
    assert!(typed[0].reason.contains("`spec.owner` must be a string"), "{}", typed[0].reason);

    // Nothing outside the root was read into the (rejected) entity.
    let escaper = index.find_rejected("api:default/escaper");
    assert_eq!(escaper.len(), 1);
    let body = &escaper[0].body;
    assert!(!body.contains("root:"), "{body}");
    let escaper = escaper[0].entity().unwrap();
    assert_eq!(escaper.spec().unwrap()["definition"], serde_json::json!({"$text": "../../etc/passwd"}));

    // Both halves of the cycle are read once; the Location to a missing
    // file is rejected.
    entity(index, "location:default/cycle-a");
    entity(index, "location:default/cycle-b");
    assert_eq!(index.find_rejected("location:default/to-missing").len(), 1);
    // The duplicate: the first claimer wins.
    let twice = entity(index, "group:default/twice");
    assert!(index.summary(twice).file.unwrap().ends_with("twice1/catalog-info.yaml"));

    // Unreadable files and unusable documents are not entities.
    for name in ["tabbed", "dup", "dup2", "caf"] {
        assert!(index.resolve(name).is_none(), "{name}");
    }
    // No path through the symlink loop was ever read.
    for i in 0..index.len() as u32 {
        let file = index.summary(i).file.unwrap_or("");
        assert!(!file.contains("/loop/"), "{file}");
    }
    assert!(index.problems.iter().all(|p| !p.file.as_deref().unwrap_or("").contains("/loop/")));
}

/// Reads a source on another thread and fails (rather than hangs) when that
/// takes more than a minute: a symlink loop once made reading exponential.
fn timed_read(source: &SourceConfig) -> stagehand::sources::SourceOutput {
    let (send, receive) = std::sync::mpsc::channel();
    let source = source.clone();
    let started = Instant::now();
    std::thread::spawn(move || {
        let _ = send.send(read(&source));
    });
    match receive.recv_timeout(Duration::from_secs(60)) {
        Ok(output) => output,
        Err(e) => panic!("reading the source did not finish in {:?} ({e})", started.elapsed()),
    }
}

#[test]
fn dir_source_reports_every_bad_file_and_keeps_the_good_entity() {
    let tmp = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(tmp.path()).unwrap().join("catalog");
    let expected = make_catalog(&root);
    let src = source("local", SourceKind::Dir(root.clone()));
    let output = timed_read(&src);
    // 16 catalog-info.yaml files (the loop is not followed) + cycle/b.yaml.
    assert_eq!(output.files, 17);
    let index = build(vec![input(&src, Ok(output))], None, 1);
    check(&index, &root, &expected, |_| false);
    check_entities(&index, &root);
    assert!(index.problems.iter().all(|p| p.source.as_deref() == Some("local")));
    assert_eq!(
        refs(&index),
        sorted(&[
            "component:default/good",
            "group:default/team-a",
            "group:default/twice",
            "location:default/cycle-a",
            "location:default/cycle-b",
        ])
    );
}

/// Through one Location, the broken files fail that Location: Backstage
/// stores nothing it names, so every entity read is rejected, naming it.
#[test]
fn file_source_reports_every_bad_file_and_rejects_what_the_location_names() {
    let tmp = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(tmp.path()).unwrap().join("catalog");
    let expected = make_catalog(&root);
    // A recursive glob over a tree with a symlink loop in it.
    let all = write(&root, "all.yaml", location("root", &["./**/catalog-info.yaml"]));
    let src = source("fanout", SourceKind::File(all));
    let output = timed_read(&src);
    assert_eq!(output.files, 17, "all.yaml and the 16 catalog-info.yaml files once each");
    let index = build(vec![input(&src, Ok(output))], None, 1);
    assert_eq!(index.len(), 0, "{:?}", refs(&index));
    let file_errors = ["malformed", "list", "tabs", "dupkeys", "bomb", "big", "binary", "latin1"];
    let wanted = expected.iter().filter(|e| file_errors.contains(&e.file));
    check(&index, &root, &wanted.cloned().collect::<Vec<_>>(), |p| {
        p.message.contains("is rejected")
            || p.message.contains("must be")
            || p.message.contains("leaves the source root")
    });
    let rejected: Vec<&str> = index.rejected.iter().map(|r| r.entity_ref.as_str()).collect();
    for r in [GOOD, "group:default/team-a", "location:default/root", "location:default/cycle-a", "api:default/escaper"]
    {
        assert!(rejected.contains(&r), "{r} in {rejected:?}");
    }
    let good = &index.find_rejected(GOOD)[0];
    assert!(good.reason.contains("Location `location:default/root` fails"), "{}", good.reason);
    assert!(good.file.as_deref().is_some_and(|f| f.ends_with("good/catalog-info.yaml")));
}

#[test]
fn a_location_cycle_is_a_warning_not_a_hang() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let a = write(d, "a.yaml", location("a", &["./sub/b.yaml", "./c.yaml"]));
    write(d, "sub/b.yaml", location("b", &["../a.yaml"]));
    write(d, "c.yaml", component("c", "team-a"));
    let src = source("cycle", SourceKind::File(a.clone()));
    let output = read(&src);
    assert_eq!(output.files, 3);
    let index = build(vec![input(&src, Ok(output))], None, 1);
    assert_eq!(refs(&index), sorted(&["component:default/c", "location:default/a", "location:default/b"]));
    assert_eq!(index.problems.len(), 1, "{}", dump(&index.problems));
    let p = &index.problems[0];
    assert_eq!(p.severity, Severity::Warning);
    assert_eq!(p.file.as_deref(), Some(d.join("sub/b.yaml").to_str().unwrap()));
    assert_eq!(p.pos.map(|p| (p.line, p.col)), Some((7, 7)));
    assert!(p.message.contains(&format!("`{}`", a.display())), "{}", p.message);
}

#[test]
fn a_location_to_a_missing_file_is_an_error_and_optional_is_quiet() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let all = write(d, "all.yaml", location("all", &["./good.yaml", "./gone.yaml", "./none-*.yaml"]));
    write(d, "good.yaml", component("good", "team-a"));
    let index = index_of(&source("s", SourceKind::File(all)));
    assert!(index.resolve("good").is_none(), "the Location fails with all it names");
    let messages: Vec<(u32, &str)> = index.problems.iter().map(|p| (p.pos.unwrap().line, p.message.as_str())).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert_eq!(messages[0].0, 8);
    assert!(messages[0].1.starts_with("Location target `./gone.yaml` does not exist"), "{}", messages[0].1);
    assert_eq!(messages[1].0, 9);
    assert!(messages[1].1.starts_with("Location target `./none-*.yaml` matches no file"), "{}", messages[1].1);
    assert!(messages[2].1.starts_with("`location:default/all` is rejected"), "{}", messages[2].1);

    let optional = write(d, "optional.yaml", location("opt", &["./gone.yaml"]) + "  presence: optional\n");
    let index = index_of(&source("s", SourceKind::File(optional)));
    assert!(index.problems.is_empty(), "{}", dump(&index.problems));
}

#[test]
fn an_entity_defined_in_two_sources_names_both_files() {
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    write(&one, "catalog-info.yaml", component("shared", "team-a"));
    write(&two, "svc/catalog-info.yaml", format!("---\n{}", component("Shared", "team-b")));
    let a = source("one", SourceKind::Dir(one.clone()));
    let b = source("two", SourceKind::Dir(two.clone()));
    let index = build(vec![input(&a, Ok(read(&a))), input(&b, Ok(read(&b)))], None, 1);
    // Refs are case-insensitive: `Shared` is the same entity. The first wins.
    assert_eq!(refs(&index), vec!["component:default/shared".to_string()]);
    let i = entity(&index, "component:default/shared");
    assert_eq!(index.source_name(i), "one");
    assert_eq!(index.summary(i).owner, Some("group:default/team-a"));
    assert_eq!(index.problems.len(), 1, "{}", dump(&index.problems));
    let p = &index.problems[0];
    let first = one.join("catalog-info.yaml");
    let second = two.join("svc/catalog-info.yaml");
    assert_eq!(p.severity, Severity::Warning);
    assert_eq!(p.file.as_deref(), Some(second.to_str().unwrap()));
    assert_eq!(p.pos.map(|p| p.line), Some(2), "the document starts after `---`");
    assert_eq!(p.source.as_deref(), Some("two"));
    assert!(p.message.contains(&format!("already claimed at {}:1", first.display())), "{}", p.message);
    assert!(p.message.contains(&format!("this definition at {}:2 is not stored", second.display())), "{}", p.message);
    assert_eq!(index.sources.iter().map(|s| s.entities).collect::<Vec<_>>(), vec![1, 0]);
}

#[test]
fn a_missing_source_is_an_error_for_that_source_only() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "ok/catalog-info.yaml", component("good", "team-a"));
    let ok = source("ok", SourceKind::Dir(tmp.path().join("ok")));
    let gone_dir = source("gone-dir", SourceKind::Dir(tmp.path().join("nope")));
    let gone_file = source("gone-file", SourceKind::File(tmp.path().join("nope.yaml")));
    let cache = tempfile::tempdir().unwrap();
    let dir_err = read_with(&gone_dir, &default_patterns(), cache.path()).unwrap_err();
    assert!(dir_err.contains("nope") && dir_err.contains("does not exist"), "{dir_err}");
    let file_err = read_with(&gone_file, &default_patterns(), cache.path()).unwrap_err();
    assert!(file_err.contains("nope.yaml") && file_err.contains("does not exist"), "{file_err}");
    let index = build(
        vec![input(&ok, Ok(read(&ok))), input(&gone_dir, Err(dir_err)), input(&gone_file, Err(file_err))],
        None,
        1,
    );
    entity(&index, GOOD);
    let failed: Vec<&str> = index.sources.iter().filter(|s| s.last_error.is_some()).map(|s| s.name.as_str()).collect();
    assert_eq!(failed, vec!["gone-dir", "gone-file"]);
    assert!(
        index
            .problems
            .iter()
            .any(|p| p.source.as_deref() == Some("gone-dir") && p.message.starts_with("source `gone-dir` failed"))
    );
}
