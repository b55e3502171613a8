//! The announcement schedule, driven by the real engine on a hand-set clock.

use super::*;
use crate::core::engine::{PlannedStep, Session};
use crate::core::routine::{HeatSpan, Pressure, Region, Step, Technique, Tool};

fn secs(value: u64) -> Duration {
    Duration::from_secs(value)
}

fn step(title: &str, side: Side, say: Option<&str>) -> Step {
    Step {
        title: title.to_owned(),
        region: Region::Neck,
        technique: Technique::Stroking,
        tool: Tool::Hands,
        pressure: Pressure::Light,
        side,
        duration_secs: 0,
        instructions: String::new(),
        fixed: false,
        say: say.map(str::to_owned),
    }
}

fn plan(lead_in: u64, steps: &[(&str, u64, Side)]) -> SessionPlan {
    SessionPlan {
        routine_id: "test".into(),
        routine_name: "Morning neck".into(),
        lead_in: secs(lead_in),
        transition: Duration::ZERO,
        heat: Vec::new(),
        steps: steps
            .iter()
            .map(|(title, length, side)| PlannedStep {
                step: step(title, *side, None),
                duration: secs(*length),
                round: Default::default(),
            })
            .collect(),
    }
}

/// Plays `plan` second by second up to `until` as the conductor does (every
/// cue sounded, "Next" when due), returning each line with the second it was
/// said at.
fn play(plan: &SessionPlan, choices: Announcements, until: u64) -> Vec<(u64, String)> {
    let mut session = Session::start(plan.clone(), Duration::ZERO);
    let mut announcer = Announcer::new(choices);
    let mut said = Vec::new();
    if let Some(line) = announcer.started(plan, &session.view(Duration::ZERO)) {
        said.push((0, line.text));
    }
    for second in 0..=until {
        let now = secs(second);
        let events = session.poll(now);
        let view = session.view(now);
        if let Some(line) = announcer.cues(plan, &events, &view) {
            said.push((second, line.text));
        }
        if let Some(line) = announcer.poll(plan, &view) {
            said.push((second, line.text));
        }
    }
    said
}

fn at(said: &[(u64, String)], second: u64) -> Vec<&str> {
    said.iter()
        .filter(|(when, _)| *when == second)
        .map(|(_, text)| text.as_str())
        .collect()
}

#[test]
fn a_step_start_says_the_title_and_the_side_to_begin_with() {
    let plan = plan(
        0,
        &[
            ("Neck strokes", 60, Side::Both),
            ("Shoulder squeeze", 40, Side::Left),
            ("Breathe", 30, Side::Center),
        ],
    );
    let said = play(&plan, Announcements::default(), 130);
    assert_eq!(at(&said, 0), ["Neck strokes. Left side first."]);
    assert_eq!(at(&said, 30), ["Switch sides. Right side now."]);
    assert_eq!(at(&said, 60), ["Shoulder squeeze. Left side."]);
    // A one-sided step of 30 s or more hears "Halfway" at its middle.
    assert_eq!(at(&said, 80), ["Halfway."]);
    assert_eq!(at(&said, 100), ["Breathe."]);
    assert_eq!(at(&said, 115), ["Halfway."]);
}

#[test]
fn the_spoken_sentence_follows_the_title_when_a_step_has_one() {
    let mut plan = plan(0, &[("Neck strokes", 60, Side::Center)]);
    plan.steps[0].step.say = Some("Slow strokes from the ear to the shoulder".into());
    let said = play(&plan, Announcements::default(), 0);
    assert_eq!(
        at(&said, 0),
        ["Neck strokes. Slow strokes from the ear to the shoulder."]
    );
    let quiet = Announcements {
        instructions: false,
        ..Announcements::default()
    };
    assert_eq!(at(&play(&plan, quiet, 0), 0), ["Neck strokes."]);
}

