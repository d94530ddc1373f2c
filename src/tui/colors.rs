//! What the terminal can show: whether the TUI may start at all (a
//! terminal on stdin and stdout, not `TERM=dumb`) and how many colours it
//! has. The depth comes from `NO_COLOR`, then the `colors:` setting, then
//! `COLORTERM`, `TERM` and the terminfo entry of `TERM`; [`backend`] draws
//! with no more colours than that.

pub mod backend;

use std::path::PathBuf;

pub use crate::config::ColorDepth;

/// Why the TUI cannot run here (one line for stderr), or `None`.
pub fn refusal(stdin_tty: bool, stdout_tty: bool, term: Option<&str>) -> Option<String> {
    if !stdin_tty || !stdout_tty {
        let which = if stdout_tty { "stdin" } else { "stdout" };
        return Some(format!(
            "the TUI needs a terminal and {which} is not one; use a command instead (`stagehand --help`), e.g. `stagehand search QUERY`"
        ));
    }
    if term == Some("dumb") {
        return Some(
            "TERM=dumb cannot show the TUI; use the CLI (`stagehand --help`), e.g. `stagehand list --json`".to_string(),
        );
    }
    None
}

/// The colour depth of this process's terminal, `colors:` overriding the
/// detection (and `NO_COLOR` overriding both).
pub fn depth(config: &crate::config::Config) -> ColorDepth {
    detect(config.colors, &|name| std::env::var(name).ok())
}

/// The colour depth to draw with. `configured` is the `colors:` setting;
/// `env` reads an environment variable.
pub fn detect(configured: Option<ColorDepth>, env: &dyn Fn(&str) -> Option<String>) -> ColorDepth {
    if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return ColorDepth::Mono;
    }
    if let Some(depth) = configured {
        return depth;
    }
    let colorterm = env("COLORTERM").unwrap_or_default().to_ascii_lowercase();
    if colorterm == "truecolor" || colorterm == "24bit" {
        return ColorDepth::TrueColor;
    }
    let term = env("TERM").unwrap_or_default();
    if let Some(depth) = from_term_name(&term) {
        return depth;
    }
    let dirs = terminfo_dirs(env);
    match terminfo_colors(&term, &dirs) {
        Some(n) if n >= 1 << 24 => ColorDepth::TrueColor,
        Some(n) if n >= 256 => ColorDepth::Ansi256,
        Some(n) if n >= 8 => ColorDepth::Ansi16,
        Some(_) => ColorDepth::Mono,
        // Unknown terminal: the 16 colours nearly every terminal has.
        None => ColorDepth::Ansi16,
    }
}

/// The depth the name of `TERM` itself says, when it says one.
fn from_term_name(term: &str) -> Option<ColorDepth> {
    let term = term.to_ascii_lowercase();
    if term == "dumb" || term.ends_with("-mono") || term.ends_with("-m") {
        Some(ColorDepth::Mono)
    } else if term.ends_with("-direct") || term.contains("truecolor") || term.contains("24bit") {
        Some(ColorDepth::TrueColor)
    } else if term.contains("256color") {
        Some(ColorDepth::Ansi256)
    } else if term.contains("16color") || term.contains("88color") {
        Some(ColorDepth::Ansi16)
    } else {
        None
    }
}

/// Where terminfo entries live, in ncurses' order.
fn terminfo_dirs(env: &dyn Fn(&str) -> Option<String>) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    dirs.extend(env("TERMINFO").map(PathBuf::from));
    dirs.extend(env("HOME").map(|h| PathBuf::from(h).join(".terminfo")));
    if let Some(list) = env("TERMINFO_DIRS") {
        dirs.extend(list.split(':').filter(|d| !d.is_empty()).map(PathBuf::from));
    }
    dirs.extend(["/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo", "/usr/lib/terminfo"].map(PathBuf::from));
    dirs
}

/// Largest terminfo file read (real entries are a few KiB).
const MAX_TERMINFO_BYTES: u64 = 64 * 1024;

/// `max_colors` of the compiled terminfo entry of `term`, when one exists.
fn terminfo_colors(term: &str, dirs: &[PathBuf]) -> Option<u32> {
    let first = term.chars().next()?;
    if term.contains('/') || term.contains("..") {
        return None;
    }
    for dir in dirs {
        for sub in [first.to_string(), format!("{:x}", first as u32)] {
            let path = dir.join(sub).join(term);
            let Ok(file) = std::fs::File::open(&path) else { continue };
            let mut bytes = Vec::new();
            use std::io::Read;
            if file.take(MAX_TERMINFO_BYTES).read_to_end(&mut bytes).is_ok() {
                return max_colors(&bytes);
            }
        }
    }
    None
}

/// Index of `max_colors` among terminfo's numeric capabilities.
const MAX_COLORS: usize = 13;

