//! Undo and redo as two stacks of edits.

use super::{Edit, EditError};
use crate::design::model::Design;

/// The edits that can be undone (their inverses) and redone. Applying a new edit clears the
/// redo stack; beyond `limit` steps the oldest undo step is forgotten.
#[derive(Debug, Clone)]
pub struct History {
    undo: Vec<Edit>,
    redo: Vec<Edit>,
    limit: usize,
}

impl Default for History {
    fn default() -> Self {
        History::with_limit(History::DEFAULT_LIMIT)
    }
}

impl History {
    /// Enough for a long session; an edit is small (one field, one policy).
    pub const DEFAULT_LIMIT: usize = 1000;

    pub fn with_limit(limit: usize) -> History {
        History {
            undo: Vec::new(),
            redo: Vec::new(),
            limit: limit.max(1),
        }
    }

    /// Applies `edit` to `design` and remembers how to undo it. On error nothing changes.
    pub fn apply(&mut self, design: &mut Design, edit: Edit) -> Result<(), EditError> {
        let inverse = edit.apply(design)?;
        self.undo.push(inverse);
        if self.undo.len() > self.limit {
            self.undo.remove(0);
        }
        self.redo.clear();
        Ok(())
    }

    /// Undoes the last edit: `Ok(Some(edit))` with the edit that was applied to the design
    /// to undo it, `Ok(None)` when there is nothing to undo. An error means the design was
    /// changed behind the history's back; the step stays on the stack.
    pub fn undo(&mut self, design: &mut Design) -> Result<Option<Edit>, EditError> {
        step(&mut self.undo, &mut self.redo, design)
    }

    /// Redoes the last undone edit, like [`History::undo`] the other way.
    pub fn redo(&mut self, design: &mut Design) -> Result<Option<Edit>, EditError> {
        step(&mut self.redo, &mut self.undo, design)
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// How many steps can be undone.
    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    /// How many steps can be redone.
    pub fn redo_len(&self) -> usize {
        self.redo.len()
    }
}

fn step(
    from: &mut Vec<Edit>,
    to: &mut Vec<Edit>,
    design: &mut Design,
) -> Result<Option<Edit>, EditError> {
    let Some(edit) = from.pop() else {
        return Ok(None);
    };
    match edit.clone().apply(design) {
        Ok(inverse) => {
            to.push(inverse);
            Ok(Some(edit))
        }
        Err(error) => {
            from.push(edit);
            Err(error)
        }
    }
}
