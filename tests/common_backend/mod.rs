//! Starting the real Backstage backend (tests/backend) for a test, and
//! reading its catalog API directly to compare with what stagehand synced.
//! Tests skip, saying why, when node or the installed backend is missing.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The harness scripts.
pub fn harness() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/backend"))
}

fn backend_home() -> PathBuf {
    std::env::var_os("BACKSTAGE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/stagehand-backstage"))
}

/// A running backend; stopped when dropped.
pub struct Backend {
    /// Base URL.
    pub url: String,
    /// The static token it accepts.
    pub token: String,
    port: u16,
    state: tempfile::TempDir,
    http: reqwest::blocking::Client,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Backend {
    /// Starts a backend on `files` (catalog locations) with extra
    /// `start.sh` options; `None` (after printing why) when it cannot run here.
    pub fn start(test: &str, files: &[PathBuf], options: &[&str]) -> Option<Backend> {
        Backend::start_with_env(test, files, options, &[])
    }

    /// [`Backend::start`] with extra environment variables for the backend
    /// process (`NODE_ENV=development`, say).
    pub fn start_with_env(test: &str, files: &[PathBuf], options: &[&str], env: &[(&str, &str)]) -> Option<Backend> {
        if Command::new("node").arg("--version").output().is_err() {
            eprintln!("SKIP {test}: node is not installed");
            return None;
        }
        if !backend_home().join("node_modules").is_dir() {
            eprintln!("SKIP {test}: the Backstage backend is not installed; run tests/backend/install.sh (CI does)");
            return None;
        }
        let port = free_port();
        let state = tempfile::tempdir().expect("state dir");
        let output = Command::new(harness().join("start.sh"))
            .arg("--port")
            .arg(port.to_string())
            .args(options)
            .args(files)
            .env("STATE", state.path())
            .envs(env.iter().copied())
            .output()
            .expect("run start.sh");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "start.sh failed:\n{stdout}\n{}\nlog:\n{}",
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(state.path().join("log")).unwrap_or_default()
        );
        let value = |key: &str| {
            stdout.lines().find_map(|l| l.strip_prefix(&format!("{key}="))).map(String::from).expect("start.sh output")
        };
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
        Some(Backend { url: value("BACKSTAGE_URL"), token: value("BACKSTAGE_TOKEN"), port, state, http })
    }

    /// GET a JSON document from the backend (with the token).
    pub fn get(&self, path: &str, query: &[(&str, &str)]) -> Value {
        let resp = self.http.get(format!("{}{path}", self.url)).query(query).bearer_auth(&self.token).send();
        resp.and_then(|r| r.error_for_status()).and_then(|r| r.json()).unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// The ETag the backend gives a GET (with the token).
    pub fn etag(&self, path: &str, query: &[(&str, &str)]) -> Option<String> {
        let resp = self.http.get(format!("{}{path}", self.url)).query(query).bearer_auth(&self.token).send();
        let resp = resp.and_then(|r| r.error_for_status()).unwrap_or_else(|e| panic!("GET {path}: {e}"));
        resp.headers().get(reqwest::header::ETAG).and_then(|v| v.to_str().ok()).map(String::from)
    }

    /// Sends a request with the token; returns the status.
    pub fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> u16 {
        let mut req = self.http.request(method, format!("{}{path}", self.url)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().map(|r| r.status().as_u16()).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Every entity, crawled with cursors (as the server answers it).
    pub fn crawl(&self) -> Vec<Value> {
        let mut items = Vec::new();
        let mut page = self.get("/api/catalog/entities/by-query", &[("limit", "100")]);
        loop {
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            let Some(cursor) = page["pageInfo"]["nextCursor"].as_str().map(String::from) else { break };
            page = self.get("/api/catalog/entities/by-query", &[("cursor", &cursor), ("limit", "100")]);
        }
        items
    }

    /// Polls the catalog until `ready` holds for the crawled entities
    /// (never a fixed sleep); panics with `what` after four minutes.
    pub fn wait_until(&self, what: &str, ready: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let items = self.crawl();
            if ready(&items) {
                return items;
            }
            assert!(
                start.elapsed() < Duration::from_secs(240),
                "timed out waiting for {what}; {} entities",
                items.len()
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// Stops the backend once this test process exits, however it exits:
    /// for a backend kept in a `static` and shared by the tests of one
    /// binary (a static is never dropped). A background shell watches the
    /// process.
    pub fn stop_at_exit(&self) {
        let script = format!(
            "(while kill -0 {pid} 2>/dev/null; do sleep 1; done; STATE='{state}' '{stop}' --port {port}; rm -rf '{state}') &",
            pid = std::process::id(),
            state = self.state.path().display(),
            stop = harness().join("stop.sh").display(),
            port = self.port,
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("start the watchdog");
    }

    /// The backend's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.state.path().join("log")).unwrap_or_default()
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        let _ = Command::new(harness().join("stop.sh"))
            .arg("--port")
            .arg(self.port.to_string())
            .env("STATE", self.state.path())
            .output();
    }
}

/// The canonical ref of a catalog item.
pub fn item_ref(item: &Value) -> String {
    let kind = item["kind"].as_str().unwrap_or_default();
    let ns = item["metadata"]["namespace"].as_str().unwrap_or("default");
    let name = item["metadata"]["name"].as_str().unwrap_or_default();
    format!("{kind}:{ns}/{name}").to_lowercase()
}

/// Copies a folder tree (files only).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
