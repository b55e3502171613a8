//! What the voice says and when, decided from the session's events and view.
//!
//! Pure: no speech service, no clock. The conductor hands over the cues it
//! has just sounded, the controls it has just applied and what the player
//! shows; the [`Announcer`] answers with at most one [`Utterance`] each time,
//! to be spoken after the cue that prompted it. The only thing it times on its
//! own is "Next: …" a few seconds before a step ends, which it asks for
//! through [`Announcer::next_due`].

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::core::engine::{
    COUNTDOWN_MIN, COUNTDOWN_TICKS, Control, CueEvent, CueKind, HALFWAY_MIN, Phase, PlannedStep,
    SWITCH_MIN, SessionPlan, SessionView,
};
use crate::core::routine::Side;
use crate::core::words;

/// "Next: …" is said this long before a step ends: after the step's own
/// words, and finished before the last-seconds countdown begins.
pub const NEXT_UP_LEAD: Duration = Duration::from_secs(8);
/// Steps shorter than this get no "Next: …": their start already said
/// enough, and in a shorter two-sided step it would crowd "Switch sides".
pub const NEXT_UP_MIN: Duration = Duration::from_secs(30);
/// About how long the voice takes per character at its usual speed, to
/// judge whether a line fits before the next cue (which would cut it off).
pub const SPEECH_PER_CHAR: Duration = Duration::from_millis(75);
/// Room kept for a step-start tone before its words begin.
pub const START_TONE_ROOM: Duration = Duration::from_millis(1500);
/// Resuming this close before "Next" is due says the step instead of "Next".
pub const NEXT_UP_ROOM: Duration = Duration::from_secs(3);
/// A line due longer ago than this (after a suspend, say) is dropped.
pub const STALE_LINE: Duration = Duration::from_secs(2);

/// Which kinds of announcement the person wants. Every one is on by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Announcements {
    /// The step's title when it starts.
    pub steps: bool,
    /// The step's own spoken sentence after its title.
    pub instructions: bool,
    /// Which side to start on, and "Switch sides".
    pub sides: bool,
    /// "Halfway" on one-sided steps.
    pub halfway: bool,
    /// "Next: …" before a step ends.
    pub next_up: bool,
    /// "Get ready" and the count into the first step.
    pub get_ready: bool,
    /// Heat on with the towel, skin checks, heat off.
    pub heat: bool,
    /// Paused, resuming, stopped.
    pub controls: bool,
    /// The end of the session.
    pub end: bool,
}

impl Default for Announcements {
    fn default() -> Self {
        Self {
            steps: true,
            instructions: true,
            sides: true,
            halfway: true,
            next_up: true,
            get_ready: true,
            heat: true,
            controls: true,
            end: true,
        }
    }
}

impl Announcements {
    /// Each switch with its label, in settings order, to draw and edit them.
    pub fn each_mut(&mut self) -> [(&'static str, &mut bool); 9] {
        [
            ("Step names", &mut self.steps),
            ("Spoken instructions", &mut self.instructions),
            ("Sides and \"Switch sides\"", &mut self.sides),
            ("\"Halfway\"", &mut self.halfway),
            ("\"Next\" before a step ends", &mut self.next_up),
            ("\"Get ready\" and the count-in", &mut self.get_ready),
            ("Heat: towel, skin checks, heat off", &mut self.heat),
            ("Paused, resuming, stopped", &mut self.controls),
            ("The end of the session", &mut self.end),
        ]
    }
}

/// One thing to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Utterance {
    /// The words.
    pub text: String,
    /// The cue it follows: speech waits until that sound has played, so the
    /// two never overlap. `None` to speak at once.
    pub after_cue: Option<CueKind>,
}

/// Decides the spoken lines for one session.
#[derive(Debug, Clone)]
pub struct Announcer {
    choices: Announcements,
    /// The step whose "Next: …" has been dealt with (said or dropped), until
    /// that step starts again.
    next_up_done: Option<usize>,
}

impl Announcer {
    /// An announcer saying what `choices` allows.
    pub fn new(choices: Announcements) -> Self {
        Self {
            choices,
            next_up_done: None,
        }
    }

    /// Said as the session opens: the routine and the first step during the
    /// lead-in. With no lead-in the first step's own start cue speaks.
    pub fn started(&self, plan: &SessionPlan, view: &SessionView) -> Option<Utterance> {
        if view.phase != Phase::LeadIn || !self.choices.get_ready {
            return None;
        }
        // Said before the count begins, or the first tick would cut it off:
        // the longest of these that fits.
        let ticks = Duration::from_secs(u64::from(COUNTDOWN_TICKS));
        let room = if plan.lead_in > ticks {
            plan.lead_in - ticks
        } else {
            plan.lead_in
        };
        let name = format!("Get ready for {}", sentence(&plan.routine_name));
        let mut choices = Vec::new();
        if let Some(first) = plan.steps.first() {
            let first = format!("First: {}", sentence(&first.step.title));
            choices.push(format!("{name} {first}"));
            choices.push(format!("Get ready. {first}"));
        }
        choices.push(name);
        choices.push("Get ready.".to_owned());
        let text = choices
            .into_iter()
            .find(|text| speaking_time(text) <= room)?;
        Some(Utterance {
            text,
            after_cue: None,
        })
    }

