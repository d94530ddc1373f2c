//! The docs and template cases: deep or huge Markdown, hostile mkdocs.yml
//! files and runaway templates, each bounded with a clear error.

use super::{run_guarded, shorten};

/// Docs (mkdocs.yml with unknown tags, deep Markdown) and templates
/// (recursion, huge loops): each is bounded and errors are clear. Returns
/// the number of cases.
pub(crate) fn docs_and_template_cases() -> usize {
    use stagehand::docs::render::{render, theme::DocTheme};
    use stagehand::scaffold::expr::{Engine, Syntax};
    let mut n = 0;
    let markdown: Vec<(&str, String)> = vec![
        ("md-quote-10000", "> ".repeat(10_000) + "deep"),
        ("md-list-10000", "- ".repeat(10_000) + "item"),
        ("md-ordered-list-10000", "1. ".repeat(10_000) + "item"),
        ("md-list-indented-2000", (0..2_000).map(|i| format!("{}- item\n", "  ".repeat(i))).collect()),
        ("md-brackets-10000", "[".repeat(10_000) + &"]".repeat(10_000)),
        ("md-emphasis-10000", "*".repeat(10_000) + "x" + &"*".repeat(10_000)),
        ("md-html-10000", "<div>".repeat(10_000)),
        ("md-table-wide", format!("|{}\n|{}\n", "a|".repeat(5_000), "-|".repeat(5_000))),
        ("md-one-mb-line", "word ".repeat(200_000)),
        ("md-escapes", "\x1b]0;x\x07 \u{9b}31m \u{202E}".repeat(1000)),
    ];
    for (name, text) in markdown {
        n += 1;
        let lines = run_guarded(name, move || {
            let rendered = render(&text, 80, &DocTheme::default());
            rendered.lines.len()
        });
        eprintln!("{name:<40} ok   {lines} lines");
    }
    // mkdocs.yml with unknown tags, and an !include of itself.
    let tmp = tempfile::tempdir().unwrap();
    let site = std::fs::canonicalize(tmp.path()).unwrap();
    std::fs::create_dir_all(site.join("docs")).unwrap();
    std::fs::write(site.join("docs/index.md"), "# Hi\n").unwrap();
    for (name, config) in [
        (
            "mkdocs-unknown-tags",
            "site_name: !ENV [SITE, x]\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n      emoji_generator: !!python/name:material.extensions.emoji.to_svg\nnav:\n  - Home: index.md\n",
        ),
        ("mkdocs-include-self", "site_name: x\nnav:\n  - Self: '!include ./mkdocs.yml'\n  - Home: index.md\n"),
        ("mkdocs-malformed", "site_name: [x\n"),
        ("mkdocs-nav-outside", "site_name: x\nnav:\n  - Passwd: ../../../../etc/passwd\n  - Home: index.md\n"),
    ] {
        n += 1;
        std::fs::write(site.join("mkdocs.yml"), config).unwrap();
        let (root, dir) = (site.clone(), site.clone());
        let result = run_guarded(name, move || stagehand::docs::mkdocs::read_site(&root, &dir).map(|s| s.pages.len()));
        if let Ok(pages) = &result {
            assert!(*pages <= 2, "{name}: {pages} pages");
        }
        eprintln!("{name:<40} ok   {:?}", result.as_ref().map_err(|e| shorten(&e.to_string())));
    }
    // Templates.
    for (name, text) in [
        ("template-recursive-macro", "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}${{ f(0) }}"),
        ("template-include-self", "{% include 'self' %}"),
        ("template-huge-loop", "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"),
        ("template-huge-string", "${{ 'x' * 1000000000 }}"),
        ("template-huge-join", "${{ range(100000) | join(',') * 100000 }}"),
        ("template-deep-parens", &format!("${{{{ {}1{} }}}}", "(".repeat(10_000), ")".repeat(10_000))),
        ("template-filter-chain", &format!("${{{{ 'a' {} }}}}", "| upper ".repeat(10_000))),
        ("template-unclosed", "${{ parameters.name "),
        ("template-nested-ifs-10000", &format!("{}x{}", "{% if true %}".repeat(10_000), "{% endif %}".repeat(10_000))),
        (
            "template-nested-fors-10000",
            &format!("{}x{}", "{% for i in [1] %}".repeat(10_000), "{% endfor %}".repeat(10_000)),
        ),
        ("template-binary-chain", &format!("${{{{ 1{} }}}}", " + 1".repeat(10_000))),
    ] {
        n += 1;
        let text = text.to_string();
        let result = run_guarded(name, move || {
            Engine::new(Syntax::Backstage)
                .render_str(&text, &serde_json::json!({"parameters": {"name": "x"}}))
                .map(|s| s.len())
        });
        match &result {
            Ok(len) => assert!(*len < 64 << 20, "{name}: an unbounded result of {len} bytes"),
            Err(e) => assert!(!e.0.trim().is_empty(), "{name}: an empty error"),
        }
        eprintln!("{name:<40} ok   {:?}", result.as_ref().map_err(|e| shorten(&e.0)));
    }
    n
}
