//! What nunjitsu (the backend's engine) allows that minijinja lacks:
//! JavaScript methods on strings, arrays, numbers and objects
//! (`owner.split('/')[1]`, `.toUpperCase()`, `.join()`; nunjitsu's allowed
//! list, through minijinja's unknown-method hook), loose `==` / `!=`
//! (`3 == '3'`), `{% for k, v in object %}` and the `truncate` filter.
//! `.length` is rewritten to `| length` by [`super::expr`].

use minijinja::value::{Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State};

use super::budget::charge;
use super::expr::js_string;
use super::regex_literal;

/// The function loose `==` is rewritten to.
pub const LOOSE_EQ: &str = "__stagehand_eq";
/// The function loose `!=` is rewritten to.
pub const LOOSE_NE: &str = "__stagehand_ne";
/// The function the object of `{% for k, v in object %}` is passed through.
pub const PAIRS: &str = "__stagehand_pairs";

/// Registers the method hook and the helper functions and filters.
pub fn register(env: &mut Environment<'static>) {
    env.set_unknown_method_callback(method);
    env.add_function(LOOSE_EQ, |a: Value, b: Value| loose_eq(&a, &b));
    env.add_function(LOOSE_NE, |a: Value, b: Value| !loose_eq(&a, &b));
    env.add_function(PAIRS, pairs);
    env.add_filter("truncate", truncate);
}

fn unknown() -> Error {
    Error::from(ErrorKind::UnknownMethod)
}

fn text(v: Option<&Value>) -> String {
    v.map(js_string).unwrap_or_default()
}

fn int(v: Option<&Value>) -> Option<i64> {
    v.and_then(|v| v.as_i64().or_else(|| f64::try_from(v.clone()).ok().map(|f| f as i64)))
}

/// A JavaScript index (negative counts from the end) clamped to `len`.
fn index(i: Option<i64>, len: usize, default: usize) -> usize {
    match i {
        None => default,
        Some(i) if i < 0 => len.saturating_sub(i.unsigned_abs() as usize),
        Some(i) => (i as usize).min(len),
    }
}

fn sized(what: &str, v: Value) -> Result<Value, Error> {
    charge(what, v.as_str().map_or(0, str::len))?;
    Ok(v)
}

fn method(_state: &mut State, value: &Value, name: &str, args: &[Value]) -> Result<Value, Error> {
    match value.kind() {
        ValueKind::String => string_method(value.as_str().unwrap_or(""), name, args),
        ValueKind::Seq | ValueKind::Iterable => seq_method(value, name, args),
        ValueKind::Number => match name {
            "toString" => Ok(Value::from(js_string(value))),
            "toFixed" => {
                let digits = int(args.first()).unwrap_or(0).clamp(0, 100) as usize;
                Ok(Value::from(format!("{:.*}", digits, f64::try_from(value.clone()).unwrap_or(f64::NAN))))
            }
            _ => Err(unknown()),
        },
        ValueKind::Map => map_method(value, name, args),
        _ => match (regex_literal::of(value), name, args.first().and_then(Value::as_str)) {
            (Some(re), "test", Some(text)) => Ok(Value::from(re.test(text))),
            _ => Err(unknown()),
        },
    }
}

