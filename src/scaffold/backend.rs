//! A template run as a task on a Backstage backend: create it with the
//! template's ref, follow its event stream as step states and log lines
//! (the same [`Event`]s a local run reports), cancel it on request, and
//! read its output links and text. A dry run uses the backend's
//! `/v2/dry-run`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use super::expr::{Engine, Syntax};
use super::output::from_task_output;
use super::remote::{Client, TaskEvent};
use super::runner::{Event, RunError, RunInput, RunResult, StepStatus, context};
use super::taint::Redactor;
use super::task_stream;
use super::template::Template;

/// Log lines that belong to no step (task messages) use this step index.
pub const TASK_LOG: usize = usize::MAX;

/// How long a cancelled task may take to report its end.
pub const CANCEL_GRACE: Duration = Duration::from_secs(30);

/// How often a running task checks for cancellation.
const CANCEL_POLL: Duration = Duration::from_millis(100);

/// The backend a template runs on: a configured `backstage:` source, or
/// `--base-url`. Its client holds the token (never shown).
#[derive(Clone, Debug)]
pub struct Backend {
    /// The source's name (or the flag that gave the URL).
    pub source: String,
    /// The scaffolder client, with the source's token, CA file and timeout.
    pub client: Client,
}

impl Backend {
    /// `source` (`url`), for messages.
    pub fn label(&self) -> String {
        format!("`{}` ({})", self.source, self.client.base())
    }
}

/// A step state from an event's `status`.
pub fn step_status(status: &str, message: &str) -> Option<StepStatus> {
    match status {
        "processing" => Some(StepStatus::Running),
        "completed" => Some(StepStatus::Done),
        "skipped" => Some(StepStatus::Skipped("if is false".into())),
        "failed" => Some(StepStatus::Failed(message.to_string())),
        "cancelled" => Some(StepStatus::Failed("cancelled".into())),
        _ => None,
    }
}

/// The index of the step an event names (by id, or the `step-N` stand-in).
pub fn step_index(template: &Template, step: Option<&str>) -> usize {
    step.and_then(|id| template.steps.iter().enumerate().position(|(i, s)| s.key(i) == id)).unwrap_or(TASK_LOG)
}

/// Turns one task event into run events.
pub fn events_of(template: &Template, event: &TaskEvent, redactor: &Redactor) -> Vec<Event> {
    let TaskEvent::Log { step, status, message } = event else { return Vec::new() };
    let i = step_index(template, step.as_deref());
    let message = redactor.redact(message);
    let mut out = Vec::new();
    if i != TASK_LOG
        && let Some(s) = status.as_deref().and_then(|s| step_status(s, &message))
    {
        out.push(Event::Step(i, s));
    }
    if !message.is_empty() {
        out.push(Event::Log(i, message));
    }
    out
}

/// The secrets and what the steps derive from them (evaluated here, on the
/// parameters and secrets: the backend's step outputs are not known).
fn redactor_for(template: &Template, input: &RunInput) -> Redactor {
    let mut redactor = Redactor::new(&input.secrets);
    let engine = Engine::new(Syntax::Backstage);
    let ctx = context(input, &serde_json::Map::new());
    for step in &template.steps {
        for part in [Some(&step.input), step.condition.as_ref(), step.each.as_ref()].into_iter().flatten() {
            redactor.taint(&engine, part, &ctx);
        }
    }
    redactor
}

