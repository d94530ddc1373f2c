//! Markdown pages to styled terminal text.
//!
//! [`prepare`] does the width-independent work once per page: sanitize,
//! split into [`blocks`], rewrite inline constructs ([`inline`]), and
//! number the links. [`layout`] lays a prepared page out for one width:
//! termimad renders the Markdown (through ANSI and ansi-to-tui into ratatui
//! lines); code blocks, callouts, headings and rules are framed here. The
//! result keeps a heading index (TOC) and where every link landed.

pub mod ansi;
pub mod blocks;
pub mod code;
pub mod highlight;
pub mod inline;
mod layout;
pub mod normalize;
pub mod theme;

use ratatui::text::Line;

use crate::model::sanitize;

pub use layout::layout;
pub use theme::DocTheme;

/// A page prepared for layout at any width.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// The blocks, inline constructs rewritten.
    pub blocks: Vec<PBlock>,
    /// Link targets; link `n` is `links[n - 1]`.
    pub links: Vec<String>,
}

/// A block of a prepared page.
#[derive(Debug, Clone, PartialEq)]
pub enum PBlock {
    /// Markdown for termimad.
    Markdown(String),
    /// A heading.
    Heading {
        /// 1 to 6.
        level: u8,
        /// Rewritten Markdown.
        markdown: String,
        /// Plain text, for the TOC.
        plain: String,
        /// Anchor id.
        anchor: String,
    },
    /// Code, verbatim.
    Code {
        /// Shown above the code.
        label: Option<String>,
        /// The language (`python`), may be empty.
        lang: String,
        /// The lines.
        lines: Vec<String>,
    },
    /// A framed callout.
    Callout {
        /// How it is drawn.
        style: blocks::CalloutStyle,
        /// Its kind (colour).
        kind: String,
        /// Rewritten title Markdown.
        title: String,
        /// What is inside.
        body: Vec<PBlock>,
    },
    /// A horizontal rule.
    Rule,
}

/// A heading of a rendered page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Plain text.
    pub text: String,
    /// Its anchor (`#anchor` links land here).
    pub anchor: String,
    /// The rendered line it starts on.
    pub line: usize,
}

/// Where a link landed in the rendered lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSpot {
    /// The link's target as written.
    pub target: String,
    /// The link text's pieces: (line, first column, end column).
    pub spots: Vec<(usize, u16, u16)>,
}

/// A page laid out for one width.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The width it was laid out for.
    pub width: u16,
    /// Styled lines.
    pub lines: Vec<Line<'static>>,
    /// The lines as plain text (for search).
    pub plain: Vec<String>,
    /// Headings in order (the TOC).
    pub headings: Vec<Heading>,
    /// Links in order; link `n` is `links[n - 1]`.
    pub links: Vec<LinkSpot>,
}

/// Marks the title row of a collapsible block: closed, open.
pub const FOLD_MARKERS: [&str; 2] = ["▸ ", "▾ "];

impl Prepared {
    /// Opens or closes the `n`-th collapsible block (`???`) that a folding
    /// layout shows, counted in page order (blocks inside closed ones are
    /// not shown, so not counted). False when there is no such block.
    pub fn toggle_fold(&mut self, n: usize) -> bool {
        fn walk(blocks: &mut [PBlock], n: &mut usize) -> bool {
            for block in blocks {
                if let PBlock::Callout { style, body, .. } = block {
                    let collapsible = matches!(style, blocks::CalloutStyle::Collapsed | blocks::CalloutStyle::Expanded);
                    if collapsible && *n == 0 {
                        *style = match style {
                            blocks::CalloutStyle::Collapsed => blocks::CalloutStyle::Expanded,
                            _ => blocks::CalloutStyle::Collapsed,
                        };
                        return true;
                    }
                    if collapsible {
                        *n -= 1;
                    }
                    if *style != blocks::CalloutStyle::Collapsed && walk(body, n) {
                        return true;
                    }
                }
            }
            false
        }
        walk(&mut self.blocks, &mut { n })
    }
}

impl Rendered {
    /// The rows that are titles of collapsible blocks, in order, found by
    /// their fold marker (after any callout bars they are nested in).
    pub fn fold_rows(&self) -> Vec<usize> {
        let bars: &[char] = &['│', '┊', ' '];
        (0..self.plain.len())
            .filter(|&i| {
                let text = self.plain[i].trim_start_matches(bars);
                FOLD_MARKERS.iter().any(|m| text.starts_with(m))
            })
            .collect()
    }

    /// The line a heading anchor starts on.
    pub fn anchor_line(&self, anchor: &str) -> Option<usize> {
        let wanted = anchor.to_lowercase();
        self.headings.iter().find(|h| h.anchor == wanted).map(|h| h.line)
    }

    /// Lines containing `needle` (case-insensitive), with the column of each match.
    pub fn find(&self, needle: &str) -> Vec<(usize, usize)> {
        find_in(&self.plain, needle)
    }
}

/// Every case-insensitive occurrence of `needle` in `lines`: the line and
/// the display column it starts at (the Docs tab's page search and the
/// entity page's `/` in its other tabs).
pub fn find_in<S: AsRef<str>>(lines: &[S], needle: &str) -> Vec<(usize, usize)> {
    let needle = needle.to_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let lower = line.as_ref().to_lowercase();
        let mut from = 0;
        while let Some(at) = lower[from..].find(&needle) {
            let byte = from + at;
            out.push((i, unicode_width::UnicodeWidthStr::width(&lower[..byte])));
            from = byte + needle.len().max(1);
        }
    }
    out
}

/// Sanitizes a page and does all width-independent work.
pub fn prepare(source: &str) -> Prepared {
    let text = sanitize::text(source).replace("\r\n", "\n").replace('\t', "    ");
    let parsed = blocks::parse(&text);
    let mut links = Vec::new();
    let mut out = convert(parsed, &mut links);
    if !links.is_empty() {
        let mut md = String::from("**Links**\n\n");
        for (i, target) in links.iter().enumerate() {
            md.push_str(&format!("- [{}] {}\n", i + 1, target.replace('*', "\\*")));
        }
        out.push(PBlock::Rule);
        out.push(PBlock::Markdown(md));
    }
    Prepared { blocks: out, links }
}

fn convert(parsed: Vec<blocks::Block>, links: &mut Vec<String>) -> Vec<PBlock> {
    parsed
        .into_iter()
        .map(|block| match block {
            blocks::Block::Markdown(md) => PBlock::Markdown(normalize::for_termimad(&inline::rewrite(&md, links))),
            blocks::Block::Heading { level, text, id } => {
                let plain = inline::plain_text(&text);
                let anchor = id.unwrap_or_else(|| inline::slugify(&plain));
                PBlock::Heading { level, markdown: inline::rewrite(&text, links), plain, anchor }
            }
            blocks::Block::Code { label, lang, lines } => PBlock::Code { label, lang, lines },
            blocks::Block::Callout { style, kind, title, body } => {
                let title = inline::rewrite(&title, links);
                PBlock::Callout { style, kind, title, body: convert(body, links) }
            }
            blocks::Block::Rule => PBlock::Rule,
        })
        .collect()
}

/// Prepares and lays out a page in one go.
pub fn render(source: &str, width: u16, theme: &DocTheme) -> Rendered {
    layout(&prepare(source), width, theme)
}
