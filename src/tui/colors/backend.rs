//! A crossterm backend that draws with the terminal's colour depth: colours
//! beyond it are mapped to the nearest it has (24-bit to the 256 palette,
//! anything to the 16 ANSI colours, none at all for mono), and the 16 ANSI
//! colours are written as the classic `30`–`37`/`90`–`97` SGR codes, not
//! as `38;5;N` (which 16-colour terminals do not understand). Everything
//! but drawing is done as ratatui's crossterm backend does it.

use std::fmt::Write as _;
use std::io::{self, Write};

use crossterm::{cursor, execute, terminal};
use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};

use super::ColorDepth;

/// The terminal backend of the TUI.
pub struct DepthBackend<W: Write> {
    writer: W,
    depth: ColorDepth,
}

impl<W: Write> DepthBackend<W> {
    /// Draws to `writer` with at most `depth` colours.
    pub fn new(writer: W, depth: ColorDepth) -> Self {
        DepthBackend { writer, depth }
    }

    /// What has been written (for tests over an in-memory writer).
    pub fn writer(&self) -> &W {
        &self.writer
    }
}

/// Starts the TUI terminal (raw mode, alternate screen, ratatui's panic
/// hook) with a backend of this colour depth.
pub fn init(depth: ColorDepth) -> ratatui::Terminal<DepthBackend<io::Stdout>> {
    // ratatui::init sets up the terminal and the hook; its own terminal
    // object is not needed (dropping it changes nothing on screen).
    drop(ratatui::init());
    #[allow(clippy::expect_used, reason = "as ratatui::init: stdout is a terminal here (checked at start)")]
    ratatui::Terminal::new(DepthBackend::new(io::stdout(), depth)).expect("the terminal answers its size")
}

/// The SGR parameters setting `color` as foreground (or background) at
/// `depth`; `None` for mono.
pub fn sgr(color: Color, background: bool, depth: ColorDepth) -> Option<String> {
    let color = fit(color, depth)?;
    let (base, bright, extended) = if background { (40, 100, 48) } else { (30, 90, 38) };
    Some(match color {
        Color::Reset => (extended + 1).to_string(),
        Color::Black => base.to_string(),
        Color::Red => (base + 1).to_string(),
        Color::Green => (base + 2).to_string(),
        Color::Yellow => (base + 3).to_string(),
        Color::Blue => (base + 4).to_string(),
        Color::Magenta => (base + 5).to_string(),
        Color::Cyan => (base + 6).to_string(),
        Color::Gray => (base + 7).to_string(),
        Color::DarkGray => bright.to_string(),
        Color::LightRed => (bright + 1).to_string(),
        Color::LightGreen => (bright + 2).to_string(),
        Color::LightYellow => (bright + 3).to_string(),
        Color::LightBlue => (bright + 4).to_string(),
        Color::LightMagenta => (bright + 5).to_string(),
        Color::LightCyan => (bright + 6).to_string(),
        Color::White => (bright + 7).to_string(),
        Color::Indexed(i) => format!("{extended};5;{i}"),
        Color::Rgb(r, g, b) => format!("{extended};2;{r};{g};{b}"),
    })
}

/// `color` as the terminal can show it: `None` for mono.
pub fn fit(color: Color, depth: ColorDepth) -> Option<Color> {
    match (depth, color) {
        (ColorDepth::Mono, _) => None,
        (ColorDepth::TrueColor, c) => Some(c),
        (ColorDepth::Ansi256, Color::Rgb(r, g, b)) => Some(Color::Indexed(nearest_256(r, g, b))),
        (ColorDepth::Ansi256, c) => Some(c),
        (ColorDepth::Ansi16, Color::Indexed(i)) if i < 16 => Some(ANSI[usize::from(i)].0),
        (ColorDepth::Ansi16, Color::Indexed(i)) => {
            let (r, g, b) = rgb_of_index(i);
            Some(nearest_16(r, g, b))
        }
        (ColorDepth::Ansi16, Color::Rgb(r, g, b)) => Some(nearest_16(r, g, b)),
        (ColorDepth::Ansi16, c) => Some(c),
    }
}

/// The 16 ANSI colours with xterm's default shades.
const ANSI: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

fn distance((r, g, b): (u8, u8, u8), (r2, g2, b2): (u8, u8, u8)) -> u32 {
    let d = |a: u8, b: u8| u32::from(a.abs_diff(b)).pow(2);
    d(r, r2) + d(g, g2) + d(b, b2)
}

fn nearest_16(r: u8, g: u8, b: u8) -> Color {
    ANSI.iter().min_by_key(|(_, rgb)| distance(*rgb, (r, g, b))).map_or(Color::Reset, |(c, _)| *c)
}

/// The steps of xterm's 6x6x6 colour cube.
const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// The shade of an xterm-256 index.
fn rgb_of_index(i: u8) -> (u8, u8, u8) {
    match i {
        0..=15 => ANSI[usize::from(i)].1,
        16..=231 => {
            let n = i - 16;
            (CUBE[usize::from(n / 36)], CUBE[usize::from(n / 6 % 6)], CUBE[usize::from(n % 6)])
        }
        _ => {
            let level = 8 + 10 * (i - 232);
            (level, level, level)
        }
    }
}

/// The nearest colour of xterm's cube and grey ramp (indexes 16-255).
fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    (16..=255u8).min_by_key(|&i| distance(rgb_of_index(i), (r, g, b))).unwrap_or(16)
}

