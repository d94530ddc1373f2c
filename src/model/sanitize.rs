//! Terminal safety for untrusted text.
//!
//! Every string from a catalog, file or server passes through here before it
//! reaches the screen. Control characters (C0, DEL, C1) are replaced by
//! visible stand-ins, so an escape sequence such as `ESC ] 0 ; title BEL`
//! shows up as `␛]0;title␇` and can never drive the terminal. Every format
//! character (Unicode category Cf: bidi overrides and isolates, zero-width
//! characters, soft hyphens, deprecated format controls, tag characters,
//! interlinear annotations) and the line and paragraph separators (Zl, Zp)
//! are removed, so text reads as stored and takes the cells it seems to.

use std::borrow::Cow;

/// Whether a character may be printed as it is.
fn is_safe(c: char) -> bool {
    !(c.is_control() || is_invisible_format(c))
}

/// Unicode's format characters (general category Cf, Unicode 16), the
/// whole tag block (U+E0000-E007F, assigned or not) and the line and
/// paragraph separators (Zl, Zp).
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}' | '\u{0890}'..='\u{0891}'
        | '\u{08E2}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E007F}')
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
    fn every_format_and_separator_character_is_removed() {
        let hostile = "a\u{2028}b\u{2029}c\u{206A}\u{206F}d\u{E0001}\u{E0041}\u{E007F}e\u{FFF9}\u{FFFB}f\u{00AD}g\u{0600}\u{1D173}h";
        assert_eq!(line(hostile), "abcdefgh");
        assert_eq!(text(hostile), "abcdefgh");
        for c in ['\u{2028}', '\u{2029}', '\u{206A}', '\u{E0000}', '\u{E0020}', '\u{FFFA}', '\u{00AD}'] {
            assert!(!is_clean_char(c), "U+{:04X}", c as u32);
        }
        // Visible neighbours stay.
        assert!(is_clean("é ∑ \u{2027} \u{2030} \u{FFFC} \u{E0080}"));
    }

    #[test]
    fn text_keeps_layout_characters() {
        assert_eq!(text("a\n\tb\r"), "a\n\tb␍");
        assert_eq!(line("a\nb\tc"), "a b c");
        assert!(is_clean("ok") && !is_clean("\u{1b}"));
    }
}
