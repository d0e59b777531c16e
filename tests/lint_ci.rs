//! schemaforge in CI, through the real binary against PostgreSQL: `plan --check` for a drift
//! job, `lint --format sarif` for code scanning, `lint --format github` for annotations.
mod common;

use common::test_db;

/// A design with a lint error (RLS off in public), design warnings (with JSON paths) and a
/// policy whose name holds a comma and a colon.
const DESIGN: &str = r#"{
  "tables": [
    {"name": "Notes", "fields": [{"name": "Body", "type": "multiLineText"}],
     "rls_enabled": false},
    {"name": "Todos", "fields": [{"name": "Title", "type": "singleLineText", "is_primary": true}],
     "rls_policies": [{"name": "Own, only: yes", "operation": "ALL", "using_expression": "created_by = auth.uid()"}]}
  ]
}
"#;

fn design_file(db: &common::TestDb) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-lint-ci-{}-{}",
        std::process::id(),
        db.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("ci design.json");
    std::fs::write(&file, DESIGN).unwrap();
    file
}

#[tokio::test]
async fn plan_check_is_silent_and_exits_3_only_while_the_database_differs() {
    let db = test_db().await;
    let design = format!("{}/assets/examples/todos.json", env!("CARGO_MANIFEST_DIR"));

    let out = common::cli(&db.url, &["plan", &design, "--check"]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "plan --check prints nothing: {out:?}"
    );

    common::assert_success(&common::cli(&db.url, &["apply", &design, "--yes"]));
    let out = common::cli(&db.url, &["plan", &design, "--check"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");

    // Drift after the fact: someone drops a column by hand.
    db.batch_execute("ALTER TABLE public.todos DROP COLUMN completed")
        .await
        .unwrap();
    let out = common::cli(&db.url, &["plan", &design, "--check"]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");

    // A design that is not a design is still a usage error, said on stderr.
    let out = common::cli(&db.url, &["plan", "/nonexistent/design.json", "--check"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty() && !out.stderr.is_empty(), "{out:?}");
}

#[tokio::test]
async fn lint_sarif_is_a_sarif_2_1_0_log_pointing_into_the_design() {
    let db = test_db().await;
    let file = design_file(&db);
    let out = common::cli(
        &db.url,
        &["lint", file.to_str().unwrap(), "--format", "sarif"],
    );
    assert_eq!(
        out.status.code(),
        Some(4),
        "an error-level finding: {out:?}"
    );
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");

    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "schemaforge");
    let rules: Vec<&str> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let results = runs[0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let rule = result["ruleId"].as_str().unwrap();
        assert!(rules.contains(&rule), "{rule} is declared in rules");
        assert_eq!(
            rules[result["ruleIndex"].as_u64().unwrap() as usize],
            rule,
            "ruleIndex points at its rule"
        );
        assert!(
            ["error", "warning", "note"].contains(&result["level"].as_str().unwrap()),
            "{result}"
        );
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let location = &result["locations"][0];
        // Every finding of a design run points at the design file.
        assert_eq!(
            location["physicalLocation"]["artifactLocation"]["uri"],
            uri_of(&file).as_str(),
            "{result}"
        );
        assert!(
            location["logicalLocations"][0]["fullyQualifiedName"].is_string(),
            "{result}"
        );
    }
    let rls_off = results
        .iter()
        .find(|r| r["ruleId"] == "rls_disabled_in_public")
        .expect("the lint error is a result");
    assert_eq!(rls_off["level"], "error");
    // public.notes is the design's first table, written on line 3.
    assert_eq!(
        rls_off["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert_eq!(
        rls_off["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "tables[0]"
    );
    let warning = results
        .iter()
        .find(|r| r["ruleId"] == "design" && r["level"] == "warning")
        .expect("a design warning is a result");
    assert_eq!(
        warning["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "tables[0].rls_enabled"
    );
    assert_eq!(
        warning["locations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );

    // The live database alone: a logical location (the object), no file.
    db.batch_execute("CREATE TABLE public.loose (id int PRIMARY KEY)")
        .await
        .unwrap();
    let out = common::cli(&db.url, &["lint", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let loose = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "rls_disabled_in_public")
        .expect("the live table with RLS off is a result");
    let location = &loose["locations"][0];
    assert!(location.get("physicalLocation").is_none(), "{loose}");
    assert_eq!(
        location["logicalLocations"][0]["fullyQualifiedName"],
        "public.loose"
    );
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}

/// The design file's path as the SARIF log writes it (the path as given, escaped).
fn uri_of(file: &std::path::Path) -> String {
    file.to_string_lossy().replace(' ', "%20")
}

#[tokio::test]
async fn lint_github_prints_one_escaped_workflow_command_per_finding() {
    let db = test_db().await;
    let file = design_file(&db);
    let path = file.to_str().unwrap();
    let out = common::cli(&db.url, &["lint", path, "--format", "github"]);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let json = common::cli(&db.url, &["lint", path, "--json"]);
    let findings: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        findings["findings"].as_array().unwrap().len(),
        "one line per finding: {text}"
    );
    let file_property = path.replace(':', "%3A").replace(',', "%2C");
    for line in &lines {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
        assert!(
            line.contains(&format!("file={file_property},line=")),
            "{line}"
        );
        let (properties, message) = line[2..].split_once("::").unwrap();
        assert!(!message.contains('\n') && !message.contains('\r'));
        // Properties never hold a raw ',' inside a value or a ':' at all.
        assert!(!properties.contains(':'), "{properties}");
    }
    assert!(
        lines.iter().any(|l| l.starts_with("::error ")
            && l.contains("title=rls_disabled_in_public public.notes::")),
        "{text}"
    );
    assert!(lines.iter().any(|l| l.contains("%0Afix: ")), "{text}");
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}
