use super::*;
use crate::core::routine::HeatSpan;

fn step(title: &str, technique: Technique, region: Region, tool: Tool) -> Step {
    Step {
        title: title.into(),
        region,
        technique,
        tool,
        pressure: Pressure::Light,
        side: Side::Center,
        duration_secs: 60,
        instructions: format!("{title}: slowly, and ease off if it hurts."),
        fixed: false,
        say: None,
    }
}

/// A routine that passes every rule.
fn clean() -> Routine {
    Routine {
        id: "clean".into(),
        name: "Clean".into(),
        summary: "Gentle work.".into(),
        tools: Vec::new(),
        tags: Vec::new(),
        steps: vec![
            step(
                "Breathe",
                Technique::Breathing,
                Region::WholeBack,
                Tool::NoTool,
            ),
            step("Neck glide", Technique::Stroking, Region::Neck, Tool::Hands),
            step(
                "Reach up",
                Technique::Stretching,
                Region::UpperBack,
                Tool::NoTool,
            ),
        ],
        heat: Vec::new(),
        sources: vec!["furlan-2015".into(), "self-massage-safety".into()],
    }
}

fn rules(routine: &Routine) -> Vec<&'static str> {
    routine_findings(routine, true)
        .into_iter()
        .map(|finding| finding.rule)
        .collect()
}

#[test]
fn a_clean_routine_passes() {
    assert_eq!(routine_findings(&clean(), true), Vec::new());
}

#[test]
fn claims_need_sources_and_endorphins_need_both_sides() {
    let mut routine = clean();
    routine.summary = "Reported to release endorphins.".into();
    assert_eq!(rules(&routine), vec!["sources"]);
    routine
        .sources
        .extend(["massage-guides".into(), "day-1987".into()]);
    assert_eq!(rules(&routine), Vec::<&str>::new());
    routine.sources.clear();
    let found = rules(&routine);
    assert!(
        found.iter().filter(|rule| **rule == "sources").count() >= 3,
        "{found:?}"
    );
    let mut promise = clean();
    promise.summary = "Proven to work.".into();
    assert_eq!(rules(&promise), vec!["promise"]);
}

#[test]
fn the_end_must_be_a_gentle_movement() {
    let mut routine = clean();
    routine.steps.pop();
    assert_eq!(rules(&routine), vec!["movement-at-end"]);
}

#[test]
fn limits_spine_and_switch() {
    let mut routine = clean();
    routine.steps[1].duration_secs = 600;
    routine.steps[1].pressure = Pressure::Firm;
    routine.steps[1].region = Region::LowerBack;
    routine.steps[1].side = Side::Both;
    assert_eq!(rules(&routine), vec!["limit", "spine", "switch"]);
}

#[test]
fn heat_needs_a_place_a_towel_and_no_leaning() {
    let mut routine = clean();
    routine
        .sources
        .extend(["heat-safety".into(), "french-2006".into()]);
    let mut heat = step("Heat", Technique::Heat, Region::LowerBack, Tool::HeatPack);
    heat.instructions = "Sit back against the warm pack.".into();
    routine.steps.insert(1, heat.clone());
    assert_eq!(
        rules(&routine),
        vec!["heat-barrier", "heat-lying", "heat-placement", "heat-lying"]
    );
    routine.steps[1].instructions =
        "Lie face down and lay the pack, wrapped in a towel, on your lower back. Never lie on it."
            .into();
    assert_eq!(rules(&routine), Vec::<&str>::new());
    // Heat laid alongside: its first step carries the same rules.
    let mut alongside = clean();
    alongside
        .sources
        .extend(["heat-safety".into(), "french-2006".into()]);
    alongside.heat.push(HeatSpan {
        source: Tool::HeatPack,
        region: Region::LowerBack,
        from_step: 1,
        to_step: 1,
        alongside: true,
    });
    assert_eq!(
        rules(&alongside),
        vec!["heat-barrier", "heat-lying", "heat-placement"]
    );
}

#[test]
fn nerve_signs_and_hands() {
    let mut routine = clean();
    routine.steps[1] = step(
        "Ball",
        Technique::TriggerPoint,
        Region::Glutes,
        Tool::MassageBall,
    );
    assert_eq!(rules(&routine), vec!["nerve-signs"]);
    routine.steps[1].instructions =
        "If tingling or numbness runs down the leg, roll off the ball.".into();
    assert_eq!(rules(&routine), Vec::<&str>::new());
    routine.steps[2].instructions = "Lie on your hands and rock.".into();
    assert_eq!(rules(&routine), vec!["hands"]);
}

#[test]
fn step_text_in_three_routines_is_one_too_many() {
    let (a, mut b, mut c) = (clean(), clean(), clean());
    b.id = "b".into();
    c.id = "c".into();
    let two = library_findings(&[&a, &b], true);
    assert!(
        two.iter().all(|finding| finding.rule != "variety"),
        "{two:?}"
    );
    let three = library_findings(&[&a, &b, &c], true);
    assert_eq!(
        three
            .iter()
            .filter(|finding| finding.rule == "variety")
            .count(),
        // Each step's title and instructions: three steps, two texts each.
        6
    );
    c.steps[1].pressure = Pressure::Medium;
    assert!(asks_about_injury(&c) && !lighter_choice(&c) && lighter_choice(&a));
}
