//! `invalid_index`: an index left invalid by a failed `CREATE INDEX CONCURRENTLY` is never
//! used by a query, yet every write still maintains it (and a unique one still refuses
//! duplicates), so it costs without helping until it is rebuilt or dropped.

use crate::catalog::Table;

use super::{Finding, finding, table_object};

pub(super) fn invalid_index_rules(table: &Table, out: &mut Vec<Finding>) {
    for index in table.indexes.iter().filter(|i| i.invalid) {
        let object = format!("{}.{}", table_object(table), index.name);
        out.push(finding(
            "invalid_index",
            object,
            format!(
                "the index {} on {} is invalid (a failed concurrent build): queries never use it, writes still maintain it",
                index.name,
                table_object(table)
            ),
            format!(
                "REINDEX INDEX CONCURRENTLY {}",
                crate::sql::qualified(&table.schema, &index.name)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{LintContext, lint};

    fn found(invalid: bool) -> Vec<String> {
        let mut t = table("public", "events");
        let mut i = index("events_kind_idx", "public", "events", "kind", false);
        i.invalid = invalid;
        t.indexes.push(i);
        lint(&catalog(vec![t]), &LintContext::live())
            .into_iter()
            .filter(|f| f.rule == "invalid_index")
            .map(|f| f.object)
            .collect()
    }

    #[test]
    fn an_invalid_index_is_reported() {
        assert_eq!(found(true), ["public.events.events_kind_idx"]);
    }

    #[test]
    fn a_valid_index_is_fine() {
        assert!(found(false).is_empty());
    }
}
