//! The scaffolding wizard's state: pages of fields (each edited with the
//! form engine of [`crate::tui::screens::form`]), the review page, and a
//! run's steps, logs and result. Keys in [`keys`], drawing in [`view`].

pub mod draft;
pub mod draft_types;
pub mod keys;
pub mod result;
pub mod run;
pub mod view;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde_json::{Map, Value as Json};

use crate::scaffold::fields::FieldKind;
use crate::scaffold::form::{Field, apply_defaults, defaults_for_revealed, get_path, set_path};
use crate::scaffold::runner::{RunError, RunResult, StepStatus};
use crate::scaffold::{Template, repo_url, validate, values};

use super::form::{FormEdit, FormHost, field_rows};
use super::selection::Selection;

pub use super::form::{Row, Target, shown};

/// Where the wizard is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Filling in a page.
    Form,
    /// Checking every value before running.
    Review,
    /// Steps running.
    Running,
    /// Done (or failed, or cancelled).
    Finished,
}

/// A row of the review page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewRow {
    /// A value: page index and field key.
    Value(usize, String),
    /// The output folder.
    Output,
    /// Where it runs: here, or on a `backstage:` source's backend.
    RunOn,
    /// The dry-run switch.
    DryRun,
    /// Run.
    Run,
}

/// The wizard.
pub struct WizardScreen {
    /// The template.
    pub template: Arc<Template>,
    /// Values so far (`parameters`).
    pub params: Map<String, Json>,
    /// Secret values, kept apart.
    pub secrets: Map<String, Json>,
    /// The stage.
    pub stage: Stage,
    /// Position among the visible pages.
    pub page: usize,
    /// Cursor on the form or review rows.
    pub sel: Selection,
    /// The form engine's state: editor, chooser, touched fields.
    pub edit: FormEdit,
    /// The output folder (empty: `./NAME`).
    pub output: String,
    /// Dry run instead of writing.
    pub dry_run: bool,
    /// Step states while running.
    pub steps: Vec<StepStatus>,
    /// Log lines (step, text).
    pub logs: Vec<(usize, String)>,
    /// The result of the run.
    pub result: Option<Result<RunResult, RunError>>,
    /// Set to stop the run.
    pub cancel: Arc<AtomicBool>,
    /// Identifies the run in flight.
    pub run_id: u64,
    /// Scroll of the run view.
    pub scroll: usize,
    /// Problems that stop a local run (unsupported actions).
    pub blocked: Vec<String>,
    /// The `backstage:` source the template came from, if any.
    pub source: Option<String>,
    /// The `backstage:` sources whose backends can run it.
    pub backends: Vec<String>,
    /// Run on this source's backend (`None`: locally).
    pub run_on: Option<String>,
    /// Whether the user changed a value since the wizard opened.
    pub dirty: bool,
    /// A saved draft the user may restore.
    pub draft_offer: Option<crate::scaffold::drafts::Draft>,
    /// The output link selected on a result (`o` opens it, `y` copies it).
    pub link: usize,
    /// "Leave the wizard?" is open: `true` when Leave (not Cancel) is chosen.
    pub confirm_leave: Option<bool>,
}

impl WizardScreen {
    /// A wizard for `template`, defaults filled in.
    pub fn new(template: Template) -> WizardScreen {
        let mut params = Map::new();
        apply_defaults(&template.pages, &mut params);
        let blocked = crate::scaffold::runner::preflight(&template);
        let steps = vec![StepStatus::Pending; template.steps.len()];
        let mut w = WizardScreen {
            template: Arc::new(template),
            params,
            secrets: Map::new(),
            stage: Stage::Form,
            page: 0,
            sel: Selection::default(),
            edit: FormEdit::default(),
            output: String::new(),
            dry_run: false,
            steps,
            logs: Vec::new(),
            result: None,
            cancel: Arc::new(AtomicBool::new(false)),
            run_id: 0,
            scroll: 0,
            blocked,
            source: None,
            backends: Vec::new(),
            run_on: None,
            dirty: false,
            draft_offer: None,
            confirm_leave: None,
            link: 0,
        };
        w.seed_repo_hosts();
        w.focus_autofocus();
        w
    }

