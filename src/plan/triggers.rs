//! The updated-at/by helper and its trigger on every designed table, and trigger fields.

use crate::catalog::QualifiedName;
use crate::catalog::change::{Change, FunctionDef, TriggerDef};
use crate::design::{FieldKind, ForEach, Timing, TriggerAction, TriggerEvent, TriggerSpec};

use super::{Planner, Section, Step};

/// The helper every designed table's BEFORE UPDATE trigger calls.
pub const UPDATED_FUNCTION: &str = "schemaforge_set_updated_fields";
/// The name of that trigger on each table.
pub const UPDATED_TRIGGER: &str = "set_updated_fields";

/// Creates the helper once, unless the database already has it.
pub(super) fn helpers(p: &mut Planner) {
    if !p.design.tables.iter().any(|t| t.system_fields)
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
    let change = Change::CreateFunction(trigger_function(
        p.qn(UPDATED_FUNCTION),
        format!(
            "$function$\nBEGIN\n  NEW.updated_at := now();{updated_by}\n  RETURN NEW;\nEND\n$function$"
        ),
        true,
    ));
    p.push(Step::new(
        Section::Helpers,
        p.object(UPDATED_FUNCTION),
        change,
    ));
}

fn trigger_function(function: QualifiedName, body: String, or_replace: bool) -> FunctionDef {
    FunctionDef {
        function,
        or_replace,
        security_definer: false,
        returns: "trigger".into(),
        language: "plpgsql".into(),
        body,
    }
}

pub(super) fn plan_triggers(p: &mut Planner) {
    for table in &p.design.tables {
        let name = table.db_name.as_str();
        let live = p.live(name);
        if table.system_fields && live.is_none_or(|l| l.trigger(UPDATED_TRIGGER).is_none()) {
            let change = Change::CreateTrigger(TriggerDef {
                table: p.qn(name),
                name: UPDATED_TRIGGER.into(),
                timing: "BEFORE".into(),
                events: vec!["UPDATE".into()],
                for_each: "ROW".into(),
                function: p.qn(UPDATED_FUNCTION),
                arguments: Vec::new(),
            });
            p.push(Step::new(
                Section::Triggers,
                format!("{}.{UPDATED_TRIGGER}", p.object(name)),
                change,
            ));
        }
        for field in &table.fields {
            let FieldKind::Trigger(spec) = &field.kind else {
                continue;
            };
            let existing = live.and_then(|l| l.trigger(&spec.name));
            trigger_field(p, name, spec, existing);
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

/// A trigger's statement compared without identifier quotes and extra spaces, the way
/// `pg_get_triggerdef` prints it.
pub(super) fn same_trigger(ours: &str, live: &str) -> bool {
    let plain = |s: &str| {
        s.replace('"', "")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    plain(ours) == plain(live)
}

fn trigger_field(
    p: &mut Planner,
    table: &str,
    spec: &TriggerSpec,
    existing: Option<&crate::catalog::Trigger>,
) {
    let (function, arguments) = match &spec.action {
        TriggerAction::Function(reference) => (
            QualifiedName::new(
                reference.schema.as_deref().unwrap_or(p.schema),
                reference.name.as_str(),
            ),
            reference.args.clone(),
        ),
        TriggerAction::Body { function, body } => {
            let tag = dollar_tag(body);
            let exists = p
                .catalog
                .functions_named(p.schema, function)
                .next()
                .is_some();
            if exists {
                p.note(format!(
                    "{}: the function exists; its body is not compared with the design's \
                     (the catalog read does not hold function bodies)",
                    p.object(function)
                ));
            } else {
                let change = Change::CreateFunction(trigger_function(
                    p.qn(function),
                    format!("{tag}\n{}\n{tag}", body.trim()),
                    false,
                ));
                p.push(Step::new(Section::Triggers, p.object(function), change));
            }
            (p.qn(function), Vec::new())
        }
    };
    let timing = match spec.timing {
        Timing::Before => "BEFORE",
        Timing::After => "AFTER",
    };
    let events = spec
        .events
        .iter()
        .map(|e| match e {
            TriggerEvent::Insert => "INSERT".to_owned(),
            TriggerEvent::Update => "UPDATE".to_owned(),
            TriggerEvent::Delete => "DELETE".to_owned(),
        })
        .collect();
    let each = match spec.for_each {
        ForEach::Row => "ROW",
        ForEach::Statement => "STATEMENT",
    };
    let change = Change::CreateTrigger(TriggerDef {
        table: p.qn(table),
        name: spec.name.clone(),
        timing: timing.into(),
        events,
        for_each: each.into(),
        function,
        arguments,
    });
    let object = format!("{}.{}", p.object(table), spec.name);
    if let Some(existing) = existing {
        if same_trigger(&super::render::sql(&change), &existing.definition) {
            return;
        }
        let drop = Change::DropTrigger {
            table: p.qn(table),
            name: spec.name.clone(),
        };
        p.push(Step::new(Section::Triggers, object.clone(), drop).replacing());
    }
    p.push(Step::new(Section::Triggers, object, change));
}
