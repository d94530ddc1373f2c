//! `*` as nunjucks has it: numbers only.
//!
//! minijinja's `*` also repeats sequences and strings (`1111111 * [s]`),
//! and a repeated sequence joined with `~` becomes a string of gigabytes
//! in a single VM instruction, so the fuel budget never stops it (the
//! fuzzer's `template_expr` timeout). Backstage evaluates templates with
//! nunjucks, where `*` is JavaScript's numeric multiplication, so no
//! Backstage template repeats anything with it. Every `a * b` of an
//! expression is rewritten to `__stagehand_mul(a, b)`, a function that
//! multiplies numbers and refuses anything else.

use minijinja::value::{Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind};

/// The function `*` is rewritten to.
pub const FUNCTION: &str = "__stagehand_mul";

/// Registers [`FUNCTION`].
pub fn register(env: &mut Environment<'static>) {
    env.add_function(FUNCTION, multiply);
}

/// Multiplies two numbers; anything else is an error.
fn multiply(a: Value, b: Value) -> Result<Value, Error> {
    if a.kind() != ValueKind::Number || b.kind() != ValueKind::Number {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "`*` multiplies numbers, as in Backstage, not a {} by a {}: repeating a sequence or string \
                 could make the expression result too large",
                a.kind(),
                b.kind()
            ),
        ));
    }
    if let (Some(x), Some(y)) = (a.as_i64().filter(|_| a.is_integer()), b.as_i64().filter(|_| b.is_integer()))
        && let Some(product) = x.checked_mul(y)
    {
        return Ok(Value::from(product));
    }
    let float = |v: Value| f64::try_from(v).unwrap_or(f64::NAN);
    Ok(Value::from(float(a) * float(b)))
}

/// What a token of an expression is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Name,
    Number,
    Str,
    Open,
    Close,
    Op,
}

/// One token: its kind and byte span.
#[derive(Debug, Clone, Copy)]
pub(super) struct Token {
    pub(super) kind: Kind,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// Names that end an operand (`x in [1] * 2`: `[1]` is a literal, not a subscript).
const KEYWORDS: [&str; 7] = ["in", "and", "or", "not", "if", "else", "is"];

/// Most `*` in one expression: each becomes a nested call, and the
/// engine walks nested calls recursively.
pub const MAX_PRODUCTS: usize = 32;

/// Operators that bind as tightly as `*` (left-associative) or tighter.
const SAME_OR_TIGHTER: [&str; 5] = ["*", "/", "//", "%", "**"];

/// Splits an expression into tokens (string literals whole).
pub(super) fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let kind = if b.is_ascii_whitespace() {
            i += 1;
            continue;
        } else if b == b'"' || b == b'\'' {
            i += 1;
            while i < bytes.len() && bytes[i] != b {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(bytes.len());
            Kind::Str
        } else if b.is_ascii_digit() {
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric()
                    || bytes[i] == b'_'
                    || (bytes[i] == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)))
            {
                i += 1;
            }
            Kind::Number
        } else if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] >= 0x80) {
                i += 1;
            }
            Kind::Name
        } else if matches!(b, b'(' | b'[' | b'{') {
            i += 1;
            Kind::Open
        } else if matches!(b, b')' | b']' | b'}') {
            i += 1;
            Kind::Close
        } else {
            let two = bytes.get(i..i + 2).unwrap_or_default();
            i += if matches!(two, b"**" | b"//" | b"==" | b"!=" | b"<=" | b">=") { 2 } else { 1 };
            Kind::Op
        };
        out.push(Token { kind, start, end: i });
    }
    out
}

