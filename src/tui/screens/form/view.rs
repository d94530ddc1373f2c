//! Drawing a form: each field's title, value (masked when secret), range
//! and problem, nested objects under their titles, and the text editor
//! and chooser on top. Schema text and values are untrusted: all of it is
//! sanitized here.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use serde_json::Value as Json;
use unicode_width::UnicodeWidthStr;

use crate::scaffold::fields::{FieldKind, plain};
use crate::scaffold::form::Field;

use super::{FormHost, Row, Target, shown};
use crate::tui::draw::{ViewCx, centered, clean};
use crate::tui::theme::Slot;

/// Whether the open editor holds a secret or a password (typed masked).
pub fn editing_masked(host: &dyn FormHost) -> bool {
    match &host.edit().editor {
        Some((Target::Field(path), ..)) => host.field_at(path).is_some_and(|f| f.masked()),
        _ => false,
    }
}

/// Pushes `text` wrapped to `width`, each line after `prefix`.
pub fn wrapped(lines: &mut Vec<Line<'static>>, prefix: &str, text: &str, width: u16, style: Style) {
    let room = (width as usize).saturating_sub(prefix.width()).max(10);
    for l in textwrap::wrap(text, room) {
        lines.push(Line::styled(format!("{prefix}{l}"), style));
    }
}

/// Nested fields sit under their object's (or item's) title.
fn indent(f: &Field) -> &'static str {
    match f.path.len() {
        0 | 1 => "",
        2 => "  ",
        _ => "    ",
    }
}

/// The title of the nested object at `path` (its key when untitled), with
/// the branches the values select applied at each level.
pub fn object_title(page: &Json, values: &serde_json::Map<String, Json>, path: &[String]) -> String {
    let mut schema = page.clone();
    let mut data = Json::Object(values.clone());
    let mut title = None;
    for key in path {
        // An item of an array of objects: "Contacts 2".
        if let Some(items) = data.as_array() {
            let list = schema.get("title").and_then(Json::as_str).unwrap_or("item").to_string();
            title = Some(super::items::item_title(&list, key));
            data = key.parse::<usize>().ok().and_then(|n| items.get(n)).cloned().unwrap_or(Json::Null);
            schema = schema.get("items").cloned().unwrap_or(Json::Null);
            continue;
        }
        let resolved = crate::scaffold::form::resolve(&schema, &data);
        let Some(next) = resolved.get("properties").and_then(|p| p.get(key)) else { break };
        schema = next.clone();
        data = data.get(key).cloned().unwrap_or(Json::Null);
        title = None;
    }
    title.or_else(|| schema.get("title").and_then(Json::as_str).map(String::from)).unwrap_or_else(|| path.join("."))
}

