//! The content's safety nudges and sources on screen: the fresh-injury
//! question before pressure, a lighter routine offered instead, a severe pain
//! rating, "Why this routine", rounds in longer sessions, and the endorphin
//! note only after about fifteen minutes.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Duration;

use egui_kittest::kittest::{NodeT, Queryable};

use unknot::app::{Screen, SessionCommand};
use unknot::audio::AudioStatus;
use unknot::clock::ManualClock;
use unknot::core::engine::Control;

mod common;
use common::ui::*;

#[test]
fn a_fresh_injury_before_pressure_holds_start_and_offers_a_light_routine() {
    let clock = ManualClock::new();
    let (app, _) = app(&clock, AudioStatus::Ready);
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label("Wall and ball").click();
    harness.run();
    // No heat here, but firm enough to ask.
    harness.get_by_label_contains("has the area had a fresh injury or new swelling?");
    assert!(harness.get_by_label("Start").accesskit_node().is_disabled());
    harness.get_by_label("Yes, it is fresh or swollen").click();
    harness.run();
    harness.get_by_label_contains("pressing into it is not the right thing yet");
    harness.get_by_label("Not with a fresh injury: pressure can make it worse (see above).");
    assert!(harness.get_by_label("Start").accesskit_node().is_disabled());
    harness
        .get_by_label("Open \u{201c}Evening wind-down\u{201d}")
        .click();
    harness.run();
    match &harness.state().screen {
        Screen::Setup(setup) => {
            assert_eq!(setup.routine.id, "evening-wind-down");
            // Light only and no heat: nothing to ask, Start is ready.
            assert!(!setup.asks_about_injury() && setup.can_start());
        }
        other => panic!("expected setup, found {}", other.name()),
    }
    assert!(
        harness
            .query_by_label_contains("has the area had a fresh injury")
            .is_none()
    );
    assert!(!harness.get_by_label("Start").accesskit_node().is_disabled());
}

#[test]
fn severe_pain_suggests_a_professional_but_the_person_may_go_on() {
    let clock = ManualClock::new();
    let (app, _) = app(&clock, AudioStatus::Ready);
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label("Evening wind-down").click();
    harness.run();
    let advice = "That is severe pain.";
    harness.get_by_label("Pain 7").click();
    harness.run();
    assert!(harness.query_by_label_contains(advice).is_none());
    harness.get_by_label("Pain 8").click();
    harness.run();
    harness.get_by_label_contains(advice);
    harness.get_by_label_contains("You can still go on");
    harness.get_by_label("Start").click();
    harness.run_steps(2);
    assert_eq!(harness.state().screen.name(), "player");
}

#[test]
fn why_this_routine_lists_its_sources_with_their_strength() {
    let clock = ManualClock::new();
    let (app, _) = app(&clock, AudioStatus::Ready);
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label("Endorphin routine").click();
    harness.run();
    assert!(
        harness
            .query_by_label("Day et al. 1987, Phys Ther 67:926")
            .is_none()
    );
    harness.get_by_label("Why this routine").click();
    harness.run();
    harness.get_by_label("Day et al. 1987, Phys Ther 67:926");
    harness.get_by_label("Popular massage guides");
    harness.get_by_label_contains("no measurable change to beta-endorphin");
    assert!(
        harness
            .get_all_by_label("\u{b7} Reported, not measured")
            .count()
            >= 1
    );
    assert!(
        harness
            .get_all_by_label("\u{b7} Measured in trials")
            .count()
            >= 2
    );
}

#[test]
fn a_long_session_shows_and_plays_its_rounds() {
    let clock = ManualClock::new();
    let (app, _) = app(&clock, AudioStatus::Ready);
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label("Endorphin routine").click();
    harness.run();
    harness
        .state_mut()
        .run_command(SessionCommand::SetLength(90 * 60).into());
    harness.run();
    let rounds = match &harness.state().screen {
        Screen::Setup(setup) => {
            let plan =
                unknot::core::plan::plan_with_lengths(&setup.routine, &setup.step_secs, 0, 0);
            plan.steps
                .iter()
                .map(|planned| planned.round.of)
                .max()
                .unwrap()
        }
        other => panic!("expected setup, found {}", other.name()),
    };
    assert!(rounds >= 2);
    assert!(
        harness
            .get_all_by_label(&format!("Round 2 of {rounds}"))
            .count()
            >= 1
    );
    harness.get_by_label_contains(&format!("the middle repeats in {rounds} rounds"));
    answer_no_injury(&mut harness);
    harness.get_by_label("Start").click();
    harness.run_steps(2);
    // Into the first step of the repeated middle: the player names the round.
    for _ in 0..2 {
        harness.state_mut().run_command(Control::Skip.into());
        harness.run();
    }
    harness.get_by_label_contains(&format!("Round 1 of {rounds}"));
}

#[test]
fn the_endorphin_note_waits_for_about_fifteen_minutes_of_massage() {
    let clock = ManualClock::new();
    let (mut app, _) = app(&clock, AudioStatus::Ready);
    app.autoplay("endorphin-15", Some(10 * 60)).unwrap();
    let mut harness = harness(app);
    harness.run_steps(1);
    clock.advance(Duration::from_secs(5 + 10 * 60 + 5));
    harness.run_steps(3);
    harness.get_by_label("Session complete");
    assert!(
        harness
            .query_by_label_contains("about fifteen minutes of massage")
            .is_none()
    );
}
