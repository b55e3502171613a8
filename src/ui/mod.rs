//! The window: one module per screen, all drawing from state and returning
//! [`Command`]s that are applied after the pass. Nothing here blocks on disk or
//! audio; the playing session lives in the [`Conductor`]'s thread.

pub mod body_map;
pub mod editor;
mod finish;
pub mod history;
mod library;
mod player;
pub mod safety;
mod settings;
mod setup;
pub mod theme;
pub mod transfer;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use egui::{Key, Modifiers, RichText};

use crate::audio::{AudioStatus, CueSink};
use crate::clock::Clock;
use crate::conductor::{Conductor, CueTiming};
use crate::core::engine::{Control, CueKind, Ending, Phase, SessionPlan};
use crate::core::history::Outcome;
use crate::core::parse::routine_to_toml;
use crate::core::plan::{plan_with_lengths, step_lengths};
use crate::core::prefs::{LastRoutine, Preferences, ThemeChoice, WindowGeometry};
use crate::core::routine::Routine;
use crate::core::scale::{MAX_LENGTH_SECS, MIN_LENGTH_SECS, MIN_STEP_SECS};
use crate::library::RoutineSource;
use crate::library::{DEFAULT_ROUTINE_ID, Library};
use crate::store::disk::{DiskJob, DiskResult, DiskWorker};
use crate::store::history_db::NewSession;
use crate::store::history_worker::{HistoryQuery, HistoryReply, HistoryWorker, SessionToken};
use crate::store::prefs_store::{PrefsSaver, SaveStatus};
use editor::EditorState;
use history::{HistoryState, PAGE_ROWS};
use transfer::{Direction, ImportChoice, PendingImport, TransferState};

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
}

/// Actions the screens ask for; applied after drawing so no screen mutates
/// state mid-frame.
#[must_use]
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Go to the setup screen for a routine.
    OpenRoutine(String),
    /// Back to the routine list.
    ShowLibrary,
    /// Change the chosen session length on the setup screen.
    SetLength(u32),
    /// Start playing the routine on the setup screen.
    Start,
    /// Pause, skip, back or stop the playing session.
    Control(Control),
    /// Stop the session because it hurt (recorded in the history).
    StopHurt,
    /// Esc in the player: pause and ask before ending the session.
    AskStop,
    /// Play the same routine and length again from the finish screen.
    PlayAgain,
    /// Hide the notice about sound.
    DismissAudioNotice,
    /// Change the master volume, 0 to 1.
    SetVolume(f32),
    /// Play a cue so the person can check the volume.
    TestSound,
    /// Play one cue from the settings screen, even if it is switched off.
    PreviewCue(CueKind),
    /// Lengthen or shorten one step on the setup screen, by seconds.
    NudgeStep {
        /// Step index.
        index: usize,
        /// Seconds to add (negative to shorten).
        delta_secs: i32,
    },
    /// Forget this routine's remembered length and step changes.
    ResetRoutine,
    /// Open the settings screen.
    ShowSettings,
    /// Replace the preferences (from the settings screen).
    ChangePrefs(Box<Preferences>),
    /// Hide the start-up notice.
    DismissStartupNotice,
    /// Hide the latest information notice.
    DismissNotice,
    /// The answer to the heat routine's "no fresh swelling or injury" check.
    SetHeatCheck(bool),
    /// Pain before the session, on the setup screen (`None` to skip).
    SetPainBefore(Option<u8>),
    /// Pain after and notes, from the finish screen.
    RateSession {
        /// Pain after, 0 to 10.
        pain_after: Option<u8>,
        /// Notes.
        notes: String,
    },
    /// Hide the history's one-time notice.
    DismissHistoryNotice,
    /// Start a new routine in the editor.
    NewRoutine,
    /// Edit a routine (a built-in one is duplicated first).
    EditRoutine(String),
    /// Save the routine in the editor.
    SaveRoutine,
    /// Delete the routine in the editor (already confirmed).
    DeleteRoutine,
    /// Open the import screen.
    ShowImport,
    /// Open the export screen for a routine.
    ShowExport(Routine),
    /// Open the system file dialog for the import/export path.
    BrowseForPath,
    /// Import the routine file at this path.
    ImportFrom(PathBuf),
    /// Export to this path.
    ExportTo(PathBuf),
    /// Answer the question about a clashing id.
    ResolveImport(ImportChoice),
    /// Leave the import/export screen.
    LeaveTransfer,
    /// Pick a sound file for a cue with the system file dialog.
    ChooseCueSound(CueKind),
    /// Open the history screen.
    ShowHistory,
    /// Ask the history thread again with the screen's filter.
    QueryHistory,
    /// Fetch the table rows starting at this index.
    LoadHistoryPage(u64),
    /// Change a stored session's ratings and notes.
    EditSession {
        /// Session id.
        id: i64,
        /// Pain before.
        pain_before: Option<u8>,
        /// Pain after.
        pain_after: Option<u8>,
        /// Notes.
        notes: String,
    },
    /// Delete a stored session (already confirmed).
    DeleteSession(i64),
    /// Put the last deleted session back.
    UndoDeleteSession,
    /// Hide the "deleted" bar without undoing.
    ForgetDeletedSession,
    /// Write the sessions shown to this file.
    ExportHistory(PathBuf),
    /// Open the system file dialog for the history export path.
    BrowseHistoryExport,
    /// Plan a course of the routine on the setup screen.
    StartCourse,
    /// End the course plan.
    EndCourse,
    /// The "no relief" suggestion was read.
    DismissNoRelief,
    /// Show the safety page.
    ShowSafety,
    /// The person has read the safety page at the first start.
    AcknowledgeSafety,
    /// Close the window.
    Quit,
}

/// The setup screen's choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupState {
    /// The routine being set up.
    pub routine: Routine,
    /// The chosen active length.
    pub length_secs: u32,
    /// Each step's length: scaled to `length_secs`, then nudged by hand.
    pub step_secs: Vec<u32>,
    /// Pain right now, 0 to 10, if the person gave it.
    pub pain_before: Option<u8>,
    /// For heat routines: the answer to "no fresh swelling or injury?"
    /// (`Some(true)` means fine for heat). Start waits for `Some(true)`.
    pub heat_check: Option<bool>,
    /// When heat was last used, from the history.
    pub last_heat: Option<chrono::DateTime<chrono::Utc>>,
}

impl SetupState {
    /// Whether Start may be pressed: heat routines need the injury check first.
    pub fn can_start(&self) -> bool {
        !self.routine.uses_heat() || self.heat_check == Some(true)
    }
}

impl SetupState {
    /// The active length the steps add up to.
    pub fn total_secs(&self) -> u32 {
        self.step_secs.iter().sum()
    }
}

/// A session being played.
pub struct PlayerState {
    /// Owns the timing thread.
    pub conductor: Conductor,
    /// The chosen length, for "play again".
    pub length_secs: u32,
    /// The step lengths, for "play again".
    pub step_secs: Vec<u32>,
    /// The routine, for "play again".
    pub routine: Routine,
    /// The plan being played (scaled steps), for drawing.
    pub plan: SessionPlan,
    /// The session's handle in the history.
    pub token: SessionToken,
    /// Pain before, as given on the setup screen.
    pub pain_before: Option<u8>,
    /// Set when the person stopped because it hurt.
    pub stopped_hurt: bool,
    /// Esc was pressed once: the session is paused and asks before it ends.
    pub confirm_stop: bool,
}

