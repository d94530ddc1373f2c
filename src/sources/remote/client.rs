//! HTTP to a Backstage backend: bearer token, TLS through rustls with the
//! system roots plus an optional CA file, proxies from the environment,
//! gzip, bounded retries with backoff, and errors that say what to do.
//! The token never appears in an error or log line, nor does a password
//! written in the URL (`https://user:pass@host`): it is sent as basic auth
//! when there is no token, and every URL shown is the URL without it. Each
//! attempt, its whole body included, must end within the timeout: a body
//! trickled byte by byte fails like a silent server.

use std::io::Read;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::{Client as Http, RequestBuilder, Response};
use serde_json::Value;

use crate::config::{RemoteConfig, TokenSource};
use crate::model::sanitize;

/// Attempts per request (1 + retries) for 429, 5xx and dropped connections.
pub const ATTEMPTS: u32 = 4;

/// Largest response body accepted (a page of 10,000 fat entities fits).
pub const MAX_BODY: u64 = 512 * 1024 * 1024;

/// A failed request: a message that says what to do (never holding the
/// token) and the HTTP status when the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong, for a person.
    pub message: String,
    /// The HTTP status, when the server answered with an error.
    pub status: Option<StatusCode>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<Failure> for String {
    fn from(failure: Failure) -> String {
        failure.message
    }
}

/// The answer to a conditional GET.
#[derive(Debug, PartialEq)]
pub enum Fresh<T> {
    /// 304: the document is still the one the validator names.
    NotModified,
    /// The document as it is now, and its validator (ETag) if it has one.
    Changed(T, Option<String>),
}

/// One attempt's failure: message, HTTP status, whether retrying may help.
type Attempt = (String, Option<StatusCode>, bool);

/// A client for one Backstage backend (catalog, TechDocs, scaffolder):
/// the config's token, CA file and timeout apply to every request.
#[derive(Clone)]
pub struct Client {
    http: Http,
    base: String,
    /// User and password written in the URL, kept out of `base`.
    basic: Option<(String, Option<String>)>,
    token: Option<String>,
    token_setting: String,
    backoff: Duration,
    timeout: Duration,
}

/// Reads the token from where the config says (a stored login is renewed
/// through `http` when it has expired). Errors never contain it.
pub fn resolve_token(source: &TokenSource, http: &Http) -> Result<Option<String>, String> {
    let token = match source {
        TokenSource::None => return Ok(None),
        TokenSource::Login { source, file } => return crate::sources::login::token::access_token(http, source, file),
        TokenSource::Env(var) => {
            std::env::var(var).map_err(|_| format!("environment variable {var} (token_env) is not set"))?
        }
        TokenSource::File(path) => {
            std::fs::read_to_string(path).map_err(|e| format!("cannot read token_file {}: {e}", path.display()))?
        }
        TokenSource::Command(cmd) => {
            let out = std::process::Command::new("sh")
                .args(["-c", cmd])
                .stdin(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .output()
                .map_err(|e| format!("cannot run token_command: {e}"))?;
            if !out.status.success() {
                let stderr = String::from_utf8_lossy(&out.stderr);
                let last = stderr.lines().last().unwrap_or("").trim();
                return Err(format!("token_command failed ({}): {}", out.status, sanitize::line(last)));
            }
            String::from_utf8(out.stdout)
                .map_err(|_| "token_command printed something that is not UTF-8".to_string())?
        }
    };
    let token = token.trim().to_string();
    if token.is_empty() {
        return Err(format!("the token from {} is empty", source.setting()));
    }
    Ok(Some(token))
}

/// A warning when the token comes from a file other users may read.
pub fn token_file_warning(source: &TokenSource) -> Option<String> {
    let TokenSource::File(path) = source else { return None };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            return Some(format!(
                "token_file {} can be read by other users (mode {:o}); run `chmod 600` on it",
                path.display(),
                mode & 0o777
            ));
        }
    }
    None
}

