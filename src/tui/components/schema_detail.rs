//! Phase 0: the live schema. The detail of the table selected in the tree: columns with
//! types, nullability and defaults; keys; foreign keys out and in; indexes; RLS state and
//! policies with their expressions; triggers. Managed schemas say they are read-only.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{fit, pad, plural, rule};
use crate::catalog::{Catalog, Identity, Table, TableKind};
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
            // Names are in and some details perhaps: show those, say what is coming
            // (`table_lines` adds the note).
            return table_lines(app, names, table, width);
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
        return schema_lines(app, catalog, &row.schema, width);
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

/// Whether a relation is a view (plain or materialized): counted apart from tables.
fn is_view(t: &Table) -> bool {
    matches!(t.kind, TableKind::View | TableKind::MaterializedView)
}

/// `, 2 views` — or nothing when there are none.
fn and_some(n: usize, what: &str) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(" · {}", plural(n, what))
    }
}

fn overview<'a>(app: &App, catalog: &Catalog) -> Vec<Line<'a>> {
    let own = catalog.schemas.iter().filter(|s| !s.managed).count();
    let views = catalog.tables.iter().filter(|t| is_view(t)).count();
    vec![
        text(
            app,
            format!(
                "{}{} in {} ({own} of them yours){} · {}",
                plural(catalog.tables.len() - views, "table"),
                and_some(views, "view"),
                plural(catalog.schemas.len(), "schema"),
                and_some(catalog.enums.len(), "enum type"),
                plural(catalog.functions.len(), "function")
            ),
        ),
        dim(
            app,
            "select a table in the tree to see its columns, keys and policies",
        ),
    ]
}

fn schema_lines<'a>(app: &App, catalog: &Catalog, name: &str, width: u16) -> Vec<Line<'a>> {
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
    let tables = catalog.tables_in(name).filter(|t| !is_view(t)).count();
    let views: Vec<&Table> = catalog.tables_in(name).filter(|t| is_view(t)).collect();
    let rls = catalog
        .tables_in(name)
        .filter(|t| !is_view(t) && t.rls_enabled)
        .count();
    let enums: Vec<_> = catalog.enums.iter().filter(|e| e.schema == name).collect();
    let functions: Vec<_> = catalog
        .functions_in(name)
        .filter(|f| f.extension.is_none())
        .collect();
    out.push(text(
        app,
        format!(
            "{} ({rls} with RLS){}{} · {}",
            plural(tables, "table"),
            and_some(views.len(), "view"),
            and_some(enums.len(), "enum type"),
            plural(catalog.functions_in(name).count(), "function")
        ),
    ));
    if !views.is_empty() {
        out.push(rule(&app.theme, "views", width));
        for v in views {
            let line = format!(
                "{} · {}",
                v.name,
                match (v.kind, v.security_invoker) {
                    (TableKind::MaterializedView, _) => "materialized",
                    (_, true) => "security_invoker",
                    (_, false) => "runs as its owner",
                }
            );
            out.extend(wrapped(app, &line, width, 1, Role::Text));
        }
    }
    if !enums.is_empty() {
        out.push(rule(&app.theme, "enum types", width));
        for e in enums {
            let line = format!("{}: {}", e.name, e.labels.join(", "));
            out.extend(wrapped(app, &line, width, 1, Role::Text));
        }
    }
    if !functions.is_empty() {
        out.push(rule(&app.theme, "functions", width));
        for f in functions {
            let line = format!(
                "{}{}{}",
                f.signature(),
                f.result
                    .as_deref()
                    .map(|r| format!(" returns {r}"))
                    .unwrap_or_default(),
                if f.security_definer {
                    " · SECURITY DEFINER"
                } else {
                    ""
                }
            );
            out.extend(wrapped(
                app,
                &line,
                width,
                1,
                if f.security_definer {
                    Role::Warning
                } else {
                    Role::Text
                },
            ));
        }
    }
    out
}

