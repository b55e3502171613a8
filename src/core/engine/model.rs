//! What a session is made of and what it says: the plan, cues, controls,
//! phases and endings.

use std::time::Duration;

use crate::core::routine::{HeatSpan, Step};

/// A step with the length it will be played at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedStep {
    /// The step as written in the routine.
    pub step: Step,
    /// Its length in this session, after scaling.
    pub duration: Duration,
    /// Which round it belongs to when a longer session repeats part of the
    /// routine (default: not repeated).
    pub round: Round,
}

/// A step's place among repeated rounds: round `number` of `of`. A step that
/// is not repeated, or a session of one round, has `of` at most 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// 1-based round of this step (0 when not repeated).
    pub number: u32,
    /// How many rounds the session has.
    pub of: u32,
}

impl Round {
    /// "Round 2 of 3", when there is more than one round.
    pub fn label(self) -> Option<String> {
        (self.of > 1 && self.number > 0).then(|| format!("Round {} of {}", self.number, self.of))
    }
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
