//! What a screen reader needs beyond what egui gives each widget: screen
//! titles as headings that take the focus when a screen opens, live regions
//! that read out a new step or warning, named progress with a real range,
//! and a name for the window.

use egui::accesskit::{Live, Role};
use egui::{Id, Response, RichText};

/// What takes the keyboard focus when a screen opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FocusTarget {
    /// The screen's heading, so a screen reader starts reading there.
    Heading,
    /// The player's Pause button: the control a person needs first.
    Controls,
}

/// Asks `target`, when next drawn, to take the keyboard focus.
pub fn request_focus(ctx: &egui::Context, target: FocusTarget) {
    ctx.data_mut(|data| data.insert_temp(Id::unique(("unknot-focus", target)), true));
}

/// Whether `target` was asked to take the focus; clears the request.
pub fn take_focus_request(ctx: &egui::Context, target: FocusTarget) -> bool {
    ctx.data_mut(|data| data.remove_temp::<bool>(Id::unique(("unknot-focus", target))))
        .unwrap_or(false)
}

fn visit_key() -> Id {
    Id::unique("unknot-screen-visit")
}

/// A number that changes each time a screen is opened: part of every
/// screen's scroll id, so a screen always opens at its top rather than
/// where it was left last time.
pub fn screen_visit(ctx: &egui::Context) -> u64 {
    ctx.data(|data| data.get_temp::<u64>(visit_key()).unwrap_or(0))
}

/// Moves the focus when the screen changes: to the heading, or to the
/// player's controls. Call once a frame with the screen's short name.
pub fn follow_screen(ctx: &egui::Context, screen: &'static str) {
    let id = Id::unique("unknot-last-screen");
    let last = ctx.data(|data| data.get_temp::<&'static str>(id));
    if last != Some(screen) {
        ctx.data_mut(|data| {
            data.insert_temp(id, screen);
            let visits = data.get_temp::<u64>(visit_key()).unwrap_or(0);
            data.insert_temp(visit_key(), visits + 1);
        });
        let target = if screen == "player" {
            FocusTarget::Controls
        } else {
            FocusTarget::Heading
        };
        request_focus(ctx, target);
    }
}

/// A screen's title: a level-1 heading, reachable by Tab, focused when the
/// screen opens.
pub fn heading(ui: &mut egui::Ui, text: impl Into<RichText>) -> Response {
    heading_label(ui, egui::Label::new(text.into().heading()))
}

/// [`heading`] for a label already styled (a title cut to fit, say).
pub fn heading_label(ui: &mut egui::Ui, label: egui::Label) -> Response {
    let text = label.text().to_owned();
    let response = ui.add(
        label
            .sense(egui::Sense::focusable_noninteractive())
            .selectable(false),
    );
    ui.ctx().accesskit_node_builder(response.id, |node| {
        node.set_role(Role::Heading);
        node.set_level(1);
        // A heading is named by its words (a plain label carries them as its value).
        node.set_label(text);
    });
    if take_focus_request(ui.ctx(), FocusTarget::Heading) {
        response.request_focus();
    }
    ui.ctx()
        .data_mut(|data| data.insert_temp(heading_key(), response.id));
    response
}

fn heading_key() -> Id {
    Id::unique("unknot-heading")
}

/// Whether a control that Enter or letter keys act on has the focus: a
/// heading holding the focus (as it does when a screen opens) does not
/// count, so the screen's own Enter still works.
pub fn control_has_focus(ctx: &egui::Context) -> bool {
    let heading = ctx.data(|data| data.get_temp::<Id>(heading_key()));
    ctx.memory(|memory| memory.focused())
        .is_some_and(|focused| Some(focused) != heading)
}

/// Marks `response` as a live region: when its text changes, a screen reader
/// says the new text, politely (after what it is saying) or, if `urgent`,
/// at once.
pub fn live(response: &Response, urgent: bool) {
    response.ctx.accesskit_node_builder(response.id, |node| {
        node.set_live(if urgent {
            Live::Assertive
        } else {
            Live::Polite
        });
    });
}

/// Names a progress bar and gives it its real range (0 to `total`), so it
/// reads as "Step progress, 40 of 60 seconds" rather than a bare fraction.
pub fn progress(response: &Response, name: &str, done: f64, total: f64) {
    response.ctx.accesskit_node_builder(response.id, |node| {
        node.set_label(name);
        node.set_min_numeric_value(0.0);
        node.set_max_numeric_value(total.max(0.0));
        node.set_numeric_value(done.clamp(0.0, total.max(0.0)));
    });
}

/// Gives a control's current value to the accessibility tree (a filter's
/// choice, for example), beside its name.
pub fn value(response: &Response, value: &str) {
    response.ctx.accesskit_node_builder(response.id, |node| {
        node.set_value(value);
    });
}

/// Names the window after the screen showing ("unknot: History").
pub fn name_window(ctx: &egui::Context, screen: &str) {
    ctx.accesskit_node_builder(egui::accesskit_root_id(), |node| {
        node.set_label(format!("unknot: {screen}"));
    });
}
