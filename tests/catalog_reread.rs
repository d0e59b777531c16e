//! After an apply only the tables it touched (and their foreign-key neighbours) are read
//! again; the rest keeps what was read before, and the result equals a full read.
mod common;

use common::test_db;
use schemaforge::catalog::change::ColumnDef;
use schemaforge::catalog::reread::touched_tables;
use schemaforge::catalog::{Change, QualifiedName, fingerprint};
use schemaforge::db::catalog::{ReadOptions, read, read_names, reread_tables};

#[tokio::test]
async fn a_reread_of_the_touched_tables_matches_a_full_read() {
    let db = test_db().await;
    db.batch_execute(
        "CREATE TABLE public.parent (id int PRIMARY KEY, CHECK (id > 0)); \
         CREATE TABLE public.far (id int PRIMARY KEY); \
         CREATE TABLE public.child (id int PRIMARY KEY, parent int REFERENCES public.parent, \
           far int REFERENCES public.far); \
         CREATE TABLE public.other (id int PRIMARY KEY); \
         ALTER TABLE public.other ENABLE ROW LEVEL SECURITY; \
         CREATE POLICY p ON public.other USING (id > 0)",
    )
    .await
    .unwrap();
    let before = read(&db).await.unwrap();
    db.batch_execute("ALTER TABLE public.parent ADD COLUMN note text")
        .await
        .unwrap();
    let changes = vec![Change::AddColumn {
        table: QualifiedName {
            schema: "public".into(),
            name: "parent".into(),
        },
        column: ColumnDef {
            name: "note".into(),
            sql_type: "text".into(),
            data_type: "text".into(),
            default: None,
            generated: None,
            not_null: false,
            constraints: Vec::new(),
        },
    }];
    let touched = touched_tables(&changes, &before);
    assert_eq!(
        touched,
        vec![
            ("public".to_owned(), "child".to_owned()),
            ("public".to_owned(), "parent".to_owned())
        ],
        "the table and its neighbour by foreign key"
    );
    let options = ReadOptions::default();
    let reread = reread_tables(&db, &options, before.clone(), &touched)
        .await
        .unwrap();
    let full = read(&db).await.unwrap();
    assert_eq!(fingerprint(&reread), fingerprint(&full));
    // The neighbour's other key names its target, which was not re-read.
    let child = reread.table("public", "child").unwrap();
    assert!(
        child
            .foreign_keys
            .iter()
            .any(|fk| fk.references_table == "far" && fk.references_columns == ["id"]),
        "{:?}",
        child.foreign_keys
    );
    assert_eq!(reread.table("public", "parent").unwrap().columns.len(), 2);
    assert_eq!(reread.table("public", "other").unwrap().policies.len(), 1);

    // Untouched tables really come from before: a change nobody announced is not seen.
    db.batch_execute("ALTER TABLE public.other ADD COLUMN unseen int")
        .await
        .unwrap();
    let reread = reread_tables(&db, &options, before.clone(), &touched)
        .await
        .unwrap();
    assert_eq!(reread.table("public", "other").unwrap().columns.len(), 1);

    // Names first: every table, no details.
    let names = read_names(&db, &options).await.unwrap();
    let listed: Vec<&str> = names.tables.iter().map(|t| t.name.as_str()).collect();
    for t in ["child", "other", "parent"] {
        assert!(listed.contains(&t), "{listed:?}");
    }
    assert!(names.table("public", "other").unwrap().rls_enabled);
    assert!(names.tables.iter().all(|t| t.columns.is_empty()));
}
