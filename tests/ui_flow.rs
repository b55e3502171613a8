//! UI tests: the real app driven through egui_kittest, finding widgets by label.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use unknot::app::{Screen, UnknotApp};
use unknot::audio::AudioStatus;
use unknot::clock::ManualClock;
use unknot::core::engine::{CueKind, Ending, Phase};
use unknot::core::prefs::Preferences;

mod common;
use common::ui::*;

#[test]
fn open_endorphin_start_pause_resume_skip_stop() {
    let clock = ManualClock::new();
    let (app, cues) = app(&clock, AudioStatus::Ready);
    let mut harness = harness(app);
    harness.run();
    assert_eq!(harness.state().screen.name(), "library");

    harness.get_by_label("Endorphin routine").click();
    harness.run();
    match &harness.state().screen {
        Screen::Setup(setup) => {
            assert_eq!(setup.routine.id, "endorphin-15");
            assert_eq!(setup.length_secs, 900);
        }
        other => panic!("expected setup, found {}", other.name()),
    }
    harness.get_by_label("Settle and breathe");
    // Start waits for the fresh-injury question: this routine kneads and presses.
    assert!(harness.get_by_label("Start").accesskit_node().is_disabled());
    answer_no_injury(&mut harness);
    harness.get_by_label("Start").click();
    harness.run_steps(4);
    assert_eq!(phase(&harness), Phase::LeadIn);
    harness.get_by_label("Get ready");

    harness.get_by_label("Pause").click();
    harness.run_steps(2);
    assert!(paused(&harness));
    // Time passes while paused: still in the lead-in.
    clock.advance(Duration::from_secs(30));
    harness.run_steps(1);
    assert_eq!(phase(&harness), Phase::LeadIn);
    harness.get_by_label("Paused. Press Space to carry on.");

    harness.get_by_label("Resume").click();
    harness.run_steps(2);
    assert!(!paused(&harness));

    harness.get_by_label("Skip").click();
    harness.run_steps(2);
    assert_eq!(phase(&harness), Phase::Step(0));
    harness.get_by_label("Settle and breathe");
    assert_eq!(
        cues.0.lock().expect("lock").last(),
        Some(&CueKind::StepStart)
    );

    harness.get_by_label("Stop").click();
    harness.run_steps(2);
    match &harness.state().screen {
        Screen::Finish(summary) => {
            assert_eq!(summary.ending, Ending::Stopped);
            assert_eq!(summary.steps_completed, 0);
        }
        other => panic!("expected finish, found {}", other.name()),
    }
    harness.get_by_label("Session stopped");
}

#[test]
fn keyboard_controls_the_player() {
    let clock = ManualClock::new();
    let (app, _) = app(&clock, AudioStatus::Ready);
    let mut harness = harness(app);
    harness.run();
    // Enter on the library opens the default routine; Enter again starts it.
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().screen.name(), "setup");
    answer_no_injury(&mut harness);
    harness.key_press(Key::Enter);
    harness.run_steps(2);
    assert_eq!(phase(&harness), Phase::LeadIn);

    harness.key_press(Key::ArrowRight);
    harness.run_steps(1);
    assert_eq!(phase(&harness), Phase::Step(0));
    harness.key_press(Key::ArrowRight);
    harness.run_steps(1);
    assert_eq!(phase(&harness), Phase::Step(1));
    harness.get_by_label("Neck strokes");

    harness.key_press(Key::Space);
    harness.run_steps(1);
    assert!(paused(&harness));
    harness.key_press(Key::Space);
    harness.run_steps(1);
    assert!(!paused(&harness));

    // Back right after a step began goes to the previous step.
    harness.key_press(Key::ArrowLeft);
    harness.run_steps(1);
    assert_eq!(phase(&harness), Phase::Step(0));

    // Time moves on its own: 61 s later the first (60 s) step is over.
    clock.advance(Duration::from_secs(61));
    harness.run_steps(1);
    assert_eq!(phase(&harness), Phase::Step(1));

    // One Esc pauses and asks; Space carries on; a second Esc stops.
    harness.key_press(Key::Escape);
    harness.run_steps(2);
    assert_eq!(harness.state().screen.name(), "player");
    assert!(paused(&harness));
    harness.get_by_label_contains("Stop this session?");
    harness.key_press(Key::Space);
    harness.run_steps(2);
    assert!(!paused(&harness));
    assert!(
        harness
            .query_by_label_contains("Stop this session?")
            .is_none()
    );
    harness.key_press(Key::Escape);
    harness.run_steps(2);
    harness.key_press(Key::Escape);
    harness.run_steps(2);
    assert_eq!(harness.state().screen.name(), "finish");
}

