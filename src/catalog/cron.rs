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

/// The rows of `cron.job` that have a name, read the way bucket rows are (see
/// `queries::BUCKETS`): through `query_to_xml`, only where the table exists and may be read.
pub(crate) const CRON_JOBS: &str = "SELECT 'cron_jobs', pg_catalog.convert_from(pg_catalog.decode(\
     NULLIF(pg_catalog.array_to_string(pg_catalog.xpath('/row/j/text()', pg_catalog.query_to_xml(\
     'SELECT pg_catalog.encode(pg_catalog.convert_to(pg_catalog.json_agg(\
     pg_catalog.json_build_array(j.jobname, j.schedule, j.command) \
     ORDER BY j.jobname)::text, ''UTF8''), ''base64'') AS j FROM cron.job j WHERE j.jobname IS NOT NULL', \
     false, true, ''))::text[], ''), ''), 'base64'), 'UTF8') \
     FROM pg_catalog.pg_class c \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname = 'cron' AND c.relname = 'job' AND c.relkind IN ('r', 'p') \
       AND pg_catalog.has_schema_privilege(c.relnamespace, 'USAGE') \
       AND pg_catalog.has_table_privilege(c.oid, 'SELECT') AND $UNLOCKED";

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
