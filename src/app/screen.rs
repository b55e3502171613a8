//! The screens and the state each one shows.

use crate::conductor::Conductor;
use crate::core::engine::{Ending, SessionPlan};
use crate::core::routine::Routine;
use crate::store::history_worker::SessionToken;

use super::editor::EditorState;
use super::history::HistoryState;
use super::transfer::TransferState;

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
    /// For heat routines and routines with medium or firm pressure: the
    /// answer to "no fresh swelling or injury?" (`Some(true)` means fine).
    /// Start waits for `Some(true)`.
    pub injury_check: Option<bool>,
    /// A light routine without heat to offer after a fresh injury: id and name.
    pub lighter: Option<(String, String)>,
    /// When heat was last used, from the history.
    pub last_heat: Option<chrono::DateTime<chrono::Utc>>,
}

impl SetupState {
    /// Whether the fresh-injury question is asked before this routine.
    pub fn asks_about_injury(&self) -> bool {
        crate::core::lint::asks_about_injury(&self.routine)
    }

    /// Whether Start may be pressed: heat and pressure need the injury check first.
    pub fn can_start(&self) -> bool {
        !self.asks_about_injury() || self.injury_check == Some(true)
    }

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
    /// A heat pack was on when the person stopped (the finish screen says
    /// to take it off).
    pub heat_on_at_stop: bool,
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
    /// A heat pack was on when the session was stopped.
    pub heat_on_at_stop: bool,
    /// The pain after and notes last written to the history.
    pub saved_rating: Option<(Option<u8>, String)>,
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
    /// What the screen is, in words, for the window's name.
    pub fn title(&self) -> String {
        match self {
            Screen::Library => "Routines".to_owned(),
            Screen::Setup(setup) => format!("Set up {}", setup.routine.name),
            Screen::Player(player) => format!("Playing {}", player.routine.name),
            Screen::Finish(summary) => format!("Finished {}", summary.routine.name),
            Screen::Settings => "Settings".to_owned(),
            Screen::Editor(_) => "Routine editor".to_owned(),
            Screen::Transfer(_) => "Import or export".to_owned(),
            Screen::History(_) => "History".to_owned(),
            Screen::Safety => "Safety".to_owned(),
        }
    }

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