/// SGR codes of each modifier.
const MODIFIERS: [(Modifier, u8); 9] = [
    (Modifier::BOLD, 1),
    (Modifier::DIM, 2),
    (Modifier::ITALIC, 3),
    (Modifier::UNDERLINED, 4),
    (Modifier::SLOW_BLINK, 5),
    (Modifier::RAPID_BLINK, 6),
    (Modifier::REVERSED, 7),
    (Modifier::HIDDEN, 8),
    (Modifier::CROSSED_OUT, 9),
];

impl<W: Write> Backend for DepthBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let depth = self.depth;
        let mut out = String::new();
        let (mut fg, mut bg, mut modifier) = (Color::Reset, Color::Reset, Modifier::empty());
        let mut last: Option<(u16, u16)> = None;
        for (x, y, cell) in content {
            if last != Some((x.wrapping_sub(1), y)) {
                let _ = write!(out, "\x1b[{};{}H", y + 1, x + 1);
            }
            last = Some((x, y));
            let mut codes: Vec<String> = Vec::new();
            if cell.modifier != modifier {
                // Start from plain, then set what the cell has.
                codes.push("0".into());
                codes.extend(MODIFIERS.iter().filter(|(m, _)| cell.modifier.contains(*m)).map(|(_, c)| c.to_string()));
                (fg, bg, modifier) = (Color::Reset, Color::Reset, cell.modifier);
            }
            if cell.fg != fg {
                codes.extend(sgr(cell.fg, false, depth));
                fg = cell.fg;
            }
            if cell.bg != bg {
                codes.extend(sgr(cell.bg, true, depth));
                bg = cell.bg;
            }
            if !codes.is_empty() {
                let _ = write!(out, "\x1b[{}m", codes.join(";"));
            }
            out.push_str(cell.symbol());
        }
        out.push_str("\x1b[0m");
        self.writer.write_all(out.as_bytes())
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        for _ in 0..n {
            self.writer.write_all(b"\n")?;
        }
        self.writer.flush()
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        execute!(self.writer, cursor::Hide)
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        execute!(self.writer, cursor::Show)
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        cursor::position().map(|(x, y)| Position { x, y })
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let Position { x, y } = position.into();
        execute!(self.writer, cursor::MoveTo(x, y))
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        use terminal::ClearType as To;
        let to = match clear_type {
            ClearType::All => To::All,
            ClearType::AfterCursor => To::FromCursorDown,
            ClearType::BeforeCursor => To::FromCursorUp,
            ClearType::CurrentLine => To::CurrentLine,
            ClearType::UntilNewLine => To::UntilNewLine,
        };
        execute!(self.writer, terminal::Clear(to))
    }

    fn size(&self) -> io::Result<Size> {
        let (width, height) = terminal::size()?;
        Ok(Size { width, height })
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        let w = terminal::window_size()?;
        Ok(WindowSize {
            columns_rows: Size { width: w.columns, height: w.rows },
            pixels: Size { width: w.width, height: w.height },
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    /// Every colour kind a theme or a docs page may use, drawn at `depth`.
    fn drawn(depth: ColorDepth) -> String {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 8, 1));
        let colors = [Color::Red, Color::LightCyan, Color::Indexed(208), Color::Indexed(3), Color::Rgb(10, 200, 30)];
        for (x, c) in colors.iter().enumerate() {
            buffer[(x as u16, 0)].set_symbol("x").set_style(Style::new().fg(*c).bg(Color::Blue));
        }
        buffer[(6, 0)].set_symbol("b").set_style(Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED));
        let mut backend = DepthBackend::new(Vec::new(), depth);
        let cells = buffer.content.iter().enumerate().map(|(i, c)| (i as u16, 0, c));
        backend.draw(cells).unwrap();
        String::from_utf8(backend.writer().clone()).unwrap()
    }

    #[test]
    fn sixteen_colours_use_classic_codes_only() {
        let out = drawn(ColorDepth::Ansi16);
        assert!(!out.contains("38;5") && !out.contains("48;5") && !out.contains(";2;"), "{out:?}");
        assert!(out.contains("\x1b[31;44m"), "red on blue: {out:?}");
        assert!(out.contains("96"), "light cyan: {out:?}");
        assert!(out.contains("\x1b[0;1;7m"), "bold reversed: {out:?}");
        assert_eq!(fit(Color::Indexed(208), ColorDepth::Ansi16), Some(Color::Yellow), "orange");
        assert_eq!(fit(Color::Rgb(10, 200, 30), ColorDepth::Ansi16), Some(Color::Green));
    }

    #[test]
    fn mono_draws_no_colour_and_keeps_modifiers() {
        let out = drawn(ColorDepth::Mono);
        let sgrs: Vec<&str> = out.split("\x1b[").filter_map(|s| s.split_once('m').map(|(p, _)| p)).collect();
        assert!(sgrs.iter().all(|p| p.split(';').all(|c| c.parse::<u8>().is_ok_and(|n| n < 10))), "{sgrs:?}");
        assert!(out.contains("\x1b[0;1;7m"));
    }

    #[test]
    fn deeper_terminals_get_deeper_colours() {
        let out = drawn(ColorDepth::Ansi256);
        assert!(out.contains("38;5;208") && !out.contains(";2;"), "{out:?}");
        assert!(out.contains(&format!("38;5;{}", nearest_256(10, 200, 30))));
        assert!(drawn(ColorDepth::TrueColor).contains("38;2;10;200;30"));
        assert_eq!(nearest_256(255, 135, 0), 208);
    }
}