impl Client {
    /// Builds a client from a source's config (resolving its token).
    pub fn new(config: &RemoteConfig) -> Result<Client, String> {
        let mut builder = Http::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .gzip(true);
        if let Some(ca) = &config.ca_file {
            let pem = std::fs::read(ca).map_err(|e| format!("cannot read ca_file {}: {e}", ca.display()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("ca_file {} holds no usable PEM certificate: {e}", ca.display()))?;
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder.build().map_err(|e| format!("cannot set up HTTPS: {e}"))?;
        let token = resolve_token(&config.token, &http)?;
        let (base, basic) = crate::config::split_user_info(config.url.trim_end_matches('/'));
        Ok(Client {
            http,
            base,
            basic,
            token,
            token_setting: config.token.setting(),
            backoff: Duration::from_millis(250),
            timeout: config.timeout,
        })
    }

    /// Sets the deadline of each attempt (tests).
    pub fn with_timeout(mut self, timeout: Duration) -> Client {
        self.timeout = timeout;
        self
    }

    /// Uses `token` (from `setting`, for messages) instead of the config's.
    pub fn with_token(mut self, token: Option<String>, setting: impl Into<String>) -> Client {
        self.token = token;
        self.token_setting = setting.into();
        self
    }

    /// Shortens the waits between retries (tests).
    pub fn with_backoff(mut self, backoff: Duration) -> Client {
        self.backoff = backoff;
        self
    }

    /// The backend's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The HTTP client with the source's TLS, proxy and timeout settings
    /// but no token, for protocols with error bodies of their own (OAuth).
    pub fn http(&self) -> &Http {
        &self.http
    }

    /// GET a JSON document (retried).
    pub fn get_json(&self, path: &str, query: &[(&str, String)]) -> Result<Value, Failure> {
        let url = format!("{}{path}", self.base);
        self.send(&url, ATTEMPTS, JSON, || self.http.get(&url).query(query), json_of)
    }

    /// GET a JSON document of at most `limit` bytes (decoded) read by
    /// `parse` (retried), for answers worth reading into a type of their
    /// own rather than a [`Value`].
    pub fn get_parsed<T>(
        &self,
        path: &str,
        query: &[(&str, String)],
        limit: u64,
        parse: impl Fn(&[u8]) -> serde_json::Result<T>,
    ) -> Result<T, Failure> {
        let url = format!("{}{path}", self.base);
        self.attempts(
            &url,
            ATTEMPTS,
            JSON,
            || self.http.get(&url).query(query),
            |url, resp, deadline| parsed(url, &read_body(url, resp, limit, deadline)?, &parse),
        )
    }

    /// GET a JSON document read by `parse` unless it is still the one
    /// `validator` (its ETag from last time) names (retried): a conditional
    /// request (`If-None-Match`), which the server answers with 304 and no
    /// body when nothing changed. The document is at most `limit` bytes.
    pub fn get_if_changed<T>(
        &self,
        path: &str,
        query: &[(&str, String)],
        validator: Option<&str>,
        limit: u64,
        parse: impl Fn(&[u8]) -> serde_json::Result<T>,
    ) -> Result<Fresh<T>, Failure> {
        let url = format!("{}{path}", self.base);
        let request = || {
            let get = self.http.get(&url).query(query);
            match validator {
                Some(v) => get.header(reqwest::header::IF_NONE_MATCH, v),
                None => get,
            }
        };
        self.attempts(&url, ATTEMPTS, JSON, request, |url, resp, deadline| {
            if resp.status() == StatusCode::NOT_MODIFIED {
                return Ok(Fresh::NotModified);
            }
            let etag = resp.headers().get(reqwest::header::ETAG).and_then(|v| v.to_str().ok()).map(String::from);
            let body = read_body(url, resp, limit, deadline)?;
            Ok(Fresh::Changed(parsed(url, &body, &parse)?, etag))
        })
    }

    /// GET a text document of at most `limit` bytes (retried).
    pub fn get_text(&self, path: &str, limit: u64) -> Result<String, Failure> {
        let url = format!("{}{path}", self.base);
        self.attempts(
            &url,
            ATTEMPTS,
            "text/html, */*",
            || self.http.get(&url),
            |url, resp, deadline| {
                read_body(url, resp, limit, deadline).map(|body| String::from_utf8_lossy(&body).into_owned())
            },
        )
    }

    /// GET a stream (retried until the server answers): the answer, to be
    /// read as it arrives, for as long as it lasts (no deadline). Each
    /// read waits at most the timeout.
    pub fn get_stream(&self, path: &str, query: &[(&str, String)], accept: &str) -> Result<Response, Failure> {
        let url = format!("{}{path}", self.base);
        self.attempts(&url, ATTEMPTS, accept, || self.http.get(&url).query(query), |_, resp, _| Ok(resp))
    }

    /// POST a JSON body that only reads (retried), returning the JSON
    /// answer (or null when empty).
    pub fn post_json(&self, path: &str, query: &[(&str, String)], body: &Value) -> Result<Value, Failure> {
        let url = format!("{}{path}", self.base);
        self.send(&url, ATTEMPTS, JSON, || self.http.post(&url).query(query).json(body), json_of)
    }

    /// POST a JSON body that creates something: sent once, never retried
    /// (a retry could create it twice).
    pub fn post_once(&self, path: &str, query: &[(&str, String)], body: &Value) -> Result<Value, Failure> {
        let url = format!("{}{path}", self.base);
        self.send(&url, 1, JSON, || self.http.post(&url).query(query).json(body), json_of)
    }

    fn send<T>(
        &self,
        url: &str,
        attempts: u32,
        accept: &str,
        request: impl Fn() -> RequestBuilder,
        read: impl Fn(&str, &[u8]) -> Result<T, Attempt>,
    ) -> Result<T, Failure> {
        self.attempts(url, attempts, accept, request, |url, resp, deadline| {
            read(url, &read_body(url, resp, MAX_BODY, deadline)?)
        })
    }

    /// Removes the token from a message: a server may echo what it was sent
    /// ("invalid token abc...") and its message is shown and stored.
    fn redact(&self, message: &str) -> String {
        match &self.token {
            Some(token) if token.len() >= 4 && message.contains(token.as_str()) => {
                message.replace(token.as_str(), "[token]")
            }
            _ => message.to_string(),
        }
    }

    /// Sends a request up to `attempts` times (with backoff) until `read`
    /// accepts a successful answer; the token is removed from the failure.
    /// `read` gets the attempt's deadline: the whole answer must be read
    /// by then.
    fn attempts<T>(
        &self,
        url: &str,
        attempts: u32,
        accept: &str,
        request: impl Fn() -> RequestBuilder,
        read: impl Fn(&str, Response, Instant) -> Result<T, Attempt>,
    ) -> Result<T, Failure> {
        let mut last: Attempt = (String::new(), None, false);
        for attempt in 0..attempts {
            if attempt > 0 {
                std::thread::sleep(self.backoff * 2u32.pow(attempt - 1));
            }
            let deadline = Instant::now() + self.timeout;
            let mut req = request().header("Accept", accept);
            match (&self.token, &self.basic) {
                (Some(token), _) => req = req.bearer_auth(token),
                (None, Some((user, password))) => req = req.basic_auth(user, password.as_ref()),
                (None, None) => {}
            }
            let outcome = match req.send() {
                // 304 answers the conditional requests of `get_if_changed`.
                Ok(resp) if resp.status().is_success() || resp.status() == StatusCode::NOT_MODIFIED => {
                    read(url, resp, deadline)
                }
                Ok(resp) => Err(self.error_answer(url, resp, deadline)),
                Err(e) => Err((transport_error(url, &e), None, !(e.is_builder() || e.is_redirect()))),
            };
            match outcome {
                Ok(value) => return Ok(value),
                Err(failed) if failed.2 => last = failed,
                Err((message, status, _)) => return Err(Failure { message: self.redact(&message), status }),
            }
        }
        let message = if attempts > 1 { format!("{} (after {attempts} attempts)", last.0) } else { last.0 };
        Err(Failure { message: self.redact(&message), status: last.1 })
    }

    /// An error status: its message and whether retrying may help. The
    /// token is removed from the server's words before they are shortened
    /// (a token cut in half would no longer be recognised).
    fn error_answer(&self, url: &str, resp: Response, deadline: Instant) -> Attempt {
        let status = resp.status();
        let mut body = Vec::new();
        let _ = read_until(resp, 64 * 1024, deadline, &mut body);
        let detail = server_message(&self.redact(&String::from_utf8_lossy(&body)));
        let retry = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
        (self.status_message(url, status, &detail), Some(status), retry)
    }

    fn status_message(&self, url: &str, status: StatusCode, detail: &str) -> String {
        match status {
            StatusCode::UNAUTHORIZED => format!(
                "{} refused the request (401 {detail}): the token is missing or invalid; it comes from {}",
                host(url),
                self.token_setting
            ),
            StatusCode::FORBIDDEN => {
                format!("{} denied access (403 {detail}): the token is valid but lacks permission for {url}", host(url))
            }
            StatusCode::NOT_FOUND if url.contains("/api/catalog/entities/by-query") => format!(
                "no catalog API at {}/api/catalog (404 for {url}); check the source's `url` (the backend's base URL, not the web app's)",
                self.base
            ),
            StatusCode::NOT_FOUND => format!("{} has nothing at {url} (404 {detail})", host(url)),
            _ => format!("{} answered {status} {detail} for {url}", host(url)),
        }
    }
}

/// The `Accept` header of JSON requests.
const JSON: &str = "application/json";

/// Why reading an answer stopped early.
enum Cut {
    /// The deadline passed.
    Late,
    /// The connection failed.
    Io(std::io::Error),
}

/// Reads at most `limit` bytes of `resp` into `body`, giving up at the
/// deadline (each read itself waits at most the client's timeout).
fn read_until(resp: Response, limit: u64, deadline: Instant, body: &mut Vec<u8>) -> Result<(), Cut> {
    let mut reader = resp.take(limit);
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if Instant::now() > deadline {
            return Err(Cut::Late);
        }
        match reader.read(&mut chunk) {
            Ok(0) => return Ok(()),
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Cut::Io(e)),
        }
    }
}

