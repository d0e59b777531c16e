//! `CREATE INDEX` on a large table inside the bundle's transaction blocks every write while
//! it builds; `CONCURRENTLY` cannot run inside a transaction.

use crate::catalog::Change;
use crate::findings::Finding;
use crate::plan::Step;

use super::{Context, finding, rows};

pub const RULE: &str = "index_on_large_table_in_transaction";

pub(super) fn check(step: &Step, ctx: &Context) -> Option<Finding> {
    let Change::CreateIndex { name, .. } = &step.change else {
        return None;
    };
    if !ctx.large(step) {
        return None;
    }
    Some(finding(
        RULE,
        step,
        format!(
            "builds {name} on a large table ({}) inside the transaction: writes wait until it is done",
            rows(step)
        ),
        "create it with CREATE INDEX CONCURRENTLY before applying; the plan then skips it",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, QualifiedName};
    use crate::migration_lint::test_support::{ctx, on_table};

    fn index() -> Change {
        Change::CreateIndex {
            table: QualifiedName::new("public", "t"),
            name: "idx_t_c".into(),
            columns: vec!["c".into()],
            options: Default::default(),
        }
    }

    #[test]
    fn fires_on_a_large_table() {
        let catalog = Catalog::default();
        assert!(check(&on_table(index(), 50_000), &ctx(&catalog)).is_some());
    }

    #[test]
    fn quiet_on_a_small_or_new_table() {
        let catalog = Catalog::default();
        assert!(check(&on_table(index(), 999), &ctx(&catalog)).is_none());
        let mut new = on_table(index(), 50_000);
        new.on_existing_table = false;
        assert!(check(&new, &ctx(&catalog)).is_none());
    }
}
