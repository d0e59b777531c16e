//! Design × Catalog → Plan → SQL. Pure: no connection, no screen.
//!
//! [`plan`] compares what the design wants with what the catalog has and lists only what is
//! missing, as typed [`Step`]s. [`Plan::bundle`] renders them, in SPEC.md's order, into the
//! one text that is both previewed and applied. Nothing is dropped or rewritten: a difference
//! the planner will not fix by itself becomes a note.

pub mod audit;
pub mod buckets;
pub mod bundle;
mod columns;
mod derived_renames;
mod indexes;
pub mod kept_columns;
pub mod kept_indexes;
mod losses;
pub mod matviews;
#[cfg(test)]
mod memo_tests;
pub mod printed;
mod relations;
mod renames;
pub mod render;
pub mod rollback;
mod rollback_renames;
mod safety;
mod security;
pub mod soft_delete;
pub mod sql_parts;
pub mod step;
mod tables;
pub mod triggers;
mod views;

use crate::catalog::{Catalog, Change, QualifiedName, Table as LiveTable};
use crate::design::ResolvedDesign;
use crate::sql::{literal, qualified};

pub use bundle::{Bundle, BundleBuilder, Section, Statement};
pub use rollback::{Rollback, rollback, saved_rollback};
pub use step::{Step, StepKind, Summary};

/// Knobs of the bundle that are not part of the design.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanSettings {
    /// `SET LOCAL lock_timeout`: how long a DDL statement may wait for a lock on a busy table.
    pub lock_timeout: String,
    /// `SET LOCAL statement_timeout`: how long any one statement may run.
    pub statement_timeout: String,
    /// From this many rows (the catalog's estimate) a table is large: constraints are added
    /// `NOT VALID` then validated, and the migration-safety lint speaks up.
    pub large_table_rows: i64,
}

impl PlanSettings {
    /// `BEGIN` and the settings every bundle (a plan, a rollback) runs under.
    pub fn begin(&self, b: &mut BundleBuilder) {
        b.push(Section::Transaction, "BEGIN", false);
        // Literals are written for standard_conforming_strings = on; make sure it is.
        b.push(
            Section::Transaction,
            "SET LOCAL standard_conforming_strings = on",
            false,
        );
        b.push(
            Section::Transaction,
            &format!("SET LOCAL lock_timeout = {}", literal(&self.lock_timeout)),
            false,
        );
        b.push(
            Section::Transaction,
            &format!(
                "SET LOCAL statement_timeout = {}",
                literal(&self.statement_timeout)
            ),
            false,
        );
    }
}

impl Default for PlanSettings {
    fn default() -> PlanSettings {
        PlanSettings {
            lock_timeout: "5s".into(),
            statement_timeout: "60s".into(),
            large_table_rows: 100_000,
        }
    }
}

/// What applying the design would change, as typed steps.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// Differences left alone on purpose, and other things the user should know.
    pub notes: Vec<String>,
    /// The catalog fingerprint the plan was made against (drift check at apply).
    pub fingerprint: String,
    #[serde(skip)]
    pub settings: PlanSettings,
    /// Sample rows loaded with the plan, by `schema.table`, and the seed they come from.
    pub samples: Vec<(String, u64)>,
    pub sample_seed: Option<u64>,
    /// Demo users inserted into `auth.users` before the sample rows (said apart from them).
    pub demo_users: u64,
    /// CSV files loaded with COPY before `COMMIT`, each described in one line
    /// (`COPY … FROM the CSV orders.csv (120 rows)`); the rows stream at apply time.
    pub imports: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{path}: {message}")]
pub struct PlanError {
    pub path: String,
    pub message: String,
}

/// The first line of every bundle: a comment holding the catalog fingerprint.
pub const FINGERPRINT_PREFIX: &str = "schemaforge plan · catalog fingerprint ";

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The typed changes, in the order they run.
    pub fn changes(&self) -> Vec<Change> {
        let mut steps: Vec<&Step> = self.steps.iter().collect();
        steps.sort_by_key(|s| s.section);
        steps.into_iter().map(|s| s.change.clone()).collect()
    }

    pub fn summary(&self) -> Summary {
        let mut summary = Summary::of(&self.steps);
        summary.rows += self.samples.iter().map(|(_, n)| *n as usize).sum::<usize>();
        summary.demo_users = self.demo_users as usize;
        summary
    }

    /// Records the sample rows that load with this plan, so the summary and the bundle say
    /// so (`plan`, the TUI's preview and its apply all call this: one way of counting).
    pub fn attach_samples(&mut self, set: &crate::samples::SampleSet, seed: u64) {
        self.samples = set
            .table_counts()
            .into_iter()
            .map(|((schema, table), rows)| (format!("{schema}.{table}"), rows))
            .collect();
        self.demo_users = set.demo_users();
        self.sample_seed = (!self.samples.is_empty() || self.demo_users > 0).then_some(seed);
    }

    /// Forgets the sample rows [`Plan::attach_samples`] recorded (an export writes them to
    /// seed.sql instead).
    pub fn detach_samples(&mut self) {
        self.samples.clear();
        self.demo_users = 0;
        self.sample_seed = None;
    }

    /// The bundle: fingerprint comment, `BEGIN`, timeouts, the steps by section, `COMMIT`.
    pub fn bundle(&self) -> Bundle {
        let mut b = BundleBuilder::new();
        b.comment(&format!("{FINGERPRINT_PREFIX}{}", self.fingerprint));
        self.settings.begin(&mut b);
        let mut steps: Vec<&Step> = self.steps.iter().collect();
        steps.sort_by_key(|s| s.section); // stable: keeps the order within a section
        for step in steps {
            if let Some(text) = step.impact() {
                b.section_comment(step.section, &text);
            }
            b.push(step.section, &step.sql, step.destructive);
        }
        if let Some(seed) = self.sample_seed {
            // The rows themselves stream with COPY at apply time; the preview stays readable.
            let mut text =
                format!("sample rows, generated from seed {seed}, loaded with COPY before COMMIT:");
            if self.demo_users > 0 {
                text.push_str(&format!(
                    "\n  auth.users: {} demo user{} (first; they own the rows)",
                    self.demo_users,
                    if self.demo_users == 1 { "" } else { "s" }
                ));
            }
            for (table, rows) in &self.samples {
                text.push_str(&format!(
                    "\n  {table}: {rows} row{}",
                    if *rows == 1 { "" } else { "s" }
                ));
            }
            b.section_comment(Section::Samples, &text);
        }
        for text in &self.imports {
            b.section_comment(Section::Samples, text);
        }
        b.push(Section::Transaction, "COMMIT", false);
        b.finish()
    }
}

