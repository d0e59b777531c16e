//! Phase 4's policy form: name, command, roles, permissive or restrictive, and the USING
//! and WITH CHECK expressions in the SQL editor. Its input ids are the policy's JSON keys,
//! so the validator's errors land under the input they concern. As it is typed, the
//! design with the policy as it stands is analysed again (the same [`analyse`] as
//! `schemaforge lint`) and what the linter says about this policy is shown under the inputs.

use crate::analysis::analyse;
use crate::design::edit::Edit;
use crate::design::{Design, Operation, Policy};
use crate::findings::{Finding, Source};
use crate::rls::expr::same_expression;
use crate::tui::app::{App, Model, Overlay};
use crate::tui::components::form::{
    ChoiceList, ExpressionEditor, Form, FormInput, TextInput, Toggle,
};
use crate::tui::findings::mark;
use crate::tui::message::Effect;
use crate::tui::phase::Phase;
use crate::tui::theme::Role;

use super::rls_template;
use crate::tui::components::editor_popup::{Editor, PolicyForm, RlsEditor};

const OPERATIONS: [Operation; 5] = [
    Operation::Select,
    Operation::Insert,
    Operation::Update,
    Operation::Delete,
    Operation::All,
];

/// `a` in phase 4: a new policy for the signed-in role.
pub fn open_add(app: &mut App, table: usize) {
    open(app, table, None, &Policy::new("", Operation::Select));
}

/// `T` in phase 4: the template picker.
pub fn open_template(app: &mut App, table: usize) {
    if let Some(picker) = rls_template::picker(app, table) {
        app.view
            .overlays
            .push(Overlay::Editor(Box::new(Editor::Rls(RlsEditor::Template(
                picker,
            )))));
    }
}

/// `⏎`/`e` on a policy.
pub fn open_edit(app: &mut App, table: usize, index: usize) {
    let Some(policy) = app
        .model
        .design
        .as_ref()
        .and_then(|s| s.design.tables.get(table)?.rls_policies.get(index))
        .cloned()
    else {
        return;
    };
    open(app, table, Some(index), &policy);
}

fn open(app: &mut App, table: usize, index: Option<usize>, policy: &Policy) {
    let Some(t) = app
        .model
        .design
        .as_ref()
        .and_then(|s| s.design.tables.get(table))
    else {
        return;
    };
    let title = match index {
        Some(_) => format!("Policy “{}” on {}", policy.name, t.name),
        None => format!("New policy on {}", t.name),
    };
    let mut f = PolicyForm {
        table,
        policy: index,
        form: form(title, policy),
        linted: None,
    };
    refresh(&mut f, &app.model);
    app.view
        .overlays
        .push(Overlay::Editor(Box::new(Editor::Rls(RlsEditor::Policy(f)))));
}

fn form(title: String, policy: &Policy) -> Form {
    let operation = OPERATIONS
        .iter()
        .position(|o| *o == policy.operation)
        .unwrap_or(0);
    Form::new(title)
        .field(
            "name",
            "name",
            TextInput::new(&policy.name)
                .placeholder("who may do what, e.g. Owners read their rows")
                .validator(|name| {
                    if name.trim().is_empty() {
                        Err("a policy needs a name".into())
                    } else {
                        Ok(())
                    }
                }),
        )
        .field(
            "operation",
            "command",
            ChoiceList::new(Operation::NAMES, operation),
        )
        .field(
            "roles",
            "roles",
            TextInput::new(policy.roles.join(", "))
                .placeholder("comma-separated, e.g. authenticated, anon")
                .validator(|text| {
                    if roles(text).is_empty() {
                        Err("name at least one role (authenticated: signed-in users)".into())
                    } else {
                        Ok(())
                    }
                }),
        )
        .field(
            "permissive",
            "kind",
            Toggle::new(policy.permissive).texts(
                "permissive: any passing policy lets a row through",
                "restrictive: must pass as well",
            ),
        )
        .field(
            "using_expression",
            "using",
            ExpressionEditor::new(policy.using_expression.as_deref().unwrap_or_default())
                .rows(3)
                .placeholder(using_placeholder(policy.operation))
                .sql_expression(),
        )
        .field(
            "with_check_expression",
            "with check",
            ExpressionEditor::new(policy.with_check_expression.as_deref().unwrap_or_default())
                .rows(3)
                .placeholder(check_placeholder(policy.operation))
                .sql_expression(),
        )
}

/// What USING is for with `operation`, shown while it is empty.
fn using_placeholder(operation: Operation) -> &'static str {
    match operation {
        Operation::Insert => "not used by INSERT (new rows are checked by WITH CHECK)",
        _ => "rows it sees, e.g. created_by = auth.uid()",
    }
}

/// What an empty WITH CHECK means with `operation`: PostgreSQL checks the rows an UPDATE or
/// ALL policy writes with USING when it has none.
fn check_placeholder(operation: Operation) -> &'static str {
    match operation {
        Operation::Update | Operation::All => "rows it may write (empty: same as USING)",
        Operation::Insert => "rows it may add (required for INSERT)",
        Operation::Select => "not used by SELECT (leave empty)",
        Operation::Delete => "not used by DELETE (leave empty)",
    }
}

/// Whether the policy's WITH CHECK says what its USING says, for a command that checks
/// written rows with USING anyway: the same as leaving it empty.
fn check_repeats_using(policy: &Policy) -> bool {
    matches!(policy.operation, Operation::Update | Operation::All)
        && match (&policy.using_expression, &policy.with_check_expression) {
            (Some(using), Some(check)) => {
                using.trim() == check.trim() || same_expression(using, check)
            }
            _ => false,
        }
}

