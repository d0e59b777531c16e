//! Phase 3's form: a relationship's source table, its target (a designed table or a live one
//! of any schema), its kind, field name, delete rule and whether it is required. Confirming
//! is one edit, judged by the design validator like every other form.
//!
//! The delete rule is `on_delete`, or what `cascade_delete` and `required` imply (SPEC.md
//! "Relationships": cascade, else RESTRICT when required, else SET NULL). The form writes
//! the older keys where they say it and `on_delete` only for an optional relationship that
//! restricts; it keeps the inputs consistent: set null makes the relationship optional, and
//! making a set-null relationship required turns it to restrict.

use crate::design::edit::Edit;
use crate::design::{Design, OnDelete, Relationship, TargetRef, target_of};
use crate::tui::app::{App, Overlay};
use crate::tui::components::form::{
    ChoiceList, Form, FormInput, Picker, PickerEntry, TextInput, Toggle,
};
use crate::tui::message::Effect;
use crate::tui::phase::Phase;

use super::{commit, reject};
use crate::tui::components::editor_popup::{Editor, RelationForm};

/// The kinds, in the order the form offers them.
pub const KINDS: [&str; 3] = ["many-to-one", "one-to-one", "many-to-many"];
/// The delete rules, in the order the form offers them.
pub const ON_DELETE: [&str; 3] = ["cascade", "set null", "restrict"];

/// The kind of a relationship, as an index into [`KINDS`].
pub fn kind_of(rel: &Relationship) -> usize {
    if rel.allow_multiple {
        2
    } else if rel.one_to_one {
        1
    } else {
        0
    }
}

/// The delete rule of a relationship, as an index into [`ON_DELETE`].
pub fn on_delete_of(rel: &Relationship) -> usize {
    match rel.delete_rule() {
        OnDelete::Cascade => 0,
        OnDelete::SetNull => 1,
        OnDelete::Restrict => 2,
    }
}

/// `a` in phase 3: a new relationship from table `source` (the first table without one).
pub fn open_add(app: &mut App, source: Option<usize>) {
    let Some(design) = app.model.design.as_ref().map(|s| &s.design) else {
        return;
    };
    if design.tables.is_empty() {
        app.view.message = Some("a relationship joins designed tables: add one in phase 1".into());
        return;
    }
    let source = source.unwrap_or(0).min(design.tables.len() - 1);
    let from = design.tables[source].db_name().into_owned();
    // The first other designed table is the likeliest target.
    let to = design
        .tables
        .iter()
        .map(|t| t.db_name().into_owned())
        .find(|t| *t != from)
        .unwrap_or_else(|| from.clone());
    let rel = Relationship {
        table: from,
        name: String::new(),
        target: to,
        allow_multiple: false,
        one_to_one: false,
        cascade_delete: false,
        on_delete: None,
        required: false,
    };
    push(app, None, "New relationship", &rel);
}

/// `⏎`/`e` on a relationship.
pub fn open_edit(app: &mut App, index: usize) {
    let Some(rel) = app
        .model
        .design
        .as_ref()
        .and_then(|s| s.design.relationships.get(index))
        .cloned()
    else {
        return;
    };
    let title = format!("Relationship {}.{}", rel.table, rel.name);
    push(app, Some(index), &title, &rel);
}

fn push(app: &mut App, target: Option<usize>, title: &str, rel: &Relationship) {
    let form = form(app, title, rel);
    let taken = app.model.design.as_ref().map_or_else(Vec::new, |s| {
        let d = &s.design;
        d.relationships
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != target)
            .map(|(_, r)| format!("{}.{}", picker_value(d, &r.table), r.name.to_lowercase()))
            .collect()
    });
    let mut editor = RelationForm {
        target,
        form,
        rule: (on_delete_of(rel), rel.required),
        taken,
        source: String::new(),
    };
    editor.source = editor.form.value_text("table").unwrap_or_default();
    after_key(&mut editor);
    app.view
        .overlays
        .push(Overlay::Editor(Box::new(Editor::Relation(editor))));
}

/// The tables a relationship may start from: the design's, by db name.
fn sources(design: &Design) -> Vec<PickerEntry> {
    design
        .tables
        .iter()
        .map(|t| {
            let db = t.db_name().into_owned();
            PickerEntry::new(db.clone(), db, format!("designed · {}", t.name))
        })
        .collect()
}

