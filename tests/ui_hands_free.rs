//! The window with no speech service and no session bus: each says so once
//! in a notice that can be dismissed, the player still fits with both
//! notices showing at every tested size, and switching the voice off in
//! Settings takes its notice away.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use egui_kittest::kittest::Queryable;

use unknot::app::{NavCommand, UnknotApp};
use unknot::audio::AudioStatus;
use unknot::clock::ManualClock;
use unknot::core::prefs::{Preferences, VoicePrefs};
use unknot::desktop::{Desktop, DesktopConfig, DesktopPrefs, DesktopStatus};
use unknot::speech::{Speech, SpeechConfig, SpeechStatus};

mod common;
use common::ui::*;

const WAIT: Duration = Duration::from_secs(10);

fn waker() -> (Arc<dyn Fn() + Send + Sync>, Receiver<()>) {
    let (sender, receiver) = mpsc::channel();
    let sender = Mutex::new(sender);
    (
        Arc::new(move || {
            let _ = sender.lock().unwrap().send(());
        }),
        receiver,
    )
}

/// A speech thread and a desktop thread that both find nothing to talk to.
fn unreachable_services(dir: &std::path::Path) -> (Arc<Speech>, Arc<Desktop>) {
    let (wake, woken) = waker();
    let speech = Speech::start(
        SpeechConfig {
            socket: Ok(dir.join("speechd.sock")),
            autospawn: false,
        },
        &VoicePrefs::default(),
        Arc::clone(&wake),
    );
    let desktop = Desktop::start(
        DesktopConfig {
            address: Some(format!("unix:path={}", dir.join("bus").display())),
            wake,
            autostart: None,
        },
        DesktopPrefs {
            notifications: true,
            media_keys: true,
            reminders: false,
        },
    );
    while !matches!(speech.status(), SpeechStatus::Unavailable(_))
        || !matches!(desktop.status(), DesktopStatus::Unavailable(_))
    {
        woken.recv_timeout(WAIT).expect("both threads report");
    }
    (Arc::new(speech), Arc::new(desktop))
}

fn served_app(
    clock: &ManualClock,
    prefs: Preferences,
    services: &(Arc<Speech>, Arc<Desktop>),
) -> UnknotApp {
    app_served(
        clock,
        AudioStatus::Ready,
        prefs,
        None,
        None,
        Some(Arc::clone(&services.0)),
        Some(Arc::clone(&services.1)),
    )
    .0
}

#[test]
fn without_a_voice_or_a_bus_the_player_says_so_and_still_fits() {
    let dir = tempfile::tempdir().unwrap();
    let services = unreachable_services(dir.path());
    for (width, height) in SIZES {
        for scale in SCALES {
            let clock = ManualClock::new();
            let prefs = Preferences {
                ui_scale: scale,
                ..read_safety()
            };
            let mut app = served_app(&clock, prefs, &services);
            app.autoplay("endorphin-15", None).unwrap();
            clock.advance(Duration::from_secs(8));
            let mut harness = harness_sized(app, width, height);
            harness.run();
            let at = format!("{width}x{height} at {}%", scale * 100.0);
            // One notice for both, not a stack of them over the player.
            harness.get_by_label_contains(
                "This computer has no speech service and no desktop session bus: cues sound as tones only, without a voice, media keys or notifications.",
            );
            assert_fits(
                &harness,
                &["Back", "Pause", "Skip", "Stop", "Stop \u{2014} it hurt"],
                &at,
            );
        }
    }
}

#[test]
fn the_notice_goes_when_dismissed_and_the_voice_part_when_the_voice_is_off() {
    let dir = tempfile::tempdir().unwrap();
    let services = unreachable_services(dir.path());
    let both = "This computer has no speech service and no desktop session bus";
    let clock = ManualClock::new();
    let app = served_app(&clock, read_safety(), &services);
    let mut harness = harness_sized(app, 1024.0, 720.0);
    harness.run();
    harness.get_by_label_contains(both);
    harness.get_by_label("Dismiss").click();
    harness.run();
    assert!(harness.query_by_label_contains(both).is_none());
    assert!(harness.query_by_label("Dismiss").is_none());

    // Settings says why there is no voice; switching the voice off leaves
    // only the bus to mention.
    let app = served_app(&clock, read_safety(), &services);
    // Tall enough for the whole of Settings without scrolling.
    let mut harness = harness_sized(app, 1024.0, 2400.0);
    harness
        .state_mut()
        .run_command(NavCommand::ShowSettings.into());
    harness.run();
    harness.get_by_label_contains("No speech service: no speech service answers at");
    harness.get_by_label("Speak the steps aloud").click();
    harness.run();
    assert!(!harness.state().prefs().voice.enabled);
    assert!(harness.query_by_label_contains(both).is_none());
    assert!(
        harness
            .query_by_label_contains("No speech service (")
            .is_none()
    );
    harness.get_by_label_contains(
        "No desktop session bus here, so media keys and notifications are off.",
    );
}

#[test]
fn a_headset_resume_answers_the_stop_question() {
    let clock = ManualClock::new();
    let (mut app, _) = app(&clock, AudioStatus::Ready);
    app.autoplay("endorphin-15", None).unwrap();
    let mut harness = harness_sized(app, 1024.0, 720.0);
    harness.run();
    harness
        .state_mut()
        .run_command(unknot::app::SessionCommand::AskStop.into());
    harness.run();
    harness.get_by_label_contains("Stop this session?");
    // The media key reaches the session directly, not through the window.
    let handle = match &harness.state().screen {
        unknot::app::Screen::Player(player) => player.conductor.handle(),
        _ => panic!("expected the player"),
    };
    handle.control(unknot::core::engine::Control::Resume);
    harness.run();
    assert!(
        harness
            .query_by_label_contains("Stop this session?")
            .is_none()
    );
    match &harness.state().screen {
        unknot::app::Screen::Player(player) => assert!(!player.confirm_stop),
        _ => panic!("expected the player"),
    }
}
