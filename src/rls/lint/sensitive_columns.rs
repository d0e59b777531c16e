//! `sensitive_columns_exposed`: a table the API serves with row-level security off, readable
//! by an API role, whose column names say they hold credentials or personal data.

use crate::catalog::{Catalog, Table, TableKind};

use super::{Finding, LintContext, api_readers, finding, table_object};

/// Column names (lower case, `-` read as `_`) that usually hold secrets or personal data.
const SENSITIVE: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "secret_key",
    "private_key",
    "api_key",
    "apikey",
    "auth_key",
    "token",
    "jwt",
    "access_token",
    "refresh_token",
    "oauth_token",
    "session_token",
    "bearer_token",
    "auth_code",
    "session_id",
    "session_key",
    "session_secret",
    "recovery_code",
    "backup_code",
    "verification_code",
    "otp",
    "two_factor",
    "2fa_secret",
    "2fa_code",
    "ssn",
    "social_security",
    "social_security_number",
    "driver_license",
    "drivers_license",
    "license_number",
    "passport_number",
    "passport_id",
    "national_id",
    "tax_id",
    "credit_card",
    "card_number",
    "cvv",
    "cvc",
    "cvn",
    "bank_account",
    "account_number",
    "routing_number",
    "iban",
    "swift_code",
    "bic",
    "health_record",
    "medical_record",
    "patient_id",
    "insurance_number",
    "health_insurance",
    "medical_insurance",
    "treatment",
    "mac_address",
    "macaddr",
    "imei",
    "device_uuid",
    "pgp_key",
    "gpg_key",
    "ssh_key",
    "certificate",
    "license_key",
    "activation_key",
    "facial_recognition",
];

pub(super) fn sensitive_column_rules(
    catalog: &Catalog,
    context: &LintContext,
    table: &Table,
    out: &mut Vec<Finding>,
) {
    if !matches!(table.kind, TableKind::Table | TableKind::PartitionedTable)
        || table.rls_enabled
        || !context.is_exposed(&table.schema)
    {
        return;
    }
    let readers = api_readers(catalog, table);
    if readers.is_empty() {
        return;
    }
    let columns: Vec<&str> = table
        .columns
        .iter()
        .filter(|c| SENSITIVE.contains(&c.name.to_lowercase().replace('-', "_").as_str()))
        .map(|c| c.name.as_str())
        .collect();
    if columns.is_empty() {
        return;
    }
    let object = table_object(table);
    out.push(finding(
        "sensitive_columns_exposed",
        object.clone(),
        format!(
            "{object} has row-level security off, {} may read it through the API, and its columns {} look like credentials or personal data",
            readers.join(" and "),
            columns.join(", ")
        ),
        format!(
            "ALTER TABLE {} ENABLE ROW LEVEL SECURITY with policies, or move those columns to a table the API cannot read",
            crate::sql::qualified(&table.schema, &table.name)
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{LintContext, lint};

    fn found(rls: bool, name: &str) -> usize {
        let mut t = table("public", "accounts");
        t.rls_enabled = rls;
        t.policies.clear();
        t.columns.push(column(name, true, None));
        lint(&catalog(vec![t]), &LintContext::live())
            .into_iter()
            .filter(|f| f.rule == "sensitive_columns_exposed")
            .count()
    }

    #[test]
    fn a_password_column_in_an_open_table_is_reported() {
        assert_eq!(found(false, "password"), 1);
        assert_eq!(found(false, "API-KEY"), 1);
    }

    #[test]
    fn rls_on_or_harmless_names_are_fine() {
        assert_eq!(found(true, "password"), 0);
        assert_eq!(found(false, "password_hint_shown"), 0);
    }
}
