//! Phase 2's forms: the type picker over the whole field-type catalogue (filtered as you
//! type, each type with its description and the PostgreSQL type it becomes), then the
//! field's form — its name, whether it is the primary field, and exactly the options its
//! type accepts ([`super::field_options`]). Confirming is one edit.

use crate::design::edit::Edit;
use crate::design::field_types::is_system_field;
use crate::design::names::{NameKind, derive_db_name};
use crate::design::{Design, Field, FieldType, Storage};
use crate::tui::app::{App, Overlay};
use crate::tui::components::form::{
    ChoiceList, ExpressionEditor, Form, FormInput, NumberInput, Picker, PickerEntry, TextInput,
    Toggle,
};
use crate::tui::phase::Phase;

use super::field_options::{self, InputKind, InputValue};
use crate::tui::components::editor_popup::{Editor, FieldForm, TypePicker};

/// `a` (a new field) or `t` (another type for field `field`) in phase 2.
pub fn open_type_picker(app: &mut App, table: usize, field: Option<usize>) {
    let current = field.and_then(|i| {
        app.model
            .design
            .as_ref()
            .map(|s| s.design.tables[table].fields[i].field_type)
    });
    let entries = FieldType::ALL
        .iter()
        .map(|t| {
            PickerEntry::new(t.name(), t.name(), t.description())
                .note(field_options::pg_type_hint(*t))
        })
        .collect();
    let mut picker = Picker::new(entries).rows(12);
    if let Some(t) = current {
        picker = picker.selected_value(t.name());
    }
    let title = if field.is_some() {
        "Change the type"
    } else {
        "Field type"
    };
    let form = Form::new(title).field("type", "", picker);
    app.view
        .overlays
        .push(Overlay::Editor(Box::new(Editor::TypePicker(TypePicker {
            table,
            field,
            form,
        }))));
}

/// `⏎`/`e` on a field.
pub fn open_edit(app: &mut App, table: usize, index: usize) {
    let Some(field) = app
        .model
        .design
        .as_ref()
        .and_then(|s| s.design.tables.get(table)?.fields.get(index))
        .cloned()
    else {
        return;
    };
    let form = form(app, table, Some(index), &field);
    app.view
        .overlays
        .push(Overlay::Editor(Box::new(Editor::Field(FieldForm {
            table,
            field: Some(index),
            field_type: field.field_type,
            form,
        }))));
}

/// The picker chose `t`: a new field's form opens, or the field gets the new type (keeping
/// the options the new type accepts).
pub(super) fn type_chosen(app: &mut App, picker: &TypePicker, t: FieldType) -> Option<Edit> {
    let design = &app.model.design.as_ref()?.design;
    match picker.field {
        Some(index) => {
            let mut field = design.tables.get(picker.table)?.fields.get(index)?.clone();
            field.field_type = t;
            let mut kept = crate::design::model::FieldOptions::default();
            for input in field_options::inputs(t) {
                let value = field_options::value_of(&field, input.key);
                // What does not fit the new type is left out, never an error.
                let _ = field_options::set(t, &mut kept, input.key, &value);
            }
            field.options = kept;
            Some(Edit::ChangeField {
                table: picker.table,
                index,
                field,
            })
        }
        None => {
            let mut field = Field::new("", t);
            // The first text field of a table without one is its primary field.
            field.is_primary = t.is_text()
                && !design
                    .tables
                    .get(picker.table)?
                    .fields
                    .iter()
                    .any(|f| f.is_primary);
            let form = form(app, picker.table, None, &field);
            app.view
                .overlays
                .push(Overlay::Editor(Box::new(Editor::Field(FieldForm {
                    table: picker.table,
                    field: None,
                    field_type: t,
                    form,
                }))));
            None
        }
    }
}

