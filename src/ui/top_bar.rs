//! The top bar (the app's places, volume, Test sound) and the notices under it.

use egui::RichText;

use super::theme;
use crate::app::{
    Command, HistoryCommand, NavCommand, PrefsCommand, Screen, SessionCommand, UnknotApp,
};
use crate::audio::AudioStatus;
use crate::core::engine::Control;
use crate::desktop::DesktopStatus;
use crate::speech::SpeechStatus;
use crate::store::prefs_store::SaveStatus;

/// Draws the top bar and every notice that applies.
pub fn top_bar_ui(app: &UnknotApp, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
    // A narrow window (or large text) puts the volume on a row of its own
    // rather than push it off the right edge.
    let narrow = ui.available_width() < 860.0;
    // In the player the bar holds only the name and the volume: when narrow,
    // the volume's row is all of it, and the step keeps the room.
    let playing = matches!(app.screen, Screen::Player(_));
    if !(narrow && playing) {
        brand_row(app, ui, narrow, commands);
    }
    if narrow {
        ui.horizontal(|ui| {
            ui.spacing_mut().slider_width = 120.0;
            volume_ui(app, ui, commands);
        });
    }
    notices_ui(app, ui, commands);
}

/// The app's name, its places, and (when there is room) the volume.
fn brand_row(app: &UnknotApp, ui: &mut egui::Ui, narrow: bool, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.label(
            egui::RichText::new("unknot")
                .strong()
                .color(theme::accent(ui.visuals())),
        );
        // Until the safety page is read, it is the only way forward; while
        // playing, the player's own controls are all there is. Otherwise
        // the same four places always stand in the same order, the
        // current one marked, so a second click lands where the first did.
        let first_start = !app.prefs.safety_acknowledged;
        if !first_start && !matches!(app.screen, Screen::Player(_)) {
            let places = [
                (
                    "Routines",
                    matches!(app.screen, Screen::Library),
                    Command::Nav(NavCommand::ShowLibrary),
                ),
                (
                    "History",
                    matches!(app.screen, Screen::History(_)),
                    Command::Nav(NavCommand::ShowHistory),
                ),
                (
                    "Settings",
                    matches!(app.screen, Screen::Settings),
                    Command::Nav(NavCommand::ShowSettings),
                ),
                (
                    "Safety",
                    matches!(app.screen, Screen::Safety),
                    Command::Nav(NavCommand::ShowSafety),
                ),
            ];
            for (label, here, command) in places {
                if ui.add(egui::Button::selectable(here, label)).clicked() && !here {
                    commands.push(command);
                }
            }
        }
        if !narrow {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let size = egui::vec2(ui.available_width().min(400.0), ui.available_height());
                ui.allocate_ui_with_layout(
                    size,
                    egui::Layout::left_to_right(egui::Align::Center),
                    |ui| volume_ui(app, ui, commands),
                );
            });
        }
    });
}

/// The take-the-heat-off banner and every notice that applies.
fn notices_ui(app: &UnknotApp, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
    if app.heat_alarm_pending() {
        let visuals = ui.visuals().clone();
        egui::Frame::new()
            .fill(theme::warm(&visuals).gamma_multiply(0.25))
            .stroke(egui::Stroke::new(2.0, theme::warm(&visuals)))
            .inner_margin(12.0)
            .corner_radius(8.0)
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    let alarm =
                        ui.label(RichText::new("Take the heat off now.").size(22.0).strong());
                    // Said at once, over whatever the screen reader is saying.
                    super::a11y::live(&alarm, true);
                    ui.label("The alarm repeats, louder, until you answer it.");
                    if ui
                        .button(RichText::new("The heat is off (H)").size(18.0))
                        .clicked()
                    {
                        commands.push(Command::Session(SessionCommand::Control(
                            Control::AcknowledgeHeat,
                        )));
                    }
                });
            });
    }
    // In a short window every screen needs its lines for what it is for:
    // notices shrink to one line each, their whole text on hover.
    let compact = ui.ctx().content_rect().height() < 560.0;
    missing_notice(ui, app, compact, commands);
    if let Some(notice) = &app.deps.startup_notice
        && notice_ui(ui, compact, notice, Some("OK"))
    {
        commands.push(Command::Nav(NavCommand::DismissStartupNotice));
    }
    if let Some(saver) = &app.deps.prefs_saver
        && let SaveStatus::Failed(reason) = saver.status()
    {
        let text = format!(
            "Settings can't be saved ({reason}). They work until you close the app; everything else is unaffected."
        );
        notice_ui(ui, compact, &text, None);
    }
    if let Some(history) = &app.deps.history {
        let status = history.status();
        if let Some(reason) = status.unavailable {
            let text =
                format!("Your history can't be saved ({reason}). Sessions still play as usual.");
            notice_ui(ui, compact, &text, None);
        }
        if let Some(notice) = status.notice
            && notice_ui(ui, compact, &notice, Some("OK"))
        {
            commands.push(Command::History(HistoryCommand::DismissNotice));
        }
    }
    if let Some(notice) = &app.notice
        && notice_ui(ui, compact, notice, Some("OK"))
    {
        commands.push(Command::Nav(NavCommand::DismissNotice));
    }
    if let Some(error) = &app.error_notice {
        notice_ui(ui, compact, error, None);
    }
}

