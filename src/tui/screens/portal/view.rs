//! Drawing the portal screens. Every server text is sanitized; the search
//! backend's highlights are drawn in the match style, never as markup.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, Wrap};

use crate::model::sanitize;
use crate::portal::tasks::step_states;
use crate::scaffold::fields::FieldKind;
use crate::tui::action::Action;
use crate::tui::draw::{ViewCx, clean};
use crate::tui::keymap::Context;
use crate::tui::screens::form::view::{chooser_overlay, editing_masked, editor_overlay, rows_lines};
use crate::tui::screens::form::{FormHost, Row as FormRow};
use crate::tui::theme::Slot;

use super::{ActionForm, ActionsScreen, PortalScreen, SearchRemoteScreen, TasksScreen};

/// Draws a portal screen.
pub fn render(cx: &ViewCx<'_>, p: &PortalScreen, frame: &mut Frame, area: Rect) {
    match p {
        PortalScreen::Actions(a) => match &a.form {
            Some(f) => render_form(cx, f, frame, area),
            None => render_actions(cx, a, frame, area),
        },
        PortalScreen::Tasks(t) => render_tasks(cx, t, frame, area),
        PortalScreen::Search(s) => render_search(cx, s, frame, area),
    }
}

fn block(cx: &ViewCx<'_>, title: String) -> Block<'static> {
    Block::bordered()
        .title(title)
        .title_style(cx.theme.style(Slot::Title))
        .border_style(cx.theme.style(Slot::BorderFocus))
}

/// A waiting or failure line in place of a list.
fn status(cx: &ViewCx<'_>, loading: &str, error: Option<&String>, frame: &mut Frame, area: Rect) {
    let (text, slot) = match error {
        Some(e) => (sanitize::text(e).into_owned(), Slot::Error),
        None => (loading.to_string(), Slot::Dim),
    };
    frame.render_widget(Paragraph::new(text).style(cx.theme.style(slot)).wrap(Wrap { trim: false }), area);
}

fn render_actions(cx: &ViewCx<'_>, a: &ActionsScreen, frame: &mut Frame, area: Rect) {
    let shown = a.shown();
    let outer = block(cx, format!(" actions ({}) · / filters · enter opens its form ", shown.len()));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let [table, line] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    let [prompt, input] = Layout::horizontal([Constraint::Length(2), Constraint::Min(0)]).areas(line);
    frame.render_widget(Paragraph::new("/ ").style(cx.theme.style(Slot::KeyHint)), prompt);
    let widget = a.filter.widget(cx.theme.style(Slot::Input), cx.theme.style(Slot::Dim), a.filtering);
    frame.render_widget(&widget, input);
    match &a.listing {
        None => return status(cx, "asking the backend's plugins for their actions…", None, frame, table),
        Some(Err(e)) => return status(cx, "", Some(e), frame, table),
        Some(Ok(_)) => {}
    }
    let window = a.sel.window(table.height.saturating_sub(1) as usize, shown.len());
    let rows: Vec<Row> = window
        .map(|i| {
            let action = shown[i];
            let style = if i == a.sel.selected { cx.theme.style(Slot::Selected) } else { cx.theme.style(Slot::Base) };
            let attrs = action.attributes.words();
            let attr_style = match (i == a.sel.selected, action.attributes.destructive) {
                (false, true) => cx.theme.style(Slot::Warning),
                (false, false) => cx.theme.style(Slot::Dim),
                _ => style,
            };
            Row::new([
                Cell::from(clean(&action.id).into_owned()),
                Cell::from(attrs).style(attr_style),
                Cell::from(clean(&format!("{} — {}", action.title, action.summary())).into_owned()),
            ])
            .style(style)
        })
        .collect();
    let header = Row::new(["ID", "ATTRIBUTES", "TITLE"]).style(cx.theme.style(Slot::Header));
    let widths = [Constraint::Length(38), Constraint::Length(23), Constraint::Fill(1)];
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), table);
}

