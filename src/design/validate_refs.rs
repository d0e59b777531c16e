//! Rules about references between parts of a design: relationships (their tables, targets,
//! columns and linking tables), computed fields that follow a relationship, and samples.
//!
//! The reference resolution used here ([`target_of`], [`computed_ref`], [`linking_names`]) is
//! also what `resolve` uses, so a design that validates resolves to exactly what was checked.

use std::collections::HashMap;

use super::diagnostics::{Diagnostic, index_path, key_path};
use super::field_types::{FieldType, SYSTEM_FIELDS, Storage, is_system_field};
use super::managed_schemas::is_managed_schema;
use super::model::{Aggregate, Design, Field, OnDelete, Relationship};
use super::name_text::check_visible;
use super::names::{check_explicit, fit_identifier, linking_table, relationship_column};
use super::validate::managed_schema_error;

/// What a relationship's `target` refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TargetRef {
    Designed(usize),
    External { schema: String, table: String },
    Unknown,
}

/// Resolves a relationship target: a designed table (by db_name or name), `schema.table`, or
/// a bare name the catalog knows in the design's schema.
pub(crate) fn target_of(
    design: &Design,
    target: &str,
    known: &dyn Fn(&str, &str) -> bool,
) -> TargetRef {
    if let Some(i) = design.find_table(target) {
        return TargetRef::Designed(i);
    }
    if let Some((schema, table)) = target.split_once('.') {
        return TargetRef::External {
            schema: schema.to_string(),
            table: table.to_string(),
        };
    }
    if known(&design.schema, target) {
        return TargetRef::External {
            schema: design.schema.clone(),
            table: target.to_string(),
        };
    }
    TargetRef::Unknown
}

/// The schema of a `schema.table` reference when the platform manages it: such a table can
/// be pointed at, never given a foreign key, rows or anything else.
pub(crate) fn managed_schema_of(reference: &str) -> Option<&str> {
    reference
        .split_once('.')
        .map(|(schema, _)| schema)
        .filter(|schema| is_managed_schema(schema))
}

/// The table-name part of a target, for naming the linking table and its columns.
fn target_table_name(design: &Design, target: &TargetRef) -> String {
    match target {
        TargetRef::Designed(i) => design.tables[*i].db_name().into_owned(),
        TargetRef::External { table, .. } => table.clone(),
        TargetRef::Unknown => String::new(),
    }
}

/// The names of a many-to-many relationship's linking table: `(table, source column, target
/// column)`. A self-referencing one names its second column after the relationship so the
/// two columns differ.
pub(crate) fn linking_names(
    design: &Design,
    source: &str,
    rel: &Relationship,
    target: &TargetRef,
) -> (String, String, String) {
    let target_name = target_table_name(design, target);
    let table = linking_table(source, &target_name);
    let source_column = fit_identifier(&format!("{source}_id"));
    let mut target_column = fit_identifier(&format!("{target_name}_id"));
    if target_column == source_column {
        target_column = relationship_column(&rel.name);
    }
    (table, source_column, target_column)
}

