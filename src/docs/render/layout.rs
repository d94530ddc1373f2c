//! Lays a prepared page out for one width.

use ansi_to_tui::IntoText;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use termimad::MadSkin;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::blocks::CalloutStyle;
use super::code::code_lines;
use super::inline::{LINK_END, LINK_START, MARK_END, MARK_START};
use super::theme::{DocTheme, named_color};
use super::{FOLD_MARKERS, Heading, LinkSpot, PBlock, Prepared, Rendered};

/// Narrowest layout (termimad needs room for table borders and bullets).
pub const MIN_WIDTH: u16 = 20;

type Chunk = (Vec<Line<'static>>, Vec<Heading>);

/// Each link's pieces: (line, first column, end column).
type Spots = Vec<Vec<(usize, u16, u16)>>;

/// Lays `page` out for `width` columns.
pub fn layout(page: &Prepared, width: u16, theme: &DocTheme) -> Rendered {
    let width = width.max(MIN_WIDTH);
    let skin = theme.skin();
    let (lines, headings) = blocks_lines(&page.blocks, width as usize, theme, &skin);
    let (lines, plain, spots) = finish(lines, theme, page.links.len());
    let links =
        page.links.iter().zip(spots).map(|(target, spots)| LinkSpot { target: target.clone(), spots }).collect();
    Rendered { width, lines, plain, headings, links }
}

fn blocks_lines(blocks: &[PBlock], width: usize, theme: &DocTheme, skin: &MadSkin) -> Chunk {
    // Blocks lay out independently: big pages use every core.
    let chunks: Vec<Chunk> = if blocks.len() > 64 {
        use rayon::prelude::*;
        blocks.par_iter().map(|b| block_lines(b, width, theme, skin)).collect()
    } else {
        blocks.iter().map(|b| block_lines(b, width, theme, skin)).collect()
    };
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut headings = Vec::new();
    for (mut chunk, mut chunk_headings) in chunks {
        let lead = chunk.iter().take_while(|l| is_blank(l)).count();
        chunk.drain(..lead);
        while chunk.last().is_some_and(is_blank) {
            chunk.pop();
        }
        if chunk.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        for h in &mut chunk_headings {
            h.line = (h.line.saturating_sub(lead)) + lines.len();
        }
        headings.append(&mut chunk_headings);
        lines.append(&mut chunk);
    }
    (lines, headings)
}

fn block_lines(block: &PBlock, width: usize, theme: &DocTheme, skin: &MadSkin) -> Chunk {
    match block {
        PBlock::Markdown(md) => (termimad_lines(md, width, skin), Vec::new()),
        PBlock::Heading { level, markdown, plain, anchor } => {
            let md = format!("{} {markdown}", "#".repeat(usize::from(*level)));
            let heading = Heading { level: *level, text: plain.clone(), anchor: anchor.clone(), line: 0 };
            let mut lines = termimad_lines(&md, width, skin);
            if theme.mono && *level <= 2 {
                // Without colour, underline the top two levels so they stand out.
                let wide = lines.iter().map(Line::width).max().unwrap_or(0).min(width);
                lines.push(Line::styled((if *level == 1 { "═" } else { "─" }).repeat(wide), theme.dim));
            }
            (lines, vec![heading])
        }
        PBlock::Code { label, lang, lines } => (code_lines(label.as_deref(), lang, lines, width, theme), Vec::new()),
        PBlock::Callout { style, kind, title, body } => callout_lines(*style, kind, title, body, width, theme, skin),
        PBlock::Rule => (vec![Line::styled("─".repeat(width), theme.dim)], Vec::new()),
    }
}

fn is_blank(line: &Line<'_>) -> bool {
    line.spans.iter().all(|s| s.content.trim().is_empty())
}

/// termimad's rendering of Markdown, through ANSI, as ratatui lines.
fn termimad_lines(md: &str, width: usize, skin: &MadSkin) -> Vec<Line<'static>> {
    // termimad refuses widths under 3 and indents list items by up to 5.
    let ansi = skin.text(md, Some(width.max(12))).to_string();
    match ansi.as_bytes().into_text() {
        Ok(text) => text
            .lines
            .into_iter()
            .map(|line| {
                let spans = line
                    .spans
                    .into_iter()
                    .map(|s| {
                        let mut style = s.style;
                        style.fg = style.fg.map(named_color);
                        style.bg = style.bg.map(named_color);
                        Span::styled(s.content.into_owned(), style)
                    })
                    .collect::<Vec<_>>();
                Line::from(spans)
            })
            .collect(),
        Err(_) => md.lines().map(|l| Line::raw(l.to_string())).collect(),
    }
}

