//! A run on the wizard: the result (what was created, the output links to
//! open or copy, `output.text` rendered as Markdown by the docs renderer),
//! the steps with their logs, and a dry run's files. All of it untrusted:
//! sanitized here.

use ratatui::text::{Line, Span};

use crate::model::sanitize;
use crate::scaffold::runner::StepStatus;

use super::WizardScreen;
use crate::tui::draw::{ViewCx, clean};
use crate::tui::theme::Slot;

/// A run's lines: the result first, then steps with their logs, then
/// (dry run) the files with their contents.
pub fn run_lines(cx: &ViewCx<'_>, w: &WizardScreen, width: u16) -> Vec<Line<'static>> {
    let theme = &cx.theme;
    let mut lines = Vec::new();
    result_lines(cx, w, width, &mut lines);
    if w.result.is_some() {
        lines.push(Line::default());
        lines.push(Line::styled("Steps", theme.style(Slot::Header)));
    }
    for (i, step) in w.template.steps.iter().enumerate() {
        let (mark, slot, note) = match w.steps.get(i) {
            Some(StepStatus::Running) => ("▸", Slot::Title, String::new()),
            Some(StepStatus::Done) => ("✓", Slot::Ok, String::new()),
            Some(StepStatus::Skipped(why)) => ("–", Slot::Dim, format!(" (skipped: {why})")),
            Some(StepStatus::Failed(e)) => ("✗", Slot::Error, format!(": {e}")),
            _ => ("·", Slot::Dim, String::new()),
        };
        lines.push(Line::styled(format!("{mark} {}{}", clean(&step.name), clean(&note)), theme.style(slot)));
        for (_, log) in w.logs.iter().filter(|(s, _)| *s == i) {
            lines.push(Line::styled(format!("    {}", clean(log)), theme.style(Slot::Dim)));
        }
    }
    let task_logs: Vec<&String> = w.logs.iter().filter(|(s, _)| *s >= w.template.steps.len()).map(|(_, l)| l).collect();
    if !task_logs.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("Task", theme.style(Slot::Header)));
        for log in task_logs {
            lines.push(Line::styled(format!("    {}", clean(log)), theme.style(Slot::Dim)));
        }
    }
    if let Some(Ok(r)) = &w.result {
        for f in r.files.iter().filter(|f| !crate::scaffold::actions::is_binary_content(&f.bytes)) {
            lines.push(Line::default());
            lines.push(Line::styled(format!("── {} ──", clean(&f.path)), theme.style(Slot::Header)));
            for l in sanitize::text(&String::from_utf8_lossy(&f.bytes)).lines() {
                lines.push(Line::styled(l.replace('\t', "    "), theme.style(Slot::Base)));
            }
        }
    }
    lines
}

/// The result first: what was created (or would be), links, text.
fn result_lines(cx: &ViewCx<'_>, w: &WizardScreen, width: u16, lines: &mut Vec<Line<'static>>) {
    let theme = &cx.theme;
    match &w.result {
        None => {}
        Some(Err(e)) => {
            lines.push(Line::styled(format!("Failed: {}", clean(&e.message)), theme.style(Slot::Error)));
            if let Some(ws) = &e.workspace {
                lines.push(Line::styled(
                    format!("The partial workspace is kept at {}", clean(&ws.display().to_string())),
                    theme.style(Slot::Warning),
                ));
            }
        }
        Some(Ok(r)) => {
            if let Some(task) = r.task.as_deref().filter(|_| r.files.is_empty()) {
                lines.push(Line::styled(format!("Finished {}", clean(task)), theme.style(Slot::Ok)));
            } else if r.files.is_empty() && !w.dry_run {
                lines.push(Line::styled(
                    format!("Created {}", clean(&r.workspace.display().to_string())),
                    theme.style(Slot::Ok),
                ));
            } else {
                lines.push(Line::styled(
                    format!("Dry run: {} files would be written, nothing was", r.files.len()),
                    theme.style(Slot::Ok),
                ));
                for f in &r.files {
                    lines.push(Line::styled(format!("  {}", clean(&f.path)), theme.style(Slot::Base)));
                }
            }
            for (i, l) in r.output.links.iter().enumerate() {
                let target = l.url.as_deref().or(l.entity_ref.as_deref()).unwrap_or("");
                let (mark, style) =
                    if i == w.link { ("›", theme.style(Slot::Selected)) } else { ("→", theme.style(Slot::Base)) };
                lines.push(Line::from(vec![
                    Span::styled(format!("{mark} {}  ", clean(l.title.as_deref().unwrap_or("link"))), style),
                    Span::styled(clean(target).into_owned(), theme.style(Slot::Link)),
                ]));
            }
            // `output.text` is Markdown: rendered as the docs are.
            let doc_theme = crate::tui::screens::docs::doc_theme(theme);
            for t in &r.output.text {
                lines.push(Line::default());
                if let Some(title) = &t.title {
                    lines.push(Line::styled(clean(title).into_owned(), theme.style(Slot::Header)));
                }
                let page = crate::docs::render::prepare(&t.content);
                lines.extend(crate::docs::render::layout(&page, width, &doc_theme).lines);
            }
        }
    }
}
