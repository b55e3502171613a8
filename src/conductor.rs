//! The conductor: a named thread that owns the timing of a playing session.
//!
//! It sleeps until the next cue is due (at most [`MAX_SLEEP`] at a time, so a
//! suspend is noticed within a second of waking), fires it, and asks the window
//! to repaint. Because it does not depend on frames, cues stay on time when
//! the window is minimised or covered.
//!
//! A suspend shows as the clock's `now` running ahead of its `awake` reading:
//! the session is then paused where the sleep began, while heat, counted on
//! `now`, has kept counting toward its cap.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::audio::CueSink;
use crate::clock::Clock;
use crate::core::engine::{Control, CueEvent, CueKind, Session, SessionPlan, SessionView};

/// Cues this late (after a suspend, say) are shown but not sounded, except the
/// end and "take the heat off".
pub const STALE_CUE: Duration = Duration::from_secs(2);
/// The longest the thread sleeps before looking at the clock again. Sleeps
/// are measured on the awake clock, so this bounds how late a wake-up from
/// suspend is noticed.
pub const MAX_SLEEP: Duration = Duration::from_secs(1);
/// A gap between the two clocks at least this long is taken as a suspend.
pub const SUSPEND_MIN: Duration = Duration::from_secs(2);

/// How late one cue fired, measured on the real clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CueTiming {
    /// Which cue.
    pub kind: CueKind,
    /// How long after its due time it was dispatched.
    pub lateness: Duration,
}

enum Wake {
    /// The schedule changed; recompute the next deadline.
    Reschedule,
    /// Leave the loop.
    Shutdown,
}

/// A point-in-time copy of what the player screen and the history need.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// What to draw.
    pub view: SessionView,
    /// Active time played, lead-in excluded.
    pub active_elapsed: Duration,
    /// Steps played to their end.
    pub steps_completed: usize,
}

struct Shared {
    session: Session,
    timings: Vec<CueTiming>,
    /// The clock's last (now, awake) readings, to notice a suspend.
    seen: (Duration, Duration),
}

impl Shared {
    /// Reads the clock, tells the session if the computer slept since the
    /// last reading, and returns `now`.
    fn observe(&mut self, clock: &dyn Clock) -> Duration {
        let (now, awake) = crate::clock::read_both(clock);
        let (last_now, last_awake) = self.seen;
        let slept = now
            .saturating_sub(last_now)
            .saturating_sub(awake.saturating_sub(last_awake));
        if slept >= SUSPEND_MIN {
            log::info!(
                "the computer slept for {} s; pausing the session",
                slept.as_secs()
            );
            self.session.suspended(now.saturating_sub(slept), slept);
        }
        self.seen = (now.max(last_now), awake.max(last_awake));
        now
    }

    fn snapshot(&mut self, clock: &dyn Clock) -> Snapshot {
        let now = self.observe(clock);
        Snapshot {
            view: self.session.view(now),
            active_elapsed: self.session.active_elapsed(now),
            steps_completed: self.session.steps_completed(now),
        }
    }
}

