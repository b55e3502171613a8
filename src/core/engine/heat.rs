//! Heat beside the massage: each stretch of heat runs on real time (it keeps
//! counting while paused or asleep), checks the skin, comes off at its end or
//! the cap, and raises the take-it-off alarm when time, not the person, ends it.

use std::time::Duration;

use super::*;

/// Runtime state of one stretch of heat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HeatState {
    NotStarted,
    On { since: Duration, checks_done: u32 },
    Off { capped: bool },
}

impl Session {
    /// A repeat of the unanswered take-the-heat-off alarm, if one is due.
    pub(super) fn poll_alarm(&mut self, now: Duration) -> Option<CueEvent> {
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

    /// The next wall-clock heat deadline: a skin check or the cap.
    pub(super) fn heat_deadline(&self) -> Option<(Duration, usize, CueKind)> {
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
    pub(super) fn heat_cue(
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
    pub(super) fn remove_heat_outside(
        &mut self,
        position: Option<Duration>,
        now: Duration,
    ) -> Vec<CueEvent> {
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
    pub(super) fn heat_range(&self, span: usize) -> std::ops::Range<Duration> {
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
}
