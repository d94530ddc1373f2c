//! Syntax highlighting of code: docs code blocks, and the YAML and API
//! tabs of entity pages. syntect with two-face's syntax set (bat's), on
//! pure-Rust regexes. The colours are not syntect's: scopes are sorted into
//! a few [`Category`]s and each category takes a style from a
//! [`SyntaxStyles`], which the TUI builds from its theme's slots; a mono
//! theme highlights nothing.
//!
//! Work is bounded: [`Lazy`] highlights lines only as far as they are
//! shown, and keeps them; lines longer than [`MAX_LINE_BYTES`] (minified
//! JSON) stay plain, and so does everything after one.

use std::sync::OnceLock;

use ratatui::style::Style;
use syntect::easy::HighlightLines;
use syntect::highlighting::{Color, ScopeSelectors, StyleModifier, Theme, ThemeItem, ThemeSettings};
use syntect::parsing::{SyntaxReference, SyntaxSet};

/// Lines longer than this are not highlighted (nor anything after them).
pub const MAX_LINE_BYTES: usize = 4096;

/// What a piece of code is, as far as colour goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Anything else (punctuation, plain text).
    Plain,
    /// Comments.
    Comment,
    /// String literals.
    String,
    /// Numbers, `true`, `null`, other constants.
    Constant,
    /// Keywords and storage words (`message`, `type`, `query`).
    Keyword,
    /// Mapping keys (YAML, JSON) and tags.
    Key,
    /// Type, class and function names.
    Name,
}

/// Scopes of each category, most specific wins (syntect's rules).
const SCOPES: [(Category, &str); 6] = [
    (Category::Comment, "comment, punctuation.definition.comment"),
    (Category::String, "string, constant.character.escape"),
    (Category::Constant, "constant.numeric, constant.language, constant.other, constant.character"),
    (Category::Keyword, "keyword, storage, variable.language"),
    (
        Category::Key,
        "entity.name.tag, support.type.property-name, meta.mapping.key string, entity.other.attribute-name",
    ),
    (Category::Name, "entity.name, support.type, support.class, support.function"),
];

/// The style of each [`Category`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyntaxStyles {
    /// Comments.
    pub comment: Style,
    /// String literals.
    pub string: Style,
    /// Numbers and other constants.
    pub constant: Style,
    /// Keywords.
    pub keyword: Style,
    /// Mapping keys.
    pub key: Style,
    /// Type and function names.
    pub name: Style,
}

impl SyntaxStyles {
    /// The style of `category` (plain text is unstyled).
    pub fn of(&self, category: Category) -> Style {
        match category {
            Category::Plain => Style::new(),
            Category::Comment => self.comment,
            Category::String => self.string,
            Category::Constant => self.constant,
            Category::Keyword => self.keyword,
            Category::Key => self.key,
            Category::Name => self.name,
        }
    }
}

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// A syntect theme whose foreground colours are category numbers.
fn category_theme() -> &'static Theme {
    static THEME: OnceLock<Theme> = OnceLock::new();
    THEME.get_or_init(|| {
        let marker = |c: Category| Color { r: c as u8, g: 0, b: 0, a: 0xff };
        let scopes = SCOPES
            .iter()
            .filter_map(|(category, selectors)| {
                let scope = selectors.parse::<ScopeSelectors>().ok()?;
                let style = StyleModifier { foreground: Some(marker(*category)), background: None, font_style: None };
                Some(ThemeItem { scope, style })
            })
            .collect();
        let settings = ThemeSettings { foreground: Some(marker(Category::Plain)), ..ThemeSettings::default() };
        Theme { name: Some("stagehand categories".into()), author: None, settings, scopes }
    })
}

fn category_of(color: Color) -> Category {
    [Category::Comment, Category::String, Category::Constant, Category::Keyword, Category::Key, Category::Name]
        .into_iter()
        .find(|c| *c as u8 == color.r)
        .unwrap_or(Category::Plain)
}

/// The syntax for a language name or file extension (`yaml`, `py`,
/// `graphql`, `proto`, `json`...), if two-face knows it.
pub fn syntax_for(lang: &str) -> Option<&'static SyntaxReference> {
    let lang = lang.trim().trim_start_matches('.').to_ascii_lowercase();
    if lang.is_empty() {
        return None;
    }
    let set = syntaxes();
    let alias = match lang.as_str() {
        "yml" => "yaml",
        "sh" | "shell" | "console" => "bash",
        "grpc" | "protobuf" => "proto",
        "gql" => "graphql",
        "jsonc" | "json5" => "json",
        other => other,
    };
    set.find_syntax_by_token(alias).or_else(|| set.find_syntax_by_name(&lang))
}

/// One highlighted line: (category, text) pieces covering it.
pub type Pieces = Vec<(Category, String)>;

/// Highlights lines in order, as far as asked, keeping what it did.
pub struct Lazy {
    lines: Vec<String>,
    done: Vec<Pieces>,
    state: Option<HighlightLines<'static>>,
}

impl std::fmt::Debug for Lazy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Lazy({} of {} lines)", self.done.len(), self.lines.len())
    }
}

impl Lazy {
    /// A highlighter for `lines` in `lang`; `None` for an unknown language.
    pub fn new(lang: &str, lines: Vec<String>) -> Option<Lazy> {
        let syntax = syntax_for(lang)?;
        Some(Lazy { lines, done: Vec::new(), state: Some(HighlightLines::new(syntax, category_theme())) })
    }

