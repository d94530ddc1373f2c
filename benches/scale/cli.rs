//! A cold `stagehand search`: a new process per query (index load
//! included), beside `fzf --filter` over the same haystacks with the same
//! strings, per query class. Several binaries can be compared in one run
//! (`SCALE_BINS=before=/path/a,after=/path/b`, run interleaved per query);
//! each reads an index it synced itself from the same catalog, so binaries
//! of different index formats compare fairly.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::Opts;
use super::child::SESSION;
use super::data::DataSet;
use super::search::{MORE, class, fzf_file, fzf_words};
use super::stats::{ms, pct};

/// The binaries to time: `SCALE_BINS` (`name=path,...`), else this
/// checkout's release build.
fn binaries() -> Vec<(String, PathBuf)> {
    match std::env::var("SCALE_BINS") {
        Ok(list) => list
            .split(',')
            .filter_map(|b| b.split_once('='))
            .map(|(name, path)| (name.trim().to_string(), PathBuf::from(path.trim())))
            .collect(),
        Err(_) => {
            vec![("stagehand".into(), PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/stagehand"))]
        }
    }
}

/// The environment for binary number `k`: the data set's config, and a
/// cache (where the index lives) of its own.
fn env_for(set: &DataSet, k: usize) -> Vec<(&'static str, PathBuf)> {
    let mut env = set.env();
    for (key, value) in &mut env {
        if *key == "XDG_CACHE_HOME" {
            *value = set.dir.join(format!("cache-cli-{k}"));
        }
    }
    env
}

/// Runs `bin search line` with `env`; its exit code.
fn search(bin: &PathBuf, env: &[(&'static str, PathBuf)], line: &str) -> anyhow::Result<Option<i32>> {
    let status = Command::new(bin)
        .arg("search")
        .args(line.split_whitespace())
        .envs(env.iter().cloned())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    Ok(status.code())
}

/// Runs the cold CLI section and prints its table.
pub fn run(opts: &Opts, set: &DataSet) -> anyhow::Result<()> {
    let bins = binaries();
    for (k, (name, bin)) in bins.iter().enumerate() {
        anyhow::ensure!(bin.is_file(), "{name}: no binary at {}", bin.display());
        let env = env_for(set, k);
        // Each binary syncs its own index once (its format may differ).
        if search(bin, &env, "x")? != Some(0) {
            let status = Command::new(bin).arg("sync").envs(env.iter().cloned()).stdout(Stdio::null()).status()?;
            anyhow::ensure!(status.success(), "{name}: sync failed");
        }
    }
    let file = fzf_file(set)?;
    let with_fzf = std::env::var("SCALE_FZF").as_deref() != Ok("0")
        && Command::new("fzf").arg("--version").stdout(Stdio::null()).status().is_ok();
    let mut lines: Vec<String> = Vec::new();
    for q in SESSION.iter().chain(MORE.iter()) {
        let mut typed = String::new();
        for c in q.chars() {
            typed.push(c);
            if !c.is_whitespace() {
                lines.push(typed.clone());
            }
        }
    }
    let rounds = if opts.smoke { 1 } else { 2 };
    let mut times: Vec<BTreeMap<&str, Vec<Duration>>> = vec![BTreeMap::new(); bins.len() + 1];
    for _ in 0..rounds {
        for line in &lines {
            for (k, (name, bin)) in bins.iter().enumerate() {
                let env = env_for(set, k);
                let t = Instant::now();
                let code = search(bin, &env, line)?;
                times[k].entry(class(line)).or_default().push(t.elapsed());
                // 0: found, 2: an unknown facet value (still a full answer).
                anyhow::ensure!(matches!(code, Some(0 | 2)), "{name} search {line:?} exited {code:?}");
            }
            if with_fzf {
                let t = Instant::now();
                let status = Command::new("fzf")
                    .arg("--filter")
                    .arg(fzf_words(line))
                    .stdin(std::fs::File::open(&file)?)
                    .stdout(Stdio::null())
                    .status()?;
                times[bins.len()].entry(class(line)).or_default().push(t.elapsed());
                anyhow::ensure!(status.code().is_some_and(|c| c <= 1), "fzf failed");
            }
        }
    }
    println!("### cold CLI search ({} queries × {rounds} rounds, load {})\n", lines.len(), super::stats::load());
    println!(
        "Each query is a new `stagehand search QUERY > /dev/null` process (index load, search, 20 rows \
         printed, exit), beside `fzf --filter QUERY < haystacks > /dev/null` (facet tokens given to fzf \
         as plain words over `kind haystack` lines). Ratio: stagehand p50 / fzf p50.\n"
    );
    let mut header = String::from("| class | n |");
    let mut rule = String::from("|---|---:|");
    for (name, _) in &bins {
        header.push_str(&format!(" {name} p50 | {name} p95 |"));
        rule.push_str("---:|---:|");
        if with_fzf {
            header.push_str(&format!(" {name} / fzf |"));
            rule.push_str("---:|");
        }
    }
    if with_fzf {
        header.push_str(" fzf p50 | fzf p95 |");
        rule.push_str("---:|---:|");
    }
    println!("{header}\n{rule}");
    for (class, first) in &times[0] {
        let mut row = format!("| {class} | {} |", first.len());
        let fzf = times[bins.len()].get(class).map(|v| pct(v));
        for t in &times[..bins.len()] {
            let p = pct(&t[class]);
            row.push_str(&format!(" {} | {} |", ms(p.p50), ms(p.p95)));
            if let Some(f) = &fzf {
                row.push_str(&format!(" {:.2}× |", p.p50.as_secs_f64() / f.p50.as_secs_f64()));
            }
        }
        if let Some(f) = &fzf {
            row.push_str(&format!(" {} | {} |", ms(f.p50), ms(f.p95)));
        }
        println!("{row}");
    }
    println!();
    Ok(())
}
