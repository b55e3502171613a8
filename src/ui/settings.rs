//! The settings screen. It edits a copy of the preferences and hands back the
//! whole changed copy, so every change is applied and saved in one place.

use egui::RichText;

use super::theme;
use crate::app::{Command, PrefsCommand};
use crate::core::engine::CueKind;
use crate::core::prefs::{
    Drawing, LengthMode, MAX_LEAD_IN_SECS, MAX_TRANSITION_SECS, Preferences, ThemeChoice,
    UI_SCALE_RANGE,
};
use crate::core::scale::{MAX_LENGTH_SECS, MIN_LENGTH_SECS};
use crate::speech::SpeechStatus;
use crate::speech::ssip::Voice;

/// What the settings screen shows about the speech service.
#[derive(Debug, Clone)]
pub struct VoiceInfo {
    /// Whether it works.
    pub status: SpeechStatus,
    /// Its voices.
    pub voices: Vec<Voice>,
}

/// Draws the settings and returns the changes.
pub fn settings_ui(
    ui: &mut egui::Ui,
    prefs: &Preferences,
    voice: Option<&VoiceInfo>,
) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut edited = prefs.clone();
    let visuals = ui.visuals().clone();
    let muted = theme::muted(&visuals);
    egui::ScrollArea::both().id_salt(("settings-body", super::a11y::screen_visit(ui.ctx()))).auto_shrink(false).show(ui, |ui| {
        super::a11y::heading(ui, RichText::new("Settings").strong());
        ui.label(RichText::new("Changes are saved as you make them.").color(muted));
        ui.add_space(12.0);

        section(ui, "Sessions");
        egui::Grid::new("settings-sessions")
            .num_columns(2)
            .spacing(egui::vec2(24.0, 10.0))
            .show(ui, |ui| {
                ui.label("Length of a routine you haven't set up");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut edited.length_mode, LengthMode::RoutineOwn, "The routine's own");
                    ui.radio_value(&mut edited.length_mode, LengthMode::DefaultLength, "Always");
                    let mut minutes = edited.default_length_secs / 60;
                    let slider = egui::Slider::new(&mut minutes, MIN_LENGTH_SECS / 60..=MAX_LENGTH_SECS / 60)
                        .suffix(" min");
                    if ui
                        .add_enabled(edited.length_mode == LengthMode::DefaultLength, slider)
                        .accessible_name("Default session length")
                        .changed()
                    {
                        edited.default_length_secs = minutes * 60;
                    }
                });
                ui.end_row();
                ui.label("Get ready before the first step");
                ui.add(egui::Slider::new(&mut edited.lead_in_secs, 0..=MAX_LEAD_IN_SECS).suffix(" s"))
                    .accessible_name("Get ready seconds");
                ui.end_row();
                ui.label("Pause between steps");
                ui.add(
                    egui::Slider::new(&mut edited.transition_secs, 0..=MAX_TRANSITION_SECS)
                        .suffix(" s"),
                )
                .accessible_name("Pause between steps seconds");
                ui.end_row();
            });

        ui.add_space(14.0);
        section(ui, "Sound");
        egui::Grid::new("settings-sound")
            .num_columns(5)
            .spacing(egui::vec2(18.0, 10.0))
            .show(ui, |ui| {
                ui.label("Master volume");
                let mut percent = (edited.master_volume * 100.0).round();
                if ui
                    .add(egui::Slider::new(&mut percent, 0.0..=100.0).suffix(" %").integer())
                    .accessible_name("Master volume percent")
                    .changed()
                {
                    edited.master_volume = percent / 100.0;
                }
                ui.end_row();
                for kind in CueKind::ALL {
                    let cue = edited.cues.get_mut(kind);
                    if kind == CueKind::HeatOff {
                        // A safety alarm: always on.
                        let mut always = true;
                        ui.add_enabled(false, egui::Checkbox::new(&mut always, kind.label()))
                            .on_disabled_hover_text("Always on: it tells you to take the heat off");
                    } else {
                        ui.checkbox(&mut cue.enabled, kind.label());
                    }
                    let mut percent = (cue.volume * 100.0).round();
                    let lowest = if kind == CueKind::HeatOff {
                        crate::core::prefs::HEAT_OFF_MIN_VOLUME * 100.0
                    } else {
                        0.0
                    };
                    let slider = egui::Slider::new(&mut percent, lowest..=100.0).suffix(" %").integer();
                    if ui
                        .add_enabled(cue.enabled, slider)
                        .accessible_name(format!("{} volume", kind.label()))
                        .changed()
                    {
                        cue.volume = percent / 100.0;
                    }
                    if ui
                        .button(format!("Play {}", kind.label().to_lowercase()))
                        .clicked()
                    {
                        commands.push(Command::Prefs(PrefsCommand::PreviewCue(kind)));
                    }
                    ui.horizontal(|ui| {
                        match &cue.custom_file {
                            Some(path) => {
                                let name = path
                                    .file_name()
                                    .map(|name| name.to_string_lossy().into_owned())
                                    .unwrap_or_default();
                                ui.label(RichText::new(name).monospace())
                                    .on_hover_text(path.display().to_string());
                                if ui
                                    .small_button("Built-in")
                                    .on_hover_text("Go back to the built-in sound")
                                    .clicked()
                                {
                                    cue.custom_file = None;
                                }
                            }
                            None => {
                                ui.label(RichText::new("Built-in sound").color(muted));
                            }
                        }
                        if ui
                            .small_button("Choose…")
                            .on_hover_text("Use your own .wav, .ogg, .flac or .mp3 file (up to 5 MiB)")
                            .accessible_name(format!("Choose a sound for \"{}\"", kind.label()))
                            .clicked()
                        {
                            commands.push(Command::Prefs(PrefsCommand::ChooseCueSound(kind)));
                        }
                    });
                    ui.end_row();
                }
            });
        ui.label(
            RichText::new("Switched-off cues still show on screen. Each cue's volume is a share of the master volume.")
                .color(muted),
        );


        ui.add_space(14.0);
        section(ui, "Look");
        egui::Grid::new("settings-look")
            .num_columns(2)
            .spacing(egui::vec2(24.0, 10.0))
            .show(ui, |ui| {
                ui.label("Theme");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut edited.theme, ThemeChoice::System, "Follow the system");
                    ui.radio_value(&mut edited.theme, ThemeChoice::Dark, "Dark");
                    ui.radio_value(&mut edited.theme, ThemeChoice::Light, "Light");
                });
                ui.end_row();
                ui.label("Drawing");
                ui.horizontal_wrapped(|ui| {
                    ui.radio_value(&mut edited.drawing, Drawing::Automatic, "Automatic")
                        .on_hover_text(
                            "The graphics card when there is one; otherwise the app draws only \
                             what changed, which is lighter than OpenGL on the processor.",
                        );
                    ui.radio_value(&mut edited.drawing, Drawing::Gl, "Graphics card (OpenGL)");
                    ui.radio_value(&mut edited.drawing, Drawing::Processor, "Processor");
                    ui.label(RichText::new("from the next start").color(muted));
                });
                ui.end_row();
                ui.label("Text and controls size");
                ui.horizontal_wrapped(|ui| {
                    let mut percent = (edited.ui_scale * 100.0).round();
                    let (low, high) = UI_SCALE_RANGE;
                    let response = ui
                        .add(
                            egui::Slider::new(&mut percent, low * 100.0..=high * 100.0)
                                .suffix(" %")
                                .step_by(5.0)
                                .integer(),
                        )
                        .accessible_name("Text and controls size percent");
                    // Apply the zoom when the drag ends, so the slider does not move under the pointer.
                    if response.changed() && !response.dragged() || response.drag_stopped() {
                        edited.ui_scale = percent / 100.0;
                    }
                    // The sizes people want most, one click each (a slider
                    // is hard to land on exactly 100 %).
                    for preset in [100.0_f32, 125.0, 150.0] {
                        let here = (percent - preset).abs() < 0.5;
                        if ui
                            .add(egui::Button::selectable(here, format!("{preset:.0} %")))
                            .on_hover_text(format!("Text and controls at {preset:.0} %"))
                            .clicked()
                        {
                            edited.ui_scale = preset / 100.0;
                        }
                    }
                });
                ui.end_row();
            });

        ui.add_space(14.0);
        section(ui, "History");
        ui.checkbox(&mut edited.show_streak, "Show my streak of days in a row")
            .on_hover_text("Some people find streaks motivating, others find them stressful");

        ui.add_space(14.0);
        voice_ui(ui, &mut edited, voice, &mut commands);
    });
    if edited != *prefs {
        commands.push(Command::Prefs(PrefsCommand::Change(Box::new(edited))));
    }
    commands
}