/// Reads operands of `*` over the tokens of one expression.
struct Scanner<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    /// The index of each bracket's partner.
    partner: Vec<Option<usize>>,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Scanner<'a> {
        let tokens = tokenize(text);
        let mut partner = vec![None; tokens.len()];
        let mut stack = Vec::new();
        for (i, t) in tokens.iter().enumerate() {
            match t.kind {
                Kind::Open => stack.push(i),
                Kind::Close => {
                    if let Some(open) = stack.pop() {
                        partner[open] = Some(i);
                        partner[i] = Some(open);
                    }
                }
                _ => {}
            }
        }
        Scanner { text, tokens, partner }
    }

    fn text_of(&self, i: usize) -> &str {
        self.tokens.get(i).map_or("", |t| &self.text[t.start..t.end])
    }

    fn kind(&self, i: usize) -> Option<Kind> {
        self.tokens.get(i).map(|t| t.kind)
    }

    fn is_op(&self, i: usize, ops: &[&str]) -> bool {
        self.kind(i) == Some(Kind::Op) && ops.contains(&self.text_of(i))
    }

    fn is_name(&self, i: usize) -> bool {
        self.kind(i) == Some(Kind::Name) && !KEYWORDS.contains(&self.text_of(i))
    }

    /// Whether token `i` can end an operand.
    fn ends_operand(&self, i: usize) -> bool {
        self.is_name(i) || matches!(self.kind(i), Some(Kind::Number | Kind::Str | Kind::Close))
    }

    /// The last token of the primary starting at `i`.
    fn primary_end(&self, i: usize) -> Option<usize> {
        match self.kind(i)? {
            Kind::Open => self.partner[i],
            Kind::Str => {
                let mut end = i;
                while self.kind(end + 1) == Some(Kind::Str) {
                    end += 1;
                }
                Some(end)
            }
            Kind::Number => Some(i),
            Kind::Name if self.is_name(i) => Some(i),
            _ => None,
        }
    }

    /// The last token of the right operand of `*` starting at `i`.
    fn right_end(&self, mut i: usize) -> Option<usize> {
        while self.is_op(i, &["-", "+"]) {
            i += 1;
        }
        let mut end = self.primary_end(i)?;
        loop {
            let next = end + 1;
            if self.is_op(next, &["."]) && matches!(self.kind(next + 1), Some(Kind::Name | Kind::Number)) {
                end = next + 1;
            } else if self.kind(next) == Some(Kind::Open) && matches!(self.text_of(next), "(" | "[") {
                end = self.partner[next]?;
            } else if self.is_op(next, &["|"]) || self.text_of(next) == "is" {
                end = next + if self.text_of(next + 1) == "not" { 2 } else { 1 };
                if self.kind(end) != Some(Kind::Name) {
                    return None;
                }
                if self.text_of(end + 1) == "(" {
                    end = self.partner[end + 1]?;
                }
            } else if self.is_op(next, &["**"]) {
                end = self.right_end(next + 1)?;
            } else {
                return Some(end);
            }
        }
    }

    /// The first token of the left operand of `*` ending at `j`
    /// (`a / b * c` reads as `(a / b) * c`, `-a * b` as `(-a) * b`).
    fn left_start(&self, j: usize) -> Option<usize> {
        let mut s = self.element_start(j)?;
        while s > 0 {
            let p = s - 1;
            let current = self.kind(s);
            let name_or_number = matches!(current, Some(Kind::Name | Kind::Number));
            s = if current == Some(Kind::Open) && matches!(self.text_of(s), "(" | "[") && self.ends_operand(p) {
                // a call or subscript
                self.element_start(p)?
            } else if name_or_number && (self.is_op(p, &[".", "|"]) || self.text_of(p) == "is") {
                // an attribute, filter or test
                self.element_start(p.checked_sub(1)?)?
            } else if name_or_number && self.text_of(p) == "not" && p > 0 && self.text_of(p - 1) == "is" {
                self.element_start(p.checked_sub(2)?)?
            } else if (current == Some(Kind::Str) && self.kind(p) == Some(Kind::Str))
                || (self.is_op(p, &["-", "+"]) && (p == 0 || !self.ends_operand(p - 1)))
            {
                // adjacent string literals, or a unary sign
                p
            } else if self.is_op(p, &SAME_OR_TIGHTER) {
                self.element_start(p.checked_sub(1)?)?
            } else {
                break;
            };
        }
        Some(s)
    }

    /// The first token of the element (bracket group or single token) ending at `i`.
    fn element_start(&self, i: usize) -> Option<usize> {
        match self.kind(i)? {
            Kind::Close => self.partner[i],
            _ if self.ends_operand(i) => Some(i),
            _ => None,
        }
    }
}

