//! Every screen laid out for real windows: at 800×600, 1024×720 and
//! 1920×1080, at text sizes 100 % and 150 %, with notices showing, each
//! screen's primary controls are wholly inside the window and overlap nothing.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Duration;

use egui_kittest::kittest::{NodeT, Queryable};

use unknot::app::{Command, NavCommand, RoutineCommand, SessionCommand, UnknotApp};
use unknot::audio::AudioStatus;
use unknot::clock::ManualClock;
use unknot::core::engine::Control;

use unknot::core::prefs::Preferences;

mod common;
use common::ui::*;

/// The top bar on every screen after the first start.
const TOP_BAR: [&str; 5] = ["Routines", "History", "Settings", "Safety", "Test sound"];

/// Runs `check` on a fresh app, with two notices showing, at every size and
/// text size; `setup` brings the app to the screen under test.
fn at_every_size(
    prefs: impl Fn() -> Preferences,
    setup: impl Fn(&mut UnknotApp, &ManualClock),
    check: impl Fn(&mut egui_kittest::Harness<'_, UnknotApp>, &str),
) {
    at_sizes(&SIZES, &SCALES, prefs, setup, check);
}

/// [`at_every_size`] over the given sizes and text sizes.
fn at_sizes(
    sizes: &[(f32, f32)],
    scales: &[f32],
    prefs: impl Fn() -> Preferences,
    setup: impl Fn(&mut UnknotApp, &ManualClock),
    check: impl Fn(&mut egui_kittest::Harness<'_, UnknotApp>, &str),
) {
    for &(width, height) in sizes {
        for &scale in scales {
            let clock = ManualClock::new();
            let prefs = Preferences {
                ui_scale: scale,
                ..prefs()
            };
            // The reason as a real machine without a sound card gives it.
            let (mut app, _) = app_with(
                &clock,
                AudioStatus::Unavailable("Failed to get the config for the given device".into()),
                prefs,
                None,
            );
            app.notice = Some(LONG_NOTICE.into());
            setup(&mut app, &clock);
            let mut harness = harness_sized(app, width, height);
            harness.run();
            harness.get_by_label_contains("No working sound output");
            harness.get_by_label_contains("A passing notice");
            let at = format!("{width}x{height} at {}%", scale * 100.0);
            check(&mut harness, &at);
        }
    }
}

fn go(app: &mut UnknotApp, command: impl Into<Command>) {
    app.run_command(command.into());
}

#[test]
fn the_library_fits_with_its_top_bar_and_card_buttons() {
    at_every_size(
        read_safety,
        |_, _| {},
        |harness, at| {
            let mut labels = TOP_BAR.to_vec();
            labels.extend(["New routine", "Import…", "Endorphin routine"]);
            assert_fits(harness, &labels, at);
            // No card's title runs under its figure.
            let figures: Vec<egui::Rect> = harness
                .root()
                .children_recursive()
                .filter(|node| node.accesskit_node().role() == egui::accesskit::Role::Image)
                .map(|node| node.rect())
                .collect();
            for title in ["Endorphin routine", "Heat and massage for the lower back"] {
                let rect = control_rect(harness, title);
                for figure in &figures {
                    assert!(
                        !rect.shrink(0.5).intersects(figure.shrink(0.5)),
                        "{at}: \"{title}\" at {rect:?} runs under a figure at {figure:?}"
                    );
                }
            }
        },
    );
}

#[test]
fn setup_keeps_start_in_view_however_long_the_page() {
    at_every_size(
        read_safety,
        |app, _| {
            go(
                app,
                NavCommand::OpenRoutine("shoulders-to-lower-back".into()),
            )
        },
        |harness, at| {
            let mut labels = TOP_BAR.to_vec();
            labels.extend([
                "Duplicate and edit",
                "Export…",
                "Start",
                "Answer the injury question above to start.",
            ]);
            assert_fits(harness, &labels, at);
            // Between the header and Start there is room for the page: its
            // first line shows, wholly above Start.
            let summary = match &harness.state().screen {
                unknot::app::Screen::Setup(setup) => setup.routine.summary.clone(),
                other => panic!("expected setup, found {}", other.name()),
            };
            let first = control_rect(harness, &summary);
            let start = control_rect(harness, "Start");
            assert!(
                first.top() + 20.0 <= start.top() - 8.0,
                "{at}: the page has no room above Start ({first:?} vs {start:?})"
            );
        },
    );
}

#[test]
fn the_player_keeps_its_controls_while_asking_to_quit() {
    at_every_size(
        read_safety,
        |app, clock| {
            app.autoplay("shoulders-to-lower-back", None).unwrap();
            clock.advance(Duration::from_secs(8));
            go(app, NavCommand::Quit);
        },
        |harness, at| {
            harness.get_by_label("The heat is on: take it off before you go.");
            assert_fits(harness, &["Stop and quit", "Keep the session"], at);
        },
    );
}

#[test]
fn the_finish_screen_fits_with_its_buttons_centred() {
    at_every_size(
        read_safety,
        |app, clock| {
            app.autoplay("quick-tension-break", None).unwrap();
            clock.advance(Duration::from_secs(20));
            go(app, Control::Stop);
        },
        |harness, at| {
            let mut labels = TOP_BAR.to_vec();
            labels.extend(["Play again", "Back to routines"]);
            assert_fits(harness, &labels, at);
            // Centred: the space left of the pair matches the space right of it.
            let screen = harness.ctx.content_rect();
            let left = harness.get_by_label("Play again").rect().left() - screen.left();
            let right = screen.right() - harness.get_by_label("Back to routines").rect().right();
            assert!(
                (left - right).abs() <= 40.0,
                "{at}: the buttons sit {left} from the left and {right} from the right"
            );
        },
    );
}

#[test]
fn settings_history_and_safety_fit() {
    for (screen, extra) in [
        (NavCommand::ShowSettings, vec![]),
        (NavCommand::ShowHistory, vec![]),
        (NavCommand::ShowSafety, vec!["Back to routines"]),
    ] {
        at_every_size(
            read_safety,
            |app, _| go(app, screen.clone()),
            |harness, at| {
                let mut labels = TOP_BAR.to_vec();
                labels.extend(extra.iter().copied());
                assert_fits(harness, &labels, &format!("{screen:?} {at}"));
            },
        );
    }
}

#[test]
fn the_first_start_safety_page_keeps_its_button_in_view() {
    at_every_size(
        Preferences::default,
        |_, _| {},
        |harness, at| assert_fits(harness, &["I have read this"], at),
    );
}

#[test]
fn the_editor_keeps_save_and_cancel_in_view() {
    at_every_size(
        read_safety,
        |app, _| go(app, RoutineCommand::EditRoutine("endorphin-15".into())),
        |harness, at| {
            let mut labels = TOP_BAR.to_vec();
            labels.extend(["Save", "Cancel", "Export…"]);
            assert_fits(harness, &labels, at);
        },
    );
}

#[test]
fn quitting_mid_session_asks_first_and_keeps_the_session_on_no() {
    let clock = ManualClock::new();
    let (mut app, _) = app(&clock, AudioStatus::Ready);
    // Nothing playing: Ctrl+Q quits at once.
    go(&mut app, NavCommand::Quit);
    assert!(app.take_close_request());

    app.autoplay("endorphin-15", None).unwrap();
    let mut harness = harness(app);
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Q);
    harness.run();
    assert!(harness.state().confirm_quit, "asks");
    assert!(!harness.state_mut().take_close_request(), "does not close");
    assert!(paused(&harness), "pauses while asking");
    harness.get_by_label_contains("Quit unknot?");
    // No heat in this routine: no heat line.
    assert!(
        harness
            .query_by_label("The heat is on: take it off before you go.")
            .is_none()
    );

    // Esc keeps the session (still paused, nothing recorded).
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(!harness.state().confirm_quit);
    assert_eq!(harness.state().screen.name(), "player");
    assert!(harness.query_by_label_contains("Quit unknot?").is_none());

    // "Keep the session" does the same; Space then carries on.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Q);
    harness.run();
    harness.get_by_label("Keep the session").click();
    harness.run();
    assert!(!harness.state().confirm_quit);
    harness.key_press(egui::Key::Space);
    harness.run();
    assert!(!paused(&harness));

    // Ctrl+Q twice quits.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Q);
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Q);
    harness.run();
    assert!(harness.state_mut().take_close_request());
}

