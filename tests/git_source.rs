//! `git` sources: a local repository served through a `file://` URL is
//! cloned into the cache, fetched again on the next sync, and a bad URL is an
//! error for that source only. Skipped when `git` is not on PATH.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use stagehand::config::SourceKind;
use stagehand::index::build::build;

/// Runs git in `repo` with a fixed identity and no user or system config.
fn git(repo: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args(["-c", "user.name=Stagehand Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"])
        .args(["-c", "init.defaultBranch=main", "-c", "core.hooksPath=/dev/null"])
        .args(args)
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("run git");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn commit_all(repo: &Path, message: &str) {
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "--quiet", "-m", message]);
}

fn file_url(repo: &Path) -> String {
    format!("file://{}", repo.display())
}

fn names(output: &stagehand::sources::SourceOutput) -> Vec<String> {
    let mut names: Vec<String> = output.entities.iter().map(|e| e.entity.canonical_ref()).collect();
    names.sort();
    names
}

fn skip_without_git(test: &str) -> bool {
    if have_git() {
        return false;
    }
    eprintln!("SKIP {test}: `git` is not on PATH");
    true
}

#[test]
fn clone_then_fetch_picks_up_new_commits() {
    if skip_without_git("clone_then_fetch_picks_up_new_commits") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("payments");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "--quiet"]);
    write(&repo, "catalog-info.yaml", component("payments", "team-pay"));
    write(&repo, "docs/not-a-catalog.yaml", component("ignored", "team-pay"));
    commit_all(&repo, "first");

    let cache = tmp.path().join("cache");
    let src = source("payments", SourceKind::Git { url: file_url(&repo), branch: None });
    let patterns = default_patterns();

    let first = read_with(&src, &patterns, &cache).expect("first sync clones");
    assert_eq!(names(&first), vec!["component:default/payments".to_string()]);
    assert!(first.problems.is_empty(), "{}", dump(&first.problems));
    // Read from the checkout in the cache, not from the repository itself.
    let checkout = stagehand::sources::git::checkout_dir(&cache, &file_url(&repo));
    assert!(checkout.join(".git").is_dir());
    let e = &first.entities[0];
    assert_eq!(e.file, checkout.join("catalog-info.yaml"));
    assert_eq!(
        e.entity.annotation("backstage.io/managed-by-location"),
        Some(format!("file:{}", checkout.join("catalog-info.yaml").display()).as_str())
    );

    // A new entity in a new folder, and a change to the existing one.
    write(&repo, "services/ledger/catalog-info.yaml", component("ledger", "team-pay"));
    write(
        &repo,
        "catalog-info.yaml",
        component("payments", "team-pay").replace("lifecycle: production", "lifecycle: deprecated"),
    );
    commit_all(&repo, "second");
    let second = read_with(&src, &patterns, &cache).expect("second sync fetches");
    assert_eq!(names(&second), vec!["component:default/ledger".to_string(), "component:default/payments".to_string()]);
    let payments = second.entities.iter().find(|e| e.entity.name() == "payments").unwrap();
    assert_eq!(payments.entity.spec_str("lifecycle"), Some("deprecated"));
    assert_eq!(stagehand::sources::git::checkout_dir(&cache, &file_url(&repo)), checkout, "same checkout reused");

    // A deleted file disappears on the next sync.
    std::fs::remove_file(repo.join("catalog-info.yaml")).unwrap();
    commit_all(&repo, "third");
    let third = read_with(&src, &patterns, &cache).expect("third sync fetches");
    assert_eq!(names(&third), vec!["component:default/ledger".to_string()]);

    // Built into an index, the source is a `git` source with its URL.
    let index = build(vec![input(&src, Ok(third))], None, 1);
    assert_eq!(index.sources[0].kind, "git");
    assert_eq!(index.sources[0].target, file_url(&repo));
    assert_eq!(index.sources[0].entities, 1);
}

#[test]
fn a_branch_is_cloned_when_named() {
    if skip_without_git("a_branch_is_cloned_when_named") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "--quiet"]);
    write(&repo, "catalog-info.yaml", component("on-main", "team-a"));
    commit_all(&repo, "main");
    git(&repo, &["checkout", "--quiet", "-b", "feature"]);
    write(&repo, "catalog-info.yaml", component("on-feature", "team-a"));
    commit_all(&repo, "feature");
    git(&repo, &["checkout", "--quiet", "main"]);

    let cache = tmp.path().join("cache");
    let patterns = default_patterns();
    let feature = source("f", SourceKind::Git { url: file_url(&repo), branch: Some("feature".into()) });
    let out = read_with(&feature, &patterns, &cache).unwrap();
    assert_eq!(names(&out), vec!["component:default/on-feature".to_string()]);
    // The default branch of another URL for the same repository.
    let main_url = format!("{}/", file_url(&repo));
    let main = source("m", SourceKind::Git { url: main_url, branch: None });
    let out = read_with(&main, &patterns, &cache).unwrap();
    assert_eq!(names(&out), vec!["component:default/on-main".to_string()]);
}

