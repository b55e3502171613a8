//! The routine editor: every field of a routine and its steps, with the same
//! checks and messages as `unknot check`, shown as you type.

use std::path::PathBuf;

use egui::RichText;

use super::{Command, theme};
use crate::core::parse::{Problem, parse_routine, routine_to_toml};
use crate::core::routine::{Pressure, Region, Routine, Side, Step, Technique, Tool, format_clock};
use crate::library::Library;

/// The routine being edited and where it will be saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditorState {
    /// The working copy.
    pub draft: Routine,
    /// The file this routine was loaded from, when editing the person's own routine.
    pub original_path: Option<PathBuf>,
    /// The id the routine had when editing began (its own id is not a clash).
    pub original_id: Option<String>,
    /// Tags as typed, comma separated.
    pub tags_text: String,
    /// Whether the delete confirmation is showing.
    pub confirm_delete: bool,
    /// The name of the built-in routine this one was copied from.
    pub copied_from: Option<String>,
}

impl EditorState {
    /// Starts editing `routine`; `original_path` is `None` for a new or duplicated routine.
    pub fn new(routine: Routine, original_path: Option<PathBuf>) -> Self {
        let original_id = original_path.as_ref().map(|_| routine.id.clone());
        let tags_text = routine.tags.join(", ");
        Self {
            draft: routine,
            original_path,
            original_id,
            tags_text,
            confirm_delete: false,
            copied_from: None,
        }
    }

    /// The draft with the typed tags applied.
    pub fn routine(&self) -> Routine {
        let mut routine = self.draft.clone();
        routine.tags = self
            .tags_text
            .split(',')
            .map(|tag| tag.trim().to_owned())
            .filter(|tag| !tag.is_empty())
            .collect();
        routine
    }

    /// Every problem that would stop the routine from loading, in `unknot check` words.
    pub fn problems(&self, library: &Library) -> Vec<Problem> {
        let routine = self.routine();
        let label = format!("{}.toml", routine.id);
        let mut problems = match parse_routine(&label, &routine_to_toml(&routine)) {
            Ok(_) => Vec::new(),
            Err(problems) => problems,
        };
        if let Some(existing) = library.find(&routine.id)
            && self.original_id.as_deref() != Some(routine.id.as_str())
        {
            problems.push(Problem {
                file: label,
                line: None,
                field: Some("id".into()),
                reason: format!(
                    "id \"{}\" is already used by \"{}\"; give this routine another id",
                    routine.id, existing.routine.name
                ),
            });
        }
        problems
    }
}

/// A blank step to add.
pub fn new_step() -> Step {
    Step {
        title: "New step".into(),
        region: Region::LowerBack,
        technique: Technique::Kneading,
        tool: Tool::Hands,
        pressure: Pressure::Medium,
        side: Side::Center,
        duration_secs: 60,
        instructions: "Describe what to do and how it should feel.".into(),
        fixed: false,
    }
}

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

