//! The diagram as data: what every drawing shows, decided once.
//!
//! Built from a [`Catalog`] (the live one or the one a plan leaves), so the live schema and a
//! design are drawn by the same rules: a foreign key is a many-to-one edge (one-to-one when
//! its columns are unique), required when its columns are NOT NULL; a linking table — a
//! primary key made of two foreign keys and nothing else but system columns — is not drawn
//! as a box but as one many-to-many edge between the tables it links.

use std::collections::BTreeSet;

use crate::catalog::{Catalog, FkAction, ForeignKey, Table, TableKind};

/// Columns a linking table may have beside its two keys (schemaforge's system fields).
const LINKING_EXTRAS: [&str; 4] = ["created_at", "created_by", "updated_at", "updated_by"];

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagram {
    /// Tables of this schema are named bare; others as `schema.table`.
    pub home_schema: String,
    /// Drawn tables first, in (schema, name) order, then stubs.
    pub entities: Vec<Entity>,
    pub relationships: Vec<Relationship>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    pub schema: String,
    pub name: String,
    /// A table outside the drawn scope that a drawn one references (e.g. `auth.users`):
    /// drawn with the referenced columns only.
    pub stub: bool,
    /// The design creates it: not in the database before.
    pub new: bool,
    pub attributes: Vec<Attribute>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: String,
    /// As the catalog prints it (`bigint`, `timestamp with time zone`).
    pub data_type: String,
    pub nullable: bool,
    pub primary_key: bool,
    pub foreign_key: bool,
    /// Unique on its own (a one-column unique constraint or index).
    pub unique: bool,
}

impl Attribute {
    /// Whether it belongs to a key: the columns a keys-only drawing keeps.
    pub fn is_key(&self) -> bool {
        self.primary_key || self.foreign_key || self.unique
    }
}

/// How many rows on each side, read from the referencing side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cardinality {
    /// Many rows of `from` point to one of `to`; `required`: the key columns are NOT NULL.
    ManyToOne { required: bool },
    /// At most one row of `from` per row of `to` (the key columns are unique).
    OneToOne { required: bool },
    /// Through a linking table, collapsed.
    ManyToMany,
}

impl Cardinality {
    pub fn required(self) -> bool {
        match self {
            Cardinality::ManyToOne { required } | Cardinality::OneToOne { required } => required,
            Cardinality::ManyToMany => false,
        }
    }

    /// In words, as the TUI's list says it.
    pub fn words(self) -> &'static str {
        match self {
            Cardinality::ManyToOne { .. } => "many-to-one",
            Cardinality::OneToOne { .. } => "one-to-one",
            Cardinality::ManyToMany => "many-to-many",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Relationship {
    /// Index into [`Diagram::entities`]: the referencing table, or a many-to-many's first side.
    pub from: usize,
    /// The referenced table, or a many-to-many's second side.
    pub to: usize,
    /// The referencing columns; for a many-to-many the linking table's column to `from`.
    pub columns: Vec<String>,
    /// The referenced columns; for a many-to-many the linking table's column to `to`.
    pub to_columns: Vec<String>,
    /// The columns the edge joins in `from` and in `to`: for a foreign key its columns and
    /// the referenced ones; for a many-to-many the keys the linking table references.
    pub keys: [Vec<String>; 2],
    pub cardinality: Cardinality,
    /// The foreign key constraint, or the linking table of a many-to-many.
    pub name: String,
    pub on_delete: FkAction,
    /// The linking table of a many-to-many, and whether it is `new`.
    pub via: Option<String>,
    /// The design adds it: not in the database before.
    pub new: bool,
}

/// Which columns the boxes list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Columns {
    /// Every column.
    #[default]
    All,
    /// Primary, foreign and unique key columns.
    Keys,
}

/// What to draw from a catalog.
pub struct Selection<'a> {
    pub catalog: &'a Catalog,
    /// The tables drawn in full, as (schema, name).
    pub tables: BTreeSet<(String, String)>,
    pub home_schema: String,
    /// The catalog before the design, to mark what is new; `None`: nothing is.
    pub before: Option<&'a Catalog>,
    pub columns: Columns,
}

/// A linking table's two keys, as found in the catalog.
struct Linking<'a> {
    table: &'a Table,
    first: &'a ForeignKey,
    second: &'a ForeignKey,
}

