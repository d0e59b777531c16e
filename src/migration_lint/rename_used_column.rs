//! Renaming a column that views or policies use: PostgreSQL follows the rename inside them,
//! but every client, function body and saved query that names the old column breaks.

use crate::catalog::Change;
use crate::findings::Finding;
use crate::plan::Step;

use super::{Context, finding};

pub const RULE: &str = "renaming_used_column";

pub(super) fn check(step: &Step, ctx: &Context) -> Option<Finding> {
    let Change::RenameColumn { table, from, to } = &step.change else {
        return None;
    };
    let mentions = |text: &str| {
        crate::sql_tokens::tokens(text).is_ok_and(|tokens| {
            tokens.iter().any(|(t, _)| {
            matches!(t, sqlparser::tokenizer::Token::Word(w) if w.value.eq_ignore_ascii_case(from))
        })
        })
    };
    let mut users: Vec<String> = Vec::new();
    if let Some(live) = ctx.catalog.table(&table.schema, &table.name) {
        for policy in &live.policies {
            let texts = [policy.using.as_deref(), policy.with_check.as_deref()];
            if texts.into_iter().flatten().any(mentions) {
                users.push(format!("policy \"{}\"", policy.name));
            }
        }
    }
    for view in ctx.catalog.tables.iter().filter(|t| t.is_view()) {
        if view.view_definition.as_deref().is_some_and(mentions) {
            users.push(format!("view {}.{}", view.schema, view.name));
        }
    }
    if users.is_empty() {
        return None;
    }
    Some(finding(
        RULE,
        step,
        format!(
            "renames {from} to {to}, which {} use{}: they follow the rename, clients that name {from} break",
            users.join(", "),
            if users.len() == 1 { "s" } else { "" }
        ),
        "update the clients in the same release, or add the new column and keep the old one until they move",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, Policy, PolicyCommand, QualifiedName, Table, TableKind};
    use crate::migration_lint::test_support::{ctx, on_table};

    fn rename() -> Change {
        Change::RenameColumn {
            table: QualifiedName::new("public", "t"),
            from: "owner".into(),
            to: "owner_id".into(),
        }
    }

    fn catalog(using: &str) -> Catalog {
        let mut t = Table::new("public", "t", TableKind::Table);
        t.policies.push(Policy {
            name: "own".into(),
            command: PolicyCommand::Select,
            permissive: true,
            roles: vec!["authenticated".into()],
            using: Some(using.into()),
            with_check: None,
        });
        Catalog {
            tables: vec![t],
            ..Catalog::default()
        }
    }

    #[test]
    fn fires_when_a_policy_reads_the_column() {
        let catalog = catalog("(owner = auth.uid())");
        let f = check(&on_table(rename(), 0), &ctx(&catalog)).expect("a finding");
        assert!(f.message.contains("policy \"own\""), "{}", f.message);
    }

    #[test]
    fn quiet_when_nothing_reads_it() {
        let catalog = catalog("(created_by = auth.uid())");
        assert!(check(&on_table(rename(), 0), &ctx(&catalog)).is_none());
    }
}