#[test]
fn a_completed_session_reaches_the_finish_screen() {
    let clock = ManualClock::new();
    let (mut app, cues) = app(&clock, AudioStatus::Ready);
    app.autoplay("quick-tension-break", None)
        .expect("routine exists");
    let mut harness = harness(app);
    harness.run_steps(1);
    clock.advance(Duration::from_secs(5 + 300));
    harness.run_steps(2);
    match &harness.state().screen {
        Screen::Finish(summary) => {
            assert_eq!(summary.ending, Ending::Completed);
            assert_eq!(summary.active_secs, 300);
            assert_eq!(summary.steps_completed, summary.step_count);
            assert_eq!(summary.step_count, 5);
        }
        other => panic!("expected finish, found {}", other.name()),
    }
    harness.get_by_label("Session complete");
    assert_eq!(
        cues.0.lock().expect("lock").last(),
        Some(&CueKind::SessionEnd)
    );
    harness.get_by_label("Play again").click();
    harness.run_steps(2);
    assert_eq!(phase(&harness), Phase::LeadIn);
}

#[test]
fn no_sound_device_shows_a_calm_notice() {
    let clock = ManualClock::new();
    let (app, _) = app(&clock, AudioStatus::Unavailable("no card".into()));
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label_contains("No working sound output (no card)");
    harness.get_by_label("Dismiss").click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("No working sound output (no card)")
            .is_none()
    );
}

#[test]
fn changing_the_length_rescales_the_plan() {
    let clock = ManualClock::new();
    let (app, _) = app(&clock, AudioStatus::Ready);
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label("Endorphin routine").click();
    harness.run();
    harness.get_by_label("30 min").click();
    harness.run();
    match &harness.state().screen {
        Screen::Setup(setup) => assert_eq!(setup.length_secs, 1800),
        other => panic!("expected setup, found {}", other.name()),
    }
    answer_no_injury(&mut harness);
    harness.get_by_label("Start").click();
    harness.run_steps(2);
    let Screen::Player(player) = &harness.state().screen else {
        panic!("expected the player");
    };
    assert_eq!(
        player.conductor.snapshot().view.session_length,
        Duration::from_secs(1800)
    );
}

#[test]
fn volume_reaches_the_audio_and_test_sound_plays_a_cue() {
    let clock = ManualClock::new();
    let (app, cues) = app(&clock, AudioStatus::Ready);
    assert_eq!(
        cues.1.lock().expect("lock").last(),
        Some(&0.8),
        "starting volume applied"
    );
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label("Test sound").click();
    harness.run();
    assert_eq!(
        cues.0.lock().expect("lock").as_slice(),
        &[CueKind::StepStart]
    );
    harness.state_mut().run_command(unknot::app::Command::Prefs(
        unknot::app::PrefsCommand::SetVolume(1.7),
    ));
    assert_eq!(
        cues.1.lock().expect("lock").last(),
        Some(&1.0),
        "clamped to 100 %"
    );
    assert!((harness.state().prefs().master_volume - 1.0).abs() < f32::EPSILON);
}

fn setup_state(harness: &Harness<'_, UnknotApp>) -> unknot::app::SetupState {
    match &harness.state().screen {
        Screen::Setup(setup) => setup.clone(),
        other => panic!("expected setup, found {}", other.name()),
    }
}

#[test]
fn lengths_and_step_nudges_are_remembered_saved_and_reset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config/preferences.toml");
    let saver = unknot::store::prefs_store::PrefsSaver::start(path.clone(), true, Arc::new(|| {}));
    let clock = ManualClock::new();
    let (app, _) = app_with(&clock, AudioStatus::Ready, read_safety(), Some(saver));
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label("Quick tension break").click();
    harness.run();
    assert_eq!(setup_state(&harness).length_secs, 300);

    harness.get_by_label("10 min").click();
    harness.run();
    let setup = setup_state(&harness);
    assert_eq!(setup.length_secs, 600);
    assert!(setup.total_secs().abs_diff(600) <= 5);
    let before = setup.step_secs[1];

    // Lengthen "Neck strokes" twice: the step and the total update at once.
    harness
        .get_all_by_label("+5 s")
        .nth(1)
        .expect("a +5 s button per step")
        .click();
    harness.run();
    harness.get_all_by_label("+5 s").nth(1).unwrap().click();
    harness.run();
    let nudged = setup_state(&harness);
    assert_eq!(nudged.step_secs[1], before + 10);
    assert_eq!(nudged.total_secs(), setup.total_secs() + 10);

    // Back to the library and in again: the length and the nudge are remembered.
    harness.get_by_label("Routines").click();
    harness.run();
    harness.get_by_label("Quick tension break").click();
    harness.run();
    assert_eq!(setup_state(&harness).step_secs, nudged.step_secs);

    // They reach the preferences file, and a new app reads them back.
    drop(harness);
    let loaded = unknot::store::prefs_store::load(&path, "x");
    let memory = loaded
        .prefs
        .routines
        .get("quick-tension-break")
        .expect("remembered");
    assert_eq!(memory.length_secs, Some(600));
    assert_eq!(memory.step_secs.get(&1), Some(&(before + 10)));
    let (app, _) = app_with(&clock, AudioStatus::Ready, loaded.prefs, None);
    let mut harness = crate::harness(app);
    harness.run();
    harness.get_by_label("Quick tension break").click();
    harness.run();
    assert_eq!(setup_state(&harness).step_secs, nudged.step_secs);

    harness
        .get_by_label("Reset to the routine's default")
        .click();
    harness.run();
    let reset = setup_state(&harness);
    assert_eq!(reset.length_secs, 300);
    assert_eq!(reset.total_secs(), 300);
    assert!(
        !harness
            .state()
            .prefs()
            .routines
            .contains_key("quick-tension-break")
    );
}

