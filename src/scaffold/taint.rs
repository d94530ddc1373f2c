//! Redaction of secrets and of every value derived from one.
//!
//! Replacing the exact secret is not enough: `${{ secrets.token | upper }}`,
//! `| reverse` or `| list | join(" ")` print it transformed. Each
//! expression of a step that reads `secrets` is tainted: it is evaluated
//! on its own against the step's context and its result, as text and, for
//! lists and objects, item by item, is redacted like the secret itself. A
//! template string with a block tag that reads `secrets` taints its whole
//! rendered text.

use serde_json::{Map, Value as Json};

use super::expr::{Engine, expressions, js_string};

/// Values shorter than this are not redacted (they would blank out
/// ordinary words).
pub const MIN_REDACTED: usize = 3;

/// The texts to hide from logs and errors.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    values: Vec<String>,
}

impl Redactor {
    /// Redacts the secrets themselves.
    pub fn new(secrets: &Map<String, Json>) -> Redactor {
        let mut r = Redactor::default();
        for v in secrets.values() {
            r.add(v);
        }
        r
    }

    /// Adds the results of every expression of `value` (a step's `input`,
    /// `if` or `each`, unrendered) that reads `secrets`, evaluated against
    /// `ctx`.
    pub fn taint(&mut self, engine: &Engine, value: &Json, ctx: &Json) {
        match value {
            Json::String(s) if s.contains("secrets") => {
                for expr in expressions(s) {
                    if expr.contains("secrets")
                        && let Ok(Some(v)) = engine.eval(expr, ctx)
                    {
                        self.add(&v);
                    }
                }
                if s.contains("{%")
                    && let Ok(text) = engine.render_str(s, ctx)
                {
                    self.add(&Json::String(text));
                }
            }
            Json::Array(items) => items.iter().for_each(|v| self.taint(engine, v, ctx)),
            Json::Object(map) => map.values().for_each(|v| self.taint(engine, v, ctx)),
            _ => {}
        }
    }

    fn add(&mut self, value: &Json) {
        let text = match value {
            Json::String(s) => s.clone(),
            Json::Null | Json::Bool(_) | Json::Number(_) => return,
            Json::Array(items) => {
                items.iter().for_each(|v| self.add(v));
                js_string(&minijinja::Value::from(minijinja::value::Serde(value)))
            }
            Json::Object(map) => {
                map.values().for_each(|v| self.add(v));
                value.to_string()
            }
        };
        if text.len() >= MIN_REDACTED && !self.values.contains(&text) {
            self.values.push(text);
            // Longest first: a derived value may contain a shorter one.
            self.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        }
    }

    /// `text` with every secret and derived value replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for v in &self.values {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), "***");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaffold::expr::Syntax;
    use serde_json::json;

    #[test]
    fn transformed_secrets_are_redacted() {
        let secrets = json!({"token": "hunter2-secret"});
        let mut r = Redactor::new(secrets.as_object().unwrap());
        let ctx = json!({"secrets": secrets, "parameters": {"name": "svc"}});
        let input = json!({"message": "a ${{ secrets.token | upper }} b ${{ secrets.token | reverse }} \
            c ${{ secrets.token | list | join(' ') }} d ${{ parameters.name }}",
            "other": ["${{ secrets.token | replace('-', '_') }}"]});
        let engine = Engine::new(Syntax::Backstage);
        r.taint(&engine, &input, &ctx);
        let rendered = engine.render_value(&input, &ctx).unwrap().unwrap().to_string();
        let out = r.redact(&rendered);
        for leak in ["HUNTER2-SECRET", "terces-2retnuh", "h u n t e r", "hunter2_secret", "hunter2"] {
            assert!(!out.contains(leak), "{leak} in {out}");
        }
        assert!(out.contains("svc"), "{out}");
    }

    #[test]
    fn block_tags_reading_secrets_taint_their_text() {
        let ctx = json!({"secrets": {"k": "abcdef"}});
        let mut r = Redactor::new(ctx["secrets"].as_object().unwrap());
        let engine = Engine::new(Syntax::Backstage);
        let text = "{% set t = secrets.k | upper %}key=${{ t }}";
        r.taint(&engine, &json!(text), &ctx);
        assert_eq!(r.redact("logged key=ABCDEF"), "logged ***");
    }
}
