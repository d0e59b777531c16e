//! The updated-at/by helper and its trigger on every designed table, and trigger fields.

use crate::design::{FieldKind, ForEach, Timing, TriggerAction, TriggerEvent, TriggerSpec};
use crate::sql::ident;

use super::{Planner, Section, Step, StepKind};

/// The helper every designed table's BEFORE UPDATE trigger calls.
pub const UPDATED_FUNCTION: &str = "schemaforge_set_updated_fields";
/// The name of that trigger on each table.
pub const UPDATED_TRIGGER: &str = "set_updated_fields";

/// Creates the helper once, unless the database already has it. `OR REPLACE`, so a
/// migration exported from this plan still applies where the helper appeared meanwhile.
pub(super) fn helpers(p: &mut Planner) {
    if p.design.tables.is_empty()
        || p.catalog
            .functions_named(p.schema, UPDATED_FUNCTION)
            .next()
            .is_some()
    {
        return;
    }
    let updated_by = if p.has_auth() {
        "\n  NEW.updated_by := auth.uid();"
    } else {
        ""
    };
    let sql = format!(
        "CREATE OR REPLACE FUNCTION {}() RETURNS trigger\nLANGUAGE plpgsql\nSET search_path = ''\nAS $function$\nBEGIN\n  NEW.updated_at := now();{updated_by}\n  RETURN NEW;\nEND\n$function$",
        p.q(UPDATED_FUNCTION)
    );
    p.push(Step::new(
        Section::Helpers,
        StepKind::CreateFunction,
        p.object(UPDATED_FUNCTION),
        sql,
    ));
}

pub(super) fn plan_triggers(p: &mut Planner) {
    for table in &p.design.tables {
        let name = table.db_name.as_str();
        let live = p.live(name);
        if live.is_none_or(|l| l.trigger(UPDATED_TRIGGER).is_none()) {
            let sql = format!(
                "CREATE TRIGGER {} BEFORE UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION {}()",
                ident(UPDATED_TRIGGER),
                p.q(name),
                p.q(UPDATED_FUNCTION)
            );
            p.push(Step::new(
                Section::Triggers,
                StepKind::CreateTrigger,
                format!("{}.{UPDATED_TRIGGER}", p.object(name)),
                sql,
            ));
        }
        for field in &table.fields {
            let FieldKind::Trigger(spec) = &field.kind else {
                continue;
            };
            if live.is_some_and(|l| l.trigger(&spec.name).is_some()) {
                continue;
            }
            trigger_field(p, name, spec);
        }
    }
}

/// A dollar-quote tag that does not occur in `body`.
fn dollar_tag(body: &str) -> String {
    (0..)
        .map(|i| {
            if i == 0 {
                "$body$".to_owned()
            } else {
                format!("$body{i}$")
            }
        })
        .find(|tag| !body.contains(tag.as_str()))
        .expect("some tag is free")
}

fn trigger_field(p: &mut Planner, table: &str, spec: &TriggerSpec) {
    let function = match &spec.action {
        TriggerAction::Function(reference) => reference.call_sql(p.schema),
        TriggerAction::Body { function, body } => {
            let tag = dollar_tag(body);
            let exists = p
                .catalog
                .functions_named(p.schema, function)
                .next()
                .is_some();
            if !exists {
                let sql = format!(
                    "CREATE FUNCTION {}() RETURNS trigger\nLANGUAGE plpgsql\nSET search_path = ''\nAS {tag}\n{}\n{tag}",
                    p.q(function),
                    body.trim()
                );
                p.push(Step::new(
                    Section::Triggers,
                    StepKind::CreateFunction,
                    p.object(function),
                    sql,
                ));
            }
            format!("{}()", p.q(function))
        }
    };
    let timing = match spec.timing {
        Timing::Before => "BEFORE",
        Timing::After => "AFTER",
    };
    let events: Vec<&str> = spec
        .events
        .iter()
        .map(|e| match e {
            TriggerEvent::Insert => "INSERT",
            TriggerEvent::Update => "UPDATE",
            TriggerEvent::Delete => "DELETE",
        })
        .collect();
    let each = match spec.for_each {
        ForEach::Row => "ROW",
        ForEach::Statement => "STATEMENT",
    };
    let sql = format!(
        "CREATE TRIGGER {} {timing} {} ON {} FOR EACH {each} EXECUTE FUNCTION {function}",
        ident(&spec.name),
        events.join(" OR "),
        p.q(table)
    );
    p.push(Step::new(
        Section::Triggers,
        StepKind::CreateTrigger,
        format!("{}.{}", p.object(table), spec.name),
        sql,
    ));
}
