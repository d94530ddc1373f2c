//! `catalog:register` in local runs: the new catalog-info is recorded in
//! the profile's list of registered files and read into the index by the
//! next sync (through the CLI); for a template from a remote catalog it is
//! registered on that catalog (against a small fake catalog API).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use stagehand::config::{RemoteConfig, TokenSource};
use stagehand::scaffold::Template;
use stagehand::scaffold::runner::{self, Registrar, RunInput, RunOptions};

const TEMPLATE: &str = r#"apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: register-me}
spec:
  parameters:
    - title: Name
      required: [name]
      properties: {name: {type: string}, url: {type: string}}
  steps:
    - id: write
      action: catalog:write
      input:
        entity:
          apiVersion: backstage.io/v1alpha1
          kind: Component
          metadata: {name: '${{ parameters.name }}'}
          spec: {type: service, lifecycle: experimental, owner: team-a}
    - id: register
      action: catalog:register
      input: {catalogInfoUrl: '${{ parameters.url }}'}
"#;

fn stagehand(root: &Path) -> Command {
    let mut cmd = Command::cargo_bin("stagehand").expect("binary");
    cmd.env("XDG_CONFIG_HOME", root.join("config"))
        .env("XDG_CACHE_HOME", root.join("cache"))
        .env("XDG_DATA_HOME", root.join("data"))
        .env("HOME", root.join("home"))
        .env("NO_COLOR", "1")
        .env_remove("STAGEHAND_CONFIG")
        .env_remove("STAGEHAND_BACKSTAGE_URL")
        .env_remove("STAGEHAND_BACKSTAGE_TOKEN")
        .current_dir(root);
    cmd
}

fn run(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = stagehand(root).args(args).output().expect("run stagehand");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

#[test]
fn a_local_run_registers_its_catalog_info_for_the_next_sync() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let catalog = root.join("catalog");
    std::fs::create_dir_all(&catalog).unwrap();
    std::fs::write(
        catalog.join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\nspec: {type: team, children: []}\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("config/stagehand")).unwrap();
    std::fs::write(
        root.join("config/stagehand/config.yaml"),
        format!("sources:\n  - name: local\n    dir: {}\n", catalog.display()),
    )
    .unwrap();
    let template = root.join("template.yaml");
    std::fs::write(&template, TEMPLATE).unwrap();
    let (code, _, err) = run(root, &["sync"]);
    assert_eq!(code, 0, "{err}");

    let out_dir = root.join("out");
    let (code, stdout, stderr) = run(
        root,
        &[
            "scaffold",
            template.to_str().unwrap(),
            "--set",
            "name=fresh-svc",
            "--set",
            "url=./catalog-info.yaml",
            "--output",
            out_dir.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("Registered in the local catalog as registered-1"), "{stdout}");
    assert!(stdout.contains("stagehand sync"), "{stdout}");
    assert!(stderr.contains("component:default/fresh-svc"), "{stderr}");

    let list = root.join("data/stagehand/profiles/default/registered.yaml");
    let listed = std::fs::read_to_string(&list).expect("the list of registered files");
    assert!(listed.contains(&out_dir.join("catalog-info.yaml").display().to_string()), "{listed}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&list).unwrap().permissions().mode() & 0o777, 0o600);
    }

    let (code, _, err) = run(root, &["show", "component:default/fresh-svc"]);
    assert_ne!(code, 0, "not in the index before a sync: {err}");
    let (code, stdout, err) = run(root, &["sync"]);
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(format!("{stdout}{err}").contains("registered-1"), "{stdout}\n{err}");
    let (code, stdout, err) = run(root, &["show", "component:default/fresh-svc"]);
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(stdout.contains("fresh-svc"), "{stdout}");

    // Running again registers the same file once.
    let (code, stdout, stderr) = run(
        root,
        &[
            "scaffold",
            template.to_str().unwrap(),
            "--set",
            "name=fresh-svc",
            "--set",
            "url=./catalog-info.yaml",
            "--output",
            out_dir.to_str().unwrap(),
            "--overwrite",
        ],
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("registered-1"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&list).unwrap().lines().count(), 1);
}

/// A catalog API that answers `POST /api/catalog/locations` and records
/// the request lines and bodies.
fn fake_catalog() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten().take(20) {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut head = String::new();
            let mut length = 0usize;
            let mut line = String::new();
            let _ = reader.read_line(&mut head);
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            log.lock().unwrap().push(format!("{} {}", head.trim(), String::from_utf8_lossy(&body)));
            let answer = serde_json::json!({
                "location": {"type": "url", "target": "https://git.example/svc/catalog-info.yaml"},
                "entities": [{"kind": "Component", "metadata": {"name": "remote-svc", "namespace": "default"}}]
            })
            .to_string();
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    (url, seen)
}

#[test]
fn a_remote_template_registers_on_its_remote_catalog() {
    let (url, seen) = fake_catalog();
    let config = RemoteConfig {
        url,
        token: TokenSource::None,
        filters: Vec::new(),
        ca_file: None,
        timeout: std::time::Duration::from_secs(5),
        page_size: 100,
    };
    let tmp = tempfile::tempdir().unwrap();
    let template = Template::from_file(&{
        let p: PathBuf = tmp.path().join("t.yaml");
        std::fs::write(&p, TEMPLATE).unwrap();
        p
    })
    .unwrap();
    let params = serde_json::json!({"name": "remote-svc", "url": "https://git.example/svc/catalog-info.yaml"});
    let input = RunInput { parameters: params.as_object().cloned().unwrap(), ..RunInput::default() };
    let options = RunOptions {
        output_dir: tmp.path().join("out"),
        register: Registrar::Remote("prod".into(), config),
        ..RunOptions::default()
    };
    let mut logs = Vec::new();
    let result = runner::run(
        &template,
        &input,
        &options,
        &|_| None,
        &mut |e| logs.push(format!("{e:?}")),
        &AtomicBool::new(false),
    )
    .unwrap_or_else(|e| panic!("{e}: {logs:?}"));
    assert!(result.registered.is_empty(), "nothing registered locally");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].starts_with("POST /api/catalog/locations"), "{seen:?}");
    assert!(seen[0].contains(r#""target":"https://git.example/svc/catalog-info.yaml""#), "{seen:?}");
    assert!(logs.iter().any(|l| l.contains("registered url:https://git.example") && l.contains("`prod`")), "{logs:?}");

    // Without a remote catalog, a URL cannot be registered locally.
    let options = RunOptions { output_dir: tmp.path().join("out2"), ..RunOptions::default() };
    let err = runner::run(&template, &input, &options, &|_| None, &mut |_| {}, &AtomicBool::new(false)).unwrap_err();
    assert!(err.message.contains("needs the backend"), "{}", err.message);
}
