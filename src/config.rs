//! `config.yaml`: sources, patterns, identity and UI settings, read with line
//! numbers so every mistake names its line. Unknown keys are errors.

use std::path::{Path, PathBuf};

use crate::model::yaml::{self, Limits, MapEntry, Node, NodeValue, Pos};

pub mod terminal;
pub use terminal::{PluginConfig, TerminalSettings};

/// One configured source of entities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceConfig {
    /// The source's name (unique).
    pub name: String,
    /// Where its entities come from.
    pub kind: SourceKind,
}

/// The kinds of source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// A local folder, walked for catalog files.
    Dir(PathBuf),
    /// One catalog file, fanned out through its Locations.
    File(PathBuf),
    /// A git repository, cloned into the cache and walked.
    Git {
        /// The clone URL.
        url: String,
        /// The branch, when not the default one.
        branch: Option<String>,
    },
    /// A remote Backstage catalog, crawled through its REST API.
    Backstage(RemoteConfig),
}

/// Where a remote catalog's token comes from. The token itself is never
/// stored in the config, the index or any message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// No token (the backend allows anonymous reads).
    None,
    /// An environment variable.
    Env(String),
    /// A command whose standard output is the token.
    Command(String),
    /// A file holding the token.
    File(PathBuf),
    /// The session `stagehand login` stored for the source `source` in
    /// `file` (used when none of the three settings is given).
    Login {
        /// The source's name, for messages.
        source: String,
        /// The token store file.
        file: PathBuf,
    },
}

impl TokenSource {
    /// The config key that supplies the token, for messages.
    pub fn setting(&self) -> String {
        match self {
            TokenSource::None => {
                "no token is configured: set `token_env`, `token_command` or `token_file`, or run `stagehand login`"
                    .into()
            }
            TokenSource::Login { source, .. } => {
                format!("`stagehand login --source {source}` (run it again if the session expired)")
            }
            TokenSource::Env(v) => format!("`token_env: {v}`"),
            TokenSource::Command(c) => format!("`token_command: {c}`"),
            TokenSource::File(f) => format!("`token_file: {}`", f.display()),
        }
    }
}

/// A `backstage:` source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteConfig {
    /// Base URL of the Backstage backend (no trailing slash).
    pub url: String,
    /// Where the token comes from.
    pub token: TokenSource,
    /// `filter` values sent to `/entities/by-query` (each one ORed).
    pub filters: Vec<String>,
    /// Extra CA certificates (PEM) trusted besides the system roots.
    pub ca_file: Option<PathBuf>,
    /// Per-request timeout.
    pub timeout: std::time::Duration,
    /// Entities per page.
    pub page_size: usize,
}

impl RemoteConfig {
    /// A backend at `url` with the defaults: no token, no filter, the
    /// system CAs, a 30 s timeout and pages of 500.
    pub fn new(url: &str) -> RemoteConfig {
        RemoteConfig {
            url: url.trim_end_matches('/').to_string(),
            token: TokenSource::None,
            filters: Vec::new(),
            ca_file: None,
            timeout: std::time::Duration::from_secs(30),
            page_size: 500,
        }
    }
}

impl SourceKind {
    /// `dir`, `file` or `git`.
    pub fn label(&self) -> &'static str {
        match self {
            SourceKind::Dir(_) => "dir",
            SourceKind::File(_) => "file",
            SourceKind::Git { .. } => "git",
            SourceKind::Backstage(_) => "backstage",
        }
    }

    /// The path or URL, for display.
    pub fn target(&self) -> String {
        match self {
            SourceKind::Dir(p) | SourceKind::File(p) => p.display().to_string(),
            SourceKind::Git { url, .. } => without_user_info(url),
            SourceKind::Backstage(r) => without_user_info(&r.url),
        }
    }
}

/// The URL without the user and password written in it: what is shown,
/// stored in the index and put in messages.
pub fn without_user_info(url: &str) -> String {
    split_user_info(url).0
}