#[test]
fn settings_change_cues_theme_and_lead_in() {
    let clock = ManualClock::new();
    let (app, cues) = app(&clock, AudioStatus::Ready);
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label("Settings").click();
    harness.run();
    assert_eq!(harness.state().screen.name(), "settings");

    harness.get_by_label("Halfway").click();
    harness.run();
    assert!(!harness.state().prefs().cues.halfway.enabled);

    harness.get_by_label("Play switch sides").click();
    harness.run();
    assert_eq!(cues.0.lock().unwrap().last(), Some(&CueKind::SwitchSide));

    harness.get_by_label("Light").click();
    harness.run();
    assert_eq!(
        harness.state().prefs().theme,
        unknot::core::prefs::ThemeChoice::Light
    );
    assert_eq!(harness.ctx.theme(), egui::Theme::Light);

    // The lead-in setting reaches the next session.
    let mut prefs = harness.state().prefs().clone();
    prefs.lead_in_secs = 12;
    harness.state_mut().run_command(unknot::app::Command::Prefs(
        unknot::app::PrefsCommand::Change(Box::new(prefs)),
    ));
    harness
        .state_mut()
        .autoplay("quick-tension-break", None)
        .unwrap();
    harness.run_steps(1);
    let Screen::Player(player) = &harness.state().screen else {
        panic!("expected the player");
    };
    assert_eq!(player.plan.lead_in, Duration::from_secs(12));
}

#[test]
fn a_finished_session_lands_in_the_history_with_its_pain_ratings() {
    use unknot::core::history::Outcome;
    use unknot::store::history_db::HistoryDb;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let clock = ManualClock::new();
    let (app, _) = app_with_history(&clock, read_safety(), &path);
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label("Quick tension break").click();
    harness.run();
    harness.get_by_label("Pain 6").click();
    harness.run();
    answer_no_injury(&mut harness);
    harness.get_by_label("Start").click();
    harness.run_steps(2);
    clock.advance(Duration::from_secs(5 + 300));
    harness.run_steps(2);
    harness.get_by_label("Session complete");
    harness.get_by_label("Before the session: 6");
    harness.get_by_label("Pain 2").click();
    harness.run_steps(2);
    let notes = harness.get_by_label("Notes (optional)");
    notes.focus();
    notes.type_text("shoulders looser");
    harness.run_steps(2);

    // The history screen shows it, with both ratings.
    harness.get_by_label("History").click();
    wait_until(&mut harness, "the history view", |app| {
        history_state(app).is_some_and(|state| state.view.is_some())
    });
    // The heading and the week, month and all-time cards.
    assert_eq!(harness.get_all_by_label("1 session").count(), 4);
    harness.get_by_label("Quick tension break");
    harness.get_by_label("Completed");
    let shown = history_state(harness.state())
        .unwrap()
        .loaded_rows()
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(shown.len(), 1);
    assert_eq!(
        (shown[0].pain_before, shown[0].pain_after),
        (Some(6), Some(2))
    );
    assert_eq!(shown[0].notes, "shoulders looser");
    let view = history_state(harness.state())
        .unwrap()
        .view
        .clone()
        .unwrap();
    assert_eq!(view.stats.this_week.sessions, 1);
    assert_eq!(view.stats.this_week.minutes, 5);
    assert_eq!(view.stats.average_pain_change, Some(-4.0));
    harness.get_by_label("4.0 lower");
    harness.get_by_label("Streak");

    // Open it and change the rating afterwards.
    let today = chrono::Local::now().date_naive();
    let date = unknot::ui::history::short_local_time(shown[0].started_at, today);
    harness.get_by_label(&date).click();
    harness.run_steps(2);
    harness.get_by_label("Session");
    harness.get_by_label("Pain after 3").click();
    harness.run_steps(2);
    harness.get_by_label("Save changes").click();
    wait_until(&mut harness, "the edit to be saved", |app| {
        history_state(app).is_some_and(|state| {
            state.message.as_deref() == Some("Saved.")
                && state
                    .loaded_rows()
                    .next()
                    .is_some_and(|row| row.pain_after == Some(3))
        })
    });

    // Delete asks first, then can be undone.
    harness.get_by_label("Delete…").click();
    harness.run_steps(2);
    harness.get_by_label("Delete this session?");
    harness.get_by_label("Delete").click();
    wait_until(&mut harness, "the deletion", |app| {
        history_state(app).is_some_and(|state| {
            state.deleted.is_some() && state.view.as_ref().is_some_and(|v| v.total_sessions == 0)
        })
    });
    harness.get_by_label("Undo").click();
    wait_until(&mut harness, "the undo", |app| {
        history_state(app).is_some_and(|state| {
            state.deleted.is_none() && state.view.as_ref().is_some_and(|v| v.total_sessions == 1)
        })
    });
    drop(harness);

    let db = HistoryDb::open(&path, "s").unwrap().db;
    let rows = db.all().unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.routine_id, "quick-tension-break");
    assert_eq!(row.outcome, Outcome::Completed);
    assert_eq!(
        (row.active_secs, row.steps_done, row.step_count),
        (300, 5, 5)
    );
    assert_eq!((row.pain_before, row.pain_after), (Some(6), Some(3)));
    assert_eq!(row.notes, "shoulders looser");
}

