//! The conductor on a real thread and the real clock: cues arrive with nobody
//! drawing frames, pauses hold them back, and stopping ends the thread.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use unknot::audio::CueSink;
use unknot::clock::MonotonicClock;
use unknot::conductor::Conductor;
use unknot::core::engine::{Control, CueKind, PlannedStep, SessionPlan};
use unknot::core::routine::{Pressure, Region, Side, Step, Technique, Tool};

struct RecordingSink(Mutex<Sender<(CueKind, Instant)>>);

impl CueSink for RecordingSink {
    fn play(&self, kind: CueKind) {
        let _ = self.0.lock().expect("lock").send((kind, Instant::now()));
    }
}

fn plan(step_millis: &[u64]) -> SessionPlan {
    SessionPlan {
        routine_id: "test".into(),
        routine_name: "Test".into(),
        lead_in: Duration::ZERO,
        transition: Duration::ZERO,
        heat: Vec::new(),
        steps: step_millis
            .iter()
            .map(|millis| PlannedStep {
                step: Step {
                    title: "step".into(),
                    region: Region::Neck,
                    technique: Technique::Stroking,
                    tool: Tool::Hands,
                    pressure: Pressure::Light,
                    side: Side::Center,
                    duration_secs: 1,
                    instructions: String::new(),
                    fixed: false,
                    say: None,
                },
                duration: Duration::from_millis(*millis),
                round: Default::default(),
            })
            .collect(),
    }
}

fn start(step_millis: &[u64]) -> (Conductor, Receiver<(CueKind, Instant)>, Arc<Mutex<usize>>) {
    let (sender, receiver) = mpsc::channel();
    let repaints = Arc::new(Mutex::new(0usize));
    let counter = Arc::clone(&repaints);
    let conductor = Conductor::start(
        plan(step_millis),
        Arc::new(MonotonicClock::new()),
        Arc::new(RecordingSink(Mutex::new(sender))),
        Arc::new(move || *counter.lock().expect("lock") += 1),
    )
    .expect("thread starts");
    (conductor, receiver, repaints)
}

#[test]
fn cues_fire_on_their_own_thread_without_any_frames() {
    let started = Instant::now();
    let (conductor, cues, repaints) = start(&[150, 150, 150]);
    let mut received = Vec::new();
    while let Ok((kind, at)) = cues.recv_timeout(Duration::from_secs(5)) {
        received.push((kind, at.duration_since(started)));
        if kind == CueKind::SessionEnd {
            break;
        }
    }
    let kinds: Vec<CueKind> = received.iter().map(|(kind, _)| *kind).collect();
    assert_eq!(
        kinds,
        vec![
            CueKind::StepStart,
            CueKind::StepStart,
            CueKind::StepStart,
            CueKind::SessionEnd
        ]
    );
    // The end is due 450 ms after the start; it must not come early.
    assert!(received[3].1 >= Duration::from_millis(450), "{received:?}");
    // The window is woken right after the end cue is handed to the audio.
    let deadline = Instant::now() + Duration::from_secs(5);
    while *repaints.lock().expect("lock") == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        *repaints.lock().expect("lock") >= 1,
        "the window was woken for the end"
    );
    assert!(
        conductor.snapshot().view.phase
            == unknot::core::engine::Phase::Ended(unknot::core::engine::Ending::Completed)
    );
    assert_eq!(conductor.timings().len(), 4);
}

#[test]
fn pause_holds_cues_back_and_resume_releases_them() {
    let (conductor, cues, _) = start(&[1000, 300]);
    assert_eq!(
        cues.recv_timeout(Duration::from_secs(2)).map(|c| c.0),
        Ok(CueKind::StepStart)
    );
    conductor.control(Control::Pause);
    // While paused the next boundary (due at 1 s) does not fire.
    assert!(cues.recv_timeout(Duration::from_millis(1500)).is_err());
    assert!(conductor.snapshot().view.paused);
    conductor.control(Control::Resume);
    assert_eq!(
        cues.recv_timeout(Duration::from_secs(2)).map(|c| c.0),
        Ok(CueKind::StepStart)
    );
    conductor.control(Control::Stop);
    assert!(
        cues.recv_timeout(Duration::from_millis(800)).is_err(),
        "no cue after stop"
    );
}

#[test]
fn dropping_a_playing_conductor_joins_its_thread() {
    let (conductor, _cues, _) = start(&[60_000]);
    let before = Instant::now();
    drop(conductor);
    assert!(
        before.elapsed() < Duration::from_secs(10),
        "drop waited for a 60 s step"
    );
}

/// Records every cue with its urgency (0 for a first sound).
struct UrgencySink(Mutex<Sender<(CueKind, u8)>>);

impl CueSink for UrgencySink {
    fn play(&self, kind: CueKind) {
        let _ = self.0.lock().expect("lock").send((kind, 0));
    }

    fn play_urgent(&self, kind: CueKind, urgency: u8) {
        let _ = self.0.lock().expect("lock").send((kind, urgency));
    }
}

/// Waits for the next cue of `kind`, skipping others.
fn next_of(cues: &Receiver<(CueKind, u8)>, kind: CueKind) -> u8 {
    loop {
        let (got, urgency) = cues
            .recv_timeout(Duration::from_secs(10))
            .expect("the cue arrives");
        if got == kind {
            return urgency;
        }
    }
}

