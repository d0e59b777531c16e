//! The fuzz suites' kept corpus (`tests/fuzz_corpus/<kind>/`, described in its README).

use std::path::{Path, PathBuf};

/// The files of `tests/fuzz_corpus/<kind>` a test runs, with their names, in name order: the
/// README and the `known_bug_*` files (listed in the README until fixed) are left out.
pub fn corpus_files(kind: &str) -> Vec<(String, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_corpus")
        .join(kind);
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .expect("the corpus directory")
        .map(|entry| {
            let path = entry.unwrap().path();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                path,
            )
        })
        .filter(|(name, _)| name != "README.md" && !name.starts_with("known_bug_"))
        .collect();
    files.sort();
    files
}
