//! Byte budgets for template rendering.
//!
//! Fuel counts instructions, not bytes: one `indent(4000000000)`, one
//! `"%0999999999d" | format(1)` or one `x ~ x` on a large `x` allocates
//! gigabytes in a single instruction, and a 40-step doubling loop needs only
//! a few hundred. So every operation that can make a value larger than its
//! inputs is checked *before* it allocates:
//!
//! - a string or list made by an expression holds at most [`MAX_STRING`]
//!   bytes or [`MAX_ITEMS`] items;
//! - the bytes every such operation produced in one render, plus the
//!   rendered output, stay under [`RENDER_BUDGET`].
//!
//! `+` and `~` are rewritten to [`ADD`] and [`CONCAT`] calls
//! ([`super::operators`]); the filters that can grow (`indent`, `format`,
//! `replace`, `join`, `urlencode`, `list`, `upper`, `title`, ...)
//! are wrapped. Going over a budget is an ordinary render error, never an
//! allocation failure (which would abort the process and leave a terminal
//! in raw mode).

use std::cell::Cell;

use minijinja::value::{Rest, Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State};

/// Largest string (bytes) or list (items) an expression may build.
pub const MAX_STRING: usize = 8 * 1024 * 1024;
/// Most items in a list an expression builds.
pub const MAX_ITEMS: usize = 1_000_000;
/// Bytes one render may produce: strings built by expressions plus the
/// rendered output.
pub const RENDER_BUDGET: usize = 64 * 1024 * 1024;

/// The function `+` is rewritten to.
pub const ADD: &str = "__stagehand_add";
/// The function `~` is rewritten to.
pub const CONCAT: &str = "__stagehand_cat";

thread_local! {
    static SPENT: Cell<usize> = const { Cell::new(0) };
}

/// Starts a render's budget (renders run on the calling thread).
pub fn reset() {
    SPENT.with(|s| s.set(0));
}

/// Bytes spent by the current render so far.
pub fn spent() -> usize {
    SPENT.with(Cell::get)
}

fn too_large(what: &str, size: usize, limit: usize) -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        format!("{what} would be too large ({size} bytes or items; the limit is {limit}); template budget exceeded"),
    )
}

/// Refuses a value of `size` bytes made by `what`, or records it against
/// the render's budget.
pub fn charge(what: &str, size: usize) -> Result<(), Error> {
    if size > MAX_STRING {
        return Err(too_large(what, size, MAX_STRING));
    }
    let total = spent().saturating_add(size);
    if total > RENDER_BUDGET {
        return Err(too_large(&format!("{what}: the render"), total, RENDER_BUDGET));
    }
    SPENT.with(|s| s.set(total));
    Ok(())
}

/// The length of a value as text, without building long texts twice.
fn text_len(v: &Value) -> usize {
    match v.as_str() {
        Some(s) => s.len(),
        None if matches!(v.kind(), ValueKind::Seq | ValueKind::Iterable | ValueKind::Map) => {
            v.try_iter().map(|it| it.map(|x| text_len(&x) + 2).sum::<usize>()).unwrap_or(0) + 2
        }
        None => v.to_string().len(),
    }
}

/// Registers [`ADD`], [`CONCAT`] and the capped filters (after Backstage's
/// filters, so every growing filter is wrapped).
pub fn register(env: &mut Environment<'static>) {
    env.add_function(ADD, add);
    env.add_function(CONCAT, concat);
    for (name, bound) in GROWING_FILTERS {
        if let Some(original) = builtin(name) {
            env.add_filter(*name, move |state: &mut State, args: Rest<Value>| -> Result<Value, Error> {
                if *name == "replace"
                    && let Some(re) = args.get(1).and_then(super::regex_literal::of)
                {
                    let text = args.first().map(super::expr::js_string).unwrap_or_default();
                    let to = args.get(2).map(super::expr::js_string).unwrap_or_default();
                    return re.replace(&text, &to);
                }
                let limit = bound(&args);
                if limit > MAX_STRING {
                    return Err(too_large(&format!("`{name}`"), limit, MAX_STRING));
                }
                let out = original.call(state, &args)?;
                charge(&format!("`{name}`"), text_len(&out))?;
                Ok(out)
            });
        }
    }
}