/// The form (the wizard's fields, problems and help; Run as its last
/// row), the question or the key hints, the output; the editor and
/// chooser on top.
fn render_form(cx: &ViewCx<'_>, f: &ActionForm, frame: &mut Frame, area: Rect) {
    let title = format!(" {} · {} ", clean(&f.action.id), f.action.attributes.words());
    let outer = block(cx, title);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let mut lines: Vec<Line> = Vec::new();
    if let Some(d) = &f.form.page.description {
        crate::tui::screens::form::view::wrapped(&mut lines, "", &clean(d), inner.width, cx.theme.style(Slot::Dim));
        lines.push(Line::default());
    }
    let selected = rows_lines(cx, &f.form, inner.width, &mut lines, |row, style, lines| {
        if *row == FormRow::Next {
            lines.push(Line::default());
            lines.push(Line::styled(if f.running { "running…" } else { "[ Run ]" }, style));
        }
    });
    // Until there is output, the form may take all but a few lines.
    let room = if f.output.is_some() { inner.height / 2 } else { inner.height.saturating_sub(4) };
    let form_height = (lines.len() as u16).min(room).max(4);
    let [form, question, output] =
        Layout::vertical([Constraint::Length(form_height), Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let height = form.height as usize;
    let skip = selected.filter(|s| *s >= height).map_or(0, |s| s + 1 - height);
    frame.render_widget(Paragraph::new(lines).scroll((skip as u16, 0)).style(cx.theme.style(Slot::Base)), form);
    let hint = match &f.confirm {
        Some(c) => Line::styled(clean(&c.question).into_owned(), cx.theme.style(Slot::Warning)),
        None => Line::styled(hints(cx, f), cx.theme.style(Slot::Dim)),
    };
    frame.render_widget(Paragraph::new(hint), question);
    render_output(cx, f, frame, output);
    editor_overlay(cx, &f.form, frame, area);
    chooser_overlay(cx, &f.form, frame, area);
}

/// The keys of the form now, from the keymap (the first key of each
/// action, arrows drawn as arrows).
fn hints(cx: &ViewCx<'_>, f: &ActionForm) -> String {
    let edit = f.form.edit();
    let context = if edit.typing() { Context::Search } else { Context::Wizard };
    let key = |action: Action| match cx.keymap.keys_for(context, action).first().map(String::as_str) {
        Some("up") => "↑".to_string(),
        Some("down") => "↓".to_string(),
        Some(k) => k.to_string(),
        None => format!("({action})"),
    };
    let (up_down, select, back) =
        (key(Action::MoveUp) + &key(Action::MoveDown), key(Action::Select), key(Action::Back));
    match (edit.editor.is_some(), edit.chooser.is_some()) {
        (true, _) if editing_masked(&f.form) => {
            format!(
                "{select} done · {back} cancel · {} {}",
                key(Action::Reveal),
                if edit.reveal { "hide" } else { "show" }
            )
        }
        (true, _) => format!("{select} done · {back} cancel (textarea: {select} newline, {back} done)"),
        (_, true) => format!("{up_down} move · {select} choose · {back} close · type to search"),
        _ if f.form.fields().iter().any(|x| x.kind == FieldKind::ObjectList) => format!(
            "{up_down} field · {select} edit/run · {} add · {} remove · {}/{} move item · {back} actions",
            key(Action::ItemAdd),
            key(Action::ItemRemove),
            key(Action::ItemUp),
            key(Action::ItemDown)
        ),
        _ => format!("{up_down} field · {select} edit / toggle / run · {back} actions"),
    }
}

/// The output: text as text, else pretty JSON; sanitized.
fn render_output(cx: &ViewCx<'_>, f: &ActionForm, frame: &mut Frame, area: Rect) {
    let Some(result) = &f.output else {
        let hint = if f.running { "waiting for the output…" } else { "the output shows here" };
        return status(cx, hint, None, frame, area);
    };
    let value = match result {
        Ok(value) => value,
        Err(e) => return status(cx, "", Some(e), frame, area),
    };
    // Text (the catalog model's description, say) is Markdown: rendered
    // as the Docs tab renders pages (sanitized before layout).
    let lines: Vec<Line> = match crate::portal::actions::text_of(value) {
        Some(markdown) => {
            let theme = crate::tui::screens::docs::doc_theme(cx.theme);
            crate::docs::render::render(markdown, area.width.saturating_sub(2), &theme).lines
        }
        None => {
            let json = serde_json::to_string_pretty(value).unwrap_or_default();
            sanitize::text(&json).lines().map(|l| Line::raw(l.to_string())).collect()
        }
    };
    let outer = Block::bordered().title(" output ").border_style(cx.theme.style(Slot::Border));
    frame.render_widget(Paragraph::new(lines).block(outer).scroll((f.scroll as u16, 0)), area);
}

fn render_tasks(cx: &ViewCx<'_>, t: &TasksScreen, frame: &mut Frame, area: Rect) {
    if t.detail.is_some() {
        return render_task(cx, t, frame, area);
    }
    let whose = t.created_by.as_deref().map_or_else(|| "all".to_string(), |u| clean(u).into_owned());
    let count = t.tasks.as_ref().and_then(|r| r.as_ref().ok()).map_or(0, Vec::len);
    let outer = block(cx, format!(" tasks ({count}, {whose}) · enter shows · c cancels · r retries "));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let [table, question] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    confirm_line(cx, t, frame, question);
    let tasks = match &t.tasks {
        None => return status(cx, "asking the scaffolder for its tasks…", None, frame, table),
        Some(Err(e)) => return status(cx, "", Some(e), frame, table),
        Some(Ok(tasks)) => tasks,
    };
    let window = t.sel.window(table.height.saturating_sub(1) as usize, tasks.len());
    let rows: Vec<Row> = window
        .map(|i| {
            let task = &tasks[i];
            let style = if i == t.sel.selected { cx.theme.style(Slot::Selected) } else { cx.theme.style(Slot::Base) };
            let status_style = if i == t.sel.selected { style } else { cx.theme.style(status_slot(&task.status)) };
            Row::new([
                Cell::from(task.status.clone()).style(status_style),
                Cell::from(task.age(cx.now)),
                Cell::from(clean(task.template_label()).into_owned()),
                Cell::from(clean(&task.id).into_owned()),
                Cell::from(clean(task.created_by.as_deref().unwrap_or("-")).into_owned()),
            ])
            .style(style)
        })
        .collect();
    let header = Row::new(["STATUS", "AGE", "TEMPLATE", "ID", "BY"]).style(cx.theme.style(Slot::Header));
    let widths = [
        Constraint::Length(10),
        Constraint::Length(9),
        Constraint::Fill(1),
        Constraint::Length(36),
        Constraint::Fill(1),
    ];
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), table);
}