fn section(ui: &mut egui::Ui, title: &str) {
    ui.label(RichText::new(title).size(21.0).strong());
    ui.add_space(4.0);
}

/// Spoken guidance, notifications and media keys.
fn voice_ui(
    ui: &mut egui::Ui,
    edited: &mut Preferences,
    info: Option<&VoiceInfo>,
    commands: &mut Vec<Command>,
) {
    let muted = theme::muted(ui.visuals());
    // Kept within the window (the page scrolls sideways only when it must),
    // so long lines wrap instead of running under the scroll bar.
    let width = (ui.ctx().content_rect().width() - 64.0).max(280.0);
    ui.set_max_width(width);
    section(ui, "Voice and desktop");
    ui.checkbox(&mut edited.voice.enabled, "Speak the steps aloud")
        .on_hover_text(
            "Says each step, the side, what comes next and the heat checks, after its tone",
        );
    // Always one line here, so switching the voice off moves nothing.
    let status = match info.map(|info| &info.status) {
        _ if !edited.voice.enabled => "The voice is off: cues sound as tones only.".to_owned(),
        Some(SpeechStatus::Ready) => "Speaking through the desktop's speech service.".to_owned(),
        Some(SpeechStatus::Starting) => "Looking for the desktop's speech service…".to_owned(),
        Some(SpeechStatus::Unavailable(reason)) => {
            format!("No speech service: {reason}. Until there is one, cues are tones only.")
        }
        Some(SpeechStatus::NotInstalled) => "No speech service: install speech-dispatcher and speech-dispatcher-espeak-ng. Until then, cues are tones only.".to_owned(),
        Some(SpeechStatus::Off) | None => "Cues sound as tones only.".to_owned(),
    };
    ui.add(egui::Label::new(RichText::new(status).color(muted)).wrap());
    ui.add_enabled_ui(edited.voice.enabled, |ui| {
        ui.label("Say:");
        // As many columns as the width allows, so no choice is ever cut off
        // or drawn over the sliders below.
        let choices = edited.voice.say.each_mut();
        let font = egui::TextStyle::Body.resolve(ui.style());
        let widest = choices
            .iter()
            .map(|(label, _)| {
                ui.fonts_mut(|fonts| {
                    fonts
                        .layout_no_wrap((*label).to_owned(), font.clone(), egui::Color32::WHITE)
                        .size()
                        .x
                })
            })
            .fold(0.0_f32, f32::max);
        let spacing = ui.spacing();
        let column = widest + spacing.icon_width + spacing.icon_spacing + 24.0;
        let columns = ((width / column).floor() as usize).clamp(1, 3);
        egui::Grid::new("settings-voice-say")
            .num_columns(columns)
            .spacing(egui::vec2(18.0, 6.0))
            .show(ui, |ui| {
                for (index, (label, on)) in choices.into_iter().enumerate() {
                    ui.checkbox(on, label);
                    if (index + 1) % columns == 0 {
                        ui.end_row();
                    }
                }
            });
        ui.add_space(8.0);
        egui::Grid::new("settings-voice")
            .num_columns(2)
            .spacing(egui::vec2(24.0, 10.0))
            .show(ui, |ui| {
                ui.label("Speed");
                ui.add(
                    egui::Slider::new(&mut edited.voice.rate, -100..=100).text("slower · faster"),
                )
                .accessible_name("Voice speed");
                ui.end_row();
                ui.label("Voice volume");
                let mut percent = (edited.voice.volume * 100.0).round();
                if ui
                    .add(
                        egui::Slider::new(&mut percent, 0.0..=100.0)
                            .suffix(" %")
                            .integer(),
                    )
                    .accessible_name("Voice volume percent")
                    .changed()
                {
                    edited.voice.volume = percent / 100.0;
                }
                ui.end_row();
                let voice_label = ui.label("Voice");
                ui.horizontal_wrapped(|ui| {
                    let chosen = edited
                        .voice
                        .voice
                        .clone()
                        .unwrap_or_else(|| "The service's default".to_owned());
                    egui::ComboBox::from_id_salt("settings-voice-name")
                        .selected_text(chosen)
                        .height(300.0)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(
                                &mut edited.voice.voice,
                                None,
                                "The service's default",
                            );
                            for voice in info.map(|info| info.voices.as_slice()).unwrap_or_default()
                            {
                                let label = if voice.language.is_empty() {
                                    voice.name.clone()
                                } else {
                                    format!("{} ({})", voice.name, voice.language)
                                };
                                ui.selectable_value(
                                    &mut edited.voice.voice,
                                    Some(voice.name.clone()),
                                    label,
                                );
                            }
                        })
                        .response
                        .labelled_by(voice_label.id);
                    if ui.button("Test voice").clicked() {
                        commands.push(Command::Prefs(PrefsCommand::TestVoice));
                    }
                });
                ui.end_row();
            });
    });
    ui.add_space(6.0);
    ui.checkbox(
        &mut edited.notifications,
        "Notifications when the window is not in front",
    )
    .on_hover_text("Session finished, skin check, and take the heat off (urgent). Clicking one brings the window forward.");
    ui.checkbox(&mut edited.media_keys, "Media keys and headset buttons")
        .on_hover_text(
            "Play/pause, next and previous pause, skip and go back while a session is open",
        );
    ui.checkbox(
        &mut edited.remind_course,
        "Remind me when a course session is due",
    )
    .on_hover_text(
        "At login, a notification when a session of your course plan is due or overdue. \
         Nothing keeps running in the background; turning this off removes the login entry.",
    );
}
