//! A catalog and an app built in memory, for the TUI snapshot tests and the render
//! benchmark: a Supabase-flavoured database with managed `auth`/`storage` schemas and a few
//! tables of the user's own, and the SPEC.md example design opened against it.
#![allow(dead_code)]

use schemaforge::catalog::{
    Catalog, Column, FkAction, Flavour, ForeignKey, Index, KeyConstraint, Policy, PolicyCommand,
    Schema, Table, TableKind, Trigger,
};
use schemaforge::tui::App;
use schemaforge::tui::app::DesignState;
use schemaforge::tui::keymap::Keymap;
use schemaforge::tui::theme::Theme;

pub fn schema(name: &str, managed: bool) -> Schema {
    Schema {
        name: name.into(),
        owner: "postgres".into(),
        managed,
        usage: true,
        comment: None,
    }
}

pub fn column(
    name: &str,
    position: i16,
    data_type: &str,
    nullable: bool,
    default: Option<&str>,
) -> Column {
    Column {
        name: name.into(),
        position,
        data_type: data_type.into(),
        nullable,
        default: default.map(Into::into),
        identity: None,
        generated: None,
        comment: None,
    }
}

pub fn table(schema: &str, name: &str) -> Table {
    Table {
        owner: "postgres".into(),
        row_estimate: Some(1240),
        rls_enabled: true,
        columns: vec![
            column("id", 1, "uuid", false, Some("gen_random_uuid()")),
            column(
                "created_at",
                2,
                "timestamp with time zone",
                false,
                Some("now()"),
            ),
        ],
        primary_key: Some(KeyConstraint {
            name: format!("{name}_pkey"),
            columns: vec!["id".into()],
        }),
        indexes: vec![Index {
            name: format!("{name}_pkey"),
            definition: format!(
                "CREATE UNIQUE INDEX {name}_pkey ON {schema}.{name} USING btree (id)"
            ),
            unique: true,
            primary: true,
            columns: vec!["id".into()],
            invalid: false,
        }],
        ..Table::new(schema, name, TableKind::Table)
    }
}

/// A live relation of another kind (a view, …) with the same columns as `table`.
pub fn table_of_kind(schema: &str, name: &str, kind: TableKind) -> Table {
    Table {
        kind,
        ..table(schema, name)
    }
}

fn fk(name: &str, column: &str, schema: &str, table: &str, on_delete: FkAction) -> ForeignKey {
    ForeignKey {
        name: name.into(),
        columns: vec![column.into()],
        references_schema: schema.into(),
        references_table: table.into(),
        references_columns: vec!["id".into()],
        on_delete,
        on_update: FkAction::NoAction,
        deferrable: false,
        initially_deferred: false,
        validated: true,
    }
}

