//! Tests of the YAML loader: positions, core schema, streams, duplicate
//! keys and the node, byte and depth budgets.

use super::*;

fn one(text: &str) -> Node {
    load_single(text, Limits::default()).unwrap().unwrap()
}

#[test]
fn keeps_positions_of_every_node() {
    let node = one("a: 1\nb:\n  - x\n  - y: true\n");
    assert_eq!(node.get("a").unwrap().pos, Pos { line: 1, col: 4 });
    let items = node.get("b").unwrap().as_seq().unwrap();
    assert_eq!(items[1].pos.line, 4);
    assert_eq!(items[1].get("y").unwrap().value, NodeValue::Bool(true));
    assert_eq!(node.entry("b").unwrap().key_pos, Pos { line: 2, col: 1 });
}

#[test]
fn resolves_core_schema_scalars() {
    let node = one("a: 0x1F\nb: 1.5e3\nc: ~\nd: '12'\ne: yes\nf: -7\ng: .5\nh: 1.2.3\n");
    assert_eq!(node.get("a").unwrap().value, NodeValue::Int(31));
    assert_eq!(node.get("b").unwrap().value, NodeValue::Float(1500.0));
    assert_eq!(node.get("c").unwrap().value, NodeValue::Null);
    assert_eq!(node.get("d").unwrap().value, NodeValue::Str("12".into()));
    // YAML 1.2: `yes` is a string, not a boolean.
    assert_eq!(node.get("e").unwrap().value, NodeValue::Str("yes".into()));
    assert_eq!(node.get("f").unwrap().value, NodeValue::Int(-7));
    assert_eq!(node.get("g").unwrap().value, NodeValue::Float(0.5));
    assert_eq!(node.get("h").unwrap().value, NodeValue::Str("1.2.3".into()));
}

#[test]
fn reads_every_document_and_skips_nothing_silently() {
    let stream = load_stream("---\na: 1\n---\n---\n~\n---\n- x\n", Limits::default());
    assert!(stream.error.is_none());
    assert_eq!(stream.documents.len(), 4);
    assert!(stream.documents[1].root.is_none());
    assert!(stream.documents[2].root.is_none());
    assert_eq!(stream.documents[3].pos.line, 6);
}

#[test]
fn duplicate_keys_are_errors_with_position() {
    let stream = load_stream("a: 1\nb: 2\na: 3\n", Limits::default());
    let error = stream.error.unwrap();
    assert_eq!(error.pos.line, 3);
    assert!(error.message.contains("duplicate key `a`"));
}

#[test]
fn merge_keys_are_plain_keys() {
    let node = one("base: &b {x: 1}\nother:\n  <<: *b\n");
    let other = node.get("other").unwrap();
    assert!(other.get("<<").is_some());
    assert!(other.get("x").is_none());
}

#[test]
fn unknown_tags_are_tolerated() {
    let node = one("f: !!python/name:materialx.emoji.twemoji\ng: !Ref thing\n");
    assert_eq!(node.get("f").unwrap().as_str(), Some(""));
    assert_eq!(node.get("g").unwrap().as_str(), Some("thing"));
}

#[test]
fn alias_bombs_are_refused() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
        ));
    }
    let stream = load_stream(&text, Limits::default());
    assert!(stream.error.unwrap().message.contains("alias bomb"));
}

#[test]
fn one_big_scalar_aliased_many_times_is_refused_by_bytes() {
    // 1 MiB anchored once, aliased 2,000 times: few nodes, 2 GB of text.
    let mut text = format!("big: &b {}\nrefs:\n", "x".repeat(1024 * 1024));
    for _ in 0..2000 {
        text.push_str("  - *b\n");
    }
    let error = load_stream(&text, Limits::default()).error.unwrap();
    assert!(error.message.contains("more than 64 MiB"), "{error}");
    // The same file with a handful of aliases reads.
    let few = format!("big: &b {}\nrefs: [*b, *b]\n", "x".repeat(1024 * 1024));
    assert!(load_stream(&few, Limits::default()).error.is_none());
}

#[test]
fn the_byte_budget_counts_plain_text_too() {
    let limits = Limits { max_bytes: 1000, ..Limits::default() };
    let error = load_stream(&format!("a: {}\n", "y".repeat(2000)), limits).error.unwrap();
    assert!(error.message.contains("more than 1000 bytes"), "{error}");
    assert!(load_stream("a: b\n", limits).error.is_none());
}

#[test]
fn duplicate_keys_are_found_in_large_mappings() {
    let mut text: String = (0..5000).map(|i| format!("k{i}: {i}\n")).collect();
    assert!(load_stream(&text, Limits::default()).error.is_none());
    text.push_str("k4321: again\n");
    let error = load_stream(&text, Limits::default()).error.unwrap();
    assert_eq!(error.pos.line, 5001);
    assert!(error.message.contains("duplicate key `k4321`"), "{error}");
}

#[test]
fn deep_nesting_is_bounded() {
    // Our own limit (64) and the parser's recursion limit both stop it.
    for depth in [100, 5000] {
        let text = "[".repeat(depth) + &"]".repeat(depth);
        let error = load_stream(&text, Limits::default()).error.unwrap();
        assert!(error.message.contains("nesting") || error.message.contains("recursion"), "{error}");
    }
}

#[test]
fn syntax_errors_name_the_line() {
    let stream = load_stream("a: 1\nb: [unclosed\nc: 2\n", Limits::default());
    assert!(stream.error.unwrap().pos.line >= 2);
}

#[test]
fn converts_to_json_in_order() {
    let node = one("z: 1\na: [true, null, 'x']\n");
    assert_eq!(node.into_json().to_string(), r#"{"z":1,"a":[true,null,"x"]}"#);
}
