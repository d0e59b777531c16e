//! Drafts under `kill -9`: a process that saves drafts as fast as it can is killed at
//! random moments; the draft on disk always reads back as a design, and no temp file of a
//! dead writer outlives the next save.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use schemaforge::design::{self, Design};
use schemaforge::tui::draft::{self, DraftLoad};

const WRITER: &str = "SCHEMAFORGE_TEST_DRAFT_WRITER";

/// Designs of different sizes, so a torn write would show as truncated JSON.
fn design_with(tables: usize) -> Design {
    let mut design = design::parse(include_str!("../assets/examples/todos.json"))
        .unwrap()
        .0;
    let template = design.tables[0].clone();
    design.tables = (0..tables)
        .map(|i| {
            let mut t = template.clone();
            t.name = format!("Table {i} {}", "x".repeat(i * 37 % 500));
            t
        })
        .collect();
    design
}

/// The writer creates this after its first save, so the kill lands among saves.
fn started(path: &Path) -> PathBuf {
    path.with_file_name("started")
}

/// In the child: saves drafts in a loop until killed.
fn write_forever(path: &Path) -> ! {
    let texts: Vec<String> = [1, 40, 3, 120, 7]
        .into_iter()
        .map(|n| draft::text(&design_with(n)))
        .collect();
    for i in 0.. {
        draft::save_atomically(path, &texts[i % texts.len()]).expect("save");
        if i == 0 {
            std::fs::write(started(path), "").expect("the started mark");
        }
    }
    unreachable!()
}

#[test]
fn a_killed_writer_never_leaves_a_broken_draft() {
    if let Ok(path) = std::env::var(WRITER) {
        write_forever(&PathBuf::from(path));
    }
    let dir = std::env::temp_dir().join(format!("schemaforge-kill9-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("drafts/h_5432_d.json");
    for round in 0..25u64 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "a_killed_writer_never_leaves_a_broken_draft",
                "--nocapture",
            ])
            .env(WRITER, &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !started(&path).exists() {
            assert!(Instant::now() < deadline, "the writer never wrote");
            std::thread::sleep(Duration::from_millis(2));
        }
        // A different moment each round, mid-write most of the time.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos() as u64;
        std::thread::sleep(Duration::from_micros((nanos ^ (round * 7919)) % 5_000));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        std::fs::remove_file(started(&path)).unwrap();
        match draft::load(&path) {
            DraftLoad::Loaded(design) => assert!(!design.tables.is_empty()),
            other => panic!("round {round}: {other:?}"),
        }
    }
    let leftovers = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "h_5432_d.json")
            .collect()
    };
    // The killed writers' temp files go with the next save.
    draft::save_atomically(&path, &draft::text(&design_with(2))).unwrap();
    assert_eq!(leftovers(path.parent().unwrap()), Vec::<String>::new());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_draft_of_a_connection_with_a_password_never_holds_it() {
    use schemaforge::db::{ConnectTarget, Env};
    let urls = [
        "postgresql://alice:pw-s3cr3t-pw@db.example.com:5432/app",
        "postgresql://alice:pw-s3cr3t@pw@db.example.com:5432/app",
        "postgresql://pw-s3cr3t-pw@db.example.com/app",
        "host=db.example.com user=alice password=pw-s3cr3t-pw dbname=app",
        "postgresql://alice@db.example.com/app?password=pw-s3cr3t-pw",
    ];
    let dir = std::env::temp_dir().join(format!("schemaforge-draft-pw-{}", std::process::id()));
    let mut resolved = 0;
    for url in urls {
        let Ok(target) = ConnectTarget::resolve(Some(url), &Env::default()) else {
            continue;
        };
        resolved += 1;
        let path = draft::path(&dir, &target.describe());
        assert!(
            !path.to_string_lossy().contains("s3cr3t"),
            "{url} → {}",
            path.display()
        );
        draft::save_atomically(&path, &draft::text(&design_with(1))).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("s3cr3t"), "{url}");
    }
    assert!(resolved >= 4, "only {resolved} URLs resolved");
    std::fs::remove_dir_all(dir).unwrap();
}
