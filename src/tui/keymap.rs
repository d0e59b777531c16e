//! Key bindings are data: one table per context maps keys to actions with a description.
//! The same table drives dispatch, the `?` overlay, the status-line hints and the README's
//! key list, and `config.toml` overrides it. Nothing about keys is written twice.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::config::{KeyOverride, Place};

/// Where a binding applies. Lookups try the focused context first, then `Global`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    Global,
    /// Any list or tree: the schema tree, phase lists.
    List,
    Preview,
    /// A text input (filter, editors): only these keys are taken, the rest are typed.
    Input,
    /// A yes/no dialog.
    Dialog,
}

impl Context {
    pub const ALL: [Context; 5] = [
        Context::Global,
        Context::List,
        Context::Preview,
        Context::Input,
        Context::Dialog,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Preview => "preview",
            Context::Input => "input",
            Context::Dialog => "dialog",
        }
    }
}

macro_rules! actions {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// Everything a key can ask for.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Action { $($variant),* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];
            /// The name used in `config.toml`.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }
        }
    };
}

actions! {
    Quit => "quit",
    Help => "help",
    NextPhase => "next_phase",
    PrevPhase => "prev_phase",
    PhaseSchema => "phase_schema",
    PhaseTables => "phase_tables",
    PhaseFields => "phase_fields",
    PhaseRelations => "phase_relations",
    PhaseRls => "phase_rls",
    PhaseSamples => "phase_samples",
    PhasePreview => "phase_preview",
    FocusNext => "focus_next",
    FocusPrev => "focus_prev",
    ToggleWalkthrough => "toggle_walkthrough",
    Up => "up",
    Down => "down",
    PageUp => "page_up",
    PageDown => "page_down",
    Top => "top",
    Bottom => "bottom",
    Open => "open",
    Close => "close",
    Add => "add",
    Delete => "delete",
    Template => "template",
    ToggleRls => "toggle_rls",
    Buckets => "buckets",
    MaterializedViews => "materialized_views",
    Filter => "filter",
    Refresh => "refresh",
    DryRun => "dry_run",
    Apply => "apply",
    Copy => "copy",
    Confirm => "confirm",
    Cancel => "cancel",
    Edit => "edit",
    MoveUp => "move_up",
    MoveDown => "move_down",
    Undo => "undo",
    Redo => "redo",
    Save => "save",
    SaveAs => "save_as",
    ChangeType => "change_type",
    TogglePrimary => "toggle_primary",
    AddIndex => "add_index",
    NextTable => "next_table",
    PrevTable => "prev_table",
    Simulate => "simulate",
    SimulateAs => "simulate_as",
    Rollback => "rollback",
    Export => "export",
    ImportCsv => "import_csv",
}

/// A key as written in the table and in `config.toml`: `q`, `ctrl-c`, `shift-tab`, `enter`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not a key (try q, ctrl-c, enter, esc, tab, shift-tab, up, pgdn, f1)")]
pub struct NotAKey(pub String);

/// Ctrl-C: quits in every context, whatever `config.toml` says, so no configuration can
/// lock the user in (in raw mode it arrives as a key, not as SIGINT).
pub const CTRL_C: Key = Key {
    code: KeyCode::Char('c'),
    ctrl: true,
    alt: false,
};

/// Whether a terminal key event is Ctrl-C (see [`CTRL_C`]).
pub fn is_ctrl_c(event: &KeyEvent) -> bool {
    CTRL_C.matches(event)
}

