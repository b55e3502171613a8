//! Turning a routine and a chosen length into a playable [`SessionPlan`].

use std::time::Duration;

use super::engine::{PlannedStep, SessionPlan};
use super::parse::MAX_STEP_SECS;
use super::routine::{HEAT_CAP_SECS, Routine, Step};
use super::scale::{MIN_STEP_SECS, ScaleInput, scale_durations};

/// Builds a plan from explicit step lengths (after scaling and nudges). Missing
/// entries fall back to the step's own length.
pub fn plan_with_lengths(
    routine: &Routine,
    step_secs: &[u32],
    lead_in_secs: u32,
    transition_secs: u32,
) -> SessionPlan {
    SessionPlan {
        routine_id: routine.id.clone(),
        routine_name: routine.name.clone(),
        lead_in: Duration::from_secs(u64::from(lead_in_secs)),
        transition: Duration::from_secs(u64::from(transition_secs)),
        steps: routine
            .steps
            .iter()
            .enumerate()
            .map(|(index, step)| PlannedStep {
                step: step.clone(),
                duration: Duration::from_secs(u64::from(
                    step_secs.get(index).copied().unwrap_or(step.duration_secs),
                )),
            })
            .collect(),
    }
}

/// The step lengths for a routine at a length, with remembered nudges applied.
/// Heat steps never scale (they keep their safe length) and are capped.
pub fn step_lengths(
    routine: &Routine,
    length_secs: u32,
    nudges: &std::collections::BTreeMap<usize, u32>,
) -> Vec<u32> {
    let inputs: Vec<ScaleInput> = routine
        .steps
        .iter()
        .map(|step| ScaleInput {
            duration_secs: step.duration_secs,
            fixed: step.fixed || step.uses_heat(),
        })
        .collect();
    let mut lengths = scale_durations(&inputs, length_secs);
    for (index, secs) in nudges {
        if let (Some(slot), Some(step)) = (lengths.get_mut(*index), routine.steps.get(*index)) {
            *slot = (*secs).clamp(MIN_STEP_SECS, max_step_secs(step));
        }
    }
    lengths
}

/// The longest a step may be made by hand: the heat cap for heat steps.
pub fn max_step_secs(step: &Step) -> u32 {
    if step.uses_heat() {
        HEAT_CAP_SECS
    } else {
        u32::try_from(MAX_STEP_SECS).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::parse::parse_routine;

    #[test]
    fn heat_steps_keep_their_length_and_nudges_respect_the_cap() {
        let text = crate::library::BUILTIN_FILES
            .iter()
            .find(|(name, _)| *name == "lower-back-heat.toml")
            .map(|(_, text)| *text)
            .unwrap_or_default();
        let routine = parse_routine("heat", text).expect("valid");
        let heat_index = routine
            .steps
            .iter()
            .position(|step| step.duration_secs == 600)
            .expect("ten-minute heat step");
        for minutes in [5, 10, 45, 90] {
            let lengths = step_lengths(&routine, minutes * 60, &Default::default());
            assert_eq!(lengths[heat_index], 600, "at {minutes} min");
        }
        let nudges = [(heat_index, 3000)].into_iter().collect();
        let lengths = step_lengths(&routine, 1200, &nudges);
        assert_eq!(lengths[heat_index], HEAT_CAP_SECS);
    }
}
