//! A theme file as written: its palette, its slots with their colours
//! still names, and what it inherits, parsed with a problem (line and
//! column) for every bad entry. The parent module follows `inherits:` and
//! resolves the colours.

use std::collections::HashMap;

use ratatui::style::{Color, Modifier};

use super::{Slot, parse_color};
use crate::model::Problem;
use crate::model::yaml::{Limits, MapEntry, Node, NodeValue, Pos, load_single};

/// A colour as written, resolved once the palette is complete.
#[derive(Clone, Debug)]
pub(super) struct ColorRef {
    pub(super) text: String,
    pub(super) pos: Pos,
    /// The file it was written in, when not the text being loaded.
    pub(super) file: Option<String>,
}

/// A slot as written.
#[derive(Clone, Debug, Default)]
pub(super) struct SlotDef {
    pub(super) fg: Option<ColorRef>,
    pub(super) bg: Option<ColorRef>,
    pub(super) modifiers: Modifier,
}

/// What a theme inherits from.
#[derive(Clone, Debug)]
pub(super) enum Inherits {
    /// Nothing (built-ins, and `inherits: null`).
    Nothing,
    /// Not written: the default theme.
    Default,
    /// `inherits: name`.
    Named(String, Pos),
}

/// A theme as written, before its colours are resolved.
#[derive(Clone, Debug)]
pub(super) struct ThemeDef {
    pub(super) name: Option<String>,
    pub(super) inherits: Inherits,
    pub(super) palette: HashMap<String, Color>,
    pub(super) slots: Vec<Option<SlotDef>>,
}

impl ThemeDef {
    fn new(builtin: bool) -> ThemeDef {
        ThemeDef {
            name: None,
            inherits: if builtin { Inherits::Nothing } else { Inherits::Default },
            palette: HashMap::new(),
            slots: vec![None; Slot::ALL.len()],
        }
    }

    /// Records the file every colour reference was written in.
    pub(super) fn set_file(&mut self, file: &str) {
        for slot in self.slots.iter_mut().flatten() {
            for color in [&mut slot.fg, &mut slot.bg].into_iter().flatten() {
                color.file = Some(file.to_string());
            }
        }
    }

    /// This theme over `parent`: palette entries and whole slots replace.
    pub(super) fn over(self, mut parent: ThemeDef) -> ThemeDef {
        parent.palette.extend(self.palette);
        for (mine, theirs) in self.slots.into_iter().zip(parent.slots.iter_mut()) {
            if mine.is_some() {
                *theirs = mine;
            }
        }
        ThemeDef { name: self.name, inherits: self.inherits, ..parent }
    }
}

/// Parses a theme file's structure; colours in slots stay unresolved.
pub(super) fn parse_def(text: &str, builtin: bool) -> Result<ThemeDef, Vec<Problem>> {
    let mut def = ThemeDef::new(builtin);
    let mut problems = Vec::new();
    match load_single(text, Limits::default()) {
        Ok(Some(root)) => match root.as_map() {
            Some(entries) => entries.iter().for_each(|e| parse_top(&mut def, e, &mut problems)),
            None => problems.push(type_problem(&root, "a mapping with `palette:` and `slots:`")),
        },
        Ok(None) => {}
        Err(e) => problems.push(Problem::error(e.message).at(e.pos)),
    }
    if problems.is_empty() { Ok(def) } else { Err(problems) }
}

fn parse_top(def: &mut ThemeDef, entry: &MapEntry, problems: &mut Vec<Problem>) {
    let node = &entry.value;
    match entry.key.as_str() {
        "name" => match node.as_str() {
            Some(name) => def.name = Some(name.to_string()),
            None => problems.push(type_problem(node, "a theme name")),
        },
        "inherits" => match &node.value {
            NodeValue::Null => def.inherits = Inherits::Nothing,
            NodeValue::Str(name) => def.inherits = Inherits::Named(name.clone(), node.pos),
            _ => problems.push(type_problem(node, "a theme name, or null")),
        },
        "palette" => parse_palette(def, node, problems),
        "slots" => parse_slots(def, node, problems),
        other => problems.push(
            Problem::error(format!("unknown key `{other}`; a theme has `name`, `inherits`, `palette` and `slots`"))
                .at(entry.key_pos),
        ),
    }
}

fn parse_palette(def: &mut ThemeDef, node: &Node, problems: &mut Vec<Problem>) {
    let Some(entries) = mapping(node, "a mapping of name: colour", problems) else {
        return;
    };
    for entry in entries {
        let color = scalar_text(&entry.value).and_then(|text| parse_color(&text));
        match color {
            Some(color) => {
                def.palette.insert(entry.key.clone(), color);
            }
            None => problems.push(bad_color(&entry.value)),
        }
    }
}

