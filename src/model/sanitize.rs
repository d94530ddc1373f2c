//! Terminal safety for untrusted text.
//!
//! Every string from a catalog, file or server passes through here before it
//! reaches the screen. Control characters (C0, DEL, C1) are replaced by
//! visible stand-ins, so an escape sequence such as `ESC ] 0 ; title BEL`
//! shows up as `␛]0;title␇` and can never drive the terminal. Bidirectional
//! overrides and zero-width characters are removed so text reads as stored.

use std::borrow::Cow;

/// Whether a character may be printed as it is.
fn is_safe(c: char) -> bool {
    !(c.is_control() || is_invisible_format(c))
}

/// Bidi embeddings/overrides/isolates and zero-width characters.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}'
        | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{061C}' | '\u{180E}')
}

/// The visible stand-in for a control character.
fn visible(c: char, out: &mut String) {
    match c {
        '\u{0}'..='\u{1F}' => {
            out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'));
        }
        '\u{7F}' => out.push('\u{2421}'),
        // C1 controls (8-bit CSI, OSC, ...): shown as their code.
        _ => out.push_str(&format!("<U+{:04X}>", c as u32)),
    }
}

fn clean(text: &str, keep: impl Fn(char) -> Option<char>) -> Cow<'_, str> {
    if text.chars().all(is_safe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_safe(c) {
            out.push(c);
        } else if let Some(k) = keep(c) {
            out.push(k);
        } else if !is_invisible_format(c) {
            visible(c, &mut out);
        }
    }
    Cow::Owned(out)
}

/// Sanitizes text laid out on several lines: newlines and tabs are kept
/// (tabs become spaces only where a view expands them); every other control
/// is made visible.
pub fn text(text: &str) -> Cow<'_, str> {
    clean(text, |c| matches!(c, '\n' | '\t').then_some(c))
}

/// Sanitizes text shown on one line: newlines and tabs become spaces.
pub fn line(text: &str) -> Cow<'_, str> {
    clean(text, |c| matches!(c, '\n' | '\t' | '\r').then_some(' '))
}

/// Whether a character may be printed as it is.
pub fn is_clean_char(c: char) -> bool {
    is_safe(c)
}

/// Whether a string needs no change to be shown.
pub fn is_clean(text: &str) -> bool {
    text.chars().all(is_safe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(line("petstore — Pet Store ✓"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_become_visible() {
        let osc_title = "a\u{1b}]0;pwned\u{7}b";
        assert_eq!(line(osc_title), "a␛]0;pwned␇b");
        let osc52 = "\u{1b}]52;c;ZXZpbA==\u{1b}\\";
        assert!(!line(osc52).contains('\u{1b}'));
        let c1_csi = "x\u{9b}31mred";
        assert_eq!(line(c1_csi), "x<U+009B>31mred");
        assert_eq!(line("\u{7f}"), "␡");
    }

    #[test]
    fn bidi_and_zero_width_are_removed() {
        assert_eq!(line("abc\u{202E}fed\u{2066}x\u{200B}y\u{FEFF}"), "abcfedxy");
    }

    #[test]
    fn text_keeps_layout_characters() {
        assert_eq!(text("a\n\tb\r"), "a\n\tb␍");
        assert_eq!(line("a\nb\tc"), "a b c");
        assert!(is_clean("ok") && !is_clean("\u{1b}"));
    }
}
