//! The player: a big countdown, what to do now, what comes next, and controls
//! that also work from the keyboard with eyes closed.

use std::time::Duration;

use egui::{Align, Layout, RichText};

use super::theme;
use super::ticking::Ticking;
use crate::app::{Command, NavCommand, SessionCommand};
use crate::conductor::Snapshot;
use crate::core::engine::{
    Control, CueKind, HeatStatus, HeatView, Phase, SessionPlan, SessionView,
};
use crate::core::routine::{Routine, Side, Technique, Tool, format_clock};

/// Whole seconds shown for a remaining time (rounded up, so 0:00 means done).
fn shown_secs(remaining: Duration) -> u64 {
    let whole = remaining.as_secs();
    if remaining.subsec_nanos() > 0 {
        whole + 1
    } else {
        whole
    }
}

/// How long until the countdown's digits change, so the window repaints once a
/// second and not every frame. `None` when nothing on screen will change.
pub fn next_visible_change(view: &SessionView) -> Option<Duration> {
    if matches!(view.phase, Phase::Ended(_)) {
        return None;
    }
    // Heat keeps counting while paused (the pack is still on), so its clock ticks on.
    if let Some(HeatView {
        status: HeatStatus::On { on_for, .. },
        ..
    }) = view.heat
        && view.paused
    {
        let nanos = 1_000_000_000 - on_for.subsec_nanos();
        return Some(Duration::from_nanos(u64::from(nanos)) + Duration::from_millis(2));
    }
    if view.paused {
        return None;
    }
    let nanos = view.segment_remaining.subsec_nanos();
    let until = if nanos == 0 {
        Duration::from_secs(1)
    } else {
        Duration::from_nanos(u64::from(nanos))
    };
    Some(until + Duration::from_millis(2))
}

fn banner_text(cue: CueKind, side: Option<Side>) -> Option<String> {
    match cue {
        CueKind::SwitchSide => Some(match side {
            Some(Side::Right) => "Switch sides: now the right side".to_owned(),
            _ => "Switch sides".to_owned(),
        }),
        CueKind::Halfway => Some("Halfway through this step".to_owned()),
        CueKind::HeatOn => Some("Heat on: keep a towel between the heat and your skin".to_owned()),
        CueKind::SkinCheck => Some(
            "Skin check: lift the heat and look. Red, blotchy or too hot? Take it off.".to_owned(),
        ),
        CueKind::HeatOff => Some("Take the heat off now".to_owned()),
        CueKind::StepStart | CueKind::CountdownTick | CueKind::SessionEnd => None,
    }
}

/// The heat timer beside the step countdown: how long the heat has been on,
/// when it comes off, and when to check the skin.
fn heat_ui(ui: &mut egui::Ui, heat: &HeatView) {
    let visuals = ui.visuals().clone();
    let warm = theme::warm(&visuals);
    let what = format!(
        "{} on the {}",
        heat.span.source.label(),
        heat.span.region.label().to_lowercase()
    );
    let text = match heat.status {
        HeatStatus::Waiting => return,
        HeatStatus::On {
            on_for,
            remove_in,
            next_check_in,
        } => {
            let check = next_check_in
                .map(|left| format!(" \u{b7} skin check in {}", format_clock(shown_secs(left))))
                .unwrap_or_default();
            format!(
                "{what}: on for {} \u{b7} take it off in {}{check}",
                format_clock(on_for.as_secs()),
                format_clock(shown_secs(remove_in))
            )
        }
        HeatStatus::Done { capped: true } => {
            format!("{what}: off. It reached 20 minutes, the most at a stretch.")
        }
        HeatStatus::Done { capped: false } => format!("{what}: off"),
    };
    egui::Frame::new()
        .stroke(egui::Stroke::new(1.5, warm))
        .corner_radius(8.0)
        .inner_margin(egui::Margin::symmetric(14, 6))
        .show(ui, |ui| {
            // Wraps in a narrow window rather than run off both sides.
            ui.set_max_width(660.0_f32.min(ui.available_width() - 28.0).max(120.0));
            ui.add(Ticking::new(RichText::new(text).size(18.0).color(warm)).wrap())
                .on_hover_text("Towel between the heat and your skin; never lie on it or fall asleep with it on");
        });
    ui.add_space(4.0);
}