#[test]
fn a_long_history_draws_only_visible_rows_filters_and_hides_the_streak() {
    use unknot::core::history::Outcome;
    use unknot::store::history_db::{HistoryDb, SessionRow};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    // Whole seconds: the history keeps milliseconds.
    let now = chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0).unwrap();
    let rows: Vec<SessionRow> = (0..5000i64)
        .map(|index| SessionRow {
            id: 0,
            routine_id: if index % 2 == 0 {
                "endorphin-15"
            } else {
                "evening-wind-down"
            }
            .into(),
            routine_name: if index % 2 == 0 {
                "Endorphin"
            } else {
                "Wind-down"
            }
            .into(),
            planned_secs: 900,
            active_secs: 900,
            steps_done: 9,
            step_count: 9,
            started_at: now - chrono::Duration::hours(index * 5 + 1),
            ended_at: Some(now - chrono::Duration::hours(index * 5)),
            outcome: if index % 5 == 0 {
                Outcome::StoppedEarly
            } else {
                Outcome::Completed
            },
            pain_before: Some(5),
            pain_after: Some(3),
            notes: String::new(),
            regions: vec!["lower_back".into()],
            heat_used: false,
        })
        .collect();
    HistoryDb::open(&path, "s")
        .unwrap()
        .db
        .insert_many(&rows)
        .unwrap();

    let clock = ManualClock::new();
    let prefs = Preferences {
        show_streak: false,
        ..read_safety()
    };
    let (app, _) = app_with_history(&clock, prefs, &path);
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label("History").click();
    wait_until(&mut harness, "the history view", |app| {
        history_state(app).is_some_and(|state| state.view.is_some())
    });
    // The heading and the all-time card.
    assert_eq!(harness.get_all_by_label("5,000 sessions").count(), 2);
    assert!(
        harness.query_by_label("Streak").is_none(),
        "the streak is hidden"
    );
    // Only the rows on screen exist as widgets, and only one page was fetched.
    let drawn = harness.query_all_by_label("Completed").count();
    assert!((5..60).contains(&drawn), "{drawn} rows drawn");
    assert_eq!(history_state(harness.state()).unwrap().pages.len(), 1);

    // Scrolling far down fetches the rows there, a page at a time.
    harness.hover_at(egui::pos2(200.0, 600.0));
    for _ in 0..30 {
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Page,
            delta: egui::vec2(0.0, -20.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        });
        harness.run_steps(1);
    }
    wait_until(&mut harness, "rows deep in the table", |app| {
        history_state(app).is_some_and(|state| state.pages.keys().any(|page| *page >= 5))
    });
    let state = history_state(harness.state()).unwrap();
    let (&page, loaded) = state.pages.iter().next_back().unwrap();
    assert_eq!(loaded[0].started_at, rows[(page * 100) as usize].started_at);

    // Filter by outcome: 1,000 of the 5,000 were stopped early.
    harness
        .get_by_role_and_label(egui::accesskit::Role::ComboBox, "Outcome")
        .click();
    harness.run_steps(2);
    // The option in the open list, not the table cells with the same words.
    harness
        .get_all_by_label("Stopped early")
        .find(|node| node.accesskit_node().role() != egui::accesskit::Role::Label)
        .expect("the option")
        .click();
    wait_until(&mut harness, "the filtered view", |app| {
        history_state(app)
            .and_then(|state| state.view.as_ref())
            .is_some_and(|view| view.matching == 1000)
    });
    harness.get_by_label("1,000 of 5,000 sessions");
    assert!(
        history_state(harness.state())
            .unwrap()
            .loaded_rows()
            .all(|row| row.outcome == Outcome::StoppedEarly)
    );
    harness.get_by_label("Clear filters").click();
    wait_until(&mut harness, "the cleared filter", |app| {
        history_state(app)
            .and_then(|state| state.view.as_ref())
            .is_some_and(|view| view.matching == 5000)
    });
}

