//! proptest strategies for designs and for edits that fit a design, shared by the property
//! tests of this module and any other test that wants realistic random designs.
//!
//! Designs are "valid-ish": realistic (and some unicode) names, every field type of the
//! catalogue, options of the right kinds, references that mostly point at designed tables.
//! Values avoid what JSON cannot carry back unchanged (floats, a `null` literal default).

use indexmap::IndexMap;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::strategy::BoxedStrategy;
use serde_json::{Map, Value};

use super::{Edit, TableProperties};
use crate::design::field_types::FieldType;
use crate::design::model::{
    Aggregate, DefaultValue, Design, Field, FieldOptions, ForEach, Operation, Policy, Relationship,
    Samples, Table, Timing, TriggerEvent,
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
const RELATIONSHIP_NAMES: &[&str] = &["owner", "project", "assignee", "parent", "Customer"];
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

fn opt_text() -> BoxedStrategy<Option<String>> {
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
    (basic, linked)
        .prop_map(|(b, l)| FieldOptions {
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
fn reference_texts(tables: &[Table]) -> Vec<String> {
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
        })
        .boxed()
}

/// The random material one edit is cut from; [`EditSeed::edit_for`] shapes it to a design.
#[derive(Debug, Clone)]
pub struct EditSeed {
    kind: u8,
    a: Index,
    b: Index,
    table: Table,
    field: Field,
    policy: Policy,
    relationship_flags: [bool; 4],
    samples: Option<Samples>,
    name: String,
    flag: bool,
    text: Option<String>,
}

/// How many kinds of edit [`EditSeed::edit_for`] makes.
const EDIT_KINDS: u8 = 24;

pub fn edit_seed() -> BoxedStrategy<EditSeed> {
    (
        0..EDIT_KINDS,
        any::<Index>(),
        any::<Index>(),
        table(),
        field(),
        policy(),
        prop::array::uniform4(any::<bool>()),
        prop::option::weighted(0.8, samples()),
        (select(TABLE_NAMES), 0u8..4),
        any::<bool>(),
        opt_text(),
    )
        .prop_map(
            |(
                kind,
                a,
                b,
                table,
                field,
                policy,
                relationship_flags,
                samples,
                (base, n),
                flag,
                text,
            )| {
                EditSeed {
                    kind,
                    a,
                    b,
                    table,
                    field,
                    policy,
                    relationship_flags,
                    samples,
                    name: if n == 0 {
                        base.to_string()
                    } else {
                        format!("{base} {n}")
                    },
                    flag,
                    text,
                }
            },
        )
        .boxed()
}

impl EditSeed {
    /// An edit that fits `design`: its indices point at existing things (an add when there
    /// is nothing to change). It may still fail on a duplicate name.
    pub fn edit_for(&self, design: &Design) -> Edit {
        let tables = design.tables.len();
        if tables == 0 || self.kind == 0 {
            let mut table = self.table.clone();
            table.name = self.name.clone();
            return Edit::AddTable {
                index: self.a.index(tables + 1),
                table,
            };
        }
        let ti = self.a.index(tables);
        let t = &design.tables[ti];
        let fields = t.fields.len();
        let policies = t.rls_policies.len();
        let rels = design.relationships.len();
        match self.kind {
            1 => Edit::RemoveTable { index: ti },
            2 => Edit::MoveTable {
                from: ti,
                to: self.b.index(tables),
            },
            3 => Edit::RenameTable {
                table: ti,
                name: self.name.clone(),
                db_name: self.flag.then(|| format!("t_{}", self.name.len())),
            },
            4 => Edit::ChangeTableProperties {
                table: ti,
                properties: TableProperties {
                    description: self.text.clone(),
                    ..TableProperties::of(&self.table)
                },
            },
            5 => Edit::SetRls {
                table: ti,
                enabled: self.flag,
            },
            6 => Edit::AddField {
                table: ti,
                index: self.b.index(fields + 1),
                field: self.field.clone(),
            },
            7 if fields > 0 => Edit::ChangeField {
                table: ti,
                index: self.b.index(fields),
                field: self.field.clone(),
            },
            8 if fields > 0 => Edit::MoveField {
                table: ti,
                from: self.b.index(fields),
                to: self.a.index(fields),
            },
            9 if fields > 0 => Edit::RemoveField {
                table: ti,
                index: self.b.index(fields),
            },
            10 => Edit::SetPrimaryField {
                table: ti,
                field: (fields > 0 && self.flag).then(|| self.b.index(fields)),
            },
            11 => Edit::AddRelationship {
                index: self.b.index(rels + 1),
                relationship: self.relationship(design),
            },
            12 if rels > 0 => Edit::ChangeRelationship {
                index: self.b.index(rels),
                relationship: self.relationship(design),
            },
            13 if rels > 0 => Edit::MoveRelationship {
                from: self.a.index(rels),
                to: self.b.index(rels),
            },
            14 if rels > 0 => Edit::RemoveRelationship {
                index: self.b.index(rels),
            },
            15 => Edit::AddPolicy {
                table: ti,
                index: self.b.index(policies + 1),
                policy: self.policy.clone(),
            },
            16 if policies > 0 => Edit::ChangePolicy {
                table: ti,
                index: self.b.index(policies),
                policy: self.policy.clone(),
            },
            17 if policies > 0 => Edit::MovePolicy {
                table: ti,
                from: self.a.index(policies),
                to: self.b.index(policies),
            },
            18 if policies > 0 => Edit::RemovePolicy {
                table: ti,
                index: self.b.index(policies),
            },
            19 => Edit::SetSamples {
                key: if self.flag {
                    t.db_name().into_owned()
                } else {
                    t.name.clone()
                },
                samples: self.samples.clone(),
                position: Some(self.b.index(design.samples.len() + 1)),
            },
            20 => Edit::SetSchema {
                schema: if self.flag { "public" } else { "app" }.to_string(),
            },
            21 => Edit::remove_table_with_references(design, ti).expect("table exists"),
            22 => Edit::Batch(vec![
                Edit::SetRls {
                    table: ti,
                    enabled: !self.flag,
                },
                Edit::AddField {
                    table: ti,
                    index: self.b.index(fields + 1),
                    field: self.field.clone(),
                },
            ]),
            _ => Edit::ChangeTableProperties {
                table: ti,
                properties: TableProperties::of(&self.table),
            },
        }
    }

    fn relationship(&self, design: &Design) -> Relationship {
        let refs = reference_texts(&design.tables);
        let f = self.relationship_flags;
        Relationship {
            table: refs[self.a.index(refs.len())].clone(),
            name: RELATIONSHIP_NAMES[self.b.index(RELATIONSHIP_NAMES.len())].to_string(),
            target: refs[self.b.index(refs.len())].clone(),
            allow_multiple: f[0],
            one_to_one: f[1],
            cascade_delete: f[2],
            required: f[3],
        }
    }

    /// An edit whose indices may point past the end of any list: for the "a failed edit
    /// changes nothing" property.
    pub fn wild_edit(&self, design: &Design) -> Edit {
        let wide = |i: &Index| i.index(design.tables.len() + 3);
        match self.kind % 8 {
            0 => Edit::RemoveTable {
                index: wide(&self.a),
            },
            1 => Edit::ChangeField {
                table: wide(&self.a),
                index: self.b.index(8),
                field: self.field.clone(),
            },
            2 => Edit::MoveField {
                table: wide(&self.a),
                from: self.b.index(8),
                to: 0,
            },
            3 => Edit::RemovePolicy {
                table: wide(&self.a),
                index: self.b.index(4),
            },
            4 => Edit::ChangeRelationship {
                index: self.b.index(design.relationships.len() + 2),
                relationship: self.relationship(design),
            },
            5 => Edit::RenameTable {
                table: wide(&self.a),
                name: self.name.clone(),
                db_name: None,
            },
            6 => Edit::Batch(vec![
                Edit::SetRls {
                    table: 0,
                    enabled: self.flag,
                },
                Edit::RemoveField {
                    table: wide(&self.a),
                    index: self.b.index(8),
                },
            ]),
            _ => Edit::SetPrimaryField {
                table: wide(&self.a),
                field: Some(self.b.index(8)),
            },
        }
    }
}