/// The region and side being worked now, for the body map.
fn step_now(
    view: &SessionView,
    plan: &SessionPlan,
) -> Option<(crate::core::routine::Region, Option<Side>)> {
    match view.phase {
        Phase::Step(index) => plan.steps.get(index).map(|planned| {
            let side = match planned.step.side {
                Side::Center => None,
                Side::Both => view.current_side.or(Some(Side::Both)),
                other => Some(other),
            };
            (planned.step.region, side)
        }),
        _ => None,
    }
}

/// Draws the player. The header stays at the top and the controls with the
/// stop rule at the bottom, whatever the window's size or text size; the body
/// map has its own column when there is room; the step fills what is left and
/// scrolls on its own when the window is short.
pub fn player_ui(
    ui: &mut egui::Ui,
    routine: &Routine,
    snapshot: &Snapshot,
    plan: &SessionPlan,
    ask: Ask,
) -> Vec<Command> {
    let mut commands = Vec::new();
    let view = &snapshot.view;
    let visuals = ui.visuals().clone();
    // A short window (800x600 at large text, or notices showing): smaller
    // buttons and no key hints, so the step and its countdown keep their room.
    let compact = ui.available_height() < 480.0;
    egui::Panel::top("player-header")
        .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 4)))
        .show_separator_line(false)
        .resizable(false)
        .show(ui, |ui| header_ui(ui, routine, view));
    egui::Panel::bottom("player-controls")
        .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 6)))
        .show_separator_line(false)
        .resizable(false)
        .show(ui, |ui| {
            match ask {
                Ask::Nothing => controls_ui(ui, view, &visuals, compact, &mut commands),
                Ask::Stop => {
                    confirm_stop_ui(ui, &visuals, &mut commands);
                    controls_ui(ui, view, &visuals, compact, &mut commands);
                }
                // The session is paused and the answer is all that matters:
                // the question takes the controls' place, so it fits wherever
                // they did.
                Ask::Quit => confirm_quit_ui(ui, view, &visuals, &mut commands),
            }
        });
    if ui.available_width() >= 900.0 {
        egui::Panel::right("player-body-map")
            .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(8, 8)))
            .show_separator_line(false)
            .resizable(false)
            .exact_size(150.0)
            .show(ui, |ui| {
                let now = step_now(view, plan);
                let heat = match view.heat {
                    Some(HeatView {
                        span,
                        status: HeatStatus::On { .. },
                    }) => Some(span.region),
                    _ => None,
                };
                let regions = routine.regions();
                super::body_map::body_map(ui, egui::vec2(120.0, 200.0), &regions, now, heat);
            });
    }
    egui::CentralPanel::no_frame().show(ui, |ui| {
        if ui.available_height() < 100.0 {
            // Very little room (800x600 at 200 %): the step and its
            // countdown on one line, which always fits.
            mini_step_ui(ui, view, plan);
            return;
        }
        // The countdown shrinks in a short window so the step still fits.
        let countdown_size = (ui.available_height() * 0.17).clamp(40.0, 110.0);
        // Each step (and each session) opens at the top of its text. The
        // area itself stays the same from step to step: a new one would fade
        // its scroll bar in, a dozen frames for nothing at every step.
        let page = egui::Id::unique((
            super::a11y::screen_visit(ui.ctx()),
            format!("{:?}", view.phase),
        ));
        let last_page = egui::Id::unique("player-body-page");
        let turned = ui.data_mut(|data| {
            let turned = data.get_temp::<egui::Id>(last_page) != Some(page);
            data.insert_temp(last_page, page);
            turned
        });
        let mut area = egui::ScrollArea::vertical()
            .id_salt("player-body")
            .auto_shrink(false);
        if turned {
            area = area.vertical_scroll_offset(0.0);
        }
        let output = area.show(ui, |ui| step_ui(ui, routine, view, plan, countdown_size));
        fade_what_continues(ui, &output);
    });
    commands
}

