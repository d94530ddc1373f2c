//! nunjucks syntax as minijinja reads it: `===`/`!==`/`null`, loose
//! `==`/`!=`, `.length`, regular-expression literals and `{% for k, v in
//! object %}` rewritten inside every expression and block tag (outside
//! `{% raw %}`), then `*`, `+` and `~` as checked calls.

use super::expr::{ExprError, Syntax, find_close};
use super::{methods, multiply, operators, regex_literal};

/// Rewrites nunjucks-only syntax inside one expression: `===` and `!==`
/// become `==` and `!=`, `null` becomes `none`. String literals are kept.
pub fn rewrite_expression(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut chars = expr.char_indices().peekable();
    let mut quote: Option<char> = None;
    let mut prev_ident = false;
    while let Some((i, c)) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                if let Some((_, n)) = chars.next() {
                    out.push(n);
                }
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => {
                quote = Some(c);
                out.push(c);
                prev_ident = false;
            }
            '=' | '!' if expr[i..].starts_with("===") || expr[i..].starts_with("!==") => {
                out.push(c);
                out.push('=');
                chars.next();
                chars.next();
                prev_ident = false;
            }
            // Loose equality, as JavaScript has it: a marker the operator
            // rewrite turns into a call ([`methods::LOOSE_EQ`]).
            '=' | '!' if expr[i + 1..].starts_with('=') => {
                let marker = if c == '=' { methods::LOOSE_EQ } else { methods::LOOSE_NE };
                out.push_str(&format!(" {marker} "));
                chars.next();
                prev_ident = false;
            }
            '.' if is_length(expr, i, &out) => {
                out.push_str("|length");
                for _ in 0.."length".len() {
                    chars.next();
                }
                prev_ident = true;
            }
            'r' if !prev_ident && regex_literal::literal_at(expr, i).is_some() => {
                if let Some((len, call)) = regex_literal::literal_at(expr, i) {
                    out.push_str(&call);
                    for _ in 1..expr[i..i + len].chars().count() {
                        chars.next();
                    }
                }
                prev_ident = true;
            }
            c if c.is_alphanumeric() || c == '_' => {
                if !prev_ident && expr[i..].starts_with("null") {
                    let after = expr[i + 4..].chars().next();
                    let before_dot = out.ends_with('.');
                    if !after.is_some_and(|a| a.is_alphanumeric() || a == '_') && !before_dot {
                        out.push_str("none");
                        chars.next();
                        chars.next();
                        chars.next();
                        prev_ident = true;
                        continue;
                    }
                }
                out.push(c);
                prev_ident = true;
            }
            _ => {
                out.push(c);
                prev_ident = false;
            }
        }
    }
    out
}

/// [`rewrite_expression`], then `*`, `+` and `~` as checked calls.
pub(super) fn rewrite_operators(expr: &str) -> Result<String, ExprError> {
    let products = multiply::rewrite(&rewrite_expression(expr)).map_err(ExprError)?;
    operators::rewrite(&products).map_err(ExprError)
}

/// Whether the `.` at `i` starts `.length` read as a property (JavaScript's
/// length of a string or array; minijinja has no such attribute).
fn is_length(expr: &str, i: usize, out: &str) -> bool {
    let Some(rest) = expr[i + 1..].strip_prefix("length") else { return false };
    let ends = !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_');
    let called = rest.trim_start().starts_with('(');
    let after_operand = out.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ')' || c == ']');
    ends && !called && after_operand
}

/// `{% for k, v in object %}`: nunjucks unpacks an object's entries;
/// minijinja needs them as pairs.
fn rewrite_for_pairs(body: &str) -> String {
    let trimmed = body.trim_start_matches('-').trim_start();
    let Some(head) = trimmed.strip_prefix("for ") else { return body.to_string() };
    let Some(at) = head.find(" in ") else { return body.to_string() };
    if !head[..at].contains(',') {
        return body.to_string();
    }
    let start = body.len() - trimmed.len() + "for ".len() + at + " in ".len();
    let tail = &body[start..];
    let trailing = tail.len() - tail.trim_end_matches(['-', ' ', '\n', '\t']).len();
    let iterable = &tail[..tail.len() - trailing];
    format!("{}{}({iterable}){}", &body[..start], methods::PAIRS, &tail[tail.len() - trailing..])
}

/// Rewrites every expression and block tag of a template (outside
/// `{% raw %}`) with [`rewrite_expression`] and [`multiply::rewrite`].
pub fn nunjucks_to_jinja(text: &str, syntax: Syntax) -> Result<String, ExprError> {
    if !["==", "!=", "null", "*", "+", "~", ".length", "for ", "r/"].iter().any(|s| text.contains(s)) {
        return Ok(text.to_string());
    }
    let open_var = syntax.open();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next_var = rest.find(open_var).map(|i| (i, open_var, "}}"));
        let next_block = rest.find("{%").map(|i| (i, "{%", "%}"));
        let next = match (next_var, next_block) {
            (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
            (a, b) => a.or(b),
        };
        let Some((start, open, close)) = next else {
            out.push_str(rest);
            return Ok(out);
        };
        out.push_str(&rest[..start]);
        let body_start = start + open.len();
        let Some(len) = find_close(&rest[body_start..], close) else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let body = &rest[body_start..body_start + len];
        out.push_str(open);
        let body = if open == "{%" { rewrite_for_pairs(body) } else { body.to_string() };
        out.push_str(&rewrite_operators(&body)?);
        out.push_str(close);
        rest = &rest[body_start + len + close.len()..];
        if open == "{%" && body.trim().trim_matches('-').trim() == "raw" {
            let end = raw_end(rest);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
}

/// Where the `{% endraw %}` closing a raw block starts.
fn raw_end(text: &str) -> usize {
    let mut from = 0;
    while let Some(i) = text[from..].find("{%") {
        let at = from + i;
        let body = &text[at + 2..];
        if let Some(end) = body.find("%}")
            && body[..end].trim().trim_matches('-').trim() == "endraw"
        {
            return at;
        }
        from = at + 2;
    }
    text.len()
}
