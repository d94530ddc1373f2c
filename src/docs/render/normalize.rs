//! Reshapes CommonMark into what termimad's parser (minimad) reads right:
//! nested list items at depth 0-3 spaces (minimad reads 4 spaces as code),
//! list continuation lines joined to their item, tables given their outer
//! pipes, paragraph indentation dropped and `>quote` given its space.

/// A list item's indentation, marker and text.
fn list_item(line: &str) -> Option<(usize, &str, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    for marker in ["- ", "* ", "+ "] {
        if let Some(text) = rest.strip_prefix(marker) {
            return Some((indent, &rest[..1], text));
        }
    }
    let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && digits < 10 {
        let after = &rest[digits..];
        if after.starts_with(". ") || after.starts_with(") ") {
            return Some((indent, &rest[..digits + 1], &after[2..]));
        }
    }
    None
}

/// A GFM table delimiter row (`| --- | :-: |` or `--- | ---`).
fn is_delimiter_row(line: &str) -> bool {
    let t = line.trim();
    t.contains('-')
        && t.contains(['|', ':'])
        && t.trim_matches('|').split('|').all(|cell| {
            let c = cell.trim();
            !c.is_empty() && c.trim_matches(':').chars().all(|ch| ch == '-')
        })
}

/// Whether minimad would read a table cell starting with `rest` as a list
/// item or a quote (it does, after a pipe followed by up to 3 spaces).
fn reads_as_block(rest: &str) -> bool {
    let t = rest.trim_start_matches(' ');
    if rest.len() - t.len() >= 4 {
        return false;
    }
    if ["* ", "- ", "+ "].iter().any(|m| t.starts_with(m)) || rest.starts_with("> ") {
        return true;
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && matches!(t.as_bytes().get(digits), Some(b'.' | b')'))
}

/// A table row with its outer pipes.
fn piped(line: &str) -> String {
    let t = line.trim();
    let mut out = String::with_capacity(t.len() + 4);
    if !t.starts_with('|') {
        out.push_str("| ");
    }
    out.push_str(t);
    if !t.ends_with('|') || t.ends_with("\\|") {
        out.push_str(" |");
    }
    out
}

/// A line minimad reads as a table row (any line starting with a pipe), every
/// cell kept plain text as GFM has it: a cell that would read as a list item
/// or quote gets four leading spaces (minimad then reads it as text and trims
/// them), because termimad cannot wrap such cells in narrow columns.
fn shield_cells(row: &str) -> String {
    let mut out = String::with_capacity(row.len() + 8);
    let mut escaped = false;
    for (i, c) in row.char_indices() {
        out.push(c);
        if c == '|' && !escaped && reads_as_block(&row[i + 1..]) {
            out.push_str("    ");
        }
        escaped = c == '\\' && !escaped;
    }
    out
}

/// What the last output line was.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    Blank,
    Paragraph,
    ListItem,
    Table,
    Code,
    Quote,
}

/// Whether a source line ends with a hard break (two spaces or `\\`).
fn hard_break(line: &str) -> bool {
    line.ends_with("  ") || (line.ends_with('\\') && !line.ends_with("\\\\"))
}

/// The Markdown of one block, reshaped for minimad.
pub fn for_termimad(md: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    // Indentation of open list levels.
    let mut levels: Vec<usize> = Vec::new();
    let mut last = Last::Blank;
    let mut broke = false;
    let lines: Vec<&str> = md.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let line = raw.trim_end();
        i += 1;
        let join = |out: &mut Vec<String>, text: &str| {
            if let Some(prev) = out.last_mut() {
                prev.push(' ');
                prev.push_str(text);
            }
        };
        if line.trim().is_empty() {
            last = if last == Last::Code { Last::Code } else { Last::Blank };
            out.push(String::new());
            continue;
        }
        let was_break = broke;
        broke = hard_break(raw);
        let line = line.trim_end_matches('\\');
        let starts_table = line.contains('|') && lines.get(i).is_some_and(|next| is_delimiter_row(next));
        if last == Last::Table || starts_table {
            last = Last::Table;
            out.push(piped(line));
            continue;
        }
        if let Some((indent, marker, text)) = list_item(line) {
            while levels.last().is_some_and(|&l| l > indent) {
                levels.pop();
            }
            if levels.last() != Some(&indent) {
                levels.push(indent);
            }
            let depth = match levels.len() {
                0 | 1 => 0,
                2 => 2,
                _ => 3,
            };
            out.push(format!("{}{marker} {}", " ".repeat(depth), text.trim_start()));
            last = Last::ListItem;
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent >= 4 && matches!(last, Last::Blank | Last::Code) && levels.is_empty() {
            // An indented code block: minimad reads it as code.
            out.push(line.to_string());
            last = Last::Code;
            continue;
        }
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix('>') {
            let rest = rest.strip_prefix(' ').unwrap_or(rest).trim();
            if rest.is_empty() {
                out.push(">".into());
            } else if last == Last::Quote && !was_break && out.last().is_some_and(|l| l != ">") {
                join(&mut out, rest);
            } else {
                out.push(format!("> {rest}"));
            }
            last = Last::Quote;
            continue;
        }
        match last {
            // Lazy continuation of a paragraph, list item or quote.
            Last::Paragraph | Last::ListItem | Last::Quote if !was_break => join(&mut out, t),
            Last::ListItem => out.push(format!("  {t}")),
            Last::Blank if !levels.is_empty() && indent >= 2 => out.push(format!("  {t}")),
            _ => {
                levels.clear();
                out.push(t.to_string());
                last = Last::Paragraph;
            }
        }
    }
    for line in out.iter_mut().filter(|l| l.starts_with('|')) {
        *line = shield_cells(line);
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_lists_fit_minimad_depths() {
        let md = "- customer\n    - first_name\n        - test\n    - email\n- person\n  continued\n\n1. one\n2. two";
        assert_eq!(
            for_termimad(md),
            "- customer\n  - first_name\n   - test\n  - email\n- person continued\n\n1. one\n2. two"
        );
    }

    #[test]
    fn tables_get_outer_pipes_and_code_stays() {
        assert_eq!(for_termimad("a | b\n--- | ---\n1 | 2"), "| a | b |\n| --- | --- |\n| 1 | 2 |");
        assert_eq!(for_termimad("text\n\n    code\n      more"), "text\n\n    code\n      more");
        assert_eq!(for_termimad(">quote\n  lazy\n\npara\nmore"), "> quote lazy\n\npara more");
    }

    #[test]
    fn table_cells_never_read_as_lists_or_quotes() {
        assert_eq!(
            for_termimad("a | b\n--- | ---\n- x |   12. y\n|> q | \\| - z |"),
            "| a | b |\n| --- | --- |\n|     - x |       12. y |\n|    > q | \\| - z |"
        );
    }
}