#[test]
fn the_first_start_shows_the_red_flags_once_and_they_stay_reachable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config/preferences.toml");
    let saver = unknot::store::prefs_store::PrefsSaver::start(path.clone(), true, Arc::new(|| {}));
    let clock = ManualClock::new();
    let (app, _) = app_with(
        &clock,
        AudioStatus::Ready,
        Preferences::default(),
        Some(saver),
    );
    let mut harness = harness(app);
    harness.run();
    assert_eq!(harness.state().screen.name(), "safety");
    harness.get_by_label("See a professional first if you have:");
    harness.get_by_label_contains("Numbness, tingling or weakness");
    // Nothing else is on offer yet: not even Enter opens a routine.
    assert!(harness.query_by_label("Routines").is_none());
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().screen.name(), "safety");

    harness.get_by_label("I have read this").click();
    harness.run();
    assert_eq!(harness.state().screen.name(), "library");
    assert!(harness.state().prefs().safety_acknowledged);
    drop(harness);
    let saved = unknot::store::prefs_store::load(&path, "s").prefs;
    assert!(saved.safety_acknowledged, "stored for the next start");

    // The next start goes straight to the routines; the page is one click away.
    let (app, _) = app_with(&clock, AudioStatus::Ready, saved, None);
    let mut harness = self::harness(app);
    harness.run();
    assert_eq!(harness.state().screen.name(), "library");
    harness.get_by_label("Safety").click();
    harness.run();
    assert_eq!(harness.state().screen.name(), "safety");
    assert!(harness.query_by_label("I have read this").is_none());
    harness.get_by_label("Back to routines").click();
    harness.run();
    assert_eq!(harness.state().screen.name(), "library");
}

#[test]
fn stop_it_hurt_ends_the_session_and_says_so_in_the_history() {
    use unknot::core::history::Outcome;
    use unknot::store::history_db::HistoryDb;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let clock = ManualClock::new();
    let (app, _) = app_with_history(&clock, read_safety(), &path);
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label("Quick tension break").click();
    harness.run();
    answer_no_injury(&mut harness);
    harness.get_by_label("Start").click();
    harness.run_steps(2);
    clock.advance(Duration::from_secs(5 + 40));
    harness.run_steps(2);
    // The stop rule is on screen during every step.
    harness.get_by_label("Ease off or stop if the muscles tense up or the pain sharpens.");
    harness.get_by_label("Stop \u{2014} it hurt").click();
    harness.run_steps(2);
    assert_eq!(harness.state().screen.name(), "finish");
    harness.get_by_label("Session stopped");
    harness.get_by_label_contains("Stopping was the right call");
    drop(harness);

    let rows = HistoryDb::open(&path, "s").unwrap().db.all().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome, Outcome::StoppedHurt);
    assert_eq!(rows[0].active_secs, 40);
}

