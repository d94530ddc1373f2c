//! Tokens never leave where they came from: a catalog served by a fake
//! backend that demands them (token_env, token_command and token_file, one
//! source each) and a hostile one that echoes the Authorization header back
//! in its error. After a sync and the read commands (CLI, and the TUI under
//! tmux when it is there), no file stagehand wrote and no output holds a
//! token; cache and data dirs are 0700 and their files 0600.

mod common_tmux;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

const TOKENS: [&str; 3] = ["env-tok-7f3a9c21e5", "cmd-tok-88b1d04c6a", "file-tok-2e9f7713b0"];

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_stagehand")
}

/// A backend: `/good/...` answers entities to any known token, `/echo/...`
/// answers 401 quoting the Authorization header. Records what it was sent.
fn fake() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = log.clone();
            std::thread::spawn(move || respond(stream, &log));
        }
    });
    (url, seen)
}

fn respond(mut stream: TcpStream, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    let _ = reader.read_line(&mut request);
    let mut auth = String::new();
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        if line.to_ascii_lowercase().starts_with("authorization:") {
            auth = line.trim().to_string();
        }
        line.clear();
    }
    log.lock().unwrap().push(auth.clone());
    let known = TOKENS.iter().any(|t| auth.ends_with(t));
    let (status, body) = if request.contains("/echo/") || !known {
        ("401 Unauthorized", serde_json::json!({"error": {"name": "AuthenticationError", "message": format!("bad credentials: {auth}")}}).to_string())
    } else {
        let who = TOKENS.iter().position(|t| auth.ends_with(t)).unwrap_or(0);
        let items = vec![serde_json::json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": format!("remote-{who}"), "namespace": "default", "uid": format!("u{who}"), "etag": "e",
                          "annotations": {"backstage.io/techdocs-ref": "dir:."}},
            "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"}
        })];
        ("200 OK", serde_json::json!({"items": items, "totalItems": 1, "pageInfo": {}}).to_string())
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

struct Setup {
    home: PathBuf,
    seen: Arc<Mutex<Vec<String>>>,
    env: Vec<(String, String)>,
    /// Files written by the test itself (the token file, the config).
    ours: Vec<PathBuf>,
}

fn setup(home: &Path) -> Setup {
    let (url, seen) = fake();
    let secrets = home.join("secrets");
    std::fs::create_dir_all(&secrets).unwrap();
    let token_file = secrets.join("token");
    std::fs::write(&token_file, TOKENS[2]).unwrap();
    let cmd_file = secrets.join("cmd-token");
    std::fs::write(&cmd_file, TOKENS[1]).unwrap();
    #[cfg(unix)]
    for f in [&token_file, &cmd_file] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let config_dir = home.join("config/stagehand");
    std::fs::create_dir_all(&config_dir).unwrap();
    let config = config_dir.join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "sources:\n\
             \x20 - name: by-env\n    backstage:\n      url: {url}/good\n      token_env: SH_TEST_TOKEN\n      timeout: 2s\n\
             \x20 - name: by-command\n    backstage:\n      url: {url}/good\n      token_command: cat {}\n      timeout: 2s\n\
             \x20 - name: by-file\n    backstage:\n      url: {url}/good\n      token_file: {}\n      timeout: 2s\n\
             \x20 - name: echo\n    backstage:\n      url: {url}/echo\n      token_env: SH_TEST_TOKEN\n      timeout: 2s\n",
            cmd_file.display(),
            token_file.display()
        ),
    )
    .unwrap();
    let env = vec![
        ("HOME".to_string(), home.display().to_string()),
        ("XDG_CONFIG_HOME".to_string(), home.join("config").display().to_string()),
        ("XDG_CACHE_HOME".to_string(), home.join("cache").display().to_string()),
        ("XDG_DATA_HOME".to_string(), home.join("data").display().to_string()),
        ("SH_TEST_TOKEN".to_string(), TOKENS[0].to_string()),
        ("NO_PROXY".to_string(), "127.0.0.1".to_string()),
    ];
    Setup { home: home.to_path_buf(), seen, env, ours: vec![token_file, cmd_file, config] }
}

fn run(s: &Setup, args: &[&str]) -> (String, String) {
    let mut c = Command::new(binary());
    c.args(args).env_remove("HTTPS_PROXY").env_remove("HTTP_PROXY").env_remove("ALL_PROXY");
    for (k, v) in &s.env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() && !p.is_symlink() {
            files_under(&p, out);
        }
        out.push(p);
    }
}

