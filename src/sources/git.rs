//! Git repositories by URL: shallow-cloned into the cache on first sync,
//! fetched on later ones, then scanned like a local directory. Uses the
//! system `git`, never a shell, with prompts and the `ext::` transport off;
//! URLs and refs come after `--` (or as `--branch=`), and a branch that
//! starts with `-` is refused, so no value is ever read as an option. A
//! user and password written in the URL never appear in a message.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether a URL is one stagehand will hand to git.
pub fn check_url(url: &str) -> Result<(), String> {
    let scp_like = url.contains('@') && url.contains(':') && !url.contains("://");
    let allowed = ["https://", "http://", "ssh://", "git://", "file://"].iter().any(|s| url.starts_with(s));
    if url.starts_with('-') || !(allowed || scp_like) {
        return Err(format!("git URL `{url}` is not supported: use https://, ssh://, git@host:org/repo or file://"));
    }
    Ok(())
}

/// Whether a branch name is one stagehand will hand to git: not empty, no
/// leading `-` (git would read it as an option), no whitespace or control
/// characters.
pub fn check_branch(branch: &str) -> Result<(), String> {
    if branch.is_empty() || branch.starts_with('-') || branch.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "branch `{}` is not a branch name: it must not be empty, start with `-` or hold spaces or control characters",
            crate::model::sanitize::line(branch)
        ));
    }
    Ok(())
}

/// The folder a repository is cloned into: readable name plus a hash of the URL.
pub fn checkout_dir(cache_dir: &Path, url: &str) -> PathBuf {
    let name: String = url
        .trim_end_matches('/')
        .trim_end_matches(".git")
        .rsplit(['/', ':'])
        .next()
        .unwrap_or("repo")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    let hash = sha1_smol::Sha1::from(url).digest().to_string();
    cache_dir.join("git").join(format!("{name}-{}", &hash[..12]))
}

fn git(args: &[&str], cwd: Option<&Path>) -> Result<(), String> {
    let mut cmd = Command::new("git");
    cmd.args(["-c", "protocol.ext.allow=never", "-c", "core.hooksPath=/dev/null"])
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "true")
        .stdin(std::process::Stdio::null());
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let output = cmd.output().map_err(|e| format!("could not run git: {e}; is git installed?"))?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message");
        Err(format!("git {} failed: {}", args.first().unwrap_or(&""), last.trim()))
    }
}

/// Clones (first time) or fetches (later) `url` into the cache and returns
/// the checkout folder. Errors never hold a password written in the URL.
pub fn sync_checkout(cache_dir: &Path, url: &str, branch: Option<&str>) -> Result<PathBuf, String> {
    checkout(cache_dir, url, branch).map_err(|e| without_secrets(&e, url))
}

/// `message` with `url` as shown (no user-info) and its password removed.
fn without_secrets(message: &str, url: &str) -> String {
    let shown = crate::config::without_user_info(url);
    let mut clean = message.replace(url, &shown);
    if let Some((_, Some(password))) = crate::config::split_user_info(url).1
        && !password.is_empty()
    {
        clean = clean.replace(&password, "[password]");
    }
    clean
}

fn checkout(cache_dir: &Path, url: &str, branch: Option<&str>) -> Result<PathBuf, String> {
    check_url(url)?;
    if let Some(b) = branch {
        check_branch(b)?;
    }
    let dir = checkout_dir(cache_dir, url);
    if dir.join(".git").is_dir() {
        let refspec = branch.unwrap_or("HEAD");
        git(&["fetch", "--depth", "1", "--quiet", "--", "origin", refspec], Some(&dir))?;
        git(&["reset", "--hard", "--quiet", "FETCH_HEAD"], Some(&dir))?;
        return Ok(dir);
    }
    if let Some(parent) = dir.parent() {
        crate::paths::create_private_dir(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let partial = dir.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    let target = partial.to_string_lossy().to_string();
    let branch_arg = branch.map(|b| format!("--branch={b}"));
    let mut args = vec!["clone", "--depth", "1", "--quiet", "--no-tags"];
    args.extend(branch_arg.as_deref());
    args.extend(["--", url, &target]);
    git(&args, None)?;
    std::fs::rename(&partial, &dir).map_err(|e| format!("cannot move the clone into place: {e}"))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_urls_and_refuses_options() {
        for ok in ["https://h/o/r.git", "ssh://git@h/o/r", "git@github.com:o/r.git", "file:///tmp/r"] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in ["-uhack", "ext::sh -c x", "/tmp/r"] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn branches_that_git_would_read_as_options_are_refused() {
        for ok in ["main", "release/1.2", "feature-x"] {
            assert!(check_branch(ok).is_ok(), "{ok}");
        }
        for bad in ["--upload-pack=touch /tmp/pwned", "-b", "", "a b", "x\u{1b}]0;t\u{7}"] {
            let error = check_branch(bad).unwrap_err();
            assert!(!error.contains('\u{1b}'), "{error}");
        }
    }

    #[test]
    fn messages_never_hold_the_password_of_the_url() {
        let url = "https://bob:gh-pat-123@git.example.com/o/r.git";
        let message = format!("git clone failed: fatal: repository '{url}' not found; auth gh-pat-123");
        let clean = without_secrets(&message, url);
        assert!(!clean.contains("gh-pat-123") && clean.contains("https://git.example.com/o/r.git"), "{clean}");
    }

    #[test]
    fn checkout_dirs_are_readable_and_distinct() {
        let a = checkout_dir(Path::new("/c"), "https://h/o/payments.git");
        let b = checkout_dir(Path::new("/c"), "git@h:o/payments.git");
        assert!(a.file_name().unwrap().to_string_lossy().starts_with("payments-"));
        assert_ne!(a, b);
    }
}
