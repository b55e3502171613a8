//! A small client of the Speech Synthesis Interface Protocol, the text
//! protocol Speech Dispatcher speaks on its Unix socket: only the commands
//! unknot needs (name, rate, volume, voice, speak, cancel, list voices,
//! begin/end events).
//!
//! Replies and events share the socket, so a reader thread splits them:
//! replies go back to the caller, `7xx` events to an event channel. Every
//! wait for a reply has a deadline, so a stuck service cannot hang the
//! speech thread.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

/// How long to wait for any one reply.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(3);
/// The longest line accepted from the service; longer means something else
/// is listening on the socket.
const MAX_LINE: usize = 4096;

/// What went wrong talking to the speech service.
#[derive(Debug, thiserror::Error)]
pub enum SsipError {
    /// The socket could not be reached.
    #[error("cannot reach the speech service at {path}: {source}")]
    Connect {
        /// The socket tried.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Reading or writing failed after connecting.
    #[error("the speech service connection broke: {0}")]
    Io(#[from] std::io::Error),
    /// No reply in time.
    #[error("the speech service did not answer within {} s", REPLY_TIMEOUT.as_secs())]
    Timeout,
    /// The service closed the connection.
    #[error("the speech service closed the connection")]
    Closed,
    /// A reply with an error code.
    #[error("the speech service refused \"{command}\": {code} {text}")]
    Refused {
        /// The command sent (first word only, never the text spoken).
        command: String,
        /// The SSIP code.
        code: u16,
        /// The service's words.
        text: String,
    },
    /// Something that is not SSIP.
    #[error("the speech service sent something unreadable: {0}")]
    Garbled(String),
}

/// One complete reply: its code, the `NNN-` data lines, and the final text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit code.
    pub code: u16,
    /// Lines before the last, without their `NNN-` prefix.
    pub data: Vec<String>,
    /// The last line's text.
    pub text: String,
}

/// An event the service reports about a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// Speaking began.
    Begin,
    /// Speaking finished.
    End,
    /// Cancelled or stopped before the end.
    Cancelled,
    /// Any other event (index marks, pause, resume).
    Other,
}

/// An event with the message it is about and when it arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The message id the service gave when the text was queued.
    pub message: u64,
    /// When the line arrived here.
    pub at: Instant,
}

/// A connection to the speech service.
pub struct Client {
    stream: UnixStream,
    replies: Receiver<Reply>,
    /// A reply went missing or the socket failed: replies may be out of
    /// step with commands, so the connection is no longer used.
    broken: bool,
}

impl Client {
    /// Connects to the socket at `path`, names this client and turns on the
    /// begin and end events, which arrive on `events`.
    pub fn connect(path: &Path, events: Sender<Event>) -> Result<Self, SsipError> {
        let stream = UnixStream::connect(path).map_err(|source| SsipError::Connect {
            path: path.to_owned(),
            source,
        })?;
        stream.set_write_timeout(Some(REPLY_TIMEOUT))?;
        let reader = stream.try_clone()?;
        let (reply_sender, replies) = mpsc::channel();
        thread::Builder::new()
            .name("unknot-ssip-reader".into())
            .spawn(move || read_loop(reader, &reply_sender, &events))?;
        let mut client = Self {
            stream,
            replies,
            broken: false,
        };
        let user = std::env::var("USER").unwrap_or_else(|_| "user".into());
        let user: String = user
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(32)
            .collect();
        client.command(&format!("SET self CLIENT_NAME {user}:unknot:guide"))?;
        client.command("SET self NOTIFICATION begin on")?;
        client.command("SET self NOTIFICATION end on")?;
        client.command("SET self NOTIFICATION cancel on")?;
        Ok(client)
    }

    /// Sends one command line and waits for its reply; an error code is an error.
    pub fn command(&mut self, line: &str) -> Result<Reply, SsipError> {
        let name = line
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        let reply = self.exchange(format!("{line}\r\n").as_bytes())?;
        if reply.code >= 300 {
            return Err(SsipError::Refused {
                command: name,
                code: reply.code,
                text: reply.text,
            });
        }
        Ok(reply)
    }

