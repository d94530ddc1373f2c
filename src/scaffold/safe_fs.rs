//! Writing inside one folder and nowhere else. Every path an action names
//! (rendered file names, `targetPath`, `fs:*` arguments, `catalog:write`'s
//! `filePath`) goes through [`SafeRoot::resolve`]: absolute paths, `..`
//! that leaves the root and symlinks anywhere on the way are refused, and
//! files are opened without following a symlink at the last component.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// A path an action may not use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refusing path `{path}`: {reason}")]
pub struct PathError {
    /// The path as given.
    pub path: String,
    /// Why.
    pub reason: String,
}

fn refuse(path: &str, reason: &str) -> PathError {
    PathError { path: path.to_string(), reason: reason.to_string() }
}

/// The folder actions write into.
#[derive(Debug, Clone)]
pub struct SafeRoot {
    root: PathBuf,
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// A new file.
    Created,
    /// An existing file was replaced (overwrite allowed).
    Replaced,
    /// The file existed and was left alone.
    Skipped,
}

impl SafeRoot {
    /// Creates the folder if needed and pins its real path.
    pub fn create(root: &Path) -> std::io::Result<SafeRoot> {
        std::fs::create_dir_all(root)?;
        Ok(SafeRoot { root: root.canonicalize()? })
    }

    /// The root's real path.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Resolves a relative path inside the root, refusing absolute paths,
    /// escapes through `..` and any symlink along the way (the last
    /// component may be a symlink only when `allow_final_link`).
    pub fn resolve_with(&self, rel: &str, allow_final_link: bool) -> Result<PathBuf, PathError> {
        if rel.contains('\0') {
            return Err(refuse(rel, "it contains a NUL byte"));
        }
        let p = Path::new(rel);
        let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
        for c in p.components() {
            match c {
                Component::Prefix(_) | Component::RootDir => return Err(refuse(rel, "absolute paths are not allowed")),
                Component::CurDir => {}
                Component::ParentDir => {
                    if parts.pop().is_none() {
                        return Err(refuse(rel, "it leaves the output folder"));
                    }
                }
                Component::Normal(s) => parts.push(s),
            }
        }
        if parts.iter().any(|s| s.eq_ignore_ascii_case(".git")) {
            return Err(refuse(rel, "stagehand does not write inside .git folders"));
        }
        let mut current = self.root.clone();
        for (i, part) in parts.iter().enumerate() {
            current.push(part);
            let last = i + 1 == parts.len();
            match std::fs::symlink_metadata(&current) {
                Ok(m) if m.file_type().is_symlink() && !(last && allow_final_link) => {
                    return Err(refuse(rel, "a symlink is in the way"));
                }
                Ok(m) if !last && !m.is_dir() => return Err(refuse(rel, "a file is in the way")),
                _ => {}
            }
        }
        Ok(current)
    }

    /// [`SafeRoot::resolve_with`] with no symlink allowed.
    pub fn resolve(&self, rel: &str) -> Result<PathBuf, PathError> {
        self.resolve_with(rel, false)
    }

    /// The path relative to the root, `/`-separated.
    pub fn relative(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
    }

    /// Creates a folder (and its parents) inside the root.
    pub fn create_dir(&self, rel: &str) -> Result<PathBuf, String> {
        let path = self.resolve(rel).map_err(|e| e.to_string())?;
        std::fs::create_dir_all(&path).map_err(|e| format!("cannot create {rel}: {e}"))?;
        Ok(path)
    }

    /// Writes a file inside the root. An existing file is left alone
    /// unless `overwrite`; a symlink at the path is never written through.
    pub fn write(&self, rel: &str, bytes: &[u8], mode: Option<u32>, overwrite: bool) -> Result<Written, String> {
        let path = self.resolve(rel).map_err(|e| e.to_string())?;
        let existed = std::fs::symlink_metadata(&path).is_ok();
        if existed && !overwrite {
            return Ok(Written::Skipped);
        }
        if let Some(parent) = path.parent() {
            let parent_rel = self.relative(parent);
            if !parent_rel.is_empty() {
                self.create_dir(&parent_rel)?;
            }
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NOFOLLOW);
            if let Some(m) = mode {
                options.mode(m & 0o777);
            }
        }
        let mut file = options.open(&path).map_err(|e| format!("cannot write {rel}: {e}"))?;
        file.write_all(bytes).map_err(|e| format!("cannot write {rel}: {e}"))?;
        #[cfg(unix)]
        if let Some(m) = mode {
            use std::os::unix::fs::PermissionsExt;
            let _ = file.set_permissions(std::fs::Permissions::from_mode(m & 0o777));
        }
        Ok(if existed { Written::Replaced } else { Written::Created })
    }

    /// Creates a symlink inside the root whose target stays inside it.
    ///
    /// A lexical check is not enough: in `a/s/../x` the real `..` is taken
    /// from wherever the link `a/s` points, not from `a`. So a target may
    /// only climb (`..`) first, from the link's real folder and no higher
    /// than the root, then descend through plain names: every link in the
    /// root was made by this function, so descending from a place inside
    /// the root, through links or not, stays inside.
    pub fn symlink(&self, rel: &str, target: &Path, overwrite: bool) -> Result<Written, String> {
        let path = self.resolve(rel).map_err(|e| e.to_string())?;
        let refuse = |why: &str| Err(format!("refusing symlink {rel} -> {}: {why}", target.display()));
        if target.is_absolute() {
            return refuse("absolute target");
        }
        let depth = path.parent().and_then(|p| p.strip_prefix(&self.root).ok()).map_or(0, |p| p.components().count());
        let mut climbing = true;
        let mut climbed = 0;
        for part in target.components() {
            match part {
                Component::ParentDir if climbing => climbed += 1,
                Component::ParentDir => return refuse("`..` after a name can leave the output folder through a link"),
                Component::CurDir => {}
                Component::Normal(_) => climbing = false,
                _ => return refuse("absolute target"),
            }
        }
        if climbed > depth {
            return refuse("it points outside the output folder");
        }
        let existed = std::fs::symlink_metadata(&path).is_ok();
        if existed && !overwrite {
            return Ok(Written::Skipped);
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create the folder of {rel}: {e}"))?;
        }
        if existed {
            std::fs::remove_file(&path).map_err(|e| format!("cannot replace {rel}: {e}"))?;
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(target, &path).map_err(|e| format!("cannot link {rel}: {e}"))?;
        Ok(if existed { Written::Replaced } else { Written::Created })
    }
}