/// Draws the editor. Field edits change `state` directly; saving, deleting and
/// leaving come back as commands.
pub fn editor_ui(ui: &mut egui::Ui, state: &mut EditorState, library: &Library) -> Vec<Command> {
    let mut commands = Vec::new();
    let visuals = ui.visuals().clone();
    let muted = theme::muted(&visuals);
    let problems = state.problems(library);

    ui.horizontal(|ui| {
        let heading = match (&state.original_path, &state.copied_from) {
            (Some(_), _) => "Edit routine".to_owned(),
            (None, Some(name)) => format!("Your copy of \"{name}\""),
            (None, None) => "New routine".to_owned(),
        };
        ui.heading(RichText::new(heading).strong());
        ui.label(
            RichText::new(format!(
                "{} · {}",
                match state.draft.steps.len() {
                    1 => "1 step".to_owned(),
                    count => format!("{count} steps"),
                },
                format_clock(u64::from(state.draft.default_length_secs()))
            ))
            .color(muted),
        );
    });
    ui.horizontal(|ui| {
        let save = ui.add_enabled(problems.is_empty(), egui::Button::new("Save"));
        if save.clicked() {
            commands.push(Command::SaveRoutine);
        }
        if ui.button("Cancel").clicked() {
            commands.push(Command::ShowLibrary);
        }
        if ui.button("Export…").clicked() {
            commands.push(Command::ShowExport(state.routine()));
        }
        if state.original_path.is_some() {
            if state.confirm_delete {
                ui.label(RichText::new("Delete this routine file?").color(theme::warm(&visuals)));
                if ui.button("Yes, delete").clicked() {
                    commands.push(Command::DeleteRoutine);
                }
                if ui.button("Keep it").clicked() {
                    state.confirm_delete = false;
                }
            } else if ui.button("Delete…").clicked() {
                state.confirm_delete = true;
            }
        }
    });
    if problems.is_empty() {
        ui.label(RichText::new("Ready to save.").color(theme::accent(&visuals)));
    } else {
        theme::notice_frame(&visuals).show(ui, |ui| {
            ui.label(RichText::new("Fix these to save:").color(theme::warm(&visuals)));
            for problem in &problems {
                let field = problem.field.clone().unwrap_or_default();
                ui.add(egui::Label::new(format!("{field}: {}", problem.reason)).wrap());
            }
        });
    }
    ui.add_space(8.0);

    egui::ScrollArea::vertical()
        .id_salt("editor-body")
        .auto_shrink(false)
        .show(ui, |ui| {
            egui::Grid::new("editor-routine")
                .num_columns(2)
                .spacing(egui::vec2(16.0, 8.0))
                .show(ui, |ui| {
                    let label = ui.label("Name");
                    ui.add(egui::TextEdit::singleline(&mut state.draft.name).desired_width(420.0))
                        .labelled_by(label.id);
                    ui.end_row();
                    let label = ui.label("Id (file name)");
                    ui.add(egui::TextEdit::singleline(&mut state.draft.id).desired_width(260.0))
                        .labelled_by(label.id);
                    ui.end_row();
                    let label = ui.label("Summary");
                    ui.add(
                        egui::TextEdit::multiline(&mut state.draft.summary)
                            .desired_width(420.0)
                            .desired_rows(2),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                    let label = ui.label("Tags");
                    ui.add(egui::TextEdit::singleline(&mut state.tags_text).desired_width(420.0))
                        .labelled_by(label.id);
                    ui.end_row();
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

            ui.add_space(10.0);
            let mut action: Option<(usize, StepAction)> = None;
            let step_count = state.draft.steps.len();
            for (index, step) in state.draft.steps.iter_mut().enumerate() {
                theme::card_frame(&visuals).show(ui, |ui| {
                    ui.set_width(ui.available_width().min(760.0));
                    ui.horizontal(|ui| {
                        ui.label(RichText::new(format!("Step {}", index + 1)).strong());
                        ui.add(egui::TextEdit::singleline(&mut step.title).desired_width(300.0))
                            .accessible_name(format!("Step {} title", index + 1));
                        if ui.add_enabled(index > 0, egui::Button::new("Up")).clicked() {
                            action = Some((index, StepAction::Up));
                        }
                        if ui
                            .add_enabled(index + 1 < step_count, egui::Button::new("Down"))
                            .clicked()
                        {
                            action = Some((index, StepAction::Down));
                        }
                        if ui
                            .add_enabled(step_count > 1, egui::Button::new("Remove"))
                            .clicked()
                        {
                            action = Some((index, StepAction::Remove));
                        }
                    });
                    ui.horizontal_wrapped(|ui| {
                        combo(
                            ui,
                            ("region", index),
                            "Region",
                            &mut step.region,
                            Region::ALL,
                        );
                        combo(
                            ui,
                            ("technique", index),
                            "Technique",
                            &mut step.technique,
                            Technique::ALL,
                        );
                        combo(ui, ("tool", index), "Tool", &mut step.tool, Tool::ALL);
                        combo(
                            ui,
                            ("pressure", index),
                            "Pressure",
                            &mut step.pressure,
                            Pressure::ALL,
                        );
                        combo(ui, ("side", index), "Side", &mut step.side, Side::ALL);
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
                            .desired_width(f32::INFINITY)
                            .desired_rows(2),
                    )
                    .accessible_name(format!("Step {} instructions", index + 1));
                });
                ui.add_space(6.0);
            }
            if let Some((index, step_action)) = action {
                let steps = &mut state.draft.steps;
                match step_action {
                    StepAction::Up => steps.swap(index, index - 1),
                    StepAction::Down => steps.swap(index, index + 1),
                    StepAction::Remove => {
                        steps.remove(index);
                    }
                }
            }
            if ui.button("Add a step").clicked() {
                state.draft.steps.push(new_step());
            }
        });
    commands
}

#[derive(Debug, Clone, Copy)]
enum StepAction {
    Up,
    Down,
    Remove,
}
