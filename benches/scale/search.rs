//! Search per keystroke: the TUI's path (update → search effect → results →
//! draw) timed for every character of realistic queries, bucketed by query
//! class, beside a cold `search()` of the same strings and `fzf --filter`
//! over the same haystacks.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use stagehand::index::search::{Query, Scope, haystack, search};
use stagehand::tui::views::render;

use super::Opts;
use super::child::SESSION;
use super::data::DataSet;
use super::frame::{Driver, test_terminal};
use super::stats::{ms, pct};

/// Extra queries beyond the session's, for more samples per class.
pub const MORE: [&str; 6] = ["ledger", "quiet orders api", "owner:team-1 stock", "refunds", "silver maps", "pia rossi"];

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
    // Typing starts once the background haystack build is done (its time
    // is in the load section): the first key would otherwise wait for it.
    if let Some(l) = &d.app.loaded {
        l.hay.ensure(&l.index);
    }
    let mut term = test_terminal()?;
    term.draw(|f| render(&d.app, f))?;
    let queries: Vec<&str> = SESSION.iter().chain(MORE.iter()).copied().collect();
    let rounds = if opts.smoke { 1 } else { 3 };
    let mut tui: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut first: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let (mut early, mut wrong) = (0, 0);
    let mut prefixes: Vec<String> = Vec::new();
    for round in 0..rounds {
        for q in &queries {
            d.key(KeyCode::Esc);
            term.draw(|f| render(&d.app, f))?;
            let mut typed = String::new();
            for c in q.chars() {
                typed.push(c);
                d.first_screen = None;
                let t = Instant::now();
                d.key(KeyCode::Char(c));
                let t_draw = Instant::now();
                term.draw(|f| render(&d.app, f))?;
                let (done, draw) = (t.elapsed(), t_draw.elapsed());
                // The first screen shows when it was sent plus a frame; it
                // must be the complete results' first screen.
                let shown = match d.first_screen.take() {
                    Some((at, hits)) => {
                        early += 1;
                        if d.results().get(..hits.len()) != Some(&hits[..]) {
                            wrong += 1;
                        }
                        at.duration_since(t) + draw
                    }
                    None => done,
                };
                tui.entry(class(&typed)).or_default().push(done);
                first.entry(class(&typed)).or_default().push(shown);
                if round == 0 && !c.is_whitespace() {
                    prefixes.push(typed.clone());
                }
            }
        }
    }
    anyhow::ensure!(wrong == 0, "{wrong} first screens sent early differ from the complete results");
    // Cold searches of every prefix, and fzf over the same haystacks.
    let loaded = d.app.loaded.clone().ok_or_else(|| anyhow::anyhow!("not loaded"))?;
    let mut cold: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    for p in &prefixes {
        let q = Query::parse(p);
        let t = Instant::now();
        let hits = search(&loaded.index, &loaded.hay, &q, Scope::All);
        cold.entry(class(p)).or_default().push(t.elapsed());
        std::hint::black_box(hits);
    }
    let fzf = fzf_times(set, &prefixes)?;
    let keys: usize = tui.values().map(Vec::len).sum();
    println!("### search per keystroke ({} keystrokes × {rounds} rounds)\n", prefixes.len());
    println!(
        "Typing starts after the haystacks are built. First screen: key → update → search effect → the first screen known final (sent early, \
         {early} of {keys} keystrokes, every one checked equal to the complete results' first rows; \
         otherwise the complete results) → frame drawn (TestBackend 120x40). Complete: key → \
         complete results applied → frame drawn. Cold: `search()` of the whole prefix with no \
         narrowing. fzf: `fzf --filter PREFIX < haystacks` (process included; facet tokens given \
         to fzf as plain words over `kind haystack` lines).\n"
    );
    println!(
        "| class | n | first screen p50 | p95 | p99 | complete p50 | p95 | p99 | max | cold p50 | cold p95 | fzf p50 | fzf p95 |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (class, v) in &tui {
        let p = pct(v);
        let s = pct(&first[class]);
        let c = cold.get(class).map(|v| pct(v));
        let f = fzf.get(class).map(|v| pct(v));
        let or = |x: Option<Duration>| x.map(ms).unwrap_or_else(|| "–".into());
        println!(
            "| {class} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            v.len(),
            ms(s.p50),
            ms(s.p95),
            ms(s.p99),
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

fn fzf_times(set: &DataSet, prefixes: &[String]) -> anyhow::Result<BTreeMap<&'static str, Vec<Duration>>> {
    let mut out = BTreeMap::new();
    if std::env::var("SCALE_FZF").as_deref() == Ok("0") {
        eprintln!("SCALE_FZF=0: skipping the fzf reference");
        return Ok(out);
    }
    if Command::new("fzf").arg("--version").stdout(Stdio::null()).status().is_err() {
        eprintln!("fzf not found; skipping the reference");
        return Ok(out);
    }
    let file = fzf_file(set)?;
    for p in prefixes {
        let t = Instant::now();
        let status = Command::new("fzf")
            .arg("--filter")
            .arg(fzf_words(p))
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

/// The query words fzf is given: facet tokens as their plain value.
pub fn fzf_words(line: &str) -> String {
    let words: Vec<&str> = line.split_whitespace().map(|w| w.split_once(':').map_or(w, |(_, v)| v)).collect();
    words.join(" ")
}

/// The haystacks fzf reads, one `kind haystack` line per entity, written
/// once per data set.
pub fn fzf_file(set: &DataSet) -> anyhow::Result<std::path::PathBuf> {
    let file = set.dir.join("haystacks.txt");
    if !file.is_file() {
        let index = stagehand::index::store::load(&set.index_file()?)?;
        let mut w = std::io::BufWriter::new(std::fs::File::create(&file)?);
        for s in index.summaries() {
            writeln!(w, "{} {}", s.kind.to_lowercase(), haystack(&s).replace('\n', " "))?;
        }
        w.flush()?;
    }
    Ok(file)
}
