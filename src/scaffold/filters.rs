//! Backstage's template filters (`parseRepoUrl`, `parseEntityRef`, `pick`,
//! `projectSlug`) and the nunjucks built-ins whose behaviour differs from
//! minijinja's (`dump`, `default`).

use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, ErrorKind};
use serde_json::{Map, Value as Json};

/// Adds the filters to an engine. `cookiecutter` adds `jsonify` (= `dump`).
pub fn register(env: &mut Environment<'static>, cookiecutter: bool) {
    env.add_filter("dump", dump);
    if cookiecutter {
        env.add_filter("jsonify", dump);
    }
    env.add_filter("default", default);
    env.add_filter("d", default);
    env.add_filter("parseRepoUrl", parse_repo_url_filter);
    env.add_filter("parseEntityRef", parse_entity_ref_filter);
    env.add_filter("pick", pick);
    env.add_filter("projectSlug", project_slug);
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg.into())
}

/// `JSON.stringify(value, null, spaces)`; undefined stays undefined.
fn dump(value: Value, spaces: Option<Value>) -> Result<Value, Error> {
    if value.is_undefined() {
        return Ok(Value::UNDEFINED);
    }
    let json = serde_json::to_value(&value).map_err(|e| invalid(format!("dump: {e}")))?;
    let indent = spaces.and_then(|s| s.as_usize()).unwrap_or(0).min(10);
    let text = if indent == 0 {
        serde_json::to_string(&json)
    } else {
        let pad = " ".repeat(indent);
        let mut buf = Vec::new();
        let fmt = serde_json::ser::PrettyFormatter::with_indent(pad.as_bytes());
        let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
        serde::Serialize::serialize(&json, &mut ser).map(|_| String::from_utf8_lossy(&buf).into_owned())
    };
    text.map(Value::from).map_err(|e| invalid(format!("dump: {e}")))
}

/// nunjucks' `default(value, fallback, boolean)`: the fallback replaces
/// undefined, or (with `boolean`) any falsy value.
fn default(value: Value, fallback: Option<Value>, boolean: Option<Value>, _kw: Kwargs) -> Value {
    let fallback = fallback.unwrap_or_else(|| Value::from(""));
    if boolean.is_some_and(|b| b.is_true()) {
        if value.is_true() { value } else { fallback }
    } else if value.is_undefined() {
        fallback
    } else {
        value
    }
}

fn as_json(value: &Value) -> Json {
    serde_json::to_value(value).unwrap_or(Json::Null)
}

fn parse_repo_url_filter(value: Value) -> Result<Value, Error> {
    let text =
        value.as_str().ok_or_else(|| invalid("parseRepoUrl expects a string like `github.com?owner=o&repo=r`"))?;
    let parsed = parse_repo_url(text).map_err(invalid)?;
    Ok(Value::from(minijinja::value::Serde(&parsed)))
}

fn project_slug(value: Value) -> Result<Value, Error> {
    let text = value.as_str().ok_or_else(|| invalid("projectSlug expects a repository URL string"))?;
    let parsed = parse_repo_url(text).map_err(invalid)?;
    let get = |k: &str| parsed.get(k).and_then(Json::as_str).unwrap_or("").to_string();
    Ok(Value::from(format!("{}/{}", get("owner"), get("repo"))))
}

/// Parses a RepoUrlPicker value (`host?owner=o&repo=r&...`) into `{host,
/// owner, repo, organization, workspace, project}` (absent keys left out),
/// checking the parameters the host's provider needs, as Backstage does.
pub fn parse_repo_url(text: &str) -> Result<Map<String, Json>, String> {
    let url = url::Url::parse(&format!("https://{text}"))
        .map_err(|e| format!("Invalid repo URL passed to publisher, got {text}, {e}"))?;
    let mut host = url.host_str().unwrap_or("").to_string();
    if let Some(port) = url.port() {
        host = format!("{host}:{port}");
    }
    let mut out = Map::new();
    out.insert("host".into(), Json::String(host.clone()));
    for key in ["owner", "repo", "organization", "workspace", "project"] {
        if let Some((_, v)) = url.query_pairs().find(|(k, _)| k == key) {
            out.insert(key.into(), Json::String(v.into_owned()));
        }
    }
    let has = |k: &str| out.get(k).and_then(Json::as_str).is_some_and(|v| !v.is_empty());
    let need: &[&str] = match provider(&host) {
        "bitbucket" if host == "www.bitbucket.org" || host == "bitbucket.org" => &["workspace", "project", "repo"],
        "bitbucket" | "azure" => &["project", "repo"],
        "gitlab" if has("project") => &[],
        "gitea" | "gerrit" => &["repo"],
        _ => &["repo", "owner"],
    };
    if let Some(missing) = need.iter().find(|k| !has(k)) {
        return Err(format!("Invalid repo URL passed to publisher: https://{text}, missing {missing}"));
    }
    Ok(out)
}

