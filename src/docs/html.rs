//! HTML to Markdown with htmd (an HTML5 parser, never regexes): raw HTML
//! inside Markdown pages, and whole pages of a site built by TechDocs
//! (the article content, the nav tree, the title).

use std::rc::Rc;

use htmd::HtmlToMarkdown;
use markup5ever_rcdom::{Handle, Node, NodeData};

/// Tags whose content is never shown.
const SKIPPED: [&str; 8] = ["script", "style", "noscript", "template", "iframe", "object", "svg", "head"];

fn converter() -> HtmlToMarkdown {
    HtmlToMarkdown::builder().skip_tags(SKIPPED.to_vec()).build()
}

/// A fragment of raw HTML in a Markdown page as Markdown text (tags
/// dropped, their text kept; comments and scripts dropped).
pub fn fragment_to_markdown(html: &str) -> String {
    let trimmed = html.trim();
    if trimmed.starts_with("<!--") || trimmed.starts_with("</") {
        return String::new();
    }
    if trimmed.eq_ignore_ascii_case("<br>")
        || trimmed.eq_ignore_ascii_case("<br/>")
        || trimmed.eq_ignore_ascii_case("<br />")
    {
        return " ".into();
    }
    if too_deep(html) {
        return strip_tags(html);
    }
    converter().convert(html).unwrap_or_default()
}

/// Deepest element nesting the HTML is converted at: the parser's tree and
/// the walks over it recurse, so 10,000 nested `<div>`s overflowed the
/// stack. Deeper HTML is shown as its text. Real pages nest a few dozen deep.
pub const MAX_HTML_DEPTH: usize = 256;

/// Elements that never take a closing tag.
const VOID: [&str; 14] =
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];

/// Whether the tags of `html` nest deeper than [`MAX_HTML_DEPTH`] (a scan of
/// start and end tags; implied end tags count as open, so it errs deep).
fn too_deep(html: &str) -> bool {
    let mut depth = 0usize;
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(at) = bytes[i..].iter().position(|b| *b == b'<') {
        i += at + 1;
        let rest = &html[i..];
        if rest.starts_with('/') {
            depth = depth.saturating_sub(1);
            continue;
        }
        let name: String =
            rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        if name.is_empty() || VOID.contains(&name.as_str()) {
            continue;
        }
        let self_closing = rest.find('>').is_some_and(|end| rest[..end].ends_with('/'));
        if !self_closing {
            depth += 1;
            if depth > MAX_HTML_DEPTH {
                return true;
            }
        }
    }
    false
}

/// The text of HTML with every tag removed (for HTML too deep to parse).
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// What a built TechDocs page holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuiltPage {
    /// The `<title>` (or first heading).
    pub title: String,
    /// The article content as Markdown.
    pub markdown: String,
    /// The primary nav: (depth, title, href; empty href for a section).
    pub nav: Vec<(usize, String, String)>,
}

/// Reads a page built by MkDocs (material theme, as TechDocs builds it).
pub fn read_built_page(html: &str) -> BuiltPage {
    if too_deep(html) {
        return BuiltPage {
            title: String::new(),
            markdown: format!(
                "!!! warning \"Shown as text\"\n    The page nests HTML more than {MAX_HTML_DEPTH} levels deep.\n\n{}",
                strip_tags(html).trim()
            ),
            nav: Vec::new(),
        };
    }
    let conv = converter();
    let Ok(tree) = conv.html_to_tree(html) else { return BuiltPage::default() };
    let title = find(&tree, &|n| is_tag(n, "title")).map(|t| text_of(&t)).unwrap_or_default();
    let nav = find(&tree, &|n| is_tag(n, "nav") && has_class(n, "md-nav--primary"))
        .map(|n| {
            let mut out = Vec::new();
            nav_items(&n, 0, &mut out);
            out
        })
        .unwrap_or_default();
    let content = find(&tree, &|n| is_tag(n, "article"))
        .or_else(|| find(&tree, &|n| has_class(n, "md-content")))
        .or_else(|| find(&tree, &|n| is_tag(n, "main")))
        .or_else(|| find(&tree, &|n| is_tag(n, "body")))
        .unwrap_or_else(|| tree.clone());
    prune(&content);
    let markdown = conv.tree_to_markdown(&content);
    let title = title.split(" - ").next().unwrap_or(&title).trim().to_string();
    BuiltPage { title, markdown, nav }
}

fn is_tag(node: &Node, tag: &str) -> bool {
    matches!(&node.data, NodeData::Element { name, .. } if name.local.as_ref() == tag)
}

fn attr(node: &Node, key: &str) -> Option<String> {
    match &node.data {
        NodeData::Element { attrs, .. } => {
            attrs.borrow().iter().find(|a| a.name.local.as_ref() == key).map(|a| a.value.to_string())
        }
        _ => None,
    }
}

fn has_class(node: &Node, class: &str) -> bool {
    attr(node, "class").is_some_and(|c| c.split_whitespace().any(|x| x == class))
}