/// What a relationship may point at: the designed tables, then every live table of every
/// schema (written `schema.table` outside the design's schema; `auth.users` included).
fn targets(app: &App, design: &Design) -> Vec<PickerEntry> {
    let designed: Vec<String> = design
        .tables
        .iter()
        .map(|t| t.db_name().into_owned())
        .collect();
    let mut entries: Vec<PickerEntry> = design
        .tables
        .iter()
        .map(|t| {
            let db = t.db_name().into_owned();
            PickerEntry::new(db.clone(), db, format!("designed · {}", t.name))
        })
        .collect();
    if let Some(catalog) = app.model.tree_catalog() {
        use crate::catalog::TableKind;
        for t in &catalog.tables {
            if !matches!(t.kind, TableKind::Table | TableKind::PartitionedTable) {
                continue;
            }
            let value = if t.schema == design.schema {
                if designed.contains(&t.name) {
                    continue;
                }
                t.name.clone()
            } else {
                format!("{}.{}", t.schema, t.name)
            };
            let key = t
                .primary_key
                .as_ref()
                .map(|k| k.columns.join(", "))
                .unwrap_or_else(|| "no primary key".into());
            entries.push(PickerEntry::new(value.clone(), value, "live table").note(key));
        }
    }
    entries
}

/// The picker's value for what a relationship's `target` (or `table`) says: a designed
/// table's db name, or the text as written.
fn picker_value(design: &Design, reference: &str) -> String {
    match design.find_table(reference) {
        Some(i) => design.tables[i].db_name().into_owned(),
        None => reference.to_owned(),
    }
}

fn form(app: &App, title: &str, rel: &Relationship) -> Form {
    let design = app
        .model
        .design
        .as_ref()
        .map(|s| s.design.clone())
        .unwrap_or_default();
    let mut targets = targets(app, &design);
    let target = picker_value(&design, &rel.target);
    // A target the catalog does not list (yet) stays choosable as written.
    if !targets.iter().any(|e| e.value == target) {
        targets.insert(
            0,
            PickerEntry::new(target.clone(), target.clone(), "as written in the design"),
        );
    }
    Form::new(title)
        .field(
            "table",
            "from table",
            Picker::new(sources(&design))
                .rows(3)
                .selected_value(&picker_value(&design, &rel.table)),
        )
        .field(
            "target",
            "to table",
            Picker::new(targets).rows(4).selected_value(&target),
        )
        .field(
            "allow_multiple",
            "kind",
            ChoiceList::new(KINDS, kind_of(rel)),
        )
        .field("name", "field name", TextInput::new(&rel.name))
        .field(
            "on_delete",
            "on delete",
            ChoiceList::new(ON_DELETE, on_delete_of(rel)),
        )
        .field(
            "required",
            "required",
            Toggle::new(rel.required).texts("yes: NOT NULL", "no: may be empty"),
        )
}

/// After every key: a "from" table changed to the "to" table re-points "to" to the first
/// other table, the delete rule and `required` agree, and the field name's placeholder
/// shows the column the relationship will make.
pub(super) fn after_key(r: &mut RelationForm) {
    repoint_target(r);
    let rule = r.form.value_choice("on_delete").unwrap_or(0);
    let required = r.form.value_bool("required").unwrap_or(false);
    let (old_rule, old_required) = r.rule;
    let mut set_required = None;
    let mut set_rule = None;
    if rule != old_rule {
        if rule == 1 {
            set_required = Some(false);
        }
    } else if required != old_required && (required, rule) == (true, 1) {
        set_rule = Some(2);
    }
    if let (Some(on), Some(FormInput::Toggle(t))) = (set_required, r.form.input_mut("required")) {
        t.set(on);
    }
    if let (Some(i), Some(FormInput::Choice(c))) = (set_rule, r.form.input_mut("on_delete")) {
        c.select(i);
    }
    r.rule = (
        r.form.value_choice("on_delete").unwrap_or(0),
        r.form.value_bool("required").unwrap_or(false),
    );
    let name = suggestion(r);
    let many = r.form.value_choice("allow_multiple") == Some(2);
    // Only an empty name shows the placeholder, so only then is the input rebuilt (a
    // rebuilt input would lose its cursor).
    if let Some(FormInput::Text(input)) = r.form.input_mut("name")
        && input.text().trim().is_empty()
    {
        let column = crate::design::names::relationship_column(&name);
        let placeholder = if many {
            format!("{name}  (names the link; no column here)")
        } else {
            format!("{name}  (the column is {column})")
        };
        *input = TextInput::new(input.text()).placeholder(placeholder);
    }
}

