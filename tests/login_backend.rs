//! `stagehand login` against the real Backstage backend (auth plugin with
//! client ID metadata documents and refresh tokens, NODE_ENV=development so
//! the loopback client is accepted). The test plays the browser's part:
//! guest sign-in, then approve (or reject) the authorization session.
//! One backend serves every scenario; skips (saying why) without node.

mod common_backend;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use common_backend::Backend;

const BACKEND_CONFIG: &str =
    "auth:\n  clientIdMetadataDocuments:\n    enabled: true\n  experimentalRefreshToken:\n    enabled: true\n";
const CATALOG: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\nspec: {type: team, children: []}\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc}\nspec: {type: service, lifecycle: production, owner: team-a}\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: guest, namespace: development}\nspec: {memberOf: [team-a]}\n";

/// A stagehand home (config, data, cache) whose one source is `url`.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new(url: &str) -> Home {
        let dir = tempfile::tempdir().expect("home");
        std::fs::write(
            dir.path().join("config.yaml"),
            format!("sources:\n  - name: prod\n    backstage:\n      url: {url}\n"),
        )
        .expect("config");
        Home { dir }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_stagehand"));
        let root = self.dir.path();
        cmd.arg("--config")
            .arg(root.join("config.yaml"))
            .args(args)
            .env("HOME", root)
            .env("XDG_CONFIG_HOME", root.join("xdg-config"))
            .env("XDG_DATA_HOME", root.join("xdg-data"))
            .env("XDG_CACHE_HOME", root.join("xdg-cache"))
            .env_remove("BROWSER")
            .env_remove("STAGEHAND_CONFIG");
        cmd
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.command(args).output().expect("run stagehand");
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
    }

    /// The token store file of `prod` (wherever the profile put it).
    fn store_file(&self) -> PathBuf {
        files_under(self.dir.path())
            .into_iter()
            .find(|f| f.ends_with("logins/prod.json"))
            .expect("a stored login for prod")
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() { out.extend(files_under(&path)) } else { out.push(path) }
    }
    out
}

/// A running `stagehand login --no-browser`: its stdin, the authorize URL
/// it printed, and the rest of its stderr.
struct Login {
    child: Child,
    authorize: String,
    stderr: mpsc::Receiver<String>,
}

