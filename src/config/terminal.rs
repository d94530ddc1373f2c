//! The terminal-convention settings of `config.yaml`: `plugins` (k9s-style
//! user commands on entities), `hyperlinks` and `terminal_browsers`.
//!
//! A bad plugin entry does not reject the config: it becomes a
//! [`ConfigError`] naming its line, and the other plugins still work.

use crate::model::yaml::{Node, NodeValue, Pos};

use super::{ConfigError, Fail, check_keys, opt_string, string_list};

/// The top-level keys this module reads.
pub const KEYS: [&str; 3] = ["plugins", "hyperlinks", "terminal_browsers"];

const PLUGIN_KEYS: [&str; 9] =
    ["name", "key", "kinds", "command", "args", "background", "confirm", "description", "shell"];

/// One user command on entities, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginConfig {
    /// The name shown in help and typed in the palette (`:NAME`).
    pub name: String,
    /// The key that runs it (keymap syntax: `ctrl-k`, `K`, `alt-p`).
    pub key: String,
    /// Entity kinds it applies to, lowercase; empty for every kind.
    pub kinds: Vec<String>,
    /// The program, run directly (no shell).
    pub command: String,
    /// Its arguments, each a template over the entity.
    pub args: Vec<String>,
    /// Run without the terminal (output discarded) instead of suspending.
    pub background: bool,
    /// Ask before running (press the key a second time).
    pub confirm: bool,
    /// One line for the help overlay.
    pub description: Option<String>,
    /// Where the entry starts in config.yaml.
    pub pos: Pos,
}

/// What `plugins`, `hyperlinks` and `terminal_browsers` say.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TerminalSettings {
    /// The plugins that parsed.
    pub plugins: Vec<PluginConfig>,
    /// Plugin entries that did not, each with its line.
    pub plugin_errors: Vec<ConfigError>,
    /// `hyperlinks:` as written (OSC 8 links); `None` decides by `TERM`.
    pub hyperlinks: Option<bool>,
    /// Extra program names run in the foreground as `$BROWSER`.
    pub terminal_browsers: Vec<String>,
}

impl TerminalSettings {
    /// Reads the keys of [`KEYS`] from the config root; `file` names errors.
    pub fn parse(root: &Node, file: &str) -> Result<TerminalSettings, ConfigError> {
        let err = |(pos, message): Fail| ConfigError { file: file.to_string(), pos, message };
        let mut settings = TerminalSettings::default();
        if let Some(node) = root.get("hyperlinks") {
            match node.value {
                NodeValue::Bool(b) => settings.hyperlinks = Some(b),
                _ => return Err(err((node.pos, "`hyperlinks` must be true or false".into()))),
            }
        }
        if let Some(node) = root.get("terminal_browsers") {
            settings.terminal_browsers =
                string_list(node).map_err(|(p, m)| err((p, format!("`terminal_browsers` {m}"))))?;
        }
        if let Some(node) = root.get("plugins") {
            let items = node.as_seq().ok_or_else(|| err((node.pos, "`plugins` must be a list".into())))?;
            for item in items {
                match parse_plugin(item) {
                    Ok(p) if settings.plugins.iter().any(|q| q.name == p.name) => settings
                        .plugin_errors
                        .push(err((item.pos, format!("plugin name `{}` is used twice; names must be unique", p.name)))),
                    Ok(p) => settings.plugins.push(p),
                    Err(fail) => settings.plugin_errors.push(err(fail)),
                }
            }
        }
        Ok(settings)
    }
}

fn bool_of(node: &Node, key: &str) -> Result<bool, Fail> {
    match node.get(key) {
        None => Ok(false),
        Some(n) => match n.value {
            NodeValue::Bool(b) => Ok(b),
            _ => Err((n.pos, format!("`{key}` must be true or false"))),
        },
    }
}