fn form(app: &App, table: usize, index: Option<usize>, field: &Field) -> Form {
    let t = field.field_type;
    let taken: Vec<String> = app.model.design.as_ref().map_or_else(Vec::new, |s| {
        s.design.tables[table]
            .fields
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != index)
            .map(|(_, f)| f.name.to_lowercase())
            .collect()
    });
    let title = match index {
        Some(_) => format!("{} · {}", field.name, t.name()),
        None => format!("New {} field", t.name()),
    };
    let mut form = Form::new(title).field(
        "name",
        "name",
        TextInput::new(&field.name)
            .placeholder("e.g. title")
            .validator(move |name| {
                let name = name.trim();
                if name.is_empty() {
                    return Err("a field needs a name".into());
                }
                if taken.contains(&name.to_lowercase()) {
                    return Err(format!("the table already has a field named {name:?}"));
                }
                if is_system_field(&derive_db_name(name, NameKind::Field)) {
                    return Err(format!("{name} is a system field: every table has it"));
                }
                Ok(())
            }),
    );
    if t.storage() != Storage::NoColumn {
        form = form.field(
            "primary",
            "primary field",
            Toggle::new(field.is_primary).texts("★ yes: the row's display name", "no"),
        );
    }
    for input in field_options::inputs(t) {
        let id = format!("options.{}", input.key.name());
        let value = field_options::value_of(field, input.key);
        let text = match &value {
            InputValue::Text(s) => s.clone(),
            _ => String::new(),
        };
        let widget: FormInput = match input.kind {
            InputKind::Flag => Toggle::new(value == InputValue::Flag(true)).into(),
            InputKind::Pick(list) => ChoiceList::new(
                list.iter().copied(),
                match value {
                    InputValue::Pick(i) => i,
                    _ => 0,
                },
            )
            .into(),
            InputKind::Number => NumberInput::new(text.parse().ok())
                .min(0)
                .placeholder(input.help)
                .into(),
            InputKind::Lines => ExpressionEditor::new(text)
                .rows(4)
                .placeholder(input.help)
                .into(),
            InputKind::Sql => ExpressionEditor::new(text)
                .rows(3)
                .placeholder(input.help)
                .into(),
            InputKind::Text => {
                let key = input.key;
                TextInput::new(text)
                    .placeholder(input.help)
                    .validator(move |typed| {
                        let mut scratch = crate::design::model::FieldOptions::default();
                        field_options::set(t, &mut scratch, key, &InputValue::Text(typed.into()))
                    })
                    .into()
            }
        };
        form = form.field(id, input.label, widget);
    }
    form.field(
        "db_name",
        "column name",
        TextInput::new(field.db_name.as_deref().unwrap_or_default())
            .placeholder("derived from the name"),
    )
}

/// The field a confirmed form describes, or the input whose text cannot be read.
fn field_of(f: &FieldForm, old: Option<&Field>) -> Result<Field, (String, String)> {
    let form = &f.form;
    let t = f.field_type;
    let mut field = Field::new(form.value_text("name").unwrap_or_default().trim(), t);
    field.db_name = form
        .value_text("db_name")
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    field.renamed_from = old.and_then(|o| o.renamed_from.clone());
    for input in field_options::inputs(t) {
        let id = format!("options.{}", input.key.name());
        let value = match input.kind {
            InputKind::Flag => InputValue::Flag(form.value_bool(&id).unwrap_or(false)),
            InputKind::Pick(_) => InputValue::Pick(form.value_choice(&id).unwrap_or(0)),
            _ => InputValue::Text(form.value_text(&id).unwrap_or_default()),
        };
        field_options::set(t, &mut field.options, input.key, &value).map_err(|e| (id, e))?;
    }
    Ok(field)
}

/// The edit a confirmed field form makes (with the field's index after it), or the input
/// that is wrong.
pub(super) fn edit(design: &Design, f: &FieldForm) -> Result<(Edit, usize), (String, String)> {
    let table = design
        .tables
        .get(f.table)
        .ok_or_else(|| ("name".to_owned(), "the table is gone".to_owned()))?;
    let old = f.field.and_then(|i| table.fields.get(i));
    let field = field_of(f, old)?;
    let primary = f.form.value_bool("primary").unwrap_or(false);
    let index = f.field.unwrap_or(table.fields.len());
    let mut edits = vec![match f.field {
        None => Edit::AddField {
            table: f.table,
            index,
            field,
        },
        Some(index) => Edit::ChangeField {
            table: f.table,
            index,
            field: Field {
                is_primary: old.is_some_and(|o| o.is_primary),
                ..field
            },
        },
    }];
    let was_primary = old.is_some_and(|o| o.is_primary);
    if primary != was_primary {
        edits.push(Edit::SetPrimaryField {
            table: f.table,
            field: primary.then_some(index),
        });
    }
    Ok((Edit::Batch(edits), index))
}

/// After a confirmed form: the field is selected.
pub(super) fn confirmed(app: &mut App, index: usize) {
    app.view.selected[Phase::Fields.index()] = index;
}
