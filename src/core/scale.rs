//! Length scaling: fit a routine's steps to the length a person chose.
//!
//! Steps grow or shrink in proportion, land on 5-second marks, never drop
//! below 10 seconds, and fixed steps (breathing, heat) keep their length.

/// Shortest length a flexible step can be scaled to.
pub const MIN_STEP_SECS: u32 = 10;
/// Scaled steps land on multiples of this.
pub const ROUNDING_SECS: u32 = 5;
/// Shortest session length offered.
pub const MIN_LENGTH_SECS: u32 = 5 * 60;
/// Longest session length offered.
pub const MAX_LENGTH_SECS: u32 = 90 * 60;

/// The input a step gives to scaling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleInput {
    /// Length at the routine's default.
    pub duration_secs: u32,
    /// Fixed steps keep their length.
    pub fixed: bool,
}

/// Scales step lengths so they add up to `target_secs` (within 5 s when the
/// target can be reached at all). Returns one length per input step.
pub fn scale_durations(steps: &[ScaleInput], target_secs: u32) -> Vec<u32> {
    let fixed_total: u32 = steps
        .iter()
        .filter(|s| s.fixed)
        .map(|s| s.duration_secs)
        .sum();
    let flexible_base: u64 = steps
        .iter()
        .filter(|s| !s.fixed)
        .map(|s| u64::from(s.duration_secs))
        .sum();
    let flexible_count = steps.iter().filter(|s| !s.fixed).count();
    let original_total = fixed_total + u32::try_from(flexible_base).unwrap_or(u32::MAX);
    if flexible_count == 0 || target_secs == original_total {
        return steps.iter().map(|s| s.duration_secs).collect();
    }

    let min_units = u64::from(MIN_STEP_SECS / ROUNDING_SECS);
    let available_secs = u64::from(target_secs.saturating_sub(fixed_total));
    // Units of 5 s to share among the flexible steps, rounded to the nearest unit.
    let unit = u64::from(ROUNDING_SECS);
    let wanted_units = (available_secs + unit / 2) / unit;
    let total_units = wanted_units.max(min_units * flexible_count as u64);

    // Largest-remainder apportionment of `total_units` by the original lengths.
    let mut shares: Vec<(usize, u64, u64)> = Vec::with_capacity(flexible_count);
    for (index, step) in steps.iter().enumerate().filter(|(_, s)| !s.fixed) {
        let exact_numerator = u64::from(step.duration_secs) * total_units;
        let floor_units = exact_numerator / flexible_base.max(1);
        let remainder = exact_numerator % flexible_base.max(1);
        shares.push((index, floor_units, remainder));
    }
    let assigned: u64 = shares.iter().map(|(_, units, _)| units).sum();
    let mut leftover = total_units.saturating_sub(assigned);
    let mut by_remainder: Vec<usize> = (0..shares.len()).collect();
    by_remainder.sort_by(|a, b| shares[*b].2.cmp(&shares[*a].2).then(a.cmp(b)));
    for position in by_remainder {
        if leftover == 0 {
            break;
        }
        shares[position].1 += 1;
        leftover -= 1;
    }

    // Lift steps below the minimum, paying for it from the longest steps.
    let mut deficit: u64 = 0;
    for share in &mut shares {
        if share.1 < min_units {
            deficit += min_units - share.1;
            share.1 = min_units;
        }
    }
    while deficit > 0 {
        let Some(longest) = shares
            .iter_mut()
            .filter(|share| share.1 > min_units)
            .max_by_key(|share| share.1)
        else {
            break;
        };
        longest.1 -= 1;
        deficit -= 1;
    }

    let mut result: Vec<u32> = steps.iter().map(|s| s.duration_secs).collect();
    for (index, units, _) in shares {
        result[index] = u32::try_from(units * unit).unwrap_or(u32::MAX);
    }
    result
}

/// Like [`scale_durations`], but no flexible step goes past its cap (one
/// per step, on 5-second marks): a step that would is held at its cap and the
/// rest share what is left. The total falls short of the target only when
/// every flexible step is at its cap.
pub fn scale_within_caps(steps: &[ScaleInput], caps: &[u32], target_secs: u32) -> Vec<u32> {
    scale_within(steps, &[], caps, target_secs)
}

