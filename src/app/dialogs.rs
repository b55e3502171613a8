//! The system file dialog, on its own thread; answers come back by channel.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::UnknotApp;
use super::screen::Screen;
use crate::core::engine::CueKind;
use crate::store::disk::DiskJob;

/// Where file choosers start: the home folder, or the current one.
pub fn home_folder() -> PathBuf {
    directories::UserDirs::new()
        .map(|dirs| dirs.home_dir().to_owned())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// A file dialog's answer: what it was for, the path (none if cancelled), and
/// whether no dialog could be shown at all.
pub(super) type DialogAnswer = (DialogTarget, Option<PathBuf>, bool);

/// What a file dialog's answer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DialogTarget {
    /// The path field of the import/export screen.
    TransferPath,
    /// A custom sound for a cue.
    CueSound(CueKind),
    /// Where to export the history.
    HistoryExport,
}

impl UnknotApp {
    /// Opens the system file dialog on its own thread; the answer comes back
    /// through `dialog_results` and is applied by [`Self::handle_background_results`].
    pub(super) fn open_dialog(
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

    /// Applies the file dialogs' answers.
    pub(super) fn apply_dialog_answers(&mut self) {
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
    }
}