    /// What to say after `sounded`, the cues that just played (in order).
    pub fn cues(
        &mut self,
        plan: &SessionPlan,
        sounded: &[CueEvent],
        view: &SessionView,
    ) -> Option<Utterance> {
        // Heat words first: the next cue may cut a line short, and the
        // towel or "take it off" must never be the part that is lost. With
        // heat to say, a step's own sentence is left for another time.
        let heat = |kind: CueKind| {
            matches!(
                kind,
                CueKind::HeatOn | CueKind::SkinCheck | CueKind::HeatOff
            )
        };
        let with_heat = sounded.iter().any(|event| heat(event.kind));
        let mut safety = Vec::new();
        let mut parts = Vec::new();
        for event in sounded {
            if event.kind == CueKind::StepStart
                && let Some(index) = event.step_index
                && self.next_up_done == Some(index)
            {
                self.next_up_done = None;
            }
            if let Some(part) = self.cue_words(plan, event, view, !with_heat) {
                if heat(event.kind) {
                    safety.push(part);
                } else {
                    parts.push(part);
                }
            }
        }
        safety.extend(parts);
        let parts = safety;
        let last = sounded.last()?;
        (!parts.is_empty()).then(|| Utterance {
            text: parts.join(" "),
            after_cue: Some(last.kind),
        })
    }

    fn cue_words(
        &self,
        plan: &SessionPlan,
        event: &CueEvent,
        view: &SessionView,
        with_sentence: bool,
    ) -> Option<String> {
        let choices = &self.choices;
        match event.kind {
            CueKind::StepStart => {
                let index = event.step_index?;
                self.step_words(plan, index, with_sentence)
            }
            CueKind::SwitchSide if choices.sides => Some("Switch sides. Right side now.".into()),
            CueKind::Halfway if choices.halfway => Some("Halfway.".into()),
            CueKind::CountdownTick if choices.get_ready && event.step_index.is_none() => {
                // Only the count into the first step; other boundaries have tones.
                let left = view.segment_remaining.as_secs()
                    + u64::from(view.segment_remaining.subsec_nanos() > 0);
                match (view.phase, left) {
                    (Phase::LeadIn, 1) => Some("One.".into()),
                    (Phase::LeadIn, 2) => Some("Two.".into()),
                    (Phase::LeadIn, 3) => Some("Three.".into()),
                    _ => None,
                }
            }
            CueKind::HeatOn if choices.heat => {
                let span = plan
                    .heat
                    .iter()
                    .find(|span| Some(span.from_step) == event.step_index)?;
                Some(format!(
                    "Put the {} on your {}. Put the towel between the heat and your skin.",
                    span.source.label().to_lowercase(),
                    span.region.label().to_lowercase()
                ))
            }
            CueKind::SkinCheck if choices.heat => Some(
                "Skin check. Lift the heat and look: if the skin is red or sore, take it off."
                    .into(),
            ),
            // The alarm is a safety cue: its words are always said.
            CueKind::HeatOff if event.urgency > 0 => {
                Some("Take the heat off now. When it is off, press H.".into())
            }
            CueKind::HeatOff => Some("Take the heat off now.".into()),
            CueKind::SessionEnd if choices.end => {
                let length = played_words(view.session_played);
                Some(format!(
                    "That is the end of the session: {length} played. Take a moment before you get up."
                ))
            }
            _ => None,
        }
    }