/// Reads `max_colors` from a compiled terminfo entry (legacy 16-bit or
/// ncurses' 32-bit number format); `None` when absent or malformed.
fn max_colors(bytes: &[u8]) -> Option<u32> {
    let word = |at: usize| -> Option<i16> { Some(i16::from_le_bytes([*bytes.get(at)?, *bytes.get(at + 1)?])) };
    let number_size = match word(0)? {
        0o432 => 2,
        0o1036 => 4,
        _ => return None,
    };
    let names = usize::try_from(word(2)?).ok()?;
    let bools = usize::try_from(word(4)?).ok()?;
    let numbers = usize::try_from(word(6)?).ok()?;
    if numbers <= MAX_COLORS {
        return None;
    }
    let mut at = 12 + names + bools;
    at += at % 2;
    at += MAX_COLORS * number_size;
    let value = if number_size == 2 {
        i32::from(word(at)?)
    } else {
        i32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?)
    };
    u32::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_environment_and_the_setting_pick_the_depth() {
        type Case<'a> = (&'a [(&'a str, &'a str)], Option<ColorDepth>, ColorDepth);
        let cases: &[Case<'_>] = &[
            (&[("NO_COLOR", "1"), ("COLORTERM", "truecolor")], Some(ColorDepth::TrueColor), ColorDepth::Mono),
            (&[("NO_COLOR", ""), ("TERM", "xterm-256color")], None, ColorDepth::Ansi256),
            (&[("TERM", "xterm-256color")], Some(ColorDepth::Ansi16), ColorDepth::Ansi16),
            (&[("COLORTERM", "24bit"), ("TERM", "xterm")], None, ColorDepth::TrueColor),
            (&[("TERM", "xterm-16color")], None, ColorDepth::Ansi16),
            (&[("TERM", "screen-256color")], None, ColorDepth::Ansi256),
            (&[("TERM", "xterm-direct")], None, ColorDepth::TrueColor),
            (&[("TERM", "vt100-mono")], None, ColorDepth::Mono),
            (&[("TERM", "no-such-terminal"), ("TERMINFO", "/nonexistent")], None, ColorDepth::Ansi16),
        ];
        for (vars, configured, expected) in cases {
            assert_eq!(detect(*configured, &env(vars)), *expected, "{vars:?} {configured:?}");
        }
    }

    /// A compiled entry: `numbers` numeric capabilities, `max_colors` set.
    fn entry(magic: i16, names: &[u8], bools: usize, colors: i32) -> Vec<u8> {
        let wide = magic == 0o1036;
        let mut out = Vec::new();
        for w in [magic, names.len() as i16, bools as i16, 15, 0, 0] {
            out.extend(w.to_le_bytes());
        }
        out.extend(names);
        out.extend(std::iter::repeat_n(1u8, bools));
        if out.len() % 2 == 1 {
            out.push(0);
        }
        for i in 0..15 {
            let v = if i == MAX_COLORS { colors } else { -1 };
            if wide { out.extend(v.to_le_bytes()) } else { out.extend((v as i16).to_le_bytes()) }
        }
        out
    }

    #[test]
    fn terminfo_entries_give_max_colors() {
        assert_eq!(max_colors(&entry(0o432, b"screen|GNU\0", 3, 8)), Some(8));
        assert_eq!(max_colors(&entry(0o432, b"xterm-x\0", 2, 256)), Some(256));
        assert_eq!(max_colors(&entry(0o1036, b"kitty-direct\0", 1, 1 << 24)), Some(1 << 24));
        assert_eq!(max_colors(&entry(0o432, b"vt\0", 0, -1)), None, "absent");
        assert_eq!(max_colors(b"not terminfo"), None);
        assert_eq!(max_colors(&entry(0o432, b"x\0", 0, 8)[..20]), None, "cut short");
    }

    #[test]
    fn terminfo_files_are_found_by_letter_or_hex_folder() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("s")).unwrap();
        std::fs::write(tmp.path().join("s/screen"), entry(0o432, b"screen\0", 3, 8)).unwrap();
        std::fs::create_dir_all(tmp.path().join("6b")).unwrap();
        std::fs::write(tmp.path().join("6b/kitty"), entry(0o1036, b"kitty\0", 1, 256)).unwrap();
        let dirs = [tmp.path().to_path_buf()];
        assert_eq!(terminfo_colors("screen", &dirs), Some(8));
        assert_eq!(terminfo_colors("kitty", &dirs), Some(256));
        assert_eq!(terminfo_colors("../s/screen", &dirs), None);
        let dir = tmp.path().display().to_string();
        let vars = env(&[("TERM", "screen"), ("TERMINFO", &dir)]);
        assert_eq!(detect(None, &vars), ColorDepth::Ansi16);
    }

    #[test]
    fn the_tui_refuses_without_a_terminal_or_on_a_dumb_one() {
        assert!(refusal(true, true, Some("xterm-256color")).is_none());
        assert!(refusal(false, true, None).unwrap().contains("stdin is not"));
        assert!(refusal(true, false, None).unwrap().contains("stdout is not"));
        let dumb = refusal(true, true, Some("dumb")).unwrap();
        assert!(dumb.contains("TERM=dumb") && dumb.contains("CLI"), "{dumb}");
        assert!(!dumb.contains('\n'));
    }
}