/// The provider a host most likely is, by name.
pub fn provider(host: &str) -> &'static str {
    let h = host.to_lowercase();
    if h.contains("gitlab") {
        "gitlab"
    } else if h.contains("bitbucket") {
        "bitbucket"
    } else if h == "dev.azure.com" || h.ends_with(".visualstudio.com") {
        "azure"
    } else if h.contains("gitea") {
        "gitea"
    } else if h.contains("gerrit") {
        "gerrit"
    } else {
        "github"
    }
}

fn parse_entity_ref_filter(value: Value, context: Option<Value>) -> Result<Value, Error> {
    let text = value.as_str().ok_or_else(|| invalid("parseEntityRef expects a string"))?;
    let ctx = context.as_ref().map(as_json).unwrap_or(Json::Null);
    let default_kind = ctx.get("defaultKind").and_then(Json::as_str);
    let default_ns = ctx.get("defaultNamespace").and_then(Json::as_str).unwrap_or("default");
    let parts = crate::model::entity_ref::split_ref(text).map_err(|e| invalid(format!("parseEntityRef: {e}")))?;
    let kind = parts.kind.or(default_kind).ok_or_else(|| {
        invalid(format!(
            "Entity reference \"{text}\" had missing or empty kind (e.g. did not start with \"component:\" or similar)"
        ))
    })?;
    let namespace = parts.namespace.unwrap_or(default_ns);
    Ok(Value::from(minijinja::value::Serde(serde_json::json!({
        "kind": kind.to_lowercase(),
        "namespace": namespace.to_lowercase(),
        "name": parts.name,
    }))))
}

/// lodash `get(obj, "a.b.c")`.
fn pick(value: Value, key: Value) -> Value {
    let Some(path) = key.as_str() else { return Value::UNDEFINED };
    let mut current = value;
    for part in path.split('.') {
        current = match current.get_attr(part) {
            Ok(v) if !v.is_undefined() => v,
            _ => match part.parse::<usize>() {
                Ok(i) => current.get_item_by_index(i).unwrap_or(Value::UNDEFINED),
                Err(_) => return Value::UNDEFINED,
            },
        };
    }
    current
}

#[cfg(test)]
mod tests {
    use super::super::expr::{Engine, Syntax};
    use super::*;
    use serde_json::json;

    fn render(text: &str, ctx: Json) -> String {
        Engine::new(Syntax::Backstage).render_str(text, &ctx).unwrap()
    }

    #[test]
    fn parse_repo_url_reads_the_picker_value() {
        let ctx = json!({"p": {"repo": "github.com?owner=acme&repo=web"}});
        assert_eq!(
            render("${{ (p.repo | parseRepoUrl).owner }}/${{ (p.repo | parseRepoUrl).repo }}", ctx.clone()),
            "acme/web"
        );
        assert_eq!(render("${{ p.repo | projectSlug }}", ctx.clone()), "acme/web");
        assert_eq!(render("${{ (p.repo | parseRepoUrl).host }}", ctx), "github.com");
        assert!(parse_repo_url("github.com?owner=acme").unwrap_err().contains("missing repo"));
        assert!(parse_repo_url("gitlab.com?project=1&repo=x").is_ok());
        assert!(parse_repo_url("dev.azure.com?organization=o&repo=r").unwrap_err().contains("project"));
    }

    #[test]
    fn parse_entity_ref_fills_defaults() {
        let ctx = json!({"r": "Group:Team-A", "n": "jane"});
        assert_eq!(
            render("${{ (r | parseEntityRef).kind }}:${{ (r | parseEntityRef).name }}", ctx.clone()),
            "group:Team-A"
        );
        let out = render("${{ (n | parseEntityRef({'defaultKind': 'user', 'defaultNamespace': 'ops'})) | dump }}", ctx);
        assert_eq!(out, r#"{"kind":"user","namespace":"ops","name":"jane"}"#);
    }

    #[test]
    fn dump_pick_and_default_follow_nunjucks() {
        let ctx = json!({"v": {"name": "a\"b", "o": {"x": [1, {"y": 2}]}, "n": null}});
        assert_eq!(render("${{ v.name | dump }}", ctx.clone()), r#""a\"b""#);
        assert_eq!(
            render("${{ v.o | dump(2) }}", ctx.clone()),
            "{\n  \"x\": [\n    1,\n    {\n      \"y\": 2\n    }\n  ]\n}"
        );
        assert_eq!(render("${{ v.missing | dump }}", ctx.clone()), "");
        assert_eq!(render("${{ v.o | pick('x.1.y') }}", ctx.clone()), "2");
        assert_eq!(
            render("${{ v.missing | default('d') }}|${{ v.n | default('d') }}|${{ '' | default('d', true) }}", ctx),
            "d||d"
        );
    }

    #[test]
    fn nunjucks_builtins_templates_use() {
        let ctx = json!({"v": {"s": " Hello World ", "l": ["a", "b"]}});
        assert_eq!(render("${{ v.s | trim | lower | replace('world', 'there') }}", ctx.clone()), "hello there");
        assert_eq!(render("${{ v.s | upper }}${{ v.l | length }}${{ v.l | join('-') }}", ctx), " HELLO WORLD 2a-b");
    }
}
