//! One test per kind of edit and per error.

use serde_json::json;

use super::{Edit, EditError, History, Reference, TableProperties};
use crate::design::field_types::FieldType;
use crate::design::model::{Design, Field, Operation, Policy, Relationship, Samples, Table};
use crate::design::test_fixtures;

/// Projects and Todos, a relationship naming Todos three ways, a count field going
/// `through` todos, samples for both tables.
fn fixture() -> Design {
    let mut d = test_fixtures::design(json!({
        "relationships": [
            {"table": "todos", "name": "project", "target": "Projects"},
            {"table": "Todos", "name": "parent", "target": "public.todos"}
        ],
        "samples": {"projects": 2, "todos": 3}
    }));
    let mut count = Field::new("todo count", FieldType::Count);
    count.options.relationship = Some("project".into());
    count.options.through = Some("todos".into());
    d.tables[0].fields.push(count);
    d
}

/// Applies `edit`, checks the inverse restores the design, and returns the edited design
/// and the inverse.
fn applied(edit: Edit) -> (Design, Edit) {
    let start = fixture();
    let mut d = start.clone();
    let inverse = edit.apply(&mut d).expect("the edit applies");
    let mut back = d.clone();
    inverse
        .clone()
        .apply(&mut back)
        .expect("the inverse applies");
    assert_eq!(back, start, "the inverse restores the design");
    (d, inverse)
}

fn failed(edit: Edit) -> EditError {
    let start = fixture();
    let mut d = start.clone();
    let error = edit.apply(&mut d).expect_err("the edit fails");
    assert_eq!(d, start, "a failed edit leaves the design unchanged");
    error
}

#[test]
fn set_schema() {
    let (d, inverse) = applied(Edit::SetSchema {
        schema: "app".into(),
    });
    assert_eq!(d.schema, "app");
    assert_eq!(
        inverse,
        Edit::SetSchema {
            schema: "public".into()
        }
    );
}

#[test]
fn add_move_and_remove_tables_keep_order() {
    let (d, _) = applied(Edit::AddTable {
        index: 1,
        table: Table::new("Tags"),
    });
    let names: Vec<_> = d.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Projects", "Tags", "Todos"]);

    let (d, inverse) = applied(Edit::RemoveTable { index: 0 });
    assert_eq!(d.tables[0].name, "Todos");
    assert!(
        matches!(inverse, Edit::Unchecked(ref e) if matches!(**e, Edit::AddTable { index: 0, .. }))
    );

    let (d, _) = applied(Edit::MoveTable { from: 0, to: 1 });
    assert_eq!(d.tables[1].name, "Projects");
}

#[test]
fn table_errors() {
    assert_eq!(
        failed(Edit::RemoveTable { index: 2 }),
        EditError::NoTable(2)
    );
    assert_eq!(
        failed(Edit::AddTable {
            index: 3,
            table: Table::new("Tags")
        }),
        EditError::OutOfRange {
            what: "tables",
            index: 3,
            len: 2
        }
    );
    assert_eq!(
        failed(Edit::AddTable {
            index: 0,
            table: Table::new("todos")
        }),
        EditError::DuplicateName {
            what: "table",
            name: "todos".into()
        }
    );
    assert!(matches!(
        failed(Edit::MoveTable { from: 0, to: 5 }),
        EditError::OutOfRange { index: 5, .. }
    ));
}

#[test]
fn renaming_a_table_rewrites_every_reference_and_undo_restores_each_spelling() {
    let (d, inverse) = applied(Edit::RenameTable {
        table: 1,
        name: "Tasks".into(),
        db_name: None,
    });
    assert_eq!(d.tables[1].name, "Tasks");
    assert_eq!(d.relationships[0].table, "tasks");
    assert_eq!(d.relationships[1].table, "Tasks");
    assert_eq!(d.relationships[1].target, "public.tasks");
    assert_eq!(
        d.relationships[0].target, "Projects",
        "other tables untouched"
    );
    assert_eq!(
        d.tables[0].fields[1].options.through.as_deref(),
        Some("tasks")
    );
    let keys: Vec<_> = d.samples.keys().map(String::as_str).collect();
    assert_eq!(keys, ["projects", "tasks"], "a sample key keeps its place");
    let Edit::RestoreTableNames { references, .. } = inverse else {
        panic!("the inverse of a rename restores names: {inverse:?}")
    };
    assert_eq!(references.len(), 5);
    assert!(references.contains(&(Reference::RelationshipTable(1), "Todos".into())));
}

