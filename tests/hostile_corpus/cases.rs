//! The catalog cases: broken YAML, names past their limits, Location
//! targets, wrong types for every kind's spec fields, and files (symlinks,
//! huge files) generated here.

use std::path::Path;

use super::{Case, Want, case, component, entity, error, warning};

/// Every built-in kind with a valid spec, as `(kind, apiVersion, spec lines)`.
/// A kind, its apiVersion and its spec fields with good values.
type KindSpec = (&'static str, &'static str, Vec<(&'static str, &'static str)>);

fn kinds() -> Vec<KindSpec> {
    let v1 = "backstage.io/v1alpha1";
    vec![
        (
            "Component",
            v1,
            vec![
                ("type", "service"),
                ("lifecycle", "production"),
                ("owner", "team-a"),
                ("system", "sys"),
                ("subcomponentOf", "other"),
                ("providesApis", "[a]"),
                ("consumesApis", "[a]"),
                ("dependsOn", "[resource:db]"),
                ("dependencyOf", "[component:x]"),
            ],
        ),
        (
            "API",
            v1,
            vec![
                ("type", "openapi"),
                ("lifecycle", "production"),
                ("owner", "team-a"),
                ("definition", "'openapi: 3.0.0'"),
                ("system", "sys"),
            ],
        ),
        (
            "Resource",
            v1,
            vec![
                ("type", "database"),
                ("owner", "team-a"),
                ("system", "sys"),
                ("dependsOn", "[resource:db]"),
                ("dependencyOf", "[component:x]"),
            ],
        ),
        ("System", v1, vec![("owner", "team-a"), ("domain", "dom"), ("type", "product")]),
        ("Domain", v1, vec![("owner", "team-a"), ("subdomainOf", "dom"), ("type", "area")]),
        (
            "Group",
            v1,
            vec![
                ("type", "team"),
                ("children", "[]"),
                ("profile", "{displayName: X}"),
                ("parent", "org"),
                ("members", "[jane]"),
            ],
        ),
        ("User", v1, vec![("memberOf", "[team-a]"), ("profile", "{email: a@b.c}")]),
        ("Location", v1, vec![("type", "url"), ("target", "https://example.com/a.yaml"), ("presence", "optional")]),
        (
            "Template",
            "scaffolder.backstage.io/v1beta3",
            vec![
                ("type", "service"),
                ("steps", "[{id: a, action: debug:log, input: {message: hi}}]"),
                ("parameters", "[{properties: {}}]"),
                ("output", "{links: []}"),
                ("owner", "team-a"),
                ("lifecycle", "production"),
            ],
        ),
    ]
}

/// A value of the wrong type for a field whose right value is `good`.
fn wrong_value(good: &str) -> &'static str {
    if good.starts_with("[{") {
        // A list of mappings (or one mapping) is right: a number is not.
        "42"
    } else if good.starts_with('[') {
        "{not: a-list}"
    } else if good.starts_with('{') {
        "[not, a, map]"
    } else {
        "{not: a-string}"
    }
}

pub(crate) fn wrong_type_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (kind, api_version, fields) in kinds() {
        for (i, (field, _)) in fields.iter().enumerate() {
            let name = format!("wrong-{}-{}", kind.to_lowercase(), field.to_lowercase());
            let mut spec = String::new();
            for (j, (f, good)) in fields.iter().enumerate() {
                let value = if i == j { wrong_value(good) } else { good };
                spec.push_str(&format!("  {f}: {value}\n"));
            }
            let text = format!("apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n{spec}");
            cases.push(case(&name, text, vec![error(true, &[&format!("spec.{field}")])]));
        }
    }
    cases
}