#[test]
fn a_bad_url_fails_that_source_only() {
    if skip_without_git("a_bad_url_fails_that_source_only") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("good");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "--quiet"]);
    write(&repo, "catalog-info.yaml", component("good", "team-a"));
    commit_all(&repo, "first");

    let cache = tmp.path().join("cache");
    let patterns = default_patterns();
    let good = source("good", SourceKind::Git { url: file_url(&repo), branch: None });
    let bad = source("bad", SourceKind::Git { url: "file:///nonexistent".into(), branch: None });
    let not_git = source("not-git", SourceKind::Git { url: "/tmp/plain-path".into(), branch: None });

    let bad_read = read_with(&bad, &patterns, &cache);
    let error = bad_read.as_ref().unwrap_err();
    assert!(error.starts_with("git clone failed: "), "{error}");
    assert!(!stagehand::sources::git::checkout_dir(&cache, "file:///nonexistent").exists());
    let not_git_read = read_with(&not_git, &patterns, &cache);
    assert!(not_git_read.as_ref().unwrap_err().contains("is not supported"), "{not_git_read:?}");

    let good_read = read_with(&good, &patterns, &cache);
    let index = build(vec![input(&good, good_read), input(&bad, bad_read), input(&not_git, not_git_read)], None, 1);
    entity(&index, "component:default/good");
    let states: Vec<(&str, bool)> = index.sources.iter().map(|s| (s.name.as_str(), s.last_error.is_some())).collect();
    assert_eq!(states, vec![("good", false), ("bad", true), ("not-git", true)]);
    let p = index.problems.iter().find(|p| p.source.as_deref() == Some("bad")).unwrap();
    assert!(p.message.starts_with("source `bad` failed: git clone failed"), "{}", p.message);
    assert!(p.message.ends_with("keeping its previous entities"), "{}", p.message);
}

#[test]
fn a_cloned_repository_cannot_point_locations_outside_its_checkout() {
    if skip_without_git("a_cloned_repository_cannot_point_locations_outside_its_checkout") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let secret = tmp.path().join("secret.yaml");
    std::fs::write(&secret, component("outsider", "team-a")).unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "--quiet"]);
    let location = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {{name: all}}\nspec:\n  targets: ['{}', ./svc.yaml]\n",
        secret.display()
    );
    write(&repo, "catalog-info.yaml", location);
    write(&repo, "svc.yaml", component("insider", "team-a"));
    commit_all(&repo, "escape");

    let cache = tmp.path().join("cache");
    let out =
        read_with(&source("g", SourceKind::Git { url: file_url(&repo), branch: None }), &default_patterns(), &cache)
            .unwrap();
    // The Location fails with what it names (as one missing target makes it
    // fail in Backstage): nothing outside is read, nothing inside stored.
    assert!(names(&out).is_empty(), "{:?}", names(&out));
    let rejected: Vec<String> = out.rejected.iter().map(|r| r.read.entity.canonical_ref()).collect();
    assert_eq!(rejected, ["location:default/all"]);
    let refused = out.problems.iter().find(|p| p.message.contains("leaves the source root")).expect("a problem");
    assert!(refused.message.contains(&secret.display().to_string()), "{}", refused.message);
}

#[test]
fn a_branch_that_looks_like_an_option_never_reaches_git() {
    if skip_without_git("a_branch_that_looks_like_an_option_never_reaches_git") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "--quiet"]);
    write(&repo, "catalog-info.yaml", component("payments", "team-pay"));
    commit_all(&repo, "first");
    let cache = tmp.path().join("cache");
    let patterns = default_patterns();
    // A first clone on the default branch, so the next sync fetches.
    let good = source("repo", SourceKind::Git { url: file_url(&repo), branch: None });
    read_with(&good, &patterns, &cache).expect("clone");

    let marker = tmp.path().join("pwned");
    let hostile = format!("--upload-pack=touch {}; git-upload-pack", marker.display());
    let src = source("repo", SourceKind::Git { url: file_url(&repo), branch: Some(hostile.clone()) });
    let error = read_with(&src, &patterns, &cache).expect_err("the fetch is refused");
    assert!(error.contains("is not a branch name"), "{error}");
    let fresh = tmp.path().join("fresh-cache");
    let error = read_with(&src, &patterns, &fresh).expect_err("the clone is refused");
    assert!(error.contains("is not a branch name"), "{error}");
    assert!(!marker.exists(), "git ran the command in the branch name");

    // In a config file it is an error at the `branch` line.
    let config = tmp.path().join("config.yaml");
    std::fs::write(
        &config,
        format!("sources:\n  - name: repo\n    git: {}\n    branch: \"{hostile}\"\n", file_url(&repo)),
    )
    .unwrap();
    let Err(error) = stagehand::workspace::Workspace::open(Some(config), false, false) else {
        panic!("a branch starting with `-` is accepted in a config file");
    };
    let error = error.to_string();
    assert!(error.contains(":4:") && error.contains("is not a branch name"), "{error}");
}
