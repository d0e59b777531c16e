//! The catalog as a plan would leave it: a copy of the live [`Catalog`] with each step's
//! effect applied, taken from the [`ResolvedDesign`] the plan was made from (never by
//! parsing the plan's SQL). The linter runs on this, so a design is judged — its new
//! tables, columns, indexes, RLS switches and policies together with everything already
//! there — before anything is sent to the server.
//!
//! Steps are matched to the design by their `object` (`schema.table[.thing]`). Effects the
//! linter does not look at (comments, triggers, grants, sample rows) are left out.

use crate::catalog::{
    Catalog, Column, FkAction, ForeignKey, Function, FunctionKind, Index, KeyConstraint,
    Policy as LivePolicy, PolicyCommand, Schema, Table, TableKind,
};
use crate::design::names::{fkey_constraint, index_name, pkey_constraint};
use crate::design::{
    FieldKind, OnDelete, Operation, Policy, RelationshipKind, ResolvedDesign, ResolvedField,
    ResolvedRelationship, ResolvedTable, SYSTEM_FIELDS, Target,
};
use crate::plan::sql_parts::default_sql;
use crate::plan::{Plan, StepKind};
use crate::rls::expr::wrap_auth_calls;
use crate::sql::{ident, qualified};

/// The policy the planner gives every linking table (see `plan/security.rs`).
pub const LINKING_POLICY: &str = "Owners manage their links";

/// USING and WITH CHECK as PostgreSQL will hold them for a designed policy: INSERT has only
/// WITH CHECK, SELECT and DELETE only USING, and UPDATE/ALL use USING as the check when
/// none is given (the planner's rules); `auth.*()` calls wrapped. `None` when unreadable.
pub fn effective_clauses(policy: &Policy) -> (Option<String>, Option<String>) {
    let wrap = |e: &Option<String>| e.as_deref().and_then(|e| wrap_auth_calls(e).ok());
    let (using, check) = (
        wrap(&policy.using_expression),
        wrap(&policy.with_check_expression),
    );
    match policy.operation {
        Operation::Insert => (None, check.or(using)),
        Operation::Select | Operation::Delete => (using, None),
        Operation::Update | Operation::All => {
            let check = check.or_else(|| using.clone());
            (using, check)
        }
    }
}

/// A designed policy as the catalog will show it.
pub fn live_policy(policy: &Policy) -> LivePolicy {
    let (using, with_check) = effective_clauses(policy);
    LivePolicy {
        name: policy.name.clone(),
        command: match policy.operation {
            Operation::Select => PolicyCommand::Select,
            Operation::Insert => PolicyCommand::Insert,
            Operation::Update => PolicyCommand::Update,
            Operation::Delete => PolicyCommand::Delete,
            Operation::All => PolicyCommand::All,
        },
        permissive: policy.permissive,
        roles: if policy.roles.is_empty() {
            vec!["authenticated".into()]
        } else {
            policy.roles.clone()
        },
        using,
        with_check,
    }
}

fn linking_policy() -> Policy {
    Policy {
        name: LINKING_POLICY.into(),
        operation: Operation::All,
        using_expression: Some("created_by = auth.uid()".into()),
        with_check_expression: None,
        roles: vec!["authenticated".into()],
        permissive: true,
    }
}

/// Applies `plan` to a copy of `catalog`.
pub fn merge(catalog: &Catalog, design: &ResolvedDesign, plan: &Plan) -> Catalog {
    let mut m = Merge {
        out: catalog.clone(),
        design,
    };
    for step in &plan.steps {
        m.apply(step.kind, &step.object);
    }
    m.out
}

struct Merge<'a> {
    out: Catalog,
    design: &'a ResolvedDesign,
}

fn column(name: &str, data_type: &str, nullable: bool, default: Option<String>) -> Column {
    Column {
        name: name.into(),
        position: 0,
        data_type: data_type.into(),
        nullable,
        default,
        identity: None,
        generated: None,
        comment: None,
    }
}

