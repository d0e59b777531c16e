//! Any sequence of form confirmations in the editors, typed as keys into `App`, followed by
//! as many undos gives back the design it started from; as many redos give back the end.
//! No database: the editors work on the design alone (the plan waits for a catalog).

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use schemaforge::design::{self, Design, FieldType};
use schemaforge::tui::App;
use schemaforge::tui::app::DesignState;
use schemaforge::tui::keymap::Keymap;
use schemaforge::tui::message::Message;
use schemaforge::tui::theme::Theme;
use schemaforge::tui::update::update;

/// One thing a user does with a form (or a one-key edit) in phases 1, 2 and 4.
#[derive(Clone, Debug)]
enum Step {
    AddTable(String),
    /// Picks a table (by position), then adds a field of the type at `kind` in the picker.
    AddField {
        table: usize,
        kind: usize,
        name: String,
    },
    /// Edits a table's description.
    DescribeTable {
        table: usize,
        text: String,
    },
    /// Renames a table through its form.
    RenameTable {
        table: usize,
        name: String,
    },
    /// Marks a field as the primary one (space), toggles `required` in its form.
    TogglePrimary {
        table: usize,
        field: usize,
    },
    ToggleRequired {
        table: usize,
        field: usize,
    },
    MoveFieldDown {
        table: usize,
        field: usize,
    },
    RemoveField {
        table: usize,
        field: usize,
    },
    RemoveTable(usize),
    MoveTableDown(usize),
    /// A form opened, typed into and cancelled: changes nothing.
    Cancelled(String),
    /// Phase 3: from the table at `table` (phase 1's selection) to the target at `target`
    /// in the picker, of kind `kind` and delete rule `rule`, named (or the suggested name).
    AddRelation {
        table: usize,
        target: usize,
        kind: usize,
        rule: usize,
        name: Option<String>,
    },
    /// Changes a relationship's kind (→ presses on the kind).
    ChangeRelationKind {
        relation: usize,
        presses: usize,
    },
    /// Toggles a relationship's `required` (which moves its delete rule with it).
    ToggleRelationRequired(usize),
    RemoveRelation(usize),
    MoveRelationDown(usize),
    /// Phase 4: the template at `template` in the picker (`T`).
    ApplyTemplate {
        table: usize,
        template: usize,
    },
    /// Phase 4: a new policy (`a`), its name and command.
    AddPolicy {
        table: usize,
        name: String,
        operation: usize,
    },
    /// Phase 4: a policy's USING typed after what it has (some texts are refused).
    EditPolicyUsing {
        table: usize,
        policy: usize,
        text: String,
    },
    RemovePolicy {
        table: usize,
        policy: usize,
    },
    MovePolicyDown {
        table: usize,
        policy: usize,
    },
    /// `R`: row-level security on or off.
    ToggleRls(usize),
    /// Phase 5: the table's sample row count typed over the one it had (0 = none).
    SetSamples {
        table: usize,
        count: u32,
    },
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Z][a-z]{1,8}",
        "[a-z]{1,6} [a-z]{1,6}",
        Just("Todos".to_owned()),
        Just("id".to_owned()),
        Just("Ünïcode".to_owned()),
    ]
}

