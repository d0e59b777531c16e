//! Normal forms of expression texts, worked out once per catalog.
//!
//! Every plan compares each default, CHECK, generated column and policy of the design with
//! the catalog's, and bringing both texts to one canonical form means parsing them: done on
//! every plan, that parsing was most of a plan's time. The catalog keeps the forms found, so
//! planning again against the same catalog (the designer re-plans on every edit) parses only
//! texts it has not met before.
//!
//! Entries are keyed by the text itself and the kind of normal form, never by the object the
//! text belongs to: the same text always has the same form, so an entry cannot go stale when a
//! catalog is changed or copied, and a changed expression is a different key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Which canonical form: the planner compares defaults and CHECK bodies one way and policy
/// expressions another (see `plan::printed` and `rls::expr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// As the server prints defaults, CHECK bodies and generated expressions.
    Printed,
    /// As the server stores a policy's USING and WITH CHECK.
    Policy,
}

/// A text's canonical form; `None` when the text does not parse (compared as written).
pub type Canonical = Option<Arc<str>>;

type Forms = HashMap<String, Canonical>;

/// The memo. Copies of a catalog share it (a copy holds the same texts, and a catalog derived
/// by `Catalog::apply` mostly does); it is not part of the catalog's data: not serialised, not
/// compared, not in the fingerprint.
#[derive(Clone, Default)]
pub struct Normalised(Arc<Mutex<[Forms; 2]>>);

impl Normalised {
    /// The canonical form of `text`, from the memo or from `normalise` (then remembered).
    pub fn form(
        &self,
        form: Form,
        text: &str,
        normalise: impl FnOnce(&str) -> Option<String>,
    ) -> Canonical {
        let slot = form as usize;
        if let Some(found) = self.lock()[slot].get(text) {
            return found.clone();
        }
        // Parsed outside the lock: another thread may do the same text at once, harmlessly.
        let canonical: Canonical = normalise(text).map(Arc::from);
        self.lock()[slot].insert(text.to_owned(), canonical.clone());
        canonical
    }

    /// How many texts have a remembered form.
    pub fn len(&self) -> usize {
        self.lock().iter().map(HashMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, [Forms; 2]> {
        // A panic while holding the lock cannot leave a wrong entry: inserts are whole.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Not data: two catalogs are equal whatever their memos hold.
impl PartialEq for Normalised {
    fn eq(&self, _: &Normalised) -> bool {
        true
    }
}

impl std::fmt::Debug for Normalised {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Normalised({} forms)", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_normalised_once_and_each_text_on_its_own() {
        let memo = Normalised::default();
        let calls = std::cell::Cell::new(0);
        let upper = |t: &str| {
            calls.set(calls.get() + 1);
            Some(t.to_uppercase())
        };
        assert_eq!(memo.form(Form::Printed, "a", upper).as_deref(), Some("A"));
        assert_eq!(memo.form(Form::Printed, "a", upper).as_deref(), Some("A"));
        assert_eq!(calls.get(), 1, "the second time comes from the memo");
        assert_eq!(memo.form(Form::Printed, "b", upper).as_deref(), Some("B"));
        // The same text in the other form is its own entry.
        assert_eq!(memo.form(Form::Policy, "a", |_| None), None);
        assert_eq!(memo.len(), 3);
        assert_eq!(calls.get(), 2);
        // Copies share what was found.
        let copy = memo.clone();
        assert_eq!(
            copy.form(Form::Printed, "b", |_| None).as_deref(),
            Some("B")
        );
    }
}
