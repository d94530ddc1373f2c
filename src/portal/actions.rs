//! The actions registry of Backstage backend plugins
//! (`GET /api/<plugin>/.backstage/actions/v1/actions`,
//! `POST …/actions/<id>/invoke`): each action's JSON Schema input and
//! output and its `readOnly`/`destructive`/`idempotent` attributes. An
//! action's input is filled and checked with the scaffolder's form engine
//! (the input schema read as one form page), so the CLI's `--set` and the
//! TUI's form convert and validate values the way a template's do.

use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::scaffold::form::{Page, get_path, set_path};
use crate::scaffold::schema_match::matches;
use crate::scaffold::validate::{FieldError, check_page};
use crate::scaffold::values::parse_for;
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

/// Applies one `key=value` to an action's input: converted by the field's
/// type (numbers, booleans, lists, JSON), `a.b=x` reaching into objects.
pub fn set(form: &Page, values: &mut Map<String, Json>, assignment: &str) -> Result<(), String> {
    let (key, text) = assignment.split_once('=').ok_or_else(|| format!("--set {assignment}: use key=value"))?;
    let key = key.trim();
    let fields = form.fields(values);
    let field = fields.iter().find(|f| f.key() == key);
    // A JSON object or list for an input that is not a plain string (an
    // `anyOf` of objects, say) is read as JSON, not kept as text.
    let json_like = text.starts_with('{') || text.starts_with('[');
    let string_only = field.is_some_and(|f| f.schema.get("type").and_then(Json::as_str) == Some("string"));
    let value = match serde_json::from_str::<Json>(text) {
        Ok(parsed) if json_like && !string_only => parsed,
        _ => parse_for(field, text)?,
    };
    set_path(values, &key.split('.').map(String::from).collect::<Vec<_>>(), Some(value));
    Ok(())
}

/// What is wrong with an input before it is sent: the form's checks
/// (required, types, enums, patterns...), and keys the schema does not
/// allow (`additionalProperties: false`), with the closest allowed one.
pub fn problems(form: &Page, values: &Map<String, Json>) -> Vec<FieldError> {
    let mut out = check_page(form, values, &Map::new());
    for field in form.fields(values) {
        let Some(value) = get_path(values, &field.path).filter(|v| !v.is_null()) else { continue };
        let choices = field.schema.get("anyOf").or_else(|| field.schema.get("oneOf")).and_then(Json::as_array);
        if let Some(choices) = choices
            && !out.iter().any(|e| e.key == field.key())
            && !matches(&field.schema, value)
        {
            let forms: Vec<String> = choices.iter().map(describe).collect();
            out.push(FieldError { key: field.key(), message: format!("must be {}", forms.join(", or ")) });
        }
    }
    if form.schema.get("additionalProperties") == Some(&Json::Bool(false)) {
        let allowed: Vec<&str> = form
            .schema
            .get("properties")
            .and_then(Json::as_object)
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        for key in values.keys().filter(|k| !allowed.contains(&k.as_str())) {
            let closest = allowed
                .iter()
                .map(|a| (strsim::jaro_winkler(key, a), *a))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, a)| format!("; did you mean `{a}`?"))
                .unwrap_or_default();
            let known = if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") };
            out.push(FieldError {
                key: key.clone(),
                message: format!("is not an input of this action (inputs: {known}){closest}"),
            });
        }
    }
    out
}

/// One form of an `anyOf`, in words.
fn describe(schema: &Json) -> String {
    if let Some(options) = schema.get("enum").and_then(Json::as_array) {
        let names: Vec<String> = options.iter().map(crate::scaffold::fields::plain).collect();
        return format!("one of {}", names.join(", "));
    }
    let required: Vec<&str> =
        schema.get("required").and_then(Json::as_array).into_iter().flatten().filter_map(Json::as_str).collect();
    match schema.get("type").and_then(Json::as_str) {
        Some("object") if !required.is_empty() => format!("an object with {}", required.join(", ")),
        Some(ty @ ("array" | "object" | "integer")) => format!("an {ty}"),
        Some(ty) => format!("a {ty}"),
        None => "another form (see the schema: actions list --json)".to_string(),
    }
}

