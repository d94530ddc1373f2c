//! Local sync: scan + parse (Location fan-out), index build in memory,
//! index write; then the whole streamed sync cold and again with nothing
//! changed; beside `find | xargs cat` of the same files. `SCALE_PER_FILE`
//! spreads the generated entities over more files (see `data.rs`).

use std::time::Duration;

use stagehand::index::build::{SourceInput, build};
use stagehand::index::{now, store};
use stagehand::sources::SourceOutput;
use stagehand::sources::fanout::{Root, crawl};

use super::Opts;
use super::data::DataSet;
use super::stats::{ms, time};

fn runs(opts: &Opts, n: usize) -> usize {
    if opts.smoke || n >= 1_000_000 { 1 } else { 3 }
}

fn shell(cmd: &str) -> anyhow::Result<Duration> {
    let (status, d) = time(|| std::process::Command::new("sh").arg("-c").arg(cmd).status());
    anyhow::ensure!(status?.success(), "`{cmd}` failed");
    Ok(d)
}

/// Runs the sync section and prints its table.
pub fn run(opts: &Opts, set: &DataSet) -> anyhow::Result<()> {
    let ws = set.workspace()?;
    let n = set.entities as f64;
    let rate = |d: Duration| format!("{:.0}", n / d.as_secs_f64());
    let catalog = set.catalog();
    let cat = format!("find '{}' -name '*.yaml' -print0 | xargs -0 cat > /dev/null", catalog.display());
    // Warm the page cache for everyone.
    shell(&cat)?;
    let mut rows: Vec<(String, Duration)> = Vec::new();
    let mut best = |name: &str, d: Duration| match rows.iter_mut().find(|(r, _)| r == name) {
        Some((_, old)) => *old = (*old).min(d),
        None => rows.push((name.to_string(), d)),
    };
    for _ in 0..runs(opts, set.entities) {
        best("reference: find | xargs cat", shell(&cat)?);
        let (c, parse) = time(|| crawl(vec![Root::file(set.root.clone())], &catalog, &|_| {}));
        anyhow::ensure!(c.entities.len() == set.entities, "read {} of {} entities", c.entities.len(), set.entities);
        best("scan + parse (fan-out, validation)", parse);
        let out =
            SourceOutput { entities: c.entities, problems: c.problems, files: c.files, ..SourceOutput::default() };
        let input = SourceInput {
            name: "synthetic".into(),
            kind: "file".into(),
            target: String::new(),
            read: Some(Ok(out.compacted(&stagehand::index::build::Record::local))),
            server_relations: false,
        };
        let (index, built) = time(|| build(vec![input], None, now()));
        best("index build (relations, bodies)", built);
        let tmp = set.dir.join("bench-index.bin");
        let (saved, write) = time(|| store::save(&index, &tmp));
        saved?;
        best("index write", write);
        drop(index);
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(ws.paths.index_file());
        let (report, full) = time(|| ws.sync(None, true, &|_| {}));
        report?;
        best("cold full sync (scan + parse + build + write)", full);
        let (report, again) = time(|| ws.sync(None, true, &|_| {}));
        report?;
        best("no-change sync (previous index there)", again);
    }
    println!("### local sync ({} run(s), best)\n", runs(opts, set.entities));
    println!("| step | time | entities/s |\n|---|---:|---:|");
    for (name, d) in &rows {
        println!("| {name} | {} | {} |", ms(*d), rate(*d));
    }
    println!();
    Ok(())
}
