//! Graph queries on the synced index, a 1 MB Markdown page through the docs
//! renderer, and a 500-file skeleton through the scaffolder.

use std::fmt::Write as _;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use stagehand::index::graph::{GraphOptions, neighbourhood, owned_by, owner_chain};
use stagehand::index::store;

use super::Opts;
use super::data::DataSet;
use super::stats::{ms, pct};

fn bench<T>(runs: usize, mut f: impl FnMut() -> T) -> (T, Duration, Duration) {
    let mut last = f();
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        last = f();
        samples.push(t.elapsed());
    }
    let p = pct(&samples);
    (last, p.p50, p.p95)
}

/// Graph queries: the largest group's transitive ownership, an owner chain,
/// a depth-2 neighbourhood.
pub fn graph(opts: &Opts, set: &DataSet) -> anyhow::Result<()> {
    let index = store::load(&set.index_file()?)?;
    let runs = if opts.smoke { 2 } else { 20 };
    let groups: Vec<u32> = (0..index.len() as u32).filter(|&i| index.summary(i).kind == "Group").collect();
    // Roots: groups with no parent; the largest by transitive ownership.
    let roots: Vec<u32> =
        groups.iter().copied().filter(|&g| !index.relations(g).iter().any(|r| r.kind == "childOf")).collect();
    let (root, owned) = roots
        .iter()
        .map(|&g| (g, owned_by(&index, g, true).len()))
        .max_by_key(|&(_, n)| n)
        .ok_or_else(|| anyhow::anyhow!("no group"))?;
    let component = (0..index.len() as u32)
        .find(|&i| index.summary(i).kind == "Component")
        .ok_or_else(|| anyhow::anyhow!("no component"))?;
    let team =
        groups.iter().copied().max_by_key(|&g| index.relations(g).len()).ok_or_else(|| anyhow::anyhow!("no group"))?;
    println!("### graph ({runs} runs each)\n");
    println!("| query | result | p50 | p95 |\n|---|---|---:|---:|");
    let (v, p50, p95) = bench(runs, || owned_by(&index, root, true).len());
    println!(
        "| owned_by({}, transitive) | {v} entities (largest: {owned}) | {} | {} |",
        index.ref_of(root),
        ms(p50),
        ms(p95)
    );
    let (v, p50, p95) = bench(runs * 10, || owner_chain(&index, component).len());
    println!("| owner_chain({}) | {v} steps | {} | {} |", index.ref_of(component), ms(p50), ms(p95));
    let opts2 = GraphOptions { depth: 2, ..GraphOptions::default() };
    let (v, p50, p95) = bench(runs * 5, || {
        let n = neighbourhood(&index, team, &opts2);
        (n.nodes.len(), n.edges.len())
    });
    println!(
        "| neighbourhood({}, depth 2) | {} nodes, {} edges | {} | {} |",
        index.ref_of(team),
        v.0,
        v.1,
        ms(p50),
        ms(p95)
    );
    println!();
    Ok(())
}

/// About 1 MB of varied Markdown.
fn big_markdown() -> String {
    let mut s = String::with_capacity(1 << 20);
    let mut i = 0;
    while s.len() < 1 << 20 {
        let _ = write!(
            s,
            "## Section {i}\n\nSome *emphasis*, **strong** text, `code`, and a [link](https://example.com/{i}). \
             The quick brown fox jumps over the lazy dog, again and again, to fill the line.\n\n\
             - item one\n- item two with `inline`\n\n| a | b |\n|---|---|\n| {i} | x |\n\n\
             ```rust\nfn f{i}() -> u32 {{ {i} }}\n```\n\n> a quote line\n\n"
        );
        i += 1;
    }
    s
}

/// Renders a 1 MB Markdown page at 120 columns.
pub fn docs(opts: &Opts) -> anyhow::Result<()> {
    let md = big_markdown();
    let theme = stagehand::docs::render::theme::DocTheme::default();
    let runs = if opts.smoke { 1 } else { 5 };
    let (lines, p50, p95) = bench(runs, || stagehand::docs::render::render(&md, 120, &theme).lines.len());
    println!("### docs and scaffold\n");
    println!("| what | result | p50 | p95 |\n|---|---|---:|---:|");
    println!("| render {} KB Markdown at 120 cols | {lines} lines | {} | {} |", md.len() / 1024, ms(p50), ms(p95));
    Ok(())
}

/// Runs a template whose skeleton has 500 files (fetch:template), for real
/// into a temp folder.
pub fn scaffold(opts: &Opts) -> anyhow::Result<()> {
    use stagehand::scaffold::runner::{RunInput, RunOptions, run};
    let tmp = tempfile::tempdir()?;
    let skel = tmp.path().join("t/skeleton");
    for i in 0..500 {
        let dir = skel.join(format!("pkg{}/sub{}", i % 20, i % 7));
        std::fs::create_dir_all(&dir)?;
        std::fs::write(
            dir.join(format!("file{i}.txt")),
            format!("name: ${{{{ values.name }}}}\nfile {i}\n{}", "line of text\n".repeat(20)),
        )?;
    }
    let yaml = "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: {name: big}\n\
        spec:\n  type: service\n  parameters: []\n  steps:\n    - id: fetch\n      action: fetch:template\n\
        \x20     input: {url: ./skeleton, values: {name: demo}}\n";
    let tpath = tmp.path().join("t/template.yaml");
    std::fs::write(&tpath, yaml)?;
    let template = stagehand::scaffold::Template::from_file(&tpath).map_err(anyhow::Error::msg)?;
    let runs = if opts.smoke { 1 } else { 5 };
    let mut n = 0;
    let (count, p50, p95) = bench(runs, || {
        n += 1;
        let options = RunOptions { output_dir: tmp.path().join(format!("out{n}")), ..RunOptions::default() };
        run(&template, &RunInput::default(), &options, &|_| None, &mut |_| {}, &AtomicBool::new(false))
            .map(|r| r.files.len())
            .map_err(|e| e.message)
    });
    count.map_err(anyhow::Error::msg)?;
    let written = walk_count(&tmp.path().join("out1"));
    println!(
        "| scaffold a 500-file skeleton (fetch:template, written) | {written} files | {} | {} |",
        ms(p50),
        ms(p95)
    );
    println!();
    Ok(())
}

fn walk_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| if e.path().is_dir() { walk_count(&e.path()) } else { 1 }).sum())
        .unwrap_or(0)
}
