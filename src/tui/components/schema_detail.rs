//! Phase 0: the live schema. The detail of the table selected in the tree: columns with
//! types, nullability and defaults; keys; foreign keys out and in; indexes; RLS state and
//! policies with their expressions; triggers. Managed schemas say they are read-only.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{fit, pad, plural, rule};
use crate::catalog::{Catalog, Table};
use crate::tui::app::App;
use crate::tui::keymap::Action;
use crate::tui::navigation::scroll_pane;
use crate::tui::phase::Phase;
use crate::tui::theme::Role;
use crate::tui::tree::{DraftTable, RowKind};

/// Movement keys while this pane has the keyboard: it scrolls (its own scroll).
pub fn on_action(app: &mut App, action: Action) {
    scroll_pane(app, action);
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let lines = lines(app, area.width);
    frame.render_widget(
        Paragraph::new(lines).scroll((app.scroll(Phase::Schema).min(u16::MAX as usize) as u16, 0)),
        area,
    );
}

fn lines<'a>(app: &App, width: u16) -> Vec<Line<'a>> {
    let Some(catalog) = app.model.catalog.as_deref() else {
        if let Some(names) = app.model.names.as_deref()
            && let Some((schema, name)) = app.view.tree.selected_table()
            && let Some(table) = names.table(schema, name)
        {
            // Names are in, details are not: say what the table is and what is coming.
            let mut out = table_lines(app, names, table, width);
            out.truncate(1);
            out.push(dim(
                app,
                "still loading: columns, keys, constraints, indexes, policies and triggers…",
            ));
            return out;
        }
        return vec![Line::styled(
            "reading the live schema…",
            app.theme.style(Role::Dim),
        )];
    };
    let Some(row) = app.view.tree.selected_row() else {
        return overview(app, catalog);
    };
    if row.kind == RowKind::Schema {
        return schema_lines(app, catalog, &row.schema);
    }
    let Some((schema, name)) = app.view.tree.selected_table() else {
        return overview(app, catalog);
    };
    match catalog.table(schema, name) {
        Some(table) => table_lines(app, catalog, table, width),
        None => match app
            .model
            .drafts
            .iter()
            .find(|d| d.schema == schema && d.name == name)
        {
            Some(draft) => draft_lines(app, draft, width),
            None => overview(app, catalog),
        },
    }
}

fn text<'a>(app: &App, s: impl Into<String>) -> Line<'a> {
    Line::styled(s.into(), app.theme.style(Role::Text))
}

fn dim<'a>(app: &App, s: impl Into<String>) -> Line<'a> {
    Line::styled(s.into(), app.theme.style(Role::Dim))
}

fn overview<'a>(app: &App, catalog: &Catalog) -> Vec<Line<'a>> {
    let own = catalog.schemas.iter().filter(|s| !s.managed).count();
    vec![
        text(
            app,
            format!(
                "{} in {} ({own} of them yours) · {}",
                plural(catalog.tables.len(), "table"),
                plural(catalog.schemas.len(), "schema"),
                plural(catalog.functions.len(), "function")
            ),
        ),
        dim(
            app,
            "select a table in the tree to see its columns, keys and policies",
        ),
    ]
}

fn schema_lines<'a>(app: &App, catalog: &Catalog, name: &str) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let managed = catalog.is_managed(name);
    out.push(Line::from(vec![
        Span::styled(format!("schema {name}"), app.theme.style(Role::Accent)),
        Span::styled(
            if managed {
                "   managed by Supabase · read-only".to_owned()
            } else {
                String::new()
            },
            app.theme.style(Role::Managed),
        ),
    ]));
    if let Some(s) = catalog.schema(name) {
        out.push(dim(app, format!("owner {}", s.owner)));
        if let Some(c) = &s.comment {
            out.push(dim(app, c.clone()));
        }
    }
    let tables = catalog.tables_in(name).count();
    let rls = catalog.tables_in(name).filter(|t| t.rls_enabled).count();
    out.push(text(
        app,
        format!(
            "{} ({rls} with RLS) · {}",
            plural(tables, "table"),
            plural(catalog.functions_in(name).count(), "function")
        ),
    ));
    out
}