fn status_slot(status: &str) -> Slot {
    match status {
        "completed" => Slot::Ok,
        "failed" | "cancelled" => Slot::Error,
        "processing" | "open" => Slot::Warning,
        _ => Slot::Dim,
    }
}

fn confirm_line(cx: &ViewCx<'_>, t: &TasksScreen, frame: &mut Frame, area: Rect) {
    if let Some((c, ..)) = &t.confirm {
        frame.render_widget(Paragraph::new(clean(&c.question).into_owned()).style(cx.theme.style(Slot::Warning)), area);
    }
}

fn render_task(cx: &ViewCx<'_>, t: &TasksScreen, frame: &mut Frame, area: Rect) {
    let Some(d) = &t.detail else { return };
    let task = &d.task;
    let live = if d.following { " · following" } else { "" };
    let outer = block(cx, format!(" task {} · {}{live} · c cancels · r retries ", clean(&task.id), task.status));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let steps_height = task.steps.len() as u16 + 2;
    let [head, steps, log, question] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(steps_height.min(inner.height / 2)),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(inner);
    let by = task.created_by.as_deref().map(|u| format!(" by {u}")).unwrap_or_default();
    let template = task.template.as_deref().unwrap_or("(no template recorded)");
    frame.render_widget(
        Paragraph::new(clean(&format!("{template}, created {}{by}", task.age(cx.now))).into_owned())
            .style(cx.theme.style(Slot::Dim)),
        head,
    );
    let mut lines = vec![Line::styled("steps", cx.theme.style(Slot::Header))];
    for (step, (_, state)) in task.steps.iter().zip(step_states(task, &d.log)) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {state:<11}"), cx.theme.style(status_slot(&state))),
            Span::raw(clean(&format!("{} ({})", step.name, step.action)).into_owned()),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), steps);
    let mut text: Vec<Line> = Vec::new();
    for l in &d.log {
        for part in l.message.lines() {
            let step = clean(l.step.as_deref().unwrap_or("-")).into_owned();
            text.push(Line::from(vec![
                Span::styled(format!("{step:<10} "), cx.theme.style(Slot::Dim)),
                Span::raw(clean(part).into_owned()),
            ]));
        }
    }
    if let Some(e) = &d.error {
        text.push(Line::styled(clean(e).into_owned(), cx.theme.style(Slot::Error)));
    }
    let height = log.height.saturating_sub(2) as usize;
    let end = text.len().saturating_sub(d.scroll);
    let start = end.saturating_sub(height);
    let shown: Vec<Line> = text.drain(start..end).collect();
    let outer = Block::bordered().title(" log ").border_style(cx.theme.style(Slot::Border));
    frame.render_widget(Paragraph::new(shown).block(outer), log);
    confirm_line(cx, t, frame, question);
}

