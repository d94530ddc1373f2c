//! A selected row in a list, and the first visible row.

use std::cell::Cell;

/// A selected row in a list, and the first visible row.
#[derive(Debug, Default)]
pub struct Selection {
    /// The selected row.
    pub selected: usize,
    /// The first row drawn; adjusted while drawing to keep the selection visible.
    pub offset: Cell<usize>,
}

impl Selection {
    /// Moves by `delta` rows within `len`.
    pub fn move_by(&mut self, delta: isize, len: usize) {
        if len == 0 {
            self.selected = 0;
            return;
        }
        let target = self.selected as isize + delta;
        self.selected = target.clamp(0, len as isize - 1) as usize;
    }

    /// Jumps to a row (clamped).
    pub fn set(&mut self, row: usize, len: usize) {
        self.selected = row.min(len.saturating_sub(1));
    }

    /// The rows to draw in `height` lines, scrolling as little as possible.
    pub fn window(&self, height: usize, len: usize) -> std::ops::Range<usize> {
        let height = height.max(1);
        let selected = self.selected.min(len.saturating_sub(1));
        let mut offset = self.offset.get().min(len.saturating_sub(1));
        if selected < offset {
            offset = selected;
        } else if selected >= offset + height {
            offset = selected + 1 - height;
        }
        self.offset.set(offset);
        offset..(offset + height).min(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_scrolls_as_little_as_possible() {
        let mut sel = Selection::default();
        assert_eq!(sel.window(5, 20), 0..5);
        sel.move_by(6, 20);
        assert_eq!(sel.window(5, 20), 2..7);
        sel.move_by(-3, 20);
        assert_eq!(sel.window(5, 20), 2..7);
        sel.move_by(-10, 20);
        assert_eq!(sel.selected, 0);
        assert_eq!(sel.window(5, 20), 0..5);
        sel.move_by(100, 20);
        assert_eq!(sel.selected, 19);
        assert_eq!(sel.window(5, 3), 0..3);
    }
}
