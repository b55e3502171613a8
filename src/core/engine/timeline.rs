//! The timeline: segments (get ready, steps, changes of position) laid end to
//! end from the start, the cue points on them, and moving along them.

use std::time::Duration;

use super::model::{CueEvent, CueKind, SessionPlan};
use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SegmentKind {
    LeadIn,
    Step(usize),
    /// The pause before step `n`.
    Transition(usize),
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Segment {
    pub(super) kind: SegmentKind,
    /// Offset from the start of the timeline.
    pub(super) start: Duration,
    pub(super) length: Duration,
}

impl Segment {
    pub(super) fn end(&self) -> Duration {
        self.start + self.length
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct CuePoint {
    /// Offset from the start of the timeline.
    pub(super) at: Duration,
    pub(super) kind: CueKind,
    pub(super) step_index: Option<usize>,
    /// For heat cues: which stretch of heat.
    pub(super) heat: Option<usize>,
}

pub(super) fn build_cue_points(
    plan: &SessionPlan,
    segments: &[Segment],
    total: Duration,
) -> Vec<CuePoint> {
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

impl Session {
    /// Timeline position (lead-in included) at `now`.
    pub(super) fn position(&self, now: Duration) -> Duration {
        if let Some((_, at)) = self.ended {
            return at;
        }
        if let Some(at) = self.paused_at {
            return at;
        }
        (self.base_position + now.saturating_sub(self.base_time)).min(self.total)
    }

    /// The segment containing `position`; the last one at the very end.
    pub(super) fn segment_index_at(&self, position: Duration) -> usize {
        let after = self
            .segments
            .partition_point(|segment| segment.start <= position);
        after.saturating_sub(1)
    }

    /// Moves the timeline to `position`, keeping the paused state, and re-arms cues from there.
    pub(super) fn jump_to(&mut self, position: Duration, now: Duration) {
        // What a jump skips is not played; what it goes back over will be
        // played again: both change the time played, not the timeline.
        let from = self.active_at(self.position(now));
        let to = self.active_at(position);
        if to > from {
            self.skipped_time += to - from;
        } else {
            self.replayed_time += from - to;
        }
        if self.paused_at.is_some() {
            self.paused_at = Some(position);
        } else {
            self.base_position = position;
            self.base_time = now;
        }
        self.next_cue = self.cue_points.partition_point(|cue| cue.at < position);
    }

    /// Applies a cue from the timeline; heat cues only when they change something.
    pub(super) fn timeline_cue(
        &mut self,
        cue: CuePoint,
        due_at: Duration,
        now: Duration,
    ) -> Option<CueEvent> {
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
}
