//! Untrusted catalog text (escapes, controls, bidi) never reaches the
//! terminal, on any screen.

use ratatui::buffer::Buffer;
use stagehand::tui::keymap::Keymap;
use stagehand::tui::screens::Screen;
use stagehand::tui::screens::entity::Tab;

use crate::SIZES;
use crate::common_tui::*;
use crate::views::goto_tab;

const HOSTILE: &str = r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: hostile
  title: "Evil \e[31mRED\e[0m \e]0;pwned\a title"
  description: "osc52 \e]52;c;ZXZpbA==\a link \e]8;;https://evil.example\e\\click\e]8;;\e\\ c1 \x9b2J bidi \u202Eabc\u202C end"
  tags:
    - ok
  annotations:
    evil.example.com/x: "\e]0;title\a\x9b31m\u202E"
    backstage.io/view-url: "https://evil.example/\e]52;c;AAAA\a"
  links:
    - url: "https://evil.example/\e[5m"
      title: "\e]8;;x\e\\link\u202E"
spec:
  type: "service\e[1m"
  lifecycle: "production\u202E"
  owner: team-a
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
  title: "Team \e]0;x\a A"
spec:
  type: team
  children: []
"#;

fn is_forbidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

fn assert_safe(buf: &Buffer, what: &str) {
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let sym = buf[(x, y)].symbol();
            assert!(!sym.chars().any(is_forbidden), "{what}: cell ({x},{y}) holds {sym:?}\n{}", text(buf));
        }
    }
}

#[test]
fn untrusted_text_never_reaches_the_terminal() {
    let tmp = tmp_dir();
    let catalog = tmp.path().join("catalog");
    std::fs::create_dir_all(&catalog).unwrap();
    std::fs::write(catalog.join("catalog-info.yaml"), HOSTILE).unwrap();
    let ws = dir_workspace(tmp.path(), catalog);
    let mut settings = settings(Keymap::default());
    settings.origin = "hostile\u{1b}]0;x\u{7}".into();
    settings.osc52 = true;
    settings.browser = true;
    let mut h = Harness::with(ws, tmp, settings);
    assert_eq!(h.app.index().len(), 2, "both entities indexed: {:?}", h.app.index().problems);

    let mut seen_esc = false;
    let mut check = |h: &mut Harness, what: &str| {
        for (w, ht) in SIZES {
            let buf = h.draw(w, ht);
            assert_safe(&buf, what);
            if text(&buf).contains('␛') {
                seen_esc = true;
            }
        }
    };
    check(&mut h, "search home");
    let home = h.screen(120, 40);
    assert!(home.contains("␛[31mRED"), "{home}");
    h.type_text("evil");
    check(&mut h, "search evil");
    h.keys("tab");
    check(&mut h, "search results focused");
    h.open("component:default/hostile");
    check(&mut h, "overview");
    let overview = h.screen(120, 40);
    assert!(overview.contains("␛]0;pwned␇"), "{overview}");
    assert!(overview.contains("<U+009B>"), "C1 CSI shown as its code:\n{overview}");
    // Every tab of the page (overview, relations, YAML, problems, ...).
    let tabs = match h.app.screen() {
        Screen::Entity(e) => e.tabs.clone(),
        _ => panic!("not on the entity page"),
    };
    assert!(tabs.contains(&Tab::Yaml) && tabs.len() >= 3, "{tabs:?}");
    for tab in tabs {
        goto_tab(&mut h, tab);
        check(&mut h, tab.title());
    }
    // Two links (metadata.links and the view-url): `o` picks, enter opens.
    h.keys("o");
    check(&mut h, "link picker");
    h.keys("enter y");
    check(&mut h, "open/copy flashes");
    // What reaches the terminal or the browser is sanitized too.
    assert_eq!(h.skipped.len(), 2, "{:?}", h.skipped);
    for effect in &h.skipped {
        assert!(!effect.chars().any(is_forbidden), "{effect:?}");
    }
    assert!(h.skipped[0].starts_with("open https://evil.example/"), "{:?}", h.skipped);
    let osc = stagehand::tui::effects::osc52("component:default/hostile\u{1b}]0;x\u{7}");
    let payload = osc.trim_start_matches("\u{1b}]52;c;").trim_end_matches('\u{7}');
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD.decode(payload).expect("base64 payload");
    let decoded = String::from_utf8(decoded).unwrap();
    assert!(!decoded.chars().any(is_forbidden), "{decoded:?}");
    assert!(decoded.starts_with("component:default/hostile␛]0;x"), "{decoded:?}");
    h.keys("esc esc");
    h.command("components");
    check(&mut h, "components list");
    h.keys("/");
    h.type_text("evil");
    check(&mut h, "filtered list");
    h.keys("esc esc");
    h.command("groups");
    check(&mut h, "groups list");
    h.keys("esc");
    h.command("problems");
    check(&mut h, "problems view");
    h.keys("esc ?");
    check(&mut h, "help");
    assert!(seen_esc, "the visible ␛ stand-in was drawn");
}
