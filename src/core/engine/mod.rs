//! The session engine: a plan of timed steps becomes a state machine that knows
//! where the person is, what to show and which cue is due.
//!
//! Time is always a parameter (`now`, a monotonic offset from any origin); the
//! engine never reads a clock. Every boundary is computed from the start instant
//! plus the sum of the lengths before it, so polling early, late or rarely never
//! accumulates drift.

use std::time::Duration;

mod heat;
mod model;
mod timeline;
mod view;

use super::heat_alarm::HeatAlarm;
use super::routine::{HEAT_CAP_SECS, HeatSpan, Side};
use heat::HeatState;
pub use model::{Control, CueEvent, CueKind, Ending, Phase, PlannedStep, Round, SessionPlan};
use timeline::{CuePoint, Segment, SegmentKind, build_cue_points};
pub use view::{HeatStatus, HeatView, SessionView};

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
    /// Step time jumped over by Skip: not played, so not counted as played.
    skipped_time: Duration,
    /// Step time gone back over by Back: played again, so counted again.
    replayed_time: Duration,
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
            skipped_time: Duration::ZERO,
            replayed_time: Duration::ZERO,
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
            // Reaching the end by skipping every step is not completing it.
            let ending = if self.steps_completed(now) == 0 && !self.plan.steps.is_empty() {
                Ending::Stopped
            } else {
                Ending::Completed
            };
            self.ended = Some((ending, self.total));
            self.paused_at = None;
        }
        events.extend(self.poll_alarm(now));
        events
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
}

#[cfg(test)]
mod tests;