/// The first node (depth first) matching `pred`.
fn find(node: &Handle, pred: &dyn Fn(&Node) -> bool) -> Option<Handle> {
    if pred(node) {
        return Some(node.clone());
    }
    node.children.borrow().iter().find_map(|c| find(c, pred))
}

/// The text inside a node, whitespace collapsed.
fn text_of(node: &Handle) -> String {
    fn walk(node: &Handle, out: &mut String) {
        if let NodeData::Text { contents } = &node.data {
            out.push_str(&contents.borrow());
        }
        if !SKIPPED.iter().any(|t| is_tag(node, t)) {
            for c in node.children.borrow().iter() {
                walk(c, out);
            }
        }
    }
    let mut out = String::new();
    walk(node, &mut out);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Drops permalink anchors (`¶`), navs, forms and scripts from the content.
fn prune(node: &Handle) {
    node.children.borrow_mut().retain(|c| {
        let drop = has_class(c, "headerlink")
            || ["nav", "form", "button", "input", "script", "style"].iter().any(|t| is_tag(c, t))
            || has_class(c, "md-source-file")
            || has_class(c, "md-content__button");
        !drop
    });
    for c in node.children.borrow().iter() {
        prune(c);
    }
}

/// The items of a material-theme nav, depth first.
fn nav_items(node: &Handle, depth: usize, out: &mut Vec<(usize, String, String)>) {
    for child in node.children.borrow().iter() {
        if is_tag(child, "li") && has_class(child, "md-nav__item") {
            let link = child.children.borrow().iter().find(|c| is_tag(c, "a")).cloned();
            let label = child.children.borrow().iter().find(|c| is_tag(c, "label")).cloned();
            let nested = find_child_nav(child);
            match (link, label) {
                (Some(a), _) if nested.is_none() => {
                    out.push((depth, text_of(&a), attr(&a, "href").unwrap_or_default()));
                }
                (a, l) => {
                    let title = l.or(a).map(|n| text_of(&n)).unwrap_or_default();
                    out.push((depth, title, String::new()));
                    if let Some(n) = nested {
                        nav_items(&n, depth + 1, out);
                    }
                }
            }
        } else {
            nav_items(child, depth, out);
        }
    }
}

fn find_child_nav(li: &Handle) -> Option<Handle> {
    li.children.borrow().iter().find(|c| is_tag(c, "nav")).map(Rc::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_nested_too_deep_is_text_not_a_stack_overflow() {
        let deep = format!("{}deep text{}", "<div>".repeat(10_000), "</div>".repeat(10_000));
        // A small stack, as on the runtime's blocking threads.
        let out = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                // Just under the limit still converts on a small stack.
                let limit = format!("{}x{}", "<div>".repeat(MAX_HTML_DEPTH), "</div>".repeat(MAX_HTML_DEPTH));
                assert_eq!(fragment_to_markdown(&limit).trim(), "x");
                let _ = read_built_page(&limit);
                (fragment_to_markdown(&deep), read_built_page(&deep))
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(out.0.trim(), "deep text");
        assert!(out.1.markdown.contains("deep text"));
        let fine = format!("{}ok{}", "<div>".repeat(50), "</div>".repeat(50));
        assert!(!too_deep(&fine) && too_deep(&"<b>".repeat(300)));
        assert!(!too_deep(&"<br><img src=x/><p/>".repeat(1000)));
    }

    #[test]
    fn fragments_lose_their_tags() {
        assert_eq!(fragment_to_markdown("<!-- note -->"), "");
        assert_eq!(fragment_to_markdown("<kbd>"), "");
        assert!(fragment_to_markdown("<div><p>Hi <b>there</b></p><script>x()</script></div>").contains("Hi **there**"));
    }

    #[test]
    fn built_pages_give_article_nav_and_title() {
        let html = r##"<html><head><title>Home - Example</title></head><body>
<nav class="md-nav md-nav--primary"><ul>
<li class="md-nav__item"><a class="md-nav__link" href="./">Home</a></li>
<li class="md-nav__item md-nav__item--nested"><label class="md-nav__link">Ops</label>
<nav class="md-nav"><ul><li class="md-nav__item"><a class="md-nav__link" href="ops/run/">Run</a></li></ul></nav></li>
</ul></nav>
<article class="md-content__inner"><h1 id="welcome">Welcome<a class="headerlink" href="#welcome">¶</a></h1><p>Read <a href="ops/run/">this</a>.</p></article></body></html>"##;
        let page = read_built_page(html);
        assert_eq!(page.title, "Home");
        assert_eq!(
            page.nav,
            vec![
                (0, "Home".into(), "./".into()),
                (0, "Ops".into(), String::new()),
                (1, "Run".into(), "ops/run/".into())
            ]
        );
        assert!(page.markdown.contains("Welcome") && !page.markdown.contains('¶'), "{}", page.markdown);
        assert!(page.markdown.contains("[this](ops/run/)"), "{}", page.markdown);
    }
}
