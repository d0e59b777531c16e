//! A table's index form (phases 1 and 2, `i` adds one, `⏎`/`e` on an index row edits):
//! the key columns with their order, unique, the partial index's WHERE expression, the
//! method and the name. Confirming it is one `Edit::SetIndexes`, so `u` undoes it whole.

use crate::design::edit::Edit;
use crate::design::indexes::{
    IndexKey, IndexableColumn, find_column, index_keys, indexable_columns, method_description,
    split_key,
};
use crate::design::{Design, IndexMethod, TableIndex};
use crate::tui::app::{App, Overlay};
use crate::tui::components::editor_popup::{Editor, IndexForm};
use crate::tui::components::form::{
    ChoiceList, ExpressionEditor, Form, FormInput, MultiSelect, TextInput, Toggle,
};
use crate::tui::editing;
use crate::tui::message::Effect;
use crate::tui::theme::Role;

/// Opens the form for a new index of designed table `table` (`index: None`) or for one of
/// its indexes.
pub fn open(app: &mut App, table: usize, index: Option<usize>) {
    let Some(design) = app.model.design.as_ref().map(|s| &s.design) else {
        return;
    };
    let Some(t) = design.tables.get(table) else {
        return;
    };
    let current = index
        .and_then(|i| t.indexes.get(i))
        .cloned()
        .unwrap_or_else(|| TableIndex::new(Vec::new()));
    let title = match index {
        Some(_) => format!("Index of {}", t.name),
        None => format!("New index of {}", t.name),
    };
    let mut form = form(&title, &current, &indexable_columns(design, table));
    placeholder(design, table, &mut form);
    app.view
        .overlays
        .push(Overlay::Editor(Box::new(Editor::Index(IndexForm {
            table,
            index,
            form,
        }))));
}

fn form(title: &str, index: &TableIndex, columns: &[IndexableColumn]) -> Form {
    let method = IndexMethod::ALL
        .iter()
        .position(|m| *m == index.method)
        .unwrap_or(0);
    let mut picker = MultiSelect::new(
        columns
            .iter()
            .map(|c| (c.db_name.clone(), c.sql_type.clone()))
            .collect(),
    )
    .rows(6)
    .required("an index needs at least one column");
    for text in &index.columns {
        let is_column = |c: &str| find_column(columns, c).is_some();
        let key = split_key(text, &is_column);
        picker = match (find_column(columns, key.column), key.order) {
            (Some(column), Ok((descending, nulls_first))) => {
                let order = IndexKey {
                    column: String::new(),
                    descending,
                    nulls_first,
                }
                .order_text();
                picker.take(&column.db_name, order)
            }
            // Kept as written, for the validator to name.
            _ => picker.take(text, ""),
        };
    }
    Form::new(title)
        .field("columns", "columns", picker)
        .field(
            "unique",
            "unique",
            Toggle::new(index.unique).texts("yes: no two rows alike", "no"),
        )
        .field(
            "where",
            "where",
            ExpressionEditor::new(index.predicate.as_deref().unwrap_or_default())
                .rows(2)
                .placeholder(
                    "only rows where this holds, e.g. deleted_at IS NULL (empty: all rows)",
                )
                .sql_expression(),
        )
        .field(
            "method",
            "method",
            ChoiceList::new(IndexMethod::NAMES, method),
        )
        .field(
            "name",
            "name",
            TextInput::new(index.name.as_deref().unwrap_or_default()),
        )
}

/// What the form shows under its inputs: how columns are chosen and what the method chosen
/// is for.
fn notes(method: IndexMethod) -> Vec<(Role, String)> {
    let mut out = vec![(
        Role::Dim,
        "columns: Space takes one (numbered in key order), o cycles its order (DESC, …)".to_owned(),
    )];
    out.push((
        Role::Dim,
        format!("{}: {}", method.name(), method_description(method)),
    ));
    out
}

/// The name shown while the name input is empty (the one derived from the columns), and the
/// notes for the method chosen.
fn placeholder(design: &Design, table: usize, form: &mut Form) {
    let index = read(form);
    form.set_notes(notes(index.method));
    let columns = indexable_columns(design, table);
    let derived = index_keys(&columns, &index).map(|keys| {
        crate::design::indexes::designed_index_name(&design.tables[table], &keys, &index)
    });
    if let Some(FormInput::Text(input)) = form.input_mut("name") {
        let text = input.text().to_owned();
        *input = TextInput::new(text).placeholder(match derived {
            Some(name) if index.name.is_none() => format!("{name}  (derived from the columns)"),
            _ => "derived from the table and columns: idx_<table>_<columns>".to_owned(),
        });
    }
}

