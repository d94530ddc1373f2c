//! `+` and `~` as checked calls.
//!
//! minijinja joins strings and lists for `+` and `~` in one instruction
//! with no size check, so a doubling loop (`{% set ns.x = ns.x ~ ns.x %}`)
//! reaches gigabytes in 40 steps. Each `a + b` becomes
//! `__stagehand_add(a, b)` and each `a ~ b` becomes `__stagehand_cat(a, b)`
//! ([`super::budget`]), found by a small precedence parser over the tokens
//! of an expression or block tag, with the precedence nunjitsu (the
//! backend's engine) and minijinja share: `~` binds more tightly than `+`
//! and `-` (`'v' ~ 1 + 2` is `v12`); `+` follows JavaScript (`'a' + 1` is
//! `a1`).
//!
//! Statement words (`set x =`, `for k, v in`) are not expressions; the
//! parser starts again after anything it cannot read, so only real
//! operands are ever wrapped.

use super::budget::{ADD, CONCAT};
use super::methods::{LOOSE_EQ, LOOSE_NE};
use super::multiply::{Kind, Token, tokenize};

/// Most `+`/`~` rewritten in one expression (each nests a call).
pub const MAX_OPERATORS: usize = 48;

const KEYWORDS: [&str; 7] = ["in", "and", "or", "not", "if", "else", "is"];

/// One operator to rewrite: the first token of its left operand, the
/// operator token, the last token of its right operand.
#[derive(Debug, Clone, Copy)]
struct Op {
    left: usize,
    op: usize,
    right: usize,
    function: &'static str,
}

struct Parser<'a> {
    text: &'a str,
    tokens: &'a [Token],
    partner: &'a [Option<usize>],
    pos: usize,
    end: usize,
    ops: Vec<Op>,
    /// Bracket interiors met on the way, read afterwards.
    groups: Vec<(usize, usize)>,
}

