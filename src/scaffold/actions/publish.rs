//! `publish:*` done locally: `git init` and one commit in the output
//! folder, and a push only when the user gave a remote URL. git runs
//! without a shell, without hooks and without the user's or system's git
//! config influencing what runs.

use std::path::Path;
use std::process::Command;

use serde_json::{Value as Json, json};

use super::{ActionCtx, Output, normalize_rel, str_input};

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false", "-c", "core.fsmonitor=false"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ALLOW_PROTOCOL", "https:ssh:git:file")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("git {}: {}", args.first().unwrap_or(&""), err.trim()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Any `publish:*` action.
pub fn publish(action: &str, input: &Json, ctx: &mut ActionCtx<'_>) -> Result<Output, String> {
    let source = normalize_rel(str_input(input, "sourcePath").unwrap_or("."));
    let dir = ctx.root.resolve(&source).map_err(|e| e.to_string())?;
    let branch = str_input(input, "defaultBranch").or(str_input(input, "branchName")).unwrap_or("main");
    let message = str_input(input, "gitCommitMessage").unwrap_or("initial commit");
    let shown =
        if source == "." || source.is_empty() { ctx.shown_root.to_path_buf() } else { ctx.shown_root.join(&source) };
    let url = format!("file://{}", shown.display());
    let mut out = Output::new();
    out.insert("remoteUrl".into(), json!(ctx.git_remote.unwrap_or(&url)));
    out.insert("repoContentsUrl".into(), json!(url));
    if ctx.dry_run {
        (ctx.log)(format!("{action}: dry run, would `git init` and commit {source} on branch {branch}"));
        return Ok(out);
    }
    if dir.join(".git").exists() {
        return Err(format!("{} already is a git repository; stagehand only creates new ones", dir.display()));
    }
    (ctx.log)(format!("{action}: publishing locally (git init + commit in {})", dir.display()));
    git(&dir, &["init", "-q"])?;
    git(&dir, &["symbolic-ref", "HEAD", &format!("refs/heads/{branch}")])?;
    git(&dir, &["add", "-A"])?;
    let name = str_input(input, "gitAuthorName").unwrap_or("stagehand");
    let email = str_input(input, "gitAuthorEmail").unwrap_or("stagehand@localhost");
    let who = ctx.user_ref.unwrap_or(name);
    git(
        &dir,
        &[
            "-c",
            &format!("user.name={who}"),
            "-c",
            &format!("user.email={email}"),
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            message,
        ],
    )?;
    let hash = git(&dir, &["rev-parse", "HEAD"])?;
    (ctx.log)(format!("Committed {hash} on {branch}"));
    out.insert("commitHash".into(), json!(hash));
    if let Some(remote) = ctx.git_remote {
        ctx.check_cancel()?;
        git(&dir, &["remote", "add", "origin", remote])?;
        (ctx.log)(format!("Pushing {branch} to {remote}"));
        git(&dir, &["push", "-q", "-u", "origin", branch])?;
    } else {
        (ctx.log)("No remote given: not pushed (give one with --git-remote URL)".into());
    }
    Ok(out)
}
