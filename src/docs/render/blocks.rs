//! The block structure of a page, read line by line: what termimad does not
//! know (fenced code with labels, admonitions, collapsible details, GitHub
//! alerts, tabbed blocks, footnote and abbreviation definitions, definition
//! lists, attribute lists, setext headings) is taken out here; everything
//! else stays Markdown for termimad.

use std::sync::LazyLock;

use regex::Regex;

/// How a callout is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalloutStyle {
    /// `!!! kind "Title"`.
    Admonition,
    /// `??? kind "Title"`: collapsible, closed by default.
    Collapsed,
    /// `???+ kind "Title"`: collapsible, open by default.
    Expanded,
    /// `> [!WARNING]`.
    Alert,
    /// `=== "Tab"`.
    Tab,
}

/// One block of a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Markdown for termimad (paragraphs, lists, tables, quotes).
    Markdown(String),
    /// A heading.
    Heading {
        /// 1 to 6.
        level: u8,
        /// Its Markdown text.
        text: String,
        /// An explicit `{#id}`.
        id: Option<String>,
    },
    /// Fenced code, kept verbatim.
    Code {
        /// The language (`python`), may be empty.
        lang: String,
        /// What to show above the code (language, diagram kind, tab title).
        label: Option<String>,
        /// The lines, indentation kept.
        lines: Vec<String>,
    },
    /// An admonition, details block, alert or tab.
    Callout {
        /// How it is drawn.
        style: CalloutStyle,
        /// `note`, `warning`, ... (lower-case).
        kind: String,
        /// The title (may be empty).
        title: String,
        /// What is inside.
        body: Vec<Block>,
    },
    /// A horizontal rule.
    Rule,
}

macro_rules! re {
    ($name:ident, $pattern:literal) => {
        #[allow(clippy::expect_used, reason = "audited: constant patterns, compiled by the tests")]
        static $name: LazyLock<Regex> = LazyLock::new(|| Regex::new($pattern).expect("a valid regex (tested)"));
    };
}

