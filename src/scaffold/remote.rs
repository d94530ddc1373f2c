//! The Backstage scaffolder REST API over the shared backend client
//! ([`crate::sources::remote::client`]: the source's token, CA file and
//! timeout, retries with backoff): create a task, read its state, open its
//! event stream and recorded events, list, cancel and retry tasks, list
//! actions, and dry-run a template. Creating, cancelling and retrying are
//! sent once (a retry could start a task twice); reads are retried.
//! Tokens never appear in messages.

use std::path::Path;

use base64::Engine as _;
use reqwest::StatusCode;
use reqwest::blocking::Response;
use serde_json::{Map, Value as Json, json};

use super::runner::PlannedFile;
use super::safe_fs::{read_no_follow, walk};
use crate::sources::remote::client::{self, Failure};

/// The scaffolder API under the base URL.
pub const SCAFFOLDER: &str = "/api/scaffolder";

/// A scaffolder client on one backend.
#[derive(Clone)]
pub struct Client {
    http: client::Client,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Client({})", self.http.base())
    }
}

/// What the event stream reports.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskEvent {
    /// A log line, with the step it belongs to and that step's status.
    Log {
        /// The step id, if any.
        step: Option<String>,
        /// `processing`, `completed`, `failed`, `skipped`...
        status: Option<String>,
        /// The message.
        message: String,
    },
    /// The task finished (or failed, or was cancelled).
    Completion {
        /// Its final message.
        message: String,
        /// `output`, when it completed.
        output: Option<Json>,
        /// Whether it failed or was cancelled.
        failed: bool,
    },
}

/// A dry run's answer.
#[derive(Debug, Clone)]
pub struct DryRun {
    /// The files it would write.
    pub files: Vec<PlannedFile>,
    /// Its log messages.
    pub log: Vec<String>,
    /// Its output.
    pub output: Json,
}

/// `failure` with `message` in front of its own.
fn explain(failure: Failure, message: String) -> Failure {
    Failure { message: format!("{message}: {}", failure.message), status: failure.status }
}

impl Client {
    /// A scaffolder client using `http` (built from a source's config, or
    /// from `RemoteConfig::new` and a token).
    pub fn new(http: client::Client) -> Client {
        Client { http }
    }

    /// Uses `token` (from `setting`, named in a 401's message) instead of
    /// the source's.
    pub fn with_token(self, token: &str, setting: &str) -> Client {
        Client { http: self.http.with_token(Some(token.to_string()), setting) }
    }

    /// The backend's base URL.
    pub fn base(&self) -> &str {
        self.http.base()
    }

    /// The API URL of task `id`, for messages.
    pub fn task_url(&self, id: &str) -> String {
        format!("{}{SCAFFOLDER}/v2/tasks/{id}", self.base())
    }

    /// `POST /v2/tasks` (sent once): starts a task; returns its id.
    pub fn create_task(
        &self,
        template_ref: &str,
        values: &Map<String, Json>,
        secrets: &Map<String, Json>,
    ) -> Result<String, Failure> {
        let body = json!({"templateRef": template_ref, "values": values, "secrets": secrets});
        let answer = self.http.post_once(&format!("{SCAFFOLDER}/v2/tasks"), &[], &body).map_err(|f| {
            let why = match f.status {
                Some(StatusCode::NOT_FOUND) => {
                    format!("template {template_ref} is not in the catalog of {}", self.base())
                }
                Some(s) if s.is_server_error() => format!(
                    "creating a task of {template_ref} failed and was not retried (a retry could start it twice); \
                     check the backend's task list before running again"
                ),
                _ => format!("cannot create a task of {template_ref}"),
            };
            explain(f, why)
        })?;
        answer.get("id").and_then(Json::as_str).map(String::from).ok_or_else(|| Failure {
            message: format!("{} answered the new task of {template_ref} without an id", self.base()),
            status: None,
        })
    }

    /// `GET /v2/tasks/{id}` (retried): the task's state.
    pub fn task(&self, id: &str) -> Result<Json, Failure> {
        self.http.get_json(&format!("{SCAFFOLDER}/v2/tasks/{id}"), &[]).map_err(|f| {
            let why = if f.status == Some(StatusCode::NOT_FOUND) {
                format!("task {id} is not on {}", self.base())
            } else {
                format!("cannot read the state of task {id}")
            };
            explain(f, why)
        })
    }

    /// `GET /v2/tasks/{id}/eventstream` (retried until it answers): the
    /// server-sent events after event `after` (all with `None`).
    pub fn event_stream(&self, id: &str, after: Option<u64>) -> Result<Response, Failure> {
        let query: Vec<(&str, String)> = after.map(|a| ("after", a.to_string())).into_iter().collect();
        self.http
            .get_stream(&format!("{SCAFFOLDER}/v2/tasks/{id}/eventstream"), &query, "text/event-stream")
            .map_err(|f| explain(f, format!("cannot follow task {id}")))
    }

    /// `POST /v2/tasks/{id}/cancel` (sent once).
    pub fn cancel(&self, id: &str) -> Result<(), Failure> {
        self.http
            .post_once(&format!("{SCAFFOLDER}/v2/tasks/{id}/cancel"), &[], &json!({}))
            .map(|_| ())
            .map_err(|f| explain(f, format!("cannot cancel task {id}")))
    }