fn table_lines<'a>(app: &App, catalog: &Catalog, t: &Table, width: u16) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let policies = t.policies.len();
    let pending = crate::tui::loading::pending_for(app, &t.schema, &t.name);
    let view = is_view(t);
    let mut facts = vec![
        match (t.kind, t.security_invoker, t.rls_enabled) {
            (TableKind::View, true, _) => "security_invoker".to_owned(),
            (TableKind::View, false, _) => format!("runs as its owner {}", t.owner),
            (TableKind::MaterializedView, _, _) => "a stored copy, no RLS".to_owned(),
            (_, _, true) => "RLS on".to_owned(),
            (_, _, false) => "RLS off".to_owned(),
        },
        if view {
            String::new()
        } else if pending.contains(&"policies") {
            "policies loading".to_owned()
        } else {
            format!(
                "{policies} polic{}",
                if policies == 1 { "y" } else { "ies" }
            )
        },
    ];
    facts.retain(|f| !f.is_empty());
    if let Some(rows) = t
        .row_estimate
        .filter(|r| *r >= 0 && t.kind != TableKind::View)
    {
        facts.push(format!("~{} rows", thousands(rows)));
    }
    let published: Vec<&str> = catalog
        .publications
        .iter()
        .filter(|p| p.publishes(&t.schema, &t.name))
        .map(|p| {
            if p.name == "supabase_realtime" {
                "realtime"
            } else {
                p.name.as_str()
            }
        })
        .collect();
    if !published.is_empty() {
        facts.push(published.join(", "));
    }
    if !t.replica_identity.is_default() {
        facts.push(format!(
            "replica identity {}",
            t.replica_identity.sql().to_lowercase()
        ));
    }
    let managed = catalog.is_managed(&t.schema);
    let title = format!("{}.{}  {}", t.schema, t.name, t.kind.label());
    let facts = format!("   {}", facts.join(" · "));
    let managed_note = if managed {
        "   managed · read-only"
    } else {
        ""
    };
    let facts_role = if t.rls_enabled || (t.kind == TableKind::View && t.security_invoker) {
        Role::Ok
    } else {
        Role::Warning
    };
    let whole = title.chars().count() + facts.chars().count() + managed_note.chars().count();
    if whole <= width as usize {
        out.push(Line::from(vec![
            Span::styled(title, app.theme.style(Role::Accent)),
            Span::styled(facts, app.theme.style(facts_role)),
            Span::styled(managed_note, app.theme.style(Role::Managed)),
        ]));
    } else {
        // Too narrow for one line: the facts go below the name, wrapped, none cut.
        out.extend(wrapped(app, &title, width, 0, Role::Accent));
        out.extend(wrapped(app, facts.trim_start(), width, 1, facts_role));
        if managed {
            out.extend(wrapped(
                app,
                managed_note.trim_start(),
                width,
                1,
                Role::Managed,
            ));
        }
    }
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

    if !pending.is_empty() {
        out.push(Line::styled(
            crate::tui::loading::note(&pending),
            app.theme.style(Role::Info),
        ));
        if pending.contains(&"columns") {
            return out;
        }
    }
    out.push(rule(&app.theme, "columns", width));
    let narrow = width < 70;
    let type_w = t
        .columns
        .iter()
        .map(|c| c.data_type.len())
        .max()
        .unwrap_or(4)
        .clamp(4, if narrow { 14 } else { 28 });
    let default_w = if narrow { 12 } else { 28 };
    // Names get the room the other columns leave (key gutter 4, null 10, spaces 2): never
    // cut at a fixed length when the pane is wide enough to show them whole.
    let room = (width as usize).saturating_sub(4 + type_w + 1 + 10 + default_w + 1 + 1);
    let name_w = t
        .columns
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, room.max(16));
    let longest = t
        .columns
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(4);
    let stacked = 4 + longest.min(name_w) + 1 + type_w + 1 + 10 + default_w + 1 > width as usize
        || longest > name_w;
    let pk: &[String] = t.primary_key.as_ref().map_or(&[], |k| &k.columns);
    for c in &t.columns {
        let single_fks: Vec<_> = t
            .foreign_keys
            .iter()
            .filter(|f| f.columns == [c.name.clone()])
            .collect();
        // Key markers sit in a gutter of their own, so a narrow pane never clips them.
        let marker = match (pk.contains(&c.name), !single_fks.is_empty()) {
            (true, true) => "PF",
            (true, false) => "PK",
            (false, true) => "FK",
            (false, false) => "  ",
        };
        let default = column_default(c);
        let row_w = 4 + name_w + 1 + type_w + 1 + 10 + default_w + 1;
        let targets: Vec<String> = single_fks
            .iter()
            .map(|fk| {
                format!(
                    "→ {}.{}({}) {}",
                    fk.references_schema,
                    fk.references_table,
                    fk.references_columns.join(", "),
                    fk.on_delete.sql().to_lowercase()
                )
            })
            .collect();
        // An identity or a generated expression wider than its cell goes whole on a line
        // of its own, like a foreign-key target (a plain default is cut, as before).
        let default_below = !stacked
            && (c.identity.is_some() || c.generated.is_some())
            && default.chars().count() > default_w;
        let inline = targets.join(" ");
        let fits = !stacked && row_w + inline.chars().count() <= width as usize;
        let null_text = if c.nullable { "" } else { "not null" };
        if stacked {
            // Too narrow for one row per column: the whole name, then its type and default
            // on the line below, so neither is cut where nothing shows it.
            out.push(Line::from(vec![
                Span::styled(format!(" {marker} "), app.theme.style(Role::Info)),
                Span::styled(c.name.clone(), app.theme.style(Role::Identifier)),
            ]));
            let detail = [c.data_type.as_str(), null_text, default.as_str()]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("  ");
            for piece in wrap(&detail, (width as usize).saturating_sub(6)) {
                out.push(Line::styled(
                    format!("      {piece}"),
                    app.theme.style(Role::Text),
                ));
            }
        } else {
            out.push(Line::from(vec![
                Span::styled(format!(" {marker} "), app.theme.style(Role::Info)),
                Span::styled(
                    format!("{} ", pad(&c.name, name_w)),
                    app.theme.style(Role::Identifier),
                ),
                Span::styled(
                    format!("{} ", pad(&c.data_type, type_w)),
                    app.theme.style(Role::Text),
                ),
                Span::styled(format!("{null_text:<10}"), app.theme.style(Role::Dim)),
                Span::styled(
                    format!(
                        "{} ",
                        if default_below {
                            String::new()
                        } else {
                            fit(&default, default_w)
                        }
                    ),
                    app.theme.style(Role::String),
                ),
                Span::styled(
                    if fits { inline.clone() } else { String::new() },
                    app.theme.style(Role::Info),
                ),
            ]));
        }
        if default_below {
            for piece in wrap(&default, (width as usize).saturating_sub(6)) {
                out.push(Line::styled(
                    format!("      {piece}"),
                    app.theme.style(Role::String),
                ));
            }
        }
        if !fits {
            // The foreign-key target on a line of its own, under the name.
            for target in &targets {
                for piece in wrap(target, (width as usize).saturating_sub(6)) {
                    out.push(Line::styled(
                        format!("      {piece}"),
                        app.theme.style(Role::Info),
                    ));
                }
            }
        }
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
        for k in keys {
            out.extend(wrapped(app, &k, width, 1, Role::Text));
        }
    }

    let multi: Vec<_> = t
        .foreign_keys
        .iter()
        .filter(|f| f.columns.len() > 1)
        .collect();
    if !multi.is_empty() {
        out.push(rule(&app.theme, "foreign keys", width));
        for fk in multi {
            let line = format!(
                "({}) → {}.{}({}) on delete {}",
                fk.columns.join(", "),
                fk.references_schema,
                fk.references_table,
                fk.references_columns.join(", "),
                fk.on_delete.sql().to_lowercase()
            );
            out.extend(wrapped(app, &line, width, 1, Role::Text));
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
        for line in incoming {
            out.extend(wrapped(app, line.trim_start(), width, 1, Role::Text));
        }
    }

    if !t.indexes.is_empty() {
        out.push(rule(&app.theme, "indexes", width));
        for i in &t.indexes {
            let method = index_method(&i.definition)
                .filter(|m| *m != "btree")
                .map(|m| format!(" using {m}"))
                .unwrap_or_default();
            let predicate = i
                .definition
                .split_once(" WHERE ")
                .map(|(_, p)| format!(" where {p}"))
                .unwrap_or_default();
            let line = format!(
                "{}{}{method} ({}){predicate}",
                i.name,
                if i.unique { " unique" } else { "" },
                i.columns.join(", ")
            );
            out.extend(wrapped(app, &line, width, 1, Role::Text));
        }
    }

    if view {
        view_lines(app, t, width, &mut out);
        return out;
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
    if pending.contains(&"policies") {
        out.push(dim(app, " loading…"));
    } else if t.policies.is_empty() {
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
                // Wrapped under its label, each source line keeping its own indentation:
                // the deciding condition is never past the pane edge.
                let indent = 15;
                let room = (width as usize).saturating_sub(indent).max(20);
                let mut first = true;
                for source_line in expr.lines() {
                    let lead = source_line.len() - source_line.trim_start().len();
                    let body = source_line.trim_start();
                    for (k, piece) in wrap(body, room.saturating_sub(lead).max(10))
                        .into_iter()
                        .enumerate()
                    {
                        let label_text = if first {
                            format!("   {label:<11} ")
                        } else {
                            " ".repeat(indent)
                        };
                        first = false;
                        let extra = if k > 0 { 2 } else { 0 };
                        out.push(Line::from(vec![
                            Span::styled(label_text, app.theme.style(Role::Dim)),
                            Span::styled(
                                format!("{}{piece}", " ".repeat(lead + extra)),
                                app.theme.style(Role::String),
                            ),
                        ]));
                    }
                }
            }
        }
    }

    if !t.triggers.is_empty() {
        out.push(rule(&app.theme, "triggers", width));
        for tr in &t.triggers {
            let line = format!(
                "{} {} → {}.{}(){}",
                tr.name,
                trigger_when(&tr.definition),
                tr.function_schema,
                tr.function,
                if tr.enabled { "" } else { "  disabled" }
            );
            out.extend(wrapped(app, &line, width, 1, Role::Text));
        }
    }
    out
}

