//! `stagehand mcp` driven over stdio like an agent drives it: initialize,
//! tools/list, a call of every tool on the demo catalog (each answer
//! snapshotted), resources, errors, paging, sanitizing, the opt-in write
//! tool; and the official MCP Inspector's CLI as a real client.

mod common;
mod common_mcp;

use common::Sandbox;
use common_mcp::Client;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

impl Sandbox {
    /// The binary with `args`, in the sandbox.
    fn binary(&self, args: &[&str]) -> Command {
        let mut cmd = self.command();
        cmd.args(args);
        cmd
    }

    /// Replaces the sandbox's path in snapshots.
    fn settings(&self) -> insta::Settings {
        let mut s = insta::Settings::clone_current();
        let root = self.tmp.path().canonicalize().unwrap();
        s.add_filter(&regex::escape(&root.display().to_string()), "[SANDBOX]");
        s.add_filter(&regex::escape(&self.tmp.path().display().to_string()), "[SANDBOX]");
        s.add_filter(r"/demo/[0-9a-f]{12}/", "/demo/[HASH]/");
        s
    }
}

/// The text content of a tool result.
fn text_of(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or_default()
}

/// A tool result as a snapshot: the text as it reads, then the structured content.
fn shown(result: &Value) -> String {
    format!(
        "isError: {}\n--- text ---\n{}\n--- structuredContent ---\n{}\n",
        result["isError"],
        text_of(result),
        serde_json::to_string_pretty(&result["structuredContent"]).unwrap()
    )
}

const TOOLS: [&str; 14] = [
    "docs_page",
    "docs_search",
    "get_entity",
    "graph",
    "health",
    "list_templates",
    "members",
    "owned_by",
    "owners",
    "search",
    "template_parameters",
    "validate",
    "scaffold",
    "run_action",
];

