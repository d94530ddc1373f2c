//! External programs on entities: k9s-style plugins from `config.yaml`
//! (this file), the editor ([`editor`]) and `$BROWSER` ([`browser`]).
//! Command lines are built here as [`external::External`]; foreground ones
//! run in the runtime with the TUI suspended, background ones as effects.
//!
//! Plugin arguments are templates (`{{ name }}`, `{{ entity.metadata... }}`)
//! rendered with the scaffolder's engine over the selected entity; the
//! program is run directly, never through a shell unless the user names one.

pub mod actions;
pub mod browser;
pub mod editor;
pub mod external;
pub mod hyperlink;

use serde_json::{Value, json};

use crate::config::{PluginConfig, TerminalSettings};
use crate::index::Index;
use crate::model::{Entity, Problem};
use crate::scaffold::expr::{Engine, Syntax};

use super::keymap::{Context, Key, Keymap};
use external::External;

/// A plugin whose key parsed and shadows no built-in.
#[derive(Debug, Clone)]
pub struct Plugin {
    /// As configured.
    pub config: PluginConfig,
    /// Its key.
    pub key: Key,
    /// One line for the help overlay and palette.
    pub help: String,
}

/// The loaded plugins, and the one waiting for its confirming key press.
#[derive(Debug, Default)]
pub struct Plugins {
    /// In config order.
    pub list: Vec<Plugin>,
    /// `confirm: true` plugin pressed once: (plugin, entity) it would run on.
    pub armed: Option<(usize, u32)>,
}

/// Contexts where plugin keys work (where an entity is selected or shown).
const CONTEXTS: [Context; 5] = [Context::Global, Context::Search, Context::List, Context::Entity, Context::Docs];

impl Plugins {
    /// Loads the configured plugins against the keymap in use: a key that
    /// does not parse, or that a built-in binding already uses, is a problem
    /// naming both, and that plugin is left out; the others load. The
    /// config's bad entries (`file`) are problems too.
    pub fn load(settings: &TerminalSettings, file: &str, keymap: &Keymap) -> (Plugins, Vec<Problem>) {
        let mut problems: Vec<Problem> = settings
            .plugin_errors
            .iter()
            .map(|e| Problem::error(format!("plugin: {}", e.message)).in_file(e.file.clone()).at(e.pos))
            .collect();
        let mut list: Vec<Plugin> = Vec::new();
        for config in &settings.plugins {
            let at = |message: String| Problem::error(message).in_file(file).at(config.pos);
            let key = match Key::parse(&config.key) {
                Ok(k) => k,
                Err(e) => {
                    problems.push(at(format!("plugin `{}`: key `{}`: {e}", config.name, config.key)));
                    continue;
                }
            };
            if let Some((context, action)) = built_in(keymap, key) {
                problems.push(at(format!(
                    "plugin `{}`: key `{}` is already `{action}` ({context}); pick another key or unbind it in keymap.yaml",
                    config.name, config.key
                )));
                continue;
            }
            if let Some(other) = list.iter().find(|p| p.key == key) {
                problems.push(at(format!(
                    "plugin `{}`: key `{}` is already plugin `{}`",
                    config.name, config.key, other.config.name
                )));
                continue;
            }
            let help = config.description.clone().unwrap_or_else(|| {
                let words: Vec<&str> =
                    std::iter::once(config.command.as_str()).chain(config.args.iter().map(String::as_str)).collect();
                format!("plugin: {}", words.join(" "))
            });
            list.push(Plugin { config: config.clone(), key, help });
        }
        (Plugins { list, armed: None }, problems)
    }

    /// The plugin bound to `key`.
    pub fn for_key(&self, key: Key) -> Option<usize> {
        self.list.iter().position(|p| p.key == key)
    }

    /// The plugin named `name`.
    pub fn by_name(&self, name: &str) -> Option<usize> {
        self.list.iter().position(|p| p.config.name == name)
    }

    /// Whether plugin keys work in `context` for `key` (text lines keep
    /// their printable keys).
    pub fn active_in(context: Context, key: Key) -> bool {
        match context {
            Context::List | Context::Entity | Context::Docs => true,
            Context::Search => !key.is_printable(),
            _ => false,
        }
    }
}

/// The built-in binding that starts with `key` where plugins work.
fn built_in(keymap: &Keymap, key: Key) -> Option<(Context, super::action::Action)> {
    keymap
        .bindings()
        .find(|(context, seq, _)| CONTEXTS.contains(context) && seq.keys().first() == Some(&key))
        .map(|(context, _, action)| (context, action))
}

