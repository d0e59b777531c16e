//! A live table with schemaforge's soft delete trigger reads back as `soft_delete: true`:
//! the column, the hiding policy and the partial index it made leave the design again, so
//! planning the design read back finds nothing to do.

use crate::catalog::Table as LiveTable;
use crate::design::Table;
use crate::design::names::{SOFT_DELETE_COLUMN, SOFT_DELETE_POLICY, soft_delete_index};
use crate::plan::soft_delete::{SOFT_DELETE_FUNCTION, SOFT_DELETE_TRIGGER};

use super::Context;

/// Whether `trigger` is the one soft delete creates (in the design's schema).
pub(super) fn is_soft_delete_trigger(ctx: &Context, trigger: &crate::catalog::Trigger) -> bool {
    trigger.name == SOFT_DELETE_TRIGGER
        && trigger.function == SOFT_DELETE_FUNCTION
        && trigger.function_schema == ctx.schema
}

pub(super) fn recognise(ctx: &Context, live: &LiveTable, table: &mut Table) {
    if !live.triggers.iter().any(|t| is_soft_delete_trigger(ctx, t)) {
        return;
    }
    table.soft_delete = true;
    table.fields.retain(|f| !f.has_db_name(SOFT_DELETE_COLUMN));
    table.rls_policies.retain(|p| p.name != SOFT_DELETE_POLICY);
    let lookup: Vec<String> = if table.system_fields {
        vec!["created_by".into()]
    } else {
        live.primary_key
            .as_ref()
            .map(|k| k.columns.clone())
            .unwrap_or_default()
    };
    let index = soft_delete_index(&live.name, &lookup);
    table.indexes.retain(|i| {
        let columns: Vec<String> = i.columns.clone();
        i.name.as_deref() != Some(index.as_str())
            && !(i.name.is_none() && soft_delete_index(&live.name, &columns) == index)
    });
}
