//! Every built-in routine at every length from 5 to 90 minutes: no step past
//! its technique's limit, heat never past its cap, and the length reached
//! wherever the routine offers it — longer sessions repeat rounds instead.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use unknot::core::limits::{limit_secs, per_side_secs};
use unknot::core::plan::{length_range, max_step_secs, plan_with_lengths, step_lengths};
use unknot::core::routine::{HEAT_CAP_SECS, Routine};
use unknot::core::scale::{MIN_STEP_SECS, ROUNDING_SECS};
use unknot::library;

fn builtins() -> Vec<Routine> {
    library::load_builtin()
        .entries
        .into_iter()
        .map(|entry| entry.routine)
        .collect()
}

/// Checks one plan; returns what it adds up to.
fn check_plan(routine: &Routine, minutes: u32, lengths: &[u32]) -> u32 {
    let plan = plan_with_lengths(routine, lengths, 0, 0);
    assert_eq!(plan.steps.len(), lengths.len());
    for (index, planned) in plan.steps.iter().enumerate() {
        let step = &planned.step;
        let secs = u32::try_from(planned.duration.as_secs()).unwrap();
        let limit = limit_secs(step.technique, step.pressure);
        assert!(
            per_side_secs(step, secs) <= limit,
            "{} at {minutes} min: step {} '{}' has {} s per side, limit {limit}",
            routine.id,
            index + 1,
            step.title,
            per_side_secs(step, secs)
        );
        assert!(secs >= MIN_STEP_SECS.min(step.duration_secs));
    }
    for span in &plan.heat {
        let heat: u32 = lengths[span.from_step..=span.to_step].iter().sum();
        assert!(
            heat <= HEAT_CAP_SECS,
            "{} at {minutes} min: {heat} s of heat",
            routine.id
        );
    }
    // Heat is laid on once: no more stretches of heat than the routine has.
    assert_eq!(plan.heat.len(), routine.heat_spans().len());
    lengths.iter().sum()
}

#[test]
fn every_builtin_at_every_length_stays_within_its_limits() {
    for routine in builtins() {
        let (shortest, longest) = length_range(&routine);
        assert!(
            shortest <= routine.default_length_secs() && routine.default_length_secs() <= longest
        );
        for minutes in 5..=90u32 {
            let target = minutes * 60;
            let lengths = step_lengths(&routine, target, &BTreeMap::new());
            let total = check_plan(&routine, minutes, &lengths);
            if (shortest..=longest).contains(&target) {
                assert!(
                    total.abs_diff(target) <= ROUNDING_SECS,
                    "{} at {minutes} min adds up to {total} s",
                    routine.id
                );
            }
        }
        // At its own length the plan is the file, one round.
        let own = step_lengths(&routine, routine.default_length_secs(), &BTreeMap::new());
        let file: Vec<u32> = routine
            .steps
            .iter()
            .map(|step| step.duration_secs)
            .collect();
        assert_eq!(own, file, "{}", routine.id);
    }
}

#[test]
fn long_sessions_repeat_rounds_rather_than_hold_one_spot_longer() {
    let routine = library::load_builtin()
        .find(library::DEFAULT_ROUTINE_ID)
        .expect("default")
        .routine
        .clone();
    let lengths = step_lengths(&routine, 90 * 60, &BTreeMap::new());
    let plan = plan_with_lengths(&routine, &lengths, 0, 0);
    let rounds = plan
        .steps
        .iter()
        .map(|planned| planned.round.of)
        .max()
        .unwrap();
    assert!(rounds >= 2, "90 minutes in {rounds} round(s)");
    assert!(plan.steps.len() > routine.steps.len());
    // The closing stretch plays once, last.
    assert_eq!(
        plan.steps.last().unwrap().step,
        *routine.steps.last().unwrap()
    );
    assert_eq!(
        plan.steps
            .iter()
            .filter(|planned| planned.step == *routine.steps.last().unwrap())
            .count(),
        1
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// However steps are nudged by hand, no step passes its limit and heat stays within its cap.
    #[test]
    fn nudges_never_pass_a_limit(
        which in 0usize..64,
        minutes in 5u32..=90,
        nudges in prop::collection::btree_map(0usize..40, 10u32..4000, 0..10),
    ) {
        let routines = builtins();
        let routine = &routines[which % routines.len()];
        let lengths = step_lengths(routine, minutes * 60, &nudges);
        check_plan(routine, minutes, &lengths);
        for index in 0..lengths.len() {
            prop_assert!(lengths[index] <= max_step_secs(routine, &lengths, index).max(MIN_STEP_SECS));
        }
    }
}

/// The README's table of routines lists every built-in with its length.
#[test]
fn the_readme_table_lists_every_builtin() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    for routine in builtins() {
        let row = readme
            .lines()
            .find(|line| line.starts_with('|') && line.contains(&format!("`{}`", routine.id)))
            .unwrap_or_else(|| panic!("no README row for {}", routine.id));
        let minutes = format!("| {} |", routine.default_length_secs() / 60);
        assert!(row.contains(&minutes), "{row} should say {minutes}");
        for source in &routine.sources {
            assert!(row.contains(source.as_str()), "{row} should cite {source}");
        }
    }
}
