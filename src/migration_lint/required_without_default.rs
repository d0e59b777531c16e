//! A required column without a default, added to a table that has rows: every existing row
//! breaks NOT NULL, so the apply fails.

use crate::catalog::Change;
use crate::findings::Finding;
use crate::plan::Step;

use super::{Context, finding, rows};

pub const RULE: &str = "adding_required_field_without_default";

pub(super) fn check(step: &Step, _: &Context) -> Option<Finding> {
    let Change::AddColumn { column, .. } = &step.change else {
        return None;
    };
    let required = column.not_null && column.default.is_none() && column.generated.is_none();
    if !required || !step.on_existing_table || step.rows == Some(0) {
        return None;
    }
    Some(finding(
        RULE,
        step,
        format!(
            "adds the required column {} without a default to a table with {}",
            column.name,
            rows(step)
        ),
        "give it a default, or add it optional, fill it, then require it",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::change::ColumnDef;
    use crate::catalog::{Catalog, QualifiedName};
    use crate::migration_lint::test_support::{ctx, on_table};

    fn add(not_null: bool, default: Option<&str>) -> Change {
        Change::AddColumn {
            table: QualifiedName::new("public", "t"),
            column: ColumnDef {
                name: "c".into(),
                sql_type: "text".into(),
                data_type: "text".into(),
                default: default.map(str::to_owned),
                generated: None,
                not_null,
                constraints: Vec::new(),
            },
        }
    }

    #[test]
    fn fires_on_a_required_column_without_default_on_rows() {
        let catalog = Catalog::default();
        let f = check(&on_table(add(true, None), 12), &ctx(&catalog)).expect("a finding");
        assert_eq!(f.rule, RULE);
        assert!(f.message.contains("about 12 rows"), "{}", f.message);
    }

    #[test]
    fn quiet_with_a_default_optional_or_on_an_empty_table() {
        let catalog = Catalog::default();
        assert!(check(&on_table(add(true, Some("''")), 12), &ctx(&catalog)).is_none());
        assert!(check(&on_table(add(false, None), 12), &ctx(&catalog)).is_none());
        assert!(check(&on_table(add(true, None), 0), &ctx(&catalog)).is_none());
    }
}
