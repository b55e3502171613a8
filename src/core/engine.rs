//! The session engine: a plan of timed steps becomes a state machine that knows
//! where the person is, what to show and which cue is due.
//!
//! Time is always a parameter (`now`, a monotonic offset from any origin); the
//! engine never reads a clock. Every boundary is computed from the start instant
//! plus the sum of the lengths before it, so polling early, late or rarely never
//! accumulates drift.

use std::time::Duration;

use super::heat_alarm::HeatAlarm;
use super::routine::{HEAT_CAP_SECS, HeatSpan, Side, Step};

/// Steps at least this long get a halfway cue.
pub const HALFWAY_MIN: Duration = Duration::from_secs(30);
/// Two-sided steps at least this long get a switch cue at their middle.
pub const SWITCH_MIN: Duration = Duration::from_secs(10);
/// Steps (and the lead-in) at least this long get the last-seconds countdown.
pub const COUNTDOWN_MIN: Duration = Duration::from_secs(8);
/// How many countdown ticks before a boundary.
pub const COUNTDOWN_TICKS: u32 = 3;
/// Within this time of a step's start, "back" goes to the previous step instead.
pub const BACK_GRACE: Duration = Duration::from_secs(3);
/// How long a cue stays highlighted on screen, for people without sound.
pub const CUE_BANNER: Duration = Duration::from_secs(4);
/// How often to check the skin under a heat source.
pub const SKIN_CHECK_EVERY: Duration = Duration::from_secs(5 * 60);
/// The longest a heat source stays on, counted on the wall clock: pausing the
/// massage does not take the pack off.
pub const HEAT_CAP: Duration = Duration::from_secs(HEAT_CAP_SECS as u64);

/// A step with the length it will be played at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedStep {
    /// The step as written in the routine.
    pub step: Step,
    /// Its length in this session, after scaling.
    pub duration: Duration,
}

/// Everything needed to play one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPlan {
    /// Which routine, for history and the finish screen.
    pub routine_id: String,
    /// The routine's name as played.
    pub routine_name: String,
    /// "Get ready" time before the first step.
    pub lead_in: Duration,
    /// Quiet time between steps to change position or tool (zero for none).
    pub transition: Duration,
    /// The steps in order.
    pub steps: Vec<PlannedStep>,
    /// Stretches of heat, in step order (see [`HeatSpan`]).
    pub heat: Vec<HeatSpan>,
}

impl SessionPlan {
    /// Active length of the steps, without the lead-in.
    pub fn steps_length(&self) -> Duration {
        self.steps.iter().map(|planned| planned.duration).sum()
    }
}

/// The sounds (and on-screen highlights) the engine asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CueKind {
    /// A step begins.
    StepStart,
    /// Half of a one-sided step is done.
    Halfway,
    /// Time to change to the other side.
    SwitchSide,
    /// One of the last seconds before a boundary.
    CountdownTick,
    /// The whole session is done.
    SessionEnd,
    /// Heat goes on now: towel between the heat and the skin.
    HeatOn,
    /// Check the skin under the heat for redness.
    SkinCheck,
    /// Take the heat off now (its stretch ended, or it reached the cap).
    HeatOff,
}

impl CueKind {
    /// Every cue, in settings order.
    pub const ALL: [CueKind; 8] = [
        CueKind::StepStart,
        CueKind::Halfway,
        CueKind::SwitchSide,
        CueKind::CountdownTick,
        CueKind::SessionEnd,
        CueKind::HeatOn,
        CueKind::SkinCheck,
        CueKind::HeatOff,
    ];

    /// Words for settings and on-screen banners.
    pub fn label(self) -> &'static str {
        match self {
            CueKind::StepStart => "Step start",
            CueKind::Halfway => "Halfway",
            CueKind::SwitchSide => "Switch sides",
            CueKind::CountdownTick => "Countdown",
            CueKind::SessionEnd => "Session end",
            CueKind::HeatOn => "Heat on",
            CueKind::SkinCheck => "Skin check",
            CueKind::HeatOff => "Remove heat",
        }
    }
}

/// A cue that became due, with when it was due (for lateness checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CueEvent {
    /// Which cue.
    pub kind: CueKind,
    /// Index of the step it belongs to (`None` for the lead-in).
    pub step_index: Option<usize>,
    /// The time it was due at, on the session's clock.
    pub due_at: Duration,
    /// 0 for a cue's first sound; for a repeat of the unanswered take-the-heat-off
    /// alarm, how many times it has repeated (see [`crate::core::heat_alarm`]).
    pub urgency: u8,
}

/// What the person asks the session to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Freeze time.
    Pause,
    /// Continue from where it was frozen.
    Resume,
    /// Pause if running, resume if paused.
    TogglePause,
    /// Jump to the start of the next step (finishing after the last).
    Skip,
    /// Restart this step, or go to the previous one right after a step began.
    Back,
    /// End the session now.
    Stop,
    /// The person has taken the heat off: silence the repeating alarm.
    AcknowledgeHeat,
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Every step ran out (or the last was skipped).
    Completed,
    /// The person stopped it.
    Stopped,
}

/// Which part of the timeline the session is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// "Get ready" before the first step.
    LeadIn,
    /// Playing step `n` (0-based).
    Step(usize),
    /// Changing position before step `n`.
    Transition(usize),
    /// Over.
    Ended(Ending),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SegmentKind {
    LeadIn,
    Step(usize),
    /// The pause before step `n`.
    Transition(usize),
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    kind: SegmentKind,
    /// Offset from the start of the timeline.
    start: Duration,
    length: Duration,
}

impl Segment {
    fn end(&self) -> Duration {
        self.start + self.length
    }
}

#[derive(Debug, Clone, Copy)]
struct CuePoint {
    /// Offset from the start of the timeline.
    at: Duration,
    kind: CueKind,
    step_index: Option<usize>,
    /// For heat cues: which stretch of heat.
    heat: Option<usize>,
}

/// What the screen needs to draw the player, computed for one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionView {
    /// Where in the timeline.
    pub phase: Phase,
    /// Whether time is frozen.
    pub paused: bool,
    /// Time left in the current step (or lead-in).
    pub segment_remaining: Duration,
    /// Length of the current step (or lead-in).
    pub segment_length: Duration,
    /// Active time left in the session, lead-in excluded.
    pub session_remaining: Duration,
    /// Active time played so far, lead-in excluded.
    pub session_elapsed: Duration,
    /// Total active length, lead-in excluded.
    pub session_length: Duration,
    /// Index of the step that comes next, if any.
    pub next_step: Option<usize>,
    /// For a two-sided step: which side to work now.
    pub current_side: Option<Side>,
    /// A cue that fired within the last few seconds, to show as a banner.
    pub recent_cue: Option<CueKind>,
    /// Steps whose time ran out or were skipped past.
    pub steps_done: usize,
    /// The heat on now, or the heat that belongs to the current step.
    pub heat: Option<HeatView>,
    /// The take-the-heat-off alarm is repeating until the person answers it.
    pub heat_alarm: bool,
    /// The computer slept this long while the session ran, so it paused
    /// where the sleep began. Cleared on resume.
    pub slept: Option<Duration>,
}

