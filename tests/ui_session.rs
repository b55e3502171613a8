//! What the finish screen says and offers after a session ends early: the
//! heat reminder, no "play again" after it hurt, and heat routines asking
//! the fresh-injury question again.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use egui_kittest::kittest::Queryable;

use unknot::app::{Screen, SessionCommand};
use unknot::audio::AudioStatus;
use unknot::clock::ManualClock;
use unknot::core::engine::Control;

mod common;
use common::ui::*;

const HEAT_REMINDER: &str =
    "The heat was on when you stopped: take the pack off now, if it is still on.";

#[test]
fn stopping_with_the_heat_on_says_to_take_it_off_and_play_again_asks_about_heat_again() {
    let clock = ManualClock::new();
    let (mut app, _) = app(&clock, AudioStatus::Ready);
    app.autoplay("lower-back-heat", None).unwrap();
    // Into the heat step, then stop.
    app.run_command(Control::Skip.into());
    app.run_command(Control::Skip.into());
    app.run_command(Control::Stop.into());
    let mut harness = harness(app);
    harness.run();
    assert_eq!(harness.state().screen.name(), "finish");
    harness.get_by_label(HEAT_REMINDER);

    harness.get_by_label("Play again").click();
    harness.run();
    match &harness.state().screen {
        Screen::Setup(setup) => {
            assert_eq!(setup.routine.id, "lower-back-heat");
            assert_eq!(setup.injury_check, None, "the heat question is asked again");
        }
        other => panic!("expected setup, found {}", other.name()),
    }
}

#[test]
fn stopping_without_heat_says_nothing_of_it_and_after_it_hurt_play_again_is_not_offered() {
    let clock = ManualClock::new();
    let (mut app, _) = app(&clock, AudioStatus::Ready);
    app.autoplay("quick-tension-break", None).unwrap();
    app.run_command(SessionCommand::StopHurt.into());
    let mut harness = harness(app);
    harness.run();
    assert_eq!(harness.state().screen.name(), "finish");
    assert!(harness.query_by_label(HEAT_REMINDER).is_none());
    assert!(harness.query_by_label("Play again").is_none());
    harness.get_by_label("Back to routines");
}

#[test]
fn a_later_start_plays_its_routine_but_never_replaces_an_open_session() {
    let clock = ManualClock::new();
    let (mut app, _) = app(&clock, AudioStatus::Ready);
    app.handed_autoplay("no-such-routine", None);
    assert_eq!(app.screen.name(), "library");
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|notice| notice.contains("no-such-routine")),
        "{:?}",
        app.notice
    );
    app.handed_autoplay("quick-tension-break", None);
    assert_eq!(app.screen.name(), "player");
    app.handed_autoplay("endorphin-15", None);
    let notice = app.notice.clone().unwrap_or_default();
    assert!(notice.contains("a session is already open"), "{notice}");
    let mut harness = harness(app);
    harness.run();
    // The first session plays on, and the notice is on screen.
    match &harness.state().screen {
        Screen::Player(player) => {
            assert_eq!(player.conductor.update().routine, "Quick tension break");
        }
        other => panic!("expected the player, found {}", other.name()),
    }
    harness.get_by_label_contains("a session is already open");
}