/// Reads a regular file without following a symlink at any point of its
/// path below `root`; `Ok(None)` for anything else (a link, a folder, a
/// FIFO).
pub fn read_regular(root: &SafeRoot, rel: &str) -> Result<Option<Vec<u8>>, String> {
    let path = root.resolve(rel).map_err(|e| e.to_string())?;
    read_no_follow(&path).map_err(|e| format!("cannot read {rel}: {e}"))
}

/// Reads `path` if it is a regular file, never following a symlink at
/// its last component; `Ok(None)` when it is not a regular file.
pub fn read_no_follow(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let mut file = match options.open(path) {
        Ok(f) => f,
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Ok(None),
        Err(e) => return Err(e),
    };
    if !file.metadata()?.is_file() {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

/// Every entry under `dir` (files, folders, symlinks), relative and
/// `/`-separated, sorted; symlinks are listed, never followed.
pub fn walk(dir: &Path) -> std::io::Result<Vec<(String, std::fs::Metadata)>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let meta = std::fs::symlink_metadata(entry.path())?;
            let rel = entry.path().strip_prefix(dir).map(Path::to_path_buf).unwrap_or_default();
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            if meta.is_dir() {
                stack.push(entry.path());
            }
            out.push((rel, meta));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = SafeRoot::create(&tmp.path().join("out")).unwrap();
        for bad in ["../x", "/etc/passwd", "a/../../x", ".git/config", "a/.GIT/hooks/x"] {
            assert!(root.resolve(bad).is_err(), "{bad}");
        }
        assert!(root.resolve("a/../b").unwrap().ends_with("out/b"));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(tmp.path(), root.path().join("link")).unwrap();
            assert!(root.resolve("link/x").is_err());
            assert!(root.write("link", b"x", None, true).is_err());
            assert!(root.symlink("l2", Path::new("../../x"), false).is_err());
            assert!(root.symlink("l3", Path::new("/etc"), false).is_err());
            assert_eq!(root.symlink("l4", Path::new("b"), false), Ok(Written::Created));
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_through_links_cannot_climb_out() {
        // Issue 23 #4: a deep link up to the root, then a link climbing
        // from inside it, passed a lexical check.
        let tmp = tempfile::tempdir().unwrap();
        let root = SafeRoot::create(&tmp.path().join("out")).unwrap();
        let deep = "a/b/c/d/e/f/g/h/i/j";
        root.create_dir(deep).unwrap();
        let up = Path::new("../../../../../../../../../..");
        assert_eq!(root.symlink(&format!("{deep}/s"), up, false), Ok(Written::Created));
        let leak = format!("{deep}/s/../../../../../../../../../../../etc/passwd");
        assert!(root.symlink("leak", Path::new(&leak), false).unwrap_err().contains("after a name"));
        assert!(root.symlink("a/up", Path::new("../.."), false).unwrap_err().contains("outside"));
        assert_eq!(root.symlink("a/sib", Path::new("../a/b"), false), Ok(Written::Created));
        assert_eq!(root.symlink("via", Path::new("a/b/c/d/e/f/g/h/i/j/s/a"), false), Ok(Written::Created));
        assert!(read_regular(&root, "via").unwrap_err().contains("symlink"));
        root.write("f.txt", b"x", None, false).unwrap();
        assert_eq!(read_regular(&root, "f.txt").unwrap(), Some(b"x".to_vec()));
        std::os::unix::fs::symlink("/etc/hostname", root.path().join("raw")).unwrap();
        assert_eq!(read_no_follow(&root.path().join("raw")).unwrap(), None);
    }

    #[test]
    fn existing_files_are_kept_unless_asked() {
        let tmp = tempfile::tempdir().unwrap();
        let root = SafeRoot::create(tmp.path()).unwrap();
        assert_eq!(root.write("d/f.txt", b"1", Some(0o755), false), Ok(Written::Created));
        assert_eq!(root.write("d/f.txt", b"2", None, false), Ok(Written::Skipped));
        assert_eq!(std::fs::read(tmp.path().join("d/f.txt")).unwrap(), b"1");
        assert_eq!(root.write("d/f.txt", b"3", None, true), Ok(Written::Replaced));
        assert_eq!(walk(tmp.path()).unwrap().iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), ["d", "d/f.txt"]);
    }
}
