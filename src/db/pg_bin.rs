//! Finding the PostgreSQL server programs (`initdb`, `postgres`) on this machine.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the server programs live, and the places that were searched when they were not found.
pub fn find_bin_dir() -> Result<PathBuf, Vec<PathBuf>> {
    let mut searched = Vec::new();
    let mut candidates: Vec<PathBuf> = Vec::new();
    // An explicit choice is the only candidate: never silently run another version.
    if let Some(dir) = std::env::var_os("SCHEMAFORGE_PG_BIN") {
        let dir = PathBuf::from(dir);
        return if dir.join("initdb").is_file() && dir.join("postgres").is_file() {
            Ok(dir)
        } else {
            Err(vec![dir])
        };
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let initdb = dir.join("initdb");
            if initdb.is_file() {
                // A symlinked initdb (Debian's wrappers, /usr/local/bin links) points at the real bindir.
                let real = std::fs::canonicalize(&initdb).unwrap_or(initdb);
                candidates.extend(real.parent().map(Path::to_path_buf));
                candidates.push(dir);
            }
        }
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        candidates.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    }
    candidates.extend(versioned_dirs("/usr/lib/postgresql", "bin"));
    candidates.extend(
        versioned_dirs("/usr/local/opt", "bin")
            .into_iter()
            .filter(|d| d.to_string_lossy().contains("postgresql")),
    );
    candidates.extend(
        [
            "/usr/local/pgsql/bin",
            "/opt/homebrew/bin",
            "/usr/local/bin",
        ]
        .map(PathBuf::from),
    );

    for dir in candidates {
        if dir.join("initdb").is_file() && dir.join("postgres").is_file() {
            return Ok(dir);
        }
        if !searched.contains(&dir) {
            searched.push(dir);
        }
    }
    Err(searched)
}

/// `<root>/<version>/<leaf>` for every version, newest first.
fn versioned_dirs(root: &str, leaf: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut dirs: Vec<(Vec<u32>, PathBuf)> = entries
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let version = name
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|p| p.parse().ok())
                .collect();
            (version, e.path().join(leaf))
        })
        .collect();
    dirs.sort_by(|a, b| b.0.cmp(&a.0));
    dirs.into_iter().map(|(_, d)| d).collect()
}
