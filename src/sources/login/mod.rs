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

/// Points every `backstage:` source that names no token at the session
/// `stagehand login` stores for it under `profile_data_dir` (none yet is
/// anonymous, as before; a login later in the same run is picked up).
pub fn use_logins(config: &mut Config, profile_data_dir: &Path) {
    for source in &mut config.sources {
        if let SourceKind::Backstage(remote) = &mut source.kind
            && remote.token == TokenSource::None
        {
            let file = store::file(profile_data_dir, &source.name);
            remote.token = TokenSource::Login { source: source.name.clone(), file };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sources_without_a_token_setting_use_logins() {
        let dir = tempfile::tempdir().unwrap();
        let text = "sources:\n  - name: a\n    backstage: {url: 'http://a'}\n  - name: b\n    backstage: {url: 'http://b', token_env: T}\n  - name: c\n    dir: /x\n";
        let mut config = Config::parse(text, "c.yaml", None).unwrap();
        use_logins(&mut config, dir.path());
        let tokens: Vec<&TokenSource> = config
            .sources
            .iter()
            .filter_map(|s| match &s.kind {
                SourceKind::Backstage(r) => Some(&r.token),
                _ => None,
            })
            .collect();
        let login = TokenSource::Login { source: "a".into(), file: store::file(dir.path(), "a") };
        assert_eq!(tokens, [&login, &TokenSource::Env("T".into())]);
    }
}
