//! Helpers for the UI tests: the real app with fake sound and a hand-driven clock.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use egui_kittest::Harness;

use unknot::app::{AppDeps, Screen, UnknotApp};
use unknot::audio::{AudioStatus, CueSink};
use unknot::clock::ManualClock;
use unknot::core::engine::{CueKind, Phase};
use unknot::core::prefs::{CueSettings, Preferences};
use unknot::library;

/// Every cue played, and every master volume applied.
#[derive(Default)]
pub struct Recorded(pub Mutex<Vec<CueKind>>, pub Mutex<Vec<f32>>);

impl CueSink for Recorded {
    fn play(&self, kind: CueKind) {
        self.0.lock().expect("lock").push(kind);
    }

    fn apply_settings(&self, master_volume: f32, _cues: &CueSettings) {
        self.1.lock().expect("lock").push(master_volume);
    }
}

pub fn app(clock: &ManualClock, audio: AudioStatus) -> (UnknotApp, Arc<Recorded>) {
    app_with(clock, audio, read_safety(), None)
}

pub fn app_with(
    clock: &ManualClock,
    audio: AudioStatus,
    prefs: Preferences,
    prefs_saver: Option<unknot::store::prefs_store::PrefsSaver>,
) -> (UnknotApp, Arc<Recorded>) {
    app_from(clock, audio, prefs, prefs_saver, None)
}

/// An app that records sessions in the history file at `path`.
pub fn app_with_history(
    clock: &ManualClock,
    prefs: Preferences,
    path: &std::path::Path,
) -> (UnknotApp, Arc<Recorded>) {
    let history = unknot::store::history_worker::HistoryWorker::start(
        path.to_owned(),
        "s".into(),
        Arc::new(|| {}),
    );
    app_from(clock, AudioStatus::Ready, prefs, None, Some(history))
}

pub fn app_from(
    clock: &ManualClock,
    audio: AudioStatus,
    prefs: Preferences,
    prefs_saver: Option<unknot::store::prefs_store::PrefsSaver>,
    history: Option<unknot::store::history_worker::HistoryWorker>,
) -> (UnknotApp, Arc<Recorded>) {
    app_served(clock, audio, prefs, prefs_saver, history, None, None)
}

/// [`app_from`], with a speech thread and a desktop thread.
pub fn app_served(
    clock: &ManualClock,
    audio: AudioStatus,
    prefs: Preferences,
    prefs_saver: Option<unknot::store::prefs_store::PrefsSaver>,
    history: Option<unknot::store::history_worker::HistoryWorker>,
    speech: Option<Arc<unknot::speech::Speech>>,
    desktop: Option<Arc<unknot::desktop::Desktop>>,
) -> (UnknotApp, Arc<Recorded>) {
    let cues = Arc::new(Recorded::default());
    let deps = AppDeps {
        library: library::load_builtin(),
        clock: Arc::new(clock.clone()),
        cues: Arc::clone(&cues) as Arc<dyn CueSink>,
        audio_status: Box::new(move || audio.clone()),
        prefs,
        prefs_saver,
        startup_notice: None,
        disk: None,
        prefs_path: None,
        history,
        user_routines_dir: None,
        speech,
        desktop,
    };
    (UnknotApp::new(deps, Arc::new(|| {})), cues)
}

pub fn harness(app: UnknotApp) -> Harness<'static, UnknotApp> {
    Harness::builder()
        .with_size(egui::vec2(1200.0, 900.0))
        .build_ui_state(|ui, app: &mut UnknotApp| app.show(ui), app)
}

pub fn phase(harness: &Harness<'_, UnknotApp>) -> Phase {
    match &harness.state().screen {
        Screen::Player(player) => player.conductor.snapshot().view.phase,
        other => panic!("expected the player, found {}", other.name()),
    }
}

