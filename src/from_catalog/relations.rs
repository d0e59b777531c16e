//! Foreign keys back to relationships, and linking tables back to many-to-many ones — only
//! when the relationship model creates that very key (column `<name>_id`, the target's
//! one-column uuid key, the delete rule `cascade_delete`/`required` give, an index). Any other
//! foreign key stays as it is, its columns raw fields, with a note saying why.

use crate::catalog::{FkAction, ForeignKey, Table as LiveTable};
use crate::design::names::{fit_identifier, linking_table, relationship_column};
use crate::design::{OnDelete, Relationship};

use super::Context;
use super::system::System;

/// A linking table recognised as a many-to-many relationship.
pub(crate) struct Linking {
    pub table: String,
    pub relationship: Relationship,
}

/// The relationships of `live`'s foreign keys, and the columns they account for.
pub(crate) fn foreign_keys(
    ctx: &mut Context,
    live: &LiveTable,
    system: Option<&System>,
) -> (Vec<Relationship>, Vec<String>) {
    let mut relationships = Vec::new();
    let mut columns = Vec::new();
    for fk in &live.foreign_keys {
        if system.is_some_and(|s| s.created_by_fkey.as_deref() == Some(&fk.name)) {
            continue;
        }
        match relationship(ctx, live, system.is_some(), fk) {
            Ok(rel) => {
                columns.push(fk.columns[0].clone());
                relationships.push(rel);
            }
            Err(why) => ctx.note(
                &live.name,
                format!(
                    "foreign key {} ({}) → {}.{}: {why}; its columns are raw fields and the key is left as it is",
                    fk.name,
                    fk.columns.join(", "),
                    fk.references_schema,
                    fk.references_table
                ),
            ),
        }
    }
    (relationships, columns)
}

fn relationship(
    ctx: &Context,
    live: &LiveTable,
    has_system_fields: bool,
    fk: &ForeignKey,
) -> Result<Relationship, String> {
    let [column] = fk.columns.as_slice() else {
        return Err("a composite key is not a relationship".into());
    };
    let name = column
        .strip_suffix("_id")
        .filter(|n| !n.is_empty() && relationship_column(n) == *column)
        .ok_or("a relationship's column is named <name>_id")?;
    let col = live.column(column).ok_or("the column is not readable")?;
    if col.data_type != "uuid" {
        return Err(format!(
            "the column is {}; a relationship's column is a uuid",
            col.data_type
        ));
    }
    if col.default.is_some() || col.generated.is_some() {
        return Err("a relationship's column has no default and is not generated".into());
    }
    if !has_system_fields
        && live
            .primary_key
            .as_ref()
            .is_some_and(|k| k.columns.contains(column))
    {
        return Err("the column is part of the primary key".into());
    }
    let target = ctx
        .catalog
        .table(&fk.references_schema, &fk.references_table)
        .ok_or("the target is not readable")?;
    let key = target
        .primary_key
        .as_ref()
        .filter(|k| k.columns == fk.references_columns)
        .ok_or("it does not reference the target's primary key")?;
    if target.column(&key.columns[0]).map(|c| c.data_type.as_str()) != Some("uuid") {
        return Err("the target's key is not a uuid".into());
    }
    let (cascade_delete, on_delete, required) = match (fk.on_delete, col.nullable) {
        (FkAction::Cascade, nullable) => (true, None, !nullable),
        (FkAction::Restrict, false) => (false, None, true),
        // An optional relationship that restricts says so outright.
        (FkAction::Restrict, true) => (false, Some(OnDelete::Restrict), false),
        (FkAction::SetNull, true) => (false, None, false),
        (action, nullable) => {
            return Err(format!(
                "ON DELETE {} on a {} column is not a relationship's rule (CASCADE, RESTRICT, or SET NULL when optional)",
                action.sql(),
                if nullable { "nullable" } else { "NOT NULL" }
            ));
        }
    };
    let one_to_one = live
        .unique_constraints
        .iter()
        .any(|k| k.columns == [column.as_str()]);
    let indexed = live
        .indexes
        .iter()
        .any(|i| i.columns.first() == Some(column) && !i.definition.contains(" WHERE "));
    if !one_to_one && !indexed {
        return Err("the column has no index (a relationship always has one)".into());
    }
    if col.comment.is_some() {
        return Err("a relationship's column has no comment in the design".into());
    }
    Ok(Relationship {
        table: live.name.clone(),
        name: name.to_owned(),
        target: ctx.reference(&fk.references_schema, &fk.references_table),
        allow_multiple: false,
        one_to_one,
        cascade_delete,
        on_delete,
        required,
    })
}

/// The tables that are linking tables exactly as a many-to-many relationship creates them.
pub(crate) fn linking_tables(ctx: &mut Context, tables: &[&LiveTable]) -> Vec<Linking> {
    let mut found = Vec::new();
    for live in tables {
        if let Some(rel) = linking(ctx, live) {
            found.push(Linking {
                table: live.name.clone(),
                relationship: rel,
            });
        }
    }
    found
}

fn linking(ctx: &Context, live: &LiveTable) -> Option<Relationship> {
    let key = live.primary_key.as_ref()?;
    let [a, b] = key.columns.as_slice() else {
        return None;
    };
    let names: Vec<&str> = live.columns.iter().map(|c| c.name.as_str()).collect();
    if names != [a.as_str(), b.as_str(), "created_at", "created_by"] {
        return None;
    }
    let fk = |column: &str| {
        live.foreign_keys
            .iter()
            .find(|f| f.columns == [column] && f.on_delete == FkAction::Cascade)
    };
    let (source_fk, target_fk) = (fk(a)?, fk(b)?);
    let source = source_fk.references_table.as_str();
    if source_fk.references_schema != ctx.schema
        || !ctx.designed.contains(source)
        || source_fk.references_columns != ["id"]
    {
        return None;
    }
    let source_live = ctx.catalog.table(ctx.schema, source)?;
    super::system::recognise(ctx, source_live)?;
    let target_name = target_fk.references_table.as_str();
    let target_live = ctx
        .catalog
        .table(&target_fk.references_schema, target_name)?;
    let target_key = target_live.primary_key.as_ref()?;
    if target_key.columns != target_fk.references_columns {
        return None;
    }
    if live.name != linking_table(source, target_name)
        || *a != fit_identifier(&format!("{source}_id"))
    {
        return None;
    }
    let plain_target = fit_identifier(&format!("{target_name}_id"));
    let name = if plain_target != *a {
        (*b == plain_target).then(|| target_name.to_owned())?
    } else {
        let name = b.strip_suffix("_id")?;
        (relationship_column(name) == *b).then(|| name.to_owned())?
    };
    if ctx.catalog.flavour.supabase {
        let owners = live.policy("Owners manage their links")?;
        let created_by = live.foreign_keys.iter().any(|f| {
            f.columns == ["created_by"]
                && f.references_schema == "auth"
                && f.references_table == "users"
        });
        let indexed = |c: &str| {
            live.indexes
                .iter()
                .any(|i| i.columns.first().is_some_and(|f| f == c))
        };
        if !live.rls_enabled
            || owners.command != crate::catalog::PolicyCommand::All
            || !created_by
            || !indexed("created_by")
            || !indexed(b)
        {
            return None;
        }
    }
    Some(Relationship {
        table: source.to_owned(),
        name,
        target: ctx.reference(&target_fk.references_schema, target_name),
        allow_multiple: true,
        one_to_one: false,
        cascade_delete: false,
        on_delete: None,
        required: false,
    })
}
