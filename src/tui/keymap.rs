//! Keys, key sequences, contexts and the keymap that turns key presses into
//! [`Action`]s.
//!
//! The defaults live in `keymaps/default.yaml` (built in, and the
//! documentation of every key). A user file has the same shape and overrides
//! single bindings; `key: null` unbinds. A bad user file is rejected as a
//! whole with one [`Problem`] per bad line, and the caller runs on defaults.
//!
//! Resolution is a small state machine: [`resolve`] takes one key event and a
//! [`Pending`] (the keys of an unfinished chord) and answers with a
//! [`Resolution`].

use std::fmt;
use std::path::Path;

use crossterm::event::{KeyEvent, KeyEventKind};

use super::action::Action;
pub use super::key::{Key, KeySeq};
use crate::model::Problem;
use crate::model::yaml::{Limits, MapEntry, Node, NodeValue, load_single};

/// The built-in keymap, also the documentation of every key.
pub const DEFAULT_KEYMAP: &str = include_str!("../../keymaps/default.yaml");

/// Where a key is pressed; each has its own section in the keymap file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Every view, unless the view's own context binds the key.
    Global,
    /// The home screen while the query line has focus.
    Search,
    /// Tables: entities by kind, problems, starred, relation lists.
    List,
    /// The entity page.
    Entity,
    /// The Docs tab of an entity page; keys it does not bind fall back to
    /// `entity`, then `global`.
    Docs,
    /// The scaffolding wizard, while no text editor is open.
    Wizard,
    /// The help overlay.
    Help,
    /// The command palette input.
    Palette,
}

