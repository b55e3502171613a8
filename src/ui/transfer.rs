//! Importing and exporting routine files. A path field works everywhere; the
//! "Browse…" button opens the system's file dialog on its own thread.

use std::path::PathBuf;

use egui::RichText;

use super::editor::EditorState;
use super::{Command, theme};
use crate::core::routine::Routine;

/// Which way the file goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Direction {
    /// Bring a routine file into the person's routines folder.
    Import,
    /// Write this routine to a file of the person's choosing.
    Export(Routine),
}

/// What to do with an imported routine whose id is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportChoice {
    /// Overwrite the person's own routine with that id.
    Replace,
    /// Keep both: import under a new id.
    Rename,
}

/// An imported routine waiting for the person's choice about a clashing id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingImport {
    /// The routine as read from the file.
    pub routine: Routine,
    /// The name of the routine that already has this id.
    pub existing_name: String,
    /// Whether that routine is built in (and so cannot be replaced).
    pub existing_is_builtin: bool,
}

/// The import/export screen's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferState {
    /// Import or export.
    pub direction: Direction,
    /// The path as typed or picked.
    pub path_text: String,
    /// A result or problem to show.
    pub message: Option<String>,
    /// An import waiting for a choice.
    pub pending: Option<PendingImport>,
    /// The editor to return to after an export from it.
    pub return_to_editor: Option<Box<EditorState>>,
}

impl TransferState {
    /// A new import or export, starting from `suggested` as the path.
    pub fn new(direction: Direction, suggested: PathBuf) -> Self {
        Self {
            direction,
            path_text: suggested.display().to_string(),
            message: None,
            pending: None,
            return_to_editor: None,
        }
    }
}

/// Draws the import or export screen.
pub fn transfer_ui(ui: &mut egui::Ui, state: &mut TransferState) -> Vec<Command> {
    let mut commands = Vec::new();
    let visuals = ui.visuals().clone();
    let (heading, action) = match &state.direction {
        Direction::Import => ("Import a routine".to_owned(), "Import"),
        Direction::Export(routine) => (format!("Export \"{}\"", routine.name), "Export"),
    };
    ui.heading(RichText::new(heading).strong());
    ui.label(
        RichText::new(match state.direction {
            Direction::Import => {
                "Choose a routine file (.toml). It is checked before it is added to your routines."
            }
            Direction::Export(_) => "Choose where to write the routine file, to keep or share.",
        })
        .color(theme::muted(&visuals)),
    );
    ui.add_space(10.0);
    ui.horizontal(|ui| {
        let label = ui.label("File");
        ui.add(egui::TextEdit::singleline(&mut state.path_text).desired_width(520.0))
            .labelled_by(label.id);
        if ui.button("Browse…").clicked() {
            commands.push(Command::BrowseForPath);
        }
    });
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        let path = PathBuf::from(state.path_text.trim());
        if ui
            .add_enabled(
                !state.path_text.trim().is_empty(),
                egui::Button::new(action),
            )
            .clicked()
        {
            commands.push(match state.direction {
                Direction::Import => Command::ImportFrom(path),
                Direction::Export(_) => Command::ExportTo(path),
            });
        }
        if ui.button("Back").clicked() {
            commands.push(Command::LeaveTransfer);
        }
    });
    if let Some(pending) = &state.pending {
        ui.add_space(10.0);
        theme::notice_frame(&visuals).show(ui, |ui| {
            ui.label(format!(
                "\"{}\" uses the id \"{}\", which \"{}\" already has.",
                pending.routine.name, pending.routine.id, pending.existing_name
            ));
            ui.horizontal(|ui| {
                if ui.button("Import as a copy").clicked() {
                    commands.push(Command::ResolveImport(ImportChoice::Rename));
                }
                if !pending.existing_is_builtin && ui.button("Replace mine").clicked() {
                    commands.push(Command::ResolveImport(ImportChoice::Replace));
                }
                if ui.button("Cancel").clicked() {
                    commands.push(Command::LeaveTransfer);
                }
            });
        });
    }
    if let Some(message) = &state.message {
        ui.add_space(10.0);
        ui.label(message);
    }
    commands
}
