//! Keys on a rejected entity's page: scrolling (back is global).

use crate::tui::action::Action;
use crate::tui::context::{Ctx, Handled, delta};

use super::RejectedScreen;

/// Runs `action` on a rejected entity's page.
pub fn handle(r: &mut RejectedScreen, action: Action, cx: &mut Ctx) -> Handled {
    let last = r.yaml.lines().count();
    match action {
        Action::Top => r.scroll = 0,
        Action::Bottom => r.scroll = last,
        _ => match delta(action, cx.page as isize) {
            Some(d) => r.scroll = r.scroll.saturating_add_signed(d).min(last),
            None => return Handled::No, // not handled
        },
    }
    Handled::Yes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_scroll_within_the_yaml_and_back_is_left_to_the_global_actions() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut page = RejectedScreen::new(super::super::tests::rejected());
        let lines = page.yaml.lines().count();
        assert_eq!(handle(&mut page, Action::MoveDown, &mut cx), Handled::Yes);
        assert_eq!(page.scroll, 1);
        assert_eq!(handle(&mut page, Action::MoveUp, &mut cx), Handled::Yes);
        assert_eq!(handle(&mut page, Action::MoveUp, &mut cx), Handled::Yes);
        assert_eq!(page.scroll, 0, "never above the top");
        assert_eq!(handle(&mut page, Action::Bottom, &mut cx), Handled::Yes);
        assert_eq!(page.scroll, lines);
        assert_eq!(handle(&mut page, Action::MoveDown, &mut cx), Handled::Yes);
        assert_eq!(page.scroll, lines, "never past the end");
        assert_eq!(handle(&mut page, Action::Back, &mut cx), Handled::No);
    }
}
