//! The RLS linter: pure, over a [`Catalog`] — the live one, or the live one as a plan's typed
//! changes leave it ([`Catalog::apply`]) so a design is judged before anything is applied.
//!
//! Rule names follow Supabase's own database linter where one exists, so a finding here
//! and one in the Supabase dashboard read the same. Table rules skip the schemas Supabase
//! manages (`auth`, `storage`, …): those are not the user's to fix.

mod api_relations;
mod auth_users_exposed;
mod autovacuum_disabled;
mod definer_functions;
mod extension_in_public;
mod fkey_to_auth_unique;
mod graphql_exposed;
mod invalid_index;
mod null_auth_disjunct;
mod policies;
mod policy_column_unindexed;
mod recursion;
mod references;
mod schema;
pub mod search_path;
mod sensitive_columns;
mod unsupported_reg_types;

use serde::Serialize;

use crate::catalog::{Catalog, PolicyCommand, QualifiedName, Table};

/// How bad a finding is; `error` makes `schemaforge lint` exit 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warn,
    Info,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
        }
    }
}

/// One finding: a rule, where it applies, what is wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub level: Level,
    /// `schema.table`, `schema.table.policy`, or `schema.function(args)`.
    pub object: String,
    pub message: String,
    pub remedy: String,
}

/// Every rule, with its level: the README table and the TUI's help read this.
pub const RULES: [(&str, Level); 32] = [
    ("rls_disabled_in_public", Level::Error),
    ("policy_exists_rls_disabled", Level::Error),
    ("rls_enabled_no_policy", Level::Info),
    ("auth_rls_initplan", Level::Warn),
    ("multiple_permissive_policies", Level::Warn),
    ("rls_policy_always_true", Level::Warn),
    ("rls_references_user_metadata", Level::Error),
    ("invented_jwt_claim", Level::Warn),
    ("policy_unknown_column", Level::Error),
    ("policy_requires_client_field", Level::Warn),
    ("unindexed_foreign_keys", Level::Info),
    ("no_primary_key", Level::Info),
    ("duplicate_index", Level::Warn),
    ("security_definer_view", Level::Error),
    ("function_search_path_mutable", Level::Warn),
    ("policy_unreadable", Level::Warn),
    ("anon_security_definer_function_executable", Level::Warn),
    (
        "authenticated_security_definer_function_executable",
        Level::Warn,
    ),
    ("policy_recursion", Level::Error),
    ("extension_in_public", Level::Warn),
    ("auth_users_exposed", Level::Error),
    ("materialized_view_in_api", Level::Warn),
    ("foreign_table_in_api", Level::Warn),
    ("unsupported_reg_types", Level::Warn),
    ("fkey_to_auth_unique", Level::Error),
    ("sensitive_columns_exposed", Level::Error),
    ("rls_policy_null_auth_disjunct", Level::Warn),
    ("pg_graphql_anon_table_exposed", Level::Info),
    ("pg_graphql_authenticated_table_exposed", Level::Info),
    ("autovacuum_disabled", Level::Info),
    ("invalid_index", Level::Warn),
    ("rls_column_unindexed", Level::Info),
];

/// What the catalog alone cannot say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LintContext {
    /// Schemas PostgREST serves: `public` plus the design's schema.
    pub exposed_schemas: Vec<String>,
    /// Tables the design marks as public reference data (readable by all, may skip RLS).
    pub public_reference: Vec<QualifiedName>,
}

impl LintContext {
    /// The live database alone: only `public` is taken as exposed.
    pub fn live() -> LintContext {
        LintContext {
            exposed_schemas: vec!["public".into()],
            public_reference: Vec::new(),
        }
    }

    /// `public` and the design's schema are exposed; the design's reference tables are marked.
    pub fn for_design(design: &crate::design::ResolvedDesign) -> LintContext {
        let mut exposed = vec!["public".to_owned()];
        if design.schema != "public" {
            exposed.push(design.schema.clone());
        }
        LintContext {
            exposed_schemas: exposed,
            public_reference: design
                .tables
                .iter()
                .filter(|t| t.public_reference)
                .map(|t| QualifiedName {
                    schema: design.schema.clone(),
                    name: t.db_name.clone(),
                })
                .collect(),
        }
    }

