//! Recognising the system fields: the five columns, the key on `id`, `created_by`'s foreign
//! key and index, and the updated-at trigger with its helper — all of it, or the table is
//! one without system fields and every column is a field of its own.

use crate::catalog::{FkAction, Table as LiveTable};
use crate::design::SYSTEM_FIELDS;
use crate::plan::triggers::{UPDATED_FUNCTION, UPDATED_TRIGGER};

use super::Context;

/// What the system fields of a live table account for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct System {
    /// `created_by`'s foreign key to `auth.users`, when the database has auth.
    pub created_by_fkey: Option<String>,
    pub created_by_index: Option<String>,
}

/// The system fields of `live`, when it has every one of them as the planner makes them.
pub(crate) fn recognise(ctx: &Context, live: &LiveTable) -> Option<System> {
    for field in &SYSTEM_FIELDS {
        let column = live.column(field.db_name)?;
        if column.data_type != field.pg_type.format_type()
            || column.nullable != field.nullable
            || column.generated.is_some()
            || column.identity.is_some()
        {
            return None;
        }
    }
    if live.primary_key.as_ref()?.columns != ["id"] {
        return None;
    }
    let trigger = live.trigger(UPDATED_TRIGGER)?;
    if trigger.function != UPDATED_FUNCTION
        || ctx
            .catalog
            .functions_named(ctx.schema, UPDATED_FUNCTION)
            .next()
            .is_none()
    {
        return None;
    }
    if !ctx.catalog.flavour.supabase {
        return Some(System {
            created_by_fkey: None,
            created_by_index: None,
        });
    }
    let fkey = live
        .foreign_keys
        .iter()
        .find(|f| f.columns == ["created_by"])?;
    if fkey.references_schema != "auth"
        || fkey.references_table != "users"
        || fkey.on_delete != FkAction::SetNull
    {
        return None;
    }
    let index = live
        .indexes
        .iter()
        .find(|i| i.columns == ["created_by"])
        .or_else(|| {
            live.indexes
                .iter()
                .find(|i| i.columns.first().is_some_and(|c| c == "created_by"))
        })?;
    Some(System {
        created_by_fkey: Some(fkey.name.clone()),
        created_by_index: Some(index.name.clone()),
    })
}