fn index(schema: &str, table: &str, name: &str, columns: &[&str], unique: bool) -> Index {
    let keys: Vec<String> = columns.iter().map(|c| ident(c)).collect();
    Index {
        name: name.into(),
        definition: format!(
            "CREATE {}INDEX {} ON {} USING btree ({})",
            if unique { "UNIQUE " } else { "" },
            ident(name),
            qualified(schema, table),
            keys.join(", ")
        ),
        unique,
        primary: false,
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
    }
}

fn foreign_key(name: &str, column: &str, schema: &str, table: &str, key: &str) -> ForeignKey {
    ForeignKey {
        name: name.into(),
        columns: vec![column.into()],
        references_schema: schema.into(),
        references_table: table.into(),
        references_columns: vec![key.into()],
        on_delete: FkAction::NoAction,
        on_update: FkAction::NoAction,
        deferrable: false,
        initially_deferred: false,
        validated: true,
    }
}

fn empty_table(schema: &str, name: &str, kind: TableKind) -> Table {
    Table::new(schema, name, kind)
}

fn field_column(field: &ResolvedField) -> Column {
    let mut c = column(
        &field.db_name,
        &field.pg_type.map_or("text".into(), |t| t.format_type()),
        field.nullable,
        field
            .default
            .as_ref()
            .map(|d| default_sql(d, field.pg_type.as_ref())),
    );
    if let FieldKind::Generated { expression } = &field.kind {
        c.generated = Some(expression.clone());
        c.default = None;
    }
    c
}