/// What the finish screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishSummary {
    /// Routine as played.
    pub routine: Routine,
    /// The chosen active length.
    pub length_secs: u32,
    /// The step lengths played, for "play again".
    pub step_secs: Vec<u32>,
    /// Completed or stopped.
    pub ending: Ending,
    /// Active time played, lead-in excluded.
    pub active_secs: u64,
    /// Steps played to their end.
    pub steps_completed: usize,
    /// Steps in the plan.
    pub step_count: usize,
    /// The session's handle in the history.
    pub token: SessionToken,
    /// Pain before, as given on the setup screen.
    pub pain_before: Option<u8>,
    /// Pain after, 0 to 10, if given.
    pub pain_after: Option<u8>,
    /// Notes about this session.
    pub notes: String,
    /// Whether the person stopped because it hurt.
    pub stopped_hurt: bool,
}

/// Which screen is showing.
pub enum Screen {
    /// The routine cards.
    Library,
    /// Choosing the length before playing.
    Setup(SetupState),
    /// Playing.
    Player(PlayerState),
    /// After a session.
    Finish(FinishSummary),
    /// Preferences.
    Settings,
    /// Editing a routine.
    Editor(Box<EditorState>),
    /// Importing or exporting a routine file.
    Transfer(Box<TransferState>),
    /// Past sessions, statistics and charts.
    History(Box<HistoryState>),
    /// Red flags and how to stop (first start, and from the top bar).
    Safety,
}

impl Screen {
    /// A short name for tests and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Screen::Library => "library",
            Screen::Setup(_) => "setup",
            Screen::Player(_) => "player",
            Screen::Finish(_) => "finish",
            Screen::Settings => "settings",
            Screen::Editor(_) => "editor",
            Screen::Transfer(_) => "transfer",
            Screen::History(_) => "history",
            Screen::Safety => "safety",
        }
    }
}

