//! The README's parity table names every rule the linter has, and every rule it names exists.

use schemaforge::rls::lint::RULES;

#[test]
fn the_readme_parity_table_is_the_rule_list() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| ")).collect();
    for (rule, level) in RULES {
        let row = rows
            .iter()
            .find(|r| r.contains(&format!("`{rule}`")))
            .unwrap_or_else(|| panic!("{rule} is not in the README's parity table"));
        assert!(
            row.trim_end().ends_with(&format!("| {} |", level.label())),
            "{rule}: the README gives another level than {}: {row}",
            level.label()
        );
    }
    for row in &rows {
        // Rule names are snake_case; other tables (keys) hold other backticked text.
        for name in
            row.split('`').skip(1).step_by(2).filter(|n| {
                n.contains('_') && n.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            })
        {
            let known = RULES.iter().any(|(r, _)| *r == name) || name == "plan_note";
            assert!(known, "the README names {name}, which is no rule");
        }
    }
}
