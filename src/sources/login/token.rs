//! The bearer token of a signed-in source: the stored access token while it
//! is fresh, renewed with the refresh token when the backend issued one,
//! otherwise an error that says to sign in again.

use std::path::Path;

use reqwest::blocking::Client as Http;
use serde_json::{Value, json};

use super::store::{self, Session};

/// The token endpoint under a backend's base URL.
pub const TOKEN_PATH: &str = "/api/auth/v1/token";

/// The message for a session that cannot be used any more.
pub fn expired_message(source: &str) -> String {
    format!(
        "the session of `stagehand login` for source `{source}` has expired: run `stagehand login --source {source}`"
    )
}

/// The access token stored for `source` in `file`, renewed through `http`
/// when it has expired and a refresh token is there. `Ok(None)` when there
/// is no stored session (signed out since the config was read).
pub fn access_token(http: &Http, source: &str, file: &Path) -> Result<Option<String>, String> {
    let Some(session) = store::load(file)? else { return Ok(None) };
    if !session.expired() {
        return Ok(Some(session.access_token));
    }
    let Some(refresh) = session.refresh_token.clone() else { return Err(expired_message(source)) };
    let renewed = renew(http, &session, &refresh).map_err(|why| format!("{} ({why})", expired_message(source)))?;
    store::save(file, &renewed)?;
    Ok(Some(renewed.access_token))
}

/// Trades the refresh token for a new access token (and refresh token).
fn renew(http: &Http, session: &Session, refresh: &str) -> Result<Session, String> {
    let url = format!("{}{TOKEN_PATH}", session.url);
    let body = json!({ "grant_type": "refresh_token", "refresh_token": refresh });
    let resp = http.post(&url).json(&body).send().map_err(|e| format!("cannot reach {url}: {}", e.without_url()))?;
    let status = resp.status();
    let answer: Value = resp.json().unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(super::flow::oauth_error(status.as_u16(), &answer, "refresh token"));
    }
    super::flow::session_from(&session.url, &session.client_id, &answer, session.user.clone()).map(|mut s| {
        // A server that rotates nothing keeps the old refresh token valid.
        s.refresh_token = s.refresh_token.or_else(|| Some(refresh.to_string()));
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_session_needs_no_request_and_a_missing_one_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let file = store::file(dir.path(), "prod");
        let http = Http::new();
        assert_eq!(access_token(&http, "prod", &file).unwrap(), None);
        let session = Session {
            // Nothing listens here: a request would fail the test.
            url: "http://127.0.0.1:9".into(),
            client_id: "c".into(),
            access_token: "SECRET-ACCESS".into(),
            refresh_token: None,
            expires_at: store::now() + 3600,
            user: None,
        };
        store::save(&file, &session).unwrap();
        assert_eq!(access_token(&http, "prod", &file).unwrap().as_deref(), Some("SECRET-ACCESS"));
        store::save(&file, &Session { expires_at: store::now(), ..session.clone() }).unwrap();
        let err = access_token(&http, "prod", &file).unwrap_err();
        assert!(err.contains("run `stagehand login --source prod`"), "{err}");
        store::save(&file, &Session { expires_at: 0, refresh_token: Some("r".into()), ..session }).unwrap();
        let err = access_token(&http, "prod", &file).unwrap_err();
        assert!(err.contains("has expired") && err.contains("cannot reach"), "{err}");
        assert!(!err.contains("SECRET"), "{err}");
    }
}
