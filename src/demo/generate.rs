//! A deterministic synthetic organisation at any size: domains, systems,
//! components, APIs, resources, a group hierarchy with users, and templates,
//! with realistic names, descriptions, tags and relations, spread over many
//! catalog files reached through Location fan-out. The same seed always
//! gives the same files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Plan {
    /// About how many entities (the result is within a few of it).
    pub entities: usize,
    /// Seed for the random choices.
    pub seed: u64,
    /// How many entity files (0: one per ~50 entities).
    pub files: usize,
    /// Write everything into one multi-document file (for a backend).
    pub single_file: bool,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The root catalog file (a Location, or the single file).
    pub root: PathBuf,
    /// Entities written (Locations included).
    pub entities: usize,
    /// Files written.
    pub files: usize,
}

const ADJECTIVES: [&str; 24] = [
    "swift", "blue", "quiet", "bright", "steady", "lunar", "amber", "rapid", "silver", "north", "prime", "clear",
    "bold", "calm", "deep", "green", "iron", "kind", "lucky", "noble", "orbit", "polar", "royal", "solid",
];
const NOUNS: [&str; 32] = [
    "payments",
    "orders",
    "catalog",
    "billing",
    "search",
    "inventory",
    "shipping",
    "identity",
    "ledger",
    "pricing",
    "checkout",
    "reviews",
    "media",
    "notify",
    "routing",
    "tracking",
    "accounts",
    "reports",
    "gateway",
    "session",
    "profile",
    "metrics",
    "audit",
    "quota",
    "claims",
    "refunds",
    "offers",
    "stock",
    "fleet",
    "maps",
    "carts",
    "feeds",
];
const ROLES: [&str; 8] = ["service", "api", "worker", "ui", "sync", "store", "engine", "adapter"];
const TAGS: [&str; 16] = [
    "java",
    "go",
    "rust",
    "python",
    "typescript",
    "kotlin",
    "grpc",
    "rest",
    "graphql",
    "kafka",
    "postgres",
    "redis",
    "tier-1",
    "tier-2",
    "pci",
    "gdpr",
];
const LIFECYCLES: [&str; 3] = ["production", "experimental", "deprecated"];
const FIRST: [&str; 16] = [
    "ana", "ben", "chen", "dara", "eli", "femi", "gus", "hana", "ivan", "jo", "kai", "lena", "milo", "nia", "omar",
    "pia",
];
const LAST: [&str; 16] = [
    "silva", "ng", "okafor", "meyer", "rossi", "tanaka", "kowal", "haddad", "berg", "diaz", "patel", "moreau", "lind",
    "costa", "sato", "varga",
];

fn pick<'a>(rng: &mut fastrand::Rng, list: &[&'a str]) -> &'a str {
    list[rng.usize(..list.len())]
}

