//! Spoken guidance. One named thread talks to the desktop's speech service
//! (Speech Dispatcher, over its socket); the conductor and the window send it
//! small messages and never wait. With no service the thread says so once and
//! drops every line: the tones and the window carry on as before.

pub mod ssip;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use crate::core::prefs::VoicePrefs;
use ssip::{Client, Event, EventKind, Voice};

/// Something that can speak. The conductor only needs this.
pub trait VoiceSink: Send + Sync {
    /// A cue has just sounded or a line is due: stop whatever is being said,
    /// and say `line` (if any) once `delay` has passed, after the cue's sound.
    fn say(&self, line: Option<String>, delay: Duration);
}

/// A voice that says nothing, for tests and when speech is off.
pub struct Silent;

impl VoiceSink for Silent {
    fn say(&self, _line: Option<String>, _delay: Duration) {}
}

/// Whether spoken guidance works, for the notice in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpeechStatus {
    /// Switched off in Settings.
    Off,
    /// Looking for the service.
    Starting,
    /// Connected.
    Ready,
    /// No service: cues are tones only. Holds the reason, in plain words.
    Unavailable(String),
    /// Speech Dispatcher is not installed, so it could not be started.
    NotInstalled,
}

/// From a line being asked for to the service starting to say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeechTiming {
    /// When the line was handed over (just after its cue was dispatched).
    pub asked: Instant,
    /// How long it was held back for the cue's sound.
    pub delay: Duration,
    /// When the service reported that speaking began.
    pub began: Instant,
}

/// A line that could not be handed over within this long after its moment
/// is dropped.
pub const STALE_LINE: Duration = Duration::from_secs(2);
/// How often to try again to reach a service that was missing.
pub const RETRY_EVERY: Duration = Duration::from_secs(30);
/// How long an autostarted service has to open its socket.
pub const SPAWN_WAIT: Duration = Duration::from_secs(4);
/// A queued line that has not begun after this long never will (the
/// service's audio output failed): stop waiting for it.
pub const BEGIN_TIMEOUT: Duration = Duration::from_secs(10);
/// The most voices kept for the settings list (a service can offer
/// thousands, one per language and variant).
pub const MAX_VOICES: usize = 300;

enum Message {
    Say {
        line: Option<String>,
        asked: Instant,
        delay: Duration,
    },
    Configure(VoicePrefs),
    /// Speak even when the voice is switched off (the Settings test button).
    Test(String),
    Shutdown,
}

/// Where to find the service and whether to start it when missing.
#[derive(Debug, Clone)]
pub struct SpeechConfig {
    /// The socket, or why it cannot be known.
    pub socket: Result<PathBuf, String>,
    /// Run `speech-dispatcher --spawn` when nothing answers, as the
    /// service's own client library does.
    pub autospawn: bool,
}

impl SpeechConfig {
    /// From the environment: `SPEECHD_ADDRESS` or the runtime folder; an
    /// explicit address is never autostarted.
    pub fn from_env() -> Self {
        let address = std::env::var("SPEECHD_ADDRESS").ok();
        let runtime = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from);
        Self {
            socket: ssip::socket_path(address.as_deref(), runtime.as_deref()),
            autospawn: address.is_none(),
        }
    }
}

/// Handle to the speech thread.
pub struct Speech {
    sender: Mutex<Sender<Message>>,
    shared: Arc<Shared>,
    thread: Option<thread::JoinHandle<()>>,
}

struct Shared {
    status: Mutex<SpeechStatus>,
    voices: Mutex<Vec<Voice>>,
    timings: Mutex<Vec<SpeechTiming>>,
    on_status: Arc<dyn Fn() + Send + Sync>,
}

impl Shared {
    fn set_status(&self, status: SpeechStatus) {
        let mut current = self.status.lock().unwrap_or_else(PoisonError::into_inner);
        if *current != status {
            *current = status;
            drop(current);
            (self.on_status)();
        }
    }
}

