//! The library screen: one card per routine, and any file problems in plain view.

use std::path::Path;

use egui::RichText;

use super::theme;
use crate::app::{Command, NavCommand, RoutineCommand, SessionCommand};
use crate::core::course::{COURSE_SESSIONS, CourseProgress};
use crate::core::routine::format_length;
use crate::library::{DEFAULT_ROUTINE_ID, Library, LibraryEntry, RoutineSource};

/// Draws the routine cards and returns what the person chose.
pub fn library_ui(
    ui: &mut egui::Ui,
    library: &Library,
    user_dir: Option<&Path>,
    enter_opens: &str,
    course: Option<&CourseCard>,
) -> Vec<Command> {
    let mut commands = Vec::new();
    egui::ScrollArea::vertical().id_salt(("library-body", super::a11y::screen_visit(ui.ctx()))).auto_shrink(false).show(ui, |ui| {
        if let Some(card) = course
            && card.progress.no_relief
            && !card.no_relief_shown
        {
            theme::notice_frame(ui.visuals()).show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.label(format!(
                        "Your last two sessions of \"{}\" brought no relief. It may be time to try another routine or technique, or to ask a professional which approach suits your back.",
                        card.routine_name
                    ));
                    if ui.small_button("OK").clicked() {
                        commands.push(Command::Session(SessionCommand::DismissNoRelief));
                    }
                });
            });
            ui.add_space(8.0);
        }
        ui.horizontal(|ui| {
            super::a11y::heading(ui, RichText::new("Routines").strong());
            if ui.button("New routine").clicked() {
                commands.push(Command::Routines(RoutineCommand::NewRoutine));
            }
            if ui.button("Import…").clicked() {
                commands.push(Command::Routines(RoutineCommand::ShowImport));
            }
        });
        ui.label(
            RichText::new(format!(
                "Pick a routine, set the length, then follow the cues. Press Enter for \"{enter_opens}\"."
            ))
                .color(theme::muted(ui.visuals())),
        );
        ui.add_space(12.0);

        let columns = ((ui.available_width() / 380.0).floor() as usize).clamp(1, 3);
        for row in library.entries.chunks(columns) {
            ui.columns(columns, |cols| {
                for (col, entry) in cols.iter_mut().zip(row) {
                    let course = course.filter(|card| card.routine_id == entry.routine.id);
                    if let Some(command) = card_ui(col, entry, course) {
                        commands.push(command);
                    }
                }
            });
            ui.add_space(10.0);
        }

        if !library.problems.is_empty() {
            ui.add_space(8.0);
            let count = library.problems.len();
            let title = if count == 1 {
                "1 problem in your routine files".to_owned()
            } else {
                format!("{count} problems in your routine files")
            };
            egui::CollapsingHeader::new(RichText::new(title).color(theme::warm(ui.visuals())))
                .default_open(true)
                .show(ui, |ui| {
                    ui.label("These files were skipped; the other routines are unaffected. Fix what is named; the list is read again when you come back to this window.");
                    for problem in &library.problems {
                        ui.add(egui::Label::new(RichText::new(problem.to_string()).monospace()).wrap());
                    }
                });
        }
        if let Some(dir) = user_dir {
            ui.add_space(8.0);
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("Your own routine files go in").color(theme::muted(ui.visuals())));
                ui.label(RichText::new(dir.display().to_string()).monospace());
            });
        }
    });
    commands
}

/// The course plan as the library shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseCard {
    /// The course's routine.
    pub routine_id: String,
    /// Its name, for the notice.
    pub routine_name: String,
    /// Where it stands.
    pub progress: CourseProgress,
    /// Whether the "no relief" suggestion was already shown.
    pub no_relief_shown: bool,
}

/// "Course: 2 of 4 done, next on Mon 30 Nov" and the like.
pub fn course_text(progress: &CourseProgress) -> String {
    match progress.next_on {
        None => format!("Course complete: {COURSE_SESSIONS} of {COURSE_SESSIONS} sessions done"),
        Some(_) if progress.due_today => format!(
            "Course: {} of {COURSE_SESSIONS} done, next one due today",
            progress.done
        ),
        Some(next) => format!(
            "Course: {} of {COURSE_SESSIONS} done, next on {}",
            progress.done,
            next.format("%a %-d %b")
        ),
    }
}

fn card_ui(
    ui: &mut egui::Ui,
    entry: &LibraryEntry,
    course: Option<&CourseCard>,
) -> Option<Command> {
    let routine = &entry.routine;
    let visuals = ui.visuals().clone();
    let mut open = false;
    let response = theme::card_frame(&visuals).show(ui, |ui| {
        ui.set_min_height(190.0);
        // The map of regions worked sits at the card's right.
        ui.set_min_width(ui.available_width());
        let map_rect = egui::Rect::from_min_size(
            egui::pos2(ui.max_rect().right() - 64.0, ui.max_rect().top() + 4.0),
            egui::vec2(64.0, 106.0),
        );
        // A child that does not move the card's own layout.
        let mut map_ui = ui.new_child(egui::UiBuilder::new().max_rect(map_rect));
        super::body_map::body_map(
            &mut map_ui,
            egui::vec2(64.0, 106.0),
            &routine.regions(),
            None,
            None,
        );
        ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
            ui.set_max_width(ui.available_width() - 72.0);
            // The title wraps beside the figure rather than run under it.
            let title = egui::Button::new(RichText::new(&routine.name).size(21.0).strong())
                .frame(false)
                .wrap();
            if ui.add(title).on_hover_text("Set up this routine").clicked() {
                open = true;
            }
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(format!(
                        "{} · {}",
                        format_length(u64::from(routine.default_length_secs())),
                        crate::core::words::count(routine.steps.len() as u64, "step", "steps")
                    ))
                    .strong(),
                );
                if routine.id == DEFAULT_ROUTINE_ID {
                    theme::chip(ui, "Default", theme::accent(&visuals));
                }
                if routine.uses_heat() {
                    theme::chip(ui, "Heat", theme::warm(&visuals));
                }
                if matches!(entry.source, RoutineSource::File(_)) {
                    theme::chip(ui, "Yours", theme::muted(&visuals));
                }
            });
            ui.label(&routine.summary);
            let regions: Vec<&str> = routine
                .regions()
                .iter()
                .map(|region| region.label())
                .collect();
            ui.label(
                RichText::new(format!("Works: {}", regions.join(", ")))
                    .color(theme::muted(&visuals)),
            );
            let tools: Vec<&str> = routine
                .tools_needed()
                .iter()
                .map(|tool| tool.label())
                .collect();
            let tools_text = if tools.is_empty() {
                "Needs: nothing but you".to_owned()
            } else {
                format!("Needs: {}", tools.join(", "))
            };
            ui.label(RichText::new(tools_text).color(theme::muted(&visuals)));
            if let Some(card) = course {
                ui.label(RichText::new(course_text(&card.progress)).color(theme::accent(&visuals)));
            }
        });
    });
    // The whole card answers the mouse; the keyboard and a screen reader
    // use the title button, so the card adds no unnamed stop to Tab.
    let click = ui.interact(
        response.response.rect,
        ui.make_persistent_id(("routine-card", &routine.id)),
        egui::Sense::CLICK,
    );
    if click.hovered() {
        ui.ctx().set_cursor_icon(egui::CursorIcon::PointingHand);
    }
    (open || click.clicked()).then(|| Command::Nav(NavCommand::OpenRoutine(routine.id.clone())))
}
