//! Issue 17 #9: a template's file reads stay inside its own folder however
//! the template is named on the command line (bare `t.yaml`, `./t.yaml`,
//! a relative path, an absolute path, a catalog ref). An absolute `url`,
//! a `../` escape and a symlink out of the folder are refused, as the
//! backend refuses them (403); a file beside the template is still read.

use std::path::Path;

use assert_cmd::Command;

const TEMPLATE: &str = r#"apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: leaky}
spec:
  type: service
  parameters:
    - properties:
        src: {type: string}
  steps:
    - id: read
      action: fetch:plain:file
      input:
        url: ${{ parameters.src }}
        targetPath: out.txt
"#;

const SECRET: &str = "HOST-SECRET-7f3a";

struct Setup {
    _tmp: tempfile::TempDir,
    root: std::path::PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    std::fs::write(root.join("secret.txt"), SECRET).unwrap();
    let tpl = root.join("catalog/tpl");
    std::fs::create_dir_all(tpl.join("skeleton")).unwrap();
    std::fs::write(tpl.join("t.yaml"), TEMPLATE).unwrap();
    std::fs::write(tpl.join("skeleton/ok.txt"), "OK-CONTENT").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("secret.txt"), tpl.join("link.txt")).unwrap();
    for d in ["config/stagehand", "cache", "data", "home"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::write(
        root.join("config/stagehand/config.yaml"),
        format!("sources:\n  - name: local\n    dir: {}\n", root.join("catalog").display()),
    )
    .unwrap();
    Setup { _tmp: tmp, root }
}

fn run(root: &Path, cwd: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("stagehand")
        .unwrap()
        .env("XDG_CONFIG_HOME", root.join("config"))
        .env("XDG_CACHE_HOME", root.join("cache"))
        .env("XDG_DATA_HOME", root.join("data"))
        .env("HOME", root.join("home"))
        .env("NO_COLOR", "1")
        .env_remove("STAGEHAND_CONFIG")
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// Runs the template named `name` (from `cwd`) with each hostile `src`,
/// then with a file beside it.
fn check_form(s: &Setup, cwd: &Path, name: &str) {
    let secret = s.root.join("secret.txt").display().to_string();
    let mut hostile = vec![secret.clone(), "../../secret.txt".to_string(), "/etc/hostname".to_string()];
    if cfg!(unix) {
        hostile.push("./link.txt".to_string());
    }
    for src in &hostile {
        let set = format!("src={src}");
        let (code, text) = run(&s.root, cwd, &["scaffold", name, "--set", &set, "--dry-run"]);
        assert_ne!(code, 0, "{name} with {src}: {text}");
        assert!(!text.contains(SECRET), "{name} with {src} read the host file: {text}");
        assert!(text.contains("outside the template's folder"), "{name} with {src}: {text}");
    }
    let (code, text) = run(&s.root, cwd, &["scaffold", name, "--set", "src=./skeleton/ok.txt", "--dry-run"]);
    assert_eq!(code, 0, "{name}: {text}");
    assert!(text.contains("OK-CONTENT"), "{name}: {text}");
}

#[test]
fn a_bare_file_name_is_confined() {
    let s = setup();
    check_form(&s, &s.root.join("catalog/tpl"), "t.yaml");
}

#[test]
fn a_dot_slash_path_is_confined() {
    let s = setup();
    check_form(&s, &s.root.join("catalog/tpl"), "./t.yaml");
}

#[test]
fn a_relative_path_is_confined() {
    let s = setup();
    check_form(&s, &s.root, "catalog/tpl/t.yaml");
}

#[test]
fn an_absolute_path_is_confined() {
    let s = setup();
    let path = s.root.join("catalog/tpl/t.yaml").display().to_string();
    check_form(&s, &s.root.join("home"), &path);
}

#[test]
fn a_catalog_ref_is_confined() {
    let s = setup();
    std::fs::write(s.root.join("catalog/tpl/catalog-info.yaml"), TEMPLATE).unwrap();
    let (code, text) = run(&s.root, &s.root, &["sync"]);
    assert_eq!(code, 0, "{text}");
    check_form(&s, &s.root.join("home"), "template:default/leaky");
}
