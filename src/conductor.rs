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

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::audio::CueSink;
use crate::clock::Clock;
use crate::core::announce::{Announcements, Announcer, Utterance};
use crate::core::engine::{Control, CueEvent, CueKind, Phase, Session, SessionPlan, SessionView};
use crate::speech::VoiceSink;

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
    /// Decides the spoken lines, when a voice is given.
    announcer: Option<Announcer>,
}

/// What changed in a playing session: sent to observers (media keys,
/// notifications) after cues sound and after every control.
#[derive(Debug, Clone)]
pub struct Update {
    /// The cues that just sounded.
    pub sounded: Vec<CueEvent>,
    /// What the player shows now.
    pub view: SessionView,
    /// The routine's name.
    pub routine: String,
    /// The title of the step shown (the next one during a get-ready or a change).
    pub step_title: Option<String>,
}

/// Told what changed, on whichever thread changed it.
pub type Observer = Arc<dyn Fn(&Update) + Send + Sync>;

/// Who else hears about a playing session.
#[derive(Default)]
pub struct Listeners {
    /// Active seconds and steps done, whenever they change (at most once a
    /// second, and once more at the end), so a record can be kept without
    /// anyone reading the session.
    pub report: Option<Box<dyn Fn(u32, u32) + Send>>,
    /// Speaks what [`Announcer`] decides, with these announcements.
    pub voice: Option<(Arc<dyn VoiceSink>, Announcements)>,
    /// Told after cues and controls.
    pub observer: Option<Observer>,
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

    /// The line to say after `sounded` (and after `control`, seen `before`), if any.
    fn announce(
        &mut self,
        sounded: &[CueEvent],
        control: Option<(Control, &SessionView)>,
        now: Duration,
    ) -> Option<Utterance> {
        let announcer = self.announcer.as_mut()?;
        let plan = self.session.plan();
        let view = self.session.view(now);
        let mut lines = Vec::new();
        if let Some((control, before)) = control {
            lines.extend(announcer.control(plan, control, before, &view));
        }
        lines.extend(announcer.cues(plan, sounded, &view));
        lines.extend(announcer.poll(plan, &view));
        let after_cue = lines.iter().find_map(|line| line.after_cue);
        let text = lines
            .into_iter()
            .map(|line| line.text)
            .collect::<Vec<_>>()
            .join(" ");
        (!text.is_empty()).then_some(Utterance { text, after_cue })
    }

    /// When the announcer's own next line ("Next: …") is due.
    fn voice_deadline(&self, now: Duration) -> Option<Duration> {
        let announcer = self.announcer.as_ref()?;
        let view = self.session.view(now);
        announcer
            .next_due(self.session.plan(), &view)
            .map(|wait| now + wait)
    }

    fn update(&self, sounded: Vec<CueEvent>, now: Duration) -> Update {
        let view = self.session.view(now);
        let plan = self.session.plan();
        let step = match view.phase {
            Phase::Step(index) | Phase::Transition(index) => Some(index),
            Phase::LeadIn => Some(0),
            Phase::Ended(_) => None,
        };
        Update {
            sounded,
            routine: plan.routine_name.clone(),
            step_title: step
                .and_then(|index| plan.steps.get(index))
                .map(|planned| planned.step.title.clone()),
            view,
        }
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
    inner: Arc<Inner>,
    thread: Option<JoinHandle<()>>,
}

/// Controls a playing session from another thread (media keys). It does not
/// keep the session playing: once the [`Conductor`] is dropped, controls
/// change nothing anyone hears.
///
/// It holds the session weakly, so whoever keeps a handle (the desktop
/// thread) never keeps the session, or what it tells, alive.
#[derive(Clone)]
pub struct ControlHandle {
    inner: std::sync::Weak<Inner>,
}

impl ControlHandle {
    /// Applies a control, as [`Conductor::control`]; nothing once the
    /// session is gone.
    pub fn control(&self, control: Control) {
        if let Some(inner) = self.inner.upgrade() {
            inner.control(control);
        }
    }

