//! What a screen reader gets, read from the accessibility tree the app builds
//! (the tree AccessKit hands to AT-SPI): a named window, headings that take
//! the focus as screens open, live regions for the step and warnings, named
//! progress with real ranges, stable focus in the player, and no unnamed stop
//! for Tab.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Duration;

use egui::Key;
use egui::accesskit::{Live, Role};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use unknot::app::{NavCommand, UnknotApp};
use unknot::audio::AudioStatus;
use unknot::clock::ManualClock;

mod common;
use common::ui::*;

fn focused_label(harness: &Harness<'_, UnknotApp>) -> Option<String> {
    harness
        .root()
        .children_recursive()
        .find(|node| node.accesskit_node().is_focused())
        .map(|node| {
            let node = node.accesskit_node();
            node.label().or_else(|| node.value()).unwrap_or_default()
        })
}

fn window_name(harness: &Harness<'_, UnknotApp>) -> String {
    harness.root().accesskit_node().label().unwrap_or_default()
}

/// Every node Tab can stop on has a name.
fn assert_every_focusable_named(harness: &Harness<'_, UnknotApp>, screen: &str) {
    for node in harness.root().children_recursive() {
        let node = node.accesskit_node();
        if node.data().supports_action(egui::accesskit::Action::Focus) {
            let name = node.label().or_else(|| node.value()).unwrap_or_default();
            assert!(
                !name.trim().is_empty(),
                "{screen}: an unnamed {:?} can take the focus",
                node.role()
            );
        }
    }
}

#[test]
fn screens_are_named_and_their_headings_take_the_focus() {
    let clock = ManualClock::new();
    let (app, _) = app(&clock, AudioStatus::Ready);
    let mut harness = harness(app);
    harness.run();
    assert_eq!(window_name(&harness), "unknot: Routines");
    let heading = harness.get_by_role_and_label(Role::Heading, "Routines");
    assert_eq!(heading.accesskit_node().level(), Some(1));
    assert_eq!(focused_label(&harness).as_deref(), Some("Routines"));
    assert_every_focusable_named(&harness, "library");

    // Enter on a focused card's title opens that card, not the default.
    harness
        .get_by_label("Heat and massage for the lower back")
        .focus();
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    match &harness.state().screen {
        unknot::app::Screen::Setup(setup) => assert_eq!(setup.routine.id, "lower-back-heat"),
        other => panic!("expected setup, found {}", other.name()),
    }
    assert_eq!(
        window_name(&harness),
        "unknot: Set up Heat and massage for the lower back"
    );
    assert_eq!(
        focused_label(&harness).as_deref(),
        Some("Heat and massage for the lower back"),
        "the new screen's heading has the focus"
    );

    for (command, name) in [
        (NavCommand::ShowSettings, "Settings"),
        (NavCommand::ShowHistory, "History"),
        (NavCommand::ShowSafety, "Before you start"),
    ] {
        harness.state_mut().run_command(command.into());
        harness.run();
        harness.get_by_role_and_label(Role::Heading, name);
        assert_eq!(focused_label(&harness).as_deref(), Some(name));
        assert_every_focusable_named(&harness, name);
    }
}

#[test]
fn settings_name_each_sound_button_by_its_cue() {
    let clock = ManualClock::new();
    let (app, _) = app(&clock, AudioStatus::Ready);
    let mut harness = harness(app);
    harness
        .state_mut()
        .run_command(NavCommand::ShowSettings.into());
    harness.run();
    let names: Vec<String> = harness
        .root()
        .children_recursive()
        .filter_map(|node| node.accesskit_node().label())
        .filter(|label| label.starts_with("Choose a sound for"))
        .collect();
    assert!(names.len() >= 5, "{names:?}");
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "each names its cue: {names:?}");
}

