//! The finish screen: what was done, and a gentle way out.

use egui::RichText;

use super::theme;
use crate::app::{Command, FinishSummary, NavCommand, SessionCommand};
use crate::core::engine::Ending;
use crate::core::routine::format_clock;

/// Draws the summary after a session.
pub fn finish_ui(ui: &mut egui::Ui, summary: &FinishSummary) -> Vec<Command> {
    let mut commands = Vec::new();
    let visuals = ui.visuals().clone();
    ui.vertical_centered(|ui| {
        ui.add_space(40.0);
        let heading = match summary.ending {
            Ending::Completed => "Session complete",
            Ending::Stopped => "Session stopped",
        };
        super::a11y::heading(ui, RichText::new(heading).size(34.0).strong());
        ui.label(RichText::new(&summary.routine.name).color(theme::muted(&visuals)));
        ui.add_space(16.0);
        theme::card_frame(&visuals).show(ui, |ui| {
            ui.set_max_width(460.0);
            egui::Grid::new("finish-summary").num_columns(2).spacing(egui::vec2(24.0, 8.0)).show(ui, |ui| {
                ui.label("Time");
                ui.label(RichText::new(format!(
                    "{} of {}",
                    format_clock(summary.active_secs),
                    format_clock(u64::from(summary.length_secs))
                )).monospace());
                ui.end_row();
                ui.label("Steps finished");
                ui.label(format!("{} of {}", summary.steps_completed, summary.step_count));
                ui.end_row();
            });
        });
        ui.add_space(16.0);
        let note = match summary.ending {
            Ending::Completed => "Take a moment before you get up, and sip some water.",
            Ending::Stopped if summary.stopped_hurt => "Stopping was the right call, and it is noted in your history. Rest and let the area settle. If the pain is sharp, lasts, spreads, or comes with numbness or weakness, see a professional before the next session.",
            Ending::Stopped => "Stopping is always fine. If it hurt, rest, and ask a professional if it keeps happening.",
        };
        ui.label(note);
        if summary.ending == Ending::Completed && summary.routine.id == crate::library::DEFAULT_ROUTINE_ID {
            ui.label(
                RichText::new("About 15 minutes of massage is reported to release endorphins, with an easing effect that may last up to 48 hours.")
                    .color(theme::muted(&visuals)),
            );
        }
        ui.add_space(16.0);
        theme::card_frame(&visuals).show(ui, |ui| {
            ui.set_max_width(520.0);
            ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                super::setup::pain_ui(ui, "How much does it hurt now? (optional)", "Pain", summary.pain_after, |pain| {
                    commands.push(Command::Session(SessionCommand::RateSession {
                        pain_after: pain,
                        notes: summary.notes.clone(),
                    }));
                });
                if let Some(before) = summary.pain_before {
                    ui.label(
                        RichText::new(format!("Before the session: {before}"))
                            .color(theme::muted(&visuals)),
                    );
                }
                ui.add_space(6.0);
                let label = ui.label("Notes (optional)");
                let mut notes = summary.notes.clone();
                let response = ui
                    .add(
                        egui::TextEdit::multiline(&mut notes)
                            .desired_rows(2)
                            .desired_width(f32::INFINITY)
                            .hint_text("What helped, what didn't"),
                    )
                    .labelled_by(label.id);
                if response.changed() {
                    commands.push(Command::Session(SessionCommand::RateSession {
                        pain_after: summary.pain_after,
                        notes,
                    }));
                }
            });
        });
        ui.add_space(20.0);
        ui.horizontal(|ui| {
            ui.add_space((ui.available_width() - 330.0).max(0.0) / 2.0);
            if ui.add(egui::Button::new("Play again").min_size(egui::vec2(150.0, 40.0))).clicked() {
                commands.push(Command::Session(SessionCommand::PlayAgain));
            }
            if ui.add(egui::Button::new("Back to routines").min_size(egui::vec2(170.0, 40.0))).clicked() {
                commands.push(Command::Nav(NavCommand::ShowLibrary));
            }
        });
    });
    commands
}
