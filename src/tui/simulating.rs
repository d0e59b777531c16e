//! The simulator's part of `update`: `s` in phase 4 runs it (the first time, and with `S`
//! always, a popup asks as whom), its keys, starting the job on the connection and taking
//! its answer, which the popup and phase 4's pane both show. The job applies the design's
//! bundle (when there is something to apply) and loads its sample rows inside the
//! transaction it always rolls back, as `lint DESIGN --simulate` does.

use crossterm::event::KeyEvent;

use super::app::{App, Overlay, Phase};
use super::components::simulator::{SimOutcome, Stage};
use super::job::JobKind;
use super::keymap::Context;
use super::last_simulation::RanOn;
use super::message::Effect;
use crate::rls::lint::LintContext;
use crate::rls::simulate::{SimulationReport, SimulationRequest, SimulationSamples, Subject};

/// What a simulation runs on now: the design and the samples' run options.
fn ran_on(app: &App) -> RanOn {
    super::last_simulation::ran_on(
        app.model.design.as_ref().map(|d| &d.design),
        app.model.sample_run,
    )
}

/// Whether the simulator can run now; says why not in the status line.
fn can_run(app: &mut App, key: &str) -> bool {
    if app.view.phase != Phase::Rls {
        app.view.message = Some(format!(
            "the simulator is on phase 4 (RLS): press 4, then {key}"
        ));
        return false;
    }
    if app.model.catalog.is_none() {
        app.view.message = Some("wait: the live schema is being read".into());
        return false;
    }
    true
}

/// `s` (phase 4 only): runs the last simulation again, as the same users, into the pane;
/// the first time, the users form opens.
pub fn open(app: &mut App) -> Vec<Effect> {
    if !can_run(app, "s") {
        return Vec::new();
    }
    match app.model.simulation.as_ref().map(|s| s.subjects.clone()) {
        Some(subjects) if !subjects.is_empty() => start(app, subjects),
        _ => choose(app),
    }
}

/// `S` (phase 4 only): the simulator popup opens on its users form.
pub fn choose(app: &mut App) -> Vec<Effect> {
    if !can_run(app, "S") {
        return Vec::new();
    }
    app.view.overlays.push(Overlay::Simulator(Box::default()));
    Vec::new()
}

/// A key while the simulator is the top popup.
pub fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let context = app.context();
    let action = app.keymap.action(context, key);
    let Some(Overlay::Simulator(sim)) = app.view.overlays.last_mut() else {
        return Vec::new();
    };
    let running = sim.stage == Stage::Running;
    match sim.on_key(key, action.filter(|_| context != Context::Input)) {
        SimOutcome::Stay => Vec::new(),
        SimOutcome::Close => {
            app.view.overlays.pop();
            if running {
                return cancel(app);
            }
            Vec::new()
        }
        SimOutcome::Run(subjects) => start(app, subjects),
    }
}

fn cancel(app: &mut App) -> Vec<Effect> {
    match app.job.running_mut() {
        Some(job) if job.kind == JobKind::Simulating => {
            job.cancelling = true;
            app.view.message = Some("cancelling the simulation…".into());
            vec![Effect::Cancel {
                generation: job.generation,
                abort: false,
            }]
        }
        _ => Vec::new(),
    }
}

fn start(app: &mut App, subjects: Vec<Subject>) -> Vec<Effect> {
    let Ok(generation) = app.job.start(JobKind::Simulating, 0) else {
        if let Some(Overlay::Simulator(sim)) = app.view.overlays.last_mut() {
            sim.stage = Stage::Failed("busy: wait for the running job".into());
        }
        app.view.message = Some("busy: wait for the running job, then s".into());
        return Vec::new();
    };
    let bundle = app
        .model
        .plan
        .as_ref()
        .filter(|p| !p.plan.is_empty())
        .map(|p| p.bundle.clone());
    let schemas = match &app.model.analysis.resolved {
        Some(resolved) => LintContext::for_design(resolved).exposed_schemas,
        None => LintContext::live().exposed_schemas,
    };
    let samples = match (&app.model.analysis.resolved, &app.model.catalog) {
        (Some(resolved), Some(catalog)) => {
            SimulationSamples::for_new_tables(resolved, catalog, app.model.sample_run.seed)
        }
        _ => None,
    };
    let first = subjects.first().cloned().unwrap_or_else(Subject::anon);
    let request = SimulationRequest {
        schemas,
        user: first.user,
        role: first.role,
        setup: Vec::new(),
        samples,
    };
    if let Some(Overlay::Simulator(sim)) = app.view.overlays.last_mut() {
        sim.stage = Stage::Running;
        sim.subjects = subjects.clone();
    }
    let started_on = Some(ran_on(app));
    let last = app.model.simulation.get_or_insert_with(Default::default);
    last.subjects = subjects.clone();
    last.running = true;
    last.started_on = started_on;
    app.view.message = Some(if bundle.is_some() {
        "simulating the design, rolled back…".into()
    } else {
        "simulating the live schema, rolled back…".into()
    });
    vec![Effect::Simulate {
        generation,
        bundle,
        request: Box::new(request),
        subjects,
    }]
}

/// The job's answer: the grid, or why not. Nothing was kept either way.
pub fn simulated(app: &mut App, result: Result<Vec<SimulationReport>, String>) -> Vec<Effect> {
    let cancelled = app.job.finish().is_some_and(|job| job.cancelling);
    app.view.message = Some(match (&result, cancelled) {
        (_, true) => "simulation cancelled; nothing was kept".into(),
        (Ok(_), _) => "simulated and rolled back".into(),
        (Err(_), _) => "the simulation failed; nothing was kept".into(),
    });
    if let Some(last) = &mut app.model.simulation {
        last.running = false;
        let started_on = last.started_on.take();
        match (&result, cancelled) {
            (_, true) => {}
            (Ok(reports), _) => {
                last.reports = reports.clone();
                last.error = None;
                last.ran_on = started_on;
            }
            (Err(e), _) => last.error = Some(e.clone()),
        }
    }
    if app.view.phase == Phase::Rls {
        super::components::rls_pane::show_simulation(app);
    }
    if let Some(Overlay::Simulator(sim)) = app.view.overlays.last_mut() {
        sim.stage = match result {
            Ok(reports) => Stage::Done(reports),
            Err(e) => Stage::Failed(e),
        };
    }
    Vec::new()
}