fn string_method(s: &str, name: &str, args: &[Value]) -> Result<Value, Error> {
    let chars: Vec<char> = s.chars().collect();
    let len = chars.len();
    let slice = |a: usize, b: usize| -> String { if a < b { chars[a..b].iter().collect() } else { String::new() } };
    let arg = |i: usize| text(args.get(i));
    Ok(match name {
        "toUpperCase" => sized(".toUpperCase()", Value::from(s.to_uppercase()))?,
        "toLowerCase" => sized(".toLowerCase()", Value::from(s.to_lowercase()))?,
        "trim" => Value::from(s.trim()),
        "trimStart" => Value::from(s.trim_start()),
        "trimEnd" => Value::from(s.trim_end()),
        "startsWith" => Value::from(s.starts_with(&arg(0))),
        "endsWith" => Value::from(s.ends_with(&arg(0))),
        "includes" => Value::from(s.contains(&arg(0))),
        "indexOf" => Value::from(s.find(&arg(0)).map_or(-1, |b| s[..b].chars().count() as i64)),
        "lastIndexOf" => Value::from(s.rfind(&arg(0)).map_or(-1, |b| s[..b].chars().count() as i64)),
        "charAt" => Value::from(slice(index(int(args.first()), len, 0), index(int(args.first()), len, 0) + 1)),
        "slice" => Value::from(slice(index(int(args.first()), len, 0), index(int(args.get(1)), len, len))),
        "substring" => {
            let clamp = |v: Option<i64>, d: usize| v.map_or(d, |i| i.clamp(0, len as i64) as usize);
            let (a, b) = (clamp(int(args.first()), 0), clamp(int(args.get(1)), len));
            Value::from(slice(a.min(b), a.max(b)))
        }
        "replace" if args.first().and_then(regex_literal::of).is_some() => {
            let re = args.first().and_then(regex_literal::of).ok_or_else(unknown)?;
            re.replace(s, &arg(1))?
        }
        "split" if args.first().and_then(regex_literal::of).is_some() => {
            let re = args.first().and_then(regex_literal::of).ok_or_else(unknown)?;
            charge(".split()", s.len().saturating_mul(2))?;
            re.split(s)
        }
        "replace" => {
            let (from, to) = (arg(0), arg(1));
            charge(".replace()", s.len() + to.len())?;
            Value::from(s.replacen(&from, &to, 1))
        }
        "concat" => {
            let rest: String = args.iter().map(js_string).collect();
            charge(".concat()", s.len() + rest.len())?;
            Value::from(format!("{s}{rest}"))
        }
        "split" => {
            let parts: Vec<Value> = match args.first() {
                None => vec![Value::from(s)],
                Some(sep) if sep.is_undefined() => vec![Value::from(s)],
                Some(_) if arg(0).is_empty() => chars.iter().map(|c| Value::from(c.to_string())).collect(),
                Some(_) => s.split(arg(0).as_str()).map(Value::from).collect(),
            };
            let limit = int(args.get(1)).map_or(usize::MAX, |n| n.max(0) as usize);
            charge(".split()", parts.len().saturating_mul(32))?;
            Value::from(parts.into_iter().take(limit).collect::<Vec<_>>())
        }
        _ => return Err(unknown()),
    })
}

fn seq_method(value: &Value, name: &str, args: &[Value]) -> Result<Value, Error> {
    let items: Vec<Value> = value.try_iter()?.collect();
    let len = items.len();
    Ok(match name {
        "join" => {
            let sep = args.first().filter(|v| !v.is_undefined()).map_or_else(|| ",".to_string(), js_string);
            let parts: Vec<String> = items.iter().map(js_string).collect();
            charge(".join()", parts.iter().map(|p| p.len() + sep.len()).sum())?;
            Value::from(parts.join(&sep))
        }
        "includes" => Value::from(args.first().is_some_and(|x| items.iter().any(|i| strict_eq(i, x)))),
        "indexOf" => {
            Value::from(args.first().and_then(|x| items.iter().position(|i| strict_eq(i, x))).map_or(-1, |p| p as i64))
        }
        "at" => {
            let i = int(args.first()).unwrap_or(0);
            let at = if i < 0 { len.checked_sub(i.unsigned_abs() as usize) } else { Some(i as usize) };
            at.and_then(|i| items.get(i).cloned()).unwrap_or(Value::UNDEFINED)
        }
        "slice" => {
            let (a, b) = (index(int(args.first()), len, 0), index(int(args.get(1)), len, len));
            Value::from(if a < b { items[a..b].to_vec() } else { Vec::new() })
        }
        "concat" => {
            let mut out = items;
            for a in args {
                match a.kind() {
                    ValueKind::Seq | ValueKind::Iterable => out.extend(a.try_iter()?),
                    _ => out.push(a.clone()),
                }
            }
            charge(".concat()", out.len().saturating_mul(32))?;
            Value::from(out)
        }
        "reverse" => Value::from(items.into_iter().rev().collect::<Vec<_>>()),
        _ => return Err(unknown()),
    })
}

fn map_method(value: &Value, name: &str, args: &[Value]) -> Result<Value, Error> {
    let keys: Vec<Value> = value.try_iter()?.collect();
    Ok(match name {
        "get" => {
            let v = args.first().map(|k| value.get_item(k).unwrap_or(Value::UNDEFINED)).unwrap_or(Value::UNDEFINED);
            if v.is_undefined() { args.get(1).cloned().unwrap_or(Value::UNDEFINED) } else { v }
        }
        "has_key" => Value::from(args.first().is_some_and(|k| value.get_item(k).is_ok_and(|v| !v.is_undefined()))),
        "keys" => Value::from(keys),
        "values" => Value::from(keys.iter().map(|k| value.get_item(k).unwrap_or_default()).collect::<Vec<_>>()),
        "items" => Value::from(
            keys.iter()
                .map(|k| Value::from(vec![k.clone(), value.get_item(k).unwrap_or_default()]))
                .collect::<Vec<_>>(),
        ),
        _ => return Err(unknown()),
    })
}

/// `===`: same kind and value (numbers by value).
fn strict_eq(a: &Value, b: &Value) -> bool {
    match (a.kind(), b.kind()) {
        (ValueKind::Number, ValueKind::Number) => number(a) == number(b),
        (x, y) => x == y && a == b,
    }
}