/// What plugin templates see: `ref`, `kind`, `namespace`, `name`, `entity`
/// (as stored) and `source` (`name`, and `file` and `line` when known).
pub fn template_context(index: &Index, i: u32, entity: &Entity) -> Value {
    let s = index.summary(i);
    let (file, line) = index.origin(i).map_or((Value::Null, Value::Null), |(f, l)| (json!(f), json!(l)));
    json!({
        "ref": index.ref_of(i),
        "kind": s.kind,
        "namespace": s.namespace,
        "name": s.name,
        "entity": entity.to_value(),
        "source": {"name": index.source_name(i), "file": file, "line": line},
    })
}

/// The command plugin `plugin` runs for an entity whose template context
/// is `ctx`; a template error names the plugin and the argument.
pub fn command(plugin: &PluginConfig, ctx: &Value) -> Result<External, String> {
    let engine = Engine::new(Syntax::Cookiecutter);
    let render = |text: &str| {
        engine
            .render_str(text, ctx)
            .map(|s| crate::model::sanitize::line(&s).into_owned())
            .map_err(|e| format!("plugin `{}`: `{text}`: {e}", plugin.name))
    };
    let args = plugin.args.iter().map(|a| render(a)).collect::<Result<Vec<_>, _>>()?;
    Ok(External { program: render(&plugin.command)?, args, label: format!("plugin {}", plugin.name), resync: None })
}

/// Whether `plugin` applies to entities of `kind`.
pub fn applies(plugin: &PluginConfig, kind: &str) -> bool {
    plugin.kinds.is_empty() || plugin.kinds.iter().any(|k| k.eq_ignore_ascii_case(kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::index::testing::index_of;

    fn settings(text: &str) -> TerminalSettings {
        Config::parse(text, "config.yaml", None).unwrap().terminal
    }

    #[test]
    fn a_key_that_shadows_a_built_in_names_both_and_the_rest_load() {
        let s = settings(
            "plugins:\n  - {name: pods, key: ctrl-k, command: kubectl}\n  - {name: star, key: s, command: x}\n  - {name: bad, key: ctrl-nope, command: x}\n  - {name: twin, key: ctrl-k, command: y}\n  - {name: broken, key: K}\n",
        );
        let (plugins, problems) = Plugins::load(&s, "config.yaml", &Keymap::default());
        let names: Vec<&str> = plugins.list.iter().map(|p| p.config.name.as_str()).collect();
        assert_eq!(names, ["pods"]);
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(text.len(), 4, "{text:#?}");
        assert!(
            text.iter().any(|t| t.contains("`star`") && t.contains("`toggle_star`") && t.starts_with("config.yaml:3:")),
            "{text:#?}"
        );
        assert!(text.iter().any(|t| t.contains("`bad`") && t.contains("ctrl-nope")), "{text:#?}");
        assert!(text.iter().any(|t| t.contains("`twin`") && t.contains("plugin `pods`")), "{text:#?}");
        assert!(text.iter().any(|t| t.contains("needs a `command`") && t.contains(":6:")), "{text:#?}");
        assert_eq!(plugins.for_key(Key::parse("ctrl-k").unwrap()), Some(0));
        assert_eq!(plugins.by_name("pods"), Some(0));
    }

    #[test]
    fn arguments_are_templated_over_the_entity_without_a_shell() {
        let index = index_of(vec![serde_json::json!({
            "kind": "Component",
            "metadata": {"name": "svc", "annotations": {"backstage.io/kubernetes-id": "svc-k8s"}},
            "spec": {"type": "service", "owner": "team", "lifecycle": "production"}
        })]);
        let i = index.find("component:default/svc").unwrap();
        let entity = index.entity(i).unwrap();
        let ctx = template_context(&index, i, &entity);
        let s = settings(
            "plugins:\n  - name: pods\n    key: ctrl-k\n    command: kubectl\n    args: [get, pods, -l, \"app={{ entity.metadata.annotations['backstage.io/kubernetes-id'] }}\", '{{ ref }}', '{{ kind }}/{{ name }}; rm -rf /']\n",
        );
        let cmd = command(&s.plugins[0], &ctx).unwrap();
        assert_eq!(cmd.program, "kubectl");
        assert_eq!(cmd.args, ["get", "pods", "-l", "app=svc-k8s", "component:default/svc", "Component/svc; rm -rf /"]);
        let bad = settings("plugins:\n  - {name: b, key: x, command: c, args: ['{{ name | nosuchfilter }}']}\n");
        assert!(command(&bad.plugins[0], &ctx).unwrap_err().contains("plugin `b`"));
        assert!(applies(&s.plugins[0], "component"));
        let only_apis = settings("plugins:\n  - {name: a, key: x, command: c, kinds: [API]}\n");
        assert!(!applies(&only_apis.plugins[0], "Component"));
    }
}