#[test]
fn a_heat_routine_asks_about_fresh_injury_warns_of_recent_heat_and_shows_the_heat_timer() {
    use unknot::core::history::Outcome;
    use unknot::store::history_db::{HistoryDb, NewSession};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    {
        // Heat used 25 minutes ago.
        let mut db = HistoryDb::open(&path, "s").unwrap().db;
        let ended = chrono::Utc::now() - chrono::Duration::minutes(25);
        let id = db
            .start_session(&NewSession {
                routine_id: "lower-back-heat".into(),
                routine_name: "Heat and massage for the lower back".into(),
                planned_secs: 1200,
                step_count: 7,
                started_at: ended - chrono::Duration::minutes(20),
                regions: vec!["lower_back".into()],
                heat_used: true,
                pain_before: None,
                owner: None,
            })
            .unwrap();
        db.finish(id, Outcome::Completed, 1200, 7, ended).unwrap();
    }
    let clock = ManualClock::new();
    let (app, cues) = app_with_history(&clock, read_safety(), &path);
    let mut harness = harness(app);
    harness.run();
    harness
        .get_by_label("Heat and massage for the lower back")
        .click();
    wait_until(
        &mut harness,
        "the last heat use",
        |app| matches!(&app.screen, Screen::Setup(setup) if setup.last_heat.is_some()),
    );
    harness.get_by_label_contains("You used heat 25 min ago");

    // Start waits for the injury question; a fresh injury gets the cold advice.
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().screen.name(), "setup");
    harness.get_by_label("Yes, it is fresh or swollen").click();
    harness.run();
    harness.get_by_label_contains("Use cold instead");
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().screen.name(), "setup");
    harness.get_by_label("No, it is an old stiffness").click();
    harness.run();
    harness.get_by_label("Start").click();
    harness.run_steps(2);
    assert_eq!(harness.state().screen.name(), "player");

    // Past the lead-in and the first minute: the heat step, with its own timer.
    clock.advance(Duration::from_secs(5 + 60));
    harness.run_steps(3);
    wait_until(&mut harness, "the heat-on cue", |_| {
        cues.0.lock().unwrap().contains(&CueKind::HeatOn)
    });
    harness.get_by_label_contains("keep a towel between the heat and your skin");
    clock.advance(Duration::from_secs(90));
    harness.run_steps(3);
    harness.get_by_label_contains("Heat pack on the lower back: on for 1:30");
    harness.get_by_label_contains("skin check in 3:30");
    // Paused, the heat timer keeps counting.
    harness.key_press(Key::Space);
    harness.run_steps(2);
    clock.advance(Duration::from_secs(211));
    harness.run_steps(3);
    wait_until(&mut harness, "the skin check while paused", |_| {
        cues.0.lock().unwrap().contains(&CueKind::SkinCheck)
    });
    clock.advance(Duration::from_secs(29));
    harness.run_steps(3);
    harness.get_by_label_contains("on for 5:30");
}

#[test]
fn a_course_shows_progress_and_suggests_another_approach_after_two_sessions_without_relief() {
    use unknot::core::course::CoursePlan;
    use unknot::core::history::Outcome;
    use unknot::store::history_db::{HistoryDb, NewSession};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let today = chrono::Local::now().date_naive();
    {
        // Two completed sessions since the plan began, neither easing the pain,
        // and one stopped session that does not count.
        let mut db = HistoryDb::open(&path, "s").unwrap().db;
        for (days_ago, outcome, before, after) in [
            (15, Outcome::Completed, 5, 5),
            (8, Outcome::StoppedEarly, 6, 2),
            (1, Outcome::Completed, 4, 6),
        ] {
            let started = chrono::Utc::now() - chrono::Duration::days(days_ago);
            let id = db
                .start_session(&NewSession {
                    routine_id: "endorphin-15".into(),
                    routine_name: "15-minute endorphin routine".into(),
                    planned_secs: 900,
                    step_count: 9,
                    started_at: started,
                    regions: vec![],
                    heat_used: false,
                    pain_before: Some(before),
                    owner: None,
                })
                .unwrap();
            db.finish(id, outcome, 900, 9, started + chrono::Duration::minutes(15))
                .unwrap();
            db.set_ratings(id, Some(before), Some(after), "").unwrap();
        }
    }
    let clock = ManualClock::new();
    let prefs = Preferences {
        course: Some(CoursePlan {
            routine_id: "endorphin-15".into(),
            started_on: today - chrono::Duration::days(16),
            started_at: None,
            no_relief_shown: false,
        }),
        ..read_safety()
    };
    let (app, _) = app_with_history(&clock, prefs, &path);
    let mut harness = harness(app);
    wait_until(&mut harness, "the course sessions", |app| {
        app.course_progress().is_some()
    });
    let progress = harness.state().course_progress().unwrap();
    assert_eq!(progress.done, 2);
    assert!(progress.no_relief);
    harness.get_by_label_contains("Course: 2 of 4 done");
    harness.get_by_label_contains("brought no relief");
    harness.get_by_label("OK").click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("brought no relief")
            .is_none()
    );
    assert!(
        harness
            .state()
            .prefs()
            .course
            .as_ref()
            .unwrap()
            .no_relief_shown
    );

    // Planning a course of another routine replaces it; ending it clears it.
    harness.get_by_label("Quick tension break").click();
    harness.run();
    harness
        .get_by_label("Plan a course: 4 sessions over 6 weeks")
        .click();
    wait_until(&mut harness, "the new course", |app| {
        app.prefs()
            .course
            .as_ref()
            .is_some_and(|c| c.routine_id == "quick-tension-break")
            && app.course_progress().is_some_and(|p| p.done == 0)
    });
    harness.get_by_label_contains("Course: 0 of 4 done, next one due today");
    harness.get_by_label("End the course").click();
    harness.run();
    assert!(harness.state().prefs().course.is_none());
}

