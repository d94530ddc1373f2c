//! The hostile corpus, round two: small local files that used to exhaust
//! memory or time and kill the whole sync (issue 23). Each is read through
//! a `dir` source beside a good entity; each must end as a problem of its
//! own file while the sync finishes and the good entity survives. Every case
//! runs under a generous hang guard (no speed assertion).

mod common;

use std::sync::mpsc;
use std::time::Duration;

use common::*;
use stagehand::config::SourceKind;
use stagehand::index::Index;
use stagehand::index::build::build;
use stagehand::model::Severity;

/// The hang guard: far above what any case needs on a slow machine.
const GUARD: Duration = Duration::from_secs(300);

/// Syncs a `dir` source made of `good/` and the case files under `case/`.
fn sync_with(files: &[(&str, Vec<u8>)]) -> (tempfile::TempDir, Index) {
    let tmp = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(tmp.path()).unwrap().join("root");
    write(&root.join("good"), "catalog-info.yaml", component("good", "team-a"));
    for (rel, bytes) in files {
        write(&root.join("case"), rel, bytes);
    }
    #[cfg(unix)]
    {
        let made = std::process::Command::new("mkfifo").arg(root.join("case/fifo")).status().unwrap();
        assert!(made.success());
    }
    let src = source("corpus", SourceKind::Dir(root));
    let cache = tmp.path().join("cache");
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let output = read_with(&src, &default_patterns(), &cache);
        let _ = send.send(build(vec![input(&src, output)], None, 1));
    });
    let index = receive.recv_timeout(GUARD).expect("the sync did not finish within the hang guard");
    assert!(index.resolve("component:default/good").is_some(), "the good entity is gone:\n{}", dump(&index.problems));
    (tmp, index)
}

/// The error problems of the case's catalog file.
fn case_errors(index: &Index) -> Vec<String> {
    index
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .filter(|p| p.file.as_deref().is_some_and(|f| f.ends_with("case/catalog-info.yaml")))
        .map(|p| p.message.clone())
        .collect()
}

fn header(name: &str) -> String {
    format!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n")
}

#[test]
fn one_big_scalar_aliased_many_times_is_a_problem_not_an_outage() {
    // A 1 MiB anchored scalar aliased 20,000 times in a 1.1 MB file: 20 GB
    // when expanded.
    let mut text = header("bomb");
    text.push_str(&format!("  description: &big {}\n", "x".repeat(1024 * 1024)));
    text.push_str("spec:\n  copies:\n");
    for _ in 0..20_000 {
        text.push_str("    - *big\n");
    }
    let (_tmp, index) = sync_with(&[("catalog-info.yaml", text.into_bytes())]);
    let errors = case_errors(&index);
    assert!(errors.iter().any(|e| e.contains("more than 64 MiB (alias bomb?)")), "{errors:?}");
}

#[test]
fn placeholders_share_a_byte_budget_per_file() {
    // 400 `$text` of a 15 MB file in a 9 KB file: 6 GB when read.
    let mut text = header("reads-a-lot");
    text.push_str("spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  copies:\n");
    for i in 0..400 {
        text.push_str(&format!("    c{i}: {{$text: ./big.txt}}\n"));
    }
    let big = vec![b'y'; 15 * 1024 * 1024];
    let (_tmp, index) = sync_with(&[("catalog-info.yaml", text.into_bytes()), ("big.txt", big)]);
    let errors = case_errors(&index);
    let over = errors
        .iter()
        .filter(|e| e.starts_with("$text placeholder") && e.contains("would read more than 32 MiB in all"))
        .count();
    assert_eq!(over, 398, "two copies fit, the others are problems: {:?}", &errors[..errors.len().min(3)]);
    // As in the catalog, an entity whose placeholders cannot be read is not
    // stored: it is rejected, with the reason, and the sync goes on.
    assert!(index.resolve("component:default/reads-a-lot").is_none());
    assert!(errors.iter().any(|e| e.contains("is rejected")), "{:?}", &errors[..errors.len().min(3)]);
}

#[test]
fn the_files_of_a_source_share_a_placeholder_budget() {
    // 9 files, each reading a 15 MB file twice: 30 MB each, under the 32
    // MiB of a file, 270 MB in all, over the 256 MiB of a source. Synced
    // the way `stagehand sync` does (bodies on disk while it runs).
    let tmp = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(tmp.path()).unwrap().join("root");
    write(&root, "big.txt", vec![b'y'; 15 * 1024 * 1024]);
    for i in 0..9 {
        let mut text = header(&format!("reads-{i}"));
        text.push_str("spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n");
        text.push_str("  a: {$text: ../big.txt}\n  b: {$text: ../big.txt}\n");
        write(&root.join(format!("c{i}")), "catalog-info.yaml", text);
    }
    let config = tmp.path().join("config.yaml");
    std::fs::write(&config, format!("sources:\n  - name: corpus\n    dir: {}\n", root.display())).unwrap();
    let mut ws = stagehand::workspace::Workspace::open(Some(config), false, false).unwrap();
    ws.paths.cache_dir = tmp.path().join("cache");
    ws.paths.data_dir = tmp.path().join("data");
    let index = ws.sync(None, false, &|_| {}).unwrap().index;
    let over: Vec<_> = index
        .problems
        .iter()
        .filter(|p| p.message.starts_with("$text placeholder `../big.txt`: the placeholders of this source's files"))
        .collect();
    assert_eq!(over.len(), 1, "17 of the 18 reads fit: {}", dump(&index.problems));
    let file = over[0].file.as_deref().unwrap_or_default();
    assert!(file.ends_with("catalog-info.yaml") && over[0].message.contains("more than 256 MiB in all"), "{over:?}");
    assert_eq!(index.len(), 8, "the entity whose read did not fit is rejected: {}", dump(&index.problems));
    assert_eq!(index.rejected.len(), 1);
}

#[cfg(unix)]
#[test]
fn a_fifo_placeholder_is_refused_without_hanging() {
    let text = header("fifo")
        + "  description: {$text: ./fifo}\nspec: {type: service, lifecycle: production, owner: team-a}\n";
    let (_tmp, index) = sync_with(&[("catalog-info.yaml", text.into_bytes())]);
    let errors = case_errors(&index);
    assert!(errors.iter().any(|e| e.contains("not a regular file (a FIFO)")), "{errors:?}");
}

#[test]
fn a_mapping_with_400k_keys_is_read_in_linear_time() {
    // Under every limit; with a quadratic duplicate check it ran for minutes
    // (the hang guard catches that).
    let mut text = header("many-keys") + "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  data:\n";
    for i in 0..400_000 {
        text.push_str(&format!("    k{i}: 1\n"));
    }
    text.push_str("    k399999: again\n");
    let (_tmp, index) = sync_with(&[("catalog-info.yaml", text.into_bytes())]);
    let errors = case_errors(&index);
    assert!(errors.iter().any(|e| e.contains("duplicate key `k399999`")), "{errors:?}");
}
