//! The README's key list is generated from the keymap (`Keymap::markdown`), between the
//! markers `<!-- BEGIN KEYS -->` and `<!-- END KEYS -->`; this test keeps the two equal.
//! `SCHEMAFORGE_UPDATE_README=1 cargo test --test tui_readme` rewrites the section.

use schemaforge::tui::keymap::{Action, Keymap};

const BEGIN: &str = "<!-- BEGIN KEYS -->";
const END: &str = "<!-- END KEYS -->";

#[test]
fn the_readme_key_list_is_the_keymap() {
    let generated = Keymap::default().markdown();
    // Every action a key can trigger is documented.
    for action in Action::ALL {
        let km = Keymap::default();
        let bound = schemaforge::tui::keymap::Context::ALL
            .iter()
            .any(|c| km.bindings(*c).any(|b| b.action == *action));
        assert!(bound, "{} has no key", action.name());
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let (Some(start), Some(end)) = (readme.find(BEGIN), readme.find(END)) else {
        eprintln!("README.md has no {BEGIN} … {END} section yet; nothing to compare");
        return;
    };
    let section = &readme[start + BEGIN.len()..end];
    if std::env::var_os("SCHEMAFORGE_UPDATE_README").is_some() {
        let updated = format!(
            "{}{BEGIN}\n{}\n{}",
            &readme[..start],
            generated.trim(),
            &readme[end..]
        );
        std::fs::write(path, updated).expect("write README.md");
        return;
    }
    assert_eq!(
        section.trim(),
        generated.trim(),
        "the README's key list differs from the keymap; \
         run SCHEMAFORGE_UPDATE_README=1 cargo test --test tui_readme"
    );
}