/// minijinja's own filter called `name`.
fn builtin(name: &str) -> Option<Value> {
    use minijinja::filters as f;
    Some(match name {
        "indent" => Value::from_function(f::indent),
        "format" => Value::from_function(f::format),
        "replace" => Value::from_function(f::replace),
        "join" => Value::from_function(f::join),
        "urlencode" => Value::from_function(f::urlencode),
        "upper" => Value::from_function(f::upper),
        "lower" => Value::from_function(f::lower),
        "title" => Value::from_function(f::title),
        "capitalize" => Value::from_function(f::capitalize),
        "list" => Value::from_function(f::list),
        "string" => Value::from_function(f::string),
        "tojson" => Value::from_function(f::tojson),
        "pprint" => Value::from_function(f::pprint),
        _ => return None,
    })
}

/// An upper bound of a filter's output size from its arguments.
type Bound = fn(&[Value]) -> usize;

fn arg_usize(args: &[Value], i: usize) -> usize {
    args.get(i).and_then(|v| v.as_usize().or_else(|| v.as_i64().map(|n| n.max(0) as usize))).unwrap_or(0)
}

fn indent_bound(args: &[Value]) -> usize {
    let text = args.first().map(text_len).unwrap_or(0);
    let lines = args.first().and_then(Value::as_str).map_or(1, |s| s.matches('\n').count() + 1);
    text.saturating_add(arg_usize(args, 1).saturating_mul(lines))
}

fn format_bound(args: &[Value]) -> usize {
    let spec = args.first().and_then(Value::as_str).unwrap_or("");
    let widths: usize = spec
        .split(|c: char| !c.is_ascii_digit())
        .filter(|d| !d.is_empty())
        .map(|d| d.parse::<usize>().unwrap_or(usize::MAX))
        .fold(0usize, usize::saturating_add);
    let rest: usize = args.iter().skip(1).map(text_len).sum();
    spec.len().saturating_add(widths).saturating_add(rest)
}

fn replace_bound(args: &[Value]) -> usize {
    let text = args.first().and_then(Value::as_str).unwrap_or("");
    let from = args.get(1).map(|v| v.to_string()).unwrap_or_default();
    let to = args.get(2).map(text_len).unwrap_or(0);
    let count = if from.is_empty() { text.chars().count() + 1 } else { text.matches(&from).count() };
    let count = args.get(3).and_then(Value::as_usize).map_or(count, |n| n.min(count));
    text.len().saturating_add(count.saturating_mul(to))
}

fn join_bound(args: &[Value]) -> usize {
    let Some(list) = args.first() else { return 0 };
    let sep = args.get(1).and_then(Value::as_str).map_or(0, str::len);
    let Ok(items) = list.try_iter() else { return text_len(list) };
    let mut total = 0usize;
    for item in items {
        total = total.saturating_add(text_len(&item)).saturating_add(sep);
        if total > MAX_STRING {
            break;
        }
    }
    total
}

fn scaled_bound(args: &[Value]) -> usize {
    args.first().map(text_len).unwrap_or(0).saturating_mul(3)
}

fn list_bound(args: &[Value]) -> usize {
    let n = args.first().map_or(0, |v| v.as_str().map_or_else(|| v.len().unwrap_or(0), |s| s.chars().count()));
    if n > MAX_ITEMS { usize::MAX } else { 0 }
}

/// The filters that can return more than they were given, with a bound.
const GROWING_FILTERS: &[(&str, Bound)] = &[
    ("indent", indent_bound),
    ("format", format_bound),
    ("replace", replace_bound),
    ("join", join_bound),
    ("urlencode", scaled_bound),
    ("upper", scaled_bound),
    ("lower", scaled_bound),
    ("title", scaled_bound),
    ("capitalize", scaled_bound),
    ("list", list_bound),
    ("string", scaled_bound),
    ("tojson", scaled_bound),
    ("pprint", scaled_bound),
];