/// The lines of the host's rows: fields and RepoUrlPicker parts drawn
/// here (nested objects under their titles), the host's own rows by
/// `own`. Returns the line of the row under the cursor.
pub fn rows_lines(
    cx: &ViewCx<'_>,
    host: &dyn FormHost,
    width: u16,
    lines: &mut Vec<Line<'static>>,
    mut own: impl FnMut(&Row, Style, &mut Vec<Line<'static>>),
) -> Option<usize> {
    let theme = &cx.theme;
    let fields = host.fields();
    let label_width = fields
        .iter()
        .map(|f| f.title().chars().count() + indent(f).len())
        .max()
        .unwrap_or(8)
        .clamp(8, (width / 3).max(8) as usize);
    let mut selected_line = None;
    let mut last_parent: Vec<String> = Vec::new();
    for (row_i, row) in host.rows().iter().enumerate() {
        let focused = row_i == host.sel().selected;
        // A nested object's title above its fields.
        if let Row::Field(i) = row
            && let Some((_, parent)) = fields[*i].path.split_last()
            && !parent.is_empty()
            && parent != last_parent.as_slice()
            && let Some(schema) = host.schema()
        {
            let title = object_title(schema, host.values(), parent);
            let pad = "  ".repeat(parent.len().saturating_sub(1));
            lines.push(Line::styled(format!("{pad}{}", clean(&title)), theme.style(Slot::Header)));
            last_parent = parent.to_vec();
        }
        if focused {
            selected_line = Some(lines.len());
        }
        let style = if focused { theme.style(Slot::Selected) } else { theme.style(Slot::Base) };
        match row {
            Row::RepoPart(i, part) => {
                let f = &fields[*i];
                let (host_name, parts) =
                    crate::scaffold::repo_url::split(host.value(f).and_then(Json::as_str).unwrap_or(""));
                let v = if part == "host" {
                    host_name
                } else {
                    parts.iter().find(|(k, _)| k == part).map(|p| p.1.clone()).unwrap_or_default()
                };
                let label = format!("  {part:<width$}", width = label_width.saturating_sub(2));
                lines.push(Line::from(vec![
                    Span::styled(label, style),
                    Span::styled(format!("  {}", clean(&v)), style),
                ]));
            }
            Row::Field(i) => field_lines(cx, host, &fields[*i], style, label_width, width, lines),
            Row::RestoreDraft | Row::Next => own(row, style, lines),
        }
    }
    selected_line
}

/// `(1–10)` for a number with bounds.
fn range_hint(f: &Field) -> Option<String> {
    if !matches!(f.kind, FieldKind::Number { .. }) {
        return None;
    }
    let bound = |k: &str| f.schema.get(k).and_then(Json::as_f64).map(crate::scaffold::expr::js_number);
    match (bound("minimum"), bound("maximum")) {
        (Some(lo), Some(hi)) => Some(format!("({lo}–{hi})")),
        (Some(lo), None) => Some(format!("(≥ {lo})")),
        (None, Some(hi)) => Some(format!("(≤ {hi})")),
        (None, None) => None,
    }
}

/// A field's line (title, value, range, and its problem when it fits),
/// then its problem (when it did not) and its help, wrapped.
fn field_lines(
    cx: &ViewCx<'_>,
    host: &dyn FormHost,
    f: &Field,
    style: Style,
    label_width: usize,
    width: u16,
    lines: &mut Vec<Line<'static>>,
) {
    let theme = &cx.theme;
    if f.kind == FieldKind::Info {
        wrapped(lines, "", &clean(f.description().unwrap_or(&f.title())), width, theme.style(Slot::Dim));
        return;
    }
    let star = if f.required { "*" } else { " " };
    let title = format!("{:<w$}", format!("{}{}{star}", indent(f), clean(&f.title())), w = label_width + 1);
    let value = match (&f.kind, host.value(f)) {
        (FieldKind::RepoUrl, v) => v.map(plain).unwrap_or_default(),
        (_, None) => f.ui("placeholder").and_then(Json::as_str).map(|p| format!("({p})")).unwrap_or_default(),
        (_, v) => shown(f, v),
    };
    // A long value ends with `…` at the edge (the editor and review show it all).
    let room = (width as usize).saturating_sub(title.width() + 2);
    let value = crate::model::layout::truncate(&clean(&value), room);
    let mut spans = vec![Span::styled(title, style), Span::styled(format!("  {value}"), style)];
    if let Some(hint) = range_hint(f) {
        spans.push(Span::styled(format!("  {hint}"), theme.style(Slot::Dim)));
    }
    let mut below = None;
    if let Some(e) = host.error(f) {
        let inline = format!("  ✗ {}", clean(&e));
        let used: usize = spans.iter().map(|s| s.content.width()).sum();
        if used + inline.width() <= width as usize {
            spans.push(Span::styled(inline, theme.style(Slot::Error)));
        } else {
            below = Some(e);
        }
    }
    lines.push(Line::from(spans));
    if let Some(e) = below {
        wrapped(lines, "    ✗ ", &clean(&e), width, theme.style(Slot::Error));
    }
    for help in [f.description(), f.ui("help").and_then(Json::as_str)].into_iter().flatten() {
        wrapped(lines, "    ", &clean(help), width, theme.style(Slot::Dim));
    }
}

/// The text editor over `area`, when open (masked for a secret unless revealed).
pub fn editor_overlay(cx: &ViewCx<'_>, host: &dyn FormHost, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let Some((target, area_editor, multiline)) = &host.edit().editor else { return };
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
        Block::bordered().title(clean(&format!(" {label} ")).into_owned()).border_style(theme.style(Slot::BorderFocus)),
    );
    ta.set_style(theme.style(Slot::Input));
    ta.set_cursor_style(theme.style(Slot::Input).add_modifier(ratatui::style::Modifier::REVERSED));
    ta.set_cursor_line_style(Style::default());
    if editing_masked(host) && !host.edit().reveal {
        ta.set_mask_char('•');
    }
    frame.render_widget(&ta, r);
}

/// The chooser over `area`, when open.
pub fn chooser_overlay(cx: &ViewCx<'_>, host: &dyn FormHost, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let Some((_, c)) = &host.edit().chooser else { return };
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
        let disabled = c.disabled.contains(v);
        let style = match (i == c.sel.selected, disabled) {
            (true, _) => theme.style(Slot::Selected),
            (false, true) => theme.style(Slot::Dim),
            (false, false) => theme.style(Slot::Popup),
        };
        let note = if disabled { " (unavailable)" } else { "" };
        lines.push(Line::styled(format!("{mark}{}{note}", clean(label)), style));
    }
    frame.render_widget(Paragraph::new(lines), list_area);
}
