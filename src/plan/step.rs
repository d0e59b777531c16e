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
    DropIndex,
    Rename,
    DropView,
    ValidateConstraint,
    Precondition,
    DropTable,
    DropSchema,
    DropFunction,
    InsertBucket,
    UpdateBucket,
    DeleteBucket,
    /// A pg_cron job created or replaced (`cron.schedule`).
    ScheduleJob,
    UnscheduleJob,
}

/// The strongest table lock a step takes (PostgreSQL's names), for the preview.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lock {
    /// Nothing on an existing table (a new object, a grant, a check that only reads).
    None,
    /// Reads and writes go on; DDL on the table waits (VALIDATE, COMMENT).
    ShareUpdateExclusive,
    /// Reads go on, writes wait (CREATE INDEX, CREATE TRIGGER, ADD FOREIGN KEY).
    Share,
    /// Everything waits, reads included (most ALTER TABLE forms).
    AccessExclusive,
}

impl Lock {
    pub fn label(self) -> &'static str {
        match self {
            Lock::None => "no table lock",
            Lock::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE lock",
            Lock::Share => "SHARE lock",
            Lock::AccessExclusive => "ACCESS EXCLUSIVE lock",
        }
    }
}

/// What a step does to the rows already in its table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TableWork {
    /// Catalog only: as fast on a big table as on an empty one.
    None,
    /// Reads every row (validating a constraint, building an index).
    Scans,
    /// Writes the whole table anew (a type change).
    Rewrites,
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
    /// The lock it takes on its table and what it does to the rows there.
    pub lock: Lock,
    pub work: TableWork,
    /// The step changes a table that exists already.
    pub on_existing_table: bool,
    /// That table's row estimate (`None` before its first ANALYZE).
    pub rows: Option<i64>,
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
            lock: lock_of(&change),
            work: work_of(&change),
            on_existing_table: false,
            rows: None,
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
        | Change::DisableRls { .. }
        | Change::DropTable { .. }
        | Change::DropSchema { .. } => true,
        Change::AlterColumnType { narrowing, .. } => *narrowing,
        _ => false,
    }
}

/// The lock PostgreSQL 15 takes for a change on an existing table.
fn lock_of(change: &Change) -> Lock {
    use crate::catalog::change::{ConstraintDef, Restored};
    match change {
        Change::CreateSchema { .. }
        | Change::GrantSchemaUsage { .. }
        | Change::CreateFunction(_)
        | Change::CreateTable(_)
        | Change::CreateLinkingTable(_)
        | Change::CreateView { .. }
        | Change::Grant { .. }
        | Change::RevokeAll { .. }
        | Change::RefreshApi { .. }
        | Change::Precondition { .. }
        | Change::DropSchema { .. }
        | Change::DropFunction { .. }
        | Change::InsertBucket { .. }
        | Change::UpdateBucket { .. }
        | Change::DeleteBucket { .. }
        | Change::CreateMaterializedView { .. }
        | Change::ScheduleJob { .. }
        | Change::UnscheduleJob { .. }
        | Change::Revoke { .. }
        | Change::RenameFunction { .. } => Lock::None,
        Change::Comment { .. }
        | Change::CommentMaterializedView { .. }
        | Change::RemoveComment { .. }
        | Change::ValidateConstraint { .. }
        | Change::RenameIndex { .. } => Lock::ShareUpdateExclusive,
        Change::CreateIndex { .. } | Change::CreateTrigger(_) => Lock::Share,
        Change::Restore {
            object: Restored::Index(_) | Restored::Trigger(_) | Restored::ForeignKey(_),
            ..
        } => Lock::Share,
        Change::AddConstraint {
            constraint: ConstraintDef::ForeignKey { .. },
            ..
        }
        | Change::AddConstraintNotValid {
            constraint: ConstraintDef::ForeignKey { .. },
            ..
        } => Lock::Share,
        _ => Lock::AccessExclusive,
    }
}

fn work_of(change: &Change) -> TableWork {
    use crate::catalog::change::ConstraintDef;
    match change {
        Change::AlterColumnType { .. } => TableWork::Rewrites,
        Change::AddConstraint { constraint, .. } => match constraint {
            ConstraintDef::PrimaryKey { .. }
            | ConstraintDef::Unique { .. }
            | ConstraintDef::Check { .. }
            | ConstraintDef::ForeignKey { .. } => TableWork::Scans,
        },
        Change::AddColumn { column, .. } if column.generated.is_some() => TableWork::Rewrites,
        Change::SetNotNull { .. }
        | Change::ValidateConstraint { .. }
        | Change::CreateIndex { .. }
        | Change::Precondition { .. } => TableWork::Scans,
        _ => TableWork::None,
    }
}