/// When "from" has just become the table "to" points at, "to" moves to the first other
/// table, so the default is never a self-reference (one stays possible by choosing it).
fn repoint_target(r: &mut RelationForm) {
    let source = r.form.value_text("table").unwrap_or_default();
    if source == r.source {
        return;
    }
    r.source = source.clone();
    if r.form.value_text("target").as_deref() != Some(source.as_str()) {
        return;
    }
    if let Some(FormInput::Picker(target)) = r.form.input_mut("target") {
        target.choose_first(|e| e.value != source);
    }
}

/// The name an empty field name stands for: the target in the singular (many-to-one,
/// one-to-one) or as it is (many-to-many), numbered when the source table has it already.
fn suggestion(r: &RelationForm) -> String {
    let target = r.form.value_text("target").unwrap_or_default();
    let base = if r.form.value_choice("allow_multiple") == Some(2) {
        target.rsplit('.').next().unwrap_or(&target).to_owned()
    } else {
        suggested_name(&target)
    };
    let source = r.form.value_text("table").unwrap_or_default();
    let free = |name: &String| {
        !r.taken
            .contains(&format!("{source}.{}", name.to_lowercase()))
    };
    std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}_{n}")))
        .find(free)
        .unwrap_or(base)
}

/// The field name a relationship gets when none is typed: its target, in the singular
/// (`projects` → `project`, `auth.users` → `user`).
pub fn suggested_name(target: &str) -> String {
    let table = target.rsplit('.').next().unwrap_or(target);
    if let Some(stem) = table.strip_suffix("ies")
        && !stem.is_empty()
    {
        return format!("{stem}y");
    }
    match table.strip_suffix('s') {
        Some(stem) if stem.len() > 2 && !stem.ends_with('s') => stem.to_owned(),
        _ => table.to_owned(),
    }
}

/// The relationship a confirmed form describes. A source or target that still names the
/// same table keeps its text as written.
fn relationship_of(design: &Design, r: &RelationForm, old: Option<&Relationship>) -> Relationship {
    let f = &r.form;
    let same = |old: Option<&String>, chosen: String| match old {
        Some(o) if picker_value(design, o) == chosen => o.clone(),
        _ => chosen,
    };
    let table = same(
        old.map(|o| &o.table),
        f.value_text("table").unwrap_or_default(),
    );
    let target = same(
        old.map(|o| &o.target),
        f.value_text("target").unwrap_or_default(),
    );
    let typed = f.value_text("name").unwrap_or_default().trim().to_owned();
    let name = if typed.is_empty() {
        suggestion(r)
    } else {
        typed
    };
    let kind = f.value_choice("allow_multiple").unwrap_or(0);
    let rule = match f.value_choice("on_delete").unwrap_or(0) {
        0 => OnDelete::Cascade,
        1 => OnDelete::SetNull,
        _ => OnDelete::Restrict,
    };
    let many = kind == 2;
    // A linking table's two keys always cascade; the rule and `required` mean nothing.
    let required = !many && f.value_bool("required").unwrap_or(false);
    let mut relationship = Relationship {
        table,
        name,
        target,
        allow_multiple: many,
        one_to_one: kind == 1,
        cascade_delete: false,
        on_delete: None,
        required,
    };
    if !many {
        // The older keys where they say it (and a design that wrote `on_delete` keeps it);
        // `on_delete` where they cannot: an optional relationship that restricts.
        let said_outright = old.is_some_and(|o| o.on_delete.is_some());
        if said_outright {
            relationship.on_delete = Some(rule);
        } else {
            relationship.cascade_delete = rule == OnDelete::Cascade;
            if relationship.delete_rule() != rule {
                relationship.on_delete = Some(rule);
            }
        }
    }
    relationship
}