fn title_case(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

struct Org {
    docs: Vec<String>,
}

impl Org {
    fn push(&mut self, kind: &str, name: &str, meta: &str, spec: &str) {
        let api = if kind == "Template" { "scaffolder.backstage.io/v1beta3" } else { "backstage.io/v1alpha1" };
        self.docs.push(format!("apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n{meta}spec:\n{spec}"));
    }
}

fn tags(rng: &mut fastrand::Rng) -> String {
    let mut chosen: Vec<&str> = (0..rng.usize(1..4)).map(|_| pick(rng, &TAGS)).collect();
    chosen.sort_unstable();
    chosen.dedup();
    format!("  tags: [{}]\n", chosen.join(", "))
}

/// Builds every entity document of the organisation, in order.
fn organisation(plan: &Plan) -> Vec<String> {
    let n = plan.entities.max(40);
    let mut rng = fastrand::Rng::with_seed(plan.seed);
    let mut org = Org { docs: Vec::with_capacity(n) };
    let departments = ((n as f64).sqrt() / 10.0).ceil().clamp(2.0, 60.0) as usize;
    let teams = (n / 100).max(departments * 2);
    let users = n * 8 / 100;
    let domains = (n / 500).max(2);
    let systems = (n / 50).max(domains * 2);
    let templates = (n / 10_000).clamp(3, 50);
    let apis = n * 15 / 100;
    let resources = n * 15 / 100;
    let fixed = 1 + departments + teams + users + domains + systems + templates + apis + resources;
    let components = n.saturating_sub(fixed).max(1);

    let dept_name = |d: usize| format!("dept-{}", NOUNS[d % NOUNS.len()]) + &format!("-{d}");
    let team_name =
        |t: usize| format!("team-{}-{}-{t}", ADJECTIVES[t % ADJECTIVES.len()], NOUNS[(t / 3) % NOUNS.len()]);
    let children: Vec<String> = (0..departments).map(dept_name).collect();
    org.push(
        "Group",
        "org",
        "  title: Synthetic Org\n",
        &format!("  type: organization\n  children: [{}]\n", children.join(", ")),
    );
    for d in 0..departments {
        let kids: Vec<String> = (0..teams).filter(|t| t % departments == d).map(team_name).collect();
        let spec = format!("  type: department\n  parent: org\n  children: [{}]\n", kids.join(", "));
        org.push("Group", &dept_name(d), &format!("  title: {}\n", title_case(&dept_name(d))), &spec);
    }
    for t in 0..teams {
        let name = team_name(t);
        let spec = format!(
            "  type: team\n  parent: {}\n  children: []\n  profile:\n    displayName: {}\n    email: {name}@example.com\n",
            dept_name(t % departments),
            title_case(&name)
        );
        org.push("Group", &name, "", &spec);
    }
    for u in 0..users {
        let (first, last) = (FIRST[u % FIRST.len()], LAST[(u / FIRST.len()) % LAST.len()]);
        let name = format!("{first}.{last}.{u}");
        let spec = format!(
            "  profile:\n    displayName: {} {}\n    email: {name}@example.com\n  memberOf: [{}]\n",
            title_case(first),
            title_case(last),
            team_name(u % teams)
        );
        org.push("User", &name, "", &spec);
    }
    let owner = |rng: &mut fastrand::Rng| team_name(rng.usize(..teams));
    for d in 0..domains {
        let name = format!("domain-{}-{d}", NOUNS[d % NOUNS.len()]);
        let meta = format!(
            "  title: {}\n  description: Everything about {} at scale.\n",
            title_case(&name),
            NOUNS[d % NOUNS.len()]
        );
        org.push("Domain", &name, &meta, &format!("  owner: {}\n", owner(&mut rng)));
    }
    let system_name = |s: usize| format!("{}-{}-{s}", NOUNS[s % NOUNS.len()], ADJECTIVES[(s / 2) % ADJECTIVES.len()]);
    for s in 0..systems {
        let name = system_name(s);
        let meta = format!("  title: {}\n  description: The {} platform.\n", title_case(&name), NOUNS[s % NOUNS.len()]);
        let domain = format!("domain-{}-{}", NOUNS[(s % domains) % NOUNS.len()], s % domains);
        org.push("System", &name, &meta, &format!("  owner: {}\n  domain: {domain}\n", owner(&mut rng)));
    }
    let api_name = |a: usize| format!("{}-{}-api-{a}", ADJECTIVES[a % ADJECTIVES.len()], NOUNS[(a / 5) % NOUNS.len()]);
    for a in 0..apis {
        let name = api_name(a);
        let kind = pick(&mut rng, &["openapi", "asyncapi", "grpc", "graphql"]);
        let meta = format!(
            "  title: {}\n  description: {} interface of the {} system.\n{}",
            title_case(&name),
            kind,
            NOUNS[a % NOUNS.len()],
            tags(&mut rng)
        );
        let spec = format!(
            "  type: {kind}\n  lifecycle: {}\n  owner: {}\n  system: {}\n  definition: \"{kind}: {name}\"\n",
            pick(&mut rng, &LIFECYCLES),
            owner(&mut rng),
            system_name(rng.usize(..systems))
        );
        org.push("API", &name, &meta, &spec);
    }
    let resource_name =
        |r: usize| format!("{}-{}-{r}", NOUNS[r % NOUNS.len()], pick_static(r, &["db", "queue", "bucket", "cache"]));
    for r in 0..resources {
        let name = resource_name(r);
        let kind = pick_static(r, &["database", "queue", "s3-bucket", "cache"]);
        let meta = format!("  description: The {kind} behind {}.\n", NOUNS[r % NOUNS.len()]);
        let spec =
            format!("  type: {kind}\n  owner: {}\n  system: {}\n", owner(&mut rng), system_name(rng.usize(..systems)));
        org.push("Resource", &name, &meta, &spec);
    }
    for c in 0..components {
        let role = ROLES[c % ROLES.len()];
        let name = format!("{}-{}-{role}-{c}", ADJECTIVES[(c / 7) % ADJECTIVES.len()], NOUNS[c % NOUNS.len()]);
        let meta = format!(
            "  title: {}\n  description: {} {role} that handles {} for the {} team.\n{}",
            title_case(&name),
            title_case(ADJECTIVES[(c / 7) % ADJECTIVES.len()]),
            NOUNS[c % NOUNS.len()],
            NOUNS[(c / 3) % NOUNS.len()],
            tags(&mut rng)
        );
        let mut spec = format!(
            "  type: {}\n  lifecycle: {}\n  owner: {}\n  system: {}\n",
            pick(&mut rng, &["service", "website", "library"]),
            pick(&mut rng, &LIFECYCLES),
            owner(&mut rng),
            system_name(rng.usize(..systems))
        );
        if apis > 0 && rng.bool() {
            let _ = writeln!(spec, "  providesApis: [{}]", api_name(rng.usize(..apis)));
        }
        if apis > 0 && rng.bool() {
            let _ = writeln!(spec, "  consumesApis: [{}]", api_name(rng.usize(..apis)));
        }
        if resources > 0 {
            let _ = writeln!(spec, "  dependsOn: [resource:{}]", resource_name(rng.usize(..resources)));
        }
        org.push("Component", &name, &meta, &spec);
    }
    for t in 0..templates {
        let name = format!("new-{}-{t}", ROLES[t % ROLES.len()]);
        let spec = format!(
            "  owner: {}\n  type: {}\n  parameters:\n    - title: Name\n      required: [name]\n      properties:\n        name: {{type: string}}\n  steps:\n    - id: log\n      action: debug:log\n      input: {{message: hello}}\n",
            owner(&mut rng),
            ROLES[t % ROLES.len()]
        );
        org.push("Template", &name, &format!("  title: New {}\n", title_case(ROLES[t % ROLES.len()])), &spec);
    }
    org.docs
}

fn pick_static<'a>(i: usize, list: &[&'a str]) -> &'a str {
    list[i % list.len()]
}

