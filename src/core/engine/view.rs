//! What the player shows at one instant, computed from the session.

use std::time::Duration;

use super::*;

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
    /// How far through the session's steps the timeline is, lead-in
    /// excluded (skipped time included: it drives the progress bar).
    pub session_elapsed: Duration,
    /// Time actually played: skipped time left out, replayed time counted
    /// again (what the finish screen and the history report).
    pub session_played: Duration,
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

impl SessionView {
    /// Whether the session is over.
    pub fn phase_is_ended(&self) -> bool {
        matches!(self.phase, Phase::Ended(_))
    }

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

impl Session {
    /// Active time played at `now`: time inside steps, without the lead-in or
    /// the pauses between steps. Skipped time does not count.
    pub fn active_elapsed(&self, now: Duration) -> Duration {
        (self.active_at(self.position(now)) + self.replayed_time).saturating_sub(self.skipped_time)
    }

    /// Time inside steps up to a timeline position.
    pub(super) fn active_at(&self, position: Duration) -> Duration {
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
                session_played: self.active_elapsed(now),
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
            session_played: self.active_elapsed(now),
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
    pub(super) fn heat_view(
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

    pub(super) fn segments_done(&self, position: Duration) -> usize {
        self.segments
            .iter()
            .filter(|segment| {
                matches!(segment.kind, SegmentKind::Step(_)) && segment.end() <= position
            })
            .count()
    }
}
