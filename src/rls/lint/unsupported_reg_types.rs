//! `unsupported_reg_types`: columns of the `reg*` types that store object ids pg_upgrade
//! cannot carry over (all but `regclass`, `regrole` and `regtype`) block a major upgrade.

use crate::catalog::Table;

use super::{Finding, finding, table_object};

const BLOCKING: [&str; 8] = [
    "regcollation",
    "regconfig",
    "regdictionary",
    "regnamespace",
    "regoper",
    "regoperator",
    "regproc",
    "regprocedure",
];

pub(super) fn reg_type_rules(table: &Table, out: &mut Vec<Finding>) {
    for c in &table.columns {
        let base = c.data_type.trim_end_matches("[]");
        if !BLOCKING.contains(&base) {
            continue;
        }
        let object = format!("{}.{}", table_object(table), c.name);
        out.push(finding(
            "unsupported_reg_types",
            object.clone(),
            format!(
                "{object} is of type {}: pg_upgrade cannot carry its values over, so the project cannot move to a new major PostgreSQL version",
                c.data_type
            ),
            format!(
                "store the name instead: ALTER TABLE {} ALTER COLUMN {} TYPE text",
                crate::sql::qualified(&table.schema, &table.name),
                crate::sql::ident(&c.name)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{LintContext, lint};

    fn found(data_type: &str) -> usize {
        let mut t = table("public", "jobs");
        let mut c = column("handler", true, None);
        c.data_type = data_type.into();
        t.columns.push(c);
        lint(&catalog(vec![t]), &LintContext::live())
            .into_iter()
            .filter(|f| f.rule == "unsupported_reg_types")
            .count()
    }

    #[test]
    fn regproc_columns_are_reported() {
        assert_eq!(found("regproc"), 1);
        assert_eq!(found("regnamespace[]"), 1);
    }

    #[test]
    fn regclass_and_regtype_survive_an_upgrade() {
        assert_eq!(found("regclass"), 0);
        assert_eq!(found("regtype"), 0);
    }
}
