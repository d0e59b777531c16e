//! Migration-safety lint: rules over a plan's steps in the spirit of squawk's, reported in the
//! same findings list as everything else. One rule per file; each looks at one step on a table
//! that exists (with its row estimate) and says what could hurt a running project.

mod column_type_change;
mod constraint_on_large_table;
mod index_on_large_table;
mod rename_used_column;
mod required_without_default;

use crate::catalog::Catalog;
use crate::findings::{Finding, Phase, Severity, Source};

use crate::plan::{Plan, PlanSettings, Step};

/// Every rule name, for the README.
pub const RULES: [&str; 5] = [
    required_without_default::RULE,
    column_type_change::RULE,
    constraint_on_large_table::RULE,
    index_on_large_table::RULE,
    rename_used_column::RULE,
];

/// What a rule may look at besides its step.
pub(crate) struct Context<'a> {
    /// The catalog the plan was made against.
    pub catalog: &'a Catalog,
    pub large_table_rows: i64,
}

impl Context<'_> {
    fn large(&self, step: &Step) -> bool {
        step.on_existing_table && step.rows.unwrap_or(0) >= self.large_table_rows
    }
}

type Rule = fn(&Step, &Context) -> Option<Finding>;

const CHECKS: [Rule; 5] = [
    required_without_default::check,
    column_type_change::check,
    constraint_on_large_table::check,
    index_on_large_table::check,
    rename_used_column::check,
];

/// The findings of every rule on every step of `plan`.
pub fn lint_plan(plan: &Plan, catalog: &Catalog, settings: &PlanSettings) -> Vec<Finding> {
    let ctx = Context {
        catalog,
        large_table_rows: settings.large_table_rows,
    };
    plan.steps
        .iter()
        .flat_map(|step| CHECKS.iter().filter_map(|rule| rule(step, &ctx)))
        .collect()
}

fn finding(rule: &str, step: &Step, message: String, remedy: &str) -> Finding {
    Finding {
        rule: rule.to_owned(),
        severity: Severity::Warn,
        object: step.object.clone(),
        message,
        remedy: remedy.to_owned(),
        source: Source::Plan,
        phase: Phase::Preview,
        path: None,
    }
}

/// "about N rows" or "an unknown number of rows".
fn rows(step: &Step) -> String {
    match step.rows {
        Some(1) => "about 1 row".into(),
        Some(n) => format!("about {n} rows"),
        None => "an unknown number of rows".into(),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::catalog::{Catalog, Change};
    use crate::plan::{Section, Step};

    use super::Context;

    /// A step on an existing table of `rows` rows.
    pub fn on_table(change: Change, rows: i64) -> Step {
        let mut step = Step::new(Section::Tables, "public.t", change);
        step.on_existing_table = true;
        step.rows = Some(rows);
        step
    }

    pub fn ctx(catalog: &Catalog) -> Context<'_> {
        Context {
            catalog,
            large_table_rows: 1000,
        }
    }
}
