//! Importing and exporting routine files. A path field works everywhere; the
//! "Browse…" button opens the system's file dialog on its own thread.

use std::path::PathBuf;

use egui::RichText;

use super::theme;
pub use crate::app::transfer::{Direction, ImportChoice, PendingImport, TransferState};
use crate::app::{Command, RoutineCommand};

/// Draws the import or export screen.
pub fn transfer_ui(ui: &mut egui::Ui, state: &mut TransferState) -> Vec<Command> {
    let mut commands = Vec::new();
    let visuals = ui.visuals().clone();
    let (heading, action) = match &state.direction {
        Direction::Import => ("Import a routine".to_owned(), "Import"),
        Direction::Export(routine) => (format!("Export \"{}\"", routine.name), "Export"),
    };
    super::a11y::heading(ui, RichText::new(heading).strong());
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
            commands.push(Command::Routines(RoutineCommand::BrowseForPath));
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
                Direction::Import => Command::Routines(RoutineCommand::ImportFrom(path)),
                Direction::Export(_) => Command::Routines(RoutineCommand::ExportTo(path)),
            });
        }
        if ui.button("Back").clicked() {
            commands.push(Command::Routines(RoutineCommand::LeaveTransfer));
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
                    commands.push(Command::Routines(RoutineCommand::ResolveImport(
                        ImportChoice::Rename,
                    )));
                }
                if !pending.existing_is_builtin && ui.button("Replace mine").clicked() {
                    commands.push(Command::Routines(RoutineCommand::ResolveImport(
                        ImportChoice::Replace,
                    )));
                }
                if ui.button("Cancel").clicked() {
                    commands.push(Command::Routines(RoutineCommand::LeaveTransfer));
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
