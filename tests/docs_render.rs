//! TechDocs rendering over every docs fixture of `../shared` and the demo
//! catalog's docs: snapshots of each site at 80 and 120 columns, plus
//! checks that no MkDocs syntax or HTML survives outside code and that
//! tables are aligned.

mod common;

use std::path::{Path, PathBuf};

use ratatui::style::Style;
use stagehand::docs::mkdocs::{read_limited, read_site};
use stagehand::docs::page_text;
use stagehand::docs::render::{DocTheme, Rendered, prepare, render};
use stagehand::docs::site::Site;

/// Docs sites among the fixtures: (snapshot name, site folder, root).
fn fixture_sites(fixtures: &Path) -> Vec<(&'static str, PathBuf, PathBuf)> {
    let documented = fixtures.join("backstage/plugins/techdocs-backend/examples/documented-component");
    let mock = fixtures.join("techdocs-container/mock-docs");
    let monorepo = fixtures.join("mkdocs-monorepo-plugin/sample-docs");
    let core = fixtures.join("mkdocs-techdocs-core/test-fixtures");
    let cli = fixtures.join("techdocs-cli");
    vec![
        ("documented-component", documented.clone(), documented),
        ("techdocs-container-mock-docs", mock.clone(), mock),
        ("monorepo-sample-docs", monorepo.clone(), monorepo),
        ("techdocs-core-test-fixtures", core.clone(), core),
        ("techdocs-cli", cli.clone(), cli),
    ]
}

fn demo_sites() -> Vec<(&'static str, PathBuf)> {
    let services = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src/demo/catalog/services"));
    vec![
        ("demo-shipment-tracker", services.join("shipment-tracker")),
        ("demo-invoice-service", services.join("invoice-service")),
        ("demo-route-optimizer", services.join("route-optimizer")),
    ]
}

/// Every page of a site rendered at `width`, with page headers.
fn site_text(site: &Site, width: u16) -> String {
    let mut out = format!("SITE {} ({} pages)\n", site.title, site.pages.len());
    for (i, page) in site.pages.iter().enumerate() {
        out.push_str(&format!("\n=== {} · {} ===\n", page.path, page.title));
        let text = page_text(site, i).expect("page text");
        let rendered = render(&text, width, &DocTheme::mono());
        for line in &rendered.plain {
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
}

/// The text of spans that are not code (code may show anything).
fn prose(rendered: &Rendered, theme: &DocTheme) -> Vec<String> {
    rendered
        .lines
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .filter(|s| s.style.fg != theme.code.fg || theme.code.fg.is_none() && s.style == Style::default())
                .map(|s| s.content.as_ref())
                .collect::<String>()
        })
        .collect()
}

fn check_page(name: &str, source: &str) {
    let theme = DocTheme::default();
    for width in [80, 120] {
        let rendered = render(source, width, &theme);
        for line in prose(&rendered, &theme) {
            for raw in ["!!!", "???", "> [!NOTE]", "[!WARNING]", "=== \"", "<!--", "-->"] {
                assert!(!line.contains(raw), "{name} at {width}: raw `{raw}` left in: {line}");
            }
            assert!(!has_html_tag(&line), "{name} at {width}: HTML left in: {line}");
        }
        check_tables(name, &rendered);
        for line in &rendered.plain {
            assert!(
                unicode_width::UnicodeWidthStr::width(line.as_str()) <= width as usize + 1,
                "{name}: too wide: {line}"
            );
        }
    }
}

/// An HTML tag of a kind pages use (`<div`, `</p>`, `<br>`, ...).
fn has_html_tag(line: &str) -> bool {
    const TAGS: [&str; 22] = [
        "div", "span", "p", "br", "kbd", "details", "summary", "img", "a", "b", "i", "em", "strong", "table", "tr",
        "td", "ul", "li", "code", "pre", "sup", "center",
    ];
    let lower = line.to_lowercase();
    TAGS.iter().any(|t| {
        [format!("<{t}>"), format!("<{t} "), format!("</{t}>"), format!("<{t}/>")]
            .iter()
            .any(|p| lower.contains(p.as_str()))
    })
}

/// Consecutive table lines (starting with a box-drawing border) have one width.
fn check_tables(name: &str, rendered: &Rendered) {
    let mut run: Vec<&String> = Vec::new();
    for line in rendered.plain.iter().chain(std::iter::once(&String::new())) {
        let bars = line.matches('│').count();
        if bars >= 2 || line.contains('┼') {
            run.push(line);
            continue;
        }
        if run.len() > 1 {
            let widths: Vec<usize> = run.iter().map(|l| unicode_width::UnicodeWidthStr::width(l.trim_end())).collect();
            assert!(widths.iter().all(|w| *w == widths[0]), "{name}: table not aligned: {run:#?}");
        }
        run.clear();
    }
}

