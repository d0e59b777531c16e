//! Design × catalog → everything a front end shows: the resolved design, the plan, its
//! bundle and the findings. Pure, and the one place this walk is written: `plan`, `apply`,
//! `lint`, `export` and the TUI all call [`analyse`].

use crate::catalog::Catalog;
use crate::design::{self, Design, ResolvedDesign};
use crate::findings::{Finding, has_errors};
use crate::plan::{self, Bundle, Plan, PlanSettings};
use crate::rls::lint::{LintContext, lint, lint_design};

/// What a design means against a database.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// `None` when validation found errors.
    pub resolved: Option<ResolvedDesign>,
    /// `None` without a catalog, or when the design cannot be planned.
    pub plan: Option<Plan>,
    pub bundle: Option<Bundle>,
    /// Validation diagnostics, planner errors, plan notes and lint findings of the catalog
    /// as the plan leaves it; errors first, otherwise in the order produced.
    pub findings: Vec<Finding>,
}

impl Analysis {
    /// Whether any finding is an error (`lint` exits 4; apply asks first).
    pub fn has_errors(&self) -> bool {
        has_errors(&self.findings)
    }

    /// Whether the design could not be validated or planned (the CLI's exit 2).
    pub fn is_unplannable(&self) -> bool {
        self.resolved.is_none()
            || self
                .findings
                .iter()
                .any(|f| f.rule == crate::findings::PLAN_ERROR_RULE)
    }
}

/// Validates `design`, plans it against `catalog` (when there is one yet) and lints the
/// catalog as that plan would leave it.
pub fn analyse(design: &Design, catalog: Option<&Catalog>, settings: &PlanSettings) -> Analysis {
    let mut out = Analysis::default();
    let known = |s: &str, t: &str| catalog.is_some_and(|c| c.table(s, t).is_some());
    // What validation cannot see: a live table keyed by auth.users(id) is no duplicate of it.
    let relevant = |d: &&design::Diagnostic| {
        !catalog.is_some_and(|c| auth_keyed::is_needless_auth_shadow(design, c, d))
    };
    let resolved = match design::resolve_with_known_tables(design, &known) {
        Ok(resolved) => resolved,
        Err(diagnostics) => {
            out.findings.extend(
                diagnostics
                    .iter()
                    .filter(relevant)
                    .map(Finding::from_diagnostic),
            );
            return finish(out);
        }
    };
    out.findings.extend(
        resolved
            .warnings
            .iter()
            .filter(relevant)
            .map(Finding::from_diagnostic),
    );
    if let Some(catalog) = catalog {
        match plan::plan(&resolved, catalog, settings) {
            Ok(plan) => {
                out.findings
                    .extend(plan.notes.iter().map(|n| Finding::from_plan_note(n)));
                let changes = plan.changes();
                out.findings
                    .extend(crate::lock_limit::finding(catalog, &changes));
                out.findings
                    .extend(crate::migration_lint::lint_plan(&plan, catalog, settings));
                out.findings.extend(
                    lint_design(catalog, &resolved, &changes)
                        .iter()
                        .map(Finding::from_lint),
                );
                out.bundle = Some(plan.bundle());
                out.plan = Some(plan);
            }
            Err(errors) => out
                .findings
                .extend(errors.iter().map(Finding::from_plan_error)),
        }
    }
    out.resolved = Some(resolved);
    finish(out)
}

/// The live database alone, without a design: what `schemaforge lint` reports when given no
/// design file, and what the TUI shows before one is opened.
pub fn analyse_live(catalog: &Catalog) -> Analysis {
    finish(Analysis {
        findings: lint(catalog, &LintContext::live())
            .iter()
            .map(Finding::from_lint)
            .collect(),
        ..Analysis::default()
    })
}

fn finish(mut out: Analysis) -> Analysis {
    // Stable: within a severity, validation, then plan, then lint, as produced.
    out.findings.sort_by_key(|f| f.severity);
    out
}

pub mod auth_keyed;
#[cfg(test)]
mod memo_props;
#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Phase, Severity, Source};

    fn supabase() -> Catalog {
        crate::rls::lint::fixtures::supabase(Vec::new())
    }

    fn design(json: serde_json::Value) -> Design {
        design::parse(&json.to_string()).expect("parses").0
    }

    #[test]
    fn one_list_holds_validation_plan_and_lint_findings() {
        let d = design(serde_json::json!({"tables": [{
            "name": "Notes",
            "fields": [{"name": "title", "type": "singleLineText", "is_primary": true}],
            "rls_policies": [
                {"name": "meta", "operation": "UPDATE",
                 "using_expression": "(auth.jwt() -> 'user_metadata' ->> 'admin') = 'true'"}
            ]
        }]}));
        let a = analyse(&d, Some(&supabase()), &PlanSettings::default());
        assert!(a.plan.is_some() && a.bundle.is_some());
        let lint = a
            .findings
            .iter()
            .find(|f| f.rule == "rls_references_user_metadata")
            .expect("the linter ran on the planned catalog");
        assert_eq!(
            (lint.source, lint.severity, lint.phase),
            (Source::Lint, Severity::Error, Phase::Rls)
        );
        assert!(a.has_errors() && !a.is_unplannable());
        assert_eq!(a.findings[0].severity, Severity::Error, "errors first");
    }

    #[test]
    fn without_a_catalog_only_validation_runs() {
        let d = design(serde_json::json!({"tables": [
            {"name": "x", "fields": [{"name": "t", "type": "singleLineText"}]},
            {"name": "x", "fields": [{"name": "t", "type": "singleLineText"}]}
        ]}));
        let a = analyse(&d, None, &PlanSettings::default());
        assert!(a.resolved.is_none() && a.plan.is_none());
        assert!(a.is_unplannable());
        assert_eq!(a.findings[0].phase, Phase::Tables, "{:?}", a.findings);
        assert_eq!(a.findings[0].source, Source::Validation);
    }
}