re!(ADMONITION, r#"^(!!!|\?\?\?\+?)\s*([A-Za-z][\w-]*)((?:\s+[\w-]+)*)\s*(?:"([^"]*)"|'([^']*)')?\s*$"#);
re!(TAB, r#"^===(\+)?\s+(?:"([^"]*)"|'([^']*)')\s*$"#);
re!(ALERT, r"^ {0,3}>\s*\[!(?i:(note|tip|important|warning|caution))\]\s*(.*)$");
re!(HEADING, r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$");
re!(FOOTNOTE, r"^\[\^([^\]\s]+)\]:[ \t]?(.*)$");
re!(ABBREVIATION, r"^\*\[([^\]]+)\]:\s*(.*)$");
re!(ATTR_LIST, r"^\s*\{:?\s*[#.:][^}]*\}\s*$");
re!(DEFINITION, r"^:[ \t]{1,4}(\S.*)$");
re!(HEADING_ATTRS, r"\s*\{:?\s*(#[\w-]+)?[^}]*\}\s*$");

/// Footnotes and abbreviations gathered while reading.
#[derive(Default)]
struct Notes {
    footnotes: Vec<(String, String)>,
    abbreviations: Vec<(String, String)>,
}

/// Splits a page (sanitized, tabs expanded) into blocks.
pub fn parse(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut notes = Notes::default();
    let mut blocks = parse_lines(&lines, &mut notes);
    for (label, _) in &notes.footnotes {
        let reference = format!("[^{label}]");
        let mark = footnote_mark(label);
        replace_in(&mut blocks, &reference, &mark);
    }
    if !notes.footnotes.is_empty() {
        blocks.push(Block::Rule);
        let mut md = String::from("**Footnotes**\n\n");
        for (label, body) in &notes.footnotes {
            md.push_str(&format!("- {} {}\n", footnote_mark(label), body.trim()));
        }
        blocks.push(Block::Markdown(md));
    }
    if !notes.abbreviations.is_empty() {
        let mut md = String::from("**Abbreviations**\n\n");
        for (abbr, meaning) in &notes.abbreviations {
            md.push_str(&format!("- **{abbr}**: {meaning}\n"));
        }
        blocks.push(Block::Markdown(md));
    }
    blocks
}

/// Replaces `from` by `to` in the text of Markdown blocks, headings and titles.
fn replace_in(blocks: &mut [Block], from: &str, to: &str) {
    for block in blocks {
        match block {
            Block::Markdown(md) => *md = md.replace(from, to),
            Block::Heading { text, .. } => *text = text.replace(from, to),
            Block::Callout { title, body, .. } => {
                *title = title.replace(from, to);
                replace_in(body, from, to);
            }
            Block::Code { .. } | Block::Rule => {}
        }
    }
}

/// How a footnote reference is shown: superscript digits, else `^label`.
pub fn footnote_mark(label: &str) -> String {
    const SUPER: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    if !label.is_empty() && label.chars().all(|c| c.is_ascii_digit()) {
        label.chars().map(|c| SUPER[(c as u8 - b'0') as usize]).collect()
    } else {
        format!("^{label}")
    }
}

/// A heading's text without a trailing `{#id .class}`, and the id.
pub fn strip_heading_attrs(text: &str) -> (&str, Option<String>) {
    match HEADING_ATTRS.captures(text) {
        Some(c) if text.ends_with('}') => {
            let start = c.get(0).map_or(text.len(), |m| m.start());
            (&text[..start], c.get(1).map(|m| m.as_str()[1..].to_string()))
        }
        _ => (text, None),
    }
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// The lines of an indented body (4 spaces) after line `start`, dedented;
/// returns the lines and the index after them.
fn indented_body(lines: &[&str], start: usize) -> (Vec<String>, usize) {
    let mut end = start;
    let mut last_content = start;
    while end < lines.len() {
        let line = lines[end];
        if is_blank(line) {
            end += 1;
            continue;
        }
        if indent_of(line) < 4 {
            break;
        }
        end += 1;
        last_content = end;
    }
    let body = lines[start..last_content].iter().map(|l| l.get(4..).unwrap_or("").to_string()).collect();
    (body, last_content)
}

fn parse_lines<S: AsRef<str>>(lines: &[S], notes: &mut Notes) -> Vec<Block> {
    let lines: Vec<&str> = lines.iter().map(AsRef::as_ref).collect();
    let mut blocks = Vec::new();
    let mut md: Vec<String> = Vec::new();
    let flush = |md: &mut Vec<String>, blocks: &mut Vec<Block>| {
        if md.iter().any(|l| !is_blank(l)) {
            blocks.push(Block::Markdown(md.join("\n")));
        }
        md.clear();
    };
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        // Fenced code.
        if let Some(fence) = fence_of(trimmed) {
            flush(&mut md, &mut blocks);
            let indent = indent_of(line);
            let info = trimmed[fence.len()..].trim();
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() {
                let l = lines[i];
                let t = l.trim_start();
                if t.starts_with(fence) && t.trim_start_matches(fence.chars().next().unwrap_or('`')).trim().is_empty() {
                    i += 1;
                    break;
                }
                let strip = indent_of(l).min(indent);
                body.push(l[strip..].to_string());
                i += 1;
            }
            blocks.push(code_block(info, body));
            continue;
        }
        // `{% tag ... %}` blocks (markdown-inline-graphviz and friends).
        if let Some(after) = trimmed.strip_prefix("{%") {
            flush(&mut md, &mut blocks);
            let tag = after.split_whitespace().next().unwrap_or("block").to_string();
            let mut body = vec![line.to_string()];
            let mut closed = trimmed.trim_end().ends_with("%}") && trimmed.len() > 4;
            i += 1;
            while !closed && i < lines.len() {
                body.push(lines[i].to_string());
                closed = lines[i].trim_end().ends_with("%}");
                i += 1;
            }
            blocks.push(Block::Code {
                lang: tag.clone(),
                label: Some(format!("{tag} block (source shown)")),
                lines: body,
            });
            continue;
        }
        if let Some(c) = ADMONITION.captures(line) {
            flush(&mut md, &mut blocks);
            let style = match &c[1] {
                "!!!" => CalloutStyle::Admonition,
                "???" => CalloutStyle::Collapsed,
                _ => CalloutStyle::Expanded,
            };
            let kind = c[2].to_lowercase();
            let title = match c.get(4).or_else(|| c.get(5)) {
                Some(t) => t.as_str().to_string(),
                None => capitalize(&kind),
            };
            let (body, next) = indented_body(&lines, i + 1);
            blocks.push(Block::Callout { style, kind, title, body: parse_lines(&body, notes) });
            i = next;
            continue;
        }
        if let Some(c) = TAB.captures(line) {
            flush(&mut md, &mut blocks);
            let title = c.get(2).or_else(|| c.get(3)).map_or("", |m| m.as_str()).to_string();
            let (body, next) = indented_body(&lines, i + 1);
            blocks.push(Block::Callout {
                style: CalloutStyle::Tab,
                kind: "tab".into(),
                title,
                body: parse_lines(&body, notes),
            });
            i = next;
            continue;
        }
        if let Some(c) = ALERT.captures(line) {
            flush(&mut md, &mut blocks);
            let kind = c[1].to_lowercase();
            let rest = c[2].trim();
            let mut body: Vec<String> = if rest.is_empty() { Vec::new() } else { vec![rest.to_string()] };
            i += 1;
            while i < lines.len() {
                let t = lines[i].trim_start();
                let Some(inner) = t.strip_prefix('>') else { break };
                body.push(inner.strip_prefix(' ').unwrap_or(inner).to_string());
                i += 1;
            }
            blocks.push(Block::Callout {
                style: CalloutStyle::Alert,
                title: capitalize(&kind),
                kind,
                body: parse_lines(&body, notes),
            });
            continue;
        }
        if let Some(c) = HEADING.captures(line) {
            flush(&mut md, &mut blocks);
            let level = c[1].len() as u8;
            let raw = c.get(2).map_or("", |m| m.as_str());
            let raw = raw.trim_end_matches('#').trim_end();
            let (text, id) = strip_heading_attrs(raw);
            blocks.push(Block::Heading { level, text: text.trim().to_string(), id });
            i += 1;
            continue;
        }
        if let Some(c) = FOOTNOTE.captures(line) {
            let mut body = c[2].to_string();
            let (more, next) = indented_body(&lines, i + 1);
            for l in more.iter().filter(|l| !is_blank(l)) {
                body.push(' ');
                body.push_str(l.trim());
            }
            notes.footnotes.push((c[1].to_string(), body));
            i = next;
            continue;
        }
        if let Some(c) = ABBREVIATION.captures(line) {
            notes.abbreviations.push((c[1].to_string(), c[2].to_string()));
            i += 1;
            continue;
        }
        if ATTR_LIST.is_match(line) {
            i += 1;
            continue;
        }
        if let Some(c) = DEFINITION.captures(line) {
            // The term is the last non-blank Markdown line.
            if let Some(term_at) = md.iter().rposition(|l| !is_blank(l)) {
                let term = md[term_at].trim().to_string();
                if !term.starts_with("- ") && !term.starts_with("**") {
                    md[term_at] = format!("**{term}**");
                }
                md.truncate(term_at + 1);
                let mut definition = c[1].to_string();
                i += 1;
                while i < lines.len()
                    && !is_blank(lines[i])
                    && !DEFINITION.is_match(lines[i])
                    && !starts_block(lines[i])
                {
                    definition.push(' ');
                    definition.push_str(lines[i].trim());
                    i += 1;
                }
                md.push(format!("- {definition}"));
                continue;
            }
        }
        if let Some(level) = setext_level(trimmed) {
            let prev_is_text = md.last().is_some_and(|l| !is_blank(l) && !starts_block(l));
            if prev_is_text && level > 0 {
                let text = md.pop().unwrap_or_default();
                flush(&mut md, &mut blocks);
                let (t, id) = strip_heading_attrs(text.trim());
                blocks.push(Block::Heading { level, text: t.to_string(), id });
                i += 1;
                continue;
            }
            if is_rule(trimmed) && md.last().is_none_or(|l| is_blank(l)) {
                flush(&mut md, &mut blocks);
                blocks.push(Block::Rule);
                i += 1;
                continue;
            }
        } else if is_rule(trimmed) && md.last().is_none_or(|l| is_blank(l)) {
            flush(&mut md, &mut blocks);
            blocks.push(Block::Rule);
            i += 1;
            continue;
        }
        md.push(line.to_string());
        i += 1;
    }
    flush(&mut md, &mut blocks);
    blocks
}

/// Whether a line starts a list item, table row, quote or heading.
fn starts_block(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("- ")
        || t.starts_with("* ")
        || t.starts_with("+ ")
        || t.starts_with('|')
        || t.starts_with('>')
        || t.starts_with('#')
        || t.split_once(". ").is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// `===` (level 1) or `---` (level 2) under a paragraph line.
fn setext_level(trimmed: &str) -> Option<u8> {
    let t = trimmed.trim_end();
    if t.len() >= 2 && t.chars().all(|c| c == '=') {
        Some(1)
    } else if t.len() >= 2 && t.chars().all(|c| c == '-') {
        Some(2)
    } else {
        None
    }
}

/// `---`, `***`, `___` (spaces allowed between).
fn is_rule(trimmed: &str) -> bool {
    let chars: Vec<char> = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
    chars.len() >= 3 && ['-', '*', '_'].iter().any(|m| chars.iter().all(|c| c == m))
}

/// The fence (``` or ~~~, any length >= 3) a line opens with.
fn fence_of(trimmed: &str) -> Option<&str> {
    for c in ['`', '~'] {
        let n = trimmed.chars().take_while(|x| *x == c).count();
        if n >= 3 {
            let fence = &trimmed[..n];
            // A backtick fence's info string may not contain backticks.
            if c == '`' && trimmed[n..].contains('`') {
                return None;
            }
            return Some(fence);
        }
    }
    None
}

/// A code block from a fence's info string (`python`, `{.js}`,
/// `plantuml format="svg"`, `java tab="java 2"`).
fn code_block(info: &str, lines: Vec<String>) -> Block {
    let first = info.split_whitespace().next().unwrap_or("");
    let lang = first.trim_start_matches('{').trim_start_matches('.').trim_end_matches('}').to_string();
    let attr = |name: &str| {
        let key = format!("{name}=\"");
        info.find(&key).and_then(|at| {
            let rest = &info[at + key.len()..];
            rest.find('"').map(|end| rest[..end].to_string())
        })
    };
    let diagram =
        matches!(lang.to_lowercase().as_str(), "mermaid" | "plantuml" | "puml" | "graphviz" | "dot" | "ditaa" | "d2");
    let mut label = if diagram {
        Some(format!("{lang} diagram (source shown)"))
    } else if lang.is_empty() {
        None
    } else {
        Some(lang.clone())
    };
    if let Some(tab) = attr("tab") {
        label = Some(format!("{} · tab \"{tab}\"", label.unwrap_or_else(|| "code".into())));
    } else if let Some(title) = attr("title").filter(|_| !diagram) {
        label = Some(format!("{} · {title}", label.unwrap_or_else(|| "code".into())));
    }
    Block::Code { lang, label, lines }
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|f| f.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admonitions_details_and_tabs_become_callouts() {
        let text = "!!! note \"Read me\"\n    Body *text*.\n\n    More.\n\nAfter.\n\n??? tip\n    hidden\n\n???+ warning \"Open\"\n    shown\n\n=== \"JavaScript\"\n\n    ```js\n    let x;\n    ```\n";
        let blocks = parse(text);
        let Block::Callout { style, kind, title, body } = &blocks[0] else { panic!("{blocks:?}") };
        assert_eq!((*style, kind.as_str(), title.as_str()), (CalloutStyle::Admonition, "note", "Read me"));
        assert_eq!(body, &vec![Block::Markdown("Body *text*.\n\nMore.".into())]);
        assert_eq!(blocks[1], Block::Markdown("\nAfter.\n".into()));
        assert!(matches!(&blocks[2], Block::Callout { style: CalloutStyle::Collapsed, title, .. } if title == "Tip"));
        assert!(matches!(&blocks[3], Block::Callout { style: CalloutStyle::Expanded, title, .. } if title == "Open"));
        let Block::Callout { style: CalloutStyle::Tab, title, body, .. } = &blocks[4] else { panic!() };
        assert_eq!(title, "JavaScript");
        assert!(
            matches!(&body[0], Block::Code { lang, lines, .. } if lang == "js" && lines == &vec!["let x;".to_string()])
        );
    }

    #[test]
    fn alerts_headings_and_fences() {
        let blocks =
            parse("> [!WARNING]\n> Careful.\n\n## Title {#custom}\n\n```plantuml format=\"svg\"\n  A -> B\n```\n");
        assert!(matches!(&blocks[0], Block::Callout { style: CalloutStyle::Alert, kind, .. } if kind == "warning"));
        assert_eq!(blocks[1], Block::Heading { level: 2, text: "Title".into(), id: Some("custom".into()) });
        assert_eq!(
            blocks[2],
            Block::Code {
                lang: "plantuml".into(),
                label: Some("plantuml diagram (source shown)".into()),
                lines: vec!["  A -> B".into()]
            }
        );
    }

    #[test]
    fn footnotes_definitions_and_attributes() {
        let blocks =
            parse("Text[^1].\n\n[^1]: The note.\n\nApple\n: A fruit\nof trees.\n\n{: #id .c }\n*[HTML]: Hyper Text\n");
        assert_eq!(blocks[0], Block::Markdown("Text¹.\n\n\n**Apple**\n- A fruit of trees.\n".into()));
        assert!(blocks.contains(&Block::Markdown("**Footnotes**\n\n- ¹ The note.\n".into())));
        assert!(blocks.iter().any(|b| matches!(b, Block::Markdown(m) if m.contains("**HTML**: Hyper Text"))));
    }

    #[test]
    fn setext_headings_and_rules() {
        let blocks = parse("Title\n=====\n\ntext\n\n---\n\nSub\n---\n");
        assert_eq!(blocks[0], Block::Heading { level: 1, text: "Title".into(), id: None });
        assert_eq!(blocks[2], Block::Rule);
        assert_eq!(blocks[3], Block::Heading { level: 2, text: "Sub".into(), id: None });
    }
}
