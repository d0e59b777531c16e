//! `E` in the Preview: the plan written as files a project keeps in git instead of applied —
//! a Supabase CLI migration with `seed.sql` and its rollback, or one plain `.sql` — through the
//! same code as `schemaforge export`, so the files hold what the Preview shows.

use std::path::PathBuf;

use crate::export::{Format, Request, migration_name};
use crate::tui::app::{App, Overlay};
use crate::tui::components::form::{ChoiceList, Form, NumberInput, TextInput, Toggle};
use crate::tui::message::{Effect, ExportJob};
use crate::tui::sample_load::OwnerChoice;

use crate::tui::theme::Role;

use super::Editor;

const FORMATS: [&str; 2] = ["supabase", "plain"];

/// What each format writes, under the inputs.
const NOTES: [&str; 3] = [
    "supabase: <to>/migrations/<UTC time>_<name>.sql, <to>/seed.sql (the sample rows) and the \
     rollback in <to>/rollbacks/ — `supabase db reset` runs them",
    "plain: one file (<to>, or ./<UTC time>_<name>.sql) for psql -f, its rollback beside it",
    "nothing is sent to the database; the files hold what the Preview shows, without the shim",
];

/// Why there is nothing to export now, if so.
fn cannot_export(app: &App) -> Option<&'static str> {
    if app.model.catalog.is_none() {
        return Some("wait: the export is planned against the whole live schema");
    }
    match &app.model.plan {
        None if app.model.design.is_none() => Some("no design to export"),
        None => Some("the design has errors; see the preview"),
        Some(_) => None,
    }
}

/// The design file's stem and name (`design` for a design never saved).
fn design_names(app: &App) -> (String, String) {
    let file = app.model.design.as_ref().and_then(|s| s.file.as_ref());
    let part = |p: Option<&std::ffi::OsStr>, or: &str| {
        p.map_or_else(|| or.to_owned(), |s| s.to_string_lossy().into_owned())
    };
    (
        part(file.and_then(|f| f.file_stem()), "design"),
        part(file.and_then(|f| f.file_name()), "design.json"),
    )
}

pub fn open(app: &mut App) {
    if let Some(reason) = cannot_export(app) {
        app.view.message = Some(format!("nothing exported: {reason}"));
        return;
    }
    let demo_users = match app.model.sample_run.owners {
        OwnerChoice::Generated(n) => i64::from(n),
        _ => 0,
    };
    let form = Form::new("Export the plan")
        .field("format", "format", ChoiceList::new(FORMATS, 0))
        .field(
            "out",
            "to",
            TextInput::new("supabase")
                .placeholder("the project folder (supabase) or the file (plain)"),
        )
        .field(
            "name",
            "name",
            TextInput::new(migration_name(&design_names(app).0, None))
                .placeholder("after the timestamp, e.g. add_projects"),
        )
        .field("samples", "seed rows", Toggle::new(true))
        .field(
            "demo_users",
            "demo users",
            NumberInput::new(Some(demo_users)).min(0).max(1000),
        );
    let mut form = form;
    form.set_notes(NOTES.iter().map(|n| (Role::Dim, (*n).to_owned())).collect());
    app.view
        .overlays
        .push(Overlay::Editor(Box::new(Editor::Export(form))));
}

/// The confirmed form as the job the runtime runs (files are written off the UI thread).
pub fn confirm(app: &mut App, form: &Form) -> Vec<Effect> {
    app.view.overlays.pop();
    if let Some(reason) = cannot_export(app) {
        app.view.message = Some(format!("nothing exported: {reason}"));
        return Vec::new();
    }
    let (Some(plan), Some(catalog), Some(resolved)) = (
        &app.model.plan,
        &app.model.catalog,
        &app.model.analysis.resolved,
    ) else {
        return Vec::new();
    };
    let format = match form.value_choice("format") {
        Some(1) => Format::Plain,
        _ => Format::Supabase,
    };
    let out = form.value_text("out").unwrap_or_default();
    let out = out.trim();
    let name = form.value_text("name").unwrap_or_default();
    let name = name.trim();
    let (design_stem, design_file) = design_names(app);
    let request = Request {
        out: match (out, format) {
            ("", _) | ("supabase", Format::Plain) => None,
            (dir, _) => Some(PathBuf::from(dir)),
        },
        name: (!name.is_empty()).then(|| name.to_owned()),
        design_stem,
        design_file,
        format,
        seed: app.model.sample_run.seed,
        demo_users: form
            .value_number("demo_users")
            .filter(|n| *n > 0)
            .map(|n| n as u32),
        no_samples: form.value_bool("samples") == Some(false),
    };
    app.view.message = Some("exporting…".into());
    // The rows go to seed.sql (or before COMMIT), as `schemaforge export` writes them; the
    // migration is the plan's statements alone.
    let mut plan = plan.plan.clone();
    plan.detach_samples();
    vec![Effect::Export(Box::new(ExportJob {
        plan,
        catalog: catalog.clone(),
        resolved: resolved.clone(),
        request,
    }))]
}

/// What the status line says once the files are written.
pub fn done(report: &crate::export::Report) -> String {
    if report.files.is_empty() {
        return report
            .lines
            .first()
            .cloned()
            .unwrap_or_else(|| "nothing written".into());
    }
    // File names first: the status line is short, and they are what differs.
    let names: Vec<String> = report
        .files
        .iter()
        .map(|p| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    let mut places: Vec<String> = Vec::new();
    for dir in report.files.iter().filter_map(|p| p.parent()) {
        let dir = dir.display().to_string();
        if !places.contains(&dir) {
            places.push(dir);
        }
    }
    format!("exported: {} (in {})", names.join(" · "), places.join(", "))
}