/// The fingerprint written in a saved plan's first line, if it has one.
pub fn saved_fingerprint(text: &str) -> Option<&str> {
    text.lines()
        .next()?
        .strip_prefix("-- ")?
        .strip_prefix(FINGERPRINT_PREFIX)
        .map(str::trim)
}

/// Plans `design` against `catalog`.
pub fn plan(
    design: &ResolvedDesign,
    catalog: &Catalog,
    settings: &PlanSettings,
) -> Result<Plan, Vec<PlanError>> {
    let (renames, renamed, notes) = renames::plan_renames(design, catalog);
    let mut planner = Planner {
        design,
        catalog: renamed.as_ref().unwrap_or(catalog),
        schema: &design.schema,
        steps: renames,
        notes,
        errors: Vec::new(),
        recreated_views: Vec::new(),
    };
    planner.schema_step();
    triggers::helpers(&mut planner);
    tables::plan_tables(&mut planner);
    relations::plan_relations(&mut planner);
    indexes::plan_indexes(&mut planner);
    views::drop_views_for_column_changes(&mut planner);
    views::plan_views(&mut planner);
    security::plan_security(&mut planner);
    triggers::plan_triggers(&mut planner);
    audit::plan_audit(&mut planner);
    soft_delete::plan_soft_delete(&mut planner);
    buckets::plan_buckets(&mut planner);
    matviews::plan_materialized_views(&mut planner);
    if !planner.errors.is_empty() {
        return Err(planner.errors);
    }
    planner.steps = safety::guard(
        std::mem::take(&mut planner.steps),
        planner.catalog,
        settings.large_table_rows,
    );
    if !planner.steps.is_empty() {
        planner.refresh_step();
    }
    Ok(Plan {
        steps: planner.steps,
        notes: planner.notes,
        fingerprint: crate::catalog::fingerprint(catalog),
        settings: settings.clone(),
        samples: Vec::new(),
        sample_seed: None,
        demo_users: 0,
        imports: Vec::new(),
    })
}

/// The state of one planning run.
pub(crate) struct Planner<'a> {
    pub design: &'a ResolvedDesign,
    pub catalog: &'a Catalog,
    pub schema: &'a str,
    pub steps: Vec<Step>,
    pub notes: Vec<String>,
    pub errors: Vec<PlanError>,
    /// Companion views dropped by this plan to be created again.
    pub recreated_views: Vec<String>,
}

impl<'a> Planner<'a> {
    pub fn live(&self, table: &str) -> Option<&'a LiveTable> {
        self.catalog.table(self.schema, table)
    }

    /// `"schema"."table"` in the design's schema.
    pub fn q(&self, table: &str) -> String {
        qualified(self.schema, table)
    }

    /// A table of the design's schema, as a change names it.
    pub fn qn(&self, table: &str) -> QualifiedName {
        QualifiedName::new(self.schema, table)
    }

    pub fn object(&self, table: &str) -> String {
        format!("{}.{table}", self.schema)
    }

    pub fn push(&mut self, step: Step) {
        self.steps.push(step);
    }

    pub fn note(&mut self, text: String) {
        self.notes.push(text);
    }

    /// Whether the database has Supabase's `auth.users` / `auth.uid()` (or the shim).
    pub fn has_auth(&self) -> bool {
        self.catalog.flavour.supabase
    }

    fn schema_step(&mut self) {
        if self.catalog.schema(self.schema).is_none() {
            self.push(Step::new(
                Section::Helpers,
                self.schema,
                Change::CreateSchema {
                    name: self.schema.to_owned(),
                },
            ));
            // Only to the API roles this database has (plain PostgreSQL has none of them).
            let roles: Vec<String> = ["anon", "authenticated", "service_role"]
                .into_iter()
                .filter(|r| self.catalog.role(r).is_some())
                .map(str::to_owned)
                .collect();
            if !roles.is_empty() {
                self.push(Step::new(
                    Section::Grants,
                    self.schema,
                    Change::GrantSchemaUsage {
                        schema: self.schema.to_owned(),
                        roles,
                    },
                ));
            }
        }
    }

    fn refresh_step(&mut self) {
        let hook = self
            .catalog
            .functions_named("public", "apply_postgrest_permissions")
            .next()
            .is_some();
        self.push(Step::new(
            Section::Refresh,
            "postgrest",
            Change::RefreshApi { hook },
        ));
    }
}