fn icon(style: CalloutStyle, kind: &str) -> &'static str {
    match style {
        CalloutStyle::Tab => "▭",
        _ => match kind {
            "tip" | "hint" => "★",
            "success" | "check" | "done" => "✔",
            "warning" | "warn" | "caution" | "attention" | "important" => "▲",
            "danger" | "error" | "bug" | "failure" | "fail" | "missing" => "✖",
            "question" | "help" | "faq" => "?",
            "example" => "▶",
            "quote" | "cite" => "❝",
            "abstract" | "summary" | "tldr" => "≡",
            "info" | "todo" => "ℹ",
            _ => "✎",
        },
    }
}

/// A callout: a title line in the kind's colour, then the body behind a bar.
fn callout_lines(
    style: CalloutStyle,
    kind: &str,
    title: &str,
    body: &[PBlock],
    width: usize,
    theme: &DocTheme,
    skin: &MadSkin,
) -> Chunk {
    let color = theme.callout(kind);
    let mut lines = Vec::new();
    let fold = match style {
        CalloutStyle::Collapsed => FOLD_MARKERS[0],
        CalloutStyle::Expanded => FOLD_MARKERS[1],
        _ => "",
    };
    let title = title.trim();
    if !title.is_empty() || style != CalloutStyle::Admonition {
        let head = format!("{fold}{} ", icon(style, kind));
        let title_width = width.saturating_sub(head.width()).max(10);
        let title_md = if title.is_empty() { kind.to_string() } else { title.to_string() };
        for (i, line) in termimad_lines(&title_md, title_width, skin).into_iter().enumerate() {
            let lead = if i == 0 { head.clone() } else { " ".repeat(head.width()) };
            let mut spans = vec![Span::styled(lead, color)];
            spans.extend(line.spans.into_iter().map(|s| Span::styled(s.content, s.style.patch(color))));
            lines.push(Line::from(spans));
        }
    }
    if theme.fold && style == CalloutStyle::Collapsed {
        return (lines, Vec::new());
    }
    let (body_lines, mut headings) = blocks_lines(body, width.saturating_sub(2).max(12), theme, skin);
    let offset = lines.len();
    for h in &mut headings {
        h.line += offset;
    }
    let bar = if style == CalloutStyle::Tab { "┊ " } else { "│ " };
    for line in body_lines {
        let mut spans = vec![Span::styled(bar, color)];
        spans.extend(line.spans);
        lines.push(Line::from(spans));
    }
    (lines, headings)
}

/// Removes the link and mark sentinels, styling what they enclose, and
/// records where each link's text landed.
fn finish(lines: Vec<Line<'static>>, theme: &DocTheme, links: usize) -> (Vec<Line<'static>>, Vec<String>, Spots) {
    let mut spots: Spots = vec![Vec::new(); links];
    let mut seen = 0usize;
    let mut in_link: Option<usize> = None;
    let mut in_mark = false;
    let mut dim_left = 0usize;
    let mut out_lines = Vec::with_capacity(lines.len());
    let mut plain = Vec::with_capacity(lines.len());
    let is_sentinel = |c: char| matches!(c, LINK_START | LINK_END | MARK_START | MARK_END);
    for (row, line) in lines.into_iter().enumerate() {
        let has_sentinel = line.spans.iter().any(|s| s.content.contains(is_sentinel));
        if !has_sentinel && in_link.is_none() && !in_mark && dim_left == 0 {
            plain.push(line.spans.iter().map(|s| s.content.as_ref()).collect::<String>());
            out_lines.push(line);
            continue;
        }
        let mut col = 0usize;
        let mut spans: Vec<Span<'static>> = Vec::new();
        let mut text = String::new();
        let mut open_at: Option<usize> = in_link.map(|_| 0);
        let push = |spans: &mut Vec<Span<'static>>, c: char, style: Style| match spans.last_mut() {
            Some(last) if last.style == style => last.content.to_mut().push(c),
            _ => spans.push(Span::styled(c.to_string(), style)),
        };
        for span in &line.spans {
            for c in span.content.chars() {
                match c {
                    LINK_START => {
                        seen += 1;
                        in_link = Some(seen - 1);
                        open_at = Some(col);
                    }
                    LINK_END => {
                        if let (Some(k), Some(start)) = (in_link.take(), open_at.take())
                            && let Some(s) = spots.get_mut(k)
                        {
                            s.push((row, start as u16, col as u16));
                            dim_left = format!("[{}]", k + 1).chars().count();
                        }
                    }
                    MARK_START => in_mark = true,
                    MARK_END => in_mark = false,
                    _ => {
                        let mut style = span.style;
                        if in_link.is_some() {
                            style = style.patch(theme.link);
                        } else if dim_left > 0 {
                            dim_left -= 1;
                            style = style.patch(theme.dim);
                        }
                        if in_mark {
                            style = style.patch(theme.mark);
                        }
                        push(&mut spans, c, style);
                        text.push(c);
                        col += c.width().unwrap_or(0);
                    }
                }
            }
        }
        if let (Some(k), Some(start)) = (in_link, open_at)
            && let Some(s) = spots.get_mut(k)
            && col > start
        {
            s.push((row, start as u16, col as u16));
        }
        plain.push(text);
        out_lines.push(Line::from(spans));
    }
    (out_lines, plain, spots)
}