impl Merge<'_> {
    fn schema(&self) -> &str {
        &self.design.schema
    }

    fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        let schema = self.design.schema.clone();
        self.out
            .tables
            .iter_mut()
            .find(|t| t.schema == schema && t.name == name)
    }

    fn insert_table(&mut self, table: Table) {
        let at = self
            .out
            .tables
            .binary_search_by(|t| {
                (t.schema.as_str(), t.name.as_str()).cmp(&(&table.schema, &table.name))
            })
            .unwrap_or_else(|i| i);
        if self
            .out
            .tables
            .get(at)
            .is_some_and(|t| t.schema == table.schema && t.name == table.name)
        {
            self.out.tables[at] = table;
        } else {
            self.out.tables.insert(at, table);
        }
    }

    /// The designed table (or linking table) an object names, and what follows its name.
    fn split<'o>(&self, object: &'o str) -> Option<(String, Option<&'o str>)> {
        let rest = object.strip_prefix(self.schema())?.strip_prefix('.')?;
        let names = self
            .design
            .tables
            .iter()
            .map(|t| t.db_name.clone())
            .chain(
                self.design
                    .relationships
                    .iter()
                    .filter_map(|r| match &r.kind {
                        RelationshipKind::Linking { table, .. } => Some(table.clone()),
                        _ => None,
                    }),
            )
            .chain(self.design.tables.iter().filter_map(|t| t.view.clone()));
        let mut best: Option<(String, Option<&'o str>)> = None;
        for name in names {
            let found = if rest == name {
                Some(None)
            } else {
                rest.strip_prefix(name.as_str())
                    .and_then(|r| r.strip_prefix('.'))
                    .map(Some)
            };
            if let Some(thing) = found
                && best.as_ref().is_none_or(|(b, _)| name.len() > b.len())
            {
                best = Some((name, thing));
            }
        }
        best
    }

    fn designed(&self, name: &str) -> Option<&ResolvedTable> {
        self.design.tables.iter().find(|t| t.db_name == name)
    }

    fn relationships_of<'d>(
        &'d self,
        table: &'d str,
    ) -> impl Iterator<Item = &'d ResolvedRelationship> {
        self.design
            .relationships
            .iter()
            .filter(move |r| r.table_db_name == table)
    }

    fn linking(&self, name: &str) -> Option<&ResolvedRelationship> {
        self.design
            .relationships
            .iter()
            .find(|r| matches!(&r.kind, RelationshipKind::Linking { table, .. } if table == name))
    }

    /// `(schema, table, key column, its type)` a relationship points at.
    fn target(&self, rel: &ResolvedRelationship) -> (String, String, String, String) {
        match &rel.target {
            Target::Designed { db_name, .. } => (
                self.schema().to_owned(),
                db_name.clone(),
                "id".into(),
                "uuid".into(),
            ),
            Target::External { schema, table } => {
                let live = self.out.table(schema, table);
                let key = live
                    .and_then(|t| t.primary_key.as_ref())
                    .and_then(|k| k.columns.first().cloned())
                    .unwrap_or_else(|| "id".into());
                let pg_type = live
                    .and_then(|t| t.column(&key))
                    .map_or("uuid".into(), |c| c.data_type.clone());
                (schema.clone(), table.clone(), key, pg_type)
            }
        }
    }

    fn apply(&mut self, kind: StepKind, object: &str) {
        match kind {
            StepKind::CreateSchema => self.out.schemas.push(Schema {
                name: object.to_owned(),
                owner: String::new(),
                managed: false,
                usage: true,
                comment: None,
            }),
            StepKind::CreateFunction => {
                if let Some(name) = object
                    .strip_prefix(self.schema())
                    .and_then(|r| r.strip_prefix('.'))
                {
                    // Every function the planner writes pins `SET search_path = ''`.
                    self.out.functions.push(Function {
                        schema: self.schema().to_owned(),
                        name: name.to_owned(),
                        identity_args: String::new(),
                        result: Some("trigger".into()),
                        language: "plpgsql".into(),
                        kind: FunctionKind::Function,
                        security_definer: false,
                        volatility: "v".into(),
                        config: vec!["search_path=\"\"".into()],
                        extension: None,
                        comment: None,
                    });
                }
            }
            _ => {
                let Some((table, thing)) = self.split(object) else {
                    return;
                };
                self.table_step(kind, &table, thing);
            }
        }
    }

    fn table_step(&mut self, kind: StepKind, table: &str, thing: Option<&str>) {
        match (kind, thing) {
            (StepKind::CreateTable, None) => self.create_table(table),
            (StepKind::CreateLinkingTable, None) => self.create_linking_table(table),
            (StepKind::CreateView, None) => {
                let mut view = empty_table(self.schema(), table, TableKind::View);
                view.security_invoker = true;
                view.options = vec!["security_invoker=true".into()];
                self.insert_table(view);
            }
            (StepKind::EnableRls, None) => {
                if let Some(t) = self.table_mut(table) {
                    t.rls_enabled = true;
                }
            }
            (StepKind::AddColumn, Some(name)) => self.add_column(table, name),
            (StepKind::DropColumn, Some(name)) => {
                if let Some(t) = self.table_mut(table) {
                    // PostgreSQL drops the indexes and constraints that use the column too.
                    let uses = |columns: &[String]| columns.iter().any(|c| c == name);
                    t.columns.retain(|c| c.name != name);
                    t.indexes.retain(|i| !uses(&i.columns));
                    t.foreign_keys.retain(|f| !uses(&f.columns));
                    t.unique_constraints.retain(|k| !uses(&k.columns));
                    if t.primary_key.as_ref().is_some_and(|k| uses(&k.columns)) {
                        t.primary_key = None;
                    }
                }
            }
            (StepKind::DropPolicy, Some(name)) => {
                if let Some(t) = self.table_mut(table) {
                    t.policies.retain(|p| p.name != name);
                }
            }
            (StepKind::AddForeignKey, Some(name)) => self.add_foreign_key(table, name),
            (StepKind::AddConstraint, Some(name)) => self.add_unique(table, name),
            (StepKind::CreateIndex, Some(name)) => self.create_index(table, name),
            (StepKind::CreatePolicy, Some(name)) => {
                let policy = self
                    .designed(table)
                    .and_then(|t| t.policies.iter().find(|p| p.name == name).cloned())
                    .or_else(|| (name == LINKING_POLICY).then(linking_policy));
                if let (Some(policy), Some(t)) = (policy, self.table_mut(table)) {
                    t.policies.retain(|p| p.name != policy.name);
                    t.policies.push(live_policy(&policy));
                }
            }
            _ => {}
        }
    }

    fn create_table(&mut self, name: &str) {
        let Some(design) = self.designed(name).cloned() else {
            return;
        };
        let schema = self.schema().to_owned();
        let auth = self.out.flavour.supabase;
        let mut t = empty_table(&schema, name, TableKind::Table);
        for f in &SYSTEM_FIELDS {
            let default = f
                .default_expression
                .filter(|e| auth || !e.starts_with("auth."))
                .map(str::to_owned);
            t.columns.push(column(
                f.db_name,
                &f.pg_type.format_type(),
                f.nullable,
                default,
            ));
        }
        t.columns.extend(design.columns().map(field_column));
        let pkey = pkey_constraint(name);
        t.primary_key = Some(KeyConstraint {
            name: pkey.clone(),
            columns: vec!["id".into()],
        });
        let mut pk_index = index(&schema, name, &pkey, &["id"], true);
        pk_index.primary = true;
        t.indexes.push(pk_index);
        if auth {
            t.foreign_keys.push(ForeignKey {
                on_delete: FkAction::SetNull,
                ..foreign_key(
                    &fkey_constraint(name, "created_by"),
                    "created_by",
                    "auth",
                    "users",
                    "id",
                )
            });
        }
        for field in design.columns() {
            if let Some(unique) = &field.unique_constraint {
                t.unique_constraints.push(KeyConstraint {
                    name: unique.clone(),
                    columns: vec![field.db_name.clone()],
                });
                t.indexes
                    .push(index(&schema, name, unique, &[&field.db_name], true));
            }
        }
        self.insert_table(t);
    }

    fn create_linking_table(&mut self, name: &str) {
        let Some(rel) = self.linking(name).cloned() else {
            return;
        };
        let RelationshipKind::Linking {
            source_column,
            target_column,
            source_fkey,
            target_fkey,
            pkey,
            created_by_fkey,
            ..
        } = &rel.kind
        else {
            return;
        };
        let schema = self.schema().to_owned();
        let auth = self.out.flavour.supabase;
        let (target_schema, target_table, key, pg_type) = self.target(&rel);
        let mut t = empty_table(&schema, name, TableKind::Table);
        t.columns = vec![
            column(source_column, "uuid", false, None),
            column(target_column, &pg_type, false, None),
            column(
                "created_at",
                "timestamp with time zone",
                false,
                Some("now()".into()),
            ),
            column(
                "created_by",
                "uuid",
                true,
                auth.then(|| "auth.uid()".into()),
            ),
        ];
        t.primary_key = Some(KeyConstraint {
            name: pkey.clone(),
            columns: vec![source_column.clone(), target_column.clone()],
        });
        let mut pk_index = index(&schema, name, pkey, &[source_column, target_column], true);
        pk_index.primary = true;
        t.indexes.push(pk_index);
        t.foreign_keys.push(ForeignKey {
            on_delete: FkAction::Cascade,
            ..foreign_key(
                source_fkey,
                source_column,
                &schema,
                &rel.table_db_name,
                "id",
            )
        });
        t.foreign_keys.push(ForeignKey {
            on_delete: FkAction::Cascade,
            ..foreign_key(
                target_fkey,
                target_column,
                &target_schema,
                &target_table,
                &key,
            )
        });
        if auth {
            t.foreign_keys.push(ForeignKey {
                on_delete: FkAction::SetNull,
                ..foreign_key(created_by_fkey, "created_by", "auth", "users", "id")
            });
        }
        self.insert_table(t);
    }

    fn add_column(&mut self, table: &str, name: &str) {
        let auth = self.out.flavour.supabase;
        let new = if let Some(f) = SYSTEM_FIELDS.iter().find(|f| f.db_name == name) {
            let default = f
                .default_expression
                .filter(|e| auth || !e.starts_with("auth."))
                .map(str::to_owned);
            Some(column(
                f.db_name,
                &f.pg_type.format_type(),
                f.nullable,
                default,
            ))
        } else if let Some(field) = self
            .designed(table)
            .and_then(|t| t.columns().find(|f| f.db_name == name))
        {
            Some(field_column(field))
        } else {
            self.relationships_of(table)
                .find_map(|rel| match &rel.kind {
                    RelationshipKind::ForeignKey {
                        column: c,
                        nullable,
                        ..
                    } if c == name => Some(column(c, &self.target(rel).3, *nullable, None)),
                    _ => None,
                })
        };
        if let (Some(new), Some(t)) = (new, self.table_mut(table)) {
            if name == "id" && t.primary_key.is_none() {
                t.primary_key = Some(KeyConstraint {
                    name: pkey_constraint(table),
                    columns: vec!["id".into()],
                });
                let schema = t.schema.clone();
                let mut pk = index(&schema, table, &pkey_constraint(table), &["id"], true);
                pk.primary = true;
                t.indexes.push(pk);
            }
            t.columns.push(new);
        }
    }

    fn add_foreign_key(&mut self, table: &str, name: &str) {
        let fk = if name == fkey_constraint(table, "created_by") {
            Some(ForeignKey {
                on_delete: FkAction::SetNull,
                ..foreign_key(name, "created_by", "auth", "users", "id")
            })
        } else {
            self.relationships_of(table)
                .find_map(|rel| match &rel.kind {
                    RelationshipKind::ForeignKey {
                        column,
                        fkey,
                        on_delete,
                        ..
                    } if fkey == name => {
                        let (schema, target, key, _) = self.target(rel);
                        Some(ForeignKey {
                            on_delete: match on_delete {
                                OnDelete::Cascade => FkAction::Cascade,
                                OnDelete::Restrict => FkAction::Restrict,
                                OnDelete::SetNull => FkAction::SetNull,
                            },
                            ..foreign_key(name, column, &schema, &target, &key)
                        })
                    }
                    _ => None,
                })
        };
        if let (Some(fk), Some(t)) = (fk, self.table_mut(table)) {
            t.foreign_keys.push(fk);
        }
    }

    fn add_unique(&mut self, table: &str, name: &str) {
        let column = self
            .designed(table)
            .and_then(|t| {
                t.columns()
                    .find(|f| f.unique_constraint.as_deref() == Some(name))
            })
            .map(|f| f.db_name.clone())
            .or_else(|| {
                self.relationships_of(table)
                    .find_map(|rel| match &rel.kind {
                        RelationshipKind::ForeignKey {
                            column,
                            unique_constraint: Some(u),
                            ..
                        } if u == name => Some(column.clone()),
                        _ => None,
                    })
            });
        let schema = self.schema().to_owned();
        if let (Some(column), Some(t)) = (column, self.table_mut(table)) {
            t.unique_constraints.push(KeyConstraint {
                name: name.into(),
                columns: vec![column.clone()],
            });
            t.indexes
                .push(index(&schema, table, name, &[&column], true));
        }
    }

    fn create_index(&mut self, table: &str, name: &str) {
        let column = if name == index_name(table, &["created_by"]) {
            Some("created_by".to_owned())
        } else {
            self.design
                .relationships
                .iter()
                .find_map(|rel| match &rel.kind {
                    RelationshipKind::ForeignKey { column, index, .. }
                        if index == name && rel.table_db_name == table =>
                    {
                        Some(column.clone())
                    }
                    RelationshipKind::Linking {
                        table: link,
                        target_index,
                        target_column,
                        created_by_index,
                        ..
                    } if link == table => {
                        if target_index == name {
                            Some(target_column.clone())
                        } else if created_by_index == name {
                            Some("created_by".to_owned())
                        } else {
                            None
                        }
                    }
                    _ => None,
                })
        };
        let schema = self.schema().to_owned();
        if let (Some(column), Some(t)) = (column, self.table_mut(table)) {
            t.indexes
                .push(index(&schema, table, name, &[&column], false));
        }
    }
}