#[test]
fn the_body_map_describes_itself_and_the_endorphin_routine_notes_its_reported_effect() {
    let clock = ManualClock::new();
    let (app, _) = app(&clock, AudioStatus::Ready);
    let mut harness = harness(app);
    harness.run();
    // Each card's figure is described for screen readers.
    assert!(
        harness
            .get_all_by_label_contains("Back view. Works: neck, shoulders, upper back")
            .count()
            >= 1
    );
    harness.get_by_label("Endorphin routine").click();
    harness.run();
    answer_no_injury(&mut harness);
    harness.get_by_label("Start").click();
    harness.run_steps(2);
    clock.advance(Duration::from_secs(6));
    harness.run_steps(2);
    // In the player it names the region and side being worked now.
    let Screen::Player(player) = &harness.state().screen else {
        panic!("expected the player");
    };
    let first = player.plan.steps[0].step.region.label().to_lowercase();
    harness.get_by_label_contains(&format!("Now: {first}"));
    // Played to the end, the finish screen says what is reported, not promised.
    clock.advance(Duration::from_secs(900));
    harness.run_steps(3);
    harness.get_by_label("Session complete");
    // What guides report, what the trial measured, and the sources beneath.
    harness.get_by_label_contains("so take that as reported, not shown");
    harness.get_by_label("Sources (3)");
}

#[test]
fn the_heat_alarm_repeats_asks_for_attention_and_stops_only_when_answered() {
    let clock = ManualClock::new();
    let (mut app, cues) = app(&clock, AudioStatus::Ready);
    // Its pack lies on the lower back for the first three steps.
    app.autoplay("shoulders-to-lower-back", None).unwrap();
    let mut harness = harness(app);
    harness.run();
    let heat_offs = |cues: &Recorded| {
        cues.0
            .lock()
            .unwrap()
            .iter()
            .filter(|kind| **kind == CueKind::HeatOff)
            .count()
    };
    for _ in 0..80 {
        if harness.state_mut().heat_alarm_pending() {
            break;
        }
        // Each frame catches the session up to the clock.
        clock.advance(Duration::from_secs(10));
        harness.run_steps(1);
    }
    wait_until(
        &mut harness,
        "the take-off alarm",
        UnknotApp::heat_alarm_pending,
    );
    harness.get_by_label("Take the heat off now.");
    assert_eq!(harness.state_mut().attention_change(), Some(true));
    assert_eq!(harness.state_mut().attention_change(), None, "asked once");
    let first = heat_offs(&cues);
    assert!(first >= 1);

    // Unanswered, it sounds again; stopping the session does not silence it.
    clock.advance(Duration::from_secs(31));
    wait_until(&mut harness, "a repeat", |_| heat_offs(&cues) > first);
    harness.key_press(Key::Escape);
    harness.run();
    harness.key_press(Key::Escape);
    harness.run();
    assert_eq!(harness.state().screen.name(), "finish");
    harness.get_by_label("Take the heat off now.");

    // H answers it, on any screen.
    harness.key_press(Key::H);
    harness.run();
    assert!(harness.query_by_label("Take the heat off now.").is_none());
    assert!(!harness.state_mut().heat_alarm_pending());
    assert_eq!(harness.state_mut().attention_change(), Some(false));
    let answered = heat_offs(&cues);
    clock.advance(Duration::from_secs(120));
    harness.run();
    assert_eq!(heat_offs(&cues), answered, "silent once answered");
}

