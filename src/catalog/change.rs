//! Typed changes to a catalog: what a plan step does, as data. The planner produces them,
//! `plan` renders their SQL last, and [`Catalog::apply`] computes the catalog they leave, so
//! "the database after the plan" is never re-derived from SQL text or from the design.

use serde::Serialize;

use super::model::{
    Catalog, CheckConstraint, Column, FkAction, ForeignKey, Function, FunctionKind, Grant, Index,
    KeyConstraint, Policy, QualifiedName, Schema, StorageBucket, Table, TableKind, Trigger,
};
use super::renamed_text::{rename_column_in, rename_name_in};
use crate::sql::{ident, qualified};

/// What makes an index more than a plain btree over columns.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IndexOptions {
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unique: bool,
    /// The access method; `None` is btree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Per key, in key order: (descending, nulls first). Empty: every key ascending.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub orders: Vec<(bool, bool)>,
    /// A partial index's predicate (SQL, checked by validation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
}

impl IndexOptions {
    /// The key list as written inside `(…)`: quoted columns with their order.
    pub fn keys_sql(&self, columns: &[String]) -> String {
        columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let order = match self.orders.get(i).copied().unwrap_or((false, false)) {
                    (false, false) => "",
                    (false, true) => " NULLS FIRST",
                    (true, true) => " DESC",
                    (true, false) => " DESC NULLS LAST",
                };
                format!("{}{order}", ident(c))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One change to the database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    CreateSchema {
        name: String,
    },
    /// `USAGE` on a schema for the API roles.
    GrantSchemaUsage {
        schema: String,
        roles: Vec<String>,
    },
    CreateFunction(FunctionDef),
    CreateTable(TableDef),
    /// A many-to-many linking table: created like a table, counted and placed apart.
    CreateLinkingTable(TableDef),
    AddColumn {
        table: QualifiedName,
        column: ColumnDef,
    },
    AddConstraint {
        table: QualifiedName,
        constraint: ConstraintDef,
    },
    /// `ADD … NOT VALID`: new rows are checked at once, existing ones by a later VALIDATE
    /// (a CHECK or a FOREIGN KEY), which takes a weaker lock while it scans.
    AddConstraintNotValid {
        table: QualifiedName,
        constraint: ConstraintDef,
    },
    ValidateConstraint {
        table: QualifiedName,
        name: String,
    },
    /// A check run before a risky step: fails the apply with a message that says what to do,
    /// instead of the server's raw error. `query` counts the rows in the way; `message` is
    /// the text raised, with `%` standing for that count.
    Precondition {
        table: QualifiedName,
        query: String,
        message: String,
    },
    CreateIndex {
        table: QualifiedName,
        name: String,
        columns: Vec<String>,
        /// Unique, method, order and predicate; the default is a plain btree.
        #[serde(flatten)]
        options: IndexOptions,
    },
    /// A designed index whose definition changed: dropped, then created again.
    DropIndex {
        table: QualifiedName,
        name: String,
    },
    Comment {
        on: CommentOn,
        text: String,
    },
    CreateView {
        view: QualifiedName,
        /// The `SELECT …` the view runs.
        query: String,
    },
    EnableRls {
        table: QualifiedName,
    },
    /// A policy exactly as PostgreSQL will hold it (clauses per command, roles filled in).
    CreatePolicy {
        table: QualifiedName,
        policy: Policy,
    },
    DropColumn {
        table: QualifiedName,
        column: String,
    },
    DropPolicy {
        table: QualifiedName,
        name: String,
    },
    CreateTrigger(TriggerDef),
    /// `ALTER COLUMN … TYPE … USING`: rewrites the table.
    AlterColumnType {
        table: QualifiedName,
        column: String,
        /// As written in DDL.
        sql_type: String,
        /// As the catalog reports it.
        data_type: String,
        /// The `USING` expression converting the old values.
        using: String,
        /// The new type may not hold every old value (data can be lost or refused).
        narrowing: bool,
    },
    /// `ALTER COLUMN … SET DEFAULT (…)`; `default` is SQL as `sql_parts::default_sql` gives it.
    SetDefault {
        table: QualifiedName,
        column: String,
        default: String,
    },
    DropDefault {
        table: QualifiedName,
        column: String,
    },
    SetNotNull {
        table: QualifiedName,
        column: String,
    },
    DropNotNull {
        table: QualifiedName,
        column: String,
    },
    /// A CHECK, UNIQUE or FOREIGN KEY constraint by name.
    DropConstraint {
        table: QualifiedName,
        name: String,
    },
    DisableRls {
        table: QualifiedName,
    },
    /// A companion view, dropped to be created again after a change to a column it reads.
    DropView {
        view: QualifiedName,
    },
    /// `ALTER POLICY`: roles and expressions, for a policy whose command and kind stay.
    AlterPolicy {
        table: QualifiedName,
        policy: Policy,
    },
    /// `COMMENT ON … IS NULL`.
    RemoveComment {
        on: CommentOn,
    },
    DropTrigger {
        table: QualifiedName,
        name: String,
    },
    RenameTable {
        table: QualifiedName,
        to: String,
    },
    RenameColumn {
        table: QualifiedName,
        from: String,
        to: String,
    },
    RenamePolicy {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// A constraint whose name is derived from a renamed table or column (`<table>_pkey`,
    /// `<table>_<column>_check`, `_key`, `_fkey`); a key's index is renamed with it.
    RenameConstraint {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// An index whose name is derived from a renamed table or column (`idx_<table>_…`).
    RenameIndex {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// A trigger field's trigger on a renamed table (`<table>_<field>_trigger`).
    RenameTrigger {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// A trigger field's own function on a renamed table (`<table>_<field>_trigger_fn`);
    /// such functions take no arguments.
    RenameFunction {
        function: QualifiedName,
        to: String,
    },
    /// A row of `storage.buckets` (Supabase Storage): a new bucket.
    InsertBucket {
        bucket: StorageBucket,
    },
    /// A bucket's settings (public, size limit, MIME types) set to these.
    UpdateBucket {
        bucket: StorageBucket,
    },
    /// Only a rollback deletes a bucket, one its plan inserted.
    DeleteBucket {
        id: String,
    },
    /// An aggregate view (`materialized_views`), filled with its rows when created.
    CreateMaterializedView {
        view: QualifiedName,
        /// The `SELECT … GROUP BY …` it holds the result of.
        query: String,
    },
    DropMaterializedView {
        view: QualifiedName,
    },
    /// `COMMENT ON MATERIALIZED VIEW`: it records the view's design, so planning again
    /// knows whether the view is still what the design says.
    CommentMaterializedView {
        view: QualifiedName,
        text: String,
    },
    /// `cron.schedule(name, schedule, command)`: creates the named pg_cron job or replaces it.
    ScheduleJob {
        job: super::cron::CronJob,
    },
    /// `cron.unschedule(name)`.
    UnscheduleJob {
        name: String,
    },
    Grant {
        table: QualifiedName,
        privileges: Vec<String>,
        roles: Vec<String>,
    },
    /// `REVOKE ALL` from these roles.
    RevokeAll {
        table: QualifiedName,
        roles: Vec<String>,
    },
    /// Tell the API to reload its schema cache (through the hook function when there is one).
    RefreshApi {
        hook: bool,
    },
    /// The inverses a rollback bundle needs (`plan --down`); no forward plan makes them.
    DropTable {
        table: QualifiedName,
    },
    DropSchema {
        name: String,
    },
    /// A trigger function the plan created (they take no arguments).
    DropFunction {
        function: QualifiedName,
    },
    /// Exactly these privileges, from these roles.
    Revoke {
        table: QualifiedName,
        privileges: Vec<String>,
        roles: Vec<String>,
    },
    /// An object the plan dropped, put back as the catalog read it before the plan.
    Restore {
        table: QualifiedName,
        object: Restored,
    },
}

/// What [`Change::Restore`] puts back: the catalog's own record of it, so the statement is
/// the server's printed definition (`pg_get_indexdef`, `pg_get_triggerdef`,
/// `pg_get_constraintdef`) or is built from the read structure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Restored {
    Check(CheckConstraint),
    ForeignKey(ForeignKey),
    Unique(KeyConstraint),
    PrimaryKey(KeyConstraint),
    Index(Index),
    Trigger(Trigger),
}

/// A trigger function with a pinned, empty `search_path`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FunctionDef {
    pub function: QualifiedName,
    /// `CREATE OR REPLACE`: for helpers that every schemaforge bundle may (re)create, so two
    /// applies never race on the function's catalog row.
    pub or_replace: bool,
    /// Runs with its owner's rights (the audit writer: users cannot write the audit table).
    pub security_definer: bool,
    pub returns: String,
    pub language: String,
    /// The body with its dollar quotes.
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableDef {
    pub table: QualifiedName,
    pub columns: Vec<ColumnDef>,
    pub constraints: Vec<ConstraintDef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ColumnDef {
    pub name: String,
    /// As written in DDL (`timestamptz`).
    pub sql_type: String,
    /// As the catalog reports it (`timestamp with time zone`).
    pub data_type: String,
    pub default: Option<String>,
    /// `GENERATED ALWAYS AS (…) STORED`.
    pub generated: Option<String>,
    pub not_null: bool,
    /// Constraints written on the column itself, in order.
    pub constraints: Vec<ColumnConstraint>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColumnConstraint {
    PrimaryKey { name: String },
    Check { name: String, expression: String },
    Unique { name: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConstraintDef {
    PrimaryKey {
        name: String,
        columns: Vec<String>,
    },
    ForeignKey {
        name: String,
        columns: Vec<String>,
        references: QualifiedName,
        references_columns: Vec<String>,
        on_delete: FkAction,
    },
    Check {
        name: String,
        expression: String,
    },
    Unique {
        name: String,
        columns: Vec<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CommentOn {
    Table(QualifiedName),
    Column {
        table: QualifiedName,
        column: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TriggerDef {
    pub table: QualifiedName,
    pub name: String,
    /// `BEFORE` or `AFTER`.
    pub timing: String,
    /// `INSERT`, `UPDATE`, `DELETE`.
    pub events: Vec<String>,
    /// `ROW` or `STATEMENT`.
    pub for_each: String,
    pub function: QualifiedName,
    /// String-literal arguments handed to the function (`TG_ARGV`).
    pub arguments: Vec<String>,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> QualifiedName {
        QualifiedName {
            schema: schema.into(),
            name: name.into(),
        }
    }

    /// `"schema"."name"`.
    pub fn sql(&self) -> String {
        qualified(&self.schema, &self.name)
    }
}

impl Change {
    /// The table or view the change is made on (a table's own changes, its columns,
    /// constraints, indexes, policies, triggers, grants); `None` for schemas, functions and
    /// the API refresh.
    pub fn table(&self) -> Option<&QualifiedName> {
        match self {
            Change::CreateTable(def) | Change::CreateLinkingTable(def) => Some(&def.table),
            Change::CreateView { view, .. } | Change::DropView { view } => Some(view),
            Change::CreateMaterializedView { view, .. }
            | Change::DropMaterializedView { view }
            | Change::CommentMaterializedView { view, .. } => Some(view),
            Change::CreateTrigger(def) => Some(&def.table),
            Change::Comment { on, .. } | Change::RemoveComment { on } => Some(match on {
                CommentOn::Table(t) | CommentOn::Column { table: t, .. } => t,
            }),
            Change::AddColumn { table, .. }
            | Change::AddConstraint { table, .. }
            | Change::AddConstraintNotValid { table, .. }
            | Change::ValidateConstraint { table, .. }
            | Change::Precondition { table, .. }
            | Change::CreateIndex { table, .. }
            | Change::EnableRls { table }
            | Change::CreatePolicy { table, .. }
            | Change::DropColumn { table, .. }
            | Change::DropPolicy { table, .. }
            | Change::AlterColumnType { table, .. }
            | Change::SetDefault { table, .. }
            | Change::DropDefault { table, .. }
            | Change::SetNotNull { table, .. }
            | Change::DropNotNull { table, .. }
            | Change::DropConstraint { table, .. }
            | Change::DisableRls { table }
            | Change::AlterPolicy { table, .. }
            | Change::DropTrigger { table, .. }
            | Change::RenameColumn { table, .. }
            | Change::RenameTable { table, .. }
            | Change::RenamePolicy { table, .. }
            | Change::RenameConstraint { table, .. }
            | Change::RenameIndex { table, .. }
            | Change::RenameTrigger { table, .. }
            | Change::Grant { table, .. }
            | Change::RevokeAll { table, .. }
            | Change::DropTable { table }
            | Change::DropIndex { table, .. }
            | Change::Revoke { table, .. }
            | Change::Restore { table, .. } => Some(table),
            Change::CreateSchema { .. }
            | Change::GrantSchemaUsage { .. }
            | Change::CreateFunction(_)
            | Change::RenameFunction { .. }
            | Change::RefreshApi { .. }
            | Change::DropSchema { .. }
            | Change::DropFunction { .. }
            | Change::InsertBucket { .. }
            | Change::UpdateBucket { .. }
            | Change::DeleteBucket { .. }
            | Change::ScheduleJob { .. }
            | Change::UnscheduleJob { .. } => None,
        }
    }
}

impl Catalog {
    /// The catalog as these changes leave it. Pure: a copy is changed, never the original.
    pub fn apply(&self, changes: &[Change]) -> Catalog {
        let mut out = self.clone();
        for change in changes {
            out.apply_one(change);
        }
        out
    }

    fn table_mut(&mut self, name: &QualifiedName) -> Option<&mut Table> {
        // Tables are kept in (schema, name) order, as `table` looks them up; a catalog built
        // by hand out of order is still searched.
        let at = self
            .tables
            .binary_search_by(|t| {
                (t.schema.as_str(), t.name.as_str()).cmp(&(&name.schema, &name.name))
            })
            .ok()
            .or_else(|| {
                self.tables
                    .iter()
                    .position(|t| t.schema == name.schema && t.name == name.name)
            })?;
        self.tables.get_mut(at)
    }

    fn column_mut(&mut self, table: &QualifiedName, column: &str) -> Option<&mut Column> {
        self.table_mut(table)
            .and_then(|t| t.columns.iter_mut().find(|c| c.name == column))
    }

    /// Inserts in (schema, name) order, replacing a table of the same name.
    fn put_table(&mut self, table: Table) {
        let key = |t: &Table| (t.schema.clone(), t.name.clone());
        match self.tables.binary_search_by_key(&key(&table), key) {
            Ok(at) => self.tables[at] = table,
            Err(at) => self.tables.insert(at, table),
        }
    }

    pub(crate) fn apply_one(&mut self, change: &Change) {
        match change {
            Change::CreateSchema { name } => self.schemas.push(Schema {
                name: name.clone(),
                owner: String::new(),
                managed: false,
                usage: true,
                comment: None,
            }),
            Change::GrantSchemaUsage { .. } | Change::RefreshApi { .. } => {}
            Change::CreateFunction(f) => self.functions.push(Function {
                schema: f.function.schema.clone(),
                name: f.function.name.clone(),
                identity_args: String::new(),
                result: Some(f.returns.clone()),
                language: f.language.clone(),
                kind: FunctionKind::Function,
                security_definer: f.security_definer,
                volatility: "v".into(),
                config: vec!["search_path=\"\"".into()],
                extension: None,
                comment: None,
                // A new function is executable by PUBLIC until revoked.
                grants: vec![crate::catalog::Grant {
                    grantee: "PUBLIC".into(),
                    privilege: "EXECUTE".into(),
                }],
                body: None,
            }),
            Change::CreateTable(def) | Change::CreateLinkingTable(def) => {
                let mut t = Table::new(&def.table.schema, &def.table.name, TableKind::Table);
                for column in &def.columns {
                    add_column(&mut t, column);
                }
                for constraint in &def.constraints {
                    add_constraint(&mut t, constraint);
                }
                self.put_table(t);
            }
            Change::CreateView { view, query } => {
                let mut t = Table::new(&view.schema, &view.name, TableKind::View);
                t.security_invoker = true;
                t.options = vec!["security_invoker=true".into()];
                t.view_definition = Some(query.clone());
                self.put_table(t);
            }
            Change::AddColumn { table, column } => {
                if let Some(t) = self.table_mut(table) {
                    add_column(t, column);
                }
            }
            Change::AddConstraint { table, constraint } => {
                if let Some(t) = self.table_mut(table) {
                    add_constraint(t, constraint);
                }
            }
            Change::AddConstraintNotValid { table, constraint } => {
                if let Some(t) = self.table_mut(table) {
                    add_constraint(t, constraint);
                    let name = match constraint {
                        ConstraintDef::Check { name, .. }
                        | ConstraintDef::ForeignKey { name, .. } => name,
                        _ => return,
                    };
                    t.check_constraints
                        .iter_mut()
                        .filter(|c| &c.name == name)
                        .for_each(|c| c.validated = false);
                    t.foreign_keys
                        .iter_mut()
                        .filter(|f| &f.name == name)
                        .for_each(|f| f.validated = false);
                }
            }
            Change::ValidateConstraint { table, name } => {
                if let Some(t) = self.table_mut(table) {
                    t.check_constraints
                        .iter_mut()
                        .filter(|c| &c.name == name)
                        .for_each(|c| c.validated = true);
                    t.foreign_keys
                        .iter_mut()
                        .filter(|f| &f.name == name)
                        .for_each(|f| f.validated = true);
                }
            }
            Change::Precondition { .. } => {}
            Change::CreateIndex {
                table,
                name,
                columns,
                options,
            } => {
                if let Some(t) = self.table_mut(table) {
                    let mut created = index(t.schema.clone(), t.name.clone(), name, columns, false);
                    created.definition = format!(
                        "CREATE {}INDEX {} ON {} USING {} ({}){}",
                        if options.unique { "UNIQUE " } else { "" },
                        ident(name),
                        qualified(&t.schema, &t.name),
                        options.method.as_deref().unwrap_or("btree"),
                        options.keys_sql(columns),
                        options
                            .predicate
                            .as_ref()
                            .map(|p| format!(" WHERE ({p})"))
                            .unwrap_or_default()
                    );
                    created.unique = options.unique;
                    t.indexes.push(created);
                }
            }
            Change::DropIndex { table, name } => {
                if let Some(t) = self.table_mut(table) {
                    t.indexes.retain(|i| &i.name != name);
                }
            }
            Change::Comment { on, text } => match on {
                CommentOn::Table(table) => {
                    if let Some(t) = self.table_mut(table) {
                        t.comment = Some(text.clone());
                    }
                }
                CommentOn::Column { table, column } => {
                    if let Some(c) = self
                        .table_mut(table)
                        .and_then(|t| t.columns.iter_mut().find(|c| &c.name == column))
                    {
                        c.comment = Some(text.clone());
                    }
                }
            },
            Change::EnableRls { table } => {
                if let Some(t) = self.table_mut(table) {
                    t.rls_enabled = true;
                }
            }
            Change::CreatePolicy { table, policy } => {
                if let Some(t) = self.table_mut(table) {
                    t.policies.retain(|p| p.name != policy.name);
                    t.policies.push(policy.clone());
                }
            }
            Change::DropColumn { table, column } => {
                if let Some(t) = self.table_mut(table) {
                    // PostgreSQL drops the indexes and constraints that use the column too.
                    let uses = |columns: &[String]| columns.iter().any(|c| c == column);
                    t.columns.retain(|c| &c.name != column);
                    t.indexes.retain(|i| !uses(&i.columns));
                    t.foreign_keys.retain(|f| !uses(&f.columns));
                    t.unique_constraints.retain(|k| !uses(&k.columns));
                    if t.primary_key.as_ref().is_some_and(|k| uses(&k.columns)) {
                        t.primary_key = None;
                    }
                }
            }
            Change::DropPolicy { table, name } => {
                if let Some(t) = self.table_mut(table) {
                    t.policies.retain(|p| &p.name != name);
                }
            }
            Change::CreateTrigger(def) => {
                if let Some(t) = self.table_mut(&def.table) {
                    t.triggers.push(Trigger {
                        name: def.name.clone(),
                        definition: def.sql(),
                        function_schema: def.function.schema.clone(),
                        function: def.function.name.clone(),
                        enabled: true,
                    });
                }
            }
            Change::AlterColumnType {
                table,
                column,
                data_type,
                ..
            } => {
                if let Some(c) = self.column_mut(table, column) {
                    c.data_type = data_type.clone();
                }
            }
            Change::SetDefault {
                table,
                column,
                default,
            } => {
                if let Some(c) = self.column_mut(table, column) {
                    c.default = Some(default.clone());
                }
            }
            Change::DropDefault { table, column } => {
                if let Some(c) = self.column_mut(table, column) {
                    c.default = None;
                }
            }
            Change::SetNotNull { table, column } => {
                if let Some(c) = self.column_mut(table, column) {
                    c.nullable = false;
                }
            }
            Change::DropNotNull { table, column } => {
                if let Some(c) = self.column_mut(table, column) {
                    c.nullable = true;
                }
            }
            Change::DropConstraint { table, name } => {
                if let Some(t) = self.table_mut(table) {
                    t.check_constraints.retain(|c| &c.name != name);
                    t.foreign_keys.retain(|f| &f.name != name);
                    t.unique_constraints.retain(|k| &k.name != name);
                    // A unique constraint's index goes with it.
                    t.indexes.retain(|i| &i.name != name);
                }
            }
            Change::DropView { view } => {
                self.tables
                    .retain(|t| !(t.schema == view.schema && t.name == view.name));
            }
            Change::DisableRls { table } => {
                if let Some(t) = self.table_mut(table) {
                    t.rls_enabled = false;
                }
            }
            Change::AlterPolicy { table, policy } => {
                if let Some(p) = self
                    .table_mut(table)
                    .and_then(|t| t.policies.iter_mut().find(|p| p.name == policy.name))
                {
                    p.roles = policy.roles.clone();
                    p.using = policy.using.clone();
                    p.with_check = policy.with_check.clone();
                }
            }
            Change::RemoveComment { on } => match on {
                CommentOn::Table(table) => {
                    if let Some(t) = self.table_mut(table) {
                        t.comment = None;
                    }
                }
                CommentOn::Column { table, column } => {
                    if let Some(c) = self.column_mut(table, column) {
                        c.comment = None;
                    }
                }
            },
            Change::DropTrigger { table, name } => {
                if let Some(t) = self.table_mut(table) {
                    t.triggers.retain(|tr| &tr.name != name);
                }
            }
            Change::RenameTable { table, to } => {
                if let Some(at) = self
                    .tables
                    .iter()
                    .position(|t| t.schema == table.schema && t.name == table.name)
                {
                    let mut t = self.tables.remove(at);
                    t.name = to.clone();
                    // The server prints a trigger with its table's new name.
                    for tr in &mut t.triggers {
                        tr.definition = rename_name_in(&tr.definition, &table.name, to);
                    }
                    self.put_table(t);
                    for fk in self
                        .tables
                        .iter_mut()
                        .flat_map(|t| t.foreign_keys.iter_mut())
                    {
                        if fk.references_schema == table.schema && fk.references_table == table.name
                        {
                            fk.references_table = to.clone();
                        }
                    }
                }
            }
            Change::RenameColumn { table, from, to } => {
                if let Some(t) = self.table_mut(table) {
                    let rename = |c: &mut String| {
                        if c == from {
                            *c = to.clone();
                        }
                    };
                    t.columns
                        .iter_mut()
                        .filter(|c| &c.name == from)
                        .for_each(|c| c.name = to.clone());
                    t.indexes
                        .iter_mut()
                        .for_each(|i| i.columns.iter_mut().for_each(rename));
                    t.foreign_keys
                        .iter_mut()
                        .for_each(|f| f.columns.iter_mut().for_each(rename));
                    t.unique_constraints
                        .iter_mut()
                        .for_each(|k| k.columns.iter_mut().for_each(rename));
                    if let Some(k) = t.primary_key.as_mut() {
                        k.columns.iter_mut().for_each(rename);
                    }
                    // The server prints expressions with the column's new name.
                    for c in &mut t.check_constraints {
                        c.definition = rename_column_in(&c.definition, from, to);
                    }
                    for i in &mut t.indexes {
                        i.definition = rename_column_in(&i.definition, from, to);
                    }
                }
            }
            Change::RenameConstraint { table, from, to } => {
                if let Some(t) = self.table_mut(table) {
                    let names = t
                        .check_constraints
                        .iter_mut()
                        .map(|c| &mut c.name)
                        .chain(t.foreign_keys.iter_mut().map(|f| &mut f.name))
                        .chain(t.unique_constraints.iter_mut().map(|k| &mut k.name))
                        .chain(t.primary_key.iter_mut().map(|k| &mut k.name))
                        // A key's index has the key's name, and is renamed with it.
                        .chain(t.indexes.iter_mut().map(|i| &mut i.name));
                    names.filter(|n| *n == from).for_each(|n| *n = to.clone());
                }
            }
            Change::RenameIndex { table, from, to } => {
                if let Some(i) = self
                    .table_mut(table)
                    .and_then(|t| t.indexes.iter_mut().find(|i| &i.name == from))
                {
                    i.name = to.clone();
                }
            }
            Change::RenameTrigger { table, from, to } => {
                if let Some(tr) = self
                    .table_mut(table)
                    .and_then(|t| t.triggers.iter_mut().find(|tr| &tr.name == from))
                {
                    tr.name = to.clone();
                    tr.definition = rename_name_in(&tr.definition, from, to);
                }
            }
            Change::RenameFunction { function, to } => {
                for f in &mut self.functions {
                    if f.schema == function.schema && f.name == function.name {
                        f.name = to.clone();
                    }
                }
                let triggers = self.tables.iter_mut().flat_map(|t| t.triggers.iter_mut());
                for tr in triggers {
                    if tr.function_schema == function.schema && tr.function == function.name {
                        tr.function = to.clone();
                        tr.definition = rename_name_in(&tr.definition, &function.name, to);
                    }
                }
            }
            Change::RenamePolicy { table, from, to } => {
                if let Some(p) = self
                    .table_mut(table)
                    .and_then(|t| t.policies.iter_mut().find(|p| &p.name == from))
                {
                    p.name = to.clone();
                }
            }
            Change::Grant {
                table,
                privileges,
                roles,
            } => {
                if let Some(t) = self.table_mut(table) {
                    for role in roles {
                        for privilege in privileges {
                            if !t.has_privilege(role, privilege) {
                                t.grants.push(Grant {
                                    grantee: role.clone(),
                                    privilege: privilege.clone(),
                                });
                            }
                        }
                    }
                    t.grants.sort();
                }
            }
            Change::RevokeAll { table, roles } => {
                if let Some(t) = self.table_mut(table) {
                    t.grants.retain(|g| !roles.contains(&g.grantee));
                }
            }
            Change::DropTable { table } => self
                .tables
                .retain(|t| !(t.schema == table.schema && t.name == table.name)),
            Change::DropSchema { name } => self.schemas.retain(|s| &s.name != name),
            Change::DropFunction { function } => self
                .functions
                .retain(|f| !(f.schema == function.schema && f.name == function.name)),
            Change::InsertBucket { bucket } | Change::UpdateBucket { bucket } => {
                self.buckets.retain(|b| b.id != bucket.id);
                self.buckets.push(bucket.clone());
                self.buckets.sort_by(|a, b| a.id.cmp(&b.id));
            }
            Change::DeleteBucket { id } => self.buckets.retain(|b| &b.id != id),
            Change::CreateMaterializedView { view, query } => {
                let mut t = Table::new(&view.schema, &view.name, TableKind::MaterializedView);
                t.view_definition = Some(query.clone());
                self.put_table(t);
            }
            Change::DropMaterializedView { view } => {
                self.tables
                    .retain(|t| !(t.schema == view.schema && t.name == view.name));
            }
            Change::CommentMaterializedView { view, text } => {
                if let Some(t) = self.table_mut(view) {
                    t.comment = Some(text.clone());
                }
            }
            Change::ScheduleJob { job } => {
                self.cron_jobs.retain(|j| j.name != job.name);
                self.cron_jobs.push(job.clone());
                self.cron_jobs.sort_by(|a, b| a.name.cmp(&b.name));
            }
            Change::UnscheduleJob { name } => self.cron_jobs.retain(|j| &j.name != name),
            Change::Revoke {
                table,
                privileges,
                roles,
            } => {
                if let Some(t) = self.table_mut(table) {
                    t.grants.retain(|g| {
                        !(roles.contains(&g.grantee) && privileges.contains(&g.privilege))
                    });
                }
            }
            Change::Restore { table, object } => {
                if let Some(t) = self.table_mut(table) {
                    restore(t, object);
                }
            }
        }
    }
}

fn restore(t: &mut Table, object: &Restored) {
    match object {
        Restored::Check(c) => t.check_constraints.push(c.clone()),
        Restored::ForeignKey(f) => t.foreign_keys.push(f.clone()),
        Restored::Unique(k) => {
            t.unique_constraints.push(k.clone());
            let i = index(t.schema.clone(), t.name.clone(), &k.name, &k.columns, true);
            t.indexes.push(i);
        }
        Restored::PrimaryKey(k) => {
            let mut i = index(t.schema.clone(), t.name.clone(), &k.name, &k.columns, true);
            i.primary = true;
            t.indexes.push(i);
            t.primary_key = Some(k.clone());
        }
        Restored::Index(i) => t.indexes.push(i.clone()),
        Restored::Trigger(tr) => t.triggers.push(tr.clone()),
    }
}

impl TriggerDef {
    /// `CREATE TRIGGER …`: the statement the plan runs, and the trigger's definition as
    /// `pg_get_triggerdef` prints it (up to identifier quoting).
    pub fn sql(&self) -> String {
        let arguments: Vec<String> = self
            .arguments
            .iter()
            .map(|a| crate::sql::literal(a))
            .collect();
        format!(
            "CREATE TRIGGER {} {} {} ON {} FOR EACH {} EXECUTE FUNCTION {}({})",
            ident(&self.name),
            self.timing,
            self.events.join(" OR "),
            self.table.sql(),
            self.for_each,
            self.function.sql(),
            arguments.join(", ")
        )
    }
}

fn add_column(t: &mut Table, def: &ColumnDef) {
    t.columns.push(Column {
        name: def.name.clone(),
        position: 0,
        data_type: def.data_type.clone(),
        nullable: !def.not_null,
        default: def.default.clone(),
        identity: None,
        generated: def.generated.clone(),
        comment: None,
    });
    let columns = vec![def.name.clone()];
    for constraint in &def.constraints {
        add_constraint(
            t,
            &match constraint {
                ColumnConstraint::PrimaryKey { name } => ConstraintDef::PrimaryKey {
                    name: name.clone(),
                    columns: columns.clone(),
                },
                ColumnConstraint::Check { name, expression } => ConstraintDef::Check {
                    name: name.clone(),
                    expression: expression.clone(),
                },
                ColumnConstraint::Unique { name } => ConstraintDef::Unique {
                    name: name.clone(),
                    columns: columns.clone(),
                },
            },
        );
    }
}

fn add_constraint(t: &mut Table, def: &ConstraintDef) {
    let (schema, table) = (t.schema.clone(), t.name.clone());
    match def {
        ConstraintDef::PrimaryKey { name, columns } => {
            if t.primary_key.is_some() {
                return;
            }
            t.primary_key = Some(KeyConstraint {
                name: name.clone(),
                columns: columns.clone(),
            });
            let mut pk = index(schema, table, name, columns, true);
            pk.primary = true;
            t.indexes.push(pk);
        }
        ConstraintDef::ForeignKey {
            name,
            columns,
            references,
            references_columns,
            on_delete,
        } => t.foreign_keys.push(ForeignKey {
            name: name.clone(),
            columns: columns.clone(),
            references_schema: references.schema.clone(),
            references_table: references.name.clone(),
            references_columns: references_columns.clone(),
            on_delete: *on_delete,
            on_update: FkAction::NoAction,
            deferrable: false,
            initially_deferred: false,
            validated: true,
        }),
        ConstraintDef::Check { name, expression } => t.check_constraints.push(CheckConstraint {
            name: name.clone(),
            definition: format!("CHECK ({expression})"),
            validated: true,
        }),
        ConstraintDef::Unique { name, columns } => {
            t.unique_constraints.push(KeyConstraint {
                name: name.clone(),
                columns: columns.clone(),
            });
            t.indexes.push(index(schema, table, name, columns, true));
        }
    }
}

/// An index as `pg_get_indexdef` would print it.
fn index(schema: String, table: String, name: &str, columns: &[String], unique: bool) -> Index {
    let keys: Vec<String> = columns.iter().map(|c| ident(c)).collect();
    Index {
        name: name.into(),
        definition: format!(
            "CREATE {}INDEX {} ON {} USING btree ({})",
            if unique { "UNIQUE " } else { "" },
            ident(name),
            qualified(&schema, &table),
            keys.join(", ")
        ),
        unique,
        primary: false,
        columns: columns.to_vec(),
        invalid: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn todos() -> QualifiedName {
        QualifiedName::new("app", "todos")
    }

    fn column(name: &str) -> ColumnDef {
        ColumnDef {
            name: name.into(),
            sql_type: "timestamptz".into(),
            data_type: "timestamp with time zone".into(),
            default: None,
            generated: None,
            not_null: true,
            constraints: vec![ColumnConstraint::Unique {
                name: format!("todos_{name}_key"),
            }],
        }
    }

    #[test]
    fn apply_builds_what_the_changes_create_and_leaves_the_original() {
        let before = Catalog::default();
        let changes = vec![
            Change::CreateTable(TableDef {
                table: todos(),
                columns: vec![column("id"), column("due")],
                constraints: vec![ConstraintDef::PrimaryKey {
                    name: "todos_pkey".into(),
                    columns: vec!["id".into()],
                }],
            }),
            Change::EnableRls { table: todos() },
            Change::CreateIndex {
                table: todos(),
                name: "idx_todos_due".into(),
                columns: vec!["due".into()],
                options: IndexOptions::default(),
            },
            Change::Grant {
                table: todos(),
                privileges: vec!["SELECT".into()],
                roles: vec!["anon".into()],
            },
            Change::DropColumn {
                table: todos(),
                column: "due".into(),
            },
        ];
        let after = before.apply(&changes);
        assert!(before.tables.is_empty());
        let t = after.table("app", "todos").expect("created");
        assert!(t.rls_enabled);
        assert_eq!(t.columns.len(), 1);
        assert_eq!(t.columns[0].data_type, "timestamp with time zone");
        assert_eq!(
            t.primary_key.as_ref().map(|k| k.name.as_str()),
            Some("todos_pkey")
        );
        // The dropped column took its unique constraint and both of its indexes along.
        let names: Vec<&str> = t.indexes.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["todos_id_key", "todos_pkey"]);
        assert!(t.has_privilege("anon", "SELECT"));
    }
}