/// Plays one session on its own thread. Dropping it stops the thread.
pub struct Conductor {
    shared: Arc<Mutex<Shared>>,
    wake: Sender<Wake>,
    clock: Arc<dyn Clock>,
    cues: Arc<dyn CueSink>,
    notify: Arc<dyn Fn() + Send + Sync>,
    thread: Option<JoinHandle<()>>,
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Conductor {
    /// Starts playing `plan` now. `notify` is called whenever what is shown changes.
    pub fn start(
        plan: SessionPlan,
        clock: Arc<dyn Clock>,
        cues: Arc<dyn CueSink>,
        notify: Arc<dyn Fn() + Send + Sync>,
    ) -> std::io::Result<Self> {
        Self::start_reporting(plan, clock, cues, notify, None)
    }

    /// [`Self::start`], and calls `report` from the timing thread with the
    /// active seconds and steps done whenever they change (at most once a
    /// second, and once more at the end), so a record can be kept without
    /// anyone reading the session.
    pub fn start_reporting(
        plan: SessionPlan,
        clock: Arc<dyn Clock>,
        cues: Arc<dyn CueSink>,
        notify: Arc<dyn Fn() + Send + Sync>,
        report: Option<Box<dyn Fn(u32, u32) + Send>>,
    ) -> std::io::Result<Self> {
        let seen = crate::clock::read_both(clock.as_ref());
        let session = Session::start(plan, seen.0);
        let shared = Arc::new(Mutex::new(Shared {
            session,
            timings: Vec::new(),
            seen,
        }));
        let (wake, wake_receiver) = mpsc::channel();
        let thread = {
            let shared = Arc::clone(&shared);
            let clock = Arc::clone(&clock);
            let cues = Arc::clone(&cues);
            let notify = Arc::clone(&notify);
            thread::Builder::new()
                .name("unknot-conductor".into())
                .spawn(move || {
                    let mut reported = None;
                    loop {
                        let wait = {
                            let mut shared = lock(&shared);
                            let now = shared.observe(clock.as_ref());
                            shared
                                .session
                                .next_deadline()
                                .map(|deadline| deadline.saturating_sub(now).min(MAX_SLEEP))
                        };
                        let received = match wait {
                            Some(wait) => wake_receiver.recv_timeout(wait),
                            None => wake_receiver
                                .recv()
                                .map_err(|_| RecvTimeoutError::Disconnected),
                        };
                        match received {
                            Ok(Wake::Reschedule) => continue,
                            Ok(Wake::Shutdown) | Err(RecvTimeoutError::Disconnected) => break,
                            Err(RecvTimeoutError::Timeout) => {}
                        }
                        let (events, now, ended, done) = {
                            let mut shared = lock(&shared);
                            let now = shared.observe(clock.as_ref());
                            let events = shared.session.poll(now);
                            let ended = shared.session.is_ended();
                            let done = ended && shared.session.next_deadline().is_none();
                            (events, now, ended, done)
                        };
                        dispatch(&shared, cues.as_ref(), &events, now);
                        if let Some(report) = &report {
                            let progress = {
                                let snapshot = lock(&shared).snapshot(clock.as_ref());
                                (
                                    u32::try_from(snapshot.active_elapsed.as_secs())
                                        .unwrap_or(u32::MAX),
                                    u32::try_from(snapshot.steps_completed).unwrap_or(u32::MAX),
                                )
                            };
                            if reported != Some(progress) {
                                reported = Some(progress);
                                report(progress.0, progress.1);
                            }
                        }
                        // Cues land on whole seconds, when a visible window repaints
                        // anyway; the end and the heat alarm must wake a hidden window.
                        let alarm = events.iter().any(|event| event.kind == CueKind::HeatOff);
                        if ended || alarm {
                            notify();
                        }
                        if done {
                            break;
                        }
                    }
                })?
        };
        let conductor = Self {
            shared,
            wake,
            clock,
            cues,
            notify,
            thread: Some(thread),
        };
        Ok(conductor)
    }

    /// Applies a control right away (the screen shows it on the next frame)
    /// and lets the thread pick up the new schedule.
    pub fn control(&self, control: Control) {
        let (events, now) = {
            let mut shared = lock(&self.shared);
            let now = shared.observe(self.clock.as_ref());
            (shared.session.handle(control, now), now)
        };
        dispatch(&self.shared, self.cues.as_ref(), &events, now);
        let _ = self.wake.send(Wake::Reschedule);
        (self.notify)();
    }

    /// Emits any cue already due. The thread does this on its own; the window
    /// calls it before leaving the player so the end cue is never lost.
    pub fn catch_up(&self) {
        let (events, now) = {
            let mut shared = lock(&self.shared);
            let now = shared.observe(self.clock.as_ref());
            (shared.session.poll(now), now)
        };
        dispatch(&self.shared, self.cues.as_ref(), &events, now);
    }

    /// What to draw now.
    pub fn snapshot(&self) -> Snapshot {
        lock(&self.shared).snapshot(self.clock.as_ref())
    }

    /// How late each cue fired so far, for the benchmark.
    pub fn timings(&self) -> Vec<CueTiming> {
        lock(&self.shared).timings.clone()
    }
}

fn dispatch(shared: &Mutex<Shared>, cues: &dyn CueSink, events: &[CueEvent], now: Duration) {
    if events.is_empty() {
        return;
    }
    lock(shared)
        .timings
        .extend(events.iter().map(|event| CueTiming {
            kind: event.kind,
            lateness: now.saturating_sub(event.due_at),
        }));
    // After a long stall (a suspended laptop), sound only the newest fresh cue
    // rather than a pile-up; the end of the session and "take the heat off"
    // are always sounded.
    let last_fresh = events
        .iter()
        .rposition(|event| now.saturating_sub(event.due_at) < STALE_CUE);
    for (index, event) in events.iter().enumerate() {
        if event.urgency > 0 {
            cues.play_urgent(event.kind, event.urgency);
        } else if matches!(event.kind, CueKind::SessionEnd | CueKind::HeatOff)
            || Some(index) == last_fresh
        {
            cues.play(event.kind);
        }
    }
}

impl Drop for Conductor {
    fn drop(&mut self) {
        let _ = self.wake.send(Wake::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
