//! Backstage's CLI sign-in (auth-backend's OIDC provider with client ID
//! metadata documents): discover the `cli.json` public client, send the
//! browser to `/v1/authorize` with PKCE (S256), read the redirect it ends on,
//! and trade the code for tokens at `/v1/token`.

use reqwest::StatusCode;
use serde_json::{Value, json};
use url::Url;

use super::pkce;
use super::store::{self, Session};
use super::token::TOKEN_PATH;
use crate::model::sanitize;
use crate::sources::remote::client::Client;

/// The backend's client metadata document of the CLI public client.
pub const CLIENT_DOC_PATH: &str = "/api/auth/.well-known/oauth-client/cli.json";
/// The backend's authorization endpoint.
pub const AUTHORIZE_PATH: &str = "/api/auth/v1/authorize";
/// The backend's revocation endpoint.
pub const REVOKE_PATH: &str = "/api/auth/v1/revoke";
/// The backend's user info endpoint.
pub const USERINFO_PATH: &str = "/api/auth/v1/userinfo";
/// The config key a backend needs for this flow.
pub const CONFIG_KEY: &str = "auth.clientIdMetadataDocuments.enabled: true";

/// A sign-in started: where to send the browser, and what the answer must match.
pub struct Pending {
    /// The backend's base URL.
    pub base: String,
    /// The client (its metadata document URL).
    pub client_id: String,
    /// Where the backend sends the browser back (`http://127.0.0.1:8055/callback`).
    pub redirect_uri: String,
    /// The URL to open in a browser.
    pub authorize_url: String,
    state: String,
    verifier: String,
}

/// Reads an OAuth error answer (`{error, error_description}`) for a person;
/// `grant` names what was sent ("sign-in code", "refresh token").
pub fn oauth_error(status: u16, answer: &Value, grant: &str) -> String {
    let code = answer["error"].as_str().or_else(|| answer["error"]["name"].as_str()).unwrap_or("");
    let description = answer["error_description"].as_str().or_else(|| answer["error"]["message"].as_str());
    let description = sanitize::line(description.unwrap_or("no description")).chars().take(300).collect::<String>();
    match code {
        "invalid_grant" => format!("the {grant} was refused ({description}): it expired or was already used"),
        "" => format!("the backend answered {status}: {description}"),
        _ => format!("the backend answered {status} {}: {description}", sanitize::line(code)),
    }
}

/// Builds a session from a token answer (`access_token`, `expires_in`,
/// optional `refresh_token`).
pub fn session_from(base: &str, client_id: &str, answer: &Value, user: Option<String>) -> Result<Session, String> {
    let access_token = answer["access_token"]
        .as_str()
        .filter(|t| !t.is_empty())
        .ok_or("the backend's token answer holds no `access_token`")?
        .to_string();
    let lifetime = answer["expires_in"].as_u64().unwrap_or(3600);
    Ok(Session {
        url: base.to_string(),
        client_id: client_id.to_string(),
        access_token,
        refresh_token: answer["refresh_token"].as_str().filter(|t| !t.is_empty()).map(String::from),
        expires_at: store::now().saturating_add(lifetime),
        user,
    })
}

/// Reads the backend's CLI client document and prepares the browser's URL.
pub fn begin(client: &Client) -> Result<Pending, String> {
    let base = client.base().to_string();
    let doc_url = format!("{base}{CLIENT_DOC_PATH}");
    let resp = client.http().get(&doc_url).send().map_err(|e| format!("cannot reach {base}: {}", e.without_url()))?;
    match resp.status() {
        StatusCode::OK => {}
        StatusCode::NOT_FOUND => {
            return Err(format!(
                "{base} does not offer the CLI sign-in (404 for {CLIENT_DOC_PATH}): the backend needs the auth \
                 plugin with `{CONFIG_KEY}` in its app-config (or use `token_env`/`token_file`/`token_command`)"
            ));
        }
        status => return Err(format!("{base} answered {status} for {CLIENT_DOC_PATH}")),
    }
    let doc: Value = resp.json().map_err(|e| format!("{doc_url} is not a client document: {e}"))?;
    let client_id = doc["client_id"].as_str().ok_or("the client document has no `client_id`")?.to_string();
    let redirect_uri =
        doc["redirect_uris"][0].as_str().ok_or("the client document has no `redirect_uris`")?.to_string();
    let scope = doc["scope"].as_str().unwrap_or("openid offline_access").to_string();
    let (state, verifier) = (pkce::random_token()?, pkce::random_token()?);
    let mut authorize = Url::parse(&format!("{base}{AUTHORIZE_PATH}")).map_err(|e| format!("bad url {base}: {e}"))?;
    authorize
        .query_pairs_mut()
        .append_pair("client_id", &client_id)
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("scope", &scope)
        .append_pair("state", &state)
        .append_pair("code_challenge", &pkce::challenge(&verifier))
        .append_pair("code_challenge_method", "S256");
    Ok(Pending { base, client_id, redirect_uri, authorize_url: authorize.into(), state, verifier })
}

/// What the browser's final address says: a code, or why there is none.
#[derive(Debug, PartialEq, Eq)]
pub enum Callback {
    /// The authorization code.
    Code(String),
    /// Not a callback address at all (the user pasted something else).
    NotACallback,
}

