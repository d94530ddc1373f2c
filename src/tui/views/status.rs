//! The status bar: flash messages or key hints on the left; sources, entity
//! count, index age, sync progress and problems on the right, the counts
//! kept and the names dropped first when the bar is narrow.

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
    // A flash gets three fifths of the bar (its full text is in :messages).
    let room = if app.flash.is_some() { area.width * 2 / 5 } else { area.width / 2 };
    let right = right_side(app, usize::from(room));
    let right_width = (width(&right) as u16).min(room);
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

/// How much a part of the right side matters: when the bar is too narrow,
/// the least important parts go first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Weight {
    /// Pending keys and sync progress: always shown.
    Live,
    /// The entity count.
    Count,
    /// The problem count.
    Problems,
    /// A source whose last sync failed.
    Failed,
    /// The index's age.
    Age,
    /// The configured source names.
    Origin,
}

/// The right side, at most `max` columns wide: counts before names.
fn right_side(app: &App, max: usize) -> String {
    let index = app.index();
    let mut parts: Vec<(Weight, String)> = vec![(Weight::Origin, clean(&app.origin).into_owned())];
    if let Some(sync) = &app.sync {
        let total = sync.total.map(|t| format!("/{t}")).unwrap_or_default();
        parts.push((Weight::Live, format!("syncing {} {}{total} {}", clean(&sync.source), sync.done, sync.unit)));
    }
    if app.loaded.is_some() {
        parts.push((Weight::Count, format!("{} entities", index.len())));
        if let Some(last) = index.sources.iter().filter_map(|s| s.last_success).min() {
            parts.push((Weight::Age, format!("synced {}", age(last, app.now))));
        }
        // Data older than the last attempt: say which source failed, when.
        for s in index.sources.iter().filter(|s| s.last_error.is_some()) {
            let name = clean(&s.name);
            if s.last_error.as_deref().is_some_and(|e| e.contains("stagehand login --source")) {
                parts.push((Weight::Failed, format!("{name}: sign in with :login {name}")));
            } else {
                parts.push((Weight::Failed, format!("{name} failed {}", age(s.last_attempt, app.now))));
            }
        }
        let problems = index.problems.len();
        if problems > 0 {
            parts.push((Weight::Problems, format!("{problems} problem{}", if problems == 1 { "" } else { "s" })));
        }
    }
    if !app.pending.is_empty() {
        let keys: Vec<String> = app.pending.keys().iter().map(ToString::to_string).collect();
        parts.push((Weight::Live, format!("{}-", keys.join(" "))));
    }
    fit_parts(parts, max)
}

/// Joins parts with ` │ `, dropping the least important (the last of
/// equal weight first) until the whole fits `max` columns; several source
/// names shrink to their number before they go.
fn fit_parts(mut parts: Vec<(Weight, String)>, max: usize) -> String {
    let joined = |parts: &[(Weight, String)]| {
        format!(" {} ", parts.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join(" │ "))
    };
    loop {
        let text = joined(&parts);
        if width(&text) <= max {
            return text;
        }
        if let Some((_, origin)) = parts.iter_mut().find(|(w, t)| *w == Weight::Origin && t.contains(',')) {
            *origin = format!("{} sources", origin.split(',').count());
            continue;
        }
        let drop = parts.iter().enumerate().filter(|(_, (w, _))| *w != Weight::Live).max_by_key(|(i, (w, _))| (*w, *i));
        match drop {
            Some((i, _)) => {
                parts.remove(i);
            }
            None => return text,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parts() -> Vec<(Weight, String)> {
        vec![
            (Weight::Origin, "catalog,platform,payments".into()),
            (Weight::Count, "1204 entities".into()),
            (Weight::Age, "synced 3m ago".into()),
            (Weight::Failed, "payments failed 3m ago".into()),
            (Weight::Problems, "17 problems".into()),
        ]
    }

    #[test]
    fn counts_outlast_names_when_the_bar_is_narrow() {
        let wide = fit_parts(parts(), 200);
        assert!(wide.contains("catalog,platform,payments") && wide.contains("17 problems"));
        let mid = fit_parts(parts(), 90);
        assert!(mid.contains("3 sources") && mid.contains("1204 entities") && mid.contains("17 problems"), "{mid}");
        let narrow = fit_parts(parts(), 30);
        assert_eq!(narrow, " 1204 entities │ 17 problems ");
        let tiny =
            fit_parts(vec![(Weight::Live, "syncing a 1/2 files".into()), (Weight::Count, "9 entities".into())], 10);
        assert_eq!(tiny, " syncing a 1/2 files ", "live parts stay (cut by the caller)");
    }
}
