//! Scaffolding: run Backstage Software Templates
//! (`scaffolder.backstage.io/v1beta3`) from the terminal, locally or on a
//! Backstage backend.
//!
//! - [`template`]: the Template entity read into pages, steps and output.
//! - [`form`], [`fields`], [`validate`], [`pickers`], [`repo_url`]: the
//!   parameter form as react-jsonschema-form reads it, with Backstage's
//!   field extensions backed by the local index.
//! - [`expr`], [`rewrite`], [`filters`], [`methods`], [`regex_literal`],
//!   [`multiply`], [`operators`], [`budget`]: nunjitsu-compatible expressions on minijinja, bounded in
//!   bytes.
//! - [`runner`], [`actions`], [`safe_fs`], [`output`], [`binary`]: local
//!   execution that never writes outside the output folder.
//! - [`remote`]: the scaffolder REST API (tasks, event stream, dry run) on
//!   the shared backend client; [`task_stream`]: a task's events through
//!   drops and reconnections; [`backend`]: a template run as a task on a
//!   backend, with progress and cancellation.
//! - [`taint`]: secrets and values derived from them, redacted.
//! - [`values`]: values from files and `--set`, for the CLI.
//!
//! Sits above `index`; used by `cli` and `tui`.

pub mod actions;
pub mod backend;
pub mod binary;
pub mod budget;
pub mod drafts;
pub mod expr;
pub mod fields;
pub mod filters;
pub mod form;
pub mod formats;
pub mod methods;
pub mod multiply;
pub mod operators;
pub mod output;
pub mod pickers;
pub mod regex_literal;
pub mod remote;
pub mod repo_url;
pub mod rewrite;
pub mod runner;
pub mod safe_fs;
pub mod schema_match;
pub mod sse;
pub mod taint;
pub mod task_stream;
pub mod template;
pub mod validate;
pub mod values;

pub use runner::{Event, RunInput, RunOptions, RunResult, StepStatus, run};
pub use template::Template;
