//! Turning a routine and a chosen length into a playable [`SessionPlan`].

use std::time::Duration;

use super::engine::{PlannedStep, SessionPlan};
use super::parse::MAX_STEP_SECS;
use super::routine::{HEAT_CAP_SECS, Routine};
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
        heat: routine.heat_spans(),
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
    let heat = routine.heat_spans();
    let inputs: Vec<ScaleInput> = routine
        .steps
        .iter()
        .enumerate()
        .map(|(index, step)| ScaleInput {
            duration_secs: step.duration_secs,
            // Steps under heat keep their length, so heat never outlasts its cap.
            fixed: step.fixed || heat.iter().any(|span| span.covers(index)),
        })
        .collect();
    let mut lengths = scale_durations(&inputs, length_secs);
    for (index, secs) in nudges {
        if *index < lengths.len() {
            let max = max_step_secs(routine, &lengths, *index);
            lengths[*index] = (*secs).clamp(MIN_STEP_SECS, max.max(MIN_STEP_SECS));
        }
    }
    lengths
}

/// The longest step `index` may be made by hand, given the other lengths: a
/// step under heat may only grow while its stretch of heat stays within the cap.
pub fn max_step_secs(routine: &Routine, lengths: &[u32], index: usize) -> u32 {
    let general = u32::try_from(MAX_STEP_SECS).unwrap_or(u32::MAX);
    routine
        .heat_spans()
        .iter()
        .filter(|span| span.covers(index))
        .map(|span| {
            let others: u32 = (span.from_step..=span.to_step)
                .filter(|other| *other != index)
                .map(|other| lengths.get(other).copied().unwrap_or(0))
                .sum();
            HEAT_CAP_SECS.saturating_sub(others)
        })
        .min()
        .unwrap_or(general)
        .min(general)
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
        // A step under heat alongside others may only grow into what is left of the cap.
        let mut alongside = routine.clone();
        alongside.heat = vec![crate::core::routine::HeatSpan {
            source: crate::core::routine::Tool::HeatPack,
            region: crate::core::routine::Region::LowerBack,
            from_step: heat_index + 1,
            to_step: heat_index + 2,
            alongside: true,
        }];
        let nudges = [(heat_index + 1, 3000)].into_iter().collect();
        let lengths = step_lengths(&alongside, 1200, &nudges);
        assert_eq!(
            lengths[heat_index + 1] + lengths[heat_index + 2],
            HEAT_CAP_SECS
        );
    }

    proptest::proptest! {
        /// Whatever length is chosen and however steps are nudged, no stretch
        /// of heat in the plan lasts longer than the cap.
        #[test]
        fn scaling_and_nudges_never_stretch_heat_past_the_cap(
            minutes in 5u32..=90,
            nudges in proptest::collection::btree_map(0usize..7, 10u32..3600, 0..7),
        ) {
            let text = crate::library::BUILTIN_FILES
                .iter()
                .find(|(name, _)| *name == "shoulders-to-lower-back.toml")
                .map(|(_, text)| *text)
                .unwrap_or_default();
            let mut routine = parse_routine("r", text).expect("valid");
            // A pack on the lower back while steps 2 to 4 play.
            routine.heat = vec![crate::core::routine::HeatSpan {
                source: crate::core::routine::Tool::HeatPack,
                region: crate::core::routine::Region::LowerBack,
                from_step: 1,
                to_step: 3,
                alongside: true,
            }];
            let lengths = step_lengths(&routine, minutes * 60, &nudges);
            for span in routine.heat_spans() {
                let heat: u32 = lengths[span.from_step..=span.to_step].iter().sum();
                proptest::prop_assert!(heat <= HEAT_CAP_SECS, "{heat} s of heat");
            }
        }
    }
}