pub(crate) fn check_relationships(
    design: &Design,
    known: &dyn Fn(&str, &str) -> bool,
    out: &mut Vec<Diagnostic>,
) {
    let references = design.table_references();
    let mut columns: HashMap<(usize, String), usize> = HashMap::new();
    let mut linking: HashMap<String, usize> = HashMap::new();
    for (ri, rel) in design.relationships.iter().enumerate() {
        let path = index_path("relationships", ri);
        check_visible(
            &key_path(&path, "name"),
            "the relationship name",
            &rel.name,
            out,
        );
        check_visible(&key_path(&path, "table"), "the table", &rel.table, out);
        check_visible(&key_path(&path, "target"), "the target", &rel.target, out);
        let Some(source) = design.find_table(&rel.table) else {
            if let Some(schema) = managed_schema_of(&rel.table) {
                out.push(managed_schema_error(&key_path(&path, "table"), schema));
                continue;
            }
            out.push(
                Diagnostic::error(
                    key_path(&path, "table"),
                    format!("unknown table \"{}\"", rel.table),
                )
                .did_you_mean(&rel.table, references.iter().map(String::as_str)),
            );
            continue;
        };
        let target = target_of(design, &rel.target, known);
        let target_path = key_path(&path, "target");
        match &target {
            TargetRef::Unknown => out.push(
                Diagnostic::error(&target_path, format!("unknown table \"{}\"", rel.target))
                    .did_you_mean(&rel.target, references.iter().map(String::as_str))
                    .or_suggest("for a table that is not in this design, write it as schema.table"),
            ),
            TargetRef::External { schema, table } => {
                let exact = |part: &str| {
                    check_explicit(part).is_ok() && part.trim() == part && !part.contains('.')
                };
                if !exact(schema) || !exact(table) {
                    out.push(
                        Diagnostic::error(
                            &target_path,
                            format!("\"{}\" is not a valid schema.table name", rel.target),
                        )
                        .suggest("write exactly one schema and one table, e.g. \"auth.users\""),
                    );
                }
            }
            TargetRef::Designed(_) => {}
        }
        if rel.name.trim().is_empty() {
            out.push(Diagnostic::error(
                key_path(&path, "name"),
                "a relationship needs a name",
            ));
            continue;
        }
        if rel.allow_multiple && rel.one_to_one {
            out.push(Diagnostic::error(
                key_path(&path, "one_to_one"),
                "a relationship cannot be both many-to-many (allow_multiple) and one-to-one",
            ));
        }
        delete_rule(rel, &path, out);
        if rel.allow_multiple && rel.required {
            out.push(Diagnostic::warning(
                key_path(&path, "required"),
                "required has no meaning for a many-to-many relationship and is ignored",
            ));
        }
        let table = &design.tables[source];
        let source_db = table.db_name().into_owned();
        if rel.allow_multiple {
            if target == TargetRef::Unknown {
                continue;
            }
            let (link, _, _) = linking_names(design, &source_db, rel, &target);
            if let Some(ti) = design.tables.iter().position(|t| t.db_name() == link) {
                out.push(Diagnostic::error(
                    &path,
                    format!("the linking table \"{link}\" collides with tables[{ti}]"),
                ));
            } else if let Some(&first) = linking.get(&link) {
                out.push(
                    Diagnostic::error(
                        &path,
                        format!(
                            "the linking table \"{link}\" is also made by relationships[{first}]"
                        ),
                    )
                    .suggest("one many-to-many relationship per pair of tables"),
                );
            } else {
                linking.insert(link, ri);
            }
            continue;
        }
        let column = relationship_column(&rel.name);
        let name_path = key_path(&path, "name");
        if let Some((fi, f)) = table
            .effective_fields()
            .find(|(_, f)| f.db_name() == column)
        {
            out.push(Diagnostic::error(
                &name_path,
                format!(
                    "the relationship column \"{column}\" collides with tables[{source}].fields[{fi}] (\"{}\")",
                    f.name
                ),
            ));
        } else if is_system_field(&column) {
            out.push(Diagnostic::error(
                &name_path,
                format!("the relationship column \"{column}\" is a system field"),
            ));
        } else if let Some(&first) = columns.get(&(source, column.clone())) {
            out.push(Diagnostic::error(
                &name_path,
                format!(
                    "the relationship column \"{column}\" is also made by relationships[{first}]"
                ),
            ));
        } else {
            columns.insert((source, column), ri);
        }
    }
}

trait OrSuggest {
    fn or_suggest(self, text: &str) -> Self;
}

impl OrSuggest for Diagnostic {
    fn or_suggest(self, text: &str) -> Diagnostic {
        if self.suggestion.is_some() {
            self
        } else {
            self.suggest(text)
        }
    }
}

/// The direction a computed field follows its relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The relationship is held by this table (`todos.project` seen from todos).
    Forward,
    /// The relationship is held by another table and points here (`todos.project` seen from
    /// projects, via `"through": "todos"`).
    Reverse,
}

/// A computed field's relationship, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ComputedRef {
    pub relationship: usize,
    pub direction: Direction,
    /// The table the values come from, when designed.
    pub other: Option<usize>,
}

/// `on_delete` agrees with `cascade_delete` and `required` when they are given too: a
/// relationship that cascades cannot also restrict, and SET NULL cannot empty a NOT NULL
/// column. A many-to-many's linking keys always cascade, so there it means nothing.
fn delete_rule(rel: &Relationship, path: &str, out: &mut Vec<Diagnostic>) {
    let Some(rule) = rel.on_delete else {
        return;
    };
    let here = key_path(path, "on_delete");
    if rel.allow_multiple {
        out.push(Diagnostic::warning(
            here,
            "on_delete has no meaning for a many-to-many relationship (its linking table's keys always cascade) and is ignored",
        ));
        return;
    }
    if rel.cascade_delete && rule != OnDelete::Cascade {
        out.push(
            Diagnostic::error(
                &here,
                format!(
                    "on_delete \"{}\" contradicts cascade_delete: true",
                    rule.name()
                ),
            )
            .suggest("leave cascade_delete out, or set on_delete to \"cascade\""),
        );
    }
    if rel.required && rule == OnDelete::SetNull {
        out.push(
            Diagnostic::error(
                &here,
                "on_delete \"set null\" cannot empty a required (NOT NULL) relationship",
            )
            .suggest("make it optional (required: false), or use \"restrict\" or \"cascade\""),
        );
    }
}