impl Pending {
    /// Reads the address the browser ended on: checks `state` and turns an
    /// `error` into a message (a denied consent, for one).
    pub fn read_callback(&self, address: &str) -> Result<Callback, String> {
        let Ok(url) = Url::parse(address.trim()) else { return Ok(Callback::NotACallback) };
        let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        if get("code").is_none() && get("error").is_none() {
            return Ok(Callback::NotACallback);
        }
        if get("state") != Some(self.state.as_str()) {
            return Err("the callback's `state` does not match this sign-in (an old or forged link): \
                        run `stagehand login` again"
                .into());
        }
        if let Some(error) = get("error") {
            let description = sanitize::line(get("error_description").unwrap_or(""));
            return Err(match error {
                "access_denied" => format!("the sign-in was denied in the browser ({description})"),
                other => format!("the backend refused the sign-in: {} ({description})", sanitize::line(other)),
            });
        }
        Ok(Callback::Code(get("code").unwrap_or_default().to_string()))
    }

    /// Trades the code for tokens, then asks who signed in.
    pub fn complete(&self, client: &Client, code: &str) -> Result<Session, String> {
        let body = json!({
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": self.verifier,
            "client_id": self.client_id,
        });
        let url = format!("{}{TOKEN_PATH}", self.base);
        let resp = client
            .http()
            .post(&url)
            .json(&body)
            .send()
            .map_err(|e| format!("cannot reach {url}: {}", e.without_url()))?;
        let status = resp.status();
        let answer: Value = resp.json().unwrap_or(Value::Null);
        if !status.is_success() {
            let why = oauth_error(status.as_u16(), &answer, "sign-in code");
            return Err(format!("{why}; run `stagehand login` again"));
        }
        let mut session = session_from(&self.base, &self.client_id, &answer, None)?;
        session.user = user_of(client, &session.access_token).ok();
        Ok(session)
    }
}

/// The user a token belongs to (`/v1/userinfo`'s `claims.sub`).
pub fn user_of(client: &Client, token: &str) -> Result<String, String> {
    let url = format!("{}{USERINFO_PATH}", client.base());
    let resp = client
        .http()
        .get(&url)
        .bearer_auth(token)
        .send()
        .map_err(|e| format!("cannot reach {url}: {}", e.without_url()))?;
    let status = resp.status();
    let info: Value = resp.json().unwrap_or(Value::Null);
    match info["claims"]["sub"].as_str() {
        Some(sub) if status.is_success() => Ok(sanitize::line(sub).into_owned()),
        _ => Err(format!("{url} answered {status} without a user")),
    }
}

/// Revokes a refresh token (best effort: the backend may not offer it).
pub fn revoke(client: &Client, session: &Session) -> Result<(), String> {
    let Some(refresh) = &session.refresh_token else { return Ok(()) };
    let url = format!("{}{REVOKE_PATH}", session.url);
    let body = json!({ "token": refresh, "token_type_hint": "refresh_token", "client_id": session.client_id });
    let resp =
        client.http().post(&url).json(&body).send().map_err(|e| format!("cannot reach {url}: {}", e.without_url()))?;
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    Err(oauth_error(status.as_u16(), &resp.json().unwrap_or(Value::Null), "refresh token"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> Pending {
        Pending {
            base: "http://b".into(),
            client_id: "http://b/api/auth/.well-known/oauth-client/cli.json".into(),
            redirect_uri: "http://127.0.0.1:8055/callback".into(),
            authorize_url: String::new(),
            state: "s1".into(),
            verifier: "v".into(),
        }
    }

    #[test]
    fn a_callback_gives_its_code_only_with_the_right_state() {
        let p = pending();
        assert_eq!(
            p.read_callback("http://127.0.0.1:8055/callback?code=abc&state=s1"),
            Ok(Callback::Code("abc".into()))
        );
        let forged = p.read_callback("http://127.0.0.1:8055/callback?code=abc&state=other").unwrap_err();
        assert!(forged.contains("does not match"), "{forged}");
        assert_eq!(p.read_callback("hello"), Ok(Callback::NotACallback));
        assert_eq!(p.read_callback("http://127.0.0.1:8055/"), Ok(Callback::NotACallback));
    }

    #[test]
    fn a_denied_consent_says_so_safely() {
        let p = pending();
        let url =
            "http://127.0.0.1:8055/callback?error=access_denied&error_description=User%20denied%1b%5d0%3bx&state=s1";
        let err = p.read_callback(url).unwrap_err();
        assert!(err.starts_with("the sign-in was denied"), "{err}");
        assert!(!err.contains('\u{1b}'), "{err:?}");
    }

    #[test]
    fn oauth_errors_read_for_people() {
        let expired =
            oauth_error(400, &json!({"error": "invalid_grant", "error_description": "Invalid code"}), "sign-in code");
        assert_eq!(expired, "the sign-in code was refused (Invalid code): it expired or was already used");
        let other = oauth_error(400, &json!({"error": "invalid_request", "error_description": "bad"}), "x");
        assert_eq!(other, "the backend answered 400 invalid_request: bad");
    }

    #[test]
    fn a_token_answer_becomes_a_session() {
        let s =
            session_from("http://b", "c", &json!({"access_token": "a", "expires_in": 100, "refresh_token": "r"}), None)
                .unwrap();
        assert_eq!((s.access_token.as_str(), s.refresh_token.as_deref()), ("a", Some("r")));
        assert!(s.expires_at >= store::now() + 99);
        assert!(session_from("http://b", "c", &json!({"token_type": "Bearer"}), None).is_err());
    }
}
