//! Template expressions as Backstage evaluates them: nunjucks with `${{ }}`
//! as variable delimiters, `{% %}` blocks, no autoescape, run here through
//! minijinja.
//!
//! The differences that matter between the two engines are bridged here:
//! nunjucks' `===`/`!==`/`null` are rewritten before parsing, values print
//! the way JavaScript prints them (`null` and `undefined` as nothing, arrays
//! joined with commas, `1.0` as `1`), a trailing newline is kept, and a
//! lookup on something undefined is undefined rather than an error, and `*`
//! multiplies numbers only ([`super::multiply`]). Every render runs on a
//! fuel budget so a hostile template stays bounded.

use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::Value as Json;

use super::rewrite::{nunjucks_to_jinja, rewrite_operators};
use super::{budget, filters, methods, multiply, regex_literal};

pub use super::rewrite::rewrite_expression;

/// Instructions one render may execute before it is stopped.
pub const FUEL: u64 = 2_000_000;

/// Longest expression or block tag accepted. minijinja builds a nested
/// tree for chains (`x | f | f ...`, `a + a + ...`) and walks it
/// recursively: 10,000 chained filters overflowed the stack. Real template
/// expressions are a few dozen characters.
pub const MAX_TAG_CHARS: usize = 1000;

fn too_long() -> ExprError {
    ExprError(format!("a template expression is longer than {MAX_TAG_CHARS} characters; split it up"))
}

/// Deepest nesting of brackets in one expression or tag: minijinja's
/// parser recurses per level, and 100 nested `[` overflowed a 2 MiB
/// thread stack in a debug build (a fuzz corpus input).
pub const MAX_NESTING: usize = 32;

/// Refuses an expression nesting brackets deeper than [`MAX_NESTING`]
/// (string literals aside).
fn check_nesting(text: &str) -> Result<(), ExprError> {
    let (mut depth, mut deepest, mut quote) = (0usize, 0usize, None);
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        match (quote, b) {
            (Some(_), b'\\') => {
                bytes.next();
            }
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'(' | b'[' | b'{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (None, b')' | b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_NESTING {
        return Err(ExprError(format!("a template expression nests brackets deeper than {MAX_NESTING}; simplify it")));
    }
    Ok(())
}

/// Refuses tags (`{{ }}`, `${{ }}`, `{% %}`) longer than [`MAX_TAG_CHARS`].
fn check_tags(source: &str) -> Result<(), ExprError> {
    let mut rest = source;
    while let Some(open) = rest.find(['{']) {
        let after = &rest[open + 1..];
        let close = match after.as_bytes().first() {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            _ => {
                rest = after;
                continue;
            }
        };
        let body = &after[1..];
        let end = body.find(close).unwrap_or(body.len());
        if end > MAX_TAG_CHARS {
            return Err(too_long());
        }
        check_nesting(&body[..end])?;
        rest = &body[end..];
    }
    Ok(())
}

/// Which delimiters templates use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `${{ expr }}` and `{% block %}` (Backstage).
    Backstage,
    /// `{{ expr }}` and `{% block %}` (`cookiecutterCompat`).
    Cookiecutter,
}

impl Syntax {
    pub(super) fn open(self) -> &'static str {
        match self {
            Syntax::Backstage => "${{",
            Syntax::Cookiecutter => "{{",
        }
    }
}

/// An expression or template that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ExprError(pub String);

impl From<minijinja::Error> for ExprError {
    fn from(e: minijinja::Error) -> Self {
        let mut text = e.to_string();
        if let Some(detail) = e.detail()
            && !text.contains(detail)
        {
            text.push_str(": ");
            text.push_str(detail);
        }
        ExprError(text)
    }
}

/// A configured template engine.
pub struct Engine {
    env: Environment<'static>,
    syntax: Syntax,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Engine({:?})", self.syntax)
    }
}

impl Engine {
    /// An engine for `syntax`, with Backstage's filters.
    pub fn new(syntax: Syntax) -> Engine {
        Engine::with_blocks(syntax, false, false)
    }

