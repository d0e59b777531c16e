//! The log file: `<data dir>/schemaforge.log`, never the terminal (the TUI owns it).

use std::fs::OpenOptions;
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
    let Ok(file) = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("schemaforge.log"))
    else {
        return;
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_target(true)
        .with_max_level(level.filter())
        .try_init();
}