    /// A step's opening words: title, side, and its own sentence.
    fn step_words(&self, plan: &SessionPlan, index: usize, with_sentence: bool) -> Option<String> {
        let planned = plan.steps.get(index)?;
        let step = &planned.step;
        let mut parts = Vec::new();
        // A new round of the repeated middle is named as it begins.
        let first_of_round = index
            .checked_sub(1)
            .and_then(|before| plan.steps.get(before))
            .is_none_or(|before| before.round != planned.round);
        if self.choices.steps
            && first_of_round
            && let Some(round) = planned.round.label()
        {
            parts.push(sentence(&round));
        }
        if self.choices.steps {
            parts.push(sentence(&step.title));
        }
        if self.choices.sides {
            let side = match step.side {
                Side::Both if planned.duration >= SWITCH_MIN => Some("Left side first."),
                Side::Both => Some("Both sides."),
                Side::Left => Some("Left side."),
                Side::Right => Some("Right side."),
                Side::Center => None,
            };
            parts.extend(side.map(str::to_owned));
        }
        if self.choices.instructions
            && with_sentence
            && let Some(say) = &step.say
        {
            // Only when it can be said before the step's next cue cuts it off.
            let with_say = [parts.join(" "), sentence(say)].join(" ");
            if START_TONE_ROOM + speaking_time(&with_say) <= quiet_after_start(planned) {
                parts.push(sentence(say));
            }
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// What to say after the person's own `control`, given what the player
    /// showed just `before` and shows `after` it. Cues the control caused
    /// (a skipped-to step's start) are announced by [`Self::cues`].
    pub fn control(
        &mut self,
        plan: &SessionPlan,
        control: Control,
        before: &SessionView,
        after: &SessionView,
    ) -> Option<Utterance> {
        let text = match control {
            Control::Pause | Control::TogglePause if !before.paused && after.paused => {
                self.choices.controls.then(|| "Paused.".to_owned())?
            }
            Control::Resume | Control::TogglePause if before.paused && !after.paused => {
                if !self.choices.controls {
                    return None;
                }
                match after.phase {
                    Phase::Step(index) => {
                        let title = plan.steps.get(index).map(|planned| &planned.step.title)?;
                        // Close to the end, "Next" would cut this line off;
                        // the next step names itself when it starts.
                        if after.segment_remaining <= NEXT_UP_LEAD + NEXT_UP_ROOM {
                            self.next_up_done = Some(index);
                        }
                        let side = match after.current_side {
                            Some(Side::Left) if self.choices.sides => " Left side.",
                            Some(Side::Right) if self.choices.sides => " Right side.",
                            _ => "",
                        };
                        format!("Resuming: {}{side}", sentence(title))
                    }
                    _ => "Resuming.".to_owned(),
                }
            }
            Control::Stop if before.phase != after.phase => self
                .choices
                .controls
                .then(|| "Session stopped.".to_owned())?,
            Control::Skip => match after.phase {
                // Skipped into a change of position: the next step starts
                // after it, with its own words.
                Phase::Transition(next) if self.choices.next_up => {
                    let title = plan.steps.get(next).map(|planned| &planned.step.title)?;
                    format!("Next: {}", sentence(title))
                }
                _ => return None,
            },
            _ => return None,
        };
        Some(Utterance {
            text,
            after_cue: None,
        })
    }

    /// How long from the moment `view` shows until "Next: …" is due, or
    /// `None` when nothing is waiting (paused, a short or last step, said).
    pub fn next_due(&self, plan: &SessionPlan, view: &SessionView) -> Option<Duration> {
        if !self.choices.next_up || view.paused {
            return None;
        }
        let Phase::Step(index) = view.phase else {
            return None;
        };
        let waiting = self.next_up_done != Some(index)
            && index + 1 < plan.steps.len()
            && view.segment_length >= NEXT_UP_MIN;
        waiting.then(|| view.segment_remaining.saturating_sub(NEXT_UP_LEAD))
    }

    /// "Next: …" once its time has come. A line whose moment passed long ago
    /// (the computer slept through it) is dropped, not said late.
    pub fn poll(&mut self, plan: &SessionPlan, view: &SessionView) -> Option<Utterance> {
        if self.next_due(plan, view) != Some(Duration::ZERO) {
            return None;
        }
        let Phase::Step(index) = view.phase else {
            return None;
        };
        self.next_up_done = Some(index);
        if view.segment_remaining + STALE_LINE <= NEXT_UP_LEAD {
            return None;
        }
        let next = plan.steps.get(index + 1)?;
        Some(Utterance {
            text: format!("Next: {}", sentence(&next.step.title)),
            after_cue: None,
        })
    }
}

/// "3 minutes", or "40 seconds" under half a minute: time played in words.
pub fn played_words(played: Duration) -> String {
    let played = played.as_secs();
    let minutes = (played + 30) / 60;
    if minutes == 0 {
        words::count(played, "second", "seconds")
    } else {
        words::count(minutes, "minute", "minutes")
    }
}

/// About how long `text` takes to say.
pub fn speaking_time(text: &str) -> Duration {
    SPEECH_PER_CHAR * u32::try_from(text.chars().count()).unwrap_or(u32::MAX)
}

/// How long after a step starts its next cue comes (the switch or halfway
/// cue, the last-seconds count, or its end), as the engine places them.
pub fn quiet_after_start(planned: &PlannedStep) -> Duration {
    let length = planned.duration;
    let middle = Duration::from_secs(length.as_secs() / 2);
    if (planned.step.side == Side::Both && length >= SWITCH_MIN) || length >= HALFWAY_MIN {
        middle
    } else if length >= COUNTDOWN_MIN {
        length - Duration::from_secs(u64::from(COUNTDOWN_TICKS))
    } else {
        length
    }
}

/// The words for the settings screen's "Test voice".
pub const TEST_LINE: &str = "This is the voice that will guide you. Neck strokes. Left side first.";

/// `text` trimmed and ending in a full stop (or its own ?, ! or :), so the
/// voice pauses between parts.
pub fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.ends_with(['.', '!', '?', ':']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

#[cfg(test)]
mod tests;