/// `auth.users`, `storage.objects`, and `public.projects` (with an owner policy, a
/// foreign key to `auth.users`, an index and a trigger), `public.profiles`, `public.tags`.
pub fn catalog() -> Catalog {
    let mut projects = table("public", "projects");
    projects
        .columns
        .push(column("name", 3, "text", false, None));
    projects
        .columns
        .push(column("created_by", 4, "uuid", true, Some("auth.uid()")));
    projects.foreign_keys.push(fk(
        "projects_created_by_fkey",
        "created_by",
        "auth",
        "users",
        FkAction::SetNull,
    ));
    projects.indexes.push(Index {
        name: "idx_projects_created_by".into(),
        definition:
            "CREATE INDEX idx_projects_created_by ON public.projects USING btree (created_by)"
                .into(),
        unique: false,
        primary: false,
        columns: vec!["created_by".into()],
        invalid: false,
    });
    projects.policies.push(Policy {
        name: "Owners manage projects".into(),
        command: PolicyCommand::All,
        permissive: true,
        roles: vec!["authenticated".into()],
        using: Some("(created_by = ( SELECT auth.uid() AS uid))".into()),
        with_check: Some("(created_by = ( SELECT auth.uid() AS uid))".into()),
    });
    projects.triggers.push(Trigger {
        name: "projects_updated".into(),
        definition: "CREATE TRIGGER projects_updated BEFORE UPDATE ON public.projects FOR EACH ROW EXECUTE FUNCTION public.set_updated()".into(),
        function_schema: "public".into(),
        function: "set_updated".into(),
        enabled: true,
    });
    let mut profiles = table("public", "profiles");
    profiles
        .columns
        .push(column("username", 3, "text", true, None));
    profiles.foreign_keys.push(fk(
        "profiles_id_fkey",
        "id",
        "auth",
        "users",
        FkAction::Cascade,
    ));
    let mut tags = table("public", "tags");
    tags.rls_enabled = false;
    tags.row_estimate = None;
    tags.columns.push(column("label", 3, "text", false, None));
    let mut users = table("auth", "users");
    users
        .columns
        .push(column("email", 3, "character varying(255)", true, None));
    let objects = table("storage", "objects");
    let mut catalog = Catalog {
        flavour: Flavour {
            supabase: true,
            has_apply_postgrest_permissions: false,
            server_version: "15.8".into(),
            server_version_num: 150008,
            database: "app".into(),
            user: "alice".into(),
        },
        schemas: vec![
            schema("auth", true),
            schema("public", false),
            schema("storage", true),
        ],
        tables: vec![users, profiles, projects, tags, objects],
        // The API roles every Supabase project has.
        roles: ["anon", "authenticated", "service_role"]
            .into_iter()
            .map(|name| schemaforge::catalog::Role {
                name: name.into(),
                can_login: false,
                bypass_rls: name == "service_role",
                superuser: false,
            })
            .collect(),
        ..Catalog::default()
    };
    catalog
        .tables
        .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
    catalog
}

/// `n` tables in `public`, each with a few columns, a policy and an index.
pub fn big_catalog(n: usize) -> Catalog {
    let mut catalog = catalog();
    for i in 0..n {
        let mut t = table("public", &format!("table_{i:05}"));
        t.columns.push(column("title", 3, "text", false, None));
        t.policies.push(Policy {
            name: "own rows".into(),
            command: PolicyCommand::All,
            permissive: true,
            roles: vec!["authenticated".into()],
            using: Some("(created_by = auth.uid())".into()),
            with_check: None,
        });
        catalog.tables.push(t);
    }
    catalog
        .tables
        .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
    catalog
}

pub fn theme(name: &str) -> Theme {
    Theme::load(name, None).expect("bundled theme")
}

/// The app as it is once the catalog arrived, with SPEC.md's example design open.
pub fn app(theme_name: &str, catalog: Catalog, width: u16, height: u16) -> App {
    let mut app = App::new(
        "alice@db.example.com:5432/app".into(),
        theme(theme_name),
        Keymap::default(),
    );
    let design =
        schemaforge::design::parse(include_str!("../../assets/examples/spec_example.json"))
            .expect("the example parses")
            .0;
    app.model.design = Some(DesignState { design, file: None });
    app.view.width = width;
    app.view.height = height;
    schemaforge::tui::update(&mut app, schemaforge::tui::Message::Start);
    schemaforge::tui::update(
        &mut app,
        schemaforge::tui::Message::Catalog(Ok(Box::new(catalog))),
    );
    app.view.message = None;
    app
}

/// The app as `schemaforge` starts without `--design` and without a draft (an empty design
/// to begin from), at 120×40.
pub fn empty_app() -> App {
    let mut app = App::new(
        "postgres@localhost:5432/test".into(),
        schemaforge::tui::theme::Theme::default(),
        Keymap::default(),
    );
    app.view.width = 120;
    app.view.height = 40;
    schemaforge::tui::opening::offer_draft(&mut app, None);
    app
}

/// The app opened on the design `text`, written to `file` first (so saving and exporting
/// have a design file), at 120×40, as `schemaforge --design FILE` starts.
pub fn app_with_design_file(file: &std::path::Path, text: &str) -> App {
    let mut app = empty_app();
    std::fs::write(file, text).expect("the design file is written");
    let design = schemaforge::design::parse(text)
        .expect("the design parses")
        .0;
    schemaforge::tui::opening::open_design(&mut app, design, file.to_path_buf(), None);
    app
}