/// The issues of the server's input validation (zod) in a 400 message,
/// `path: message` each (for a union, its branches' messages); `None`
/// when the message holds none.
pub fn input_issues(message: &str) -> Option<Vec<String>> {
    let start = message.find("caused by [")? + "caused by ".len();
    let mut stream = serde_json::Deserializer::from_str(&message[start..]).into_iter::<Json>();
    let issues = stream.next()?.ok()?;
    let mut out = Vec::new();
    for issue in issues.as_array()? {
        let path: Vec<String> = issue
            .get("path")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .map(crate::scaffold::fields::plain)
            .collect();
        let key = if path.is_empty() { "(input)".to_string() } else { path.join(".") };
        let mut texts: Vec<String> = issue
            .get("unionErrors")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .flat_map(|u| u.get("issues").and_then(Json::as_array).cloned().unwrap_or_default())
            .filter_map(|i| i.get("message").and_then(Json::as_str).map(String::from))
            .collect();
        texts.dedup();
        if texts.is_empty() {
            texts.push(issue.get("message").and_then(Json::as_str).unwrap_or("invalid").to_string());
        }
        out.push(format!("{key}: {}", texts.join("; or ")));
    }
    Some(out)
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
                && let Some(issues) = input_issues(&f.message)
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
    fn input_is_converted_and_checked_by_the_form_engine() {
        let form = get_entity().form();
        let mut values = Map::new();
        set(&form, &mut values, "limit=0").unwrap();
        assert_eq!(values["limit"], json!(0), "converted to the field's type");
        let problems = problems(&form, &values);
        let keys: Vec<(&str, bool)> =
            problems.iter().map(|p| (p.key.as_str(), p.message.contains("at least 1"))).collect();
        assert_eq!(keys, [("name", false), ("limit", true)]);
        assert_eq!(problems[0].message, "required");
        set(&form, &mut values, "nmae=x").unwrap();
        set(&form, &mut values, "limit=2").unwrap();
        let problems = super::problems(&form, &values);
        assert!(problems.iter().any(|p| p.key == "nmae" && p.message.contains("did you mean `name`?")), "{problems:?}");
        assert!(set(&form, &mut values, "novalue").is_err());
    }

    #[test]
    fn union_inputs_take_json_and_are_checked_against_each_form() {
        let action = Action::from_json(
            &json!({"id": "catalog:unregister-entity", "schema": {"input": {"type": "object", "required": ["type"],
                "properties": {
                    "type": {"anyOf": [
                        {"type": "object", "properties": {"locationId": {"type": "string"}}, "required": ["locationId"]},
                        {"type": "object", "properties": {"locationUrl": {"type": "string"}}, "required": ["locationUrl"]}]},
                    "status": {"anyOf": [{"type": "string", "enum": ["open", "failed"]},
                                         {"type": "array", "items": {"$ref": "#/properties/status/anyOf/0"}}]}}}}}),
            "catalog",
        )
        .unwrap();
        let form = action.form();
        let mut values = Map::new();
        set(&form, &mut values, r#"type={"locationId": "abc"}"#).unwrap();
        set(&form, &mut values, "status=failed").unwrap();
        assert_eq!(values["type"], json!({"locationId": "abc"}), "JSON for a non-string input");
        assert!(problems(&form, &values).is_empty(), "{:?}", problems(&form, &values));
        set(&form, &mut values, r#"type={"id": "abc"}"#).unwrap();
        set(&form, &mut values, "status=bogus").unwrap();
        let found = problems(&form, &values);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].message, "must be an object with locationId, or an object with locationUrl");
        assert_eq!(found[1].message, "must be one of open, failed, or an array");
    }

    #[test]
    fn the_servers_input_errors_read_field_by_field() {
        let message = r#"127.0.0.1:7123 answered 400 Bad Request Invalid input to action "x:y"; caused by [   {     "code": "invalid_union",     "unionErrors": [ {"issues": [{"path": ["status"], "message": "Invalid enum value"}]}, {"issues": [{"path": ["status"], "message": "Expected array, received string"}]} ], "path": ["status"], "message": "Invalid input" }, {"code": "invalid_type", "path": ["name"], "message": "Required"} ] for http://h/x"#;
        assert_eq!(
            input_issues(message).unwrap(),
            ["status: Invalid enum value; or Expected array, received string", "name: Required"]
        );
        assert_eq!(input_issues("answered 400 Bad Request No entity found"), None);
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