fn parse_slots(def: &mut ThemeDef, node: &Node, problems: &mut Vec<Problem>) {
    let Some(entries) = mapping(node, "a mapping of slot: style", problems) else {
        return;
    };
    for entry in entries {
        let Some(slot) = Slot::from_name(&entry.key) else {
            problems.push(unknown_slot(entry));
            continue;
        };
        if let Some(slot_def) = parse_slot(&entry.value, problems) {
            def.slots[slot.index()] = Some(slot_def);
        }
    }
}

/// `{fg, bg, modifiers}`, or a bare colour meaning `{fg: colour}`.
fn parse_slot(node: &Node, problems: &mut Vec<Problem>) -> Option<SlotDef> {
    let entries = match &node.value {
        NodeValue::Map(entries) => entries,
        NodeValue::Null => return Some(SlotDef::default()),
        _ => {
            let fg = color_ref(node, problems)?;
            return Some(SlotDef { fg: Some(fg), ..SlotDef::default() });
        }
    };
    let mut slot = SlotDef::default();
    let before = problems.len();
    for entry in entries {
        let value = &entry.value;
        match entry.key.as_str() {
            "fg" if value.value != NodeValue::Null => slot.fg = color_ref(value, problems),
            "bg" if value.value != NodeValue::Null => slot.bg = color_ref(value, problems),
            "fg" | "bg" => {}
            "modifiers" => slot.modifiers = parse_modifiers(value, problems),
            other => problems.push(
                Problem::error(format!("unknown key `{other}`; a slot has `fg`, `bg`, `modifiers`")).at(entry.key_pos),
            ),
        }
    }
    (problems.len() == before).then_some(slot)
}

fn color_ref(node: &Node, problems: &mut Vec<Problem>) -> Option<ColorRef> {
    match scalar_text(node) {
        Some(text) => Some(ColorRef { text, pos: node.pos, file: None }),
        None => {
            problems.push(type_problem(node, "a colour"));
            None
        }
    }
}

const MODIFIERS: &[(&str, Modifier)] = &[
    ("bold", Modifier::BOLD),
    ("dim", Modifier::DIM),
    ("italic", Modifier::ITALIC),
    ("underlined", Modifier::UNDERLINED),
    ("underline", Modifier::UNDERLINED),
    ("reversed", Modifier::REVERSED),
    ("reverse", Modifier::REVERSED),
    ("crossed_out", Modifier::CROSSED_OUT),
];

/// `[bold, underlined]`, or a single name.
fn parse_modifiers(node: &Node, problems: &mut Vec<Problem>) -> Modifier {
    let items = match &node.value {
        NodeValue::Seq(items) => items.as_slice(),
        NodeValue::Str(_) => std::slice::from_ref(node),
        NodeValue::Null => &[],
        _ => {
            problems.push(type_problem(node, "a list of modifiers"));
            return Modifier::empty();
        }
    };
    let mut modifiers = Modifier::empty();
    for item in items {
        let found = item.as_str().and_then(|name| MODIFIERS.iter().find(|(n, _)| *n == name));
        match found {
            Some((_, modifier)) => modifiers |= *modifier,
            None => problems.push(
                Problem::error(format!(
                    "unknown modifier {}; use bold, dim, italic, underlined, reversed or crossed_out",
                    describe(item)
                ))
                .at(item.pos),
            ),
        }
    }
    modifiers
}

fn mapping<'a>(node: &'a Node, expected: &str, problems: &mut Vec<Problem>) -> Option<&'a [MapEntry]> {
    match &node.value {
        NodeValue::Map(entries) => Some(entries),
        NodeValue::Null => Some(&[]),
        _ => {
            problems.push(type_problem(node, expected));
            None
        }
    }
}

/// A string or integer scalar as text (`208` is an index, not a number).
fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        NodeValue::Str(s) => Some(s.clone()),
        NodeValue::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

fn describe(node: &Node) -> String {
    match scalar_text(node) {
        Some(text) => format!("`{text}`"),
        None => node.value.type_name().to_string(),
    }
}

fn bad_color(node: &Node) -> Problem {
    Problem::error(format!("bad colour {}; use an ANSI name (red, lightblue, ...), #rrggbb or 0-255", describe(node)))
        .at(node.pos)
}

fn unknown_slot(entry: &MapEntry) -> Problem {
    let near = Slot::ALL
        .iter()
        .map(|s| (strsim::jaro_winkler(&entry.key, s.name()), s.name()))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let hint = match near {
        Some((_, name)) => format!("did you mean `{name}`?"),
        None => "see themes/dark.yaml for every slot".into(),
    };
    Problem::error(format!("unknown slot `{}`; {hint}", entry.key)).at(entry.key_pos)
}

fn type_problem(node: &Node, expected: &str) -> Problem {
    Problem::error(format!("expected {expected}, found {}", node.value.type_name())).at(node.pos)
}
