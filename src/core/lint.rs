//! The content lint: what every built-in routine must get right beyond the
//! file format — limits, safety wording where it is needed, a source for every
//! claim, a gentle movement at the end, and variety across the library.
//!
//! Pure: routines in, findings out. The test suite runs it over the built-ins
//! and `unknot check --lint` over any file.

use std::collections::BTreeMap;

use super::limits::over_limit;
use super::routine::{Pressure, Region, Routine, Side, Step, Technique, Tool};
use super::sources;

/// One thing a routine's content gets wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The routine's id.
    pub routine: String,
    /// The step (0-based), when the finding is about one.
    pub step: Option<usize>,
    /// The rule's short name.
    pub rule: &'static str,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.step {
            Some(index) => write!(
                f,
                "{}: steps[{}]: {} ({})",
                self.routine,
                index + 1,
                self.message,
                self.rule
            ),
            None => write!(f, "{}: {} ({})", self.routine, self.message, self.rule),
        }
    }
}

/// Words that promise what massage cannot.
const PROMISES: [&str; 9] = [
    "cure", "cures", "cured", "curing", "heal", "heals", "healed", "healing", "proven",
];

/// Words that make a claim and need a source.
const CLAIM_WORDS: [&str; 10] = [
    "endorphin",
    "endorphins",
    "hours",
    "relief",
    "relieve",
    "relieves",
    "evidence",
    "study",
    "studies",
    "trial",
];

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Every piece of text in a step, lowercased.
fn step_text(step: &Step) -> String {
    format!(
        "{} {} {}",
        step.title,
        step.instructions,
        step.say.as_deref().unwrap_or("")
    )
    .to_lowercase()
}

/// Every piece of text in a routine, lowercased.
fn routine_text(routine: &Routine) -> String {
    let mut text = format!("{} {}", routine.name, routine.summary).to_lowercase();
    for step in &routine.steps {
        text.push(' ');
        text.push_str(&step_text(step));
    }
    text
}

/// Sentences that tell a person to lean, sit back or lie on something
/// without saying not to.
fn leaning_sentences(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(['.', ';', '!', '?'])
        .filter(|sentence| {
            let leans = sentence.contains("lean")
                || sentence.contains("sit back")
                || sentence.contains("lie on it")
                || sentence.contains("lie on the")
                || sentence.contains("lying on the")
                || sentence.contains("lie on top");
            let negated = ["never", "not ", "don't", "no "]
                .iter()
                .any(|word| sentence.contains(word));
            leans && !negated
        })
        .map(|sentence| sentence.trim().to_owned())
        .collect()
}

