//! Changing a column's type rewrites the whole table under an ACCESS EXCLUSIVE lock: nothing
//! reads or writes it until the transaction ends.

use crate::catalog::Change;
use crate::findings::Finding;
use crate::plan::Step;

use super::{Context, finding, rows};

pub const RULE: &str = "changing_column_type";

pub(super) fn check(step: &Step, _: &Context) -> Option<Finding> {
    let Change::AlterColumnType {
        column, data_type, ..
    } = &step.change
    else {
        return None;
    };
    if !step.on_existing_table || step.rows == Some(0) {
        return None;
    }
    Some(finding(
        RULE,
        step,
        format!(
            "changes {column} to {data_type}: the table ({}) is rewritten and locked for reads and writes meanwhile",
            rows(step)
        ),
        "apply at a quiet time, or add a new column, backfill it and switch over",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, QualifiedName};
    use crate::migration_lint::test_support::{ctx, on_table};

    fn change() -> Change {
        Change::AlterColumnType {
            table: QualifiedName::new("public", "t"),
            column: "n".into(),
            sql_type: "bigint".into(),
            data_type: "bigint".into(),
            using: "\"n\"::bigint".into(),
            narrowing: false,
        }
    }

    #[test]
    fn fires_on_a_table_with_rows() {
        let catalog = Catalog::default();
        let f = check(&on_table(change(), 5000), &ctx(&catalog)).expect("a finding");
        assert!(f.message.contains("rewritten"), "{}", f.message);
    }

    #[test]
    fn quiet_on_an_empty_table_and_other_steps() {
        let catalog = Catalog::default();
        assert!(check(&on_table(change(), 0), &ctx(&catalog)).is_none());
        let other = Change::DropDefault {
            table: QualifiedName::new("public", "t"),
            column: "n".into(),
        };
        assert!(check(&on_table(other, 5000), &ctx(&catalog)).is_none());
    }
}
