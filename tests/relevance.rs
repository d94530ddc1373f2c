//! Judged queries: each with the entity a user means, which must come
//! first. Over the demo (Lumen Freight), a generated catalog (`stagehand
//! demo generate`, seed 1) and a small catalog of non-ASCII titles. Exact
//! names, titles, refs, entity URLs, acronyms, typos, facets. Every case
//! runs, then the failures are reported together.

mod common;

use std::path::Path;

use common::{index_of, source};
use stagehand::config::SourceKind;
use stagehand::demo::generate::{Plan, generate};
use stagehand::index::Index;
use stagehand::index::search::{Haystacks, Query, Scope, search};

/// (query, the ref that must come first)
const DEMO: &[(&str, &str)] = &[
    // Exact names over longer names that begin with them.
    ("tracking", "system:default/tracking"),
    ("billing", "system:default/billing"),
    ("shipments", "system:default/shipments"),
    ("warehouse", "system:default/warehouse"),
    ("geo-toolkit", "component:default/geo-toolkit"),
    ("route-optimizer", "component:default/route-optimizer"),
    ("customer", "domain:default/customer"),
    ("sre", "group:ops/sre"),
    // Refs, as `y` copies them and as typed.
    ("component:default/shipment-tracker", "component:default/shipment-tracker"),
    ("group:team-web", "group:default/team-web"),
    ("api:tracking-api", "api:default/tracking-api"),
    ("ops/pager-relay", "component:ops/pager-relay"),
    ("default/geo-toolkit", "component:default/geo-toolkit"),
    ("Component:Default/ETA-Predictor", "component:default/eta-predictor"),
    // Entity page URLs.
    ("https://backstage.lumen.example/catalog/default/component/eta-predictor", "component:default/eta-predictor"),
    ("http://localhost:3000/catalog/ops/group/sre/?tab=members", "group:ops/sre"),
    // Titles and display names.
    ("Geo Toolkit", "component:default/geo-toolkit"),
    ("ETA Predictor", "component:default/eta-predictor"),
    ("route optimizer", "component:default/route-optimizer"),
    ("Infrastructure", "group:default/team-infra"),
    ("Site Reliability", "group:ops/sre"),
    ("Priya Nair", "user:default/priya.nair"),
    ("nightly billing", "runbook:default/billing-run-failed"),
    ("invoice pdf", "resource:default/invoice-pdfs"),
    // Beginnings: the shortest name first.
    ("warehous", "system:default/warehouse"),
    ("kafka", "resource:default/kafka-main"),
    ("payment", "component:default/payment-adapter"),
    ("lucia", "user:default/lucia.romero"),
    // Acronyms and words inside names.
    ("eta", "component:default/eta-predictor"),
    ("edi", "component:default/legacy-edi-bridge"),
    ("kafka broker", "runbook:ops/kafka-broker-replacement"),
    // Typos.
    ("shipment trackr", "component:default/shipment-tracker"),
    ("geotoolkit", "component:default/geo-toolkit"),
    ("warehose manager", "component:default/warehouse-manager"),
    // Facets with words.
    ("kind:api tracking", "api:default/tracking-api"),
    ("kind:component owner:team-shipments tracker", "component:default/shipment-tracker"),
    ("owner:shipments kind:system", "system:default/shipments"),
    ("kind:resource billing", "resource:default/billing-db"),
    // Non-ASCII in a title.
    ("Lucía Romero", "user:default/lucia.romero"),
];

/// Over `stagehand demo generate --entities 2000 --seed 1`.
const GENERATED: &[(&str, &str)] = &[
    ("amber-orders-api-6", "api:default/amber-orders-api-6"),
    ("Amber Orders Api 6", "api:default/amber-orders-api-6"),
    ("api:amber-orders-api-6", "api:default/amber-orders-api-6"),
    ("amber ordrs api 6", "api:default/amber-orders-api-6"),
    ("billing-blue-3", "system:default/billing-blue-3"),
    ("domain-billing-3", "domain:default/domain-billing-3"),
    ("dept billing", "group:default/dept-billing-3"),
    ("New Service", "template:default/new-service-0"),
    ("kind:template new api", "template:default/new-api-1"),
    ("pia.tanaka.95", "user:default/pia.tanaka.95"),
    ("https://portal.example.com/catalog/default/system/billing-kind-35", "system:default/billing-kind-35"),
];

/// Over a few entities with non-ASCII titles (Backstage names are ASCII: an
/// entity named `配送` is rejected, so the exact-title rank carries these).
const WIDE: &[(&str, &str)] = &[
    ("配送", "component:default/haisou"),
    ("配送-api", "api:default/haisou-api"),
    ("配送セ", "system:default/haisou-center"),
    ("Café", "component:default/cafe-creme"),
    ("cafe creme", "component:default/cafe-creme"),
    ("ÜBERSICHT", "component:default/uebersicht"),
];

const WIDE_CATALOG: &str = r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: haisou-worker
  title: 配送 Worker
spec: {type: service, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: haisou
  title: 配送
spec: {type: service, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: haisou-api
  title: 配送-api
  description: 配送 API
spec: {type: openapi, lifecycle: production, owner: team-a, definition: x}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: haisou-center
  title: 配送センター
spec: {owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: cafe-creme
  title: Café Crème
spec: {type: website, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: cafe-au-lait-service
  title: Café au lait
spec: {type: service, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: uebersicht
  title: Übersicht
spec: {type: website, lifecycle: production, owner: team-a}
"#;

/// The first result of each case that is not the judged one.
fn misjudged(index: &Index, cases: &[(&str, &str)]) -> Vec<String> {
    let hay = Haystacks::build(index);
    let mut wrong = Vec::new();
    for (query, expected) in cases {
        assert!(index.find(expected).is_some(), "{expected} is not in the catalog");
        let hits = search(index, &hay, &Query::parse(query), Scope::All);
        let first: Vec<&str> = hits.iter().take(3).map(|h| index.ref_of(h.entity)).collect();
        if first.first() != Some(expected) {
            wrong.push(format!("{query:?}: wanted {expected}, got {first:?}"));
        }
    }
    wrong
}

fn demo_index(dir: &Path) -> Index {
    let root = stagehand::demo::unpack(dir).expect("the demo unpacks");
    index_of(&source("demo", SourceKind::File(root)))
}

#[test]
fn judged_queries_find_what_the_user_means_first() {
    let tmp = tempfile::tempdir().unwrap();
    let mut wrong = misjudged(&demo_index(tmp.path()), DEMO);

    let generated = tmp.path().join("generated");
    let plan = Plan { entities: 2000, seed: 1, files: 0, single_file: false };
    let written = generate(&plan, &generated).expect("the catalog is written");
    wrong.extend(misjudged(&index_of(&source("generated", SourceKind::File(written.root))), GENERATED));

    let wide = tmp.path().join("wide");
    std::fs::create_dir_all(&wide).unwrap();
    std::fs::write(wide.join("catalog-info.yaml"), WIDE_CATALOG).unwrap();
    wrong.extend(misjudged(&index_of(&source("wide", SourceKind::Dir(wide))), WIDE));

    let judged = DEMO.len() + GENERATED.len() + WIDE.len();
    assert!(judged >= 40, "at least 40 judged queries: {judged}");
    assert!(
        wrong.is_empty(),
        "{} of {judged} judged queries put something else first:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