/// What a column's value comes from, as `schemaforge inspect` says it: its default, or
/// `generated always as identity`, or `generated always as (…) stored`.
fn column_default(c: &crate::catalog::Column) -> String {
    if let Some(g) = &c.generated {
        return format!("generated always as ({g}) stored");
    }
    match c.identity {
        Some(Identity::Always) => "generated always as identity".to_owned(),
        Some(Identity::ByDefault) => "generated by default as identity".to_owned(),
        None => c.default.clone().unwrap_or_default(),
    }
}

/// A view's rows are its base tables' rows: whose rights it runs with decides which RLS
/// applies. Then its definition, as `inspect` prints it.
fn view_lines<'a>(app: &App, t: &Table, width: u16, out: &mut Vec<Line<'a>>) {
    out.push(rule(&app.theme, "row-level security", width));
    let (note, role) = match (t.kind, t.security_invoker) {
        (TableKind::MaterializedView, _) => (
            "a materialized view is a stored copy: RLS does not apply to it, every role with a \
             grant sees every row it holds"
                .to_owned(),
            Role::Warning,
        ),
        (_, true) => (
            "security_invoker: it runs with the caller's rights, so the base tables' RLS \
             policies apply to each caller"
                .to_owned(),
            Role::Ok,
        ),
        (_, false) => (
            format!(
                "it runs with its owner's ({}) rights, not the caller's: the base tables' RLS \
                 is checked as {} (bypassed when the owner owns them); WITH (security_invoker = \
                 true) makes it the caller's",
                t.owner, t.owner
            ),
            Role::Warning,
        ),
    };
    out.extend(wrapped(app, &note, width, 1, role));
    if let Some(definition) = &t.view_definition {
        out.push(rule(&app.theme, "definition", width));
        for line in definition.lines() {
            let lead = line.len() - line.trim_start().len();
            out.extend(wrapped(
                app,
                line.trim_start(),
                width,
                1 + lead,
                Role::String,
            ));
        }
    }
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

/// Word-wraps `text` to `width` characters; a word longer than the width is cut into pieces
/// (never dropped).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let mut word = word.to_owned();
        loop {
            let used = current.chars().count();
            let need = word.chars().count() + usize::from(used > 0);
            if used + need <= width {
                if used > 0 {
                    current.push(' ');
                }
                current.push_str(&word);
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut current));
                continue;
            }
            // A word wider than the line: cut it.
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
            if word.is_empty() {
                break;
            }
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// `text` wrapped to the pane, its continuation lines indented two more.
fn wrapped<'a>(app: &App, text: &str, width: u16, indent: usize, role: Role) -> Vec<Line<'a>> {
    let room = (width as usize).saturating_sub(indent + 2).max(10);
    wrap(text, room)
        .into_iter()
        .enumerate()
        .map(|(k, piece)| {
            let lead = if k == 0 { indent } else { indent + 2 };
            Line::styled(
                format!("{}{piece}", " ".repeat(lead)),
                app.theme.style(role),
            )
        })
        .collect()
}