fn location(name: &str, targets: &[String]) -> String {
    let mut out = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: {name}\nspec:\n  type: file\n  targets:\n"
    );
    for t in targets {
        let _ = writeln!(out, "    - {t}");
    }
    out
}

/// Writes the organisation under `out` and returns what was written.
pub fn generate(plan: &Plan, out: &Path) -> std::io::Result<Written> {
    std::fs::create_dir_all(out)?;
    let docs = organisation(plan);
    if plan.single_file {
        let root = out.join("catalog.yaml");
        std::fs::write(&root, docs.join("---\n"))?;
        return Ok(Written { root, entities: docs.len(), files: 1 });
    }
    let files = if plan.files == 0 { docs.len().div_ceil(50) } else { plan.files }.clamp(1, docs.len());
    let per_file = docs.len().div_ceil(files);
    let mut written = 0;
    let mut shard_targets = Vec::new();
    for (shard, chunk) in docs.chunks(per_file).collect::<Vec<_>>().chunks(100).enumerate() {
        let dir = out.join(format!("shard-{shard:03}"));
        std::fs::create_dir_all(&dir)?;
        let mut targets = Vec::new();
        for (i, file_docs) in chunk.iter().enumerate() {
            let name = format!("catalog-{i:03}.yaml");
            std::fs::write(dir.join(&name), file_docs.join("---\n"))?;
            targets.push(format!("./{name}"));
            written += 1;
        }
        std::fs::write(dir.join("location.yaml"), location(&format!("shard-{shard:03}"), &targets))?;
        shard_targets.push(format!("./shard-{shard:03}/location.yaml"));
    }
    let root = out.join("all.yaml");
    std::fs::write(&root, location("synthetic-org", &shard_targets))?;
    Ok(Written { root, entities: docs.len() + shard_targets.len() + 1, files: written + shard_targets.len() + 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_deterministic_and_sized() {
        let plan = Plan { entities: 1000, seed: 7, files: 0, single_file: false };
        let a = organisation(&plan);
        assert_eq!(a, organisation(&plan));
        assert!((990..=1010).contains(&a.len()), "{}", a.len());
        let other = organisation(&Plan { seed: 8, ..plan.clone() });
        assert_ne!(a, other);
        for kind in ["Group", "User", "Domain", "System", "Component", "API", "Resource", "Template"] {
            assert!(a.iter().any(|d| d.contains(&format!("kind: {kind}\n"))), "{kind}");
        }
    }

    #[test]
    fn writes_valid_entities_through_location_fan_out() {
        let dir = tempfile::tempdir().unwrap();
        let w = generate(&Plan { entities: 600, seed: 1, files: 30, single_file: false }, dir.path()).unwrap();
        let crawl = crate::sources::fanout::crawl(
            vec![crate::sources::fanout::Root::file(w.root.clone())],
            dir.path(),
            &|_| {},
        );
        assert_eq!(crawl.entities.len(), w.entities);
        assert_eq!(crawl.files, w.files);
        let errors: Vec<_> = crawl.problems.iter().filter(|p| p.severity == crate::model::Severity::Error).collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}