#[test]
fn fixture_sites_render_at_80_and_120() {
    let Some(fixtures) = common::fixtures("fixture_sites_render_at_80_and_120") else { return };
    for (name, dir, root) in fixture_sites(&fixtures) {
        let site = read_site(&root, &dir).unwrap_or_else(|e| panic!("{name}: {e}"));
        for i in 0..site.pages.len() {
            check_page(&format!("{name}/{}", site.pages[i].path), &page_text(&site, i).unwrap());
        }
        insta::assert_snapshot!(format!("{name}-80"), site_text(&site, 80));
        insta::assert_snapshot!(format!("{name}-120"), site_text(&site, 120));
    }
}

#[test]
fn documentation_templates_render_at_80_and_120() {
    let Some(fixtures) = common::fixtures("documentation_templates_render_at_80_and_120") else { return };
    let dir = fixtures.join("software-templates/documentation-templates");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "md")) {
        let text = read_limited(file, 1 << 20).unwrap();
        let stem = file.file_stem().unwrap().to_string_lossy().to_string();
        check_page(&stem, &text);
        for width in [80u16, 120] {
            let plain = render(&text, width, &DocTheme::mono()).plain.join("\n");
            insta::assert_snapshot!(format!("template-{stem}-{width}"), plain);
        }
    }
}

#[test]
fn demo_docs_render_at_80_and_120() {
    for (name, dir) in demo_sites() {
        let site = read_site(&dir, &dir).unwrap_or_else(|e| panic!("{name}: {e}"));
        for i in 0..site.pages.len() {
            check_page(&format!("{name}/{}", site.pages[i].path), &page_text(&site, i).unwrap());
        }
        insta::assert_snapshot!(format!("{name}-80"), site_text(&site, 80));
        insta::assert_snapshot!(format!("{name}-120"), site_text(&site, 120));
    }
}

#[test]
fn the_monorepo_nav_follows_includes_in_order() {
    let Some(fixtures) = common::fixtures("the_monorepo_nav_follows_includes_in_order") else { return };
    let dir = fixtures.join("mkdocs-monorepo-plugin/sample-docs");
    let site = read_site(&dir, &dir).unwrap();
    let paths: Vec<&str> = site.pages.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "index.md",
            "authentication.md",
            "Component A/README.md",
            "Component B/README.md",
            "Component C/README.md",
            "versions/v1/reference.md",
            "versions/v1/changelog.md",
            "versions/v2/migrating.md",
            "versions/v2/reference.md",
            "versions/v2/changelog.md",
            "versions/v3/changelog.md",
            "versions/v3/migrating.md",
            "versions/v3/reference.md",
        ]
    );
    // index.md links into the included sites by their site_name paths.
    let index = site.page_by_path("index.md").unwrap();
    let v3 = site.page_by_path("versions/v3/reference.md").unwrap();
    assert_eq!(
        site.resolve_link(index, "./versions/v3/reference.md"),
        stagehand::docs::site::LinkTarget::Internal(stagehand::docs::site::Target { page: v3, anchor: None })
    );
}

#[test]
fn prepared_pages_number_links_in_order() {
    let page = prepare("[a](a.md) then [b](https://b.io) and ![img](x.png)");
    assert_eq!(page.links, vec!["a.md".to_string(), "https://b.io".into()]);
}

/// A 1 MB page (every demo and fixture construct, repeated) renders in
/// bounded time; the TUI does this off the UI thread, in an effect.
#[test]
fn a_one_megabyte_page_renders() {
    let services =
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src/demo/catalog/services/shipment-tracker/docs"));
    let mut unit = String::new();
    for f in ["index.md", "architecture.md", "api-usage.md", "operations/runbook.md"] {
        unit.push_str(&std::fs::read_to_string(services.join(f)).unwrap());
        unit.push('\n');
    }
    let mut big = String::new();
    while big.len() < 1 << 20 {
        big.push_str(&unit);
    }
    let started = std::time::Instant::now();
    let prepared = prepare(&big);
    let prepared_in = started.elapsed();
    let rendered = stagehand::docs::render::layout(&prepared, 100, &DocTheme::default());
    let total = started.elapsed();
    eprintln!(
        "1 MB page: {} bytes, {} lines, {} headings, {} links; prepare {prepared_in:?}, total {total:?}",
        big.len(),
        rendered.lines.len(),
        rendered.headings.len(),
        rendered.links.len()
    );
    assert!(rendered.lines.len() > 10_000);
    assert!(total.as_secs() < 60, "{total:?}");
}
