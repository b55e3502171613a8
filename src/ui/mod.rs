//! Drawing. Every screen is a function from app state to pixels and a list of
//! [`Command`]s; nothing here changes state directly or reads a clock.

mod a11y;
pub mod body_map;
pub mod editor;
mod finish;
pub mod history;
mod history_charts;
mod keys;
mod library;
mod player;
pub mod safety;
mod settings;
mod setup;
mod sources;
pub mod theme;
mod ticking;
mod top_bar;
pub mod transfer;
mod window;

use std::sync::Arc;

use egui::{Key, Modifiers};

use crate::app::{Screen, UnknotApp};
use crate::core::prefs::ThemeChoice;
use crate::library::RoutineSource;

pub use window::{EframeApp, MAX_TEXTURE_SIDE, window_geometry};

impl UnknotApp {
    /// Draws the whole window. Separate from [`eframe::App`] so UI tests can drive it.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        apply_look(self, &ctx);
        self.handle_background_results();
        // Routine files may have been changed by hand while the window was away.
        let focused = ctx.input(|input| {
            input
                .events
                .iter()
                .any(|event| matches!(event, egui::Event::WindowFocused(true)))
        });
        if focused {
            self.window_focused();
        }
        self.check_session_end();
        a11y::follow_screen(&ctx, self.screen.name());
        a11y::name_window(&ctx, &self.screen.title());
        let mut commands = keys::shortcuts(self, &ctx);

        egui::Panel::top("notices")
            .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(16, 8)))
            .show_separator_line(false)
            .show(ui, |ui| {
                top_bar::top_bar_ui(self, ui, &mut commands);
            });

        // No fill: the window is cleared to the panel colour already, and with a
        // software renderer a second full-window fill doubles the cost of a frame.
        let central = egui::Frame::new().inner_margin(egui::Margin::same(12));
        // Only the library and the setup screen show the course; finding
        // today's date is too much for every countdown tick.
        let course_progress = matches!(self.screen, Screen::Library | Screen::Setup(_))
            .then(|| self.course_progress())
            .flatten();
        let course_card = match (&self.prefs.course, course_progress) {
            (Some(plan), Some(progress)) => Some(library::CourseCard {
                routine_id: plan.routine_id.clone(),
                routine_name: self
                    .deps
                    .library
                    .find(&plan.routine_id)
                    .map(|entry| entry.routine.name.clone())
                    .unwrap_or_else(|| plan.routine_id.clone()),
                progress,
                no_relief_shown: plan.no_relief_shown,
            }),
            _ => None,
        };
        let enter_id = self.enter_routine_id();
        // Read only by the screens that show dates: finding the local date
        // asks the system's time zone, too much for every countdown tick.
        let clock = &self.deps.clock;
        let confirm_quit = self.confirm_quit;
        let library_data = &self.deps.library;
        let user_dir = self.deps.user_routines_dir.as_deref();
        let prefs = &self.prefs;
        let voice_info = match (&self.screen, &self.deps.speech) {
            (Screen::Settings, Some(speech)) => Some(settings::VoiceInfo {
                status: speech.status(),
                voices: speech.voices(),
            }),
            _ => None,
        };
        egui::CentralPanel::no_frame()
            .frame(central)
            .show(ui, |ui| match &mut self.screen {
                Screen::Library => {
                    let enter_id = enter_id.clone();
                    let enter_name = library_data
                        .find(&enter_id)
                        .map(|entry| entry.routine.name.as_str())
                        .unwrap_or_default();
                    commands.extend(library::library_ui(
                        ui,
                        library_data,
                        user_dir,
                        enter_name,
                        course_card.as_ref(),
                    ));
                }
                Screen::Setup(setup) => {
                    let remembered = prefs.routines.contains_key(&setup.routine.id);
                    let user_owned = matches!(
                        library_data
                            .find(&setup.routine.id)
                            .map(|entry| &entry.source),
                        Some(RoutineSource::File(_))
                    );
                    let course = match (&prefs.course, course_progress) {
                        (Some(plan), Some(progress)) if plan.routine_id == setup.routine.id => {
                            setup::CourseHere::ThisRoutine(progress)
                        }
                        (Some(plan), _) if plan.routine_id == setup.routine.id => {
                            setup::CourseHere::ThisRoutine(crate::core::course::CourseProgress {
                                done: 0,
                                next_on: Some(plan.started_on),
                                no_relief: false,
                                due_today: plan.started_on <= clock.today(),
                            })
                        }
                        (Some(_), _) => setup::CourseHere::Elsewhere,
                        (None, _) => setup::CourseHere::None,
                    };
                    commands.extend(setup::setup_ui(
                        ui,
                        setup,
                        prefs.lead_in_secs,
                        remembered,
                        user_owned,
                        course,
                        clock.utc(),
                    ));
                }
                Screen::Player(player) => {
                    let snapshot = player.conductor.snapshot();
                    commands.extend(player::player_ui(
                        ui,
                        &player.routine,
                        &snapshot,
                        &player.plan,
                        if confirm_quit {
                            player::Ask::Quit
                        } else if player.confirm_stop {
                            player::Ask::Stop
                        } else {
                            player::Ask::Nothing
                        },
                    ));
                    if let Some(wait) = player::next_visible_change(&snapshot.view) {
                        ctx.request_repaint_after(wait);
                    }
                }
                Screen::Finish(summary) => commands.extend(finish::finish_ui(ui, summary)),
                Screen::Settings => {
                    commands.extend(settings::settings_ui(ui, prefs, voice_info.as_ref()));
                }
                Screen::Editor(editor) => {
                    commands.extend(editor::editor_ui(ui, editor, library_data));
                }
                Screen::Transfer(state) => commands.extend(transfer::transfer_ui(ui, state)),
                Screen::Safety => {
                    commands.extend(safety::safety_ui(ui, !prefs.safety_acknowledged));
                }
                Screen::History(state) => {
                    if state.detail.is_some()
                        && ui.input_mut(|input| input.consume_key(Modifiers::NONE, Key::Escape))
                    {
                        state.detail = None;
                    }
                    commands.extend(history::history_ui(
                        ui,
                        state,
                        prefs.show_streak,
                        clock.today(),
                    ));
                }
            });

        for command in commands {
            self.run_command(command);
        }
    }
}

/// Applies theme and text size when they change (not every frame: setting the
/// zoom asks for a repaint).
fn apply_look(app: &mut UnknotApp, ctx: &egui::Context) {
    let look = (app.prefs.theme, app.prefs.ui_scale);
    if app.applied_look == Some(look) {
        return;
    }
    app.applied_look = Some(look);
    ctx.set_theme(match look.0 {
        ThemeChoice::System => egui::ThemePreference::System,
        ThemeChoice::Dark => egui::ThemePreference::Dark,
        ThemeChoice::Light => egui::ThemePreference::Light,
    });
    ctx.set_zoom_factor(look.1);
}

/// Repaints the window from any thread.
pub fn repaint_handle(ctx: &egui::Context) -> Arc<dyn Fn() + Send + Sync> {
    let ctx = ctx.clone();
    Arc::new(move || ctx.request_repaint())
}