impl Diagram {
    /// The diagram of the selected tables: every drawn table a box; what they reference
    /// outside the selection a stub; linking tables collapsed.
    pub fn build(selection: &Selection) -> Diagram {
        let catalog = selection.catalog;
        let drawn: Vec<&Table> = catalog
            .tables
            .iter()
            .filter(|t| {
                selection
                    .tables
                    .contains(&(t.schema.clone(), t.name.clone()))
                    && matches!(t.kind, TableKind::Table | TableKind::PartitionedTable)
                    && t.partition_of.is_none()
            })
            .collect();
        let referenced_elsewhere = |t: &Table| {
            catalog.tables.iter().any(|other| {
                !(other.schema == t.schema && other.name == t.name)
                    && other
                        .foreign_keys
                        .iter()
                        .any(|fk| fk.references_schema == t.schema && fk.references_table == t.name)
            })
        };
        let linking: Vec<Linking> = drawn
            .iter()
            .filter(|t| !referenced_elsewhere(t))
            .filter_map(|t| linking_keys(t))
            .collect();
        let is_linking = |t: &Table| {
            linking
                .iter()
                .any(|l| l.table.schema == t.schema && l.table.name == t.name)
        };
        let is_new = |schema: &str, name: &str| {
            selection
                .before
                .is_some_and(|before| before.table(schema, name).is_none())
        };

        let mut diagram = Diagram {
            home_schema: selection.home_schema.clone(),
            ..Diagram::default()
        };
        for t in drawn.iter().filter(|t| !is_linking(t)) {
            let mut entity = entity_of(t, is_new(&t.schema, &t.name));
            if selection.columns == Columns::Keys {
                entity.attributes.retain(Attribute::is_key);
            }
            diagram.entities.push(entity);
        }
        // Stubs: what the drawn tables (linking ones included) reference outside the drawing.
        let mut stubs: BTreeSet<(String, String)> = BTreeSet::new();
        for t in &drawn {
            for fk in &t.foreign_keys {
                let key = (fk.references_schema.clone(), fk.references_table.clone());
                if diagram.find(&key.0, &key.1).is_none()
                    && !linking_only_to_system(t, fk, &linking)
                {
                    stubs.insert(key);
                }
            }
        }
        for (schema, name) in stubs {
            diagram.entities.push(stub_of(
                catalog,
                &drawn,
                &schema,
                &name,
                is_new(&schema, &name),
            ));
        }

        let fk_is_new = |t: &Table, fk: &ForeignKey| {
            selection.before.is_some_and(|before| {
                before
                    .table(&t.schema, &t.name)
                    .is_none_or(|b| b.foreign_key(&fk.name).is_none())
            })
        };
        for t in drawn.iter().filter(|t| !is_linking(t)) {
            let from = diagram.find(&t.schema, &t.name).expect("drawn");
            for fk in &t.foreign_keys {
                let Some(to) = diagram.find(&fk.references_schema, &fk.references_table) else {
                    continue;
                };
                let required = fk
                    .columns
                    .iter()
                    .all(|c| t.column(c).is_some_and(|c| !c.nullable));
                let cardinality = if is_unique(t, &fk.columns) {
                    Cardinality::OneToOne { required }
                } else {
                    Cardinality::ManyToOne { required }
                };
                diagram.relationships.push(Relationship {
                    from,
                    to,
                    columns: fk.columns.clone(),
                    to_columns: fk.references_columns.clone(),
                    keys: [fk.columns.clone(), fk.references_columns.clone()],
                    cardinality,
                    name: fk.name.clone(),
                    on_delete: fk.on_delete,
                    via: None,
                    new: fk_is_new(t, fk),
                });
            }
        }
        for l in &linking {
            let (Some(from), Some(to)) = (
                diagram.find(&l.first.references_schema, &l.first.references_table),
                diagram.find(&l.second.references_schema, &l.second.references_table),
            ) else {
                continue;
            };
            diagram.relationships.push(Relationship {
                from,
                to,
                columns: l.first.columns.clone(),
                to_columns: l.second.columns.clone(),
                keys: [
                    l.first.references_columns.clone(),
                    l.second.references_columns.clone(),
                ],
                cardinality: Cardinality::ManyToMany,
                name: l.table.name.clone(),
                on_delete: l.first.on_delete,
                via: Some(diagram.label_of(&l.table.schema, &l.table.name)),
                new: is_new(&l.table.schema, &l.table.name),
            });
        }
        diagram
    }

    /// The index of the entity `schema.name`.
    pub fn find(&self, schema: &str, name: &str) -> Option<usize> {
        self.entities
            .iter()
            .position(|e| e.schema == schema && e.name == name)
    }

    /// How the drawings name an entity: bare in the home schema, else `schema.table`.
    pub fn label(&self, entity: &Entity) -> String {
        self.label_of(&entity.schema, &entity.name)
    }

    fn label_of(&self, schema: &str, name: &str) -> String {
        if schema == self.home_schema {
            name.to_owned()
        } else {
            format!("{schema}.{name}")
        }
    }

    /// A relationship's label: its columns, or the linking table of a many-to-many.
    pub fn edge_label(&self, r: &Relationship) -> String {
        match &r.via {
            Some(via) => format!("via {via}"),
            None => r.columns.join(", "),
        }
    }
}

