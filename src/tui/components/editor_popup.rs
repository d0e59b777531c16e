//! The design editors' popups as data: each form and what it edits. The editors
//! (`tui::editors`) open them and carry out a confirmed form; this file holds only state, so
//! the overlay stack can hold an editor without importing the app.

use crate::design::{FieldType, Policy};

use super::form::Form;

/// An editor's popup: a form and what it edits.
#[derive(Clone, Debug, PartialEq)]
pub enum Editor {
    Table(TableForm),
    TypePicker(TypePicker),
    Field(FieldForm),
    SaveAs(Form),
    /// The Preview's export: format, where, name, seed rows.
    Export(Form),
    Relation(RelationForm),
    /// Phase 4: the template picker, a policy's form.
    Rls(RlsEditor),
    /// Phase 5: a table's sample row count.
    Samples(SamplesForm),
    /// Phases 1 and 2: one of a table's indexes.
    Index(IndexForm),
    /// Phase 4: the storage buckets, one to edit or a new one.
    BucketPicker(Form),
    /// Phase 4: one storage bucket.
    Bucket(BucketForm),
    /// Phase 1: the materialized views, one to edit or a new one.
    MatviewPicker(Form),
    /// Phase 1: one materialized (aggregate) view; `index` `None` for a new one.
    Matview {
        index: Option<usize>,
        form: Form,
    },
    /// Phase 1: the CSV file a new table is proposed from (Tab completes the path).
    CsvPath(Form),
}

impl Editor {
    pub fn form(&self) -> &Form {
        match self {
            Editor::Table(t) => &t.form,
            Editor::TypePicker(p) => &p.form,
            Editor::Field(f) => &f.form,
            Editor::SaveAs(form) | Editor::Export(form) => form,
            Editor::Relation(r) => &r.form,
            Editor::Rls(r) => r.form(),
            Editor::Samples(f) => &f.form,
            Editor::Index(f) => &f.form,
            Editor::BucketPicker(form) => form,
            Editor::Bucket(f) => &f.form,
            Editor::MatviewPicker(form) => form,
            Editor::Matview { form, .. } => form,
            Editor::CsvPath(form) => form,
        }
    }

    pub fn form_mut(&mut self) -> &mut Form {
        match self {
            Editor::Table(t) => &mut t.form,
            Editor::TypePicker(p) => &mut p.form,
            Editor::Field(f) => &mut f.form,
            Editor::SaveAs(form) | Editor::Export(form) => form,
            Editor::Relation(r) => &mut r.form,
            Editor::Rls(r) => r.form_mut(),
            Editor::Samples(f) => &mut f.form,
            Editor::Index(f) => &mut f.form,
            Editor::BucketPicker(form) => form,
            Editor::Bucket(f) => &mut f.form,
            Editor::MatviewPicker(form) => form,
            Editor::Matview { form, .. } => form,
            Editor::CsvPath(form) => form,
        }
    }
}

/// A storage bucket's form: `index` is the bucket edited, `None` for a new one; `kept` are
/// its hand-written policies, which the form shows but does not edit.
#[derive(Clone, Debug, PartialEq)]
pub struct BucketForm {
    pub index: Option<usize>,
    pub form: Form,
    pub kept: Vec<crate::design::BucketPolicy>,
}

/// The table form: `target` is the table edited, `None` for a new one.
#[derive(Clone, Debug, PartialEq)]
pub struct TableForm {
    pub target: Option<usize>,
    pub form: Form,
}

/// Choosing a type: for a new field of `table`, or (`field: Some`) a new type for a field.
#[derive(Clone, Debug, PartialEq)]
pub struct TypePicker {
    pub table: usize,
    pub field: Option<usize>,
    pub form: Form,
}

/// A field's form: `field` is the field edited, `None` for a new one of type `field_type`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldForm {
    pub table: usize,
    pub field: Option<usize>,
    pub field_type: FieldType,
    pub form: Form,
}

/// The relationship form: `target` is the relationship edited, `None` for a new one.
/// `rule` is the delete rule and required flag as they were after the last key, so a
/// change of one can adjust the other.
#[derive(Clone, Debug, PartialEq)]
pub struct RelationForm {
    pub target: Option<usize>,
    pub form: Form,
    pub(crate) rule: (usize, bool),
    /// The other relationships, as `source db name.field name`: a suggested name avoids them.
    pub(crate) taken: Vec<String>,
    /// The "from" table as the last key left it: a change that lands on the "to" table
    /// re-points "to" (a self-reference only when chosen).
    pub(crate) source: String,
}

/// Phase 4's popups.
#[derive(Clone, Debug, PartialEq)]
pub enum RlsEditor {
    Template(TemplatePicker),
    Policy(PolicyForm),
}

impl RlsEditor {
    pub fn form(&self) -> &Form {
        match self {
            RlsEditor::Template(t) => &t.form,
            RlsEditor::Policy(p) => &p.form,
        }
    }

    pub fn form_mut(&mut self) -> &mut Form {
        match self {
            RlsEditor::Template(t) => &mut t.form,
            RlsEditor::Policy(p) => &mut p.form,
        }
    }
}

/// A policy's form: `policy` is the policy edited, `None` for a new one of table `table`.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyForm {
    pub table: usize,
    pub policy: Option<usize>,
    pub form: Form,
    /// The policy the notes were last computed for: the analysis runs only on a change.
    pub(crate) linted: Option<Policy>,
}

/// Choosing a template for table `table` of the design.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplatePicker {
    pub table: usize,
    pub form: Form,
}

/// The sample form of designed table `table`.
#[derive(Clone, Debug, PartialEq)]
pub struct SamplesForm {
    pub table: usize,
    pub form: Form,
}

/// The index form of designed table `table`: `index` is the index edited, `None` for a new one.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexForm {
    pub table: usize,
    pub index: Option<usize>,
    pub form: Form,
}
