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
use unicode_width::UnicodeWidthStr;

use crate::scaffold::fields::{FieldKind, plain};
use crate::scaffold::form::Field;

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
    if w.confirm_leave.is_some() {
        return format!("←→ choose · {select} confirm · {back} cancel");
    }
    match (w.stage, w.editor.is_some(), w.chooser.is_some()) {
        (_, true, _) if editing_masked(w) => format!(
            "{select} done · {back} cancel · {} {}",
            cx.keymap.keys_for(Context::Search, Action::Reveal).first().map_or("(reveal)", String::as_str),
            if w.reveal { "hide" } else { "show" }
        ),
        (_, true, _) => format!("{select} done · {back} cancel (textarea: {select} newline, {back} done)"),
        (_, _, true) => format!("{up_down} move · {select} choose · {back} close · type to search"),
        (Stage::Form, ..) if w.fields().iter().any(|f| f.kind == FieldKind::ObjectList) => format!(
            "{up_down} field · {select} edit · {} add · {} remove · {}/{} move · {} next · {back} back",
            key(Action::ItemAdd),
            key(Action::ItemRemove),
            key(Action::ItemUp),
            key(Action::ItemDown),
            key(Action::NextPane)
        ),
        (Stage::Form, ..) => {
            format!("{up_down} field · {select} edit · {} next page · {back} previous", key(Action::NextPane))
        }
        (Stage::Review, ..) => format!("{up_down} move · {select} edit value / toggle / run · {back} back"),
        (Stage::Running, ..) => format!("{back} cancel · {up_down} scroll"),
        (Stage::Finished, ..) => format!(
            "{} open · {} copy · {} next link · {up_down} scroll · {back} review · {} leave",
            key(Action::OpenLink),
            key(Action::CopyRef),
            key(Action::NextPane),
            key(Action::Quit)
        ),
    }
}

/// Whether the open editor holds a secret or a password (typed masked).
fn editing_masked(w: &WizardScreen) -> bool {
    match &w.editor {
        Some((Target::Field(path), ..)) => super::field_at(w, path).is_some_and(|f| f.masked()),
        _ => false,
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
        Stage::Review => review_lines(cx, w, body.width),
        Stage::Running | Stage::Finished => (super::result::run_lines(cx, w, body.width), None),
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
        if editing_masked(w) && !w.reveal {
            ta.set_mask_char('•');
        }
        frame.render_widget(&ta, r);
    }
    if let Some(leave_chosen) = w.confirm_leave {
        confirm(cx, frame, area, leave_chosen);
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
}

fn form_lines(cx: &ViewCx<'_>, w: &WizardScreen, width: u16) -> (Vec<Line<'static>>, Option<usize>) {
    let theme = &cx.theme;
    let mut lines = Vec::new();
    if let Some(p) = w.page_index()
        && let Some(d) = &w.template.pages[p].description
    {
        wrapped(&mut lines, "", &clean(d), width, theme.style(Slot::Dim));
        lines.push(Line::default());
    }
    if let Some((why, instead)) = w.run_note() {
        lines.push(Line::styled(format!("⚠ {}", clean(&why)), theme.style(Slot::Warning)));
        lines.push(Line::styled(format!("  {}", clean(&instead)), theme.style(Slot::Warning)));
    }
    let fields = w.fields();
    let label_width = fields
        .iter()
        .map(|f| f.title().chars().count() + indent(f).len())
        .max()
        .unwrap_or(8)
        .clamp(8, (width / 3).max(8) as usize);
    let mut selected_line = None;
    let mut last_parent: Vec<String> = Vec::new();
    for (row_i, row) in w.rows().iter().enumerate() {
        let focused = row_i == w.sel.selected;
        // A nested object's title above its fields.
        if let Row::Field(i) = row
            && let Some((_, parent)) = fields[*i].path.split_last()
            && !parent.is_empty()
            && parent != last_parent.as_slice()
            && let Some(p) = w.page_index()
        {
            let title = object_title(&w.template.pages[p].schema, &w.params, parent);
            let pad = "  ".repeat(parent.len().saturating_sub(1));
            lines.push(Line::styled(format!("{pad}{}", clean(&title)), theme.style(Slot::Header)));
            last_parent = parent.to_vec();
        }
        if focused {
            selected_line = Some(lines.len());
        }
        let style = if focused { theme.style(Slot::Selected) } else { theme.style(Slot::Base) };
        match row {
            Row::RestoreDraft => {
                let when = w.draft_offer.as_ref().map(|d| super::draft::age(d.saved_at)).unwrap_or_default();
                lines.push(Line::styled(format!("[ Restore draft ] saved {when}, secrets not kept"), style));
                lines.push(Line::default());
            }
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
            Row::Field(i) => field_lines(cx, w, &fields[*i], style, label_width, width, &mut lines),
        }
    }
    (lines, selected_line)
}

fn review_lines(cx: &ViewCx<'_>, w: &WizardScreen, width: u16) -> (Vec<Line<'static>>, Option<usize>) {
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
                let title = f.map_or_else(|| key.clone(), |f| review_title(w, *p, f));
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
        // A long value wraps under itself rather than being cut.
        let options = textwrap::Options::new((width as usize).max(20)).subsequent_indent("    ");
        for part in textwrap::wrap(&line, options) {
            lines.push(Line::styled(part.into_owned(), style));
        }
    }
    if let Some((why, instead)) = w.run_note() {
        lines.push(Line::styled(format!("⚠ {}", clean(&why)), theme.style(Slot::Warning)));
        lines.push(Line::styled(format!("  {}", clean(&instead)), theme.style(Slot::Warning)));
    }
    (lines, selected_line)
}

/// Pushes `text` wrapped to `width`, each line after `prefix`.
fn wrapped(lines: &mut Vec<Line<'static>>, prefix: &str, text: &str, width: u16, style: Style) {
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
fn object_title(page: &Json, values: &serde_json::Map<String, Json>, path: &[String]) -> String {
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

/// A value's title on the review page; an item's field says which item
/// (`Contacts 2 · Name`).
fn review_title(w: &WizardScreen, page: usize, f: &Field) -> String {
    match f.path.split_last() {
        Some((_, parent)) if parent.iter().any(|p| p.parse::<usize>().is_ok()) => {
            format!("{} · {}", object_title(&w.template.pages[page].schema, &w.params, parent), f.title())
        }
        _ => f.title(),
    }
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
    w: &WizardScreen,
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
    let value = match (&f.kind, w.value(f)) {
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
    if let Some(e) = w.error(f) {
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

/// "Leave the wizard?": Cancel and Leave, Cancel chosen unless moved.
fn confirm(cx: &ViewCx<'_>, frame: &mut Frame, area: Rect, leave_chosen: bool) {
    let theme = &cx.theme;
    let r = centered(area, area.width.saturating_sub(8).min(56), 6);
    frame.render_widget(Clear, r);
    let block = Block::bordered()
        .title(" Leave the wizard? ")
        .border_style(theme.style(Slot::BorderFocus))
        .style(theme.style(Slot::Popup));
    let button = |label: &str, on: bool| {
        Span::styled(format!("[ {label} ]"), if on { theme.style(Slot::Selected) } else { theme.style(Slot::Popup) })
    };
    let lines = vec![
        Line::styled("Your values are kept as a draft (secrets are not).", theme.style(Slot::Popup)),
        Line::default(),
        Line::from(vec![button("Cancel", !leave_chosen), Span::raw("   "), button("Leave", leave_chosen)]),
    ];
    frame.render_widget(Paragraph::new(lines).block(block).wrap(ratatui::widgets::Wrap { trim: false }), r);
}
