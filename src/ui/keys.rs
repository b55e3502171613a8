//! Keyboard shortcuts, read before widgets so Space never also presses a button.

use egui::{Key, Modifiers};

use crate::app::{Command, NavCommand, Screen, SessionCommand, UnknotApp};
use crate::core::engine::Control;

/// The commands the keys pressed this frame ask for.
pub fn shortcuts(app: &UnknotApp, ctx: &egui::Context) -> Vec<Command> {
    let mut commands = Vec::new();
    // Someone typing (a note) keeps Enter and letter keys.
    let typing = ctx.text_edit_focused();
    // A focused button takes Enter itself: it acts on that control.
    let on_control = super::a11y::control_has_focus(ctx);
    // H answers the alarm, unless someone is typing.
    let alarm = app.heat_alarm_pending() && !typing;
    ctx.input_mut(|input| {
        if input.consume_key(Modifiers::COMMAND, Key::Q) {
            commands.push(Command::Nav(NavCommand::Quit));
        }
        if alarm && input.consume_key(Modifiers::NONE, Key::H) {
            commands.push(Command::Session(SessionCommand::Control(
                Control::AcknowledgeHeat,
            )));
        }
        match &app.screen {
            Screen::Player(player) => {
                if input.consume_key(Modifiers::NONE, Key::Space) {
                    commands.push(Command::Session(SessionCommand::Control(
                        Control::TogglePause,
                    )));
                }
                if input.consume_key(Modifiers::NONE, Key::ArrowRight) {
                    commands.push(Command::Session(SessionCommand::Control(Control::Skip)));
                }
                if input.consume_key(Modifiers::NONE, Key::ArrowLeft) {
                    commands.push(Command::Session(SessionCommand::Control(Control::Back)));
                }
                // One stray Esc must not end a session with no way back:
                // the first pauses and asks, the second stops.
                if app.confirm_quit && input.consume_key(Modifiers::NONE, Key::Escape) {
                    commands.push(Command::Nav(NavCommand::CancelQuit));
                }
                if input.consume_key(Modifiers::NONE, Key::Escape) {
                    commands.push(if player.confirm_stop {
                        Command::Session(SessionCommand::Control(Control::Stop))
                    } else {
                        Command::Session(SessionCommand::AskStop)
                    });
                }
            }
            Screen::Setup(_) => {
                // A fresh press starts; an Enter still held from the library
                // (key repeat) does not start a session by itself.
                let fresh = input.events.iter().any(|event| {
                    matches!(
                        event,
                        egui::Event::Key {
                            key: Key::Enter,
                            pressed: true,
                            repeat: false,
                            ..
                        }
                    )
                });
                if !on_control && input.consume_key(Modifiers::NONE, Key::Enter) && fresh {
                    commands.push(Command::Session(SessionCommand::Start));
                }
                if input.consume_key(Modifiers::NONE, Key::Escape) {
                    commands.push(Command::Nav(NavCommand::ShowLibrary));
                }
            }
            Screen::Finish(_) => {
                // In the notes, Enter starts a new line and Esc leaves the box.
                if !typing
                    && (input.consume_key(Modifiers::NONE, Key::Escape)
                        || input.consume_key(Modifiers::NONE, Key::Enter))
                {
                    commands.push(Command::Nav(NavCommand::ShowLibrary));
                }
            }
            // Esc leaves (the editor asks first if there are changes).
            Screen::Editor(_) => {
                if !typing && input.consume_key(Modifiers::NONE, Key::Escape) {
                    commands.push(Command::Nav(NavCommand::ShowLibrary));
                }
            }
            Screen::Transfer(_) => {
                if !typing && input.consume_key(Modifiers::NONE, Key::Escape) {
                    commands.push(Command::Routines(crate::app::RoutineCommand::LeaveTransfer));
                }
            }
            Screen::Library => {
                // Enter on a focused card's title opens that card (the button takes it).
                if !on_control && input.consume_key(Modifiers::NONE, Key::Enter) {
                    let id = app.enter_routine_id();
                    commands.push(Command::Nav(NavCommand::OpenRoutine(id)));
                }
            }
            Screen::Settings => {
                if input.consume_key(Modifiers::NONE, Key::Escape) {
                    commands.push(Command::Nav(NavCommand::ShowLibrary));
                }
            }
            Screen::Safety => {
                if app.prefs.safety_acknowledged && input.consume_key(Modifiers::NONE, Key::Escape)
                {
                    commands.push(Command::Nav(NavCommand::ShowLibrary));
                }
            }
            Screen::History(state) => {
                // Esc closes the open session first, then leaves.
                if state.detail.is_none() && input.consume_key(Modifiers::NONE, Key::Escape) {
                    commands.push(Command::Nav(NavCommand::ShowLibrary));
                }
            }
        }
    });
    commands
}
