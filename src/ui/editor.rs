//! The routine editor: every field of a routine and its steps, with the same
//! checks and messages as `unknot check`, shown as you type.

use egui::RichText;

use super::theme;
pub use crate::app::editor::{EditorState, new_step};
use crate::app::{Command, NavCommand, RoutineCommand};
use crate::core::routine::{Pressure, Region, Side, Technique, Tool, format_clock};
use crate::core::words::count;
use crate::library::Library;

fn combo<T: Copy + PartialEq + std::fmt::Display>(
    ui: &mut egui::Ui,
    id: (&str, usize),
    label: &str,
    value: &mut T,
    all: &[T],
) {
    let label = ui.label(format!("{label}:"));
    egui::ComboBox::from_id_salt(id)
        .selected_text(value.to_string())
        .show_ui(ui, |ui| {
            for option in all {
                ui.selectable_value(value, *option, option.to_string());
            }
        })
        .response
        .labelled_by(label.id);
}

/// Draws the editor. Field edits change `state` directly; saving, undoing,
/// moving steps and leaving come back as commands or state-changing calls on
/// the editor state (which keeps undo and the heat in step).
pub fn editor_ui(ui: &mut egui::Ui, state: &mut EditorState, library: &Library) -> Vec<Command> {
    let mut commands = Vec::new();
    let visuals = ui.visuals().clone();
    let problems = state.problems(library).to_vec();

    // Heading, actions and the check's findings stay put at the top; only the
    // fields scroll, so a message appearing never moves what is being typed.
    egui::Panel::top("editor-header")
        .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 4)))
        .show_separator_line(true)
        .resizable(false)
        .show(ui, |ui| {
            header_ui(ui, state, &problems, &visuals, &mut commands);
        });

    egui::ScrollArea::vertical()
        .id_salt(("editor-body", super::a11y::screen_visit(ui.ctx())))
        .auto_shrink(false)
        .show(ui, |ui| {
            routine_fields_ui(ui, state);
            ui.add_space(10.0);
            steps_ui(ui, state, &visuals);
            ui.add_space(10.0);
            heat_ui(ui, state, &visuals);
        });
    commands
}

fn header_ui(
    ui: &mut egui::Ui,
    state: &mut EditorState,
    problems: &[crate::core::parse::Problem],
    visuals: &egui::Visuals,
    commands: &mut Vec<Command>,
) {
    let muted = theme::muted(visuals);
    ui.horizontal_wrapped(|ui| {
        let heading = match (&state.original_path, &state.copied_from) {
            (Some(_), _) => "Edit routine".to_owned(),
            (None, Some(name)) => format!("Your copy of \"{name}\""),
            (None, None) => "New routine".to_owned(),
        };
        super::a11y::heading(ui, RichText::new(heading).strong());
        ui.label(
            RichText::new(format!(
                "{} · {}",
                count(state.draft.steps.len() as u64, "step", "steps"),
                format_clock(u64::from(state.draft.default_length_secs()))
            ))
            .color(muted),
        );
    });
    ui.horizontal_wrapped(|ui| {
        if state.confirm_discard {
            ui.label(
                RichText::new("Leave without saving? Your changes will be lost.")
                    .color(theme::warm(visuals)),
            );
            if ui.button("Discard changes").clicked() {
                commands.push(Command::Routines(RoutineCommand::DiscardEdits));
            }
            if ui.button("Keep editing").clicked() {
                state.confirm_discard = false;
                state.leave_to = None;
            }
            return;
        }
        let save = ui.add_enabled(problems.is_empty(), egui::Button::new("Save"));
        if save.clicked() {
            commands.push(Command::Routines(RoutineCommand::SaveRoutine));
        }
        if ui.button("Cancel").clicked() {
            commands.push(Command::Nav(NavCommand::ShowLibrary));
        }
        if ui.button("Export…").clicked() {
            commands.push(Command::Routines(RoutineCommand::ShowExport(
                state.routine(),
            )));
        }
        if state.original_path.is_some() {
            if state.confirm_delete {
                ui.label(RichText::new("Delete this routine file?").color(theme::warm(visuals)));
                if ui.button("Yes, delete").clicked() {
                    commands.push(Command::Routines(RoutineCommand::DeleteRoutine));
                }
                if ui.button("Keep it").clicked() {
                    state.confirm_delete = false;
                }
            } else if ui.button("Delete…").clicked() {
                state.confirm_delete = true;
            }
        }
    });
    // Every line of this header is always there, at the same height, so the
    // fields below never move under the pointer as problems come and go.
    ui.horizontal(|ui| {
        if ui
            .add_enabled(state.can_undo(), egui::Button::new("Undo"))
            .on_hover_text("Take back the last step or heat change")
            .clicked()
        {
            state.undo();
        }
        let change = state
            .last_change
            .clone()
            .unwrap_or_else(|| "Step and heat changes can be undone here.".to_owned());
        ui.add(egui::Label::new(RichText::new(change).color(muted)).truncate());
    });
    let line = ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y;
    let height = line * 3.0;
    let width = ui.available_width();
    ui.allocate_ui(egui::vec2(width, height), |ui| {
        ui.set_min_size(egui::vec2(width, height));
        if problems.is_empty() {
            ui.label(RichText::new("Ready to save.").color(theme::accent(visuals)));
            return;
        }
        ui.label(
            RichText::new(format!(
                "Fix {} to save:",
                if problems.len() == 1 { "this" } else { "these" }
            ))
            .color(theme::warm(visuals)),
        );
        egui::ScrollArea::vertical()
            .id_salt("editor-problems")
            .max_height(height - line)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                for problem in problems {
                    let field = human_field(problem.field.as_deref().unwrap_or_default());
                    ui.add(egui::Label::new(format!("{field}: {}", problem.reason)).wrap());
                }
            });
    });
}

