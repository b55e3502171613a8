//! Turning a routine and a chosen length into a playable [`SessionPlan`].
//!
//! Steps stretch with the length up to their technique's limit (see
//! [`super::limits`]). Past that, a longer session repeats the routine's
//! middle (its longest run of massage steps) in rounds, rather than holding
//! one spot longer. Opening and closing steps, breathing and heat are never
//! repeated, so heat is never put on twice.

use std::ops::Range;
use std::time::Duration;

use super::engine::{PlannedStep, Round, SessionPlan};
use super::limits::{step_cap_secs, step_floor_secs};
use super::parse::MAX_STEP_SECS;
use super::routine::{HEAT_CAP_SECS, HeatSpan, Routine};
use super::scale::{MAX_LENGTH_SECS, MIN_LENGTH_SECS, MIN_STEP_SECS, ScaleInput, scale_within};

/// The most rounds a session may have.
pub const MAX_ROUNDS: u32 = 8;

/// The run of steps a longer session repeats: the run of steps, none of
/// them heat or under heat, with the most massage steps that scale; fixed
/// and breathing steps may sit inside it (a rest between points) but not at
/// its ends. The final step (the closing stretch) plays once, at the end.
pub fn repeat_block(routine: &Routine) -> Option<Range<usize>> {
    let heat = routine.heat_spans();
    let last = routine.steps.len().checked_sub(1)?;
    let allowed = |index: usize| {
        index != last
            && !routine.steps[index].uses_heat()
            && !heat.iter().any(|span| span.covers(index))
    };
    let scales = |index: usize| {
        let step = &routine.steps[index];
        !step.fixed && step.works_a_region()
    };
    let mut best: Option<(usize, Range<usize>)> = None;
    let mut index = 0;
    while index < routine.steps.len() {
        if !allowed(index) {
            index += 1;
            continue;
        }
        let mut start = index;
        while index < routine.steps.len() && allowed(index) {
            index += 1;
        }
        let mut end = index;
        while start < end && !scales(start) {
            start += 1;
        }
        while end > start && !scales(end - 1) {
            end -= 1;
        }
        let count = (start..end).filter(|at| scales(*at)).count();
        if count > 0 && best.as_ref().is_none_or(|(most, _)| count > *most) {
            best = Some((count, start..end));
        }
    }
    best.map(|(_, block)| block)
}

/// Each plan step: the routine step it plays and its round.
pub fn layout(routine: &Routine, rounds: u32) -> Vec<(usize, Round)> {
    let Some(block) = repeat_block(routine).filter(|_| rounds > 1) else {
        return (0..routine.steps.len())
            .map(|index| (index, Round::default()))
            .collect();
    };
    let mut slots: Vec<(usize, Round)> = (0..block.start)
        .map(|index| (index, Round::default()))
        .collect();
    for number in 1..=rounds {
        slots.extend(
            block
                .clone()
                .map(|index| (index, Round { number, of: rounds })),
        );
    }
    slots.extend((block.end..routine.steps.len()).map(|index| (index, Round::default())));
    slots
}

/// How many rounds a plan of `plan_len` steps has.
pub fn rounds_in(routine: &Routine, plan_len: usize) -> u32 {
    match repeat_block(routine) {
        Some(block) if plan_len > routine.steps.len() => {
            u32::try_from(1 + (plan_len - routine.steps.len()) / block.len()).unwrap_or(1)
        }
        _ => 1,
    }
}

/// The routine's heat in plan positions (heat lies outside the repeated block).
fn plan_heat(routine: &Routine, rounds: u32) -> Vec<HeatSpan> {
    let shift = match repeat_block(routine) {
        Some(block) if rounds > 1 => Some((block.end, block.len() * (rounds as usize - 1))),
        _ => None,
    };
    let place = |index: usize| match shift {
        Some((end, by)) if index >= end => index + by,
        _ => index,
    };
    routine
        .heat_spans()
        .into_iter()
        .map(|span| HeatSpan {
            from_step: place(span.from_step),
            to_step: place(span.to_step),
            ..span
        })
        .collect()
}

/// Scaling inputs and caps for every plan step of a layout.
fn inputs(routine: &Routine, slots: &[(usize, Round)]) -> (Vec<ScaleInput>, Vec<u32>) {
    let heat = routine.heat_spans();
    slots
        .iter()
        .map(|(index, _)| {
            let step = &routine.steps[*index];
            (
                ScaleInput {
                    duration_secs: step.duration_secs,
                    // Steps under heat keep their length, so heat never outlasts its cap.
                    fixed: step.fixed || heat.iter().any(|span| span.covers(*index)),
                },
                step_cap_secs(step),
            )
        })
        .unzip()
}

/// The shortest each plan step may be squeezed to.
fn floors(routine: &Routine, slots: &[(usize, Round)]) -> Vec<u32> {
    slots
        .iter()
        .map(|(index, _)| step_floor_secs(&routine.steps[*index]))
        .collect()
}

/// The longest the plan can be with this many rounds, every step at its limit.
fn capacity_secs(routine: &Routine, rounds: u32) -> u32 {
    let (inputs, caps) = inputs(routine, &layout(routine, rounds));
    inputs
        .iter()
        .zip(&caps)
        .map(|(input, cap)| {
            if input.fixed {
                input.duration_secs
            } else {
                (cap / 5 * 5).max(MIN_STEP_SECS)
            }
        })
        .sum()
}

