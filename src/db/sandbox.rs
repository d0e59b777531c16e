//! A throwaway local PostgreSQL cluster: the embedded default and the test harness's server.
//!
//! The cluster lives in a private temporary directory and is removed when the [`Sandbox`] is
//! dropped — on a normal return, on Ctrl-C handled by the caller, and while a panic unwinds.
//! A small watcher process also removes it if this process dies without unwinding (SIGKILL,
//! `std::process::exit`, statics that are never dropped in a test binary).

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nix::sys::signal::{Signal, kill};
use nix::unistd::{Pid, User};

use super::pg_bin;

/// The superuser every sandbox cluster is created with.
pub const SUPERUSER: &str = "postgres";

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error(
        "no PostgreSQL server programs (initdb, postgres) were found; searched {searched}\n  \
         install them: `apt-get install postgresql` (Debian/Ubuntu), `brew install postgresql` (macOS), \
         or set SCHEMAFORGE_PG_BIN to the directory holding initdb"
    )]
    NoServerBinaries { searched: String },
    #[error(
        "running as root, but neither the `postgres` nor the `nobody` user exists to run the server as"
    )]
    NoUnprivilegedUser,
    #[error("{step} failed: {message}")]
    Step { step: &'static str, message: String },
}

fn step(step: &'static str) -> impl Fn(std::io::Error) -> SandboxError {
    move |e| SandboxError::Step {
        step,
        message: e.to_string(),
    }
}

/// A running throwaway cluster. Dropping it stops the server and removes every file.
pub struct Sandbox {
    dir: PathBuf,
    port: u16,
    server: Option<Child>,
    watcher: Option<Child>,
    /// The superuser's random password, needed only over TCP; kept in memory, never shown.
    password: String,
    pub bin_dir: PathBuf,
    /// Server settings given at start (`-c name=value`), after the sandbox's own.
    settings: Vec<(String, String)>,
}

impl Sandbox {
    /// Creates and starts a cluster listening on 127.0.0.1 on a free port.
    pub fn start() -> Result<Sandbox, SandboxError> {
        Sandbox::start_with_settings(&[])
    }

