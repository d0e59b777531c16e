//! The log file: `<data dir>/schemaforge.log`, never the terminal (the TUI owns it).

use std::fs::{File, OpenOptions};
use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::filter::LevelFilter;

/// `--log-level`: how much goes to the log file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogLevel {
    Off,
    Error,
    Warn,
    #[default]
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    fn filter(self) -> LevelFilter {
        match self {
            LogLevel::Off => LevelFilter::OFF,
            LogLevel::Error => LevelFilter::ERROR,
            LogLevel::Warn => LevelFilter::WARN,
            LogLevel::Info => LevelFilter::INFO,
            LogLevel::Debug => LevelFilter::DEBUG,
            LogLevel::Trace => LevelFilter::TRACE,
        }
    }
}

/// A log file past this size at start-up is set aside as `schemaforge.log.1`.
const ROTATE_AT_BYTES: u64 = 10 * 1024 * 1024;

/// Appends log lines to `<data dir>/schemaforge.log`. A file that cannot be opened means no
/// log, silently: a message on the terminal could land inside the TUI.
pub fn install(level: LogLevel) {
    if level == LogLevel::Off {
        return;
    }
    let Some(dir) = crate::config::data_dir() else {
        return;
    };
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let Ok(file) = open_rotated(&dir.join("schemaforge.log"), ROTATE_AT_BYTES) else {
        return;
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_target(true)
        .with_max_level(level.filter())
        .try_init();
}

/// Opens `path` for appending; first, if it is over `limit` bytes, renames it to
/// `<path>.1` (replacing an older one), so the log never grows without bound and the last
/// run's lines are still there.
fn open_rotated(path: &Path, limit: u64) -> std::io::Result<File> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() > limit) {
        let mut older = path.as_os_str().to_owned();
        older.push(".1");
        // A log that cannot be set aside is still appended to: a big log beats none.
        let _ = std::fs::rename(path, older);
    }
    OpenOptions::new().create(true).append(true).open(path)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn temp_dir(label: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("schemaforge-rotate-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_log_over_the_limit_is_set_aside_and_a_new_one_started() {
        let dir = temp_dir("big");
        let log = dir.join("schemaforge.log");
        std::fs::write(&log, "x".repeat(101)).unwrap();
        std::fs::write(dir.join("schemaforge.log.1"), "the older one").unwrap();
        let mut file = open_rotated(&log, 100).unwrap();
        file.write_all(b"fresh\n").unwrap();
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "fresh\n");
        assert_eq!(
            std::fs::read_to_string(dir.join("schemaforge.log.1")).unwrap(),
            "x".repeat(101),
            "the big log replaced the older one"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_log_within_the_limit_is_appended_to() {
        let dir = temp_dir("small");
        let log = dir.join("schemaforge.log");
        std::fs::write(&log, "x".repeat(100)).unwrap();
        let mut file = open_rotated(&log, 100).unwrap();
        file.write_all(b"more\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            format!("{}more\n", "x".repeat(100))
        );
        assert!(!dir.join("schemaforge.log.1").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_missing_log_is_created() {
        let dir = temp_dir("missing");
        let log = dir.join("schemaforge.log");
        open_rotated(&log, ROTATE_AT_BYTES).unwrap();
        assert!(log.exists());
        assert_eq!(ROTATE_AT_BYTES, 10 * 1024 * 1024);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
