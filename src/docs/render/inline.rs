//! Inline rewriting of a Markdown chunk before termimad sees it, driven by
//! pulldown-cmark's parse (with source offsets), so code spans and code
//! blocks are never touched: links become marked text plus a `[n]`
//! reference, images become `[image: alt](path)`, raw HTML is converted to
//! text, task-list boxes become ☑/☐, emoji shortcodes become emoji,
//! `==mark==` is marked, `_emphasis_` becomes `*emphasis*` (all termimad
//! reads), entities and escapes are decoded, footnote refs are superscript.

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

/// Marks the start of a link's text (zero-width; the sanitizer removes it
/// from input, so it can only come from here).
pub const LINK_START: char = '\u{2060}';
/// Marks the end of a link's text.
pub const LINK_END: char = '\u{2061}';
/// Marks the start of `==marked==` text.
pub const MARK_START: char = '\u{2063}';
/// Marks the end of marked text.
pub const MARK_END: char = '\u{2064}';

/// The pulldown-cmark extensions TechDocs pages use.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

struct Edit {
    start: usize,
    end: usize,
    text: String,
}

/// Rewrites `md`; link targets are appended to `links` (a link's number is
/// its position there, from 1).
pub fn rewrite(md: &str, links: &mut Vec<String>) -> String {
    rewrite_depth(md, links, 0)
}

