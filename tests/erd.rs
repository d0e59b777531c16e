//! `schemaforge erd`: every example design drawn in all three formats (snapshots); the SVG is
//! well-formed, self-contained XML; linking tables collapse to many-to-many edges; a live
//! Supabase-style schema (bigint keys, a self-reference, a composite key, a reference to
//! auth.users, hostile names) drawn through the real binary; and the README's diagram is the
//! example design's (`SCHEMAFORGE_UPDATE_README=1 cargo test --test erd` rewrites it).
mod common;
mod tui_support;

use std::path::{Path, PathBuf};

use common::{assert_success, cli, test_db};
use quick_xml::events::Event;
use schemaforge::erd::model::Columns;
use schemaforge::erd::{Cardinality, Diagram, Format, design_diagram};

const FORMATS: [(Format, &str); 3] = [
    (Format::Mermaid, "mermaid"),
    (Format::Dot, "dot"),
    (Format::Svg, "svg"),
];

fn example_designs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = ["assets/examples", "examples"]
        .iter()
        .filter_map(|dir| std::fs::read_dir(root.join(dir)).ok())
        .flatten()
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "the examples are found: {files:?}");
    files
}

fn design_alone(file: &Path) -> Diagram {
    design_alone_with(file, Columns::All)
}

fn design_alone_with(file: &Path, columns: Columns) -> Diagram {
    let text = std::fs::read_to_string(file).unwrap();
    let (design, _) = schemaforge::design::parse(&text).unwrap();
    design_diagram(&design, None, &[], columns)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// The text of every text node and attribute value, unescaped, after checking the document
/// is well-formed XML with an `<svg>` root and nothing that loads from elsewhere.
fn parse_svg(svg: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(svg);
    reader.config_mut().check_end_names = true;
    let mut texts = Vec::new();
    let mut root = None;
    let mut depth = 0i32;
    // Text and entity references between two tags are one text node.
    let mut current = String::new();
    loop {
        let event = reader.read_event();
        if !matches!(event, Ok(Event::Text(_) | Event::GeneralRef(_))) && !current.is_empty() {
            texts.push(std::mem::take(&mut current));
        }
        match event {
            Ok(Event::Start(e)) => {
                depth += 1;
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                root.get_or_insert(name.clone());
                assert!(
                    !["script", "style", "image", "use", "foreignObject"].contains(&name.as_str()),
                    "self-contained: no <{name}>"
                );
                for a in e.attributes() {
                    let a = a.expect("well-formed attribute");
                    let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                    assert!(!key.contains("href"), "self-contained: no {key}");
                }
            }
            Ok(Event::Empty(e)) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                assert!(!["script", "style", "image", "use"].contains(&name.as_str()));
                for a in e.attributes() {
                    let a = a.expect("well-formed attribute");
                    let value = a.unescape_value().expect("escaped attribute").into_owned();
                    assert!(!value.contains("url("), "self-contained: {value}");
                }
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Text(t)) => current.push_str(&t.decode().expect("text")),
            Ok(Event::GeneralRef(r)) => {
                let name = r.decode().expect("reference").into_owned();
                let resolved = match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("an entity SVG does not define: &{other};"),
                };
                current.push_str(resolved);
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("the SVG is not XML at {}: {e}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    assert_eq!(root.as_deref(), Some("svg"));
    texts
}

#[test]
fn every_example_design_is_drawn_in_all_three_formats() {
    for file in example_designs() {
        let diagram = design_alone(&file);
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(
            diagram.entities.iter().any(|e| !e.stub && e.new),
            "{stem}: the design's tables are drawn as new"
        );
        let layout = schemaforge::erd::layout::layout(&diagram);
        for (i, a) in layout.boxes.iter().enumerate() {
            for b in &layout.boxes[i + 1..] {
                assert!(!a.overlaps(b), "{stem}: boxes {a:?} and {b:?} overlap");
            }
            assert!(a.right() <= layout.width && a.bottom() <= layout.height);
        }
        for (format, name) in FORMATS {
            let text = diagram.render(format);
            if format == Format::Svg {
                let texts = parse_svg(&text);
                for e in &diagram.entities {
                    let label = diagram.label(e);
                    assert!(texts.contains(&label), "{stem}: {label} is in the SVG");
                }
            }
            insta::assert_snapshot!(format!("{stem}_{name}"), text);
        }
    }
}

#[test]
fn a_linking_table_is_one_many_to_many_edge() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let diagram = design_alone(&root.join("assets/examples/every_field_type.json"));
    assert!(
        diagram.find("public", "projects_tags").is_none(),
        "the linking table is not a box"
    );
    let many: Vec<_> = diagram
        .relationships
        .iter()
        .filter(|r| r.cardinality == Cardinality::ManyToMany)
        .collect();
    assert_eq!(many.len(), 1, "{:?}", diagram.relationships);
    let r = many[0];
    assert_eq!(
        (
            diagram.entities[r.from].name.as_str(),
            diagram.entities[r.to].name.as_str(),
            r.via.as_deref()
        ),
        ("projects", "tags", Some("projects_tags"))
    );
    let mermaid = diagram.render(Format::Mermaid);
    assert!(
        mermaid.contains("    projects }o--o{ tags : \"via projects_tags\"\n"),
        "{mermaid}"
    );
    // A required many-to-one and a one-to-one from a unique key.
    assert!(
        mermaid.contains("    tasks }o--|| projects : \"project_id\"\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("    tasks |o..o| tasks : \"parent_id\"\n"),
        "{mermaid}"
    );
    let dot = diagram.render(Format::Dot);
    assert!(
        dot.contains("\"projects\" -> \"tags\" [arrowtail=crowodot, arrowhead=crowodot"),
        "{dot}"
    );
}

/// A Supabase-style schema nobody designed with schemaforge.
const LIVE_FIXTURE: &str = r#"
CREATE TABLE public.organisations (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE
);
CREATE TABLE public.employees (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organisation_id bigint NOT NULL REFERENCES public.organisations (id),
    manager_id bigint REFERENCES public.employees (id),
    user_id uuid UNIQUE REFERENCES auth.users (id) ON DELETE SET NULL,
    UNIQUE (organisation_id, id)
);
CREATE TABLE public.shifts (
    organisation_id bigint NOT NULL,
    employee_id bigint NOT NULL,
    starts_at timestamptz NOT NULL,
    PRIMARY KEY (employee_id, starts_at),
    FOREIGN KEY (organisation_id, employee_id) REFERENCES public.employees (organisation_id, id)
);
CREATE TABLE public.skills (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label text);
CREATE TABLE public.employee_skills (
    employee_id bigint REFERENCES public.employees (id) ON DELETE CASCADE,
    skill_id bigint REFERENCES public.skills (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (employee_id, skill_id)
);
CREATE TABLE public.certifications (
    employee_id bigint REFERENCES public.employees (id),
    skill_id bigint REFERENCES public.skills (id),
    level int NOT NULL,
    PRIMARY KEY (employee_id, skill_id)
);
CREATE TABLE public."we""ird <t>&1" (
    "na me""<&>" bigint PRIMARY KEY,
    "sk'ill" bigint REFERENCES public.skills (id)
);
"#;

#[tokio::test]
async fn a_live_schema_is_drawn_through_the_binary() {
    let db = test_db().await;
    db.batch_execute(LIVE_FIXTURE).await.unwrap();
    let mut outputs = Vec::new();
    for (_, name) in FORMATS {
        let out = cli(&db.url, &["erd", "--format", name]);
        assert_success(&out);
        outputs.push(String::from_utf8(out.stdout).unwrap());
    }
    let [mermaid, dot, svg] = outputs.try_into().unwrap();
    for line in [
        // bigint keys, drawn with their types
        "        bigint id PK\n",
        // required many-to-one, optional self-reference
        "    employees }o--|| organisations : \"organisation_id\"\n",
        "    employees }o..o| employees : \"manager_id\"\n",
        // unique reference to the managed auth.users: one-to-one, to a stub
        "    employees |o..o| auth_users : \"user_id\"\n",
        "    auth_users[\"auth.users\"] {\n        uuid id PK\n    }\n",
        // the composite key, one edge
        "    shifts }o--|| employees : \"organisation_id, employee_id\"\n",
        // the linking table collapsed
        "    employees }o--o{ skills : \"via employee_skills\"\n",
    ] {
        assert!(mermaid.contains(line), "{line:?} in\n{mermaid}");
    }
    assert!(!mermaid.contains("employee_skills["), "{mermaid}");
    // Two keys forming the primary key plus a column of its own: a table, not a link.
    assert!(
        mermaid.contains("    certifications[\"certifications\"] {\n")
            && mermaid.contains("    certifications }o--|| skills : \"skill_id\"\n"),
        "{mermaid}"
    );
    assert!(
        !mermaid.contains("auth_users[\"auth.users\"] {\n        uuid id PK\n        "),
        "auth.users is a stub with its key only:\n{mermaid}"
    );
    assert_hostile_names_escaped(&mermaid, &dot, &svg);
    insta::assert_snapshot!("live_supabase_style_mermaid", mermaid);

    // --columns keys keeps only key columns; a --schema with nothing in it draws nothing.
    let keys = cli(&db.url, &["erd", "--columns", "keys"]);
    assert_success(&keys);
    let keys = String::from_utf8(keys.stdout).unwrap();
    assert!(
        !keys.contains(" label ") && keys.contains("bigint id PK"),
        "{keys}"
    );
    let empty = cli(&db.url, &["erd", "--schema", "nothing_here"]);
    assert_success(&empty);
    assert_eq!(String::from_utf8(empty.stdout).unwrap(), "erDiagram\n");
    assert!(String::from_utf8_lossy(&empty.stderr).contains("no schema \"nothing_here\""));
}

/// The table `we"ird <t>&1` with the column `na me"<&>` in each format.
fn assert_hostile_names_escaped(mermaid: &str, dot: &str, svg: &str) {
    // Mermaid: a bare-word id, the real name as an alias with entity codes; the column a
    // word, its real name in the comment.
    assert!(
        mermaid.contains("    we_ird__t__1[\"we#quot;ird #lt;t#gt;&1\"] {\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("        bigint na_me____ PK \"na me#quot;#lt;&#gt;\"\n"),
        "{mermaid}"
    );
    for line in mermaid.lines().skip(1) {
        assert_eq!(
            line.matches('"').count() % 2,
            0,
            "quotes are balanced: {line}"
        );
    }
    // DOT: a quoted id with \" and an HTML-escaped label.
    assert!(dot.contains("    \"we\\\"ird <t>&1\" [label=<"), "{dot}");
    assert!(dot.contains("<b>we&quot;ird &lt;t&gt;&amp;1</b>"), "{dot}");
    assert!(dot.contains(">na me&quot;&lt;&amp;&gt;</td>"), "{dot}");
    // SVG: well-formed, and the names read back exactly.
    let texts = parse_svg(svg);
    assert!(texts.iter().any(|t| t == "we\"ird <t>&1"), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.starts_with("na me\"<&> bigint")),
        "{texts:?}"
    );
}

#[test]
fn a_design_alone_is_drawn_without_connecting() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_schemaforge"))
        .env_remove("DATABASE_URL")
        .args(["erd", "--format", "svg"])
        .arg(root.join("assets/examples/todos.json"))
        .output()
        .unwrap();
    assert_success(&out);
    let texts = parse_svg(&String::from_utf8(out.stdout).unwrap());
    assert!(texts.iter().any(|t| t == "todos") && texts.iter().any(|t| t == "auth.users"));
}

#[test]
fn a_design_with_errors_is_refused_with_its_diagnostics() {
    let dir = std::env::temp_dir().join(format!("schemaforge-erd-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let design = dir.join("bad.json");
    std::fs::write(
        &design,
        r#"{"tables": [{"name": "Todos", "fields": [{"name": "title", "type": "singleLineText"}]}],
            "relationships": [{"table": "nope", "name": "owner", "target": "todos"}]}"#,
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_schemaforge"))
        .env_remove("DATABASE_URL")
        .args(["erd", design.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.contains("bad.json"), "{stderr}");
}

#[tokio::test]
async fn a_design_and_a_database_draw_the_database_after_the_design() {
    let db = test_db().await;
    db.batch_execute(LIVE_FIXTURE).await.unwrap();
    let dir = std::env::temp_dir().join(format!("schemaforge-erd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let design = dir.join("rota.json");
    std::fs::write(
        &design,
        r#"{"schema": "public",
            "tables": [{"name": "Rotas", "fields": [{"name": "title", "type": "singleLineText"}]}],
            "relationships": [
              {"table": "rotas", "name": "organisation", "target": "organisations", "required": true},
              {"table": "rotas", "name": "skills", "target": "skills", "allow_multiple": true}
            ]}"#,
    )
    .unwrap();
    let out = cli(&db.url, &["erd", design.to_str().unwrap()]);
    assert_success(&out);
    let mermaid = String::from_utf8(out.stdout).unwrap();
    for line in [
        "    rotas[\"rotas\"] {\n",
        "    rotas }o--|| organisations : \"organisation_id\"\n",
        "    rotas }o--o{ skills : \"via rotas_skills\"\n",
        // the live tables it points to, in full
        "    organisations[\"organisations\"] {\n        bigint id PK\n        text name UK\n    }\n",
    ] {
        assert!(mermaid.contains(line), "{line:?} in\n{mermaid}");
    }
    assert!(
        !mermaid.contains("employees["),
        "live tables the design does not mention are left out:\n{mermaid}"
    );
    // With --schema public, the rest of the schema too.
    let out = cli(
        &db.url,
        &["erd", design.to_str().unwrap(), "--schema", "public"],
    );
    assert_success(&out);
    let whole = String::from_utf8(out.stdout).unwrap();
    assert!(
        whole.contains("employees[") && whole.contains("rotas["),
        "{whole}"
    );
    // Nothing was applied.
    assert_eq!(
        common::scalar(&db, "SELECT to_regclass('public.rotas')::text").await,
        None
    );
}

#[test]
fn the_relations_pane_draws_the_same_model_in_text() {
    use schemaforge::erd::text::{TextLine, neighbourhood};
    let catalog = tui_support::catalog();
    let mut app = tui_support::app("dark", catalog.clone(), 160, 45);
    schemaforge::tui::update(
        &mut app,
        schemaforge::tui::Message::Terminal(crossterm::event::Event::Key(
            crossterm::event::KeyEvent::new(
                crossterm::event::KeyCode::Char('3'),
                crossterm::event::KeyModifiers::NONE,
            ),
        )),
    );
    let screen =
        schemaforge::tui::view::buffer_text(&schemaforge::tui::view::render(&app, 160, 45));
    let resolved = app
        .model
        .analysis
        .resolved
        .as_ref()
        .expect("the example resolves");
    let plan = &app.model.plan.as_ref().expect("and plans").plan;
    let diagram = schemaforge::erd::from_design::neighbourhood_diagram(resolved, &catalog, plan);
    let todos = diagram.find("public", "todos").expect("todos is drawn");
    let lines = neighbourhood(&diagram, todos, &|_| true);
    let arrows: Vec<String> = lines
        .iter()
        .filter_map(|l| match l {
            TextLine::Arrow { from, to, .. } => Some(format!("{} ─▶ {to}", from.trim())),
            _ => None,
        })
        .collect();
    assert!(!arrows.is_empty(), "{lines:?}");
    for arrow in arrows {
        assert!(screen.contains(&arrow), "{arrow} is on the pane:\n{screen}");
    }
    // The CLI's diagram of the same design has the same edge.
    let mermaid = diagram.render(Format::Mermaid);
    assert!(
        mermaid.contains("todos }o..o| projects : \"project_id\""),
        "{mermaid}"
    );
}

const BEGIN: &str = "<!-- BEGIN ERD -->";
const END: &str = "<!-- END ERD -->";

#[test]
fn the_readme_diagram_is_the_example_design() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let diagram = design_alone_with(
        &root.join("assets/examples/every_field_type.json"),
        Columns::Keys,
    );
    let generated = format!("```mermaid\n{}```", diagram.render(Format::Mermaid));
    let path = root.join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let (Some(start), Some(end)) = (readme.find(BEGIN), readme.find(END)) else {
        panic!("README.md has no {BEGIN} … {END} section");
    };
    let section = &readme[start + BEGIN.len()..end];
    if std::env::var_os("SCHEMAFORGE_UPDATE_README").is_some() {
        let updated = format!(
            "{}{BEGIN}\n{}\n{}",
            &readme[..start],
            generated.trim(),
            &readme[end..]
        );
        std::fs::write(&path, updated).expect("write README.md");
        return;
    }
    assert_eq!(
        section.trim(),
        generated.trim(),
        "the README's diagram differs from `schemaforge erd --columns keys \
         assets/examples/every_field_type.json`; run SCHEMAFORGE_UPDATE_README=1 cargo test --test erd"
    );
}
