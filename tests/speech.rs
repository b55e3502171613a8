//! Spoken guidance against a real Speech Dispatcher with an espeak-ng voice,
//! started by the test in a folder of its own with its sound going to a
//! PulseAudio null sink that is recorded; and with no service at all.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use unknot::audio::CueSink;
use unknot::clock::MonotonicClock;
use unknot::conductor::{Conductor, Listeners};
use unknot::core::announce::Announcements;
use unknot::core::engine::{CueKind, PlannedStep, SessionPlan};
use unknot::core::prefs::VoicePrefs;
use unknot::core::routine::{Pressure, Region, Side, Step, Technique, Tool};
use unknot::speech::{Speech, SpeechConfig, SpeechStatus, VoiceSink};

const WAIT: Duration = Duration::from_secs(20);
/// What the test's cue sink says each cue's sound lasts.
const CUE_SOUND: Duration = Duration::from_millis(300);

/// A private speech service, stopped when dropped.
struct Service {
    dir: tempfile::TempDir,
    values: HashMap<String, String>,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/private_speechd.sh")
}

impl Service {
    fn start() -> Self {
        // Unix socket paths are short: keep the folder near the root.
        let dir = tempfile::Builder::new()
            .prefix("sd.")
            .tempdir_in("/tmp")
            .unwrap();
        let output = Command::new("bash")
            .arg(script())
            .arg("start")
            .arg(dir.path())
            .arg("pulse")
            .output()
            .expect("bash runs");
        assert!(
            output.status.success(),
            "the private speech service did not start (bash scripts/install-deps.sh test installs it): {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let values = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect();
        Self { dir, values }
    }

    fn socket(&self) -> PathBuf {
        PathBuf::from(&self.values["SOCKET"])
    }

    fn capture(&self) -> PathBuf {
        PathBuf::from(&self.values["CAPTURE"])
    }

    fn kill(&self) {
        let pid = &self.values["SPEECHD_PID"];
        let _ = Command::new("kill").args(["-9", pid]).status();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(self.dir.path())
            .output();
    }
}

/// Records each cue with when it was handed over.
struct RecordingSink(Mutex<Sender<(CueKind, Instant)>>);

impl CueSink for RecordingSink {
    fn play(&self, kind: CueKind) {
        let _ = self.0.lock().unwrap().send((kind, Instant::now()));
    }

