//! Following a task's event stream to its end through faults: when the
//! stream drops, goes quiet past the timeout, ends without a completion or
//! sends a malformed event, the task's state is read again and the stream
//! reopened after the last event seen. At most [`RECONNECTS`] reopenings in
//! a row may bring nothing new (a quiet stream of a running task only
//! waits); then the error names the task and its URL.

use std::io::Read;
use std::time::Duration;

use serde_json::Value as Json;

use super::remote::{Client, TaskEvent, parse_event};
use super::sse::SseParser;

/// Reopenings in a row that may bring no new event.
pub const RECONNECTS: u32 = 5;

/// The pause before a reopening, times the reopenings in a row so far.
pub const RECONNECT_PAUSE: Duration = Duration::from_millis(200);

/// Task states after which no more events come.
const ENDED: [&str; 3] = ["completed", "failed", "cancelled"];

/// Why one connection ended without a completion.
enum Break {
    /// Nothing arrived within the timeout.
    Quiet,
    /// The connection failed while reading.
    Dropped(String),
    /// The server closed the stream.
    Ended,
    /// An event that is not what Backstage sends.
    Malformed(String),
    /// The server refused to open the stream (401, 403, 404...): final.
    Refused(String),
}

impl Break {
    fn describe(&self) -> String {
        match self {
            Break::Quiet => "sent nothing within the timeout".into(),
            Break::Dropped(e) => format!("dropped ({e})"),
            Break::Ended => "ended before the task's completion".into(),
            Break::Malformed(e) => format!("sent a malformed event ({e})"),
            Break::Refused(e) => e.clone(),
        }
    }
}

/// Follows task `id` until its completion, calling `on_event` once for
/// each event (the completion included); returns the completion.
pub fn follow(client: &Client, id: &str, on_event: &mut dyn FnMut(&TaskEvent)) -> Result<TaskEvent, String> {
    let mut after: Option<u64> = None;
    let mut strikes = 0u32;
    loop {
        let before = after;
        let why = match connection(client, id, &mut after, on_event) {
            Ok(done) => return Ok(done),
            Err(Break::Refused(message)) => return Err(message),
            Err(why) => why,
        };
        let state = client.task(id).map_err(String::from)?;
        let status = state["status"].as_str().unwrap_or("unknown");
        let news = after != before;
        if !news && ENDED.contains(&status) {
            return Ok(TaskEvent::Completion {
                message: format!("task {id} ended with status {status}; its event stream did not report the end"),
                output: None,
                failed: status != "completed",
            });
        }
        let waiting = matches!(why, Break::Quiet) && matches!(status, "open" | "processing");
        strikes = if news || waiting { 0 } else { strikes + 1 };
        if strikes >= RECONNECTS {
            return Err(format!(
                "the event stream of task {id} ({}) {} and {RECONNECTS} reconnections brought nothing new; \
                 the task's status is {status}",
                client.task_url(id),
                why.describe()
            ));
        }
        std::thread::sleep(RECONNECT_PAUSE * strikes);
    }
}

/// Reads one connection of the stream, from after event `after` (which
/// it advances), until the completion or a break.
fn connection(
    client: &Client,
    id: &str,
    after: &mut Option<u64>,
    on_event: &mut dyn FnMut(&TaskEvent),
) -> Result<TaskEvent, Break> {
    let mut resp = client.event_stream(id, *after).map_err(|f| match f.status {
        Some(s) if s.is_client_error() => Break::Refused(f.message),
        _ => Break::Dropped(f.message),
    })?;
    let mut parser = SseParser::default();
    let mut buf = [0u8; 8192];
    loop {
        let n = match resp.read(&mut buf) {
            Ok(0) => return Err(Break::Ended),
            Ok(n) => n,
            Err(e) if timed_out(&e) => return Err(Break::Quiet),
            Err(e) => return Err(Break::Dropped(e.to_string())),
        };
        for e in parser.feed(&buf[..n]).map_err(Break::Malformed)? {
            let data: Json = serde_json::from_str(&e.data).map_err(|err| {
                let excerpt: String = e.data.chars().take(80).collect();
                Break::Malformed(format!("{err} in `{}`", crate::model::sanitize::line(&excerpt)))
            })?;
            let event_id = data["id"].as_u64().or_else(|| e.id.as_deref().and_then(|i| i.parse().ok()));
            if event_id.is_some_and(|new| after.is_some_and(|old| new <= old)) {
                continue;
            }
            *after = event_id.or(*after);
            let event = parse_event(&e.event, &data);
            on_event(&event);
            if matches!(event, TaskEvent::Completion { .. }) {
                return Ok(event);
            }
        }
    }
}

/// Whether a read failed because nothing arrived within the timeout.
fn timed_out(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::TimedOut
        || e.get_ref().and_then(|inner| inner.downcast_ref::<reqwest::Error>()).is_some_and(reqwest::Error::is_timeout)
}