/// Resolves the relationship of a rollup / count / lookup field of table `ti`.
pub(crate) fn computed_ref(
    design: &Design,
    ti: usize,
    field: &Field,
    path: &str,
) -> Result<ComputedRef, Diagnostic> {
    let opath = key_path(path, "options");
    let o = &field.options;
    let holder = match &o.through {
        None => ti,
        Some(through) => design.find_table(through).ok_or_else(|| {
            Diagnostic::error(
                key_path(&opath, "through"),
                format!("unknown table \"{through}\""),
            )
            .did_you_mean(
                through,
                design.table_references().iter().map(String::as_str),
            )
        })?,
    };
    let name = o.relationship.as_deref().unwrap_or_default();
    let rel_path = key_path(&opath, "relationship");
    let Some((ri, rel)) = design
        .relationships_of(holder)
        .find(|(_, r)| r.name == name)
    else {
        let holder_name = design.tables[holder].db_name().into_owned();
        let names: Vec<&str> = design
            .relationships_of(holder)
            .map(|(_, r)| r.name.as_str())
            .collect();
        return Err(Diagnostic::error(
            rel_path,
            format!("\"{holder_name}\" has no relationship named \"{name}\""),
        )
        .did_you_mean(name, names));
    };
    let target = target_of(design, &rel.target, &|_, _| false);
    let (direction, other) = if holder == ti {
        let other = match target {
            TargetRef::Designed(i) => Some(i),
            _ => None,
        };
        (Direction::Forward, other)
    } else if target == TargetRef::Designed(ti) {
        (Direction::Reverse, Some(holder))
    } else {
        return Err(Diagnostic::error(
            rel_path,
            format!(
                "relationship \"{name}\" of \"{}\" does not point at this table",
                design.tables[holder].db_name()
            ),
        ));
    };
    let single_row = match direction {
        Direction::Forward => !rel.allow_multiple,
        Direction::Reverse => rel.one_to_one,
    };
    let t = field.field_type;
    if single_row && t != FieldType::Lookup {
        return Err(Diagnostic::error(
            rel_path,
            format!("relationship \"{name}\" leads to at most one row; a {t} needs many"),
        )
        .suggest(
            "use a lookup field, or go through the table on the other side with \"through\"",
        ));
    }
    if !single_row && t == FieldType::Lookup && direction == Direction::Reverse {
        return Err(Diagnostic::error(
            rel_path,
            format!("relationship \"{name}\" leads to many rows; a lookup needs one"),
        )
        .suggest("use a rollup or count field"));
    }
    Ok(ComputedRef {
        relationship: ri,
        direction,
        other,
    })
}

