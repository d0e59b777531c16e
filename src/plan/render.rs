//! SQL, rendered last: one statement per typed [`Change`], the very text previewed and applied.
//! Identifiers go through `sql::ident`; the only raw text is what the user wrote as an
//! expression and the expressions the planner built from quoted parts.

use crate::catalog::change::{
    Change, ColumnConstraint, ColumnDef, CommentOn, ConstraintDef, FunctionDef, Restored, TableDef,
};
use crate::catalog::{Policy, QualifiedName};
use crate::sql::{ident, literal, qualified};

use super::sql_parts::role_sql;
use super::step::StepKind;

/// What a change counts as in the summary and colours as in the preview.
pub fn kind(change: &Change) -> StepKind {
    match change {
        Change::CreateSchema { .. } => StepKind::CreateSchema,
        Change::GrantSchemaUsage { .. } | Change::Grant { .. } => StepKind::Grant,
        Change::CreateFunction(_) => StepKind::CreateFunction,
        Change::CreateTable(_) => StepKind::CreateTable,
        Change::CreateLinkingTable(_) => StepKind::CreateLinkingTable,
        Change::AddColumn { .. } => StepKind::AddColumn,
        Change::AddConstraint {
            constraint: ConstraintDef::ForeignKey { .. },
            ..
        } => StepKind::AddForeignKey,
        Change::AddConstraint { .. } => StepKind::AddConstraint,
        Change::AddConstraintNotValid {
            constraint: ConstraintDef::ForeignKey { .. },
            ..
        } => StepKind::AddForeignKey,
        Change::AddConstraintNotValid { .. } => StepKind::AddConstraint,
        Change::ValidateConstraint { .. } => StepKind::ValidateConstraint,
        Change::Precondition { .. } => StepKind::Precondition,
        Change::CreateIndex { .. } => StepKind::CreateIndex,
        Change::DropIndex { .. } => StepKind::DropIndex,
        Change::Comment { .. } => StepKind::Comment,
        Change::CreateView { .. } => StepKind::CreateView,
        Change::EnableRls { .. } => StepKind::EnableRls,
        Change::CreatePolicy { .. } => StepKind::CreatePolicy,
        Change::DropColumn { .. } => StepKind::DropColumn,
        Change::DropPolicy { .. } => StepKind::DropPolicy,
        Change::CreateTrigger(_) => StepKind::CreateTrigger,
        Change::RevokeAll { .. } => StepKind::Revoke,
        Change::AlterColumnType { .. } => StepKind::AlterColumnType,
        Change::SetDefault { .. } | Change::DropDefault { .. } => StepKind::AlterDefault,
        Change::SetNotNull { .. } | Change::DropNotNull { .. } => StepKind::AlterNullability,
        Change::DropConstraint { .. } => StepKind::DropConstraint,
        Change::DisableRls { .. } => StepKind::DisableRls,
        Change::DropView { .. } => StepKind::DropView,
        Change::AlterPolicy { .. } => StepKind::AlterPolicy,
        Change::RemoveComment { .. } => StepKind::Comment,
        Change::DropTrigger { .. } => StepKind::DropTrigger,
        Change::RenameTable { .. }
        | Change::RenameColumn { .. }
        | Change::RenamePolicy { .. }
        | Change::RenameConstraint { .. }
        | Change::RenameIndex { .. }
        | Change::RenameTrigger { .. }
        | Change::RenameFunction { .. } => StepKind::Rename,
        Change::RefreshApi { .. } => StepKind::Refresh,
        Change::DropTable { .. } => StepKind::DropTable,
        Change::DropSchema { .. } => StepKind::DropSchema,
        Change::DropFunction { .. } => StepKind::DropFunction,
        Change::InsertBucket { .. } => StepKind::InsertBucket,
        Change::UpdateBucket { .. } => StepKind::UpdateBucket,
        Change::DeleteBucket { .. } => StepKind::DeleteBucket,
        Change::CreateMaterializedView { .. } => StepKind::CreateView,
        Change::DropMaterializedView { .. } => StepKind::DropView,
        Change::CommentMaterializedView { .. } => StepKind::Comment,
        Change::ScheduleJob { .. } => StepKind::ScheduleJob,
        Change::UnscheduleJob { .. } => StepKind::UnscheduleJob,
        Change::Revoke { .. } => StepKind::Revoke,
        Change::Restore { object, .. } => match object {
            Restored::ForeignKey(_) => StepKind::AddForeignKey,
            Restored::Index(_) => StepKind::CreateIndex,
            Restored::Trigger(_) => StepKind::CreateTrigger,
            Restored::Check(_) | Restored::Unique(_) | Restored::PrimaryKey(_) => {
                StepKind::AddConstraint
            }
        },
    }
}

