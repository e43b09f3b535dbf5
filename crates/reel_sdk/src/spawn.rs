//! Starting a reel viewer (or, without a display, a headless server) for a recording to
//! connect to.
//!
//! [`spawn`] reuses a viewer or server already listening on the port, or starts the `reel`
//! binary as a detached process and waits until it accepts connections: the viewer window
//! (`reel --port P`) when a display is available, else `reel serve` (saying so once).

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reel_format::net::{HandshakeError, Hello, Welcome, DEFAULT_PORT};

/// Environment variable naming the `reel` executable to start.
pub const ENV_BINARY: &str = "REEL_BINARY";

/// How to spawn a server.
#[derive(Clone, Debug)]
pub struct SpawnOptions {
    /// The port to listen on.
    pub port: u16,
    /// The server's memory limit (`"75%"`, `"2GB"`).
    pub memory_limit: String,
    /// The executable; default: `REEL_BINARY`, then `reel` next to this program, then on
    /// `PATH`.
    pub executable: Option<PathBuf>,
    /// How long to wait for the new server to accept connections.
    pub startup_timeout: Duration,
    /// Start a server without a window (`Some(true)`), the viewer (`Some(false)`), or
    /// decide from whether a display is available (`None`, the default).
    pub headless: Option<bool>,
}

impl Default for SpawnOptions {
    fn default() -> Self {
        Self {
            port: DEFAULT_PORT,
            memory_limit: "75%".to_owned(),
            executable: None,
            startup_timeout: Duration::from_secs(10),
            headless: None,
        }
    }
}

/// What [`spawn`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Spawned {
    /// A reel server already listened on the port.
    Reused,
    /// A new process was started.
    Started {
        /// Its process id.
        pid: u32,
        /// Whether it is the viewer (else a headless server).
        viewer: bool,
    },
}

/// Why a server could not be spawned.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    /// No `reel` executable was found.
    #[error("cannot find the `reel` executable (looked at: {}); install it or set {ENV_BINARY}", .searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    NotFound {
        /// The places looked at.
        searched: Vec<PathBuf>,
    },
    /// The executable is another version of reel.
    #[error("{binary} is reel {found}, but this SDK is reel {expected}; use matching versions")]
    Version {
        /// The executable.
        binary: PathBuf,
        /// Its version.
        found: String,
        /// Ours.
        expected: String,
    },
    /// Something that is not a compatible reel server holds the port.
    #[error("port {port} is taken by something that is not a compatible reel server: {reason}")]
    PortTaken {
        /// The port.
        port: u16,
        /// What the handshake said.
        reason: String,
    },
    /// The server process could not be started or did not come up.
    #[error("could not start {binary}: {reason}")]
    Start {
        /// The executable.
        binary: PathBuf,
        /// Why.
        reason: String,
    },
}

/// The address a spawned server listens on.
pub fn spawn_addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// Reuses or starts a reel server on `options.port`.
pub fn spawn(options: &SpawnOptions) -> Result<Spawned, SpawnError> {
    let addr = spawn_addr(options.port);
    match probe(addr) {
        Probe::Reel => return Ok(Spawned::Reused),
        Probe::Other(reason) => {
            return Err(SpawnError::PortTaken {
                port: options.port,
                reason,
            })
        }
        Probe::Nothing => {}
    }
    let binary = match &options.executable {
        Some(b) if !b.is_file() => {
            return Err(SpawnError::NotFound {
                searched: vec![b.clone()],
            })
        }
        Some(b) => b.clone(),
        None => find_executable(
            std::env::var_os(ENV_BINARY).map(PathBuf::from),
            std::env::current_exe()
                .ok()
                .as_deref()
                .and_then(Path::parent),
            std::env::var_os("PATH"),
        )?,
    };
    check_version(&binary)?;
    let headless_reason = match options.headless {
        Some(true) => Some("headless was asked for".to_owned()),
        Some(false) => None,
        None => no_display_reason(),
    };
    let mut command = Command::new(&binary);
    match &headless_reason {
        Some(_) => command.args(["serve", "--report-secs", "0"]),
        None => command.arg("view"),
    };
    command
        .args(["--port", &options.port.to_string()])
        .args(["--memory-limit", &options.memory_limit])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    #[cfg(unix)]
    {
        // Its own process group: the server outlives this program and its Ctrl-C.
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let start_error = |reason: String| SpawnError::Start {
        binary: binary.clone(),
        reason,
    };
    let mut child = command.spawn().map_err(|e| start_error(e.to_string()))?;
    let deadline = Instant::now() + options.startup_timeout;
    loop {
        if let Probe::Reel = probe(addr) {
            if let Some(reason) = &headless_reason {
                if !SAID_HEADLESS.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    log::warn!(
                        "no viewer window ({reason}): started a headless `reel serve` on port {}; \
                         view its data later with `reel --connect 127.0.0.1:{}`",
                        options.port,
                        options.port
                    );
                }
            }
            return Ok(Spawned::Started {
                pid: child.id(),
                viewer: headless_reason.is_none(),
            });
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(start_error(format!(
                "it exited ({status}); is port {} free?",
                options.port
            )));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err(start_error(format!(
                "it did not accept connections within {:?}",
                options.startup_timeout
            )));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether the headless fallback was already reported.
static SAID_HEADLESS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The environment variable that makes [`spawn`] start a headless server even where a
/// display exists (`1`).
pub const ENV_HEADLESS: &str = "REEL_HEADLESS";

/// Why no viewer window can open here (`REEL_HEADLESS=1`, or no X display on Unix
/// desktops), or `None` when one can.
pub fn no_display_reason() -> Option<String> {
    if std::env::var(ENV_HEADLESS).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true")) {
        return Some(format!("{ENV_HEADLESS}=1 is set"));
    }
    let unix_desktop = cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd"
    ));
    let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    (unix_desktop && !set("DISPLAY")).then(|| "DISPLAY is not set".to_owned())
}

