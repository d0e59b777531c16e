//! proptest strategies for edits that fit a design: a seed of random material, shaped into
//! an edit once the design it applies to is known (each edit of a sequence depends on the
//! design the previous ones left).

use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::strategy::BoxedStrategy;

use super::arbitrary::{
    RELATIONSHIP_NAMES, TABLE_NAMES, field, opt_text, policy, reference_texts, samples, table,
};
use super::{Edit, TableProperties};
use crate::design::model::{Design, Field, Policy, Relationship, Samples, Table};

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
                    system_fields: !self.flag || self.table.system_fields,
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
            on_delete: None,
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
