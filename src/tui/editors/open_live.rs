//! Opening a live table for editing: the table as the database has it becomes a table of the
//! design — the same conversion as `schemaforge design --from-db` — so planning it is empty
//! until the user changes something, and its existing parts show as live, not as new. One
//! edit: `u` closes it again.

use crate::design::edit::Edit;
use crate::from_catalog::design_from_catalog;
use crate::tui::app::App;
use crate::tui::message::Effect;
use crate::tui::phase::Phase;

/// `⏎` on a live table of the design's schema in phase 1.
pub fn open_live_table(app: &mut App, name: &str) -> Vec<Effect> {
    let schema = app
        .model
        .design
        .as_ref()
        .map_or_else(|| "public".to_owned(), |s| s.design.schema.clone());
    open_live_table_in(app, &schema, name)
}

/// `e` on a live table in the tree (or `⏎` in phase 1).
pub fn open_live_table_in(app: &mut App, schema: &str, name: &str) -> Vec<Effect> {
    let Some(catalog) = app.model.catalog.clone() else {
        app.view.message = Some("wait: the live schema is still being read".into());
        return Vec::new();
    };
    let design = app.model.design.as_ref().map(|s| &s.design);
    let (design_schema, empty) = design.map_or(("public".to_owned(), true), |d| {
        (d.schema.clone(), d.tables.is_empty())
    });
    if design_schema != schema && !empty {
        app.view.message = Some(format!(
            "the design is in schema {design_schema}; {schema}.{name} can be opened in a design of {schema}"
        ));
        return Vec::new();
    }
    let converted = design_from_catalog(&catalog, schema, Some(&[name.to_owned()]));
    let Some(table) = converted.design.tables.into_iter().next() else {
        app.view.message = Some(
            converted
                .notes
                .first()
                .cloned()
                .unwrap_or_else(|| format!("{schema}.{name} cannot be opened")),
        );
        return Vec::new();
    };
    let index = design.map_or(0, |d| d.tables.len());
    let relationships = design.map_or(0, |d| d.relationships.len());
    let mut edits = Vec::new();
    if design_schema != schema {
        edits.push(Edit::SetSchema {
            schema: schema.to_owned(),
        });
    }
    edits.push(Edit::AddTable { index, table });
    for (i, relationship) in converted.design.relationships.into_iter().enumerate() {
        edits.push(Edit::AddRelationship {
            index: relationships + i,
            relationship,
        });
    }
    let done = if converted.notes.is_empty() {
        format!(
            "{schema}.{name} opened for editing: its parts are live; what you change is planned"
        )
    } else {
        format!(
            "{schema}.{name} opened; kept as is, outside the design: {}",
            kept_names(&converted.notes, schema, name)
        )
    };
    let effects = crate::tui::editing::apply(app, Edit::Batch(edits), done);
    app.view.selected[Phase::Tables.index()] = index;
    app.view.selected[Phase::Fields.index()] = 0;
    effects
}

/// What the design leaves alone, named shortly: `index teams_slug_idx, trigger on_signup`,
/// the first three and how many more.
fn kept_names(notes: &[String], schema: &str, table: &str) -> String {
    let prefix = format!("{schema}.{table}: ");
    let names: Vec<String> = notes
        .iter()
        .map(|note| {
            let text = note.strip_prefix(&prefix).unwrap_or(note);
            if let Some((enum_name, _)) = text.split_once(": enum type") {
                let short = enum_name.rsplit('.').next().unwrap_or(enum_name);
                return format!("enum {short}");
            }
            let end = [" is not", ";", " (", ": "]
                .iter()
                .filter_map(|stop| text.find(stop))
                .min()
                .unwrap_or(text.len());
            text[..end].to_owned()
        })
        .collect();
    let mut out = names.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > 3 {
        out.push_str(&format!(" and {} more", names.len() - 3));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::kept_names;

    #[test]
    fn what_stays_outside_the_design_is_named_shortly() {
        let notes = [
            "public.teams: index teams_slug_idx is not part of the design; left as it is (CREATE INDEX …)",
            "public.teams: published by supabase_realtime; publications are not part of the design",
            "public.member_role: enum type (owner, member) used by raw fields; its definition is not part of the design and is left as it is",
        ]
        .map(String::from);
        assert_eq!(
            kept_names(&notes, "public", "teams"),
            "index teams_slug_idx, published by supabase_realtime, enum member_role"
        );
        let many: Vec<String> = (0..5)
            .map(|i| format!("public.t: CHECK c{i} is not part of the design; left as it is (x)"))
            .collect();
        assert_eq!(
            kept_names(&many, "public", "t"),
            "CHECK c0, CHECK c1, CHECK c2 and 2 more"
        );
    }
}
