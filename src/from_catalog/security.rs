//! Row-level security, policies and triggers of a live table, as the design holds them.

use crate::catalog::{Policy as LivePolicy, PolicyCommand, Table as LiveTable, Trigger};
use crate::design::names::{NameKind, derive_db_name, trigger_name};
use crate::design::{
    Field, FieldOptions, FieldType, ForEach, Operation, Policy, Table, Timing, TriggerEvent,
    parse_function_ref,
};
use crate::plan::audit::{AUDIT_FUNCTION, AUDIT_TRIGGER};
use crate::plan::triggers::UPDATED_TRIGGER;
use crate::rls::expr::same_expression;

use super::Context;

/// RLS on or off, and every policy with its roles and expressions as the server prints them.
pub(crate) fn rls(ctx: &mut Context, live: &LiveTable, table: &mut Table) {
    table.rls_enabled = live.rls_enabled;
    table.rls_policies = live.policies.iter().map(policy).collect();
    // Reference data as the planner leaves it: no RLS, everyone reads, nobody writes.
    let writes = ["INSERT", "UPDATE", "DELETE"];
    table.public_reference = !live.rls_enabled
        && live.has_privilege("anon", "SELECT")
        && live.has_privilege("authenticated", "SELECT")
        && !writes
            .iter()
            .any(|w| live.has_privilege("authenticated", w));
    if table.public_reference || ctx.catalog.role("authenticated").is_none() {
        return;
    }
    let missing: Vec<&str> = ["SELECT", "INSERT", "UPDATE", "DELETE"]
        .into_iter()
        .filter(|p| !live.has_privilege("authenticated", p))
        .collect();
    if !missing.is_empty() {
        ctx.note(
            &live.name,
            format!(
                "authenticated lacks {} on it; a plan of this design grants them (every designed table gets them)",
                missing.join(", ")
            ),
        );
    }
}

pub(crate) fn policy(live: &LivePolicy) -> Policy {
    let operation = match live.command {
        PolicyCommand::All => Operation::All,
        PolicyCommand::Select => Operation::Select,
        PolicyCommand::Insert => Operation::Insert,
        PolicyCommand::Update => Operation::Update,
        PolicyCommand::Delete => Operation::Delete,
    };
    // UPDATE and ALL check new rows with USING when they have no WITH CHECK: saying it again
    // adds nothing.
    let with_check = match (&live.using, &live.with_check) {
        (Some(using), Some(check))
            if matches!(operation, Operation::Update | Operation::All)
                && same_expression(using, check) =>
        {
            None
        }
        (_, check) => check.clone(),
    };
    Policy {
        using_expression: live.using.clone(),
        with_check_expression: with_check,
        roles: live.roles.clone(),
        permissive: live.permissive,
        ..Policy::new(live.name.clone(), operation)
    }
}

/// Trigger fields for the triggers a trigger field would create; a note for the others.
pub(crate) fn triggers(ctx: &mut Context, live: &LiveTable, table: &mut Table) {
    for trigger in &live.triggers {
        if table.system_fields && trigger.name == UPDATED_TRIGGER {
            continue;
        }
        if trigger.name == AUDIT_TRIGGER
            && trigger.function == AUDIT_FUNCTION
            && trigger.function_schema == ctx.schema
        {
            table.audit = true;
            continue;
        }
        if super::soft_delete::is_soft_delete_trigger(ctx, trigger) {
            // Read back as the table's `soft_delete`.
            continue;
        }
        match trigger_field(live, trigger) {
            Some(field) if trigger.enabled => table.fields.push(field),
            _ => ctx.note(
                &live.name,
                format!(
                    "trigger {} is not a trigger field the design can hold; left as it is ({})",
                    trigger.name, trigger.definition
                ),
            ),
        }
    }
}

/// `CREATE TRIGGER <table>_<field>_trigger BEFORE|AFTER ev [OR ev…] ON t FOR EACH ROW|STATEMENT
/// EXECUTE FUNCTION f(args)`, and nothing else (no WHEN, no UPDATE OF, no REFERENCING).
fn trigger_field(live: &LiveTable, trigger: &Trigger) -> Option<Field> {
    let field_name = trigger
        .name
        .strip_prefix(&format!("{}_", live.name))?
        .strip_suffix("_trigger")?;
    if field_name.is_empty() || trigger_name(&live.name, field_name) != trigger.name {
        return None;
    }
    let rest = trigger
        .definition
        .split_once(&format!("{} ", trigger.name))?
        .1;
    let (head, call) = rest.split_once(" EXECUTE FUNCTION ")?;
    let (timing_events, each) = head.split_once(" ON ")?;
    let (timing, events) = timing_events.split_once(' ')?;
    let timing = match timing {
        "BEFORE" => Timing::Before,
        "AFTER" => Timing::After,
        _ => return None,
    };
    let events = events
        .split(" OR ")
        .map(|e| match e {
            "INSERT" => Some(TriggerEvent::Insert),
            "UPDATE" => Some(TriggerEvent::Update),
            "DELETE" => Some(TriggerEvent::Delete),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    let for_each = if each.ends_with(" FOR EACH ROW") {
        ForEach::Row
    } else if each.ends_with(" FOR EACH STATEMENT") {
        ForEach::Statement
    } else {
        return None;
    };
    if each.split_whitespace().count() != 4 {
        // `t FOR EACH ROW`: anything more is a clause the design cannot hold.
        return None;
    }
    let function = parse_function_ref(call).ok()?;
    // A bare name would mean the design's schema; the catalog prints names qualified.
    function.schema.as_ref()?;
    let mut field = Field::new(field_name, FieldType::Trigger);
    if derive_db_name(field_name, NameKind::Field) != field_name {
        field.db_name = Some(field_name.to_owned());
    }
    field.options = FieldOptions {
        timing: Some(timing),
        events,
        for_each: (for_each == ForEach::Statement).then_some(ForEach::Statement),
        function: Some(call.to_owned()),
        ..FieldOptions::default()
    };
    Some(field)
}
