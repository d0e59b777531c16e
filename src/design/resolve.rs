//! The resolved view of a validated design: every name derived, every type, default, check
//! and constraint name decided, every reference turned into an index. The planner works from
//! this and never re-derives a name, so the preview, the plan and the catalog comparison all
//! agree on what each object is called.

use serde_json::{Map, Value};

use super::diagnostics::{Diagnostic, has_errors};
use super::field_types::{Check, FieldType, PgType, Storage};
use super::function_ref::{FunctionRef, parse_function_ref};
use super::model::{
    Aggregate, DefaultValue, Design, FieldOptions, ForEach, Policy, Samples, Timing, TriggerEvent,
};
use super::names;
use super::validate::validate_with_known_tables;
use super::validate_refs::{
    ComputedRef, Direction, TargetRef, computed_ref, linking_names, target_of,
};
use super::validate_samples::{SampleColumn, sample_column};

/// A design ready for planning.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedDesign {
    pub schema: String,
    pub tables: Vec<ResolvedTable>,
    pub relationships: Vec<ResolvedRelationship>,
    pub samples: Vec<ResolvedSamples>,
    /// Roles that may read the audit table.
    pub audit_readers: Vec<String>,
    /// Storage buckets, as designed (their policies expand when planned).
    pub buckets: Vec<super::buckets::Bucket>,
    /// Aggregate views, every name worked out.
    pub materialized_views: Vec<super::materialized_views::ResolvedMaterializedView>,
    /// The warnings validation found (errors prevent resolution).
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedTable {
    pub name: String,
    pub db_name: String,
    /// The table comment.
    pub description: Option<String>,
    pub rls_enabled: bool,
    pub public_reference: bool,
    /// The effective fields in design order: system-field duplicates are gone; computed and
    /// trigger fields are included with their [`FieldKind`].
    pub fields: Vec<ResolvedField>,
    /// The db_name of the primary (display) field, marked or chosen.
    pub primary_field: Option<String>,
    pub policies: Vec<Policy>,
    /// Live columns and policies the design explicitly drops (destructive steps).
    pub drop_columns: Vec<String>,
    pub drop_policies: Vec<String>,
    /// `<table>_view`, when the table has rollup / count / lookup fields.
    pub view: Option<String>,
    /// The live table's name before the design renames it.
    pub renamed_from: Option<String>,
    /// Whether the table has the system fields and the updated-at trigger.
    pub system_fields: bool,
    /// Without system fields: the columns of the primary key, in field order.
    pub primary_key: Vec<String>,
    /// The designed indexes, keys resolved to column names.
    pub indexes: Vec<ResolvedIndex>,
    /// Changes are recorded in the shared audit table.
    pub audit: bool,
    /// Rows are soft-deleted (`deleted_at`), hidden from the API roles.
    pub soft_delete: bool,
}

/// A designed index, ready for the planner.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedIndex {
    pub name: String,
    pub keys: Vec<super::indexes::IndexKey>,
    pub unique: bool,
    pub method: super::model::IndexMethod,
    /// The partial index's predicate, the user's SQL.
    pub predicate: Option<String>,
}

impl ResolvedField {
    /// The column type as written in DDL and as the catalog prints it; `None` when the view's
    /// SELECT decides it or there is no column.
    pub fn column_type(&self) -> Option<(String, String)> {
        match (&self.pg_type, &self.options.sql_type) {
            (Some(t), _) => Some((t.sql(), t.format_type())),
            (None, Some(raw)) if self.field_type == FieldType::Raw => {
                Some((raw.clone(), raw.clone()))
            }
            _ => None,
        }
    }
}

