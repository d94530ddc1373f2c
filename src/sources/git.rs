//! Git repositories by URL: shallow-cloned into the cache on first sync,
//! fetched on later ones, then scanned like a local directory. Uses the
//! system `git`, never a shell, with prompts and the `ext::` transport off.

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

/// Creates the checkouts' folder readable only by its owner (0700 on Unix).
fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Clones (first time) or fetches (later) `url` into the cache and returns
/// the checkout folder.
pub fn sync_checkout(cache_dir: &Path, url: &str, branch: Option<&str>) -> Result<PathBuf, String> {
    check_url(url)?;
    let dir = checkout_dir(cache_dir, url);
    if dir.join(".git").is_dir() {
        let refspec = branch.unwrap_or("HEAD");
        git(&["fetch", "--depth", "1", "--quiet", "origin", refspec], Some(&dir))?;
        git(&["reset", "--hard", "--quiet", "FETCH_HEAD"], Some(&dir))?;
        return Ok(dir);
    }
    if let Some(parent) = dir.parent() {
        private_dir(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let partial = dir.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    let target = partial.to_string_lossy().to_string();
    let mut args = vec!["clone", "--depth", "1", "--quiet", "--no-tags"];
    if let Some(b) = branch {
        args.extend(["--branch", b]);
    }
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
    fn checkout_dirs_are_readable_and_distinct() {
        let a = checkout_dir(Path::new("/c"), "https://h/o/payments.git");
        let b = checkout_dir(Path::new("/c"), "git@h:o/payments.git");
        assert!(a.file_name().unwrap().to_string_lossy().starts_with("payments-"));
        assert_ne!(a, b);
    }
}
