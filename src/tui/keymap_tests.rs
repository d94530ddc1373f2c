//! Unit tests of `keymap.rs`.

use super::*;
use crossterm::event::{KeyCode, KeyModifiers};

fn press(text: &str) -> KeyEvent {
    let key = Key::parse(text).unwrap();
    KeyEvent::new(key.code, key.modifiers)
}

fn run(keymap: &Keymap, context: Context, keys: &[&str]) -> Vec<Resolution> {
    let mut pending = Pending::default();
    keys.iter().map(|k| resolve(keymap, context, press(k), &mut pending)).collect()
}

fn one(keymap: &Keymap, context: Context, key: &str) -> Resolution {
    run(keymap, context, &[key])[0]
}

#[test]
fn default_keymap_parses() {
    Keymap::parse_defaults().unwrap();
}

/// Actions with no default key on purpose (reached another way); none today.
const UNBOUND_BY_DEFAULT: &[Action] = &[];

#[test]
fn every_action_is_bound_or_listed_as_unbound() {
    let keymap = Keymap::default();
    for &action in Action::ALL {
        let bound = keymap.bindings().any(|(_, _, a)| a == action);
        let listed = UNBOUND_BY_DEFAULT.contains(&action);
        assert!(bound != listed, "{action}: bound {bound}, listed as unbound {listed}");
    }
}

#[test]
fn the_default_keymap_binds_no_key_twice() {
    let root = load_single(DEFAULT_KEYMAP, Limits::default()).unwrap().unwrap();
    let mut sections = std::collections::HashSet::new();
    for section in root.as_map().unwrap() {
        assert!(sections.insert(section.key.clone()), "section {} twice", section.key);
        let mut seen = std::collections::HashSet::new();
        for entry in section.value.as_map().unwrap() {
            let seq = KeySeq::parse(&entry.key).unwrap();
            assert!(seen.insert(seq), "`{}` bound twice in {}", entry.key, section.key);
        }
    }
}

#[test]
fn the_wizard_has_its_own_context_and_falls_back_to_global() {
    let keymap = Keymap::default();
    assert_eq!(Context::from_name("wizard"), Some(Context::Wizard));
    assert_eq!(keymap.keys_for(Context::Wizard, Action::OpenLink), vec!["o"]);
    assert_eq!(one(&keymap, Context::Wizard, "esc"), Resolution::Action(Action::Back));
    assert_eq!(one(&keymap, Context::Wizard, "s"), Resolution::Unbound, "list keys do not apply");
}

#[test]
fn default_bindings_use_canonical_spellings() {
    let root = load_single(DEFAULT_KEYMAP, Limits::default()).unwrap().unwrap();
    for section in root.as_map().unwrap() {
        for entry in section.value.as_map().unwrap() {
            let seq = KeySeq::parse(&entry.key).unwrap();
            assert_eq!(seq.to_string(), entry.key, "write `{}` as `{seq}`", entry.key);
            let name = entry.value.as_str().unwrap();
            assert!(Action::from_name(name).is_some(), "{name}");
        }
    }
}

#[test]
fn keys_parse_and_format_round_trip() {
    let cases = [
        ("ctrl-c", "ctrl-c"),
        ("alt-left", "alt-left"),
        ("shift-tab", "backtab"),
        ("backtab", "backtab"),
        ("enter", "enter"),
        ("Return", "enter"),
        ("esc", "esc"),
        ("space", "space"),
        ("f1", "f1"),
        ("F12", "f12"),
        ("pageup", "pageup"),
        ("G", "G"),
        ("shift-g", "G"),
        ("?", "?"),
        (":", ":"),
        ("-", "-"),
        ("ctrl--", "ctrl--"),
        ("ctrl-shift-a", "ctrl-shift-a"),
        ("ctrl-A", "ctrl-shift-a"),
        ("CTRL-ALT-x", "ctrl-alt-x"),
        ("shift-up", "shift-up"),
    ];
    for (text, canonical) in cases {
        let key = Key::parse(text).unwrap();
        assert_eq!(key.to_string(), canonical, "{text}");
        assert_eq!(Key::parse(canonical).unwrap(), key, "{text}");
    }
    assert_eq!(KeySeq::parse("g  g").unwrap().to_string(), "g g");
    for bad in ["", "ctrl-", "foo", "ctrl-foo", "f25", "shift-1", "  "] {
        assert!(KeySeq::parse(bad).is_err(), "{bad:?} should not parse");
    }
}

#[test]
fn terminal_events_normalise() {
    let shifted = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(Key::from(shifted), Key::parse("G").unwrap());
    let backtab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(Key::from(backtab), Key::parse("shift-tab").unwrap());
}

#[test]
fn chord_g_g_goes_to_top() {
    let keymap = Keymap::default();
    let got = run(&keymap, Context::List, &["g", "g"]);
    assert_eq!(got, [Resolution::Pending, Resolution::Action(Action::Top)]);
    // A non-matching second key is resolved on its own.
    let got = run(&keymap, Context::List, &["g", "j"]);
    assert_eq!(got, [Resolution::Pending, Resolution::Action(Action::MoveDown)]);
    let got = run(&keymap, Context::List, &["g", "x"]);
    assert_eq!(got, [Resolution::Pending, Resolution::Unbound]);
}

