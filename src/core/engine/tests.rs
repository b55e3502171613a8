//! The engine's unit and property tests, on a hand-set clock.

use super::*;
use crate::core::routine::{Pressure, Region, Step, Technique, Tool};
use proptest::prelude::*;

fn secs(value: u64) -> Duration {
    Duration::from_secs(value)
}

fn step(title: &str, side: Side) -> Step {
    Step {
        title: title.to_owned(),
        region: Region::LowerBack,
        technique: Technique::Kneading,
        tool: Tool::Hands,
        pressure: Pressure::Medium,
        side,
        duration_secs: 0,
        instructions: String::new(),
        fixed: false,
        say: None,
    }
}

fn plan(lead_in: u64, lengths: &[(u64, Side)]) -> SessionPlan {
    SessionPlan {
        routine_id: "test".into(),
        routine_name: "Test".into(),
        lead_in: secs(lead_in),
        transition: Duration::ZERO,
        heat: Vec::new(),
        steps: lengths
            .iter()
            .enumerate()
            .map(|(index, (length, side))| PlannedStep {
                step: step(&format!("step {index}"), *side),
                duration: secs(*length),
                round: Default::default(),
            })
            .collect(),
    }
}

fn kinds(events: &[CueEvent]) -> Vec<CueKind> {
    events.iter().map(|event| event.kind).collect()
}

#[test]
fn lead_in_then_steps_then_end() {
    let start = secs(100);
    let mut session = Session::start(plan(5, &[(60, Side::Center), (40, Side::Both)]), start);
    assert_eq!(session.view(start).phase, Phase::LeadIn);
    assert_eq!(session.view(start).next_step, Some(0));
    assert_eq!(session.poll(start), vec![]);
    // Lead-in countdown at 2, 3, 4 s; step 0 starts at 5 s.
    let events = session.poll(start + secs(5));
    assert_eq!(
        kinds(&events),
        vec![
            CueKind::CountdownTick,
            CueKind::CountdownTick,
            CueKind::CountdownTick,
            CueKind::StepStart
        ]
    );
    assert_eq!(events[3].due_at, start + secs(5));
    assert_eq!(session.view(start + secs(5)).phase, Phase::Step(0));
    // Halfway of the 60 s step at 35 s.
    assert_eq!(
        kinds(&session.poll(start + secs(35))),
        vec![CueKind::Halfway]
    );
    // Step 1 (two-sided, 40 s) starts at 65 s; switch at 85 s; end at 105 s.
    let events = session.poll(start + secs(65));
    assert_eq!(kinds(&events).last(), Some(&CueKind::StepStart));
    let view = session.view(start + secs(70));
    assert_eq!(view.current_side, Some(Side::Left));
    assert_eq!(view.next_step, None);
    assert_eq!(
        kinds(&session.poll(start + secs(85))),
        vec![CueKind::SwitchSide]
    );
    assert_eq!(
        session.view(start + secs(86)).current_side,
        Some(Side::Right)
    );
    assert_eq!(
        session.view(start + secs(86)).recent_cue,
        Some(CueKind::SwitchSide)
    );
    let events = session.poll(start + secs(200));
    assert_eq!(kinds(&events).last(), Some(&CueKind::SessionEnd));
    assert_eq!(events.last().map(|e| e.due_at), Some(start + secs(105)));
    assert_eq!(session.ending(), Some(Ending::Completed));
    assert_eq!(session.steps_completed(start + secs(200)), 2);
    assert_eq!(session.active_elapsed(start + secs(500)), secs(100));
    assert!(session.poll(start + secs(300)).is_empty());
}

#[test]
fn pause_across_a_boundary_moves_the_boundary_by_the_pause() {
    let mut session = Session::start(plan(0, &[(20, Side::Center), (20, Side::Center)]), secs(0));
    session.poll(secs(0));
    session.handle(Control::Pause, secs(19));
    // Paused for 100 s across the original boundary at 20 s: nothing fires.
    assert!(session.poll(secs(60)).is_empty());
    assert_eq!(session.view(secs(60)).segment_remaining, secs(1));
    assert_eq!(session.next_deadline(), None);
    session.handle(Control::Resume, secs(119));
    assert_eq!(session.next_deadline(), Some(secs(120)));
    let events = session.poll(secs(120));
    assert_eq!(kinds(&events), vec![CueKind::StepStart]);
    assert_eq!(events[0].due_at, secs(120));
}

