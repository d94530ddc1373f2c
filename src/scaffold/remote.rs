//! The Backstage scaffolder REST API: create a task, follow its event
//! stream, cancel it, and dry-run a template. Every call takes the backend's
//! base URL and an optional bearer token; tokens are never logged.

use std::path::Path;

use base64::Engine as _;
use futures::StreamExt;
use serde_json::{Map, Value as Json, json};

use super::runner::PlannedFile;
use super::safe_fs::walk;
use super::sse::SseParser;

/// A failed API call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RemoteError(pub String);

fn err(e: impl std::fmt::Display) -> RemoteError {
    RemoteError(e.to_string())
}

/// A scaffolder client.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Client({}, token: {})", self.base, if self.token.is_some() { "set" } else { "none" })
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

impl Client {
    /// A client for `base_url` (e.g. `http://127.0.0.1:7007`).
    pub fn new(base_url: &str, token: Option<&str>) -> Result<Client, RemoteError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("stagehand/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(err)?;
        Ok(Client { http, base: base_url.trim_end_matches('/').to_string(), token: token.map(String::from) })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/scaffolder{path}", self.base)
    }

    fn auth(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder, what: &str) -> Result<reqwest::Response, RemoteError> {
        let resp =
            self.auth(req).send().await.map_err(|e| RemoteError(format!("{what}: cannot reach {}: {e}", self.base)))?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        let message = serde_json::from_str::<Json>(&body)
            .ok()
            .and_then(|j| j.pointer("/error/message").and_then(Json::as_str).map(String::from))
            .unwrap_or_else(|| body.chars().take(300).collect());
        Err(RemoteError(format!("{what}: {status}: {message}")))
    }

    /// `POST /v2/tasks`: starts a task; returns its id.
    pub async fn create_task(
        &self,
        template_ref: &str,
        values: &Map<String, Json>,
        secrets: &Map<String, Json>,
    ) -> Result<String, RemoteError> {
        let body = json!({"templateRef": template_ref, "values": values, "secrets": secrets});
        let resp = self.send(self.http.post(self.url("/v2/tasks")).json(&body), "create task").await?;
        let j: Json = resp.json().await.map_err(err)?;
        j.get("id")
            .and_then(Json::as_str)
            .map(String::from)
            .ok_or_else(|| RemoteError("create task: no id in the answer".into()))
    }

    /// `GET /v2/tasks/{id}`.
    pub async fn task(&self, id: &str) -> Result<Json, RemoteError> {
        let resp = self.send(self.http.get(self.url(&format!("/v2/tasks/{id}"))), "get task").await?;
        resp.json().await.map_err(err)
    }

    /// `POST /v2/tasks/{id}/cancel`.
    pub async fn cancel(&self, id: &str) -> Result<(), RemoteError> {
        self.send(self.http.post(self.url(&format!("/v2/tasks/{id}/cancel"))), "cancel task").await.map(|_| ())
    }

    /// Follows `GET /v2/tasks/{id}/eventstream` until completion, calling
    /// `on_event` for each event; returns the completion.
    pub async fn follow(&self, id: &str, on_event: &mut dyn FnMut(&TaskEvent)) -> Result<TaskEvent, RemoteError> {
        let req = self.http.get(self.url(&format!("/v2/tasks/{id}/eventstream"))).header("Accept", "text/event-stream");
        let resp = self.send(req, "event stream").await?;
        let mut stream = resp.bytes_stream();
        let mut parser = SseParser::default();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| RemoteError(format!("event stream: {e}")))?;
            for e in parser.feed(&chunk).map_err(RemoteError)? {
                let Ok(data) = serde_json::from_str::<Json>(&e.data) else { continue };
                let event = parse_event(&e.event, &data);
                on_event(&event);
                if matches!(event, TaskEvent::Completion { .. }) {
                    return Ok(event);
                }
            }
        }
        let task = self.task(id).await?;
        let status = task.get("status").and_then(Json::as_str).unwrap_or("unknown").to_string();
        Ok(TaskEvent::Completion {
            message: format!("stream ended; task status {status}"),
            output: None,
            failed: status != "completed",
        })
    }

    /// `POST /v2/dry-run`: runs `template` (entity JSON) with the files of
    /// `dir` (its folder) and returns what it would write.
    pub async fn dry_run(
        &self,
        template: &Json,
        dir: Option<&Path>,
        values: &Map<String, Json>,
        secrets: &Map<String, Json>,
    ) -> Result<DryRun, RemoteError> {
        let mut contents = Vec::new();
        if let Some(dir) = dir {
            for (path, meta) in walk(dir).map_err(err)? {
                if meta.is_file() {
                    let bytes = std::fs::read(dir.join(&path)).map_err(err)?;
                    contents.push(
                        json!({"path": path, "base64Content": base64::engine::general_purpose::STANDARD.encode(bytes)}),
                    );
                }
            }
        }
        let body = json!({"template": template, "values": values, "secrets": secrets, "directoryContents": contents});
        let resp = self.send(self.http.post(self.url("/v2/dry-run")).json(&body), "dry run").await?;
        let j: Json = resp.json().await.map_err(err)?;
        let mut files = Vec::new();
        for f in j.get("directoryContents").and_then(Json::as_array).into_iter().flatten() {
            let path = f.get("path").and_then(Json::as_str).unwrap_or("").to_string();
            let b64 = f.get("base64Content").and_then(Json::as_str).unwrap_or("");
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64).map_err(err)?;
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
