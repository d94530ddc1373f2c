//! Graph queries on a large synthetic org, timed with `Instant`: a root
//! group over 10 departments of 10 teams, 5 users per team, and 110
//! components, APIs and resources per team (11,000 owned entities plus a
//! system per team; each department's first team has a dependency
//! cycle). Each query runs many times; the table gives the
//! median and the 95th percentile.
//!
//! `cargo bench --bench graph` (release). With `--test` (as `cargo test
//! --benches` passes) every query runs once, as a smoke test.

use std::collections::HashSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use stagehand::index::Index;
use stagehand::index::build::{SourceInput, build};
use stagehand::index::graph::{self, GraphOptions, neighbourhood, owner_chain};
use stagehand::index::graph_tree::{render_text, tree};
use stagehand::index::health::health;
use stagehand::model::Entity;
use stagehand::sources::{ReadEntity, SourceOutput};
use stagehand::tui::screens::entity::GRAPH_PER_NODE;
use stagehand::tui::screens::entity::outline;

const DEPARTMENTS: usize = 10;
const TEAMS_PER_DEPARTMENT: usize = 10;
const USERS_PER_TEAM: usize = 5;
const COMPONENTS_PER_TEAM: usize = 60;
const APIS_PER_TEAM: usize = 25;
const RESOURCES_PER_TEAM: usize = 25;

/// One frame at 60 Hz.
const FRAME: Duration = Duration::from_micros(16_667);

fn team_name(d: usize, t: usize) -> String {
    format!("team-{d:02}-{t:02}")
}

fn group(name: &str, kind: &str, parent: Option<&str>, children: Vec<String>, members: Vec<String>) -> Value {
    let mut spec = json!({"type": kind, "children": children, "members": members});
    if let Some(p) = parent {
        spec["parent"] = json!(p);
    }
    json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": {"name": name}, "spec": spec})
}

/// The synthetic org as entity JSON.
fn org() -> Vec<Value> {
    let mut out = Vec::new();
    let departments: Vec<String> = (0..DEPARTMENTS).map(|d| format!("dept-{d:02}")).collect();
    out.push(group("org", "organization", None, departments.clone(), Vec::new()));
    for (d, dept) in departments.iter().enumerate() {
        let teams: Vec<String> = (0..TEAMS_PER_DEPARTMENT).map(|t| team_name(d, t)).collect();
        out.push(group(dept, "department", Some("org"), teams.clone(), Vec::new()));
        for team in &teams {
            let users: Vec<String> = (0..USERS_PER_TEAM).map(|u| format!("{team}-user-{u}")).collect();
            out.push(group(team, "team", Some(dept), Vec::new(), users.clone()));
            for user in &users {
                out.push(json!({
                    "apiVersion": "backstage.io/v1alpha1",
                    "kind": "User",
                    "metadata": {"name": user},
                    "spec": {"profile": {"displayName": user, "email": format!("{user}@example.com")}, "memberOf": [team]},
                }));
            }
            out.push(json!({
                "apiVersion": "backstage.io/v1alpha1",
                "kind": "System",
                "metadata": {"name": format!("{team}-system")},
                "spec": {"owner": team},
            }));
            for c in 0..COMPONENTS_PER_TEAM {
                // A chain of dependencies inside the team, a resource and an API each.
                let mut depends = vec![format!("resource:{team}-res-{:02}", c % RESOURCES_PER_TEAM)];
                if c + 1 < COMPONENTS_PER_TEAM {
                    depends.push(format!("component:{team}-svc-{:02}", c + 1));
                } else if team.ends_with("-00") {
                    // The first team of each department closes its chain: a
                    // 60-component dependency cycle for health to find.
                    depends.push(format!("component:{team}-svc-00"));
                }
                out.push(json!({
                    "apiVersion": "backstage.io/v1alpha1",
                    "kind": "Component",
                    "metadata": {"name": format!("{team}-svc-{c:02}"), "title": format!("Service {c} of {team}")},
                    "spec": {
                        "type": "service",
                        "lifecycle": "production",
                        "owner": team,
                        "system": format!("{team}-system"),
                        "dependsOn": depends,
                        "providesApis": if c < APIS_PER_TEAM { vec![format!("{team}-api-{c:02}")] } else { vec![] },
                        "consumesApis": [format!("{team}-api-{:02}", (c + 1) % APIS_PER_TEAM)],
                    },
                }));
            }
            for a in 0..APIS_PER_TEAM {
                out.push(json!({
                    "apiVersion": "backstage.io/v1alpha1",
                    "kind": "API",
                    "metadata": {"name": format!("{team}-api-{a:02}")},
                    "spec": {"type": "openapi", "lifecycle": "production", "owner": team, "system": format!("{team}-system"), "definition": "openapi: 3.0.0"},
                }));
            }
            for r in 0..RESOURCES_PER_TEAM {
                out.push(json!({
                    "apiVersion": "backstage.io/v1alpha1",
                    "kind": "Resource",
                    "metadata": {"name": format!("{team}-res-{r:02}")},
                    "spec": {"type": "database", "owner": team, "system": format!("{team}-system")},
                }));
            }
        }
    }
    out
}