pub(crate) fn check_computed_fields(design: &Design, out: &mut Vec<Diagnostic>) {
    for (ti, table) in design.tables.iter().enumerate() {
        for (fi, field) in table.effective_fields() {
            if field.field_type.storage() != Storage::View || field.options.relationship.is_none() {
                continue;
            }
            let path = format!("tables[{ti}].fields[{fi}]");
            let r = match computed_ref(design, ti, field, &path) {
                Ok(r) => r,
                Err(d) => {
                    out.push(d);
                    continue;
                }
            };
            let (Some(other), Some(target_field)) = (r.other, &field.options.target_field) else {
                continue;
            };
            let tf_path = format!("{path}.options.target_field");
            let other_table = &design.tables[other];
            if SYSTEM_FIELDS.iter().any(|s| s.db_name == target_field) {
                continue;
            }
            match other_table.find_field(target_field) {
                None => {
                    let names: Vec<String> = other_table
                        .effective_fields()
                        .map(|(_, f)| f.name.clone())
                        .collect();
                    out.push(
                        Diagnostic::error(
                            tf_path,
                            format!(
                                "\"{}\" has no field \"{target_field}\"",
                                other_table.db_name()
                            ),
                        )
                        .did_you_mean(target_field, names.iter().map(String::as_str)),
                    );
                }
                Some((_, f)) => {
                    let numeric = matches!(
                        f.field_type,
                        FieldType::Number
                            | FieldType::Currency
                            | FieldType::Percent
                            | FieldType::Rating
                            | FieldType::Count
                    );
                    if matches!(
                        field.options.aggregate,
                        Some(Aggregate::Sum | Aggregate::Avg)
                    ) && !numeric
                    {
                        out.push(Diagnostic::error(
                            tf_path,
                            format!(
                                "cannot sum or average \"{}\", a {} field",
                                f.name, f.field_type
                            ),
                        ));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::validate::validate_with_known_tables;
    use serde_json::json;

    use crate::design::test_fixtures::{design, messages};

    #[test]
    fn dangling_targets_get_suggestions_and_external_names_pass() {
        let d = design(json!({"relationships": [
            {"table": "todos", "name": "project", "target": "projcts"},
            {"table": "Todoz", "name": "x", "target": "projects"},
            {"table": "todos", "name": "owner", "target": "auth.users"},
            {"table": "todos", "name": "team", "target": "teams"}
        ]}));
        assert_eq!(
            messages(&d),
            [
                "relationships[0].target: unknown table \"projcts\" — did you mean \"projects\"?",
                "relationships[1].table: unknown table \"Todoz\" — did you mean \"Todos\"?",
                "relationships[3].target: unknown table \"teams\" — for a table that is not in this design, write it as schema.table",
            ]
        );
        let live = validate_with_known_tables(&d, &|schema, t| schema == "public" && t == "teams");
        assert_eq!(live.len(), 2);
    }

    #[test]
    fn relationship_columns_and_kinds() {
        let d = design(json!({"relationships": [
            {"table": "todos", "name": "estimate_id", "target": "projects"},
            {"table": "todos", "name": "project", "target": "projects", "allow_multiple": true, "one_to_one": true},
            {"table": "projects", "name": "tags", "target": "todos", "allow_multiple": true},
            {"table": "projects", "name": "more", "target": "todos", "allow_multiple": true},
            {"table": "todos", "name": "Estimate", "target": "projects"}
        ]}));
        let mut d = d;
        d.tables[1].fields[1].name = "estimate_id_id".into();
        d.tables[1].fields[1].db_name = None;
        assert_eq!(
            messages(&d),
            [
                "relationships[0].name: the relationship column \"estimate_id_id\" collides with tables[1].fields[1] (\"estimate_id_id\")",
                "relationships[1].one_to_one: a relationship cannot be both many-to-many (allow_multiple) and one-to-one",
                "relationships[3]: the linking table \"projects_todos\" is also made by relationships[2] — one many-to-many relationship per pair of tables",
            ]
        );
    }

    #[test]
    fn computed_fields_follow_relationships() {
        let mut d = design(json!({"relationships": [
            {"table": "todos", "name": "project", "target": "projects"}
        ]}));
        let fields: Vec<Field> = serde_json::from_value(json!([
            {"name": "open", "type": "count", "options": {"relationship": "project", "through": "todos"}},
            {"name": "effort", "type": "rollup", "options": {"relationship": "project", "through": "todos", "target_field": "estimate", "aggregate": "sum"}},
            {"name": "bad", "type": "rollup", "options": {"relationship": "project", "through": "todos", "target_field": "titel", "aggregate": "max"}},
            {"name": "bad2", "type": "count", "options": {"relationship": "projekt", "through": "todos"}},
            {"name": "bad3", "type": "rollup", "options": {"relationship": "project", "through": "todos", "target_field": "title", "aggregate": "sum"}}
        ]))
        .unwrap();
        d.tables[0].fields.extend(fields);
        let lookup: Field = serde_json::from_value(
            json!({"name": "project name", "type": "lookup", "options": {"relationship": "project", "target_field": "name"}}),
        )
        .unwrap();
        d.tables[1].fields.push(lookup);
        assert_eq!(
            messages(&d),
            [
                "tables[0].fields[3].options.target_field: \"todos\" has no field \"titel\" — did you mean \"title\"?",
                "tables[0].fields[4].options.relationship: \"todos\" has no relationship named \"projekt\" — did you mean \"project\"?",
                "tables[0].fields[5].options.target_field: cannot sum or average \"title\", a singleLineText field",
            ]
        );
    }
}
