//! Keys and key sequences as keymap files write them: parsing (`ctrl-c`,
//! `g g`), the canonical spelling, and normalising terminal events.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One key press: a key code plus modifiers, normalised so that equal presses
/// compare equal (`G` is `Char('G')` without SHIFT, `shift-tab` is `BackTab`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Ctrl, alt, ... (never SHIFT on characters: the case carries it).
    pub modifiers: KeyModifiers,
}

impl Key {
    /// A normalised key.
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Key {
        let (code, modifiers) = match code {
            KeyCode::Char(c) if modifiers.contains(KeyModifiers::SHIFT) => {
                (KeyCode::Char(c.to_ascii_uppercase()), modifiers - KeyModifiers::SHIFT)
            }
            KeyCode::BackTab => (KeyCode::BackTab, modifiers - KeyModifiers::SHIFT),
            KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => {
                (KeyCode::BackTab, modifiers - KeyModifiers::SHIFT)
            }
            _ => (code, modifiers),
        };
        Key { code, modifiers }
    }

    /// Parses `ctrl-c`, `alt-left`, `shift-tab`, `G`, `?`, `space`, `f5`, ...
    pub fn parse(text: &str) -> Result<Key, String> {
        let mut rest = text;
        let mut modifiers = KeyModifiers::NONE;
        while rest.len() > 1 {
            let Some((flag, after)) =
                MODIFIER_NAMES.iter().find_map(|(name, flag)| strip_modifier(rest, name).map(|after| (*flag, after)))
            else {
                break;
            };
            modifiers |= flag;
            rest = after;
        }
        let code = parse_code(rest).ok_or_else(|| unknown_key(text, rest))?;
        if let KeyCode::Char(c) = code
            && modifiers.contains(KeyModifiers::SHIFT)
            && !c.is_ascii_alphabetic()
        {
            return Err(format!(
                "`{text}`: shift- only combines with letters and named keys; write the \
                 character itself (`?` rather than `shift-/`)"
            ));
        }
        Ok(Key::new(code, modifiers))
    }

    /// A character typed without ctrl/alt: in text contexts it goes to the text.
    pub fn is_printable(self) -> bool {
        matches!(self.code, KeyCode::Char(_)) && self.modifiers.is_empty()
    }

    /// A printable key or a key that edits a text line (backspace, delete,
    /// left, right, home, end without modifiers).
    pub fn edits_text(self) -> bool {
        let editing = matches!(
            self.code,
            KeyCode::Backspace | KeyCode::Delete | KeyCode::Left | KeyCode::Right | KeyCode::Home | KeyCode::End
        );
        self.is_printable() || (editing && self.modifiers.is_empty())
    }
}

impl From<KeyEvent> for Key {
    fn from(event: KeyEvent) -> Key {
        Key::new(event.code, event.modifiers)
    }
}

impl std::str::FromStr for Key {
    type Err = String;

    fn from_str(text: &str) -> Result<Key, String> {
        Key::parse(text)
    }
}

impl fmt::Display for Key {
    /// The canonical spelling, which [`Key::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut modifiers = self.modifiers;
        let mut code = self.code;
        // An uppercase letter with other modifiers reads better as `ctrl-shift-a`.
        if let KeyCode::Char(c) = code
            && c.is_ascii_uppercase()
            && !modifiers.is_empty()
        {
            modifiers |= KeyModifiers::SHIFT;
            code = KeyCode::Char(c.to_ascii_lowercase());
        }
        for (name, flag) in MODIFIER_NAMES {
            if modifiers.contains(*flag) {
                write!(f, "{name}-")?;
            }
        }
        f.write_str(&code_name(code))
    }
}

/// Modifier prefixes, in the order they are written.
const MODIFIER_NAMES: &[(&str, KeyModifiers)] = &[
    ("ctrl", KeyModifiers::CONTROL),
    ("alt", KeyModifiers::ALT),
    ("shift", KeyModifiers::SHIFT),
    ("super", KeyModifiers::SUPER),
    ("hyper", KeyModifiers::HYPER),
    ("meta", KeyModifiers::META),
];

/// Named keys and their spellings; the first spelling of a code is canonical.
const KEY_NAMES: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("return", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("escape", KeyCode::Esc),
    ("space", KeyCode::Char(' ')),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("del", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("ins", KeyCode::Insert),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pgup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("pgdn", KeyCode::PageDown),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
];

fn strip_modifier<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let head = text.get(..name.len() + 1)?;
    let matches = head[..name.len()].eq_ignore_ascii_case(name) && head.ends_with('-');
    matches.then(|| &text[name.len() + 1..]).filter(|rest| !rest.is_empty())
}

fn parse_code(text: &str) -> Option<KeyCode> {
    let mut chars = text.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return (!c.is_whitespace() && !c.is_control()).then_some(KeyCode::Char(c));
    }
    let lower = text.to_ascii_lowercase();
    if let Some((_, code)) = KEY_NAMES.iter().find(|(name, _)| *name == lower) {
        return Some(*code);
    }
    let number: u8 = lower.strip_prefix('f')?.parse().ok()?;
    (1..=24).contains(&number).then_some(KeyCode::F(number))
}

fn code_name(code: KeyCode) -> String {
    if let Some((name, _)) = KEY_NAMES.iter().find(|(_, c)| *c == code) {
        return (*name).to_string();
    }
    match code {
        KeyCode::Char(c) => c.to_string(),
        KeyCode::F(n) => format!("f{n}"),
        other => format!("{other:?}").to_ascii_lowercase(),
    }
}

fn unknown_key(text: &str, name: &str) -> String {
    if name.is_empty() || name.ends_with('-') {
        return format!("`{text}` names no key after its modifiers");
    }
    format!(
        "unknown key `{name}` in `{text}`; use a single character or one of: {}, f1..f12",
        KEY_NAMES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
    )
}

/// A key sequence: one key, or a chord of several (`g g`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeySeq(pub Vec<Key>);

impl KeySeq {
    /// Parses space-separated keys: `g g`, `ctrl-x ctrl-s`.
    pub fn parse(text: &str) -> Result<KeySeq, String> {
        let keys = text.split_whitespace().map(Key::parse).collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(format!("`{text}` names no key"));
        }
        Ok(KeySeq(keys))
    }

    /// The keys, in order.
    pub fn keys(&self) -> &[Key] {
        &self.0
    }

    /// Whether this longer sequence begins with `prefix` (a chord's start).
    pub fn starts_with(&self, prefix: &[Key]) -> bool {
        self.0.len() > prefix.len() && self.0.starts_with(prefix)
    }
}

impl std::str::FromStr for KeySeq {
    type Err = String;

    fn from_str(text: &str) -> Result<KeySeq, String> {
        KeySeq::parse(text)
    }
}

impl fmt::Display for KeySeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, key) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{key}")?;
        }
        Ok(())
    }
}