    /// What the session shows now, as observers are told it; `None` once
    /// the session is gone.
    pub fn update(&self) -> Option<Update> {
        let inner = self.inner.upgrade()?;
        let mut shared = lock(&inner.shared);
        let now = shared.observe(inner.clock.as_ref());
        Some(shared.update(Vec::new(), now))
    }
}

struct Inner {
    shared: Arc<Mutex<Shared>>,
    wake: Sender<Wake>,
    clock: Arc<dyn Clock>,
    cues: Arc<dyn CueSink>,
    notify: Arc<dyn Fn() + Send + Sync>,
    voice: Option<Arc<dyn VoiceSink>>,
    observer: Option<Observer>,
    /// Heat was on the skin when the session was stopped (by any control,
    /// the window's or the desktop's media keys).
    stopped_with_heat: std::sync::atomic::AtomicBool,
}

impl Inner {
    /// Sounds `events`, then says what follows them and tells the observer.
    fn deliver(
        &self,
        events: &[CueEvent],
        control: Option<(Control, &SessionView)>,
        now: Duration,
    ) {
        let sounded = dispatch(&self.shared, self.cues.as_ref(), events, now);
        let (line, update) = {
            let mut shared = lock(&self.shared);
            let line = shared.announce(&sounded, control, now);
            let changed = !sounded.is_empty() || control.is_some();
            let update =
                (changed && self.observer.is_some()).then(|| shared.update(sounded.clone(), now));
            (line, update)
        };
        if let Some(voice) = &self.voice
            && (!sounded.is_empty() || line.is_some())
        {
            let delay = line
                .as_ref()
                .and_then(|line| line.after_cue)
                .map_or(Duration::ZERO, |kind| self.cues.sound_length(kind));
            voice.say(line.map(|line| line.text), delay);
        }
        if let (Some(observer), Some(update)) = (&self.observer, update) {
            observer(&update);
        }
    }

    fn control(&self, control: Control) {
        let (events, before, now) = {
            let mut shared = lock(&self.shared);
            let now = shared.observe(self.clock.as_ref());
            let before = shared.session.view(now);
            (shared.session.handle(control, now), before, now)
        };
        let heat_on = matches!(
            before.heat,
            Some(crate::core::engine::HeatView {
                status: crate::core::engine::HeatStatus::On { .. },
                ..
            })
        );
        if control == Control::Stop && heat_on && !before.phase_is_ended() {
            self.stopped_with_heat
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        self.deliver(&events, Some((control, &before)), now);
        let _ = self.wake.send(Wake::Reschedule);
        (self.notify)();
    }
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
        Self::start_with(plan, clock, cues, notify, Listeners::default())
    }

    /// [`Self::start`], and calls `report` from the timing thread with the
    /// active seconds and steps done whenever they change (see [`Listeners::report`]).
    pub fn start_reporting(
        plan: SessionPlan,
        clock: Arc<dyn Clock>,
        cues: Arc<dyn CueSink>,
        notify: Arc<dyn Fn() + Send + Sync>,
        report: Option<Box<dyn Fn(u32, u32) + Send>>,
    ) -> std::io::Result<Self> {
        let listeners = Listeners {
            report,
            ..Listeners::default()
        };
        Self::start_with(plan, clock, cues, notify, listeners)
    }

    /// [`Self::start`], telling `listeners` as the session goes.
    pub fn start_with(
        plan: SessionPlan,
        clock: Arc<dyn Clock>,
        cues: Arc<dyn CueSink>,
        notify: Arc<dyn Fn() + Send + Sync>,
        listeners: Listeners,
    ) -> std::io::Result<Self> {
        let Listeners {
            report,
            voice,
            observer,
        } = listeners;
        let seen = crate::clock::read_both(clock.as_ref());
        let session = Session::start(plan, seen.0);
        let announcer = voice.as_ref().map(|(_, choices)| Announcer::new(*choices));
        let opening = announcer
            .as_ref()
            .and_then(|announcer| announcer.started(session.plan(), &session.view(seen.0)));
        let shared = Arc::new(Mutex::new(Shared {
            session,
            timings: Vec::new(),
            seen,
            announcer,
        }));
        let (wake, wake_receiver) = mpsc::channel();
        let inner = Arc::new(Inner {
            shared,
            wake,
            clock,
            cues,
            notify,
            voice: voice.map(|(sink, _)| sink),
            observer,
            stopped_with_heat: std::sync::atomic::AtomicBool::new(false),
        });
        if let (Some(voice), Some(line)) = (&inner.voice, opening) {
            voice.say(Some(line.text), Duration::ZERO);
        }
        let thread = {
            let inner = Arc::clone(&inner);
            thread::Builder::new()
                .name("unknot-conductor".into())
                .spawn(move || run(&inner, &wake_receiver, report))?
        };
        Ok(Self {
            inner,
            thread: Some(thread),
        })
    }

