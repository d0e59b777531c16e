//! Phase 5's form: how many sample rows a designed table gets (0 = none), and the session's
//! owners and seed (run options for every table, see [`SampleRun`]). Confirming it is one
//! `Edit::SetSamples`, so `u` undoes the count.

use crate::design::edit::Edit;
use crate::design::{Design, MAX_SAMPLE_COUNT, Samples};
use crate::tui::app::{App, Overlay};
use crate::tui::components::editor_popup::{Editor, SamplesForm};
use crate::tui::components::form::{ChoiceList, Form, NumberInput};
use crate::tui::components::samples_pane::count_of;
use crate::tui::sample_load::{OwnerChoice, SampleRun};

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
    let run = app.model.sample_run;
    let (owner, users) = match run.owners {
        OwnerChoice::None => (0, None),
        OwnerChoice::Existing => (1, None),
        OwnerChoice::Generated(n) => (2, Some(i64::from(n))),
    };
    let form = Form::new(title)
        .field(
            "count",
            "rows",
            NumberInput::new(Some(count as i64))
                .min(0)
                .max(MAX_SAMPLE_COUNT as i64)
                .required()
                .placeholder("0 = no sample rows"),
        )
        .field("owners", "owners", ChoiceList::new(OWNERS, owner))
        .field(
            "users",
            "demo users",
            NumberInput::new(users)
                .min(1)
                .max(i64::from(MAX_DEMO_USERS))
                .placeholder("how many, for generated users (default 3)"),
        )
        .field(
            "seed",
            "seed",
            NumberInput::new(Some(run.seed.min(i64::MAX as u64) as i64))
                .min(0)
                .required(),
        );
    app.view
        .overlays
        .push(Overlay::Editor(Box::new(Editor::Samples(SamplesForm {
            table,
            form,
        }))));
}

/// The owners the form offers, in [`OwnerChoice`]'s order.
const OWNERS: [&str; 3] = ["none", "existing users", "generated users"];
/// The most demo users the form generates.
const MAX_DEMO_USERS: u32 = 10_000;
/// Demo users when "generated users" is chosen and no number is given.
const DEFAULT_DEMO_USERS: u32 = 3;

/// The run options a confirmed form sets.
pub(super) fn run(f: &SamplesForm) -> SampleRun {
    let owners = match f.form.value_choice("owners") {
        Some(1) => OwnerChoice::Existing,
        Some(2) => OwnerChoice::Generated(
            f.form
                .value_number("users")
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| (1..=MAX_DEMO_USERS).contains(n))
                .unwrap_or(DEFAULT_DEMO_USERS),
        ),
        _ => OwnerChoice::None,
    };
    SampleRun {
        seed: f.form.value_number("seed").unwrap_or(0).max(0) as u64,
        owners,
    }
}

/// The edit a confirmed form makes, and the message that says what it did.
pub(super) fn edit(design: &Design, f: &SamplesForm) -> (Edit, String) {
    let count = f.form.value_number("count").unwrap_or(0).max(0) as u64;
    let name = &design.tables[f.table].name;
    let samples = (count > 0).then_some(Samples::Count(count));
    let done = match count {
        0 => format!("{name} gets no sample rows"),
        1 => format!("{name} gets 1 sample row · the grid shows it"),
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