fn tool_names(client: &mut Client) -> Vec<String> {
    let list = client.request("tools/list", json!({}));
    let mut names: Vec<String> =
        list["result"]["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_string()).collect();
    names.sort();
    names
}

#[test]
fn every_tool_answers_on_the_demo() {
    let sandbox = Sandbox::new();
    let mut client = Client::start(sandbox.binary(&["--demo", "mcp"]));
    let instructions = client.init["result"]["instructions"].as_str().unwrap();
    assert!(instructions.contains("offline") && !instructions.contains("Writes are allowed"), "{instructions}");
    let list = client.request("tools/list", json!({}));
    insta::assert_snapshot!("tools_list", serde_json::to_string_pretty(&list["result"]).unwrap());
    let tools = list["result"]["tools"].as_array().unwrap();
    for tool in tools {
        let name = tool["name"].as_str().unwrap();
        assert_eq!(tool["inputSchema"]["type"], "object", "{name}");
        assert_eq!(tool["outputSchema"]["type"], "object", "{name}");
        assert_eq!(tool["annotations"]["readOnlyHint"], true, "{name} is read-only");
    }
    let mut names = tool_names(&mut client);
    names.sort();
    let mut read_only: Vec<&str> = TOOLS[..12].to_vec();
    read_only.sort();
    assert_eq!(names, read_only, "without --allow-writes only the read-only tools");

    let calls: [(&str, &str, Value); 15] = [
        ("search", "search", json!({"query": "payments", "limit": 5})),
        ("search_facets", "search", json!({"query": "kind:api owner:team-billing"})),
        ("get_entity", "get_entity", json!({"ref": "payment-adapter"})),
        ("owners", "owners", json!({"ref": "component:payment-adapter"})),
        ("owned_by", "owned_by", json!({"ref": "team-billing", "transitive": true})),
        ("members", "members", json!({"group": "team-billing"})),
        ("graph_text", "graph", json!({"ref": "payment-adapter", "depth": 2})),
        (
            "graph_mermaid",
            "graph",
            json!({"ref": "payment-adapter", "relations": ["ownedBy", "dependsOn"], "format": "mermaid"}),
        ),
        ("health", "health", json!({})),
        ("docs_page", "docs_page", json!({"ref": "shipment-tracker"})),
        ("docs_page_named", "docs_page", json!({"ref": "shipment-tracker", "page": "operations/runbook.md"})),
        ("docs_search", "docs_search", json!({"term": "deploy"})),
        (
            "validate",
            "validate",
            json!({"yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: Bad Name\nspec:\n  type: service\n  owner: team-a\n"}),
        ),
        ("list_templates", "list_templates", json!({})),
        ("template_parameters", "template_parameters", json!({"template": "go-service"})),
    ];
    let settings = sandbox.settings();
    for (snapshot, tool, arguments) in calls {
        let result = client.call(tool, arguments.clone());
        assert_eq!(result["isError"], false, "{tool} {arguments}: {result}");
        settings.bind(|| insta::assert_snapshot!(snapshot, shown(&result)));
    }
}

#[test]
fn errors_carry_the_cli_messages() {
    let sandbox = Sandbox::new();
    let mut client = Client::start(sandbox.binary(&["--demo", "mcp"]));
    let unknown = client.call("get_entity", json!({"ref": "payment-adaptr"}));
    assert_eq!(unknown["isError"], true);
    assert!(text_of(&unknown).starts_with("no entity `payment-adaptr`; did you mean: "), "{unknown}");
    assert!(text_of(&unknown).contains("component:default/payment-adapter"), "{unknown}");
    let cli = sandbox.binary(&["--demo", "show", "payment-adaptr"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&cli.stderr).trim(), format!("error: {}", text_of(&unknown)));

    let not_a_group = client.call("members", json!({"group": "payment-adapter"}));
    assert_eq!(text_of(&not_a_group), "component:default/payment-adapter is a Component, not a group");

    let no_docs = client.call("docs_page", json!({"ref": "team-billing"}));
    assert_eq!(no_docs["isError"], true, "{no_docs}");
    let cli = sandbox.binary(&["--demo", "docs", "team-billing"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&cli.stderr).trim(), format!("error: {}", text_of(&no_docs)));

    let bad_args = client.call("search", json!({"limit": 3}));
    assert_eq!(bad_args["isError"], true, "a missing argument is a tool error: {bad_args}");
    assert!(text_of(&bad_args).contains("query"), "{bad_args}");

    let no_tool = client.request("tools/call", json!({"name": "delete_everything", "arguments": {}}));
    assert_eq!(no_tool["error"]["code"], -32602, "{no_tool}");
    assert_eq!(no_tool["error"]["message"], "tool not found", "{no_tool}");

    let scaffold = client.request("tools/call", json!({"name": "scaffold", "arguments": {}}));
    assert!(scaffold.get("error").is_some(), "no write tool without --allow-writes: {scaffold}");

    let bad_uri = client.request("resources/read", json!({"uri": "stagehand://entity/component/default/nope"}));
    assert_eq!(bad_uri["error"]["code"], -32002, "{bad_uri}");
    assert!(bad_uri["error"]["message"].as_str().unwrap().starts_with("no entity `component:default/nope`"));
}

#[test]
fn without_an_index_the_agent_is_told_what_to_run() {
    let sandbox = Sandbox::new();
    let mut client = Client::start(sandbox.binary(&["mcp"]));
    let search = client.call("search", json!({"query": "x"}));
    assert_eq!(search["isError"], true);
    assert!(text_of(&search).starts_with("no index at "), "{search}");
    assert!(text_of(&search).contains("run `stagehand config init`, then `stagehand sync`"), "{search}");
    let validate = client.call("validate", json!({"yaml": "kind: Component\n"}));
    assert_eq!(validate["isError"], false, "validate needs no index: {validate}");
}

#[test]
fn long_answers_page_with_a_continuation() {
    let sandbox = Sandbox::new();
    let mut client = Client::start(sandbox.binary(&["--demo", "mcp"]));
    let first = client.call("search", json!({"query": "a", "limit": 4}));
    let hits = first["structuredContent"]["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 4);
    assert_eq!(first["structuredContent"]["nextOffset"], 4);
    assert!(text_of(&first).ends_with("(more results: call again with offset=4)\n"), "{first}");
    let second = client.call("search", json!({"query": "a", "limit": 4, "offset": 4}));
    let all = client.call("search", json!({"query": "a", "limit": 8}));
    let refs = |v: &Value, key: &str| -> Vec<Value> {
        v["structuredContent"][key].as_array().unwrap().iter().map(|h| h["ref"].clone()).collect()
    };
    let mut paged = refs(&first, "hits");
    paged.extend(refs(&second, "hits"));
    assert_eq!(paged, refs(&all, "hits"), "two pages are the first eight");

    let health = client.call("health", json!({"limit": 1}));
    assert_eq!(health["structuredContent"]["issues"].as_array().unwrap().len(), 1);
    assert!(health["structuredContent"]["total"].as_u64().unwrap() > 1);
    assert_eq!(health["structuredContent"]["nextOffset"], 1);
}

#[test]
fn resources_list_and_read() {
    let sandbox = Sandbox::new();
    let mut client = Client::start(sandbox.binary(&["--demo", "mcp"]));
    let list = client.request("resources/list", json!({}));
    let resources = list["result"]["resources"].as_array().unwrap();
    let uris: Vec<&str> = resources.iter().map(|r| r["uri"].as_str().unwrap()).collect();
    assert!(uris.contains(&"stagehand://entity/component/default/payment-adapter"), "{uris:?}");
    assert!(uris.contains(&"stagehand://docs/component/default/shipment-tracker"), "{uris:?}");
    assert!(!uris.contains(&"stagehand://docs/group/default/team-billing"), "only entities with docs");
    let templates = client.request("resources/templates/list", json!({}));
    let patterns: Vec<&str> = templates["result"]["resourceTemplates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["uriTemplate"].as_str().unwrap())
        .collect();
    assert_eq!(
        patterns,
        ["stagehand://entity/{kind}/{namespace}/{name}", "stagehand://docs/{kind}/{namespace}/{name}/{+page}"]
    );

    let entity =
        client.request("resources/read", json!({"uri": "stagehand://entity/component/default/payment-adapter"}));
    let contents = &entity["result"]["contents"][0];
    assert_eq!(contents["mimeType"], "application/json");
    let body: Value = serde_json::from_str(contents["text"].as_str().unwrap()).unwrap();
    let tool = client.call("get_entity", json!({"ref": "component:default/payment-adapter"}));
    assert_eq!(body, tool["structuredContent"], "the resource is what get_entity returns");

    let page = client.request(
        "resources/read",
        json!({"uri": "stagehand://docs/component/default/shipment-tracker/operations/runbook.md"}),
    );
    let contents = &page["result"]["contents"][0];
    assert_eq!(contents["mimeType"], "text/markdown");
    let tool = client.call("docs_page", json!({"ref": "shipment-tracker", "page": "operations/runbook.md"}));
    assert_eq!(contents["text"], tool["structuredContent"]["markdown"]);
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn catalog_text_reaches_the_agent_sanitized() {
    let sandbox = Sandbox::new();
    let catalog = sandbox.path("catalog");
    write(
        &catalog.join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: sneaky\n  \
         description: \"calm \\e]0;owned\\a words \\u009b31m red \\u202e reversed\"\n\
         spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
    );
    write(
        &sandbox.path("config/stagehand/config.yaml"),
        &format!("sources:\n  - name: local\n    dir: {}\n", catalog.display()),
    );
    let sync = sandbox.binary(&["sync"]).output().unwrap();
    assert!(sync.status.success(), "{}", String::from_utf8_lossy(&sync.stderr));
    let mut client = Client::start(sandbox.binary(&["mcp"]));
    for (tool, args) in [("search", json!({"query": "sneaky"})), ("get_entity", json!({"ref": "sneaky"}))] {
        let result = client.call(tool, args);
        let wire = result.to_string();
        let decoded = format!("{}{}", text_of(&result), result["structuredContent"]);
        for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(!decoded.contains(bad), "{tool}: {bad:?} reached the agent: {wire}");
        }
        assert!(decoded.contains("calm ␛]0;owned␇ words"), "{tool}: {decoded}");
    }
}

#[test]
fn a_sync_is_seen_without_a_restart() {
    let sandbox = Sandbox::new();
    let catalog = sandbox.path("catalog");
    let component = |name: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n\
             spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
        )
    };
    write(&catalog.join("catalog-info.yaml"), &component("first-service"));
    write(
        &sandbox.path("config/stagehand/config.yaml"),
        &format!("sources:\n  - name: local\n    dir: {}\n", catalog.display()),
    );
    assert!(sandbox.binary(&["sync"]).output().unwrap().status.success());
    let mut client = Client::start(sandbox.binary(&["mcp"]));
    assert_eq!(client.call("get_entity", json!({"ref": "first-service"}))["isError"], false);
    assert_eq!(client.call("get_entity", json!({"ref": "second-service"}))["isError"], true);
    write(&catalog.join("catalog-info.yaml"), &component("second-service"));
    assert!(sandbox.binary(&["sync"]).output().unwrap().status.success());
    let after = client.call("get_entity", json!({"ref": "second-service"}));
    assert_eq!(after["isError"], false, "the new index is read: {after}");
}

#[test]
fn scaffold_needs_allow_writes_and_dry_runs_by_default() {
    let sandbox = Sandbox::new();
    let mut client = Client::start(sandbox.binary(&["--demo", "mcp", "--allow-writes"]));
    let instructions = client.init["result"]["instructions"].as_str().unwrap();
    assert!(instructions.contains("Writes are allowed: scaffold"), "{instructions}");
    let mut all: Vec<&str> = TOOLS.to_vec();
    all.sort();
    assert_eq!(tool_names(&mut client), all);
    let values = json!({"name": "pickup-planner", "owner": "group:default/team-billing", "repoUrl": "github.com?owner=lumen-freight&repo=pickup-planner"});
    let missing = client.call("scaffold", json!({"template": "go-service", "values": {}, "output_dir": "out"}));
    assert_eq!(missing["isError"], true);
    assert!(text_of(&missing).starts_with("missing or invalid values for template:default/go-service:"), "{missing}");
    assert!(text_of(&missing).contains("see the template_parameters tool"), "{missing}");

    let dry = client.call("scaffold", json!({"template": "go-service", "values": values, "output_dir": "out"}));
    assert_eq!(dry["isError"], false, "{dry}");
    assert_eq!(dry["structuredContent"]["dryRun"], true);
    let files = dry["structuredContent"]["files"].as_array().unwrap();
    assert!(files.iter().any(|f| f["path"] == "catalog-info.yaml"), "{dry}");
    assert!(!sandbox.path("work/out").exists(), "a dry run writes nothing");
    sandbox.settings().bind(|| insta::assert_snapshot!("scaffold_dry_run", shown(&dry)));

    let real = client
        .call("scaffold", json!({"template": "go-service", "values": values, "output_dir": "out", "dry_run": false}));
    assert_eq!(real["isError"], false, "{real}");
    assert!(sandbox.path("work/out/catalog-info.yaml").is_file(), "{real}");
    let again = client
        .call("scaffold", json!({"template": "go-service", "values": values, "output_dir": "out", "dry_run": false}));
    assert_eq!(again["isError"], true, "a non-empty folder needs overwrite: {again}");
}

/// The MCP Inspector's CLI, installed by `.ci/run` into this cache folder.
fn inspector() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from)?;
    let bin = home.join(".cache/stagehand-mcp-inspector/node_modules/.bin/mcp-inspector");
    bin.is_file().then_some(bin)
}