#[test]
fn skip_while_paused_stays_paused_at_the_next_step() {
    let mut session = Session::start(plan(5, &[(30, Side::Center), (30, Side::Center)]), secs(0));
    session.handle(Control::Pause, secs(10));
    let events = session.handle(Control::Skip, secs(12));
    assert_eq!(kinds(&events), vec![CueKind::StepStart]);
    assert_eq!(events[0].step_index, Some(1));
    let view = session.view(secs(50));
    assert!(view.paused);
    assert_eq!(view.phase, Phase::Step(1));
    assert_eq!(view.segment_remaining, secs(30));
    session.handle(Control::Resume, secs(50));
    assert_eq!(session.view(secs(60)).segment_remaining, secs(20));
    assert_eq!(
        session.steps_completed(secs(60)),
        0,
        "skipped step is not done"
    );
}

#[test]
fn back_on_the_first_step_restarts_it() {
    let mut session = Session::start(plan(5, &[(30, Side::Center), (30, Side::Center)]), secs(0));
    session.poll(secs(6));
    let events = session.handle(Control::Back, secs(6));
    assert_eq!(kinds(&events), vec![CueKind::StepStart]);
    assert_eq!(session.view(secs(6)).phase, Phase::Step(0));
    assert_eq!(session.view(secs(6)).segment_remaining, secs(30));
}

#[test]
fn back_goes_to_previous_only_right_after_a_step_starts() {
    let mut session = Session::start(
        plan(
            0,
            &[(30, Side::Center), (30, Side::Center), (30, Side::Center)],
        ),
        secs(0),
    );
    session.poll(secs(31));
    session.handle(Control::Back, secs(31));
    assert_eq!(session.view(secs(31)).phase, Phase::Step(0));
    session.poll(secs(71));
    assert_eq!(session.view(secs(71)).phase, Phase::Step(1));
    session.handle(Control::Back, secs(71));
    assert_eq!(session.view(secs(71)).phase, Phase::Step(1));
    assert_eq!(session.view(secs(71)).segment_remaining, secs(30));
}

#[test]
fn stop_in_lead_in_ends_with_nothing_done() {
    let mut session = Session::start(plan(5, &[(30, Side::Center)]), secs(0));
    session.handle(Control::Stop, secs(2));
    assert_eq!(session.ending(), Some(Ending::Stopped));
    assert_eq!(session.active_elapsed(secs(100)), Duration::ZERO);
    assert_eq!(session.steps_completed(secs(100)), 0);
    assert!(session.poll(secs(100)).is_empty());
    assert_eq!(session.next_deadline(), None);
    assert_eq!(session.view(secs(100)).phase, Phase::Ended(Ending::Stopped));
}

#[test]
fn skip_on_the_last_step_completes_once_a_step_was_played() {
    let mut session = Session::start(plan(0, &[(30, Side::Center), (30, Side::Center)]), secs(0));
    session.poll(secs(31));
    session.handle(Control::Pause, secs(33));
    let events = session.handle(Control::Skip, secs(34));
    assert_eq!(kinds(&events), vec![CueKind::SessionEnd]);
    assert_eq!(session.ending(), Some(Ending::Completed));
    // The time played is the first step and the 3 s of the second: the
    // skipped rest of it is not counted.
    assert_eq!(session.active_elapsed(secs(34)), secs(33));
}

#[test]
fn skipping_every_step_is_not_completing_and_plays_no_time() {
    let mut session = Session::start(plan(0, &[(30, Side::Center), (30, Side::Center)]), secs(0));
    session.poll(secs(2));
    session.handle(Control::Skip, secs(2));
    session.handle(Control::Skip, secs(3));
    assert_eq!(session.ending(), Some(Ending::Stopped));
    assert_eq!(session.steps_completed(secs(3)), 0);
    assert_eq!(
        session.active_elapsed(secs(3)),
        secs(3),
        "only the seconds played"
    );
}

#[test]
fn going_back_counts_the_replayed_time_as_played() {
    let mut session = Session::start(plan(0, &[(30, Side::Center), (30, Side::Center)]), secs(0));
    session.poll(secs(40));
    // 10 s into step 2, back to its start: those 10 s were played.
    session.handle(Control::Back, secs(40));
    session.poll(secs(45));
    assert_eq!(session.active_elapsed(secs(45)), secs(45));
}

