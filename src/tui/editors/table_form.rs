//! Phase 1's form: a table's name (its `db_name` derived live and shown, editable),
//! description, public-reference flag, the audit trail (on for the table; who reads it,
//! for the whole design) and soft delete (what `DELETE` does from then on). Adding and editing share it; confirming it is one
//! edit (a rename rewrites every reference to the table, see `Edit::RenameTable`).

use crate::design::edit::{Edit, TableProperties};
use crate::design::names::{NameKind, derive_db_name};
use crate::design::{Design, Table};
use crate::tui::app::{App, Overlay};
use crate::tui::components::form::{Form, FormInput, TextInput, Toggle};
use crate::tui::phase::Phase;

use crate::tui::components::editor_popup::{Editor, TableForm};

/// `a` in phase 1: a new table, its name first.
pub fn open_add(app: &mut App) {
    let form = form(
        "New table",
        &Table::new(""),
        others(app, None),
        &readers(app),
    );
    app.view
        .overlays
        .push(Overlay::Editor(Box::new(Editor::Table(TableForm {
            target: None,
            form,
        }))));
}

/// `⏎`/`e` on a designed table.
pub fn open_edit(app: &mut App, index: usize) {
    let Some(table) = app
        .model
        .design
        .as_ref()
        .and_then(|s| s.design.tables.get(index))
        .cloned()
    else {
        return;
    };
    let title = format!("Table {}", table.name);
    let mut form = form(&title, &table, others(app, Some(index)), &readers(app));
    derive_placeholder(&mut form);
    app.view
        .overlays
        .push(Overlay::Editor(Box::new(Editor::Table(TableForm {
            target: Some(index),
            form,
        }))));
}

/// The names of the design's other tables (a name must differ from them, as a db name).
fn others(app: &App, except: Option<usize>) -> Vec<String> {
    app.model.design.as_ref().map_or_else(Vec::new, |s| {
        s.design
            .tables
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != except)
            .flat_map(|(_, t)| {
                [
                    t.name.to_lowercase(),
                    crate::tui::components::tables_pane::db_name(t),
                ]
            })
            .collect()
    })
}

/// The design's audit readers, as the form shows them.
fn readers(app: &App) -> String {
    app.model
        .design
        .as_ref()
        .map(|s| s.design.audit_readers.join(", "))
        .unwrap_or_default()
}

fn form(title: &str, table: &Table, taken: Vec<String>, readers: &str) -> Form {
    Form::new(title)
        .field(
            "name",
            "name",
            TextInput::new(&table.name)
                .placeholder("what the table holds, e.g. Todos")
                .validator(move |name| {
                    let name = name.trim();
                    if name.is_empty() {
                        return Err("a table needs a name".into());
                    }
                    let db = derive_db_name(name, NameKind::Table);
                    if taken.contains(&name.to_lowercase()) || taken.contains(&db) {
                        return Err(format!("the design already has a table named {name:?}"));
                    }
                    Ok(())
                }),
        )
        .field(
            "db_name",
            "db name",
            TextInput::new(table.db_name.as_deref().unwrap_or_default()),
        )
        .field(
            "description",
            "description",
            TextInput::new(table.description.as_deref().unwrap_or_default())
                .placeholder("becomes the table's comment"),
        )
        .field(
            "public_reference",
            "public reference",
            Toggle::new(table.public_reference)
                .texts("yes: readable by everyone", "no: private data"),
        )
        .field(
            "system_fields",
            "system fields",
            Toggle::new(table.system_fields).texts(
                "yes: id, timestamps and owner added",
                "no: fields marked primary key are the key",
            ),
        )
        .field(
            "audit",
            "audit",
            Toggle::new(table.audit).texts(
                "yes: every change recorded in audit_log",
                "no: changes not recorded",
            ),
        )
        .field(
            "audit_readers",
            "audit readers",
            TextInput::new(readers).placeholder("roles that may read audit_log (all tables)"),
        )
        .field(
            "soft_delete",
            "soft delete",
            Toggle::new(table.soft_delete).texts(
                "yes: DELETE sets deleted_at; API hides it",
                "no: DELETE removes the row",
            ),
        )
}

/// The db name shown while the field is empty: the one derived from the name as typed.
pub(super) fn derive_placeholder(form: &mut Form) {
    let name = form.value_text("name").unwrap_or_default();
    let derived = derive_db_name(name.trim(), NameKind::Table);
    if let Some(FormInput::Text(input)) = form.input_mut("db_name") {
        let text = input.text().to_owned();
        *input = TextInput::new(text).placeholder(if name.trim().is_empty() {
            "derived from the name".to_owned()
        } else {
            format!("{derived}  (derived from the name)")
        });
    }
}

/// The edit a confirmed form makes, and the path of the table it leaves in the design.
pub(super) fn edit(design: &Design, t: &TableForm) -> (Edit, usize) {
    let f = &t.form;
    let text = |id: &str| f.value_text(id).unwrap_or_default().trim().to_owned();
    let name = text("name");
    let db_name = Some(text("db_name")).filter(|s| !s.is_empty());
    let description = Some(text("description")).filter(|s| !s.is_empty());
    let public_reference = f.value_bool("public_reference").unwrap_or(false);
    let system_fields = f.value_bool("system_fields").unwrap_or(true);
    let audit = f.value_bool("audit").unwrap_or(false);
    let soft_delete = f.value_bool("soft_delete").unwrap_or(false);
    let readers: Vec<String> = text("audit_readers")
        .split(',')
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
        .collect();
    let readers_edit =
        (readers != design.audit_readers).then(|| Edit::SetAuditReaders { roles: readers });
    let (edit, index) = match t.target {
        None => {
            let mut table = Table::new(name);
            table.db_name = db_name;
            table.description = description;
            table.public_reference = public_reference;
            table.system_fields = system_fields;
            table.audit = audit;
            table.soft_delete = soft_delete;
            let index = design.tables.len();
            (Edit::AddTable { index, table }, index)
        }
        Some(index) => {
            let old = &design.tables[index];
            let mut edits = Vec::new();
            if old.name != name || old.db_name != db_name {
                edits.push(Edit::RenameTable {
                    table: index,
                    name,
                    db_name,
                });
            }
            let mut properties = TableProperties::of(old);
            properties.description = description;
            properties.public_reference = public_reference;
            properties.system_fields = system_fields;
            properties.audit = audit;
            properties.soft_delete = soft_delete;
            if properties != TableProperties::of(old) {
                edits.push(Edit::ChangeTableProperties {
                    table: index,
                    properties,
                });
            }
            (Edit::Batch(edits), index)
        }
    };
    match readers_edit {
        Some(readers) => (Edit::Batch(vec![edit, readers]), index),
        None => (edit, index),
    }
}

/// After a confirmed form: the new table is selected.
pub(super) fn confirmed(app: &mut App, index: usize) {
    app.view.selected[Phase::Tables.index()] = index;
    app.view.selected[Phase::Fields.index()] = 0;
}
