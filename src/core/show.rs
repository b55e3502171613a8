//! What `unknot show` prints: the plan a routine would play at a length, step
//! by step, as a table for people or JSON for programs.

use serde::Serialize;

use super::limits::{limit_secs, per_side_secs};
use super::plan::{length_range, plan_with_lengths, step_lengths};
use super::routine::{Routine, format_clock};
use super::scale::ROUNDING_SECS;

/// One step of the plan as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShownStep {
    /// 1-based position in the plan.
    pub position: usize,
    /// The step's title.
    pub title: String,
    /// Its length in this plan, in seconds.
    pub secs: u32,
    /// Seconds on each side (the whole length for one side or the centre).
    pub secs_per_side: u32,
    /// The technique's limit on one spot, in seconds.
    pub limit_secs: u32,
    /// both, left, right or center.
    pub side: &'static str,
    /// The technique's file name.
    pub technique: &'static str,
    /// The pressure's file name.
    pub pressure: &'static str,
    /// The region's file name.
    pub region: &'static str,
    /// The round, when a longer session repeats the middle of the routine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub round: Option<u32>,
    /// Whether heat is on during this step.
    pub heat: bool,
}

/// The plan as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShownPlan {
    /// The routine's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The length asked for, in seconds.
    pub asked_secs: u32,
    /// What the steps add up to, in seconds.
    pub total_secs: u32,
    /// Rounds of the repeated middle (1 when nothing repeats).
    pub rounds: u32,
    /// Said when the length asked for is out of the routine's reach and the
    /// nearest length it can play is shown instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The steps in order.
    pub steps: Vec<ShownStep>,
}

/// The plan `routine` plays at `minutes` (its own length when `None`), as the
/// setup screen would start it with nothing nudged. A length out of the
/// routine's reach shows the nearest it can play, with a note saying so.
pub fn shown_plan(routine: &Routine, minutes: Option<u32>) -> ShownPlan {
    let asked_secs =
        minutes.map_or_else(|| routine.default_length_secs(), |m| m.saturating_mul(60));
    let (shortest, longest) = length_range(routine);
    let note = if asked_secs + ROUNDING_SECS < shortest {
        Some(format!(
            "{} cannot be as short as {}; its shortest is {}, shown here",
            routine.name,
            format_clock(u64::from(asked_secs)),
            format_clock(u64::from(shortest))
        ))
    } else if asked_secs > longest + ROUNDING_SECS {
        Some(format!(
            "{} cannot be as long as {}; its longest is {}, shown here",
            routine.name,
            format_clock(u64::from(asked_secs)),
            format_clock(u64::from(longest))
        ))
    } else {
        None
    };
    // Out of reach: the nearest length the routine can play, as the note says.
    let played_secs = if note.is_some() {
        asked_secs.clamp(shortest, longest)
    } else {
        asked_secs
    };
    let lengths = step_lengths(routine, played_secs, &Default::default());
    let plan = plan_with_lengths(routine, &lengths, 0, 0);
    let steps = plan
        .steps
        .iter()
        .enumerate()
        .map(|(index, planned)| {
            let step = &planned.step;
            let secs = u32::try_from(planned.duration.as_secs()).unwrap_or(u32::MAX);
            ShownStep {
                position: index + 1,
                title: step.title.clone(),
                secs,
                secs_per_side: per_side_secs(step, secs),
                limit_secs: limit_secs(step.technique, step.pressure),
                side: step.side.file_name(),
                technique: step.technique.file_name(),
                pressure: step.pressure.file_name(),
                region: step.region.file_name(),
                round: (planned.round.of > 1).then_some(planned.round.number),
                heat: plan.heat.iter().any(|span| span.covers(index)),
            }
        })
        .collect();
    ShownPlan {
        note,
        id: routine.id.clone(),
        name: routine.name.clone(),
        asked_secs,
        total_secs: lengths.iter().sum(),
        rounds: plan
            .steps
            .iter()
            .map(|planned| planned.round.of)
            .max()
            .unwrap_or(1)
            .max(1),
        steps,
    }
}

/// The plan as a plain-text table.
pub fn plan_table(plan: &ShownPlan) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}) at {}: {} in {}{}",
        plan.name,
        plan.id,
        format_clock(u64::from(plan.asked_secs)),
        format_clock(u64::from(plan.total_secs)),
        super::words::count(plan.steps.len() as u64, "step", "steps"),
        if plan.rounds > 1 {
            format!(", {} rounds of the middle", plan.rounds)
        } else {
            String::new()
        }
    );
    let title_width = plan
        .steps
        .iter()
        .map(|step| step.title.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    if let Some(note) = &plan.note {
        let _ = writeln!(out, "Note: {note}.");
    }
    let _ = writeln!(
        out,
        "{:>3}  {:<title_width$}  {:>5}  {:>8}  {:>5}  {:<6}  {:<13}  {:<8}  {:<10}  round",
        "#", "step", "secs", "per side", "limit", "side", "technique", "pressure", "region",
    );
    for step in &plan.steps {
        let _ = writeln!(
            out,
            "{:>3}  {:<title_width$}  {:>5}  {:>8}  {:>5}  {:<6}  {:<13}  {:<8}  {:<10}  {}{}",
            step.position,
            step.title,
            step.secs,
            step.secs_per_side,
            step.limit_secs,
            step.side,
            step.technique,
            step.pressure,
            step.region,
            step.round
                .map_or_else(|| "-".to_owned(), |round| round.to_string()),
            if step.heat { "  heat on" } else { "" },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::parse::parse_routine;

    fn builtin(name: &str) -> Routine {
        let text = crate::library::BUILTIN_FILES
            .iter()
            .find(|(file, _)| *file == name)
            .map(|(_, text)| *text)
            .unwrap_or_default();
        parse_routine(name, text).expect("a built-in parses")
    }

    #[test]
    fn the_default_plan_is_the_file_and_a_long_one_repeats_within_limits() {
        let routine = builtin("endorphin-15.toml");
        let plan = shown_plan(&routine, None);
        assert_eq!(plan.total_secs, 900);
        assert_eq!(plan.rounds, 1);
        assert_eq!(plan.steps.len(), routine.steps.len());
        let long = shown_plan(&routine, Some(90));
        assert_eq!(long.note, None);
        assert!(long.rounds > 1);
        assert!(long.total_secs.abs_diff(5400) <= 5);
        assert!(
            long.steps
                .iter()
                .all(|step| step.secs_per_side <= step.limit_secs)
        );
        let table = plan_table(&long);
        assert!(table.contains("rounds of the middle"), "{table}");
        let json = serde_json::to_value(&long).expect("json");
        assert_eq!(
            json["steps"].as_array().map(Vec::len),
            Some(long.steps.len())
        );
        // One minute is out of reach: the shortest is shown, and said.
        let short = shown_plan(&routine, Some(1));
        assert!(
            short
                .note
                .as_deref()
                .is_some_and(|note| note.contains("shortest"))
        );
        assert!(short.total_secs > 60);
        // Past the longest length on offer, the longest is shown.
        let long = shown_plan(&routine, Some(600));
        assert!(
            long.note
                .as_deref()
                .is_some_and(|note| note.contains("longest"))
        );
        assert!(long.total_secs <= crate::core::scale::MAX_LENGTH_SECS);
    }
}
