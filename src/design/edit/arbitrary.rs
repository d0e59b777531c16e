//! proptest strategies for designs and for edits that fit a design, shared by the property
//! tests of this module and any other test that wants realistic random designs.
//!
//! Designs are "valid-ish": realistic (and some unicode) names, every field type of the
//! catalogue, options of the right kinds, references that mostly point at designed tables.
//! Values avoid what JSON cannot carry back unchanged (floats, a `null` literal default).

use indexmap::IndexMap;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::BoxedStrategy;
use serde_json::{Map, Value};

use crate::design::field_types::FieldType;
use crate::design::model::{
    Aggregate, DefaultValue, Design, Field, FieldOptions, ForEach, IdentityKind, Operation, Policy,
    Relationship, Samples, Table, Timing, TriggerEvent,
};

pub const TABLE_NAMES: &[&str] = &[
    "Projects",
    "Todos",
    "Todo Items",
    "people",
    "Invoices",
    "tags",
    "Comments",
    "Orders",
    "Café Menu",
    "line_items",
    "2024 Sales",
];
pub const FIELD_NAMES: &[&str] = &[
    "title",
    "Estimate",
    "due date",
    "Status",
    "notes",
    "Owner Email",
    "price",
    "done",
    "Ünïcode name",
    "score",
    "Website",
    "payload",
];
pub const RELATIONSHIP_NAMES: &[&str] = &["owner", "project", "assignee", "parent", "Customer"];
const POLICY_NAMES: &[&str] = &[
    "Own rows",
    "read all",
    "insert own",
    "Admins delete",
    "team members",
];
const EXPRESSIONS: &[&str] = &[
    "created_by = auth.uid()",
    "true",
    "auth.role() = 'authenticated'",
    "exists (select 1 from members m where m.user_id = auth.uid())",
    "status <> 'archived'",
];
const WORDS: &[&str] = &[
    "draft",
    "done",
    "high",
    "ünï",
    "a b",
    "",
    "x'y",
    "line\nbreak",
];

fn text() -> BoxedStrategy<String> {
    prop_oneof![
        select(WORDS).prop_map(str::to_string),
        "[a-zA-Z0-9 _éü-]{0,12}",
    ]
    .boxed()
}

