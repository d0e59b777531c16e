//! Mermaid `erDiagram` text, which GitHub renders as-is.
//!
//! Mermaid's grammar is narrow: an entity name is a bare word, attribute types and names are
//! words without spaces, and quoted labels may not hold `"` or `%`. So every entity gets a
//! bare-word id with the real name as its `["alias"]`, types and column names become words
//! (the real column name goes into the attribute's comment when the word differs), and
//! quoted text carries Mermaid's `#quot;` / `#37;` entity codes instead of the characters.

use std::collections::HashSet;
use std::fmt::Write;

use super::model::{Cardinality, Diagram, Relationship};

pub fn render(diagram: &Diagram) -> String {
    let ids = entity_ids(diagram);
    let mut out = String::from("erDiagram\n");
    for (i, e) in diagram.entities.iter().enumerate() {
        let label = diagram.label(e);
        let _ = write!(out, "    {}[\"{}\"]", ids[i], quoted(&label));
        if e.attributes.is_empty() {
            out.push('\n');
            continue;
        }
        out.push_str(" {\n");
        for a in &e.attributes {
            let mut keys = Vec::new();
            if a.primary_key {
                keys.push("PK");
            }
            if a.foreign_key {
                keys.push("FK");
            }
            if a.unique {
                keys.push("UK");
            }
            let name = word(&a.name);
            let _ = write!(out, "        {} {}", word(&a.data_type), name);
            if !keys.is_empty() {
                let _ = write!(out, " {}", keys.join(", "));
            }
            let mut notes = Vec::new();
            if name != a.name {
                notes.push(a.name.clone());
            }
            if a.nullable && !a.primary_key {
                notes.push("null".into());
            }
            if !notes.is_empty() {
                let _ = write!(out, " \"{}\"", quoted(&notes.join(" · ")));
            }
            out.push('\n');
        }
        out.push_str("    }\n");
    }
    for r in &diagram.relationships {
        let _ = writeln!(
            out,
            "    {} {} {} : \"{}\"",
            ids[r.from],
            connector(r),
            ids[r.to],
            quoted(&diagram.edge_label(r))
        );
    }
    out
}

/// The crow's-foot connector, read from `from` (left) to `to` (right). A foreign key is
/// drawn solid when it is part of the referencing table's identity (required), dotted when
/// it may be null.
fn connector(r: &Relationship) -> &'static str {
    match r.cardinality {
        Cardinality::ManyToOne { required: true } => "}o--||",
        Cardinality::ManyToOne { required: false } => "}o..o|",
        Cardinality::OneToOne { required: true } => "|o--||",
        Cardinality::OneToOne { required: false } => "|o..o|",
        Cardinality::ManyToMany => "}o--o{",
    }
}

/// A bare-word id per entity: its label with everything but ASCII letters, digits and `_`
/// replaced, made unique.
fn entity_ids(diagram: &Diagram) -> Vec<String> {
    let mut used = HashSet::new();
    diagram
        .entities
        .iter()
        .map(|e| {
            let mut base: String = diagram
                .label(e)
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            if !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
                base.insert(0, 'e');
            }
            let mut id = base.clone();
            let mut n = 2;
            while !used.insert(id.clone()) {
                id = format!("{base}_{n}");
                n += 1;
            }
            id
        })
        .collect()
}

/// A type or column name as one Mermaid word: letters, digits, `_`, `-`, `(`, `)`, `[`, `]`.
fn word(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_-()[]".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// Text for inside `"…"`: the characters Mermaid's quoted strings refuse, as entity codes.
fn quoted(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '%' => out.push_str("#37;"),
            '\\' => out.push_str("#92;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_quoted_text_keep_mermaid_grammar() {
        assert_eq!(word("timestamp with time zone"), "timestamp_with_time_zone");
        assert_eq!(word("numeric(10,2)"), "numeric(10_2)");
        assert_eq!(word("1st \"col\""), "_1st__col_");
        assert_eq!(
            quoted("a \"b\" 100% <c>"),
            "a #quot;b#quot; 100#37; #lt;c#gt;"
        );
    }
}
