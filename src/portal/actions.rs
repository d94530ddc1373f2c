//! The actions registry of Backstage backend plugins
//! (`GET /api/<plugin>/.backstage/actions/v1/actions`,
//! `POST …/actions/<id>/invoke`): each action's JSON Schema input and
//! output, its `readOnly`/`destructive`/`idempotent` attributes and the
//! confirmation they call for. Its input is read as one form page
//! ([`Action::form`]) and filled and checked in [`super::action_input`].

use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::scaffold::form::Page;
use crate::sources::remote::client::{Client, Failure};

/// The registry under a plugin's API (`/api/<plugin>`).
pub const REGISTRY: &str = "/.backstage/actions/v1/actions";

/// The plugins asked for actions when none are named: those of the
/// official backend that register actions, and TechDocs.
pub const PLUGINS: [&str; 4] = ["catalog", "scaffolder", "search", "techdocs"];

/// What an action declares about itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attributes {
    /// It only reads.
    pub read_only: bool,
    /// It modifies or deletes data.
    pub destructive: bool,
    /// Running it twice does what running it once does.
    pub idempotent: bool,
}

/// Whether running an action asks first, and what the answer defaults to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// Read-only: it runs at once.
    Never,
    /// It changes something: ask, with Run as the default.
    DefaultRun,
    /// It is destructive: ask, with Cancel as the default; never run it
    /// unasked without an explicit yes.
    DefaultCancel,
}

impl Attributes {
    /// How running the action is confirmed.
    pub fn ask(&self) -> Ask {
        if self.destructive {
            Ask::DefaultCancel
        } else if self.read_only {
            Ask::Never
        } else {
            Ask::DefaultRun
        }
    }

    /// `read-only, idempotent`-style words for lists.
    pub fn words(&self) -> String {
        let words: Vec<&str> =
            [(self.read_only, "read-only"), (self.destructive, "destructive"), (self.idempotent, "idempotent")]
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, w)| *w)
                .collect();
        if words.is_empty() { "writes".to_string() } else { words.join(", ") }
    }
}

/// One action of the registry, as the server describes it (text not yet
/// sanitized: every view sanitizes what it shows).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    /// `plugin:name`.
    pub id: String,
    /// The plugin that serves it.
    pub plugin: String,
    /// Its title.
    pub title: String,
    /// What it does (may be Markdown, several lines).
    pub description: String,
    /// What it declares.
    pub attributes: Attributes,
    /// The JSON Schema of its input.
    pub input: Json,
    /// The JSON Schema of its output.
    pub output: Json,
}

impl Action {
    /// Reads one entry of a registry listing of `plugin`; `None` without an id.
    pub fn from_json(value: &Json, plugin: &str) -> Option<Action> {
        let text = |key: &str| value.get(key).and_then(Json::as_str).unwrap_or_default().to_string();
        let flag = |key: &str| value.pointer(&format!("/attributes/{key}")).and_then(Json::as_bool).unwrap_or(false);
        let id = value.get("id").and_then(Json::as_str)?.to_string();
        Some(Action {
            title: Some(text("title")).filter(|t| !t.is_empty()).unwrap_or_else(|| id.clone()),
            id,
            plugin: value.get("pluginId").and_then(Json::as_str).unwrap_or(plugin).to_string(),
            description: text("description"),
            attributes: Attributes {
                read_only: flag("readOnly"),
                destructive: flag("destructive"),
                idempotent: flag("idempotent"),
            },
            input: value.pointer("/schema/input").cloned().unwrap_or_else(|| serde_json::json!({"type": "object"})),
            output: value.pointer("/schema/output").cloned().unwrap_or(Json::Null),
        })
    }

    /// The first non-empty line of the description.
    pub fn summary(&self) -> &str {
        self.description.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("")
    }

    /// The input schema as a form page (the wizard's form engine).
    pub fn form(&self) -> Page {
        Page {
            title: self.title.clone(),
            description: Some(self.description.trim().to_string()).filter(|d| !d.is_empty()),
            condition: None,
            schema: self.input.clone(),
        }
    }
}

