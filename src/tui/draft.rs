//! Drafts: the design being edited autosaves, atomically, in
//! `data_dir()/drafts/<host_port_db>.json`, one per database, so a crash or a closed
//! terminal loses nothing. The file name comes from the redacted connection description
//! and the file holds only the design, so no password is ever written.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::design::{self, Design};

/// `alice@db.example.com:5432/app` → `db.example.com_5432_app`: the user is dropped (a
/// draft belongs to the database), anything outside `[A-Za-z0-9._-]` becomes `_`.
pub fn file_name(connection: &str) -> String {
    let place = connection.rsplit_once('@').map_or(connection, |(_, p)| p);
    let mut name: String = place
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    name = name.trim_matches('.').to_owned();
    if name.is_empty() {
        name = "default".into();
    }
    format!("{name}.json")
}

/// Where the draft for `connection` lives under `data_dir`.
pub fn path(data_dir: &Path, connection: &str) -> PathBuf {
    data_dir.join("drafts").join(file_name(connection))
}

/// Temp files of one draft are `.<draft file name>.tmp-<pid>-<n>`, in the draft's directory
/// (a rename is atomic only within one file system).
fn temp_prefix(path: &Path) -> String {
    format!(
        ".{}.tmp-",
        path.file_name().unwrap_or_default().to_string_lossy()
    )
}

/// The directory `path` is in: `.` for a bare file name (whose parent is the empty path,
/// which cannot be opened to sync).
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Writes `text` to a temp file beside `path`, syncs it, renames it over the draft and
/// syncs the directory: after a crash, `kill -9` or power loss the draft is the old one or
/// the new one, never half of one, so at most the last edit is lost. Temp files left by
/// writers that died are removed.
pub fn save_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = directory_of(path);
    std::fs::create_dir_all(dir)?;
    remove_dead_writers_temps(path);
    let tmp = dir.join(format!(
        "{}{}-{}",
        temp_prefix(path),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    // The rename itself reaches the disk only with the directory.
    std::fs::File::open(dir)?.sync_all()
}

/// Removes this draft's temp files whose writing process no longer runs (a live one, say
/// a second schemaforge on the same database, is mid-save and keeps its file).
fn remove_dead_writers_temps(path: &Path) {
    let (dir, prefix) = (directory_of(path), temp_prefix(path));
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<i32>().ok())
        else {
            continue;
        };
        let alive = pid as u32 == std::process::id()
            || matches!(
                nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None),
                Ok(()) | Err(nix::errno::Errno::EPERM)
            );
        if !alive {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// What was found where a draft is kept.
#[derive(Debug, PartialEq)]
pub enum DraftLoad {
    /// No draft for this database.
    None,
    Loaded(Design),
    /// The draft could not be read as a design (truncated, garbage, another shape or
    /// format); it was moved to `path` so that nothing overwrites it.
    MovedAside {
        path: PathBuf,
        reason: String,
    },
    /// The draft could not be read nor moved aside (permissions, a directory in its place):
    /// drafts must stay off for the session, or the next autosave would overwrite it.
    Unusable {
        reason: String,
    },
}

impl DraftLoad {
    /// What to tell the user on start, if anything.
    pub fn notice(&self, draft: &Path) -> Option<String> {
        match self {
            DraftLoad::None | DraftLoad::Loaded(_) => None,
            DraftLoad::MovedAside { path, reason } => Some(format!(
                "the draft could not be read and was moved to {} ({reason})",
                path.display()
            )),
            DraftLoad::Unusable { reason } => Some(format!(
                "autosave is off: the draft {} could not be read ({reason})",
                draft.display()
            )),
        }
    }
}

/// Reads the draft at `path`. One that cannot be read as a design is moved aside to
/// `<name>.corrupt-<UTC time>.json` rather than ignored, since the next autosave would
/// overwrite it.
pub fn load(path: &Path) -> DraftLoad {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return DraftLoad::None,
        Err(e) => {
            return DraftLoad::Unusable {
                reason: e.to_string(),
            };
        }
    };
    let reason = match String::from_utf8(bytes) {
        Err(_) => "not UTF-8 text".to_owned(),
        Ok(text) if text.trim().is_empty() => "the file is empty".to_owned(),
        Ok(text) => match design::parse(&text) {
            Ok((design, _)) => return DraftLoad::Loaded(design),
            Err(diagnostics) => diagnostics
                .first()
                .map_or_else(|| "not a design".to_owned(), ToString::to_string),
        },
    };
    match move_aside(path) {
        Ok(moved) => DraftLoad::MovedAside {
            path: moved,
            reason,
        },
        Err(e) => DraftLoad::Unusable {
            reason: format!("{reason}; moving it aside failed: {e}"),
        },
    }
}

