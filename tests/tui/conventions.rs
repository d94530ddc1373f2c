//! Plugins, `e` and `o` in the headless TUI: confirmation, kinds, the
//! background run and its report, the link picker's keys, and `e` falling
//! back to the edit-url when the entity has no file to edit.

use stagehand::config::Config;
use stagehand::tui::keymap::Keymap;
use stagehand::tui::overlays::Overlay;
use stagehand::tui::plugins::Plugins;

use crate::common_tui::*;

const CATALOG: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: parcel-router
  annotations:
    backstage.io/edit-url: https://git.example.com/org/parcels/edit/main/catalog-info.yaml
  links:
    - {url: 'https://grafana.example.com/d/parcels', title: Dashboard}
    - {url: 'https://runbooks.example.com/parcel-router', title: Runbook}
    - {url: 'javascript:alert(1)', title: Not a web link}
spec: {type: service, owner: team, lifecycle: production}
";

/// A harness on [`CATALOG`] with the plugins of `plugins_yaml` loaded and
/// `$BROWSER` deemed set.
fn harness(plugins_yaml: &str) -> Harness {
    let tmp = tmp_dir();
    let catalog = tmp.path().join("catalog");
    std::fs::create_dir_all(&catalog).unwrap();
    std::fs::write(catalog.join("catalog-info.yaml"), CATALOG).unwrap();
    let ws = dir_workspace(tmp.path(), catalog);
    let config = Config::parse(plugins_yaml, "config.yaml", None).unwrap();
    let keymap = Keymap::default();
    let (plugins, problems) = Plugins::load(&config.terminal, "config.yaml", &keymap);
    assert!(problems.is_empty(), "{problems:?}");
    let mut settings = settings(keymap);
    settings.external.plugins = plugins;
    settings.browser = true;
    Harness::with(ws, tmp, settings)
}

#[test]
fn a_confirm_plugin_runs_on_the_second_press_in_the_background_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ran.txt");
    let yaml = format!(
        "plugins:\n  - name: note\n    key: ctrl-k\n    command: sh\n    args: ['-c', 'printf %s \"$1\" > {}', sh, '{{{{ ref }}}} {{{{ source.name }}}}']\n    background: true\n    confirm: true\n  - name: apis-only\n    key: ctrl-g\n    kinds: [API]\n    command: 'true'\n",
        out.display()
    );
    let mut h = harness(&yaml);
    h.open("component:default/parcel-router");
    h.keys("ctrl-k");
    assert!(h.flash().starts_with("press ctrl-k again to run: sh -c"), "{}", h.flash());
    assert!(!out.exists(), "not yet run");
    h.keys("ctrl-k");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "component:default/parcel-router hostile");
    assert_eq!(h.flash(), "plugin note: done");
    // Another key in between disarms it.
    std::fs::remove_file(&out).unwrap();
    h.keys("ctrl-k l ctrl-k");
    assert!(!out.exists());
    h.keys("ctrl-g");
    assert_eq!(h.flash(), "plugin `apis-only` applies to api, not Component");
    // `:NAME` runs it too (typing the name is the confirmation).
    h.command("note");
    assert!(out.exists());
}

#[test]
fn o_opens_a_picker_of_web_links_and_enter_opens_the_selected_one() {
    let mut h = harness("");
    h.open("component:default/parcel-router");
    h.keys("o");
    let Some(Overlay::Links(picker)) = &h.app.overlay else { panic!("no picker:\n{}", h.screen(80, 24)) };
    let urls: Vec<&str> = picker.links.iter().map(|(_, u)| u.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://grafana.example.com/d/parcels",
            "https://runbooks.example.com/parcel-router",
            "https://git.example.com/org/parcels/edit/main/catalog-info.yaml"
        ],
        "web links only, metadata.links first"
    );
    let screen = h.screen(80, 24);
    assert!(screen.contains("links of component:default/parcel-router") && screen.contains("Runbook"), "{screen}");
    h.keys("j enter");
    assert!(h.app.overlay.is_none());
    assert_eq!(h.skipped, ["open https://runbooks.example.com/parcel-router"]);
    h.keys("o esc");
    assert!(h.app.overlay.is_none() && h.skipped.len() == 1, "esc closes without opening");
}

#[test]
fn e_without_a_file_to_edit_opens_the_edit_url() {
    let mut h = harness("");
    std::fs::remove_file(h.tmp.path().join("catalog").join("catalog-info.yaml")).unwrap();
    h.open("component:default/parcel-router");
    h.keys("e");
    assert_eq!(h.skipped, ["open https://git.example.com/org/parcels/edit/main/catalog-info.yaml"]);
}

#[test]
fn with_hyperlinks_on_the_picker_writes_each_url_as_an_osc_8_link() {
    let mut h = harness("");
    h.app.external.hyperlinks = true;
    h.open("component:default/parcel-router");
    h.keys("o");
    let buf = h.draw(100, 30);
    let linked: Vec<&str> = buf.content().iter().map(|c| c.symbol()).filter(|s| s.starts_with("\x1b]8;;")).collect();
    assert!(
        linked.iter().any(|s| s.starts_with("\x1b]8;;https://runbooks.example.com/parcel-router\x1b\\")),
        "{linked:?}"
    );
    assert!(linked.iter().all(|s| s.ends_with("\x1b]8;;\x1b\\")), "every cell closes its link");
    assert!(!linked.iter().any(|s| s.contains("javascript")));
}

#[test]
fn the_picker_offers_the_docs_of_an_entity_with_techdocs() {
    let mut h = Harness::demo();
    h.open("component:default/shipment-tracker");
    h.keys("o");
    let Some(Overlay::Links(picker)) = &h.app.overlay else { panic!("no picker") };
    assert_eq!(picker.links.len(), 3, "{:?}", picker.links);
    assert!(picker.docs.is_some());
    assert!(h.screen(120, 40).contains("TechDocs"));
    h.keys("G enter");
    assert!(h.app.overlay.is_none() && h.skipped.is_empty(), "{:?}", h.skipped);
    match h.app.screen() {
        stagehand::tui::screens::Screen::Entity(e) => {
            assert_eq!(e.current(), stagehand::tui::screens::entity::Tab::Docs)
        }
        _ => panic!("not on the entity page"),
    }
}