fn assert_clean(what: &str, text: &[u8]) {
    for t in TOKENS {
        assert!(!text.windows(t.len()).any(|w| w == t.as_bytes()), "{what} holds the token {t}");
    }
}

#[test]
fn tokens_never_reach_a_file_or_an_output() {
    let tmp = tempfile::tempdir().unwrap();
    let s = setup(tmp.path());
    let mut outputs = Vec::new();
    for args in [
        &["sync"][..],
        &["sync", "--source", "echo"],
        &["list"],
        &["list", "--json"],
        &["problems"],
        &["problems", "--json"],
        &["show", "remote-0", "--json"],
        &["show", "remote-1", "--yaml"],
        &["health"],
        &["config", "show"],
        &["config", "path"],
        &["whoami", "--source", "echo"],
        &["refresh", "component:default/remote-0"],
        &["docs", "remote-0"],
        &["docs-search", "anything"],
    ] {
        let (out, err) = run(&s, args);
        outputs.push((format!("stagehand {}", args.join(" ")), out, err));
    }
    // The TUI too, when tmux is there: load, star, sync, quit.
    tui_session(&s);

    // Every token was really used.
    let seen = s.seen.lock().unwrap().join("\n");
    for t in TOKENS {
        assert!(seen.contains(t), "the backend never saw {t}: the test would prove nothing");
    }
    // The echo source failed, with its server's message, minus the token.
    let (_, problems, _) = outputs.iter().find(|(c, _, _)| c == "stagehand problems").unwrap();
    let (_, _, sync_err) = outputs.iter().find(|(c, _, _)| c == "stagehand sync --source echo").unwrap();
    assert!(sync_err.contains("bad credentials") || problems.contains("bad credentials"), "{sync_err}\n{problems}");
    // ... which quoted the token: redacted.
    assert!(sync_err.contains("Bearer [token]"), "{sync_err}");
    for (cmd, out, err) in &outputs {
        assert_clean(&format!("stdout of `{cmd}`"), out.as_bytes());
        assert_clean(&format!("stderr of `{cmd}`"), err.as_bytes());
    }
    let mut files = Vec::new();
    files_under(&s.home, &mut files);
    let mut checked = 0;
    for f in &files {
        if f.is_dir() || s.ours.contains(f) || f.starts_with(s.home.join("tmux")) {
            continue;
        }
        let bytes = std::fs::read(f).unwrap_or_default();
        assert_clean(&f.display().to_string(), &bytes);
        checked += 1;
    }
    assert!(checked >= 2, "index and lock at least: {files:?}");

    // Private files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for root in [s.home.join("cache/stagehand"), s.home.join("data/stagehand")] {
            if !root.exists() {
                continue;
            }
            let mut all = vec![root.clone()];
            files_under(&root, &mut all);
            for p in all {
                let mode = std::fs::symlink_metadata(&p).unwrap().permissions().mode() & 0o777;
                if p.is_dir() {
                    assert_eq!(mode, 0o700, "{} is {mode:o}", p.display());
                } else {
                    assert_eq!(mode & 0o077, 0, "{} is {mode:o}", p.display());
                }
            }
        }
        let index = s.home.join("cache/stagehand/profiles/default/index.bin");
        assert!(index.is_file() && s.home.join("cache/stagehand/profiles/default/index.lock").is_file());
    }
}

fn tui_session(s: &Setup) {
    let env: Vec<(&str, &str)> = s
        .env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .filter(|(k, _)| !k.starts_with("XDG") && *k != "HOME")
        .collect();
    let home = s.home.clone();
    let bin = common_tmux::shell_quote(binary());
    let Some(t) = common_tmux::Tmux::start("tokens_never_reach_a_file (TUI part)", 120, 40, &env, move |h| {
        // Use the test's home (config, cache, data) rather than the session's.
        for d in ["config", "cache", "data"] {
            let _ = std::fs::remove_dir_all(h.join(d));
            std::os::unix::fs::symlink(home.join(d), h.join(d)).unwrap();
        }
        format!("{bin}; echo TUI-EXITED-$?; exec sh")
    }) else {
        return;
    };
    t.wait_until("the index", |sc| sc.contains(" entities"));
    t.keys(&["Tab"]);
    t.keys(&["s"]);
    t.keys(&["C-r"]);
    std::thread::sleep(std::time::Duration::from_secs(2));
    t.keys(&["C-c"]);
    let screen = t.wait_for("TUI-EXITED-");
    assert_clean("the TUI screen", screen.as_bytes());
    assert!(s.home.join("data/stagehand/profiles/default/starred.yaml").is_file(), "a star was saved:\n{screen}");
}
