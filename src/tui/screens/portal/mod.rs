//! The portal screens: `:actions` (the actions registry, a form built from
//! an action's input schema with the wizard's form engine, its output),
//! `:tasks` (scaffolder tasks; a task's steps and log, followed live) and
//! `:search-remote` (the server's search). Their state here, keys in
//! `keys.rs`, drawing in `view.rs`.

pub mod keys;
pub mod view;

use serde_json::Value as Json;

use crate::portal::actions::{Action, Listing};
use crate::portal::search::Found;
use crate::portal::tasks::{LogLine, Task, strip_sgr};
use crate::scaffold::remote::TaskEvent;

use super::form::SchemaForm;
use super::selection::Selection;
use crate::tui::input::LineInput;
use crate::tui::keymap::Context;

/// What a portal effect answers.
#[derive(Debug)]
pub enum PortalMsg {
    /// The actions of the default plugins.
    Actions {
        /// The screen's generation.
        generation: u64,
        /// The listing, or why not.
        result: Result<Listing, String>,
    },
    /// An action's output.
    Output {
        /// The screen's generation.
        generation: u64,
        /// The output, or why not.
        result: Result<Json, String>,
    },
    /// The tasks.
    Tasks {
        /// The screen's generation.
        generation: u64,
        /// The tasks, or why not.
        result: Result<Vec<Task>, String>,
    },
    /// A task and its recorded log (empty for a running task, followed next).
    Task {
        /// The screen's generation.
        generation: u64,
        /// The task and log, or why not.
        result: Result<(Task, Vec<LogLine>), String>,
    },
    /// An event of a followed task.
    Event {
        /// The screen's generation.
        generation: u64,
        /// The event.
        event: TaskEvent,
    },
    /// A followed task ended: its state now.
    Followed {
        /// The screen's generation.
        generation: u64,
        /// The task, or why following stopped.
        result: Result<Task, String>,
    },
    /// A task was cancelled or retried.
    Controlled {
        /// The task id.
        id: String,
        /// Retried (else cancelled).
        retry: bool,
        /// Done, or why not.
        result: Result<(), String>,
    },
    /// Search results.
    Found {
        /// The screen's generation.
        generation: u64,
        /// The results, or why not.
        result: Result<Found, String>,
    },
}

/// A portal screen.
pub enum PortalScreen {
    /// `:actions`.
    Actions(Box<ActionsScreen>),
    /// `:tasks`.
    Tasks(Box<TasksScreen>),
    /// `:search-remote`.
    Search(SearchRemoteScreen),
}

impl PortalScreen {
    /// The breadcrumb label.
    pub fn label(&self) -> String {
        match self {
            PortalScreen::Actions(a) => a.form.as_ref().map_or_else(|| "actions".into(), |f| f.action.id.clone()),
            PortalScreen::Tasks(t) => {
                t.detail.as_ref().map_or_else(|| "tasks".into(), |d| format!("task {}", d.task.id))
            }
            PortalScreen::Search(s) => format!("portal search: {}", s.term),
        }
    }

    /// Whether keys go to a text input or a yes/no question.
    pub fn typing(&self) -> bool {
        match self {
            PortalScreen::Actions(a) => {
                a.filtering || a.form.as_ref().is_some_and(|f| f.form.edit.typing() || f.confirm.is_some())
            }
            PortalScreen::Tasks(t) => t.confirm.is_some(),
            PortalScreen::Search(_) => false,
        }
    }

    /// The keymap context: text inputs type, an action form has the
    /// wizard's keys (items of a list of forms), lists the list's.
    pub fn keymap_context(&self) -> Context {
        match self {
            _ if self.typing() => Context::Search,
            PortalScreen::Actions(a) if a.form.is_some() => Context::Wizard,
            _ => Context::List,
        }
    }

    /// The generation the screen's effects carry.
    pub fn generation(&self) -> u64 {
        match self {
            PortalScreen::Actions(a) => a.generation,
            PortalScreen::Tasks(t) => t.generation,
            PortalScreen::Search(s) => s.generation,
        }
    }
}

/// A question before running something: its text and the default answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    /// The question.
    pub question: String,
    /// Enter answers yes.
    pub default_yes: bool,
}

/// `:actions`.
pub struct ActionsScreen {
    /// The `backstage:` source asked.
    pub source: Option<String>,
    /// Identifies this screen's effects.
    pub generation: u64,
    /// The listing (`None` while loading).
    pub listing: Option<Result<Listing, String>>,
    /// The cursor among the shown actions.
    pub sel: Selection,
    /// The filter.
    pub filter: LineInput,
    /// Whether keys go to the filter.
    pub filtering: bool,
    /// The form open on an action.
    pub form: Option<ActionForm>,
}

impl ActionsScreen {
    /// A screen waiting for its listing.
    pub fn new(source: Option<String>, generation: u64) -> ActionsScreen {
        ActionsScreen {
            source,
            generation,
            listing: None,
            sel: Selection::default(),
            filter: LineInput::new("filter actions"),
            filtering: false,
            form: None,
        }
    }