/// Said under the inputs and on confirming when WITH CHECK repeats USING.
const REPEATS_USING: &str =
    "WITH CHECK repeats USING, the same as leaving it empty: nothing to plan for it";

/// Keeps the placeholders of the two expressions saying what empty means for the command.
fn follow_command(form: &mut Form) {
    let operation = OPERATIONS[form.value_choice("operation").unwrap_or(0).min(4)];
    if let Some(FormInput::Expression(e)) = form.input_mut("using_expression") {
        e.set_placeholder(using_placeholder(operation));
    }
    if let Some(FormInput::Expression(e)) = form.input_mut("with_check_expression") {
        e.set_placeholder(check_placeholder(operation));
    }
}

fn roles(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The policy the form describes now (`old`'s rename note kept).
fn policy_of(form: &Form, old: Option<&Policy>) -> Policy {
    let expression = |id: &str| {
        form.value_text(id)
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    };
    let operation = OPERATIONS[form.value_choice("operation").unwrap_or(0).min(4)];
    Policy {
        name: form
            .value_text("name")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        operation,
        using_expression: expression("using_expression"),
        with_check_expression: expression("with_check_expression"),
        roles: roles(&form.value_text("roles").unwrap_or_default()),
        permissive: form.value_bool("permissive").unwrap_or(true),
        renamed_from: old.and_then(|o| o.renamed_from.clone()),
    }
}

/// The edit the form makes now, with the policy's index after it.
fn edit(design: &Design, f: &PolicyForm) -> Option<(Edit, usize, Policy)> {
    let table = design.tables.get(f.table)?;
    let old = f.policy.and_then(|i| table.rls_policies.get(i));
    let policy = policy_of(&f.form, old);
    let index = f.policy.unwrap_or(table.rls_policies.len());
    let edit = match f.policy {
        None => Edit::AddPolicy {
            table: f.table,
            index,
            policy: policy.clone(),
        },
        Some(index) => Edit::ChangePolicy {
            table: f.table,
            index,
            policy: policy.clone(),
        },
    };
    Some((edit, index, policy))
}

/// After a key in a phase 4 popup: the notes under its inputs follow what is typed.
pub(super) fn after_key(editor: &mut RlsEditor, model: &Model) {
    match editor {
        RlsEditor::Template(t) => rls_template::refresh(t, model),
        RlsEditor::Policy(p) => refresh(p, model),
    }
}

/// Analyses the design with the policy as typed and shows, under the inputs, what the
/// linter and the validator say about this policy. Skipped when nothing changed since the
/// last run (moving the focus, a cursor key).
fn refresh(f: &mut PolicyForm, model: &Model) {
    follow_command(&mut f.form);
    let Some(state) = &model.design else {
        return;
    };
    let Some((edit, index, policy)) = edit(&state.design, f) else {
        return;
    };
    if f.linted.as_ref() == Some(&policy) {
        return;
    }
    let mut trial = state.design.clone();
    // Names are the validator's to judge here, so a duplicate still gets its findings.
    if Edit::Unchecked(Box::new(edit)).apply(&mut trial).is_err() {
        return;
    }
    let analysis = analyse(&trial, model.catalog.as_deref(), &model.settings);
    let table = &trial.tables[f.table];
    let object = format!("{}.{}.{}", trial.schema, table.db_name(), policy.name);
    let path = format!("tables[{}].rls_policies[{index}]", f.table);
    let repeats = check_repeats_using(&policy).then(|| (Role::Info, format!("· {REPEATS_USING}")));
    let notes = repeats
        .into_iter()
        .chain(
            analysis
                .findings
                .iter()
                .filter(|finding| concerns_policy(finding, &path, &object))
                .map(|finding| {
                    let (mark, role) = mark(finding.severity);
                    (role, format!("{mark} {}", finding.text()))
                }),
        )
        .collect();
    f.form.set_notes(notes);
    f.linted = Some(policy);
}

/// Whether `finding` is about the policy at design path `path` (validation) or the live
/// object `schema.table.policy` (lint findings name objects, not paths).
pub fn concerns_policy(finding: &Finding, path: &str, object: &str) -> bool {
    match (&finding.path, finding.source) {
        (_, Source::Lint) => finding.object == object,
        (Some(p), _) => p
            .strip_prefix(path)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.')),
        (None, _) => false,
    }
}

/// `⏎` on a phase 4 popup.
pub(super) fn confirm(app: &mut App, design: &Design, editor: RlsEditor) -> Vec<Effect> {
    let f = match editor {
        RlsEditor::Template(t) => return rls_template::confirm(app, design, &t),
        RlsEditor::Policy(f) => f,
    };
    let Some((edit, index, policy)) = edit(design, &f) else {
        app.view.overlays.pop();
        return Vec::new();
    };
    let done = match f.policy {
        None => format!("“{}” added · a adds another", policy.name),
        Some(_) if check_repeats_using(&policy) => {
            format!("“{}” changed · {REPEATS_USING}", policy.name)
        }
        Some(_) => format!("“{}” changed", policy.name),
    };
    let path = format!("tables[{}].rls_policies[{index}]", f.table);
    super::commit(app, design, edit, &path, done, |app| {
        app.view.selected[Phase::Rls.index()] = index;
    })
}
