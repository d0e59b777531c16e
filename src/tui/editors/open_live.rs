//! Opening a live table for editing: the table as the database has it becomes a table of the
//! design (the same conversion as `schemaforge design --from-db`), so planning it is empty
//! until the user changes something, and its existing parts show as live, not as new.

use crate::tui::app::App;
use crate::tui::message::Effect;

/// `⏎` on a live table of the design's schema in phase 1.
pub fn open_live_table(app: &mut App, name: &str) -> Vec<Effect> {
    let schema = app
        .model
        .design
        .as_ref()
        .map_or_else(|| "public".to_owned(), |s| s.design.schema.clone());
    open_live_table_in(app, &schema, name)
}

/// `e` on a live table in the tree.
pub fn open_live_table_in(app: &mut App, schema: &str, name: &str) -> Vec<Effect> {
    app.view.message = Some(format!(
        "{schema}.{name}: opening live tables needs the catalog converter"
    ));
    Vec::new()
}
