//! The desktop around the window, over the session bus: the media-player
//! interface for media keys and headset buttons, and notifications when the
//! window is not in front.
//!
//! One named thread owns the bus connection. The conductor and the window
//! send it small messages and never wait for the bus; without a session bus
//! the thread says so once and drops every message, and the tones and the
//! window carry on as before.

pub mod autostart;
pub mod mpris;
pub mod notify;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use zbus::blocking::Connection;

use crate::conductor::{ControlHandle, Update};
use crate::core::engine::{CueKind, Ending, Phase};

/// The app's id: the window's, the desktop entry's and the bus name's.
pub const APP_ID: &str = "io.github.unknot.Unknot";
/// The longest any call to the bus may take before it is given up.
pub const BUS_TIMEOUT: Duration = Duration::from_secs(3);

/// Whether the desktop services work, for the notice in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DesktopStatus {
    /// Connecting.
    Starting,
    /// Connected to the session bus.
    Ready,
    /// No session bus: no media keys, no notifications. Holds the reason.
    Unavailable(String),
}

/// What the desktop switches are set to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DesktopPrefs {
    /// Notify when the window is not in front.
    pub notifications: bool,
    /// Publish the media-player interface while a session is open.
    pub media_keys: bool,
    /// Keep the login-time course reminder's autostart entry.
    pub reminders: bool,
}

enum Message {
    Configure(DesktopPrefs),
    Opened(ControlHandle, Box<Update>),
    /// An update, and whether the window was in front when it happened.
    Changed(Box<Update>, bool),
    Closed,
    Shutdown,
}

/// Handle to the desktop thread.
pub struct Desktop {
    sender: Mutex<Sender<Message>>,
    status: Arc<Mutex<DesktopStatus>>,
    focused: Arc<AtomicBool>,
    notified: Arc<Mutex<Vec<notify::Sent>>>,
    /// Set when a notification or the player asks for the window.
    raise: Arc<AtomicBool>,
    /// Why the reminder's autostart entry could not be written or removed.
    reminder_problem: Arc<Mutex<Option<String>>>,
}

/// How to reach the bus and bring the window forward.
pub struct DesktopConfig {
    /// A bus address; `None` for the session bus.
    pub address: Option<String>,
    /// Wakes the window: the status changed, or something asked for the
    /// window to come forward (see [`Desktop::take_raise`]).
    pub wake: Arc<dyn Fn() + Send + Sync>,
    /// The course reminder's autostart entry, kept in step with
    /// [`DesktopPrefs::reminders`]; `None` leaves autostart alone.
    pub autostart: Option<autostart::Autostart>,
}

