//! What a destructive step loses, in words: the apply dialog lists these one a line, so
//! nobody confirms a drop they have only seen counted.

use crate::catalog::Change;

use super::Step;

impl Step {
    /// `drops column public.profiles.avatar_url — its values are lost`, for a destructive
    /// step; `None` for any other (the drop half of a replacement loses nothing).
    pub fn loss(&self) -> Option<String> {
        if !self.destructive {
            return None;
        }
        let q = |t: &crate::catalog::QualifiedName| format!("{}.{}", t.schema, t.name);
        Some(match &self.change {
            Change::DropColumn { table, column } => {
                format!("drops column {}.{column} — its values are lost", q(table))
            }
            Change::DropTable { table } => {
                format!("drops table {} — all its rows are lost", q(table))
            }
            Change::DropSchema { name } => {
                format!("drops schema {name} — everything left in it is lost")
            }
            Change::DropPolicy { table, name } => format!(
                "drops policy {name} on {} — the access it granted or limited goes",
                q(table)
            ),
            Change::DropConstraint { table, name } => format!(
                "drops constraint {name} on {} — rows it refused can be written",
                q(table)
            ),
            Change::DropTrigger { table, name } => format!(
                "drops trigger {name} on {} — what it did on writes stops",
                q(table)
            ),
            Change::DisableRls { table } => format!(
                "turns row level security off on {} — its policies no longer limit rows",
                q(table)
            ),
            Change::AlterColumnType {
                table,
                column,
                sql_type,
                ..
            } => format!(
                "narrows type of {}.{column} to {sql_type} — values that do not fit are lost or refused",
                q(table)
            ),
            _ => format!("{} — destructive", self.object),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::QualifiedName;
    use crate::plan::Section;

    fn profiles() -> QualifiedName {
        QualifiedName {
            schema: "public".into(),
            name: "profiles".into(),
        }
    }

    #[test]
    fn a_dropped_column_says_its_values_are_lost() {
        let step = Step::new(
            Section::Tables,
            "public.profiles.avatar_url",
            Change::DropColumn {
                table: profiles(),
                column: "avatar_url".into(),
            },
        );
        assert_eq!(
            step.loss().as_deref(),
            Some("drops column public.profiles.avatar_url — its values are lost")
        );
        assert_eq!(step.replacing().loss(), None);
    }
}