    /// Sends `bytes` and waits for one reply. Any failure but a refusal
    /// marks the connection broken.
    fn exchange(&mut self, bytes: &[u8]) -> Result<Reply, SsipError> {
        if self.broken {
            return Err(SsipError::Closed);
        }
        let result = self
            .stream
            .write_all(bytes)
            .and_then(|()| self.stream.flush())
            .map_err(SsipError::from)
            .and_then(|()| match self.replies.recv_timeout(REPLY_TIMEOUT) {
                Ok(reply) => Ok(reply),
                Err(RecvTimeoutError::Timeout) => Err(SsipError::Timeout),
                Err(RecvTimeoutError::Disconnected) => Err(SsipError::Closed),
            });
        if result.is_err() {
            self.broken = true;
        }
        result
    }

    /// Queues `text` to be spoken, returning the service's message id.
    pub fn speak(&mut self, text: &str) -> Result<u64, SsipError> {
        self.command("SPEAK")?;
        let mut body = String::new();
        // Control characters would be read out as their names or codes.
        let text: String = text
            .chars()
            .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
            .collect();
        for line in text.lines() {
            // A line of a lone "." ends the text; SSIP doubles a leading dot.
            if line.starts_with('.') {
                body.push('.');
            }
            body.push_str(line);
            body.push_str("\r\n");
        }
        body.push_str(".\r\n");
        let reply = self.exchange(body.as_bytes())?;
        if reply.code >= 300 {
            return Err(SsipError::Refused {
                command: "SPEAK".into(),
                code: reply.code,
                text: reply.text,
            });
        }
        reply
            .data
            .first()
            .and_then(|id| id.trim().parse().ok())
            .ok_or_else(|| SsipError::Garbled(format!("no message id in {reply:?}")))
    }

    /// Stops what this client is saying and drops what it has queued.
    pub fn cancel(&mut self) -> Result<(), SsipError> {
        self.command("CANCEL self").map(drop)
    }

