//! Where stagehand keeps things: the config file, the index cache and the
//! data dir (stars), per profile. The XDG variables move every dir;
//! `--config` and `STAGEHAND_CONFIG` pick another config file, which also
//! gets its own profile (its own index).

use std::path::{Path, PathBuf};

/// The profile of the built-in demo catalog.
pub const DEMO_PROFILE: &str = "demo";

/// Resolved locations.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The config file in use (it may not exist).
    pub config_file: PathBuf,
    /// The config dir (user keymap and themes live here).
    pub config_dir: PathBuf,
    /// The cache dir (indexes, git checkouts, the unpacked demo).
    pub cache_dir: PathBuf,
    /// The data dir (starred entities).
    pub data_dir: PathBuf,
    /// The profile: `default`, or derived from a non-default config path.
    pub profile: String,
    /// Set when no usable home was found and a temporary folder is used.
    pub fallback_warning: Option<String>,
}

impl Paths {
    /// Resolves every location; `config_override` comes from `--config` or
    /// `STAGEHAND_CONFIG`.
    pub fn resolve(config_override: Option<PathBuf>) -> Paths {
        let fallback = |why: String| {
            let tmp = std::env::temp_dir().join(format!("stagehand-{}", user_tag()));
            let warning = format!("{why}; using {} for config, cache and data", tmp.display());
            (tmp.join("config"), tmp.join("cache"), tmp.join("data"), Some(warning))
        };
        let (config_dir, cache_dir, data_dir, fallback_warning) =
            match directories::ProjectDirs::from("", "", "stagehand") {
                Some(dirs) => match unusable(&[dirs.cache_dir(), dirs.data_dir()]) {
                    None => (
                        dirs.config_dir().to_path_buf(),
                        dirs.cache_dir().to_path_buf(),
                        dirs.data_dir().to_path_buf(),
                        None,
                    ),
                    Some(why) => fallback(why),
                },
                None => fallback("no home directory found".to_string()),
            };
        let default_config = config_dir.join("config.yaml");
        let (config_file, profile) = match config_override {
            Some(path) if path != default_config => {
                let profile = profile_for(&path);
                (path, profile)
            }
            _ => (default_config, "default".to_string()),
        };
        Paths { config_file, config_dir, cache_dir, data_dir, profile, fallback_warning }
    }

    /// The same locations with the demo's own profile: stars and other
    /// per-profile data of the demo never touch a real profile.
    pub fn for_demo(mut self) -> Paths {
        self.profile = DEMO_PROFILE.to_string();
        self
    }

    /// The index file of the profile.
    pub fn index_file(&self) -> PathBuf {
        self.cache_dir.join("profiles").join(&self.profile).join("index.bin")
    }

    /// The profile's data folder.
    pub fn profile_data_dir(&self) -> PathBuf {
        self.data_dir.join("profiles").join(&self.profile)
    }

    /// The user's keymap override file.
    pub fn keymap_file(&self) -> PathBuf {
        self.config_dir.join("keymap.yaml")
    }

    /// The user's themes folder.
    pub fn themes_dir(&self) -> PathBuf {
        self.config_dir.join("themes")
    }
}

/// Why the first of `dirs` that is missing cannot be created (no writable
/// home), or `None` when each exists or could be made. A dir that exists is
/// left alone: a read-only cache with an index still serves reads.
fn unusable(dirs: &[&Path]) -> Option<String> {
    for dir in dirs {
        if dir.is_dir() {
            continue;
        }
        if let Err(e) = crate::index::store::create_private_dir(dir) {
            return Some(format!("cannot create {} ({e}): no writable home", dir.display()));
        }
    }
    None
}

fn user_tag() -> String {
    std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "user".into())
}

/// A readable, unique profile name for a config path.
fn profile_for(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let stem: String = absolute
        .file_stem()
        .map(|s| s.to_string_lossy().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect())
        .unwrap_or_default();
    let hash = sha1_smol::Sha1::from(absolute.to_string_lossy().as_bytes()).digest().to_string();
    format!("{stem}-{}", &hash[..10])
}

/// Creates a folder readable only by its owner (0700 on Unix), with its parents.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Replaces `path` with `bytes` atomically: a 0600 temporary file (named
/// `prefix…`) in the same 0700 folder, renamed into place, so a reader sees
/// the old file or the new one, never a part.
pub fn save_private(path: &Path, prefix: &str, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    // tempfile creates the file 0600; persist renames it into place.
    let mut tmp = tempfile::Builder::new().prefix(prefix).tempfile_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_files_replace_whole_and_stay_private() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("a/b/state.json");
        save_private(&path, ".state-", b"first").unwrap();
        save_private(&path, ".state-", b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> =
            std::fs::read_dir(path.parent().unwrap()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names, ["state.json"], "no temporary is left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
        }
    }

    #[test]
    fn other_configs_get_their_own_profile() {
        let a = Paths::resolve(Some("/tmp/team.yaml".into()));
        let b = Paths::resolve(Some("/tmp/other/team.yaml".into()));
        assert!(a.profile.starts_with("team-"));
        assert_ne!(a.profile, b.profile);
        assert_ne!(a.index_file(), b.index_file());
        assert_eq!(Paths::resolve(None).profile, "default");
    }

    #[test]
    fn the_demo_has_its_own_profile() {
        let real = Paths::resolve(None);
        let demo = real.clone().for_demo();
        assert_eq!(demo.profile, DEMO_PROFILE);
        assert_ne!(demo.profile_data_dir(), real.profile_data_dir());
        assert_ne!(demo.index_file(), real.index_file());
    }
}
