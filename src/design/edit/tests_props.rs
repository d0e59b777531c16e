//! Property tests: every edit's inverse is exact, undo/redo walk back and forth through any
//! sequence, a failed edit changes nothing, and an edited design survives save → load.

use proptest::prelude::*;

use super::arbitrary::design;
use super::arbitrary_edits::edit_seed;
use super::{Edit, History};
use crate::design::model::Design;
use crate::design::{parse, save, validate};

/// Applies `edit`; checks that a failure left `design` as it was and that a success can be
/// undone exactly and then redone exactly. Returns whether it applied.
fn apply_and_check(design: &mut Design, edit: Edit) -> Result<bool, TestCaseError> {
    let before = design.clone();
    match edit.apply(design) {
        Err(_) => {
            prop_assert_eq!(&*design, &before, "a failed edit changed the design");
            Ok(false)
        }
        Ok(inverse) => {
            let after = design.clone();
            let redo = inverse.apply(design).expect("an inverse applies");
            prop_assert_eq!(&*design, &before, "the inverse did not restore the design");
            redo.apply(design)
                .expect("the inverse of an inverse applies");
            prop_assert_eq!(&*design, &after, "redo did not give the edited design");
            Ok(true)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn an_edit_then_its_inverse_gives_back_the_design(d in design(), seed in edit_seed()) {
        let mut d = d;
        let edit = seed.edit_for(&d);
        apply_and_check(&mut d, edit)?;
    }

    #[test]
    fn an_edit_with_wild_indices_changes_nothing_or_is_undone(d in design(), seed in edit_seed()) {
        let mut d = d;
        let edit = seed.wild_edit(&d);
        apply_and_check(&mut d, edit)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn n_edits_then_n_undos_give_back_the_start_and_redo_replays(
        start in design(),
        seeds in prop::collection::vec(edit_seed(), 1..16),
    ) {
        let mut d = start.clone();
        let mut history = History::default();
        let mut applied = 0;
        for seed in &seeds {
            let edit = seed.edit_for(&d);
            let before = d.clone();
            match history.apply(&mut d, edit) {
                Ok(()) => applied += 1,
                Err(_) => prop_assert_eq!(&d, &before),
            }
        }
        let end = d.clone();
        prop_assert_eq!(history.undo_len(), applied);
        for _ in 0..applied {
            prop_assert!(history.undo(&mut d).expect("undo applies").is_some());
        }
        prop_assert!(history.undo(&mut d).unwrap().is_none());
        prop_assert_eq!(&d, &start);
        for _ in 0..applied {
            prop_assert!(history.redo(&mut d).expect("redo applies").is_some());
        }
        prop_assert!(history.redo(&mut d).unwrap().is_none());
        prop_assert_eq!(&d, &end);
    }

    #[test]
    fn an_edited_design_survives_save_and_load(
        start in design(),
        seeds in prop::collection::vec(edit_seed(), 0..12),
    ) {
        let mut d = start;
        for seed in &seeds {
            let edit = seed.edit_for(&d);
            let _ = edit.apply(&mut d);
        }
        let text = save(&d);
        let (loaded, _) = parse(&text).map_err(|e| {
            TestCaseError::fail(format!("saved design does not load: {e:?}\n{text}"))
        })?;
        prop_assert_eq!(&loaded, &d);
        // What loads with the semantic rules too is the same design.
        if !crate::design::has_errors(&validate(&d)) {
            let (validated, _) = crate::design::load(&text).expect("a valid design loads");
            prop_assert_eq!(&validated, &d);
        }
    }
}
