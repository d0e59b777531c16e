//! A self-contained SVG: no external fonts, stylesheets or scripts, laid out by
//! [`super::layout`]. Boxes hold the table name and its columns; edges run between the key
//! rows with crow's-foot marks at both ends. All text is XML-escaped.

use std::fmt::Write;

use super::layout::{HEADER_HEIGHT, PADDING, ROW_HEIGHT, Rect, attribute_text, layout};
use super::model::{Cardinality, Diagram, Entity};

const FONT: &str = "font-family=\"monospace\"";

/// What one end of an edge says about how many rows take part.
#[derive(Clone, Copy)]
enum End {
    /// Exactly one.
    One,
    /// Zero or one.
    ZeroOrOne,
    /// Zero or more.
    Many,
}

pub fn render(diagram: &Diagram) -> String {
    let layout = layout(diagram);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" \
         viewBox=\"0 0 {w:.0} {h:.0}\">",
        w = layout.width,
        h = layout.height
    );
    out.push_str("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    // Edges first, so boxes cover their ends' joins.
    for (k, r) in diagram.relationships.iter().enumerate() {
        let (a, b) = (&layout.boxes[r.from], &layout.boxes[r.to]);
        let ya = row_y(&diagram.entities[r.from], a, &r.columns);
        let yb = row_y(&diagram.entities[r.to], b, &r.to_columns);
        let (from_end, to_end) = ends(r.cardinality);
        let dash = if r.cardinality.required() || r.cardinality == Cardinality::ManyToMany {
            ""
        } else {
            " stroke-dasharray=\"5,3\""
        };
        let label = escape(&diagram.edge_label(r));
        if r.from == r.to || (a.x - b.x).abs() < 1.0 {
            // Same column: loop out to the right of both boxes.
            let out_x = a.right().max(b.right()) + 24.0 + 10.0 * (k % 4) as f64;
            let _ = writeln!(
                out,
                "<polyline points=\"{:.1},{ya:.1} {out_x:.1},{ya:.1} {out_x:.1},{yb:.1} {:.1},{yb:.1}\" \
                 fill=\"none\" stroke=\"#555555\"{dash}/>",
                a.right(),
                b.right()
            );
            mark(&mut out, a.right(), ya, 1.0, from_end);
            mark(&mut out, b.right(), yb, 1.0, to_end);
            label_at(&mut out, a.right() + 22.0, ya, 1.0, &label);
            continue;
        }
        // Leave each box on the side facing the other.
        let (xa, da, xb, db) = if a.x > b.x {
            (a.x, -1.0, b.right(), 1.0)
        } else {
            (a.right(), 1.0, b.x, -1.0)
        };
        // Vertical runs of different edges side by side, not on top of each other.
        let mid = (xa + xb) / 2.0 + ((k % 7) as f64 - 3.0) * 6.0;
        let _ = writeln!(
            out,
            "<polyline points=\"{xa:.1},{ya:.1} {mid:.1},{ya:.1} {mid:.1},{yb:.1} {xb:.1},{yb:.1}\" \
             fill=\"none\" stroke=\"#555555\"{dash}/>"
        );
        mark(&mut out, xa, ya, da, from_end);
        mark(&mut out, xb, yb, db, to_end);
        label_at(&mut out, xa + da * 22.0, ya, da, &label);
    }
    for (e, r) in diagram.entities.iter().zip(&layout.boxes) {
        entity_box(&mut out, diagram, e, r);
    }
    out.push_str("</svg>\n");
    out
}

/// An edge's label just above its line, beside the end at the referencing table.
fn label_at(out: &mut String, x: f64, y: f64, dir: f64, label: &str) {
    let anchor = if dir > 0.0 { "start" } else { "end" };
    let _ = writeln!(
        out,
        "<text x=\"{x:.1}\" y=\"{:.1}\" {FONT} font-size=\"10\" fill=\"#555555\" \
         text-anchor=\"{anchor}\">{label}</text>",
        y - 4.0
    );
}

fn ends(cardinality: Cardinality) -> (End, End) {
    let one = |required| if required { End::One } else { End::ZeroOrOne };
    match cardinality {
        Cardinality::ManyToOne { required } => (End::Many, one(required)),
        Cardinality::OneToOne { required } => (End::ZeroOrOne, one(required)),
        Cardinality::ManyToMany => (End::Many, End::Many),
    }
}

/// The y of the row of the first of `columns` in `e`'s box, else of its header.
fn row_y(e: &Entity, r: &Rect, columns: &[String]) -> f64 {
    columns
        .first()
        .and_then(|c| e.attributes.iter().position(|a| &a.name == c))
        .map_or(r.y + HEADER_HEIGHT / 2.0, |i| {
            r.y + HEADER_HEIGHT + (i as f64 + 0.5) * ROW_HEIGHT
        })
}

/// The crow's-foot mark at a box side (`x`, `y`); `dir` is the way the edge leaves it.
fn mark(out: &mut String, x: f64, y: f64, dir: f64, end: End) {
    let stroke = "stroke=\"#555555\"";
    let tee = |out: &mut String, at: f64| {
        let tx = x + dir * at;
        let _ = writeln!(
            out,
            "<line x1=\"{tx:.1}\" y1=\"{:.1}\" x2=\"{tx:.1}\" y2=\"{:.1}\" {stroke}/>",
            y - 6.0,
            y + 6.0
        );
    };
    let circle = |out: &mut String| {
        let _ = writeln!(
            out,
            "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"#ffffff\" {stroke}/>",
            x + dir * 18.0
        );
    };
    match end {
        End::One => {
            tee(out, 7.0);
            tee(out, 11.0);
        }
        End::ZeroOrOne => {
            tee(out, 8.0);
            circle(out);
        }
        End::Many => {
            let tip = x + dir * 12.0;
            for dy in [-6.0, 6.0] {
                let _ = writeln!(
                    out,
                    "<line x1=\"{tip:.1}\" y1=\"{y:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" {stroke}/>",
                    y + dy
                );
            }
            circle(out);
        }
    }
}

fn entity_box(out: &mut String, diagram: &Diagram, e: &Entity, r: &Rect) {
    let (header, dash) = if e.stub {
        ("#e8e8e8", " stroke-dasharray=\"4,3\"")
    } else {
        ("#dbe8f7", "")
    };
    let _ = writeln!(
        out,
        "<g><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#ffffff\" \
         stroke=\"#333333\"{dash}/>",
        r.x, r.y, r.width, r.height
    );
    let _ = writeln!(
        out,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{HEADER_HEIGHT:.1}\" fill=\"{header}\" \
         stroke=\"#333333\"{dash}/>",
        r.x, r.y, r.width
    );
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" {FONT} font-size=\"12\" font-weight=\"bold\" fill=\"#111111\">{}</text>",
        r.x + PADDING,
        r.y + HEADER_HEIGHT - 8.0,
        escape(&diagram.label(e))
    );
    for (i, a) in e.attributes.iter().enumerate() {
        let weight = if a.primary_key {
            " font-weight=\"bold\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" {FONT} font-size=\"12\"{weight} fill=\"#222222\">{}</text>",
            r.x + PADDING,
            r.y + HEADER_HEIGHT + (i as f64 + 1.0) * ROW_HEIGHT - 5.0,
            escape(&attribute_text(a))
        );
    }
    out.push_str("</g>\n");
}

/// Text for XML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 allows no other control characters.
            c if c.is_control() && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
