//! Portal effects: the actions registry, scaffolder tasks and the server's
//! search, on a `backstage:` source's backend. Blocking work, run by the
//! runtime off the UI thread; a followed task streams its events as
//! progress messages.

use serde_json::{Map, Value as Json};

use crate::portal::actions::{Action, PLUGINS, Registry};
use crate::portal::search;
use crate::portal::tasks::{LogLine, Task};
use crate::sources::remote::client::Client;
use crate::tui::app::Msg;
use crate::tui::screens::portal::PortalMsg;

use super::EffectContext;

/// Results the TUI's remote search reads at most.
pub const SEARCH_LIMIT: usize = 100;

/// Tasks the `:tasks` screen lists at most.
pub const TASK_LIMIT: usize = 200;

/// Work on a backend; `source` is the `backstage:` source (the only one when `None`).
pub enum PortalEffect {
    /// List the actions of the default plugins.
    ListActions {
        /// The source.
        source: Option<String>,
        /// The screen's generation.
        generation: u64,
    },
    /// Run an action.
    Invoke {
        /// The source.
        source: Option<String>,
        /// The action.
        action: Box<Action>,
        /// Its input.
        input: Map<String, Json>,
        /// The screen's generation.
        generation: u64,
    },
    /// List tasks: the user's (`created_by`), or all.
    ListTasks {
        /// The source.
        source: Option<String>,
        /// Only this user's.
        created_by: Option<String>,
        /// The screen's generation.
        generation: u64,
    },
    /// Read a task and its log; follow it when it is running.
    OpenTask {
        /// The source.
        source: Option<String>,
        /// The task id.
        id: String,
        /// The screen's generation.
        generation: u64,
    },
    /// Cancel (or, with `retry`, run again) a task.
    Control {
        /// The source.
        source: Option<String>,
        /// The task id.
        id: String,
        /// Retry instead of cancel.
        retry: bool,
    },
    /// Ask the search backend.
    Search {
        /// The source.
        source: Option<String>,
        /// What to find.
        term: String,
        /// The screen's generation.
        generation: u64,
    },
}

fn client(ctx: &EffectContext, source: Option<&str>) -> Result<Client, String> {
    let (name, config) = ctx.ws.remote_source(source).map_err(|e| format!("{e:#}"))?;
    Client::new(&config).map_err(|e| format!("backstage source `{name}`: {e}"))
}

fn scaffolder(ctx: &EffectContext, source: Option<&str>) -> Result<crate::scaffold::remote::Client, String> {
    ctx.ws.scaffolder_backend(source).map(|b| b.client).map_err(|e| format!("{e:#}"))
}

/// Runs one portal effect.
pub fn perform(effect: PortalEffect, ctx: &EffectContext) -> PortalMsg {
    match effect {
        PortalEffect::ListActions { source, generation } => {
            let result = client(ctx, source.as_deref())
                .and_then(|http| Registry::new(http).list(&PLUGINS).map_err(String::from));
            PortalMsg::Actions { generation, result }
        }
        PortalEffect::Invoke { source, action, input, generation } => {
            let result = client(ctx, source.as_deref())
                .and_then(|http| Registry::new(http).invoke(&action, &input).map_err(String::from));
            PortalMsg::Output { generation, result }
        }
        PortalEffect::ListTasks { source, created_by, generation } => {
            let result = scaffolder(ctx, source.as_deref()).and_then(|c| {
                let tasks = c.list_tasks(created_by.as_deref(), TASK_LIMIT).map_err(String::from)?;
                Ok(tasks.iter().map(Task::from_json).collect())
            });
            PortalMsg::Tasks { generation, result }
        }
        PortalEffect::OpenTask { source, id, generation } => open_task(ctx, source.as_deref(), &id, generation),
        PortalEffect::Control { source, id, retry } => {
            let result = scaffolder(ctx, source.as_deref())
                .and_then(|c| if retry { c.retry(&id) } else { c.cancel(&id) }.map_err(String::from));
            PortalMsg::Controlled { id, retry, result }
        }
        PortalEffect::Search { source, term, generation } => {
            let result = client(ctx, source.as_deref())
                .and_then(|http| search::query(&http, &term, &[], SEARCH_LIMIT, SEARCH_LIMIT).map_err(String::from));
            PortalMsg::Found { generation, result }
        }
    }
}

/// Reads a task and its recorded log; a running task is instead followed
/// over its event stream from its first event (each sent as progress)
/// until it ends, then read again.
fn open_task(ctx: &EffectContext, source: Option<&str>, id: &str, generation: u64) -> PortalMsg {
    let opened = scaffolder(ctx, source).and_then(|c| {
        let task = Task::from_json(&c.task(id).map_err(String::from)?);
        let log = if task.ended() { c.events(id).map_err(String::from)? } else { Vec::new() };
        Ok((c, task, log.iter().map(LogLine::from_json).collect::<Vec<_>>()))
    });
    let (client, task, log) = match opened {
        Ok(found) => found,
        Err(e) => return PortalMsg::Task { generation, result: Err(e) },
    };
    if task.ended() {
        return PortalMsg::Task { generation, result: Ok((task, log)) };
    }
    (ctx.progress)(Msg::Portal(PortalMsg::Task { generation, result: Ok((task, log)) }));
    let progress = ctx.progress.clone();
    let result = crate::scaffold::task_stream::follow(&client, id, &mut |event| {
        progress(Msg::Portal(PortalMsg::Event { generation, event: event.clone() }));
    })
    .and_then(|_| client.task(id).map(|t| Task::from_json(&t)).map_err(String::from));
    PortalMsg::Followed { generation, result }
}