impl Parser<'_> {
    fn text_of(&self, i: usize) -> &str {
        if i >= self.end {
            return "";
        }
        self.tokens.get(i).map_or("", |t| &self.text[t.start..t.end])
    }

    fn kind(&self, i: usize) -> Option<Kind> {
        if i >= self.end { None } else { self.tokens.get(i).map(|t| t.kind) }
    }

    fn is_op(&self, ops: &[&str]) -> bool {
        self.kind(self.pos) == Some(Kind::Op) && ops.contains(&self.text_of(self.pos))
    }

    fn is_word(&self, word: &str) -> bool {
        self.kind(self.pos) == Some(Kind::Name) && self.text_of(self.pos) == word
    }

    /// Skips the bracket group opening at `pos`, remembering its interior.
    fn group(&mut self) -> Option<usize> {
        let close = self.partner[self.pos].filter(|&c| c < self.end)?;
        self.groups.push((self.pos + 1, close));
        self.pos = close + 1;
        Some(close)
    }

    /// Parses an expression; its last token.
    fn expr(&mut self) -> Option<usize> {
        let mut last = self.binary(Self::or_expr, &[], &["if"], &[])?;
        while self.is_word("else") {
            let saved = (self.pos, self.ops.len(), self.groups.len());
            self.pos += 1;
            match self.expr() {
                Some(end) => last = end,
                None => {
                    self.restore(saved);
                    break;
                }
            }
        }
        Some(last)
    }

    fn restore(&mut self, (pos, ops, groups): (usize, usize, usize)) {
        self.pos = pos;
        self.ops.truncate(ops);
        self.groups.truncate(groups);
    }

    /// A left-associative chain of `next` joined by `ops` or `words`;
    /// operators named in `wrap` are recorded.
    fn binary(
        &mut self,
        next: fn(&mut Self) -> Option<usize>,
        ops: &[&str],
        words: &[&str],
        wrap: &[(&str, &'static str)],
    ) -> Option<usize> {
        let start = self.pos;
        let mut last = next(self)?;
        loop {
            let at = self.pos;
            let is_word = words.iter().any(|w| self.is_word(w));
            if !(self.is_op(ops) || is_word) {
                return Some(last);
            }
            let saved = (self.pos, self.ops.len(), self.groups.len());
            self.pos += 1;
            if self.text_of(at) == "not" {
                if !self.is_word("in") {
                    self.restore(saved);
                    return Some(last);
                }
                self.pos += 1;
            }
            match next(self) {
                Some(end) => {
                    if let Some((_, function)) = wrap.iter().find(|(symbol, _)| self.text_of(at) == *symbol) {
                        self.ops.push(Op { left: start, op: at, right: end, function });
                    }
                    last = end;
                }
                None => {
                    self.restore(saved);
                    return Some(last);
                }
            }
        }
    }

    fn or_expr(&mut self) -> Option<usize> {
        self.binary(Self::and_expr, &[], &["or"], &[])
    }

    fn and_expr(&mut self) -> Option<usize> {
        self.binary(Self::not_expr, &[], &["and"], &[])
    }

    fn not_expr(&mut self) -> Option<usize> {
        if self.is_word("not") {
            self.pos += 1;
            return self.not_expr();
        }
        self.compare()
    }

    fn compare(&mut self) -> Option<usize> {
        self.binary(
            Self::sum,
            &["==", "!=", "<", ">", "<=", ">="],
            &["in", "not", LOOSE_EQ, LOOSE_NE],
            &[(LOOSE_EQ, LOOSE_EQ), (LOOSE_NE, LOOSE_NE)],
        )
    }

    fn sum(&mut self) -> Option<usize> {
        self.binary(Self::concat, &["+", "-"], &[], &[("+", ADD)])
    }

    fn concat(&mut self) -> Option<usize> {
        self.binary(Self::product, &["~"], &[], &[("~", CONCAT)])
    }

    fn product(&mut self) -> Option<usize> {
        self.binary(Self::power, &["*", "/", "//", "%"], &[], &[])
    }

    fn power(&mut self) -> Option<usize> {
        self.binary(Self::unary, &["**"], &[], &[])
    }

    fn unary(&mut self) -> Option<usize> {
        while self.is_op(&["-", "+"]) {
            self.pos += 1;
        }
        let mut last = self.primary()?;
        loop {
            if self.is_op(&["."]) && matches!(self.kind(self.pos + 1), Some(Kind::Name | Kind::Number)) {
                self.pos += 2;
                last = self.pos - 1;
            } else if self.kind(self.pos) == Some(Kind::Open) && matches!(self.text_of(self.pos), "(" | "[") {
                last = self.group()?;
            } else if self.is_op(&["|"]) || self.is_word("is") {
                self.pos += 1;
                if self.is_word("not") {
                    self.pos += 1;
                }
                if self.kind(self.pos) != Some(Kind::Name) {
                    return None;
                }
                last = self.pos;
                self.pos += 1;
                if self.text_of(self.pos) == "(" {
                    last = self.group()?;
                }
            } else {
                return Some(last);
            }
        }
    }

    fn primary(&mut self) -> Option<usize> {
        match self.kind(self.pos)? {
            Kind::Open => self.group(),
            Kind::Str => {
                while self.kind(self.pos + 1) == Some(Kind::Str) {
                    self.pos += 1;
                }
                self.pos += 1;
                Some(self.pos - 1)
            }
            Kind::Number => {
                self.pos += 1;
                Some(self.pos - 1)
            }
            Kind::Name if !KEYWORDS.contains(&self.text_of(self.pos)) => {
                self.pos += 1;
                Some(self.pos - 1)
            }
            _ => None,
        }
    }
}

fn partners(tokens: &[Token], text: &str) -> Vec<Option<usize>> {
    let mut partner = vec![None; tokens.len()];
    let mut stack: Vec<usize> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            Kind::Open => stack.push(i),
            Kind::Close => {
                let closes = |o: usize| {
                    matches!(
                        (&text[tokens[o].start..tokens[o].end], &text[t.start..t.end]),
                        ("(", ")") | ("[", "]") | ("{", "}")
                    )
                };
                if let Some(&open) = stack.last()
                    && closes(open)
                {
                    stack.pop();
                    partner[open] = Some(i);
                    partner[i] = Some(open);
                }
            }
            _ => {}
        }
    }
    partner
}