    pub fn is_exposed(&self, schema: &str) -> bool {
        self.exposed_schemas.iter().any(|s| s == schema)
    }
}

/// Lints a catalog. Findings come errors first, then by rule and object.
pub fn lint(catalog: &Catalog, context: &LintContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for table in catalog
        .tables
        .iter()
        .filter(|t| !catalog.is_managed(&t.schema))
    {
        schema::table_rules(context, table, &mut findings);
        policies::policy_rules(catalog, table, &mut findings);
        recursion::recursion_rules(catalog, table, &mut findings);
        api_relations::api_relation_rules(catalog, context, table, &mut findings);
        auth_users_exposed::auth_users_rules(catalog, context, table, &mut findings);
        unsupported_reg_types::reg_type_rules(table, &mut findings);
        fkey_to_auth_unique::fkey_rules(catalog, table, &mut findings);
        sensitive_columns::sensitive_column_rules(catalog, context, table, &mut findings);
        null_auth_disjunct::null_auth_rules(table, &mut findings);
        graphql_exposed::graphql_rules(catalog, table, &mut findings);
        autovacuum_disabled::autovacuum_rules(table, &mut findings);
        invalid_index::invalid_index_rules(table, &mut findings);
        policy_column_unindexed::unindexed_policy_column_rules(table, &mut findings);
    }
    search_path::function_rules(catalog, &mut findings);
    definer_functions::definer_rules(catalog, &mut findings);
    extension_in_public::extension_rules(catalog, &mut findings);
    findings.sort_by(|a, b| {
        (a.level, a.rule, &a.object, &a.message).cmp(&(b.level, b.rule, &b.object, &b.message))
    });
    findings
}

/// Lints the database as a plan's typed changes would leave it.
pub fn lint_design(
    catalog: &Catalog,
    design: &crate::design::ResolvedDesign,
    changes: &[crate::catalog::Change],
) -> Vec<Finding> {
    lint(&catalog.apply(changes), &LintContext::for_design(design))
}

/// Whether any finding is an error (the CLI's exit 4).
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.level == Level::Error)
}

pub(crate) fn table_object(table: &Table) -> String {
    format!("{}.{}", table.schema, table.name)
}

pub(crate) fn finding(
    rule: &'static str,
    object: String,
    message: String,
    remedy: String,
) -> Finding {
    let level = RULES
        .iter()
        .find(|(name, _)| *name == rule)
        .map_or(Level::Warn, |(_, level)| *level);
    Finding {
        rule,
        level,
        object,
        message,
        remedy,
    }
}

/// The commands a policy command covers (`ALL` is all four).
pub(crate) fn commands(command: PolicyCommand) -> &'static [PolicyCommand] {
    match command {
        PolicyCommand::All => &[
            PolicyCommand::Select,
            PolicyCommand::Insert,
            PolicyCommand::Update,
            PolicyCommand::Delete,
        ],
        PolicyCommand::Select => &[PolicyCommand::Select],
        PolicyCommand::Insert => &[PolicyCommand::Insert],
        PolicyCommand::Update => &[PolicyCommand::Update],
        PolicyCommand::Delete => &[PolicyCommand::Delete],
    }
}

/// Whether `role` may read `table` through a grant to itself, PUBLIC, or a role it inherits.
pub(crate) fn can_select(catalog: &Catalog, table: &Table, role: &str) -> bool {
    catalog
        .roles_reaching(role)
        .iter()
        .any(|r| table.has_privilege(r, "SELECT"))
}

/// The API roles that may read `table`.
pub(crate) fn api_readers(catalog: &Catalog, table: &Table) -> Vec<&'static str> {
    ["anon", "authenticated"]
        .into_iter()
        .filter(|r| can_select(catalog, table, r))
        .collect()
}

/// Whether a policy's role list reaches `role` (`public` reaches everyone).
pub(crate) fn applies_to(roles: &[String], role: &str) -> bool {
    roles
        .iter()
        .any(|r| r == role || r.eq_ignore_ascii_case("public"))
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