    /// [`Sandbox::start`] with server settings of the caller's (`max_locks_per_transaction`,
    /// …), for tests of what a differently configured server does.
    pub fn start_with_settings(settings: &[(&str, &str)]) -> Result<Sandbox, SandboxError> {
        let bin_dir =
            pg_bin::find_bin_dir().map_err(|searched| SandboxError::NoServerBinaries {
                searched: searched
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let run_as = server_user()?;
        let dir = private_dir(run_as.as_ref())?;
        let mut sandbox = Sandbox {
            dir,
            port: 0,
            server: None,
            watcher: None,
            password: random_password().map_err(step("making a password"))?,
            bin_dir,
            settings: settings
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        };
        sandbox.watcher = Some(spawn_watcher(&sandbox.dir)?);
        sandbox.init_cluster(run_as.as_ref())?;
        let mut last_error = None;
        for _ in 0..5 {
            match sandbox.start_server(run_as.as_ref()) {
                Ok(()) => return Ok(sandbox),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.expect("at least one attempt"))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The URL schemaforge prints and uses: the Unix socket in the cluster's private (0700)
    /// directory, so only its owner gets in, and without a password.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{SUPERUSER}@/{database}?host={}&port={}&sslmode=disable",
            self.dir.display(),
            self.port
        )
    }

    /// TCP on 127.0.0.1 needs the superuser's password (scram-sha-256): any local user can
    /// reach the port. For tests and tools that need TCP (TLS, password auth); never printed.
    pub fn tcp_url(&self, database: &str) -> String {
        format!(
            "postgres://{SUPERUSER}:{}@127.0.0.1:{}/{database}?sslmode=disable",
            self.password, self.port
        )
    }

    /// The superuser's password (see [`Sandbox::tcp_url`]).
    pub fn superuser_password(&self) -> &str {
        &self.password
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn init_cluster(&self, run_as: Option<&User>) -> Result<(), SandboxError> {
        // The password reaches initdb through a file only the server user can read.
        let pwfile = self.dir.join("initdb.pw");
        fs::write(&pwfile, format!("{}\n", self.password))
            .map_err(step("writing the password file"))?;
        fs::set_permissions(&pwfile, fs::Permissions::from_mode(0o600))
            .map_err(step("securing the password file"))?;
        if let Some(user) = run_as {
            chown(&pwfile, user)?;
        }
        let out = self
            .command("initdb", run_as)
            .arg("-D")
            .arg(self.data_dir())
            .arg(format!("--pwfile={}", pwfile.display()))
            .args([
                "-U",
                SUPERUSER,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .output()
            .map_err(step("running initdb"));
        let _ = fs::remove_file(&pwfile);
        let out = out?;
        if !out.status.success() {
            return Err(SandboxError::Step {
                step: "initdb",
                message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        // Trust only the socket in the private directory; TCP, which any local user can
        // reach, needs a password.
        let hba = "local all all trust\n\
                   host all all 127.0.0.1/32 scram-sha-256\n\
                   host all all ::1/128 scram-sha-256\n";
        fs::write(self.data_dir().join("pg_hba.conf"), hba).map_err(step("writing pg_hba.conf"))?;
        Ok(())
    }

    fn start_server(&mut self, run_as: Option<&User>) -> Result<(), SandboxError> {
        let port = free_port().map_err(step("finding a free port"))?;
        let log = fs::File::create(self.dir.join("server.log"))
            .map_err(step("creating the server log"))?;
        if let Some(user) = run_as {
            chown(&self.dir.join("server.log"), user)?;
        }
        let mut server = self
            .command("postgres", run_as)
            .arg("-D")
            .arg(self.data_dir())
            .arg("-p")
            .arg(port.to_string())
            .arg("-k")
            .arg(&self.dir)
            .args(["-c", "listen_addresses=127.0.0.1"])
            // A throwaway cluster trades durability for speed.
            .args([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ])
            .args(["-c", "max_connections=200", "-c", "logging_collector=off"])
            .args(
                self.settings
                    .iter()
                    .flat_map(|(k, v)| ["-c".to_owned(), format!("{k}={v}")]),
            )
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(step("creating the server log"))?)
            .stderr(log)
            // Its own process group: a Ctrl-C at the terminal reaches only us; we stop it in order.
            .process_group(0)
            .spawn()
            .map_err(step("starting postgres"))?;

        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = server.try_wait().map_err(step("waiting for postgres"))? {
                let log = fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(5).collect();
                return Err(SandboxError::Step {
                    step: "starting postgres",
                    message: format!(
                        "the server exited ({status}): {}",
                        tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
                    ),
                });
            }
            let pid_file =
                fs::read_to_string(self.data_dir().join("postmaster.pid")).unwrap_or_default();
            if pid_file.lines().any(|l| l.trim() == "ready") {
                self.port = port;
                self.server = Some(server);
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = server.kill();
                let _ = server.wait();
                return Err(SandboxError::Step {
                    step: "starting postgres",
                    message: "the server did not become ready within 30 s".into(),
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A server program, run as `run_as` when we are root (initdb refuses to run as root).
    fn command(&self, program: &str, run_as: Option<&User>) -> Command {
        let mut cmd = Command::new(self.bin_dir.join(program));
        cmd.current_dir(&self.dir).env_remove("PGDATA");
        if let Some(user) = run_as {
            cmd.uid(user.uid.as_raw()).gid(user.gid.as_raw());
            cmd.env("HOME", &self.dir).env("USER", &user.name);
        }
        cmd
    }

    /// Stops the server (fast shutdown) and removes the cluster's files.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(mut server) = self.server.take() {
            let pid = Pid::from_raw(server.id() as i32);
            let _ = kill(pid, Signal::SIGINT);
            let deadline = Instant::now() + Duration::from_secs(20);
            while matches!(server.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = server.kill();
            let _ = server.wait();
        }
        let _ = fs::remove_dir_all(&self.dir);
        if let Some(mut watcher) = self.watcher.take() {
            // Tells the watcher everything is already cleaned up, then reaps it.
            if let Some(mut stdin) = watcher.stdin.take() {
                let _ = stdin.write_all(b"done\n");
            }
            let _ = watcher.wait();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The user to run the server as: ourselves, or `postgres`/`nobody` when we are root.
fn server_user() -> Result<Option<User>, SandboxError> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    for name in ["postgres", "nobody"] {
        if let Ok(Some(user)) = User::from_name(name) {
            return Ok(Some(user));
        }
    }
    Err(SandboxError::NoUnprivilegedUser)
}

fn private_dir(owner: Option<&User>) -> Result<PathBuf, SandboxError> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!("schemaforge-sandbox-{}-{nanos:x}", std::process::id());
    let dir = socket_parent(&std::env::temp_dir()).join(name);
    fs::create_dir(&dir).map_err(step("creating the sandbox directory"))?;
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
        .map_err(step("securing the sandbox directory"))?;
    if let Some(user) = owner {
        chown(&dir, user)?;
    }
    Ok(dir)
}

/// The longest socket path every Unix accepts (`sun_path` is 104 bytes on macOS and the
/// BSDs, 108 on Linux, both with the terminating NUL).
const MAX_SOCKET_PATH: usize = 103;

/// Where the sandbox directory goes: the temporary directory, unless the server's socket in
/// it would have too long a path (a deep `TMPDIR`), then `/tmp`.
fn socket_parent(temp: &Path) -> PathBuf {
    let longest = temp
        .join("schemaforge-sandbox-4294967295-ffffffff")
        .join(".s.PGSQL.65535");
    if longest.as_os_str().len() <= MAX_SOCKET_PATH {
        temp.to_path_buf()
    } else {
        PathBuf::from("/tmp")
    }
}

fn chown(path: &Path, user: &User) -> Result<(), SandboxError> {
    std::os::unix::fs::chown(path, Some(user.uid.as_raw()), Some(user.gid.as_raw()))
        .map_err(step("handing the sandbox directory to the server user"))
}

/// 32 hex digits from the system's random source.
fn random_password() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    std::io::Read::read_exact(&mut fs::File::open("/dev/urandom")?, &mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A shell that waits for us to finish (or die) and then removes what is left.
///
/// We hold the write end of its stdin. A clean shutdown writes `done`; if we die instead, the
/// pipe closes, `read` returns, and the watcher stops the server by the pid in its pid file.
fn spawn_watcher(dir: &Path) -> Result<Child, SandboxError> {
    const SCRIPT: &str = r#"
        read -r line
        [ "$line" = done ] && exit 0
        pidfile="$1/data/postmaster.pid"
        if [ -f "$pidfile" ]; then
            pid=$(head -n 1 "$pidfile")
            kill -INT "$pid" 2>/dev/null
            i=0
            while [ -f "$pidfile" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done
            kill -KILL "$pid" 2>/dev/null
        fi
        rm -rf "$1"
    "#;
    Command::new("sh")
        .args(["-c", SCRIPT, "schemaforge-sandbox-watcher"])
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(step("starting the cleanup watcher"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deep_temporary_directory_keeps_the_socket_path_short() {
        assert_eq!(socket_parent(Path::new("/tmp")), PathBuf::from("/tmp"));
        let deep = PathBuf::from("/home/someone/").join("very-long-directory-name".repeat(4));
        assert_eq!(socket_parent(&deep), PathBuf::from("/tmp"));
        let fine = Path::new("/var/folders/x1/abcdefgh12345678/T");
        assert_eq!(socket_parent(fine), fine.to_path_buf());
    }
}