/// The plugin of an action id (`catalog` of `catalog:get-catalog-entity`).
pub fn plugin_of(id: &str) -> Result<&str, String> {
    match id.split_once(':') {
        Some((plugin, name)) if !plugin.is_empty() && !name.is_empty() => Ok(plugin),
        _ => Err(format!("`{id}` is not an action id; ids are `plugin:name`, e.g. catalog:get-catalog-entity")),
    }
}

/// Text worth showing as it is (Markdown, a long message) rather than as
/// JSON: a string output, or an object whose only field is a string.
pub fn text_of(output: &Json) -> Option<&str> {
    match output {
        Json::String(s) => Some(s),
        Json::Object(m) if m.len() == 1 => m.values().next().and_then(Json::as_str).filter(|s| s.contains('\n')),
        _ => None,
    }
}

/// The actions of several plugins, and the plugins that have none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listing {
    /// Every action, by plugin then id.
    pub actions: Vec<Action>,
    /// Plugins that answered 404: not installed, or without a registry.
    pub missing: Vec<String>,
}

/// The actions registry of one backend, through the shared client (its
/// token, CA file, timeout and retries).
#[derive(Clone)]
pub struct Registry {
    http: Client,
}

impl Registry {
    /// A registry client using `http`.
    pub fn new(http: Client) -> Registry {
        Registry { http }
    }

    /// The backend's base URL.
    pub fn base(&self) -> &str {
        self.http.base()
    }

    /// The actions of `plugin` (retried); a 404 says the plugin is missing.
    pub fn plugin(&self, plugin: &str) -> Result<Vec<Action>, Failure> {
        let answer = self.http.get_json(&format!("/api/{}{REGISTRY}", encode(plugin)), &[]).map_err(|f| {
            let why = if f.status == Some(reqwest::StatusCode::NOT_FOUND) {
                format!("the `{plugin}` plugin is not installed on {}, or serves no actions registry", self.base())
            } else {
                format!("cannot list the actions of `{plugin}`")
            };
            Failure { message: format!("{why}: {}", f.message), status: f.status }
        })?;
        let mut actions: Vec<Action> = answer
            .get("actions")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| Action::from_json(a, plugin))
            .collect();
        actions.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(actions)
    }

    /// The actions of every plugin in `plugins`; plugins that answer 404
    /// are listed as missing, any other failure ends the listing.
    pub fn list(&self, plugins: &[&str]) -> Result<Listing, Failure> {
        let mut listing = Listing::default();
        for plugin in plugins {
            match self.plugin(plugin) {
                Ok(actions) => listing.actions.extend(actions),
                Err(f) if f.status == Some(reqwest::StatusCode::NOT_FOUND) => listing.missing.push(plugin.to_string()),
                Err(f) => return Err(f),
            }
        }
        Ok(listing)
    }

    /// The action `id`, from its plugin's listing; when there is none, the
    /// message names the closest ids.
    pub fn find(&self, id: &str) -> Result<Action, Failure> {
        let plugin = plugin_of(id).map_err(|message| Failure { message, status: None })?;
        let actions = self.plugin(plugin)?;
        if let Some(action) = actions.iter().find(|a| a.id == id) {
            return Ok(action.clone());
        }
        let mut close: Vec<(f64, &str)> = actions
            .iter()
            .map(|a| (strsim::jaro_winkler(id, &a.id), a.id.as_str()))
            .filter(|(s, _)| *s > 0.8)
            .collect();
        close.sort_by(|a, b| b.0.total_cmp(&a.0));
        let hint = match close.first() {
            Some((_, best)) => format!("; did you mean {best}?"),
            None => format!("; `stagehand actions list` shows the {} actions of `{plugin}`", actions.len()),
        };
        Err(Failure { message: format!("no action {id} on {}{hint}", self.base()), status: None })
    }

    /// Runs `action` with `input` and returns its `output`. Idempotent
    /// actions are retried on failures worth retrying; others are sent once
    /// (a retry could do the work twice).
    pub fn invoke(&self, action: &Action, input: &Map<String, Json>) -> Result<Json, Failure> {
        let path = format!("/api/{}{REGISTRY}/{}/invoke", encode(&action.plugin), encode(&action.id));
        let body = Json::Object(input.clone());
        let answer = if action.attributes.idempotent {
            self.http.post_json(&path, &[], &body)
        } else {
            self.http.post_once(&path, &[], &body)
        };
        let answer = answer.map_err(|f| {
            if f.status == Some(reqwest::StatusCode::BAD_REQUEST)
                && let Some(issues) = super::action_input::server_issues(&f.message)
            {
                let message = format!("the server refused the input of {}:\n  {}", action.id, issues.join("\n  "));
                return Failure { message, status: f.status };
            }
            let sent = if action.attributes.idempotent { "" } else { " (sent once: it is not idempotent)" };
            Failure { message: format!("{} failed{sent}: {}", action.id, f.message), status: f.status }
        })?;
        Ok(answer.get("output").cloned().unwrap_or(Json::Null))
    }
}

