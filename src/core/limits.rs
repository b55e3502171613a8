//! The longest a step may stay on one point or region without a break, by
//! technique and pressure. Parsing refuses steps over the limit and length
//! scaling never goes past it: a longer session repeats rounds instead of
//! holding one spot longer.

use super::routine::{HEAT_CAP_SECS, Pressure, Side, Step, Technique};

/// The longest continuous time on one point or region, per side, in seconds.
///
/// Trigger points are held 20 to 60 s at a time, so a step of a minute and a
/// half finds and holds a spot or two; self-acupressure in trials was about
/// three minutes a point; kneading, stroking and rolling move across a region,
/// so they may go on longer; firmer pressure always gets less time.
pub fn limit_secs(technique: Technique, pressure: Pressure) -> u32 {
    use Pressure::{Firm, Light, Medium};
    match (technique, pressure) {
        (Technique::Stroking, Light | Medium) => 300,
        (Technique::Stroking, Firm) => 240,
        (Technique::Kneading, Light) => 300,
        (Technique::Kneading, Medium) => 240,
        (Technique::Kneading, Firm) => 180,
        (Technique::TriggerPoint, Light) => 150,
        (Technique::TriggerPoint, Medium) => 120,
        (Technique::TriggerPoint, Firm) => 90,
        (Technique::Acupressure, Light | Medium) => 180,
        (Technique::Acupressure, Firm) => 120,
        (Technique::Rolling, Light) => 180,
        (Technique::Rolling, Medium) => 150,
        (Technique::Rolling, Firm) => 120,
        (Technique::Stretching, Light | Medium) => 180,
        (Technique::Stretching, Firm) => 120,
        (Technique::Breathing, _) => 600,
        (Technique::Heat, _) => HEAT_CAP_SECS,
    }
}

/// How many times the step's time is split over sides: a two-sided step
/// spends half on each.
fn sides(side: Side) -> u32 {
    if side == Side::Both { 2 } else { 1 }
}

/// The longest the whole step may be: the limit on each side it works.
pub fn step_cap_secs(step: &Step) -> u32 {
    limit_secs(step.technique, step.pressure).saturating_mul(sides(step.side))
}

/// The shortest a step is squeezed to when a routine is shortened, per side:
/// time to settle into a position and do the thing at all.
pub const MIN_SIDE_SECS: u32 = 20;

/// The shortest the whole step may be made by scaling: [`MIN_SIDE_SECS`] on
/// each side it works, but never more than the routine's own length for it.
pub fn step_floor_secs(step: &Step) -> u32 {
    MIN_SIDE_SECS
        .saturating_mul(sides(step.side))
        .min(step.duration_secs)
}

/// Seconds spent on one side (the step's length, or half of it for both sides).
pub fn per_side_secs(step: &Step, length_secs: u32) -> u32 {
    length_secs.div_ceil(sides(step.side))
}

/// Why a step at `length_secs` is over its limit, or `None` when it is within it.
pub fn over_limit(step: &Step, length_secs: u32) -> Option<String> {
    // Heat has its own cap, checked over the whole stretch of heat.
    if step.technique == Technique::Heat {
        return None;
    }
    let limit = limit_secs(step.technique, step.pressure);
    let per_side = per_side_secs(step, length_secs);
    (per_side > limit).then(|| {
        let each = if step.side == Side::Both {
            " on each side"
        } else {
            ""
        };
        format!(
            "{per_side} s{each} of {} {} is too long in one go; at most {limit} s on one spot or region: shorten it, or add another step for a second round or another region",
            step.pressure.label().to_lowercase(),
            step.technique.label().to_lowercase(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::routine::{Region, Tool};

    fn step(technique: Technique, pressure: Pressure, side: Side) -> Step {
        Step {
            title: "t".into(),
            region: Region::UpperBack,
            technique,
            tool: Tool::Hands,
            pressure,
            side,
            duration_secs: 60,
            instructions: "i".into(),
            fixed: false,
            say: None,
        }
    }

    #[test]
    fn firmer_pressure_never_gets_more_time() {
        for technique in Technique::ALL {
            let light = limit_secs(*technique, Pressure::Light);
            let medium = limit_secs(*technique, Pressure::Medium);
            let firm = limit_secs(*technique, Pressure::Firm);
            assert!(light >= medium && medium >= firm, "{technique}");
            assert!(firm >= 90, "{technique}");
        }
    }

    #[test]
    fn two_sided_steps_get_the_limit_on_each_side() {
        let firm = step(Technique::TriggerPoint, Pressure::Firm, Side::Both);
        assert_eq!(step_cap_secs(&firm), 180);
        assert!(over_limit(&firm, 180).is_none());
        let message = over_limit(&firm, 190).expect("over");
        assert!(
            message.starts_with("95 s on each side of firm trigger point"),
            "{message}"
        );
        let one_side = step(Technique::TriggerPoint, Pressure::Firm, Side::Left);
        assert!(over_limit(&one_side, 91).is_some());
        assert!(over_limit(&one_side, 90).is_none());
    }
}