impl Login {
    fn start(home: &Home) -> Login {
        let mut child = home
            .command(&["login", "--no-browser"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start login");
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut seen = String::new();
        let authorize = loop {
            let line =
                rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| panic!("no authorize URL in:\n{seen}"));
            if line.contains("/api/auth/v1/authorize?") {
                break line.trim().to_string();
            }
            seen.push_str(&line);
            seen.push('\n');
        };
        Login { child, authorize, stderr: rx }
    }

    fn paste(&mut self, address: &str) {
        let stdin = self.child.stdin.as_mut().expect("stdin");
        writeln!(stdin, "{address}").expect("paste");
    }

    fn finish(mut self) -> (i32, String, String) {
        drop(self.child.stdin.take());
        let status = self.child.wait().expect("login exits");
        let mut stdout = String::new();
        self.child.stdout.take().expect("stdout").read_to_string(&mut stdout).expect("stdout");
        // Every line, to the end: the reader stops when the child's stderr closes.
        let stderr: Vec<String> = self.stderr.iter().collect();
        (status.code().unwrap_or(-1), stdout, stderr.join("\n"))
    }
}

/// The browser's part: follow the authorize URL to the consent session,
/// sign in as guest, then approve or reject; the address the browser ends on.
fn browser(backend: &Backend, authorize: &str, approve: bool) -> String {
    let http = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let resp = http.get(authorize).send().expect("authorize");
    let location = resp.headers()["location"].to_str().expect("location").to_string();
    assert!(location.contains("/oauth2/authorize/"), "authorize sent the browser to {location}");
    let session = location.rsplit('/').next().expect("session id");
    let guest: Value = http
        .get(format!("{}/api/auth/guest/refresh?env=development", backend.url))
        .header("X-Requested-With", "XMLHttpRequest")
        .send()
        .and_then(|r| r.json())
        .expect("guest sign-in");
    let token = guest["backstageIdentity"]["token"].as_str().expect("guest token");
    let verb = if approve { "approve" } else { "reject" };
    let answer: Value = http
        .post(format!("{}/api/auth/v1/sessions/{session}/{verb}", backend.url))
        .bearer_auth(token)
        .send()
        .and_then(|r| r.json())
        .expect("consent");
    answer["redirectUrl"].as_str().expect("redirectUrl").to_string()
}

fn start_backend(test: &str, dir: &Path) -> Option<Backend> {
    let config = dir.join("auth.yaml");
    let catalog = dir.join("catalog.yaml");
    std::fs::write(&config, BACKEND_CONFIG).expect("backend config");
    std::fs::write(&catalog, CATALOG).expect("catalog");
    let config = config.to_string_lossy().into_owned();
    Backend::start_with_env(
        test,
        &[catalog],
        &["--plugins", "auth", "--config", &config],
        &[("NODE_ENV", "development")],
    )
}

#[test]
fn login_flows_against_the_real_backend() {
    let scratch = tempfile::tempdir().expect("scratch");
    let Some(backend) = start_backend("login_flows_against_the_real_backend", scratch.path()) else { return };
    backend.wait_until("the catalog file", |items| items.iter().any(|i| i["metadata"]["name"] == "guest"));
    pasted_address_signs_in_then_sync_whoami_refresh_and_logout(&backend);
    loopback_listener_signs_in(&backend);
    denied_consent_is_an_error(&backend);
}

fn pasted_address_signs_in_then_sync_whoami_refresh_and_logout(backend: &Backend) {
    let home = Home::new(&backend.url);
    let (code, _, stderr) = home.run(&["whoami"]);
    assert_eq!(code, 2, "anonymous requests should be refused: {stderr}");
    assert!(stderr.contains("stagehand login"), "the 401 should suggest logging in: {stderr}");

    let mut login = Login::start(&home);
    let redirect = browser(backend, &login.authorize, true);
    login.paste("not the address");
    login.paste(&redirect);
    let (code, stdout, stderr) = login.finish();
    assert_eq!(code, 0, "login failed: {stdout}\n{stderr}");
    assert!(stderr.contains("That is not the address"), "a wrong paste is explained: {stderr}");
    assert!(stdout.contains("signed in to `prod` as user:development/guest until"), "{stdout}");

    let (code, stdout, stderr) = home.run(&["sync"]);
    assert_eq!(code, 0, "sync with the stored login: {stdout}\n{stderr}");
    let (_, listed, _) = home.run(&["list", "--kind", "component"]);
    assert!(listed.contains("svc"), "the synced catalog lists svc: {listed}");
    let (code, stdout, _) = home.run(&["whoami"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("user:development/guest") && stdout.contains("session until"), "{stdout}");

    // The tokens are in the token store and nowhere else (index, sidecar, config...).
    let store = home.store_file();
    let session: Value = serde_json::from_str(&std::fs::read_to_string(&store).expect("store")).expect("json");
    let access = session["access_token"].as_str().expect("access token").to_string();
    let refresh = session["refresh_token"].as_str().expect("the backend issues refresh tokens").to_string();
    for file in files_under(home.dir.path()).into_iter().filter(|f| *f != store) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        for secret in [&access, &refresh] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a token leaked into {}",
                file.display()
            );
        }
    }

    // An expired access token is renewed with the refresh token.
    let mut expired = session.clone();
    expired["expires_at"] = Value::from(0);
    std::fs::write(&store, serde_json::to_string(&expired).expect("json")).expect("expire");
    let (code, stdout, stderr) = home.run(&["whoami"]);
    assert_eq!(code, 0, "whoami after expiry: {stdout}\n{stderr}");
    let renewed: Value = serde_json::from_str(&std::fs::read_to_string(&store).expect("store")).expect("json");
    assert_ne!(renewed["access_token"], session["access_token"], "the access token was renewed");
    assert!(renewed["expires_at"].as_u64().expect("expiry") > 0);

    let (code, stdout, _) = home.run(&["logout"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("signed out of `prod`"), "{stdout}");
    assert!(!store.exists(), "logout removes the stored session");
    let (code, _, stderr) = home.run(&["whoami"]);
    assert_eq!(code, 2, "{stderr}");
}

fn loopback_listener_signs_in(backend: &Backend) {
    let home = Home::new(&backend.url);
    let login = Login::start(&home);
    let redirect = browser(backend, &login.authorize, true);
    assert!(redirect.starts_with("http://127.0.0.1:8055/callback?"), "{redirect}");
    let page = reqwest::blocking::get(&redirect).and_then(|r| r.text()).expect("the listener answers");
    assert!(page.contains("go back to your terminal"), "{page}");
    let (code, stdout, stderr) = login.finish();
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("as user:development/guest"), "{stdout}");
    assert!(home.store_file().exists());
}

fn denied_consent_is_an_error(backend: &Backend) {
    let home = Home::new(&backend.url);
    let mut login = Login::start(&home);
    let redirect = browser(backend, &login.authorize, false);
    login.paste(&redirect);
    let (code, stdout, stderr) = login.finish();
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(stderr.contains("the sign-in was denied in the browser"), "{stderr}");
    assert!(!files_under(home.dir.path()).iter().any(|f| f.ends_with("logins/prod.json")), "nothing stored");
}

/// A backend without the flow (any server answering 404): the error names
/// the config key to set. Needs no node.
#[test]
fn a_backend_without_the_flow_names_the_config_key() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    let home = Home::new(&url);
    let (code, _, stderr) = home.run(&["login", "--no-browser"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("auth.clientIdMetadataDocuments.enabled: true"), "{stderr}");
}
