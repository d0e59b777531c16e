//! `autovacuum_disabled`: a table with `autovacuum_enabled = false` is never vacuumed or
//! analysed automatically: dead rows pile up, plans go stale, and transaction-id wraparound
//! eventually forces an emergency vacuum.

use crate::catalog::Table;

use super::{Finding, finding, table_object};

fn disabled(options: &[String]) -> Option<&str> {
    options.iter().find_map(|o| {
        let (key, value) = o.split_once('=')?;
        let off = matches!(
            value.to_ascii_lowercase().as_str(),
            "false" | "off" | "0" | "no"
        );
        (off && matches!(key, "autovacuum_enabled" | "toast.autovacuum_enabled")).then_some(key)
    })
}

pub(super) fn autovacuum_rules(table: &Table, out: &mut Vec<Finding>) {
    let Some(key) = disabled(&table.options) else {
        return;
    };
    let object = table_object(table);
    out.push(finding(
        "autovacuum_disabled",
        object.clone(),
        format!("{object} has {key} = false: it is never vacuumed or analysed automatically"),
        format!(
            "ALTER TABLE {} RESET ({key})",
            crate::sql::qualified(&table.schema, &table.name)
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{LintContext, lint};

    fn found(options: &[&str]) -> usize {
        let mut t = table("public", "events");
        t.options = options.iter().map(|o| (*o).to_owned()).collect();
        lint(&catalog(vec![t]), &LintContext::live())
            .into_iter()
            .filter(|f| f.rule == "autovacuum_disabled")
            .count()
    }

    #[test]
    fn autovacuum_switched_off_is_reported() {
        assert_eq!(found(&["autovacuum_enabled=false"]), 1);
    }

    #[test]
    fn other_options_are_fine() {
        assert_eq!(found(&["fillfactor=70", "autovacuum_enabled=true"]), 0);
    }
}