#[test]
fn stop_and_quit_closes_and_a_session_ending_meanwhile_drops_the_question() {
    let clock = ManualClock::new();
    let (mut app, _) = app(&clock, AudioStatus::Ready);
    app.autoplay("endorphin-15", None).unwrap();
    go(&mut app, NavCommand::Quit);
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label("Stop and quit").click();
    harness.run();
    assert!(harness.state_mut().take_close_request());

    let (mut app, _) = common::ui::app(&clock, AudioStatus::Ready);
    app.autoplay("endorphin-15", None).unwrap();
    go(&mut app, NavCommand::Quit);
    go(&mut app, SessionCommand::Control(Control::Stop));
    app.check_session_end();
    assert_eq!(app.screen.name(), "finish");
    assert!(!app.confirm_quit, "nothing left to ask about");
    go(&mut app, NavCommand::Quit);
    assert!(
        app.take_close_request(),
        "quits at once from the finish screen"
    );
}

#[test]
fn a_session_opened_in_the_history_fits_at_1024_and_1920() {
    for (width, height) in [(1024.0, 720.0), (1920.0, 1080.0)] {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::new();
        let (mut app, _) = app_with_history(&clock, read_safety(), &dir.path().join("h.sqlite3"));
        app.autoplay("quick-tension-break", None).unwrap();
        clock.advance(Duration::from_secs(30));
        go(&mut app, Control::Stop);
        app.check_session_end();
        go(&mut app, NavCommand::ShowHistory);
        let mut harness = harness_sized(app, width, height);
        wait_until(&mut harness, "the history", |app| {
            history_state(app).is_some_and(|state| state.loaded_rows().count() == 1)
        });
        // Any cell opens the session, not only the date.
        harness.get_by_label("Quick tension break").click();
        harness.run();
        assert!(history_state(harness.state()).is_some_and(|state| state.detail.is_some()));
        harness.get_by_label("Delete…").click();
        harness.run();
        harness.get_by_label("Delete this session?");
        let at = format!("{width}x{height} with a session open");
        assert_fits(&harness, &["Save changes", "Delete", "Keep", "Close"], &at);
        // Beside the table when there is room; in its place when not. Never
        // over it.
        match harness.query_by_label("After") {
            Some(after) => {
                for label in ["Delete", "Keep", "Close"] {
                    let rect = control_rect(&harness, label);
                    assert!(
                        rect.left() >= after.rect().right(),
                        "{at}: \"{label}\" at {rect:?} overlaps the table"
                    );
                }
            }
            None => assert!(width < 1100.0, "{at}: the table is missing"),
        }
        // Close brings the list back.
        harness.get_by_label("Close").click();
        harness.run();
        harness.get_by_label("After");
    }
}