impl Step {
    /// What the preview says above a step on a table that has rows: its lock, whether it
    /// scans or rewrites the table, the row estimate, and whether it is destructive.
    pub fn impact(&self) -> Option<String> {
        if !self.on_existing_table
            || self.kind == StepKind::Precondition
            || (self.work == TableWork::None && !self.destructive)
        {
            return None;
        }
        let work = match self.work {
            TableWork::None => "",
            TableWork::Scans => " · scans the table",
            TableWork::Rewrites => " · rewrites the table",
        };
        let rows = match self.rows {
            Some(1) => "about 1 row".to_owned(),
            Some(n) => format!("about {n} rows"),
            None => "row count not estimated yet (never analysed)".to_owned(),
        };
        Some(format!(
            "{}{}{work} · {rows}",
            if self.destructive {
                "DESTRUCTIVE · "
            } else {
                ""
            },
            self.lock.label(),
        ))
    }

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
    /// Live policies altered, or dropped and created again with another command or kind.
    pub policies_changed: usize,
    pub views: usize,
    pub triggers: usize,
    pub rows: usize,
    /// Demo users inserted into `auth.users` with the sample rows.
    pub demo_users: usize,
    /// Destructive drops and narrowings, counted by what they lose (a plan that only drops
    /// a column must say so, not "other changes only").
    pub tables_dropped: usize,
    pub columns_dropped: usize,
    pub policies_dropped: usize,
    pub constraints_dropped: usize,
    pub triggers_dropped: usize,
    pub types_narrowed: usize,
    pub schemas_dropped: usize,
    pub rls_disabled: usize,
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
                StepKind::CreatePolicy if recreated(steps, &step.object) => s.policies_changed += 1,
                StepKind::CreatePolicy => s.policies += 1,
                StepKind::AlterPolicy => s.policies_changed += 1,
                StepKind::CreateView => s.views += 1,
                StepKind::CreateTrigger => s.triggers += 1,
                StepKind::InsertRows => s.rows += step.count,
                _ => {}
            }
            if step.destructive {
                match step.kind {
                    StepKind::DropTable => s.tables_dropped += 1,
                    StepKind::DropColumn => s.columns_dropped += 1,
                    StepKind::DropPolicy => s.policies_dropped += 1,
                    StepKind::DropConstraint => s.constraints_dropped += 1,
                    StepKind::DropTrigger => s.triggers_dropped += 1,
                    StepKind::AlterColumnType => s.types_narrowed += 1,
                    StepKind::DropSchema => s.schemas_dropped += 1,
                    StepKind::DisableRls => s.rls_disabled += 1,
                    _ => {}
                }
            }
            s.destructive += usize::from(step.destructive);
        }
        s
    }
}

/// Whether the plan drops the policy `object` only to create it again (a changed policy).
fn recreated(steps: &[Step], object: &str) -> bool {
    steps
        .iter()
        .any(|s| s.kind == StepKind::DropPolicy && !s.destructive && s.object == object)
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts = [
            (self.tables, "table", "tables"),
            (self.columns, "column", "columns"),
            (self.foreign_keys, "foreign key", "foreign keys"),
            (self.indexes, "index", "indexes"),
            (self.policies, "policy", "policies"),
            (self.policies_changed, "policy changed", "policies changed"),
            (self.views, "view", "views"),
            (self.triggers, "trigger", "triggers"),
            (self.rows, "row", "rows"),
            (self.demo_users, "demo user", "demo users"),
            (self.tables_dropped, "table dropped", "tables dropped"),
            (self.columns_dropped, "column dropped", "columns dropped"),
            (self.policies_dropped, "policy dropped", "policies dropped"),
            (
                self.constraints_dropped,
                "constraint dropped",
                "constraints dropped",
            ),
            (self.triggers_dropped, "trigger dropped", "triggers dropped"),
            (self.types_narrowed, "type narrowed", "types narrowed"),
            (self.schemas_dropped, "schema dropped", "schemas dropped"),
            (self.rls_disabled, "RLS turned off", "RLS turned off"),
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

#[cfg(test)]
mod summary_tests {
    use super::*;
    use crate::catalog::QualifiedName;

    #[test]
    fn a_plan_that_only_drops_a_column_says_so() {
        let drop = Step::new(
            Section::Tables,
            "public.profiles.avatar_url",
            Change::DropColumn {
                table: QualifiedName {
                    schema: "public".into(),
                    name: "profiles".into(),
                },
                column: "avatar_url".into(),
            },
        );
        let text = Summary::of(&[drop]).to_string();
        assert_eq!(text, "1 column dropped · 1 destructive step");
        assert!(!text.contains("other changes only"));
    }
}
