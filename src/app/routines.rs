//! Routine commands: the editor, import and export, and what the disk thread
//! reports back.

use std::path::PathBuf;

use crate::core::parse::routine_to_toml;
use crate::core::routine::Routine;
use crate::library::RoutineSource;
use crate::store::disk::{DiskJob, DiskResult};

use super::UnknotApp;
use super::command::{NavCommand, RoutineCommand};
use super::dialogs::{DialogTarget, home_folder};
use super::editor::{EditorState, new_step};
use super::screen::Screen;
use super::transfer::{Direction, ImportChoice, PendingImport, TransferState};

impl UnknotApp {
    /// Applies a routine command.
    pub(super) fn run_routines(&mut self, command: RoutineCommand) {
        match command {
            RoutineCommand::NewRoutine => {
                // Empty fields show what goes in them; nothing is filled in
                // that could be saved by mistake as the person's own words.
                let routine = Routine {
                    id: self.free_id("my-routine"),
                    name: String::new(),
                    summary: String::new(),
                    tools: Vec::new(),
                    tags: Vec::new(),
                    steps: vec![new_step()],
                    heat: Vec::new(),
                    sources: Vec::new(),
                };
                self.screen = Screen::Editor(Box::new(EditorState::new(routine, None)));
            }
            RoutineCommand::EditRoutine(id) => self.edit_routine(&id),
            RoutineCommand::SaveRoutine => self.save_routine(),
            RoutineCommand::DeleteRoutine => {
                if let Screen::Editor(editor) = &self.screen
                    && let Some(path) = editor.original_path.clone()
                {
                    self.submit(DiskJob::DeleteRoutine(path));
                }
            }
            RoutineCommand::ShowImport => {
                let start = home_folder();
                self.screen =
                    Screen::Transfer(Box::new(TransferState::new(Direction::Import, start)));
            }
            RoutineCommand::ShowExport(routine) => {
                let suggested = home_folder().join(format!("{}.toml", routine.id));
                let mut state = TransferState::new(Direction::Export(routine), suggested);
                if let Screen::Editor(editor) = &self.screen {
                    state.return_to_editor = Some(editor.clone());
                }
                self.screen = Screen::Transfer(Box::new(state));
            }
            RoutineCommand::BrowseForPath => self.browse_for_path(),
            RoutineCommand::ImportFrom(path) => self.submit(DiskJob::ReadImport(path)),
            RoutineCommand::ExportTo(path) => {
                if let Screen::Transfer(state) = &self.screen
                    && let Direction::Export(routine) = &state.direction
                {
                    let text = routine_to_toml(routine);
                    self.submit(DiskJob::Export { path, text });
                }
            }
            RoutineCommand::ResolveImport(choice) => self.resolve_import(choice),
            RoutineCommand::DiscardEdits => {
                let Screen::Editor(editor) = &mut self.screen else {
                    return;
                };
                let to = editor.leave_to.take().unwrap_or(NavCommand::ShowLibrary);
                self.screen = Screen::Library;
                self.run_nav(to);
            }
            RoutineCommand::LeaveTransfer => {
                let editor = match &mut self.screen {
                    Screen::Transfer(state) => state.return_to_editor.take(),
                    _ => None,
                };
                self.screen = match editor {
                    Some(editor) => Screen::Editor(editor),
                    None => Screen::Library,
                };
            }
        }
    }

    /// Sends a job to the disk thread, or says why it cannot be done.
    pub(super) fn submit(&mut self, job: DiskJob) {
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
    pub(super) fn free_id(&self, base: &str) -> String {
        crate::core::parse::free_id(base, |id| self.deps.library.find(id).is_some())
    }

    /// Opens the editor on the person's own routine, or on a copy of a built-in one.
    pub(super) fn edit_routine(&mut self, id: &str) {
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
    pub(super) fn save_routine(&mut self) {
        let Screen::Editor(editor) = &mut self.screen else {
            return;
        };
        if !editor.problems(&self.deps.library).is_empty() {
            return;
        }
        let editor = &*editor;
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
    pub(super) fn browse_for_path(&mut self) {
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

    /// Applies the person's answer about an imported routine whose id is taken.
    pub(super) fn resolve_import(&mut self, choice: ImportChoice) {
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

    pub(super) fn save_imported(&mut self, routine: Routine, replaces: Option<PathBuf>) {
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

    pub(super) fn apply_disk_result(&mut self, result: DiskResult) {
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
                match crate::library::parse_checked(&label, &text) {
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
}
