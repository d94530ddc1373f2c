//! `stagehand tasks list|show|cancel|retry`: the scaffolder tasks of a
//! `backstage:` source, as a history; `show --follow` streams a running
//! task's log as `scaffold --remote` does.

use anyhow::bail;
use clap::Subcommand;

use crate::portal::actions::Ask;
use crate::portal::tasks::{LogLine, Task, step_states, strip_sgr};
use crate::scaffold::remote::{Client, TaskEvent};
use crate::scaffold::task_stream;
use crate::workspace::Workspace;

use super::output::{Out, fit};
use super::{EXIT_FOUND_PROBLEMS, confirm};

/// `stagehand tasks ...`
#[derive(Debug, Subcommand)]
pub enum TasksCommand {
    /// Your scaffolder tasks (or everyone's with --all), newest first.
    List {
        /// Every task the token may read, not only yours.
        #[arg(long)]
        all: bool,
        /// At most this many tasks.
        #[arg(long, default_value_t = 50, value_name = "N")]
        limit: usize,
        /// The backstage source to ask (needed when there are several).
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// A task's steps and log; --follow streams a running task until it
    /// ends (with --follow, exit 1 when it did not complete).
    Show {
        /// The task id.
        id: String,
        /// Follow a running task's log live.
        #[arg(long)]
        follow: bool,
        /// The backstage source to ask (needed when there are several).
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
        /// The task and its log as JSON (not with --follow).
        #[arg(long, conflicts_with = "follow")]
        json: bool,
    },
    /// Cancel a running task (asks on a terminal).
    Cancel {
        /// The task id.
        id: String,
        /// The backstage source (needed when there are several).
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
    /// Run an ended task again (asks on a terminal).
    Retry {
        /// The task id.
        id: String,
        /// The backstage source (needed when there are several).
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
}

/// Runs one `tasks` subcommand.
pub fn run(ws: &Workspace, command: TasksCommand) -> anyhow::Result<u8> {
    match command {
        TasksCommand::List { all, limit, source, json } => list(ws, all, limit, source.as_deref(), json),
        TasksCommand::Show { id, follow, source, json } => show(ws, &id, follow, source.as_deref(), json),
        TasksCommand::Cancel { id, source, yes } => cancel(ws, &id, source.as_deref(), yes),
        TasksCommand::Retry { id, source, yes } => retry(ws, &id, source.as_deref(), yes),
    }
}

/// The scaffolder client of a source, and the source's name.
fn client(ws: &Workspace, source: Option<&str>) -> anyhow::Result<(String, Client)> {
    let backend = ws.scaffolder_backend(source)?;
    Ok((backend.source, backend.client))
}

/// The user whose tasks `list` shows: `--as`/`identity:`, else who the
/// backend says the token is.
fn current_user(ws: &Workspace, source: Option<&str>) -> anyhow::Result<String> {
    if let Some(user) = ws.identity() {
        return Ok(user);
    }
    let (_, config) = ws.remote_source(source)?;
    crate::sources::remote::whoami(&config).map_err(|e| {
        anyhow::anyhow!("{e}\n`tasks list` shows your tasks; `tasks list --all` shows every task the token may read")
    })
}

/// `stagehand tasks list`.
fn list(ws: &Workspace, all: bool, limit: usize, source: Option<&str>, json: bool) -> anyhow::Result<u8> {
    let user = if all { None } else { Some(current_user(ws, source)?) };
    let (name, client) = client(ws, source)?;
    let tasks: Vec<Task> =
        client.list_tasks(user.as_deref(), limit).map_err(anyhow::Error::msg)?.iter().map(Task::from_json).collect();
    let mut out = Out::default();
    if json {
        out.json(&tasks)?;
        out.flush()?;
        return Ok(0);
    }
    if tasks.is_empty() {
        let whose = user.map_or_else(|| "no tasks".to_string(), |u| format!("no tasks created by {u}"));
        eprintln!("{whose} on `{name}` ({})", client.base());
        return Ok(0);
    }
    let now = crate::index::now();
    for t in &tasks {
        let by = t.created_by.as_deref().unwrap_or("-");
        out.line(
            format!("{} {} {} {} {}", t.id, fit(&t.status, 10), fit(&t.age(now), 9), fit(t.template_label(), 32), by)
                .trim_end(),
        );
    }
    out.flush()?;
    Ok(0)
}

/// The header and steps of a task.
fn describe(out: &mut Out, task: &Task, log: &[LogLine]) {
    let by = task.created_by.as_deref().map(|u| format!(" by {u}")).unwrap_or_default();
    let template = task.template.as_deref().unwrap_or("(no template recorded)");
    out.line(&format!("task {}  {}", task.id, task.status));
    out.line(&format!("template {template}, created {}{by}", task.age(crate::index::now())));
    out.line("steps:");
    for (step, (_, status)) in task.steps.iter().zip(step_states(task, log)) {
        out.line(&format!("  {} {}  {} ({})", fit(&status, 10), step.id, step.name, step.action));
    }
}

/// One log line: the step it belongs to, then its message (kept on one
/// line per message line, sanitized).
fn log_line(out: &mut Out, step: Option<&str>, message: &str) {
    let step = step.unwrap_or("-");
    for line in strip_sgr(message).lines() {
        out.line(&format!("  {} {line}", fit(step, 12)));
    }
}

/// `stagehand tasks show ID`.
fn show(ws: &Workspace, id: &str, follow: bool, source: Option<&str>, json: bool) -> anyhow::Result<u8> {
    let (_, client) = client(ws, source)?;
    let task = Task::from_json(&client.task(id).map_err(anyhow::Error::msg)?);
    let live = follow && !task.ended();
    // An open task has recorded nothing yet (and the server would wait
    // 30 s for a first event before saying so).
    let log: Vec<LogLine> = if live || task.status == "open" {
        Vec::new()
    } else {
        client.events(id).map_err(anyhow::Error::msg)?.iter().map(LogLine::from_json).collect()
    };
    let mut out = Out::default();
    if json {
        out.json(&serde_json::json!({"task": task, "log": log}))?;
        out.flush()?;
        return Ok(0);
    }
    describe(&mut out, &task, &log);
    out.line("log:");
    for l in &log {
        log_line(&mut out, l.step.as_deref(), &l.message);
    }
    out.flush()?;
    if !live {
        let failed = follow && task.status != "completed";
        return Ok(if failed { EXIT_FOUND_PROBLEMS } else { 0 });
    }
    let done = task_stream::follow(&client, id, &mut |event| {
        if let TaskEvent::Log { step, message, .. } = event {
            let mut line = Out::default();
            log_line(&mut line, step.as_deref(), message);
            let _ = line.flush();
        }
    })
    .map_err(anyhow::Error::msg)?;
    let TaskEvent::Completion { message, failed, .. } = done else {
        bail!("task {id}: the stream ended without an end")
    };
    let mut end = Out::default();
    end.line(&format!("end: {}", strip_sgr(&message)));
    end.flush()?;
    Ok(if failed { EXIT_FOUND_PROBLEMS } else { 0 })
}

/// `stagehand tasks cancel ID`.
fn cancel(ws: &Workspace, id: &str, source: Option<&str>, yes: bool) -> anyhow::Result<u8> {
    let (name, client) = client(ws, source)?;
    let task = Task::from_json(&client.task(id).map_err(anyhow::Error::msg)?);
    if task.ended() {
        bail!("task {id} already ended ({}); nothing to cancel", task.status);
    }
    let what = format!("cancel task {id} of {} on `{name}` ({})", task.template_label(), task.status);
    confirm::confirm(&what, Ask::DefaultRun, yes)?;
    client.cancel(id).map_err(anyhow::Error::msg)?;
    let mut out = Out::default();
    out.line(&format!("asked `{name}` to cancel task {id}; `stagehand tasks show {id} --follow` shows it stop"));
    out.flush()?;
    Ok(0)
}

/// `stagehand tasks retry ID`.
fn retry(ws: &Workspace, id: &str, source: Option<&str>, yes: bool) -> anyhow::Result<u8> {
    let (name, client) = client(ws, source)?;
    let task = Task::from_json(&client.task(id).map_err(anyhow::Error::msg)?);
    if !task.ended() {
        bail!("task {id} is still {}; only ended tasks can be retried", task.status);
    }
    let what = format!("run task {id} of {} again on `{name}` (it {})", task.template_label(), task.status);
    confirm::confirm(&what, Ask::DefaultRun, yes)?;
    client.retry(id).map_err(anyhow::Error::msg)?;
    let mut out = Out::default();
    out.line(&format!("task {id} runs again on `{name}`; `stagehand tasks show {id} --follow` follows it"));
    out.flush()?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_are_split_stripped_and_sanitized() {
        let mut out = Out::default();
        log_line(&mut out, Some("fetch"), "\u{1b}[32minfo\u{1b}[39m: one\ntwo \u{1b}]0;x\u{7}");
        let text = out.into_string();
        assert_eq!(text, "  fetch        info: one\n  fetch        two ␛]0;x␇\n");
    }
}
