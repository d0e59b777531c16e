//! A ratatui buffer drawn as a self-contained SVG, for the README's screenshots: a background
//! rectangle per run of same-background cells and a `<text>` per run of same-style cells, each
//! stretched to its cells' width so columns line up whatever monospace font the viewer has.

use std::fmt::Write;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

/// Pixel size of one terminal cell.
const CELL_WIDTH: u32 = 9;
const CELL_HEIGHT: u32 = 19;
const FONT_SIZE: u32 = 15;

/// The terminal's own colours, for cells that leave fg or bg at `Reset`.
pub struct Terminal {
    pub foreground: &'static str,
    pub background: &'static str,
}

/// A dark terminal, as the dark theme expects.
pub const DARK_TERMINAL: Terminal = Terminal {
    foreground: "#d0d0d0",
    background: "#1c1c1c",
};

/// How one cell looks, with `REVERSED` already applied.
#[derive(Clone, PartialEq)]
struct Look {
    fg: String,
    bg: String,
    modifier: Modifier,
}

fn look(cell: &ratatui::buffer::Cell, terminal: &Terminal) -> Look {
    let mut fg = hex(cell.fg).unwrap_or_else(|| terminal.foreground.to_owned());
    let mut bg = hex(cell.bg).unwrap_or_else(|| terminal.background.to_owned());
    if cell.modifier.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    Look {
        fg,
        bg,
        modifier: cell.modifier - Modifier::REVERSED,
    }
}

/// `#rrggbb` for a colour, `None` for the terminal's default (xterm's palette for the rest).
fn hex(colour: Color) -> Option<String> {
    let (r, g, b) = match colour {
        Color::Reset => return None,
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Black => (0, 0, 0),
        Color::Red => (205, 0, 0),
        Color::Green => (0, 205, 0),
        Color::Yellow => (205, 205, 0),
        Color::Blue => (0, 0, 238),
        Color::Magenta => (205, 0, 205),
        Color::Cyan => (0, 205, 205),
        Color::Gray => (229, 229, 229),
        Color::DarkGray => (127, 127, 127),
        Color::LightRed => (255, 0, 0),
        Color::LightGreen => (0, 255, 0),
        Color::LightYellow => (255, 255, 0),
        Color::LightBlue => (92, 92, 255),
        Color::LightMagenta => (255, 0, 255),
        Color::LightCyan => (0, 255, 255),
        Color::White => (255, 255, 255),
        Color::Indexed(i) => indexed(i),
    };
    Some(format!("#{r:02x}{g:02x}{b:02x}"))
}

/// xterm's 256-colour palette.
fn indexed(i: u8) -> (u8, u8, u8) {
    const BASIC: [Color; 16] = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    match i {
        0..=15 => {
            let h = hex(BASIC[usize::from(i)]).expect("a basic colour");
            let channel = |k: usize| u8::from_str_radix(&h[k..k + 2], 16).expect("hex");
            (channel(1), channel(3), channel(5))
        }
        16..=231 => {
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            let i = i - 16;
            (level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        232..=255 => {
            let v = 8 + (i - 232) * 10;
            (v, v, v)
        }
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0; a terminal would not draw them.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The buffer as an SVG document; `title` is its accessible name.
pub fn buffer_svg(buffer: &Buffer, title: &str, terminal: &Terminal) -> String {
    let area = buffer.area;
    let (width, height) = (
        u32::from(area.width) * CELL_WIDTH,
        u32::from(area.height) * CELL_HEIGHT,
    );
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"title\">"
    );
    let _ = writeln!(svg, "<title id=\"title\">{}</title>", escape(title));
    let _ = writeln!(
        svg,
        "<style>text{{font-family:\"DejaVu Sans Mono\",Menlo,Consolas,monospace;\
         font-size:{FONT_SIZE}px;white-space:pre}}</style>"
    );
    let _ = writeln!(
        svg,
        "<rect width=\"100%\" height=\"100%\" fill=\"{}\"/>",
        terminal.background
    );
    for y in 0..area.height {
        let cells: Vec<(String, Look)> = (0..area.width)
            .map(|x| {
                let cell = &buffer[(area.x + x, area.y + y)];
                (cell.symbol().to_owned(), look(cell, terminal))
            })
            .collect();
        let top = u32::from(y) * CELL_HEIGHT;
        // Backgrounds first, so text is drawn over them.
        for (start, len) in runs(&cells, |a, b| a.1.bg == b.1.bg) {
            let bg = &cells[start].1.bg;
            if bg != terminal.background {
                let _ = writeln!(
                    svg,
                    "<rect x=\"{}\" y=\"{top}\" width=\"{}\" height=\"{CELL_HEIGHT}\" fill=\"{bg}\"/>",
                    start as u32 * CELL_WIDTH,
                    len as u32 * CELL_WIDTH,
                );
            }
        }
        let baseline = top + CELL_HEIGHT - 5;
        for (start, len) in runs(&cells, |a, b| {
            a.1.fg == b.1.fg && a.1.modifier == b.1.modifier
        }) {
            let run = &cells[start..start + len];
            // A wide character's second cell has an empty symbol: the character covers it.
            let text: String = run.iter().map(|(s, _)| s.as_str()).collect();
            let shown = text.trim_end();
            if shown.trim().is_empty() {
                continue;
            }
            let covered = run.len() - (text.chars().count() - shown.chars().count());
            let look = &run[0].1;
            let mut attributes = format!("fill=\"{}\"", look.fg);
            if look.modifier.contains(Modifier::BOLD) {
                attributes.push_str(" font-weight=\"bold\"");
            }
            if look.modifier.contains(Modifier::ITALIC) {
                attributes.push_str(" font-style=\"italic\"");
            }
            if look.modifier.contains(Modifier::DIM) {
                attributes.push_str(" opacity=\"0.6\"");
            }
            match (
                look.modifier.contains(Modifier::UNDERLINED),
                look.modifier.contains(Modifier::CROSSED_OUT),
            ) {
                (true, true) => attributes.push_str(" text-decoration=\"underline line-through\""),
                (true, false) => attributes.push_str(" text-decoration=\"underline\""),
                (false, true) => attributes.push_str(" text-decoration=\"line-through\""),
                (false, false) => {}
            }
            let _ = writeln!(
                svg,
                "<text x=\"{}\" y=\"{baseline}\" textLength=\"{}\" lengthAdjust=\"spacingAndGlyphs\" \
                 xml:space=\"preserve\" {attributes}>{}</text>",
                start as u32 * CELL_WIDTH,
                covered as u32 * CELL_WIDTH,
                escape(shown)
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// `(start, length)` of each maximal run of neighbours that `same` says belong together.
fn runs<T>(items: &[T], same: impl Fn(&T, &T) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=items.len() {
        if i == items.len() || !same(&items[start], &items[i]) {
            out.push((start, i - start));
            start = i;
        }
    }
    out
}
