//! `e`: the command line that opens a file at a line in the user's editor
//! (`$VISUAL`, else `$EDITOR`, else `vi`). Most editors take `+LINE FILE`;
//! those that do not get their own form.

use std::path::Path;

use super::external::External;

/// The editor command line, as `$VISUAL`/`$EDITOR` say (words split on
/// whitespace, no shell), falling back to `vi`.
pub fn configured() -> Vec<String> {
    let var = ["VISUAL", "EDITOR"].iter().filter_map(|v| std::env::var(v).ok()).find(|v| !v.trim().is_empty());
    let words: Vec<String> = var.unwrap_or_else(|| "vi".into()).split_whitespace().map(String::from).collect();
    words
}

/// How an editor is told to open a file at a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `+LINE FILE` (vi, vim, nvim, emacs, nano, micro, kakoune, joe...).
    Plus,
    /// `--goto FILE:LINE` (VS Code and its forks).
    Goto,
    /// `FILE:LINE` (Sublime Text, Zed, Helix).
    Suffix,
    /// `--line LINE FILE` (JetBrains IDEs).
    LineFlag,
    /// `-l LINE FILE` (Kate).
    ShortLine,
}

fn form_of(program: &str) -> Form {
    let base = Path::new(program).file_name().and_then(|n| n.to_str()).unwrap_or(program);
    let base = base.strip_suffix(".exe").unwrap_or(base);
    match base {
        "code" | "code-insiders" | "codium" | "vscodium" | "cursor" | "windsurf" => Form::Goto,
        "subl" | "sublime_text" | "zed" | "zeditor" | "hx" | "helix" => Form::Suffix,
        "idea" | "idea.sh" | "goland" | "pycharm" | "webstorm" | "clion" | "rustrover" | "phpstorm" | "rubymine" => {
            Form::LineFlag
        }
        "kate" => Form::ShortLine,
        _ => Form::Plus,
    }
}

/// The command that opens `file` at `line` with `editor` (its words);
/// the source named `resync` is re-read once it exits.
pub fn open_at(editor: &[String], file: &str, line: u32, resync: Option<String>) -> External {
    let program = editor.first().cloned().unwrap_or_else(|| "vi".into());
    let mut args: Vec<String> = editor.iter().skip(1).cloned().collect();
    let line = line.max(1);
    match form_of(&program) {
        Form::Plus => args.extend([format!("+{line}"), file.to_string()]),
        Form::Goto => args.extend(["--goto".to_string(), format!("{file}:{line}")]),
        Form::Suffix => args.push(format!("{file}:{line}")),
        Form::LineFlag => args.extend(["--line".to_string(), line.to_string(), file.to_string()]),
        Form::ShortLine => args.extend(["-l".to_string(), line.to_string(), file.to_string()]),
    }
    External { program, args, label: "editor".into(), resync }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(editor: &str) -> Vec<String> {
        let words: Vec<String> = editor.split_whitespace().map(String::from).collect();
        let e = open_at(&words, "/c/catalog-info.yaml", 12, None);
        std::iter::once(e.program).chain(e.args).collect()
    }

    #[test]
    fn each_editor_gets_its_own_form_of_file_and_line() {
        assert_eq!(args("nvim"), ["nvim", "+12", "/c/catalog-info.yaml"]);
        assert_eq!(args("emacsclient -t"), ["emacsclient", "-t", "+12", "/c/catalog-info.yaml"]);
        assert_eq!(args("/usr/bin/code --wait"), ["/usr/bin/code", "--wait", "--goto", "/c/catalog-info.yaml:12"]);
        assert_eq!(args("subl -w"), ["subl", "-w", "/c/catalog-info.yaml:12"]);
        assert_eq!(args("hx"), ["hx", "/c/catalog-info.yaml:12"]);
        assert_eq!(args("idea"), ["idea", "--line", "12", "/c/catalog-info.yaml"]);
        assert_eq!(args("kate"), ["kate", "-l", "12", "/c/catalog-info.yaml"]);
    }
}
