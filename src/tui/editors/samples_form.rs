//! Phase 5's form: how many sample rows a designed table gets (0 = none). Confirming it is
//! one `Edit::SetSamples`, so `u` undoes it.

use crate::design::edit::Edit;
use crate::design::{Design, MAX_SAMPLE_COUNT, Samples};
use crate::tui::app::{App, Overlay};
use crate::tui::components::editor_popup::{Editor, SamplesForm};
use crate::tui::components::form::{Form, NumberInput};
use crate::tui::components::samples_pane::count_of;

/// The `samples` key of designed table `table`: its db name.
pub fn key(design: &Design, table: usize) -> String {
    design.tables[table].db_name().into_owned()
}

/// `a`/`⏎`/`e` on a table of phase 5.
pub fn open(app: &mut App, table: usize) {
    let Some(design) = app.model.design.as_ref().map(|s| &s.design) else {
        return;
    };
    let Some(t) = design.tables.get(table) else {
        return;
    };
    let explicit = matches!(
        design.samples.get(key(design, table).as_str()),
        Some(Samples::Rows(_))
    );
    let title = if explicit {
        format!("Samples of {} (a count replaces its explicit rows)", t.name)
    } else {
        format!("Samples of {}", t.name)
    };
    let count = count_of(design, table);
    let form = Form::new(title).field(
        "count",
        "rows",
        NumberInput::new(Some(count as i64))
            .min(0)
            .max(MAX_SAMPLE_COUNT as i64)
            .required()
            .placeholder("0 = no sample rows"),
    );
    app.view
        .overlays
        .push(Overlay::Editor(Box::new(Editor::Samples(SamplesForm {
            table,
            form,
        }))));
}

/// The edit a confirmed form makes, and the message that says what it did.
pub(super) fn edit(design: &Design, f: &SamplesForm) -> (Edit, String) {
    let count = f.form.value_number("count").unwrap_or(0).max(0) as u64;
    let name = &design.tables[f.table].name;
    let samples = (count > 0).then_some(Samples::Count(count));
    let done = match count {
        0 => format!("{name} gets no sample rows"),
        n => format!("{name} gets {n} sample rows · the grid shows the first"),
    };
    (
        Edit::SetSamples {
            key: key(design, f.table),
            samples,
            position: None,
        },
        done,
    )
}