    /// Where the template can run: `source` is the `backstage:` source it
    /// came from (it then runs there), `backends` every configured one. A
    /// local template that cannot run locally goes to the only backend.
    pub fn with_backends(mut self, source: Option<String>, backends: Vec<String>) -> WizardScreen {
        self.backends = backends;
        if let Some(s) = &source
            && !self.backends.contains(s)
        {
            self.backends.insert(0, s.clone());
        }
        self.run_on = match (&source, self.backends.as_slice()) {
            (Some(s), _) => Some(s.clone()),
            (None, [only]) if !self.blocked.is_empty() => Some(only.clone()),
            _ => None,
        };
        self.source = source;
        self
    }

    /// Moves "Run on" to the next choice: locally, then each backend.
    pub fn cycle_run_on(&mut self) {
        let next = match &self.run_on {
            None => self.backends.first().cloned(),
            Some(b) => self.backends.iter().skip_while(|x| *x != b).nth(1).cloned(),
        };
        self.run_on = next;
    }

    /// What to say about running: why not locally, and where instead.
    pub fn run_note(&self) -> Option<(String, String)> {
        if self.blocked.is_empty() {
            return None;
        }
        let why = format!("cannot run locally: {}", self.blocked.join("; "));
        let instead = match (&self.run_on, self.backends.as_slice()) {
            (Some(b), _) => format!("it runs on the backend of `{b}`"),
            (None, []) => "configure a `backstage:` source to run it on a backend".to_string(),
            (None, many) => format!("choose a backend on the Run on row ({})", many.join(", ")),
        };
        Some((why, instead))
    }

    /// A RepoUrlPicker starts on its first allowed host.
    fn seed_repo_hosts(&mut self) {
        for f in values::all_fields(&self.template, &self.params) {
            if f.kind == FieldKind::RepoUrl && get_path(&self.params, &f.path).is_none() {
                let hosts = repo_url::allowed_hosts(&f.schema);
                if let Some(h) = hosts.first() {
                    crate::scaffold::form::set_path(&mut self.params, &f.path, Some(Json::String(h.clone())));
                }
            }
        }
    }

    fn focus_autofocus(&mut self) {
        let rows = self.rows();
        let fields = self.fields();
        if let Some(i) = rows
            .iter()
            .position(|r| matches!(r, Row::Field(f) if fields[*f].ui("autofocus") == Some(&Json::Bool(true))))
        {
            self.sel.selected = i;
        }
    }

    /// Indexes of the pages whose `if:` holds.
    pub fn visible(&self) -> Vec<usize> {
        values::visible_pages(&self.template, &self.params)
    }

    /// The template page index shown now.
    pub fn page_index(&self) -> Option<usize> {
        self.visible().get(self.page).copied()
    }

    /// The fields of the current page.
    pub fn fields(&self) -> Vec<Field> {
        self.page_index().map(|p| self.template.pages[p].fields(&self.params)).unwrap_or_default()
    }