/// The whole app state.
pub struct UnknotApp {
    deps: AppDeps,
    /// The current screen.
    pub screen: Screen,
    audio_notice_dismissed: bool,
    prefs: Preferences,
    /// The theme and scale last applied to the context, to apply changes once.
    applied_look: Option<(ThemeChoice, f32)>,
    /// A message about something that went wrong (e.g. a thread could not start).
    pub error_notice: Option<String>,
    /// A passing message ("Saved …").
    pub notice: Option<String>,
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
        let mut app = Self {
            deps,
            screen,
            audio_notice_dismissed: false,
            prefs,
            applied_look: None,
            error_notice: None,
            notice: None,
            sessions_started: 0,
            dialog_results: std::sync::mpsc::channel(),
            lingering_alarms: Vec::new(),
            attention_requested: false,
            repaint,
            finished_timings: Vec::new(),
            course_sessions: None,
        };
        app.refresh_course();
        app
    }

    /// Asks the history for the course's sessions (after a session, or a new plan).
    fn refresh_course(&mut self) {
        match (&self.prefs.course, &self.deps.history) {
            (Some(plan), Some(history)) => {
                history.course(plan.routine_id.clone(), plan.started_on);
            }
            _ => self.course_sessions = None,
        }
    }

    /// The course plan's progress today, once known.
    pub fn course_progress(&self) -> Option<crate::core::course::CourseProgress> {
        let plan = self.prefs.course.as_ref()?;
        let sessions = self.course_sessions.as_ref()?;
        Some(crate::core::course::progress(
            plan,
            sessions,
            chrono::Local::now().date_naive(),
        ))
    }

    /// The loaded library.
    pub fn library(&self) -> &Library {
        &self.deps.library
    }

    /// The preferences in force.
    pub fn prefs(&self) -> &Preferences {
        &self.prefs
    }

    /// Changes preferences, applies them and queues a save (never blocks).
    fn update_prefs(&mut self, change: impl FnOnce(&mut Preferences)) {
        let before = self.prefs.clone();
        change(&mut self.prefs);
        self.prefs = std::mem::take(&mut self.prefs).sanitised();
        if self.prefs == before {
            return;
        }
        if self.prefs.master_volume != before.master_volume || self.prefs.cues != before.cues {
            self.deps
                .cues
                .apply_settings(self.prefs.master_volume, &self.prefs.cues);
        }
        if let Some(saver) = &self.deps.prefs_saver {
            saver.save(&self.prefs);
        }
    }

    /// Opens the setup screen for a routine id, at its remembered or default length.
    pub fn open_routine(&mut self, id: &str) {
        if let Some(entry) = self.deps.library.find(id) {
            let routine = entry.routine.clone();
            let length_secs = self
                .prefs
                .starting_length(&routine.id, routine.default_length_secs());
            let memory = self.prefs.routines.get(&routine.id);
            let nudges = memory
                .filter(|memory| memory.length_secs == Some(length_secs))
                .map(|memory| memory.step_secs.clone())
                .unwrap_or_default();
            let step_secs = step_lengths(&routine, length_secs, &nudges);
            self.screen = Screen::Setup(SetupState {
                routine,
                length_secs,
                step_secs,
                pain_before: None,
                heat_check: None,
                last_heat: None,
            });
            if let Some(history) = &self.deps.history
                && self
                    .deps
                    .library
                    .find(id)
                    .is_some_and(|e| e.routine.uses_heat())
            {
                history.last_heat();
            }
        }
    }

    /// Starts playing a routine at a length straight away (used by `--autoplay`).
    pub fn autoplay(&mut self, id: &str, length_secs: Option<u32>) -> Result<(), String> {
        let Some(entry) = self.deps.library.find(id) else {
            return Err(format!("no routine with id \"{id}\""));
        };
        let routine = entry.routine.clone();
        let length_secs = length_secs.unwrap_or_else(|| routine.default_length_secs());
        let step_secs = step_lengths(&routine, length_secs, &Default::default());
        self.start(routine, length_secs, step_secs, None);
        Ok(())
    }

    fn start(
        &mut self,
        routine: Routine,
        length_secs: u32,
        step_secs: Vec<u32>,
        pain_before: Option<u8>,
    ) {
        let plan = plan_with_lengths(
            &routine,
            &step_secs,
            self.prefs.lead_in_secs,
            self.prefs.transition_secs,
        );
        let id = routine.id.clone();
        self.update_prefs(|prefs| {
            prefs.last_routine = Some(LastRoutine { id, length_secs });
        });
        match Conductor::start(
            plan.clone(),
            Arc::clone(&self.deps.clock),
            Arc::clone(&self.deps.cues),
            Arc::clone(&self.repaint),
        ) {
            Ok(conductor) => {
                self.sessions_started += 1;
                let token = self.sessions_started;
                if let Some(history) = &self.deps.history {
                    let probe = conductor.progress_probe();
                    let regions = routine
                        .regions()
                        .iter()
                        .map(|region| region.file_name().to_owned())
                        .collect();
                    history.started(
                        token,
                        NewSession {
                            routine_id: routine.id.clone(),
                            routine_name: routine.name.clone(),
                            planned_secs: step_secs.iter().sum(),
                            step_count: u32::try_from(routine.steps.len()).unwrap_or(u32::MAX),
                            started_at: chrono::Utc::now(),
                            regions,
                            heat_used: routine.uses_heat(),
                            pain_before,
                            owner: None,
                        },
                        Box::new(move || {
                            let snapshot = probe();
                            (
                                u32::try_from(snapshot.active_elapsed.as_secs())
                                    .unwrap_or(u32::MAX),
                                u32::try_from(snapshot.steps_completed).unwrap_or(u32::MAX),
                            )
                        }),
                    );
                }
                self.screen = Screen::Player(PlayerState {
                    conductor,
                    length_secs,
                    step_secs,
                    routine,
                    plan,
                    token,
                    pain_before,
                    stopped_hurt: false,
                    confirm_stop: false,
                });
            }
            Err(error) => {
                log::error!("could not start the session timer: {error}");
                self.error_notice = Some(format!("Could not start the session timer: {error}"));
            }
        }
    }

    /// Applies one command.
    pub fn run_command(&mut self, command: Command, ctx: &egui::Context) {
        match command {
            Command::OpenRoutine(id) => self.open_routine(&id),
            Command::ShowLibrary => self.screen = Screen::Library,
            Command::SetLength(secs) => {
                if let Screen::Setup(setup) = &mut self.screen {
                    let own = setup.routine.default_length_secs();
                    setup.length_secs =
                        secs.clamp(MIN_LENGTH_SECS.min(own), MAX_LENGTH_SECS.max(own));
                    setup.step_secs =
                        step_lengths(&setup.routine, setup.length_secs, &Default::default());
                    let (id, length_secs) = (setup.routine.id.clone(), setup.length_secs);
                    self.update_prefs(|prefs| {
                        let memory = prefs.routines.entry(id).or_default();
                        memory.length_secs = Some(length_secs);
                        memory.step_secs.clear();
                    });
                }
            }
            Command::NudgeStep { index, delta_secs } => {
                let max = match &self.screen {
                    Screen::Setup(setup) => {
                        crate::core::plan::max_step_secs(&setup.routine, &setup.step_secs, index)
                    }
                    _ => 0,
                };
                if let Screen::Setup(setup) = &mut self.screen
                    && let Some(secs) = setup.step_secs.get_mut(index)
                {
                    *secs = secs
                        .saturating_add_signed(delta_secs)
                        .clamp(MIN_STEP_SECS, max);
                    let new_secs = *secs;
                    let (id, length_secs) = (setup.routine.id.clone(), setup.length_secs);
                    self.update_prefs(|prefs| {
                        let memory = prefs.routines.entry(id).or_default();
                        memory.length_secs = Some(length_secs);
                        memory.step_secs.insert(index, new_secs);
                    });
                }
            }
            Command::ResetRoutine => {
                if let Screen::Setup(setup) = &self.screen {
                    let id = setup.routine.id.clone();
                    self.update_prefs(|prefs| {
                        prefs.routines.remove(&id);
                    });
                    self.open_routine(&id);
                }
            }
            Command::SetHeatCheck(answer) => {
                if let Screen::Setup(setup) = &mut self.screen {
                    setup.heat_check = Some(answer);
                }
            }
            Command::Start => {
                if let Screen::Setup(setup) = &self.screen
                    && setup.can_start()
                {
                    let (routine, length_secs, step_secs, pain_before) = (
                        setup.routine.clone(),
                        setup.length_secs,
                        setup.step_secs.clone(),
                        setup.pain_before,
                    );
                    self.start(routine, length_secs, step_secs, pain_before);
                }
            }
            Command::AskStop => {
                if let Screen::Player(player) = &mut self.screen {
                    player.conductor.control(Control::Pause);
                    player.confirm_stop = true;
                }
            }
            Command::Control(control) => {
                if let Screen::Player(player) = &mut self.screen {
                    player.conductor.control(control);
                    // Carrying on (or any other control) answers "stop?" with no.
                    if control != Control::AcknowledgeHeat {
                        player.confirm_stop = false;
                    }
                }
                if control == Control::AcknowledgeHeat {
                    for conductor in self.lingering_alarms.drain(..) {
                        conductor.control(control);
                    }
                }
                self.check_session_end();
            }
            Command::StopHurt => {
                if let Screen::Player(player) = &mut self.screen {
                    player.stopped_hurt = true;
                    player.conductor.control(Control::Stop);
                }
                self.check_session_end();
            }
            Command::PlayAgain => {
                if let Screen::Finish(summary) = &self.screen {
                    let (routine, length_secs, step_secs) = (
                        summary.routine.clone(),
                        summary.length_secs,
                        summary.step_secs.clone(),
                    );
                    self.start(routine, length_secs, step_secs, None);
                }
            }
            Command::DismissAudioNotice => self.audio_notice_dismissed = true,
            Command::SetVolume(volume) => self.update_prefs(|prefs| prefs.master_volume = volume),
            Command::TestSound => self.deps.cues.preview(CueKind::StepStart),
            Command::PreviewCue(kind) => self.deps.cues.preview(kind),
            Command::ShowSettings => self.screen = Screen::Settings,
            Command::ChangePrefs(prefs) => self.update_prefs(|current| *current = *prefs),
            Command::DismissStartupNotice => self.deps.startup_notice = None,
            Command::DismissNotice => self.notice = None,
            Command::SetPainBefore(pain) => {
                if let Screen::Setup(setup) = &mut self.screen {
                    setup.pain_before = pain;
                }
            }
            Command::RateSession { pain_after, notes } => {
                if let Screen::Finish(summary) = &mut self.screen {
                    summary.pain_after = pain_after;
                    summary.notes = notes;
                    if let Some(history) = &self.deps.history {
                        history.rated(
                            summary.token,
                            summary.pain_before,
                            summary.pain_after,
                            summary.notes.clone(),
                        );
                    }
                }
            }
            Command::DismissHistoryNotice => {
                if let Some(history) = &self.deps.history {
                    history.dismiss_notice();
                }
            }
            Command::NewRoutine => {
                let mut routine = Routine {
                    id: self.free_id("my-routine"),
                    name: "My routine".into(),
                    summary: "What this routine is for.".into(),
                    tools: Vec::new(),
                    tags: Vec::new(),
                    steps: vec![editor::new_step()],
                    heat: Vec::new(),
                };
                routine.steps[0].title = "First step".into();
                self.screen = Screen::Editor(Box::new(EditorState::new(routine, None)));
            }
            Command::EditRoutine(id) => self.edit_routine(&id),
            Command::SaveRoutine => self.save_routine(),
            Command::DeleteRoutine => {
                if let Screen::Editor(editor) = &self.screen
                    && let Some(path) = editor.original_path.clone()
                {
                    self.submit(DiskJob::DeleteRoutine(path));
                }
            }
            Command::ShowImport => {
                let start = home_folder();
                self.screen =
                    Screen::Transfer(Box::new(TransferState::new(Direction::Import, start)));
            }
            Command::ShowExport(routine) => {
                let suggested = home_folder().join(format!("{}.toml", routine.id));
                let mut state = TransferState::new(Direction::Export(routine), suggested);
                if let Screen::Editor(editor) = &self.screen {
                    state.return_to_editor = Some(editor.clone());
                }
                self.screen = Screen::Transfer(Box::new(state));
            }
            Command::BrowseForPath => self.browse_for_path(),
            Command::ImportFrom(path) => self.submit(DiskJob::ReadImport(path)),
            Command::ExportTo(path) => {
                if let Screen::Transfer(state) = &self.screen
                    && let Direction::Export(routine) = &state.direction
                {
                    let text = routine_to_toml(routine);
                    self.submit(DiskJob::Export { path, text });
                }
            }
            Command::ResolveImport(choice) => self.resolve_import(choice),
            Command::ChooseCueSound(kind) => {
                let start = self
                    .prefs
                    .cues
                    .get(kind)
                    .custom_file
                    .clone()
                    .unwrap_or_else(home_folder);
                self.open_dialog(
                    DialogTarget::CueSound(kind),
                    start,
                    false,
                    ("Sounds", &crate::audio::CUSTOM_SOUND_EXTENSIONS),
                );
            }
            Command::LeaveTransfer => {
                let editor = match &mut self.screen {
                    Screen::Transfer(state) => state.return_to_editor.take(),
                    _ => None,
                };
                self.screen = match editor {
                    Some(editor) => Screen::Editor(editor),
                    None => Screen::Library,
                };
            }
            Command::ShowHistory => {
                self.screen = Screen::History(Box::new(HistoryState::new(&home_folder())));
                self.query_history();
            }
            Command::QueryHistory => self.query_history(),
            Command::LoadHistoryPage(offset) => {
                if let (Screen::History(state), Some(history)) = (&self.screen, &self.deps.history)
                {
                    history.page(state.generation, state.filter.clone(), offset, PAGE_ROWS);
                }
            }
            Command::EditSession {
                id,
                pain_before,
                pain_after,
                notes,
            } => {
                if let Some(history) = &self.deps.history {
                    history.edit(id, pain_before, pain_after, notes);
                }
            }
            Command::DeleteSession(id) => {
                if let Some(history) = &self.deps.history {
                    history.delete(id);
                }
            }
            Command::UndoDeleteSession => {
                if let Screen::History(state) = &mut self.screen
                    && let Some(row) = state.deleted.take()
                    && let Some(history) = &self.deps.history
                {
                    history.restore(row);
                }
            }
            Command::ForgetDeletedSession => {
                if let Screen::History(state) = &mut self.screen {
                    state.deleted = None;
                }
            }
            Command::ExportHistory(path) => {
                if let (Screen::History(state), Some(history)) = (&self.screen, &self.deps.history)
                {
                    history.export(state.filter.clone(), state.export_format, path);
                }
            }
            Command::BrowseHistoryExport => {
                if let Screen::History(state) = &self.screen {
                    let start = PathBuf::from(state.export_path.trim());
                    let filter = match state.export_format {
                        crate::store::export::ExportFormat::Csv => ("CSV", &["csv"][..]),
                        crate::store::export::ExportFormat::Json => ("JSON", &["json"][..]),
                    };
                    self.open_dialog(DialogTarget::HistoryExport, start, true, filter);
                }
            }
            Command::StartCourse => {
                if let Screen::Setup(setup) = &self.screen {
                    let routine_id = setup.routine.id.clone();
                    self.update_prefs(|prefs| {
                        prefs.course = Some(crate::core::course::CoursePlan {
                            routine_id,
                            started_on: chrono::Local::now().date_naive(),
                            started_at: Some(chrono::Utc::now()),
                            no_relief_shown: false,
                        });
                    });
                    self.course_sessions = None;
                    self.refresh_course();
                }
            }
            Command::EndCourse => {
                self.update_prefs(|prefs| prefs.course = None);
                self.course_sessions = None;
            }
            Command::DismissNoRelief => self.update_prefs(|prefs| {
                if let Some(course) = &mut prefs.course {
                    course.no_relief_shown = true;
                }
            }),
            Command::ShowSafety => self.screen = Screen::Safety,
            Command::AcknowledgeSafety => {
                self.update_prefs(|prefs| prefs.safety_acknowledged = true);
                self.screen = Screen::Library;
            }
            Command::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
        }
    }

    /// Asks the history thread for the screen's view under its current filter.
    fn query_history(&mut self) {
        let Screen::History(state) = &mut self.screen else {
            return;
        };
        let Some(history) = &self.deps.history else {
            state.problem = Some("The history is not available in this run.".into());
            state.view = Some(Box::default());
            return;
        };
        state.generation += 1;
        history.query(HistoryQuery {
            generation: state.generation,
            filter: state.filter.clone(),
            today: chrono::Local::now().date_naive(),
            page_size: PAGE_ROWS,
        });
    }

    /// Applies what the history thread sent back.
    fn apply_history_reply(&mut self, reply: HistoryReply) {
        let requery = {
            if let HistoryReply::Course(sessions) = reply {
                self.course_sessions = Some(sessions);
                return;
            }
            if let HistoryReply::LastHeat(at) = reply {
                if let Screen::Setup(setup) = &mut self.screen {
                    setup.last_heat = at;
                }
                return;
            }
            let Screen::History(state) = &mut self.screen else {
                if let HistoryReply::Failed(message) = reply {
                    self.notice = Some(message);
                }
                return;
            };
            match reply {
                HistoryReply::View(view) => {
                    state.accept_view(view);
                    false
                }
                HistoryReply::Page {
                    generation,
                    offset,
                    rows,
                } => {
                    state.accept_page(generation, offset, rows);
                    false
                }
                HistoryReply::Edited(id) => {
                    if let Some(detail) = &mut state.detail
                        && detail.row.id == id
                    {
                        detail.row.pain_before = detail.pain_before;
                        detail.row.pain_after = detail.pain_after;
                        detail.row.notes = detail.notes.clone();
                    }
                    state.message = Some("Saved.".into());
                    true
                }
                HistoryReply::Deleted(row) => {
                    if state
                        .detail
                        .as_ref()
                        .is_some_and(|detail| detail.row.id == row.id)
                    {
                        state.detail = None;
                    }
                    state.deleted = Some(*row);
                    true
                }
                HistoryReply::Restored(_) => true,
                HistoryReply::Exported { path, count } => {
                    state.message = Some(format!(
                        "Exported {count} session{} to {}.",
                        if count == 1 { "" } else { "s" },
                        path.display()
                    ));
                    false
                }
                HistoryReply::LastHeat(_) | HistoryReply::Course(_) => false,
                HistoryReply::Reopened => {
                    state.problem = None;
                    true
                }
                HistoryReply::Failed(message) => {
                    state.problem = Some(message);
                    // Stop the "reading" spinner: there is nothing more coming.
                    if state.view.is_none() {
                        state.view = Some(Box::default());
                    }
                    false
                }
            }
        };
        if requery {
            self.query_history();
        }
    }

    /// Moves from the player to the finish screen once the session is over.
    fn check_session_end(&mut self) {
        for conductor in &self.lingering_alarms {
            conductor.catch_up();
        }
        let Screen::Player(player) = &self.screen else {
            return;
        };
        player.conductor.catch_up();
        let snapshot = player.conductor.snapshot();
        if let Phase::Ended(ending) = snapshot.view.phase {
            let summary = FinishSummary {
                routine: player.routine.clone(),
                length_secs: player.length_secs,
                step_secs: player.step_secs.clone(),
                ending,
                active_secs: snapshot.active_elapsed.as_secs(),
                steps_completed: snapshot.steps_completed,
                step_count: player.routine.steps.len(),
                token: player.token,
                pain_before: player.pain_before,
                pain_after: None,
                notes: String::new(),
                stopped_hurt: player.stopped_hurt,
            };
            if let Some(history) = &self.deps.history {
                let outcome = match ending {
                    Ending::Completed => Outcome::Completed,
                    Ending::Stopped if player.stopped_hurt => Outcome::StoppedHurt,
                    Ending::Stopped => Outcome::StoppedEarly,
                };
                history.finished(
                    player.token,
                    outcome,
                    u32::try_from(summary.active_secs).unwrap_or(u32::MAX),
                    u32::try_from(summary.steps_completed).unwrap_or(u32::MAX),
                    chrono::Utc::now(),
                );
            }
            log::info!(
                "session {:?}: {} after {} s, {} of {} steps",
                summary.routine.id,
                if ending == Ending::Completed {
                    "completed"
                } else {
                    "stopped"
                },
                summary.active_secs,
                summary.steps_completed,
                summary.step_count
            );
            self.finished_timings.extend(player.conductor.timings());
            let alarm = snapshot.view.heat_alarm;
            if let Screen::Player(player) =
                std::mem::replace(&mut self.screen, Screen::Finish(summary))
                && alarm
            {
                // The heat must still come off: keep the alarm going on the finish screen.
                self.lingering_alarms.push(player.conductor);
            }
            self.refresh_course();
        }
    }

    /// Sends a job to the disk thread, or says why it cannot be done.
    fn submit(&mut self, job: DiskJob) {
        match &self.deps.disk {
            Some(disk) => disk.submit(job),
            None => {
                self.notice = Some(
                    "There is no routines folder (no home folder was found), so routine files cannot be written.".into(),
                );
            }
        }
    }

    /// An id not used by any routine, based on `base`.
    fn free_id(&self, base: &str) -> String {
        crate::core::parse::free_id(base, |id| self.deps.library.find(id).is_some())
    }

    /// Opens the editor on the person's own routine, or on a copy of a built-in one.
    fn edit_routine(&mut self, id: &str) {
        let Some(entry) = self.deps.library.find(id) else {
            return;
        };
        let state = match &entry.source {
            RoutineSource::File(path) => {
                EditorState::new(entry.routine.clone(), Some(path.clone()))
            }
            RoutineSource::BuiltIn(_) => {
                let mut copy = entry.routine.clone();
                let original_name = copy.name.clone();
                copy.id = self.free_id(&format!("{}-mine", copy.id));
                copy.name = format!("{} (my copy)", copy.name);
                let mut state = EditorState::new(copy, None);
                state.copied_from = Some(original_name);
                state
            }
        };
        self.screen = Screen::Editor(Box::new(state));
    }

    /// Saves the editor's routine if it has no problems.
    fn save_routine(&mut self) {
        let Screen::Editor(editor) = &self.screen else {
            return;
        };
        if !editor.problems(&self.deps.library).is_empty() {
            return;
        }
        let Some(dir) = self.deps.user_routines_dir.clone() else {
            self.notice =
                Some("There is no routines folder, so the routine cannot be saved.".into());
            return;
        };
        let routine = editor.routine();
        let job = DiskJob::SaveRoutine {
            path: dir.join(format!("{}.toml", routine.id)),
            text: routine_to_toml(&routine),
            replaces: editor.original_path.clone(),
        };
        self.submit(job);
    }

    /// Opens the system file dialog for the import/export path.
    fn browse_for_path(&mut self) {
        let Screen::Transfer(state) = &self.screen else {
            return;
        };
        let start = PathBuf::from(state.path_text.trim());
        let saving = matches!(state.direction, Direction::Export(_));
        self.open_dialog(
            DialogTarget::TransferPath,
            start,
            saving,
            ("Routine files", &["toml"]),
        );
    }

    /// Opens the system file dialog on its own thread; the answer comes back
    /// through `dialog_results` and is applied by [`Self::handle_background_results`].
    fn open_dialog(
        &mut self,
        target: DialogTarget,
        start: PathBuf,
        saving: bool,
        filter: (&'static str, &'static [&'static str]),
    ) {
        let folder = if start.is_dir() {
            start.clone()
        } else {
            start
                .parent()
                .filter(|parent| parent.is_dir())
                .map(PathBuf::from)
                .unwrap_or_else(home_folder)
        };
        let file_name = start
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let sender = self.dialog_results.0.clone();
        let repaint = Arc::clone(&self.repaint);
        let spawned = std::thread::Builder::new()
            .name("unknot-dialog".into())
            .spawn(move || {
                let dialog = rfd::FileDialog::new()
                    .add_filter(filter.0, filter.1)
                    .set_directory(&folder);
                let opened_at = std::time::Instant::now();
                let picked = if saving {
                    dialog.set_file_name(&file_name).save_file()
                } else {
                    dialog.pick_file()
                };
                // Nobody cancels a real dialog this fast: no dialog could be shown.
                let unavailable =
                    picked.is_none() && opened_at.elapsed() < Duration::from_millis(400);
                let _ = sender.send((target, picked, unavailable));
                repaint();
            });
        if let Err(error) = spawned {
            self.notice = Some(format!(
                "Could not open the file dialog ({error}); type the path instead."
            ));
        }
    }

    /// Applies the person's answer about an imported routine whose id is taken.
    fn resolve_import(&mut self, choice: ImportChoice) {
        let Screen::Transfer(state) = &mut self.screen else {
            return;
        };
        let Some(pending) = state.pending.take() else {
            return;
        };
        let mut routine = pending.routine;
        let replaces = match choice {
            ImportChoice::Replace if !pending.existing_is_builtin => None,
            _ => {
                routine.id = self.free_id(&routine.id);
                routine.name = format!("{} (imported)", routine.name);
                None
            }
        };
        self.save_imported(routine, replaces);
    }

    fn save_imported(&mut self, routine: Routine, replaces: Option<PathBuf>) {
        let Some(dir) = self.deps.user_routines_dir.clone() else {
            self.notice =
                Some("There is no routines folder, so the routine cannot be imported.".into());
            return;
        };
        self.submit(DiskJob::SaveRoutine {
            path: dir.join(format!("{}.toml", routine.id)),
            text: routine_to_toml(&routine),
            replaces,
        });
    }

    /// Applies what the disk thread and the file dialog sent back.
    pub fn handle_background_results(&mut self) {
        let picked: Vec<DialogAnswer> = self.dialog_results.1.try_iter().collect();
        for (target, path, unavailable) in picked {
            if unavailable {
                self.notice = Some(match target {
                    DialogTarget::TransferPath => {
                        "No system file dialog is available here; type the file's path instead."
                            .to_owned()
                    }
                    DialogTarget::HistoryExport => {
                        "No system file dialog is available here; type the export file's path instead."
                            .to_owned()
                    }
                    DialogTarget::CueSound(kind) => format!(
                        "No system file dialog is available here. To use your own sound for \"{}\", set custom_file under [cues] in {}.",
                        kind.label(),
                        self.deps
                            .prefs_path
                            .as_ref()
                            .map(|path| path.display().to_string())
                            .unwrap_or_else(|| "the preferences file".into())
                    ),
                });
            }
            let Some(path) = path else {
                continue;
            };
            match target {
                DialogTarget::TransferPath => {
                    if let Screen::Transfer(state) = &mut self.screen {
                        state.path_text = path.display().to_string();
                    }
                }
                DialogTarget::HistoryExport => {
                    if let Screen::History(state) = &mut self.screen {
                        state.export_path = path.display().to_string();
                    }
                }
                // The sound is decoded completely on the disk thread first;
                // only a usable one is saved.
                DialogTarget::CueSound(kind) => self.submit(DiskJob::CheckSound(kind, path)),
            }
        }
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

    fn apply_disk_result(&mut self, result: DiskResult) {
        match result {
            DiskResult::Saved(path) => {
                self.notice = Some(format!("Saved {}.", path.display()));
                self.submit(DiskJob::Rescan);
                if matches!(self.screen, Screen::Editor(_) | Screen::Transfer(_)) {
                    self.screen = Screen::Library;
                }
            }
            DiskResult::Deleted(path) => {
                self.notice = Some(format!("Deleted {}.", path.display()));
                self.submit(DiskJob::Rescan);
                self.screen = Screen::Library;
            }
            DiskResult::Exported(path) => {
                if let Screen::Transfer(state) = &mut self.screen {
                    state.message = Some(format!("Exported to {}.", path.display()));
                }
            }
            DiskResult::ImportRead(path, text) => {
                let label = path.display().to_string();
                match crate::core::parse::parse_routine(&label, &text) {
                    Err(problems) => {
                        if let Screen::Transfer(state) = &mut self.screen {
                            let lines: Vec<String> =
                                problems.iter().map(ToString::to_string).collect();
                            state.message =
                                Some(format!("This file was not imported:\n{}", lines.join("\n")));
                        }
                    }
                    Ok(routine) => match self.deps.library.find(&routine.id) {
                        Some(existing) => {
                            let pending = PendingImport {
                                existing_name: existing.routine.name.clone(),
                                existing_is_builtin: matches!(
                                    existing.source,
                                    RoutineSource::BuiltIn(_)
                                ),
                                routine,
                            };
                            if let Screen::Transfer(state) = &mut self.screen {
                                state.pending = Some(pending);
                            }
                        }
                        None => self.save_imported(routine, None),
                    },
                }
            }
            DiskResult::Rescanned(library) => self.deps.library = library,
            DiskResult::SoundUsable(kind, path) => {
                self.notice = Some(format!(
                    "\"{}\" now plays {}.",
                    kind.label(),
                    path.display()
                ));
                self.update_prefs(|prefs| prefs.cues.get_mut(kind).custom_file = Some(path));
            }
            DiskResult::Failed(message) => {
                log::warn!("{message}");
                match &mut self.screen {
                    Screen::Transfer(state) => state.message = Some(message),
                    _ => self.notice = Some(message),
                }
            }
        }
    }

    /// Applies theme and UI scale when they change (not every frame: setting the
    /// zoom asks for a repaint).
    fn apply_look(&mut self, ctx: &egui::Context) {
        let look = (self.prefs.theme, self.prefs.ui_scale);
        if self.applied_look == Some(look) {
            return;
        }
        self.applied_look = Some(look);
        ctx.set_theme(match look.0 {
            ThemeChoice::System => egui::ThemePreference::System,
            ThemeChoice::Dark => egui::ThemePreference::Dark,
            ThemeChoice::Light => egui::ThemePreference::Light,
        });
        ctx.set_zoom_factor(look.1);
    }

    /// Remembers the window's size and position when they change.
    pub fn remember_window(&mut self, geometry: WindowGeometry) {
        let changed = match self.prefs.window {
            None => true,
            Some(old) => {
                (old.width - geometry.width).abs() >= 1.0
                    || (old.height - geometry.height).abs() >= 1.0
                    || old.x != geometry.x
                    || old.y != geometry.y
            }
        };
        if changed {
            self.update_prefs(|prefs| prefs.window = Some(geometry));
        }
    }

    /// Records a session still playing as stopped (the window is closing).
    pub fn shutdown(&mut self) {
        if let Screen::Player(player) = &self.screen {
            player.conductor.control(Control::Stop);
        }
        self.check_session_end();
    }

    /// How late every cue fired in this run, finished sessions and the current one.
    pub fn cue_timings(&self) -> Vec<CueTiming> {
        let mut timings = self.finished_timings.clone();
        if let Screen::Player(player) = &self.screen {
            timings.extend(player.conductor.timings());
        }
        timings
    }

    /// How the window's call for attention should change, if at all: flash
    /// the taskbar entry (or the platform's equivalent) while the heat alarm
    /// waits for an answer, and stop once it is answered.
    pub fn attention_change(&mut self) -> Option<egui::UserAttentionType> {
        let alarm = self.heat_alarm_pending();
        if alarm == self.attention_requested {
            return None;
        }
        self.attention_requested = alarm;
        Some(if alarm {
            egui::UserAttentionType::Critical
        } else {
            egui::UserAttentionType::Reset
        })
    }

    /// Whether the take-the-heat-off alarm is repeating, waiting for an answer.
    pub fn heat_alarm_pending(&self) -> bool {
        let playing = match &self.screen {
            Screen::Player(player) => player.conductor.snapshot().view.heat_alarm,
            _ => false,
        };
        playing
            || self
                .lingering_alarms
                .iter()
                .any(|conductor| conductor.snapshot().view.heat_alarm)
    }

    /// Keyboard shortcuts, read before widgets so Space never also presses a button.
    fn shortcuts(&self, ctx: &egui::Context) -> Vec<Command> {
        let mut commands = Vec::new();
        // Someone typing (a note, a pain rating) keeps Enter and letter keys.
        let typing = ctx.memory(|memory| memory.focused().is_some());
        // H answers the alarm, unless someone is typing.
        let alarm = self.heat_alarm_pending() && !typing;
        ctx.input_mut(|input| {
            if input.consume_key(Modifiers::COMMAND, Key::Q) {
                commands.push(Command::Quit);
            }
            if alarm && input.consume_key(Modifiers::NONE, Key::H) {
                commands.push(Command::Control(Control::AcknowledgeHeat));
            }
            match &self.screen {
                Screen::Player(player) => {
                    if input.consume_key(Modifiers::NONE, Key::Space) {
                        commands.push(Command::Control(Control::TogglePause));
                    }
                    if input.consume_key(Modifiers::NONE, Key::ArrowRight) {
                        commands.push(Command::Control(Control::Skip));
                    }
                    if input.consume_key(Modifiers::NONE, Key::ArrowLeft) {
                        commands.push(Command::Control(Control::Back));
                    }
                    // One stray Esc must not end a session with no way back:
                    // the first pauses and asks, the second stops.
                    if input.consume_key(Modifiers::NONE, Key::Escape) {
                        commands.push(if player.confirm_stop {
                            Command::Control(Control::Stop)
                        } else {
                            Command::AskStop
                        });
                    }
                }
                Screen::Setup(_) => {
                    if !typing && input.consume_key(Modifiers::NONE, Key::Enter) {
                        commands.push(Command::Start);
                    }
                    if input.consume_key(Modifiers::NONE, Key::Escape) {
                        commands.push(Command::ShowLibrary);
                    }
                }
                Screen::Finish(_) => {
                    // In the notes, Enter starts a new line and Esc leaves the box.
                    if !typing
                        && (input.consume_key(Modifiers::NONE, Key::Escape)
                            || input.consume_key(Modifiers::NONE, Key::Enter))
                    {
                        commands.push(Command::ShowLibrary);
                    }
                }
                Screen::Editor(_) | Screen::Transfer(_) => {}
                Screen::Library => {
                    if input.consume_key(Modifiers::NONE, Key::Enter) {
                        let id = enter_routine_id(&self.prefs, &self.deps.library);
                        commands.push(Command::OpenRoutine(id));
                    }
                }
                Screen::Settings => {
                    if input.consume_key(Modifiers::NONE, Key::Escape) {
                        commands.push(Command::ShowLibrary);
                    }
                }
                Screen::Safety => {
                    if self.prefs.safety_acknowledged
                        && input.consume_key(Modifiers::NONE, Key::Escape)
                    {
                        commands.push(Command::ShowLibrary);
                    }
                }
                Screen::History(state) => {
                    // Esc closes the open session first, then leaves.
                    if state.detail.is_none() && input.consume_key(Modifiers::NONE, Key::Escape) {
                        commands.push(Command::ShowLibrary);
                    }
                }
            }
        });
        commands
    }

    /// Draws the whole window. Separate from [`eframe::App`] so UI tests can drive it.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.apply_look(&ctx);
        self.handle_background_results();
        // Routine files may have been changed by hand while the window was away.
        let focused = ctx.input(|input| {
            input
                .events
                .iter()
                .any(|event| matches!(event, egui::Event::WindowFocused(true)))
        });
        if focused && self.deps.disk.is_some() {
            self.submit(DiskJob::Rescan);
        }
        self.check_session_end();
        let mut commands = self.shortcuts(&ctx);

        egui::Panel::top("notices")
            .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(16, 8)))
            .show_separator_line(false)
            .show(ui, |ui| {
                self.notices_ui(ui, &mut commands);
            });

        // No fill: the window is cleared to the panel colour already, and with a
        // software renderer a second full-window fill doubles the cost of a frame.
        let central = egui::Frame::new().inner_margin(egui::Margin::same(12));
        let course_progress = self.course_progress();
        let course_card = match (&self.prefs.course, course_progress) {
            (Some(plan), Some(progress)) => Some(library::CourseCard {
                routine_id: plan.routine_id.clone(),
                routine_name: self
                    .deps
                    .library
                    .find(&plan.routine_id)
                    .map(|entry| entry.routine.name.clone())
                    .unwrap_or_else(|| plan.routine_id.clone()),
                progress,
                no_relief_shown: plan.no_relief_shown,
            }),
            _ => None,
        };
        let library_data = &self.deps.library;
        let user_dir = self.deps.user_routines_dir.as_deref();
        let prefs = &self.prefs;
        egui::CentralPanel::no_frame()
            .frame(central)
            .show(ui, |ui| match &mut self.screen {
                Screen::Library => {
                    let enter_id = enter_routine_id(prefs, library_data);
                    let enter_name = library_data
                        .find(&enter_id)
                        .map(|entry| entry.routine.name.as_str())
                        .unwrap_or_default();
                    commands.extend(library::library_ui(
                        ui,
                        library_data,
                        user_dir,
                        enter_name,
                        course_card.as_ref(),
                    ));
                }
                Screen::Setup(setup) => {
                    let remembered = prefs.routines.contains_key(&setup.routine.id);
                    let user_owned = matches!(
                        library_data
                            .find(&setup.routine.id)
                            .map(|entry| &entry.source),
                        Some(RoutineSource::File(_))
                    );
                    let course = match (&prefs.course, course_progress) {
                        (Some(plan), Some(progress)) if plan.routine_id == setup.routine.id => {
                            setup::CourseHere::ThisRoutine(progress)
                        }
                        (Some(plan), _) if plan.routine_id == setup.routine.id => {
                            setup::CourseHere::ThisRoutine(crate::core::course::CourseProgress {
                                done: 0,
                                next_on: Some(plan.started_on),
                                no_relief: false,
                            })
                        }
                        (Some(_), _) => setup::CourseHere::Elsewhere,
                        (None, _) => setup::CourseHere::None,
                    };
                    commands.extend(setup::setup_ui(
                        ui,
                        setup,
                        prefs.lead_in_secs,
                        remembered,
                        user_owned,
                        course,
                    ));
                }
                Screen::Player(player) => {
                    let snapshot = player.conductor.snapshot();
                    commands.extend(player::player_ui(
                        ui,
                        &player.routine,
                        &snapshot,
                        &player.plan,
                        player.confirm_stop,
                    ));
                    if let Some(wait) = player::next_visible_change(&snapshot.view) {
                        ctx.request_repaint_after(wait);
                    }
                }
                Screen::Finish(summary) => commands.extend(finish::finish_ui(ui, summary)),
                Screen::Settings => commands.extend(settings::settings_ui(ui, prefs)),
                Screen::Editor(editor) => {
                    commands.extend(editor::editor_ui(ui, editor, library_data));
                }
                Screen::Transfer(state) => commands.extend(transfer::transfer_ui(ui, state)),
                Screen::Safety => {
                    commands.extend(safety::safety_ui(ui, !prefs.safety_acknowledged));
                }
                Screen::History(state) => {
                    if state.detail.is_some()
                        && ui.input_mut(|input| input.consume_key(Modifiers::NONE, Key::Escape))
                    {
                        state.detail = None;
                    }
                    commands.extend(history::history_ui(
                        ui,
                        state,
                        prefs.show_streak,
                        chrono::Local::now().date_naive(),
                    ));
                }
            });

        for command in commands {
            self.run_command(command, &ctx);
        }
    }

    fn notices_ui(&self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            ui.label(
                egui::RichText::new("unknot")
                    .strong()
                    .color(theme::accent(ui.visuals())),
            );
            // Until the safety page is read, it is the only way forward; while
            // playing, the player's own controls are all there is. Otherwise
            // the same four places always stand in the same order, the
            // current one marked, so a second click lands where the first did.
            let first_start = !self.prefs.safety_acknowledged;
            if !first_start && !matches!(self.screen, Screen::Player(_)) {
                let places = [
                    (
                        "Routines",
                        matches!(self.screen, Screen::Library),
                        Command::ShowLibrary,
                    ),
                    (
                        "History",
                        matches!(self.screen, Screen::History(_)),
                        Command::ShowHistory,
                    ),
                    (
                        "Settings",
                        matches!(self.screen, Screen::Settings),
                        Command::ShowSettings,
                    ),
                    (
                        "Safety",
                        matches!(self.screen, Screen::Safety),
                        Command::ShowSafety,
                    ),
                ];
                for (label, here, command) in places {
                    if ui.add(egui::Button::selectable(here, label)).clicked() && !here {
                        commands.push(command);
                    }
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let size = egui::vec2(ui.available_width().min(400.0), ui.available_height());
                ui.allocate_ui_with_layout(
                    size,
                    egui::Layout::left_to_right(egui::Align::Center),
                    |ui| {
                        ui.label("Volume:");
                        let mut percent = (self.prefs.master_volume * 100.0).round();
                        let slider = egui::Slider::new(&mut percent, 0.0..=100.0)
                            .suffix(" %")
                            .integer();
                        if ui
                            .add(slider)
                            .accessible_name("Volume")
                            .on_hover_text("Volume of the cue sounds")
                            .changed()
                        {
                            commands.push(Command::SetVolume(percent / 100.0));
                        }
                        if ui
                            .button("Test sound")
                            .on_hover_text("Play the step-start cue at this volume")
                            .clicked()
                        {
                            commands.push(Command::TestSound);
                        }
                    },
                );
            });
        });
        if self.heat_alarm_pending() {
            let visuals = ui.visuals().clone();
            egui::Frame::new()
                .fill(theme::warm(&visuals).gamma_multiply(0.25))
                .stroke(egui::Stroke::new(2.0, theme::warm(&visuals)))
                .inner_margin(12.0)
                .corner_radius(8.0)
                .show(ui, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new("Take the heat off now.").size(22.0).strong());
                        ui.label("The alarm repeats, louder, until you answer it.");
                        if ui
                            .button(RichText::new("The heat is off (H)").size(18.0))
                            .clicked()
                        {
                            commands.push(Command::Control(Control::AcknowledgeHeat));
                        }
                    });
                });
        }
        if let AudioStatus::Unavailable(reason) = (self.deps.audio_status)()
            && !self.audio_notice_dismissed
        {
            theme::notice_frame(ui.visuals()).show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.label(format!(
                        "No working sound output ({reason}). Cues will show on screen only; the timing is the same."
                    ));
                    if ui.small_button("Dismiss").clicked() {
                        commands.push(Command::DismissAudioNotice);
                    }
                });
            });
        }
        if let Some(notice) = &self.deps.startup_notice {
            theme::notice_frame(ui.visuals()).show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.label(notice);
                    if ui.small_button("OK").clicked() {
                        commands.push(Command::DismissStartupNotice);
                    }
                });
            });
        }
        if let Some(saver) = &self.deps.prefs_saver
            && let SaveStatus::Failed(reason) = saver.status()
        {
            theme::notice_frame(ui.visuals()).show(ui, |ui| {
                ui.label(format!(
                    "Settings can't be saved ({reason}). They work until you close the app; everything else is unaffected."
                ));
            });
        }
        if let Some(history) = &self.deps.history {
            let status = history.status();
            if let Some(reason) = status.unavailable {
                theme::notice_frame(ui.visuals()).show(ui, |ui| {
                    ui.label(format!(
                        "Your history can't be saved ({reason}). Sessions still play as usual."
                    ));
                });
            }
            if let Some(notice) = status.notice {
                theme::notice_frame(ui.visuals()).show(ui, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(notice);
                        if ui.small_button("OK").clicked() {
                            commands.push(Command::DismissHistoryNotice);
                        }
                    });
                });
            }
        }
        if let Some(notice) = &self.notice {
            theme::notice_frame(ui.visuals()).show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.label(notice);
                    if ui.small_button("OK").clicked() {
                        commands.push(Command::DismissNotice);
                    }
                });
            });
        }
        if let Some(error) = &self.error_notice {
            theme::notice_frame(ui.visuals()).show(ui, |ui| {
                ui.label(error);
            });
        }
    }
}