/// After each key: the derived name follows the columns typed.
pub(super) fn after_key(form: &mut IndexForm, design: Option<&Design>) {
    if let Some(design) = design.filter(|d| form.table < d.tables.len()) {
        placeholder(design, form.table, &mut form.form);
    }
}

/// The index as the form says it.
fn read(form: &Form) -> TableIndex {
    let text = |id: &str| form.value_text(id).unwrap_or_default().trim().to_owned();
    TableIndex {
        columns: text("columns")
            .split(',')
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect(),
        unique: form.value_bool("unique").unwrap_or(false),
        predicate: Some(text("where")).filter(|w| !w.is_empty()),
        method: form
            .value_choice("method")
            .and_then(|i| IndexMethod::ALL.get(i).copied())
            .unwrap_or_default(),
        name: Some(text("name")).filter(|n| !n.is_empty()),
    }
}

/// The edit a confirmed form makes: the table's index list with this one added or replaced.
pub(super) fn edit(design: &Design, f: &IndexForm) -> (Edit, usize) {
    let mut indexes = design.tables[f.table].indexes.clone();
    let index = read(&f.form);
    let at = match f.index {
        Some(i) if i < indexes.len() => {
            indexes[i] = index;
            i
        }
        _ => {
            indexes.push(index);
            indexes.len() - 1
        }
    };
    (
        Edit::SetIndexes {
            table: f.table,
            indexes,
        },
        at,
    )
}

/// `x` on an index row: the confirmation, naming the index and, when it is live, saying it
/// stays in the database (the design cannot drop an index).
pub fn confirm_removal(app: &mut App, table: usize, index: usize) {
    let Some(state) = &app.model.design else {
        return;
    };
    let Some(designed) = state.design.tables.get(table) else {
        return;
    };
    let Some(wanted) = designed.indexes.get(index) else {
        return;
    };
    let columns = crate::design::indexes::indexable_columns(&state.design, table);
    let keys = crate::design::indexes::index_keys(&columns, wanted).unwrap_or_default();
    let name = crate::design::indexes::designed_index_name(designed, &keys, wanted);
    let live_table = app
        .model
        .catalog
        .as_ref()
        .and_then(|c| c.table(&state.design.schema, &designed.db_name()))
        .filter(|live| live.index(&name).is_some())
        .map(|live| format!("{}.{}", live.schema, live.name));
    app.view
        .overlays
        .push(crate::tui::app::Overlay::ConfirmRemoveIndex(
            crate::tui::components::confirm_remove_index::ConfirmRemoveIndex {
                table,
                index,
                name,
                columns: wanted.columns.join(", "),
                live_table,
            },
        ));
}

/// The confirmed removal: one undoable edit.
pub fn remove(app: &mut App, table: usize, index: usize) -> Vec<Effect> {
    let Some(t) = app
        .model
        .design
        .as_ref()
        .and_then(|s| s.design.tables.get(table))
    else {
        return Vec::new();
    };
    let mut indexes = t.indexes.clone();
    if index >= indexes.len() {
        return Vec::new();
    }
    let removed = indexes.remove(index);
    editing::apply(
        app,
        Edit::SetIndexes { table, indexes },
        format!(
            "index on ({}) removed (u undoes)",
            removed.columns.join(", ")
        ),
    )
}

/// A validator path under an index (`columns[1]`) as the input it belongs to (`columns`).
pub(super) fn input_of(key: &str) -> &str {
    key.split('[').next().unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_back_what_it_was_given() {
        let column = |name: &str, sql_type: &str| IndexableColumn {
            db_name: name.into(),
            field_name: None,
            sql_type: sql_type.into(),
        };
        let columns = [
            column("project_id", "uuid"),
            column("created_at", "timestamptz"),
            column("tags", "text[]"),
        ];
        let form = |title: &str, index: &TableIndex| super::form(title, index, &columns);
        let index = TableIndex {
            columns: vec!["project_id".into(), "created_at DESC".into()],
            unique: true,
            predicate: Some("deleted_at IS NULL".into()),
            method: IndexMethod::Btree,
            name: Some("x".into()),
        };
        assert_eq!(read(&form("t", &index)), index);
        let gin = TableIndex {
            method: IndexMethod::Gin,
            ..TableIndex::new(vec!["tags".into()])
        };
        assert_eq!(read(&form("t", &gin)), gin);
        assert_eq!(input_of("columns[2]"), "columns");
        assert_eq!(input_of("where"), "where");
    }
}
