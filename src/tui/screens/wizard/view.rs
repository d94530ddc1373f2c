//! The scaffolding wizard: a page of fields with their problems beside
//! them, choosers and the text editor on top, the review page, and a run's
//! steps, logs and output. Template text, values, logs and output are
//! untrusted: all of it is sanitized here.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::scaffold::fields::FieldKind;
use crate::scaffold::form::Field;

use super::{ReviewRow, Row, Stage, WizardScreen, shown};
use crate::tui::action::Action;
use crate::tui::draw::ViewCx;
use crate::tui::draw::{centered, clean};
use crate::tui::keymap::Context;
use crate::tui::screens::form::view::{
    chooser_overlay, editing_masked, editor_overlay, object_title, rows_lines, wrapped,
};
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
    match (w.stage, w.edit.editor.is_some(), w.edit.chooser.is_some()) {
        (_, true, _) if editing_masked(w) => format!(
            "{select} done · {back} cancel · {} {}",
            cx.keymap.keys_for(Context::Search, Action::Reveal).first().map_or("(reveal)", String::as_str),
            if w.edit.reveal { "hide" } else { "show" }
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
    editor_overlay(cx, w, frame, area);
    if let Some(leave_chosen) = w.confirm_leave {
        confirm(cx, frame, area, leave_chosen);
    }
    chooser_overlay(cx, w, frame, area);
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
    let selected_line = rows_lines(cx, w, width, &mut lines, |row, style, lines| match row {
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
        Row::Field(_) | Row::RepoPart(..) => {}
    });
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
