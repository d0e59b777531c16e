//! `update(state, message) -> effects`: the one place state changes.

use crossterm::event::{Event, KeyEventKind, MouseButton, MouseEventKind};

use crate::db::server::ServerInfo;

use super::app::{App, Focus, Overlay, Phase};
use super::keymap::Action;

/// Everything that can happen: terminal input and the results of work done elsewhere.
#[derive(Debug)]
pub enum Message {
    Terminal(Event),
    Server(ServerInfo),
    /// Background work failed; the text is for the status line.
    Failed(String),
}

/// Work `update` asks the loop to do; its results come back as messages.
#[derive(Debug, PartialEq, Eq)]
pub enum Effect {
    /// The screen changed and must be drawn.
    Redraw,
}

pub fn update(app: &mut App, message: Message) -> Vec<Effect> {
    match message {
        Message::Terminal(Event::Key(key)) if key.kind != KeyEventKind::Release => {
            if app.overlay.is_some() {
                // Any key closes an overlay; quit still quits.
                let action = app.keymap.action(app.context(), &key);
                app.overlay = None;
                if action == Some(Action::Quit) {
                    app.quit = true;
                }
                return vec![Effect::Redraw];
            }
            match app.keymap.action(app.context(), &key) {
                Some(action) => act(app, action),
                None => Vec::new(),
            }
        }
        Message::Terminal(Event::Mouse(mouse)) => match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                app.focus = if mouse.column < super::view::tree_width(app.width) {
                    Focus::Tree
                } else {
                    Focus::Main
                };
                vec![Effect::Redraw]
            }
            _ => Vec::new(),
        },
        Message::Terminal(Event::Resize(width, _)) => {
            app.width = width;
            vec![Effect::Redraw]
        }
        Message::Terminal(_) => Vec::new(),
        Message::Server(info) => {
            app.server = Some(info);
            vec![Effect::Redraw]
        }
        Message::Failed(text) => {
            app.message = Some(text);
            vec![Effect::Redraw]
        }
    }
}

fn act(app: &mut App, action: Action) -> Vec<Effect> {
    let goto = |app: &mut App, phase: Phase| {
        app.phase = phase;
        app.focus = Focus::Main;
    };
    match action {
        Action::Quit => app.quit = true,
        Action::Help => app.overlay = Some(Overlay::Help),
        Action::NextPhase => goto(app, app.phase.next()),
        Action::PrevPhase => goto(app, app.phase.prev()),
        Action::PhaseSchema => goto(app, Phase::Schema),
        Action::PhaseTables => goto(app, Phase::Tables),
        Action::PhaseFields => goto(app, Phase::Fields),
        Action::PhaseRelations => goto(app, Phase::Relations),
        Action::PhaseRls => goto(app, Phase::Rls),
        Action::PhaseSamples => goto(app, Phase::Samples),
        Action::PhasePreview => goto(app, Phase::Preview),
        Action::FocusNext | Action::FocusPrev => {
            app.focus = match app.focus {
                Focus::Tree => Focus::Main,
                Focus::Main => Focus::Tree,
            }
        }
        Action::ToggleWalkthrough => {
            app.walkthrough = !app.walkthrough;
            app.message = Some(format!(
                "walkthrough {}",
                if app.walkthrough { "on" } else { "off" }
            ));
        }
        _ => return Vec::new(),
    }
    vec![Effect::Redraw]
}