/// The URL without the user and password written in it, and them (sent
/// as basic auth when there is no token).
pub fn split_user_info(url: &str) -> (String, Option<(String, Option<String>)>) {
    let Ok(mut parsed) = url::Url::parse(url) else { return (url.to_string(), None) };
    if parsed.username().is_empty() && parsed.password().is_none() {
        return (url.to_string(), None);
    }
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    let user = decode(parsed.username());
    let password = parsed.password().map(decode);
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    let mut clean = parsed.to_string();
    // `Url` writes a `/` path for `https://host`; keep the URL as written.
    if !url.ends_with('/') && clean.ends_with('/') && parsed.path() == "/" {
        clean.pop();
    }
    (clean, Some((user, password)))
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    /// Where entities come from.
    pub sources: Vec<SourceConfig>,
    /// File-name patterns read in `dir` and `git` sources.
    pub patterns: Vec<String>,
    /// The user, for "owned by me" (`user:default/jane`).
    pub identity: Option<String>,
    /// The theme name.
    pub theme: Option<String>,
    /// Whether `y` may copy through the terminal (OSC 52).
    pub osc52: bool,
    /// Plugins, hyperlinks and terminal browsers ([`terminal`]).
    pub terminal: TerminalSettings,
    /// `colors:`: the colour depth to use instead of detecting it.
    pub colors: Option<ColorDepth>,
}

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    /// 24-bit colour (`truecolor`).
    TrueColor,
    /// The xterm 256-colour palette (`256`).
    Ansi256,
    /// The 16 ANSI colours (`16`).
    Ansi16,
    /// No colour, only bold, reverse and the like (`mono`).
    Mono,
}

impl ColorDepth {
    /// The values `colors:` accepts.
    pub const NAMES: [&str; 4] = ["truecolor", "256", "16", "mono"];

    /// The depth named by a `colors:` value.
    pub fn from_name(name: &str) -> Option<ColorDepth> {
        match name {
            "truecolor" => Some(ColorDepth::TrueColor),
            "256" => Some(ColorDepth::Ansi256),
            "16" => Some(ColorDepth::Ansi16),
            "mono" => Some(ColorDepth::Mono),
            _ => None,
        }
    }
}

/// A config mistake, with the line it is on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{}:{}: {message}", pos.line, pos.col)]
pub struct ConfigError {
    /// The config file.
    pub file: String,
    /// Where.
    pub pos: Pos,
    /// What is wrong.
    pub message: String,
}

/// A commented starter config, written by `stagehand config init`.
pub const STARTER: &str = include_str!("config_starter.yaml");

const TOP_KEYS: [&str; 9] = [
    "sources",
    "patterns",
    "identity",
    "theme",
    "osc52",
    "colors",
    terminal::KEYS[0],
    terminal::KEYS[1],
    terminal::KEYS[2],
];
const SOURCE_KEYS: [&str; 6] = ["name", "dir", "file", "git", "branch", "backstage"];
const REMOTE_KEYS: [&str; 8] =
    ["url", "token_env", "token_command", "token_file", "filter", "ca_file", "timeout", "page_size"];