#[test]
fn lone_key_that_starts_a_chord_waits_and_falls_back_on_timeout() {
    let keymap = Keymap::default().merged("global:\n  g: help\n").unwrap();
    let mut pending = Pending::default();
    assert_eq!(resolve(&keymap, Context::List, press("g"), &mut pending), Resolution::Pending);
    assert_eq!(pending.keys(), &[Key::parse("g").unwrap()]);
    assert_eq!(pending.take_fallback(), Some(Action::Help));
    assert!(pending.is_empty());
}

#[test]
fn context_bindings_win_over_global() {
    let keymap = Keymap::default();
    assert_eq!(one(&keymap, Context::Entity, "l"), Resolution::Action(Action::NextTab));
    assert_eq!(one(&keymap, Context::List, "l"), Resolution::Unbound);
    assert_eq!(one(&keymap, Context::Search, "ctrl-u"), Resolution::Action(Action::ClearQuery));
    assert_eq!(one(&keymap, Context::List, "ctrl-u"), Resolution::Action(Action::HalfPageUp));
    assert_eq!(one(&keymap, Context::Help, "?"), Resolution::Action(Action::Back));
    assert_eq!(one(&keymap, Context::List, "?"), Resolution::Action(Action::Help));
}

#[test]
fn text_contexts_leave_typing_keys_to_the_text() {
    let keymap = Keymap::default();
    for key in ["q", "j", "?", "g", "backspace", "left", "home"] {
        assert_eq!(one(&keymap, Context::Search, key), Resolution::Unbound, "{key}");
        assert_eq!(one(&keymap, Context::Palette, key), Resolution::Unbound, "{key}");
    }
    assert_eq!(one(&keymap, Context::Search, "ctrl-n"), Resolution::Action(Action::MoveDown));
    assert_eq!(one(&keymap, Context::Search, "enter"), Resolution::Action(Action::Select));
    assert_eq!(one(&keymap, Context::Search, "ctrl-c"), Resolution::Action(Action::ForceQuit));
    assert_eq!(one(&keymap, Context::Palette, "tab"), Resolution::Action(Action::Complete));
    let problems = Keymap::load_user("search:\n  x: quit\n").unwrap_err();
    assert_eq!(problems[0].pos.unwrap().line, 2);
    assert!(problems[0].message.contains("types into the text"), "{}", problems[0]);
}

#[test]
fn user_file_overrides_and_unbinds_single_bindings() {
    let user = "global:\n  ctrl-s: sync\n  ctrl-r: null\n  j: none\nlist:\n  q: ~\n";
    let keymap = Keymap::load_user(user).unwrap();
    assert_eq!(one(&keymap, Context::List, "ctrl-s"), Resolution::Action(Action::Sync));
    assert_eq!(one(&keymap, Context::List, "ctrl-r"), Resolution::Unbound);
    assert_eq!(one(&keymap, Context::List, "j"), Resolution::Unbound);
    // Unbinding in a view context hides the global binding there only.
    assert_eq!(one(&keymap, Context::List, "q"), Resolution::Unbound);
    assert_eq!(one(&keymap, Context::Entity, "q"), Resolution::Action(Action::Quit));
    // Everything else keeps its default.
    assert_eq!(one(&keymap, Context::List, "k"), Resolution::Action(Action::MoveUp));
    assert_eq!(keymap.keys_for(Context::List, Action::Sync), ["ctrl-s"]);
}

#[test]
fn bad_user_file_reports_each_line() {
    let user = "global:\n  ctrl-s: synk\n  hyperdrive: quit\n  x: 3\nsidebar:\n  a: quit\n";
    let problems = Keymap::load_user(user).unwrap_err();
    let lines: Vec<u32> = problems.iter().map(|p| p.pos.unwrap().line).collect();
    assert_eq!(lines, [2, 3, 4, 5]);
    assert!(problems[0].message.contains("unknown action `synk`"), "{}", problems[0]);
    assert!(problems[0].message.contains("did you mean `sync`"), "{}", problems[0]);
    assert!(problems[1].message.contains("unknown key `hyperdrive`"), "{}", problems[1]);
    assert!(problems[2].message.contains("found a number"), "{}", problems[2]);
    assert!(problems[3].message.contains("unknown context `sidebar`"), "{}", problems[3]);
    assert!(Keymap::load_user("global: [x]\n").is_err());
    assert!(Keymap::load_user("global: {a: [\n").is_err());
    assert!(Keymap::load_user("").is_ok());
}

#[test]
fn missing_user_file_means_defaults() {
    let (keymap, problems) = Keymap::load_user_file(Path::new("/nonexistent/stagehand.yaml"));
    assert!(problems.is_empty());
    assert_eq!(keymap, Keymap::default());
}

#[test]
fn hints_list_effective_keys() {
    let keymap = Keymap::default();
    assert_eq!(keymap.keys_for(Context::List, Action::Help), ["?", "f1"]);
    assert_eq!(keymap.keys_for(Context::Search, Action::Help), ["f1"]);
    assert_eq!(keymap.keys_for(Context::List, Action::Top), ["home", "g g"]);
    assert_eq!(keymap.keys_for(Context::Search, Action::HalfPageUp), Vec::<String>::new());
}

#[test]
fn releases_are_ignored() {
    let keymap = Keymap::default();
    let mut pending = Pending::default();
    let mut event = press("g");
    assert_eq!(resolve(&keymap, Context::List, event, &mut pending), Resolution::Pending);
    event.kind = KeyEventKind::Release;
    assert_eq!(resolve(&keymap, Context::List, event, &mut pending), Resolution::Unbound);
    assert!(!pending.is_empty());
}
