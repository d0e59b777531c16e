//! `pg_cron` jobs: the rows of `cron.job`, read only where the table exists (pg_cron, or a
//! stand-in with its shape), so a design's scheduled refreshes are planned against them.

use serde::{Deserialize, Serialize};

use super::model::Catalog;

/// One row of `cron.job`: a named job, its schedule and the SQL it runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronJob {
    pub name: String,
    pub schedule: String,
    pub command: String,
}

/// The rows of `cron.job` that have a name, only where the table exists and may be read.
pub(crate) fn cron_jobs() -> String {
    super::queries::optional_table_rows(
        "cron_jobs",
        ("cron", "job"),
        "j.jobname, j.schedule, j.command",
        "cron.job j WHERE j.jobname IS NOT NULL",
        "j.jobname",
    )
}

impl Catalog {
    /// Whether jobs can be scheduled: `cron.job` and `cron.schedule(text, text, text)`.
    pub fn has_cron(&self) -> bool {
        self.table("cron", "job").is_some()
            && self.functions_named("cron", "schedule").next().is_some()
    }

    pub fn cron_job(&self, name: &str) -> Option<&CronJob> {
        self.cron_jobs.iter().find(|j| j.name == name)
    }
}