impl Config {
    /// Parses config text. `file` names it in errors; `home` expands `~`.
    pub fn parse(text: &str, file: &str, home: Option<&Path>) -> Result<Config, ConfigError> {
        let err = |pos: Pos, message: String| ConfigError { file: file.to_string(), pos, message };
        let root = yaml::load_single(text, Limits::default()).map_err(|e| err(e.pos, e.message))?;
        let Some(root) = root else { return Ok(Config::default()) };
        let entries = root.as_map().ok_or_else(|| err(root.pos, "config must be a mapping".into()))?;
        check_keys(entries, &TOP_KEYS, "top level").map_err(|(p, m)| err(p, m))?;
        let mut config = Config::default();
        if let Some(node) = root.get("sources") {
            let items = node.as_seq().ok_or_else(|| err(node.pos, "`sources` must be a list".into()))?;
            for item in items {
                let source = parse_source(item, home).map_err(|(p, m)| err(p, m))?;
                if config.sources.iter().any(|s| s.name == source.name) {
                    return Err(err(
                        item.pos,
                        format!("source name `{}` is used twice; names must be unique", source.name),
                    ));
                }
                config.sources.push(source);
            }
        }
        if let Some(node) = root.get("patterns") {
            config.patterns = string_list(node).map_err(|(p, m)| err(p, format!("`patterns` {m}")))?;
        }
        config.identity = opt_string(&root, "identity").map_err(|(p, m)| err(p, m))?;
        config.theme = opt_string(&root, "theme").map_err(|(p, m)| err(p, m))?;
        if let Some(node) = root.get("osc52") {
            match node.value {
                NodeValue::Bool(b) => config.osc52 = b,
                _ => return Err(err(node.pos, "`osc52` must be true or false".into())),
            }
        }
        if let Some(node) = root.get("colors") {
            let text = match &node.value {
                NodeValue::Str(s) => s.clone(),
                NodeValue::Int(n) => n.to_string(),
                _ => String::new(),
            };
            config.colors = Some(ColorDepth::from_name(&text).ok_or_else(|| {
                let hint =
                    closest(&text, &ColorDepth::NAMES).map(|c| format!("; did you mean `{c}`?")).unwrap_or_default();
                err(node.pos, format!("`colors` must be one of {}{hint}", ColorDepth::NAMES.join(", ")))
            })?);
        }
        config.terminal = TerminalSettings::parse(&root, file)?;
        if let Some(identity) = &config.identity {
            crate::model::EntityRef::parse_with(identity, Some("User"), "default")
                .map_err(|e| err(root.get("identity").map_or(root.pos, |n| n.pos), format!("`identity`: {e}")))?;
        }
        Ok(config)
    }

    /// The patterns to use: the configured ones or the defaults.
    pub fn effective_patterns(&self) -> Vec<String> {
        if self.patterns.is_empty() {
            crate::sources::dir::DEFAULT_PATTERNS.iter().map(|s| s.to_string()).collect()
        } else {
            self.patterns.clone()
        }
    }
}

type Fail = (Pos, String);

fn check_keys(entries: &[MapEntry], allowed: &[&str], place: &str) -> Result<(), Fail> {
    for e in entries {
        if !allowed.contains(&e.key.as_str()) {
            let hint = closest(&e.key, allowed).map(|c| format!("; did you mean `{c}`?")).unwrap_or_default();
            return Err((
                e.key_pos,
                format!("unknown key `{}` at {place} (allowed: {}){hint}", e.key, allowed.join(", ")),
            ));
        }
    }
    Ok(())
}

fn closest<'a>(word: &str, options: &[&'a str]) -> Option<&'a str> {
    options.iter().map(|o| (strsim::levenshtein(word, o), *o)).filter(|(d, _)| *d <= 2).min().map(|(_, o)| o)
}

fn opt_string(node: &Node, key: &str) -> Result<Option<String>, Fail> {
    match node.get(key) {
        None => Ok(None),
        Some(n) => match &n.value {
            NodeValue::Str(s) => Ok(Some(s.clone())),
            NodeValue::Null => Ok(None),
            other => Err((n.pos, format!("`{key}` must be a string, found {}", other.type_name()))),
        },
    }
}

fn string_list(node: &Node) -> Result<Vec<String>, Fail> {
    let items = node.as_seq().ok_or((node.pos, "must be a list of strings".to_string()))?;
    items.iter().map(|i| i.as_str().map(String::from).ok_or((i.pos, "must be a list of strings".to_string()))).collect()
}

fn expand_home(path: &str, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ if path == "~" => home.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from(path)),
        _ => PathBuf::from(path),
    }
}