/// Runs `template` on `backend` (its `entity_ref` as `templateRef`), or
/// dry-runs it there with `dry_run`. `events` sees progress as it streams;
/// setting `cancel` cancels the task.
pub fn run(
    backend: &Backend,
    template: &Template,
    input: &RunInput,
    dry_run: bool,
    events: &mut dyn FnMut(Event),
    cancel: &AtomicBool,
) -> Result<RunResult, RunError> {
    let redactor = redactor_for(template, input);
    let fail = |message: String| RunError { step: None, message: redactor.redact(&message), workspace: None };
    let client = &backend.client;
    if dry_run {
        let r = client
            .dry_run(&template.entity, template.base_dir.as_deref(), &input.parameters, &input.secrets)
            .map_err(|e| fail(e.message))?;
        for line in r.log {
            events(Event::Log(TASK_LOG, redactor.redact(&line)));
        }
        return Ok(RunResult {
            output: from_task_output(Some(&r.output)),
            workspace: PathBuf::new(),
            files: r.files,
            task: Some(format!("dry run on {}", backend.label())),
            registered: Vec::new(),
        });
    }
    let id = client
        .create_task(&template.entity_ref, &input.parameters, &input.secrets)
        .map_err(|e| fail(format!("{} ({})", e.message, backend.label())))?;
    let task = format!("task {id} on {}", backend.label());
    events(Event::Log(TASK_LOG, format!("{task} started")));
    let mut on = |e: &TaskEvent| {
        for ev in events_of(template, e, &redactor) {
            events(ev);
        }
    };
    let done = follow(client, &id, &mut on, cancel).map_err(fail)?;
    let TaskEvent::Completion { message, output, failed } = done else {
        return Err(fail(format!("{task}: the event stream ended without a completion")));
    };
    if failed {
        let why = if cancel.load(Ordering::Relaxed) { "cancelled".to_string() } else { redactor.redact(&message) };
        return Err(fail(format!("{task}: {why}")));
    }
    Ok(RunResult {
        output: from_task_output(output.as_ref()),
        workspace: PathBuf::new(),
        files: Vec::new(),
        task: Some(task),
        registered: Vec::new(),
    })
}

/// What the stream's reader thread reports.
enum Update {
    /// One event.
    Event(TaskEvent),
    /// The stream's end.
    Done(Result<TaskEvent, String>),
}

/// Follows the event stream on a reader thread; when `cancel` is set, asks
/// the backend to cancel and waits (at most [`CANCEL_GRACE`]) for the task
/// to end.
fn follow(client: &Client, id: &str, on: &mut dyn FnMut(&TaskEvent), cancel: &AtomicBool) -> Result<TaskEvent, String> {
    let (tx, rx) = channel();
    let (reader, task) = (client.clone(), id.to_string());
    std::thread::spawn(move || {
        let events = tx.clone();
        let done = task_stream::follow(&reader, &task, &mut |e| {
            let _ = events.send(Update::Event(e.clone()));
        });
        let _ = tx.send(Update::Done(done));
    });
    let mut asked: Option<Instant> = None;
    loop {
        match rx.recv_timeout(CANCEL_POLL) {
            Ok(Update::Event(e)) => on(&e),
            Ok(Update::Done(done)) => return done,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Err(format!("following task {id} stopped unexpectedly")),
        }
        match asked {
            None if cancel.load(Ordering::Relaxed) => {
                asked = Some(Instant::now());
                client.cancel(id).map_err(String::from)?;
            }
            Some(at) if at.elapsed() > CANCEL_GRACE => {
                return Ok(TaskEvent::Completion { message: "cancelled".into(), output: None, failed: true });
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template() -> Template {
        Template::from_json(
            json!({"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template", "metadata": {"name": "t"},
                   "spec": {"steps": [{"id": "fetch", "action": "fetch:template"}, {"action": "publish:github"}]}}),
            None,
        )
        .unwrap()
    }

    #[test]
    fn task_events_become_step_states_and_logs() {
        let t = template();
        let log = |step: Option<&str>, status: Option<&str>, message: &str| TaskEvent::Log {
            step: step.map(String::from),
            status: status.map(String::from),
            message: message.into(),
        };
        let secrets = Redactor::new(json!({"token": "sekret"}).as_object().unwrap());
        assert_eq!(
            events_of(&t, &log(Some("fetch"), Some("processing"), "Beginning step Fetch"), &secrets),
            [Event::Step(0, StepStatus::Running), Event::Log(0, "Beginning step Fetch".into())]
        );
        assert_eq!(
            events_of(&t, &log(Some("step-2"), Some("failed"), "bad sekret"), &secrets),
            [Event::Step(1, StepStatus::Failed("bad ***".into())), Event::Log(1, "bad ***".into())]
        );
        assert_eq!(events_of(&t, &log(None, None, "hello"), &secrets), [Event::Log(TASK_LOG, "hello".into())]);
        let done = TaskEvent::Completion { message: String::new(), output: None, failed: false };
        assert!(events_of(&t, &done, &secrets).is_empty());
    }

    #[test]
    fn the_token_is_never_shown() {
        let http = crate::sources::remote::client::Client::new(&crate::config::RemoteConfig::new("http://x"))
            .unwrap()
            .with_token(Some("sekret".into()), "test");
        let b = Backend { source: "prod".into(), client: Client::new(http) };
        assert!(!format!("{b:?} {}", b.label()).contains("sekret"));
    }
}
