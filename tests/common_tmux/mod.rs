//! A private tmux server for end-to-end tests of the real binary: its own
//! socket in its own temp dir, a temp HOME with XDG dirs, polling reads.
//! `Tmux::start` returns `None` (after printing why) when tmux is missing.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long one step may take to show up on screen (a hang guard only).
pub const STEP: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(50);

static SESSIONS: AtomicUsize = AtomicUsize::new(0);

/// tmux on PATH.
pub fn tmux_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("tmux")).find(|p| p.is_file())
}

/// The server, killed on drop.
pub struct Tmux {
    tmux: PathBuf,
    socket: String,
    /// The temp HOME (config, cache, data under it).
    pub home: tempfile::TempDir,
}

/// Quotes for `sh`.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

impl Tmux {
    /// Starts a `width`x`height` session running `command` (a shell line)
    /// with HOME and the XDG dirs in a temp dir plus `extra_env`; `setup`
    /// runs on the home before the session starts.
    pub fn start(
        test: &str,
        width: u16,
        height: u16,
        extra_env: &[(&str, &str)],
        setup: impl FnOnce(&Path) -> String,
    ) -> Option<Tmux> {
        let Some(tmux) = tmux_path() else {
            eprintln!("SKIP {test}: tmux is not on PATH");
            return None;
        };
        let home = tempfile::Builder::new().prefix("stagehand-tmux-").tempdir().expect("temp home");
        let socket = format!("stagehand-h-{}-{}", std::process::id(), SESSIONS.fetch_add(1, Ordering::SeqCst));
        let t = Tmux { tmux, socket, home };
        let h = t.home.path().to_path_buf();
        for dir in ["config", "cache", "data", "tmux"] {
            std::fs::create_dir_all(h.join(dir)).unwrap();
        }
        let command = setup(&h);
        let mut env = vec![
            format!("HOME={}", h.display()),
            format!("XDG_CONFIG_HOME={}", h.join("config").display()),
            format!("XDG_CACHE_HOME={}", h.join("cache").display()),
            format!("XDG_DATA_HOME={}", h.join("data").display()),
            "TERM=xterm-256color".to_string(),
            "LANG=C.UTF-8".to_string(),
            "PS1=$ ".to_string(),
        ];
        env.extend(extra_env.iter().map(|(k, v)| format!("{k}={v}")));
        let (w, hh) = (width.to_string(), height.to_string());
        let mut args: Vec<String> =
            ["-u", "new-session", "-d", "-s", "e2e", "-x", &w, "-y", &hh].map(String::from).to_vec();
        for e in &env {
            args.push("-e".into());
            args.push(e.clone());
        }
        let env_words: Vec<String> = env.iter().map(|e| shell_quote(e)).collect();
        args.push(format!("env {} sh -c {}", env_words.join(" "), shell_quote(&command)));
        let out = t.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));
        Some(t)
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.tmux);
        c.env("TMUX_TMPDIR", self.home.path().join("tmux"))
            .env_remove("TMUX")
            .env_remove("NO_COLOR")
            .env_remove("BROWSER")
            .args(["-u", "-f", "/dev/null", "-L", &self.socket]);
        c
    }

    /// Runs a tmux command on this server.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("run tmux")
    }

    /// Sends tmux key names.
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        let out = self.run(&args);
        assert!(out.status.success(), "send-keys: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Types text literally.
    pub fn type_text(&self, text: &str) {
        let out = self.run(&["send-keys", "-t", "e2e", "-l", text]);
        assert!(out.status.success(), "send-keys -l: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// The visible pane as text.
    pub fn capture(&self) -> String {
        self.capture_with(false)
    }

    /// The visible pane, as text (with `escapes`: with its SGR escapes).
    pub fn capture_with(&self, escapes: bool) -> String {
        let mut args = vec!["capture-pane", "-p", "-t", "e2e"];
        if escapes {
            args.push("-e");
        }
        String::from_utf8_lossy(&self.run(&args).stdout).into_owned()
    }

    /// The pane with its whole history.
    pub fn capture_all(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-J", "-S", "-", "-t", "e2e"]).stdout).into_owned()
    }

    /// A tmux format for the pane.
    pub fn display(&self, format: &str) -> String {
        String::from_utf8_lossy(&self.run(&["display-message", "-p", "-t", "e2e", format]).stdout).trim().to_string()
    }

    /// Polls until `done` holds on a settled screen; panics after [`STEP`].
    pub fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        let mut last = String::new();
        loop {
            let screen = self.capture();
            if done(&screen) && screen == last {
                return screen;
            }
            last = screen.clone();
            if start.elapsed() > STEP {
                panic!("timed out waiting for {what}; the screen was:\n{screen}");
            }
            std::thread::sleep(POLL);
        }
    }

    /// Waits for `needle` on screen.
    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_until(&format!("`{needle}`"), |s| s.contains(needle))
    }

    /// Runs a shell line in the pane (a shell prompt must be waiting) and
    /// waits for it to finish; returns the whole history afterwards.
    pub fn shell(&self, line: &str) -> String {
        let n = SESSIONS.fetch_add(1, Ordering::SeqCst);
        let marker = format!("DONE-{n}");
        self.type_text(&format!("{line}; echo {marker}-$?"));
        self.keys(&["Enter"]);
        let start = Instant::now();
        loop {
            let all = self.capture_all();
            if all.lines().any(|l| l.starts_with(&format!("{marker}-"))) {
                return all;
            }
            if start.elapsed() > STEP * 4 {
                panic!("timed out running `{line}`:\n{all}");
            }
            std::thread::sleep(POLL);
        }
    }

    /// Checks the terminal is usable: main screen, cursor shown, tty cooked.
    pub fn assert_restored(&self) {
        assert_eq!(self.display("#{alternate_on}"), "0", "the alternate screen was left");
        assert_eq!(self.display("#{cursor_flag}"), "1", "the cursor is visible");
        self.type_text(r#"case "$(stty -a)" in *-icanon*) echo MODE-RAW;; *) echo MODE-COOKED;; esac"#);
        self.keys(&["Enter"]);
        let answered = |s: &str| s.lines().any(|l| matches!(l.trim(), "MODE-COOKED" | "MODE-RAW"));
        let screen = self.wait_until("the shell to answer (no answer: the tty is left in raw mode)", answered);
        assert!(screen.lines().any(|l| l.trim() == "MODE-COOKED"), "raw mode was left on:\n{screen}");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.command().arg("kill-server").output();
    }
}