#[test]
fn the_player_keeps_the_step_and_its_countdown_in_view_with_its_controls() {
    player_step_in_view(&SIZES, &SCALES);
}

#[test]
fn the_player_fits_from_800x600_at_200_percent_to_4k_at_75_percent() {
    player_step_in_view(&[(800.0, 600.0), (3840.0, 2160.0)], &[0.75, 2.0]);
}

fn player_step_in_view(sizes: &[(f32, f32)], scales: &[f32]) {
    at_sizes(
        sizes,
        scales,
        read_safety,
        |app, clock| {
            app.autoplay("shoulders-to-lower-back", None).unwrap();
            clock.advance(Duration::from_secs(8));
        },
        |harness, at| {
            let title = match &harness.state().screen {
                unknot::app::Screen::Player(player) => player.plan.steps[0].step.title.clone(),
                other => panic!("expected the player, found {}", other.name()),
            };
            assert_fits(
                harness,
                &[
                    title.as_str(),
                    "Back",
                    "Pause",
                    "Skip",
                    "Stop",
                    "Stop \u{2014} it hurt",
                    "Ease off or stop if the muscles tense up or the pain sharpens.",
                ],
                at,
            );
            // The countdown ("0:52"): wholly inside the window too.
            let screen = harness.ctx.content_rect();
            let countdown = harness
                .root()
                .children_recursive()
                .find(|node| {
                    let text = node.accesskit_node().value().unwrap_or_default();
                    let (minutes, seconds) = text.split_once(':').unwrap_or(("", ""));
                    !minutes.is_empty()
                        && minutes.chars().all(|c| c.is_ascii_digit())
                        && seconds.len() == 2
                        && seconds.chars().all(|c| c.is_ascii_digit())
                })
                .expect("a countdown");
            assert!(
                screen.contains_rect(countdown.rect()),
                "{at}: the countdown at {:?} is not inside {screen:?}",
                countdown.rect()
            );
            // The heat on the skin is in sight too (its timer, or in the
            // smallest windows its one-line form).
            let heat_in_view = harness.root().children_recursive().any(|node| {
                node.accesskit_node()
                    .value()
                    .is_some_and(|text| text.starts_with("Heat"))
                    && screen.contains_rect(node.rect())
            });
            assert!(heat_in_view, "{at}: the heat is not in view");
        },
    );
}