/// Where a stretch of heat is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeatStatus {
    /// Not on yet (its first step has not begun).
    Waiting,
    /// On the skin.
    On {
        /// How long it has been on (wall clock, pauses included).
        on_for: Duration,
        /// Until it must come off: the end of its steps or the cap, whichever is sooner.
        remove_in: Duration,
        /// Until the next skin check, if one comes before it comes off.
        next_check_in: Option<Duration>,
    },
    /// Taken off; `capped` when the cap, not the steps, ended it.
    Done {
        /// Whether it reached the cap.
        capped: bool,
    },
}

/// The heat part of the player's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeatView {
    /// Which stretch of heat.
    pub span: HeatSpan,
    /// Its state now.
    pub status: HeatStatus,
}

/// Runtime state of one stretch of heat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeatState {
    NotStarted,
    On { since: Duration, checks_done: u32 },
    Off { capped: bool },
}

impl SessionView {
    /// Fraction of the current step done, 0 to 1.
    pub fn segment_progress(&self) -> f32 {
        fraction(
            self.segment_length.saturating_sub(self.segment_remaining),
            self.segment_length,
        )
    }

    /// Fraction of the session done, 0 to 1.
    pub fn session_progress(&self) -> f32 {
        fraction(self.session_elapsed, self.session_length)
    }
}

fn fraction(part: Duration, whole: Duration) -> f32 {
    if whole.is_zero() {
        1.0
    } else {
        (part.as_secs_f64() / whole.as_secs_f64()).clamp(0.0, 1.0) as f32
    }
}

/// One session being played. Cheap to poll; holds no clock.
#[derive(Debug, Clone)]
pub struct Session {
    plan: SessionPlan,
    segments: Vec<Segment>,
    cue_points: Vec<CuePoint>,
    total: Duration,
    /// Timeline position at `base_time`; while running, position advances from here.
    base_position: Duration,
    /// The monotonic time `base_position` was taken at.
    base_time: Duration,
    /// Frozen position while paused.
    paused_at: Option<Duration>,
    /// Index of the first cue point not yet emitted.
    next_cue: usize,
    /// Set once the session is over, with the position it ended at.
    ended: Option<(Ending, Duration)>,
    /// The steps the person skipped, so "done" can be told apart from "skipped".
    skipped: Vec<bool>,
    /// Each stretch of heat's state, in plan order.
    heat: Vec<HeatState>,
    /// The last heat cue and when it was due, for the on-screen banner.
    last_heat_cue: Option<(CueKind, Duration)>,
    /// The take-the-heat-off alarm, while unanswered.
    alarm: Option<HeatAlarm>,
    /// How long the computer last slept, while the pause it caused lasts.
    slept: Option<Duration>,
}

impl Session {
    /// Starts a session at `now`. A plan with no steps ends at once.
    pub fn start(plan: SessionPlan, now: Duration) -> Self {
        let mut segments = Vec::with_capacity(plan.steps.len() + 1);
        let mut offset = Duration::ZERO;
        if !plan.lead_in.is_zero() {
            segments.push(Segment {
                kind: SegmentKind::LeadIn,
                start: offset,
                length: plan.lead_in,
            });
            offset += plan.lead_in;
        }
        for (index, planned) in plan.steps.iter().enumerate() {
            if index > 0 && !plan.transition.is_zero() {
                segments.push(Segment {
                    kind: SegmentKind::Transition(index),
                    start: offset,
                    length: plan.transition,
                });
                offset += plan.transition;
            }
            segments.push(Segment {
                kind: SegmentKind::Step(index),
                start: offset,
                length: planned.duration,
            });
            offset += planned.duration;
        }
        let cue_points = build_cue_points(&plan, &segments, offset);
        let skipped = vec![false; plan.steps.len()];
        let heat = vec![HeatState::NotStarted; plan.heat.len()];
        let mut session = Self {
            plan,
            segments,
            cue_points,
            total: offset,
            base_position: Duration::ZERO,
            base_time: now,
            paused_at: None,
            next_cue: 0,
            ended: None,
            skipped,
            heat,
            last_heat_cue: None,
            alarm: None,
            slept: None,
        };
        if session.segments.is_empty() {
            session.ended = Some((Ending::Completed, Duration::ZERO));
        }
        session
    }

    /// The plan being played.
    pub fn plan(&self) -> &SessionPlan {
        &self.plan
    }

    /// Whether the session is over (completed or stopped).
    pub fn is_ended(&self) -> bool {
        self.ended.is_some()
    }

    /// How the session ended, once it has.
    pub fn ending(&self) -> Option<Ending> {
        self.ended.map(|(ending, _)| ending)
    }

    /// Whether time is frozen.
    pub fn is_paused(&self) -> bool {
        self.paused_at.is_some() && self.ended.is_none()
    }

    /// Timeline position (lead-in included) at `now`.
    fn position(&self, now: Duration) -> Duration {
        if let Some((_, at)) = self.ended {
            return at;
        }
        if let Some(at) = self.paused_at {
            return at;
        }
        (self.base_position + now.saturating_sub(self.base_time)).min(self.total)
    }

    /// The segment containing `position`; the last one at the very end.
    fn segment_index_at(&self, position: Duration) -> usize {
        let after = self
            .segments
            .partition_point(|segment| segment.start <= position);
        after.saturating_sub(1)
    }

    /// Moves the timeline to `position`, keeping the paused state, and re-arms cues from there.
    fn jump_to(&mut self, position: Duration, now: Duration) {
        if self.paused_at.is_some() {
            self.paused_at = Some(position);
        } else {
            self.base_position = position;
            self.base_time = now;
        }
        self.next_cue = self.cue_points.partition_point(|cue| cue.at < position);
    }