    /// A handle for controlling the session from another thread.
    pub fn handle(&self) -> ControlHandle {
        ControlHandle {
            inner: Arc::downgrade(&self.inner),
        }
    }

    /// Applies a control right away (the screen shows it on the next frame)
    /// and lets the thread pick up the new schedule.
    pub fn control(&self, control: Control) {
        self.inner.control(control);
    }

    /// Emits any cue already due. The thread does this on its own; the window
    /// calls it before leaving the player so the end cue is never lost.
    pub fn catch_up(&self) {
        let (events, now) = {
            let mut shared = lock(&self.inner.shared);
            let now = shared.observe(self.inner.clock.as_ref());
            (shared.session.poll(now), now)
        };
        self.inner.deliver(&events, None, now);
    }

    /// What to draw now.
    pub fn snapshot(&self) -> Snapshot {
        lock(&self.inner.shared).snapshot(self.inner.clock.as_ref())
    }

    /// What the session shows now, as observers are told it.
    pub fn update(&self) -> Update {
        let mut shared = lock(&self.inner.shared);
        let now = shared.observe(self.inner.clock.as_ref());
        shared.update(Vec::new(), now)
    }

    /// Whether heat was on the skin when the session was stopped.
    pub fn stopped_with_heat(&self) -> bool {
        self.inner
            .stopped_with_heat
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How late each cue fired so far, for the benchmark.
    pub fn timings(&self) -> Vec<CueTiming> {
        lock(&self.inner.shared).timings.clone()
    }
}

/// The timing thread: sleeps until the next cue or spoken line, then
/// delivers what is due.
fn run(
    inner: &Inner,
    wake_receiver: &Receiver<Wake>,
    report: Option<Box<dyn Fn(u32, u32) + Send>>,
) {
    let clock = inner.clock.as_ref();
    let mut reported = None;
    loop {
        let wait = {
            let mut shared = lock(&inner.shared);
            let now = shared.observe(clock);
            let voice = shared.voice_deadline(now);
            [shared.session.next_deadline(), voice]
                .into_iter()
                .flatten()
                .min()
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
            let mut shared = lock(&inner.shared);
            let now = shared.observe(clock);
            let events = shared.session.poll(now);
            let ended = shared.session.is_ended();
            let done = ended && shared.session.next_deadline().is_none();
            (events, now, ended, done)
        };
        inner.deliver(&events, None, now);
        if let Some(report) = &report {
            let progress = {
                let snapshot = lock(&inner.shared).snapshot(clock);
                (
                    u32::try_from(snapshot.active_elapsed.as_secs()).unwrap_or(u32::MAX),
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
            (inner.notify)();
        }
        if done {
            break;
        }
    }
}

/// Sounds `events` and returns those that were sounded (a stale pile-up
/// after a suspend is shown, not sounded, nor spoken).
fn dispatch(
    shared: &Mutex<Shared>,
    cues: &dyn CueSink,
    events: &[CueEvent],
    now: Duration,
) -> Vec<CueEvent> {
    if events.is_empty() {
        return Vec::new();
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
    let mut sounded = Vec::new();
    for (index, event) in events.iter().enumerate() {
        if event.urgency > 0 {
            cues.play_urgent(event.kind, event.urgency);
            sounded.push(*event);
        } else if matches!(event.kind, CueKind::SessionEnd | CueKind::HeatOff)
            || Some(index) == last_fresh
        {
            cues.play(event.kind);
            sounded.push(*event);
        }
    }
    sounded
}

impl Drop for Conductor {
    fn drop(&mut self) {
        let _ = self.inner.wake.send(Wake::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