    /// An engine with nunjucks' `trimBlocks` / `lstripBlocks` set.
    pub fn with_blocks(syntax: Syntax, trim_blocks: bool, lstrip_blocks: bool) -> Engine {
        let mut env = Environment::new();
        let mut builder = minijinja::syntax::SyntaxConfig::builder();
        if syntax == Syntax::Backstage {
            builder.variable_delimiters("${{", "}}");
        }
        builder.keep_trailing_newline(true).trim_blocks(trim_blocks).lstrip_blocks(lstrip_blocks);
        if let Ok(config) = builder.build() {
            env.set_syntax(config);
        }
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        env.set_fuel(Some(FUEL));
        env.set_recursion_limit(64);
        env.set_formatter(|out, _state, value| {
            out.write_str(&js_string(value))
                .map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "cannot write rendered output"))
        });
        filters::register(&mut env, syntax == Syntax::Cookiecutter);
        multiply::register(&mut env);
        methods::register(&mut env);
        regex_literal::register(&mut env);
        budget::register(&mut env);
        Engine { env, syntax }
    }

    /// Renders template text against a JSON context.
    pub fn render_str(&self, text: &str, ctx: &Json) -> Result<String, ExprError> {
        check_tags(text)?;
        let source = nunjucks_to_jinja(text, self.syntax)?;
        budget::reset();
        let template = self.env.template_from_str(&source)?;
        let mut out = budget::BudgetWriter { out: Vec::new() };
        template.render_captured_to(Value::from(Serde(ctx)), &mut out)?;
        String::from_utf8(out.out).map_err(|e| ExprError(format!("the rendered text is not UTF-8: {e}")))
    }

    /// Evaluates one expression; `None` when it is undefined.
    pub fn eval(&self, expr: &str, ctx: &Json) -> Result<Option<Json>, ExprError> {
        if expr.len() > MAX_TAG_CHARS {
            return Err(too_long());
        }
        check_nesting(expr)?;
        let source = rewrite_operators(expr)?;
        budget::reset();
        let compiled = self.env.compile_expression_owned(source)?;
        let value = compiled.eval(Value::from(Serde(ctx)))?;
        to_json(&value)
    }

    /// Renders a JSON value as the backend renders step inputs, `if`,
    /// `each` and the output (nunjitsu's `renderValue`): every string is a
    /// template; a string that is exactly one `${{ expr }}` keeps the
    /// expression's type (undefined is `None`, and the key is dropped from
    /// its object); and a string that fails to render (JavaScript `||`, an
    /// unknown filter, a budget) is kept as it was written, as the backend
    /// keeps it.
    pub fn render_value(&self, value: &Json, ctx: &Json) -> Result<Option<Json>, ExprError> {
        match value {
            Json::String(s) => Ok(self.render_string_value(s, ctx)),
            Json::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.render_value(item, ctx)?.unwrap_or(Json::Null));
                }
                Ok(Some(Json::Array(out)))
            }
            Json::Object(map) => {
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    if let Some(rendered) = self.render_value(v, ctx)? {
                        out.insert(k.clone(), rendered);
                    }
                }
                Ok(Some(Json::Object(out)))
            }
            other => Ok(Some(other.clone())),
        }
    }

    fn render_string_value(&self, s: &str, ctx: &Json) -> Option<Json> {
        let kept = || Some(Json::String(s.to_string()));
        if self.syntax == Syntax::Backstage
            && let Some(expr) = single_expression(s)
        {
            return self.eval(expr, ctx).unwrap_or_else(|_| kept());
        }
        self.render_str(s, ctx).map(|r| Some(Json::String(r))).unwrap_or_else(|_| kept())
    }

    /// Evaluates an `if:` (a template string, or a literal) with
    /// Backstage's truthiness.
    pub fn condition(&self, value: &Json, ctx: &Json) -> Result<bool, ExprError> {
        Ok(self.render_value(value, ctx)?.as_ref().is_some_and(is_truthy))
    }
}

/// Backstage's truthiness for `if:`: false for false, null, undefined,
/// `""`, `0` and `[]`; JavaScript's `!!value` otherwise.
pub fn is_truthy(value: &Json) -> bool {
    match value {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Json::String(s) => !s.is_empty(),
        Json::Array(a) => !a.is_empty(),
        Json::Object(_) => true,
    }
}

/// The expression inside a string that is exactly one `${{ expr }}`.
pub fn single_expression(s: &str) -> Option<&str> {
    let inner = s.strip_prefix("${{")?;
    let end = find_close(inner, "}}")?;
    (end + 2 == inner.len()).then(|| &inner[..end])
}