fn rewrite_depth(md: &str, links: &mut Vec<String>, depth: usize) -> String {
    let mut edits: Vec<Edit> = Vec::new();
    // Open links: (start of the link's source, first child start, last child end, number).
    let mut open_links: Vec<(usize, Option<usize>, usize, usize)> = Vec::new();
    let mut image: Option<(usize, String, String)> = None;
    let mut code_depth = 0usize;
    for (event, range) in Parser::new_ext(md, options()).into_offset_iter() {
        if let Some((_, _, alt)) = &mut image {
            match event {
                Event::End(TagEnd::Image) => {
                    if let Some((start, dest, alt)) = image.take() {
                        let alt = alt.trim();
                        let label = if alt.is_empty() { "image".to_string() } else { format!("image: {alt}") };
                        edits.push(Edit { start, end: range.end, text: format!("[{label}]({dest})") });
                        note_child(&mut open_links, start, range.end);
                    }
                }
                Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(_)) => code_depth += 1,
            Event::End(TagEnd::CodeBlock) => code_depth = code_depth.saturating_sub(1),
            Event::Start(Tag::Link { link_type, dest_url, .. }) => {
                links.push(if link_type == LinkType::Email {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.to_string()
                });
                open_links.push((range.start, None, range.start, links.len()));
            }
            Event::End(TagEnd::Link) => {
                if let Some((start, first, last, n)) = open_links.pop() {
                    let inner_start = first.unwrap_or(start);
                    let inner_end = if first.is_some() { last } else { start };
                    edits.push(Edit { start, end: inner_start, text: LINK_START.to_string() });
                    let empty = first.is_none();
                    let shown = if empty { links.get(n - 1).cloned().unwrap_or_default() } else { String::new() };
                    edits.push(Edit { start: inner_end, end: range.end, text: format!("{shown}{LINK_END}[{n}]") });
                    note_child(&mut open_links, start, range.end);
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                image = Some((range.start, dest_url.to_string(), String::new()))
            }
            Event::Start(Tag::Emphasis) | Event::Start(Tag::Strong) => {
                note_child(&mut open_links, range.start, range.end);
                let source = &md[range.clone()];
                if source.starts_with('_') && source.ends_with('_') {
                    let n = if source.starts_with("__") && source.len() >= 4 { 2 } else { 1 };
                    edits.push(Edit { start: range.start, end: range.start + n, text: "*".repeat(n) });
                    edits.push(Edit { start: range.end - n, end: range.end, text: "*".repeat(n) });
                }
            }
            Event::Text(text) if code_depth == 0 => {
                note_child(&mut open_links, range.start, range.end);
                let source = &md[range.clone()];
                let decoded = source != text.as_ref() && !text.contains(['*', '`', '~', '|', '_', '[']);
                let base = if decoded { text.as_ref() } else { source };
                let changed = decorate(base);
                // A backslash escape: pulldown's text starts after the `\`.
                let escaped = range.start > 0
                    && md.as_bytes()[range.start - 1] == b'\\'
                    && text.starts_with(|c: char| c.is_ascii_punctuation() && !"*`~|_[\\".contains(c));
                if escaped {
                    edits.push(Edit { start: range.start - 1, end: range.start, text: String::new() });
                }
                if decoded || changed != base {
                    edits.push(Edit { start: range.start, end: range.end, text: changed });
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let block = matches!(md.get(range.clone()).and_then(|s| s.chars().last()), Some('\n'));
                let text = super::super::html::fragment_to_markdown(&html);
                let text = if depth < 1 { rewrite_depth(&text, links, depth + 1) } else { text };
                let text = if block { format!("{}\n", text.trim_end()) } else { text };
                edits.push(Edit { start: range.start, end: range.end, text });
                note_child(&mut open_links, range.start, range.end);
            }
            Event::TaskListMarker(done) => {
                edits.push(Edit { start: range.start, end: range.end, text: if done { "☑" } else { "☐" }.into() });
            }
            Event::FootnoteReference(label) => {
                edits.push(Edit { start: range.start, end: range.end, text: super::blocks::footnote_mark(&label) });
                note_child(&mut open_links, range.start, range.end);
            }
            Event::Code(_) | Event::SoftBreak | Event::HardBreak => note_child(&mut open_links, range.start, range.end),
            _ => {}
        }
    }
    apply(md, edits)
}

/// Widens the innermost open link's child range.
fn note_child(open: &mut [(usize, Option<usize>, usize, usize)], start: usize, end: usize) {
    if let Some((_, first, last, _)) = open.last_mut() {
        if first.is_none() {
            *first = Some(start);
        }
        *last = (*last).max(end);
    }
}

fn apply(md: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(md.len() + 16);
    let mut at = 0;
    for e in edits {
        if e.start < at || e.end > md.len() || !md.is_char_boundary(e.start) || !md.is_char_boundary(e.end) {
            continue;
        }
        out.push_str(&md[at..e.start]);
        out.push_str(&e.text);
        at = e.end;
    }
    out.push_str(&md[at..]);
    out
}

/// Emoji shortcodes and `==mark==` in plain text.
pub fn decorate(text: &str) -> String {
    let with_emoji = if text.contains(':') { emoji(text) } else { text.to_string() };
    if with_emoji.contains("==") { mark(&with_emoji) } else { with_emoji }
}

/// `:smile:` -> 😄 for known shortcodes; unknown ones are left as typed.
fn emoji(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(':') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len =
            after.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-'))).unwrap_or(after.len());
        if len > 0 && after[len..].starts_with(':') {
            let code = &after[..len];
            if let Some(e) =
                emojis::get_by_shortcode(code).or_else(|| emojis::get_by_shortcode(&code.replace('-', "_")))
            {
                out.push_str(e.as_str());
                rest = &after[len + 1..];
                continue;
            }
        }
        out.push(':');
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `==text==` -> marked text.
fn mark(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("==") {
        let after = &rest[open + 2..];
        match after.find("==") {
            Some(close) if close > 0 && !after.starts_with(' ') && !after[..close].ends_with(' ') => {
                out.push_str(&rest[..open]);
                out.push(MARK_START);
                out.push_str(&after[..close]);
                out.push(MARK_END);
                rest = &after[close + 2..];
            }
            _ => {
                out.push_str(&rest[..open + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A heading's plain text (markup dropped), for the TOC and its anchor.
pub fn plain_text(md: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    decorate(&out).replace([MARK_START, MARK_END], "")
}

/// MkDocs' default heading anchor: lower-case, punctuation dropped,
/// whitespace and dashes collapsed into `-`.
pub fn slugify(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace() || matches!(c, '-' | '_'))
        .collect::<String>()
        .trim()
        .to_lowercase();
    let mut out = String::with_capacity(kept.len());
    let mut dash = false;
    for c in kept.chars() {
        if c.is_whitespace() || c == '-' {
            dash = true;
        } else {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rw(md: &str) -> (String, Vec<String>) {
        let mut links = Vec::new();
        let out = rewrite(md, &mut links);
        (out, links)
    }

    #[test]
    fn links_are_marked_and_numbered() {
        let (out, links) = rw("See [the *guide*](guide.md#x) and <https://e.io>.");
        assert_eq!(out, "See \u{2060}the *guide*\u{2061}[1] and \u{2060}https://e.io\u{2061}[2].");
        assert_eq!(links, vec!["guide.md#x".to_string(), "https://e.io".into()]);
    }

    #[test]
    fn images_emoji_mark_tasks_and_html() {
        let (out, _) = rw("![Logo](img/l.svg) :thumbsup: ==hi== `:smile: ==x==`\n\n- [x] done\n- [ ] todo\n");
        assert!(out.starts_with("[image: Logo](img/l.svg) 👍 \u{2063}hi\u{2064} `:smile: ==x==`"), "{out}");
        assert!(out.contains("- ☑ done") && out.contains("- ☐ todo"), "{out}");
        let (out, _) = rw(
            "a <kbd>Ctrl</kbd> b <!-- gone --> &copy; _it_ __bold__\n\n<div class=\"x\">\n<p>Block <b>text</b></p>\n</div>\n",
        );
        assert!(out.starts_with("a Ctrl b  © *it* **bold**"), "{out}");
        assert!(out.contains("Block **text**") && !out.contains('<'), "{out}");
    }

    #[test]
    fn slugs_match_mkdocs() {
        assert_eq!(slugify("Hello, World!"), "hello-world");
        assert_eq!(slugify("GET /v3/breeds/:breed_name/cats"), "get-v3breedsbreed_namecats");
        assert_eq!(plain_text("The `code` and *em* :bulb:"), "The code and em 💡");
    }
}
