//! Finding docs: `dir:` refs against the entity's file or its
//! source-location, refs that leave the repository refused, techdocs-entity
//! redirects, `url:` refs cloned once and reused, the fixtures' documented
//! component, and the `stagehand docs` CLI.

mod common;

use std::path::Path;

use assert_cmd::Command;
use stagehand::config::SourceKind;
use stagehand::docs::{ErrorKind, OpenContext, open, page_text};
use stagehand::index::Index;

use common::*;

fn docs_component(name: &str, annotations: &[(&str, &str)]) -> String {
    let mut text =
        format!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  annotations:\n");
    for (k, v) in annotations {
        text.push_str(&format!("    {k}: '{v}'\n"));
    }
    text.push_str("spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n");
    text
}

fn site(dir: &Path, title: &str) {
    write(dir, "mkdocs.yml", format!("site_name: {title}\nnav:\n  - Home: index.md\n  - Next: next.md\n"));
    write(dir, "docs/index.md", format!("# {title}\n\nSee [next](next.md).\n"));
    write(dir, "docs/next.md", "# Next\n\nThe end.\n");
}

fn index_for(dir: &Path) -> Index {
    index_of(&source("repo", SourceKind::Dir(dir.to_path_buf())))
}

fn no_remote(_: &str) -> Option<stagehand::config::RemoteConfig> {
    None
}

fn ctx(cache: &Path) -> OpenContext<'_> {
    OpenContext { cache_dir: cache, remote: &no_remote }
}

#[test]
fn dir_refs_resolve_against_the_entity_file_or_its_source_location() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    site(&repo.join("svc"), "Service");
    write(&repo, "svc/catalog-info.yaml", docs_component("svc", &[("backstage.io/techdocs-ref", "dir:.")]));
    site(&repo.join("shared-site"), "Shared");
    write(
        &repo,
        "other/catalog-info.yaml",
        docs_component(
            "other",
            &[("backstage.io/techdocs-ref", "dir:."), ("backstage.io/source-location", "dir:../shared-site/")],
        ),
    );
    let index = index_for(&repo);
    let cache = tmp.path().join("cache");
    let svc = open(&index, entity(&index, "component:default/svc"), ctx(&cache)).unwrap();
    assert_eq!(svc.site.title, "Service");
    assert_eq!(svc.site.pages.len(), 2);
    assert!(page_text(&svc.site, 1).unwrap().contains("The end."));
    let other = open(&index, entity(&index, "component:default/other"), ctx(&cache)).unwrap();
    assert_eq!(other.site.title, "Shared");
}

#[test]
fn refs_that_leave_the_repository_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    site(tmp.path(), "Outside");
    write(&repo, "svc/catalog-info.yaml", docs_component("svc", &[("backstage.io/techdocs-ref", "dir:../../..")]));
    write(
        &repo,
        "loc/catalog-info.yaml",
        docs_component(
            "loc",
            &[("backstage.io/techdocs-ref", "dir:."), ("backstage.io/source-location", "dir:../../")],
        ),
    );
    let index = index_for(&repo);
    let cache = tmp.path().join("cache");
    for name in ["svc", "loc"] {
        let err = open(&index, entity(&index, &format!("component:default/{name}")), ctx(&cache)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Refused, "{name}: {err}");
        assert!(err.message.contains("leaves the repository root"), "{name}: {err}");
    }
}

#[test]
fn techdocs_entity_hands_over_to_another_entity() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    site(&repo.join("svc"), "Service");
    write(&repo, "svc/catalog-info.yaml", docs_component("svc", &[("backstage.io/techdocs-ref", "dir:.")]));
    write(
        &repo,
        "api/catalog-info.yaml",
        docs_component("api", &[("backstage.io/techdocs-entity", "component:default/svc")]),
    );
    write(&repo, "none/catalog-info.yaml", docs_component("none", &[]));
    let index = index_for(&repo);
    let cache = tmp.path().join("cache");
    let opened = open(&index, entity(&index, "component:default/api"), ctx(&cache)).unwrap();
    assert_eq!(index.ref_of(opened.owner), "component:default/svc");
    assert_eq!(opened.site.title, "Service");
    let err = open(&index, entity(&index, "component:default/none"), ctx(&cache)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NoDocs);
}

#[test]
fn url_refs_are_cloned_once_and_reused() {
    if !have_git() {
        eprintln!("SKIP url_refs_are_cloned_once_and_reused: git is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let upstream = tmp.path().join("upstream");
    site(&upstream.join("docs-site"), "Cloned");
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@x", "-c", "init.defaultBranch=main"])
            .args(args)
            .current_dir(&upstream)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "docs"]);
    let url = format!("url:file://{}/tree/main/docs-site", upstream.display());
    let catalog = tmp.path().join("catalog");
    write(&catalog, "catalog-info.yaml", docs_component("svc", &[("backstage.io/techdocs-ref", &url)]));
    let index = index_for(&catalog);
    let cache = tmp.path().join("cache");
    let opened = open(&index, 0, ctx(&cache)).unwrap();
    assert_eq!(opened.site.title, "Cloned");
    // The clone is reused: the upstream can go away.
    std::fs::remove_dir_all(&upstream).unwrap();
    let again = open(&index, 0, ctx(&cache)).unwrap();
    assert_eq!(again.site.pages.len(), 2);
}

#[test]
fn the_documented_component_fixture_opens_from_its_catalog_file() {
    let Some(fixtures) = fixtures("the_documented_component_fixture_opens_from_its_catalog_file") else { return };
    let dir = fixtures.join("backstage/plugins/techdocs-backend/examples/documented-component");
    let index = index_for(&dir);
    let tmp = tempfile::tempdir().unwrap();
    let opened = open(&index, entity(&index, "component:default/documented-component"), ctx(tmp.path())).unwrap();
    let titles: Vec<&str> = opened.site.pages.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, vec!["Home", "Subpage", "Code Sample", "Extensions"]);
}

fn cli() -> (Command, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("stagehand").unwrap();
    cmd.env("XDG_CONFIG_HOME", tmp.path().join("config"))
        .env("XDG_CACHE_HOME", tmp.path().join("cache"))
        .env("XDG_DATA_HOME", tmp.path().join("data"))
        .env("HOME", tmp.path())
        .env_remove("STAGEHAND_CONFIG")
        .env_remove("NO_COLOR");
    (cmd, tmp)
}

#[test]
fn the_cli_lists_renders_and_says_when_there_are_no_docs() {
    let (mut cmd, _tmp) = cli();
    let out = cmd.args(["--demo", "docs", "shipment-tracker", "--list"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        text.contains("1. Overview  [index.md]") && text.contains("Operations/") && text.contains("5. On-call"),
        "{text}"
    );

    let (mut cmd, _tmp) = cli();
    let out = cmd.args(["--demo", "docs", "shipment-tracker", "architecture", "--width", "60"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.starts_with("Architecture\n"), "{text}");
    assert!(!text.contains('\u{1b}'), "piped output has no colour");
    assert!(text.lines().all(|l| unicode_width::UnicodeWidthStr::width(l) <= 61), "{text}");

    let (mut cmd, _tmp) = cli();
    let out = cmd.args(["--demo", "docs", "tracking-ingest"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("has no TechDocs"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (mut cmd, _tmp) = cli();
    let out = cmd.args(["--demo", "docs", "shipment-tracker", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no page `nope`"));

    let (mut cmd, _tmp) = cli();
    let out = cmd.args(["--demo", "docs-search", "billing", "run"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().next().is_some_and(|l| l.contains("invoice-service") && l.contains("The nightly billing run")),
        "{text}"
    );
}