/// A whole answer of at most `limit` bytes, read by `deadline`.
fn read_body(url: &str, resp: Response, limit: u64, deadline: Instant) -> Result<Vec<u8>, Attempt> {
    let mut body = Vec::new();
    read_until(resp, limit + 1, deadline, &mut body).map_err(|cut| {
        let e = match cut {
            Cut::Late => {
                let message = format!(
                    "{} did not finish its answer within the timeout for {url}; raise the source's `timeout` or check the network",
                    host(url)
                );
                return (message, None, true);
            }
            Cut::Io(e) => e,
        };
        let message = if e.to_string().contains("timed out") {
            format!(
                "{} did not answer within the timeout for {url}; raise the source's `timeout` or check the network",
                host(url)
            )
        } else {
            format!("connection to {} dropped while reading the answer: {e}", host(url))
        };
        (message, None, true)
    })?;
    if body.len() as u64 > limit {
        return Err((format!("{url} answered with more than {limit} bytes"), None, false));
    }
    Ok(body)
}

/// A successful answer as JSON (null when empty).
fn json_of(url: &str, body: &[u8]) -> Result<Value, Attempt> {
    if body.is_empty() {
        return Ok(Value::Null);
    }
    parsed(url, body, |b| serde_json::from_slice(b))
}

/// A successful answer read by `parse`; a cut-off answer may be retried.
fn parsed<T>(url: &str, body: &[u8], parse: impl Fn(&[u8]) -> serde_json::Result<T>) -> Result<T, Attempt> {
    parse(body).map_err(|e| {
        let message = format!("{url} answered with something that is not JSON ({e}); is `url` the Backstage backend?");
        (message, None, e.is_eof())
    })
}

