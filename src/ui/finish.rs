//! The finish screen: what was done, and a gentle way out.

use egui::RichText;

use super::theme;
use crate::app::{Command, FinishSummary, NavCommand, SessionCommand};
use crate::core::engine::Ending;
use crate::core::routine::format_clock;

/// Played time after which the endorphin note is shown (it is about
/// fifteen minutes of massage).
const ENDORPHIN_NOTE_SECS: u64 = 14 * 60;

/// Draws the summary after a session.
pub fn finish_ui(ui: &mut egui::Ui, summary: &FinishSummary) -> Vec<Command> {
    let mut commands = Vec::new();
    let visuals = ui.visuals().clone();
    // The way on stays at the bottom of the window; the rest scrolls.
    egui::Panel::bottom("finish-controls")
        .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 8)))
        .show_separator_line(true)
        .resizable(false)
        .show(ui, |ui| {
            let gap = ui.spacing().item_spacing.x;
            // After "it hurt", playing again is not offered beside the way out.
            let again = !summary.stopped_hurt;
            let width = if again { 150.0 + 170.0 + gap } else { 170.0 };
            ui.horizontal(|ui| {
                ui.add_space(((ui.available_width() - width) / 2.0).max(0.0));
                if again
                    && ui
                        .add(egui::Button::new("Play again").min_size(egui::vec2(150.0, 40.0)))
                        .clicked()
                {
                    commands.push(Command::Session(SessionCommand::PlayAgain));
                }
                if ui
                    .add(egui::Button::new("Back to routines").min_size(egui::vec2(170.0, 40.0)))
                    .clicked()
                {
                    commands.push(Command::Nav(NavCommand::ShowLibrary));
                }
            });
        });
    egui::ScrollArea::vertical()
        .id_salt(("finish-body", super::a11y::screen_visit(ui.ctx())))
        .auto_shrink(false)
        .show(ui, |ui| body_ui(ui, summary, &visuals, &mut commands));
    commands
}

/// A card of at most `width`, centred in the space there is.
fn centred_card(
    ui: &mut egui::Ui,
    visuals: &egui::Visuals,
    width: f32,
    add: impl FnOnce(&mut egui::Ui),
) {
    // The frame's margins and stroke lie outside the content width.
    let content = width.min(ui.available_width() - 32.0).max(120.0);
    ui.horizontal(|ui| {
        ui.add_space(((ui.available_width() - content - 30.0) / 2.0).max(0.0));
        theme::card_frame(visuals).show(ui, |ui| {
            ui.set_width(content);
            ui.with_layout(egui::Layout::top_down(egui::Align::Min), add);
        });
    });
}

fn body_ui(
    ui: &mut egui::Ui,
    summary: &FinishSummary,
    visuals: &egui::Visuals,
    commands: &mut Vec<Command>,
) {
    let visuals = visuals.clone();
    ui.vertical_centered(|ui| {
        ui.add_space(24.0);
        let heading = match summary.ending {
            Ending::Completed => "Session complete",
            Ending::Stopped => "Session stopped",
        };
        super::a11y::heading(ui, RichText::new(heading).size(34.0).strong());
        ui.label(RichText::new(&summary.routine.name).color(theme::muted(&visuals)));
        if summary.heat_on_at_stop {
            ui.add_space(10.0);
            let said = ui.label(
                RichText::new(
                    "The heat was on when you stopped: take the pack off now, if it is still on.",
                )
                .size(20.0)
                .strong()
                .color(theme::warm(&visuals)),
            );
            super::a11y::live(&said, true);
        }
        ui.add_space(16.0);
    });
    centred_card(ui, &visuals, 300.0, |ui| {
        egui::Grid::new("finish-summary")
            .num_columns(2)
            .spacing(egui::vec2(24.0, 8.0))
            .show(ui, |ui| {
                ui.label("Time");
                ui.label(
                    RichText::new(format!(
                        "{} of {}",
                        format_clock(summary.active_secs),
                        format_clock(u64::from(summary.length_secs))
                    ))
                    .monospace(),
                );
                ui.end_row();
                ui.label("Steps finished");
                ui.label(format!(
                    "{} of {}",
                    summary.steps_completed, summary.step_count
                ));
                ui.end_row();
            });
    });
    ui.vertical_centered(|ui| {
        ui.add_space(16.0);
        let note = match summary.ending {
            Ending::Completed => "Take a moment before you get up, and sip some water.",
            Ending::Stopped if summary.stopped_hurt => "Stopping was the right call, and it is noted in your history. Rest and let the area settle. If the pain is sharp, lasts, spreads, or comes with numbness or weakness, see a professional before the next session.",
            Ending::Stopped => "Stopping is always fine. If it hurt, rest, and ask a professional if it keeps happening.",
        };
        ui.label(note);
        // The endorphin figure is about fifteen minutes of massage: said only
        // after that much was played, and with what measured it.
        if summary.ending == Ending::Completed
            && summary.routine.id == crate::library::DEFAULT_ROUTINE_ID
            && summary.active_secs >= ENDORPHIN_NOTE_SECS
        {
            ui.scope(|ui| {
                ui.set_max_width(520.0);
                super::sources::claim_ui(
                    ui,
                    &crate::core::sources::ENDORPHIN_CLAIM,
                    Some(theme::muted(&visuals)),
                );
            });
        }
        ui.add_space(16.0);
    });
    centred_card(ui, &visuals, 520.0, |ui| {
        super::setup::pain_ui(
            ui,
            "How much does it hurt now? (optional)",
            "Pain",
            summary.pain_after,
            |pain| {
                commands.push(Command::Session(SessionCommand::RateSession {
                    pain_after: pain,
                    notes: summary.notes.clone(),
                }));
            },
        );
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
                    .id_salt("finish-notes")
                    .desired_rows(2)
                    .desired_width(f32::INFINITY)
                    .hint_text("What helped, what didn't"),
            )
            .labelled_by(label.id);
        // Typing changes the screen only; the history is written when the
        // notes lose the focus or the screen is left, not at each keystroke.
        if response.changed() {
            commands.push(Command::Session(SessionCommand::EditNotes(notes)));
        } else if response.lost_focus() {
            commands.push(Command::Session(SessionCommand::SaveNotes));
        }
    });
    ui.add_space(12.0);
}
