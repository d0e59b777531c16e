//! Graphviz DOT: one HTML-like table per entity, crow's-foot arrow shapes at the ends.
//!
//! Node ids are quoted DOT strings (`"` and `\` escaped); everything inside a label is
//! HTML-escaped, as Graphviz's HTML-like labels require.

use std::fmt::Write;

use super::model::{Cardinality, Diagram};

pub fn render(diagram: &Diagram) -> String {
    let mut out = String::from(
        "digraph erd {\n    graph [rankdir=LR, fontname=\"Helvetica\"];\n    \
         node [shape=plaintext, fontname=\"Helvetica\", fontsize=10];\n    \
         edge [dir=both, fontname=\"Helvetica\", fontsize=9];\n",
    );
    for e in &diagram.entities {
        let label = diagram.label(e);
        let header = if e.stub { "#e8e8e8" } else { "#dbe8f7" };
        let _ = write!(
            out,
            "    {} [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\">\
             <tr><td colspan=\"3\" bgcolor=\"{header}\"><b>{}</b></td></tr>",
            id(&label),
            html(&label)
        );
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
            let name = if a.nullable && !a.primary_key {
                format!("{}?", html(&a.name))
            } else {
                html(&a.name)
            };
            let _ = write!(
                out,
                "<tr><td align=\"left\" port={}>{name}</td><td align=\"left\">{}</td><td>{}</td></tr>",
                id(&a.name),
                html(&a.data_type),
                keys.join(" ")
            );
        }
        out.push_str("</table>>];\n");
    }
    for r in &diagram.relationships {
        let from = diagram.label(&diagram.entities[r.from]);
        let to = diagram.label(&diagram.entities[r.to]);
        // The tail sits at `from`, the head at `to`: each shape says how many rows of that
        // end take part (crow: many; tee: one; odot: may be none).
        let (tail, head, style) = match r.cardinality {
            Cardinality::ManyToOne { required } => (
                "crowodot",
                if required { "teetee" } else { "teeodot" },
                style(required),
            ),
            Cardinality::OneToOne { required } => (
                "teeodot",
                if required { "teetee" } else { "teeodot" },
                style(required),
            ),
            Cardinality::ManyToMany => ("crowodot", "crowodot", "solid"),
        };
        let _ = writeln!(
            out,
            "    {} -> {} [arrowtail={tail}, arrowhead={head}, style={style}, label={}];",
            id(&from),
            id(&to),
            id(&diagram.edge_label(r))
        );
    }
    out.push_str("}\n");
    out
}

fn style(required: bool) -> &'static str {
    if required { "solid" } else { "dashed" }
}

/// A quoted DOT id.
fn id(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text inside an HTML-like label.
fn html(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
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
    fn ids_and_labels_are_escaped() {
        assert_eq!(id("a \"b\" \\c"), "\"a \\\"b\\\" \\\\c\"");
        assert_eq!(html("<b>&\"x\""), "&lt;b&gt;&amp;&quot;x&quot;");
    }
}
