//! One window per set of files. The first copy of the app started on a data
//! folder holds a lock and listens on a socket; a second start on the same
//! folder hands its request (come forward, or play a routine) to the first
//! and exits, instead of opening a second player on the same history.
//!
//! The lock is `flock`-style, so the operating system drops it the moment the
//! first copy ends, however it ends: a stale socket left by kill -9 is never
//! mistaken for a running app. Both files live in a private folder under
//! `$XDG_RUNTIME_DIR` (or the temp folder), named by a hash of the data
//! folder, so copies on different folders (tests, `--data-dir`) never meet.

use std::fs::{File, TryLockError};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::files::{self, FileError};

/// The longest request line read from a socket.
const MAX_REQUEST_BYTES: u64 = 1024;
/// How long a second copy waits for the first to answer.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

/// What a second start asks of the running copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Come forward.
    Raise,
    /// Come forward and play this routine (with this length, if given).
    Autoplay {
        /// The routine's id.
        id: String,
        /// The session length in seconds.
        length_secs: Option<u32>,
    },
}

impl Request {
    /// The request as one line on the socket.
    pub fn to_line(&self) -> String {
        match self {
            Self::Raise => "raise\n".to_owned(),
            Self::Autoplay { id, length_secs } => format!(
                "autoplay\t{id}\t{}\n",
                length_secs.map(|secs| secs.to_string()).unwrap_or_default()
            ),
        }
    }

    /// Reads a line written by [`Self::to_line`]; anything else is `None`.
    pub fn parse(line: &str) -> Option<Self> {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let mut parts = line.split('\t');
        match (parts.next()?, parts.next(), parts.next(), parts.next()) {
            ("raise", None, None, None) => Some(Self::Raise),
            ("autoplay", Some(id), Some(length), None)
                if !id.is_empty() && !id.chars().any(char::is_control) =>
            {
                let length_secs = match length {
                    "" => None,
                    digits => Some(digits.parse().ok()?),
                };
                Some(Self::Autoplay {
                    id: id.to_owned(),
                    length_secs,
                })
            }
            _ => None,
        }
    }
}

/// Why the app could not tell whether it is the only copy.
#[derive(Debug, Error)]
pub enum SingleError {
    /// The lock or socket folder.
    #[error(transparent)]
    File(#[from] FileError),
    /// The socket.
    #[error("the instance socket {}: {source}", path.display())]
    Socket {
        /// Its path.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// Another copy holds the lock but did not answer.
    #[error(
        "unknot is already running on these files but did not answer (it may be \
         stopped or still starting); not opening a second window"
    )]
    NoAnswer,
    /// The running copy answered with an error.
    #[error("the running unknot said: {0}")]
    Refused(String),
}

/// Where the lock and socket for a data folder live.
#[derive(Debug, Clone)]
pub struct InstancePaths {
    /// The lock file.
    pub lock: PathBuf,
    /// The socket.
    pub socket: PathBuf,
}

impl InstancePaths {
    /// The paths for `data_dir`, in `runtime_dir` (see [`runtime_dir`]).
    pub fn new(runtime_dir: &Path, data_dir: &Path) -> Self {
        let key = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_owned());
        let name = format!("{:016x}", fnv1a(key.as_os_str().as_encoded_bytes()));
        Self {
            lock: runtime_dir.join(format!("{name}.lock")),
            socket: runtime_dir.join(format!("{name}.sock")),
        }
    }
}

/// The private folder for instance files: `$XDG_RUNTIME_DIR/unknot`, or
/// `unknot-UID` in the temp folder when there is no runtime folder.
pub fn runtime_dir() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(dir) if Path::new(&dir).is_absolute() => Path::new(&dir).join("unknot"),
        _ => std::env::temp_dir().join(format!("unknot-{}", rustix::process::getuid().as_raw())),
    }
}

/// 64-bit FNV-1a: a stable name for a folder across builds and versions.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The outcome of [`claim`].
#[derive(Debug)]
pub enum Claim {
    /// This is the only copy: it holds the lock and should open the window.
    First(Primary),
    /// Another copy runs on these files and has taken the request.
    HandedOver,
}

/// The first copy's lock and listening socket.
#[derive(Debug)]
pub struct Primary {
    listener: UnixListener,
    socket: PathBuf,
    _lock: File,
}

/// Requests from later starts, as they arrive.
pub struct Requests {
    receiver: Receiver<Request>,
}

impl Requests {
    /// Requests that arrived since the last call.
    pub fn take(&self) -> Vec<Request> {
        self.receiver.try_iter().collect()
    }
}