/// A problem's field as a person names it: "steps[2].title" is "Step 2 title".
fn human_field(field: &str) -> String {
    let mut words = Vec::new();
    for part in field.split('.') {
        match part.split_once('[') {
            Some((list, rest)) => {
                let number = rest.trim_end_matches(']');
                let name = match list {
                    "steps" => "Step",
                    "heat" => "Heat",
                    other => other,
                };
                words.push(format!("{name} {number}"));
            }
            None => words.push(part.replace('_', " ")),
        }
    }
    let text = words.join(" ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

fn text_field(ui: &mut egui::Ui, id: &str, label: &str, text: &mut String, hint: &str, width: f32) {
    let label = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(text)
            .id_salt(id)
            .hint_text(hint)
            .desired_width(width),
    )
    .labelled_by(label.id);
    ui.end_row();
}

fn routine_fields_ui(ui: &mut egui::Ui, state: &mut EditorState) {
    egui::Grid::new("editor-routine")
        .num_columns(2)
        .spacing(egui::vec2(16.0, 8.0))
        .show(ui, |ui| {
            text_field(
                ui,
                "editor-name",
                "Name",
                &mut state.draft.name,
                "What the routine is called",
                420.0,
            );
            text_field(
                ui,
                "editor-id",
                "Id (file name)",
                &mut state.draft.id,
                "letters, digits and dashes",
                260.0,
            );
            let label = ui.label("Summary");
            ui.add(
                egui::TextEdit::multiline(&mut state.draft.summary)
                    .id_salt("editor-summary")
                    .hint_text("What this routine is for, in a sentence")
                    .desired_width(420.0)
                    .desired_rows(2),
            )
            .labelled_by(label.id);
            ui.end_row();
            text_field(
                ui,
                "editor-tags",
                "Tags",
                &mut state.tags_text,
                "comma separated, e.g. neck, evening",
                420.0,
            );
            ui.label("Also have at hand");
            ui.horizontal_wrapped(|ui| {
                for tool in Tool::ALL.iter().filter(|tool| **tool != Tool::NoTool) {
                    let mut listed = state.draft.tools.contains(tool);
                    if ui.checkbox(&mut listed, tool.label()).changed() {
                        if listed {
                            state.draft.tools.push(*tool);
                        } else {
                            state.draft.tools.retain(|t| t != tool);
                        }
                    }
                }
            });
            ui.end_row();
        });
}

fn steps_ui(ui: &mut egui::Ui, state: &mut EditorState, visuals: &egui::Visuals) {
    let mut action: Option<(usize, StepAction)> = None;
    let step_count = state.draft.steps.len();
    let heat_spans = state.draft.heat_spans();
    for (index, step) in state.draft.steps.iter_mut().enumerate() {
        let key = state
            .step_keys
            .get(index)
            .copied()
            .unwrap_or(u64::MAX - index as u64);
        // Everything in a step's card is named by the step's key, not its
        // place, so moving steps or a message above never steals focus.
        ui.push_id(("editor-step", key), |ui| {
            theme::card_frame(visuals).show(ui, |ui| {
                ui.set_width(ui.available_width().min(760.0));
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(format!("Step {}", index + 1)).strong());
                    ui.add(
                        egui::TextEdit::singleline(&mut step.title)
                            .id_salt("title")
                            .hint_text("Step title, e.g. Neck strokes")
                            .desired_width(300.0),
                    )
                    .accessible_name(format!("Step {} title", index + 1));
                    if let Some(span) = heat_spans.iter().find(|span| span.covers(index)) {
                        theme::chip(ui, span.source.label(), theme::warm(visuals));
                    }
                    if ui
                        .add_enabled(index > 0, egui::Button::new("Up"))
                        .on_hover_text(format!("Move step {} up", index + 1))
                        .clicked()
                    {
                        action = Some((index, StepAction::Up));
                    }
                    if ui
                        .add_enabled(index + 1 < step_count, egui::Button::new("Down"))
                        .on_hover_text(format!("Move step {} down", index + 1))
                        .clicked()
                    {
                        action = Some((index, StepAction::Down));
                    }
                    if ui
                        .add_enabled(step_count > 1, egui::Button::new("Remove"))
                        .on_hover_text(format!("Remove step {} (Undo brings it back)", index + 1))
                        .clicked()
                    {
                        action = Some((index, StepAction::Remove));
                    }
                });
                ui.horizontal_wrapped(|ui| {
                    combo(
                        ui,
                        ("region", key as usize),
                        "Region",
                        &mut step.region,
                        Region::ALL,
                    );
                    combo(
                        ui,
                        ("technique", key as usize),
                        "Technique",
                        &mut step.technique,
                        Technique::ALL,
                    );
                    combo(
                        ui,
                        ("tool", key as usize),
                        "Tool",
                        &mut step.tool,
                        Tool::ALL,
                    );
                    combo(
                        ui,
                        ("pressure", key as usize),
                        "Pressure",
                        &mut step.pressure,
                        Pressure::ALL,
                    );
                    combo(
                        ui,
                        ("side", key as usize),
                        "Side",
                        &mut step.side,
                        Side::ALL,
                    );
                });
                ui.horizontal(|ui| {
                    ui.label("Length");
                    ui.add(
                        egui::DragValue::new(&mut step.duration_secs)
                            .range(1..=3600)
                            .suffix(" s"),
                    )
                    .accessible_name(format!("Step {} length in seconds", index + 1));
                    ui.checkbox(&mut step.fixed, "Keep this length when scaling");
                });
                ui.add(
                    egui::TextEdit::multiline(&mut step.instructions)
                        .id_salt("instructions")
                        .hint_text("What to do and how it should feel")
                        .desired_width(f32::INFINITY)
                        .desired_rows(2),
                )
                .accessible_name(format!("Step {} instructions", index + 1));
                ui.horizontal(|ui| {
                    ui.label("Spoken");
                    let mut said = step.say.clone().unwrap_or_default();
                    let response = ui
                        .add(
                            egui::TextEdit::singleline(&mut said)
                                .id_salt("say")
                                .hint_text("A short sentence said after the title (optional)")
                                .desired_width(f32::INFINITY),
                        )
                        .accessible_name(format!("Step {} spoken sentence", index + 1));
                    if response.changed() {
                        step.say = (!said.trim().is_empty()).then_some(said);
                    }
                });
            });
        });
        ui.add_space(6.0);
    }
    match action {
        Some((index, StepAction::Up)) => state.move_step(index, true),
        Some((index, StepAction::Down)) => state.move_step(index, false),
        Some((index, StepAction::Remove)) => state.remove_step(index),
        None => {}
    }
    if ui.button("Add a step").clicked() {
        state.add_step();
    }
}

