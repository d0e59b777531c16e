//! A constraint added in full on a large table: the whole table is scanned while writes (or,
//! for CHECK and UNIQUE, reads too) wait. CHECK and FOREIGN KEY have a `NOT VALID` form the
//! planner uses on large tables; UNIQUE does not.

use crate::catalog::Change;
use crate::catalog::change::ConstraintDef;
use crate::findings::Finding;
use crate::plan::Step;

use super::{Context, finding, rows};

pub const RULE: &str = "constraint_without_not_valid";

pub(super) fn check(step: &Step, ctx: &Context) -> Option<Finding> {
    let Change::AddConstraint { constraint, .. } = &step.change else {
        return None;
    };
    if !ctx.large(step) {
        return None;
    }
    let (name, remedy) = match constraint {
        ConstraintDef::Unique { name, .. } => (
            name,
            "build a unique index CONCURRENTLY outside the transaction first, then add the constraint USING INDEX",
        ),
        ConstraintDef::Check { name, .. } | ConstraintDef::ForeignKey { name, .. } => {
            (name, "add it NOT VALID, then VALIDATE CONSTRAINT")
        }
        ConstraintDef::PrimaryKey { name, .. } => (
            name,
            "build a unique index CONCURRENTLY first, then add the key USING INDEX",
        ),
    };
    Some(finding(
        RULE,
        step,
        format!(
            "adds {name} in full to a large table ({}): every row is checked under a lock",
            rows(step)
        ),
        remedy,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, QualifiedName};
    use crate::migration_lint::test_support::{ctx, on_table};

    fn unique() -> Change {
        Change::AddConstraint {
            table: QualifiedName::new("public", "t"),
            constraint: ConstraintDef::Unique {
                name: "t_c_key".into(),
                columns: vec!["c".into()],
            },
        }
    }

    #[test]
    fn fires_on_a_large_table() {
        let catalog = Catalog::default();
        let f = check(&on_table(unique(), 1_000_000), &ctx(&catalog)).expect("a finding");
        assert!(f.remedy.contains("CONCURRENTLY"), "{}", f.remedy);
    }

    #[test]
    fn quiet_on_a_small_table_and_for_not_valid() {
        let catalog = Catalog::default();
        assert!(check(&on_table(unique(), 10), &ctx(&catalog)).is_none());
        let not_valid = Change::AddConstraintNotValid {
            table: QualifiedName::new("public", "t"),
            constraint: ConstraintDef::Check {
                name: "t_c_check".into(),
                expression: "c > 0".into(),
            },
        };
        assert!(check(&on_table(not_valid, 1_000_000), &ctx(&catalog)).is_none());
    }
}