impl Context {
    /// Every context, in file and help order.
    pub const ALL: &'static [Context] = &[
        Context::Global,
        Context::Search,
        Context::List,
        Context::Entity,
        Context::Docs,
        Context::Wizard,
        Context::Help,
        Context::Palette,
    ];

    /// The section name in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Search => "search",
            Context::List => "list",
            Context::Entity => "entity",
            Context::Docs => "docs",
            Context::Wizard => "wizard",
            Context::Help => "help",
            Context::Palette => "palette",
        }
    }

    /// The context with this section name.
    pub fn from_name(name: &str) -> Option<Context> {
        Context::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// True where a text line has focus: printable and editing keys go to
    /// the text, and only other keys can be bound.
    pub fn is_text_input(self) -> bool {
        matches!(self, Context::Search | Context::Palette)
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The context whose bindings apply where this one binds nothing
    /// (before `global`).
    pub fn parent(self) -> Option<Context> {
        match self {
            Context::Docs => Some(Context::Entity),
            _ => None,
        }
    }

    /// This context and its parents, most specific first (not `global`).
    fn chain(self) -> impl Iterator<Item = Context> {
        std::iter::successors(Some(self), |c| c.parent()).filter(|c| *c != Context::Global)
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One line of a keymap: a key sequence bound to an action, or explicitly
/// unbound (`None`), which hides a global binding in a view context.
type Entry = (KeySeq, Option<Action>);

/// Key bindings per context, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keymap {
    contexts: [Vec<Entry>; 8],
}

impl Default for Keymap {
    /// The built-in keymap from `keymaps/default.yaml`.
    #[allow(clippy::expect_used, reason = "audited: the embedded default keymap, parsed by the tests")]
    fn default() -> Keymap {
        Keymap::parse_defaults().expect("the built-in keymaps/default.yaml parses (tested)")
    }
}

/// What looking up a sequence in one context found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lookup {
    /// Bound exactly (or explicitly unbound), and no longer chord starts with it.
    Exact(Option<Action>),
    /// A longer chord starts with it; `fallback` is its own binding, if any.
    Prefix { fallback: Option<Action> },
    /// Nothing here.
    Miss,
}

impl Keymap {
    /// A keymap with no bindings.
    pub fn empty() -> Keymap {
        Keymap { contexts: Default::default() }
    }

    /// Parses the built-in keymap.
    pub fn parse_defaults() -> Result<Keymap, Vec<Problem>> {
        Keymap::empty().merged(DEFAULT_KEYMAP)
    }

    /// The defaults with a user keymap file's bindings applied over them; on
    /// any bad line, every problem (with its line and column) and no keymap:
    /// the caller shows them and runs on [`Keymap::default`]. Problems carry
    /// no file name; add it with [`Problem::in_file`].
    pub fn load_user(text: &str) -> Result<Keymap, Vec<Problem>> {
        Keymap::default().merged(text)
    }

    /// Reads a user keymap file: defaults when it does not exist, defaults
    /// and the problems (with the file name) when it is bad.
    pub fn load_user_file(path: &Path) -> (Keymap, Vec<Problem>) {
        let file = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => match Keymap::load_user(&text) {
                Ok(keymap) => (keymap, Vec::new()),
                Err(problems) => {
                    let problems = problems.into_iter().map(|p| p.in_file(&file)).collect();
                    (Keymap::default(), problems)
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Keymap::default(), Vec::new()),
            Err(e) => {
                let problem = Problem::error(format!("cannot read the keymap: {e}")).in_file(file);
                (Keymap::default(), vec![problem])
            }
        }
    }

    /// This keymap with `text`'s bindings applied over it.
    pub fn merged(mut self, text: &str) -> Result<Keymap, Vec<Problem>> {
        let mut problems = Vec::new();
        match load_single(text, Limits::default()) {
            Ok(Some(root)) => self.apply_root(&root, &mut problems),
            Ok(None) => {}
            Err(e) => problems.push(Problem::error(e.message).at(e.pos)),
        }
        if problems.is_empty() { Ok(self) } else { Err(problems) }
    }

    /// Binds `seq` to `action` in `context` (`None` unbinds), replacing any
    /// binding of the same sequence there.
    pub fn bind(&mut self, context: Context, seq: KeySeq, action: Option<Action>) {
        let entries = &mut self.contexts[context.index()];
        match entries.iter_mut().find(|(s, _)| *s == seq) {
            Some(entry) => entry.1 = action,
            None => entries.push((seq, action)),
        }
    }

    /// Every binding, context by context in file order (for the help overlay).
    pub fn bindings(&self) -> impl Iterator<Item = (Context, &KeySeq, Action)> + '_ {
        Context::ALL.iter().flat_map(move |&context| {
            self.contexts[context.index()].iter().filter_map(move |(seq, action)| action.map(|a| (context, seq, a)))
        })
    }

    /// The bindings that work in `context`: its own, then the global ones it
    /// does not shadow (for a per-view help overlay).
    pub fn bindings_in(&self, context: Context) -> Vec<(&KeySeq, Action)> {
        let mut out: Vec<(&KeySeq, Action)> = Vec::new();
        let mut seen: Vec<&KeySeq> = Vec::new();
        for ctx in context.chain() {
            for (seq, action) in self.entries(ctx) {
                if !seen.contains(&seq) {
                    seen.push(seq);
                    if let Some(a) = action {
                        out.push((seq, *a));
                    }
                }
            }
        }
        out.extend(self.global_entries_for(context).filter_map(|(seq, a)| a.map(|a| (seq, a))));
        out
    }

    /// The keys that trigger `action` in `context`, its own first
    /// (for hints such as "? help").
    pub fn keys_for(&self, context: Context, action: Action) -> Vec<String> {
        self.bindings_in(context).into_iter().filter(|(_, a)| *a == action).map(|(seq, _)| seq.to_string()).collect()
    }

    fn entries(&self, context: Context) -> &[Entry] {
        &self.contexts[context.index()]
    }

    /// Global entries not shadowed by `context` (nor by its text input).
    fn global_entries_for(&self, context: Context) -> impl Iterator<Item = &Entry> + '_ {
        let own: Vec<&[Entry]> = context.chain().map(|c| self.entries(c)).collect();
        self.entries(Context::Global).iter().filter(move |(seq, _)| {
            let shadowed = own.iter().any(|entries| entries.iter().any(|(s, _)| s == seq));
            let typed = context.is_text_input() && seq.0.first().is_some_and(|k| k.edits_text());
            !shadowed && !typed
        })
    }

    fn lookup(&self, context: Context, keys: &[Key]) -> Lookup {
        for ctx in context.chain() {
            let own = lookup_in(self.entries(ctx).iter(), keys);
            if own != Lookup::Miss {
                return own;
            }
        }
        lookup_in(self.global_entries_for(context), keys)
    }

    fn apply_root(&mut self, root: &Node, problems: &mut Vec<Problem>) {
        let Some(sections) = root.as_map() else {
            problems.push(type_problem(root, "a mapping of contexts (global:, list:, ...)"));
            return;
        };
        for section in sections {
            let Some(context) = Context::from_name(&section.key) else {
                let names: Vec<_> = Context::ALL.iter().map(|c| c.name()).collect();
                let message = format!("unknown context `{}`; expected one of {}", section.key, names.join(", "));
                problems.push(Problem::error(message).at(section.key_pos));
                continue;
            };
            match &section.value.value {
                NodeValue::Map(entries) => self.apply_context(context, entries, problems),
                NodeValue::Null => {}
                _ => problems.push(type_problem(&section.value, "a mapping of key: action")),
            }
        }
    }

    fn apply_context(&mut self, context: Context, entries: &[MapEntry], problems: &mut Vec<Problem>) {
        for entry in entries {
            match parse_binding(context, entry) {
                Ok((seq, action)) => self.bind(context, seq, action),
                Err(problem) => problems.push(problem),
            }
        }
    }
}

