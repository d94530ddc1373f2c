//! The status bar: flash messages or key hints on the left; sources, entity
//! count, index age, sync progress and problems on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::index::age;
use crate::model::layout::{truncate, width};

use crate::tui::action::Action;
use crate::tui::app::{App, Level};
use crate::tui::draw::clean;
use crate::tui::theme::Slot;

/// Draws the status bar.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let right = right_side(app);
    let right_width = (width(&right) as u16).min(area.width / 2);
    let [left_area, right_area] = Layout::horizontal([Constraint::Min(0), Constraint::Length(right_width)]).areas(area);
    let left = match &app.flash {
        Some(f) => {
            let slot = match f.level {
                Level::Info => Slot::Flash,
                Level::Warning => Slot::StatusWarning,
                Level::Error => Slot::StatusError,
            };
            Line::styled(
                format!(" {}", truncate(&clean(&f.text), left_area.width.saturating_sub(1) as usize)),
                theme.style(slot),
            )
        }
        None => hints(app),
    };
    frame.render_widget(Paragraph::new(left).style(theme.style(Slot::StatusBar)), left_area);
    let problems = app.index().problems.len();
    let style = if problems > 0 && app.sync.is_none() {
        theme.style(Slot::StatusWarning)
    } else {
        theme.style(Slot::StatusBar)
    };
    frame.render_widget(Paragraph::new(truncate(&right, right_width as usize)).style(style), right_area);
}

fn right_side(app: &App) -> String {
    let index = app.index();
    let mut parts = vec![clean(&app.origin).into_owned()];
    if let Some(sync) = &app.sync {
        let total = sync.total.map(|t| format!("/{t}")).unwrap_or_default();
        parts.push(format!("syncing {} {}{total} {}", clean(&sync.source), sync.done, sync.unit));
    }
    if app.loaded.is_some() {
        parts.push(format!("{} entities", index.len()));
        if let Some(last) = index.sources.iter().filter_map(|s| s.last_success).min() {
            parts.push(format!("synced {}", age(last, app.now)));
        }
        // Data older than the last attempt: say which source failed, when.
        for s in index.sources.iter().filter(|s| s.last_error.is_some()) {
            parts.push(format!("{} failed {}", clean(&s.name), age(s.last_attempt, app.now)));
        }
        let problems = index.problems.len();
        if problems > 0 {
            parts.push(format!("{problems} problem{}", if problems == 1 { "" } else { "s" }));
        }
    }
    if !app.pending.is_empty() {
        let keys: Vec<String> = app.pending.keys().iter().map(ToString::to_string).collect();
        parts.push(format!("{}-", keys.join(" ")));
    }
    format!(" {} ", parts.join(" │ "))
}

fn hints(app: &App) -> Line<'static> {
    let ctx = app.keymap_context();
    let theme = &app.theme;
    let mut spans = vec![Span::raw(" ")];
    for (action, label) in [
        (Action::Help, "help"),
        (Action::CommandPalette, "commands"),
        (Action::Filter, "filter"),
        (Action::NextPane, "pane"),
        (Action::Back, "back"),
        (Action::Quit, "quit"),
    ] {
        let keys = app.keymap.keys_for(ctx, action);
        if let Some(k) = keys.first() {
            spans.push(Span::styled(k.clone(), theme.style(Slot::KeyHint)));
            spans.push(Span::styled(format!(" {label}  "), theme.style(Slot::StatusBar)));
        }
    }
    Line::from(spans)
}
