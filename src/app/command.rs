//! What the screens ask for. Drawing code returns these; the app applies them
//! after the frame is drawn, so no screen changes state mid-frame. They are
//! grouped by the part of the app that handles them.

use std::path::PathBuf;

use crate::core::engine::{Control, CueKind};
use crate::core::prefs::Preferences;
use crate::core::routine::Routine;

use super::transfer::ImportChoice;

/// One request from a screen.
#[must_use]
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Moving between screens, notices and quitting.
    Nav(NavCommand),
    /// Setting up, playing and rating a session, and the course plan.
    Session(SessionCommand),
    /// Editing, importing and exporting routines.
    Routines(RoutineCommand),
    /// The history screen.
    History(HistoryCommand),
    /// Preferences and sound.
    Prefs(PrefsCommand),
}

/// Moving between screens, notices and quitting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NavCommand {
    /// Go to the setup screen for a routine.
    OpenRoutine(String),
    /// Back to the routine list.
    ShowLibrary,
    /// Open the settings screen.
    ShowSettings,
    /// Open the history screen.
    ShowHistory,
    /// Hide the "no speech service" notice.
    DismissSpeechNotice,
    /// Hide the "no session bus" notice.
    DismissDesktopNotice,
    /// Show the safety page.
    ShowSafety,
    /// The person has read the safety page at the first start.
    AcknowledgeSafety,
    /// Hide the notice about sound.
    DismissAudioNotice,
    /// Hide the start-up notice.
    DismissStartupNotice,
    /// Hide the latest information notice.
    DismissNotice,
    /// Close the window (asks first while a session plays).
    Quit,
    /// Close the window now, ending a playing session.
    QuitNow,
    /// Keep the window open: the answer "no" to "quit?".
    CancelQuit,
}

/// Setting up, playing and rating a session, and the course plan.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionCommand {
    /// Change the chosen session length on the setup screen.
    SetLength(u32),
    /// Lengthen or shorten one step on the setup screen, by seconds.
    NudgeStep {
        /// Step index.
        index: usize,
        /// Seconds to add (negative to shorten).
        delta_secs: i32,
    },
    /// Forget this routine's remembered length and step changes.
    ResetRoutine,
    /// The answer to the "no fresh swelling or injury" check asked before
    /// heat and before medium or firm pressure.
    SetInjuryCheck(bool),
    /// Pain before the session, on the setup screen (`None` to skip).
    SetPainBefore(Option<u8>),
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
    /// Pain after and notes, from the finish screen.
    RateSession {
        /// Pain after, 0 to 10.
        pain_after: Option<u8>,
        /// Notes.
        notes: String,
    },
    /// The finish screen's notes as typed (kept on screen; not yet written).
    EditNotes(String),
    /// Write the finish screen's notes to the history (they lost the focus).
    SaveNotes,
    /// Plan a course of the routine on the setup screen.
    StartCourse,
    /// End the course plan.
    EndCourse,
    /// The "no relief" suggestion was read.
    DismissNoRelief,
}

/// Editing, importing and exporting routines.
#[derive(Debug, Clone, PartialEq)]
pub enum RoutineCommand {
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
    /// Leave the editor without saving, going where the person was going.
    DiscardEdits,
}

/// The history screen.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryCommand {
    /// Ask the history thread again with the screen's filter.
    Query,
    /// Fetch the table rows starting at this index.
    LoadPage(u64),
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
    UndoDelete,
    /// Hide the "deleted" bar without undoing.
    ForgetDeleted,
    /// Write the sessions shown to this file.
    Export(PathBuf),
    /// Open the system file dialog for the history export path.
    BrowseExport,
    /// Hide the history's one-time notice.
    DismissNotice,
}

/// Preferences and sound.
#[derive(Debug, Clone, PartialEq)]
pub enum PrefsCommand {
    /// Change the master volume, 0 to 1.
    SetVolume(f32),
    /// Play a cue so the person can check the volume.
    TestSound,
    /// Play one cue from the settings screen, even if it is switched off.
    PreviewCue(CueKind),
    /// Replace the preferences (from the settings screen).
    Change(Box<Preferences>),
    /// Pick a sound file for a cue with the system file dialog.
    ChooseCueSound(CueKind),
    /// Say a sample line with the chosen voice, even if the voice is off.
    TestVoice,
}

macro_rules! group {
    ($($group:ident => $variant:ident),* $(,)?) => {
        $(impl From<$group> for Command {
            fn from(command: $group) -> Self {
                Command::$variant(command)
            }
        })*
    };
}

group! {
    NavCommand => Nav,
    SessionCommand => Session,
    RoutineCommand => Routines,
    HistoryCommand => History,
    PrefsCommand => Prefs,
}

impl From<Control> for Command {
    fn from(control: Control) -> Self {
        Command::Session(SessionCommand::Control(control))
    }
}
