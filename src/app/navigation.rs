//! Moving between screens, notices, and quitting.

use crate::core::plan::step_lengths;

use super::UnknotApp;
use super::command::NavCommand;
use super::screen::{Screen, SetupState};

impl UnknotApp {
    /// Applies a navigation command.
    pub(super) fn run_nav(&mut self, command: NavCommand) {
        if self.editor_holds(&command) {
            return;
        }
        // Notes typed on the finish screen are written as it is left.
        self.save_rating();
        match command {
            NavCommand::OpenRoutine(id) => self.open_routine(&id),
            NavCommand::ShowLibrary => self.screen = Screen::Library,
            NavCommand::ShowSettings => self.screen = Screen::Settings,
            NavCommand::ShowHistory => self.show_history(),
            NavCommand::ShowSafety => self.screen = Screen::Safety,
            NavCommand::AcknowledgeSafety => {
                self.update_prefs(|prefs| prefs.safety_acknowledged = true);
                self.screen = Screen::Library;
            }
            NavCommand::DismissAudioNotice => self.audio_notice_dismissed = true,
            NavCommand::DismissSpeechNotice => self.speech_notice_dismissed = true,
            NavCommand::DismissDesktopNotice => self.desktop_notice_dismissed = true,
            NavCommand::DismissStartupNotice => self.deps.startup_notice = None,
            NavCommand::DismissNotice => self.notice = None,
            NavCommand::Quit => {
                // Mid-session, one stray Ctrl+Q or click on the close button
                // must not end it: pause and ask.
                if let Screen::Player(player) = &mut self.screen
                    && !self.confirm_quit
                {
                    player
                        .conductor
                        .control(crate::core::engine::Control::Pause);
                    player.confirm_stop = false;
                    self.confirm_quit = true;
                    self.say_question(
                        "Paused. Quit? Press Control Q again to quit, or Escape to keep the session.",
                    );
                } else {
                    self.close_requested = true;
                }
            }
            NavCommand::QuitNow => self.close_requested = true,
            NavCommand::CancelQuit => self.confirm_quit = false,
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
            let lighter = self
                .deps
                .library
                .entries
                .iter()
                .map(|entry| &entry.routine)
                .find(|other| other.id != routine.id && crate::core::lint::lighter_choice(other))
                .map(|other| (other.id.clone(), other.name.clone()));
            self.screen = Screen::Setup(SetupState {
                lighter,
                routine,
                length_secs,
                step_secs,
                pain_before: None,
                injury_check: None,
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

    /// Leaving the editor with unsaved changes asks first: the editor keeps
    /// where the person was going and shows "discard your changes?".
    fn editor_holds(&mut self, command: &NavCommand) -> bool {
        let leaving = matches!(
            command,
            NavCommand::OpenRoutine(_)
                | NavCommand::ShowLibrary
                | NavCommand::ShowSettings
                | NavCommand::ShowHistory
                | NavCommand::ShowSafety
                | NavCommand::Quit
        );
        match &mut self.screen {
            Screen::Editor(editor) if leaving && editor.has_changes() => {
                editor.confirm_discard = true;
                editor.confirm_delete = false;
                editor.leave_to = Some(match command {
                    NavCommand::Quit => NavCommand::QuitNow,
                    other => other.clone(),
                });
                true
            }
            _ => false,
        }
    }

    /// Opens a screen by name (for screenshots and scripted checks):
    /// `settings`, `history`, `safety`, `setup:ID`, `edit:ID`, `finish:ID`
    /// (a session of ID stopped at once) or `ask-quit:ID` (playing ID, with
    /// "quit?" showing).
    pub fn open_screen(&mut self, what: &str) -> Result<(), String> {
        let (kind, id) = what.split_once(':').unwrap_or((what, ""));
        let known = |id: &str| {
            if self.deps.library.find(id).is_some() {
                Ok(id.to_owned())
            } else {
                Err(format!("no routine with id \"{id}\""))
            }
        };
        match kind {
            "settings" => self.run_nav(NavCommand::ShowSettings),
            "history" => self.run_nav(NavCommand::ShowHistory),
            "safety" => self.run_nav(NavCommand::ShowSafety),
            "setup" => self.run_nav(NavCommand::OpenRoutine(known(id)?)),
            "edit" => self.run_routines(super::command::RoutineCommand::EditRoutine(known(id)?)),
            "finish" | "ask-quit" => {
                self.autoplay(&known(id)?, None)?;
                if kind == "finish" {
                    self.run_session(super::command::SessionCommand::Control(
                        crate::core::engine::Control::Stop,
                    ));
                } else {
                    self.run_nav(NavCommand::Quit);
                }
            }
            other => return Err(format!("unknown screen \"{other}\"")),
        }
        Ok(())
    }

    /// Whether closing the window should ask first: a session is playing,
    /// or the editor holds changes not yet saved.
    pub fn quit_needs_confirming(&self) -> bool {
        match &self.screen {
            Screen::Player(_) => true,
            Screen::Editor(editor) => editor.has_changes() && !editor.confirm_discard,
            _ => false,
        }
    }

    /// Takes the request to close the window, once.
    pub fn take_close_request(&mut self) -> bool {
        std::mem::take(&mut self.close_requested)
    }
}