#[test]
fn the_player_controls_fit_every_window_and_text_size_with_notices_showing() {
    for (width, height) in SIZES {
        for scale in SCALES {
            let clock = ManualClock::new();
            let prefs = Preferences {
                ui_scale: scale,
                ..read_safety()
            };
            let (mut app, _) = app_with(
                &clock,
                AudioStatus::Unavailable("no card".into()),
                prefs,
                None,
            );
            // A heat routine, so the heat timer shows under the countdown.
            app.autoplay("shoulders-to-lower-back", None).unwrap();
            app.notice = Some(LONG_NOTICE.into());
            let mut harness = harness_sized(app, width, height);
            clock.advance(Duration::from_secs(8));
            harness.run();
            harness.get_by_label_contains("No working sound output");
            harness.get_by_label_contains("Heat pack on the lower back");
            assert_fits(
                &harness,
                &[
                    "Back",
                    "Pause",
                    "Skip",
                    "Stop",
                    "Stop \u{2014} it hurt",
                    "Ease off or stop if the muscles tense up or the pain sharpens.",
                ],
                &format!("{width}x{height} at {}%", scale * 100.0),
            );
        }
    }
}

#[test]
fn the_window_is_restored_at_its_size_whatever_the_text_size() {
    // At 130 % text a 1024 x 720 window is 787.7 x 553.8 points wide.
    let inner =
        egui::Rect::from_min_size(egui::pos2(0.0, 0.0), egui::vec2(1024.0 / 1.3, 720.0 / 1.3));
    let outer =
        egui::Rect::from_min_size(egui::pos2(100.0 / 1.3, 50.0 / 1.3), egui::vec2(1.0, 1.0));
    let saved = unknot::ui::window_geometry(inner, Some(outer), 1.3);
    assert_eq!((saved.width, saved.height), (1024.0, 720.0));
    assert_eq!((saved.x, saved.y), (Some(100.0), Some(50.0)));
    let plain = unknot::ui::window_geometry(inner, None, 1.0);
    assert_eq!(plain.width, (1024.0_f32 / 1.3).round());
}

#[test]
fn enter_in_the_notes_starts_a_new_line_and_the_lead_in_and_chips_read_naturally() {
    let clock = ManualClock::new();
    let (mut app, _) = app(&clock, AudioStatus::Ready);
    app.autoplay("endorphin-15", None).unwrap();
    let mut harness = harness(app);
    harness.run();
    // The lead-in names the tools as a list a person would write.
    harness.get_by_label_contains("Have your hands and massage ball within reach.");
    // The first step is breathing: no pressure chip.
    harness.key_press(Key::ArrowRight);
    harness.run_steps(2);
    assert_eq!(phase(&harness), Phase::Step(0));
    harness.get_by_label("Settle and breathe");
    assert!(harness.query_by_label_contains("pressure (").is_none());

    harness.key_press(Key::Escape);
    harness.run();
    harness.key_press(Key::Escape);
    harness.run();
    assert_eq!(harness.state().screen.name(), "finish");
    let notes = harness.get_by_role(egui::accesskit::Role::MultilineTextInput);
    notes.click();
    harness.run();
    harness
        .get_by_role(egui::accesskit::Role::MultilineTextInput)
        .type_text("looser");
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    harness
        .get_by_role(egui::accesskit::Role::MultilineTextInput)
        .type_text("neck too");
    harness.run();
    assert_eq!(
        harness.state().screen.name(),
        "finish",
        "Enter stays in the notes"
    );
    match &harness.state().screen {
        Screen::Finish(summary) => assert_eq!(summary.notes, "looser\nneck too"),
        other => panic!("expected finish, found {}", other.name()),
    }
}

#[test]
fn a_heat_routine_offers_no_length_it_cannot_keep_and_says_why_start_waits() {
    let clock = ManualClock::new();
    let (app, _) = app(&clock, AudioStatus::Ready);
    let mut harness = harness(app);
    harness.run();
    harness
        .get_by_label("Shoulders down to the lower back")
        .click();
    harness.run();
    assert_eq!(harness.state().screen.name(), "setup");
    // Its heat keeps ten minutes and the other steps have a floor: 5 and 10
    // min cannot be kept.
    assert!(
        harness
            .get_by_label("10 min")
            .accesskit_node()
            .is_disabled()
    );
    let five = harness.get_by_label("5 min");
    assert!(five.accesskit_node().is_disabled());
    five.click();
    harness.run();
    match &harness.state().screen {
        Screen::Setup(setup) => assert_ne!(setup.length_secs, 300),
        other => panic!("expected setup, found {}", other.name()),
    }
    assert!(
        !harness
            .get_by_label("15 min")
            .accesskit_node()
            .is_disabled()
    );
    // Start says in the open why it waits, and the answers are buttons.
    harness.get_by_label("Answer the injury question above to start.");
    let answer = harness.get_by_label("No, it is an old stiffness");
    assert_eq!(
        answer.accesskit_node().role(),
        egui::accesskit::Role::Button
    );
    answer.click();
    harness.run();
    assert!(
        harness
            .query_by_label("Answer the injury question above to start.")
            .is_none()
    );
}