/// The tallest fade at the bottom of the step's text, in points.
const FADE_HEIGHT: f32 = 28.0;

/// How tall a fade the bottom of a scroll area gets: none when everything
/// shows, otherwise up to [`FADE_HEIGHT`] (never more than a quarter of
/// the area, nor more than what is hidden, so the last line, once
/// scrolled to, is never faded).
fn fade_height(content_height: f32, offset: f32, view_height: f32) -> f32 {
    let hidden_below = content_height - offset - view_height;
    if hidden_below < 1.0 {
        return 0.0;
    }
    FADE_HEIGHT
        .min(view_height / 4.0)
        .min(hidden_below)
        .max(0.0)
}

/// A text cut part-way through a line at the area's edge looks like a
/// mistake; fading its last points into the background says there is more.
fn fade_what_continues<R>(ui: &egui::Ui, output: &egui::scroll_area::ScrollAreaOutput<R>) {
    let view = output.inner_rect;
    let height = fade_height(
        output.content_size.y,
        output.state.clamped_offset().y,
        view.height(),
    );
    if height <= 0.0 {
        return;
    }
    // The scroll bar floats over the area's right edge; it is not faded.
    let bar = ui.spacing().scroll.bar_width + ui.spacing().scroll.bar_outer_margin;
    let view = view.with_max_x((view.right() - bar).max(view.left()));
    let solid = ui.visuals().panel_fill;
    let mut mesh = egui::Mesh::default();
    mesh.colored_vertex(
        egui::pos2(view.left(), view.bottom() - height),
        egui::Color32::TRANSPARENT,
    );
    mesh.colored_vertex(
        egui::pos2(view.right(), view.bottom() - height),
        egui::Color32::TRANSPARENT,
    );
    mesh.colored_vertex(view.right_bottom(), solid);
    mesh.colored_vertex(view.left_bottom(), solid);
    mesh.add_triangle(0, 1, 2);
    mesh.add_triangle(0, 2, 3);
    ui.painter().add(egui::Shape::mesh(mesh));
}

/// Routine name, time left and the session's progress.
fn header_ui(ui: &mut egui::Ui, routine: &Routine, view: &SessionView) {
    let visuals = ui.visuals().clone();
    let muted = theme::muted(&visuals);
    let accent = theme::accent(&visuals);
    ui.horizontal(|ui| {
        let left = format!(
            "{} left of {}",
            format_clock(shown_secs(view.session_remaining)),
            format_clock(view.session_length.as_secs())
        );
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            ui.add(Ticking::new(RichText::new(left).monospace().color(muted)));
            ui.with_layout(Layout::left_to_right(Align::Center), |ui| {
                super::a11y::heading_label(
                    ui,
                    egui::Label::new(RichText::new(&routine.name).strong()).truncate(),
                );
            });
        });
    });
    let bar = ui.add(
        egui::ProgressBar::new(view.session_progress())
            .desired_height(6.0)
            .fill(accent.gamma_multiply(0.7)),
    );
    let length = view.session_length.as_secs_f64();
    super::a11y::progress(
        &bar,
        "Session, seconds played",
        length - view.session_remaining.as_secs_f64(),
        length,
    );
}

/// The step's title and countdown on a single line, for a window too short
/// for anything more; the instructions are still read out (live region).
fn mini_step_ui(ui: &mut egui::Ui, view: &SessionView, plan: &SessionPlan) {
    let visuals = ui.visuals().clone();
    let title = match view.phase {
        Phase::LeadIn => "Get ready".to_owned(),
        Phase::Step(index) => plan.steps[index].step.title.clone(),
        Phase::Transition(_) => "Change position".to_owned(),
        Phase::Ended(_) => "Done".to_owned(),
    };
    ui.horizontal(|ui| {
        ui.add(Ticking::new(
            RichText::new(format_clock(shown_secs(view.segment_remaining)))
                .size(18.0)
                .strong()
                .color(if view.paused {
                    theme::muted(&visuals)
                } else {
                    visuals.strong_text_color()
                }),
        ));
        // Heat on the skin is never out of sight: its line comes first.
        if let Some(heat) = &view.heat
            && let HeatStatus::On { .. } = heat.status
        {
            ui.label(
                RichText::new(format!("Heat: {}", heat.span.region.label().to_lowercase()))
                    .strong()
                    .color(theme::warm(&visuals)),
            );
        }
        let label = ui
            .add(egui::Label::new(RichText::new(&title).size(16.0).strong()).truncate())
            .on_hover_text(&title);
        super::a11y::live(&label, false);
    });
}

