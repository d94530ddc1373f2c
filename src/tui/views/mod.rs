//! The frame: breadcrumbs, the top screen (drawn by its own `view.rs` from
//! a [`ViewCx`], never the app), the status bar and any overlay. Every
//! string from the catalog goes through [`clean`] before it is drawn.

mod status;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::app::App;
use super::draw::{ViewCx, clean};
use super::overlays::{Overlay, help_view, links, login_view, palette_view};
use super::screens::{Screen, docs, entity, list, portal, search, wizard};
use super::theme::Slot;

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    frame.render_widget(Block::new().style(app.theme.style(Slot::Base)), area);
    let [header, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(area);
    breadcrumbs(app, frame, header);
    let cx = ViewCx {
        theme: &app.theme,
        keymap: &app.keymap,
        loaded: app.loaded.as_ref(),
        load_error: app.load_error.as_deref(),
        overlay_open: app.overlay.is_some(),
        starred: &app.starred,
        now: app.now,
        size: app.size,
        hyperlinks: app.external.hyperlinks,
    };
    match app.screen() {
        Screen::Search(s) => search::view::render(&cx, s, frame, body),
        Screen::Entity(e) => entity::view::render(&cx, e, frame, body),
        Screen::List(l) => list::view::render(&cx, l, frame, body),
        Screen::Problems(p) => list::view::render_problems(&cx, p, frame, body),
        Screen::Health(h) => list::view::render_health(&cx, h, frame, body),
        Screen::Wizard(w) => wizard::view::render(&cx, w, frame, body),
        Screen::DocsSearch(s) => docs::view::render_search(&cx, s, frame, body),
        Screen::Sources(sel) => list::view::render_sources(&cx, sel, frame, body),
        Screen::Portal(p) => portal::view::render(&cx, p, frame, body),
        Screen::Rejected(r) => crate::tui::screens::rejected::view::render(&cx, r, frame, body),
    }
    status::render(app, frame, status);
    match &app.overlay {
        Some(Overlay::Help(scroll)) => help_view::render(app, *scroll, frame, body),
        Some(Overlay::Palette(p)) => palette_view::render(app, p, frame, body),
        Some(Overlay::Login(l)) => login_view::render(app, l, frame, body),
        Some(Overlay::Messages(up)) => crate::tui::overlays::messages_view::render(app, *up, frame, body),
        Some(Overlay::Links(picker)) => links::render(app, picker, frame, body),
        None => {}
    }
}

fn breadcrumbs(app: &App, frame: &mut Frame, area: Rect) {
    let index = app.index();
    let mut spans = vec![Span::styled(" stagehand", app.theme.style(Slot::Title))];
    let labels: Vec<String> = app.stack.iter().map(|s| s.label(index)).collect();
    let skip = labels.len().saturating_sub(4);
    if skip > 0 {
        spans.push(Span::styled(" › …", app.theme.style(Slot::Breadcrumb)));
    }
    for (i, label) in labels.iter().enumerate().skip(skip) {
        let style =
            if i + 1 == labels.len() { app.theme.style(Slot::Title) } else { app.theme.style(Slot::Breadcrumb) };
        spans.push(Span::styled(" › ", app.theme.style(Slot::Breadcrumb)));
        spans.push(Span::styled(clean(label).into_owned(), style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(app.theme.style(Slot::Breadcrumb)), area);
}