/// Repaints the window from any thread.
pub fn repaint_handle(ctx: &egui::Context) -> Arc<dyn Fn() + Send + Sync> {
    let ctx = ctx.clone();
    Arc::new(move || ctx.request_repaint())
}

/// The eframe wrapper around [`UnknotApp`].
pub struct EframeApp {
    /// The app.
    pub app: UnknotApp,
    /// When the process started, to log time to first frame.
    pub launched_at: std::time::Instant,
    first_frame_logged: bool,
    quit_after: Option<Duration>,
    /// Where to write cue lateness when the app closes (benchmarks).
    pub timing_log: Option<PathBuf>,
    frames_drawn: u64,
}

impl EframeApp {
    /// Wraps the app; `quit_after` closes the window after that long (benchmarks).
    pub fn new(
        app: UnknotApp,
        launched_at: std::time::Instant,
        quit_after: Option<Duration>,
    ) -> Self {
        Self {
            app,
            launched_at,
            first_frame_logged: false,
            quit_after,
            timing_log: None,
            frames_drawn: 0,
        }
    }
}

/// The widest font atlas the app asks for. Drivers report up to 16384, and egui
/// makes the atlas that wide: each extra row of the big countdown's glyphs then
/// costs megabytes, twice (the CPU copy and the texture).
pub const MAX_TEXTURE_SIDE: usize = 2048;