impl Desktop {
    /// Starts the desktop thread.
    pub fn start(config: DesktopConfig, prefs: DesktopPrefs) -> Self {
        let (sender, receiver) = mpsc::channel();
        let status = Arc::new(Mutex::new(DesktopStatus::Starting));
        let focused = Arc::new(AtomicBool::new(true));
        let notified = Arc::new(Mutex::new(Vec::new()));
        let raise = Arc::new(AtomicBool::new(false));
        let reminder_problem = Arc::new(Mutex::new(None));
        let _ = sender.send(Message::Configure(prefs));
        let spawned = {
            let raise = Arc::clone(&raise);
            let status = Arc::clone(&status);
            let notified = Arc::clone(&notified);
            let problem = Arc::clone(&reminder_problem);
            thread::Builder::new()
                .name("unknot-desktop".into())
                .spawn(move || {
                    let wake = Arc::clone(&config.wake);
                    let raise: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
                        raise.store(true, Ordering::Relaxed);
                        wake();
                    });
                    let shared = Shared {
                        status: &status,
                        notified: &notified,
                        reminder_problem: &problem,
                    };
                    run(&config, &raise, &receiver, &shared);
                })
        };
        if let Err(error) = spawned {
            *status.lock().unwrap_or_else(PoisonError::into_inner) =
                DesktopStatus::Unavailable(format!("could not start the desktop thread: {error}"));
        }
        Self {
            sender: Mutex::new(sender),
            status,
            focused,
            notified,
            raise,
            reminder_problem,
        }
    }

    /// Why the reminder's login entry could not be changed, once.
    pub fn take_reminder_problem(&self) -> Option<String> {
        self.reminder_problem
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Whether something asked for the window to come forward since the
    /// last call.
    pub fn take_raise(&self) -> bool {
        self.raise.swap(false, Ordering::Relaxed)
    }

    fn send(&self, message: Message) {
        let _ = self
            .sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(message);
    }

    /// The current status.
    pub fn status(&self) -> DesktopStatus {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Applies new switches.
    pub fn configure(&self, prefs: DesktopPrefs) {
        self.send(Message::Configure(prefs));
    }

    /// Whether the window is in front; notifications are only for when it is not.
    pub fn set_focused(&self, focused: bool) {
        self.focused.store(focused, Ordering::Relaxed);
    }

    /// A session opened: publish the player for it.
    pub fn opened(&self, handle: ControlHandle, update: Update) {
        self.send(Message::Opened(handle, Box::new(update)));
    }

    /// Something in the session changed (from the conductor's thread).
    pub fn changed(&self, update: &Update) {
        let in_front = self.focused.load(Ordering::Relaxed);
        self.send(Message::Changed(Box::new(update.clone()), in_front));
    }

    /// The session's screen was left: withdraw the player.
    pub fn closed(&self) {
        self.send(Message::Closed);
    }

    /// Notifications sent so far, for tests and the log.
    pub fn notified(&self) -> Vec<notify::Sent> {
        self.notified
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Desktop {
    /// Asks the thread to end without waiting for the bus.
    fn drop(&mut self) {
        self.send(Message::Shutdown);
    }
}

fn connect(address: Option<&str>) -> zbus::Result<Connection> {
    let builder = match address {
        Some(address) => zbus::blocking::connection::Builder::address(address)?,
        None => zbus::blocking::connection::Builder::session()?,
    };
    builder.method_timeout(BUS_TIMEOUT).build()
}

/// What the desktop thread shares with the window.
struct Shared<'a> {
    status: &'a Mutex<DesktopStatus>,
    notified: &'a Mutex<Vec<notify::Sent>>,
    reminder_problem: &'a Mutex<Option<String>>,
}

/// Writes or removes the reminder's autostart entry; a failure is kept for
/// the window to show.
fn sync_autostart(config: &DesktopConfig, prefs: DesktopPrefs, shared: &Shared<'_>) {
    let Some(entry) = &config.autostart else {
        return;
    };
    if let Err(error) = entry.apply(prefs.reminders) {
        let action = if prefs.reminders { "set up" } else { "removed" };
        log::warn!("course reminder: {error}");
        *shared
            .reminder_problem
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(format!(
            "The login reminder could not be {action}: {error}."
        ));
        (config.wake)();
    }
}

fn run(
    config: &DesktopConfig,
    raise: &Arc<dyn Fn() + Send + Sync>,
    receiver: &Receiver<Message>,
    shared: &Shared<'_>,
) {
    let (status, notified) = (shared.status, shared.notified);
    let set_status = |value: DesktopStatus| {
        *status.lock().unwrap_or_else(PoisonError::into_inner) = value;
        (config.wake)();
    };
    let connection = match connect(config.address.as_deref()) {
        Ok(connection) => {
            set_status(DesktopStatus::Ready);
            connection
        }
        Err(error) => {
            log::warn!("no session bus, so no media keys or notifications: {error}");
            set_status(DesktopStatus::Unavailable(error.to_string()));
            // Keep answering so senders never notice.
            while let Ok(message) = receiver.recv() {
                match message {
                    Message::Shutdown => return,
                    Message::Configure(new) => sync_autostart(config, new, shared),
                    _ => {}
                }
            }
            return;
        }
    };
    let notifier = notify::Notifier::start(&connection, Arc::clone(raise));
    let now: mpris::Shared = Arc::new(Mutex::new(mpris::Now::default()));
    let mut prefs = DesktopPrefs {
        notifications: true,
        media_keys: true,
        reminders: false,
    };
    let mut published = false;
    let mut configured = false;
    let mut heat_notice = None;
    while let Ok(message) = receiver.recv() {
        match message {
            Message::Configure(new) => {
                if new.reminders != prefs.reminders || !configured {
                    sync_autostart(config, new, shared);
                    configured = true;
                }
                prefs = new;
                let open = lock_now(&now).handle.is_some();
                if prefs.media_keys && open && !published {
                    published = publish(&connection, &now, raise);
                } else if !prefs.media_keys && published {
                    withdraw(&connection);
                    published = false;
                }
            }
            Message::Opened(handle, update) => {
                {
                    let mut now = lock_now(&now);
                    now.handle = Some(handle);
                    now.apply(&update);
                }
                heat_notice = None;
                if prefs.media_keys && !published {
                    published = publish(&connection, &now, raise);
                } else if published {
                    announce_change(&connection);
                }
            }
            Message::Changed(update, in_front) => {
                // The session as it is now: a later control may already
                // have moved it past this update.
                lock_now(&now).refresh();
                if published {
                    announce_change(&connection);
                }
                if prefs.notifications && !in_front {
                    for (kind, text) in notices(&update) {
                        // The repeating heat alarm updates its one notification.
                        let replaces = if kind == notify::Kind::HeatOff {
                            heat_notice
                        } else {
                            None
                        };
                        match notifier.send(kind, &text.0, &text.1, replaces) {
                            Ok(sent) => {
                                if kind == notify::Kind::HeatOff {
                                    heat_notice = Some(sent.id);
                                }
                                notified
                                    .lock()
                                    .unwrap_or_else(PoisonError::into_inner)
                                    .push(sent);
                            }
                            Err(error) => log::warn!("notification not shown: {error}"),
                        }
                    }
                }
            }
            Message::Closed => {
                *lock_now(&now) = mpris::Now::default();
                if published {
                    withdraw(&connection);
                    published = false;
                }
            }
            Message::Shutdown => break,
        }
    }
    if published {
        withdraw(&connection);
    }
}

fn lock_now(now: &mpris::Shared) -> std::sync::MutexGuard<'_, mpris::Now> {
    now.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Serves both interfaces and takes the player's bus name; `false` (logged)
/// when the bus refuses.
fn publish(
    connection: &Connection,
    now: &mpris::Shared,
    raise: &Arc<dyn Fn() + Send + Sync>,
) -> bool {
    let server = connection.object_server();
    let served = server
        .at(
            mpris::PATH,
            mpris::Root {
                raise: Arc::clone(raise),
            },
        )
        .and_then(|_| {
            server.at(
                mpris::PATH,
                mpris::Player {
                    now: Arc::clone(now),
                },
            )
        })
        .and_then(|_| connection.request_name(mpris::BUS_NAME));
    match served {
        Ok(()) => true,
        Err(error) => {
            log::warn!("media keys unavailable: {error}");
            let _ = server.remove::<mpris::Player, _>(mpris::PATH);
            let _ = server.remove::<mpris::Root, _>(mpris::PATH);
            false
        }
    }
}

fn withdraw(connection: &Connection) {
    let _ = connection.release_name(mpris::BUS_NAME);
    let server = connection.object_server();
    let _ = server.remove::<mpris::Player, _>(mpris::PATH);
    let _ = server.remove::<mpris::Root, _>(mpris::PATH);
}

/// Tells listeners (the desktop's player widget) that the state and the
/// track changed.
fn announce_change(connection: &Connection) {
    let Ok(player) = connection
        .object_server()
        .interface::<_, mpris::Player>(mpris::PATH)
    else {
        return;
    };
    let emitter = player.signal_emitter();
    let player = player.get();
    let results = zbus::block_on(async {
        [
            player.playback_status_changed(emitter).await,
            player.metadata_changed(emitter).await,
            player.can_play_changed(emitter).await,
            player.can_go_next_changed(emitter).await,
        ]
    });
    if let Some(Err(error)) = results.into_iter().find(Result::is_err) {
        log::warn!("could not tell the desktop the player changed: {error}");
    }
}

/// The notifications an update calls for: the end, a skin check, heat off.
fn notices(update: &Update) -> Vec<(notify::Kind, (String, String))> {
    let mut out = Vec::new();
    for event in &update.sounded {
        match event.kind {
            CueKind::SessionEnd if update.view.phase == Phase::Ended(Ending::Completed) => {
                out.push((
                    notify::Kind::Finished,
                    (
                        "Session finished".to_owned(),
                        format!(
                            "{}: {} played.",
                            update.routine,
                            crate::core::announce::played_words(update.view.session_played)
                        ),
                    ),
                ));
            }
            CueKind::SkinCheck => out.push((
                notify::Kind::SkinCheck,
                (
                    "Skin check".to_owned(),
                    "Lift the heat and look at the skin. If it is red or sore, take the heat off."
                        .to_owned(),
                ),
            )),
            CueKind::HeatOff => out.push((
                notify::Kind::HeatOff,
                (
                    "Take the heat off now".to_owned(),
                    "Then press H in unknot, or click here to open it.".to_owned(),
                ),
            )),
            _ => {}
        }
    }
    out
}