    /// The rows of the current page.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        if self.draft_offer.is_some() && self.page == 0 {
            rows.push(Row::RestoreDraft);
        }
        rows.extend(field_rows(&self.fields(), |f| self.value(f).and_then(Json::as_str).map(String::from)));
        rows.push(Row::Next);
        rows
    }

    /// A field's value (secrets from their own map).
    pub fn value(&self, f: &Field) -> Option<&Json> {
        if f.kind == FieldKind::Secret { self.secrets.get(&f.key()) } else { get_path(&self.params, &f.path) }
    }

    /// Problems on the current page.
    pub fn page_errors(&self) -> Vec<validate::FieldError> {
        self.page_index()
            .map(|p| validate::check_page(&self.template.pages[p], &self.params, &self.secrets))
            .unwrap_or_default()
    }

    /// The review rows.
    pub fn review_rows(&self) -> Vec<ReviewRow> {
        let mut rows = Vec::new();
        for p in self.visible() {
            for f in self.template.pages[p].fields(&self.params) {
                if !matches!(f.kind, FieldKind::Info | FieldKind::Hidden) && !f.hidden_in_review() {
                    rows.push(ReviewRow::Value(p, f.key()));
                }
            }
        }
        if !self.backends.is_empty() {
            rows.push(ReviewRow::RunOn);
        }
        if self.run_on.is_none() {
            rows.push(ReviewRow::Output);
        }
        rows.extend([ReviewRow::DryRun, ReviewRow::Run]);
        rows
    }

    /// The output folder a run would use.
    pub fn output_dir(&self) -> PathBuf {
        if !self.output.trim().is_empty() {
            return PathBuf::from(self.output.trim());
        }
        let name = ["name", "component_id", "componentName"]
            .iter()
            .find_map(|k| self.params.get(*k).and_then(Json::as_str))
            .unwrap_or("scaffolded");
        let safe: String =
            name.chars().map(|c| if c.is_alphanumeric() || "-_.".contains(c) { c } else { '-' }).collect();
        std::env::current_dir().unwrap_or_default().join(if safe.is_empty() || safe.starts_with('.') {
            "scaffolded".into()
        } else {
            safe
        })
    }

    /// Whether keys go to a text input (editor or chooser query).
    pub fn typing(&self) -> bool {
        self.edit.typing()
    }

    /// Records a step event.
    pub fn on_event(&mut self, event: crate::scaffold::Event) {
        match event {
            crate::scaffold::Event::Step(i, status) => {
                if let Some(s) = self.steps.get_mut(i) {
                    *s = status;
                }
            }
            crate::scaffold::Event::Log(i, line) => {
                if self.logs.len() < 5000 {
                    self.logs.push((i, line));
                }
            }
        }
    }
}

/// The field at `path`, on any page.
pub fn field_at(w: &WizardScreen, path: &[String]) -> Option<Field> {
    values::all_fields(&w.template, &w.params).into_iter().find(|f| f.path == path)
}

impl FormHost for WizardScreen {
    fn edit(&self) -> &FormEdit {
        &self.edit
    }
    fn edit_mut(&mut self) -> &mut FormEdit {
        &mut self.edit
    }
    fn sel(&self) -> &Selection {
        &self.sel
    }
    fn sel_mut(&mut self) -> &mut Selection {
        &mut self.sel
    }
    fn fields(&self) -> Vec<Field> {
        WizardScreen::fields(self)
    }
    fn rows(&self) -> Vec<Row> {
        WizardScreen::rows(self)
    }
    fn field_at(&self, path: &[String]) -> Option<Field> {
        field_at(self, path)
    }
    fn values(&self) -> &Map<String, Json> {
        &self.params
    }
    fn values_mut(&mut self) -> &mut Map<String, Json> {
        &mut self.params
    }
    fn value(&self, f: &Field) -> Option<&Json> {
        WizardScreen::value(self, f)
    }
    /// Secrets go to their own map.
    fn set_value(&mut self, field: &Field, value: Option<Json>) {
        self.edit.touched.insert(field.key());
        if field.kind == FieldKind::Secret {
            match value {
                Some(v) => self.secrets.insert(field.key(), v),
                None => self.secrets.remove(&field.key()),
            };
        } else {
            let before = self.params.clone();
            set_path(&mut self.params, &field.path, value);
            defaults_for_revealed(&self.template.pages, &before, &mut self.params);
        }
    }
    fn schema(&self) -> Option<&Json> {
        self.page_index().map(|p| &self.template.pages[p].schema)
    }
    fn set_output(&mut self, text: String) {
        self.output = text;
    }
}
