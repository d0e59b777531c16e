//! The last run of the policy simulator, kept for phase 4's pane: as whom it ran, what it
//! found, and what it ran on, so the pane can say when an edit made it stale.

use super::sample_load::SampleRun;
use crate::design::Design;
use crate::rls::simulate::{SimulationReport, Subject};

/// The design and sample options a simulation ran on.
pub type RanOn = (Option<Design>, SampleRun);

/// What a simulation run now would run on.
pub fn ran_on(design: Option<&Design>, run: SampleRun) -> RanOn {
    (design.cloned(), run)
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LastSimulation {
    /// The users it runs as (`s` runs them again).
    pub subjects: Vec<Subject>,
    pub reports: Vec<SimulationReport>,
    /// Why the last run failed (the reports are then those of the run before).
    pub error: Option<String>,
    pub running: bool,
    /// What the reports were made from.
    pub ran_on: Option<RanOn>,
    /// What the run in progress was started on.
    pub started_on: Option<RanOn>,
}

impl LastSimulation {
    /// Whether the design or its samples changed since the reports were made (`now` is
    /// what a run would use today).
    pub fn is_stale(&self, now: &RanOn) -> bool {
        !self.reports.is_empty() && self.ran_on.as_ref() != Some(now)
    }
}