/// The step: where in the session, title, chips, countdown, heat, banner,
/// instructions and what comes next.
fn step_ui(
    ui: &mut egui::Ui,
    routine: &Routine,
    view: &SessionView,
    plan: &SessionPlan,
    countdown_size: f32,
) {
    let visuals = ui.visuals().clone();
    let muted = theme::muted(&visuals);
    let accent = theme::accent(&visuals);
    // Short of room, the countdown comes before "Step 2 of 9" and the chips.
    let short = ui.available_height() < 300.0;
    let step_count = plan.steps.len();
    let (title, position_text, step) = match view.phase {
        Phase::LeadIn => ("Get ready".to_owned(), "Starting soon".to_owned(), None),
        Phase::Step(index) => (
            plan.steps[index].step.title.clone(),
            match plan.steps[index].round.label() {
                Some(round) => format!("Step {} of {} \u{b7} {round}", index + 1, step_count),
                None => format!("Step {} of {}", index + 1, step_count),
            },
            Some(&plan.steps[index].step),
        ),
        Phase::Transition(next) => (
            "Change position".to_owned(),
            format!("Step {} of {} is next", next + 1, step_count),
            None,
        ),
        Phase::Ended(_) => ("Done".to_owned(), String::new(), None),
    };

    ui.vertical_centered(|ui| {
        if !short {
            ui.label(RichText::new(position_text).color(muted));
        }
        // Read out when the step changes (the seconds are not).
        let title_label = ui.add(
            egui::Label::new(
                RichText::new(shorten(&title, MAX_SHOWN_TITLE))
                    .size((countdown_size * 0.45).clamp(22.0, 34.0))
                    .strong(),
            )
                .wrap(),
        );
        super::a11y::live(&title_label, false);
        if let Some(step) = step.filter(|_| !short) {
            ui.add_space(4.0);
            let side_text = match view.current_side {
                Some(Side::Left) if step.side == Side::Both => "Left side first".to_owned(),
                Some(Side::Right) if step.side == Side::Both => "Right side now".to_owned(),
                Some(side) => side.label().to_owned(),
                None => step.side.label().to_owned(),
            };
            // Pressure means nothing for breathing, and "No tool" is no chip.
            let mut chips = vec![
                step.region.label().to_owned(),
                step.technique.label().to_owned(),
            ];
            if step.tool != Tool::NoTool {
                chips.push(step.tool.label().to_owned());
            }
            if step.technique != Technique::Breathing {
                chips.push(format!(
                    "{} pressure ({})",
                    step.pressure.label(),
                    step.pressure.hint()
                ));
            }
            chips.push(side_text);
            let chip_width: f32 = chips.iter().map(|c| c.len() as f32 * 8.0 + 30.0).sum();
            ui.allocate_ui_with_layout(
                egui::vec2(chip_width.min(ui.available_width()), 28.0),
                Layout::left_to_right(Align::Center),
                |ui| {
                    for chip in &chips {
                        theme::chip(ui, chip, accent);
                    }
                },
            );
        }

        // The big countdown.
        ui.add_space(8.0);
        let countdown_color = if view.paused {
            muted
        } else {
            visuals.strong_text_color()
        };
        ui.add(Ticking::new(
            RichText::new(format_clock(shown_secs(view.segment_remaining)))
                .size(countdown_size)
                .color(countdown_color),
        ));
        let bar = ui.add(
            egui::ProgressBar::new(view.segment_progress())
                .desired_width(520.0)
                .desired_height(10.0)
                .fill(accent),
        );
        let segment = view.segment_length.as_secs_f64();
        super::a11y::progress(
            &bar,
            "Step, seconds done",
            segment - view.segment_remaining.as_secs_f64(),
            segment,
        );
        if let Some(heat) = &view.heat {
            heat_ui(ui, heat);
        }
        if view.paused {
            let heat_on = matches!(
                view.heat,
                Some(HeatView {
                    status: HeatStatus::On { .. },
                    ..
                })
            );
            let text = match view.slept {
                Some(slept) => format!(
                    "The computer was asleep for {}, so the session paused here. Press Space to carry on.",
                    format_clock(slept.as_secs())
                ),
                None if heat_on => {
                    "Paused. The heat timer keeps running while the pack is on. Space carries on."
                        .to_owned()
                }
                None => "Paused. Press Space to carry on.".to_owned(),
            };
            let paused = ui.label(RichText::new(text).size(20.0).color(theme::warm(&visuals)));
            super::a11y::live(&paused, false);
        } else if let Some(text) = view
            .recent_cue
            .and_then(|cue| banner_text(cue, view.current_side))
        {
            // "Switch sides", "Check your skin": said as they appear.
            let banner = ui.label(RichText::new(text).size(20.0).color(theme::warm(&visuals)));
            super::a11y::live(&banner, false);
        } else {
            ui.label(RichText::new(" ").size(20.0));
        }

        ui.add_space(8.0);
        let instructions = match (view.phase, step) {
            (_, Some(step)) => step.instructions.clone(),
            (Phase::LeadIn, None) => {
                let tools: Vec<String> = routine
                    .tools_needed()
                    .iter()
                    .map(|tool| tool.label().to_lowercase())
                    .collect();
                let tools: Vec<&str> = tools.iter().map(String::as_str).collect();
                let first = plan
                    .steps
                    .first()
                    .map(|s| s.step.title.as_str())
                    .unwrap_or("");
                if tools.is_empty() {
                    format!("Settle in and breathe out slowly. First: {first}.")
                } else {
                    format!(
                        "Have your {} within reach. First: {first}.",
                        crate::core::words::natural_list(&tools)
                    )
                }
            }
            (Phase::Transition(next), None) => {
                let coming = &plan.steps[next].step;
                format!(
                    "Get into position for \"{}\": {}, {}.",
                    coming.title,
                    coming.region.label().to_lowercase(),
                    coming.tool.label().to_lowercase()
                )
            }
            _ => String::new(),
        };
        theme::card_frame(&visuals).show(ui, |ui| {
            ui.set_max_width(680.0);
            ui.with_layout(Layout::top_down(Align::Min), |ui| {
                let said = ui.label(
                    RichText::new(instructions)
                        .size(19.0)
                        .color(visuals.strong_text_color().gamma_multiply(0.92)),
                );
                super::a11y::live(&said, false);
            });
        });

        let next_text = match view.next_step {
            Some(next) => {
                let planned = &plan.steps[next];
                format!(
                    "Next: {} · {} · {}",
                    planned.step.title,
                    planned.step.region.label(),
                    format_clock(planned.duration.as_secs())
                )
            }
            None if matches!(view.phase, Phase::Step(_)) => "Next: finish".to_owned(),
            None => String::new(),
        };
        ui.label(RichText::new(next_text).color(muted));

    });
}

