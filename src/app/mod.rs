//! The app layer: all state, and the handling of every command and every
//! message from the background threads. Nothing here draws; `ui/` draws this
//! state and returns [`Command`]s. Handlers are grouped by concern, a file each.

pub mod command;
mod dialogs;
pub mod editor;
pub mod history;
mod navigation;
mod prefs;
mod routines;
pub mod screen;
mod session;
pub mod transfer;

use std::path::PathBuf;
use std::sync::Arc;

use crate::audio::{AudioStatus, CueSink};
use crate::clock::Clock;
use crate::conductor::{Conductor, CueTiming};
use crate::core::prefs::{Preferences, ThemeChoice};
use crate::library::{DEFAULT_ROUTINE_ID, Library};
use crate::store::disk::DiskWorker;
use crate::store::history_worker::{HistoryWorker, SessionToken};
use crate::store::prefs_store::PrefsSaver;

pub use command::{
    Command, HistoryCommand, NavCommand, PrefsCommand, RoutineCommand, SessionCommand,
};
use dialogs::DialogAnswer;
pub use dialogs::home_folder;
pub use screen::{FinishSummary, PlayerState, Screen, SetupState};

/// What the app needs from the outside world; tests pass fakes.
pub struct AppDeps {
    /// Built-in and user routines, with their problems.
    pub library: Library,
    /// Monotonic time source.
    pub clock: Arc<dyn Clock>,
    /// Where cues are sounded.
    pub cues: Arc<dyn CueSink>,
    /// Whether sound works, for the notice.
    pub audio_status: Box<dyn Fn() -> AudioStatus>,
    /// Preferences as loaded.
    pub prefs: Preferences,
    /// Saves preferences in the background; `None` in tests that need no files.
    pub prefs_saver: Option<PrefsSaver>,
    /// Something to tell the person once at start (a preferences file set aside).
    pub startup_notice: Option<String>,
    /// Does routine-file work off the UI thread; `None` when there is no routines folder.
    pub disk: Option<DiskWorker>,
    /// The preferences file, named in messages.
    pub prefs_path: Option<PathBuf>,
    /// Records sessions; `None` in tests that need no database.
    pub history: Option<HistoryWorker>,
    /// The person's routines folder, shown in the library.
    pub user_routines_dir: Option<PathBuf>,
    /// Spoken guidance; `None` in tests that need no voice.
    pub speech: Option<Arc<crate::speech::Speech>>,
    /// Media keys and notifications; `None` in tests that need no bus.
    pub desktop: Option<Arc<crate::desktop::Desktop>>,
}

/// The whole app state.
pub struct UnknotApp {
    pub(crate) deps: AppDeps,
    /// The current screen.
    pub screen: Screen,
    pub(crate) audio_notice_dismissed: bool,
    /// The "no speech service" notice was dismissed (it shows once a run).
    pub(crate) speech_notice_dismissed: bool,
    pub(crate) prefs: Preferences,
    /// The theme and scale last applied to the window, to apply changes once.
    pub(crate) applied_look: Option<(ThemeChoice, f32)>,
    /// A message about something that went wrong (e.g. a thread could not start).
    pub error_notice: Option<String>,
    /// A passing message ("Saved …").
    pub notice: Option<String>,
    /// "Quit?" is showing: a close was asked for while a session plays.
    pub confirm_quit: bool,
    /// The window should close (the shell reads this once).
    close_requested: bool,
    /// Sessions started in this run, for history tokens.
    sessions_started: SessionToken,
    dialog_results: (
        std::sync::mpsc::Sender<DialogAnswer>,
        std::sync::mpsc::Receiver<DialogAnswer>,
    ),
    repaint: Arc<dyn Fn() + Send + Sync>,
    /// Cue timings of sessions already finished, for the benchmark.
    finished_timings: Vec<CueTiming>,
    /// Completed sessions of the course's routine, once the history has answered.
    course_sessions: Option<Vec<crate::core::course::CourseSession>>,
    /// A finished session's conductor, kept while its take-the-heat-off alarm
    /// repeats and waits for an answer.
    lingering_alarms: Vec<Conductor>,
    /// Whether the window has asked for attention for the current alarm.
    attention_requested: bool,
    /// The desktop has been told of the session on screen (its token).
    desktop_session: Option<u64>,
    /// The notice that media keys and notifications are unavailable was dismissed.
    pub(crate) desktop_notice_dismissed: bool,
}