/// `a + b` as JavaScript (and so nunjitsu) adds: numbers and booleans
/// add; anything else is joined as text (`'a' + 1` is `a1`, `[1] + [2]`
/// is `12`, `undefined + 'x'` is `undefinedx`); sizes checked first.
fn add(a: Value, b: Value) -> Result<Value, Error> {
    let numeric = |v: &Value| matches!(v.kind(), ValueKind::Number | ValueKind::Bool);
    if numeric(&a) && numeric(&b) {
        let int = |v: &Value| {
            if v.kind() == ValueKind::Bool {
                Some(i64::from(v.is_true()))
            } else {
                v.as_i64().filter(|_| v.is_integer())
            }
        };
        if let (Some(x), Some(y)) = (int(&a), int(&b))
            && let Some(sum) = x.checked_add(y)
        {
            return Ok(Value::from(sum));
        }
        let float = |v: Value| {
            if v.kind() == ValueKind::Bool {
                f64::from(u8::from(v.is_true()))
            } else {
                f64::try_from(v).unwrap_or(f64::NAN)
            }
        };
        return Ok(Value::from(float(a) + float(b)));
    }
    joined("`+`", &a, &b)
}

/// `a ~ b`: both as JavaScript text, sizes checked first.
fn concat(a: Value, b: Value) -> Result<Value, Error> {
    joined("`~`", &a, &b)
}

fn joined(what: &str, a: &Value, b: &Value) -> Result<Value, Error> {
    charge(what, text_len(a).saturating_add(text_len(b)))?;
    Ok(Value::from(js_text(a) + &js_text(b)))
}

/// `String(value)` in JavaScript: unlike printing, `undefined` and `null`
/// are spelled out.
fn js_text(v: &Value) -> String {
    match v.kind() {
        ValueKind::Undefined => "undefined".into(),
        ValueKind::None => "null".into(),
        _ => super::expr::js_string(v),
    }
}

/// A writer that stops a render at [`RENDER_BUDGET`] bytes of output.
pub struct BudgetWriter {
    /// The rendered bytes.
    pub out: Vec<u8>,
}

impl std::io::Write for BudgetWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if charge("the rendered output", 0).is_err() || spent().saturating_add(buf.len()) > RENDER_BUDGET {
            return Err(std::io::Error::other(format!(
                "the rendered output is larger than {RENDER_BUDGET} bytes; template budget exceeded"
            )));
        }
        SPENT.with(|s| s.set(s.get() + buf.len()));
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::expr::{Engine, Syntax};
    use serde_json::json;

    fn over_budget(text: &str) {
        let e = Engine::new(Syntax::Backstage);
        match e.render_str(text, &json!({"p": {"s": "abcdefgh"}})) {
            Ok(out) => panic!("{text}: rendered {} bytes", out.len()),
            Err(err) => assert!(err.0.contains("budget exceeded"), "{text}: {err}"),
        }
    }

    #[test]
    fn growing_filters_are_refused_before_they_allocate() {
        over_budget("${{ 'a' | indent(4000000000) }}");
        over_budget("${{ '%0999999999d' | format(1) }}");
        over_budget("${{ 'x\ny' | indent(9000000) }}");
        over_budget("{% set big = 'xxxxxxxxxx' | indent(3000, true) %}${{ big | replace(' ', big) }}");
    }

    #[test]
    fn join_then_replace_growth_stops() {
        over_budget(
            "{% set ns = namespace(s='0123456789') %}{% for i in range(40) %}\
             {% set ns.s = [ns.s, ns.s, ns.s] | join('-') | replace('-', '--') %}{% endfor %}${{ ns.s | length }}",
        );
    }

    #[test]
    fn doubling_loops_stop_at_the_budget() {
        over_budget("{% set ns = namespace(x='ab') %}{% for i in range(40) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}");
        over_budget("{% set ns = namespace(x='ab') %}{% for i in range(40) %}{% set ns.x = ns.x + ns.x %}{% endfor %}");
        over_budget("{% for i in range(100000) %}${{ '%09000d' | format(1) }}{% endfor %}");
    }

    #[test]
    fn ordinary_growth_still_works() {
        let e = Engine::new(Syntax::Backstage);
        let ctx = json!({"p": {"n": 2, "l": [1, 2], "s": "a-b"}});
        assert_eq!(e.render_str("${{ p.n + 1 }}|${{ p.s ~ '!' }}|${{ true + 1 }}", &ctx).unwrap(), "3|a-b!|2");
        assert_eq!(e.render_str("${{ 'v' ~ 1 + 2 }}|${{ 'a' + 1 }}|${{ [1] + [2] }}|${{ p.nope ~ 'x' }}|${{ p.s | replace('-', '+') | indent(2, true) }}", &ctx).unwrap(), "v12|a1|12|undefinedx|  a+b");
        assert_eq!(e.eval("p.n + 0.5", &ctx).unwrap(), Some(json!(2.5)));
    }
}