    /// Emits every cue due by `now`, each exactly once and in time order, and
    /// ends the session at the end. Heat cues come due on the wall clock, so
    /// they fire while paused too.
    pub fn poll(&mut self, now: Duration) -> Vec<CueEvent> {
        if self.ended.is_some() {
            return self.poll_alarm(now).into_iter().collect();
        }
        let position = self.position(now);
        let mut events = Vec::new();
        loop {
            let timeline = self
                .cue_points
                .get(self.next_cue)
                .filter(|cue| cue.at <= position)
                .copied();
            let heat = self.heat_deadline().filter(|(due, _, _)| *due <= now);
            let timeline_first = match (&timeline, &heat) {
                (Some(cue), Some((due, _, _))) => self.due_time(cue.at) <= *due,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if timeline_first && let Some(cue) = timeline {
                self.next_cue += 1;
                let due_at = self.due_time(cue.at);
                if let Some(event) = self.timeline_cue(cue, due_at, now) {
                    events.push(event);
                }
            } else if let Some((due_at, span, kind)) = heat {
                events.push(self.heat_cue(span, kind, due_at, now));
            } else {
                break;
            }
        }
        if position >= self.total {
            self.ended = Some((Ending::Completed, self.total));
            self.paused_at = None;
        }
        events.extend(self.poll_alarm(now));
        events
    }

    /// A repeat of the unanswered take-the-heat-off alarm, if one is due.
    fn poll_alarm(&mut self, now: Duration) -> Option<CueEvent> {
        let alarm = self.alarm.as_mut()?;
        let due_at = alarm.next_due();
        let urgency = alarm.poll(now)?;
        self.last_heat_cue = Some((CueKind::HeatOff, now));
        Some(CueEvent {
            kind: CueKind::HeatOff,
            step_index: None,
            due_at: due_at.min(now),
            urgency,
        })
    }

    /// Whether the take-the-heat-off alarm is waiting for an answer.
    pub fn heat_alarm(&self) -> bool {
        self.alarm.is_some()
    }

    /// The computer slept from `asleep_at` for `slept` (the clock kept
    /// counting through it). The massage pauses where the sleep began, since
    /// nobody guided the person through it; heat kept counting, so its checks
    /// and cap fall due at the next poll.
    pub fn suspended(&mut self, asleep_at: Duration, slept: Duration) {
        if self.ended.is_some() {
            return;
        }
        if self.paused_at.is_none() {
            self.paused_at = Some(self.position(asleep_at));
        }
        self.slept = Some(self.slept.unwrap_or_default() + slept);
    }

    /// Applies a cue from the timeline; heat cues only when they change something.
    fn timeline_cue(&mut self, cue: CuePoint, due_at: Duration, now: Duration) -> Option<CueEvent> {
        if let Some(span) = cue.heat {
            let state = self.heat.get_mut(span)?;
            match (cue.kind, *state) {
                (CueKind::HeatOn, HeatState::NotStarted) => {
                    *state = HeatState::On {
                        since: due_at,
                        checks_done: 0,
                    };
                }
                (CueKind::HeatOff, HeatState::On { .. }) => {
                    *state = HeatState::Off { capped: false };
                    // Repeats count from when it was heard, not when it was due.
                    self.alarm = Some(HeatAlarm::raised(now.max(due_at)));
                }
                _ => return None,
            }
            self.last_heat_cue = Some((cue.kind, due_at));
        }
        Some(CueEvent {
            kind: cue.kind,
            step_index: cue.step_index,
            due_at,
            urgency: 0,
        })
    }

    /// The next wall-clock heat deadline: a skin check or the cap.
    fn heat_deadline(&self) -> Option<(Duration, usize, CueKind)> {
        self.heat
            .iter()
            .enumerate()
            .filter_map(|(span, state)| match *state {
                HeatState::On { since, checks_done } => {
                    let check = since + SKIN_CHECK_EVERY * (checks_done + 1);
                    let cap = since + HEAT_CAP;
                    Some(if check < cap {
                        (check, span, CueKind::SkinCheck)
                    } else {
                        (cap, span, CueKind::HeatOff)
                    })
                }
                _ => None,
            })
            .min_by_key(|(due, _, _)| *due)
    }

    /// Applies a wall-clock heat cue.
    fn heat_cue(
        &mut self,
        span: usize,
        kind: CueKind,
        due_at: Duration,
        now: Duration,
    ) -> CueEvent {
        if let Some(state) = self.heat.get_mut(span) {
            match (kind, *state) {
                (CueKind::SkinCheck, HeatState::On { since, checks_done }) => {
                    *state = HeatState::On {
                        since,
                        checks_done: checks_done + 1,
                    };
                }
                _ => {
                    *state = HeatState::Off { capped: true };
                    self.alarm = Some(HeatAlarm::raised(now.max(due_at)));
                }
            }
        }
        self.last_heat_cue = Some((kind, due_at));
        CueEvent {
            kind,
            step_index: self.plan.heat.get(span).map(|span| span.from_step),
            due_at,
            urgency: 0,
        }
    }

    /// Takes off any heat that is on but outside `position` (after a skip,
    /// back or stop), with its cue: the pack must never be forgotten.
    fn remove_heat_outside(&mut self, position: Option<Duration>, now: Duration) -> Vec<CueEvent> {
        let mut events = Vec::new();
        for span in 0..self.heat.len() {
            if !matches!(self.heat[span], HeatState::On { .. }) {
                continue;
            }
            let inside = position.is_some_and(|position| {
                let range = self.heat_range(span);
                range.contains(&position)
            });
            if !inside {
                self.heat[span] = HeatState::Off { capped: false };
                self.last_heat_cue = Some((CueKind::HeatOff, now));
                events.push(CueEvent {
                    kind: CueKind::HeatOff,
                    step_index: self.plan.heat.get(span).map(|span| span.from_step),
                    due_at: now,
                    urgency: 0,
                });
            }
        }
        events
    }

    /// The timeline positions a stretch of heat covers: from the start of its
    /// first step to the end of its last.
    fn heat_range(&self, span: usize) -> std::ops::Range<Duration> {
        let Some(heat) = self.plan.heat.get(span) else {
            return Duration::ZERO..Duration::ZERO;
        };
        let mut start = None;
        let mut end = Duration::ZERO;
        for segment in &self.segments {
            if let SegmentKind::Step(index) = segment.kind {
                if index == heat.from_step {
                    start = Some(segment.start);
                }
                if index == heat.to_step {
                    end = segment.end();
                }
            }
        }
        start.unwrap_or(end)..end
    }

    /// Applies a control at `now`. Cues already due are emitted first, so none is lost.
    pub fn handle(&mut self, control: Control, now: Duration) -> Vec<CueEvent> {
        if control == Control::AcknowledgeHeat {
            self.alarm = None;
            return self.poll(now);
        }
        let mut events = self.poll(now);
        if self.ended.is_some() {
            return events;
        }
        // Heat the person takes off with their own control raises no alarm.
        let alarm_before = self.alarm;
        let position = self.position(now);
        match control {
            Control::Pause => self.pause(now),
            Control::Resume => self.resume(now),
            Control::TogglePause => {
                if self.paused_at.is_some() {
                    self.resume(now);
                } else {
                    self.pause(now);
                }
            }
            Control::Skip => {
                let index = self.segment_index_at(position);
                if let SegmentKind::Step(step) = self.segments[index].kind {
                    self.skipped[step] = true;
                }
                match self.segments.get(index + 1) {
                    Some(next) => {
                        let start = next.start;
                        self.jump_to(start, now);
                        events.extend(self.poll(now));
                    }
                    None => {
                        self.jump_to(self.total, now);
                        events.extend(self.poll_end(now));
                    }
                }
            }
            Control::Back => {
                let index = self.segment_index_at(position);
                let segment = self.segments[index];
                let into_segment = position.saturating_sub(segment.start);
                let first_step = self
                    .segments
                    .iter()
                    .position(|s| matches!(s.kind, SegmentKind::Step(_)))
                    .unwrap_or(0);
                // In a transition, "back" restarts the step just played.
                let in_transition = matches!(segment.kind, SegmentKind::Transition(_));
                let mut target =
                    if (in_transition || into_segment < BACK_GRACE) && index > first_step {
                        index - 1
                    } else {
                        index
                    };
                if matches!(self.segments[target].kind, SegmentKind::Transition(_)) && target > 0 {
                    target -= 1;
                }
                if let SegmentKind::Step(step) = self.segments[target].kind {
                    self.skipped[step] = false;
                }
                let start = self.segments[target].start;
                self.jump_to(start, now);
                events.extend(self.poll(now));
            }
            Control::Stop => {
                self.ended = Some((Ending::Stopped, position));
                self.paused_at = None;
                events.extend(self.remove_heat_outside(None, now));
            }
            Control::AcknowledgeHeat => {}
        }
        if matches!(control, Control::Skip | Control::Back) {
            let position = (self.ended.is_none()).then(|| self.position(now));
            events.extend(self.remove_heat_outside(position, now));
        }
        if matches!(control, Control::Skip | Control::Back | Control::Stop) {
            self.alarm = alarm_before;
        }
        events
    }

    /// Emits what is due at the very end (used when the last step is skipped while paused).
    fn poll_end(&mut self, now: Duration) -> Vec<CueEvent> {
        self.paused_at = None;
        self.base_position = self.total;
        self.base_time = now;
        self.poll(now)
    }

    /// The monotonic time at which timeline position `at` is (or was) reached while running.
    fn due_time(&self, at: Duration) -> Duration {
        if at >= self.base_position {
            self.base_time + (at - self.base_position)
        } else {
            self.base_time.saturating_sub(self.base_position - at)
        }
    }

    fn pause(&mut self, now: Duration) {
        if self.paused_at.is_none() {
            self.paused_at = Some(self.position(now));
        }
    }

    fn resume(&mut self, now: Duration) {
        self.slept = None;
        if let Some(at) = self.paused_at.take() {
            self.base_position = at;
            self.base_time = now;
        }
    }

    /// When the next cue is due, so a conductor can sleep until then. While
    /// paused only heat deadlines remain; once ended, only the repeating
    /// take-the-heat-off alarm, until it is answered.
    pub fn next_deadline(&self) -> Option<Duration> {
        let alarm = self.alarm.map(|alarm| alarm.next_due());
        if self.ended.is_some() {
            return alarm;
        }
        let timeline = self
            .cue_points
            .get(self.next_cue)
            .filter(|_| self.paused_at.is_none())
            .map(|cue| self.due_time(cue.at));
        let heat = self.heat_deadline().map(|(due, _, _)| due);
        [timeline, heat, alarm].into_iter().flatten().min()
    }

    /// Active time played at `now`: time inside steps, without the lead-in or
    /// the pauses between steps. Skipped time does not count.
    pub fn active_elapsed(&self, now: Duration) -> Duration {
        self.active_at(self.position(now))
    }

    /// Time inside steps up to a timeline position.
    fn active_at(&self, position: Duration) -> Duration {
        self.segments
            .iter()
            .filter(|segment| matches!(segment.kind, SegmentKind::Step(_)))
            .map(|segment| position.saturating_sub(segment.start).min(segment.length))
            .sum()
    }

    /// Steps that were played to their end (not skipped).
    pub fn steps_completed(&self, now: Duration) -> usize {
        let position = self.position(now);
        self.segments
            .iter()
            .filter_map(|segment| match segment.kind {
                SegmentKind::Step(step) if segment.end() <= position && !self.skipped[step] => {
                    Some(step)
                }
                _ => None,
            })
            .count()
    }

    /// What the screen shows at `now`.
    pub fn view(&self, now: Duration) -> SessionView {
        let position = self.position(now);
        let session_length = self.plan.steps_length();
        let session_elapsed = self.active_at(position).min(session_length);
        let steps_done = self.segments_done(position);
        if let Some((ending, _)) = self.ended {
            return SessionView {
                phase: Phase::Ended(ending),
                paused: false,
                segment_remaining: Duration::ZERO,
                segment_length: Duration::ZERO,
                session_remaining: session_length.saturating_sub(session_elapsed),
                session_elapsed,
                session_length,
                next_step: None,
                current_side: None,
                recent_cue: None,
                steps_done,
                heat: None,
                heat_alarm: self.alarm.is_some(),
                slept: None,
            };
        }
        let index = self.segment_index_at(position);
        let segment = self.segments[index];
        let into_segment = position.saturating_sub(segment.start);
        let (phase, next_step, current_side) = match segment.kind {
            SegmentKind::LeadIn => (
                Phase::LeadIn,
                (!self.plan.steps.is_empty()).then_some(0),
                None,
            ),
            SegmentKind::Transition(next) => (Phase::Transition(next), Some(next), None),
            SegmentKind::Step(step) => {
                let planned = &self.plan.steps[step];
                let side = match planned.step.side {
                    Side::Both if planned.duration >= SWITCH_MIN => {
                        if into_segment < Duration::from_secs(planned.duration.as_secs() / 2) {
                            Some(Side::Left)
                        } else {
                            Some(Side::Right)
                        }
                    }
                    Side::Both => None,
                    other => Some(other),
                };
                let next = (step + 1 < self.plan.steps.len()).then_some(step + 1);
                (Phase::Step(step), next, side)
            }
        };
        let recent_cue = self
            .cue_points
            .iter()
            .rev()
            .find(|cue| cue.at <= position && position < cue.at + CUE_BANNER)
            .filter(|cue| cue.kind != CueKind::CountdownTick && cue.heat.is_none())
            .map(|cue| cue.kind);
        // A heat cue (wall clock) shows while it is recent, even when paused.
        let recent_cue = match self.last_heat_cue {
            Some((kind, at)) if now >= at && now < at + CUE_BANNER => Some(kind),
            _ => recent_cue,
        };
        let current_step = match segment.kind {
            SegmentKind::Step(step) => Some(step),
            SegmentKind::Transition(next) => Some(next.saturating_sub(1)),
            SegmentKind::LeadIn => None,
        };
        let heat = self.heat_view(position, now, current_step);
        SessionView {
            phase,
            paused: self.paused_at.is_some(),
            segment_remaining: segment.length.saturating_sub(into_segment),
            segment_length: segment.length,
            session_remaining: session_length.saturating_sub(session_elapsed),
            session_elapsed,
            session_length,
            next_step,
            current_side,
            recent_cue,
            steps_done,
            heat,
            heat_alarm: self.alarm.is_some(),
            slept: self.slept.filter(|_| self.paused_at.is_some()),
        }
    }

    /// The heat that is on, else the heat belonging to the current step.
    fn heat_view(
        &self,
        position: Duration,
        now: Duration,
        current_step: Option<usize>,
    ) -> Option<HeatView> {
        let on = self
            .heat
            .iter()
            .position(|state| matches!(state, HeatState::On { .. }));
        let span_index = on.or_else(|| {
            let step = current_step?;
            self.plan.heat.iter().position(|span| span.covers(step))
        })?;
        let span = *self.plan.heat.get(span_index)?;
        let status = match self.heat[span_index] {
            HeatState::NotStarted => HeatStatus::Waiting,
            HeatState::Off { capped } => HeatStatus::Done { capped },
            HeatState::On { since, checks_done } => {
                let on_for = now.saturating_sub(since);
                let until_cap = HEAT_CAP.saturating_sub(on_for);
                let until_end = self.heat_range(span_index).end.saturating_sub(position);
                let remove_in = until_cap.min(until_end);
                let next_check = SKIN_CHECK_EVERY * (checks_done + 1);
                let next_check_in = (next_check < HEAT_CAP)
                    .then(|| next_check.saturating_sub(on_for))
                    .filter(|left| *left < remove_in);
                HeatStatus::On {
                    on_for,
                    remove_in,
                    next_check_in,
                }
            }
        };
        Some(HeatView { span, status })
    }

    fn segments_done(&self, position: Duration) -> usize {
        self.segments
            .iter()
            .filter(|segment| {
                matches!(segment.kind, SegmentKind::Step(_)) && segment.end() <= position
            })
            .count()
    }
}

fn build_cue_points(plan: &SessionPlan, segments: &[Segment], total: Duration) -> Vec<CuePoint> {
    let mut points = Vec::new();
    for segment in segments {
        let (step_index, is_step) = match segment.kind {
            SegmentKind::LeadIn => (None, false),
            SegmentKind::Step(index) => (Some(index), true),
            SegmentKind::Transition(next) => (Some(next), false),
        };
        if let (Some(index), true) = (step_index, is_step) {
            points.push(CuePoint {
                at: segment.start,
                kind: CueKind::StepStart,
                step_index,
                heat: None,
            });
            let planned = &plan.steps[index];
            // Whole seconds into the step, so the cue lands when the countdown ticks over.
            let middle = segment.start + Duration::from_secs(segment.length.as_secs() / 2);
            if planned.step.side == Side::Both && segment.length >= SWITCH_MIN {
                points.push(CuePoint {
                    at: middle,
                    kind: CueKind::SwitchSide,
                    step_index,
                    heat: None,
                });
            } else if segment.length >= HALFWAY_MIN {
                points.push(CuePoint {
                    at: middle,
                    kind: CueKind::Halfway,
                    step_index,
                    heat: None,
                });
            }
        }
        // The lead-in always counts down when it has room; steps only when long enough.
        let countdown_min = match segment.kind {
            SegmentKind::LeadIn | SegmentKind::Transition(_) => {
                Duration::from_secs(u64::from(COUNTDOWN_TICKS) + 1)
            }
            SegmentKind::Step(_) => COUNTDOWN_MIN,
        };
        if segment.length >= countdown_min {
            for tick in (1..=COUNTDOWN_TICKS).rev() {
                points.push(CuePoint {
                    at: segment.end() - Duration::from_secs(u64::from(tick)),
                    kind: CueKind::CountdownTick,
                    step_index,
                    heat: None,
                });
            }
        }
    }
    for (span_index, span) in plan.heat.iter().enumerate() {
        for segment in segments {
            match segment.kind {
                SegmentKind::Step(index) if index == span.from_step => points.push(CuePoint {
                    at: segment.start,
                    kind: CueKind::HeatOn,
                    step_index: Some(index),
                    heat: Some(span_index),
                }),
                _ => {}
            }
            match segment.kind {
                SegmentKind::Step(index) if index == span.to_step => points.push(CuePoint {
                    at: segment.end(),
                    kind: CueKind::HeatOff,
                    step_index: Some(index),
                    heat: Some(span_index),
                }),
                _ => {}
            }
        }
    }
    points.push(CuePoint {
        at: total,
        kind: CueKind::SessionEnd,
        step_index: None,
        heat: None,
    });
    // At one instant: heat comes off before anything else, and goes on after
    // the step starts.
    let order = |kind: CueKind| match kind {
        CueKind::HeatOff => 0,
        CueKind::HeatOn => 2,
        _ => 1,
    };
    points.sort_by_key(|point| (point.at, order(point.kind)));
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::routine::{Pressure, Region, Technique, Tool};
    use proptest::prelude::*;

    fn secs(value: u64) -> Duration {
        Duration::from_secs(value)
    }

    fn step(title: &str, side: Side) -> Step {
        Step {
            title: title.to_owned(),
            region: Region::LowerBack,
            technique: Technique::Kneading,
            tool: Tool::Hands,
            pressure: Pressure::Medium,
            side,
            duration_secs: 0,
            instructions: String::new(),
            fixed: false,
        }
    }

    fn plan(lead_in: u64, lengths: &[(u64, Side)]) -> SessionPlan {
        SessionPlan {
            routine_id: "test".into(),
            routine_name: "Test".into(),
            lead_in: secs(lead_in),
            transition: Duration::ZERO,
            heat: Vec::new(),
            steps: lengths
                .iter()
                .enumerate()
                .map(|(index, (length, side))| PlannedStep {
                    step: step(&format!("step {index}"), *side),
                    duration: secs(*length),
                })
                .collect(),
        }
    }

    fn kinds(events: &[CueEvent]) -> Vec<CueKind> {
        events.iter().map(|event| event.kind).collect()
    }

    #[test]
    fn lead_in_then_steps_then_end() {
        let start = secs(100);
        let mut session = Session::start(plan(5, &[(60, Side::Center), (40, Side::Both)]), start);
        assert_eq!(session.view(start).phase, Phase::LeadIn);
        assert_eq!(session.view(start).next_step, Some(0));
        assert_eq!(session.poll(start), vec![]);
        // Lead-in countdown at 2, 3, 4 s; step 0 starts at 5 s.
        let events = session.poll(start + secs(5));
        assert_eq!(
            kinds(&events),
            vec![
                CueKind::CountdownTick,
                CueKind::CountdownTick,
                CueKind::CountdownTick,
                CueKind::StepStart
            ]
        );
        assert_eq!(events[3].due_at, start + secs(5));
        assert_eq!(session.view(start + secs(5)).phase, Phase::Step(0));
        // Halfway of the 60 s step at 35 s.
        assert_eq!(
            kinds(&session.poll(start + secs(35))),
            vec![CueKind::Halfway]
        );
        // Step 1 (two-sided, 40 s) starts at 65 s; switch at 85 s; end at 105 s.
        let events = session.poll(start + secs(65));
        assert_eq!(kinds(&events).last(), Some(&CueKind::StepStart));
        let view = session.view(start + secs(70));
        assert_eq!(view.current_side, Some(Side::Left));
        assert_eq!(view.next_step, None);
        assert_eq!(
            kinds(&session.poll(start + secs(85))),
            vec![CueKind::SwitchSide]
        );
        assert_eq!(
            session.view(start + secs(86)).current_side,
            Some(Side::Right)
        );
        assert_eq!(
            session.view(start + secs(86)).recent_cue,
            Some(CueKind::SwitchSide)
        );
        let events = session.poll(start + secs(200));
        assert_eq!(kinds(&events).last(), Some(&CueKind::SessionEnd));
        assert_eq!(events.last().map(|e| e.due_at), Some(start + secs(105)));
        assert_eq!(session.ending(), Some(Ending::Completed));
        assert_eq!(session.steps_completed(start + secs(200)), 2);
        assert_eq!(session.active_elapsed(start + secs(500)), secs(100));
        assert!(session.poll(start + secs(300)).is_empty());
    }

    #[test]
    fn pause_across_a_boundary_moves_the_boundary_by_the_pause() {
        let mut session =
            Session::start(plan(0, &[(20, Side::Center), (20, Side::Center)]), secs(0));
        session.poll(secs(0));
        session.handle(Control::Pause, secs(19));
        // Paused for 100 s across the original boundary at 20 s: nothing fires.
        assert!(session.poll(secs(60)).is_empty());
        assert_eq!(session.view(secs(60)).segment_remaining, secs(1));
        assert_eq!(session.next_deadline(), None);
        session.handle(Control::Resume, secs(119));
        assert_eq!(session.next_deadline(), Some(secs(120)));
        let events = session.poll(secs(120));
        assert_eq!(kinds(&events), vec![CueKind::StepStart]);
        assert_eq!(events[0].due_at, secs(120));
    }

    #[test]
    fn skip_while_paused_stays_paused_at_the_next_step() {
        let mut session =
            Session::start(plan(5, &[(30, Side::Center), (30, Side::Center)]), secs(0));
        session.handle(Control::Pause, secs(10));
        let events = session.handle(Control::Skip, secs(12));
        assert_eq!(kinds(&events), vec![CueKind::StepStart]);
        assert_eq!(events[0].step_index, Some(1));
        let view = session.view(secs(50));
        assert!(view.paused);
        assert_eq!(view.phase, Phase::Step(1));
        assert_eq!(view.segment_remaining, secs(30));
        session.handle(Control::Resume, secs(50));
        assert_eq!(session.view(secs(60)).segment_remaining, secs(20));
        assert_eq!(
            session.steps_completed(secs(60)),
            0,
            "skipped step is not done"
        );
    }

    #[test]
    fn back_on_the_first_step_restarts_it() {
        let mut session =
            Session::start(plan(5, &[(30, Side::Center), (30, Side::Center)]), secs(0));
        session.poll(secs(6));
        let events = session.handle(Control::Back, secs(6));
        assert_eq!(kinds(&events), vec![CueKind::StepStart]);
        assert_eq!(session.view(secs(6)).phase, Phase::Step(0));
        assert_eq!(session.view(secs(6)).segment_remaining, secs(30));
    }

    #[test]
    fn back_goes_to_previous_only_right_after_a_step_starts() {
        let mut session = Session::start(
            plan(
                0,
                &[(30, Side::Center), (30, Side::Center), (30, Side::Center)],
            ),
            secs(0),
        );
        session.poll(secs(31));
        session.handle(Control::Back, secs(31));
        assert_eq!(session.view(secs(31)).phase, Phase::Step(0));
        session.poll(secs(71));
        assert_eq!(session.view(secs(71)).phase, Phase::Step(1));
        session.handle(Control::Back, secs(71));
        assert_eq!(session.view(secs(71)).phase, Phase::Step(1));
        assert_eq!(session.view(secs(71)).segment_remaining, secs(30));
    }

    #[test]
    fn stop_in_lead_in_ends_with_nothing_done() {
        let mut session = Session::start(plan(5, &[(30, Side::Center)]), secs(0));
        session.handle(Control::Stop, secs(2));
        assert_eq!(session.ending(), Some(Ending::Stopped));
        assert_eq!(session.active_elapsed(secs(100)), Duration::ZERO);
        assert_eq!(session.steps_completed(secs(100)), 0);
        assert!(session.poll(secs(100)).is_empty());
        assert_eq!(session.next_deadline(), None);
        assert_eq!(session.view(secs(100)).phase, Phase::Ended(Ending::Stopped));
    }

    #[test]
    fn skip_on_the_last_step_completes() {
        let mut session = Session::start(plan(0, &[(30, Side::Center)]), secs(0));
        session.poll(secs(1));
        session.handle(Control::Pause, secs(3));
        let events = session.handle(Control::Skip, secs(4));
        assert_eq!(kinds(&events), vec![CueKind::SessionEnd]);
        assert_eq!(session.ending(), Some(Ending::Completed));
    }

    #[test]
    fn skip_early_in_a_session_started_at_time_zero() {
        let mut session =
            Session::start(plan(5, &[(30, Side::Center), (30, Side::Center)]), secs(0));
        session.handle(Control::Skip, secs(1));
        session.handle(Control::Skip, secs(2));
        let view = session.view(secs(12));
        assert_eq!(view.phase, Phase::Step(1));
        assert_eq!(view.segment_remaining, secs(20));
        // Halfway of step 1 is 15 s after it started at 2 s.
        assert_eq!(session.next_deadline(), Some(secs(17)));
    }

    #[test]
    fn transitions_sit_between_steps_with_their_own_countdown() {
        let mut with_pause = plan(0, &[(30, Side::Center), (30, Side::Center)]);
        with_pause.transition = secs(10);
        let mut session = Session::start(with_pause.clone(), secs(0));
        session.poll(secs(29));
        let events = session.poll(secs(35));
        assert!(
            events.iter().all(|e| e.kind != CueKind::StepStart),
            "{events:?}"
        );
        let view = session.view(secs(35));
        assert_eq!(view.phase, Phase::Transition(1));
        assert_eq!(view.next_step, Some(1));
        assert_eq!(view.segment_remaining, secs(5));
        assert_eq!(view.session_length, secs(60), "pauses are not active time");
        assert_eq!(view.session_elapsed, secs(30));
        let events = session.poll(secs(40));
        assert_eq!(
            kinds(&events),
            vec![
                CueKind::CountdownTick,
                CueKind::CountdownTick,
                CueKind::CountdownTick,
                CueKind::StepStart
            ]
        );
        assert_eq!(events[3].due_at, secs(40));
        let events = session.poll(secs(100));
        assert_eq!(events.last().map(|e| e.due_at), Some(secs(70)));
        assert_eq!(session.steps_completed(secs(100)), 2);
        assert_eq!(session.active_elapsed(secs(100)), secs(60));

        // Back during a transition restarts the step just played; skip goes on.
        let mut session = Session::start(with_pause, secs(0));
        session.poll(secs(33));
        session.handle(Control::Back, secs(33));
        assert_eq!(session.view(secs(33)).phase, Phase::Step(0));
        assert_eq!(session.view(secs(33)).segment_remaining, secs(30));
        session.poll(secs(65));
        assert_eq!(session.view(secs(65)).phase, Phase::Transition(1));
        session.handle(Control::Skip, secs(65));
        assert_eq!(session.view(secs(65)).phase, Phase::Step(1));
    }

    #[test]
    fn empty_plan_ends_immediately() {
        let session = Session::start(plan(0, &[]), secs(0));
        assert!(session.is_ended());
    }

    proptest! {
        /// However the engine is polled, every cue fires exactly once, at a due
        /// time equal to start plus the sum of the lengths before it.
        #[test]
        fn no_drift_and_each_cue_once(
            lengths in prop::collection::vec((1u64..120, prop::bool::ANY), 1..20),
            lead_in in 0u64..10,
            poll_gaps_ms in prop::collection::vec(1u64..5_000, 1..400),
            start_ms in 0u64..1_000_000,
        ) {
            let steps: Vec<(u64, Side)> = lengths
                .iter()
                .map(|(length, both)| (*length, if *both { Side::Both } else { Side::Left }))
                .collect();
            let start = Duration::from_millis(start_ms);
            let mut session = Session::start(plan(lead_in, &steps), start);
            let mut now = start;
            let mut events = Vec::new();
            let mut gaps = poll_gaps_ms.iter().cycle();
            while !session.is_ended() {
                now += Duration::from_millis(*gaps.next().unwrap_or(&1000));
                events.extend(session.poll(now));
            }
            // Each step start lands exactly on its boundary.
            let mut boundary = start + secs(lead_in);
            for (index, (length, _)) in steps.iter().enumerate() {
                let starts: Vec<&CueEvent> = events
                    .iter()
                    .filter(|e| e.kind == CueKind::StepStart && e.step_index == Some(index))
                    .collect();
                prop_assert_eq!(starts.len(), 1);
                prop_assert_eq!(starts[0].due_at, boundary);
                boundary += secs(*length);
            }
            let ends: Vec<&CueEvent> = events.iter().filter(|e| e.kind == CueKind::SessionEnd).collect();
            prop_assert_eq!(ends.len(), 1);
            prop_assert_eq!(ends[0].due_at, boundary);
            // Events come in due order and never before they were due.
            for pair in events.windows(2) {
                prop_assert!(pair[0].due_at <= pair[1].due_at);
            }
            prop_assert_eq!(session.steps_completed(now), steps.len());
        }

        /// Pausing any number of times shifts the end by exactly the paused time.
        #[test]
        fn pauses_shift_the_end_by_their_length(
            lengths in prop::collection::vec(1u64..60, 1..10),
            pauses in prop::collection::vec((1u64..30_000, 1u64..30_000), 0..8),
        ) {
            let steps: Vec<(u64, Side)> = lengths.iter().map(|l| (*l, Side::Center)).collect();
            let total = secs(lengths.iter().sum::<u64>());
            let mut session = Session::start(plan(0, &steps), Duration::ZERO);
            let mut now = Duration::ZERO;
            let mut paused_total = Duration::ZERO;
            let mut events = Vec::new();
            for (run_ms, pause_ms) in pauses {
                now += Duration::from_millis(run_ms);
                events.extend(session.handle(Control::Pause, now));
                if session.is_ended() {
                    break;
                }
                now += Duration::from_millis(pause_ms);
                paused_total += Duration::from_millis(pause_ms);
                events.extend(session.handle(Control::Resume, now));
            }
            while !session.is_ended() {
                now += Duration::from_millis(700);
                events.extend(session.poll(now));
            }
            let end = events.iter().find(|e| e.kind == CueKind::SessionEnd).map(|e| e.due_at);
            prop_assert_eq!(end, Some(total + paused_total));
        }
    }

    fn heat_plan(lengths: &[u64], from: usize, to: usize) -> SessionPlan {
        let mut plan = plan(
            0,
            &lengths
                .iter()
                .map(|length| (*length, Side::Center))
                .collect::<Vec<_>>(),
        );
        plan.heat = vec![HeatSpan {
            source: Tool::HeatPack,
            region: Region::LowerBack,
            from_step: from,
            to_step: to,
            alongside: true,
        }];
        plan
    }

    /// Polls once a second up to `until`, returning heat cues with their times.
    fn heat_cues(session: &mut Session, from: u64, until: u64) -> Vec<(CueKind, u64)> {
        (from..=until)
            .flat_map(|t| session.poll(secs(t)))
            // First sounds only: the alarm's repeats have their own test.
            .filter(|event| {
                event.urgency == 0
                    && matches!(
                        event.kind,
                        CueKind::HeatOn | CueKind::SkinCheck | CueKind::HeatOff
                    )
            })
            .map(|event| (event.kind, event.due_at.as_secs()))
            .collect()
    }

    #[test]
    fn heat_checks_the_skin_every_five_minutes_and_comes_off_at_the_end() {
        // A 60 s step, then 20 minutes of heat alongside two massage steps.
        let mut session = Session::start(heat_plan(&[60, 600, 600, 60], 1, 2), secs(100));
        let cues = heat_cues(&mut session, 100, 100 + 1320);
        assert_eq!(
            cues,
            vec![
                (CueKind::HeatOn, 160),
                (CueKind::SkinCheck, 460),
                (CueKind::SkinCheck, 760),
                (CueKind::SkinCheck, 1060),
                (CueKind::HeatOff, 1360),
            ]
        );
        assert!(matches!(
            session.view(secs(1400)).heat.map(|heat| heat.status),
            Some(HeatStatus::Done { capped: false }) | None
        ));
    }

    #[test]
    fn heat_keeps_counting_while_paused_and_alarms_at_the_cap() {
        let mut session = Session::start(heat_plan(&[600, 600], 0, 1), secs(0));
        assert_eq!(heat_cues(&mut session, 0, 900).len(), 4); // on + checks at 5, 10, 15 min
        session.handle(Control::Pause, secs(900));
        // Paused: the massage timeline is frozen, but the heat deadline is not.
        assert_eq!(session.next_deadline(), Some(secs(1200)));
        let view = session.view(secs(1000));
        assert!(view.paused);
        assert_eq!(
            view.heat.map(|heat| heat.status),
            Some(HeatStatus::On {
                on_for: secs(1000),
                remove_in: secs(200),
                next_check_in: None,
            })
        );
        let cues = heat_cues(&mut session, 901, 1500);
        assert_eq!(cues, vec![(CueKind::HeatOff, 1200)]);
        assert_eq!(
            session.view(secs(1500)).heat.map(|heat| heat.status),
            Some(HeatStatus::Done { capped: true })
        );
        // The alarm repeats while unanswered, so the banner stays.
        assert!(session.view(secs(1496)).recent_cue == Some(CueKind::HeatOff));
        // Resuming plays the massage on; the heat does not come back on.
        session.handle(Control::Resume, secs(1500));
        let later = heat_cues(&mut session, 1501, 2000);
        assert!(later.is_empty(), "{later:?}");
        assert!(session.is_ended());
    }

    #[test]
    fn skipping_or_stopping_takes_the_heat_off_at_once() {
        let mut session = Session::start(heat_plan(&[60, 300, 60], 1, 1), secs(0));
        heat_cues(&mut session, 0, 100);
        let events = session.handle(Control::Skip, secs(100));
        assert!(
            events
                .iter()
                .any(|event| event.kind == CueKind::HeatOff && event.due_at == secs(100)),
            "{events:?}"
        );
        // Back into the heat step: the heat stays off (no second dose).
        let events = session.handle(Control::Back, secs(101));
        assert!(events.iter().all(|event| event.kind != CueKind::HeatOn));

        let mut session = Session::start(heat_plan(&[300], 0, 0), secs(0));
        heat_cues(&mut session, 0, 10);
        let events = session.handle(Control::Stop, secs(10));
        assert_eq!(
            events.iter().map(|event| event.kind).collect::<Vec<_>>(),
            vec![CueKind::HeatOff]
        );
    }

    #[test]
    fn the_take_off_alarm_repeats_until_answered_even_after_the_end() {
        // Heat on the only step: the session ends as the heat must come off.
        let mut session = Session::start(heat_plan(&[300], 0, 0), secs(0));
        let cues = heat_cues(&mut session, 0, 300);
        assert_eq!(cues.last(), Some(&(CueKind::HeatOff, 300)));
        assert!(session.is_ended() && session.heat_alarm());
        assert_eq!(session.next_deadline(), Some(secs(330)));
        let repeats: Vec<(u64, u8)> = (301..=400)
            .flat_map(|t| session.poll(secs(t)))
            .map(|event| (event.due_at.as_secs(), event.urgency))
            .collect();
        assert_eq!(
            repeats,
            [(330, 1), (350, 2), (365, 3), (375, 4), (385, 4), (395, 4)]
        );
        assert!(session.view(secs(400)).heat_alarm);
        session.handle(Control::AcknowledgeHeat, secs(401));
        assert!(!session.heat_alarm());
        assert_eq!(session.next_deadline(), None);
        assert!(session.poll(secs(1000)).is_empty());
    }

    #[test]
    fn taking_the_heat_off_yourself_raises_no_alarm() {
        let mut session = Session::start(heat_plan(&[60, 300, 60], 1, 1), secs(0));
        heat_cues(&mut session, 0, 100);
        session.handle(Control::Skip, secs(101));
        assert!(!session.heat_alarm());
    }

    #[test]
    fn a_suspend_pauses_the_massage_but_the_heat_keeps_counting_to_the_cap() {
        let mut session = Session::start(heat_plan(&[600, 600], 0, 1), secs(0));
        assert_eq!(heat_cues(&mut session, 0, 120).len(), 1); // heat on
        // The computer sleeps at 120 s for 25 minutes; the clock keeps counting.
        session.suspended(secs(120), secs(1500));
        let woke = secs(1620);
        let events = session.poll(woke);
        let kinds = kinds(&events);
        // The skin checks fell due in the sleep, then the cap: heat off, alarm raised.
        assert_eq!(kinds.last(), Some(&CueKind::HeatOff));
        assert!(!kinds.contains(&CueKind::StepStart));
        let view = session.view(woke);
        assert!(view.paused && view.heat_alarm);
        assert_eq!(view.slept, Some(secs(1500)));
        assert_eq!(view.session_elapsed, secs(120));
        assert!(matches!(
            view.heat.map(|heat| heat.status),
            Some(HeatStatus::Done { capped: true })
        ));
        session.handle(Control::Resume, woke);
        assert_eq!(session.view(woke + secs(1)).slept, None);
        assert_eq!(session.view(woke + secs(1)).session_elapsed, secs(121));
    }
}
