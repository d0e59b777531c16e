//! The proposal as lines of text: the dialect, then one line per CSV column with the field
//! it becomes and the evidence. The command line prints them; the TUI shows the same lines.

use super::infer::Proposal;
use crate::design::Table;

/// `orders.csv: UTF-8 with BOM, semicolon-separated, with a header; 120 rows analysed (the
/// whole file)`.
pub fn summary(proposal: &Proposal) -> String {
    let d = &proposal.dialect;
    format!(
        "{}: {}, {}-separated, {}; {} row{} analysed{}",
        proposal.file,
        d.encoding.label(),
        d.delimiter_label(),
        if d.has_header {
            "with a header"
        } else {
            "no header"
        },
        proposal.rows_sampled,
        if proposal.rows_sampled == 1 { "" } else { "s" },
        if proposal.whole_file {
            " (the whole file)"
        } else {
            " (a sample; every row loads)"
        }
    )
}

/// One line per CSV column: `Price  number  required  100% of 11; decimal comma`.
/// A column whose field was removed from `table` shows as skipped.
pub fn column_lines(proposal: &Proposal, table: &Table) -> Vec<String> {
    let width = proposal
        .columns
        .iter()
        .map(|c| c.header.chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    proposal
        .columns
        .iter()
        .map(|c| {
            let header: String = c.header.chars().take(24).collect();
            let Some(field) = table.fields.iter().find(|f| f.name == c.field.name) else {
                return format!("{header:<width$} (skipped: its field was removed)");
            };
            let mut flags = Vec::new();
            if field.options.required {
                flags.push("required");
            }
            if field.options.unique {
                flags.push("unique");
            }
            let e = &c.evidence;
            let mut evidence = vec![e.share()];
            if !e.reading.is_empty() {
                evidence.push(e.reading.clone());
            }
            if e.empty > 0 {
                evidence.push(format!("{} empty", e.empty));
            }
            let identifying = field.field_type.is_text()
                || (field.field_type == crate::design::FieldType::Number && field.options.integer);
            if e.unique_candidate && !field.options.unique && identifying {
                evidence.push("unique candidate".into());
            }
            if let Some(near) = &e.near_miss {
                evidence.push(near.clone());
            }
            // The field's name only when it is not the header (`id` → `source id`).
            let renamed = if field.name == c.header {
                String::new()
            } else {
                format!("→ {} ", field.name)
            };
            format!(
                "{header:<width$} {renamed}{:<14} {:<15} {}",
                field.field_type.name(),
                flags.join(" "),
                evidence.join("; ")
            )
        })
        .collect()
}

/// The import's line in the bundle (the rows stream at apply time):
/// `COPY "public"."orders" (5 columns) FROM the CSV orders.csv (120 rows), before COMMIT`.
/// `rejects`: where bad records are set aside (the load goes on without them).
pub fn copy_comment(
    schema: &str,
    table: &str,
    columns: usize,
    proposal: &Proposal,
    rejects: Option<&std::path::Path>,
) -> String {
    let rows = if proposal.whole_file {
        format!("{} rows", proposal.rows_sampled)
    } else {
        format!("more than {} rows", proposal.rows_sampled)
    };
    let file = std::path::Path::new(&proposal.file)
        .file_name()
        .map_or_else(
            || proposal.file.clone(),
            |f| f.to_string_lossy().into_owned(),
        );
    let aside = rejects.map_or_else(String::new, |r| {
        format!("; bad rows are set aside in {}", r.display())
    });
    format!(
        "COPY {} ({columns} column{}) FROM the CSV {file} ({rows}), before COMMIT{aside}",
        crate::sql::qualified(schema, table),
        if columns == 1 { "" } else { "s" }
    )
}