#[test]
fn an_explicit_db_name_is_what_db_name_references_follow() {
    let (d, _) = applied(Edit::RenameTable {
        table: 1,
        name: "Todos".into(),
        db_name: Some("todo_items".into()),
    });
    assert_eq!(d.tables[1].db_name.as_deref(), Some("todo_items"));
    assert_eq!(d.relationships[0].table, "todo_items");
    assert_eq!(d.relationships[1].table, "Todos", "a name reference stays");
    assert_eq!(d.samples.get_index(1).unwrap().0, "todo_items");
}

#[test]
fn rename_errors() {
    assert_eq!(
        failed(Edit::RenameTable {
            table: 1,
            name: "Projects".into(),
            db_name: None
        }),
        EditError::DuplicateName {
            what: "table",
            name: "Projects".into()
        }
    );
    assert_eq!(
        failed(Edit::RenameTable {
            table: 7,
            name: "X".into(),
            db_name: None
        }),
        EditError::NoTable(7)
    );
    // A rename whose sample key would collide with another key.
    let mut d = fixture();
    d.samples.insert("tasks".into(), Samples::Count(1));
    let start = d.clone();
    let error = Edit::RenameTable {
        table: 1,
        name: "Tasks".into(),
        db_name: None,
    }
    .apply(&mut d)
    .unwrap_err();
    assert_eq!(
        error,
        EditError::DuplicateName {
            what: "samples entry",
            name: "tasks".into()
        }
    );
    assert_eq!(d, start);
    assert_eq!(
        failed(Edit::RestoreTableNames {
            table: 0,
            name: "P".into(),
            db_name: None,
            references: vec![(Reference::RelationshipTarget(9), "x".into())]
        }),
        EditError::NoReference(Reference::RelationshipTarget(9))
    );
}

#[test]
fn table_properties_and_rls() {
    let properties = TableProperties {
        description: Some("Work to do".into()),
        rls_enabled: false,
        public_reference: true,
        drop_columns: vec!["legacy".into()],
        drop_policies: vec!["old policy".into()],
        system_fields: false,
        audit: true,
        soft_delete: true,
    };
    let (d, _) = applied(Edit::ChangeTableProperties {
        table: 1,
        properties: properties.clone(),
    });
    assert_eq!(TableProperties::of(&d.tables[1]), properties);
    let (d, inverse) = applied(Edit::SetRls {
        table: 0,
        enabled: false,
    });
    assert!(!d.tables[0].rls_enabled);
    assert_eq!(
        inverse,
        Edit::SetRls {
            table: 0,
            enabled: true
        }
    );
    assert_eq!(
        failed(Edit::SetRls {
            table: 2,
            enabled: true
        }),
        EditError::NoTable(2)
    );
}

#[test]
fn fields_add_change_move_remove() {
    let (d, _) = applied(Edit::AddField {
        table: 1,
        index: 0,
        field: Field::new("due", FieldType::Date),
    });
    assert_eq!(d.tables[1].fields[0].name, "due");
    let (d, _) = applied(Edit::ChangeField {
        table: 1,
        index: 1,
        field: Field::new("hours", FieldType::Duration),
    });
    assert_eq!(d.tables[1].fields[1].field_type, FieldType::Duration);
    let (d, _) = applied(Edit::MoveField {
        table: 1,
        from: 0,
        to: 1,
    });
    assert_eq!(d.tables[1].fields[0].name, "estimate");
    let (d, _) = applied(Edit::RemoveField { table: 1, index: 0 });
    assert_eq!(d.tables[1].fields.len(), 1);
}

#[test]
fn field_errors() {
    assert_eq!(
        failed(Edit::RemoveField { table: 1, index: 2 }),
        EditError::NoField { table: 1, index: 2 }
    );
    assert_eq!(
        failed(Edit::ChangeField {
            table: 1,
            index: 1,
            field: Field::new("title", FieldType::Number)
        }),
        EditError::DuplicateName {
            what: "field",
            name: "title".into()
        }
    );
    // Same column, different name.
    assert_eq!(
        failed(Edit::AddField {
            table: 1,
            index: 0,
            field: Field::new("Estimate", FieldType::Number)
        }),
        EditError::DuplicateName {
            what: "field",
            name: "estimate".into()
        }
    );
    assert!(matches!(
        failed(Edit::AddField {
            table: 1,
            index: 3,
            field: Field::new("x", FieldType::Number)
        }),
        EditError::OutOfRange { what: "fields", .. }
    ));
    assert!(matches!(
        failed(Edit::MoveField {
            table: 1,
            from: 2,
            to: 0
        }),
        EditError::OutOfRange { index: 2, .. }
    ));
}

