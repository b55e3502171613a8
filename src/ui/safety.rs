//! Safety first: when self-massage or heat is not the right thing, and how to
//! stop. Shown once at the first start, and any time from the top bar.

use egui::RichText;

use super::theme;
use crate::app::{Command, NavCommand};

/// Signs that call for a professional before (or instead of) self-massage.
pub const RED_FLAGS: [&str; 9] = [
    "Back pain that is severe, came on suddenly, or keeps getting worse",
    "Pain that started with a fall, a knock or an accident",
    "Numbness, tingling or weakness in a leg or foot",
    "Trouble controlling your bladder or bowels",
    "A fever along with the back pain",
    "Weight loss you cannot explain",
    "Arthritis or sciatica (ask whoever treats it first)",
    "Pregnancy (check with your midwife or doctor)",
    "Broken, irritated or numb skin where the pressure or heat would go",
];

/// Draws the safety screen. `first_time` shows the acknowledgement button.
pub fn safety_ui(ui: &mut egui::Ui, first_time: bool) -> Vec<Command> {
    let mut commands = Vec::new();
    let visuals = ui.visuals().clone();
    let warm = theme::warm(&visuals);
    let muted = theme::muted(&visuals);
    // The way on stays at the bottom of the window, however short it is.
    egui::Panel::bottom("safety-controls")
        .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 8)))
        .show_separator_line(true)
        .resizable(false)
        .show(ui, |ui| {
            ui.vertical_centered(|ui| {
                if first_time {
                    if ui
                        .add(
                            egui::Button::new(RichText::new("I have read this").size(18.0))
                                .min_size(egui::vec2(220.0, 44.0)),
                        )
                        .clicked()
                    {
                        commands.push(Command::Nav(NavCommand::AcknowledgeSafety));
                    }
                    ui.label(
                        RichText::new(
                            "This page stays one click away under \"Safety\" at the top.",
                        )
                        .color(muted),
                    );
                } else if ui
                    .add(egui::Button::new("Back to routines").min_size(egui::vec2(180.0, 40.0)))
                    .clicked()
                {
                    commands.push(Command::Nav(NavCommand::ShowLibrary));
                }
            });
        });
    egui::ScrollArea::vertical().id_salt(("safety-body", super::a11y::screen_visit(ui.ctx()))).auto_shrink(false).show(ui, |ui| {
        ui.vertical_centered(|ui| {
            ui.set_max_width(720.0);
            ui.add_space(12.0);
            super::a11y::heading(ui, RichText::new("Before you start").size(30.0).strong());
            ui.label(
                RichText::new(
                    "unknot guides gentle self-massage and heat. It does not diagnose anything or replace care.",
                )
                .color(muted),
            );
            ui.add_space(12.0);
            let width = ui.available_width().min(720.0) - 32.0;
            theme::card_frame(&visuals).show(ui, |ui| {
                ui.set_width(width);
                ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                    ui.label(
                        RichText::new("See a professional first if you have:")
                            .size(19.0)
                            .strong()
                            .color(warm),
                    );
                    ui.add_space(4.0);
                    for flag in RED_FLAGS {
                        ui.label(RichText::new(format!("\u{2022} {flag}")).size(17.0));
                    }
                });
            });
            ui.add_space(10.0);
            theme::card_frame(&visuals).show(ui, |ui| {
                ui.set_width(width);
                ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                    ui.label(RichText::new("While you massage").size(19.0).strong());
                    ui.label("The muscles should let go under the pressure. If they tense up instead, or the pain sharpens, ease off or stop. Press Esc twice, or \"Stop \u{2014} it hurt\", at any time. Never press on the bony ridge of the spine; work the muscles beside it.");
                    ui.add_space(6.0);
                    ui.label(RichText::new("With heat").size(19.0).strong());
                    super::sources::claim_ui(ui, &crate::core::sources::HEAT_CLAIM, None);
                });
            });
            ui.add_space(8.0);
        });
    });
    commands
}
