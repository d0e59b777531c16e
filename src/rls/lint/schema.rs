//! Table-level rules: RLS switched on where the API reaches, keys and indexes, views that
//! bypass RLS.

use sqlparser::tokenizer::Token;

use crate::catalog::{Table, TableKind};
use crate::sql_tokens::{is_word, tokens};

use super::{Finding, LintContext, finding, table_object};

const API_ROLES: [&str; 3] = ["anon", "authenticated", "PUBLIC"];
const WRITES: [&str; 4] = ["INSERT", "UPDATE", "DELETE", "TRUNCATE"];

/// Read-only for the API roles: the shape schemaforge gives public reference data
/// (`REVOKE ALL …; GRANT SELECT … TO anon, authenticated`), so a live database keeps that
/// choice visible without the design file.
fn read_only_for_api(table: &Table) -> bool {
    let grants = |privilege: &str| API_ROLES.iter().any(|r| table.has_privilege(r, privilege));
    grants("SELECT") && !WRITES.iter().any(|w| grants(w))
}

fn is_reference(context: &LintContext, table: &Table) -> bool {
    context
        .public_reference
        .iter()
        .any(|q| q.schema == table.schema && q.name == table.name)
        || read_only_for_api(table)
}

pub(super) fn table_rules(context: &LintContext, table: &Table, out: &mut Vec<Finding>) {
    let object = table_object(table);
    let q = crate::sql::qualified(&table.schema, &table.name);
    let plain = matches!(table.kind, TableKind::Table | TableKind::PartitionedTable);
    if plain && table.partition_of.is_none() {
        if !table.rls_enabled && context.is_exposed(&table.schema) && !is_reference(context, table)
        {
            out.push(finding(
                "rls_disabled_in_public",
                object.clone(),
                format!(
                    "{object} is reachable through the API but has row-level security off: anyone with the anon key can read and change every row"
                ),
                format!(
                    "ALTER TABLE {q} ENABLE ROW LEVEL SECURITY and add policies (a template in phase 4), or mark the table public_reference if everyone may read it"
                ),
            ));
        }
        if !table.rls_enabled && !table.policies.is_empty() {
            out.push(finding(
                "policy_exists_rls_disabled",
                object.clone(),
                format!(
                    "{object} has {} polic{} but row-level security is off, so none of them applies",
                    table.policies.len(),
                    if table.policies.len() == 1 { "y" } else { "ies" }
                ),
                format!("ALTER TABLE {q} ENABLE ROW LEVEL SECURITY"),
            ));
        }
        if table.rls_enabled && table.policies.is_empty() {
            out.push(finding(
                "rls_enabled_no_policy",
                object.clone(),
                format!("{object} has row-level security on and no policy: the API roles see no rows at all"),
                "add policies if the API should reach this table; leave it if only the server uses it".into(),
            ));
        }
        if table.primary_key.is_none() {
            out.push(finding(
                "no_primary_key",
                object.clone(),
                format!("{object} has no primary key: rows cannot be addressed one by one (updates from the API, replication)"),
                format!("add one, e.g. ALTER TABLE {q} ADD COLUMN id uuid PRIMARY KEY DEFAULT gen_random_uuid()"),
            ));
        }
        unindexed_foreign_keys(table, &object, out);
        duplicate_indexes(table, &object, out);
    }
    if table.kind == TableKind::View && context.is_exposed(&table.schema) && !table.security_invoker
    {
        out.push(finding(
            "security_definer_view",
            object.clone(),
            format!("{object} runs with its owner's rights, so it reads the underlying tables past their row-level security"),
            format!("ALTER VIEW {q} SET (security_invoker = true)"),
        ));
    }
}

fn unindexed_foreign_keys(table: &Table, object: &str, out: &mut Vec<Finding>) {
    for fk in &table.foreign_keys {
        // A partial index holds only some rows, so a cascade or a join on the others scans.
        let covered = table.indexes.iter().any(|i| {
            !i.definition.contains(" WHERE ")
                && i.columns.len() >= fk.columns.len()
                && fk
                    .columns
                    .iter()
                    .all(|c| i.columns[..fk.columns.len()].contains(c))
        });
        if !covered {
            let columns: Vec<String> = fk.columns.iter().map(|c| crate::sql::ident(c)).collect();
            out.push(finding(
                "unindexed_foreign_keys",
                format!("{object}.{}", fk.name),
                format!(
                    "the foreign key {} ({}) has no index: deletes on {}.{} and joins scan {object}",
                    fk.name,
                    fk.columns.join(", "),
                    fk.references_schema,
                    fk.references_table
                ),
                format!(
                    "CREATE INDEX ON {} ({})",
                    crate::sql::qualified(&table.schema, &table.name),
                    columns.join(", ")
                ),
            ));
        }
    }
}

/// What an index does, without its name: uniqueness plus the definition after `ON table`
/// (method, keys, INCLUDE, predicate), tokens compared without quoting or case.
pub(crate) fn index_key(unique: bool, definition: &str) -> Option<String> {
    thread_local! {
        static KEYS: crate::memo::Memo<Option<String>> = Default::default();
    }
    let rest = crate::memo::remembered(&KEYS, definition, index_key_rest)?;
    Some(format!("{unique} {rest}"))
}

/// The definition after `ON table`, tokens joined by single spaces.
fn index_key_rest(definition: &str) -> Option<String> {
    let tokens: Vec<Token> = tokens(definition)
        .ok()?
        .into_iter()
        .map(|(t, _)| t)
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    let on = tokens.iter().position(|t| is_word(t, "on"))?;
    let mut i = on + 1;
    if tokens.get(i).is_some_and(|t| is_word(t, "only")) {
        i += 1;
    }
    // The table name: words joined by periods.
    i += 1;
    while matches!(tokens.get(i), Some(Token::Period)) {
        i += 2;
    }
    let rest: Vec<String> = tokens[i.min(tokens.len())..]
        .iter()
        .map(|t| match t {
            Token::Word(w) if w.quote_style.is_none() => w.value.to_lowercase(),
            Token::Word(w) => w.value.clone(),
            other => other.to_string(),
        })
        .collect();
    Some(rest.join(" "))
}

fn duplicate_indexes(table: &Table, object: &str, out: &mut Vec<Finding>) {
    let keyed: Vec<(&str, Option<String>)> = table
        .indexes
        .iter()
        .map(|i| (i.name.as_str(), index_key(i.unique, &i.definition)))
        .collect();
    for (n, (name, key)) in keyed.iter().enumerate() {
        let Some(key) = key else { continue };
        let same: Vec<&str> = keyed[n + 1..]
            .iter()
            .filter(|(_, k)| k.as_ref() == Some(key))
            .map(|(other, _)| *other)
            .collect();
        let first_of_group = !keyed[..n].iter().any(|(_, k)| k.as_ref() == Some(key));
        if !same.is_empty() && first_of_group {
            out.push(finding(
                "duplicate_index",
                format!("{object}.{name}"),
                format!(
                    "{name} and {} index {object} identically: every write pays for both",
                    same.join(", ")
                ),
                format!(
                    "keep one: DROP INDEX {}",
                    crate::sql::qualified(&table.schema, same[0])
                ),
            ));
        }
    }
}