/// `{error: {name, message}}` from a Backstage error body (already
/// redacted), or its first 200 characters, sanitized.
fn server_message(body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let message = parsed
        .as_ref()
        .and_then(|v| v["error"]["message"].as_str().map(String::from))
        .unwrap_or_else(|| body.chars().take(200).collect());
    sanitize::line(message.trim()).into_owned()
}

fn host(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_else(|| url.to_string())
}

/// A transport failure, in words that point at the cause.
fn transport_error(url: &str, e: &reqwest::Error) -> String {
    let h = host(url);
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = source {
        chain = err.to_string();
        source = err.source();
    }
    let chain = sanitize::line(&chain).into_owned();
    if e.is_timeout() {
        format!("{h} did not answer within the timeout for {url}; raise the source's `timeout` or check the network")
    } else if chain.contains("certificate") || chain.contains("tls") || chain.contains("TLS") {
        format!("TLS with {h} failed: {chain}; if it uses a private CA, set `ca_file`")
    } else if e.is_connect() {
        format!("cannot reach {h}: {chain}; check `url`, the network and HTTPS_PROXY/NO_PROXY")
    } else {
        format!("request to {h} failed: {chain}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_come_from_env_file_or_command() {
        assert_eq!(resolve_token(&TokenSource::None, &Http::new()).unwrap(), None);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t");
        std::fs::write(&file, "  s3cret\n").unwrap();
        assert_eq!(resolve_token(&TokenSource::File(file), &Http::new()).unwrap().as_deref(), Some("s3cret"));
        assert_eq!(
            resolve_token(&TokenSource::Command("echo tok".into()), &Http::new()).unwrap().as_deref(),
            Some("tok")
        );
        let err = resolve_token(&TokenSource::Command("echo oops >&2; exit 3".into()), &Http::new()).unwrap_err();
        assert!(err.contains("token_command failed") && err.contains("oops"));
        let err = resolve_token(&TokenSource::Env("STAGEHAND_SURELY_UNSET_VAR".into()), &Http::new()).unwrap_err();
        assert!(err.contains("STAGEHAND_SURELY_UNSET_VAR"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let shared = dir.path().join("shared");
            std::fs::write(&shared, "t").unwrap();
            std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o644)).unwrap();
            let warning = token_file_warning(&TokenSource::File(shared.clone())).unwrap();
            assert!(warning.contains("chmod 600") && warning.contains("644"));
            std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o600)).unwrap();
            assert!(token_file_warning(&TokenSource::File(shared)).is_none());
        }
        assert!(err.contains("STAGEHAND_SURELY_UNSET_VAR"));
    }

    #[test]
    fn a_server_echoing_the_token_does_not_put_it_in_messages() {
        let config = RemoteConfig {
            url: "http://127.0.0.1:9".into(),
            token: TokenSource::Command("echo tok-abc-123".into()),
            filters: Vec::new(),
            ca_file: None,
            timeout: Duration::from_secs(1),
            page_size: 10,
        };
        let client = Client::new(&config).unwrap();
        assert_eq!(client.redact("invalid token tok-abc-123 given"), "invalid token [token] given");
    }

    #[test]
    fn server_messages_are_read_and_sanitized() {
        let body = r#"{"error":{"name":"AuthenticationError","message":"Missing credentials\u001b]0;x\u0007"}}"#;
        assert_eq!(server_message(body), "Missing credentials␛]0;x␇");
        assert_eq!(host("http://127.0.0.1:7007/api/catalog"), "127.0.0.1:7007");
    }
}