#[test]
fn skip_early_in_a_session_started_at_time_zero() {
    let mut session = Session::start(plan(5, &[(30, Side::Center), (30, Side::Center)]), secs(0));
    session.handle(Control::Skip, secs(1));
    session.handle(Control::Skip, secs(2));
    let view = session.view(secs(12));
    assert_eq!(view.phase, Phase::Step(1));
    assert_eq!(view.segment_remaining, secs(20));
    // Halfway of step 1 is 15 s after it started at 2 s.
    assert_eq!(session.next_deadline(), Some(secs(17)));
}

#[test]
fn transitions_sit_between_steps_with_their_own_countdown() {
    let mut with_pause = plan(0, &[(30, Side::Center), (30, Side::Center)]);
    with_pause.transition = secs(10);
    let mut session = Session::start(with_pause.clone(), secs(0));
    session.poll(secs(29));
    let events = session.poll(secs(35));
    assert!(
        events.iter().all(|e| e.kind != CueKind::StepStart),
        "{events:?}"
    );
    let view = session.view(secs(35));
    assert_eq!(view.phase, Phase::Transition(1));
    assert_eq!(view.next_step, Some(1));
    assert_eq!(view.segment_remaining, secs(5));
    assert_eq!(view.session_length, secs(60), "pauses are not active time");
    assert_eq!(view.session_elapsed, secs(30));
    let events = session.poll(secs(40));
    assert_eq!(
        kinds(&events),
        vec![
            CueKind::CountdownTick,
            CueKind::CountdownTick,
            CueKind::CountdownTick,
            CueKind::StepStart
        ]
    );
    assert_eq!(events[3].due_at, secs(40));
    let events = session.poll(secs(100));
    assert_eq!(events.last().map(|e| e.due_at), Some(secs(70)));
    assert_eq!(session.steps_completed(secs(100)), 2);
    assert_eq!(session.active_elapsed(secs(100)), secs(60));

    // Back during a transition restarts the step just played; skip goes on.
    let mut session = Session::start(with_pause, secs(0));
    session.poll(secs(33));
    session.handle(Control::Back, secs(33));
    assert_eq!(session.view(secs(33)).phase, Phase::Step(0));
    assert_eq!(session.view(secs(33)).segment_remaining, secs(30));
    session.poll(secs(65));
    assert_eq!(session.view(secs(65)).phase, Phase::Transition(1));
    session.handle(Control::Skip, secs(65));
    assert_eq!(session.view(secs(65)).phase, Phase::Step(1));
}

#[test]
fn empty_plan_ends_immediately() {
    let session = Session::start(plan(0, &[]), secs(0));
    assert!(session.is_ended());
}