/// Renames the draft to a free `<stem>.corrupt-<UTC time>[-n].json` beside it.
fn move_aside(path: &Path) -> std::io::Result<PathBuf> {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let stamp = utc_stamp(SystemTime::now());
    for n in 1.. {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        let aside = path.with_file_name(format!("{stem}.corrupt-{stamp}{suffix}.json"));
        // A hard link never replaces an existing file, unlike a rename.
        match std::fs::hard_link(path, &aside) {
            Ok(()) => {
                std::fs::remove_file(path)?;
                return Ok(aside);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    unreachable!("some suffix is free")
}

/// `20261129T203722Z`: UTC, sortable, and valid in a file name everywhere.
fn utc_stamp(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let ((year, month, day), rest) = civil(secs);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// `("2026-11-29", "20:37")`: the UTC date and time of `secs` since 1970, for people.
pub fn utc_date_time(secs: u64) -> (String, String) {
    let ((year, month, day), rest) = civil(secs as i64);
    (
        format!("{year:04}-{month:02}-{day:02}"),
        format!("{:02}:{:02}", rest / 3600, rest % 3600 / 60),
    )
}

/// Seconds since 1970 to a UTC (year, month, day) and the seconds into that day.
fn civil(secs: i64) -> ((i64, i64, i64), i64) {
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    ((year, month, day), rest)
}

/// Looks at the app's draft when the TUI starts, before anything could autosave over it:
/// an unreadable one is moved aside (or autosave turned off) and the status line says
/// where; a readable one is returned for the caller to offer.
pub fn open_on_start(app: &mut super::App) -> Option<Design> {
    let path = app.draft_path.clone()?;
    let outcome = load(&path);
    if let Some(notice) = outcome.notice(&path) {
        app.view.message = Some(notice);
    }
    match outcome {
        DraftLoad::Loaded(design) => Some(design),
        DraftLoad::Unusable { .. } => {
            app.draft_path = None;
            None
        }
        DraftLoad::None | DraftLoad::MovedAside { .. } => None,
    }
}

/// The text a draft file holds: the design, nothing else.
pub fn text(design: &Design) -> String {
    design::save(design)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_per_database_and_never_carry_the_user() {
        assert_eq!(
            file_name("alice@db.example.com:5432/app"),
            "db.example.com_5432_app.json"
        );
        assert_eq!(
            file_name("postgres@/tmp/sock dir:5432/my db"),
            "_tmp_sock_dir_5432_my_db.json"
        );
        assert_eq!(file_name("..@.."), "default.json");
    }

    #[test]
    fn saving_is_atomic_and_round_trips() {
        let dir = std::env::temp_dir().join(format!("schemaforge-draft-{}", std::process::id()));
        let path = path(&dir, "u@h:1/d");
        let design = design::parse(include_str!("../../assets/examples/todos.json"))
            .unwrap()
            .0;
        save_atomically(&path, &text(&design)).unwrap();
        assert_eq!(load(&path), DraftLoad::Loaded(design));
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("schemaforge-draft-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn an_unreadable_draft_is_moved_aside_and_never_overwritten() {
        let todos = include_str!("../../assets/examples/todos.json");
        let cases: [(&str, &[u8], &str); 6] = [
            (
                "truncated",
                &todos.as_bytes()[..todos.len() / 2],
                "invalid JSON",
            ),
            ("garbage", b"\x00\xff\xfe garbage", "not UTF-8"),
            ("empty", b"", "empty"),
            ("shape", b"[1, 2, 3]", ""),
            ("tables", b"{\"tables\": 7}", ""),
            ("version", b"{\"format\": 2, \"tables\": []}", "format"),
        ];
        for (name, bytes, reason_part) in cases {
            let dir = scratch(name);
            let draft = dir.join("h_1_d.json");
            std::fs::write(&draft, bytes).unwrap();
            let DraftLoad::MovedAside { path, reason } = load(&draft) else {
                panic!("{name}: not moved aside");
            };
            assert!(reason.contains(reason_part), "{name}: {reason}");
            assert!(!draft.exists(), "{name}");
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                file.starts_with("h_1_d.corrupt-2") && file.ends_with("Z.json"),
                "{file}"
            );
            assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name}");
            let notice = load_notice(&draft, bytes);
            assert!(notice.contains("moved to"), "{notice}");
            // The next autosave writes a new draft; both moved-aside files are intact.
            save_atomically(&draft, todos).unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name}");
            assert!(matches!(load(&draft), DraftLoad::Loaded(_)));
            std::fs::remove_dir_all(dir).unwrap();
        }
    }

    /// Writes `bytes` as the draft again and returns what the user is told.
    fn load_notice(draft: &Path, bytes: &[u8]) -> String {
        std::fs::write(draft, bytes).unwrap();
        let outcome = load(draft);
        // Same second, same name: the second one gets a suffix instead of replacing it.
        let DraftLoad::MovedAside { path, .. } = &outcome else {
            panic!("{outcome:?}");
        };
        assert!(path.exists());
        outcome.notice(draft).unwrap()
    }

    #[test]
    fn a_draft_that_cannot_even_be_opened_turns_autosave_off() {
        let dir = scratch("dir");
        let draft = dir.join("h_1_d.json");
        std::fs::create_dir_all(&draft).unwrap();
        let outcome = load(&draft);
        assert!(matches!(outcome, DraftLoad::Unusable { .. }), "{outcome:?}");
        assert!(outcome.notice(&draft).unwrap().contains("autosave is off"));
        assert_eq!(load(&dir.join("none.json")), DraftLoad::None);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn temp_files_of_dead_writers_are_cleaned_up() {
        let dir = scratch("temps");
        let draft = dir.join("h_1_d.json");
        // No process has pid 0x7fff_fff0 (above pid_max); this one (ours) is alive.
        let dead = dir.join(".h_1_d.json.tmp-2147483632-0");
        let ours = dir.join(format!(".h_1_d.json.tmp-{}-999", std::process::id()));
        let other = dir.join(".other.json.tmp-2147483632-0");
        for f in [&dead, &ours, &other] {
            std::fs::write(f, "{").unwrap();
        }
        save_atomically(&draft, "{}").unwrap();
        assert!(!dead.exists());
        assert!(ours.exists() && other.exists());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn stamps_are_utc() {
        assert_eq!(utc_stamp(UNIX_EPOCH), "19700101T000000Z");
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_795_984_642);
        assert_eq!(utc_stamp(t), "20261129T203722Z");
        let leap = UNIX_EPOCH + std::time::Duration::from_secs(951_782_400);
        assert_eq!(utc_stamp(leap), "20000229T000000Z");
    }
}