fn lookup_in<'a>(entries: impl Iterator<Item = &'a Entry>, keys: &[Key]) -> Lookup {
    let mut exact = None;
    let mut longer = false;
    for (seq, action) in entries {
        if seq.0 == keys {
            exact = Some(*action);
        } else if action.is_some() && seq.starts_with(keys) {
            longer = true;
        }
    }
    match (exact, longer) {
        (exact, true) => Lookup::Prefix { fallback: exact.flatten() },
        (Some(action), false) => Lookup::Exact(action),
        (None, false) => Lookup::Miss,
    }
}

fn parse_binding(context: Context, entry: &MapEntry) -> Result<(KeySeq, Option<Action>), Problem> {
    let at_key = |message: String| Problem::error(message).at(entry.key_pos);
    let seq = KeySeq::parse(&entry.key).map_err(at_key)?;
    if context.is_text_input()
        && let Some(key) = seq.0.iter().find(|k| k.is_printable())
    {
        return Err(at_key(format!(
            "`{key}` types into the text in `{context}`; bind keys with ctrl-/alt- or \
             non-printable keys (enter, tab, f1, ...) there"
        )));
    }
    let action = parse_action(&entry.value)?;
    Ok((seq, action))
}

fn parse_action(node: &Node) -> Result<Option<Action>, Problem> {
    match &node.value {
        NodeValue::Null => Ok(None),
        NodeValue::Str(name) if name == "none" => Ok(None),
        NodeValue::Str(name) => Action::from_name(name).map(Some).ok_or_else(|| {
            let hint = match Action::suggest(name) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "the actions are listed at the top of keymaps/default.yaml".into(),
            };
            Problem::error(format!("unknown action `{name}`; {hint}")).at(node.pos)
        }),
        _ => Err(type_problem(node, "an action name, or null to unbind")),
    }
}

fn type_problem(node: &Node, expected: &str) -> Problem {
    Problem::error(format!("expected {expected}, found {}", node.value.type_name())).at(node.pos)
}

/// The keys of an unfinished chord, kept between key presses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pending {
    keys: Vec<Key>,
    context: Option<Context>,
    fallback: Option<Action>,
}

impl Pending {
    /// True when no chord is in progress.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys typed so far (for a "g-" hint in the status bar).
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// Forgets the chord in progress.
    pub fn clear(&mut self) {
        *self = Pending::default();
    }

    /// Ends the chord after a timeout: the action bound to the keys typed so
    /// far, if they are bound on their own too (`g` bound and `g g` bound).
    pub fn take_fallback(&mut self) -> Option<Action> {
        let fallback = self.fallback;
        self.clear();
        fallback
    }
}

/// What a key press means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Do this.
    Action(Action),
    /// The first key(s) of a chord: wait for the next key.
    Pending,
    /// Not bound here. In a text context (`search`, `palette`) the caller
    /// passes the key to the text input.
    Unbound,
}

/// Resolves one key event in `context`. The context's bindings win over
/// global ones; a key that starts a chord waits for the next key, and a next
/// key that completes no chord is resolved on its own. Key releases are
/// ignored.
pub fn resolve(keymap: &Keymap, context: Context, event: KeyEvent, pending: &mut Pending) -> Resolution {
    if event.kind == KeyEventKind::Release {
        return Resolution::Unbound;
    }
    let key = Key::from(event);
    if !pending.is_empty() && pending.context == Some(context) {
        let mut keys = std::mem::take(&mut pending.keys);
        keys.push(key);
        if let Some(resolution) = finish(keymap.lookup(context, &keys), context, keys, pending) {
            return resolution;
        }
    }
    pending.clear();
    let resolution = finish(keymap.lookup(context, &[key]), context, vec![key], pending);
    resolution.unwrap_or(Resolution::Unbound)
}

/// Turns a lookup into a resolution; `None` on a miss.
fn finish(found: Lookup, context: Context, keys: Vec<Key>, pending: &mut Pending) -> Option<Resolution> {
    pending.clear();
    match found {
        Lookup::Exact(Some(action)) => Some(Resolution::Action(action)),
        Lookup::Exact(None) => Some(Resolution::Unbound),
        Lookup::Prefix { fallback } => {
            *pending = Pending { keys, context: Some(context), fallback };
            Some(Resolution::Pending)
        }
        Lookup::Miss => None,
    }
}

#[cfg(test)]
#[path = "keymap_tests.rs"]
mod tests;