/// One statement, without the terminating semicolon.
pub fn sql(change: &Change) -> String {
    match change {
        Change::CreateSchema { name } => format!("CREATE SCHEMA {}", ident(name)),
        // The API roles are fixed, known names, written bare as the grant has always read.
        Change::GrantSchemaUsage { schema, roles } => format!(
            "GRANT USAGE ON SCHEMA {} TO {}",
            ident(schema),
            roles.join(", ")
        ),
        Change::CreateFunction(f) => function_sql(f),
        Change::CreateTable(t) | Change::CreateLinkingTable(t) => table_sql(t),
        Change::AddColumn { table, column } => {
            format!(
                "ALTER TABLE {} ADD COLUMN {}",
                table.sql(),
                column_sql(column)
            )
        }
        Change::AddConstraint { table, constraint } => {
            format!(
                "ALTER TABLE {} ADD {}",
                table.sql(),
                constraint_sql(constraint)
            )
        }
        Change::AddConstraintNotValid { table, constraint } => format!(
            "ALTER TABLE {} ADD {} NOT VALID",
            table.sql(),
            constraint_sql(constraint)
        ),
        Change::ValidateConstraint { table, name } => format!(
            "ALTER TABLE {} VALIDATE CONSTRAINT {}",
            table.sql(),
            ident(name)
        ),
        Change::Precondition { query, message, .. } => precondition_sql(query, message),
        Change::CreateIndex {
            table,
            name,
            columns,
            options,
        } => format!(
            "CREATE {}INDEX {} ON {}{} ({}){}",
            if options.unique { "UNIQUE " } else { "" },
            ident(name),
            table.sql(),
            options
                .method
                .as_ref()
                .map(|m| format!(" USING {m}"))
                .unwrap_or_default(),
            options.keys_sql(columns),
            options
                .predicate
                .as_ref()
                .map(|p| format!(" WHERE ({p})"))
                .unwrap_or_default()
        ),
        Change::DropIndex { table, name } => {
            format!("DROP INDEX {}", qualified(&table.schema, name))
        }
        Change::Comment { on, text } => match on {
            CommentOn::Table(table) => {
                format!("COMMENT ON TABLE {} IS {}", table.sql(), literal(text))
            }
            CommentOn::Column { table, column } => format!(
                "COMMENT ON COLUMN {}.{} IS {}",
                table.sql(),
                ident(column),
                literal(text)
            ),
        },
        Change::CreateView { view, query } => format!(
            "CREATE VIEW {} WITH (security_invoker = true) AS\n{query}",
            view.sql()
        ),
        Change::EnableRls { table } => {
            format!("ALTER TABLE {} ENABLE ROW LEVEL SECURITY", table.sql())
        }
        Change::CreatePolicy { table, policy } => policy_sql(table, policy),
        Change::DropColumn { table, column } => {
            format!("ALTER TABLE {} DROP COLUMN {}", table.sql(), ident(column))
        }
        Change::DropPolicy { table, name } => {
            format!("DROP POLICY {} ON {}", ident(name), table.sql())
        }
        Change::CreateTrigger(t) => t.sql(),
        Change::AlterColumnType {
            table,
            column,
            sql_type,
            using,
            ..
        } => format!(
            "ALTER TABLE {} ALTER COLUMN {} TYPE {sql_type} USING {using}",
            table.sql(),
            ident(column)
        ),
        Change::SetDefault {
            table,
            column,
            default,
        } => format!(
            "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {default}",
            table.sql(),
            ident(column)
        ),
        Change::DropDefault { table, column } => format!(
            "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT",
            table.sql(),
            ident(column)
        ),
        Change::SetNotNull { table, column } => format!(
            "ALTER TABLE {} ALTER COLUMN {} SET NOT NULL",
            table.sql(),
            ident(column)
        ),
        Change::DropNotNull { table, column } => format!(
            "ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL",
            table.sql(),
            ident(column)
        ),
        Change::DropConstraint { table, name } => {
            format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                table.sql(),
                ident(name)
            )
        }
        Change::DisableRls { table } => {
            format!("ALTER TABLE {} DISABLE ROW LEVEL SECURITY", table.sql())
        }
        Change::DropView { view } => format!("DROP VIEW {}", view.sql()),
        Change::AlterPolicy { table, policy } => alter_policy_sql(table, policy),
        Change::RemoveComment { on } => match on {
            CommentOn::Table(table) => format!("COMMENT ON TABLE {} IS NULL", table.sql()),
            CommentOn::Column { table, column } => format!(
                "COMMENT ON COLUMN {}.{} IS NULL",
                table.sql(),
                ident(column)
            ),
        },
        Change::DropTrigger { table, name } => {
            format!("DROP TRIGGER {} ON {}", ident(name), table.sql())
        }
        Change::RenameTable { table, to } => {
            format!("ALTER TABLE {} RENAME TO {}", table.sql(), ident(to))
        }
        Change::RenameColumn { table, from, to } => format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            table.sql(),
            ident(from),
            ident(to)
        ),
        Change::RenamePolicy { table, from, to } => format!(
            "ALTER POLICY {} ON {} RENAME TO {}",
            ident(from),
            table.sql(),
            ident(to)
        ),
        Change::RenameConstraint { table, from, to } => format!(
            "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
            table.sql(),
            ident(from),
            ident(to)
        ),
        Change::RenameIndex { table, from, to } => format!(
            "ALTER INDEX {} RENAME TO {}",
            qualified(&table.schema, from),
            ident(to)
        ),
        Change::RenameTrigger { table, from, to } => format!(
            "ALTER TRIGGER {} ON {} RENAME TO {}",
            ident(from),
            table.sql(),
            ident(to)
        ),
        Change::RenameFunction { function, to } => {
            format!(
                "ALTER FUNCTION {}() RENAME TO {}",
                function.sql(),
                ident(to)
            )
        }
        Change::Grant {
            table,
            privileges,
            roles,
        } => format!(
            "GRANT {} ON {} TO {}",
            privileges.join(", "),
            table.sql(),
            idents(roles)
        ),
        Change::RevokeAll { table, roles } => {
            format!("REVOKE ALL ON {} FROM {}", table.sql(), roles.join(", "))
        }
        Change::RefreshApi { hook: true } => "SELECT public.apply_postgrest_permissions()".into(),
        Change::RefreshApi { hook: false } => "NOTIFY pgrst, 'reload schema'".into(),
        Change::DropTable { table } => format!("DROP TABLE {}", table.sql()),
        Change::DropSchema { name } => format!("DROP SCHEMA {}", ident(name)),
        Change::DropFunction { function } => format!("DROP FUNCTION {}()", function.sql()),
        Change::InsertBucket { bucket } => super::buckets::insert_sql(bucket),
        Change::UpdateBucket { bucket } => super::buckets::update_sql(bucket),
        Change::DeleteBucket { id } => super::buckets::delete_sql(id),
        Change::CreateMaterializedView { view, query } => super::matviews::create_sql(view, query),
        Change::DropMaterializedView { view } => {
            format!("DROP MATERIALIZED VIEW {}", view.sql())
        }
        Change::CommentMaterializedView { view, text } => format!(
            "COMMENT ON MATERIALIZED VIEW {} IS {}",
            view.sql(),
            crate::sql::literal(text)
        ),
        Change::ScheduleJob { job } => super::matviews::schedule_sql(job),
        Change::UnscheduleJob { name } => super::matviews::unschedule_sql(name),
        Change::Revoke {
            table,
            privileges,
            roles,
        } => format!(
            "REVOKE {} ON {} FROM {}",
            privileges.join(", "),
            table.sql(),
            idents(roles)
        ),
        Change::Restore { table, object } => restore_sql(table, object),
    }
}