fn expression() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(" OR true".to_owned()),
        Just(" AND created_by = auth.uid()".to_owned()),
        Just("; DROP TABLE x".to_owned()),
        Just("(".to_owned()),
        "[a-z =]{0,10}",
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let i = 0usize..4;
    prop_oneof![
        3 => name().prop_map(Step::AddTable),
        5 => (i.clone(), 0usize..FieldType::ALL.len(), name())
            .prop_map(|(table, kind, name)| Step::AddField { table, kind, name }),
        1 => (i.clone(), "[a-z ]{0,12}").prop_map(|(table, text)| Step::DescribeTable { table, text }),
        1 => (i.clone(), name()).prop_map(|(table, name)| Step::RenameTable { table, name }),
        1 => (i.clone(), i.clone()).prop_map(|(table, field)| Step::TogglePrimary { table, field }),
        1 => (i.clone(), i.clone()).prop_map(|(table, field)| Step::ToggleRequired { table, field }),
        1 => (i.clone(), i.clone()).prop_map(|(table, field)| Step::MoveFieldDown { table, field }),
        1 => (i.clone(), i.clone()).prop_map(|(table, field)| Step::RemoveField { table, field }),
        1 => i.clone().prop_map(Step::RemoveTable),
        1 => i.clone().prop_map(Step::MoveTableDown),
        1 => name().prop_map(Step::Cancelled),
        4 => (i.clone(), 0usize..6, 0usize..3, 0usize..3, prop::option::of(name()))
            .prop_map(|(table, target, kind, rule, name)| Step::AddRelation { table, target, kind, rule, name }),
        1 => (i.clone(), 1usize..3).prop_map(|(relation, presses)| Step::ChangeRelationKind { relation, presses }),
        1 => i.clone().prop_map(Step::ToggleRelationRequired),
        1 => i.clone().prop_map(Step::RemoveRelation),
        1 => i.clone().prop_map(Step::MoveRelationDown),
        2 => (i.clone(), 0usize..6).prop_map(|(table, template)| Step::ApplyTemplate { table, template }),
        2 => (i.clone(), name(), 0usize..5)
            .prop_map(|(table, name, operation)| Step::AddPolicy { table, name, operation }),
        2 => (i.clone(), i.clone(), expression())
            .prop_map(|(table, policy, text)| Step::EditPolicyUsing { table, policy, text }),
        1 => (i.clone(), i.clone()).prop_map(|(table, policy)| Step::RemovePolicy { table, policy }),
        1 => (i.clone(), i.clone()).prop_map(|(table, policy)| Step::MovePolicyDown { table, policy }),
        1 => i.clone().prop_map(Step::ToggleRls),
        2 => (i.clone(), prop_oneof![Just(0u32), 1u32..40, Just(1_000_000)])
            .prop_map(|(table, count)| Step::SetSamples { table, count }),
    ]
}

struct Driver {
    app: App,
}

impl Driver {
    fn send(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        update(
            &mut self.app,
            Message::Terminal(Event::Key(KeyEvent::new(code, modifiers))),
        );
    }

    fn key(&mut self, code: KeyCode) {
        let shift = matches!(code, KeyCode::Char(c) if c.is_ascii_uppercase());
        self.send(
            code,
            if shift {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            },
        );
    }

    fn char(&mut self, c: char) {
        self.key(KeyCode::Char(c));
    }

    /// Types into the open form; without one (no table to add a field to, say) the
    /// characters would be commands, so nothing is typed.
    fn text(&mut self, text: &str) {
        if self.app.overlay().is_none() {
            return;
        }
        for c in text.chars() {
            self.char(c);
        }
    }

    /// Goes to a phase and selects row `row` of its list.
    fn select(&mut self, phase: char, row: usize) {
        self.char(phase);
        self.key(KeyCode::Home);
        for _ in 0..row {
            self.key(KeyCode::Down);
        }
    }

    /// Closes whatever form a refused confirmation left open.
    fn close_forms(&mut self) {
        while self.app.overlay().is_some() {
            self.key(KeyCode::Esc);
        }
    }

    fn design(&self) -> &Design {
        &self.app.model.design.as_ref().unwrap().design
    }

