//! The help overlay's keys: scrolling, and closing it.

use crate::tui::action::Action;

/// Runs `action` on the help overlay scrolled to `scroll`; true closes it.
pub fn handle(scroll: &mut usize, action: Action) -> bool {
    match action {
        Action::MoveDown => *scroll += 1,
        Action::MoveUp => *scroll = scroll.saturating_sub(1),
        Action::PageDown | Action::HalfPageDown => *scroll += 10,
        Action::PageUp | Action::HalfPageUp => *scroll = scroll.saturating_sub(10),
        Action::Top => *scroll = 0,
        Action::Back | Action::Quit | Action::Help | Action::Select => return true,
        _ => {} // nothing else works under the help
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_scroll_and_esc_closes() {
        let mut scroll = 0;
        assert!(!handle(&mut scroll, Action::PageDown));
        assert_eq!(scroll, 10);
        assert!(!handle(&mut scroll, Action::MoveUp));
        assert_eq!(scroll, 9);
        assert!(handle(&mut scroll, Action::Back));
        assert!(!handle(&mut scroll, Action::ToggleStar));
    }
}
