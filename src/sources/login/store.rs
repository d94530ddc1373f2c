//! The token store: one file per `backstage:` source in the profile's data
//! dir (`logins/<source>.json`, 0600 in a 0700 folder), written atomically.
//! It is the only place a signed-in session's tokens are kept: never the
//! config, the index or a message.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// A signed-in session for one source, as `stagehand login` stored it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The backend's base URL the tokens belong to.
    pub url: String,
    /// The OAuth client (the backend's client metadata document URL).
    pub client_id: String,
    /// The bearer token sent to the backend.
    pub access_token: String,
    /// The refresh token, when the backend issued one (`offline_access`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// When the access token expires (seconds since the Unix epoch).
    pub expires_at: u64,
    /// The user the backend signed in (`user:development/guest`), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("url", &self.url)
            .field("user", &self.user)
            .field("expires_at", &self.expires_at)
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Whether the access token has expired (or expires within a minute).
    pub fn expired(&self) -> bool {
        self.expires_at <= now().saturating_add(60)
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// A time as RFC 3339 (UTC, seconds), for "valid until" lines.
pub fn rfc3339(unix: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + std::time::Duration::from_secs(unix)).to_string()
}

/// The store file of `source` under a profile's data dir.
pub fn file(profile_data_dir: &Path, source: &str) -> PathBuf {
    profile_data_dir.join("logins").join(format!("{}.json", file_stem(source)))
}

/// A file name for a source name: its safe characters, the rest as `_`.
fn file_stem(source: &str) -> String {
    let stem: String =
        source.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if stem.is_empty() || stem.starts_with('.') { format!("_{stem}") } else { stem }
}

/// Reads a stored session; `Ok(None)` when there is none.
pub fn load(path: &Path) -> Result<Option<Session>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read the stored login {}: {e}", path.display())),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| format!("the stored login {} is damaged ({e}); run `stagehand login` again", path.display()))
}

/// Writes `session` to `path` (0600, atomically), creating the folder 0700.
pub fn save(path: &Path, session: &Session) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("cannot save the login to {}: {e}", path.display());
    let text = serde_json::to_string_pretty(session).map_err(|e| fail(&e))?;
    crate::paths::save_private(path, ".login-", text.as_bytes()).map_err(|e| fail(&e))
}

/// Deletes a stored session; whether there was one.
pub fn remove(path: &Path) -> Result<bool, String> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!("cannot remove the stored login {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session {
            url: "http://127.0.0.1:7007".into(),
            client_id: "http://127.0.0.1:7007/api/auth/.well-known/oauth-client/cli.json".into(),
            access_token: "secret-access".into(),
            refresh_token: Some("secret-refresh".into()),
            expires_at: now() + 3600,
            user: Some("user:default/guest".into()),
        }
    }

    #[test]
    fn saves_privately_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "prod");
        assert_eq!(load(&path).unwrap(), None);
        save(&path, &session()).unwrap();
        assert_eq!(load(&path).unwrap(), Some(session()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        }
        assert!(remove(&path).unwrap());
        assert!(!remove(&path).unwrap());
    }

    #[test]
    fn debug_never_shows_a_token() {
        let shown = format!("{:?}", session());
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn source_names_cannot_leave_the_folder() {
        let base = Path::new("/d");
        assert_eq!(file(base, "prod"), Path::new("/d/logins/prod.json"));
        assert_eq!(file(base, "../../etc/x"), Path::new("/d/logins/______etc_x.json"));
        assert_eq!(file(base, ""), Path::new("/d/logins/_.json"));
    }

    #[test]
    fn a_damaged_file_says_to_log_in_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "prod");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "{nope").unwrap();
        assert!(load(&path).unwrap_err().contains("run `stagehand login` again"));
    }

    #[test]
    fn expiry_allows_a_minute_of_slack() {
        let mut s = session();
        assert!(!s.expired());
        s.expires_at = now() + 30;
        assert!(s.expired());
    }
}
