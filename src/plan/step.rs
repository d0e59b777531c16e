//! A plan is a list of typed steps; each knows its bundle section, its change and its SQL.

use crate::catalog::Change;

use super::bundle::Section;
use super::render;

/// What a step does: counted for the confirmation summary, coloured in the preview.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    CreateSchema,
    CreateFunction,
    CreateTable,
    AddColumn,
    AddConstraint,
    AddForeignKey,
    CreateIndex,
    Comment,
    CreateLinkingTable,
    CreateView,
    EnableRls,
    CreatePolicy,
    DropColumn,
    DropPolicy,
    CreateTrigger,
    Grant,
    Revoke,
    Refresh,
    InsertRows,
    AlterColumnType,
    AlterDefault,
    AlterNullability,
    DropConstraint,
    DisableRls,
    AlterPolicy,
    DropTrigger,
    Rename,
    DropView,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    pub section: Section,
    pub kind: StepKind,
    /// The object it creates or changes, `schema.table` or `schema.table.thing`.
    pub object: String,
    /// What the step changes, as data: the catalog after the plan is `catalog.apply` of these.
    pub change: Change,
    /// One statement, without the terminating semicolon: rendered from `change`.
    pub sql: String,
    pub destructive: bool,
    /// Columns a table step creates (for the summary); rows for sample steps.
    pub count: usize,
}

impl Step {
    /// A step for `change`; its kind, SQL, destructiveness and column count follow from it.
    pub fn new(section: Section, object: impl Into<String>, change: Change) -> Step {
        let count = match &change {
            Change::CreateTable(t) | Change::CreateLinkingTable(t) => t.columns.len(),
            _ => 0,
        };
        Step {
            section,
            kind: render::kind(&change),
            object: object.into(),
            sql: render::sql(&change),
            destructive: is_destructive(&change),
            count,
            change,
        }
    }
}

/// Steps that lose data or weaken security: drops, narrowing a type, turning RLS off.
/// A drop that is half of a replacement is unmarked by the planner ([`Step::replacing`]).
fn is_destructive(change: &Change) -> bool {
    match change {
        Change::DropColumn { .. }
        | Change::DropPolicy { .. }
        | Change::DropConstraint { .. }
        | Change::DropTrigger { .. }
        | Change::DisableRls { .. } => true,
        Change::AlterColumnType { narrowing, .. } => *narrowing,
        _ => false,
    }
}

impl Step {
    /// The drop half of a drop-and-recreate: nothing is lost once the plan has run.
    pub fn replacing(mut self) -> Step {
        self.destructive = false;
        self
    }
}

/// What a plan will change, as the confirmation dialog says it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub tables: usize,
    pub columns: usize,
    pub foreign_keys: usize,
    pub indexes: usize,
    pub policies: usize,
    pub views: usize,
    pub triggers: usize,
    pub rows: usize,
    pub destructive: usize,
}

impl Summary {
    pub fn of(steps: &[Step]) -> Summary {
        let mut s = Summary::default();
        for step in steps {
            match step.kind {
                StepKind::CreateTable | StepKind::CreateLinkingTable => {
                    s.tables += 1;
                    s.columns += step.count;
                }
                StepKind::AddColumn => s.columns += 1,
                StepKind::AddForeignKey => s.foreign_keys += 1,
                StepKind::CreateIndex => s.indexes += 1,
                StepKind::CreatePolicy => s.policies += 1,
                StepKind::CreateView => s.views += 1,
                StepKind::CreateTrigger => s.triggers += 1,
                StepKind::InsertRows => s.rows += step.count,
                _ => {}
            }
            s.destructive += usize::from(step.destructive);
        }
        s
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts = [
            (self.tables, "table", "tables"),
            (self.columns, "column", "columns"),
            (self.foreign_keys, "foreign key", "foreign keys"),
            (self.indexes, "index", "indexes"),
            (self.policies, "policy", "policies"),
            (self.views, "view", "views"),
            (self.triggers, "trigger", "triggers"),
            (self.rows, "row", "rows"),
        ];
        let text: Vec<String> = parts
            .iter()
            .filter(|(n, _, _)| *n > 0)
            .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
            .collect();
        if text.is_empty() {
            write!(f, "other changes only")?;
        } else {
            write!(f, "{}", text.join(" · "))?;
        }
        write!(
            f,
            " · {} destructive step{}",
            self.destructive,
            if self.destructive == 1 { "" } else { "s" }
        )
    }
}
