//! The setup screen: choose the length, see every step and what to have at hand.

use egui::RichText;

use super::theme;
use crate::app::{Command, RoutineCommand, SessionCommand, SetupState};
use crate::core::plan::{length_range, max_step_secs, plan_with_lengths};
use crate::core::routine::{Pressure, format_clock, format_length};
use crate::core::scale::{MAX_LENGTH_SECS, MIN_LENGTH_SECS, ROUNDING_SECS};

/// A pain rating from which a professional is suggested before self-massage.
pub const SEVERE_PAIN: u8 = 8;

/// Lengths offered as one-click choices, in minutes.
const PRESET_MINUTES: [u32; 6] = [5, 10, 15, 20, 30, 45];

/// Draws the setup screen.
pub fn setup_ui(
    ui: &mut egui::Ui,
    setup: &SetupState,
    lead_in_secs: u32,
    remembered: bool,
    user_owned: bool,
    course: CourseHere,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Command> {
    let mut commands = Vec::new();
    let routine = &setup.routine;
    let visuals = ui.visuals().clone();
    let default_secs = routine.default_length_secs();
    let plan = plan_with_lengths(routine, &setup.step_secs, 0, 0);
    let planned_total = u64::from(setup.total_secs());
    // Heat, breathing and fixed steps keep their length and the rest cannot
    // go below their floor, nor past their technique's limit: only lengths
    // the routine can really be played at are offered.
    let (shortest, longest) = length_range(routine);

    // The routine's name stays at the top and Start at the bottom, whatever
    // the window's height; only what is between them scrolls.
    egui::Panel::top("setup-header")
        .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 4)))
        .show_separator_line(false)
        .resizable(false)
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                super::a11y::heading(ui, RichText::new(&routine.name).strong());
                let (label, hint) = if user_owned {
                    ("Edit", "Change this routine's steps and text")
                } else {
                    (
                        "Duplicate and edit",
                        "Built-in routines stay as they are; edit your own copy",
                    )
                };
                if ui.button(label).on_hover_text(hint).clicked() {
                    commands.push(Command::Routines(RoutineCommand::EditRoutine(
                        routine.id.clone(),
                    )));
                }
                if ui.button("Export…").clicked() {
                    commands.push(Command::Routines(RoutineCommand::ShowExport(
                        routine.clone(),
                    )));
                }
            });
        });
    egui::Panel::bottom("setup-controls")
        .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 8)))
        .show_separator_line(true)
        .resizable(false)
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
        // A full accent fill with text in the background colour: unmistakable
        // in the dark and the light theme alike, and plainly different from
        // the faded look of a Start that waits for an answer.
        let start = egui::Button::new(
            RichText::new("Start")
                .size(22.0)
                .strong()
                .color(visuals.extreme_bg_color),
        )
        .min_size(egui::vec2(180.0, 48.0))
        .fill(theme::accent(&visuals));
            if ui
                .add_enabled(setup.can_start(), start)
                .on_hover_text("Enter")
                .on_disabled_hover_text("Answer the injury question above first")
                .clicked()
            {
                commands.push(Command::Session(SessionCommand::Start));
            }
            if !setup.can_start() {
                // Said in the open, not only on hover, and true to the answer.
                let why = match (setup.injury_check, setup.routine.uses_heat()) {
                    (Some(false), true) => "Not with a fresh injury: heat can make it worse (see above).",
                    (Some(false), false) => "Not with a fresh injury: pressure can make it worse (see above).",
                    _ => "Answer the injury question above to start.",
                };
                ui.label(RichText::new(why).color(theme::warm(&visuals)));
            }
            // The key hints only where there is room for them.
            if ui.ctx().content_rect().height() >= 560.0 {
                ui.label(
                    RichText::new(
                        "While playing: Space pause · Right arrow skip · Left arrow back · Esc twice stop",
                    )
                    .color(theme::muted(&visuals)),
                );
            }

            });
        });

    // Its own scroll position per routine, starting at the top.
    // Opens at its top each time; scrolls sideways too when the steps table
    // is wider than a narrow window.
    egui::ScrollArea::both()
        .id_salt(("setup-body", &routine.id, super::a11y::screen_visit(ui.ctx())))
        .auto_shrink(false)
        .show(ui, |ui| {
            ui.label(RichText::new(&routine.summary).color(theme::muted(&visuals)));
            course_ui(ui, course, &mut commands);
            ui.add_space(12.0);

            ui.label(RichText::new("Length").strong());
            ui.horizontal_wrapped(|ui| {
                let default_label = format!(
                    "Routine default ({})",
                    format_length(u64::from(default_secs))
                );
                if ui
                    .selectable_label(setup.length_secs == default_secs, default_label)
                    .clicked()
                {
                    commands.push(Command::Session(SessionCommand::SetLength(default_secs)));
                }
                for minutes in PRESET_MINUTES {
                    let secs = minutes * 60;
                    if secs == default_secs {
                        continue;
                    }
                    let fits = secs + ROUNDING_SECS >= shortest && secs <= longest + ROUNDING_SECS;
                    if ui
                        .add_enabled(
                            fits,
                            egui::Button::selectable(
                                fits && setup.length_secs == secs,
                                format!("{minutes} min"),
                            ),
                        )
                        .on_disabled_hover_text(if secs + ROUNDING_SECS < shortest {
                            format!(
                                "Too short for this routine: its steps need at least {}",
                                format_clock(u64::from(shortest))
                            )
                        } else {
                            format!(
                                "Too long for this routine: its steps reach at most {}",
                                format_clock(u64::from(longest))
                            )
                        })
                        .clicked()
                    {
                        commands.push(Command::Session(SessionCommand::SetLength(secs)));
                    }
                }
            });
            if PRESET_MINUTES.iter().any(|minutes| minutes * 60 > longest + ROUNDING_SECS) {
                ui.label(
                    RichText::new(format!(
                        "Longer lengths are off: this routine's steps reach at most {}.",
                        format_clock(u64::from(longest))
                    ))
                    .color(theme::muted(&visuals)),
                );
            }
            if PRESET_MINUTES.iter().any(|minutes| minutes * 60 + ROUNDING_SECS < shortest) {
                // Why some lengths are off, said in the open.
                ui.label(
                    RichText::new(format!(
                        "Shorter lengths are off: this routine's {} need at least {}.",
                        if routine.uses_heat() {
                            "heat, fixed steps and shortest holds"
                        } else {
                            "fixed steps and shortest holds"
                        },
                        format_clock(u64::from(shortest))
                    ))
                    .color(theme::muted(&visuals)),
                );
            }
            ui.spacing_mut().slider_width = 360.0;
            let mut minutes = setup.length_secs / 60;
            let shortest_minutes = shortest
                .saturating_sub(ROUNDING_SECS)
                .div_ceil(60)
                .clamp(MIN_LENGTH_SECS / 60, MAX_LENGTH_SECS / 60);
            let longest_minutes =
                ((longest + ROUNDING_SECS) / 60).clamp(shortest_minutes, MAX_LENGTH_SECS / 60);
            let slider =
                egui::Slider::new(&mut minutes, shortest_minutes..=longest_minutes)
                    .suffix(" min")
                    .text("Any length");
            if ui.add(slider).changed() {
                commands.push(Command::Session(SessionCommand::SetLength(minutes * 60)));
            }
            ui.label(
                RichText::new(format!(
                    "Total: {} of steps, plus {} s to get ready. Steps scale to fit, up to their limit; {}fine-tune any step below.",
                    format_clock(planned_total),
                    lead_in_secs,
                    match plan.steps.iter().map(|planned| planned.round.of).max() {
                        Some(rounds) if rounds > 1 => format!("past that, the middle repeats in {rounds} rounds; "),
                        _ => String::new(),
                    }
                ))
                .color(theme::muted(&visuals)),
            );
            // Always there (off when there is nothing to forget), so the
            // steps below never jump when it would appear.
            if ui
                .add_enabled(remembered, egui::Button::new("Reset to the routine's default"))
                .on_hover_text("Forget the length and step changes you made for this routine")
                .on_disabled_hover_text("Nothing to reset: this routine is at its default")
                .clicked()
            {
                commands.push(Command::Session(SessionCommand::ResetRoutine));
            }

            ui.add_space(12.0);
            let tools: Vec<String> = routine
                .tools_needed()
                .iter()
                .enumerate()
                .map(|(index, tool)| {
                    let label = tool.label();
                    if index == 0 { label.to_owned() } else { label.to_lowercase() }
                })
                .collect();
            let tools: Vec<&str> = tools.iter().map(String::as_str).collect();
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("Have at hand:").strong());
                if tools.is_empty() {
                    ui.label("nothing but a quiet spot");
                } else {
                    ui.label(crate::core::words::natural_list(&tools));
                }
            });

                    ui.add_space(12.0);
        pain_ui(ui, "How much does your back hurt right now? (optional)", "Pain", setup.pain_before, |pain| {
            commands.push(Command::Session(SessionCommand::SetPainBefore(pain)));
        });
        if setup.pain_before.is_some_and(|pain| pain >= SEVERE_PAIN) {
            ui.add_space(4.0);
            ui.scope(|ui| {
                ui.set_max_width(640.0);
                ui.label(
                    RichText::new("That is severe pain. It is worth checking with a doctor or physiotherapist before massaging it yourself, and straight away if it came on suddenly, followed a fall, or comes with numbness, weakness, fever or trouble passing water. You can still go on, gently: stop if it gets worse.")
                        .color(theme::warm(&visuals)),
                );
            });
        }

        if setup.asks_about_injury() {
            ui.add_space(12.0);
            injury_check_ui(ui, setup, now, &mut commands);
        }
        ui.add_space(8.0);
        super::sources::why_ui(ui, routine);

            ui.add_space(16.0);
            ui.label(RichText::new("Steps").strong());
            let heat_spans = &plan.heat;
            egui::Grid::new("setup-steps")
                .striped(true)
                .num_columns(6)
                .spacing(egui::vec2(18.0, 6.0))
                .show(ui, |ui| {
                    for (index, planned) in plan.steps.iter().enumerate() {
                        let step = &planned.step;
                        ui.label(
                            RichText::new(format!("{}", index + 1)).color(theme::muted(&visuals)),
                        );
                        ui.horizontal(|ui| {
                            ui.label(&step.title);
                            if let Some(round) = planned.round.label() {
                                theme::chip(ui, &round, theme::muted(&visuals));
                            }
                            if let Some(span) =
                                heat_spans.iter().find(|span| span.covers(index))
                            {
                                theme::chip(ui, span.source.label(), theme::warm(&visuals));
                            }
                        });
                        ui.label(format!(
                            "{} · {}",
                            step.region.label(),
                            step.technique.label()
                        ));
                        ui.label(format!("{} · {}", step.side.label(), step.pressure.label()));
                        ui.label(
                            RichText::new(format_clock(planned.duration.as_secs())).monospace(),
                        );
                        ui.horizontal(|ui| {
                            let title = &step.title;
                            if ui
                                .small_button("-5 s")
                                .on_hover_text(format!("Shorten \"{title}\" by 5 seconds"))
                                .clicked()
                            {
                                commands.push(Command::Session(SessionCommand::NudgeStep {
                                    index,
                                    delta_secs: -5,
                                }));
                            }
                            let max = max_step_secs(routine, &setup.step_secs, index);
                            let at_limit = planned.duration.as_secs() >= u64::from(max);
                            if ui
                                .add_enabled(!at_limit, egui::Button::new("+5 s").small())
                                .on_hover_text(format!("Lengthen \"{title}\" by 5 seconds"))
                                .on_disabled_hover_text(format!(
                                    "\"{title}\" is at its limit of {} for {} {}",
                                    format_clock(u64::from(max)),
                                    step.pressure.label().to_lowercase(),
                                    step.technique.label().to_lowercase()
                                ))
                                .clicked()
                            {
                                commands.push(Command::Session(SessionCommand::NudgeStep {
                                    index,
                                    delta_secs: 5,
                                }));
                            }
                        });
                        ui.end_row();
                    }
                });
        });
    commands
}