fn parse_source(node: &Node, home: Option<&Path>) -> Result<SourceConfig, Fail> {
    let entries = node
        .as_map()
        .ok_or((node.pos, "each source must be a mapping with `name` and one of `dir`, `file`, `git`".to_string()))?;
    check_keys(entries, &SOURCE_KEYS, "a source")?;
    let name = opt_string(node, "name")?.ok_or((node.pos, "source needs a `name`".to_string()))?;
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        let pos = node.get("name").map_or(node.pos, |n| n.pos);
        return Err((pos, format!("source name `{name}` may use only letters, digits, `-`, `_` and `.`")));
    }
    let dir = opt_string(node, "dir")?;
    let file = opt_string(node, "file")?;
    let git = opt_string(node, "git")?;
    let branch = opt_string(node, "branch")?;
    let remote = node.get("backstage");
    let kind = match (dir, file, git, remote) {
        (Some(d), None, None, None) => SourceKind::Dir(expand_home(&d, home)),
        (None, Some(f), None, None) => SourceKind::File(expand_home(&f, home)),
        (None, None, Some(url), None) => {
            crate::sources::git::check_url(&url).map_err(|m| (node.get("git").map_or(node.pos, |n| n.pos), m))?;
            if let Some(b) = &branch {
                crate::sources::git::check_branch(b)
                    .map_err(|m| (node.get("branch").map_or(node.pos, |n| n.pos), m))?;
            }
            SourceKind::Git { url, branch: branch.clone() }
        }
        (None, None, None, Some(r)) => SourceKind::Backstage(parse_remote(r, home)?),
        _ => {
            return Err((
                node.pos,
                format!("source `{name}` needs exactly one of `dir`, `file`, `git` or `backstage`"),
            ));
        }
    };
    if branch.is_some() && !matches!(kind, SourceKind::Git { .. }) {
        let pos = node.entry("branch").map_or(node.pos, |e| e.key_pos);
        return Err((pos, "`branch` applies only to `git` sources".into()));
    }
    Ok(SourceConfig { name, kind })
}