/// The window's size and place in the desktop's logical pixels, which is what
/// the next launch asks for. egui measures in points, and a point grows with
/// the text size (the zoom factor): saving points made the window shrink by
/// the text size on every launch.
pub fn window_geometry(inner: egui::Rect, outer: Option<egui::Rect>, zoom: f32) -> WindowGeometry {
    let zoom = if zoom.is_finite() && zoom > 0.0 {
        zoom
    } else {
        1.0
    };
    WindowGeometry {
        width: (inner.width() * zoom).round(),
        height: (inner.height() * zoom).round(),
        x: outer.map(|rect| (rect.min.x * zoom).round()),
        y: outer.map(|rect| (rect.min.y * zoom).round()),
    }
}

impl eframe::App for EframeApp {
    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        raw_input.max_texture_side = Some(
            raw_input
                .max_texture_side
                .map_or(MAX_TEXTURE_SIDE, |side| side.min(MAX_TEXTURE_SIDE)),
        );
    }

    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        visuals.panel_fill.to_normalized_gamma_f32()
    }

    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        // Runs even while the window is hidden, so a finished session is noticed.
        self.app.check_session_end();
        if let Some(attention) = self.app.attention_change() {
            ctx.send_viewport_cmd(egui::ViewportCommand::RequestUserAttention(attention));
        }
        let viewport = ctx.input(|input| input.viewport().clone());
        if viewport.minimized != Some(true)
            && viewport.maximized != Some(true)
            && viewport.fullscreen != Some(true)
            && let Some(inner) = viewport.inner_rect
        {
            self.app.remember_window(window_geometry(
                inner,
                viewport.outer_rect,
                ctx.zoom_factor(),
            ));
        }
        if let Some(limit) = self.quit_after {
            let elapsed = self.launched_at.elapsed();
            if elapsed >= limit {
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            } else {
                ctx.request_repaint_after(limit - elapsed);
            }
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.app.shutdown();
        let seconds = self.launched_at.elapsed().as_secs_f64();
        log::info!(
            "drew {} frames in {seconds:.1} s ({:.2} per second)",
            self.frames_drawn,
            self.frames_drawn as f64 / seconds.max(0.001)
        );
        let Some(path) = &self.timing_log else {
            return;
        };
        let lines: String = self
            .app
            .cue_timings()
            .iter()
            .map(|timing| format!("{:?} {}\n", timing.kind, timing.lateness.as_micros()))
            .collect();
        if let Err(error) = std::fs::write(path, lines) {
            log::error!("could not write the timing log {}: {error}", path.display());
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.app.show(ui);
        self.frames_drawn += 1;
        if log::log_enabled!(log::Level::Trace) {
            log::trace!(
                "frame {} at {:.3} s, repaint causes {:?}",
                self.frames_drawn,
                self.launched_at.elapsed().as_secs_f64(),
                ui.ctx().repaint_causes()
            );
        }
        if !self.first_frame_logged {
            self.first_frame_logged = true;
            let elapsed = self.launched_at.elapsed();
            log::info!(
                "first frame drawn {:.1} ms after launch",
                elapsed.as_secs_f64() * 1000.0
            );
            if let Ok(path) = std::env::var("UNKNOT_FIRST_FRAME_FILE") {
                let _ = std::fs::write(path, format!("{}\n", elapsed.as_micros()));
            }
        }
    }
}

/// Where file choosers start: the home folder, or the current one.
fn home_folder() -> PathBuf {
    directories::UserDirs::new()
        .map(|dirs| dirs.home_dir().to_owned())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// A file dialog's answer: what it was for, the path (none if cancelled), and
/// whether no dialog could be shown at all.
type DialogAnswer = (DialogTarget, Option<PathBuf>, bool);

/// What a file dialog's answer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DialogTarget {
    /// The path field of the import/export screen.
    TransferPath,
    /// A custom sound for a cue.
    CueSound(CueKind),
    /// Where to export the history.
    HistoryExport,
}

/// The routine Enter opens on the library: the last one played, else the default.
fn enter_routine_id(prefs: &Preferences, library: &Library) -> String {
    prefs
        .last_routine
        .as_ref()
        .map(|last| last.id.clone())
        .filter(|id| library.find(id).is_some())
        .unwrap_or_else(|| DEFAULT_ROUTINE_ID.to_owned())
}