    fn run(&mut self, step: &Step) {
        match step {
            Step::AddTable(name) => {
                self.char('1');
                self.char('a');
                self.text(name);
                self.key(KeyCode::Enter);
            }
            Step::AddField { table, kind, name } => {
                self.select('1', *table);
                self.char('2');
                self.char('a');
                for _ in 0..*kind {
                    self.key(KeyCode::Down);
                }
                self.key(KeyCode::Enter);
                self.text(name);
                self.key(KeyCode::Enter);
            }
            Step::DescribeTable { table, text } => {
                self.select('1', *table);
                self.char('e');
                self.key(KeyCode::Tab);
                self.key(KeyCode::Tab);
                self.text(text);
                self.key(KeyCode::Enter);
            }
            Step::RenameTable { table, name } => {
                self.select('1', *table);
                self.char('e');
                for _ in 0..30 {
                    self.key(KeyCode::Backspace);
                }
                self.text(name);
                self.key(KeyCode::Enter);
            }
            Step::TogglePrimary { table, field } => {
                self.select('1', *table);
                self.select('2', *field);
                self.char(' ');
            }
            Step::ToggleRequired { table, field } => {
                self.select('1', *table);
                self.select('2', *field);
                self.char('e');
                // name, primary, then the first option (required, where the type has it).
                self.key(KeyCode::Tab);
                self.key(KeyCode::Tab);
                self.char(' ');
                self.key(KeyCode::Enter);
            }
            Step::MoveFieldDown { table, field } => {
                self.select('1', *table);
                self.select('2', *field);
                self.char('J');
            }
            Step::RemoveField { table, field } => {
                self.select('1', *table);
                self.select('2', *field);
                self.char('x');
            }
            Step::RemoveTable(table) => {
                self.select('1', *table);
                self.char('x');
                self.char('y');
            }
            Step::MoveTableDown(table) => {
                self.select('1', *table);
                self.char('J');
            }
            Step::AddRelation {
                table,
                target,
                kind,
                rule,
                name,
            } => {
                self.select('1', *table);
                self.char('3');
                self.char('a');
                self.key(KeyCode::Tab);
                for _ in 0..*target {
                    self.key(KeyCode::Down);
                }
                self.key(KeyCode::Tab);
                for _ in 0..*kind {
                    self.key(KeyCode::Right);
                }
                self.key(KeyCode::Tab);
                if let Some(name) = name {
                    self.text(name);
                }
                self.key(KeyCode::Tab);
                for _ in 0..*rule {
                    self.key(KeyCode::Right);
                }
                self.key(KeyCode::Enter);
            }
            Step::ChangeRelationKind { relation, presses } => {
                self.select('3', *relation);
                self.char('e');
                self.key(KeyCode::Tab);
                self.key(KeyCode::Tab);
                for _ in 0..*presses {
                    self.key(KeyCode::Right);
                }
                self.key(KeyCode::Enter);
            }
            Step::ToggleRelationRequired(relation) => {
                self.select('3', *relation);
                self.char('e');
                for _ in 0..5 {
                    self.key(KeyCode::Tab);
                }
                self.char(' ');
                self.key(KeyCode::Enter);
            }
            Step::RemoveRelation(relation) => {
                self.select('3', *relation);
                self.char('x');
            }
            Step::MoveRelationDown(relation) => {
                self.select('3', *relation);
                self.char('J');
            }
            Step::Cancelled(text) => {
                self.char('1');
                self.char('a');
                self.text(text);
                self.key(KeyCode::Esc);
            }
            Step::ApplyTemplate { table, template } => {
                self.select('1', *table);
                self.char('4');
                self.char('T');
                if self.app.overlay().is_some() {
                    for _ in 0..*template {
                        self.key(KeyCode::Down);
                    }
                }
                self.key(KeyCode::Enter);
            }
            Step::AddPolicy {
                table,
                name,
                operation,
            } => {
                self.select('1', *table);
                self.char('4');
                self.char('a');
                self.text(name);
                if self.app.overlay().is_some() {
                    self.key(KeyCode::Tab);
                    for _ in 0..*operation {
                        self.key(KeyCode::Right);
                    }
                }
                self.key(KeyCode::Enter);
            }
            Step::EditPolicyUsing {
                table,
                policy,
                text,
            } => {
                self.select('1', *table);
                self.select('4', *policy);
                self.char('e');
                if self.app.overlay().is_some() {
                    for _ in 0..4 {
                        self.key(KeyCode::Tab);
                    }
                    self.key(KeyCode::End);
                }
                self.text(text);
                self.send(KeyCode::Enter, KeyModifiers::ALT);
            }
            Step::RemovePolicy { table, policy } => {
                self.select('1', *table);
                self.select('4', *policy);
                self.char('x');
            }
            Step::MovePolicyDown { table, policy } => {
                self.select('1', *table);
                self.select('4', *policy);
                self.char('J');
            }
            Step::ToggleRls(table) => {
                self.select('1', *table);
                self.char('4');
                self.char('R');
            }
            Step::SetSamples { table, count } => {
                self.select('5', *table);
                self.key(KeyCode::Enter);
                if self.app.overlay().is_some() {
                    for _ in 0..8 {
                        self.key(KeyCode::Backspace);
                    }
                }
                self.text(&count.to_string());
                self.key(KeyCode::Enter);
            }
        }
        self.close_forms();
    }
}