/// Titles longer than this are cut with an ellipsis on screen.
const MAX_SHOWN_TITLE: usize = 120;

/// `text`, cut to `limit` characters with an ellipsis.
fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(limit).collect();
        cut.push('\u{2026}');
        cut
    }
}

/// "Stop this session?" after one Esc: a second Esc stops, Space carries on.
/// A question the player is asking before it ends the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// Nothing: the usual controls.
    Nothing,
    /// Esc was pressed once: stop?
    Stop,
    /// Ctrl+Q or the window's close button: quit the app?
    Quit,
}

/// "Quit unknot?" mid-session: the session is paused, and quitting records it
/// as stopped early. With heat on, the first thing said is to take it off.
fn confirm_quit_ui(
    ui: &mut egui::Ui,
    view: &SessionView,
    visuals: &egui::Visuals,
    commands: &mut Vec<Command>,
) {
    let heat_on = matches!(
        view.heat,
        Some(HeatView {
            status: HeatStatus::On { .. },
            ..
        })
    );
    ui.vertical_centered(|ui| {
        theme::notice_frame(visuals).show(ui, |ui| {
            ui.vertical(|ui| {
                if heat_on {
                    ui.label(
                        RichText::new("The heat is on: take it off before you go.")
                            .size(18.0)
                            .strong()
                            .color(theme::warm(visuals)),
                    );
                }
                ui.label(
                    RichText::new(
                        "Quit unknot? The session is paused; quitting ends it and keeps it in your history as stopped early.",
                    )
                    .size(16.0),
                );
                ui.horizontal_wrapped(|ui| {
                    if ui.button("Stop and quit").clicked() {
                        commands.push(Command::Nav(NavCommand::QuitNow));
                    }
                    if ui.button("Keep the session").clicked() {
                        commands.push(Command::Nav(NavCommand::CancelQuit));
                    }
                    ui.label(
                        RichText::new("Ctrl+Q again quits; Esc keeps the session.")
                            .color(theme::muted(visuals)),
                    );
                });
            });
        });
    });
}