/// The inner text of every `${{ expr }}` of a Backstage template string.
pub fn expressions(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("${{") {
        let inner = &rest[open + 3..];
        let Some(end) = find_close(inner, "}}") else { break };
        out.push(&inner[..end]);
        rest = &inner[end + 2..];
    }
    out
}

/// Converts a template value to JSON; `None` for undefined.
pub fn to_json(value: &Value) -> Result<Option<Json>, ExprError> {
    if value.is_undefined() {
        return Ok(None);
    }
    serde_json::to_value(value).map(Some).map_err(|e| ExprError(format!("cannot convert the result: {e}")))
}

/// How JavaScript turns a value into text (`String(value)`), with
/// nunjucks' rule that null and undefined print as nothing.
pub fn js_string(value: &Value) -> String {
    use minijinja::value::ValueKind;
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => String::new(),
        ValueKind::Bool => if value.is_true() { "true" } else { "false" }.to_string(),
        ValueKind::Number if !value.is_integer() => {
            let f = f64::try_from(value.clone()).unwrap_or(f64::NAN);
            js_number(f)
        }
        ValueKind::Seq | ValueKind::Iterable => match value.try_iter() {
            Ok(items) => items.map(|v| js_string(&v)).collect::<Vec<_>>().join(","),
            Err(_) => String::new(),
        },
        ValueKind::Map => "[object Object]".to_string(),
        _ => value.to_string(),
    }
}

/// JavaScript's number formatting for the common cases.
pub fn js_number(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity".into() } else { "-Infinity".into() }
    } else if f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{}", f as i128)
    } else {
        format!("{f}")
    }
}

