//! The audit options: who may read the shared audit table, and tables that can be audited.

use super::diagnostics::{Diagnostic, index_path, key_path};
use super::model::Design;
use super::names::{AUDIT_TABLE, NameKind, derive_db_name};
use super::validate::check_roles;

pub(super) fn check_audit(design: &Design, out: &mut Vec<Diagnostic>) {
    check_roles(&design.audit_readers, "audit_readers", out);
    let audited = design.tables.iter().any(|t| t.audit);
    for (ri, role) in design.audit_readers.iter().enumerate() {
        let path = index_path("audit_readers", ri);
        match role.as_str() {
            "anon" | "public" | "PUBLIC" => out.push(
                Diagnostic::error(
                    path,
                    format!(
                        "\"{role}\" is everyone, signed in or not: the audit log holds the old and \
                         new values of every audited row"
                    ),
                )
                .suggest("name the roles of the people who review changes"),
            ),
            "authenticated" => out.push(Diagnostic::warning(
                path,
                "every signed-in user could read the audit log: the old and new values of every \
                 audited row, whatever the tables' own policies allow them",
            )),
            _ => {}
        }
    }
    if !design.audit_readers.is_empty() && !audited {
        out.push(Diagnostic::warning(
            "audit_readers",
            "no table has \"audit\": true, so there is no audit log to read",
        ));
    }
    for (ti, table) in design.tables.iter().enumerate() {
        let tpath = index_path("tables", ti);
        let db_name = table
            .db_name
            .clone()
            .unwrap_or_else(|| derive_db_name(&table.name, NameKind::Table));
        if audited && db_name == AUDIT_TABLE {
            out.push(
                Diagnostic::error(
                    key_path(&tpath, "name"),
                    format!(
                        "\"{AUDIT_TABLE}\" is the shared audit table the tables with audit write to"
                    ),
                )
                .suggest("give this table another name"),
            );
        }
        let keyless = !table.system_fields && !table.fields.iter().any(|f| f.options.primary_key);
        if table.audit && keyless {
            out.push(
                Diagnostic::error(
                    key_path(&tpath, "audit"),
                    "an audited table needs a key to name the changed row: it has no system fields and no field marked primary_key",
                )
                .suggest("mark its key field primary_key"),
            );
        }
    }
}
