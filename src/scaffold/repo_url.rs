//! `RepoUrlPicker`: a host from `allowedHosts` plus the parts its provider
//! needs (owner and repo on GitHub and GitLab, workspace/project/repo on
//! Bitbucket, organization/project/repo on Azure), stored as Backstage
//! stores it: `host?owner=o&repo=r`.

use serde_json::Value as Json;

use super::filters::{parse_repo_url, provider};
use super::form::ui;

/// The hosts a picker allows (empty: any).
pub fn allowed_hosts(schema: &Json) -> Vec<String> {
    strings(ui(schema, "allowedHosts"))
}

fn strings(v: Option<&Json>) -> Vec<String> {
    v.and_then(Json::as_array)
        .map(|a| a.iter().filter_map(Json::as_str).map(String::from).collect())
        .unwrap_or_default()
}

/// The parts a host's provider asks for, in order.
pub fn parts_for(host: &str) -> &'static [&'static str] {
    match provider(host) {
        "bitbucket" if host.ends_with("bitbucket.org") => &["workspace", "project", "repo"],
        "bitbucket" => &["project", "repo"],
        "azure" => &["organization", "project", "repo"],
        "gitea" | "gerrit" => &["owner", "repo"],
        _ => &["owner", "repo"],
    }
}

/// Builds the picker value from a host and its parts (empty parts left out).
pub fn compose(host: &str, parts: &[(String, String)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in parts {
        if !v.is_empty() {
            query.append_pair(k, v);
        }
    }
    let q = query.finish();
    if q.is_empty() { host.to_string() } else { format!("{host}?{q}") }
}

/// Splits a picker value into its host and parts.
pub fn split(value: &str) -> (String, Vec<(String, String)>) {
    let (host, query) = value.split_once('?').unwrap_or((value, ""));
    let parts = url::form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    (host.to_string(), parts)
}

/// The parts limited by a `ui:options` list, and that list's name.
const ALLOWED: [(&str, &str); 4] = [
    ("owner", "allowedOwners"),
    ("organization", "allowedOrganizations"),
    ("project", "allowedProjects"),
    ("repo", "allowedRepos"),
];

/// The values a part may take (`allowedOwners` for `owner`...; the hosts
/// for `host`); empty when any value goes.
pub fn allowed_for(schema: &Json, part: &str) -> Vec<String> {
    if part == "host" {
        return allowed_hosts(schema);
    }
    ALLOWED.iter().find(|(k, _)| *k == part).map(|(_, option)| strings(ui(schema, option))).unwrap_or_default()
}

/// The problem with a picker value, if any.
pub fn check(schema: &Json, value: &str) -> Option<String> {
    let (host, parts) = split(value);
    if host.is_empty() {
        return Some("choose a host".into());
    }
    let hosts = allowed_hosts(schema);
    if !hosts.is_empty() && !hosts.contains(&host) {
        return Some(format!("host must be one of: {}", hosts.join(", ")));
    }
    for part in parts_for(&host) {
        if !parts.iter().any(|(k, v)| k == part && !v.is_empty()) {
            return Some(format!("{part} is required"));
        }
    }
    for (key, option) in ALLOWED {
        let allowed = strings(ui(schema, option));
        if let Some((_, v)) = parts.iter().find(|(k, _)| k == key)
            && !allowed.is_empty()
            && !allowed.contains(v)
        {
            return Some(format!("{key} must be one of: {}", allowed.join(", ")));
        }
    }
    parse_repo_url(value).err()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compose_split_and_check() {
        let v = compose("github.com", &[("owner".into(), "acme".into()), ("repo".into(), "my web".into())]);
        assert_eq!(v, "github.com?owner=acme&repo=my+web");
        assert_eq!(split(&v).1[1].1, "my web");
        let schema = json!({"ui:options": {"allowedHosts": ["github.com"], "allowedOwners": ["acme"]}});
        assert_eq!(check(&schema, &v), None);
        assert!(check(&schema, "gitlab.com?owner=acme&repo=x").unwrap().contains("host"));
        assert!(check(&schema, "github.com?owner=evil&repo=x").unwrap().contains("owner"));
        assert!(check(&schema, "github.com?owner=acme").unwrap().contains("repo"));
        assert_eq!(parts_for("dev.azure.com"), ["organization", "project", "repo"]);
    }
}