impl ResolvedTable {
    /// The fields that are columns of the table itself (plain and generated).
    pub fn columns(&self) -> impl Iterator<Item = &ResolvedField> {
        self.fields
            .iter()
            .filter(|f| matches!(f.kind, FieldKind::Column | FieldKind::Generated { .. }))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedField {
    pub name: String,
    pub db_name: String,
    pub field_type: FieldType,
    pub options: FieldOptions,
    pub kind: FieldKind,
    /// The column type; `None` for triggers and for view columns whose type the view's SELECT
    /// decides (lookup, rollup).
    pub pg_type: Option<PgType>,
    pub nullable: bool,
    pub unique: bool,
    /// `<table>_<column>_key` when `unique`.
    pub unique_constraint: Option<String>,
    pub default: Option<DefaultValue>,
    pub checks: Vec<Check>,
    /// `<table>_<column>_check` when there are checks (they are AND-ed into one constraint).
    pub check_constraint: Option<String>,
    /// COMMENT ON COLUMN: the description, plus the currency code for currency fields.
    pub comment: Option<String>,
    pub is_primary: bool,
    /// The live column's name before the design renames it.
    pub renamed_from: Option<String>,
}

/// How a field exists in the database.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Column,
    /// `GENERATED ALWAYS AS (expression) STORED`.
    Generated {
        expression: String,
    },
    /// A column of the companion view.
    View(ViewColumn),
    /// `CREATE TRIGGER`, no column.
    Trigger(TriggerSpec),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ViewColumn {
    /// Index into [`ResolvedDesign::relationships`].
    pub relationship: usize,
    pub direction: Direction,
    /// Column of the related table (db_name) for rollup / lookup; as written when that table
    /// is not designed.
    pub target_field: Option<String>,
    /// `Count` for count fields, the rollup's aggregate, `None` for lookups.
    pub aggregate: Option<Aggregate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TriggerSpec {
    /// `<table>_<field>_trigger`.
    pub name: String,
    pub timing: Timing,
    pub events: Vec<TriggerEvent>,
    pub for_each: ForEach,
    pub action: TriggerAction,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TriggerAction {
    /// Call an existing function (`schema.name('arg', …)`), parsed strictly by validation.
    Function(FunctionRef),
    /// Create `<table>_<field>_trigger_fn` with this PL/pgSQL body, then call it.
    Body { function: String, body: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A designed table: index into [`ResolvedDesign::tables`], in the design's schema.
    Designed { index: usize, db_name: String },
    /// A live table outside the design.
    External { schema: String, table: String },
}

pub use super::model::OnDelete;

#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedRelationship {
    /// Index of the table that holds it.
    pub table: usize,
    pub table_db_name: String,
    pub name: String,
    pub target: Target,
    pub kind: RelationshipKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RelationshipKind {
    /// Many-to-one, or one-to-one when `unique_constraint` is set.
    ForeignKey {
        column: String,
        nullable: bool,
        on_delete: OnDelete,
        fkey: String,
        index: String,
        unique_constraint: Option<String>,
    },
    /// Many-to-many: a linking table whose two foreign keys (both ON DELETE CASCADE) form its
    /// primary key; plus `created_at` and `created_by` (indexed, FK to auth.users).
    Linking {
        table: String,
        source_column: String,
        target_column: String,
        source_fkey: String,
        target_fkey: String,
        pkey: String,
        target_index: String,
        created_by_fkey: String,
        created_by_index: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedSamples {
    pub table: usize,
    pub spec: ResolvedSampleSpec,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ResolvedSampleSpec {
    Count(u64),
    /// Explicit rows with keys turned into column names.
    Rows(Vec<Map<String, Value>>),
}

/// Validates and resolves a design; only designed tables and `schema.table` targets count.
pub fn resolve(design: &Design) -> Result<ResolvedDesign, Vec<Diagnostic>> {
    resolve_with_known_tables(design, &|_, _| false)
}

/// Validates and resolves a design; `known(schema, table)` says whether a live table exists,
/// so a relationship may target it by bare name.
pub fn resolve_with_known_tables(
    design: &Design,
    known: &dyn Fn(&str, &str) -> bool,
) -> Result<ResolvedDesign, Vec<Diagnostic>> {
    let diagnostics = validate_with_known_tables(design, known);
    if has_errors(&diagnostics) {
        return Err(diagnostics);
    }
    let relationships = resolve_relationships(design, known);
    let tables = (0..design.tables.len())
        .map(|ti| resolve_table(design, ti))
        .collect();
    let samples = design
        .samples
        .iter()
        .filter_map(|(key, spec)| {
            let table = design.find_table(key)?;
            Some(ResolvedSamples {
                table,
                spec: resolve_samples(design, table, spec),
            })
        })
        .collect();
    Ok(ResolvedDesign {
        schema: design.schema.clone(),
        tables,
        relationships,
        samples,
        audit_readers: design.audit_readers.clone(),
        buckets: design.buckets.clone(),
        materialized_views: design
            .materialized_views
            .iter()
            .filter_map(|v| super::materialized_views::resolve_view(design, v))
            .collect(),
        warnings: diagnostics,
    })
}

fn resolve_table(design: &Design, ti: usize) -> ResolvedTable {
    let table = &design.tables[ti];
    let db_name = table.db_name().into_owned();
    let primary = table.primary_field().map(|(i, _)| i);
    let mut fields = Vec::new();
    for (fi, field) in table.effective_fields() {
        let column = field.db_name().into_owned();
        let o = &field.options;
        let t = field.field_type;
        let kind = match t.storage() {
            Storage::Column => FieldKind::Column,
            Storage::Generated => FieldKind::Generated {
                expression: o.expression.clone().unwrap_or_default(),
            },
            Storage::View => {
                let path = format!("tables[{ti}].fields[{fi}]");
                let ComputedRef {
                    relationship,
                    direction,
                    other,
                } = computed_ref(design, ti, field, &path).expect("validated");
                let target_field = o.target_field.as_ref().map(|tf| {
                    other
                        .and_then(|oi| design.tables[oi].find_field(tf))
                        .map_or_else(|| tf.clone(), |(_, f)| f.db_name().into_owned())
                });
                FieldKind::View(ViewColumn {
                    relationship,
                    direction,
                    target_field,
                    aggregate: match t {
                        FieldType::Count => Some(Aggregate::Count),
                        _ => o.aggregate,
                    },
                })
            }
            Storage::NoColumn => {
                let name = names::trigger_name(&db_name, &column);
                let action = match (&o.function, &o.body) {
                    (Some(function), _) => {
                        TriggerAction::Function(parse_function_ref(function).expect("validated"))
                    }
                    (None, body) => TriggerAction::Body {
                        function: names::fit_identifier(&format!("{name}_fn")),
                        body: body.clone().unwrap_or_default(),
                    },
                };
                FieldKind::Trigger(TriggerSpec {
                    name,
                    timing: o.timing.unwrap_or(Timing::Before),
                    events: o.events.clone(),
                    for_each: o.for_each.unwrap_or(ForEach::Row),
                    action,
                })
            }
        };
        let default = match (t, &o.default) {
            (FieldType::Checkbox, None) => Some(DefaultValue::Literal(Value::Bool(false))),
            (_, default) => default.clone(),
        };
        let checks = t.checks(o);
        let comment = match (&o.description, &o.currency_code) {
            (Some(d), Some(code)) if t == FieldType::Currency => {
                Some(format!("{d} (currency: {code})"))
            }
            (None, Some(code)) if t == FieldType::Currency => Some(format!("currency: {code}")),
            (d, _) => d.clone(),
        };
        let is_column = matches!(t.storage(), Storage::Column | Storage::Generated);
        fields.push(ResolvedField {
            name: field.name.clone(),
            pg_type: t.pg_type(o),
            nullable: !(o.required || t == FieldType::Checkbox),
            unique: o.unique && is_column,
            unique_constraint: (o.unique && is_column)
                .then(|| names::unique_constraint(&db_name, &column)),
            default,
            check_constraint: (!checks.is_empty())
                .then(|| names::check_constraint(&db_name, &column)),
            checks,
            comment,
            is_primary: Some(fi) == primary,
            renamed_from: field.renamed_from.clone(),
            field_type: t,
            options: o.clone(),
            kind,
            db_name: column,
        });
    }
    let view = fields
        .iter()
        .any(|f| matches!(f.kind, FieldKind::View(_)))
        .then(|| names::companion_view(&db_name));
    // Only for tables with indexes: the columns of every relationship are looked up.
    let columns = if table.indexes.is_empty() {
        Vec::new()
    } else {
        super::indexes::indexable_columns(design, ti)
    };
    let indexes = table
        .indexes
        .iter()
        .map(|index| {
            let keys = super::indexes::index_keys(&columns, index).expect("validated");
            ResolvedIndex {
                name: super::indexes::designed_index_name(table, &keys, index),
                keys,
                unique: index.unique,
                method: index.method,
                predicate: index.predicate.clone(),
            }
        })
        .collect();
    ResolvedTable {
        indexes,
        name: table.name.clone(),
        primary_field: fields
            .iter()
            .find(|f| f.is_primary)
            .map(|f| f.db_name.clone()),
        description: table.description.clone(),
        rls_enabled: table.rls_enabled,
        public_reference: table.public_reference,
        policies: table.rls_policies.clone(),
        drop_columns: table.drop_columns.clone(),
        drop_policies: table.drop_policies.clone(),
        renamed_from: table.renamed_from.clone(),
        system_fields: table.system_fields,
        audit: table.audit,
        soft_delete: table.soft_delete,
        primary_key: fields
            .iter()
            .filter(|f| f.options.primary_key)
            .map(|f| f.db_name.clone())
            .collect(),
        fields,
        view,
        db_name,
    }
}

fn resolve_relationships(
    design: &Design,
    known: &dyn Fn(&str, &str) -> bool,
) -> Vec<ResolvedRelationship> {
    design
        .relationships
        .iter()
        .map(|rel| {
            let ti = design.find_table(&rel.table).expect("validated");
            let source = design.tables[ti].db_name().into_owned();
            let target_ref = target_of(design, &rel.target, known);
            let target = match &target_ref {
                TargetRef::Designed(i) => Target::Designed {
                    index: *i,
                    db_name: design.tables[*i].db_name().into_owned(),
                },
                TargetRef::External { schema, table } => Target::External {
                    schema: schema.clone(),
                    table: table.clone(),
                },
                TargetRef::Unknown => unreachable!("validated"),
            };
            let kind = if rel.allow_multiple {
                let (table, source_column, target_column) =
                    linking_names(design, &source, rel, &target_ref);
                RelationshipKind::Linking {
                    source_fkey: names::fkey_constraint(&table, &source_column),
                    target_fkey: names::fkey_constraint(&table, &target_column),
                    pkey: names::pkey_constraint(&table),
                    target_index: names::index_name(&table, &[&target_column]),
                    created_by_fkey: names::fkey_constraint(&table, "created_by"),
                    created_by_index: names::index_name(&table, &["created_by"]),
                    table,
                    source_column,
                    target_column,
                }
            } else {
                let column = names::relationship_column(&rel.name);
                RelationshipKind::ForeignKey {
                    nullable: !rel.required,
                    on_delete: rel.delete_rule(),
                    fkey: names::fkey_constraint(&source, &column),
                    index: names::index_name(&source, &[&column]),
                    unique_constraint: rel
                        .one_to_one
                        .then(|| names::unique_constraint(&source, &column)),
                    column,
                }
            };
            ResolvedRelationship {
                table: ti,
                table_db_name: source,
                name: rel.name.clone(),
                target,
                kind,
            }
        })
        .collect()
}

fn resolve_samples(design: &Design, ti: usize, spec: &Samples) -> ResolvedSampleSpec {
    match spec {
        Samples::Count(n) => ResolvedSampleSpec::Count(*n),
        Samples::Rows(rows) => ResolvedSampleSpec::Rows(
            rows.iter()
                .map(|row| {
                    row.iter()
                        .map(|(key, value)| {
                            let column = match sample_column(design, ti, key) {
                                Some(SampleColumn::Field(f)) => f.db_name().into_owned(),
                                Some(SampleColumn::System(s)) => s.to_string(),
                                Some(SampleColumn::Relationship(c)) => c,
                                None => key.clone(),
                            };
                            (column, value.clone())
                        })
                        .collect()
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resolved(design: serde_json::Value) -> ResolvedDesign {
        resolve(&serde_json::from_value(design).unwrap()).unwrap()
    }

    #[test]
    fn hostile_names_are_kept_exactly_or_derived_safely() {
        let long = "Ä".repeat(50);
        let r = resolved(json!({"tables": [{
            "name": "x", "db_name": "a\"; DROP TABLE t; --",
            "fields": [
                {"name": "Robert'); --", "type": "singleLineText", "is_primary": true},
                {"name": long, "type": "number"},
                {"name": "select", "type": "checkbox"}
            ]
        }]}));
        let t = &r.tables[0];
        assert_eq!(
            t.db_name, "a\"; DROP TABLE t; --",
            "explicit names are kept as written"
        );
        assert_eq!(t.fields[0].db_name, "robert");
        assert!(t.fields[1].db_name.len() <= names::MAX_IDENT_BYTES);
        assert!(t.fields[1].db_name.starts_with("aaaa"));
        assert_eq!(
            t.fields[2].db_name, "select",
            "reserved words are left to quoting"
        );
    }

    #[test]
    fn long_table_names_keep_constraint_names_within_63_bytes() {
        let name = "a".repeat(63);
        let r = resolved(json!({"tables": [{"name": name, "fields": [
            {"name": "status", "type": "singleSelect", "options": {"choices": ["x"], "unique": true}, "is_primary": true},
            {"name": "status2", "type": "singleSelect", "options": {"choices": ["x"]}}
        ]}]}));
        let f = &r.tables[0].fields;
        let c0 = f[0].check_constraint.clone().unwrap();
        let c1 = f[1].check_constraint.clone().unwrap();
        assert!(c0.len() <= 63 && c1.len() <= 63);
        assert_ne!(c0, c1);
        assert!(f[0].unique_constraint.as_ref().unwrap().len() <= 63);
    }

    #[test]
    fn relationship_delete_rules() {
        let r = resolved(json!({
            "tables": [
                {"name": "a", "fields": [{"name": "n", "type": "singleLineText", "is_primary": true}]},
                {"name": "b", "fields": [{"name": "n", "type": "singleLineText", "is_primary": true}]}
            ],
            "relationships": [
                {"table": "b", "name": "x", "target": "a", "required": true},
                {"table": "b", "name": "y", "target": "a", "required": true, "cascade_delete": true},
                {"table": "b", "name": "z", "target": "a"},
                {"table": "a", "name": "self", "target": "a", "allow_multiple": true}
            ]
        }));
        let rules: Vec<_> = r.relationships[..3]
            .iter()
            .map(|rel| match &rel.kind {
                RelationshipKind::ForeignKey {
                    on_delete,
                    nullable,
                    ..
                } => (*on_delete, *nullable),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            rules,
            [
                (OnDelete::Restrict, false),
                (OnDelete::Cascade, false),
                (OnDelete::SetNull, true)
            ]
        );
        let RelationshipKind::Linking {
            table,
            source_column,
            target_column,
            ..
        } = &r.relationships[3].kind
        else {
            panic!("many-to-many")
        };
        assert_eq!(
            (
                table.as_str(),
                source_column.as_str(),
                target_column.as_str()
            ),
            ("a_a", "a_id", "self_id")
        );
    }

    #[test]
    fn errors_prevent_resolution() {
        let design: Design =
            serde_json::from_value(json!({"tables": [{"name": "", "fields": []}]})).unwrap();
        let errors = resolve(&design).unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "tables[0].name: a table needs a name"
        );
    }
}