#[cfg(test)]
mod tests {
    use super::super::{DocTheme, render};

    fn text(source: &str, width: u16) -> Vec<String> {
        render(source, width, &DocTheme::mono()).plain
    }

    #[test]
    fn links_are_styled_numbered_and_located() {
        let page = render("# Title\n\nRead [the guide](guide.md) now.\n", 40, &DocTheme::default());
        assert_eq!(page.headings[0].text, "Title");
        assert_eq!(page.headings[0].anchor, "title");
        let line = page.plain.iter().position(|l| l.contains("the guide[1]")).unwrap();
        assert_eq!(page.links[0].target, "guide.md");
        let (row, start, end) = page.links[0].spots[0];
        assert_eq!(row, line);
        assert_eq!(&page.plain[row][start as usize..end as usize], "the guide");
        assert!(page.plain.iter().any(|l| l.contains("[1] guide.md")));
    }

    #[test]
    fn callouts_code_and_tables() {
        let lines = text(
            "!!! warning \"Careful\"\n    Hot *stuff*.\n\n```python\n    indented()\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
            40,
        );
        assert!(lines[0].contains("▲ Careful"), "{lines:?}");
        assert!(lines[1].starts_with("│ Hot stuff."), "{lines:?}");
        assert!(lines.iter().any(|l| l == " python "), "{lines:?}");
        assert!(lines.iter().any(|l| l == "      indented()"), "{lines:?}");
        assert!(!lines.iter().any(|l| l.contains("!!!") || l.contains("```")), "{lines:?}");
        let rows: Vec<&String> = lines.iter().filter(|l| l.contains('1') && l.contains('2')).collect();
        assert!(!rows.is_empty(), "{lines:?}");
    }

    #[test]
    fn closed_collapsible_blocks_show_only_their_title_when_folding() {
        let source = "??? tip \"Hidden\"\n    secret body\n\n???+ note \"Shown\"\n    open body\n    ??? bug \"Inner\"\n        inner body\n";
        let mut page = super::super::prepare(source);
        let folding = DocTheme { fold: true, ..DocTheme::mono() };
        let plain = |page: &super::super::Prepared, theme: &DocTheme| super::layout(page, 40, theme).plain.join("\n");
        let cli = plain(&page, &DocTheme::mono());
        assert!(cli.contains("secret body") && cli.contains("inner body"), "the CLI shows every block:\n{cli}");
        let shown = plain(&page, &folding);
        assert!(shown.contains("▸ ") && shown.contains("Hidden") && !shown.contains("secret body"), "{shown}");
        assert!(shown.contains("open body") && !shown.contains("inner body"), "{shown}");
        let rendered = super::layout(&page, 40, &folding);
        assert_eq!(rendered.fold_rows().len(), 3, "{:?}", rendered.plain);
        assert!(page.toggle_fold(0));
        assert!(plain(&page, &folding).contains("secret body"));
        assert!(page.toggle_fold(2), "the inner block, third on screen");
        assert!(plain(&page, &folding).contains("inner body"));
        assert!(!page.toggle_fold(3));
    }
}