/// The findings for one routine on its own.
pub fn routine_findings(routine: &Routine, builtin: bool) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut push = |step: Option<usize>, rule: &'static str, message: String| {
        found.push(Finding {
            routine: routine.id.clone(),
            step,
            rule,
            message,
        });
    };
    let all_text = routine_text(routine);
    let all_words = words(&all_text);
    for promise in all_words
        .iter()
        .filter(|word| PROMISES.contains(&word.as_str()))
    {
        push(
            None,
            "promise",
            format!("says \"{promise}\"; guide, do not promise"),
        );
    }

    // Sources: every claim word needs one; the endorphin claim needs both
    // what guides report and the trial that measured it.
    let cites = |key: &str| routine.sources.iter().any(|source| source == key);
    if let Some(word) = all_words
        .iter()
        .find(|word| CLAIM_WORDS.contains(&word.as_str()))
        && routine.sources.is_empty()
    {
        push(
            None,
            "sources",
            format!("claims (\"{word}\") but lists no sources"),
        );
    }
    if all_text.contains("endorphin") && !(cites("massage-guides") && cites("day-1987")) {
        push(
            None,
            "sources",
            "mentions endorphins without citing both massage-guides (reported) and day-1987 (measured)".into(),
        );
    }
    if builtin {
        for source in &routine.sources {
            if sources::find(source).is_none() {
                push(
                    None,
                    "sources",
                    format!("\"{source}\" is not a known source key"),
                );
            }
        }
        if !(cites("furlan-2015") || cites("nice-ng59")) {
            push(
                None,
                "sources",
                "cites neither furlan-2015 nor nice-ng59 for massage itself".into(),
            );
        }
        if !cites("self-massage-safety") {
            push(None, "sources", "does not cite self-massage-safety".into());
        }
        if routine.uses_heat() && !(cites("heat-safety") && cites("french-2006")) {
            push(
                None,
                "sources",
                "uses heat without citing heat-safety and french-2006".into(),
            );
        }
        if routine
            .steps
            .iter()
            .any(|step| step.technique == Technique::Acupressure)
            && !cites("murphy-2019")
        {
            push(
                None,
                "sources",
                "has acupressure without citing murphy-2019".into(),
            );
        }
    }

    match routine.steps.last() {
        Some(last)
            if last.technique == Technique::Stretching && last.pressure == Pressure::Light => {}
        _ => push(
            None,
            "movement-at-end",
            "does not end with a gentle stretch or movement (technique stretching, light)".into(),
        ),
    }

    let alongside_starts: Vec<(usize, Region)> = routine
        .heat
        .iter()
        .map(|span| (span.from_step, span.region))
        .collect();
    for (index, step) in routine.steps.iter().enumerate() {
        let text = step_text(step);
        let instructions = step.instructions.to_lowercase();
        let mut at = |rule: &'static str, message: String| push(Some(index), rule, message);
        if let Some(reason) = over_limit(step, step.duration_secs) {
            at("limit", reason);
        }
        if matches!(step.region, Region::LowerBack | Region::WholeBack)
            && step.pressure == Pressure::Firm
        {
            at("spine", "presses firmly near the spine".into());
        }
        if step.side == Side::Both && !instructions.contains("switch") {
            at(
                "switch",
                "two-sided step does not say when to switch".into(),
            );
        }
        // Heat: where it goes, a towel every time, and never lying or leaning on it.
        let heat_here = step.uses_heat().then_some(step.region).or_else(|| {
            alongside_starts
                .iter()
                .find(|(from, _)| *from == index)
                .map(|(_, region)| *region)
        });
        if let Some(region) = heat_here {
            if !(instructions.contains("towel") || instructions.contains("cloth")) {
                at(
                    "heat-barrier",
                    "heat without a towel or cloth between it and the skin".into(),
                );
            }
            if !["never lie", "do not lie", "don't lie"]
                .iter()
                .any(|rule| instructions.contains(rule))
            {
                at(
                    "heat-lying",
                    "heat without the rule never to lie on it".into(),
                );
            }
            let place = region.label().to_lowercase();
            if region != Region::WholeBack && !instructions.contains(&place) {
                at(
                    "heat-placement",
                    format!("does not say to put the heat on the {place}"),
                );
            }
        }
        if step.uses_heat() || heat_here.is_some() {
            for sentence in leaning_sentences(&instructions) {
                at(
                    "heat-lying",
                    format!("leans or lies on the heat: \"{sentence}\""),
                );
            }
        }
        if matches!(step.tool, Tool::MassageBall | Tool::FoamRoller)
            && matches!(step.region, Region::Glutes | Region::Hips)
            && !(instructions.contains("tingl") && instructions.contains("numb"))
        {
            at(
                "nerve-signs",
                "body weight on a ball or roller near the hip without the tingling and numbness warning".into(),
            );
        }
        if [
            "on your hands",
            "hands under your",
            "on top of your hands",
            "on your hand ",
        ]
        .iter()
        .any(|phrase| text.contains(phrase))
        {
            at("hands", "has the person lie on their own hands".into());
        }
    }
    found
}

/// The findings across a library: each routine's own, step text shared by
/// more than two routines, and no light, heat-free routine to offer someone
/// with a fresh injury.
pub fn library_findings(routines: &[&Routine], builtin: bool) -> Vec<Finding> {
    let mut found: Vec<Finding> = routines
        .iter()
        .flat_map(|routine| routine_findings(routine, builtin))
        .collect();
    let mut seen: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for routine in routines {
        let mut texts: Vec<String> = routine
            .steps
            .iter()
            .flat_map(|step| {
                [
                    Some(&step.title),
                    Some(&step.instructions),
                    step.say.as_ref(),
                ]
                .into_iter()
                .flatten()
                .map(|text| {
                    text.split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_lowercase()
                })
            })
            .collect();
        texts.sort();
        texts.dedup();
        for text in texts {
            seen.entry(text).or_default().push(&routine.id);
        }
    }
    for (text, ids) in seen {
        if ids.len() > 2 {
            found.push(Finding {
                routine: ids.join(", "),
                step: None,
                rule: "variety",
                message: format!(
                    "the step text \"{text}\" appears in {} routines (at most 2)",
                    ids.len()
                ),
            });
        }
    }
    if builtin && !routines.iter().any(|routine| lighter_choice(routine)) {
        found.push(Finding {
            routine: "library".into(),
            step: None,
            rule: "lighter-choice",
            message:
                "no routine with only light pressure and no heat to offer after a fresh injury"
                    .into(),
        });
    }
    found
}

/// A routine gentle enough to offer when someone has a fresh injury: light
/// pressure only and no heat.
pub fn lighter_choice(routine: &Routine) -> bool {
    !routine.uses_heat()
        && routine
            .steps
            .iter()
            .all(|step| step.pressure == Pressure::Light)
}

/// Whether a routine presses hard enough that a fresh injury should be asked
/// about first (or uses heat, which a fresh injury should not get).
pub fn asks_about_injury(routine: &Routine) -> bool {
    routine.uses_heat()
        || routine
            .steps
            .iter()
            .any(|step| step.pressure != Pressure::Light)
}

#[cfg(test)]
mod tests;