/// Heat laid on alongside massage steps: where, from which step to which.
/// Heat steps (technique "heat" or a heat tool) are heat by themselves.
fn heat_ui(ui: &mut egui::Ui, state: &mut EditorState, visuals: &egui::Visuals) {
    let muted = theme::muted(visuals);
    ui.label(RichText::new("Heat alongside steps").strong());
    ui.label(
        RichText::new(
            "A wrapped heat pack left on one place while other steps go on. Steps whose technique is heat need nothing here.",
        )
        .color(muted),
    );
    let step_count = state.draft.steps.len();
    let sources: Vec<Tool> = Tool::ALL
        .iter()
        .copied()
        .filter(|tool| tool.is_heat_source())
        .collect();
    let mut remove = None;
    for (index, span) in state.draft.heat.iter_mut().enumerate() {
        ui.push_id(("editor-heat", index), |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("Heat {}:", index + 1));
                combo(
                    ui,
                    ("heat-source", index),
                    "Source",
                    &mut span.source,
                    &sources,
                );
                combo(
                    ui,
                    ("heat-region", index),
                    "On",
                    &mut span.region,
                    Region::ALL,
                );
                let mut from = span.from_step + 1;
                let mut to = span.to_step + 1;
                ui.label("from step");
                ui.add(egui::DragValue::new(&mut from).range(1..=step_count))
                    .accessible_name(format!("Heat {} from step", index + 1));
                ui.label("to step");
                ui.add(egui::DragValue::new(&mut to).range(from..=step_count))
                    .accessible_name(format!("Heat {} to step", index + 1));
                span.from_step = from.saturating_sub(1);
                span.to_step = to.max(from).saturating_sub(1);
                if ui
                    .button("Remove")
                    .on_hover_text(format!("Remove heat {}", index + 1))
                    .clicked()
                {
                    remove = Some(index);
                }
            });
        });
    }
    if let Some(index) = remove {
        state.remove_heat(index);
    }
    if ui.button("Lay heat alongside steps").clicked() {
        state.add_heat();
    }
}

#[derive(Debug, Clone, Copy)]
enum StepAction {
    Up,
    Down,
    Remove,
}