/// A confirmed form: one `AddRelationship` or `ChangeRelationship`, or the form stays open
/// with what the validator says.
pub(super) fn confirm(app: &mut App, design: &Design, r: &RelationForm) -> Vec<Effect> {
    let old = r.target.and_then(|i| design.relationships.get(i));
    let relationship = relationship_of(design, r, old);
    let index = r.target.unwrap_or(design.relationships.len());
    let done = format!(
        "{}.{} → {} {}",
        relationship.table,
        relationship.name,
        relationship.target,
        match r.target {
            None => "added",
            Some(_) => "changed",
        }
    );
    let edit = match r.target {
        None => Edit::AddRelationship {
            index,
            relationship,
        },
        Some(index) => Edit::ChangeRelationship {
            index,
            relationship,
        },
    };
    let path = format!("relationships[{index}]");
    // What the validator says about the relationship as a whole (a linking table that
    // collides) has no input of its own: it is shown under the kind.
    let mut trial = design.clone();
    if edit.clone().apply(&mut trial).is_ok() {
        let catalog = app.model.tree_catalog();
        let known =
            |schema: &str, table: &str| catalog.is_some_and(|c| c.table(schema, table).is_some());
        if let Some(e) = super::judge_known(&trial, &path, &known)
            .into_iter()
            .find(|e| e.key.is_empty())
        {
            reject(app, "allow_multiple", e.message);
            return Vec::new();
        }
    }
    commit(app, design, edit, &path, done, |app| {
        app.view.selected[Phase::Relations.index()] = index;
    })
}

