//! Unit tests of the tree model, without a terminal.
use super::*;
use crate::catalog::{Column, KeyConstraint, Policy, PolicyCommand, Schema, Table, TableKind};

pub(crate) fn table(schema: &str, name: &str) -> Table {
    Table {
        owner: "postgres".into(),
        rls_enabled: true,
        columns: vec![Column {
            name: "id".into(),
            position: 1,
            data_type: "uuid".into(),
            nullable: false,
            default: None,
            identity: None,
            generated: None,
            comment: None,
        }],
        primary_key: Some(KeyConstraint {
            name: format!("{name}_pkey"),
            columns: vec!["id".into()],
        }),
        policies: vec![Policy {
            name: "own rows".into(),
            command: PolicyCommand::All,
            permissive: true,
            roles: vec!["authenticated".into()],
            using: Some("created_by = auth.uid()".into()),
            with_check: None,
        }],
        ..Table::new(schema, name, TableKind::Table)
    }
}

fn schema(name: &str, managed: bool) -> Schema {
    Schema {
        name: name.into(),
        owner: "postgres".into(),
        managed,
        usage: true,
        comment: None,
    }
}

fn catalog() -> Catalog {
    let mut c = Catalog {
        schemas: vec![schema("auth", true), schema("public", false)],
        tables: vec![
            table("auth", "users"),
            table("public", "profiles"),
            table("public", "todos"),
        ],
        ..Catalog::default()
    };
    c.tables
        .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
    c
}

fn drafts() -> Vec<DraftTable> {
    vec![DraftTable {
        schema: "public".into(),
        name: "projects".into(),
        exists: false,
        columns: vec![DraftColumn {
            name: "title".into(),
            data_type: "text".into(),
            new: true,
        }],
        policies: vec!["own".into()],
    }]
}

fn labels(tree: &Tree) -> Vec<String> {
    tree.rows()
        .iter()
        .map(|r| {
            format!(
                "{}{}{}",
                "  ".repeat(r.depth as usize),
                if r.new { "+" } else { "" },
                r.label
            )
        })
        .collect()
}

#[test]
fn own_schemas_open_managed_closed_drafts_marked_new() {
    let mut tree = Tree::default();
    tree.rebuild(Some(&catalog()), &drafts());
    assert_eq!(
        labels(&tree),
        ["public", "  profiles", "  todos", "  +projects", "auth"]
    );
    let auth = &tree.rows()[4];
    assert!(auth.managed && auth.expanded == Some(false));
    assert_eq!(auth.detail, "managed");
}

#[test]
fn expand_collapse_and_move_to_parent() {
    let mut tree = Tree::default();
    let (c, d) = (catalog(), drafts());
    tree.rebuild(Some(&c), &d);
    tree.move_by(2); // todos
    assert!(tree.expand());
    tree.rebuild(Some(&c), &d);
    assert_eq!(tree.selected_table(), Some(("public", "todos")));
    let l = labels(&tree);
    assert_eq!(&l[3..6], ["    id", "    todos_pkey", "    own rows"]);
    tree.move_by(3); // the policy row
    assert_eq!(tree.selected_row().unwrap().kind, RowKind::Policy);
    assert_eq!(tree.selected_table(), Some(("public", "todos")));
    assert!(!tree.collapse()); // jumps to the table
    assert_eq!(tree.selected_row().unwrap().label, "todos");
    assert!(tree.collapse());
    tree.rebuild(Some(&c), &d);
    assert_eq!(labels(&tree).len(), 5);
    // Managed schemas open on request and show their tables read-only.
    tree.end();
    assert!(tree.expand());
    tree.rebuild(Some(&c), &d);
    assert_eq!(labels(&tree).last().unwrap(), "  users");
    assert!(tree.rows().last().unwrap().managed);
}

#[test]
fn the_filter_narrows_as_you_type() {
    let mut tree = Tree::default();
    let (c, d) = (catalog(), drafts());
    tree.set_filter("o");
    tree.rebuild(Some(&c), &d);
    assert_eq!(
        labels(&tree),
        ["public", "  profiles", "  todos", "  +projects"]
    );
    tree.set_filter("tod");
    tree.rebuild(Some(&c), &d);
    tree.select_first_table();
    assert_eq!(labels(&tree), ["public", "  todos"]);
    assert_eq!(tree.selected_table(), Some(("public", "todos")));
    // Managed schemas open when they match.
    tree.set_filter("auth.us");
    tree.rebuild(Some(&c), &d);
    assert_eq!(labels(&tree), ["auth", "  users"]);
    tree.set_filter("zzz");
    tree.rebuild(Some(&c), &d);
    assert!(tree.rows().is_empty());
    assert_eq!(tree.selected_table(), None);
}

#[test]
fn only_the_window_is_handed_out_and_it_follows_the_selection() {
    let mut c = Catalog {
        schemas: vec![schema("public", false)],
        ..Catalog::default()
    };
    for i in 0..5000 {
        c.tables.push(table("public", &format!("t{i:04}")));
    }
    let mut tree = Tree::default();
    tree.rebuild(Some(&c), &[]);
    assert_eq!(tree.rows().len(), 5001);
    let (offset, rows) = tree.window(20);
    assert_eq!((offset, rows.len()), (0, 20));
    tree.move_by(30);
    tree.scroll_into_view(20);
    let (offset, rows) = tree.window(20);
    assert_eq!(offset, 11);
    assert_eq!(rows.last().unwrap().label, "t0029");
    tree.end();
    let (offset, rows) = tree.window(20);
    assert_eq!((offset, rows.len()), (4981, 20));
    assert!(tree.click(0, 20));
    assert_eq!(tree.selected_row().unwrap().label, "t4980");
    tree.scroll(-5, 20);
    assert_eq!(tree.window(20).0, 4976);
    assert!(tree.selected() <= 4976 + 19);
}

#[test]
fn a_drafted_column_on_a_live_table_is_new() {
    let c = catalog();
    let d = vec![DraftTable {
        schema: "public".into(),
        name: "todos".into(),
        exists: true,
        columns: vec![DraftColumn {
            name: "done".into(),
            data_type: "boolean".into(),
            new: true,
        }],
        policies: vec![],
    }];
    let mut tree = Tree::default();
    tree.rebuild(Some(&c), &d);
    tree.move_by(2);
    assert_eq!(tree.selected_row().unwrap().detail, "changed");
    tree.expand();
    tree.rebuild(Some(&c), &d);
    assert!(labels(&tree).contains(&"    +done".to_owned()));
}

#[test]
fn a_table_another_session_held_locked_is_listed_and_marked() {
    let mut c = catalog();
    c.locked.push(crate::catalog::LockedRelation {
        schema: "public".into(),
        name: "todos".into(),
        mode: "AccessExclusiveLock".into(),
        ..Default::default()
    });
    let mut tree = Tree::default();
    tree.rebuild(Some(&c), &[]);
    let todos = tree
        .rows()
        .iter()
        .find(|r| r.label == "todos")
        .expect("the locked table is listed");
    assert_eq!(todos.detail, "locked");
    let profiles = tree.rows().iter().find(|r| r.label == "profiles").unwrap();
    assert_eq!(profiles.detail, "");
}
