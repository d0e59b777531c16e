//! `cargo bench --bench render`: drawing a full frame of the TUI with a 5,000-table catalog
//! (built in memory) into a test backend, on the first screen (tree + table detail) and on
//! the preview. Target: well under 2 ms per frame. A benchmark, not a test: it reports and
//! never fails because a machine is slow.

#[path = "../tests/tui_support/mod.rs"]
mod tui_support;

use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use schemaforge::tui::{App, Message, update, view};

const TABLES: usize = 5_000;
const FRAMES: usize = 300;

fn press(app: &mut App, code: KeyCode) {
    update(
        app,
        Message::Terminal(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))),
    );
}

/// Mean and worst time per frame over `FRAMES` draws, after a warm-up; between frames the
/// selection moves so every frame draws a different window and table.
fn measure(app: &mut App, width: u16, height: u16, step: KeyCode) -> (Duration, Duration) {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("backend");
    for _ in 0..20 {
        terminal.draw(|f| view::draw(f, app)).expect("draw");
    }
    let mut worst = Duration::ZERO;
    let mut total = Duration::ZERO;
    for _ in 0..FRAMES {
        press(app, step);
        let start = Instant::now();
        terminal.draw(|f| view::draw(f, app)).expect("draw");
        let took = start.elapsed();
        total += took;
        worst = worst.max(took);
    }
    (total / FRAMES as u32, worst)
}

fn main() {
    let built = Instant::now();
    let catalog = tui_support::big_catalog(TABLES);
    let tables = catalog.tables.len();
    let mut app = tui_support::app("dark", catalog, 160, 45);
    println!(
        "render: {tables} tables in the catalog; app built (tree flattened, design planned) in {:.1} ms",
        built.elapsed().as_secs_f64() * 1e3
    );
    for (width, height) in [(80, 24), (160, 45)] {
        app.view.width = width;
        app.view.height = height;
        let (mean, worst) = measure(&mut app, width, height, KeyCode::Down);
        println!(
            "render: schema + tree {width}x{height}: mean {:.3} ms per frame, worst {:.3} ms ({FRAMES} frames, moving down)",
            mean.as_secs_f64() * 1e3,
            worst.as_secs_f64() * 1e3
        );
    }
    // The tree's `/` filter: each keystroke rebuilds the tree over every table and draws.
    app.view.width = 160;
    app.view.height = 45;
    let mut terminal = Terminal::new(TestBackend::new(160, 45)).expect("backend");
    press(&mut app, KeyCode::Char('/'));
    let mut typed = Vec::new();
    for _ in 0..10 {
        for key in "t4999"
            .chars()
            .map(KeyCode::Char)
            .chain(std::iter::repeat_n(KeyCode::Backspace, 5))
        {
            let start = Instant::now();
            press(&mut app, key);
            terminal.draw(|f| view::draw(f, &app)).expect("draw");
            typed.push(start.elapsed());
        }
    }
    press(&mut app, KeyCode::Esc);
    let worst = typed.iter().max().copied().unwrap_or_default();
    let mean = typed.iter().sum::<Duration>() / typed.len().max(1) as u32;
    println!(
        "render: tree filter, {} keystrokes (typing and erasing \"t4999\"), update + frame: mean {:.3} ms, worst {:.3} ms",
        typed.len(),
        mean.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3
    );
    press(&mut app, KeyCode::Char('6'));
    for (width, height) in [(80, 24), (160, 45)] {
        app.view.width = width;
        app.view.height = height;
        let (mean, worst) = measure(&mut app, width, height, KeyCode::Char('j'));
        println!(
            "render: preview {width}x{height}: mean {:.3} ms per frame, worst {:.3} ms ({FRAMES} frames, scrolling)",
            mean.as_secs_f64() * 1e3,
            worst.as_secs_f64() * 1e3
        );
    }
}