proptest! {
    /// However the engine is polled, every cue fires exactly once, at a due
    /// time equal to start plus the sum of the lengths before it.
    #[test]
    fn no_drift_and_each_cue_once(
        lengths in prop::collection::vec((1u64..120, prop::bool::ANY), 1..20),
        lead_in in 0u64..10,
        poll_gaps_ms in prop::collection::vec(1u64..5_000, 1..400),
        start_ms in 0u64..1_000_000,
    ) {
        let steps: Vec<(u64, Side)> = lengths
            .iter()
            .map(|(length, both)| (*length, if *both { Side::Both } else { Side::Left }))
            .collect();
        let start = Duration::from_millis(start_ms);
        let mut session = Session::start(plan(lead_in, &steps), start);
        let mut now = start;
        let mut events = Vec::new();
        let mut gaps = poll_gaps_ms.iter().cycle();
        while !session.is_ended() {
            now += Duration::from_millis(*gaps.next().unwrap_or(&1000));
            events.extend(session.poll(now));
        }
        // Each step start lands exactly on its boundary.
        let mut boundary = start + secs(lead_in);
        for (index, (length, _)) in steps.iter().enumerate() {
            let starts: Vec<&CueEvent> = events
                .iter()
                .filter(|e| e.kind == CueKind::StepStart && e.step_index == Some(index))
                .collect();
            prop_assert_eq!(starts.len(), 1);
            prop_assert_eq!(starts[0].due_at, boundary);
            boundary += secs(*length);
        }
        let ends: Vec<&CueEvent> = events.iter().filter(|e| e.kind == CueKind::SessionEnd).collect();
        prop_assert_eq!(ends.len(), 1);
        prop_assert_eq!(ends[0].due_at, boundary);
        // Events come in due order and never before they were due.
        for pair in events.windows(2) {
            prop_assert!(pair[0].due_at <= pair[1].due_at);
        }
        prop_assert_eq!(session.steps_completed(now), steps.len());
    }

    /// Pausing any number of times shifts the end by exactly the paused time.
    #[test]
    fn pauses_shift_the_end_by_their_length(
        lengths in prop::collection::vec(1u64..60, 1..10),
        pauses in prop::collection::vec((1u64..30_000, 1u64..30_000), 0..8),
    ) {
        let steps: Vec<(u64, Side)> = lengths.iter().map(|l| (*l, Side::Center)).collect();
        let total = secs(lengths.iter().sum::<u64>());
        let mut session = Session::start(plan(0, &steps), Duration::ZERO);
        let mut now = Duration::ZERO;
        let mut paused_total = Duration::ZERO;
        let mut events = Vec::new();
        for (run_ms, pause_ms) in pauses {
            now += Duration::from_millis(run_ms);
            events.extend(session.handle(Control::Pause, now));
            if session.is_ended() {
                break;
            }
            now += Duration::from_millis(pause_ms);
            paused_total += Duration::from_millis(pause_ms);
            events.extend(session.handle(Control::Resume, now));
        }
        while !session.is_ended() {
            now += Duration::from_millis(700);
            events.extend(session.poll(now));
        }
        let end = events.iter().find(|e| e.kind == CueKind::SessionEnd).map(|e| e.due_at);
        prop_assert_eq!(end, Some(total + paused_total));
    }
}

fn heat_plan(lengths: &[u64], from: usize, to: usize) -> SessionPlan {
    let mut plan = plan(
        0,
        &lengths
            .iter()
            .map(|length| (*length, Side::Center))
            .collect::<Vec<_>>(),
    );
    plan.heat = vec![HeatSpan {
        source: Tool::HeatPack,
        region: Region::LowerBack,
        from_step: from,
        to_step: to,
        alongside: true,
    }];
    plan
}

/// Polls once a second up to `until`, returning heat cues with their times.
fn heat_cues(session: &mut Session, from: u64, until: u64) -> Vec<(CueKind, u64)> {
    (from..=until)
        .flat_map(|t| session.poll(secs(t)))
        // First sounds only: the alarm's repeats have their own test.
        .filter(|event| {
            event.urgency == 0
                && matches!(
                    event.kind,
                    CueKind::HeatOn | CueKind::SkinCheck | CueKind::HeatOff
                )
        })
        .map(|event| (event.kind, event.due_at.as_secs()))
        .collect()
}

#[test]
fn injury_checks_the_skin_every_five_minutes_and_comes_off_at_the_end() {
    // A 60 s step, then 20 minutes of heat alongside two massage steps.
    let mut session = Session::start(heat_plan(&[60, 600, 600, 60], 1, 2), secs(100));
    let cues = heat_cues(&mut session, 100, 100 + 1320);
    assert_eq!(
        cues,
        vec![
            (CueKind::HeatOn, 160),
            (CueKind::SkinCheck, 460),
            (CueKind::SkinCheck, 760),
            (CueKind::SkinCheck, 1060),
            (CueKind::HeatOff, 1360),
        ]
    );
    assert!(matches!(
        session.view(secs(1400)).heat.map(|heat| heat.status),
        Some(HeatStatus::Done { capped: false }) | None
    ));
}

#[test]
fn heat_keeps_counting_while_paused_and_alarms_at_the_cap() {
    let mut session = Session::start(heat_plan(&[600, 600], 0, 1), secs(0));
    assert_eq!(heat_cues(&mut session, 0, 900).len(), 4); // on + checks at 5, 10, 15 min
    session.handle(Control::Pause, secs(900));
    // Paused: the massage timeline is frozen, but the heat deadline is not.
    assert_eq!(session.next_deadline(), Some(secs(1200)));
    let view = session.view(secs(1000));
    assert!(view.paused);
    assert_eq!(
        view.heat.map(|heat| heat.status),
        Some(HeatStatus::On {
            on_for: secs(1000),
            remove_in: secs(200),
            next_check_in: None,
        })
    );
    let cues = heat_cues(&mut session, 901, 1500);
    assert_eq!(cues, vec![(CueKind::HeatOff, 1200)]);
    assert_eq!(
        session.view(secs(1500)).heat.map(|heat| heat.status),
        Some(HeatStatus::Done { capped: true })
    );
    // The alarm repeats while unanswered, so the banner stays.
    assert!(session.view(secs(1496)).recent_cue == Some(CueKind::HeatOff));
    // Resuming plays the massage on; the heat does not come back on.
    session.handle(Control::Resume, secs(1500));
    let later = heat_cues(&mut session, 1501, 2000);
    assert!(later.is_empty(), "{later:?}");
    assert!(session.is_ended());
}