/// The server printed indexes and triggers whole, and a CHECK's body; keys and foreign keys
/// are rebuilt from their read parts.
fn restore_sql(table: &QualifiedName, object: &Restored) -> String {
    let add = |name: &str, body: &str| {
        format!(
            "ALTER TABLE {} ADD CONSTRAINT {} {body}",
            table.sql(),
            ident(name)
        )
    };
    match object {
        Restored::Check(c) => add(&c.name, &c.definition),
        Restored::Unique(k) => add(&k.name, &format!("UNIQUE ({})", idents(&k.columns))),
        Restored::PrimaryKey(k) => add(&k.name, &format!("PRIMARY KEY ({})", idents(&k.columns))),
        Restored::ForeignKey(f) => {
            let mut body = format!(
                "FOREIGN KEY ({}) REFERENCES {} ({}) ON UPDATE {} ON DELETE {}",
                idents(&f.columns),
                QualifiedName::new(&f.references_schema, &f.references_table).sql(),
                idents(&f.references_columns),
                f.on_update.sql(),
                f.on_delete.sql()
            );
            if f.deferrable {
                body.push_str(" DEFERRABLE");
                if f.initially_deferred {
                    body.push_str(" INITIALLY DEFERRED");
                }
            }
            if !f.validated {
                body.push_str(" NOT VALID");
            }
            add(&f.name, &body)
        }
        Restored::Index(i) => i.definition.clone(),
        Restored::Trigger(t) => t.definition.clone(),
    }
}