#[test]
fn a_suspend_counts_toward_the_heat_cap_and_the_alarm_repeats_until_answered() {
    use unknot::clock::ManualClock;
    use unknot::core::routine::HeatSpan;
    let clock = ManualClock::new();
    let mut heat_plan = plan(&[600_000]);
    heat_plan.heat = vec![HeatSpan {
        source: Tool::HeatPack,
        region: Region::LowerBack,
        from_step: 0,
        to_step: 0,
        alongside: true,
    }];
    let (sender, cues) = mpsc::channel();
    let conductor = Conductor::start(
        heat_plan,
        Arc::new(clock.clone()),
        Arc::new(UrgencySink(Mutex::new(sender))),
        Arc::new(|| {}),
    )
    .expect("thread starts");
    assert_eq!(next_of(&cues, CueKind::HeatOn), 0);

    clock.advance(Duration::from_secs(60));
    // The laptop sleeps for 25 minutes with the pack on: the clock the heat
    // counts on jumps, the awake clock does not.
    clock.suspend(Duration::from_secs(25 * 60));
    assert_eq!(next_of(&cues, CueKind::HeatOff), 0);
    let view = conductor.snapshot().view;
    assert!(view.paused, "the massage paused where the sleep began");
    assert_eq!(view.slept, Some(Duration::from_secs(25 * 60)));
    assert!(view.heat_alarm);
    assert_eq!(conductor.snapshot().active_elapsed, Duration::from_secs(60));

    // Unanswered, it comes back 30 s later, more urgent, then sooner.
    clock.advance(Duration::from_secs(30));
    assert_eq!(next_of(&cues, CueKind::HeatOff), 1);
    clock.advance(Duration::from_secs(20));
    assert_eq!(next_of(&cues, CueKind::HeatOff), 2);

    conductor.control(Control::AcknowledgeHeat);
    assert!(!conductor.snapshot().view.heat_alarm);
    assert_eq!(
        conductor.snapshot().view.heat.map(|heat| heat.status),
        Some(unknot::core::engine::HeatStatus::Done { capped: true })
    );
}

#[test]
fn the_conductor_reports_progress_as_messages_until_the_end() {
    let (sender, receiver) = mpsc::channel();
    let (cue_sender, _cues) = mpsc::channel();
    let conductor = Conductor::start_reporting(
        plan(&[150, 150]),
        Arc::new(MonotonicClock::new()),
        Arc::new(RecordingSink(Mutex::new(cue_sender))),
        Arc::new(|| {}),
        Some(Box::new(move |active_secs, steps_done| {
            let _ = sender.send((active_secs, steps_done));
        })),
    )
    .expect("thread starts");
    // Each report is a change; the last says both steps are done.
    let mut reports = Vec::new();
    while let Ok(report) = receiver.recv_timeout(Duration::from_secs(5)) {
        reports.push(report);
        if report.1 == 2 {
            break;
        }
    }
    assert_eq!(
        reports.last().map(|report| report.1),
        Some(2),
        "{reports:?}"
    );
    assert!(
        reports.windows(2).all(|pair| pair[0] != pair[1]),
        "only changes are reported: {reports:?}"
    );
    assert!(
        reports.windows(2).all(|pair| pair[0].1 <= pair[1].1),
        "steps only go forward: {reports:?}"
    );
    drop(conductor);
}

#[test]
fn a_control_handle_works_from_another_thread_and_never_keeps_the_session() {
    let (conductor, _cues, _) = start(&[60_000]);
    let handle = conductor.handle();
    let from_elsewhere = handle.clone();
    std::thread::spawn(move || from_elsewhere.control(Control::Pause))
        .join()
        .expect("the other thread");
    assert!(conductor.snapshot().view.paused);
    assert!(handle.update().expect("still playing").view.paused);
    drop(conductor);
    // The session is gone with its conductor; the handle is inert.
    assert!(handle.update().is_none());
    handle.control(Control::Resume);
}

#[test]
fn a_stop_from_anywhere_remembers_that_heat_was_on() {
    let mut with_heat = plan(&[60_000, 60_000]);
    with_heat.heat = vec![unknot::core::routine::HeatSpan {
        source: Tool::HeatPack,
        region: Region::LowerBack,
        from_step: 0,
        to_step: 1,
        alongside: true,
    }];
    let (sender, cues) = mpsc::channel();
    let conductor = Conductor::start(
        with_heat,
        Arc::new(MonotonicClock::new()),
        Arc::new(RecordingSink(Mutex::new(sender))),
        Arc::new(|| {}),
    )
    .expect("thread starts");
    // Heat goes on with the first step.
    while let Ok((kind, _)) = cues.recv_timeout(Duration::from_secs(5)) {
        if kind == CueKind::HeatOn {
            break;
        }
    }
    assert!(!conductor.stopped_with_heat());
    conductor.handle().control(Control::Stop);
    assert!(conductor.stopped_with_heat());
    // Without heat, a stop says nothing of the kind.
    let (plain, _, _) = start(&[60_000]);
    plain.control(Control::Stop);
    assert!(!plain.stopped_with_heat());
}
