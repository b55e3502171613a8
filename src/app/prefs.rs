//! Preference commands, and keeping preferences saved.

use crate::core::engine::CueKind;
use crate::core::prefs::{Preferences, WindowGeometry};

use super::UnknotApp;
use super::command::PrefsCommand;
use super::dialogs::{DialogTarget, home_folder};

impl UnknotApp {
    /// Applies a preferences command.
    pub(super) fn run_prefs(&mut self, command: PrefsCommand) {
        match command {
            PrefsCommand::SetVolume(volume) => {
                self.update_prefs(|prefs| prefs.master_volume = volume);
            }
            PrefsCommand::TestSound => self.deps.cues.preview(CueKind::StepStart),
            PrefsCommand::PreviewCue(kind) => self.deps.cues.preview(kind),
            PrefsCommand::TestVoice => {
                if let Some(speech) = &self.deps.speech {
                    speech.configure(&self.prefs.voice);
                    speech.test(crate::core::announce::TEST_LINE);
                }
            }
            PrefsCommand::Change(prefs) => self.update_prefs(|current| *current = *prefs),
            PrefsCommand::ChooseCueSound(kind) => {
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
        }
    }

    /// Changes preferences, applies them and queues a save (never blocks).
    pub(super) fn update_prefs(&mut self, change: impl FnOnce(&mut Preferences)) {
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
        if self.prefs.voice != before.voice
            && let Some(speech) = &self.deps.speech
        {
            speech.configure(&self.prefs.voice);
        }
        if (
            self.prefs.notifications,
            self.prefs.media_keys,
            self.prefs.remind_course,
        ) != (
            before.notifications,
            before.media_keys,
            before.remind_course,
        ) && let Some(desktop) = &self.deps.desktop
        {
            desktop.configure(crate::desktop::DesktopPrefs {
                notifications: self.prefs.notifications,
                media_keys: self.prefs.media_keys,
                reminders: self.prefs.remind_course,
            });
        }
        if let Some(saver) = &self.deps.prefs_saver {
            saver.save(&self.prefs);
        }
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
}