/// What this computer lacks (sound, a speech service, a session bus), in
/// one notice: a single calm line when several are missing, rather than a
/// stack of them over the player.
fn missing_notice(ui: &mut egui::Ui, app: &UnknotApp, compact: bool, commands: &mut Vec<Command>) {
    let audio = match (app.deps.audio_status)() {
        AudioStatus::Unavailable(reason) if !app.audio_notice_dismissed => Some(reason),
        _ => None,
    };
    let speech = match app.deps.speech.as_ref().map(|speech| speech.status()) {
        _ if !app.prefs.voice.enabled || app.speech_notice_dismissed => None,
        Some(SpeechStatus::Unavailable(reason)) => Some(format!(
            "Spoken guidance is unavailable: {reason}. Cues sound as tones only; the timing is the same."
        )),
        Some(SpeechStatus::NotInstalled) => Some(
            "Spoken guidance needs Speech Dispatcher with an espeak-ng voice (the packages speech-dispatcher and speech-dispatcher-espeak-ng). Until then cues sound as tones only; the timing is the same."
                .to_owned(),
        ),
        _ => None,
    };
    let bus = match app.deps.desktop.as_ref().map(|desktop| desktop.status()) {
        // The technical reason is in the log; the person needs the effect.
        Some(DesktopStatus::Unavailable(_))
            if (app.prefs.notifications || app.prefs.media_keys)
                && !app.desktop_notice_dismissed =>
        {
            Some(())
        }
        _ => None,
    };
    let text = match (&audio, &speech, &bus) {
        (None, None, None) => return,
        (Some(reason), None, None) => format!(
            "No working sound output ({reason}). Cues will show on screen only; the timing is the same."
        ),
        (None, Some(text), None) => text.clone(),
        (None, None, Some(())) => {
            "No desktop session bus here, so media keys and notifications are off. Everything else works as usual."
                .to_owned()
        }
        _ => {
            let mut lacking = Vec::new();
            let mut without = Vec::new();
            if audio.is_some() {
                lacking.push("no sound output");
            }
            if speech.is_some() {
                lacking.push("no speech service");
                without.push("a voice");
            }
            if bus.is_some() {
                lacking.push("no desktop session bus");
                without.push("media keys");
                without.push("notifications");
            }
            let cues = if audio.is_some() {
                "cues show on screen only"
            } else {
                "cues sound as tones only"
            };
            // "a voice, media keys or notifications".
            let mut without = crate::core::words::natural_list(&without);
            if let Some(at) = without.rfind(" and ") {
                without.replace_range(at..at + 5, " or ");
            }
            format!(
                "This computer has {}: {cues}, without {without}. The timing is the same.",
                crate::core::words::natural_list(&lacking)
            )
        }
    };
    if notice_ui(ui, compact, &text, Some("Dismiss")) {
        if audio.is_some() {
            commands.push(Command::Nav(NavCommand::DismissAudioNotice));
        }
        if speech.is_some() {
            commands.push(Command::Nav(NavCommand::DismissSpeechNotice));
        }
        if bus.is_some() {
            commands.push(Command::Nav(NavCommand::DismissDesktopNotice));
        }
    }
}

/// One notice, with its button if it has one (true when pressed). Compact:
/// one line, cut to fit, the whole text on hover; otherwise wrapped. Either
/// way a screen reader hears it when it appears.
fn notice_ui(ui: &mut egui::Ui, compact: bool, text: &str, button: Option<&str>) -> bool {
    let mut pressed = false;
    let frame = if compact {
        theme::notice_frame(ui.visuals()).inner_margin(egui::Margin::symmetric(8, 2))
    } else {
        theme::notice_frame(ui.visuals())
    };
    frame.show(ui, |ui| {
        if compact {
            // The button at the right edge; the text cut to the room left;
            // one row high (a bare right-to-left layout would take all the
            // height there is).
            let row = egui::vec2(ui.available_width(), ui.spacing().interact_size.y);
            ui.allocate_ui_with_layout(
                row,
                egui::Layout::right_to_left(egui::Align::Center),
                |ui| {
                    if let Some(button) = button {
                        pressed = ui.small_button(button).clicked();
                    }
                    // A cut label shows its whole text on hover by itself.
                    let label = ui.add(egui::Label::new(text).truncate());
                    super::a11y::live(&label, false);
                },
            );
        } else {
            ui.horizontal_wrapped(|ui| {
                let label = ui.add(egui::Label::new(text).wrap());
                super::a11y::live(&label, false);
                if let Some(button) = button {
                    pressed = ui.small_button(button).clicked();
                }
            });
        }
    });
    pressed
}

/// The master volume and a button to hear it.
fn volume_ui(app: &UnknotApp, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
    ui.label("Volume:");
    let mut percent = (app.prefs.master_volume * 100.0).round();
    let slider = egui::Slider::new(&mut percent, 0.0..=100.0)
        .suffix(" %")
        .integer();
    if ui
        .add(slider)
        .accessible_name("Volume")
        .on_hover_text("Volume of the cue sounds")
        .changed()
    {
        commands.push(Command::Prefs(PrefsCommand::SetVolume(percent / 100.0)));
    }
    if ui
        .button("Test sound")
        .on_hover_text("Play the step-start cue at this volume")
        .clicked()
    {
        commands.push(Command::Prefs(PrefsCommand::TestSound));
    }
}
