//! Unit tests of `theme.rs` and `theme/def.rs`.

use super::*;
use ratatui::style::Modifier;

#[test]
fn builtins_parse_and_define_every_slot() {
    assert_eq!(Theme::names(), BUILTINS.iter().map(|(n, _)| *n).collect::<Vec<_>>());
    for &(name, text) in BUILTINS {
        let def = parse_def(text, true).unwrap_or_else(|p| panic!("{name}: {p:?}"));
        for &slot in Slot::ALL {
            assert!(def.slots[slot.index()].is_some(), "{name} lacks {}", slot.name());
        }
        let theme = Theme::builtin(name).unwrap();
        assert_eq!(theme.name(), name);
    }
    assert_eq!(Theme::default().name(), "dark");
    assert!(Theme::builtin("nope").is_none());
}

#[test]
fn dark_and_high_contrast_use_only_ansi_colours() {
    for name in ["dark", "high-contrast"] {
        let theme = Theme::builtin(name).unwrap();
        for &slot in Slot::ALL {
            let style = theme.style(slot);
            for color in [style.fg, style.bg].into_iter().flatten() {
                let ansi = !matches!(color, Color::Rgb(..) | Color::Indexed(_));
                assert!(ansi, "{name}.{} uses {color:?}", slot.name());
            }
        }
    }
}

#[test]
fn mono_has_no_colours_but_keeps_selection_visible() {
    let theme = Theme::builtin("mono").unwrap();
    for &slot in Slot::ALL {
        let style = theme.style(slot);
        for color in [style.fg, style.bg] {
            assert!(matches!(color, None | Some(Color::Reset)), "{}", slot.name());
        }
    }
    assert!(theme.style(Slot::Selected).add_modifier.contains(Modifier::REVERSED));
    assert!(!theme.style(Slot::Match).add_modifier.is_empty());
}

#[test]
fn no_color_forces_mono() {
    let (theme, problems) = resolve_theme(Some("light"), true, None);
    assert_eq!(theme.name(), "mono");
    assert!(problems.is_empty());
    let (theme, _) = resolve_theme(None, false, None);
    assert_eq!(theme.name(), "dark");
}

#[test]
fn inherits_palette_and_slots() {
    let text = "inherits: dark\npalette:\n  accent: magenta\nslots:\n  ok: '#00ff00'\n";
    let theme = Theme::load(text, None).unwrap();
    let dark = Theme::default();
    // The child's palette recolours the parent's slots.
    assert_eq!(theme.style(Slot::BorderFocus).fg, Some(Color::Magenta));
    assert_eq!(theme.style(Slot::Ok).fg, Some(Color::Rgb(0, 255, 0)));
    assert_eq!(theme.style(Slot::Selected), dark.style(Slot::Selected));
    // Without `inherits`, a theme starts from dark; `inherits: null` from nothing.
    let theme = Theme::load("slots:\n  ok: 208\n", None).unwrap();
    assert_eq!(theme.style(Slot::Ok).fg, Some(Color::Indexed(208)));
    assert_eq!(theme.style(Slot::Title), dark.style(Slot::Title));
    let bare = Theme::load("inherits: null\n", None).unwrap();
    assert_eq!(bare.style(Slot::Title), Style::new());
}

#[test]
fn user_themes_inherit_from_the_user_dir() {
    let dir = tempfile::tempdir().unwrap();
    let base = "inherits: light\nslots:\n  title: red\n";
    std::fs::write(dir.path().join("mine.yaml"), base).unwrap();
    // A user `dark.yaml` inheriting `dark` gets the built-in.
    std::fs::write(dir.path().join("dark.yaml"), "inherits: dark\nslots:\n  ok: red\n").unwrap();
    std::fs::write(dir.path().join("loop.yaml"), "inherits: loop2\n").unwrap();
    std::fs::write(dir.path().join("loop2.yaml"), "inherits: loop\n").unwrap();
    let theme = Theme::load("inherits: mine\n", Some(dir.path())).unwrap();
    assert_eq!(theme.style(Slot::Title).fg, Some(Color::Red));
    assert_eq!(theme.style(Slot::Ok), Theme::builtin("light").unwrap().style(Slot::Ok));
    let (theme, problems) = resolve_theme(Some("dark"), false, Some(dir.path()));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(theme.style(Slot::Ok).fg, Some(Color::Red));
    let (theme, problems) = resolve_theme(Some("mine"), false, Some(dir.path()));
    assert_eq!((theme.name(), problems.len()), ("mine", 0));
    let (_, problems) = resolve_theme(Some("loop"), false, Some(dir.path()));
    assert!(!problems.is_empty());
    let names = Theme::available(Some(dir.path()));
    assert!(names.contains(&"mine".to_string()) && names.contains(&"mono".to_string()));
}

#[test]
fn bad_colours_are_reported_with_their_line() {
    let text = "palette:\n  accent: cyan\n  oops: blurple\nslots:\n  title: {fg: accent}\n  \
                ok: {fg: '#12', modifiers: [bold, blink]}\n  nope: red\n";
    let problems = Theme::load(text, None).unwrap_err();
    let lines: Vec<u32> = problems.iter().map(|p| p.pos.unwrap().line).collect();
    assert_eq!(lines, [3, 6, 7], "{problems:?}");
    assert!(problems[0].message.contains("blurple"), "{}", problems[0]);
    assert!(problems[1].message.contains("blink"), "{}", problems[1]);
    assert!(problems[2].message.contains("unknown slot `nope`"), "{}", problems[2]);
    let problems = Theme::load("slots:\n  ok: '#12'\n", None).unwrap_err();
    assert_eq!(problems[0].pos.unwrap().line, 2);
    assert!(problems[0].message.contains("`#12`"), "{}", problems[0]);
}

#[test]
fn unknown_theme_falls_back_with_a_problem() {
    let (theme, problems) = resolve_theme(Some("solarized"), false, None);
    assert_eq!(theme.name(), "dark");
    assert!(problems[0].message.contains("unknown theme `solarized`"));
    let problems = Theme::load("inherits: solarized\n", None).unwrap_err();
    assert_eq!(problems[0].pos.unwrap().line, 1);
}

#[test]
fn parses_colours() {
    assert_eq!(parse_color("dark-grey"), Some(Color::DarkGray));
    assert_eq!(parse_color("LightRed"), Some(Color::LightRed));
    assert_eq!(parse_color("#0a0B0c"), Some(Color::Rgb(10, 11, 12)));
    assert_eq!(parse_color("208"), Some(Color::Indexed(208)));
    assert_eq!(parse_color("256"), None);
    assert_eq!(parse_color("#12345"), None);
}

#[test]
fn kinds_map_to_slots() {
    let theme = Theme::default();
    assert_eq!(theme.kind_style("API"), theme.style(Slot::KindApi));
    assert_eq!(theme.kind_style("Workflow"), theme.style(Slot::KindOther));
}
