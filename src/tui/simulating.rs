//! The simulator popup's part of `update`: opening it (phase 4, `s`), its keys, starting the
//! job on the connection and taking its answer. The job applies the design's bundle (when
//! there is something to apply) inside the transaction it always rolls back, as
//! `lint DESIGN --simulate` does.

use crossterm::event::KeyEvent;

use super::app::{App, Overlay, Phase};
use super::components::simulator::{SimOutcome, Stage};
use super::job::JobKind;
use super::keymap::Context;
use super::message::Effect;
use crate::rls::lint::LintContext;
use crate::rls::simulate::{SimulationReport, SimulationRequest, SimulationSamples, Subject};

/// `s`: the simulator opens on its users form (phase 4 only).
pub fn open(app: &mut App) -> Vec<Effect> {
    if app.view.phase != Phase::Rls {
        app.view.message = Some("the simulator is on phase 4 (RLS): press 4, then s".into());
        return Vec::new();
    }
    if app.model.catalog.is_none() {
        app.view.message = Some("wait: the live schema is being read".into());
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
    }
    app.view.message = Some(if bundle.is_some() {
        "simulating the design, rolled back…".into()
    } else {
        "simulating the live schema, rolled back…".into()
    });
    vec![Effect::Simulate {
        generation,
        bundle,
        request,
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
    if let Some(Overlay::Simulator(sim)) = app.view.overlays.last_mut() {
        sim.stage = match result {
            Ok(reports) => Stage::Done(reports),
            Err(e) => Stage::Failed(e),
        };
    }
    Vec::new()
}