fn idents(names: &[String]) -> String {
    names
        .iter()
        .map(|n| ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

fn function_sql(f: &FunctionDef) -> String {
    format!(
        "CREATE {}FUNCTION {}() RETURNS {}\nLANGUAGE {}\n{}SET search_path = ''\nAS {}",
        if f.or_replace { "OR REPLACE " } else { "" },
        f.function.sql(),
        f.returns,
        f.language,
        if f.security_definer {
            "SECURITY DEFINER\n"
        } else {
            ""
        },
        f.body
    )
}

fn table_sql(t: &TableDef) -> String {
    let lines: Vec<String> = t
        .columns
        .iter()
        .map(column_sql)
        .chain(t.constraints.iter().map(constraint_sql))
        .collect();
    format!(
        "CREATE TABLE {} (\n  {}\n)",
        t.table.sql(),
        lines.join(",\n  ")
    )
}

fn column_sql(c: &ColumnDef) -> String {
    let mut def = format!("{} {}", ident(&c.name), c.sql_type);
    if let Some(expression) = &c.generated {
        def.push_str(&format!(" GENERATED ALWAYS AS ({expression}) STORED"));
    } else if let Some(default) = &c.default {
        def.push_str(&format!(" DEFAULT {default}"));
    }
    if c.not_null {
        def.push_str(" NOT NULL");
    }
    for constraint in &c.constraints {
        match constraint {
            ColumnConstraint::PrimaryKey { name } => {
                def.push_str(&format!(" CONSTRAINT {} PRIMARY KEY", ident(name)))
            }
            ColumnConstraint::Check { name, expression } => {
                def.push_str(&format!(" CONSTRAINT {} CHECK ({expression})", ident(name)))
            }
            ColumnConstraint::Unique { name } => {
                def.push_str(&format!(" CONSTRAINT {} UNIQUE", ident(name)))
            }
        }
    }
    def
}

fn constraint_sql(c: &ConstraintDef) -> String {
    match c {
        ConstraintDef::PrimaryKey { name, columns } => {
            format!(
                "CONSTRAINT {} PRIMARY KEY ({})",
                ident(name),
                idents(columns)
            )
        }
        ConstraintDef::ForeignKey {
            name,
            columns,
            references,
            references_columns,
            on_delete,
        } => format!(
            "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {}",
            ident(name),
            idents(columns),
            references.sql(),
            idents(references_columns),
            on_delete.sql()
        ),
        ConstraintDef::Check { name, expression } => {
            format!("CONSTRAINT {} CHECK ({expression})", ident(name))
        }
        ConstraintDef::Unique { name, columns } => {
            format!("CONSTRAINT {} UNIQUE ({})", ident(name), idents(columns))
        }
    }
}

fn policy_sql(table: &QualifiedName, policy: &Policy) -> String {
    let roles: Vec<String> = policy.roles.iter().map(|r| role_sql(r)).collect();
    let mut sql = format!(
        "CREATE POLICY {} ON {}\n  AS {}\n  FOR {}\n  TO {}",
        ident(&policy.name),
        table.sql(),
        if policy.permissive {
            "PERMISSIVE"
        } else {
            "RESTRICTIVE"
        },
        policy.command.sql(),
        roles.join(", ")
    );
    push_clauses(&mut sql, policy);
    sql
}

/// The USING and WITH CHECK clauses a policy has, on lines of their own.
fn push_clauses(sql: &mut String, policy: &Policy) {
    if let Some(using) = &policy.using {
        sql.push_str(&format!("\n  USING ({using})"));
    }
    if let Some(check) = &policy.with_check {
        sql.push_str(&format!("\n  WITH CHECK ({check})"));
    }
}

/// `ALTER POLICY`: the roles, and each clause the plan sets; a clause left out keeps what the
/// live policy has (the planner leaves out only a WITH CHECK the live policy does not have).
fn alter_policy_sql(table: &QualifiedName, policy: &Policy) -> String {
    let roles: Vec<String> = policy.roles.iter().map(|r| role_sql(r)).collect();
    let mut sql = format!(
        "ALTER POLICY {} ON {}\n  TO {}",
        ident(&policy.name),
        table.sql(),
        roles.join(", ")
    );
    push_clauses(&mut sql, policy);
    sql
}

/// A DO block that raises `message` (its `%` the count) when `query` counts any rows. The
/// dollar-quote tag is one the body does not contain; the message is a quoted literal.
fn precondition_sql(query: &str, message: &str) -> String {
    let body_of = |tag: &str| {
        format!(
            "DECLARE n bigint;\nBEGIN\n  n := ({query});\n  IF n > 0 THEN\n    RAISE EXCEPTION {}, n USING ERRCODE = 'check_violation';\n  END IF;\nEND\n{tag}",
            literal(message)
        )
    };
    let tag = (0..)
        .map(|i| format!("$pre{i}$"))
        .find(|tag| !body_of("").contains(tag.as_str()))
        .expect("some tag is free");
    format!("DO {tag}\n{}", body_of(&tag))
}