/// Percent-encodes a path segment (ids come from the server).
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn get_entity() -> Action {
        Action::from_json(
            &json!({"id": "catalog:get-catalog-entity", "title": "Get", "description": "\nReads one.\nMore.",
                "pluginId": "catalog", "attributes": {"readOnly": true, "idempotent": true, "destructive": false},
                "schema": {"input": {"type": "object", "additionalProperties": false, "required": ["name"],
                    "properties": {"kind": {"type": "string"}, "name": {"type": "string"}, "limit": {"type": "integer", "minimum": 1}}},
                    "output": {"type": "object"}}}),
            "catalog",
        )
        .unwrap()
    }

    #[test]
    fn listings_read_as_the_registry_sends_them() {
        let a = get_entity();
        assert_eq!(
            (a.id.as_str(), a.plugin.as_str(), a.summary()),
            ("catalog:get-catalog-entity", "catalog", "Reads one.")
        );
        assert_eq!(a.attributes, Attributes { read_only: true, destructive: false, idempotent: true });
        assert_eq!(a.attributes.words(), "read-only, idempotent");
        assert!(Action::from_json(&json!({"title": "no id"}), "x").is_none());
        let bare = Action::from_json(&json!({"id": "x:y"}), "x").unwrap();
        assert_eq!((bare.title.as_str(), bare.attributes.words()), ("x:y", "writes".to_string()));
    }

    #[test]
    fn read_only_runs_writes_ask_and_destructive_defaults_to_cancel() {
        let attrs = |read_only, destructive| Attributes { read_only, destructive, idempotent: false };
        assert_eq!(attrs(true, false).ask(), Ask::Never);
        assert_eq!(attrs(false, false).ask(), Ask::DefaultRun);
        assert_eq!(attrs(false, true).ask(), Ask::DefaultCancel);
        assert_eq!(attrs(true, true).ask(), Ask::DefaultCancel, "destructive wins over a contradictory readOnly");
    }

    #[test]
    fn ids_name_their_plugin_and_are_encoded() {
        assert_eq!(plugin_of("catalog:get-catalog-entity"), Ok("catalog"));
        assert!(plugin_of("get-catalog-entity").unwrap_err().contains("plugin:name"));
        assert!(plugin_of(":x").is_err());
        assert_eq!(encode("catalog:a b/../c"), "catalog:a%20b%2F..%2Fc");
    }

    #[test]
    fn text_outputs_are_shown_as_text() {
        assert_eq!(text_of(&json!({"description": "# Model\nkinds"})), Some("# Model\nkinds"));
        assert_eq!(text_of(&json!("plain")), Some("plain"));
        assert_eq!(text_of(&json!({"entityRef": "component:default/a"})), None);
        assert_eq!(text_of(&json!({"a": "x\ny", "b": 1})), None);
    }
}
