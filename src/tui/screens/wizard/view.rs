//! The scaffolding wizard: a page of fields with their problems beside
//! them, choosers and the text editor on top, the review page, and a run's
//! steps, logs and output. Template text, values, logs and output are
//! untrusted: all of it is sanitized here.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use serde_json::Value as Json;

use crate::model::sanitize;
use crate::scaffold::fields::{FieldKind, plain};
use crate::scaffold::runner::StepStatus;

use super::{ReviewRow, Row, Stage, Target, WizardScreen, shown};
use crate::tui::action::Action;
use crate::tui::draw::ViewCx;
use crate::tui::draw::{centered, clean};
use crate::tui::keymap::Context;
use crate::tui::theme::Slot;

/// The key hints under the wizard, from the keymap (the first key of each
/// action, arrows drawn as arrows).
fn hints(cx: &ViewCx<'_>, w: &WizardScreen) -> String {
    let context = if w.typing() { Context::Search } else { Context::Wizard };
    let key = |action: Action| {
        let keys = cx.keymap.keys_for(context, action);
        match keys.first().map(String::as_str) {
            Some("up") => "↑".to_string(),
            Some("down") => "↓".to_string(),
            Some(k) => k.to_string(),
            None => format!("({action})"),
        }
    };
    let (up_down, select, back) =
        (key(Action::MoveUp) + &key(Action::MoveDown), key(Action::Select), key(Action::Back));
    match (w.stage, w.editor.is_some(), w.chooser.is_some()) {
        (_, true, _) => format!("{select} done · {back} cancel (textarea: {select} newline, {back} done)"),
        (_, _, true) => format!("{up_down} move · {select} choose · {back} close · type to search"),
        (Stage::Form, ..) => {
            format!("{up_down} field · {select} edit · {} next page · {back} previous", key(Action::NextPane))
        }
        (Stage::Review, ..) => format!("{up_down} move · {select} edit value / toggle / run · {back} back"),
        (Stage::Running, ..) => format!("{back} cancel · {up_down} scroll"),
        (Stage::Finished, ..) => format!("{} open link · {up_down} scroll · {back} close", key(Action::OpenLink)),
    }
}

/// Draws the wizard.
pub fn render(cx: &ViewCx<'_>, w: &WizardScreen, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let visible = w.visible();
    let title = match w.stage {
        Stage::Form => {
            let page = w.page_index().map(|p| w.template.pages[p].title.clone()).unwrap_or_default();
            format!(" {} · page {}/{}: {} ", w.template.title, w.page + 1, visible.len(), page)
        }
        Stage::Review => format!(" {} · review ", w.template.title),
        Stage::Running => format!(" {} · running ", w.template.title),
        Stage::Finished => format!(" {} · finished ", w.template.title),
    };
    let block = Block::bordered()
        .title(clean(&title).into_owned())
        .title_style(theme.style(Slot::Title))
        .border_style(theme.style(Slot::BorderFocus));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [body, hint] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let (lines, selected_line) = match w.stage {
        Stage::Form => form_lines(cx, w, body.width),
        Stage::Review => review_lines(cx, w),
        Stage::Running | Stage::Finished => (run_lines(cx, w), None),
    };
    let height = body.height as usize;
    let scroll = match (w.stage, selected_line) {
        (Stage::Running | Stage::Finished, _) => w.scroll.min(lines.len().saturating_sub(height)),
        (_, Some(sel)) if sel >= height => sel + 1 - height,
        _ => 0,
    };
    frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)).style(theme.style(Slot::Base)), body);
    let keys = hints(cx, w);
    frame.render_widget(Paragraph::new(keys).style(theme.style(Slot::Dim)), hint);
    if let Some((target, area_editor, multiline)) = &w.editor {
        let h = if *multiline { 10 } else { 3 };
        let r = centered(area, area.width.saturating_sub(8).min(90), h);
        frame.render_widget(Clear, r);
        let label = match target {
            Target::Field(p) => p.join("."),
            Target::RepoPart(p, part) => format!("{} {part}", p.join(".")),
            Target::Output => "output folder".into(),
        };
        let mut ta = area_editor.clone();
        ta.set_block(
            Block::bordered()
                .title(clean(&format!(" {label} ")).into_owned())
                .border_style(theme.style(Slot::BorderFocus)),
        );
        ta.set_style(theme.style(Slot::Input));
        ta.set_cursor_style(theme.style(Slot::Input).add_modifier(ratatui::style::Modifier::REVERSED));
        ta.set_cursor_line_style(Style::default());
        frame.render_widget(&ta, r);
    }
    if let Some((_, c)) = &w.chooser {
        let h = (c.options.len() as u16 + 3 + u16::from(c.query.is_some())).clamp(5, area.height.saturating_sub(2));
        let r = centered(area, area.width.saturating_sub(8).min(80), h);
        frame.render_widget(Clear, r);
        let block = Block::bordered()
            .title(if c.multi { " choose (enter toggles, esc done) " } else { " choose " })
            .border_style(theme.style(Slot::BorderFocus))
            .style(theme.style(Slot::Popup));
        let inner = block.inner(r);
        frame.render_widget(block, r);
        let mut list_area = inner;
        if let Some(q) = &c.query {
            let [qa, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
            frame.render_widget(&q.widget(theme.style(Slot::Input), theme.style(Slot::Dim), true), qa);
            list_area = rest;
        }
        let rows = c.sel.window(list_area.height as usize, c.options.len());
        let mut lines = Vec::new();
        if c.options.is_empty() {
            lines.push(Line::styled("no matches (enter uses what you typed, when allowed)", theme.style(Slot::Dim)));
        }
        for i in rows {
            let (v, label) = &c.options[i];
            let mark = if c.multi { if c.chosen.contains(v) { "[x] " } else { "[ ] " } } else { "" };
            let style = if i == c.sel.selected { theme.style(Slot::Selected) } else { theme.style(Slot::Popup) };
            lines.push(Line::styled(format!("{mark}{}", clean(label)), style));
        }
        frame.render_widget(Paragraph::new(lines), list_area);
    }
}