fn index_of(values: Vec<Value>) -> Index {
    let entities = values
        .into_iter()
        .map(|v| ReadEntity { entity: Entity::from_json(v).expect("valid entity"), file: "org.yaml".into(), line: 1 })
        .collect();
    let out = SourceOutput { entities, problems: Vec::new(), files: 1, ..SourceOutput::default() };
    let input = SourceInput {
        name: "synthetic".into(),
        kind: "dir".into(),
        target: "/synthetic".into(),
        read: Some(Ok(out.compacted(&stagehand::index::build::Record::local))),
        server_relations: false,
    };
    build(vec![input], None, 0)
}

/// A timed query: its label, what it returned, and the sorted run times.
struct Row {
    label: String,
    result: String,
    runs: Vec<Duration>,
}

impl Row {
    fn percentile(&self, p: f64) -> Duration {
        let i = ((self.runs.len() - 1) as f64 * p).round() as usize;
        self.runs[i]
    }
}

/// Runs `f` once to warm up, then `runs` times.
fn time<T>(label: &str, runs: usize, mut f: impl FnMut() -> T, describe: impl Fn(&T) -> String) -> Row {
    let first = f();
    let result = describe(&first);
    drop(first);
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    Row { label: label.to_string(), result, runs: times }
}

fn fmt(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 { format!("{us:.1} µs") } else { format!("{:.2} ms", us / 1000.0) }
}

fn main() {
    let smoke = std::env::args().any(|a| a == "--test");
    let runs = |n: usize| if smoke { 1 } else { n };

    let values = org();
    let count = values.len();
    let start = Instant::now();
    let index = index_of(values);
    let built = start.elapsed();
    assert_eq!(index.len(), count, "every synthetic entity is indexed: {:?}", index.problems.first());

    let find = |r: &str| index.find(r).unwrap_or_else(|| panic!("{r} is not in the index"));
    let root = find("group:default/org");
    let team = find("group:default/team-04-07");
    let component = find("component:default/team-09-09-svc-59");
    let owned_total =
        DEPARTMENTS * TEAMS_PER_DEPARTMENT * (COMPONENTS_PER_TEAM + APIS_PER_TEAM + RESOURCES_PER_TEAM + 1);

    let mut rows = vec![
        time(
            "owned_by(root, transitive)",
            runs(200),
            || graph::owned_by(&index, root, true),
            |v| {
                assert_eq!(v.len(), owned_total);
                format!("{} entities", v.len())
            },
        ),
        time(
            "owned_by(team, direct)",
            runs(2000),
            || graph::owned_by(&index, team, false),
            |v| format!("{} entities", v.len()),
        ),
        time(
            "members(root, transitive)",
            runs(2000),
            || graph::members(&index, root, true),
            |v| format!("{} users", v.len()),
        ),
        time(
            "owner_chain(component)",
            runs(10_000),
            || owner_chain(&index, component),
            |v| format!("{} steps", v.len()),
        ),
        time(
            "neighbourhood(team, depth 2)",
            runs(1000),
            || neighbourhood(&index, team, &GraphOptions { depth: 2, ..GraphOptions::default() }),
            |n| format!("{} nodes, {} edges", n.nodes.len(), n.edges.len()),
        ),
        time(
            "graph_tree(team, depth 2) + text",
            runs(1000),
            || {
                let opts = GraphOptions { depth: 2, per_node: GRAPH_PER_NODE, ..GraphOptions::default() };
                let lines = tree(&index, team, &opts, &HashSet::new());
                render_text(&index, &lines)
            },
            |v| format!("{} lines", v.len()),
        ),
        time(
            "graph_tree(root, depth 3, uncapped)",
            runs(50),
            || {
                let opts = GraphOptions { depth: 3, per_node: usize::MAX, ..GraphOptions::default() };
                tree(&index, root, &opts, &HashSet::new())
            },
            |v| format!("{} lines", v.len()),
        ),
        time(
            "outline::group(root, with sub-groups)",
            runs(200),
            || outline::group(&index, root, true, &HashSet::new()),
            |v| format!("{} lines", v.len()),
        ),
        time(
            "outline::group(root, direct)",
            runs(500),
            || outline::group(&index, root, false, &HashSet::new()),
            |v| format!("{} lines", v.len()),
        ),
        time(
            "health(catalog)",
            runs(20),
            || health(&index),
            |v| {
                assert_eq!(v.len(), DEPARTMENTS, "one dependency cycle per department");
                format!("{} issues", v.len())
            },
        ),
    ];
    rows.insert(0, Row { label: "build index (once)".into(), result: format!("{count} entities"), runs: vec![built] });

    let label_w = rows.iter().map(|r| r.label.chars().count()).max().unwrap_or(10);
    let result_w = rows.iter().map(|r| r.result.chars().count()).max().unwrap_or(10);
    println!("synthetic org: {count} entities{}", if smoke { " (smoke run: each query once)" } else { "" });
    println!(
        "| {:<label_w$} | {:<result_w$} | {:>5} | {:>10} | {:>10} | {:>8} |",
        "query", "result", "runs", "median", "p95", "frames"
    );
    println!("|{}|{}|------:|-----------:|-----------:|---------:|", "-".repeat(label_w + 2), "-".repeat(result_w + 2));
    for row in &rows {
        let median = row.percentile(0.5);
        let p95 = row.percentile(0.95);
        println!(
            "| {:<label_w$} | {:<result_w$} | {:>5} | {:>10} | {:>10} | {:>8.3} |",
            row.label,
            row.result,
            row.runs.len(),
            fmt(median),
            fmt(p95),
            p95.as_secs_f64() / FRAME.as_secs_f64()
        );
    }
}