fn number(v: &Value) -> f64 {
    match v.kind() {
        ValueKind::Number => f64::try_from(v.clone()).unwrap_or(f64::NAN),
        ValueKind::Bool => f64::from(u8::from(v.is_true())),
        ValueKind::None => 0.0,
        ValueKind::String => {
            let t = v.as_str().unwrap_or("").trim();
            if t.is_empty() { 0.0 } else { t.parse().unwrap_or(f64::NAN) }
        }
        _ => f64::NAN,
    }
}

/// JavaScript's `==`.
pub fn loose_eq(a: &Value, b: &Value) -> bool {
    use ValueKind::*;
    let nullish = |v: &Value| matches!(v.kind(), Undefined | None);
    match (a.kind(), b.kind()) {
        _ if nullish(a) || nullish(b) => nullish(a) && nullish(b),
        (x, y) if x == y && !matches!(x, Seq | Iterable | Map) => strict_eq(a, b),
        (Seq | Iterable | Map, Seq | Iterable | Map) => a == b,
        (Seq | Iterable | Map, _) => loose_eq(&Value::from(js_string(a)), b),
        (_, Seq | Iterable | Map) => loose_eq(a, &Value::from(js_string(b))),
        _ => number(a) == number(b),
    }
}

/// An object as `[key, value]` pairs (anything else unchanged), for
/// `{% for k, v in object %}`.
fn pairs(value: Value) -> Result<Value, Error> {
    if value.kind() != ValueKind::Map {
        return Ok(value);
    }
    let keys: Vec<Value> = value.try_iter()?.collect();
    Ok(Value::from(
        keys.iter().map(|k| Value::from(vec![k.clone(), value.get_item(k).unwrap_or_default()])).collect::<Vec<_>>(),
    ))
}

/// nunjucks' `truncate(length=255, killwords=false, end='...')`.
fn truncate(value: Value, length: Option<Value>, killwords: Option<Value>, end: Option<Value>) -> Value {
    let input = if value.is_undefined() || value.is_none() { String::new() } else { js_string(&value) };
    let length = length.and_then(|l| int(Some(&l))).filter(|&l| l > 0).unwrap_or(255) as usize;
    let chars: Vec<char> = input.chars().collect();
    if chars.len() <= length {
        return Value::from(input);
    }
    let cut = if killwords.is_some_and(|k| k.is_true()) {
        length
    } else {
        chars[..=length.min(chars.len() - 1)].iter().rposition(|c| *c == ' ').unwrap_or(length)
    };
    let end = end.filter(|e| !e.is_undefined() && !e.is_none()).map_or_else(|| "...".to_string(), |e| js_string(&e));
    Value::from(format!("{}{end}", chars[..cut].iter().collect::<String>()))
}

#[cfg(test)]
mod tests {
    use super::super::expr::{Engine, Syntax};
    use serde_json::json;

    /// Each expected value was read from nunjitsu 0.6.2 (the backend's
    /// engine) with the same context.
    #[test]
    fn methods_and_equality_follow_nunjitsu() {
        let e = Engine::new(Syntax::Backstage);
        let ctx =
            json!({"p": {"s": "a-b", "n": 2, "owner": "group:default/team", "l": ["x", "y"], "o": {"a": 1, "b": 2}}});
        let cases = [
            ("p.owner.split('/')[1]", json!("team")),
            ("p.s.toUpperCase()", json!("A-B")),
            ("p.l.length", json!(2)),
            ("p.s.length", json!(3)),
            ("p.l.join('-')", json!("x-y")),
            ("3 == '3'", json!(true)),
            ("p.n != '2'", json!(false)),
            ("3 === '3'", json!(false)),
            ("p.s.replace('-', '+')", json!("a+b")),
            ("p.s.split('-')", json!(["a", "b"])),
            ("p.s.startsWith('a')", json!(true)),
            ("p.l.includes('x')", json!(true)),
            ("p.s.slice(1)", json!("-b")),
            ("p.l.indexOf('y')", json!(1)),
            ("p.s.substring(0, 1)", json!("a")),
            ("p.s.charAt(1)", json!("-")),
            ("p.l.concat(['z'])", json!(["x", "y", "z"])),
            ("p.s | truncate(2)", json!("a-...")),
        ];
        for (expr, want) in cases {
            assert_eq!(e.eval(expr, &ctx).unwrap(), Some(want), "{expr}");
        }
        let out = e.render_str("{% for k, v in p.o %}${{ k }}=${{ v }};{% endfor %}", &ctx).unwrap();
        assert_eq!(out, "a=1;b=2;");
        assert_eq!(e.render_str("{% if p.n == '2' %}yes{% endif %}", &ctx).unwrap(), "yes");
        assert!(e.eval("p.s.padStart(5, '0')", &ctx).is_err(), "not in nunjitsu's list");
    }
}