fn confirm_stop_ui(ui: &mut egui::Ui, visuals: &egui::Visuals, commands: &mut Vec<Command>) {
    ui.vertical_centered(|ui| {
        theme::notice_frame(visuals).show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new("Stop this session? Esc again stops it; Space carries on.")
                        .size(18.0)
                        .strong(),
                );
                if ui.button("Stop the session").clicked() {
                    commands.push(Command::Session(SessionCommand::Control(Control::Stop)));
                }
                if ui.button("Carry on").clicked() {
                    commands.push(Command::Session(SessionCommand::Control(Control::Resume)));
                }
            });
        });
    });
}

/// The stop rule and the controls, in one row when there is room and two
/// when there is not, always fully inside the window.
fn controls_ui(
    ui: &mut egui::Ui,
    view: &SessionView,
    visuals: &egui::Visuals,
    compact: bool,
    commands: &mut Vec<Command>,
) {
    let muted = theme::muted(visuals);
    ui.vertical_centered(|ui| {
        ui.add(
            egui::Label::new(
                RichText::new("Ease off or stop if the muscles tense up or the pain sharpens.")
                    .color(theme::warm(visuals)),
            )
            .wrap(),
        );
        ui.add_space(6.0);
        let gap = ui.spacing().item_spacing.x;
        let available = ui.available_width();
        let one_row = 5.0 * 150.0 + 4.0 * gap <= available;
        let per_row = if one_row { 5.0 } else { 3.0 };
        let width = ((available - (per_row - 1.0) * gap) / per_row).min(150.0);
        let size = egui::vec2(width, if compact { 34.0 } else { 44.0 });
        let pause_label = if view.paused { "Resume" } else { "Pause" };
        let buttons: [(&str, &str, Command); 5] = [
            (
                "Back",
                "Left arrow: restart this step; press again at once for the previous step",
                Command::Session(SessionCommand::Control(Control::Back)),
            ),
            (pause_label, "Space", Command::Session(SessionCommand::Control(Control::TogglePause))),
            ("Skip", "Right arrow", Command::Session(SessionCommand::Control(Control::Skip))),
            ("Stop", "Esc", Command::Session(SessionCommand::Control(Control::Stop))),
            (
                "Stop \u{2014} it hurt",
                "End now and note in your history that it hurt",
                Command::Session(SessionCommand::StopHurt),
            ),
        ];
        let rows: Vec<&[(&str, &str, Command)]> = if one_row {
            vec![&buttons[..]]
        } else {
            vec![&buttons[..3], &buttons[3..]]
        };
        for row in rows {
            let row_width = row.len() as f32 * width + (row.len() as f32 - 1.0) * gap;
            ui.allocate_ui_with_layout(
                egui::vec2(row_width, size.y),
                Layout::left_to_right(Align::Center),
                |ui| {
                    for (label, hint, command) in row {
                        let text = if matches!(command, Command::Session(SessionCommand::StopHurt)) {
                            RichText::new(*label).color(theme::warm(visuals))
                        } else {
                            RichText::new(*label)
                        };
                        // Named by what it does, not by where it is: a
                        // question appearing above, or Pause turning into
                        // Resume, never takes the focus away from it.
                        let key = format!("{command:?}");
                        let scope = egui::UiBuilder::new()
                            .scope_id(egui::Id::unique(("player-control", key)));
                        let clicked = ui
                            .scope_builder(scope, |ui| {
                                let response = ui
                                    .add(egui::Button::new(text).min_size(size))
                                    .on_hover_text(*hint);
                                // The arrow keys skip and go back; they must
                                // not also walk the focus along the buttons.
                                ui.memory_mut(|memory| {
                                    memory.set_focus_lock_filter(
                                        response.id,
                                        egui::EventFilter {
                                            horizontal_arrows: true,
                                            vertical_arrows: true,
                                            // Esc asks "stop?"; it must not
                                            // drop the focus as well.
                                            escape: true,
                                            ..Default::default()
                                        },
                                    );
                                });
                                if matches!(
                                    command,
                                    Command::Session(SessionCommand::Control(Control::TogglePause))
                                ) && super::a11y::take_focus_request(
                                    ui.ctx(),
                                    super::a11y::FocusTarget::Controls,
                                ) {
                                    response.request_focus();
                                }
                                response.clicked()
                            })
                            .inner;
                        if clicked {
                            commands.push(command.clone());
                        }
                    }
                },
            );
        }
        if !compact {
            ui.add(
                egui::Label::new(
                    RichText::new("Keys: Space pause \u{b7} Right arrow skip \u{b7} Left arrow back \u{b7} Esc twice stop")
                        .small()
                        .color(muted),
                )
                .wrap(),
            );
        }
    });
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_step_text_fades_only_where_more_follows() {
        // Everything shows: no fade, even a hair over.
        assert_eq!(fade_height(300.0, 0.0, 300.0), 0.0);
        assert_eq!(fade_height(300.5, 0.0, 300.0), 0.0);
        // Scrolled to the end: the last line is not faded.
        assert_eq!(fade_height(500.0, 200.0, 300.0), 0.0);
        // Much more below: the full fade.
        assert_eq!(fade_height(500.0, 0.0, 300.0), FADE_HEIGHT);
        // Half a line below: only as much as is hidden.
        assert_eq!(fade_height(308.0, 0.0, 300.0), 8.0);
        // A short area keeps three quarters of itself clear.
        assert_eq!(fade_height(500.0, 0.0, 60.0), 15.0);
    }

    fn view(remaining_ms: u64, paused: bool) -> SessionView {
        SessionView {
            phase: Phase::Step(0),
            paused,
            segment_remaining: Duration::from_millis(remaining_ms),
            segment_length: Duration::from_secs(60),
            session_remaining: Duration::from_secs(60),
            session_elapsed: Duration::ZERO,
            session_played: Duration::ZERO,
            session_length: Duration::from_secs(60),
            next_step: None,
            current_side: None,
            recent_cue: None,
            steps_done: 0,
            heat: None,
            heat_alarm: false,
            slept: None,
        }
    }

    #[test]
    fn repaints_when_the_digits_change_and_not_while_paused() {
        assert_eq!(
            next_visible_change(&view(12_300, false)),
            Some(Duration::from_millis(302))
        );
        assert_eq!(
            next_visible_change(&view(12_000, false)),
            Some(Duration::from_millis(1002))
        );
        assert_eq!(next_visible_change(&view(12_300, true)), None);
    }

    #[test]
    fn countdown_rounds_up() {
        assert_eq!(shown_secs(Duration::from_millis(12_001)), 13);
        assert_eq!(shown_secs(Duration::from_secs(12)), 12);
        assert_eq!(shown_secs(Duration::ZERO), 0);
    }
}