#[test]
fn set_primary_field_and_back() {
    let (d, inverse) = applied(Edit::SetPrimaryField {
        table: 1,
        field: Some(1),
    });
    assert!(!d.tables[1].fields[0].is_primary);
    assert!(d.tables[1].fields[1].is_primary);
    assert_eq!(
        inverse,
        Edit::SetPrimaryField {
            table: 1,
            field: Some(0)
        }
    );
    let (d, _) = applied(Edit::SetPrimaryField {
        table: 1,
        field: None,
    });
    assert!(d.tables[1].fields.iter().all(|f| !f.is_primary));
    assert_eq!(
        failed(Edit::SetPrimaryField {
            table: 1,
            field: Some(5)
        }),
        EditError::NoField { table: 1, index: 5 }
    );
}

#[test]
fn set_primary_field_undoes_several_marked_fields() {
    let mut d = fixture();
    d.tables[1].fields[1].is_primary = true;
    let start = d.clone();
    let inverse = Edit::SetPrimaryField {
        table: 1,
        field: Some(1),
    }
    .apply(&mut d)
    .unwrap();
    assert!(!d.tables[1].fields[0].is_primary);
    inverse.apply(&mut d).unwrap();
    assert_eq!(d, start);
}

fn relationship(name: &str) -> Relationship {
    Relationship {
        table: "todos".into(),
        name: name.into(),
        target: "auth.users".into(),
        allow_multiple: false,
        one_to_one: false,
        cascade_delete: true,
        on_delete: None,
        required: false,
    }
}

#[test]
fn relationships() {
    let (d, _) = applied(Edit::AddRelationship {
        index: 0,
        relationship: relationship("owner"),
    });
    assert_eq!(d.relationships[0].name, "owner");
    let (d, _) = applied(Edit::ChangeRelationship {
        index: 1,
        relationship: relationship("owner"),
    });
    assert_eq!(d.relationships[1].target, "auth.users");
    let (d, _) = applied(Edit::MoveRelationship { from: 0, to: 1 });
    assert_eq!(d.relationships[0].name, "parent");
    let (d, _) = applied(Edit::RemoveRelationship { index: 0 });
    assert_eq!(d.relationships.len(), 1);
    assert_eq!(
        failed(Edit::RemoveRelationship { index: 2 }),
        EditError::NoRelationship(2)
    );
    assert_eq!(
        failed(Edit::AddRelationship {
            index: 0,
            relationship: relationship("project")
        }),
        EditError::DuplicateName {
            what: "relationship",
            name: "todos.project".into()
        }
    );
}

#[test]
fn policies() {
    let policy = Policy::new("read own", Operation::Select);
    let (d, _) = applied(Edit::AddPolicy {
        table: 1,
        index: 0,
        policy: policy.clone(),
    });
    assert_eq!(d.tables[1].rls_policies.len(), 1);
    assert_eq!(d.tables[1].rls_policies[0], policy);
    let mut start = fixture();
    Edit::AddPolicy {
        table: 1,
        index: 0,
        policy: policy.clone(),
    }
    .apply(&mut start)
    .unwrap();
    let mut changed = Policy::new("write own", Operation::Insert);
    changed.with_check_expression = Some("created_by = auth.uid()".into());
    let mut d = start.clone();
    let inverse = Edit::ChangePolicy {
        table: 1,
        index: 0,
        policy: changed.clone(),
    }
    .apply(&mut d)
    .unwrap();
    assert_eq!(d.tables[1].rls_policies[0], changed);
    let redo = Edit::AddPolicy {
        table: 1,
        index: 1,
        policy: policy.clone(),
    }
    .apply(&mut d)
    .unwrap();
    let moved = Edit::MovePolicy {
        table: 1,
        from: 1,
        to: 0,
    }
    .apply(&mut d)
    .unwrap();
    assert_eq!(d.tables[1].rls_policies[0].name, "read own");
    let removed = Edit::RemovePolicy { table: 1, index: 0 }
        .apply(&mut d)
        .unwrap();
    for undo in [removed, moved, redo, inverse] {
        undo.apply(&mut d).unwrap();
    }
    assert_eq!(d, start);
    assert_eq!(
        failed(Edit::RemovePolicy { table: 1, index: 0 }),
        EditError::NoPolicy { table: 1, index: 0 }
    );
    let mut d = start.clone();
    let error = Edit::AddPolicy {
        table: 1,
        index: 1,
        policy,
    }
    .apply(&mut d)
    .unwrap_err();
    assert_eq!(
        error,
        EditError::DuplicateName {
            what: "policy",
            name: "read own".into()
        }
    );
    assert_eq!(d, start);
}

