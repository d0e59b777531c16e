//! Catalog values for the linter's unit tests, built by hand: no server involved.

use crate::catalog::{
    Catalog, Column, FkAction, Flavour, ForeignKey, Function, FunctionKind, Grant, Index,
    KeyConstraint, Policy, PolicyCommand, Role, Table, TableKind,
};

pub fn column(name: &str, nullable: bool, default: Option<&str>) -> Column {
    Column {
        name: name.into(),
        position: 0,
        data_type: "uuid".into(),
        nullable,
        default: default.map(str::to_owned),
        identity: None,
        generated: None,
        comment: None,
    }
}

/// A table the way schemaforge creates one: id, created_by (DEFAULT auth.uid(), indexed),
/// RLS on, an owner policy.
pub fn table(schema: &str, name: &str) -> Table {
    Table {
        owner: "postgres".into(),
        rls_enabled: true,
        columns: vec![
            column("id", false, Some("gen_random_uuid()")),
            column("created_by", true, Some("auth.uid()")),
        ],
        primary_key: Some(KeyConstraint {
            name: format!("{name}_pkey"),
            columns: vec!["id".into()],
        }),
        indexes: vec![
            index(&format!("{name}_pkey"), schema, name, "id", true),
            index(
                &format!("idx_{name}_created_by"),
                schema,
                name,
                "created_by",
                false,
            ),
        ],
        policies: vec![policy(
            "owner",
            PolicyCommand::All,
            &["authenticated"],
            Some("(created_by = ( SELECT auth.uid() AS uid))"),
            None,
        )],
        grants: ["SELECT", "INSERT", "UPDATE", "DELETE"]
            .iter()
            .map(|p| Grant {
                grantee: "authenticated".into(),
                privilege: (*p).into(),
            })
            .collect(),
        ..Table::new(schema, name, TableKind::Table)
    }
}

pub fn index(name: &str, schema: &str, table: &str, column: &str, unique: bool) -> Index {
    Index {
        name: name.into(),
        definition: format!(
            "CREATE {}INDEX {name} ON {schema}.{table} USING btree ({column})",
            if unique { "UNIQUE " } else { "" }
        ),
        unique,
        primary: false,
        columns: vec![column.into()],
        invalid: false,
    }
}

pub fn policy(
    name: &str,
    command: PolicyCommand,
    roles: &[&str],
    using: Option<&str>,
    check: Option<&str>,
) -> Policy {
    Policy {
        name: name.into(),
        command,
        permissive: true,
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        using: using.map(str::to_owned),
        with_check: check.map(str::to_owned),
    }
}

pub fn foreign_key(name: &str, column: &str, target: &str) -> ForeignKey {
    ForeignKey {
        name: name.into(),
        columns: vec![column.into()],
        references_schema: "public".into(),
        references_table: target.into(),
        references_columns: vec!["id".into()],
        on_delete: FkAction::Cascade,
        on_update: FkAction::NoAction,
        deferrable: false,
        initially_deferred: false,
        validated: true,
    }
}

pub fn function(schema: &str, name: &str, config: &[&str]) -> Function {
    Function {
        schema: schema.into(),
        name: name.into(),
        identity_args: String::new(),
        result: Some("trigger".into()),
        language: "plpgsql".into(),
        kind: FunctionKind::Function,
        security_definer: false,
        volatility: "v".into(),
        config: config.iter().map(|c| (*c).to_owned()).collect(),
        extension: None,
        comment: None,
        grants: Vec::new(),
        body: None,
    }
}

pub fn catalog(mut tables: Vec<Table>) -> Catalog {
    tables.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
    Catalog {
        tables,
        ..Catalog::default()
    }
}

/// `tables` in a Supabase-style database: the flavour set and the API roles present.
pub fn supabase(tables: Vec<Table>) -> Catalog {
    let role = |name: &str| Role {
        name: name.into(),
        can_login: false,
        bypass_rls: false,
        superuser: false,
    };
    Catalog {
        flavour: Flavour {
            supabase: true,
            ..Flavour::default()
        },
        roles: vec![role("anon"), role("authenticated")],
        ..catalog(tables)
    }
}