#[test]
fn next_is_said_eight_seconds_before_a_long_step_ends_and_never_for_the_last() {
    let plan = plan(
        0,
        &[
            ("Neck strokes", 60, Side::Center),
            ("Short one", 15, Side::Center),
            ("Last", 40, Side::Center),
        ],
    );
    let said = play(&plan, Announcements::default(), 120);
    let nexts: Vec<_> = said
        .iter()
        .filter(|(_, text)| text.starts_with("Next"))
        .collect();
    // Only the 60 s step: the 15 s one is too short, the last has no next.
    assert_eq!(nexts, [&(52, "Next: Short one.".to_owned())]);
}

#[test]
fn the_get_ready_count_is_spoken_into_the_first_step_only() {
    let plan = plan(
        10,
        &[
            ("Neck strokes", 20, Side::Center),
            ("Last", 20, Side::Center),
        ],
    );
    let said = play(&plan, Announcements::default(), 50);
    assert_eq!(
        at(&said, 0),
        ["Get ready for Morning neck. First: Neck strokes."]
    );
    assert_eq!(at(&said, 7), ["Three."]);
    assert_eq!(at(&said, 8), ["Two."]);
    assert_eq!(at(&said, 9), ["One."]);
    assert_eq!(at(&said, 10), ["Neck strokes."]);
    // The countdown ticks at the end of a step are tones only.
    assert!(at(&said, 27).is_empty() && at(&said, 28).is_empty());
}

#[test]
fn heat_says_the_towel_the_skin_checks_and_take_it_off() {
    let mut plan = plan(
        0,
        &[("Warm up", 400, Side::Center), ("Knead", 200, Side::Center)],
    );
    plan.heat = vec![HeatSpan {
        source: Tool::HeatPack,
        region: Region::LowerBack,
        from_step: 0,
        to_step: 0,
        alongside: true,
    }];
    // The towel comes first, and the step's own sentence gives way to it.
    plan.steps[0].step.say = Some("Sit back and breathe".into());
    let said = play(&plan, Announcements::default(), 420);
    assert_eq!(
        at(&said, 0),
        [
            "Put the heat pack on your lower back. Put the towel between the heat and your skin. Warm up."
        ]
    );
    assert!(at(&said, 300)[0].starts_with("Skin check."));
    // Heat off comes before the next step starts, in one line.
    assert_eq!(at(&said, 400), ["Take the heat off now. Knead."]);
}

#[test]
fn switching_announcements_off_silences_them_but_never_take_the_heat_off() {
    let mut plan = plan(5, &[("Warm up", 60, Side::Both), ("Knead", 60, Side::Both)]);
    plan.heat = vec![HeatSpan {
        source: Tool::HeatPack,
        region: Region::LowerBack,
        from_step: 0,
        to_step: 0,
        alongside: true,
    }];
    let none = Announcements {
        steps: false,
        instructions: false,
        sides: false,
        halfway: false,
        next_up: false,
        get_ready: false,
        heat: false,
        controls: false,
        end: false,
    };
    let said = play(&plan, none, 130);
    // The heat's steps ended it, so the alarm repeats until answered.
    assert_eq!(at(&said, 65), ["Take the heat off now."]);
    assert!(said.len() > 1);
    assert!(
        said.iter()
            .all(|(_, text)| text.starts_with("Take the heat off now.")),
        "{said:?}"
    );
}

#[test]
fn the_end_says_how_long_was_played() {
    let plan = plan(0, &[("Only", 90, Side::Center)]);
    let said = play(&plan, Announcements::default(), 95);
    assert_eq!(
        at(&said, 90),
        ["That is the end of the session: 2 minutes played. Take a moment before you get up."]
    );
}

/// Applies `control` at `now` the way the conductor does, returning every line.
fn apply(
    session: &mut Session,
    announcer: &mut Announcer,
    control: Control,
    now: Duration,
) -> Vec<String> {
    let plan = session.plan().clone();
    let before = session.view(now);
    let events = session.handle(control, now);
    let after = session.view(now);
    let mut lines = Vec::new();
    lines.extend(announcer.control(&plan, control, &before, &after));
    lines.extend(announcer.cues(&plan, &events, &after));
    lines.into_iter().map(|line| line.text).collect()
}