#[test]
fn samples_set_replace_and_remove_in_place() {
    let (d, _) = applied(Edit::SetSamples {
        key: "projects".into(),
        samples: Some(Samples::Rows(vec![
            json!({"name": "Garden"}).as_object().unwrap().clone(),
        ])),
        position: None,
    });
    assert!(matches!(d.samples.get_index(0), Some((k, Samples::Rows(_))) if k == "projects"));
    let (d, inverse) = applied(Edit::SetSamples {
        key: "projects".into(),
        samples: None,
        position: None,
    });
    assert_eq!(d.samples.len(), 1);
    assert_eq!(
        inverse,
        Edit::SetSamples {
            key: "projects".into(),
            samples: Some(Samples::Count(2)),
            position: Some(0)
        }
    );
    let (d, _) = applied(Edit::SetSamples {
        key: "Tags".into(),
        samples: Some(Samples::Count(4)),
        position: Some(1),
    });
    assert_eq!(d.samples.get_index(1).unwrap().0, "Tags");
    assert!(matches!(
        failed(Edit::SetSamples {
            key: "Tags".into(),
            samples: Some(Samples::Count(4)),
            position: Some(3)
        }),
        EditError::OutOfRange {
            what: "samples",
            ..
        }
    ));
}

#[test]
fn a_batch_is_all_or_nothing() {
    let (d, _) = applied(Edit::Batch(vec![
        Edit::SetRls {
            table: 0,
            enabled: false,
        },
        Edit::RemoveField { table: 1, index: 1 },
    ]));
    assert!(!d.tables[0].rls_enabled);
    assert_eq!(
        failed(Edit::Batch(vec![
            Edit::SetRls {
                table: 0,
                enabled: false
            },
            Edit::RemoveField { table: 1, index: 1 },
            Edit::RemoveField { table: 1, index: 1 },
        ])),
        EditError::NoField { table: 1, index: 1 }
    );
}

#[test]
fn removing_a_table_with_its_references() {
    let start = fixture();
    let edit = Edit::remove_table_with_references(&start, 1).unwrap();
    let (d, _) = applied(edit);
    assert_eq!(d.tables.len(), 1);
    assert!(d.relationships.is_empty());
    assert_eq!(d.samples.keys().collect::<Vec<_>>(), ["projects"]);
    assert!(Edit::remove_table_with_references(&start, 2).is_none());
}

#[test]
fn a_removed_duplicate_can_be_put_back() {
    // A loaded design may hold two fields of one name; undoing the removal of one must work.
    let mut d = fixture();
    d.tables[1]
        .fields
        .push(Field::new("title", FieldType::LongText));
    let start = d.clone();
    let inverse = Edit::RemoveField { table: 1, index: 2 }
        .apply(&mut d)
        .unwrap();
    let redo = inverse.apply(&mut d).expect("the old value goes back");
    assert_eq!(d, start);
    redo.apply(&mut d).unwrap();
    assert_eq!(d.tables[1].fields.len(), 2);
}

#[test]
fn history_undo_redo_and_limit() {
    let start = fixture();
    let mut d = start.clone();
    let mut history = History::with_limit(2);
    assert_eq!(history.undo(&mut d), Ok(None));
    for enabled in [false, true, false] {
        history
            .apply(&mut d, Edit::SetRls { table: 0, enabled })
            .unwrap();
    }
    assert_eq!(history.undo_len(), 2, "the oldest step is forgotten");
    let undone = history.undo(&mut d).unwrap().unwrap();
    assert_eq!(
        undone,
        Edit::SetRls {
            table: 0,
            enabled: true
        }
    );
    assert!(history.can_redo());
    assert_eq!(
        history.redo(&mut d).unwrap(),
        Some(Edit::SetRls {
            table: 0,
            enabled: false
        })
    );
    history.undo(&mut d).unwrap();
    history
        .apply(
            &mut d,
            Edit::SetSchema {
                schema: "app".into(),
            },
        )
        .unwrap();
    assert!(!history.can_redo(), "a new edit clears redo");
    assert!(
        history
            .apply(&mut d, Edit::RemoveTable { index: 9 })
            .is_err()
    );
    assert_eq!(history.undo_len(), 2, "a failed edit is not recorded");
}

#[test]
fn history_keeps_a_step_that_no_longer_applies() {
    let mut d = fixture();
    let mut history = History::default();
    history
        .apply(
            &mut d,
            Edit::AddTable {
                index: 2,
                table: Table::new("Tags"),
            },
        )
        .unwrap();
    d.tables.truncate(1); // changed behind the history's back
    assert_eq!(history.undo(&mut d), Err(EditError::NoTable(2)));
    assert_eq!(history.undo_len(), 1);
}
