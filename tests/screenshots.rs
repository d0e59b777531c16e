//! The README's pictures: phase 0 and each editor of the real TUI, rendered from the snapshot
//! tests' fixture app at 120×36 in the dark theme and kept as SVG in `assets/screenshots/`.
//! `SCHEMAFORGE_UPDATE_SCREENSHOTS=1 cargo test --test screenshots` rewrites them; without it
//! this test fails when a picture is stale.

mod svg_support;
mod tui_support;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use schemaforge::tui::view::render;
use schemaforge::tui::{App, Message, update};
use svg_support::{DARK_TERMINAL, buffer_svg};

const WIDTH: u16 = 120;
const HEIGHT: u16 = 36;
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/screenshots");

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        let modifiers = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        update(
            app,
            Message::Terminal(Event::Key(KeyEvent::new(KeyCode::Char(c), modifiers))),
        );
    }
}

/// Each picture: its file stem, its caption, and the keys leading to it from the first screen.
const SCREENS: [(&str, &str, &str); 7] = [
    (
        "0-schema",
        "Phase 0: the schema that is already there",
        "jj\n",
    ),
    ("1-tables", "Phase 1: tables", "1"),
    ("2-fields", "Phase 2: fields", "2"),
    ("3-relations", "Phase 3: relations", "3"),
    ("4-rls", "Phase 4: row-level security", "4"),
    ("5-samples", "Phase 5: sample records", "5"),
    ("6-preview", "Preview: the bundled SQL", "6"),
];

fn screenshot(keys_to_screen: &str) -> Buffer {
    let mut app = tui_support::app("dark", tui_support::catalog(), WIDTH, HEIGHT);
    for part in keys_to_screen.split_inclusive('\n') {
        let (text, enter) = match part.strip_suffix('\n') {
            Some(text) => (text, true),
            None => (part, false),
        };
        keys(&mut app, text);
        if enter {
            update(
                &mut app,
                Message::Terminal(Event::Key(KeyEvent::new(
                    KeyCode::Enter,
                    KeyModifiers::NONE,
                ))),
            );
        }
    }
    render(&app, WIDTH, HEIGHT)
}

/// Fails when the SVG is not well-formed XML.
fn assert_well_formed(name: &str, svg: &str) {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut elements = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(_) | quick_xml::events::Event::Empty(_)) => {
                elements += 1
            }
            Ok(_) => {}
            Err(e) => panic!("{name}: not XML at {}: {e}", reader.buffer_position()),
        }
    }
    assert!(elements >= 4, "{name}: only {elements} elements");
}

#[test]
fn the_readme_screenshots_are_the_tui() {
    let update_files = std::env::var_os("SCHEMAFORGE_UPDATE_SCREENSHOTS").is_some();
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let mut stale = Vec::new();
    for (stem, caption, keys_to_screen) in SCREENS {
        let svg = buffer_svg(&screenshot(keys_to_screen), caption, &DARK_TERMINAL);
        assert_well_formed(stem, &svg);
        let path = format!("{DIR}/{stem}.svg");
        if update_files {
            std::fs::create_dir_all(DIR).expect("create assets/screenshots");
            std::fs::write(&path, &svg).expect("write a screenshot");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(svg.as_str()) {
            stale.push(path);
        }
        let link = format!("assets/screenshots/{stem}.svg");
        assert!(readme.contains(&link), "the README does not show {link}");
    }
    assert!(
        stale.is_empty(),
        "stale screenshots: {stale:?}; run SCHEMAFORGE_UPDATE_SCREENSHOTS=1 cargo test --test screenshots"
    );
}

#[test]
fn each_screenshot_shows_its_screen() {
    let text = |stem: &str| {
        let (_, _, k) = SCREENS.iter().find(|(s, ..)| *s == stem).unwrap();
        schemaforge::tui::view::buffer_text(&screenshot(k))
    };
    let all: Vec<String> = SCREENS.iter().map(|(s, ..)| text(s)).collect();
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            assert_ne!(a, b, "two screenshots show the same screen");
        }
    }
    assert!(text("6-preview").contains("CREATE TABLE"));
}

#[test]
fn the_svg_keeps_text_colours_and_modifiers() {
    let mut buffer = Buffer::empty(Rect::new(0, 0, 12, 2));
    buffer.set_string(
        0,
        0,
        "a<b & \"c\"",
        Style::default().fg(Color::Rgb(1, 2, 3)),
    );
    buffer.set_string(
        0,
        1,
        "sel",
        Style::default()
            .fg(Color::Black)
            .bg(Color::LightCyan)
            .add_modifier(Modifier::BOLD),
    );
    buffer.set_string(
        4,
        1,
        "rev",
        Style::default()
            .fg(Color::Rgb(255, 255, 0))
            .add_modifier(Modifier::REVERSED | Modifier::ITALIC),
    );
    let svg = buffer_svg(&buffer, "a <test>", &DARK_TERMINAL);
    assert_well_formed("unit", &svg);
    assert!(
        svg.contains("<title id=\"title\">a &lt;test&gt;</title>"),
        "{svg}"
    );
    assert!(
        svg.contains("textLength=\"81\"")
            && svg.contains("fill=\"#010203\">a&lt;b &amp; &quot;c&quot;</text>"),
        "{svg}"
    );
    // The selection: a cyan rectangle under bold black text.
    assert!(
        svg.contains("y=\"19\" width=\"27\" height=\"19\" fill=\"#00ffff\""),
        "{svg}"
    );
    assert!(
        svg.contains("fill=\"#000000\" font-weight=\"bold\">sel</text>"),
        "{svg}"
    );
    // Reversed: the terminal's background on yellow.
    assert!(
        svg.contains("x=\"36\" y=\"19\" width=\"27\" height=\"19\" fill=\"#ffff00\""),
        "{svg}"
    );
    assert!(
        svg.contains(&format!(
            "fill=\"{}\" font-style=\"italic\">rev</text>",
            DARK_TERMINAL.background
        )),
        "{svg}"
    );
}