fn form_lines(cx: &ViewCx<'_>, w: &WizardScreen, width: u16) -> (Vec<Line<'static>>, Option<usize>) {
    let theme = &cx.theme;
    let mut lines = Vec::new();
    if let Some(p) = w.page_index()
        && let Some(d) = &w.template.pages[p].description
    {
        lines.push(Line::styled(clean(d).into_owned(), theme.style(Slot::Dim)));
        lines.push(Line::default());
    }
    if let Some((why, instead)) = w.run_note() {
        lines.push(Line::styled(format!("⚠ {}", clean(&why)), theme.style(Slot::Warning)));
        lines.push(Line::styled(format!("  {}", clean(&instead)), theme.style(Slot::Warning)));
    }
    let fields = w.fields();
    let label_width =
        fields.iter().map(|f| f.title().chars().count()).max().unwrap_or(8).clamp(8, (width / 3).max(8) as usize);
    let mut selected_line = None;
    for (row_i, row) in w.rows().iter().enumerate() {
        let focused = row_i == w.sel.selected;
        if focused {
            selected_line = Some(lines.len());
        }
        let style = if focused { theme.style(Slot::Selected) } else { theme.style(Slot::Base) };
        match row {
            Row::Next => {
                lines.push(Line::default());
                let last = w.page + 1 >= w.visible().len();
                lines.push(Line::styled(if last { "[ Review ]" } else { "[ Next ]" }, style));
            }
            Row::RepoPart(i, part) => {
                let f = &fields[*i];
                let (host, parts) = crate::scaffold::repo_url::split(w.value(f).and_then(Json::as_str).unwrap_or(""));
                let v = if part == "host" {
                    host
                } else {
                    parts.iter().find(|(k, _)| k == part).map(|p| p.1.clone()).unwrap_or_default()
                };
                let label = format!("  {part:<width$}", width = label_width.saturating_sub(2));
                lines.push(Line::from(vec![
                    Span::styled(label, style),
                    Span::styled(format!("  {}", clean(&v)), style),
                ]));
            }
            Row::Field(i) => {
                let f = &fields[*i];
                if f.kind == FieldKind::Info {
                    lines.push(Line::styled(
                        clean(f.description().unwrap_or(&f.title())).into_owned(),
                        theme.style(Slot::Dim),
                    ));
                    continue;
                }
                let star = if f.required { "*" } else { " " };
                let title = format!("{:<w$}", format!("{}{star}", clean(&f.title())), w = label_width + 1);
                let value = match (&f.kind, w.value(f)) {
                    (FieldKind::RepoUrl, v) => v.map(plain).unwrap_or_default(),
                    (_, None) => {
                        f.ui("placeholder").and_then(Json::as_str).map(|p| format!("({p})")).unwrap_or_default()
                    }
                    (_, v) => shown(f, v),
                };
                let mut spans = vec![Span::styled(title, style), Span::styled(format!("  {}", clean(&value)), style)];
                if let Some(e) = w.error(f) {
                    spans.push(Span::styled(format!("  ✗ {}", clean(&e)), theme.style(Slot::Error)));
                }
                lines.push(Line::from(spans));
                for help in [f.description(), f.ui("help").and_then(Json::as_str)].into_iter().flatten() {
                    lines.push(Line::styled(format!("    {}", clean(help)), theme.style(Slot::Dim)));
                }
            }
        }
    }
    (lines, selected_line)
}