    /// The service's voices for the current output module, as names.
    pub fn voices(&mut self) -> Result<Vec<Voice>, SsipError> {
        let reply = self.command("LIST SYNTHESIS_VOICES")?;
        Ok(reply
            .data
            .iter()
            .filter_map(|line| {
                let mut parts = line.split('\t');
                let name = parts.next()?.trim();
                let language = parts.next().unwrap_or("").trim();
                (!name.is_empty()).then(|| Voice {
                    name: name.to_owned(),
                    language: language.to_owned(),
                })
            })
            .collect())
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.stream.write_all(b"QUIT\r\n");
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

/// A voice the service offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voice {
    /// Its name, as `SET self SYNTHESIS_VOICE` takes it.
    pub name: String,
    /// Its language code ("en", "en-GB").
    pub language: String,
}

/// Reads lines until the socket closes, handing complete replies and events on.
fn read_loop(stream: UnixStream, replies: &Sender<Reply>, events: &Sender<Event>) {
    let mut reader = BufReader::new(stream);
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
        {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        let Some(parsed) = parse_line(text) else {
            log::warn!("speech service: unreadable line {text:?}");
            return;
        };
        match parsed {
            (code, true, rest) => data.push((code, rest.to_owned())),
            (code, false, rest) => {
                let lines: Vec<String> = data.drain(..).map(|(_, line)| line).collect();
                if (700..800).contains(&code) {
                    let kind = match code {
                        701 => EventKind::Begin,
                        702 => EventKind::End,
                        703 | 708 => EventKind::Cancelled,
                        _ => EventKind::Other,
                    };
                    let message = lines.first().and_then(|id| id.parse().ok()).unwrap_or(0);
                    let _ = events.send(Event {
                        kind,
                        message,
                        at: Instant::now(),
                    });
                } else if replies
                    .send(Reply {
                        code,
                        data: lines,
                        text: rest.to_owned(),
                    })
                    .is_err()
                {
                    return;
                }
            }
        }
    }
}

/// `"225-12"` → `(225, true, "12")`; `"225 OK"` → `(225, false, "OK")`.
pub fn parse_line(line: &str) -> Option<(u16, bool, &str)> {
    let code = line.get(..3)?.parse().ok()?;
    let more = match line.as_bytes().get(3) {
        Some(b'-') => true,
        Some(b' ') | None => false,
        _ => return None,
    };
    Some((code, more, line.get(4..).unwrap_or("")))
}

/// Where the service listens: `SPEECHD_ADDRESS` (`unix_socket:PATH`) if set,
/// else `$XDG_RUNTIME_DIR/speech-dispatcher/speechd.sock`.
pub fn socket_path(address: Option<&str>, runtime_dir: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(address) = address.filter(|address| !address.trim().is_empty()) {
        let address = address.trim();
        match address.strip_prefix("unix_socket") {
            // "unix_socket" alone means the usual socket, as in the
            // service's own client library.
            Some(rest) => {
                let path = rest.strip_prefix(':').unwrap_or("").trim();
                if !path.is_empty() {
                    return Ok(PathBuf::from(path));
                }
            }
            None => {
                return Err(format!(
                    "SPEECHD_ADDRESS is \"{address}\"; only unix_socket:PATH is supported"
                ));
            }
        }
    }
    runtime_dir
        .map(|dir| dir.join("speech-dispatcher").join("speechd.sock"))
        .ok_or_else(|| "XDG_RUNTIME_DIR is not set, so the speech service cannot be found".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_lines_are_split_into_code_continuation_and_text() {
        assert_eq!(parse_line("225-12"), Some((225, true, "12")));
        assert_eq!(
            parse_line("225 OK MESSAGE QUEUED"),
            Some((225, false, "OK MESSAGE QUEUED"))
        );
        assert_eq!(parse_line("231"), Some((231, false, "")));
        assert_eq!(parse_line("HTTP/1.1 400"), None);
        assert_eq!(parse_line("22"), None);
        assert_eq!(parse_line("225x"), None);
    }

    #[test]
    fn a_reply_that_never_comes_retires_the_connection() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.sock");
        let listener = std::os::unix::net::UnixListener::bind(&path).expect("bind");
        // A service that answers the handshake, then goes silent.
        let server = thread::spawn(move || {
            let (stream, _) = listener.accept().expect("accept");
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut writer = stream;
            let mut line = String::new();
            for _ in 0..4 {
                line.clear();
                reader.read_line(&mut line).expect("read");
                writer.write_all(b"208 OK\r\n").expect("write");
            }
            line.clear();
            let _ = reader.read_line(&mut line);
            // Hold the socket open until the client is done.
            let _ = reader.read_line(&mut line);
        });
        let (events, _) = mpsc::channel();
        let mut client = Client::connect(&path, events).expect("connects");
        assert!(matches!(
            client.command("SET self RATE 0"),
            Err(SsipError::Timeout)
        ));
        // A late reply could now answer the wrong command: never used again.
        assert!(matches!(client.speak("Hello"), Err(SsipError::Closed)));
        drop(client);
        server.join().expect("server");
    }

    #[test]
    fn the_socket_comes_from_the_address_or_the_runtime_folder() {
        let run = Path::new("/run/user/1000");
        assert_eq!(
            socket_path(None, Some(run)),
            Ok(PathBuf::from(
                "/run/user/1000/speech-dispatcher/speechd.sock"
            ))
        );
        assert_eq!(
            socket_path(Some("unix_socket:/tmp/s.sock"), Some(run)),
            Ok(PathBuf::from("/tmp/s.sock"))
        );
        assert!(socket_path(Some("inet_socket:127.0.0.1:6560"), Some(run)).is_err());
        assert_eq!(
            socket_path(Some("unix_socket"), Some(run)),
            socket_path(None, Some(run))
        );
        assert!(socket_path(None, None).is_err());
    }
}