fn parse_remote(node: &Node, home: Option<&Path>) -> Result<RemoteConfig, Fail> {
    let entries = node.as_map().ok_or((node.pos, "`backstage` must be a mapping with at least `url`".to_string()))?;
    check_keys(entries, &REMOTE_KEYS, "a backstage source")?;
    let url = opt_string(node, "url")?.ok_or((node.pos, "`backstage` needs a `url`".to_string()))?;
    let url_pos = node.get("url").map_or(node.pos, |n| n.pos);
    let parsed = url::Url::parse(&url).map_err(|e| (url_pos, format!("`url` `{url}` is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err((url_pos, format!("`url` `{url}` must use http or https")));
    }
    let tokens = [
        opt_string(node, "token_env")?.map(TokenSource::Env),
        opt_string(node, "token_command")?.map(TokenSource::Command),
        opt_string(node, "token_file")?.map(|f| TokenSource::File(expand_home(&f, home))),
    ];
    let mut given = tokens.into_iter().flatten();
    let token = given.next().unwrap_or(TokenSource::None);
    if given.next().is_some() {
        return Err((node.pos, "use only one of `token_env`, `token_command` and `token_file`".into()));
    }
    let filters = match node.get("filter") {
        None => Vec::new(),
        Some(n) if n.as_str().is_some() => vec![n.as_str().unwrap_or_default().to_string()],
        Some(n) => string_list(n).map_err(|(p, m)| (p, format!("`filter` {m}")))?,
    };
    let defaults = RemoteConfig::new(&url);
    let timeout = match node.get("timeout") {
        None => defaults.timeout,
        Some(n) => {
            let text = n.as_str().map(String::from).or_else(|| match n.value {
                NodeValue::Int(i) if i > 0 => Some(format!("{i}s")),
                _ => None,
            });
            let text = text.ok_or((n.pos, "`timeout` must be a duration such as `30s` or `2m`".to_string()))?;
            humantime::parse_duration(&text).map_err(|e| (n.pos, format!("`timeout` `{text}`: {e}; use e.g. `30s`")))?
        }
    };
    let page_size = match node.get("page_size") {
        None => defaults.page_size,
        Some(n) => match n.value {
            NodeValue::Int(i) if (1..=10_000).contains(&i) => i as usize,
            _ => return Err((n.pos, "`page_size` must be a number from 1 to 10000".into())),
        },
    };
    let ca_file = opt_string(node, "ca_file")?.map(|f| expand_home(&f, home));
    Ok(RemoteConfig { token, filters, ca_file, timeout, page_size, ..defaults })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_source_kind() {
        let text = "sources:\n  - name: platform\n    dir: ~/src/platform\n  - name: examples\n    file: /c/all.yaml\n  - name: payments\n    git: https://git.example.com/org/payments.git\n    branch: main\npatterns: [catalog-info.yaml]\nidentity: user:default/jane\n";
        let c = Config::parse(text, "c.yaml", Some(Path::new("/home/j"))).unwrap();
        assert_eq!(c.sources[0].kind, SourceKind::Dir("/home/j/src/platform".into()));
        assert_eq!(c.sources[1].kind, SourceKind::File("/c/all.yaml".into()));
        assert!(matches!(&c.sources[2].kind, SourceKind::Git { branch: Some(b), .. } if b == "main"));
        assert_eq!(c.identity.as_deref(), Some("user:default/jane"));
    }

    #[test]
    fn unknown_keys_name_their_line() {
        let e = Config::parse("sources:\n  - name: a\n    dri: /x\n", "c.yaml", None).unwrap_err();
        assert_eq!((e.pos.line, e.pos.col), (3, 5));
        assert!(e.message.contains("did you mean `dir`"), "{}", e.message);
        assert!(e.to_string().starts_with("c.yaml:3:5: "));
        let c = Config::parse("colors: 256\n", "c.yaml", None).unwrap();
        assert_eq!(c.colors, Some(ColorDepth::Ansi256));
        let e = Config::parse("colors: truecolour\n", "c.yaml", None).unwrap_err();
        assert!(e.message.contains("did you mean `truecolor`") && e.pos.line == 1, "{}", e.message);
        let e = Config::parse("themes: dark\n", "c.yaml", None).unwrap_err();
        assert!(e.message.contains("did you mean `theme`"));
    }

    #[test]
    fn rejects_ambiguous_or_duplicate_sources() {
        assert!(Config::parse("sources:\n  - name: a\n    dir: /x\n    file: /y\n", "c", None).is_err());
        assert!(Config::parse("sources:\n  - {name: a, dir: /x}\n  - {name: a, dir: /y}\n", "c", None).is_err());
        assert!(Config::parse("sources:\n  - {name: a, dir: /x, branch: main}\n", "c", None).is_err());
        assert!(Config::parse("identity: 'user:'\n", "c", None).is_err());
    }

    #[test]
    fn parses_remote_sources() {
        let text = "sources:\n  - name: prod\n    backstage:\n      url: https://b.example.com/\n      token_env: BS_TOKEN\n      filter: [kind=component, kind=api]\n      timeout: 2m\n      page_size: 200\n";
        let c = Config::parse(text, "c", None).unwrap();
        let SourceKind::Backstage(r) = &c.sources[0].kind else { panic!("not remote") };
        assert_eq!(r.url, "https://b.example.com");
        assert_eq!(r.token, TokenSource::Env("BS_TOKEN".into()));
        assert_eq!(r.filters, vec!["kind=component", "kind=api"]);
        assert_eq!(r.timeout, std::time::Duration::from_secs(120));
        assert_eq!(r.page_size, 200);
        let bad = "sources:\n  - name: p\n    backstage: {url: 'https://x', token_env: A, token_file: /f}\n";
        assert!(Config::parse(bad, "c", None).unwrap_err().message.contains("only one"));
        let bad = "sources:\n  - name: p\n    backstage: {url: 'https://x', insecure: true}\n";
        assert!(Config::parse(bad, "c", None).unwrap_err().message.contains("unknown key `insecure`"));
        let bad = "sources:\n  - name: p\n    backstage: {url: 'ftp://x'}\n";
        assert!(Config::parse(bad, "c", None).is_err());
    }

    #[test]
    fn the_starter_config_parses() {
        let c = Config::parse(STARTER, "starter", Some(Path::new("/h"))).unwrap();
        assert!(!c.sources.is_empty());
    }
}