impl Key {
    pub fn parse(text: &str) -> Result<Key, NotAKey> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = text;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "shift-tab" | "backtab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" => KeyCode::PageUp,
            "pgdn" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "backspace" => KeyCode::Backspace,
            "delete" => KeyCode::Delete,
            "space" => KeyCode::Char(' '),
            f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().expect("checked"))
            }
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().expect("one char")),
            _ => return Err(NotAKey(text.to_owned())),
        };
        Ok(Key { code, ctrl, alt })
    }

    /// Whether a terminal key event is this key. Shift is part of the character itself.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        let alt = event.modifiers.contains(KeyModifiers::ALT);
        let code = match event.code {
            KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
            other => other,
        };
        code == self.code && ctrl == self.ctrl && alt == self.alt
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            write!(f, "Ctrl-")?;
        }
        if self.alt {
            write!(f, "Alt-")?;
        }
        match self.code {
            KeyCode::Enter => write!(f, "⏎"),
            KeyCode::Esc => write!(f, "Esc"),
            KeyCode::Tab => write!(f, "Tab"),
            KeyCode::BackTab => write!(f, "Shift-Tab"),
            KeyCode::Up => write!(f, "↑"),
            KeyCode::Down => write!(f, "↓"),
            KeyCode::Left => write!(f, "←"),
            KeyCode::Right => write!(f, "→"),
            KeyCode::PageUp => write!(f, "PgUp"),
            KeyCode::PageDown => write!(f, "PgDn"),
            KeyCode::Home => write!(f, "Home"),
            KeyCode::End => write!(f, "End"),
            KeyCode::Backspace => write!(f, "Backspace"),
            KeyCode::Delete => write!(f, "Del"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Char(' ') => write!(f, "Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            _ => write!(f, "?"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub context: Context,
    pub action: Action,
    pub keys: Vec<Key>,
    pub description: &'static str,
    /// Shown in the status line (the rest only in the help overlay).
    pub hint: bool,
}

/// The default table: (context, action, keys, description, shown in the status line).
const DEFAULTS: &[(Context, Action, &[&str], &str, bool)] = &[
    (
        Context::Global,
        Action::Quit,
        &["q", "ctrl-c"],
        "quit",
        true,
    ),
    (Context::Global, Action::Help, &["?", "f1"], "help", true),
    (
        Context::Global,
        Action::NextPhase,
        &["]"],
        "next phase",
        true,
    ),
    (
        Context::Global,
        Action::PrevPhase,
        &["["],
        "previous phase",
        false,
    ),
    (
        Context::Global,
        Action::PhaseSchema,
        &["0"],
        "phase 0 · schema",
        false,
    ),
    (
        Context::Global,
        Action::PhaseTables,
        &["1"],
        "phase 1 · tables",
        false,
    ),
    (
        Context::Global,
        Action::PhaseFields,
        &["2"],
        "phase 2 · fields",
        false,
    ),
    (
        Context::Global,
        Action::PhaseRelations,
        &["3"],
        "phase 3 · relations",
        false,
    ),
    (
        Context::Global,
        Action::PhaseRls,
        &["4"],
        "phase 4 · row-level security",
        false,
    ),
    (
        Context::Global,
        Action::PhaseSamples,
        &["5"],
        "phase 5 · samples",
        false,
    ),
    (
        Context::Global,
        Action::PhasePreview,
        &["6", "p"],
        "preview and apply",
        false,
    ),
    (
        Context::Global,
        Action::FocusNext,
        &["tab"],
        "next pane",
        false,
    ),
    (
        Context::Global,
        Action::FocusPrev,
        &["shift-tab"],
        "previous pane",
        false,
    ),
    (
        Context::Global,
        Action::Cancel,
        &["esc"],
        "cancel the running job · clear the filter",
        false,
    ),
    (Context::Global, Action::Undo, &["u"], "undo", true),
    (Context::Global, Action::Redo, &["ctrl-r"], "redo", false),
    (
        Context::Global,
        Action::Save,
        &["ctrl-s"],
        "save the design to its file",
        false,
    ),
    (
        Context::Global,
        Action::SaveAs,
        &["ctrl-o"],
        "save the design to a new file",
        false,
    ),
    (
        Context::Global,
        Action::ToggleWalkthrough,
        &["w"],
        "walkthrough on/off",
        false,
    ),
    (Context::List, Action::Up, &["up", "k"], "move up", true),
    (
        Context::List,
        Action::Down,
        &["down", "j"],
        "move down",
        true,
    ),
    (
        Context::List,
        Action::PageUp,
        &["pgup", "ctrl-u"],
        "page up",
        false,
    ),
    (
        Context::List,
        Action::PageDown,
        &["pgdn", "ctrl-d"],
        "page down",
        false,
    ),
    (Context::List, Action::Top, &["home", "g"], "first", false),
    (Context::List, Action::Bottom, &["end", "G"], "last", false),
    (
        Context::List,
        Action::Open,
        &["enter", "right", "l"],
        "open / expand",
        true,
    ),
    (
        Context::List,
        Action::Close,
        &["left", "h"],
        "collapse",
        false,
    ),
    (Context::List, Action::Add, &["a"], "add", true),
    (Context::List, Action::Edit, &["e"], "edit", false),
    (Context::List, Action::Delete, &["x"], "delete", true),
    (
        Context::List,
        Action::Template,
        &["T"],
        "phase 4: policies from a template",
        false,
    ),
    (
        Context::List,
        Action::ToggleRls,
        &["R"],
        "phase 4: row-level security on/off",
        false,
    ),
    (
        Context::List,
        Action::MaterializedViews,
        &["v"],
        "phase 1: materialized (aggregate) views",
        false,
    ),
    (
        Context::List,
        Action::Buckets,
        &["B"],
        "phase 4: storage buckets",
        false,
    ),
    (
        Context::List,
        Action::MoveUp,
        &["K"],
        "move the row up",
        false,
    ),
    (
        Context::List,
        Action::MoveDown,
        &["J"],
        "move the row down",
        false,
    ),
    (
        Context::List,
        Action::ChangeType,
        &["t"],
        "change the field's type",
        false,
    ),
    (
        Context::List,
        Action::TogglePrimary,
        &["space"],
        "make it the primary field",
        false,
    ),
    (
        Context::List,
        Action::AddIndex,
        &["i"],
        "phases 1-2: add an index to the table",
        false,
    ),
    (
        Context::List,
        Action::ImportCsv,
        &["I"],
        "phase 1: a new table from a CSV file",
        false,
    ),
    (
        Context::List,
        Action::NextTable,
        &[">"],
        "phases 2-5: the next table",
        false,
    ),
    (
        Context::List,
        Action::PrevTable,
        &["<"],
        "phases 2-5: the previous table",
        false,
    ),
    (Context::List, Action::Filter, &["/"], "filter", true),
    (
        Context::List,
        Action::Simulate,
        &["s"],
        "simulate the policies (phase 4)",
        false,
    ),
    (
        Context::List,
        Action::SimulateAs,
        &["S"],
        "simulate as other users (phase 4)",
        false,
    ),
    (
        Context::List,
        Action::Refresh,
        &["r"],
        "re-read the live schema",
        false,
    ),
    (
        Context::Preview,
        Action::Up,
        &["up", "k"],
        "scroll up",
        false,
    ),
    (
        Context::Preview,
        Action::Down,
        &["down", "j"],
        "scroll down",
        false,
    ),
    (
        Context::Preview,
        Action::PageUp,
        &["pgup", "ctrl-u"],
        "page up",
        false,
    ),
    (
        Context::Preview,
        Action::PageDown,
        &["pgdn", "ctrl-d", "space"],
        "page down",
        false,
    ),
    (Context::Preview, Action::Top, &["home", "g"], "top", false),
    (
        Context::Preview,
        Action::Bottom,
        &["end", "G"],
        "bottom",
        false,
    ),
    (
        Context::Preview,
        Action::DryRun,
        &["d"],
        "dry run (everything, then roll back)",
        true,
    ),
    (
        Context::Preview,
        Action::Apply,
        &["A"],
        "apply in one transaction",
        true,
    ),
    (
        Context::Preview,
        Action::Copy,
        &["y"],
        "copy the SQL (OSC 52)",
        true,
    ),
    (
        Context::Preview,
        Action::Export,
        &["E"],
        "export: a Supabase migration + seed.sql + rollback, or one .sql",
        true,
    ),
    (
        Context::Preview,
        Action::Rollback,
        &["b"],
        "the rollback (what undoes the plan) / the plan",
        true,
    ),
    (Context::Input, Action::Confirm, &["enter"], "accept", true),
    (Context::Input, Action::Cancel, &["esc"], "cancel", true),
    (
        Context::Dialog,
        Action::Confirm,
        &["enter", "y"],
        "confirm",
        true,
    ),
    (Context::Dialog, Action::Cancel, &["esc", "n"], "back", true),
];

/// The status line's words for actions whose description (the help's) is too long there.
const SHORT: &[(Action, &str)] = &[
    (Action::DryRun, "dry run"),
    (Action::Apply, "apply"),
    (Action::Copy, "copy"),
    (Action::Export, "export"),
    (Action::Rollback, "rollback"),
    (Action::Open, "open"),
];

/// A status-line hint: its first key, its short label, and whether it is the focused
/// context's own (the pane's actions) rather than a global one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    pub key: String,
    pub label: &'static str,
    pub action: Action,
    pub own: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        let bindings = DEFAULTS
            .iter()
            .map(|(context, action, keys, description, hint)| Binding {
                context: *context,
                action: *action,
                keys: keys
                    .iter()
                    .map(|k| Key::parse(k).expect("default keys parse"))
                    .collect(),
                description,
                hint: *hint,
            })
            .collect();
        Keymap { bindings }
    }
}

