//! Entity–relationship diagrams: one pure model ([`Diagram`]) built from a catalog — the live
//! one, or the catalog a design's plan leaves — and drawn as Mermaid, Graphviz DOT, a
//! self-contained SVG, or the text lines of the TUI's relations phase. No database, no screen.
//!
//! - [`model`]: entities, attributes, relationships with their cardinality; linking tables
//!   collapsed to many-to-many.
//! - [`scope`]: which tables a diagram draws (live schemas, or a design and what it mentions).
//! - [`from_design`]: the catalog as a design leaves it, with or without a live database.
//! - [`mermaid`], [`dot`], [`svg`], [`text`]: the drawings.

pub mod dot;
pub mod from_design;
pub mod layout;
pub mod mermaid;
pub mod model;
pub mod scope;
pub mod svg;
pub mod text;

pub use from_design::{DesignDiagramError, design_diagram};
pub use model::{Attribute, Cardinality, Diagram, Entity, Relationship};
pub use scope::{Scope, live_diagram};

/// The three file formats `schemaforge erd` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Mermaid,
    Dot,
    Svg,
}

impl Diagram {
    /// The diagram in `format`, ending with a newline.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Mermaid => mermaid::render(self),
            Format::Dot => dot::render(self),
            Format::Svg => svg::render(self),
        }
    }
}