impl UnknotApp {
    /// Builds the app. `repaint` asks the window to redraw from any thread.
    pub fn new(mut deps: AppDeps, repaint: Arc<dyn Fn() + Send + Sync>) -> Self {
        let prefs = std::mem::take(&mut deps.prefs);
        deps.cues.apply_settings(prefs.master_volume, &prefs.cues);
        // The safety page comes first, once, before anything can be played.
        let screen = if prefs.safety_acknowledged {
            Screen::Library
        } else {
            Screen::Safety
        };
        // The person's own routines are read off this thread (the first
        // frame needs only the built-in ones).
        if let Some(disk) = &deps.disk {
            disk.submit(crate::store::disk::DiskJob::Rescan);
        }
        let mut app = Self {
            deps,
            screen,
            audio_notice_dismissed: false,
            speech_notice_dismissed: false,
            prefs,
            applied_look: None,
            error_notice: None,
            notice: None,
            confirm_quit: false,
            close_requested: false,
            sessions_started: 0,
            dialog_results: std::sync::mpsc::channel(),
            lingering_alarms: Vec::new(),
            attention_requested: false,
            desktop_session: None,
            desktop_notice_dismissed: false,
            repaint,
            finished_timings: Vec::new(),
            course_sessions: None,
        };
        app.refresh_course();
        app
    }

    /// The loaded library.
    pub fn library(&self) -> &Library {
        &self.deps.library
    }

    /// The preferences in force.
    pub fn prefs(&self) -> &Preferences {
        &self.prefs
    }

    /// Keeps the desktop in step with the window: whether it is in front,
    /// and which session (if any) the media keys control. Returns whether
    /// something asked for the window to come forward.
    pub fn sync_desktop(&mut self, focused: bool) -> bool {
        let Some(desktop) = &self.deps.desktop else {
            return false;
        };
        desktop.set_focused(focused);
        if let Some(problem) = desktop.take_reminder_problem() {
            self.error_notice = Some(problem);
        }
        let playing = match &self.screen {
            Screen::Player(player) => Some((player.token, &player.conductor)),
            _ => None,
        };
        match (playing, self.desktop_session) {
            (Some((token, conductor)), known) if known != Some(token) => {
                desktop.opened(conductor.handle(), conductor.update());
                self.desktop_session = Some(token);
            }
            (None, Some(_)) => {
                desktop.closed();
                self.desktop_session = None;
            }
            _ => {}
        }
        desktop.take_raise()
    }

    /// Applies one command.
    pub fn run_command(&mut self, command: Command) {
        match command {
            Command::Nav(command) => self.run_nav(command),
            Command::Session(command) => self.run_session(command),
            Command::Routines(command) => self.run_routines(command),
            Command::History(command) => self.run_history(command),
            Command::Prefs(command) => self.run_prefs(command),
        }
    }

    /// Applies what the disk thread and the file dialog sent back.
    pub fn handle_background_results(&mut self) {
        self.apply_dialog_answers();
        let warnings = self.deps.cues.take_warnings();
        if !warnings.is_empty() {
            self.notice = Some(warnings.join("\n"));
        }
        let replies = match &self.deps.history {
            Some(history) => history.drain(),
            None => Vec::new(),
        };
        for reply in replies {
            self.apply_history_reply(reply);
        }
        let results = match &self.deps.disk {
            Some(disk) => disk.drain(),
            None => Vec::new(),
        };
        for result in results {
            self.apply_disk_result(result);
        }
    }

    /// The routine Enter opens on the library: the last one played, else the default.
    pub fn enter_routine_id(&self) -> String {
        self.prefs
            .last_routine
            .as_ref()
            .map(|last| last.id.clone())
            .filter(|id| self.deps.library.find(id).is_some())
            .unwrap_or_else(|| DEFAULT_ROUTINE_ID.to_owned())
    }

    /// The window came to the front: routine files may have been changed by
    /// hand meanwhile, so the library is read again (off this thread).
    pub fn window_focused(&mut self) {
        if self.deps.disk.is_some() {
            self.submit(crate::store::disk::DiskJob::Rescan);
        }
    }
}