/// The fewest rounds that reach `length_secs` without a step past its limit.
pub fn rounds_for(routine: &Routine, length_secs: u32) -> u32 {
    if repeat_block(routine).is_none() || length_secs <= routine.default_length_secs() {
        return 1;
    }
    (1..=MAX_ROUNDS)
        .find(|rounds| capacity_secs(routine, *rounds) >= length_secs)
        .unwrap_or(MAX_ROUNDS)
}

/// The shortest and longest session lengths this routine can really be
/// played at, within the lengths the app offers (its own length always counts).
pub fn length_range(routine: &Routine) -> (u32, u32) {
    let own = routine.default_length_secs();
    let shortest: u32 = step_lengths(routine, MIN_LENGTH_SECS, &Default::default())
        .iter()
        .sum();
    let longest: u32 = step_lengths(routine, MAX_LENGTH_SECS, &Default::default())
        .iter()
        .sum();
    (shortest.min(own), longest.max(own))
}

/// Builds a plan from explicit step lengths, one per plan step (after
/// scaling, rounds and nudges). Missing entries fall back to the step's own length.
pub fn plan_with_lengths(
    routine: &Routine,
    step_secs: &[u32],
    lead_in_secs: u32,
    transition_secs: u32,
) -> SessionPlan {
    let rounds = rounds_in(routine, step_secs.len());
    SessionPlan {
        routine_id: routine.id.clone(),
        routine_name: routine.name.clone(),
        lead_in: Duration::from_secs(u64::from(lead_in_secs)),
        transition: Duration::from_secs(u64::from(transition_secs)),
        heat: plan_heat(routine, rounds),
        steps: layout(routine, rounds)
            .into_iter()
            .enumerate()
            .map(|(position, (index, round))| {
                let step = &routine.steps[index];
                PlannedStep {
                    step: step.clone(),
                    duration: Duration::from_secs(u64::from(
                        step_secs
                            .get(position)
                            .copied()
                            .unwrap_or(step.duration_secs),
                    )),
                    round,
                }
            })
            .collect(),
    }
}

/// The plan's step lengths for a routine at a length, with remembered nudges
/// (keyed by plan position) applied. Heat steps never scale (they keep their
/// safe length) and no step passes its technique's limit.
pub fn step_lengths(
    routine: &Routine,
    length_secs: u32,
    nudges: &std::collections::BTreeMap<usize, u32>,
) -> Vec<u32> {
    let slots = layout(routine, rounds_for(routine, length_secs));
    let (inputs, caps) = inputs(routine, &slots);
    let mut lengths = scale_within(&inputs, &floors(routine, &slots), &caps, length_secs);
    for (index, secs) in nudges {
        if *index < lengths.len() {
            let max = max_step_secs(routine, &lengths, *index);
            lengths[*index] = (*secs).clamp(MIN_STEP_SECS, max.max(MIN_STEP_SECS));
        }
    }
    lengths
}

/// The longest plan step `index` may be made by hand, given the other
/// lengths: within its technique's limit, and a step under heat only while
/// its stretch of heat stays within the cap.
pub fn max_step_secs(routine: &Routine, lengths: &[u32], index: usize) -> u32 {
    let general = u32::try_from(MAX_STEP_SECS).unwrap_or(u32::MAX);
    let rounds = rounds_in(routine, lengths.len());
    let limit = layout(routine, rounds)
        .get(index)
        .map_or(general, |(step, _)| step_cap_secs(&routine.steps[*step]));
    plan_heat(routine, rounds)
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
        .min(limit)
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
        // Two long, slow steps under the pack, so the heat cap binds before
        // either step's own limit does.
        for index in [heat_index + 1, heat_index + 2] {
            alongside.steps[index].technique = crate::core::routine::Technique::Breathing;
        }
        alongside.steps[heat_index + 2].duration_secs = 700;
        let nudges = [(heat_index + 1, 3000)].into_iter().collect();
        let lengths = step_lengths(&alongside, 1200, &nudges);
        assert_eq!(
            lengths[heat_index + 1] + lengths[heat_index + 2],
            HEAT_CAP_SECS
        );
    }

    #[test]
    fn the_repeated_block_keeps_rests_inside_and_leaves_the_ends_out() {
        let text = crate::library::BUILTIN_FILES
            .iter()
            .find(|(name, _)| *name == "acupressure-course.toml")
            .map(|(_, text)| *text)
            .unwrap_or_default();
        let routine = parse_routine("course", text).expect("valid");
        let block = repeat_block(&routine).expect("a block");
        // Every point is repeated, with the rest between them; the opening
        // breath and the closing stretch are not.
        for (index, step) in routine.steps.iter().enumerate() {
            let inside = block.contains(&index);
            if step.technique == crate::core::routine::Technique::Acupressure {
                assert!(inside, "{} left out", step.title);
            }
            if index == 0 || index + 1 == routine.steps.len() {
                assert!(!inside, "{} repeated", step.title);
            }
        }
        assert!(!routine.steps[block.start].fixed && !routine.steps[block.end - 1].fixed);
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