#[test]
fn the_history_leaves_room_for_its_sessions_in_a_short_window() {
    for scale in SCALES {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::new();
        let prefs = Preferences {
            ui_scale: scale,
            ..read_safety()
        };
        let (mut app, _) = app_with_history(&clock, prefs, &dir.path().join("h.sqlite3"));
        app.autoplay("quick-tension-break", None).unwrap();
        clock.advance(Duration::from_secs(30));
        go(&mut app, Control::Stop);
        app.check_session_end();
        go(&mut app, NavCommand::ShowHistory);
        let mut harness = harness_sized(app, 800.0, 600.0);
        wait_until(&mut harness, "the history", |app| {
            history_state(app).is_some_and(|state| state.loaded_rows().count() == 1)
        });
        let at = format!("800x600 at {}%", scale * 100.0);
        let mut labels = TOP_BAR.to_vec();
        labels.extend(["Quick tension break", "Export…"]);
        assert_fits(&harness, &labels, &at);
    }
}

#[test]
fn the_text_size_lands_on_100_percent_in_one_click() {
    let clock = ManualClock::new();
    let prefs = Preferences {
        ui_scale: 1.3,
        ..read_safety()
    };
    let (mut app, _) = app_with(&clock, AudioStatus::Ready, prefs, None);
    go(&mut app, NavCommand::ShowSettings);
    let mut harness = harness_sized(app, 1024.0, 720.0);
    harness.run();
    harness.get_by_label("100 %").click();
    harness.run();
    assert!((harness.state().prefs().ui_scale - 1.0).abs() < f32::EPSILON);
    harness.get_by_label("150 %").click();
    harness.run();
    assert!((harness.state().prefs().ui_scale - 1.5).abs() < f32::EPSILON);
}

#[test]
fn a_heat_step_shows_its_whole_instructions_at_the_usual_sizes() {
    at_sizes(
        &[(1024.0, 720.0), (1920.0, 1080.0)],
        &[1.0],
        read_safety,
        |app, clock| {
            app.autoplay("lower-back-heat", None).unwrap();
            // Past the get-ready count and the first step, into the heat.
            go(app, Control::Skip);
            go(app, Control::Skip);
            clock.advance(Duration::from_secs(1));
        },
        |harness, at| {
            let instructions = match &harness.state().screen {
                unknot::app::Screen::Player(player) => {
                    player.plan.steps[1].step.instructions.clone()
                }
                other => panic!("expected the player, found {}", other.name()),
            };
            let screen = harness.ctx.content_rect();
            let rect = control_rect(harness, &instructions);
            let stop_rule = control_rect(
                harness,
                "Ease off or stop if the muscles tense up or the pain sharpens.",
            );
            assert!(
                screen.contains_rect(rect) && rect.bottom() <= stop_rule.top(),
                "{at}: the instructions at {rect:?} are not all in view above the controls at {stop_rule:?}"
            );
        },
    );
}
