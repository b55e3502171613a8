//! Turning a routine and a chosen length into a playable [`SessionPlan`].

use std::time::Duration;

use super::engine::{PlannedStep, SessionPlan};
use super::routine::Routine;
use super::scale::{ScaleInput, scale_durations};

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
            fixed: step.fixed,
        })
        .collect();
    let mut lengths = scale_durations(&inputs, length_secs);
    for (index, secs) in nudges {
        if let Some(slot) = lengths.get_mut(*index) {
            *slot = (*secs).clamp(
                super::scale::MIN_STEP_SECS,
                super::parse::MAX_STEP_SECS as u32,
            );
        }
    }
    lengths
}