impl Speech {
    /// Starts the speech thread with `prefs`; `on_status` is called when the
    /// status or the list of voices changes.
    pub fn start(
        config: SpeechConfig,
        prefs: &VoicePrefs,
        on_status: Arc<dyn Fn() + Send + Sync>,
    ) -> Self {
        let (sender, receiver) = mpsc::channel();
        let shared = Arc::new(Shared {
            status: Mutex::new(SpeechStatus::Starting),
            voices: Mutex::new(Vec::new()),
            timings: Mutex::new(Vec::new()),
            on_status,
        });
        let _ = sender.send(Message::Configure(prefs.clone()));
        let thread = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("unknot-speech".into())
                .spawn(move || Worker::new(config, shared).run(&receiver))
        };
        let thread = match thread {
            Ok(thread) => Some(thread),
            Err(error) => {
                *shared.status.lock().unwrap_or_else(PoisonError::into_inner) =
                    SpeechStatus::Unavailable(format!(
                        "could not start the speech thread: {error}"
                    ));
                None
            }
        };
        Self {
            sender: Mutex::new(sender),
            shared,
            thread,
        }
    }

    fn send(&self, message: Message) {
        let _ = self
            .sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(message);
    }

    /// Applies new voice settings.
    pub fn configure(&self, prefs: &VoicePrefs) {
        self.send(Message::Configure(prefs.clone()));
    }

    /// Says `text` now with the current voice, even if the voice is off.
    pub fn test(&self, text: &str) {
        self.send(Message::Test(text.to_owned()));
    }

    /// The current status.
    pub fn status(&self) -> SpeechStatus {
        self.shared
            .status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The service's voices, once connected.
    pub fn voices(&self) -> Vec<Voice> {
        self.shared
            .voices
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Every line's time from being asked for to being spoken, so far.
    pub fn timings(&self) -> Vec<SpeechTiming> {
        self.shared
            .timings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl VoiceSink for Speech {
    fn say(&self, line: Option<String>, delay: Duration) {
        self.send(Message::Say {
            line,
            asked: Instant::now(),
            delay,
        });
    }
}

impl Drop for Speech {
    /// Asks the thread to end without waiting: it may be waiting on the
    /// service, and closing the window must never wait on speech.
    fn drop(&mut self) {
        self.send(Message::Shutdown);
        drop(self.thread.take());
    }
}

struct Pending {
    text: String,
    asked: Instant,
    delay: Duration,
    /// Spoken even with the voice off.
    forced: bool,
}

struct Worker {
    config: SpeechConfig,
    shared: Arc<Shared>,
    prefs: VoicePrefs,
    /// The settings last sent to the service (sent again on reconnecting).
    applied: Option<VoicePrefs>,
    client: Option<Client>,
    last_attempt: Option<Instant>,
    events: Receiver<Event>,
    event_sender: Sender<Event>,
    pending: Option<Pending>,
    /// Lines queued with the service and not yet begun: (message id, asked, delay).
    waiting: Vec<(u64, Instant, Duration)>,
    /// A line is being said (begun, not ended).
    speaking: bool,
}

impl Worker {
    fn new(config: SpeechConfig, shared: Arc<Shared>) -> Self {
        let (event_sender, events) = mpsc::channel();
        Self {
            config,
            shared,
            prefs: VoicePrefs::default(),
            applied: None,
            client: None,
            last_attempt: None,
            events,
            event_sender,
            pending: None,
            waiting: Vec::new(),
            speaking: false,
        }
    }

    fn run(mut self, receiver: &Receiver<Message>) {
        loop {
            self.take_events();
            let deadline = self.pending.as_ref().map(|line| line.asked + line.delay);
            // Events only matter while a line is queued; otherwise sleep.
            let wait = match deadline {
                Some(at) => at.saturating_duration_since(Instant::now()),
                None if !self.waiting.is_empty() || self.speaking => Duration::from_millis(50),
                None => Duration::from_secs(3600),
            };
            match receiver.recv_timeout(wait) {
                Ok(Message::Say { line, asked, delay }) => {
                    self.hush();
                    self.pending = line.map(|text| Pending {
                        text,
                        asked,
                        delay,
                        forced: false,
                    });
                }
                Ok(Message::Test(text)) => {
                    self.hush();
                    self.pending = Some(Pending {
                        text,
                        asked: Instant::now(),
                        delay: Duration::ZERO,
                        forced: true,
                    });
                }
                Ok(Message::Configure(prefs)) => {
                    let was_enabled = self.prefs.enabled;
                    // Back to the service's own voice: only a new connection has it.
                    let default_voice = self
                        .applied
                        .as_ref()
                        .is_some_and(|applied| applied.voice.is_some())
                        && prefs.voice.is_none();
                    self.prefs = prefs;
                    if default_voice {
                        self.client = None;
                        self.last_attempt = None;
                    }
                    if self.prefs.enabled {
                        if !was_enabled {
                            self.last_attempt = None;
                        }
                        self.connect();
                    } else {
                        self.shared.set_status(SpeechStatus::Off);
                    }
                }
                Ok(Message::Shutdown) | Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => {}
            }
            if let Some(line) = self
                .pending
                .take_if(|line| line.asked + line.delay <= Instant::now())
            {
                self.speak(line);
            }
        }
    }

    fn take_events(&mut self) {
        self.waiting
            .retain(|(_, asked, delay)| asked.elapsed() < *delay + BEGIN_TIMEOUT);
        while let Ok(event) = self.events.try_recv() {
            match event.kind {
                EventKind::Begin => {
                    self.speaking = true;
                    if let Some(index) = self
                        .waiting
                        .iter()
                        .position(|(id, _, _)| *id == event.message)
                    {
                        let (_, asked, delay) = self.waiting.remove(index);
                        self.shared
                            .timings
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push(SpeechTiming {
                                asked,
                                delay,
                                began: event.at,
                            });
                    }
                }
                EventKind::End | EventKind::Cancelled => {
                    self.speaking = false;
                    self.waiting.retain(|(id, _, _)| *id != event.message);
                }
                EventKind::Other => {}
            }
        }
    }

    /// Stops the line being said, so a new cue is never talked over.
    fn hush(&mut self) {
        self.pending = None;
        if !self.speaking && self.waiting.is_empty() {
            return;
        }
        if let Some(client) = &mut self.client
            && let Err(error) = client.cancel()
        {
            self.lost(&error.to_string());
        }
        self.speaking = false;
        self.waiting.clear();
    }

    fn speak(&mut self, line: Pending) {
        if !(self.prefs.enabled || line.forced) {
            return;
        }
        // Held up (reconnecting, say): a line this late belongs to a cue
        // long gone, and is dropped rather than said out of turn.
        if (line.asked + line.delay).elapsed() > STALE_LINE {
            log::info!("a spoken line came too late and was dropped");
            return;
        }
        if self.client.is_none() && !self.connect() {
            return;
        }
        let result = self.apply_prefs().and_then(|()| match &mut self.client {
            Some(client) => client.speak(&line.text),
            None => Err(ssip::SsipError::Closed),
        });
        match result {
            Ok(id) => self.waiting.push((id, line.asked, line.delay)),
            Err(error) => self.lost(&error.to_string()),
        }
    }

    fn apply_prefs(&mut self) -> Result<(), ssip::SsipError> {
        if self.applied.as_ref() == Some(&self.prefs) {
            return Ok(());
        }
        let Some(client) = &mut self.client else {
            return Err(ssip::SsipError::Closed);
        };
        let prefs = &self.prefs;
        client.command(&format!("SET self RATE {}", prefs.rate.clamp(-100, 100)))?;
        let volume = (prefs.volume.clamp(0.0, 1.0) * 200.0 - 100.0).round() as i32;
        client.command(&format!("SET self VOLUME {volume}"))?;
        if let Some(voice) = &prefs.voice {
            // A voice that has gone (another output module) falls back to the default.
            let clean: String = voice.chars().filter(|c| !c.is_control()).collect();
            if let Err(error) = client.command(&format!("SET self SYNTHESIS_VOICE {clean}")) {
                log::warn!("voice {clean:?} not available: {error}");
            }
        }
        self.applied = Some(prefs.clone());
        Ok(())
    }

    /// Connects if not connected, starting the service if allowed. Returns
    /// whether a connection is open. A failure is retried after [`RETRY_EVERY`].
    fn connect(&mut self) -> bool {
        if self.client.is_some() {
            return true;
        }
        if self
            .last_attempt
            .is_some_and(|at| at.elapsed() < RETRY_EVERY)
        {
            return false;
        }
        self.last_attempt = Some(Instant::now());
        let socket = match &self.config.socket {
            Ok(socket) => socket.clone(),
            Err(reason) => {
                self.shared
                    .set_status(SpeechStatus::Unavailable(reason.clone()));
                return false;
            }
        };
        let mut result = Client::connect(&socket, self.event_sender.clone());
        let mut installed = true;
        if result.is_err() && self.config.autospawn {
            installed = spawn_service(&socket);
        }
        if result.is_err() && self.config.autospawn && installed {
            let started = Instant::now();
            while started.elapsed() < SPAWN_WAIT {
                thread::sleep(Duration::from_millis(100));
                result = Client::connect(&socket, self.event_sender.clone());
                if result.is_ok() {
                    break;
                }
            }
        }
        match result {
            Ok(mut client) => {
                match client.voices() {
                    Err(error @ ssip::SsipError::Timeout) => {
                        log::warn!("the speech service did not list its voices: {error}");
                        self.lost("the speech service is not answering");
                        return false;
                    }
                    Ok(voices) => {
                        *self
                            .shared
                            .voices
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner) = useful_voices(voices);
                    }
                    Err(error) => log::warn!("could not list the voices: {error}"),
                }
                self.client = Some(client);
                self.applied = None;
                self.shared.set_status(SpeechStatus::Ready);
                true
            }
            Err(error) => {
                log::warn!("spoken guidance unavailable: {error}");
                self.shared.set_status(if installed {
                    SpeechStatus::Unavailable(format!(
                        "no speech service answers at {}",
                        socket.display()
                    ))
                } else {
                    SpeechStatus::NotInstalled
                });
                false
            }
        }
    }

    fn lost(&mut self, reason: &str) {
        log::warn!("speech service lost: {reason}");
        self.client = None;
        self.last_attempt = None;
        self.speaking = false;
        self.waiting.clear();
        self.shared.set_status(SpeechStatus::Unavailable(
            "the speech service stopped answering".to_owned(),
        ));
    }
}

/// The voices worth listing: those for the app's language (English),
/// without the service's variants of each ("English (America)+victor"),
/// once each, in the service's order, at most [`MAX_VOICES`].
pub fn useful_voices(voices: Vec<Voice>) -> Vec<Voice> {
    let mut kept: Vec<Voice> = Vec::new();
    for voice in voices {
        let english = voice.language.is_empty()
            || voice.language == "en"
            || voice.language.starts_with("en-")
            || voice.language.starts_with("en_");
        let variant = voice.name.contains('+');
        if english && !variant && !kept.iter().any(|known| known.name == voice.name) {
            kept.push(voice);
            if kept.len() == MAX_VOICES {
                break;
            }
        }
    }
    kept
}

/// Starts the speech service the way its own client library does (on the
/// socket it will be looked for at); `false` when it is not installed.
fn spawn_service(socket: &std::path::Path) -> bool {
    let spawned = Command::new("speech-dispatcher")
        .args([
            "--spawn",
            "--communication-method",
            "unix_socket",
            "--socket-path",
        ])
        .arg(socket)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            // `--spawn` forks the daemon and exits; reap it off this thread.
            let _ = thread::Builder::new()
                .name("unknot-speech-spawn".into())
                .spawn(move || child.wait());
            true
        }
        Err(error) => {
            log::info!("speech-dispatcher could not be started: {error}");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voice(name: &str, language: &str) -> Voice {
        Voice {
            name: name.into(),
            language: language.into(),
        }
    }

    #[test]
    fn the_voice_list_keeps_english_voices_once_without_their_variants() {
        let voices = vec![
            voice("English (America)", "en-US"),
            voice("English (America)+victor", "en-US"),
            voice("German", "de"),
            voice("English (Great Britain)", "en-GB"),
            voice("English (America)", "en-US"),
            voice("English (Scotland)+f2", "en-GB-scotland"),
        ];
        let names: Vec<String> = useful_voices(voices).into_iter().map(|v| v.name).collect();
        assert_eq!(names, ["English (America)", "English (Great Britain)"]);
    }
}
