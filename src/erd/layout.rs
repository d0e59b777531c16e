//! Where the SVG puts each box: a layered layout, laid out by hand.
//!
//! Referenced tables stand left of the tables that reference them (a table's layer is one
//! more than the deepest table it points to; cycles and self-references are ignored for
//! this), each layer a column of boxes stacked top to bottom. Sizes come from a monospace
//! character grid, so no font metrics are needed.

use super::model::{Cardinality, Diagram};

/// Width of one character of the monospace font, in pixels (12 px monospace ≈ 7.2).
pub const CHAR_WIDTH: f64 = 7.5;
pub const HEADER_HEIGHT: f64 = 24.0;
pub const ROW_HEIGHT: f64 = 18.0;
pub const PADDING: f64 = 8.0;
pub const MARGIN: f64 = 20.0;
/// Room between columns of boxes for edges, their marks and labels.
pub const COLUMN_GAP: f64 = 140.0;
pub const ROW_GAP: f64 = 30.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.width
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.height
    }

    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.right()
            && other.x < self.right()
            && self.y < other.bottom()
            && other.y < self.bottom()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// One per entity, in the diagram's order.
    pub boxes: Vec<Rect>,
    pub layers: Vec<usize>,
    pub width: f64,
    pub height: f64,
}

/// The text of an attribute row, as the box shows it.
pub fn attribute_text(a: &super::model::Attribute) -> String {
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
    let null = if a.nullable && !a.primary_key {
        "?"
    } else {
        ""
    };
    let mut text = format!("{}{null} {}", a.name, a.data_type);
    if !keys.is_empty() {
        text.push_str(&format!("  {}", keys.join(",")));
    }
    text
}

pub fn layout(diagram: &Diagram) -> Layout {
    let layers = layers(diagram);
    let sizes: Vec<(f64, f64)> = diagram
        .entities
        .iter()
        .map(|e| {
            let longest = e
                .attributes
                .iter()
                .map(|a| attribute_text(a).chars().count())
                .chain(std::iter::once(diagram.label(e).chars().count()))
                .max()
                .unwrap_or(0);
            (
                longest as f64 * CHAR_WIDTH + 2.0 * PADDING,
                HEADER_HEIGHT + e.attributes.len() as f64 * ROW_HEIGHT + PADDING / 2.0,
            )
        })
        .collect();
    let columns = layers.iter().copied().max().map_or(0, |m| m + 1);
    let mut column_width = vec![0.0f64; columns];
    for (i, &layer) in layers.iter().enumerate() {
        column_width[layer] = column_width[layer].max(sizes[i].0);
    }
    let mut column_x = vec![MARGIN; columns];
    for c in 1..columns {
        column_x[c] = column_x[c - 1] + column_width[c - 1] + COLUMN_GAP;
    }
    let mut next_y = vec![MARGIN; columns];
    let mut boxes = Vec::with_capacity(sizes.len());
    for (i, &layer) in layers.iter().enumerate() {
        let (width, height) = sizes[i];
        boxes.push(Rect {
            x: column_x[layer],
            y: next_y[layer],
            width,
            height,
        });
        next_y[layer] += height + ROW_GAP;
    }
    let width = boxes.iter().map(Rect::right).fold(0.0, f64::max) + MARGIN + COLUMN_GAP;
    let height = boxes.iter().map(Rect::bottom).fold(0.0, f64::max) + MARGIN;
    Layout {
        boxes,
        layers,
        width: width.max(2.0 * MARGIN),
        height: height.max(2.0 * MARGIN),
    }
}

/// Each entity's layer: 0 when it points to nothing drawn, else one more than the deepest
/// entity it points to.
fn layers(diagram: &Diagram) -> Vec<usize> {
    let n = diagram.entities.len();
    let parents: Vec<Vec<usize>> = (0..n)
        .map(|i| {
            diagram
                .relationships
                .iter()
                .filter(|r| r.from == i && r.to != i && r.cardinality != Cardinality::ManyToMany)
                .map(|r| r.to)
                .collect()
        })
        .collect();
    let mut layer: Vec<Option<usize>> = vec![None; n];
    let mut visiting = vec![false; n];
    fn visit(
        i: usize,
        parents: &[Vec<usize>],
        layer: &mut [Option<usize>],
        visiting: &mut [bool],
    ) -> usize {
        if let Some(l) = layer[i] {
            return l;
        }
        visiting[i] = true;
        let mut deepest = None;
        for &p in &parents[i] {
            if visiting[p] {
                continue; // a cycle: this edge does not order them
            }
            let l = visit(p, parents, layer, visiting);
            deepest = Some(deepest.map_or(l, |d: usize| d.max(l)));
        }
        visiting[i] = false;
        let l = deepest.map_or(0, |d| d + 1);
        layer[i] = Some(l);
        l
    }
    (0..n)
        .map(|i| visit(i, &parents, &mut layer, &mut visiting))
        .collect()
}
