//! The hostile-input corpus: more than fifty broken or malicious inputs, each
//! read through a `dir` source beside a good entity (and, for docs and
//! templates, through the docs reader, the Markdown renderer and the template
//! engine). Each must yield a clear problem (file, line where there is one,
//! what is wrong) or a bounded result, and the good entity must survive.
//! Every case runs on its own thread under a generous hang guard (no speed
//! assertion: a case only fails when it never finishes).
//!
//! Huge inputs (a 100 MB file, a 1 MB line, 10,000 Location targets,
//! 10,000-deep Markdown) and symlinks are generated here rather than stored.

#[path = "../common/mod.rs"]
mod common;

mod cases;
mod docs;

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use cases::*;
use common::*;
use docs::docs_and_template_cases;
use stagehand::config::SourceKind;
use stagehand::index::Index;
use stagehand::index::build::build;
use stagehand::model::{Problem, Severity};

/// The hang guard: far above what any case needs on a slow machine.
const GUARD: Duration = Duration::from_secs(300);

const GOOD: &str = "component:default/good";

/// What a case must produce.
#[derive(Clone)]
enum Want {
    /// A problem of this severity in a file under the case folder whose
    /// message holds every fragment; `line`: it has a position.
    Problem { severity: Severity, line: bool, says: Vec<String> },
    /// This entity is in the index.
    Entity(String),
    /// This entity is not.
    NoEntity(String),
    /// Nothing more than finishing (and the good entity surviving).
    Bounded,
}

fn error(line: bool, says: &[&str]) -> Want {
    Want::Problem { severity: Severity::Error, line, says: says.iter().map(|s| s.to_string()).collect() }
}

fn warning(line: bool, says: &[&str]) -> Want {
    Want::Problem { severity: Severity::Warning, line, says: says.iter().map(|s| s.to_string()).collect() }
}

fn entity(r: &str) -> Want {
    Want::Entity(r.to_string())
}

/// One case: files (relative to the case folder), symlinks (link, target:
/// relative targets are kept as written) and expectations.
struct Case {
    name: String,
    files: Vec<(String, Vec<u8>)>,
    links: Vec<(String, String)>,
    want: Vec<Want>,
}

fn case(name: &str, text: impl Into<Vec<u8>>, want: Vec<Want>) -> Case {
    Case { name: name.to_string(), files: vec![("catalog-info.yaml".into(), text.into())], links: vec![], want }
}

fn component(name: &str, extra_meta: &str, spec: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n{extra_meta}spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n{spec}"
    )
}

fn write_case(root: &Path, c: &Case) {
    let dir = root.join(&c.name);
    std::fs::create_dir_all(&dir).unwrap();
    for (path, bytes) in &c.files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    for (link, target) in &c.links {
        let p = dir.join(link);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(target, p).unwrap();
    }
}

fn run_guarded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = mpsc::channel();
    std::thread::Builder::new()
        // The runtime's blocking threads (docs render there) have 2 MiB.
        .stack_size(2 << 20)
        .spawn(move || {
            let _ = send.send(f());
        })
        .unwrap();
    match receive.recv_timeout(GUARD) {
        Ok(v) => v,
        Err(e) => panic!("{what}: did not finish within the hang guard ({e})"),
    }
}

fn sync_case(tmp: &Path, c: &Case) -> Index {
    let root = tmp.join("root");
    write(&root, "good/catalog-info.yaml", &component("good", "", ""));
    write(
        &root,
        "team/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\nspec: {type: team, children: []}\n",
    );
    write_case(&root, c);
    let src = source("corpus", SourceKind::Dir(root));
    let cache = tmp.join("cache");
    let name = c.name.clone();
    run_guarded(&name, move || {
        let output = read_with(&src, &default_patterns(), &cache);
        build(vec![input(&src, output)], None, 1)
    })
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn dump(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("  {}\n", shorten(&p.to_string()))).collect()
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 300 { format!("{}…", s.chars().take(300).collect::<String>()) } else { s.to_string() }
}

fn check_case(index: &Index, root: &Path, c: &Case) -> Result<(), String> {
    let good = index.resolve(GOOD).ok_or("the good entity is gone")?;
    if !index.problems_of(good).is_empty() {
        let problems: Vec<Problem> = index.problems_of(good).into_iter().cloned().collect();
        return Err(format!("the good entity has problems:\n{}", dump(&problems)));
    }
    let dir = root.join("root").join(&c.name);
    let dir = dir.to_string_lossy().to_string();
    for want in &c.want {
        match want {
            Want::Problem { severity, line, says } => {
                let hit = index.problems.iter().any(|p| {
                    p.severity == *severity
                        && p.file.as_deref().is_some_and(|f| f.starts_with(&dir))
                        && (!line || p.pos.is_some())
                        && says.iter().all(|s| p.message.contains(s.as_str()))
                        && !p.message.trim().is_empty()
                });
                if !hit {
                    return Err(format!(
                        "no {severity} problem in {dir} (line: {line}) saying {says:?}; problems:\n{}",
                        dump(&index.problems)
                    ));
                }
            }
            Want::Entity(r) => {
                index.resolve(r).ok_or_else(|| format!("entity {r} missing; problems:\n{}", dump(&index.problems)))?;
            }
            Want::NoEntity(r) => {
                if index.resolve(r).is_some() {
                    return Err(format!("entity {r} should not be there"));
                }
            }
            Want::Bounded => {}
        }
    }
    // Every problem names its file and says something.
    for p in &index.problems {
        if p.message.trim().is_empty() {
            return Err(format!("an empty problem: {p:?}"));
        }
    }
    Ok(())
}

#[test]
fn every_hostile_catalog_input_is_a_clear_problem_or_bounded() {
    let outside = tempfile::tempdir().unwrap();
    let mut cases = syntax_cases();
    cases.extend(name_limit_cases());
    cases.extend(location_cases());
    cases.extend(wrong_type_cases());
    #[cfg(unix)]
    cases.extend(file_cases(&std::fs::canonicalize(outside.path()).unwrap()));
    let total = cases.len();
    let mut failures = Vec::new();
    for c in &cases {
        let tmp = tempfile::tempdir().unwrap();
        let tmp_path = std::fs::canonicalize(tmp.path()).unwrap();
        let index = sync_case(&tmp_path, c);
        let outcome = check_case(&index, &tmp_path, c);
        let first = index
            .problems
            .iter()
            .find(|p| p.file.as_deref().is_some_and(|f| f.contains(&format!("/{}/", c.name))))
            .map(|p| shorten(&p.to_string()))
            .unwrap_or_else(|| "(no problem)".into());
        eprintln!("{:<40} {} {}", c.name, if outcome.is_ok() { "ok  " } else { "FAIL" }, first);
        if let Err(e) = outcome {
            failures.push(format!("{}: {e}", c.name));
        }
    }
    let doc_cases = docs_and_template_cases();
    assert!(total + doc_cases >= 50, "the corpus has {} cases", total + doc_cases);
    assert!(failures.is_empty(), "{} of {total} cases failed:\n{}", failures.len(), failures.join("\n"));
}