#[test]
fn pause_resume_skip_back_and_stop_are_answered_aloud() {
    let plan = plan(
        0,
        &[
            ("Neck strokes", 60, Side::Both),
            ("Shoulders", 60, Side::Center),
            ("Breathe", 60, Side::Center),
        ],
    );
    let mut session = Session::start(plan.clone(), Duration::ZERO);
    let mut announcer = Announcer::new(Announcements::default());
    session.poll(Duration::ZERO);
    session.poll(secs(39));
    let pause = apply(&mut session, &mut announcer, Control::TogglePause, secs(40));
    assert_eq!(pause, ["Paused."]);
    // Nothing is due while paused, so "Next" waits.
    assert_eq!(announcer.next_due(&plan, &session.view(secs(45))), None);
    let resume = apply(&mut session, &mut announcer, Control::TogglePause, secs(50));
    assert_eq!(resume, ["Resuming: Neck strokes. Right side."]);
    let skip = apply(&mut session, &mut announcer, Control::Skip, secs(55));
    assert_eq!(skip, ["Shoulders."]);
    // Back right after a step began goes to the one before, and says it again.
    let back = apply(&mut session, &mut announcer, Control::Back, secs(56));
    assert_eq!(back, ["Neck strokes. Left side first."]);
    let stop = apply(&mut session, &mut announcer, Control::Stop, secs(60));
    assert_eq!(stop, ["Session stopped."]);
}

#[test]
fn the_end_counts_what_was_played_not_what_was_skipped() {
    let plan = plan(
        0,
        &[
            ("Neck strokes", 120, Side::Center),
            ("Shoulders", 120, Side::Center),
        ],
    );
    let mut session = Session::start(plan.clone(), Duration::ZERO);
    let mut announcer = Announcer::new(Announcements::default());
    session.poll(Duration::ZERO);
    apply(&mut session, &mut announcer, Control::Skip, secs(60));
    session.poll(secs(179));
    let events = session.poll(secs(180));
    let line = announcer.cues(&plan, &events, &session.view(secs(180)));
    assert_eq!(
        line.map(|line| line.text).as_deref(),
        Some("That is the end of the session: 3 minutes played. Take a moment before you get up.")
    );
}

#[test]
fn resuming_just_before_next_is_due_is_not_cut_off_by_it() {
    let plan = plan(
        0,
        &[
            ("Neck strokes", 60, Side::Center),
            ("Shoulders", 60, Side::Center),
        ],
    );
    let mut session = Session::start(plan.clone(), Duration::ZERO);
    let mut announcer = Announcer::new(Announcements::default());
    session.poll(Duration::ZERO);
    session.poll(secs(40));
    apply(&mut session, &mut announcer, Control::Pause, secs(50));
    let resume = apply(&mut session, &mut announcer, Control::Resume, secs(60));
    assert_eq!(resume, ["Resuming: Neck strokes."]);
    // 10 s left: "Next" would be due in 2 s, and is not said.
    assert_eq!(announcer.next_due(&plan, &session.view(secs(60))), None);
}

#[test]
fn going_back_lets_next_be_said_again() {
    let plan = plan(
        0,
        &[
            ("Neck strokes", 30, Side::Center),
            ("Shoulders", 30, Side::Center),
        ],
    );
    let mut session = Session::start(plan.clone(), Duration::ZERO);
    let mut announcer = Announcer::new(Announcements::default());
    session.poll(Duration::ZERO);
    let view = session.view(secs(10));
    assert_eq!(announcer.next_due(&plan, &view), Some(secs(12)));
    let view = session.view(secs(22));
    assert_eq!(
        announcer.poll(&plan, &view).map(|line| line.text),
        Some("Next: Shoulders.".into())
    );
    assert_eq!(announcer.next_due(&plan, &session.view(secs(23))), None);
    apply(&mut session, &mut announcer, Control::Back, secs(25));
    assert_eq!(
        announcer.next_due(&plan, &session.view(secs(25))),
        Some(secs(22))
    );
}