/// A `[keys.<context>]` entry of `config.toml` that cannot be used, with its line.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OverrideError {
    #[error(
        "{place}: keys.{context}: unknown context (one of global, list, preview, input, dialog)"
    )]
    UnknownContext { place: Place, context: String },
    #[error("{place}: keys.{context}.{action}: unknown action")]
    UnknownAction {
        place: Place,
        context: String,
        action: String,
    },
    #[error("{place}: keys.{context}.{action}: {source}")]
    NotAKey {
        place: Place,
        context: String,
        action: String,
        source: NotAKey,
    },
    #[error("{place}: keys.{context}.{action} = []: leaves {action} without a key")]
    NoKey {
        place: Place,
        context: String,
        action: String,
    },
    #[error(
        "{place}: keys.{context}.{action}: ctrl-c always quits and cannot be bound to {action}"
    )]
    CtrlC {
        place: Place,
        context: String,
        action: String,
    },
    #[error(
        "{place}: keys.{context}.{action}: {key} is also bound to {other} in {context}, so one of them would never run"
    )]
    BoundTwice {
        place: Place,
        context: String,
        action: String,
        key: String,
        other: &'static str,
    },
}

impl Keymap {
    /// The defaults with the user's overrides. An entry that names an unknown context,
    /// action or key, leaves an action without a key, binds a key twice in one context, or
    /// takes Ctrl-C from quit is an error naming its line.
    pub fn with_overrides(overrides: &[KeyOverride]) -> Result<Keymap, OverrideError> {
        let mut keymap = Keymap::default();
        for o in overrides {
            let context_name = &o.context.text;
            let action_name = &o.action.text;
            let context = Context::ALL
                .into_iter()
                .find(|c| c.name() == context_name)
                .ok_or_else(|| OverrideError::UnknownContext {
                    place: o.context.place.clone(),
                    context: context_name.clone(),
                })?;
            let action = Action::ALL
                .iter()
                .copied()
                .find(|a| a.name() == action_name)
                .ok_or_else(|| OverrideError::UnknownAction {
                    place: o.action.place.clone(),
                    context: context_name.clone(),
                    action: action_name.clone(),
                })?;
            if o.keys.is_empty() {
                return Err(OverrideError::NoKey {
                    place: o.action.place.clone(),
                    context: context_name.clone(),
                    action: action_name.clone(),
                });
            }
            let mut keys = Vec::new();
            for written in &o.keys {
                let key = Key::parse(&written.text).map_err(|source| OverrideError::NotAKey {
                    place: written.place.clone(),
                    context: context_name.clone(),
                    action: action_name.clone(),
                    source,
                })?;
                if key == CTRL_C && action != Action::Quit {
                    return Err(OverrideError::CtrlC {
                        place: written.place.clone(),
                        context: context_name.clone(),
                        action: action_name.clone(),
                    });
                }
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            if action == Action::Quit && context == Context::Global && !keys.contains(&CTRL_C) {
                keys.push(CTRL_C);
            }
            match keymap
                .bindings
                .iter_mut()
                .find(|b| b.context == context && b.action == action)
            {
                Some(binding) => binding.keys = keys,
                None => keymap.bindings.push(Binding {
                    context,
                    action,
                    keys,
                    description: action.name(),
                    hint: false,
                }),
            }
        }
        // A key bound twice in one context leaves the later action unreachable by it;
        // checked after every override, so swapping two keys over two lines works.
        for o in overrides {
            let Some(binding) = keymap
                .bindings
                .iter()
                .find(|b| b.context.name() == o.context.text && b.action.name() == o.action.text)
            else {
                continue;
            };
            for key in &binding.keys {
                if let Some(other) = keymap.bindings.iter().find(|b| {
                    b.context == binding.context
                        && b.action != binding.action
                        && b.keys.contains(key)
                }) {
                    return Err(OverrideError::BoundTwice {
                        place: o.action.place.clone(),
                        context: o.context.text.clone(),
                        action: o.action.text.clone(),
                        key: key.to_string(),
                        other: other.action.name(),
                    });
                }
            }
        }
        Ok(keymap)
    }

    /// The action for a key in the focused `context`, falling back to global bindings
    /// (an input field takes every key it does not bind itself).
    pub fn action(&self, context: Context, event: &KeyEvent) -> Option<Action> {
        let find = |ctx: Context| {
            self.bindings
                .iter()
                .find(|b| b.context == ctx && b.keys.iter().any(|k| k.matches(event)))
                .map(|b| b.action)
        };
        match context {
            Context::Input | Context::Dialog => find(context),
            _ => find(context).or_else(|| find(Context::Global)),
        }
    }

    pub fn bindings(&self, context: Context) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.context == context)
    }

    /// Short hints for the status line: the focused context's, then global ones.
    pub fn hints(&self, context: Context) -> Vec<Hint> {
        let mut contexts = vec![context];
        if !matches!(context, Context::Input | Context::Dialog | Context::Global) {
            contexts.push(Context::Global);
        }
        contexts
            .into_iter()
            .flat_map(|c| self.bindings(c))
            .filter(|b| b.hint)
            .map(|b| Hint {
                key: b.keys.first().map(Key::to_string).unwrap_or_default(),
                label: SHORT
                    .iter()
                    .find(|(a, _)| *a == b.action)
                    .map_or(b.description, |(_, short)| short),
                action: b.action,
                own: b.context == context,
            })
            .collect()
    }

    /// The key list as Markdown, as the README shows it.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        for context in Context::ALL {
            out.push_str(&format!(
                "\n**{}**\n\n| keys | action |\n|---|---|\n",
                context.name()
            ));
            for b in self.bindings(context) {
                let keys: Vec<String> = b.keys.iter().map(|k| format!("`{k}`")).collect();
                out.push_str(&format!("| {} | {} |\n", keys.join(" "), b.description));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn dispatch_tries_the_focused_context_then_global() {
        let km = Keymap::default();
        assert_eq!(
            km.action(Context::List, &key(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            km.action(Context::List, &key(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Action::Quit)
        );
        assert_eq!(
            km.action(
                Context::Preview,
                &key(KeyCode::Char('A'), KeyModifiers::SHIFT)
            ),
            Some(Action::Apply)
        );
        assert_eq!(
            km.action(
                Context::List,
                &key(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Action::Quit)
        );
        // An input field types `q` instead of quitting.
        assert_eq!(
            km.action(Context::Input, &key(KeyCode::Char('q'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            km.action(Context::Input, &key(KeyCode::Esc, KeyModifiers::NONE)),
            Some(Action::Cancel)
        );
    }

    fn configured(text: &str) -> Result<Keymap, String> {
        let config =
            crate::config::Config::parse(text, "config.toml").map_err(|e| e.to_string())?;
        Keymap::with_overrides(&config.keys).map_err(|e| e.to_string())
    }

    #[test]
    fn overrides_replace_keys_and_bad_entries_are_named() {
        let km = configured("[keys.global]\nquit = [\"ctrl-q\"]\n").unwrap();
        assert_eq!(
            km.action(Context::List, &key(KeyCode::Char('q'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            km.action(
                Context::List,
                &key(KeyCode::Char('q'), KeyModifiers::CONTROL)
            ),
            Some(Action::Quit)
        );
        assert_eq!(
            configured("[keys.list]\nexplode = [\"e\"]\n").unwrap_err(),
            "config.toml:2: keys.list.explode: unknown action"
        );
        assert_eq!(
            configured("[keys.lists]\nadd = [\"e\"]\n").unwrap_err(),
            "config.toml:1: keys.lists: unknown context (one of global, list, preview, input, dialog)"
        );
        let err = configured("[keys.list]\nadd = [\n  \"a\",\n  \"hyper-a\",\n]\n").unwrap_err();
        assert!(
            err.starts_with("config.toml:4: keys.list.add: \"hyper-a\" is not a key"),
            "{err}"
        );
    }

    #[test]
    fn no_config_can_leave_an_action_without_a_key() {
        assert_eq!(
            configured("theme = \"dark\"\n\n[keys.global]\nquit = []\n").unwrap_err(),
            "config.toml:4: keys.global.quit = []: leaves quit without a key"
        );
        assert_eq!(
            configured("[keys.dialog]\ncancel = []\n").unwrap_err(),
            "config.toml:2: keys.dialog.cancel = []: leaves cancel without a key"
        );
        // Taking a key another action needs makes that action unreachable by it.
        assert_eq!(
            configured("[keys.global]\nhelp = [\"q\"]\n").unwrap_err(),
            "config.toml:2: keys.global.help: q is also bound to quit in global, so one of them would never run"
        );
        // Swapping two keys over two lines is fine.
        let km = configured("[keys.list]\nup = [\"j\"]\ndown = [\"k\"]\n").unwrap();
        assert_eq!(
            km.action(Context::List, &key(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Up)
        );
    }

    #[test]
    fn ctrl_c_cannot_be_unbound() {
        assert_eq!(
            configured("[keys.list]\nadd = [\"ctrl-c\"]\n").unwrap_err(),
            "config.toml:2: keys.list.add: ctrl-c always quits and cannot be bound to add"
        );
        let km = configured("[keys.global]\nquit = [\"ctrl-q\"]\n").unwrap();
        let ctrl_c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(km.action(Context::List, &ctrl_c), Some(Action::Quit));
        assert!(is_ctrl_c(&ctrl_c));
        assert!(!is_ctrl_c(&key(KeyCode::Char('c'), KeyModifiers::NONE)));
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        let km = Keymap::default();
        for context in Context::ALL {
            let mut seen = std::collections::HashSet::new();
            for b in km.bindings(context) {
                for k in &b.keys {
                    assert!(seen.insert(*k), "{k} is bound twice in {}", context.name());
                }
            }
        }
    }

    #[test]
    fn hints_come_from_the_table() {
        let hints: Vec<(String, &str)> = Keymap::default()
            .hints(Context::List)
            .into_iter()
            .map(|h| (h.key, h.label))
            .collect();
        assert!(hints.contains(&("a".to_owned(), "add")));
        assert!(hints.contains(&("q".to_owned(), "quit")));
        assert!(hints.contains(&("↑".to_owned(), "move up")));
        let preview = Keymap::default().hints(Context::Preview);
        let apply = preview.iter().find(|h| h.action == Action::Apply).unwrap();
        assert_eq!(
            (apply.key.as_str(), apply.label, apply.own),
            ("A", "apply", true)
        );
        assert!(preview.iter().any(|h| h.label == "quit" && !h.own));
    }
}
