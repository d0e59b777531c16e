//! Designs shared by the validation tests.

use serde_json::{Value, json};

use super::model::Design;

/// Projects and Todos, plus whatever top-level keys `extra` adds.
pub fn design(extra: Value) -> Design {
    let mut d = json!({"tables": [
        {"name": "Projects", "fields": [{"name": "name", "type": "singleLineText", "is_primary": true}]},
        {"name": "Todos", "fields": [
            {"name": "title", "type": "singleLineText", "is_primary": true, "options": {"required": true}},
            {"name": "estimate", "type": "number"}
        ]}
    ]});
    for (k, v) in extra.as_object().unwrap() {
        d[k] = v.clone();
    }
    serde_json::from_value(d).unwrap()
}

/// Every diagnostic of `d`, as the user reads it.
pub fn messages(d: &Design) -> Vec<String> {
    super::validate::validate(d)
        .iter()
        .map(ToString::to_string)
        .collect()
}