/// Becomes the first copy for `paths`, or hands `request` to the copy that is.
pub fn claim(paths: &InstancePaths, request: &Request) -> Result<Claim, SingleError> {
    if let Some(dir) = paths.lock.parent() {
        files::create_private_dir(dir)?;
    }
    let lock = File::options()
        .write(true)
        .create(true)
        .truncate(false)
        .open(&paths.lock)
        .map_err(FileError::io(&paths.lock, "opened"))?;
    match lock.try_lock() {
        Ok(()) => {
            // Only the lock holder touches the socket: one left by a copy
            // that was killed is removed here, never while its owner lives.
            match std::fs::remove_file(&paths.socket) {
                Ok(()) => {}
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(SingleError::Socket {
                        path: paths.socket.clone(),
                        source,
                    });
                }
            }
            let listener =
                UnixListener::bind(&paths.socket).map_err(|source| SingleError::Socket {
                    path: paths.socket.clone(),
                    source,
                })?;
            Ok(Claim::First(Primary {
                listener,
                socket: paths.socket.clone(),
                _lock: lock,
            }))
        }
        Err(TryLockError::WouldBlock) => {
            hand_over(&paths.socket, request)?;
            Ok(Claim::HandedOver)
        }
        Err(TryLockError::Error(error)) => Err(FileError::io(&paths.lock, "locked")(error).into()),
    }
}

/// Sends `request` to the running copy and waits for its answer. The copy
/// that holds the lock may not have bound its socket yet; keep trying for a
/// few seconds.
fn hand_over(socket: &Path, request: &Request) -> Result<(), SingleError> {
    let deadline = Instant::now() + ANSWER_TIMEOUT;
    let mut stream = loop {
        match UnixStream::connect(socket) {
            Ok(stream) => break stream,
            Err(_) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(_) => return Err(SingleError::NoAnswer),
        }
    };
    let io = |source| SingleError::Socket {
        path: socket.to_owned(),
        source,
    };
    stream.set_write_timeout(Some(ANSWER_TIMEOUT)).map_err(io)?;
    stream.set_read_timeout(Some(ANSWER_TIMEOUT)).map_err(io)?;
    stream
        .write_all(request.to_line().as_bytes())
        .map_err(|_| SingleError::NoAnswer)?;
    let mut answer = String::new();
    BufReader::new((&stream).take(MAX_REQUEST_BYTES))
        .read_line(&mut answer)
        .map_err(|_| SingleError::NoAnswer)?;
    match answer.trim_end() {
        "ok" => Ok(()),
        "" => Err(SingleError::NoAnswer),
        other => Err(SingleError::Refused(
            other.strip_prefix("error ").unwrap_or(other).to_owned(),
        )),
    }
}

impl Primary {
    /// Starts answering later starts on a thread of its own; `wake` is
    /// called after each request is queued. The lock is held until the
    /// returned value and the thread's copy of it are gone with the process.
    pub fn serve(self, wake: Arc<dyn Fn() + Send + Sync>) -> Result<Requests, SingleError> {
        let (sender, receiver) = mpsc::channel();
        let socket = self.socket.clone();
        std::thread::Builder::new()
            .name("unknot-instance".into())
            .spawn(move || {
                for stream in self.listener.incoming() {
                    match stream {
                        Ok(stream) => answer(stream, &sender, wake.as_ref()),
                        Err(error) => log::warn!("instance socket: {error}"),
                    }
                }
                // `_lock` lives as long as this thread: the listener never
                // ends on its own, so the lock goes with the process.
                drop(self._lock);
            })
            .map_err(|source| SingleError::Socket {
                path: socket,
                source,
            })?;
        Ok(Requests { receiver })
    }
}

/// Reads one request from a later start, queues it and answers. A client
/// that sends nonsense, too much, or nothing gets an error or is dropped;
/// the listener carries on either way.
fn answer(stream: UnixStream, sender: &Sender<Request>, wake: &(dyn Fn() + Send + Sync)) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    let mut line = String::new();
    let read = BufReader::new((&stream).take(MAX_REQUEST_BYTES)).read_line(&mut line);
    let reply = match read.ok().and_then(|_| Request::parse(&line)) {
        Some(request) => {
            log::info!("another start handed over: {}", line.trim_end());
            let _ = sender.send(request);
            wake();
            "ok\n"
        }
        None => "error not a request this version understands\n",
    };
    let _ = (&stream).write_all(reply.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_survive_the_line_and_nonsense_is_refused() {
        for request in [
            Request::Raise,
            Request::Autoplay {
                id: "endorphin-15".into(),
                length_secs: Some(900),
            },
            Request::Autoplay {
                id: "neck".into(),
                length_secs: None,
            },
        ] {
            assert_eq!(Request::parse(&request.to_line()), Some(request));
        }
        for bad in [
            "",
            "raise\textra",
            "autoplay",
            "autoplay\t\t",
            "autoplay\tx\tlots",
            "autoplay\tx\t1\t2",
            "play\tx\t",
        ] {
            assert_eq!(Request::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn folder_names_are_stable_and_differ() {
        let runtime = Path::new("/run/user/1000/unknot");
        let one = InstancePaths::new(runtime, Path::new("/nonexistent/a"));
        let again = InstancePaths::new(runtime, Path::new("/nonexistent/a"));
        let other = InstancePaths::new(runtime, Path::new("/nonexistent/b"));
        assert_eq!(one.lock, again.lock);
        assert_ne!(one.socket, other.socket);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
