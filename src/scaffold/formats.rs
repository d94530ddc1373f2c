//! JSON-schema `format`s the web form's widgets produce and its validator
//! (ajv-formats) checks: `time` and the time of `date-time` with real
//! ranges, and `data-url`, which the file widget makes from a file
//! (`data:<mime>;name=<file>;base64,<bytes>`): here from a typed path.

use std::path::Path;

use base64::Engine as _;

/// Largest file a `data-url` field reads.
pub const MAX_FILE_BYTES: u64 = 10 << 20;

/// Whether `text` is a time: `HH:MM:SS`, optional fraction, optional zone
/// (`Z` or `±HH:MM`), hours 0-23, minutes 0-59, seconds 0-59 (60 only at
/// 23:59, a leap second).
pub fn is_time(text: &str) -> bool {
    let Ok(re) = regex::Regex::new(r"^(\d{2}):(\d{2}):(\d{2})(\.\d+)?([zZ]|[+-](\d{2}):?(\d{2}))?$") else {
        return false;
    };
    let Some(c) = re.captures(text) else { return false };
    let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let (Some(h), Some(m), Some(s)) = (num(1), num(2), num(3)) else { return false };
    let zone_ok = c.get(6).is_none() || num(6).is_some_and(|zh| zh <= 23) && num(7).is_some_and(|zm| zm <= 59);
    let leap = h == 23 && m == 59 && s == 60;
    zone_ok && h <= 23 && m <= 59 && (s <= 59 || leap)
}

/// What the web form's time widget stores for a typed time: `HH:MM`
/// gains `:00` (the browser's time input gives minutes, rjsf adds seconds).
pub fn normalize_time(text: &str) -> String {
    let t = text.trim();
    let b = t.as_bytes();
    if b.len() == 5 && b[2] == b':' && b.iter().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit()) {
        format!("{t}:00")
    } else {
        t.to_string()
    }
}

/// Whether `text` is a `data:` URL (`data:[<mime>][;param...],<data>`).
pub fn is_data_url(text: &str) -> bool {
    regex::Regex::new(r"^data:([a-zA-Z0-9!#$&^_.+-]+/[a-zA-Z0-9!#$&^_.+-]+)?(;[^,;]+)*,")
        .is_ok_and(|r| r.is_match(text))
}

/// The MIME type the browser would give a file, from its extension.
fn mime_of(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "md" | "markdown" => "text/markdown",
        "txt" | "text" => "text/plain",
        "json" => "application/json",
        "yaml" | "yml" => "application/yaml",
        "html" | "htm" => "text/html",
        "csv" => "text/csv",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Reads the file at `path` into a data URL as the web form's file widget
/// makes it: `data:<mime>;name=<file name>;base64,<contents>`.
pub fn data_url_from_file(path: &Path) -> Result<String, String> {
    let fail = |e: &dyn std::fmt::Display| format!("cannot read {}: {e}", path.display());
    let meta = std::fs::metadata(path).map_err(|e| fail(&e))?;
    if !meta.is_file() {
        return Err(fail(&"not a file"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(&format!("larger than {} MiB", MAX_FILE_BYTES >> 20)));
    }
    let bytes = std::fs::read(path).map_err(|e| fail(&e))?;
    let name: String = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| if matches!(c, ';' | ',' | '%') || c.is_control() { '_' } else { c })
        .collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    Ok(format!("data:{};name={name};base64,{encoded}", mime_of(path)))
}

/// A data URL in words: `README.md (text/markdown, 2 bytes)`.
pub fn describe_data_url(text: &str) -> Option<String> {
    let (head, data) = text.strip_prefix("data:")?.split_once(',')?;
    let mut params = head.split(';');
    let mime = params.next().filter(|m| !m.is_empty()).unwrap_or("text/plain");
    let mut name = None;
    let mut base64 = false;
    for p in params {
        match p.split_once('=') {
            Some(("name", n)) => name = Some(n),
            None if p == "base64" => base64 = true,
            _ => {}
        }
    }
    let bytes = if base64 { data.trim_end_matches('=').len() * 3 / 4 } else { data.len() };
    Some(format!("{} ({mime}, {bytes} bytes)", name.unwrap_or("file")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_have_real_ranges() {
        for ok in ["00:00:00", "23:59:59", "12:30:00Z", "12:30:00.5+02:00", "23:59:60", "08:15:00-05:30"] {
            assert!(is_time(ok), "{ok}");
        }
        for bad in ["25:61", "25:00:00", "12:61:00", "12:00:61", "12:00", "noon", "12:00:00+25:00", "1:00:00"] {
            assert!(!is_time(bad), "{bad}");
        }
    }

    #[test]
    fn a_typed_hour_and_minute_gains_seconds() {
        assert_eq!(normalize_time(" 14:30 "), "14:30:00");
        assert_eq!(normalize_time("14:30:05"), "14:30:05");
        assert_eq!(normalize_time("ab:cd"), "ab:cd");
    }

    #[test]
    fn data_urls_are_recognised_and_made_from_files() {
        assert!(is_data_url("data:text/plain;name=a.txt;base64,aGk="));
        assert!(is_data_url("data:,hello"));
        assert!(!is_data_url("./README.md"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("README.md");
        std::fs::write(&path, "hi").unwrap();
        let url = data_url_from_file(&path).unwrap();
        assert_eq!(url, "data:text/markdown;name=README.md;base64,aGk=");
        assert!(is_data_url(&url));
        assert_eq!(describe_data_url(&url).as_deref(), Some("README.md (text/markdown, 2 bytes)"));
        assert_eq!(describe_data_url("./x"), None);
        assert!(data_url_from_file(&dir.path().join("missing")).unwrap_err().contains("missing"));
        assert!(data_url_from_file(dir.path()).unwrap_err().contains("not a file"));
    }
}