fn start() -> Design {
    design::parse(include_str!("../assets/examples/todos.json"))
        .unwrap()
        .0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn confirmations_then_as_many_undos_give_back_the_start(steps in prop::collection::vec(step(), 1..14)) {
        let mut d = Driver {
            app: App::new("u@h:1/db".into(), Theme::default(), Keymap::default()),
        };
        d.app.model.design = Some(DesignState { design: start(), file: None });
        let mut changes = 0;
        for step in &steps {
            let before = d.design().clone();
            let undo_before = d.app.model.history.undo_len();
            d.run(step);
            let made = d.app.model.history.undo_len() - undo_before;
            // A form confirmation is one step; a refused or cancelled one is none.
            prop_assert!(made <= 1, "{step:?} made {made} undo steps");
            if made == 0 {
                prop_assert_eq!(d.design(), &before, "{:?} changed the design without an undo step", step);
            }
            if matches!(step, Step::Cancelled(_)) {
                prop_assert_eq!(made, 0);
            }
            // A new name is always accepted: the driver really confirms forms.
            if let Step::AddTable(name) = step {
                let db = design::names::derive_db_name(name, design::names::NameKind::Table);
                let taken = before.tables.iter().any(|t| {
                    t.name.eq_ignore_ascii_case(name)
                        || t.db_name.clone().unwrap_or_else(|| {
                            design::names::derive_db_name(&t.name, design::names::NameKind::Table)
                        }) == db
                });
                if !taken {
                    prop_assert_eq!(made, 1, "adding table {:?} was refused: {:?}", name, d.app.view.message);
                }
            }
            // A many-to-one between designed tables under the suggested name is accepted.
            if let Step::AddRelation { table, target, kind: 0, name: None, .. } = step
                && *table < before.tables.len()
                && *target < before.tables.len()
            {
                prop_assert_eq!(made, 1, "{:?} was refused: {:?}", step, d.app.view.message);
            }
            // A new policy name is always accepted too.
            if let Step::AddPolicy { table, name, .. } = step
                && let Some(t) = before.tables.get((*table).min(before.tables.len().saturating_sub(1)))
                && !t.rls_policies.iter().any(|p| p.name == name.trim())
            {
                prop_assert_eq!(made, 1, "adding policy {:?} was refused: {:?}", name, d.app.view.message);
            }
            // A sample count in range is always accepted and lands on the table chosen.
            if let Step::SetSamples { table, count } = step
                && *table < before.tables.len()
            {
                let counted = schemaforge::tui::components::samples_pane::count_of(d.design(), *table);
                prop_assert_eq!(counted, u64::from(*count), "{:?}: {:?}", step, d.app.view.message);
            }
            changes += made;
        }
        let end = d.design().clone();
        for _ in 0..changes {
            d.char('u');
        }
        prop_assert_eq!(d.design(), &start());
        for _ in 0..changes {
            d.send(KeyCode::Char('r'), KeyModifiers::CONTROL);
        }
        prop_assert_eq!(d.design(), &end);
    }
}
