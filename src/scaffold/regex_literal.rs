//! nunjucks' regular-expression literals (`r/-/g`), which nunjitsu runs
//! for the backend (`allowRegexExecution`): in the `replace` filter, the
//! `.replace()` and `.split()` string methods and `.test()`. A literal is
//! rewritten to a [`FUNCTION`] call by [`super::expr`]; the pattern runs on
//! Rust's `regex` (linear time, so no pattern can hang a render; the few
//! JavaScript features it lacks, lookaround and backreferences, fail and
//! the step input keeps its text, as any failed expression does).

use std::sync::Arc;

use minijinja::value::{Object, ObjectRepr, Value};
use minijinja::{Environment, Error, ErrorKind};

use super::budget::charge;

/// The function a literal is rewritten to.
pub const FUNCTION: &str = "__stagehand_regex";

/// A JavaScript regular expression: its source and flags.
#[derive(Debug, Clone)]
pub struct JsRegex {
    source: String,
    flags: String,
    regex: regex::Regex,
}

impl Object for JsRegex {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "/{}/{}", self.source, self.flags)
    }
}

impl JsRegex {
    /// Whether it replaces every match (`g`).
    fn global(&self) -> bool {
        self.flags.contains('g')
    }

    /// `text.replace(this, to)`, sizes checked first.
    pub fn replace(&self, text: &str, to: &str) -> Result<Value, Error> {
        let to = js_replacement(to);
        let count = if self.global() { self.regex.find_iter(text).count() } else { 1 };
        charge("a regular-expression replace", text.len().saturating_add(count.saturating_mul(to.len() + 16)))?;
        Ok(Value::from(if self.global() {
            self.regex.replace_all(text, to.as_str()).into_owned()
        } else {
            self.regex.replace(text, to.as_str()).into_owned()
        }))
    }

    /// `text.split(this)`.
    pub fn split(&self, text: &str) -> Value {
        Value::from(self.regex.split(text).map(Value::from).collect::<Vec<_>>())
    }

    /// `this.test(text)`.
    pub fn test(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
}

/// The regular expression a value holds, if it is one.
pub fn of(value: &Value) -> Option<&JsRegex> {
    value.downcast_object_ref::<JsRegex>()
}

/// JavaScript's `$1`, `$&` in a replacement, as `regex` spells them.
fn js_replacement(to: &str) -> String {
    let mut out = String::with_capacity(to.len());
    let mut chars = to.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some('$') => {
                chars.next();
                out.push_str("$$");
            }
            Some('&') => {
                chars.next();
                out.push_str("${0}");
            }
            Some(d) if d.is_ascii_digit() => {
                let mut n = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    n.push(d);
                    chars.next();
                }
                out.push_str(&format!("${{{n}}}"));
            }
            _ => out.push_str("$$"),
        }
    }
    out
}

fn make(source: String, flags: String) -> Result<Value, Error> {
    let regex = regex::RegexBuilder::new(&source)
        .case_insensitive(flags.contains('i'))
        .multi_line(flags.contains('m'))
        .dot_matches_new_line(flags.contains('s'))
        .size_limit(1 << 20)
        .build()
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("regular expression /{source}/: {e}")))?;
    Ok(Value::from_object(JsRegex { source, flags, regex }))
}

/// Registers [`FUNCTION`].
pub fn register(env: &mut Environment<'static>) {
    env.add_function(FUNCTION, make);
}

/// If `expr[i..]` starts a literal `r/.../flags`, its length and the call
/// it becomes.
pub fn literal_at(expr: &str, i: usize) -> Option<(usize, String)> {
    let rest = expr[i..].strip_prefix("r/")?;
    let mut in_class = false;
    let mut escaped = false;
    let mut end = None;
    for (k, c) in rest.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' => in_class = true,
            ']' => in_class = false,
            '/' if !in_class => {
                end = Some(k);
                break;
            }
            '\n' => return None,
            _ => {}
        }
    }
    let end = end?;
    let source = &rest[..end];
    let flags: String = rest[end + 1..].chars().take_while(|c| "gimsuy".contains(*c)).collect();
    let quote = |s: &str| s.replace('\\', "\\\\").replace('\'', "\\'");
    let call = format!("{FUNCTION}('{}', '{}')", quote(source), flags);
    Some((2 + end + 1 + flags.len(), call))
}

#[cfg(test)]
mod tests {
    use super::super::expr::{Engine, Syntax};
    use serde_json::json;

    /// Expected values read from nunjitsu 0.6.2 with the same input.
    #[test]
    fn literals_behave_as_in_nunjitsu() {
        let e = Engine::new(Syntax::Backstage);
        let ctx = json!({"p": {"s": "a-b-c"}});
        let cases = [
            ("p.s | replace(r/-/g, '+')", json!("a+b+c")),
            ("p.s | replace(r/-/, '+')", json!("a+b-c")),
            ("p.s.replace(r/-/g, '+')", json!("a+b+c")),
            ("'A-b'.replace(r/a/i, 'x')", json!("x-b")),
            ("'a1b22'.split(r/[0-9]+/)", json!(["a", "b", ""])),
            ("'abc' | replace(r/(b)/g, '[$1]')", json!("a[b]c")),
            ("r/b/.test(p.s)", json!(true)),
        ];
        for (expr, want) in cases {
            assert_eq!(e.eval(expr, &ctx).unwrap(), Some(want), "{expr}");
        }
        assert_eq!(e.render_str("${{ r/x/g }}", &ctx).unwrap(), "/x/g");
    }
}
