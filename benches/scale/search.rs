//! Search per keystroke: the TUI's path (update → search effect → results →
//! draw) timed for every character of realistic queries, bucketed by query
//! class, beside a cold `search()` of the same strings and `fzf --filter`
//! over the same haystacks.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use stagehand::index::search::{Haystacks, Query, haystack, search};
use stagehand::tui::views::render;

use super::Opts;
use super::child::SESSION;
use super::data::DataSet;
use super::frame::{Driver, test_terminal};
use super::stats::{ms, pct};

/// Extra queries beyond the session's, for more samples per class.
const MORE: [&str; 6] = ["ledger", "quiet orders api", "owner:team-1 stock", "refunds", "silver maps", "pia rossi"];

/// The class of a query line, as the tables name it.
pub fn class(line: &str) -> &'static str {
    let q = Query::parse(line);
    let chars = q.text.chars().count();
    if !q.facets.is_empty() {
        if q.text.is_empty() { "facet only" } else { "facet + word" }
    } else if q.text.split_whitespace().count() >= 2 {
        "two words"
    } else if chars == 1 {
        "1 char"
    } else if chars == 2 {
        "2 chars"
    } else {
        "word (3+ chars)"
    }
}

/// Runs the search section.
pub fn run(opts: &Opts, set: &DataSet) -> anyhow::Result<()> {
    let ws = set.workspace()?;
    let mut d = Driver::new(ws);
    d.loaded(stagehand::tui::effects::load(&set.workspace()?).map_err(anyhow::Error::msg)?);
    let mut term = test_terminal()?;
    term.draw(|f| render(&d.app, f))?;
    let queries: Vec<&str> = SESSION.iter().chain(MORE.iter()).copied().collect();
    let rounds = if opts.smoke { 1 } else { 3 };
    let mut tui: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut prefixes: Vec<String> = Vec::new();
    for round in 0..rounds {
        for q in &queries {
            d.key(KeyCode::Esc);
            term.draw(|f| render(&d.app, f))?;
            let mut typed = String::new();
            for c in q.chars() {
                typed.push(c);
                let t = Instant::now();
                d.key(KeyCode::Char(c));
                term.draw(|f| render(&d.app, f))?;
                tui.entry(class(&typed)).or_default().push(t.elapsed());
                if round == 0 && !c.is_whitespace() {
                    prefixes.push(typed.clone());
                }
            }
        }
    }
    // Cold searches of every prefix, and fzf over the same haystacks.
    let loaded = d.app.loaded.clone().ok_or_else(|| anyhow::anyhow!("not loaded"))?;
    let mut cold: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    for p in &prefixes {
        let q = Query::parse(p);
        let t = Instant::now();
        let hits = search(&loaded.index, &loaded.hay, &q, None);
        cold.entry(class(p)).or_default().push(t.elapsed());
        std::hint::black_box(hits);
    }
    let fzf = fzf_times(set, &loaded.index, &loaded.hay, &prefixes)?;
    println!("### search per keystroke ({} keystrokes × {rounds} rounds)\n", prefixes.len());
    println!(
        "TUI: key → update → search effect → results applied → frame drawn (TestBackend 120x40); \
         the first screen is complete when the results arrive. Cold: `search()` of the whole prefix \
         with no narrowing. fzf: `fzf --filter PREFIX < haystacks` (process included; facet \
         tokens given to fzf as plain words over `kind haystack` lines).\n"
    );
    println!("| class | n | TUI p50 | TUI p95 | TUI p99 | TUI max | cold p50 | cold p95 | fzf p50 | fzf p95 |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (class, v) in &tui {
        let p = pct(v);
        let c = cold.get(class).map(|v| pct(v));
        let f = fzf.get(class).map(|v| pct(v));
        let or = |x: Option<Duration>| x.map(ms).unwrap_or_else(|| "–".into());
        println!(
            "| {class} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            v.len(),
            ms(p.p50),
            ms(p.p95),
            ms(p.p99),
            ms(p.max),
            or(c.as_ref().map(|c| c.p50)),
            or(c.as_ref().map(|c| c.p95)),
            or(f.as_ref().map(|c| c.p50)),
            or(f.as_ref().map(|c| c.p95)),
        );
    }
    println!();
    Ok(())
}

fn fzf_times(
    set: &DataSet,
    index: &stagehand::index::Index,
    _hay: &Haystacks,
    prefixes: &[String],
) -> anyhow::Result<BTreeMap<&'static str, Vec<Duration>>> {
    let mut out = BTreeMap::new();
    if Command::new("fzf").arg("--version").stdout(Stdio::null()).status().is_err() {
        eprintln!("fzf not found; skipping the reference");
        return Ok(out);
    }
    let file = set.dir.join("haystacks.txt");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&file)?);
        for s in index.summaries() {
            writeln!(w, "{} {}", s.kind.to_lowercase(), haystack(&s).replace('\n', " "))?;
        }
    }
    for p in prefixes {
        let words: Vec<String> =
            p.split_whitespace().map(|w| w.split_once(':').map_or(w, |(_, v)| v).to_string()).collect();
        let t = Instant::now();
        let status = Command::new("fzf")
            .arg("--filter")
            .arg(words.join(" "))
            .stdin(std::fs::File::open(&file)?)
            .stdout(Stdio::null())
            .status()?;
        let took = t.elapsed();
        // fzf exits 1 when nothing matched: still a complete answer.
        anyhow::ensure!(status.code().is_some_and(|c| c <= 1), "fzf failed");
        out.entry(class(p)).or_insert_with(Vec::new).push(took);
    }
    Ok(out)
}