/// A JSON value without floats.
pub fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec((select(FIELD_NAMES), inner), 0..3).prop_map(|pairs| {
                Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
    .boxed()
}

fn default_value() -> BoxedStrategy<DefaultValue> {
    prop_oneof![
        json_value()
            .prop_filter("a null default reads back as no default", |v| !v.is_null())
            .prop_map(DefaultValue::Literal),
        select(&["now()", "gen_random_uuid()", "auth.uid()", "0"][..])
            .prop_map(|s| DefaultValue::Expression(s.to_string())),
    ]
    .boxed()
}

pub fn opt_text() -> BoxedStrategy<Option<String>> {
    prop::option::weighted(0.3, text()).boxed()
}

fn field_options() -> BoxedStrategy<FieldOptions> {
    let basic = (
        any::<bool>(),
        any::<bool>(),
        prop::option::weighted(0.3, default_value()),
        opt_text(),
        prop::collection::vec(select(WORDS).prop_map(str::to_string), 0..3),
        prop::option::weighted(0.2, any::<i64>()),
        prop::option::weighted(0.2, any::<u32>()),
        prop::option::weighted(0.2, 0u32..40),
        prop::option::weighted(0.2, 0u32..10),
        any::<bool>(),
        prop::option::weighted(0.2, select(EXPRESSIONS).prop_map(str::to_string)),
        prop::option::weighted(0.2, select(&FieldType::ALL[..])),
    );
    let linked = (
        prop::option::weighted(
            0.2,
            select(&["USD", "EUR", "jpy"][..]).prop_map(str::to_string),
        ),
        prop::option::weighted(0.2, select(RELATIONSHIP_NAMES).prop_map(str::to_string)),
        prop::option::weighted(0.2, select(TABLE_NAMES).prop_map(str::to_string)),
        prop::option::weighted(0.2, select(FIELD_NAMES).prop_map(str::to_string)),
        prop::option::weighted(
            0.2,
            select(
                &[
                    Aggregate::Sum,
                    Aggregate::Avg,
                    Aggregate::Min,
                    Aggregate::Max,
                    Aggregate::Count,
                    Aggregate::ArrayAgg,
                ][..],
            ),
        ),
        prop::option::weighted(0.2, select(&[Timing::Before, Timing::After][..])),
        prop::collection::vec(
            select(
                &[
                    TriggerEvent::Insert,
                    TriggerEvent::Update,
                    TriggerEvent::Delete,
                ][..],
            ),
            0..3,
        ),
        prop::option::weighted(0.2, select(&[ForEach::Row, ForEach::Statement][..])),
        prop::option::weighted(
            0.2,
            select(&["public.touch", "audit.log"][..]).prop_map(str::to_string),
        ),
        prop::option::weighted(0.2, Just("begin new.n := 1; return new; end".to_string())),
    );
    let keys = (
        prop::option::weighted(
            0.2,
            select(&["bigint", "character varying(20)", "public.mood"][..])
                .prop_map(str::to_string),
        ),
        prop::bool::weighted(0.1),
        prop::option::weighted(
            0.1,
            select(&[IdentityKind::Always, IdentityKind::ByDefault][..]),
        ),
    );
    (basic, linked, keys)
        .prop_map(|(b, l, k)| FieldOptions {
            required: b.0,
            unique: b.1,
            default: b.2,
            description: b.3,
            choices: b.4,
            max: b.5,
            max_length: b.6,
            precision: b.7,
            scale: b.8,
            integer: b.9,
            expression: b.10,
            result_type: b.11,
            currency_code: l.0,
            relationship: l.1,
            through: l.2,
            target_field: l.3,
            aggregate: l.4,
            timing: l.5,
            events: l.6,
            for_each: l.7,
            function: l.8,
            body: l.9,
            sql_type: k.0,
            primary_key: k.1,
            identity: k.2,
            bucket: None,
        })
        .boxed()
}

/// A field named `name`, of any type of the catalogue.
pub fn field_named(name: String) -> BoxedStrategy<Field> {
    (
        select(&FieldType::ALL[..]),
        prop::option::weighted(0.5, field_options()),
        prop::option::weighted(0.15, Just(())),
        prop::bool::weighted(0.2),
    )
        .prop_map(move |(field_type, options, explicit, is_primary)| Field {
            db_name: explicit.map(|_| format!("col_{}", crate::design::names::short_hash(&name))),
            name: name.clone(),
            field_type,
            options: options.unwrap_or_default(),
            is_primary,
            renamed_from: None,
        })
        .boxed()
}

pub fn field() -> BoxedStrategy<Field> {
    select(FIELD_NAMES)
        .prop_flat_map(|n| field_named(n.to_string()))
        .boxed()
}

pub fn policy() -> BoxedStrategy<Policy> {
    (
        select(POLICY_NAMES),
        select(
            &[
                Operation::Select,
                Operation::Insert,
                Operation::Update,
                Operation::Delete,
                Operation::All,
            ][..],
        ),
        prop::option::of(select(EXPRESSIONS)),
        prop::option::weighted(0.3, select(EXPRESSIONS)),
        prop::sample::subsequence(vec!["authenticated", "anon", "service_role"], 0..=2),
        prop::bool::weighted(0.8),
    )
        .prop_map(
            |(name, operation, using, check, roles, permissive)| Policy {
                name: name.to_string(),
                operation,
                using_expression: using.map(str::to_string),
                with_check_expression: check.map(str::to_string),
                roles: roles.into_iter().map(str::to_string).collect(),
                permissive,
                renamed_from: None,
            },
        )
        .boxed()
}

/// A table named `name`: distinct field names, distinct policy names.
pub fn table_named(name: String) -> BoxedStrategy<Table> {
    let fields = prop::sample::subsequence(FIELD_NAMES, 0..=5).prop_flat_map(|names| {
        names
            .into_iter()
            .map(|n| field_named(n.to_string()))
            .collect::<Vec<_>>()
    });
    let policies = prop::collection::vec(policy(), 0..3).prop_map(|mut ps| {
        let mut seen = Vec::new();
        ps.retain(|p| {
            let fresh = !seen.contains(&p.name);
            seen.push(p.name.clone());
            fresh
        });
        ps
    });
    (
        fields,
        policies,
        prop::option::weighted(0.2, Just(())),
        opt_text(),
        prop::bool::weighted(0.8),
        any::<bool>(),
        prop::collection::vec(select(FIELD_NAMES).prop_map(str::to_string), 0..2),
        prop::collection::vec(select(POLICY_NAMES).prop_map(str::to_string), 0..2),
        prop::bool::weighted(0.9),
    )
        .prop_map(
            move |(
                fields,
                rls_policies,
                explicit,
                description,
                rls,
                public,
                drops,
                drop_policies,
                system_fields,
            )| {
                Table {
                    db_name: explicit
                        .map(|_| format!("tbl_{}", crate::design::names::short_hash(&name))),
                    name: name.clone(),
                    description,
                    fields,
                    rls_enabled: rls,
                    rls_policies,
                    public_reference: public,
                    drop_columns: drops,
                    drop_policies,
                    renamed_from: None,
                    // Audited where a key is sure: tables with system fields.
                    audit: system_fields && public,
                    // Soft delete needs row-level security to hide the deleted rows.
                    soft_delete: system_fields && rls && !public,
                    system_fields,
                    indexes: Vec::new(),
                }
            },
        )
        .boxed()
}

pub fn table() -> BoxedStrategy<Table> {
    select(TABLE_NAMES)
        .prop_flat_map(|n| table_named(n.to_string()))
        .boxed()
}

/// The texts a reference to a table of `tables` can be written as, plus an outside table.
pub fn reference_texts(tables: &[Table]) -> Vec<String> {
    let mut out = vec!["auth.users".to_string()];
    for t in tables {
        out.push(t.name.clone());
        out.push(t.db_name().into_owned());
    }
    out
}

pub fn relationship(references: Vec<String>) -> BoxedStrategy<Relationship> {
    (
        select(references.clone()),
        select(RELATIONSHIP_NAMES),
        select(references),
        prop::array::uniform4(prop::bool::weighted(0.3)),
    )
        .prop_map(|(table, name, target, flags)| Relationship {
            table,
            name: name.to_string(),
            target,
            allow_multiple: flags[0],
            one_to_one: flags[1],
            cascade_delete: flags[2],
            on_delete: None,
            required: flags[3],
        })
        .boxed()
}

pub fn samples() -> BoxedStrategy<Samples> {
    prop_oneof![
        (0u64..2000).prop_map(Samples::Count),
        prop::collection::vec(
            prop::collection::vec((select(FIELD_NAMES), json_value()), 0..3).prop_map(|pairs| {
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect::<Map<String, Value>>()
            }),
            0..3,
        )
        .prop_map(Samples::Rows),
    ]
    .boxed()
}

/// A whole design: up to five tables with distinct names, relationships and samples that
/// refer to them.
pub fn design() -> BoxedStrategy<Design> {
    prop::sample::subsequence(TABLE_NAMES, 0..=5)
        .prop_flat_map(|names| {
            names
                .into_iter()
                .map(|n| table_named(n.to_string()))
                .collect::<Vec<_>>()
        })
        .prop_flat_map(|tables| {
            let refs = reference_texts(&tables);
            (
                select(&["public", "app"][..]),
                Just(tables),
                prop::collection::vec(relationship(refs.clone()), 0..4),
                prop::collection::vec((select(refs), samples()), 0..3),
            )
        })
        .prop_map(|(schema, tables, relationships, samples)| Design {
            schema: schema.to_string(),
            tables,
            relationships,
            samples: samples.into_iter().collect::<IndexMap<_, _>>(),
            audit_readers: Vec::new(),
            buckets: Vec::new(),
            materialized_views: Vec::new(),
        })
        .boxed()
}
