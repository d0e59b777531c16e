//! The real binary in a pseudo-terminal, as a person at a terminal runs it: the pty is its
//! controlling terminal, stdin, stdout and stderr, and everything it writes is collected.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::pty::{Winsize, openpty};
use nix::sys::termios::{LocalFlags, tcgetattr};

pub const LEAVE_ALTERNATE_SCREEN: &str = "\x1b[?1049l";
pub const ENTER_ALTERNATE_SCREEN: &str = "\x1b[?1049h";
pub const SHOW_CURSOR: &str = "\x1b[?25h";
pub const MOUSE_CAPTURE_OFF: &str = "\x1b[?1000l";

/// The binary running with a pseudo-terminal as its controlling terminal and its stdin,
/// stdout and stderr; everything it writes is collected.
pub struct InPty {
    pub child: Child,
    pub master: std::fs::File,
    pub slave: OwnedFd,
    pub output: Arc<Mutex<Vec<u8>>>,
}

impl InPty {
    pub fn start(args: &[&str], home: &Path) -> InPty {
        InPty::start_wide(args, home, 100)
    }

    pub fn start_wide(args: &[&str], home: &Path, columns: u16) -> InPty {
        let size = Winsize {
            ws_row: 30,
            ws_col: columns,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let pty = openpty(Some(&size), None).expect("a pseudo-terminal");
        let stdio = || Stdio::from(pty.slave.try_clone().expect("dup the pty"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_schemaforge"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TERM", "xterm-256color")
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("TMPDIR", home.join("tmp"))
            .stdin(stdio())
            .stdout(stdio())
            .stderr(stdio());
        std::fs::create_dir_all(home.join("tmp")).unwrap();
        // A session of its own with the pty as controlling terminal, as a shell gives it:
        // crossterm opens /dev/tty.
        unsafe {
            command.pre_exec(|| {
                nix::unistd::setsid().map_err(std::io::Error::from)?;
                if nix::libc::ioctl(0, nix::libc::TIOCSCTTY as _, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("run schemaforge");
        let master = std::fs::File::from(pty.master);
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut reader = master.try_clone().unwrap();
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            // Ends with EIO once every copy of the slave is closed.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        InPty {
            child,
            master,
            slave: pty.slave,
            output,
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    /// Waits until the output contains `needle`.
    pub fn wait_for(&mut self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.text().contains(needle) {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("exited ({status}) before {needle:?}:\n{}", self.text());
            }
            assert!(
                Instant::now() < deadline,
                "no {needle:?} within 60 s:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the alternate screen has been entered `screens` times (the picker is
    /// the first) and the last one shows `needle`, for at most `limit`.
    pub fn wait_for_screen(&mut self, screens: usize, needle: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            let text = self.text();
            let parts: Vec<&str> = text.split(ENTER_ALTERNATE_SCREEN).collect();
            if parts.len() > screens && parts[parts.len() - 1].contains(needle) {
                return;
            }
            let tail: String = {
                let chars: Vec<char> = text.chars().collect();
                chars[chars.len().saturating_sub(2000)..].iter().collect()
            };
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("exited ({status}) before screen {screens} showed {needle:?}:\n{tail}");
            }
            assert!(
                Instant::now() < deadline,
                "screen {screens} did not show {needle:?} within {limit:?}:\n{tail}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the TUI has entered the alternate screen and drawn the status line.
    pub fn wait_for_the_screen(&mut self) {
        self.wait_for(ENTER_ALTERNATE_SCREEN);
        self.wait_for("quit");
    }

    pub fn type_bytes(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).unwrap();
        self.master.flush().unwrap();
    }

    /// The exit code, waiting at most `limit`.
    pub fn exit_within(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader take the last bytes.
                std::thread::sleep(Duration::from_millis(100));
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("still running after {limit:?}:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Asserts the terminal was given back: after the last time the alternate screen was
    /// entered, it is left, the cursor shown, mouse capture turned off, and the pty's line
    /// discipline is out of raw mode again.
    pub fn assert_restored(&self) {
        let text = self.text();
        let entered = text
            .rfind(ENTER_ALTERNATE_SCREEN)
            .expect("the TUI entered the alternate screen");
        let after = &text[entered..];
        for (sequence, what) in [
            (LEAVE_ALTERNATE_SCREEN, "leave the alternate screen"),
            (SHOW_CURSOR, "show the cursor"),
            (MOUSE_CAPTURE_OFF, "turn mouse capture off"),
        ] {
            assert!(
                after.contains(sequence),
                "the terminal was not told to {what}: {:?}",
                &after[after.len().saturating_sub(300)..]
            );
        }
        self.assert_terminal_modes_restored();
    }

    /// Asserts the pty's line discipline is out of raw mode: it echoes, reads lines and
    /// turns Ctrl-C into a signal again.
    pub fn assert_terminal_modes_restored(&self) {
        let modes = tcgetattr(&self.slave).expect("the pty's modes");
        assert!(
            modes
                .local_flags
                .contains(LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ISIG),
            "raw mode is still on: {:?}",
            modes.local_flags
        );
    }
}

/// A test that fails half-way must not leave the program (and a sandbox it started) running.
impl Drop for InPty {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub fn home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "schemaforge-pty-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file under `dir`, with its bytes.
pub fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap_or_default()));
        }
    }
    out
}