    fn sound_length(&self, _kind: CueKind) -> Duration {
        CUE_SOUND
    }
}

fn plan(titles: &[&str], millis: u64) -> SessionPlan {
    SessionPlan {
        routine_id: "test".into(),
        routine_name: "Test".into(),
        lead_in: Duration::ZERO,
        transition: Duration::ZERO,
        heat: Vec::new(),
        steps: titles
            .iter()
            .map(|title| PlannedStep {
                step: Step {
                    title: (*title).into(),
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
                duration: Duration::from_millis(millis),
                round: Default::default(),
            })
            .collect(),
    }
}

/// A speech thread for `socket`, and a channel that hears its status changes.
fn speech(socket: PathBuf) -> (Arc<Speech>, Receiver<()>) {
    let (changed, changes) = mpsc::channel();
    let changed = Mutex::new(changed);
    let speech = Speech::start(
        SpeechConfig {
            socket: Ok(socket),
            autospawn: false,
        },
        &VoicePrefs::default(),
        Arc::new(move || {
            let _ = changed.lock().unwrap().send(());
        }),
    );
    (Arc::new(speech), changes)
}

fn wait_for_status(speech: &Speech, changes: &Receiver<()>, wanted: fn(&SpeechStatus) -> bool) {
    while !wanted(&speech.status()) {
        changes
            .recv_timeout(WAIT)
            .unwrap_or_else(|_| panic!("status stayed {:?}", speech.status()));
    }
}

/// Waits until the service has begun `count` lines (it reports each).
fn wait_for_lines(speech: &Speech, count: usize) {
    let deadline = Instant::now() + WAIT;
    while speech.timings().len() < count {
        assert!(
            Instant::now() < deadline,
            "only {} of {count} lines began",
            speech.timings().len()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn play(speech: &Arc<Speech>, titles: &[&str], millis: u64) -> Vec<(CueKind, Instant)> {
    let (sender, cues) = mpsc::channel();
    let conductor = Conductor::start_with(
        plan(titles, millis),
        Arc::new(MonotonicClock::new()),
        Arc::new(RecordingSink(Mutex::new(sender))),
        Arc::new(|| {}),
        Listeners {
            voice: Some((
                Arc::clone(speech) as Arc<dyn VoiceSink>,
                Announcements::default(),
            )),
            ..Listeners::default()
        },
    )
    .unwrap();
    let mut heard = Vec::new();
    while let Ok(cue) = cues.recv_timeout(WAIT) {
        heard.push(cue);
        if cue.0 == CueKind::SessionEnd {
            break;
        }
    }
    for timing in conductor.timings() {
        println!(
            "cue {:?}: {:.2} ms after its boundary",
            timing.kind,
            timing.lateness.as_secs_f64() * 1000.0
        );
    }
    heard
}

#[test]
fn a_step_start_is_spoken_after_its_cue_by_a_real_speech_service() {
    let service = Service::start();
    let (speech, changes) = speech(service.socket());
    wait_for_status(&speech, &changes, |status| *status == SpeechStatus::Ready);
    // espeak-ng loads its voice on the first line: warm it up.
    speech.test("Ready.");
    wait_for_lines(&speech, 1);

    let heard = play(&speech, &["Neck strokes", "Shoulder squeeze"], 2500);
    let kinds: Vec<CueKind> = heard.iter().map(|(kind, _)| *kind).collect();
    assert_eq!(
        kinds,
        [CueKind::StepStart, CueKind::StepStart, CueKind::SessionEnd]
    );
    // Each step's start and the end are spoken.
    wait_for_lines(&speech, 4);
    let lines = &speech.timings()[1..];
    for (line, (_, cue_at)) in lines.iter().zip(&heard) {
        // Cue first, then speech: never before the cue's sound is over.
        assert_eq!(line.delay, CUE_SOUND);
        assert!(
            line.began >= *cue_at + CUE_SOUND,
            "speech began {:?} after its cue, inside the cue's sound",
            line.began.saturating_duration_since(*cue_at)
        );
        println!(
            "speech began {:.1} ms after its cue was handed over ({:.1} ms after the cue's sound)",
            line.began.saturating_duration_since(*cue_at).as_secs_f64() * 1000.0,
            line.began
                .saturating_duration_since(*cue_at + CUE_SOUND)
                .as_secs_f64()
                * 1000.0
        );
    }
    // And it reached the sound server: the recording is not silent.
    let audio = std::fs::read(service.capture()).unwrap();
    let loudest = audio
        .chunks_exact(2)
        .map(|pair| i16::from_le_bytes([pair[0], pair[1]]).unsigned_abs())
        .max()
        .unwrap_or(0);
    assert!(loudest > 1000, "the recording is silent (peak {loudest})");
}

#[test]
fn a_service_that_dies_is_reported_and_the_cues_keep_time() {
    let service = Service::start();
    let (speech, changes) = speech(service.socket());
    wait_for_status(&speech, &changes, |status| *status == SpeechStatus::Ready);
    service.kill();
    speech.say(Some("Anyone there?".into()), Duration::ZERO);
    wait_for_status(&speech, &changes, |status| {
        matches!(status, SpeechStatus::Unavailable(_))
    });
    let heard = play(&speech, &["One", "Two", "Three"], 200);
    assert_eq!(heard.len(), 4, "every cue still sounds: {heard:?}");
}

#[test]
fn with_no_service_the_voice_says_why_and_every_cue_still_sounds() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("speechd.sock");
    let (speech, changes) = speech(missing.clone());
    wait_for_status(&speech, &changes, |status| {
        matches!(status, SpeechStatus::Unavailable(_))
    });
    let SpeechStatus::Unavailable(reason) = speech.status() else {
        unreachable!()
    };
    assert!(reason.contains(&missing.display().to_string()), "{reason}");
    let heard = play(&speech, &["One", "Two", "Three"], 200);
    let kinds: Vec<CueKind> = heard.iter().map(|(kind, _)| *kind).collect();
    assert_eq!(
        kinds,
        [
            CueKind::StepStart,
            CueKind::StepStart,
            CueKind::StepStart,
            CueKind::SessionEnd
        ]
    );
    assert!(speech.timings().is_empty());
}