/// Finds every `+` and `~` of the tokens `start..end`.
fn scan(text: &str, tokens: &[Token], partner: &[Option<usize>], start: usize, end: usize, ops: &mut Vec<Op>) {
    let mut ranges = vec![(start, end)];
    while let Some((from, to)) = ranges.pop() {
        let mut i = from;
        while i < to {
            let mut p = Parser { text, tokens, partner, pos: i, end: to, ops: Vec::new(), groups: Vec::new() };
            if p.expr().is_some() && p.pos > i {
                ops.extend(p.ops);
                ranges.extend(p.groups);
                i = p.pos;
            } else if tokens[i].kind == Kind::Open
                && let Some(close) = partner[i].filter(|&c| c < to)
            {
                ranges.push((i + 1, close));
                i = close + 1;
            } else {
                i += 1;
            }
        }
    }
}

/// Rewrites every `a + b` and `a ~ b` of one expression or block tag body
/// to a checked call, and loose `a == b` / `a != b` (marked by
/// [`super::rewrite::rewrite_expression`]) to JavaScript's equality.
pub fn rewrite(text: &str) -> Result<String, String> {
    if !text.contains(['+', '~']) && !text.contains(LOOSE_EQ) && !text.contains(LOOSE_NE) {
        return Ok(text.to_string());
    }
    let tokens = tokenize(text);
    let partner = partners(&tokens, text);
    let mut ops = Vec::new();
    scan(text, &tokens, &partner, 0, tokens.len(), &mut ops);
    if ops.len() > MAX_OPERATORS {
        return Err(format!("more than {MAX_OPERATORS} `+` or `~` in one expression; split it up"));
    }
    // (offset, rank, outer-first key, text): closes, then commas, then opens.
    let mut edits: Vec<(usize, u8, usize, usize, String)> = Vec::new();
    for op in &ops {
        let (l, o, r) = (tokens[op.left], tokens[op.op], tokens[op.right]);
        edits.push((l.start, 2, usize::MAX - r.end, l.start, format!("{}(", op.function)));
        edits.push((o.start, 1, 0, o.end, ",".into()));
        edits.push((r.end, 0, 0, r.end, ")".into()));
    }
    edits.sort_by_key(|e| (e.0, e.1, e.2));
    let mut out = String::with_capacity(text.len() + edits.len() * 16);
    let mut at = 0;
    for (start, _, _, end, insert) in edits {
        out.push_str(&text[at..start]);
        out.push_str(&insert);
        at = end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        rewrite(s).unwrap().replace(ADD, "ADD").replace(CONCAT, "CAT")
    }

    #[test]
    fn operators_become_calls_with_nunjucks_precedence() {
        assert_eq!(r("a ~ b"), "CAT(a , b)");
        assert_eq!(r("a ~ b ~ c"), "CAT(CAT(a , b) , c)");
        assert_eq!(r("'v' ~ 1 + 2"), "ADD(CAT('v' , 1) , 2)");
        assert_eq!(r("a - b + c"), "ADD(a - b , c)");
        assert_eq!(r("a + b - c"), "ADD(a , b) - c");
        assert_eq!(r("x.y[0] | f(1 + 2) ~ z"), "CAT(x.y[0] | f(ADD(1 , 2)) , z)");
        assert_eq!(r("a if b + 1 else c ~ d"), "a if ADD(b , 1) else CAT(c , d)");
        assert_eq!(r("a == b ~ c and not d + e"), "a == CAT(b , c) and not ADD(d , e)");
        assert_eq!(r("'a + b' ~ \"~\""), "CAT('a + b' , \"~\")");
        assert_eq!(r("x not in a + b"), "x not in ADD(a , b)");
    }

    #[test]
    fn statements_keep_their_words() {
        assert_eq!(r(" set ns.x = ns.x ~ ns.x "), " set ns.x = CAT(ns.x , ns.x) ");
        assert_eq!(r("- for k, v in a + b -"), "- for k, v in ADD(a , b) -");
        assert_eq!(r(" set n = namespace(x=a ~ b) "), " set n = namespace(x=CAT(a , b)) ");
        assert_eq!(r("{'k': a ~ b}[c]"), "{'k': CAT(a , b)}[c]");
        assert_eq!(r("a ~"), "a ~");
        assert_eq!(r("loop.index+1"), "ADD(loop.index,1)");
        assert_eq!(r("a~b+c"), "ADD(CAT(a,b),c)");
    }

    #[test]
    fn too_many_operators_are_refused() {
        let long = format!("a{}", " ~ a".repeat(MAX_OPERATORS + 1));
        assert!(rewrite(&long).unwrap_err().contains("split it up"));
    }
}