fn review_lines(cx: &ViewCx<'_>, w: &WizardScreen) -> (Vec<Line<'static>>, Option<usize>) {
    let theme = &cx.theme;
    let mut lines = Vec::new();
    let mut selected_line = None;
    let mut last_page = None;
    let all: Vec<(usize, crate::scaffold::form::Field)> = w
        .visible()
        .into_iter()
        .flat_map(|p| w.template.pages[p].fields(&w.params).into_iter().map(move |f| (p, f)))
        .collect();
    for (i, row) in w.review_rows().iter().enumerate() {
        let focused = i == w.sel.selected;
        let style = if focused { theme.style(Slot::Selected) } else { theme.style(Slot::Base) };
        if let ReviewRow::Value(p, _) = row
            && last_page != Some(*p)
        {
            last_page = Some(*p);
            lines.push(Line::styled(clean(&w.template.pages[*p].title).into_owned(), theme.style(Slot::Header)));
        }
        if focused {
            selected_line = Some(lines.len());
        }
        let line = match row {
            ReviewRow::Value(p, key) => {
                let f = all.iter().find(|(q, f)| q == p && f.key() == *key).map(|(_, f)| f);
                let v = f.map(|f| shown(f, w.value(f))).unwrap_or_default();
                let title = f.map(|f| f.title()).unwrap_or_else(|| key.clone());
                format!("  {}: {}", clean(&title), clean(&v))
            }
            ReviewRow::Output => {
                lines.push(Line::default());
                format!("Output folder: {}", clean(&w.output_dir().display().to_string()))
            }
            ReviewRow::RunOn => {
                lines.push(Line::default());
                match &w.run_on {
                    Some(b) => format!("Run on: the backend of `{}` (enter: change)", clean(b)),
                    None => "Run on: this machine (enter: change)".to_string(),
                }
            }
            ReviewRow::DryRun => {
                format!("{} Dry run (show the files, write nothing)", if w.dry_run { "[x]" } else { "[ ]" })
            }
            ReviewRow::Run => if w.dry_run { "[ Dry run ]" } else { "[ Run ]" }.to_string(),
        };
        lines.push(Line::styled(line, style));
    }
    if let Some((why, instead)) = w.run_note() {
        lines.push(Line::styled(format!("⚠ {}", clean(&why)), theme.style(Slot::Warning)));
        lines.push(Line::styled(format!("  {}", clean(&instead)), theme.style(Slot::Warning)));
    }
    (lines, selected_line)
}

fn run_lines(cx: &ViewCx<'_>, w: &WizardScreen) -> Vec<Line<'static>> {
    let theme = &cx.theme;
    let mut lines = Vec::new();
    result_lines(cx, w, &mut lines);
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
fn result_lines(cx: &ViewCx<'_>, w: &WizardScreen, lines: &mut Vec<Line<'static>>) {
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
            } else if r.files.is_empty() {
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
            for l in &r.output.links {
                let target = l.url.as_deref().or(l.entity_ref.as_deref()).unwrap_or("");
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("→ {}  ", clean(l.title.as_deref().unwrap_or("link"))),
                        theme.style(Slot::Base),
                    ),
                    Span::styled(clean(target).into_owned(), theme.style(Slot::Link)),
                ]));
            }
            for t in &r.output.text {
                lines.push(Line::default());
                if let Some(title) = &t.title {
                    lines.push(Line::styled(clean(title).into_owned(), theme.style(Slot::Header)));
                }
                for l in sanitize::text(&t.content).lines() {
                    lines.push(Line::styled(l.replace('\t', "    "), theme.style(Slot::Base)));
                }
            }
        }
    }
}