#[test]
fn a_next_line_whose_moment_passed_long_ago_is_dropped() {
    let plan = plan(
        0,
        &[
            ("Neck strokes", 60, Side::Center),
            ("Shoulders", 30, Side::Center),
        ],
    );
    let mut session = Session::start(plan.clone(), Duration::ZERO);
    let mut announcer = Announcer::new(Announcements::default());
    session.poll(Duration::ZERO);
    // First look at 57 s: due at 52 s, five seconds stale.
    assert_eq!(announcer.poll(&plan, &session.view(secs(57))), None);
    assert_eq!(announcer.next_due(&plan, &session.view(secs(58))), None);
}

#[test]
fn a_line_waits_for_the_last_cue_that_sounded() {
    let plan = plan(0, &[("Neck strokes", 60, Side::Center)]);
    let mut session = Session::start(plan.clone(), Duration::ZERO);
    let mut announcer = Announcer::new(Announcements::default());
    let events = session.poll(Duration::ZERO);
    let line = announcer.cues(&plan, &events, &session.view(Duration::ZERO));
    assert_eq!(
        line.and_then(|line| line.after_cue),
        Some(CueKind::StepStart)
    );
    // No cue sounded, nothing said.
    assert_eq!(announcer.cues(&plan, &[], &session.view(secs(1))), None);
}

#[test]
fn a_short_get_ready_says_only_what_fits_before_the_count() {
    // 5 s of get-ready leaves 2 s before the first tick.
    let short = plan(5, &[("Neck strokes", 60, Side::Center)]);
    assert_eq!(
        at(&play(&short, Announcements::default(), 0), 0),
        ["Get ready."]
    );
    // 6 s: the first step fits, the routine's name as well does not.
    let longer = plan(6, &[("Neck strokes", 60, Side::Center)]);
    assert_eq!(
        at(&play(&longer, Announcements::default(), 0), 0),
        ["Get ready. First: Neck strokes."]
    );
}

#[test]
fn a_step_sentence_the_next_cue_would_cut_off_is_left_out() {
    // A 10 s two-sided step switches sides at 5 s: no room after the tone.
    let mut plan = plan(0, &[("Neck strokes", 10, Side::Both)]);
    plan.steps[0].step.say = Some("Slow strokes from the ear to the shoulder".into());
    assert_eq!(quiet_after_start(&plan.steps[0]), secs(5));
    assert_eq!(
        at(&play(&plan, Announcements::default(), 0), 0),
        ["Neck strokes. Left side first."]
    );
}

#[test]
fn sentences_end_once() {
    assert_eq!(sentence(" Neck strokes "), "Neck strokes.");
    assert_eq!(sentence("Ready?"), "Ready?");
    assert_eq!(sentence("Done."), "Done.");
}

#[test]
fn a_new_round_is_named_as_its_first_step_starts() {
    use crate::core::engine::Round;
    let mut plan = plan(
        0,
        &[
            ("Neck glide", 20, Side::Center),
            ("Shoulder squeeze", 20, Side::Center),
            ("Neck glide", 20, Side::Center),
            ("Shoulder squeeze", 20, Side::Center),
            ("Reach up", 20, Side::Center),
        ],
    );
    for (index, number) in [(0, 1), (1, 1), (2, 2), (3, 2)] {
        plan.steps[index].round = Round { number, of: 2 };
    }
    let said = play(&plan, Announcements::default(), 100);
    assert_eq!(at(&said, 0), vec!["Round 1 of 2. Neck glide."]);
    assert_eq!(at(&said, 20), vec!["Shoulder squeeze."]);
    assert_eq!(at(&said, 40), vec!["Round 2 of 2. Neck glide."]);
    assert_eq!(at(&said, 80), vec!["Reach up."]);
}
