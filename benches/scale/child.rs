//! Process-level timings: the bench re-runs itself as a child that loads the
//! index and draws the first frames, so process start, page faults and
//! allocator warm-up are all counted; and `stagehand list` end to end.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use stagehand::tui::views::render;

use super::Opts;
use super::data::DataSet;
use super::frame::{Driver, test_terminal};
use super::stats::{pct, status_mb};

/// Medians over child runs.
pub struct ChildTimes {
    /// How many runs.
    pub runs: usize,
    /// Start → the "loading" frame.
    pub loading: Duration,
    /// Start → index loaded.
    pub ready: Duration,
    /// Start → first frame with results.
    pub first: Duration,
    /// `stagehand list > /dev/null`, start to exit.
    pub list: Duration,
    /// Peak RSS after load and first frame, MB.
    pub rss_load: f64,
    /// Peak RSS after a search session, MB.
    pub rss_session: f64,
}

/// The queries a search session types, one character at a time.
pub const SESSION: [&str; 6] =
    ["payments", "lunar billing", "kind:api checkout", "tag:rust orders", "ana silva", "gateway worker"];

/// Runs the child several times and `stagehand list`.
pub fn spawn_all(opts: &Opts, set: &DataSet) -> anyhow::Result<ChildTimes> {
    let runs = if opts.smoke { 1 } else { 3 };
    let exe = std::env::current_exe()?;
    let (mut loading, mut ready, mut first, mut rss) = (Vec::new(), Vec::new(), Vec::new(), (0.0f64, 0.0f64));
    for _ in 0..runs {
        let t = Instant::now();
        let mut child = Command::new(&exe)
            .args(["--child", "first-frame"])
            .arg(&set.dir)
            .arg(&set.root)
            .stdout(Stdio::piped())
            .spawn()?;
        let out = child.stdout.take().ok_or_else(|| anyhow::anyhow!("no child stdout"))?;
        for line in BufReader::new(out).lines() {
            let line = line?;
            let at = t.elapsed();
            let mut words = line.split_whitespace();
            match words.next() {
                Some("loading") => loading.push(at),
                Some("ready") => ready.push(at),
                Some("frame") => first.push(at),
                Some("rss") => {
                    let a: f64 = words.next().and_then(|w| w.parse().ok()).unwrap_or(0.0);
                    let b: f64 = words.next().and_then(|w| w.parse().ok()).unwrap_or(0.0);
                    rss = (rss.0.max(a), rss.1.max(b));
                }
                _ => {}
            }
        }
        anyhow::ensure!(child.wait()?.success(), "the first-frame child failed");
    }
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/stagehand");
    let mut list = Vec::new();
    if bin.is_file() {
        for _ in 0..runs {
            let t = Instant::now();
            let status = Command::new(&bin).arg("list").envs(set.env()).stdout(Stdio::null()).status()?;
            list.push(t.elapsed());
            anyhow::ensure!(status.success(), "stagehand list failed");
        }
    }
    Ok(ChildTimes {
        runs,
        loading: pct(&loading).p50,
        ready: pct(&ready).p50,
        first: pct(&first).p50,
        list: pct(&list).p50,
        rss_load: rss.0,
        rss_session: rss.1,
    })
}

/// The child's side: `--child first-frame DIR ROOT`.
pub fn main(args: &[String]) -> anyhow::Result<()> {
    let [mode, dir, root] = args else { anyhow::bail!("usage: --child first-frame DIR ROOT") };
    anyhow::ensure!(mode == "first-frame", "unknown child mode {mode}");
    let set = DataSet { entities: 0, files: 0, dir: dir.into(), root: root.into() };
    let mut out = std::io::stdout();
    let ws = set.workspace()?;
    let mut d = Driver::new(ws.clone());
    let mut term = test_terminal()?;
    term.draw(|f| render(&d.app, f))?;
    writeln!(out, "loading")?;
    out.flush()?;
    let index = ws.load_index()?;
    writeln!(out, "ready")?;
    out.flush()?;
    // As the TUI does: haystacks build in the background, the first frame
    // (an empty query) does not wait for them.
    d.loaded(stagehand::tui::effects::loaded(index));
    term.draw(|f| render(&d.app, f))?;
    writeln!(out, "frame")?;
    out.flush()?;
    let after_load = status_mb("VmHWM");
    for q in SESSION {
        d.key(KeyCode::Esc);
        for c in q.chars() {
            d.key(KeyCode::Char(c));
            term.draw(|f| render(&d.app, f))?;
        }
    }
    writeln!(out, "rss {after_load:.1} {:.1}", status_mb("VmHWM"))?;
    Ok(())
}