/// Like [`scale_within_caps`], and no flexible step goes below its floor
/// either (rounded up to a 5-second mark; missing floors are the usual
/// minimum). Below the floors' sum the total is longer than the target.
pub fn scale_within(
    steps: &[ScaleInput],
    floors: &[u32],
    caps: &[u32],
    target_secs: u32,
) -> Vec<u32> {
    let mut inputs = steps.to_vec();
    loop {
        let scaled = scale_durations(&inputs, target_secs);
        let mut held_any = false;
        for (index, input) in inputs.iter_mut().enumerate() {
            let Some(secs) = scaled.get(index).copied().filter(|_| !input.fixed) else {
                continue;
            };
            let cap = caps.get(index).copied().unwrap_or(u32::MAX);
            let cap = (cap / ROUNDING_SECS * ROUNDING_SECS).max(MIN_STEP_SECS);
            let floor = floors
                .get(index)
                .copied()
                .unwrap_or(0)
                .div_ceil(ROUNDING_SECS)
                .saturating_mul(ROUNDING_SECS)
                .clamp(MIN_STEP_SECS, cap);
            let held = if secs > cap {
                cap
            } else if secs < floor {
                floor
            } else {
                continue;
            };
            *input = ScaleInput {
                duration_secs: held,
                fixed: true,
            };
            held_any = true;
        }
        if !held_any {
            return scaled;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn flexible(duration_secs: u32) -> ScaleInput {
        ScaleInput {
            duration_secs,
            fixed: false,
        }
    }

    #[test]
    fn same_length_keeps_every_step() {
        let steps = [flexible(60), flexible(95), flexible(33)];
        assert_eq!(scale_durations(&steps, 188), vec![60, 95, 33]);
    }

    #[test]
    fn doubling_doubles_and_fixed_steps_stay() {
        let steps = [
            ScaleInput {
                duration_secs: 60,
                fixed: true,
            },
            flexible(120),
            flexible(240),
        ];
        let scaled = scale_durations(&steps, 60 + 720);
        assert_eq!(scaled, vec![60, 240, 480]);
    }

    #[test]
    fn short_targets_never_go_below_the_minimum() {
        let steps = [flexible(600), flexible(30), flexible(30)];
        let scaled = scale_durations(&steps, 300);
        assert!(scaled.iter().all(|secs| *secs >= MIN_STEP_SECS));
        assert_eq!(scaled.iter().sum::<u32>(), 300);
    }

    #[test]
    fn caps_hold_and_the_rest_take_up_the_time() {
        let steps = [flexible(60), flexible(60), flexible(60)];
        let scaled = scale_within_caps(&steps, &[90, 600, 600], 900);
        assert_eq!(scaled[0], 90);
        assert_eq!(scaled.iter().sum::<u32>(), 900);
        // Everything at its cap: the total falls short rather than break one.
        let scaled = scale_within_caps(&steps, &[90, 90, 90], 900);
        assert_eq!(scaled, vec![90, 90, 90]);
    }

    #[test]
    fn floors_hold_when_shortening() {
        let steps = [flexible(120), flexible(120), flexible(20)];
        let scaled = scale_within(&steps, &[40, 40, 20], &[600, 600, 600], 60);
        assert_eq!(scaled, vec![40, 40, 20]);
        let scaled = scale_within(&steps, &[40, 40, 20], &[600, 600, 600], 130);
        assert!(scaled[0] >= 40 && scaled[1] >= 40 && scaled[2] >= 20);
        assert_eq!(scaled.iter().sum::<u32>(), 130);
    }

    proptest! {
        #[test]
        fn caps_are_never_passed(
            steps in prop::collection::vec((10u32..300, 10u32..900), 1..12),
            target in MIN_LENGTH_SECS..=MAX_LENGTH_SECS,
        ) {
            let inputs: Vec<ScaleInput> = steps.iter().map(|(secs, _)| flexible(*secs)).collect();
            let caps: Vec<u32> = steps.iter().map(|(secs, extra)| (secs + extra) / 5 * 5).collect();
            let scaled = scale_within_caps(&inputs, &caps, target);
            for (secs, cap) in scaled.iter().zip(&caps) {
                prop_assert!(*secs <= (*cap).max(MIN_STEP_SECS));
            }
            let room: u32 = caps.iter().map(|cap| (*cap).max(MIN_STEP_SECS)).sum();
            if target + ROUNDING_SECS * steps.len() as u32 <= room {
                let total: u32 = scaled.iter().sum();
                prop_assert!(total.abs_diff(target) <= ROUNDING_SECS, "total {} target {}", total, target);
            }
        }

        #[test]
        fn scaling_invariants_hold(
            steps in prop::collection::vec((10u32..900, prop::bool::weighted(0.2)), 1..25),
            target in MIN_LENGTH_SECS..=MAX_LENGTH_SECS,
        ) {
            let inputs: Vec<ScaleInput> = steps
                .iter()
                .map(|(duration_secs, fixed)| ScaleInput { duration_secs: *duration_secs, fixed: *fixed })
                .collect();
            let scaled = scale_durations(&inputs, target);
            prop_assert_eq!(scaled.len(), inputs.len());
            let original: u32 = inputs.iter().map(|s| s.duration_secs).sum();
            let fixed_total: u32 = inputs.iter().filter(|s| s.fixed).map(|s| s.duration_secs).sum();
            let flexible_count = inputs.iter().filter(|s| !s.fixed).count() as u32;
            for (input, secs) in inputs.iter().zip(&scaled) {
                if input.fixed {
                    prop_assert_eq!(*secs, input.duration_secs);
                } else if target != original {
                    prop_assert!(*secs >= MIN_STEP_SECS);
                    prop_assert_eq!(secs % ROUNDING_SECS, 0);
                }
            }
            let reachable = flexible_count > 0
                && target >= fixed_total + flexible_count * MIN_STEP_SECS;
            if reachable {
                let total: u32 = scaled.iter().sum();
                prop_assert!(total.abs_diff(target) <= ROUNDING_SECS, "total {} target {}", total, target);
            }
        }
    }
}