#[test]
fn skipping_or_stopping_takes_the_heat_off_at_once() {
    let mut session = Session::start(heat_plan(&[60, 300, 60], 1, 1), secs(0));
    heat_cues(&mut session, 0, 100);
    let events = session.handle(Control::Skip, secs(100));
    assert!(
        events
            .iter()
            .any(|event| event.kind == CueKind::HeatOff && event.due_at == secs(100)),
        "{events:?}"
    );
    // Back into the heat step: the heat stays off (no second dose).
    let events = session.handle(Control::Back, secs(101));
    assert!(events.iter().all(|event| event.kind != CueKind::HeatOn));

    let mut session = Session::start(heat_plan(&[300], 0, 0), secs(0));
    heat_cues(&mut session, 0, 10);
    let events = session.handle(Control::Stop, secs(10));
    assert_eq!(
        events.iter().map(|event| event.kind).collect::<Vec<_>>(),
        vec![CueKind::HeatOff]
    );
}

#[test]
fn the_take_off_alarm_repeats_until_answered_even_after_the_end() {
    // Heat on the only step: the session ends as the heat must come off.
    let mut session = Session::start(heat_plan(&[300], 0, 0), secs(0));
    let cues = heat_cues(&mut session, 0, 300);
    assert_eq!(cues.last(), Some(&(CueKind::HeatOff, 300)));
    assert!(session.is_ended() && session.heat_alarm());
    assert_eq!(session.next_deadline(), Some(secs(330)));
    let repeats: Vec<(u64, u8)> = (301..=400)
        .flat_map(|t| session.poll(secs(t)))
        .map(|event| (event.due_at.as_secs(), event.urgency))
        .collect();
    assert_eq!(
        repeats,
        [(330, 1), (350, 2), (365, 3), (375, 4), (385, 4), (395, 4)]
    );
    assert!(session.view(secs(400)).heat_alarm);
    session.handle(Control::AcknowledgeHeat, secs(401));
    assert!(!session.heat_alarm());
    assert_eq!(session.next_deadline(), None);
    assert!(session.poll(secs(1000)).is_empty());
}

#[test]
fn taking_the_heat_off_yourself_raises_no_alarm() {
    let mut session = Session::start(heat_plan(&[60, 300, 60], 1, 1), secs(0));
    heat_cues(&mut session, 0, 100);
    session.handle(Control::Skip, secs(101));
    assert!(!session.heat_alarm());
}

#[test]
fn a_suspend_pauses_the_massage_but_the_heat_keeps_counting_to_the_cap() {
    let mut session = Session::start(heat_plan(&[600, 600], 0, 1), secs(0));
    assert_eq!(heat_cues(&mut session, 0, 120).len(), 1); // heat on
    // The computer sleeps at 120 s for 25 minutes; the clock keeps counting.
    session.suspended(secs(120), secs(1500));
    let woke = secs(1620);
    let events = session.poll(woke);
    let kinds = kinds(&events);
    // The skin checks fell due in the sleep, then the cap: heat off, alarm raised.
    assert_eq!(kinds.last(), Some(&CueKind::HeatOff));
    assert!(!kinds.contains(&CueKind::StepStart));
    let view = session.view(woke);
    assert!(view.paused && view.heat_alarm);
    assert_eq!(view.slept, Some(secs(1500)));
    assert_eq!(view.session_elapsed, secs(120));
    assert!(matches!(
        view.heat.map(|heat| heat.status),
        Some(HeatStatus::Done { capped: true })
    ));
    session.handle(Control::Resume, woke);
    assert_eq!(session.view(woke + secs(1)).slept, None);
    assert_eq!(session.view(woke + secs(1)).session_elapsed, secs(121));
}
