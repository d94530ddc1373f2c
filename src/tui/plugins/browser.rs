//! `$BROWSER`: whether it is a terminal browser (run in the foreground
//! with the terminal) or a graphical one (started in the background).

use std::path::Path;

use super::external::External;

/// Terminal browsers known without configuration.
pub const TERMINAL_BROWSERS: [&str; 7] = ["w3m", "lynx", "links", "links2", "elinks", "browsh", "carbonyl"];

/// The browser command line from `$BROWSER` (words split on whitespace).
pub fn configured() -> Option<Vec<String>> {
    let value = std::env::var("BROWSER").ok()?;
    let words: Vec<String> = value.split_whitespace().map(String::from).collect();
    (!words.is_empty()).then_some(words)
}

/// Whether `program` is a terminal browser: a known one or one listed in
/// config `terminal_browsers`.
pub fn is_terminal(program: &str, extra: &[String]) -> bool {
    let base = Path::new(program).file_name().and_then(|n| n.to_str()).unwrap_or(program);
    TERMINAL_BROWSERS.contains(&base) || extra.iter().any(|e| e == base || e == program)
}

/// Refuses what is not a web link (file:, javascript:, ...).
pub fn check_url(url: &str) -> Result<(), String> {
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(())
    } else {
        Err(format!("not opening `{}`: only http(s) links are opened", crate::model::sanitize::line(url)))
    }
}

/// The command that opens `url` with `browser` (its words).
pub fn open(browser: &[String], url: &str) -> External {
    let program = browser.first().cloned().unwrap_or_default();
    let mut args: Vec<String> = browser.iter().skip(1).cloned().collect();
    args.push(url.to_string());
    External { program, args, label: "browser".into(), resync: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_browsers_are_known_or_configured() {
        assert!(is_terminal("/usr/bin/w3m", &[]));
        assert!(is_terminal("lynx", &[]));
        assert!(!is_terminal("firefox", &[]));
        assert!(is_terminal("/opt/bin/mybrowser", &["mybrowser".into()]));
    }

    #[test]
    fn only_web_links_open() {
        assert!(check_url("file:///etc/passwd").is_err());
        assert!(check_url("javascript:alert(1)").is_err());
        assert!(check_url("https://x.example/").is_ok());
        let e = open(&["w3m".into(), "-no-mouse".into()], "https://x/");
        assert_eq!(e.args, ["-no-mouse", "https://x/"]);
    }
}