fn parse_plugin(node: &Node) -> Result<PluginConfig, Fail> {
    let entries = node
        .as_map()
        .ok_or((node.pos, "each plugin must be a mapping with `name`, `key` and `command`".to_string()))?;
    check_keys(entries, &PLUGIN_KEYS, "a plugin")?;
    let required = |key: &str| opt_string(node, key)?.ok_or((node.pos, format!("plugin needs a `{key}`")));
    let name = required("name")?;
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    if !valid {
        let pos = node.get("name").map_or(node.pos, |n| n.pos);
        return Err((pos, format!("plugin name `{name}` may use only letters, digits, `-` and `_`")));
    }
    let key = required("key")?;
    let command = required("command")?;
    if command.trim().is_empty() {
        return Err((node.get("command").map_or(node.pos, |n| n.pos), "`command` is empty".into()));
    }
    let args = match node.get("args") {
        None => Vec::new(),
        Some(n) => string_list(n).map_err(|(p, m)| (p, format!("`args` {m}")))?,
    };
    let kinds = match node.get("kinds") {
        None => Vec::new(),
        Some(n) => {
            string_list(n).map_err(|(p, m)| (p, format!("`kinds` {m}")))?.iter().map(|k| k.to_lowercase()).collect()
        }
    };
    if node.get("shell").is_some() {
        let pos = node.entry("shell").map_or(node.pos, |e| e.key_pos);
        return Err((
            pos,
            "plugins run without a shell; name one as the command (`command: sh`, `args: [-c, '...']`)".into(),
        ));
    }
    Ok(PluginConfig {
        name,
        key,
        kinds,
        command,
        args,
        background: bool_of(node, "background")?,
        confirm: bool_of(node, "confirm")?,
        description: opt_string(node, "description")?,
        pos: node.pos,
    })
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn plugins_parse_and_a_bad_entry_names_its_line_while_the_rest_work() {
        let text = "plugins:\n  - name: pods\n    key: ctrl-k\n    kinds: [Component]\n    command: kubectl\n    args: [get, pods, -l, 'app={{ name }}']\n  - name: broken\n    key: x\n  - name: gh\n    key: alt-g\n    command: gh\n    background: true\n    confirm: true\nhyperlinks: false\nterminal_browsers: [carbonyl]\n";
        let c = Config::parse(text, "c.yaml", None).unwrap();
        let t = &c.terminal;
        assert_eq!(t.plugins.len(), 2);
        assert_eq!(t.plugins[0].kinds, vec!["component"]);
        assert_eq!(t.plugins[0].args[3], "app={{ name }}");
        assert!(t.plugins[1].background && t.plugins[1].confirm);
        assert_eq!(t.plugin_errors.len(), 1);
        let e = &t.plugin_errors[0];
        assert_eq!(e.pos.line, 7, "{e}");
        assert!(e.message.contains("needs a `command`"), "{e}");
        assert_eq!(t.terminal_browsers, vec!["carbonyl"]);
        assert_eq!(t.hyperlinks, Some(false));
    }

    #[test]
    fn plugin_typos_and_duplicates_are_errors_with_hints() {
        let text = "plugins:\n  - {name: a, key: x, command: c, backgruond: true}\n  - {name: a, key: y, command: c}\n  - {name: a, key: z, command: c}\n";
        let c = Config::parse(text, "c.yaml", None).unwrap();
        assert_eq!(c.terminal.plugins.len(), 1);
        let messages: Vec<String> = c.terminal.plugin_errors.iter().map(|e| e.to_string()).collect();
        assert!(messages[0].contains("did you mean `background`"), "{messages:?}");
        assert!(messages[1].starts_with("c.yaml:4:") && messages[1].contains("used twice"), "{messages:?}");
        let shell = Config::parse("plugins:\n  - {name: s, key: x, command: c, shell: true}\n", "c", None).unwrap();
        assert!(shell.terminal.plugin_errors[0].message.contains("without a shell"));
        assert!(Config::parse("terminal_browsers: w3m\n", "c", None).is_err());
        assert!(Config::parse("hyperlinks: maybe\n", "c", None).is_err());
    }

    #[test]
    fn the_starter_config_plugin_example_parses_once_uncommented() {
        let example: String = crate::config::STARTER
            .lines()
            .skip_while(|l| !l.starts_with("# plugins:"))
            .take_while(|l| !l.is_empty())
            .map(|l| format!("{}\n", l.strip_prefix("# ").unwrap_or(l)))
            .collect();
        let c = Config::parse(&example, "starter", None).unwrap();
        assert!(c.terminal.plugin_errors.is_empty(), "{:?}", c.terminal.plugin_errors);
        assert_eq!(c.terminal.plugins[0].name, "pods");
    }
}
