//! Phase 4's template picker: every template of [`crate::rls::templates`], each with who
//! can do what, and under the list the policies the chosen one would give the table. No
//! template takes parameters (the owner column is always the system field `created_by`,
//! the organisation template its own two tables), so choosing one is one edit: the table's
//! policies replaced by the template's, its RLS flags set, and for the organisation
//! template the membership tables and the `org` relationship added. Every policy can be
//! edited afterwards.

use crate::design::Design;
use crate::design::edit::{Edit, TableProperties};
use crate::rls::templates::{self, Template, TemplateError};
use crate::tui::app::{App, Model};
use crate::tui::components::editor_popup::TemplatePicker;
use crate::tui::components::form::{Form, Picker, PickerEntry};
use crate::tui::editing;
use crate::tui::message::Effect;
use crate::tui::phase::Phase;
use crate::tui::theme::Role;

/// `T` in phase 4: the picker for table `table` (`None` when there is no such table).
pub(super) fn picker(app: &App, table: usize) -> Option<TemplatePicker> {
    let t = app.model.design.as_ref()?.design.tables.get(table)?;
    let title = match t.rls_policies.len() {
        0 => format!("Template for {}", t.name),
        1 => format!("Template for {} · replaces its policy", t.name),
        n => format!("Template for {} · replaces its {n} policies", t.name),
    };
    let entries = Template::ALL
        .iter()
        .map(|&t| PickerEntry::new(t.key(), t.label(), t.description()).note(note(t)))
        .collect();
    let form = Form::new(title)
        .width(110)
        .field("template", "", Picker::new(entries).rows(6));
    let mut picker = TemplatePicker { table, form };
    refresh(&mut picker, &app.model);
    Some(picker)
}

/// What a template makes, short, for the right-hand end of its row.
fn note(t: Template) -> String {
    match t {
        Template::PublicReference => "RLS off".into(),
        Template::HandWritten => "keeps yours".into(),
        Template::Organization => "4 policies +2 tables".into(),
        t => format!("{} policies", templates::policies(t, "t", "public").len()),
    }
}

fn chosen(picker: &TemplatePicker) -> Option<Template> {
    let key = picker.form.value_text("template")?;
    Template::ALL.into_iter().find(|t| t.key() == key)
}

/// Under the list: the chosen template's description in full, and its policies.
pub(super) fn refresh(picker: &mut TemplatePicker, model: &Model) {
    let Some(template) = chosen(picker) else {
        picker.form.set_notes(Vec::new());
        return;
    };
    let mut notes = vec![(Role::Info, template.description().to_owned())];
    if let Some(state) = &model.design
        && let Some(table) = state.design.tables.get(picker.table)
    {
        let db_name = table.db_name().into_owned();
        for p in templates::policies(template, &db_name, &state.design.schema) {
            let mut text = format!("{} “{}”", p.operation.name(), p.name);
            if let Some(u) = &p.using_expression {
                text.push_str(&format!(" using {u}"));
            }
            if let Some(c) = &p.with_check_expression {
                text.push_str(&format!(" check {c}"));
            }
            notes.push((Role::Dim, text));
        }
    }
    picker.form.set_notes(notes);
}

/// The one edit that gives table `table` the template: what [`templates::apply`] does to
/// the design, as edits (so undo takes it back whole).
pub fn edit(
    design: &Design,
    table: usize,
    template: Template,
    known: &dyn Fn(&str, &str) -> bool,
) -> Result<Edit, TemplateError> {
    let name = design
        .tables
        .get(table)
        .map(|t| t.db_name().into_owned())
        .ok_or_else(|| TemplateError::NoSuchTable(table.to_string()))?;
    let mut after = design.clone();
    templates::apply(&mut after, &name, template, known)?;
    let mut edits = Vec::new();
    for (index, t) in after.tables.iter().enumerate().skip(design.tables.len()) {
        edits.push(Edit::AddTable {
            index,
            table: t.clone(),
        });
    }
    for (index, r) in after
        .relationships
        .iter()
        .enumerate()
        .skip(design.relationships.len())
    {
        edits.push(Edit::AddRelationship {
            index,
            relationship: r.clone(),
        });
    }
    let (old, new) = (&design.tables[table], &after.tables[table]);
    if TableProperties::of(old) != TableProperties::of(new) {
        edits.push(Edit::ChangeTableProperties {
            table,
            properties: TableProperties::of(new),
        });
    }
    if old.rls_policies != new.rls_policies {
        for index in (0..old.rls_policies.len()).rev() {
            edits.push(Edit::RemovePolicy { table, index });
        }
        for (index, policy) in new.rls_policies.iter().enumerate() {
            edits.push(Edit::AddPolicy {
                table,
                index,
                policy: policy.clone(),
            });
        }
    }
    Ok(Edit::Batch(edits))
}

/// `⏎` on a template: the table gets it, the first policy is selected.
pub(super) fn confirm(app: &mut App, design: &Design, picker: &TemplatePicker) -> Vec<Effect> {
    let Some(template) = chosen(picker) else {
        return Vec::new();
    };
    app.view.overlays.pop();
    let catalog = app.model.catalog.clone();
    let known = |s: &str, t: &str| catalog.as_ref().is_some_and(|c| c.table(s, t).is_some());
    let edit = match edit(design, picker.table, template, &known) {
        Ok(edit) => edit,
        Err(e) => {
            app.view.message = Some(format!("not changed: {e}"));
            return Vec::new();
        }
    };
    let name = &design.tables[picker.table].name;
    let done = match template {
        Template::PublicReference => format!("{name}: RLS off, public reference data (u undoes)"),
        Template::HandWritten => format!("{name}: RLS on, your policies kept · a adds one"),
        t => format!("{name}: {} · ⏎ edits a policy (u undoes)", t.label()),
    };
    app.view.selected[Phase::Rls.index()] = 0;
    editing::apply(app, edit, done)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The edit leaves the design exactly as `templates::apply` does, for every template.
    #[test]
    fn the_edit_is_the_template_applied() {
        let start: Design = serde_json::from_value(serde_json::json!({"tables": [
            {"name": "Projects", "fields": [{"name": "title", "type": "singleLineText", "is_primary": true}],
             "rls_policies": [{"name": "mine", "operation": "ALL", "using_expression": "true"}]}
        ]}))
        .unwrap();
        let known = |s: &str, t: &str| (s, t) == ("auth", "users");
        for template in Template::ALL {
            let mut expected = start.clone();
            templates::apply(&mut expected, "projects", template, &known).unwrap();
            let mut got = start.clone();
            let undo = edit(&start, 0, template, &known)
                .unwrap()
                .apply(&mut got)
                .unwrap();
            assert_eq!(got, expected, "{template:?}");
            undo.apply(&mut got).unwrap();
            assert_eq!(got, start, "{template:?} undoes whole");
        }
    }
}