fn render_search(cx: &ViewCx<'_>, s: &SearchRemoteScreen, frame: &mut Frame, area: Rect) {
    let count = s.found.as_ref().and_then(|r| r.as_ref().ok()).map_or(0, |f| f.hits.len());
    let outer = block(cx, format!(" portal search: {} ({count}) · enter opens ", clean(&s.term)));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let found = match &s.found {
        None => return status(cx, "asking the portal's search backend…", None, frame, inner),
        Some(Err(e)) => return status(cx, "", Some(e), frame, inner),
        Some(Ok(found)) if found.hits.is_empty() => return status(cx, "no results", None, frame, inner),
        Some(Ok(found)) => found,
    };
    let per = 2usize;
    let window = s.sel.window(inner.height as usize / per, found.hits.len());
    let mut lines = Vec::new();
    for i in window {
        let hit = &found.hits[i];
        let selected = i == s.sel.selected;
        let base = if selected { cx.theme.style(Slot::Selected) } else { cx.theme.style(Slot::Base) };
        let mut spans = vec![Span::styled(format!("{:<17} ", clean(&hit.doc_type)), cx.theme.style(Slot::Dim))];
        spans.extend(pieces(cx, &hit.pieces("title"), base));
        let place = hit.entity_ref.as_deref().unwrap_or(&hit.location);
        spans.push(Span::styled(format!("  {}", clean(place)), cx.theme.style(Slot::Link)));
        lines.push(Line::from(spans).style(base));
        let mut text = vec![Span::raw(" ".repeat(18))];
        text.extend(pieces(cx, &hit.pieces("text"), cx.theme.style(Slot::Dim)));
        lines.push(Line::from(text));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Highlighted pieces as spans: sanitized, the server's highlights in the match style.
fn pieces(cx: &ViewCx<'_>, pieces: &[crate::portal::search::Piece], base: ratatui::style::Style) -> Vec<Span<'static>> {
    pieces
        .iter()
        .map(|p| {
            let style = if p.highlighted { cx.theme.style(Slot::Match) } else { base };
            Span::styled(clean(&p.text).into_owned(), style)
        })
        .collect()
}