    /// `GET /v2/tasks` (retried): the tasks `created_by` (a user ref) made,
    /// or every task the token may read with `None`; newest first, at most
    /// `limit`. Returns the `tasks` array as the server sends it.
    pub fn list_tasks(&self, created_by: Option<&str>, limit: usize) -> Result<Vec<Json>, Failure> {
        let mut query = vec![("order", "desc:created_at".to_string()), ("limit", limit.to_string())];
        if let Some(user) = created_by {
            query.push(("createdBy", user.to_string()));
        }
        let answer = self.http.get_json(&format!("{SCAFFOLDER}/v2/tasks"), &query).map_err(|f| {
            let why = if f.status == Some(StatusCode::NOT_FOUND) {
                format!("the scaffolder plugin is not installed on {}", self.base())
            } else {
                "cannot list the scaffolder's tasks".to_string()
            };
            explain(f, why)
        })?;
        Ok(answer.get("tasks").and_then(Json::as_array).cloned().unwrap_or_default())
    }

    /// `GET /v2/tasks/{id}/events` (retried): the events the task has
    /// recorded so far (the server waits, up to 30 s, for a first one).
    pub fn events(&self, id: &str) -> Result<Vec<Json>, Failure> {
        let answer = self
            .http
            .get_json(&format!("{SCAFFOLDER}/v2/tasks/{id}/events"), &[])
            .map_err(|f| explain(f, format!("cannot read the log of task {id}")))?;
        Ok(answer.as_array().cloned().unwrap_or_default())
    }

    /// `POST /v2/tasks/{id}/retry` (sent once): runs an ended task again.
    pub fn retry(&self, id: &str) -> Result<(), Failure> {
        self.http.post_once(&format!("{SCAFFOLDER}/v2/tasks/{id}/retry"), &[], &json!({})).map(|_| ()).map_err(|f| {
            let why = if f.status == Some(StatusCode::CONFLICT) {
                format!("task {id} cannot be retried while it runs (only ended tasks can)")
            } else {
                format!("cannot retry task {id}")
            };
            explain(f, why)
        })
    }

    /// `GET /v2/actions` (retried): the ids of the actions the backend has.
    pub fn actions(&self) -> Result<Vec<String>, Failure> {
        let list = self.http.get_json(&format!("{SCAFFOLDER}/v2/actions"), &[])?;
        Ok(list.as_array().into_iter().flatten().filter_map(|a| a["id"].as_str().map(String::from)).collect())
    }

    /// `POST /v2/dry-run` (retried: it stores nothing): runs `template`
    /// (entity JSON) with the files of `dir` (its folder) and returns what
    /// it would write.
    pub fn dry_run(
        &self,
        template: &Json,
        dir: Option<&Path>,
        values: &Map<String, Json>,
        secrets: &Map<String, Json>,
    ) -> Result<DryRun, Failure> {
        let local = |message: String| Failure { message, status: None };
        let mut contents = Vec::new();
        if let Some(dir) = dir {
            for (path, meta) in walk(dir).map_err(|e| local(e.to_string()))? {
                if meta.is_file() {
                    let Some(bytes) = read_no_follow(&dir.join(&path)).map_err(|e| local(format!("{path}: {e}")))?
                    else {
                        continue;
                    };
                    let content = base64::engine::general_purpose::STANDARD.encode(bytes);
                    contents.push(json!({"path": path, "base64Content": content}));
                }
            }
        }
        let body = json!({"template": template, "values": values, "secrets": secrets, "directoryContents": contents});
        let j = self
            .http
            .post_json(&format!("{SCAFFOLDER}/v2/dry-run"), &[], &body)
            .map_err(|f| explain(f, "dry run".into()))?;
        let mut files = Vec::new();
        for f in j.get("directoryContents").and_then(Json::as_array).into_iter().flatten() {
            let path = f.get("path").and_then(Json::as_str).unwrap_or("").to_string();
            let b64 = f.get("base64Content").and_then(Json::as_str).unwrap_or("");
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| local(format!("dry run: {path} is not base64: {e}")))?;
            let executable = f.get("executable").and_then(Json::as_bool).unwrap_or(false);
            files.push(PlannedFile { path, bytes, executable });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let log = j
            .get("log")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(|l| l.pointer("/body/message").and_then(Json::as_str).map(String::from))
            .collect();
        Ok(DryRun { files, log, output: j.get("output").cloned().unwrap_or(Json::Null) })
    }
}

/// Reads one event-stream message.
pub fn parse_event(kind: &str, data: &Json) -> TaskEvent {
    let body = data.get("body").unwrap_or(&Json::Null);
    let message = body.get("message").and_then(Json::as_str).unwrap_or("").to_string();
    let ty = data.get("type").and_then(Json::as_str).unwrap_or(kind);
    if ty == "completion" || kind == "completion" || kind == "cancelled" || ty == "cancelled" {
        let failed = body.get("error").is_some() || kind == "cancelled" || !message.contains("completed");
        return TaskEvent::Completion { message, output: body.get("output").cloned(), failed };
    }
    TaskEvent::Log {
        step: body.get("stepId").and_then(Json::as_str).map(String::from),
        status: body.get("status").and_then(Json::as_str).map(String::from),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_read_as_backstage_sends_them() {
        let log = parse_event(
            "log",
            &json!({"type": "log", "body": {"message": "hi", "stepId": "fetch", "status": "processing"}}),
        );
        assert_eq!(
            log,
            TaskEvent::Log { step: Some("fetch".into()), status: Some("processing".into()), message: "hi".into() }
        );
        let done = parse_event(
            "completion",
            &json!({"type": "completion", "body": {"message": "Run completed with status: completed", "output": {"links": []}}}),
        );
        assert!(matches!(done, TaskEvent::Completion { failed: false, .. }));
        let failed = parse_event(
            "completion",
            &json!({"type": "completion", "body": {"message": "Run completed with status: failed", "error": {}}}),
        );
        assert!(matches!(failed, TaskEvent::Completion { failed: true, .. }));
    }
}