pub fn paused(harness: &Harness<'_, UnknotApp>) -> bool {
    match &harness.state().screen {
        Screen::Player(player) => player.conductor.snapshot().view.paused,
        other => panic!("expected the player, found {}", other.name()),
    }
}

pub fn history_state(app: &UnknotApp) -> Option<&unknot::app::history::HistoryState> {
    match &app.screen {
        Screen::History(state) => Some(state),
        _ => None,
    }
}

/// Runs frames until the history thread's answer has been drawn.
pub fn wait_until(
    harness: &mut Harness<'_, UnknotApp>,
    what: &str,
    done: impl Fn(&UnknotApp) -> bool,
) {
    for _ in 0..200 {
        harness.run_steps(1);
        if done(harness.state()) {
            harness.run_steps(2);
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("timed out waiting for {what}");
}

/// Preferences of someone who has read the first-start safety page.
pub fn read_safety() -> Preferences {
    Preferences {
        safety_acknowledged: true,
        ..Preferences::default()
    }
}

/// The window sizes every screen is checked at.
pub const SIZES: [(f32, f32); 3] = [(800.0, 600.0), (1024.0, 720.0), (1920.0, 1080.0)];
/// The text sizes every screen is checked at.
pub const SCALES: [f32; 2] = [1.0, 1.5];

/// A harness of the given size drawing `app`.
pub fn harness_sized(app: UnknotApp, width: f32, height: f32) -> Harness<'static, UnknotApp> {
    Harness::builder()
        .with_size(egui::vec2(width, height))
        .build_ui_state(|ui, app: &mut UnknotApp| app.show(ui), app)
}

/// Asserts that each labelled control is wholly inside the window and that
/// no two of them overlap.
pub fn assert_fits(harness: &Harness<'_, UnknotApp>, labels: &[&str], at: &str) {
    let screen = harness.ctx.content_rect();
    let rects: Vec<egui::Rect> = labels
        .iter()
        .map(|label| control_rect(harness, label))
        .collect();
    for (label, rect) in labels.iter().zip(&rects) {
        assert!(
            screen.contains_rect(*rect),
            "{at}: \"{label}\" at {rect:?} is not inside {screen:?}"
        );
    }
    for (i, a) in rects.iter().enumerate() {
        for (j, b) in rects.iter().enumerate().skip(i + 1) {
            assert!(
                !a.shrink(0.5).intersects(b.shrink(0.5)),
                "{at}: \"{}\" overlaps \"{}\"",
                labels[i],
                labels[j]
            );
        }
    }
}

/// A notice long enough to wrap on a narrow window.
pub const LONG_NOTICE: &str =
    "A passing notice, long enough to wrap on a narrow window, the way a saved-file message does.";

/// Where the control named `label` is: a heading with the same words as a
/// button (the "History" heading, the "History" place) is not the control.
pub fn control_rect(harness: &Harness<'_, UnknotApp>, label: &str) -> egui::Rect {
    use egui_kittest::kittest::{NodeT, Queryable};
    let nodes: Vec<_> = harness.query_all_by_label(label).collect();
    let controls: Vec<_> = nodes
        .iter()
        .filter(|node| {
            !matches!(
                node.accesskit_node().role(),
                egui::accesskit::Role::Label | egui::accesskit::Role::Heading
            )
        })
        .collect();
    match (nodes.as_slice(), controls.as_slice()) {
        ([only], _) => only.rect(),
        (_, [control]) => control.rect(),
        _ => panic!(
            "{} nodes named \"{label}\", {} of them controls",
            nodes.len(),
            controls.len()
        ),
    }
}

/// Answers the fresh-injury question on the setup screen ("No, it is an old
/// stiffness"), which heat and medium or firm pressure ask before Start.
pub fn answer_no_injury(harness: &mut Harness<'_, UnknotApp>) {
    use egui_kittest::kittest::Queryable as _;
    harness.get_by_label("No, it is an old stiffness").click();
    harness.run();
}
