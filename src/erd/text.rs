//! The diagram as text lines, for the TUI's relations phase: one table's corner of the
//! diagram — what it points to, what points to it, and its many-to-many relationships with
//! their linking tables. Plain data; the pane styles and fits it.

use super::model::{Cardinality, Diagram, Relationship};

/// Columns every designed table has, whose keys (`created_by` → `auth.users`) would repeat
/// on every table: left out of the text.
const SYSTEM_KEYS: [&str; 2] = ["created_by", "updated_by"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextLine {
    /// `todos points to`, `points to todos`, `many-to-many, through a linking table`.
    Heading(String),
    /// `from ─▶ to`, and what kind of edge it is.
    Arrow {
        from: String,
        to: String,
        what: String,
    },
    /// A linking table, and whether the design creates it.
    Link { name: String, new: bool },
    /// `primary key (a, b)`.
    Detail(String),
    /// The table has no relations.
    Nothing(String),
}

/// The relations of `diagram.entities[focus]`. `designed(r)` says whether the design
/// describes the edge; the others are marked `live`.
pub fn neighbourhood(
    diagram: &Diagram,
    focus: usize,
    designed: &dyn Fn(&Relationship) -> bool,
) -> Vec<TextLine> {
    let me = diagram.label(&diagram.entities[focus]);
    let label = |i: usize| diagram.label(&diagram.entities[i]);
    let what = |r: &Relationship| {
        let rule = r.on_delete.sql().to_lowercase();
        if designed(r) {
            format!("{} · on delete {rule}", r.cardinality.words())
        } else {
            format!("live · on delete {rule}")
        }
    };
    let shown = |r: &&Relationship| {
        r.cardinality == Cardinality::ManyToMany
            || !r.columns.iter().all(|c| SYSTEM_KEYS.contains(&c.as_str()))
    };
    let edges: Vec<&Relationship> = diagram.relationships.iter().filter(shown).collect();
    let mut out = Vec::new();
    let points_to: Vec<&&Relationship> = edges
        .iter()
        .filter(|r| r.from == focus && r.cardinality != Cardinality::ManyToMany)
        .collect();
    if !points_to.is_empty() {
        out.push(TextLine::Heading(format!("{me} points to")));
        for r in points_to {
            out.push(TextLine::Arrow {
                from: r.columns.join(", "),
                to: format!("{}.{}", label(r.to), r.to_columns.join(", ")),
                what: what(r),
            });
        }
    }
    let points_here: Vec<&&Relationship> = edges
        .iter()
        .filter(|r| r.to == focus && r.cardinality != Cardinality::ManyToMany)
        .collect();
    if !points_here.is_empty() {
        out.push(TextLine::Heading(format!("points to {me}")));
        for r in points_here {
            out.push(TextLine::Arrow {
                from: format!("{}.{}", label(r.from), r.columns.join(", ")),
                to: format!("{me}.{}", r.to_columns.join(", ")),
                what: what(r),
            });
        }
    }
    let many: Vec<&&Relationship> = edges
        .iter()
        .filter(|r| r.cardinality == Cardinality::ManyToMany && (r.from == focus || r.to == focus))
        .collect();
    if !many.is_empty() {
        out.push(TextLine::Heading(
            "many-to-many, through a linking table".into(),
        ));
        for r in many {
            let rule = format!("on delete {}", r.on_delete.sql().to_lowercase());
            out.push(TextLine::Link {
                name: r.via.clone().unwrap_or_else(|| r.name.clone()),
                new: r.new,
            });
            out.push(TextLine::Arrow {
                from: format!("  {}", r.columns.join(", ")),
                to: format!("{}.{}", label(r.from), r.keys[0].join(", ")),
                what: rule.clone(),
            });
            out.push(TextLine::Arrow {
                from: format!("  {}", r.to_columns.join(", ")),
                to: format!("{}.{}", label(r.to), r.keys[1].join(", ")),
                what: rule,
            });
            out.push(TextLine::Detail(format!(
                "primary key ({}, {})",
                r.columns.join(", "),
                r.to_columns.join(", ")
            )));
        }
    }
    if out.is_empty() {
        out.push(TextLine::Nothing(format!("{me} has no relations yet")));
    }
    out
}