/// Rewrites every `a * b` of one expression (or block tag body) to
/// `__stagehand_mul(a, b)`; an error when an operand cannot be told.
pub fn rewrite(text: &str) -> Result<String, String> {
    if !text.contains('*') {
        return Ok(text.to_string());
    }
    let scanner = Scanner::new(text);
    let products = scanner.tokens.iter().enumerate().filter(|(i, _)| scanner.is_op(*i, &["*"])).count();
    if products > MAX_PRODUCTS {
        return Err(format!("more than {MAX_PRODUCTS} `*` in one expression; split it up"));
    }
    // (offset, 0 for `)` / 1 for the call's opening) and `*` spans to replace.
    let mut inserts: Vec<(usize, u8)> = Vec::new();
    let mut stars = Vec::new();
    for (i, t) in scanner.tokens.iter().enumerate() {
        if !scanner.is_op(i, &["*"]) {
            continue;
        }
        let unreadable = || format!("cannot read the operands of `*` in `{}`", text.trim());
        let left = i.checked_sub(1).and_then(|j| scanner.left_start(j)).ok_or_else(unreadable)?;
        let right = scanner.right_end(i + 1).ok_or_else(unreadable)?;
        inserts.push((scanner.tokens[left].start, 1));
        inserts.push((scanner.tokens[right].end, 0));
        stars.push((t.start, t.end));
    }
    inserts.sort();
    let mut out = String::with_capacity(text.len() + inserts.len() * 12);
    let mut at = 0;
    let mut edits: Vec<(usize, usize, &str)> = inserts
        .iter()
        .map(|&(offset, open)| (offset, offset, if open == 1 { "__stagehand_mul(" } else { ")" }))
        .chain(stars.iter().map(|&(s, e)| (s, e, ",")))
        .collect();
    edits.sort_by_key(|&(s, e, text)| (s, e, text != ")"));
    for (start, end, insert) in edits {
        out.push_str(&text[at..start]);
        out.push_str(insert);
        at = end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_become_calls_with_jinja_precedence() {
        let r = |s: &str| rewrite(s).unwrap();
        assert_eq!(r("a * 2"), "__stagehand_mul(a , 2)");
        assert_eq!(r("1 + a.b[0] * -c|int - 3"), "1 + __stagehand_mul(a.b[0] , -c|int) - 3");
        assert_eq!(r("a / b * c"), "__stagehand_mul(a / b , c)");
        assert_eq!(r("a*b*c"), "__stagehand_mul(__stagehand_mul(a,b),c)");
        assert_eq!(r("(x + 1) * f(y)['k'] ** 2"), "__stagehand_mul((x + 1) , f(y)['k'] ** 2)");
        assert_eq!(r("x if y else z * 2"), "x if y else __stagehand_mul(z , 2)");
        assert_eq!(
            r("- set n = parameters.count|default(1) * 2 -"),
            "- set n = __stagehand_mul(parameters.count|default(1) , 2) -"
        );
        assert_eq!(r("'a * b' ~ x"), "'a * b' ~ x");
        assert!(rewrite("* 2").is_err());
        assert!(rewrite(&format!("1{}", "*1".repeat(MAX_PRODUCTS + 1))).unwrap_err().contains("split it up"));
    }

    #[test]
    fn only_numbers_multiply() {
        assert_eq!(multiply(Value::from(6), Value::from(7)).unwrap(), Value::from(42));
        assert_eq!(multiply(Value::from(1.5), Value::from(2)).unwrap(), Value::from(3.0));
        let err = multiply(Value::from(3), Value::from(vec![Value::from(1)])).unwrap_err();
        assert!(err.to_string().contains("too large"), "{err}");
        assert!(multiply(Value::from("ab"), Value::from(3)).is_err());
    }
}
