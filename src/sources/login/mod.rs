//! Signing in to a `backstage:` source with Backstage's own CLI flow (OAuth
//! 2 authorization code + PKCE, the backend's `cli.json` client), made for
//! SSH: the browser's answer comes back through a loopback listener or is
//! pasted. Sessions live in the token store, one file per source; a source
//! without `token_env`/`token_command`/`token_file` uses its stored session.

pub mod callback;
pub mod flow;
mod pkce;
pub mod store;
pub mod token;

use std::path::Path;

use crate::config::{Config, SourceKind, TokenSource};

/// Points every `backstage:` source that names no token at its stored
/// session, when `stagehand login` stored one under `profile_data_dir`.
pub fn use_stored_sessions(config: &mut Config, profile_data_dir: &Path) {
    for source in &mut config.sources {
        if let SourceKind::Backstage(remote) = &mut source.kind
            && remote.token == TokenSource::None
        {
            let file = store::file(profile_data_dir, &source.name);
            if file.is_file() {
                remote.token = TokenSource::Login { source: source.name.clone(), file };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sources_without_a_token_setting_use_the_stored_session() {
        let dir = tempfile::tempdir().unwrap();
        let text = "sources:\n  - name: a\n    backstage: {url: 'http://a'}\n  - name: b\n    backstage: {url: 'http://b', token_env: T}\n  - name: c\n    backstage: {url: 'http://c'}\n";
        let mut config = Config::parse(text, "c.yaml", None).unwrap();
        for name in ["a", "b"] {
            let session = store::Session {
                url: format!("http://{name}"),
                client_id: "c".into(),
                access_token: "t".into(),
                refresh_token: None,
                expires_at: 0,
                user: None,
            };
            store::save(&store::file(dir.path(), name), &session).unwrap();
        }
        use_stored_sessions(&mut config, dir.path());
        let tokens: Vec<&TokenSource> = config
            .sources
            .iter()
            .map(|s| match &s.kind {
                SourceKind::Backstage(r) => &r.token,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(tokens[0], &TokenSource::Login { source: "a".into(), file: store::file(dir.path(), "a") });
        assert_eq!(tokens[1], &TokenSource::Env("T".into()));
        assert_eq!(tokens[2], &TokenSource::None);
    }
}
