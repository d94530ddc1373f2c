//! The ownership graph over Backstage's acme example org and example
//! catalog: members, owner chains, transitive ownership, health, and the
//! graph output formats (DOT parsed back).

mod common;

use std::collections::HashSet;

use stagehand::config::SourceKind;
use stagehand::index::Index;
use stagehand::index::build::build;
use stagehand::index::graph::{self, GraphOptions, neighbourhood, owner_chain};
use stagehand::index::graph_format::{dot, mermaid};
use stagehand::index::graph_tree::{render_text, tree};
use stagehand::index::health::{HealthKind, health};

fn acme_index(test: &str) -> Option<Index> {
    let fixtures = common::fixtures(test)?;
    let examples = common::catalog_examples(&fixtures);
    let org = common::source("org", SourceKind::File(examples.join("acme/org.yaml")));
    let all = common::source("all", SourceKind::File(examples.join("all.yaml")));
    let inputs = vec![common::input(&org, Ok(common::read(&org))), common::input(&all, Ok(common::read(&all)))];
    Some(build(inputs, None, 0))
}

fn refs(index: &Index, ids: &[u32]) -> Vec<String> {
    ids.iter().map(|&i| index.ref_of(i).to_string()).collect()
}

#[test]
fn team_a_members_include_the_cross_namespace_guest() {
    let Some(index) = acme_index("team_a_members_include_the_cross_namespace_guest") else { return };
    let team_a = index.find("group:default/team-a").expect("team-a");
    assert_eq!(
        refs(&index, &graph::members(&index, team_a, false)),
        vec![
            "user:default/breanna.davison",
            "user:default/guest",
            "user:default/janelle.dawe",
            "user:default/nigel.manning",
            "user:development/guest",
        ]
    );
    let guest = index.find("user:development/guest").expect("cross-namespace guest");
    assert_eq!(refs(&index, &graph::groups_of(&index, guest, false)), vec!["group:default/team-a"]);
}

#[test]
fn owner_chain_climbs_to_the_organisation() {
    let Some(index) = acme_index("owner_chain_climbs_to_the_organisation") else { return };
    let artist = index.find("component:default/artist-lookup").expect("artist-lookup");
    let chain: Vec<String> =
        owner_chain(&index, artist).iter().map(|s| index.ref_of(s.target.ref_index()).to_string()).collect();
    assert_eq!(chain.first().map(String::as_str), Some("group:default/team-a"));
    assert_eq!(chain.last().map(String::as_str), Some("group:default/acme-corp"));
    assert!(chain.contains(&"group:default/infrastructure".to_string()), "{chain:?}");
}

#[test]
fn acme_corp_owns_everything_its_teams_own() {
    let Some(index) = acme_index("acme_corp_owns_everything_its_teams_own") else { return };
    let acme = index.find("group:default/acme-corp").expect("acme-corp");
    let direct = graph::owned_by(&index, acme, false);
    let all = refs(&index, &graph::owned_by(&index, acme, true));
    for owned in refs(&index, &direct) {
        assert!(all.contains(&owned), "{owned} owned directly is missing from the transitive set");
    }
    assert!(all.len() > direct.len() + 10, "sub-teams add to what acme-corp owns");
    for team in ["team-a", "team-b", "team-c", "team-d"] {
        let g = index.find(&format!("group:default/{team}")).expect("team");
        for owned in refs(&index, &graph::owned_by(&index, g, false)) {
            assert!(all.contains(&owned), "{owned} owned by {team} is missing from acme-corp's transitive ownership");
        }
    }
    assert!(all.contains(&"component:default/artist-lookup".to_string()));
    assert!(!all.contains(&"component:default/playback-order".to_string()), "owned by the missing group guest");
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted, "results are sorted by ref");
}

#[test]
fn health_reports_team_e_and_the_guest_owner() {
    let Some(index) = acme_index("health_reports_team_e_and_the_guest_owner") else { return };
    let issues = health(&index);
    let has = |kind: HealthKind, r: &str| issues.iter().any(|i| i.kind == kind && i.entity_ref == r);
    assert!(has(HealthKind::ParentMismatch, "group:default/team-e"), "{issues:#?}");
    assert!(has(HealthKind::MissingOwner, "component:default/playback-order"), "{issues:#?}");
    let guest = issues.iter().find(|i| i.entity_ref == "component:default/playback-order").expect("guest issue");
    assert!(guest.message.contains("group:default/guest"));
}

#[test]
fn dot_output_parses_back_with_every_edge() {
    let Some(index) = acme_index("dot_output_parses_back_with_every_edge") else { return };
    let team_a = index.find("group:default/team-a").expect("team-a");
    let n = neighbourhood(&index, team_a, &GraphOptions::default());
    let text = dot(&index, team_a, &n);
    let parsed = graphviz_rust::parse(&text).expect("DOT parses");
    let graphviz_rust::dot_structures::Graph::DiGraph { stmts, .. } = parsed else { panic!("not a digraph") };
    let edges = stmts.iter().filter(|s| matches!(s, graphviz_rust::dot_structures::Stmt::Edge(_))).count();
    let nodes = stmts.iter().filter(|s| matches!(s, graphviz_rust::dot_structures::Stmt::Node(_))).count();
    assert_eq!(nodes, n.nodes.len());
    assert_eq!(edges, stagehand::index::graph_format::forward_edges(&n).len());
    assert!(edges > 5);
    assert!(text.contains("\"user:development/guest\""));
    let m = mermaid(&index, &n);
    assert!(m.starts_with("graph LR\n") && m.contains("-->|hasMember|"));
}

#[test]
fn text_tree_of_a_team() {
    let Some(index) = acme_index("text_tree_of_a_team") else { return };
    let team_c = index.find("group:default/team-c").expect("team-c");
    let lines = render_text(&index, &tree(&index, team_c, &GraphOptions::default(), &HashSet::new()));
    insta::assert_snapshot!(lines.join("\n"));
}