/// `USING gin` → `gin`, from `pg_get_indexdef`'s text.
fn index_method(definition: &str) -> Option<&str> {
    let (_, after) = definition.split_once(" USING ")?;
    after.split_whitespace().next()
}

/// When a trigger fires, from `pg_get_triggerdef`: `before update of a, b · for each row`.
fn trigger_when(definition: &str) -> String {
    let upper = definition.to_ascii_uppercase();
    let timing = ["BEFORE ", "AFTER ", "INSTEAD OF "]
        .iter()
        .filter_map(|k| upper.find(k).map(|at| (at, *k)))
        .min();
    let Some((start, _)) = timing else {
        return String::new();
    };
    let Some(on) = upper[start..].find(" ON ").map(|i| start + i) else {
        return String::new();
    };
    let events = definition[start..on].to_lowercase();
    let level = if upper.contains("FOR EACH ROW") {
        "for each row"
    } else {
        "for each statement"
    };
    format!("{events} · {level}")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_never_drops_text() {
        let text = "(EXISTS ( SELECT 1 FROM public.organization_members m WHERE m.user_id = ( SELECT auth.uid() AS uid)))";
        let lines = wrap(text, 30);
        assert!(lines.iter().all(|l| l.chars().count() <= 30), "{lines:?}");
        assert_eq!(lines.join(" "), text);
        let long = wrap("a_very_long_identifier_without_spaces", 10);
        assert_eq!(long.concat(), "a_very_long_identifier_without_spaces");
    }

    #[test]
    fn trigger_timing_and_events_are_read_from_the_definition() {
        assert_eq!(
            trigger_when(
                "CREATE TRIGGER t BEFORE UPDATE OF a, b ON public.x FOR EACH ROW EXECUTE FUNCTION f()"
            ),
            "before update of a, b · for each row"
        );
        assert_eq!(
            trigger_when(
                "CREATE TRIGGER t AFTER INSERT OR DELETE ON public.x FOR EACH STATEMENT EXECUTE FUNCTION f()"
            ),
            "after insert or delete · for each statement"
        );
    }

    #[test]
    fn index_methods_are_read_from_the_definition() {
        assert_eq!(
            index_method("CREATE INDEX i ON public.p USING gin (search)"),
            Some("gin")
        );
    }
}