/// What the setup screen knows about the course plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourseHere {
    /// No course plan at all.
    None,
    /// This routine is the course: sessions done and the next suggested day.
    ThisRoutine(crate::core::course::CourseProgress),
    /// A course of another routine is running.
    Elsewhere,
}

fn course_ui(ui: &mut egui::Ui, course: CourseHere, commands: &mut Vec<Command>) {
    let muted = theme::muted(ui.visuals());
    ui.horizontal_wrapped(|ui| match course {
        CourseHere::None | CourseHere::Elsewhere => {
            if ui
                .button("Plan a course: 4 sessions over 6 weeks")
                .on_hover_text(if course == CourseHere::Elsewhere {
                    "Replaces the course you have with another routine"
                } else {
                    "A session every two weeks; the library shows when the next is due"
                })
                .clicked()
            {
                commands.push(Command::Session(SessionCommand::StartCourse));
            }
        }
        CourseHere::ThisRoutine(progress) => {
            ui.label(RichText::new(super::library::course_text(&progress)).color(muted));
            if ui.small_button("End the course").clicked() {
                commands.push(Command::Session(SessionCommand::EndCourse));
            }
        }
    });
}

/// The questions before heat or medium and firm pressure: a fresh injury
/// needs rest and cold, not heat or kneading, and a lighter routine is
/// offered instead; heat used less than an hour ago is pointed out.
fn injury_check_ui(
    ui: &mut egui::Ui,
    setup: &SetupState,
    now: chrono::DateTime<chrono::Utc>,
    commands: &mut Vec<Command>,
) {
    let visuals = ui.visuals().clone();
    let warm = theme::warm(&visuals);
    let heat = setup.routine.uses_heat();
    let firm = setup
        .routine
        .steps
        .iter()
        .any(|step| step.pressure == Pressure::Firm);
    theme::card_frame(&visuals).show(ui, |ui| {
        ui.set_max_width(640.0);
        ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
            if heat
                && let Some(since) =
                    crate::core::history::heat_rest_warning(setup.last_heat, now)
            {
                ui.label(
                    RichText::new(format!(
                        "You used heat {} min ago. Give the skin a break of an hour or two before heating the same area again.",
                        since.num_minutes().max(1)
                    ))
                    .color(warm),
                );
                ui.add_space(6.0);
            }
            let uses = match (heat, firm) {
                (true, _) => "This routine uses heat",
                (false, true) => "This routine uses firm pressure",
                (false, false) => "This routine presses into the muscle",
            };
            ui.label(
                RichText::new(format!(
                    "{uses}. In the last two or three days, has the area had a fresh injury or new swelling?"
                ))
                .strong(),
            );
            // Answers as real buttons, so they look like something to press.
            ui.horizontal_wrapped(|ui| {
                let answer = |ui: &mut egui::Ui, chosen: bool, text: &str| {
                    ui.add(
                        egui::Button::selectable(chosen, RichText::new(text).size(16.0))
                            .frame(true)
                            .min_size(egui::vec2(0.0, 34.0)),
                    )
                    .clicked()
                };
                if answer(ui, setup.injury_check == Some(true), "No, it is an old stiffness") {
                    commands.push(Command::Session(SessionCommand::SetInjuryCheck(true)));
                }
                if answer(ui, setup.injury_check == Some(false), "Yes, it is fresh or swollen") {
                    commands.push(Command::Session(SessionCommand::SetInjuryCheck(false)));
                }
            });
            if setup.injury_check == Some(false) {
                let advice = if heat {
                    "Then heat is not the right thing yet: it can make fresh swelling worse. Use cold instead (a cold pack wrapped in a cloth, 10 to 15 minutes), rest the area, and see a professional if it is severe or not settling."
                } else {
                    "Then pressing into it is not the right thing yet: kneading or firm pressure on a fresh injury can make it worse. Rest the area, try cold (a cold pack wrapped in a cloth, 10 to 15 minutes), and see a professional if it is severe or not settling."
                };
                ui.label(RichText::new(advice).color(warm));
                if let Some((id, name)) = &setup.lighter {
                    ui.add_space(4.0);
                    ui.horizontal_wrapped(|ui| {
                        ui.label("A light routine without heat may still suit you, kept away from the sore place:");
                        if ui
                            .button(format!("Open \u{201c}{name}\u{201d}"))
                            .on_hover_text("Light pressure only, no heat")
                            .clicked()
                        {
                            commands.push(Command::Nav(crate::app::NavCommand::OpenRoutine(
                                id.clone(),
                            )));
                        }
                    });
                }
            }
        });
    });
}

/// A row of 0 to 10 for a pain rating, plus "Skip". Calls `changed` with the new value.
pub fn pain_ui(
    ui: &mut egui::Ui,
    question: &str,
    accessible_prefix: &str,
    current: Option<u8>,
    mut changed: impl FnMut(Option<u8>),
) {
    ui.label(RichText::new(question).strong());
    ui.horizontal_wrapped(|ui| {
        for value in 0..=10u8 {
            let response = ui
                .selectable_label(current == Some(value), format!("{value}"))
                .accessible_name(format!("{accessible_prefix} {value}"))
                .on_hover_text(match value {
                    0 => "No pain",
                    1..=3 => "Mild",
                    4..=6 => "Moderate",
                    _ => "Severe",
                });
            if response.clicked() {
                changed(Some(value));
            }
        }
        if ui
            .selectable_label(
                current.is_none(),
                if accessible_prefix == "Pain" {
                    "Skip"
                } else {
                    "Not rated"
                },
            )
            .accessible_name(if accessible_prefix == "Pain" {
                "Skip the pain rating".to_owned()
            } else {
                format!("{accessible_prefix}: not rated")
            })
            .clicked()
        {
            changed(None);
        }
    });
}