    /// The actions the filter keeps: every word in the id, title or description.
    pub fn shown(&self) -> Vec<&Action> {
        let words: Vec<String> = self.filter.text().split_whitespace().map(str::to_lowercase).collect();
        let Some(Ok(listing)) = &self.listing else { return Vec::new() };
        listing
            .actions
            .iter()
            .filter(|a| {
                let hay = format!("{} {} {}", a.id, a.title, a.description).to_lowercase();
                words.iter().all(|w| hay.contains(w))
            })
            .collect()
    }
}

/// The form of one action: its input schema through the wizard's form
/// engine, the question before running, the output.
pub struct ActionForm {
    /// The action.
    pub action: Action,
    /// Its input schema as a form (defaults filled in); its last row runs.
    pub form: SchemaForm,
    /// The question before running, when asked.
    pub confirm: Option<Confirm>,
    /// Running now.
    pub running: bool,
    /// The last run's output, or why it failed.
    pub output: Option<Result<Json, String>>,
    /// Scroll of the output.
    pub scroll: usize,
}

impl ActionForm {
    /// A form for `action`, defaults filled in.
    pub fn new(action: Action) -> ActionForm {
        let form = SchemaForm::new(action.form());
        ActionForm { action, form, confirm: None, running: false, output: None, scroll: 0 }
    }
}

/// `:tasks`.
pub struct TasksScreen {
    /// The `backstage:` source asked.
    pub source: Option<String>,
    /// Only this user's tasks (`None`: every task).
    pub created_by: Option<String>,
    /// Identifies this screen's effects.
    pub generation: u64,
    /// The tasks (`None` while loading).
    pub tasks: Option<Result<Vec<Task>, String>>,
    /// The cursor.
    pub sel: Selection,
    /// The task open.
    pub detail: Option<TaskDetail>,
    /// The question before cancelling or retrying: and which.
    pub confirm: Option<(Confirm, String, bool)>,
}

impl TasksScreen {
    /// A screen waiting for its tasks.
    pub fn new(source: Option<String>, created_by: Option<String>, generation: u64) -> TasksScreen {
        TasksScreen {
            source,
            created_by,
            generation,
            tasks: None,
            sel: Selection::default(),
            detail: None,
            confirm: None,
        }
    }

    /// The task under the cursor (or open).
    pub fn current(&self) -> Option<&Task> {
        if let Some(d) = &self.detail {
            return Some(&d.task);
        }
        self.tasks.as_ref()?.as_ref().ok()?.get(self.sel.selected)
    }
}

/// One task open: its steps and log.
pub struct TaskDetail {
    /// The task.
    pub task: Task,
    /// Its log so far.
    pub log: Vec<LogLine>,
    /// Whether its event stream is being followed.
    pub following: bool,
    /// Why following stopped, if it failed.
    pub error: Option<String>,
    /// Scroll of the log (lines from the end when following).
    pub scroll: usize,
}

impl TaskDetail {
    /// Records one streamed event.
    pub fn on_event(&mut self, event: &TaskEvent) {
        let line = match event {
            TaskEvent::Log { step, status, message } => LogLine {
                id: None,
                kind: "log".into(),
                step: step.clone(),
                status: status.clone(),
                message: strip_sgr(message),
                created_at: String::new(),
            },
            TaskEvent::Completion { message, .. } => LogLine {
                id: None,
                kind: "completion".into(),
                step: None,
                status: None,
                message: strip_sgr(message),
                created_at: String::new(),
            },
        };
        if self.log.len() < 20_000 {
            self.log.push(line);
        }
    }
}

/// `:search-remote`.
pub struct SearchRemoteScreen {
    /// The `backstage:` source asked.
    pub source: Option<String>,
    /// What was asked.
    pub term: String,
    /// Identifies this screen's effects.
    pub generation: u64,
    /// The results (`None` while searching).
    pub found: Option<Result<Found, String>>,
    /// The cursor.
    pub sel: Selection,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_filter_keeps_actions_with_every_word() {
        let mut screen = ActionsScreen::new(None, 1);
        let actions = ["catalog:get-catalog-entity", "catalog:unregister-entity", "search:query"]
            .iter()
            .filter_map(|id| Action::from_json(&json!({"id": id, "description": "Reads the catalog"}), "x"))
            .collect();
        screen.listing = Some(Ok(Listing { actions, missing: Vec::new() }));
        screen.filter.set("catalog ENTITY get");
        let ids: Vec<&str> = screen.shown().iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["catalog:get-catalog-entity"]);
        screen.filter.set("reads");
        assert_eq!(screen.shown().len(), 3, "descriptions count");
    }

    #[test]
    fn streamed_events_join_the_log_without_colours() {
        let task = Task::from_json(&json!({"id": "t", "status": "processing", "spec": {"steps": [{"id": "a"}]}}));
        let mut detail = TaskDetail { task, log: Vec::new(), following: true, error: None, scroll: 0 };
        detail.on_event(&TaskEvent::Log {
            step: Some("a".into()),
            status: Some("completed".into()),
            message: "\u{1b}[32mdone\u{1b}[39m".into(),
        });
        detail.on_event(&TaskEvent::Completion { message: "finished".into(), output: None, failed: false });
        assert_eq!(detail.log[0].message, "done");
        assert_eq!(detail.log[1].kind, "completion");
        assert_eq!(crate::portal::tasks::step_states(&detail.task, &detail.log)[0].1, "completed");
    }
}