    /// Highlights up to line `n` (exclusive) if not done yet.
    pub fn ensure(&mut self, n: usize) {
        let n = n.min(self.lines.len());
        while self.done.len() < n {
            let line = &self.lines[self.done.len()];
            let pieces = match self.state.as_mut() {
                Some(state) if line.len() <= MAX_LINE_BYTES => {
                    let with_newline = format!("{line}\n");
                    match state.highlight_line(&with_newline, syntaxes()) {
                        Ok(ranges) => ranges
                            .into_iter()
                            .map(|(style, text)| {
                                (category_of(style.foreground), text.trim_end_matches('\n').to_string())
                            })
                            .filter(|(_, text)| !text.is_empty())
                            .collect(),
                        Err(_) => {
                            self.state = None;
                            vec![(Category::Plain, line.clone())]
                        }
                    }
                }
                _ => {
                    self.state = None;
                    vec![(Category::Plain, line.clone())]
                }
            };
            self.done.push(pieces);
        }
    }

    /// Line `i`, highlighted if [`Lazy::ensure`] reached it.
    pub fn line(&self, i: usize) -> Option<&Pieces> {
        self.done.get(i)
    }

    /// How many lines are highlighted so far.
    pub fn highlighted(&self) -> usize {
        self.done.len()
    }

    /// How many lines it holds.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether it holds no lines.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// Every line of `lines` in `lang`, highlighted; `None` for an unknown
/// language.
pub fn highlight(lang: &str, lines: &[String]) -> Option<Vec<Pieces>> {
    let mut lazy = Lazy::new(lang, lines.to_vec())?;
    lazy.ensure(lines.len());
    Some(lazy.done)
}

/// Styles each character of `piece` (a wrapped part of a line, possibly
/// with `indent` extra leading columns) as the character it came from in
/// `pieces` (the whole line), starting at `*cursor` there.
pub fn restyle(
    pieces: &Pieces,
    piece: &str,
    indent: usize,
    cursor: &mut usize,
    styles: &SyntaxStyles,
) -> Vec<(Style, String)> {
    let source: Vec<(Category, char)> = pieces.iter().flat_map(|(c, t)| t.chars().map(move |ch| (*c, ch))).collect();
    let mut out: Vec<(Style, String)> = Vec::new();
    let mut push = |style: Style, ch: char| match out.last_mut() {
        Some((s, text)) if *s == style => text.push(ch),
        _ => out.push((style, ch.to_string())),
    };
    for (n, ch) in piece.chars().enumerate() {
        if n < indent {
            push(Style::new(), ch);
            continue;
        }
        let found = source[(*cursor).min(source.len())..].iter().position(|(_, c)| *c == ch);
        match found {
            Some(skip) => {
                *cursor += skip;
                push(styles.of(source[*cursor].0), ch);
                *cursor += 1;
            }
            None => push(Style::new(), ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn categories(lang: &str, text: &str) -> Vec<Pieces> {
        let lines: Vec<String> = text.lines().map(String::from).collect();
        highlight(lang, &lines).unwrap()
    }

    fn category_of_word(lines: &[Pieces], word: &str) -> Category {
        lines
            .iter()
            .flatten()
            .find(|(_, t)| t.contains(word))
            .map(|(c, _)| *c)
            .unwrap_or_else(|| panic!("{word}: {lines:?}"))
    }

    #[test]
    fn yaml_keys_strings_numbers_and_comments_get_their_categories() {
        let lines = categories("yaml", "# owner below\nmetadata:\n  name: 'svc'\n  replicas: 3\n  enabled: true\n");
        assert_eq!(category_of_word(&lines, "owner below"), Category::Comment);
        assert_eq!(category_of_word(&lines, "metadata"), Category::Key);
        assert_eq!(category_of_word(&lines, "svc"), Category::String);
        assert_eq!(category_of_word(&lines, "3"), Category::Constant);
        assert_eq!(category_of_word(&lines, "true"), Category::Constant);
        let text: String = lines[2].iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(text, "  name: 'svc'", "pieces cover the line exactly");
    }

    #[test]
    fn api_languages_are_known_and_unknown_ones_are_not() {
        for lang in ["yaml", "yml", "json", "graphql", "proto", "grpc", "python", "rust", "sh", "ts"] {
            assert!(syntax_for(lang).is_some(), "{lang}");
        }
        assert!(syntax_for("no-such-language").is_none());
        assert!(syntax_for("").is_none());
        let proto = categories("proto", "message Pet {\n  string name = 1;\n}\n");
        assert_eq!(category_of_word(&proto, "message"), Category::Keyword);
    }

    #[test]
    fn lazy_highlighting_goes_only_as_far_as_asked_and_long_lines_stay_plain() {
        let mut lines: Vec<String> = (0..1000).map(|i| format!("k{i}: v")).collect();
        lines[5] = format!("big: \"{}\"", "x".repeat(MAX_LINE_BYTES));
        let mut lazy = Lazy::new("yaml", lines).unwrap();
        lazy.ensure(3);
        assert!(lazy.line(2).is_some() && lazy.line(3).is_none());
        lazy.ensure(10);
        assert_eq!(lazy.line(5).unwrap()[0].0, Category::Plain);
        assert_eq!(lazy.line(9).unwrap().len(), 1, "after a long line everything stays plain");
    }

    #[test]
    fn restyling_follows_wrapped_pieces_back_to_their_characters() {
        let styles = SyntaxStyles { key: Style::new().fg(ratatui::style::Color::Cyan), ..SyntaxStyles::default() };
        let line = &categories("yaml", "description: a b")[0];
        let mut cursor = 0;
        let first = restyle(line, "description: a", 0, &mut cursor, &styles);
        assert_eq!(first[0], (styles.key, "description".to_string()));
        let second = restyle(line, "  b", 2, &mut cursor, &styles);
        let text: String = second.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(text, "  b");
    }
}
