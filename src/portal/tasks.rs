//! Scaffolder tasks as a history: who ran which template when, how it
//! went, its steps and its log, read from the scaffolder API
//! ([`crate::scaffold::remote`]). Log lines lose the colour codes the
//! backend's logger adds (the web UI renders them; here they would be
//! shown as escapes).

use serde::Serialize;
use serde_json::Value as Json;

/// A task as listed (text not yet sanitized: every view sanitizes).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// Its id.
    pub id: String,
    /// `open`, `processing`, `completed`, `failed`, `cancelled`, `skipped`.
    pub status: String,
    /// The template's ref, when the task records it.
    pub template: Option<String>,
    /// The template's title, when it has one.
    pub title: Option<String>,
    /// Who created it (a user ref), when a user did.
    pub created_by: Option<String>,
    /// When it was created (as the server wrote it).
    pub created_at: String,
    /// Its last sign of life, if any.
    pub last_heartbeat_at: Option<String>,
    /// Its steps: id and name.
    pub steps: Vec<Step>,
}

/// One step of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The step id (`step-N` when the template gave none).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its action.
    pub action: String,
}

impl Task {
    /// Reads a task of `/v2/tasks` or `/v2/tasks/{id}`.
    pub fn from_json(value: &Json) -> Task {
        let text = |v: &Json, pointer: &str| v.pointer(pointer).and_then(Json::as_str).map(String::from);
        let steps = value
            .pointer("/spec/steps")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, s)| {
                let id = text(s, "/id").unwrap_or_else(|| format!("step-{}", i + 1));
                let action = text(s, "/action").unwrap_or_default();
                Step { name: text(s, "/name").unwrap_or_else(|| action.clone()), id, action }
            })
            .collect();
        Task {
            id: text(value, "/id").unwrap_or_default(),
            status: text(value, "/status").unwrap_or_else(|| "unknown".into()),
            template: text(value, "/spec/templateInfo/entityRef"),
            title: text(value, "/spec/templateInfo/entity/metadata/title"),
            created_by: text(value, "/createdBy").filter(|c| !c.is_empty()),
            created_at: text(value, "/createdAt").unwrap_or_default(),
            last_heartbeat_at: text(value, "/lastHeartbeatAt"),
            steps,
        }
    }

    /// Whether no more events will come.
    pub fn ended(&self) -> bool {
        matches!(self.status.as_str(), "completed" | "failed" | "cancelled" | "skipped")
    }

    /// "3h ago" from `created_at`, relative to `now` (Unix seconds).
    pub fn age(&self, now: u64) -> String {
        unix_time(&self.created_at).map_or_else(|| "?".to_string(), |then| crate::index::age(then, now))
    }

    /// The template's title, else its ref, else a dash.
    pub fn template_label(&self) -> &str {
        self.title.as_deref().or(self.template.as_deref()).unwrap_or("-")
    }
}

/// Unix seconds of an RFC 3339 time (`2026-12-05T00:12:47.000Z`).
pub fn unix_time(text: &str) -> Option<u64> {
    let time = humantime::parse_rfc3339_weak(text.trim_end_matches('Z')).ok()?;
    time.duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_secs())
}

/// One recorded event of a task's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    /// The event id.
    pub id: Option<u64>,
    /// `log`, `completion`, `cancelled`, `recovered`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The step it belongs to.
    pub step: Option<String>,
    /// The step's status it reports, if any.
    pub status: Option<String>,
    /// The message, without colour codes.
    pub message: String,
    /// When it was recorded.
    pub created_at: String,
}

impl LogLine {
    /// Reads one event of `/v2/tasks/{id}/events`.
    pub fn from_json(value: &Json) -> LogLine {
        let text = |pointer: &str| value.pointer(pointer).and_then(Json::as_str).map(String::from);
        LogLine {
            id: value.get("id").and_then(Json::as_u64),
            kind: text("/type").unwrap_or_else(|| "log".into()),
            step: text("/body/stepId"),
            status: text("/body/status"),
            message: strip_sgr(&text("/body/message").unwrap_or_default()),
            created_at: text("/createdAt").unwrap_or_default(),
        }
    }
}

/// Removes SGR colour sequences (`ESC [ … m`); other escapes stay, for the
/// sanitizer to show.
pub fn strip_sgr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}[") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let params = after.find(|c: char| !(c.is_ascii_digit() || c == ';')).unwrap_or(after.len());
        if after[params..].starts_with('m') {
            rest = &after[params + 1..];
        } else {
            out.push_str("\u{1b}[");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The state each step reached, from the log: `(step id, status)`.
pub fn step_states(task: &Task, log: &[LogLine]) -> Vec<(String, String)> {
    task.steps
        .iter()
        .map(|s| {
            let last = log.iter().rev().find(|l| l.step.as_deref() == Some(s.id.as_str()) && l.status.is_some());
            let status = last.and_then(|l| l.status.clone()).unwrap_or_else(|| "pending".to_string());
            (s.id.clone(), status)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn task() -> Task {
        Task::from_json(&json!({"id": "t1", "status": "processing", "createdAt": "2026-12-05T00:12:47.000Z",
            "spec": {"steps": [{"id": "hello", "name": "Hello", "action": "debug:log"}, {"action": "debug:wait"}],
                     "templateInfo": {"entityRef": "template:default/slow", "entity": {"metadata": {"title": "Slow"}}}}}))
    }

    #[test]
    fn tasks_read_as_the_scaffolder_lists_them() {
        let t = task();
        assert_eq!((t.id.as_str(), t.status.as_str(), t.template_label()), ("t1", "processing", "Slow"));
        assert_eq!(t.steps[1], Step { id: "step-2".into(), name: "debug:wait".into(), action: "debug:wait".into() });
        assert!(!t.ended() && t.created_by.is_none());
        let then = unix_time(&t.created_at).unwrap();
        assert_eq!(t.age(then + 7200), "2h ago");
        assert_eq!(Task::from_json(&json!({"createdAt": "nonsense"})).age(0), "?");
    }

    #[test]
    fn log_lines_lose_colours_and_steps_take_their_last_state() {
        let log: Vec<LogLine> = [
            json!({"id": 2, "type": "log", "body": {"message": "Beginning", "stepId": "hello", "status": "processing"}}),
            json!({"id": 3, "type": "log", "body": {"message": "\u{1b}[32minfo\u{1b}[39m: hi \u{1b}]0;t", "stepId": "hello"}}),
            json!({"id": 4, "type": "log", "body": {"message": "Finished", "stepId": "hello", "status": "completed"}}),
        ]
        .iter()
        .map(LogLine::from_json)
        .collect();
        assert_eq!(log[1].message, "info: hi \u{1b}]0;t", "SGR goes, other escapes stay for the sanitizer");
        assert_eq!(
            step_states(&task(), &log),
            [("hello".to_string(), "completed".to_string()), ("step-2".to_string(), "pending".to_string())]
        );
        assert_eq!(strip_sgr("a\u{1b}[1;31mb\u{1b}[Kc"), "ab\u{1b}[Kc");
    }
}