/// Finds `close` in `text` outside string literals.
pub(super) fn find_close(text: &str, close: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if b == b'\\' {
                    i += 1;
                } else if b == q {
                    quote = None;
                }
            }
            None if b == b'"' || b == b'\'' => quote = Some(b),
            // Bytes, not `text[i..]`: `i` may be inside a multi-byte
            // character (a fuzzer found the panic); `close` is ASCII, so a
            // match is always on a character boundary.
            None if bytes[i..].starts_with(close.as_bytes()) => return Some(i),
            None => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_byte_text_near_delimiters_does_not_panic() {
        // fuzz/artifacts crash-6844be65: `{` then U+06F9 then more text.
        let crash = b"{{ 0tte{ters.=semnulle}x{\xdb\xb9e \x13na.dif";
        let text = std::str::from_utf8(crash).unwrap();
        let e = Engine::new(Syntax::Backstage);
        let _ = e.render_str(text, &serde_json::json!({}));
        let _ = Engine::new(Syntax::Cookiecutter).render_str(text, &serde_json::json!({}));
        let _ = e.render_str("${{ 'é' }}{{ é{é%}é }}ü", &serde_json::json!({}));
    }

    #[test]
    fn deep_brackets_are_refused_before_minijinja_parses_them() {
        // fuzz/corpus/template_expr/f459121873df…: ~100 nested brackets
        // overflowed a 2 MiB stack inside minijinja's parser.
        let deep = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        let run = move || {
            let ctx = json!({});
            for syntax in [Syntax::Backstage, Syntax::Cookiecutter] {
                let e = Engine::new(syntax);
                assert!(e.eval(&deep, &ctx).unwrap_err().0.contains("deeper than"));
                assert!(e.render_str(&format!("{{{{ {deep} }}}}"), &ctx).is_err());
            }
            assert_eq!(engine().eval("[[1], ('[' ~ '(')]", &ctx).unwrap(), Some(json!([[1], "[("])));
        };
        std::thread::Builder::new().stack_size(2 << 20).spawn(run).unwrap().join().unwrap();
    }

    #[test]
    fn long_chains_are_refused_and_the_longest_accepted_fits_a_small_stack() {
        let ctx = serde_json::json!({});
        let e = Engine::new(Syntax::Backstage);
        let chain = format!("${{{{ 'a' {} }}}}", "| upper ".repeat(10_000));
        assert!(e.render_str(&chain, &ctx).unwrap_err().0.contains("longer than"));
        assert!(e.eval(&format!("'a' {}", "| upper ".repeat(10_000)), &ctx).is_err());
        // Just under the limit, on a 2 MiB stack (the runtime's blocking
        // threads), in a debug build: no overflow.
        let worst = [
            format!("${{{{ 'a'{} }}}}", "|e".repeat(MAX_TAG_CHARS / 2 - 4)),
            format!("${{{{ 1{} }}}}", "+1".repeat(MAX_TAG_CHARS / 2 - 4)),
            format!("${{{{ 1{} }}}}", "*1".repeat(MAX_TAG_CHARS / 2 - 4)),
            format!("${{{{ a{} }}}}", ".b".repeat(MAX_TAG_CHARS / 2 - 4)),
            format!("${{{{ {}1 }}}}", "-".repeat(MAX_TAG_CHARS - 8)),
            format!("${{{{ {}true }}}}", "not ".repeat(MAX_TAG_CHARS / 4 - 4)),
        ];
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let e = Engine::new(Syntax::Backstage);
                for t in worst {
                    let _ = e.render_str(&t, &serde_json::json!({}));
                }
            })
            .unwrap()
            .join()
            .unwrap();
        assert!(check_tags("{{ x }} { not a tag } {% if y %}{% endif %} plain {").is_ok());
    }
    use serde_json::json;

    fn engine() -> Engine {
        Engine::new(Syntax::Backstage)
    }

    #[test]
    fn single_expressions_keep_their_type() {
        let e = engine();
        let ctx = json!({"parameters": {"list": ["a", "b"], "flag": true, "n": 3, "empty": ""}});
        assert_eq!(e.render_value(&json!("${{ parameters.list }}"), &ctx).unwrap(), Some(json!(["a", "b"])));
        assert_eq!(e.render_value(&json!("${{ parameters.flag }}"), &ctx).unwrap(), Some(json!(true)));
        assert_eq!(e.render_value(&json!("${{parameters.n}}"), &ctx).unwrap(), Some(json!(3)));
        assert_eq!(e.render_value(&json!("${{ parameters.empty }}"), &ctx).unwrap(), Some(json!("")));
        assert_eq!(e.render_value(&json!("${{ parameters.missing }}"), &ctx).unwrap(), None);
        assert_eq!(e.render_value(&json!("n=${{ parameters.n }}"), &ctx).unwrap(), Some(json!("n=3")));
        assert_eq!(e.render_value(&json!("${{ parameters.missing }} "), &ctx).unwrap(), Some(json!(" ")));
        assert_eq!(e.render_value(&json!("x${{ parameters.missing }}"), &ctx).unwrap(), Some(json!("x")));
        assert_eq!(e.render_value(&json!("${{ parameters.missing }}"), &ctx).unwrap(), None);
        let obj = e.render_value(&json!({"a": "${{ parameters.missing }}", "b": 1}), &ctx).unwrap();
        assert_eq!(obj, Some(json!({"b": 1})));
    }

    #[test]
    fn values_print_as_javascript_prints_them() {
        let e = engine();
        let ctx = json!({"v": {"list": ["a", "b"], "t": true, "f": 1.0, "g": 2.5, "n": null, "o": {"a": 1}}});
        let out =
            e.render_str("${{ v.list }}|${{ v.t }}|${{ v.f }}|${{ v.g }}|${{ v.n }}|${{ v.o }}|${{ v.x.y.z }}", &ctx);
        assert_eq!(out.unwrap(), "a,b|true|1|2.5||[object Object]|");
        assert_eq!(e.render_str("a\n", &ctx).unwrap(), "a\n", "trailing newline kept");
    }

    #[test]
    fn nunjucks_operators_are_rewritten_outside_strings() {
        assert_eq!(rewrite_expression("a === 'x === y' and b !== null"), "a == 'x === y' and b != none");
        let loose = format!("nullable  {}  x.null", methods::LOOSE_EQ);
        assert_eq!(rewrite_expression("nullable == x.null"), loose, "loose `==` is marked, `null` kept in names");
        let e = engine();
        let ctx = json!({"parameters": {"db": "postgres", "dryRun": false}});
        assert!(e.condition(&json!("${{ parameters.db === 'postgres' }}"), &ctx).unwrap());
        assert!(e.condition(&json!("${{ parameters.dryRun !== true }}"), &ctx).unwrap());
        assert_eq!(e.render_str("{% if parameters.db === 'postgres' %}pg{% endif %}", &ctx).unwrap(), "pg");
    }

    #[test]
    fn a_failed_step_input_keeps_its_text_as_the_backend_does() {
        // nunjitsu 0.6.2 renders `{% if false %}x{% endif %}` to "" and
        // keeps `${{ a || 'd' }}` and an unknown filter as written.
        let e = engine();
        let ctx = json!({"p": {"s": "x"}});
        let input = json!({"or": "${{ p.a || 'd' }}", "f": "${{ p.s | nope }}", "e": "{% if false %}x{% endif %}",
                           "u": "${{ p.missing }}", "ok": "${{ p.s }}"});
        let out = e.render_value(&input, &ctx).unwrap().unwrap();
        assert_eq!(out, json!({"or": "${{ p.a || 'd' }}", "f": "${{ p.s | nope }}", "e": "", "ok": "x"}));
    }

    #[test]
    fn raw_blocks_stay_literal() {
        let e = engine();
        let out = e.render_str("${{ v }}:{% raw %}${{ github.sha === 1 }}{% endraw %}", &json!({"v": "x"})).unwrap();
        assert_eq!(out, "x:${{ github.sha === 1 }}");
    }

    #[test]
    fn truthiness_follows_backstage() {
        let e = engine();
        let ctx = json!({"p": {"zero": 0, "empty": [], "s": "", "one": [1], "obj": {}}});
        for falsy in ["${{ p.zero }}", "${{ p.empty }}", "${{ p.s }}", "${{ p.nope }}", "${{ null }}"] {
            assert!(!e.condition(&json!(falsy), &ctx).unwrap(), "{falsy}");
        }
        for truthy in ["${{ p.one }}", "${{ p.obj }}", "yes"] {
            assert!(e.condition(&json!(truthy), &ctx).unwrap(), "{truthy}");
        }
        assert!(!e.condition(&json!(false), &ctx).unwrap());
    }

    #[test]
    fn hostile_templates_run_out_of_fuel() {
        let e = engine();
        let err = e.render_str(
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
            &json!({}),
        );
        assert!(err.is_err());
        let err = e.render_str("{% macro f(n) %}${{ f(n) }}{% endmacro %}${{ f(1) }}", &json!({}));
        assert!(err.is_err());
    }

    #[test]
    fn repeating_sequences_is_refused_before_it_grows() {
        // The fuzzer's timeout: `1111111*[[..]]~...` built a string of
        // gigabytes in one instruction, which fuel does not count.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/template_expr");
        let mut found = 0;
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            if !entry.file_name().to_string_lossy().starts_with("timeout-") {
                continue;
            }
            found += 1;
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let ctx = json!({"parameters": {"list": [1, 2]}});
            let err = engine().eval(&text, &ctx).unwrap_err();
            assert!(err.0.contains("too large"), "{err}");
            let wrapped = format!("${{{{ {} }}}}", text.trim());
            assert!(engine().render_str(&wrapped, &ctx).unwrap_err().0.contains("too large"));
        }
        assert!(found > 0, "no timeout-* regression input");
        let e = engine();
        let ctx = json!({"parameters": {"n": 3, "list": [1, 2], "s": "ab"}});
        assert_eq!(e.eval("parameters.n * 2 + 1", &ctx).unwrap(), Some(json!(7)));
        assert_eq!(e.eval("parameters.n * 0.5", &ctx).unwrap(), Some(json!(1.5)));
        assert_eq!(
            e.render_str("${{ parameters.n * parameters.n }}-{% set x = 2 * 3 %}${{ x }}", &ctx).unwrap(),
            "9-6"
        );
        assert!(e.eval("parameters.list * 100000000 ~ ''", &ctx).unwrap_err().0.contains("too large"));
        assert!(e.eval("parameters.s * 3", &ctx).is_err());
        assert_eq!(e.render_str("{% raw %}${{ [1] * 9 }}{% endraw %}", &ctx).unwrap(), "${{ [1] * 9 }}");
    }

    #[test]
    fn cookiecutter_syntax_uses_double_braces() {
        let e = Engine::new(Syntax::Cookiecutter);
        let ctx = json!({"cookiecutter": {"name": "x"}});
        assert_eq!(e.render_str("{{ cookiecutter.name }}/${{ x }}", &ctx).unwrap(), "x/$");
    }
}