enum Probe {
    Nothing,
    Reel,
    Other(String),
}

/// Is a compatible reel server listening at `addr`?
fn probe(addr: SocketAddr) -> Probe {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(300)) else {
        return Probe::Nothing;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let result = Hello::current()
        .write(&mut stream)
        .map_err(HandshakeError::from)
        .and_then(|()| Welcome::read(&mut stream))
        .and_then(|w| w.check());
    match result {
        Ok(()) => Probe::Reel,
        Err(e) => Probe::Other(e.to_string()),
    }
}

/// The `reel` executable: `env_override`, else next to `exe_dir`, else on `path`.
pub fn find_executable(
    env_override: Option<PathBuf>,
    exe_dir: Option<&Path>,
    path: Option<std::ffi::OsString>,
) -> Result<PathBuf, SpawnError> {
    let name = format!("reel{}", std::env::consts::EXE_SUFFIX);
    let mut searched = Vec::new();
    if let Some(p) = env_override {
        if p.is_file() {
            return Ok(p);
        }
        searched.push(p);
        // An explicit override that is wrong is an error, not a reason to look elsewhere.
        return Err(SpawnError::NotFound { searched });
    }
    let candidates = exe_dir.map(|d| d.join(&name)).into_iter().chain(
        path.iter()
            .flat_map(std::env::split_paths)
            .map(|d| d.join(&name)),
    );
    for candidate in candidates {
        if candidate.is_file() {
            return Ok(candidate);
        }
        searched.push(candidate);
    }
    Err(SpawnError::NotFound { searched })
}

/// Fails unless `binary --version` names this SDK's version.
fn check_version(binary: &Path) -> Result<(), SpawnError> {
    let out = Command::new(binary)
        .arg("--version")
        .output()
        .map_err(|e| SpawnError::Start {
            binary: binary.to_owned(),
            reason: e.to_string(),
        })?;
    let text = String::from_utf8_lossy(&out.stdout);
    let found = text.split_whitespace().nth(1).unwrap_or("").to_owned();
    let expected = env!("CARGO_PKG_VERSION");
    if found != expected {
        return Err(SpawnError::Version {
            binary: binary.to_owned(),
            found: if found.is_empty() {
                text.trim().to_owned()
            } else {
                found
            },
            expected: expected.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executable_lookup_order_and_errors() {
        let dir = std::env::temp_dir().join(format!("reel-spawn-{}", std::process::id()));
        let (a, b) = (dir.join("a"), dir.join("b"));
        std::fs::create_dir_all(&a).expect("dir");
        std::fs::create_dir_all(&b).expect("dir");
        let name = format!("reel{}", std::env::consts::EXE_SUFFIX);
        std::fs::write(b.join(&name), b"").expect("file");
        let path = std::env::join_paths([&a, &b]).expect("path");

        // Found on PATH when not next to the program.
        assert_eq!(
            find_executable(None, Some(&a), Some(path.clone())).expect("found"),
            b.join(&name)
        );
        // Next to the program wins over PATH.
        std::fs::write(a.join(&name), b"").expect("file");
        assert_eq!(
            find_executable(None, Some(&a), Some(path.clone())).expect("found"),
            a.join(&name)
        );
        // The override wins, and a wrong override is an error naming it.
        let wrong = dir.join("missing");
        let err = find_executable(Some(wrong.clone()), Some(&a), Some(path)).expect_err("missing");
        assert!(
            err.to_string().contains(&wrong.display().to_string()),
            "{err}"
        );
        assert!(err.to_string().contains(ENV_BINARY), "{err}");
        let err = find_executable(None, None, None).expect_err("nothing");
        assert!(matches!(err, SpawnError::NotFound { .. }), "{err}");
    }
}