/// The two foreign keys of a linking table, if `t` is one: its primary key is exactly the
/// columns of two foreign keys, and every other column is a system column.
fn linking_keys(t: &Table) -> Option<Linking<'_>> {
    let pk = t.primary_key.as_ref()?;
    let in_pk: Vec<&ForeignKey> = t
        .foreign_keys
        .iter()
        .filter(|fk| fk.columns.iter().all(|c| pk.columns.contains(c)))
        .collect();
    // In key order: `PRIMARY KEY (todos_id, tags_id)` links todos to tags.
    let position = |fk: &ForeignKey| {
        fk.columns
            .iter()
            .filter_map(|c| pk.columns.iter().position(|k| k == c))
            .min()
    };
    let &[mut first, mut second] = in_pk.as_slice() else {
        return None;
    };
    if position(second) < position(first) {
        std::mem::swap(&mut first, &mut second);
    }
    let mut covered: Vec<&String> = first.columns.iter().chain(&second.columns).collect();
    covered.sort();
    covered.dedup();
    let mut key: Vec<&String> = pk.columns.iter().collect();
    key.sort();
    if covered != key || first.columns.len() + second.columns.len() != key.len() {
        return None;
    }
    let extras_only = t
        .columns
        .iter()
        .all(|c| pk.columns.contains(&c.name) || LINKING_EXTRAS.contains(&c.name.as_str()));
    let other_keys_on_extras = t.foreign_keys.iter().all(|fk| {
        std::ptr::eq(fk, first)
            || std::ptr::eq(fk, second)
            || fk
                .columns
                .iter()
                .all(|c| LINKING_EXTRAS.contains(&c.as_str()))
    });
    (extras_only && other_keys_on_extras).then_some(Linking {
        table: t,
        first,
        second,
    })
}

/// Whether `fk` is a collapsed linking table's key on a system column (`created_by` →
/// `auth.users`): the collapsed table is not drawn, so neither is what only it references.
fn linking_only_to_system(t: &Table, fk: &ForeignKey, linking: &[Linking]) -> bool {
    linking.iter().any(|l| {
        l.table.schema == t.schema
            && l.table.name == t.name
            && !std::ptr::eq(fk, l.first)
            && !std::ptr::eq(fk, l.second)
    })
}

/// Whether `columns` are unique in `t`: its primary key, a unique constraint, or a unique
/// index without a predicate, on exactly those columns.
fn is_unique(t: &Table, columns: &[String]) -> bool {
    let same =
        |key: &[String]| key.len() == columns.len() && key.iter().all(|c| columns.contains(c));
    t.primary_key.as_ref().is_some_and(|k| same(&k.columns))
        || t.unique_constraints.iter().any(|k| same(&k.columns))
        || t.indexes.iter().any(|i| {
            i.unique && !i.definition.to_ascii_uppercase().contains(" WHERE ") && same(&i.columns)
        })
}

fn entity_of(t: &Table, new: bool) -> Entity {
    let in_fk = |c: &str| {
        t.foreign_keys
            .iter()
            .any(|fk| fk.columns.iter().any(|k| k == c))
    };
    let in_pk = |c: &str| {
        t.primary_key
            .as_ref()
            .is_some_and(|k| k.columns.iter().any(|k| k == c))
    };
    let attributes = t
        .columns
        .iter()
        .map(|c| Attribute {
            name: c.name.clone(),
            data_type: c.data_type.clone(),
            nullable: c.nullable,
            primary_key: in_pk(&c.name),
            foreign_key: in_fk(&c.name),
            unique: !in_pk(&c.name) && is_unique(t, std::slice::from_ref(&c.name)),
        })
        .collect();
    Entity {
        schema: t.schema.clone(),
        name: t.name.clone(),
        stub: false,
        new,
        attributes,
    }
}

/// A referenced table outside the drawing: the columns the drawn tables reference, typed
/// from the catalog when it has the table (else from the referencing column).
fn stub_of(catalog: &Catalog, drawn: &[&Table], schema: &str, name: &str, new: bool) -> Entity {
    let target = catalog.table(schema, name);
    let mut attributes: Vec<Attribute> = Vec::new();
    for t in drawn {
        for fk in t
            .foreign_keys
            .iter()
            .filter(|fk| fk.references_schema == schema && fk.references_table == name)
        {
            for (i, column) in fk.references_columns.iter().enumerate() {
                if attributes.iter().any(|a| &a.name == column) {
                    continue;
                }
                let data_type = target
                    .and_then(|t| t.column(column))
                    .or_else(|| fk.columns.get(i).and_then(|c| t.column(c)))
                    .map(|c| c.data_type.clone())
                    .unwrap_or_default();
                attributes.push(Attribute {
                    name: column.clone(),
                    data_type,
                    nullable: false,
                    primary_key: target
                        .and_then(|t| t.primary_key.as_ref())
                        .is_none_or(|k| k.columns.contains(column)),
                    foreign_key: false,
                    unique: false,
                });
            }
        }
    }
    Entity {
        schema: schema.to_owned(),
        name: name.to_owned(),
        stub: true,
        new,
        attributes,
    }
}