#[test]
fn the_mcp_inspector_lists_tools_and_searches() {
    let Some(inspector) = inspector() else {
        eprintln!(
            "SKIP the_mcp_inspector_lists_tools_and_searches: the MCP Inspector is not installed \
             (.ci/run installs it into ~/.cache/stagehand-mcp-inspector when node is there)"
        );
        return;
    };
    let sandbox = Sandbox::new();
    let run = |extra: &[&str]| -> Value {
        let mut cmd = Command::new(&inspector);
        cmd.args(["--cli", env!("CARGO_BIN_EXE_stagehand"), "--demo", "mcp"]).args(extra);
        for (k, v) in ["config", "cache", "data"].map(|d| (format!("XDG_{}_HOME", d.to_uppercase()), sandbox.path(d))) {
            cmd.arg("-e").arg(format!("{k}={}", v.display()));
        }
        let output = cmd.env("HOME", std::env::var_os("HOME").unwrap()).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "inspector {extra:?}: {stdout}\n{}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("inspector {extra:?} printed no JSON ({e}): {stdout}"))
    };
    let list = run(&["--method", "tools/list"]);
    let mut names: Vec<&str> = list["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort();
    let mut read_only: Vec<&str> = TOOLS[..12].to_vec();
    read_only.sort();
    assert_eq!(names, read_only);
    // The inspector checks structured content against each output schema.
    let search = run(&["--method", "tools/call", "--tool-name", "search", "--tool-arg", "query=payments"]);
    assert_eq!(search["isError"], false, "{search}");
    assert_eq!(search["structuredContent"]["hits"][0]["ref"], "component:default/payment-adapter", "{search}");
    let entity = run(&["--method", "tools/call", "--tool-name", "get_entity", "--tool-arg", "ref=payment-adapter"]);
    assert_eq!(entity["structuredContent"]["ref"], "component:default/payment-adapter", "{entity}");
}
