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

/// The Markdown of one block, reshaped for minimad.
pub fn for_termimad(md: &str) -> String {
    let lines: Vec<&str> = md.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    // Indentation of open list levels.
    let mut levels: Vec<usize> = Vec::new();
    let mut in_list = false;
    let mut in_table = false;
    let mut blank_before = true;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_end();
        i += 1;
        if line.trim().is_empty() {
            in_table = false;
            blank_before = true;
            out.push(String::new());
            continue;
        }
        let starts_table = line.contains('|') && lines.get(i).is_some_and(|next| is_delimiter_row(next));
        if in_table || starts_table {
            in_table = true;
            in_list = false;
            levels.clear();
            out.push(piped(line));
            blank_before = false;
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
            in_list = true;
            blank_before = false;
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if in_list && indent >= 2 {
            if !blank_before && let Some(last) = out.last_mut() {
                last.push(' ');
                last.push_str(line.trim());
            } else {
                out.push(line.trim().to_string());
            }
            blank_before = false;
            continue;
        }
        if indent >= 4 && blank_before_or_code(&out) {
            // An indented code block: minimad reads it as code.
            in_list = false;
            levels.clear();
            out.push(line.to_string());
            blank_before = false;
            continue;
        }
        in_list = false;
        levels.clear();
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix('>')
            && !rest.starts_with(' ')
            && !rest.is_empty()
        {
            out.push(format!("> {rest}"));
        } else {
            out.push(t.to_string());
        }
        blank_before = false;
    }
    out.join("\n")
}

fn blank_before_or_code(out: &[String]) -> bool {
    out.last().is_none_or(|l| l.is_empty() || l.starts_with("    "))
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
        assert_eq!(for_termimad(">quote\n  indented para"), "> quote\nindented para");
    }
}