/// Where a relationship's target resolves, with the live tables of `app`'s catalog.
pub(crate) fn resolve_target(app: &App, design: &Design, target: &str) -> TargetRef {
    let catalog = app.model.tree_catalog();
    target_of(design, target, &|schema, table| {
        catalog.is_some_and(|c| c.table(schema, table).is_some())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_name_is_suggested_from_the_target() {
        assert_eq!(suggested_name("projects"), "project");
        assert_eq!(suggested_name("auth.users"), "user");
        assert_eq!(suggested_name("categories"), "category");
        assert_eq!(suggested_name("address"), "address");
        assert_eq!(suggested_name("tags"), "tag");
    }

    fn app_with_two_tables() -> App {
        use crate::design::Table;
        let mut app = App::new(
            "u@h:1/db".into(),
            crate::tui::theme::Theme::default(),
            crate::tui::keymap::Keymap::default(),
        );
        let mut design = Design::default();
        design.tables.push(Table::new("Projects"));
        design.tables.push(Table::new("Todos"));
        app.model.design = Some(crate::tui::app::DesignState { design, file: None });
        app
    }

    fn form_of(app: &App) -> &RelationForm {
        match app.overlay() {
            Some(Overlay::Editor(e)) => match e.as_ref() {
                Editor::Relation(r) => r,
                other => panic!("{other:?}"),
            },
            _ => panic!("no form"),
        }
    }

    fn press(app: &mut App, code: crossterm::event::KeyCode) {
        super::super::on_key(app, &crossterm::event::KeyEvent::from(code));
    }

    #[test]
    fn the_delete_rule_and_required_stay_consistent() {
        use crossterm::event::KeyCode;
        let mut app = app_with_two_tables();
        open_add(&mut app, Some(1));
        let f = &form_of(&app).form;
        assert_eq!(f.value_text("table").as_deref(), Some("todos"));
        assert_eq!(f.value_text("target").as_deref(), Some("projects"));
        assert_eq!(f.value_choice("on_delete"), Some(1), "optional: set null");
        let Some(Overlay::Editor(e)) = app.view.overlays.last_mut() else {
            panic!()
        };
        e.form_mut().focus("on_delete");
        press(&mut app, KeyCode::Right);
        let f = &form_of(&app).form;
        assert_eq!(f.value_choice("on_delete"), Some(2));
        assert_eq!(
            f.value_bool("required"),
            Some(false),
            "restrict may be optional"
        );
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Char(' '));
        let f = &form_of(&app).form;
        assert_eq!(f.value_bool("required"), Some(true));
        assert_eq!(f.value_choice("on_delete"), Some(2));
        // Set null empties the column: the relationship becomes optional.
        press(&mut app, KeyCode::BackTab);
        press(&mut app, KeyCode::Left);
        let f = &form_of(&app).form;
        assert_eq!(
            (f.value_choice("on_delete"), f.value_bool("required")),
            (Some(1), Some(false))
        );
        // Required again: set null cannot be, so it restricts.
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Char(' '));
        let f = &form_of(&app).form;
        assert_eq!(
            (f.value_choice("on_delete"), f.value_bool("required")),
            (Some(2), Some(true))
        );
        press(&mut app, KeyCode::BackTab);
        press(&mut app, KeyCode::Home);
        let f = &form_of(&app).form;
        assert_eq!(
            (f.value_choice("on_delete"), f.value_bool("required")),
            (Some(0), Some(true)),
            "cascade is either"
        );
        press(&mut app, KeyCode::Enter);
        let rel = &app.model.design.as_ref().unwrap().design.relationships[0];
        assert_eq!(
            (rel.name.as_str(), rel.cascade_delete, rel.required),
            ("project", true, true)
        );
    }

    fn focus(app: &mut App, id: &str) {
        let Some(Overlay::Editor(e)) = app.view.overlays.last_mut() else {
            panic!("no form")
        };
        e.form_mut().focus(id);
    }

    #[test]
    fn a_from_table_moved_onto_the_target_re_points_the_target() {
        use crossterm::event::KeyCode;
        let mut app = app_with_two_tables();
        open_add(&mut app, None);
        let f = &form_of(&app).form;
        assert_eq!(
            (f.value_text("table"), f.value_text("target")),
            (Some("projects".into()), Some("todos".into()))
        );
        focus(&mut app, "table");
        press(&mut app, KeyCode::Down);
        let f = &form_of(&app).form;
        assert_eq!(
            (f.value_text("table"), f.value_text("target")),
            (Some("todos".into()), Some("projects".into())),
            "from todos: to moves off todos"
        );
        assert!(
            form_of(&app)
                .form
                .input("name")
                .is_some_and(|i| format!("{i:?}").contains("project_id")),
            "the placeholder follows the new target"
        );
        // A self-reference stays possible when chosen.
        focus(&mut app, "target");
        press(&mut app, KeyCode::Down);
        let f = &form_of(&app).form;
        assert_eq!(
            (f.value_text("table"), f.value_text("target")),
            (Some("todos".into()), Some("todos".into()))
        );
        press(&mut app, KeyCode::Enter);
        let rel = &app.model.design.as_ref().unwrap().design.relationships[0];
        assert_eq!(
            (rel.table.as_str(), rel.target.as_str()),
            ("todos", "todos")
        );
    }

    #[test]
    fn editing_a_self_reference_keeps_it() {
        let mut app = app_with_two_tables();
        app.model
            .design
            .as_mut()
            .unwrap()
            .design
            .relationships
            .push(Relationship {
                table: "todos".into(),
                name: "parent".into(),
                target: "todos".into(),
                allow_multiple: false,
                one_to_one: false,
                cascade_delete: false,
                on_delete: None,
                required: false,
            });
        open_edit(&mut app, 0);
        let f = &form_of(&app).form;
        assert_eq!(f.value_text("target").as_deref(), Some("todos"));
    }

    #[test]
    fn kind_and_delete_rule_read_back_from_the_model() {
        let mut rel = Relationship {
            table: "todos".into(),
            name: "project".into(),
            target: "projects".into(),
            allow_multiple: false,
            one_to_one: false,
            cascade_delete: false,
            on_delete: None,
            required: true,
        };
        assert_eq!((kind_of(&rel), on_delete_of(&rel)), (0, 2));
        rel.required = false;
        assert_eq!(on_delete_of(&rel), 1);
        rel.on_delete = Some(OnDelete::Restrict);
        assert_eq!(on_delete_of(&rel), 2, "optional, and restricts");
        rel.on_delete = None;
        rel.cascade_delete = true;
        rel.one_to_one = true;
        assert_eq!((kind_of(&rel), on_delete_of(&rel)), (1, 0));
    }
}