fn table_lines<'a>(app: &App, catalog: &Catalog, t: &Table, width: u16) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let policies = t.policies.len();
    let mut facts = vec![
        if t.rls_enabled {
            "RLS on".to_owned()
        } else {
            "RLS off".to_owned()
        },
        format!(
            "{policies} polic{}",
            if policies == 1 { "y" } else { "ies" }
        ),
    ];
    if let Some(rows) = t.row_estimate.filter(|r| *r >= 0) {
        facts.push(format!("~{} rows", thousands(rows)));
    }
    let managed = catalog.is_managed(&t.schema);
    out.push(Line::from(vec![
        Span::styled(
            format!("{}.{}  {}", t.schema, t.name, t.kind.label()),
            app.theme.style(Role::Accent),
        ),
        Span::styled(
            format!("   {}", facts.join(" · ")),
            app.theme.style(if t.rls_enabled {
                Role::Ok
            } else {
                Role::Warning
            }),
        ),
        Span::styled(
            if managed {
                "   managed · read-only"
            } else {
                ""
            },
            app.theme.style(Role::Managed),
        ),
    ]));
    if let Some(c) = &t.comment {
        out.push(dim(app, c.clone()));
    }
    if let Some(lock) = catalog.lock_on(&t.schema, &t.name) {
        // Read around: another session held it past the lock timeout.
        use crate::safe_text::escape_controls as esc;
        let s = &lock.session;
        out.push(Line::styled(
            "⚠ details not read: locked by another session past the lock timeout",
            app.theme.style(Role::Warning),
        ));
        for line in [
            format!(
                "  {} {} by pid {}",
                if lock.waiting {
                    "waited for in mode"
                } else {
                    "held in mode"
                },
                lock.mode,
                s.pid
            ),
            format!(
                "  application {:?} · user {:?} · {}",
                esc(&s.application_name),
                esc(&s.user),
                s.transaction_seconds
                    .map_or("no open transaction".to_owned(), |t| format!(
                        "transaction open {t} s"
                    ))
            ),
            format!(
                "  state {} · last query: {}",
                esc(&s.state),
                esc(&s.last_query)
            ),
        ] {
            out.push(text(app, line));
        }
        out.push(dim(
            app,
            crate::catalog::lock_advice(std::slice::from_ref(lock)),
        ));
        return out;
    }

    out.push(rule(&app.theme, "columns", width));
    let name_w = t
        .columns
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(4)
        .clamp(4, 24);
    let narrow = width < 70;
    let type_w = t
        .columns
        .iter()
        .map(|c| c.data_type.len())
        .max()
        .unwrap_or(4)
        .clamp(4, if narrow { 14 } else { 28 });
    let default_w = if narrow { 12 } else { 28 };
    let pk: &[String] = t.primary_key.as_ref().map_or(&[], |k| &k.columns);
    for c in &t.columns {
        let mut note = Vec::new();
        if pk.contains(&c.name) {
            note.push("PK".to_owned());
        }
        for fk in t
            .foreign_keys
            .iter()
            .filter(|f| f.columns == [c.name.clone()])
        {
            note.push(format!(
                "→ {}.{}({}) {}",
                fk.references_schema,
                fk.references_table,
                fk.references_columns.join(", "),
                fk.on_delete.sql().to_lowercase()
            ));
        }
        let default = c
            .generated
            .as_ref()
            .map(|g| format!("generated {g}"))
            .or_else(|| c.default.clone())
            .unwrap_or_default();
        out.push(Line::from(vec![
            Span::styled(
                format!(" {} ", pad(&c.name, name_w)),
                app.theme.style(Role::Identifier),
            ),
            Span::styled(
                format!("{} ", pad(&c.data_type, type_w)),
                app.theme.style(Role::Text),
            ),
            Span::styled(
                if c.nullable {
                    "          "
                } else {
                    "not null  "
                },
                app.theme.style(Role::Dim),
            ),
            Span::styled(
                format!("{} ", fit(&default, default_w)),
                app.theme.style(Role::String),
            ),
            Span::styled(note.join(" "), app.theme.style(Role::Info)),
        ]));
    }

    let keys: Vec<String> = t
        .primary_key
        .iter()
        .map(|k| format!("{} primary key ({})", k.name, k.columns.join(", ")))
        .chain(
            t.unique_constraints
                .iter()
                .map(|k| format!("{} unique ({})", k.name, k.columns.join(", "))),
        )
        .chain(
            t.check_constraints
                .iter()
                .map(|c| format!("{} {}", c.name, c.definition)),
        )
        .collect();
    if !keys.is_empty() {
        out.push(rule(&app.theme, "keys", width));
        out.extend(keys.into_iter().map(|k| text(app, format!(" {k}"))));
    }

    let multi: Vec<_> = t
        .foreign_keys
        .iter()
        .filter(|f| f.columns.len() > 1)
        .collect();
    if !multi.is_empty() {
        out.push(rule(&app.theme, "foreign keys", width));
        for fk in multi {
            out.push(text(
                app,
                format!(
                    " ({}) → {}.{}({}) on delete {}",
                    fk.columns.join(", "),
                    fk.references_schema,
                    fk.references_table,
                    fk.references_columns.join(", "),
                    fk.on_delete.sql().to_lowercase()
                ),
            ));
        }
    }
    let incoming: Vec<String> = catalog
        .tables
        .iter()
        .flat_map(|other| {
            other
                .foreign_keys
                .iter()
                .filter(|f| f.references_schema == t.schema && f.references_table == t.name)
                .map(move |f| {
                    format!(
                        " {}.{}.{} ({})",
                        other.schema,
                        other.name,
                        f.columns.join(", "),
                        f.on_delete.sql().to_lowercase()
                    )
                })
        })
        .collect();
    if !incoming.is_empty() {
        out.push(rule(&app.theme, "referenced by", width));
        out.extend(incoming.into_iter().map(|s| text(app, s)));
    }

    if !t.indexes.is_empty() {
        out.push(rule(&app.theme, "indexes", width));
        for i in &t.indexes {
            out.push(text(
                app,
                format!(
                    " {}{} ({})",
                    i.name,
                    if i.unique { " unique" } else { "" },
                    i.columns.join(", ")
                ),
            ));
        }
    }

    out.push(rule(
        &app.theme,
        if t.rls_enabled {
            "policies · RLS on"
        } else {
            "policies · RLS off"
        },
        width,
    ));
    if t.policies.is_empty() {
        out.push(dim(
            app,
            if t.rls_enabled {
                " no policies: nobody but the owner and bypass roles sees a row"
            } else {
                " no policies; without RLS every role with a grant sees every row"
            },
        ));
    }
    for p in &t.policies {
        out.push(Line::from(vec![
            Span::styled(format!(" {}", p.name), app.theme.style(Role::Identifier)),
            Span::styled(
                format!(
                    "   {}{}  to {}",
                    p.command.sql(),
                    if p.permissive { "" } else { " restrictive" },
                    p.roles.join(", ")
                ),
                app.theme.style(Role::Keyword),
            ),
        ]));
        for (label, expr) in [("using", &p.using), ("with check", &p.with_check)] {
            if let Some(expr) = expr {
                out.push(Line::from(vec![
                    Span::styled(format!("   {label:<11} "), app.theme.style(Role::Dim)),
                    Span::styled(expr.clone(), app.theme.style(Role::String)),
                ]));
            }
        }
    }

    if !t.triggers.is_empty() {
        out.push(rule(&app.theme, "triggers", width));
        for tr in &t.triggers {
            out.push(text(
                app,
                format!(
                    " {} → {}.{}(){}",
                    tr.name,
                    tr.function_schema,
                    tr.function,
                    if tr.enabled { "" } else { "  disabled" }
                ),
            ));
        }
    }
    out
}

fn draft_lines<'a>(app: &App, d: &DraftTable, width: u16) -> Vec<Line<'a>> {
    let mut out = vec![
        Line::from(vec![
            Span::styled(
                format!("+ {}.{}", d.schema, d.name),
                app.theme.style(Role::New),
            ),
            Span::styled(
                "   new · created when you apply",
                app.theme.style(Role::Dim),
            ),
        ]),
        rule(&app.theme, "columns", width),
    ];
    for c in &d.columns {
        out.push(Line::styled(
            format!(" {} {}", pad(&c.name, 20), c.data_type),
            app.theme.style(Role::New),
        ));
    }
    if !d.policies.is_empty() {
        out.push(rule(&app.theme, "policies", width));
        for p in &d.policies {
            out.push(Line::styled(format!(" {p}"), app.theme.style(Role::New)));
        }
    }
    out
}

/// `1240` → `1,240`.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}