#[test]
fn a_session_keeps_the_focus_on_its_controls_and_reads_out_each_step() {
    let clock = ManualClock::new();
    let (mut app, _) = app(&clock, AudioStatus::Ready);
    app.autoplay("endorphin-15", None).unwrap();
    let mut harness = harness(app);
    harness.run();
    assert_eq!(
        focused_label(&harness).as_deref(),
        Some("Pause"),
        "the session's first control has the focus"
    );

    // The step title and instructions are live regions; the countdown is not.
    let title = harness.get_by_label("Get ready");
    assert_eq!(title.accesskit_node().live(), Live::Polite);
    let countdown = harness
        .root()
        .children_recursive()
        .find(|node| {
            node.accesskit_node()
                .value()
                .is_some_and(|value| value.contains(':') && value.len() <= 5)
        })
        .expect("the countdown");
    assert_eq!(countdown.accesskit_node().live(), Live::Off);

    // Progress is named, with a range in seconds.
    let step = harness.get_by_label("Step, seconds done");
    let step = step.accesskit_node();
    assert_eq!(step.min_numeric_value(), Some(0.0));
    assert!(step.max_numeric_value().is_some_and(|max| max > 0.0));
    harness.get_by_label("Session, seconds played");

    // A step change leaves the focus where it was.
    harness.key_press(Key::ArrowRight);
    harness.run();
    let title = harness.get_by_label("Settle and breathe");
    assert_eq!(title.accesskit_node().live(), Live::Polite);
    assert_eq!(focused_label(&harness).as_deref(), Some("Pause"));

    // A question appearing above the controls (Esc) does not take the
    // focus away: Pause, now Resume, still has it.
    harness.key_press(Key::Escape);
    harness.run();
    harness.get_by_label_contains("Stop this session?");
    assert_eq!(focused_label(&harness).as_deref(), Some("Resume"));
    assert_every_focusable_named(&harness, "player");
}

#[test]
fn the_heat_alarm_is_an_urgent_live_region() {
    let clock = ManualClock::new();
    let (mut app, _) = app(&clock, AudioStatus::Ready);
    app.autoplay("lower-back-heat", Some(300)).unwrap();
    let mut harness = harness(app);
    harness.run();
    // Run the session past the heat steps to the time-driven take-off.
    for _ in 0..80 {
        clock.advance(Duration::from_secs(15));
        harness.run_steps(1);
        if harness.state().heat_alarm_pending() {
            break;
        }
    }
    harness.run();
    let alarm = harness.get_by_label("Take the heat off now.");
    assert_eq!(alarm.accesskit_node().live(), Live::Assertive);
}

#[test]
fn history_filters_say_their_current_choice() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new();
    let (mut app, _) = app_with_history(&clock, read_safety(), &dir.path().join("h.sqlite3"));
    app.run_command(NavCommand::ShowHistory.into());
    let mut harness = harness(app);
    wait_until(&mut harness, "the history", |app| {
        history_state(app).is_some_and(|state| state.view.is_some())
    });
    for (label, value) in [
        ("Routine", "All routines"),
        ("Outcome", "Any outcome"),
        ("Dates", "All dates"),
    ] {
        let combo = harness
            .root()
            .children_recursive()
            .find(|node| {
                node.accesskit_node().role() == Role::ComboBox
                    && node.accesskit_node().label().as_deref() == Some(label)
            })
            .unwrap_or_else(|| panic!("no {label} filter"));
        assert_eq!(combo.accesskit_node().value().as_deref(), Some(value));
    }
}

#[test]
fn a_held_enter_does_not_start_a_session_but_a_fresh_press_does() {
    let clock = ManualClock::new();
    let (app, _) = app(&clock, AudioStatus::Ready);
    let mut harness = harness(app);
    harness.run();
    // Enter goes down on the library and stays down: the system repeats it.
    harness.key_down(Key::Enter);
    harness.run();
    assert_eq!(harness.state().screen.name(), "setup");
    harness.event(egui::Event::Key {
        key: Key::Enter,
        physical_key: None,
        pressed: true,
        repeat: true,
        modifiers: egui::Modifiers::NONE,
    });
    harness.run();
    assert_eq!(
        harness.state().screen.name(),
        "setup",
        "a repeat does not start"
    );
    harness.key_up(Key::Enter);
    harness.run();
    answer_no_injury(&mut harness);
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().screen.name(), "player");
}