pub(crate) fn syntax_cases() -> Vec<Case> {
    let deep_flow = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: deep\n  x: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let mut deep_block =
        String::from("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: deepblock\nspec:\n");
    for d in 0..200 {
        deep_block.push_str(&format!("{}k{d}:\n", "  ".repeat(d + 1)));
    }
    let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        bomb.push_str(&format!("a{i}: &a{i} [{}]\n", [prev.as_str(); 10].join(", ")));
    }
    bomb.push_str("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: bomb}\nspec: *a9\n");
    let many_docs: String = (0..10_000)
        .map(|i| format!("---\napiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {{name: r{i}}}\nspec: {{type: db, owner: team-a}}\n"))
        .collect();
    let mut binary = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    binary.extend((0..4096u32).map(|i| (i * 7 % 256) as u8));
    vec![
        case(
            "malformed-unclosed-flow",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: [unclosed\nspec: {}\n",
            vec![error(true, &[])],
        ),
        case(
            "malformed-bad-indent",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n   title: y\n",
            vec![error(true, &[])],
        ),
        case(
            "malformed-unterminated-quote",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: \"x\n",
            vec![error(true, &[])],
        ),
        case(
            "tabs-indent",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n\tname: tabbed\n",
            vec![error(true, &[])],
        ),
        case(
            "duplicate-keys",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: dup\n  name: dup2\n",
            vec![error(true, &["duplicate"]), Want::NoEntity("dup2".into())],
        ),
        case("deep-nesting-flow", deep_flow, vec![error(true, &["limit"])]),
        case("deep-nesting-block", deep_block, vec![error(true, &["deep"])]),
        case("alias-bomb", bomb, vec![error(true, &[])]),
        case(
            "alias-undefined",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: *nope\n",
            vec![error(true, &[])],
        ),
        case(
            "invalid-utf8",
            b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: caf\xe9\xff\n".to_vec(),
            vec![error(false, &["UTF-8"])],
        ),
        case("binary-named-catalog-info", binary, vec![error(false, &[])]),
        case(
            "utf16-with-bom",
            {
                let mut b = vec![0xFF, 0xFE];
                for u in "apiVersion: backstage.io/v1alpha1\nkind: Component\n".encode_utf16() {
                    b.extend(u.to_le_bytes());
                }
                b
            },
            vec![error(false, &[])],
        ),
        case(
            "nul-bytes",
            b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: n\0ul\n".to_vec(),
            vec![error(false, &[])],
        ),
        case("empty-file", "", vec![Want::Bounded]),
        case("only-comments", "# nothing here\n# at all\n", vec![Want::Bounded]),
        case("top-level-scalar", "just a string\n", vec![error(true, &[])]),
        case("top-level-list", "- apiVersion: backstage.io/v1alpha1\n- kind: Component\n", vec![error(true, &[])]),
        case("null-document", "---\n~\n---\n", vec![Want::Bounded]),
        case(
            "unknown-tags",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: tagged\n  title: !!python/object:os.system rm\nspec:\n  type: !custom service\n  lifecycle: production\n  owner: team-a\n",
            vec![Want::Bounded],
        ),
        case("merge-key", "base: &b {type: service, lifecycle: production, owner: team-a}\n", vec![error(true, &[])]),
        case(
            "good-doc-then-syntax-error",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: before-error}\nspec: {type: s, lifecycle: p, owner: team-a}\n---\nkey: [oops\n",
            // As in Backstage: a file that cannot be used whole stores nothing.
            vec![error(true, &[]), Want::NoEntity("component:default/before-error".into())],
        ),
        case(
            "raw-control-characters",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ctl\n  title: \"a\x1b]0;x\x07b\"\n",
            vec![Want::Bounded],
        ),
        case("ten-thousand-documents", many_docs, vec![entity("resource:default/r9999")]),
        case(
            "missing-kind-and-name",
            "apiVersion: backstage.io/v1alpha1\nmetadata: {}\n",
            vec![error(true, &["kind"])],
        ),
        case("unknown-kind", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n", vec![Want::Bounded]),
        case(
            "kind-not-a-string",
            "apiVersion: backstage.io/v1alpha1\nkind: [Component]\nmetadata: {name: k}\n",
            vec![error(true, &["kind"])],
        ),
        case(
            "metadata-a-list",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: [a]\n",
            vec![error(true, &["metadata"])],
        ),
        case(
            "huge-integer",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: 123456789012345678901234567890123456789\n",
            vec![error(true, &["metadata.name"])],
        ),
    ]
}

pub(crate) fn name_limit_cases() -> Vec<Case> {
    let n63 = format!("a{}", "b".repeat(62));
    let n64 = format!("a{}", "b".repeat(63));
    let prefix253 = {
        // 253 characters of DNS subdomain: labels of 63 joined by dots.
        let label = "p".repeat(63);
        let mut p = [label.as_str(); 4].join(".");
        p.truncate(253);
        p.trim_end_matches('.').to_string()
    };
    assert!(prefix253.len() >= 250);
    let prefix254 = format!("{}q.example", "p".repeat(63)) + &".x".repeat(95);
    let meta = |extra: &str| format!("{extra}\n");
    vec![
        case("name-63", component(&n63, "", ""), vec![entity(&format!("component:default/{n63}"))]),
        case("name-64", component(&n64, "", ""), vec![error(true, &["metadata.name"])]),
        case(
            "namespace-63",
            component("ns63", &meta(&format!("  namespace: {}", "n".repeat(63))), ""),
            vec![entity(&format!("component:{}/ns63", "n".repeat(63)))],
        ),
        case(
            "namespace-64",
            component("ns64", &meta(&format!("  namespace: {}", "n".repeat(64))), ""),
            vec![error(true, &["metadata.namespace"])],
        ),
        case(
            "kind-64",
            format!("apiVersion: backstage.io/v1alpha1\nkind: K{}\nmetadata: {{name: k}}\n", "k".repeat(63)),
            vec![error(true, &["kind"])],
        ),
        case(
            "tag-63",
            component("tag63", &meta(&format!("  tags: [{}]", "t".repeat(63))), ""),
            vec![entity("component:default/tag63")],
        ),
        case(
            "tag-64",
            component("tag64", &meta(&format!("  tags: [{}]", "t".repeat(64))), ""),
            vec![error(true, &["tag"])],
        ),
        case(
            "label-key-63",
            component("lk63", &meta(&format!("  labels: {{{}: v}}", "k".repeat(63))), ""),
            vec![entity("component:default/lk63")],
        ),
        case(
            "label-key-64",
            component("lk64", &meta(&format!("  labels: {{{}: v}}", "k".repeat(64))), ""),
            vec![error(true, &["label"])],
        ),
        case(
            "label-value-63",
            component("lv63", &meta(&format!("  labels: {{k: {}}}", "v".repeat(63))), ""),
            vec![entity("component:default/lv63")],
        ),
        case(
            "label-value-64",
            component("lv64", &meta(&format!("  labels: {{k: {}}}", "v".repeat(64))), ""),
            vec![error(true, &["label"])],
        ),
        case(
            "annotation-prefix-253",
            component("ap253", &meta(&format!("  annotations: {{{prefix253}/key: v}}")), ""),
            vec![entity("component:default/ap253")],
        ),
        case(
            "annotation-prefix-254",
            component("ap254", &meta(&format!("  annotations: {{{prefix254}/key: v}}")), ""),
            vec![error(true, &["annotation"])],
        ),
        case(
            "annotation-name-64",
            component("an64", &meta(&format!("  annotations: {{example.com/{}: v}}", "a".repeat(64))), ""),
            vec![error(true, &["annotation"])],
        ),
        case(
            "label-prefix-254",
            component("lp254", &meta(&format!("  labels: {{{prefix254}/key: v}}")), ""),
            vec![error(true, &["label"])],
        ),
    ]
}

pub(crate) fn location_cases() -> Vec<Case> {
    let loc = |name: &str, spec: &str| {
        format!("apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {{name: {name}}}\nspec:\n{spec}")
    };
    let mut fanout = Case {
        name: "location-fanout-10000".into(),
        files: vec![],
        links: vec![],
        want: vec![entity("resource:default/fan-9999"), entity("resource:default/fan-0")],
    };
    let mut targets = String::from("  targets:\n");
    for i in 0..10_000 {
        targets.push_str(&format!("    - ./many/r{i}.yaml\n"));
        fanout.files.push((
            format!("many/r{i}.yaml"),
            format!("apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {{name: fan-{i}}}\nspec: {{type: db, owner: team-a}}\n").into_bytes(),
        ));
    }
    fanout.files.push(("catalog-info.yaml".into(), loc("fanout", &targets).into_bytes()));
    let mut missing = String::from("  targets:\n");
    for i in 0..10_000 {
        missing.push_str(&format!("    - ./nowhere/r{i}.yaml\n"));
    }
    let mut cycle = case("location-cycle", loc("cycle-a", "  target: ./b.yaml\n"), vec![warning(false, &["cycle"])]);
    cycle.files.push(("b.yaml".into(), loc("cycle-b", "  target: ./catalog-info.yaml\n").into_bytes()));
    vec![
        fanout,
        case("location-fanout-10000-missing", loc("missing", &missing), vec![error(false, &["nowhere"])]),
        cycle,
        case("location-self", loc("self", "  target: ./catalog-info.yaml\n"), vec![Want::Bounded]),
        case(
            "location-outside-root",
            loc("out", "  target: ../../../../../../etc/passwd\n"),
            vec![error(true, &["leaves the source root"]), Want::NoEntity("location:default/out".into())],
        ),
        case(
            "location-absolute",
            loc("abs", "  target: /etc/passwd\n"),
            vec![error(true, &["leaves the source root"]), Want::NoEntity("location:default/abs".into())],
        ),
        case("location-glob-everything", loc("glob", "  target: ./**/*\n"), vec![Want::Bounded]),
        case(
            "placeholder-text-outside",
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: escaper}\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ../../../../etc/passwd\n",
            vec![error(true, &["$text"])],
        ),
        case(
            "placeholder-json-invalid",
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: badjson}\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $json: ./catalog-info.yaml\n",
            vec![error(true, &["$json"])],
        ),
        case(
            "placeholder-yaml-self",
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: selfyaml}\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $yaml: ./catalog-info.yaml\n",
            vec![Want::Bounded],
        ),
    ]
}

pub(crate) fn file_cases(outside: &Path) -> Vec<Case> {
    std::fs::write(outside.join("secret.yaml"), component("outside-secret", "", "")).unwrap();
    let mut loop_case =
        case("symlink-loop", component("loop-owner", "", ""), vec![entity("component:default/loop-owner")]);
    loop_case.links.push(("sub/back".into(), "../..".into()));
    loop_case.links.push(("self".into(), ".".into()));
    let mut out_file = Case {
        name: "symlink-file-out".into(),
        files: vec![],
        links: vec![],
        want: vec![Want::NoEntity("outside-secret".into())],
    };
    out_file.links.push(("catalog-info.yaml".into(), outside.join("secret.yaml").display().to_string()));
    let mut out_dir = Case {
        name: "symlink-dir-out".into(),
        files: vec![],
        links: vec![],
        want: vec![Want::NoEntity("outside-secret".into())],
    };
    out_dir.links.push(("escape".into(), outside.display().to_string()));
    let mut dangling =
        Case { name: "symlink-dangling".into(), files: vec![], links: vec![], want: vec![Want::Bounded] };
    dangling.links.push(("catalog-info.yaml".into(), "./does-not-exist.yaml".into()));
    let mut big =
        Case { name: "file-100mb".into(), files: vec![], links: vec![], want: vec![error(false, &["byte limit"])] };
    let mut bytes = component("huge", "", "").into_bytes();
    bytes.extend(std::iter::repeat_n(b'#', 100 * 1024 * 1024));
    big.files.push(("catalog-info.yaml".into(), bytes));
    let line = "x".repeat(1024 * 1024);
    vec![
        loop_case,
        out_file,
        out_dir,
        dangling,
        big,
        case(
            "one-mb-line",
            component("long-line", &format!("  description: {line}\n"), ""),
            vec![entity("component:default/long-line")],
        ),
        case("one-mb-line-garbage", format!("{line}: [{line}"), vec![error(true, &[])]),
        case(
            "one-mb-key",
            format!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: k\n  {line}: v\n"),
            vec![Want::Bounded],
        ),
    ]
}
