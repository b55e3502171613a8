//! Session commands: setting up, playing, finishing and rating a session,
//! the take-the-heat-off alarm, and the course plan.

use std::sync::Arc;
use std::time::Duration;

use crate::conductor::{Conductor, CueTiming};
use crate::core::engine::{Control, Ending, Phase};
use crate::core::history::Outcome;
use crate::core::plan::{plan_with_lengths, step_lengths};
use crate::core::prefs::LastRoutine;
use crate::core::routine::Routine;
use crate::core::scale::{MAX_LENGTH_SECS, MIN_LENGTH_SECS, MIN_STEP_SECS};
use crate::store::history_db::NewSession;

use super::UnknotApp;
use super::command::SessionCommand;
use super::screen::{FinishSummary, PlayerState, Screen};

impl UnknotApp {
    /// Writes the finish screen's rating and notes to the history, if they
    /// changed since last written.
    pub(super) fn save_rating(&mut self) {
        let Screen::Finish(summary) = &mut self.screen else {
            return;
        };
        let rating = (summary.pain_after, summary.notes.clone());
        if summary.saved_rating.as_ref() == Some(&rating) {
            return;
        }
        if let Some(history) = &self.deps.history {
            history.rated(
                summary.token,
                summary.pain_before,
                summary.pain_after,
                summary.notes.clone(),
            );
        }
        summary.saved_rating = Some(rating);
    }

    /// Applies a session command.
    pub(super) fn run_session(&mut self, command: SessionCommand) {
        match command {
            SessionCommand::SetLength(secs) => {
                if let Screen::Setup(setup) = &mut self.screen {
                    let own = setup.routine.default_length_secs();
                    setup.length_secs =
                        secs.clamp(MIN_LENGTH_SECS.min(own), MAX_LENGTH_SECS.max(own));
                    setup.step_secs =
                        step_lengths(&setup.routine, setup.length_secs, &Default::default());
                    let (id, length_secs) = (setup.routine.id.clone(), setup.length_secs);
                    self.update_prefs(|prefs| {
                        let memory = prefs.routines.entry(id).or_default();
                        memory.length_secs = Some(length_secs);
                        memory.step_secs.clear();
                    });
                }
            }
            SessionCommand::NudgeStep { index, delta_secs } => {
                let max = match &self.screen {
                    Screen::Setup(setup) => {
                        crate::core::plan::max_step_secs(&setup.routine, &setup.step_secs, index)
                    }
                    _ => 0,
                };
                if let Screen::Setup(setup) = &mut self.screen
                    && let Some(secs) = setup.step_secs.get_mut(index)
                {
                    *secs = secs
                        .saturating_add_signed(delta_secs)
                        .clamp(MIN_STEP_SECS, max);
                    let new_secs = *secs;
                    let (id, length_secs) = (setup.routine.id.clone(), setup.length_secs);
                    self.update_prefs(|prefs| {
                        let memory = prefs.routines.entry(id).or_default();
                        memory.length_secs = Some(length_secs);
                        memory.step_secs.insert(index, new_secs);
                    });
                }
            }
            SessionCommand::ResetRoutine => {
                if let Screen::Setup(setup) = &self.screen {
                    let id = setup.routine.id.clone();
                    self.update_prefs(|prefs| {
                        prefs.routines.remove(&id);
                    });
                    self.open_routine(&id);
                }
            }
            SessionCommand::SetInjuryCheck(answer) => {
                if let Screen::Setup(setup) = &mut self.screen {
                    setup.injury_check = Some(answer);
                }
            }
            SessionCommand::SetPainBefore(pain) => {
                if let Screen::Setup(setup) = &mut self.screen {
                    setup.pain_before = pain;
                }
            }
            SessionCommand::Start => {
                if let Screen::Setup(setup) = &self.screen
                    && setup.can_start()
                {
                    let (routine, length_secs, step_secs, pain_before) = (
                        setup.routine.clone(),
                        setup.length_secs,
                        setup.step_secs.clone(),
                        setup.pain_before,
                    );
                    self.start(routine, length_secs, step_secs, pain_before);
                }
            }
            SessionCommand::AskStop => {
                if let Screen::Player(player) = &mut self.screen {
                    player.conductor.control(Control::Pause);
                    player.confirm_stop = true;
                    self.say_question(
                        "Paused. Stop the session? Press Escape again to stop, or Space to carry on.",
                    );
                }
            }
            SessionCommand::Control(control) => {
                if let Screen::Player(player) = &mut self.screen {
                    if control == Control::Stop {
                        player.heat_on_at_stop = heat_is_on(&player.conductor);
                    }
                    player.conductor.control(control);
                    // Carrying on (or any other control) answers "stop?" with no.
                    if control != Control::AcknowledgeHeat {
                        player.confirm_stop = false;
                        self.confirm_quit = false;
                    }
                }
                if control == Control::AcknowledgeHeat {
                    for conductor in self.lingering_alarms.drain(..) {
                        conductor.control(control);
                    }
                }
                self.check_session_end();
            }
            SessionCommand::StopHurt => {
                if let Screen::Player(player) = &mut self.screen {
                    player.stopped_hurt = true;
                    player.heat_on_at_stop = heat_is_on(&player.conductor);
                    player.conductor.control(Control::Stop);
                }
                self.check_session_end();
            }
            SessionCommand::PlayAgain => {
                self.save_rating();
                if let Screen::Finish(summary) = &self.screen {
                    let (routine, length_secs, step_secs) = (
                        summary.routine.clone(),
                        summary.length_secs,
                        summary.step_secs.clone(),
                    );
                    if routine.uses_heat() {
                        // Heat is asked about each time: back to the setup
                        // screen and its fresh-injury question.
                        let id = routine.id.clone();
                        self.open_routine(&id);
                        if let Screen::Setup(setup) = &mut self.screen
                            && setup.length_secs == length_secs
                        {
                            setup.step_secs = step_secs;
                        }
                    } else {
                        self.start(routine, length_secs, step_secs, None);
                    }
                }
            }
            SessionCommand::RateSession { pain_after, notes } => {
                if let Screen::Finish(summary) = &mut self.screen {
                    summary.pain_after = pain_after;
                    summary.notes = notes;
                }
                self.save_rating();
            }
            SessionCommand::EditNotes(notes) => {
                if let Screen::Finish(summary) = &mut self.screen {
                    summary.notes = notes;
                }
            }
            SessionCommand::SaveNotes => self.save_rating(),
            SessionCommand::StartCourse => {
                if let Screen::Setup(setup) = &self.screen {
                    let routine_id = setup.routine.id.clone();
                    let (started_on, started_at) = (self.deps.clock.today(), self.deps.clock.utc());
                    self.update_prefs(|prefs| {
                        prefs.course = Some(crate::core::course::CoursePlan {
                            routine_id,
                            started_on,
                            started_at: Some(started_at),
                            no_relief_shown: false,
                        });
                    });
                    self.course_sessions = None;
                    self.refresh_course();
                }
            }
            SessionCommand::EndCourse => {
                self.update_prefs(|prefs| prefs.course = None);
                self.course_sessions = None;
            }
            SessionCommand::DismissNoRelief => self.update_prefs(|prefs| {
                if let Some(course) = &mut prefs.course {
                    course.no_relief_shown = true;
                }
            }),
        }
    }

    /// Starts playing a routine at a length straight away (used by `--autoplay`).
    pub fn autoplay(&mut self, id: &str, length_secs: Option<u32>) -> Result<(), String> {
        let Some(entry) = self.deps.library.find(id) else {
            return Err(format!("no routine with id \"{id}\""));
        };
        let routine = entry.routine.clone();
        let length_secs = length_secs.unwrap_or_else(|| routine.default_length_secs());
        let step_secs = step_lengths(&routine, length_secs, &Default::default());
        self.start(routine, length_secs, step_secs, None);
        Ok(())
    }

    /// A later start of the app asked to play `id`: play it, unless a
    /// session or unsaved edits are open, which are never thrown away by a
    /// second start; the notice says what happened instead.
    pub fn handed_autoplay(&mut self, id: &str, length_secs: Option<u32>) {
        let busy = match &self.screen {
            Screen::Player(_) => Some("a session is already open"),
            Screen::Editor(editor) if editor.has_changes() => {
                Some("the editor has unsaved changes")
            }
            _ => None,
        };
        if let Some(busy) = busy {
            self.notice = Some(format!(
                "unknot was started again to play \"{id}\", but {busy}: finish or stop it first."
            ));
            return;
        }
        if let Err(error) = self.autoplay(id, length_secs) {
            self.notice = Some(format!("unknot was started again, but {error}."));
        }
    }

    pub(super) fn start(
        &mut self,
        routine: Routine,
        length_secs: u32,
        step_secs: Vec<u32>,
        pain_before: Option<u8>,
    ) {
        let plan = plan_with_lengths(
            &routine,
            &step_secs,
            self.prefs.lead_in_secs,
            self.prefs.transition_secs,
        );
        let id = routine.id.clone();
        self.update_prefs(|prefs| {
            prefs.last_routine = Some(LastRoutine { id, length_secs });
        });
        let token = self.sessions_started + 1;
        // The session's timekeeper tells the history how far it has got;
        // the history thread never reads the session itself.
        let reporter = self
            .deps
            .history
            .as_ref()
            .map(|history| history.progress_reporter(token));
        let voice = self
            .deps
            .speech
            .as_ref()
            .filter(|_| self.prefs.voice.enabled)
            .map(|speech| {
                (
                    Arc::clone(speech) as Arc<dyn crate::speech::VoiceSink>,
                    self.prefs.voice.say,
                )
            });
        let observer = self.deps.desktop.as_ref().map(|desktop| {
            let desktop = Arc::clone(desktop);
            Arc::new(move |update: &crate::conductor::Update| desktop.changed(update))
                as crate::conductor::Observer
        });
        let listeners = crate::conductor::Listeners {
            report: reporter,
            voice,
            observer,
        };
        match Conductor::start_with(
            plan.clone(),
            Arc::clone(&self.deps.clock),
            Arc::clone(&self.deps.cues),
            Arc::clone(&self.repaint),
            listeners,
        ) {
            Ok(conductor) => {
                self.sessions_started = token;
                if let Some(history) = &self.deps.history {
                    let regions = routine
                        .regions()
                        .iter()
                        .map(|region| region.file_name().to_owned())
                        .collect();
                    history.started(
                        token,
                        NewSession {
                            routine_id: routine.id.clone(),
                            routine_name: routine.name.clone(),
                            planned_secs: step_secs.iter().sum(),
                            step_count: u32::try_from(step_secs.len()).unwrap_or(u32::MAX),
                            started_at: self.deps.clock.utc(),
                            regions,
                            heat_used: routine.uses_heat(),
                            pain_before,
                            owner: None,
                        },
                    );
                }
                self.screen = Screen::Player(PlayerState {
                    conductor,
                    length_secs,
                    step_secs,
                    routine,
                    plan,
                    token,
                    pain_before,
                    stopped_hurt: false,
                    confirm_stop: false,
                    heat_on_at_stop: false,
                });
            }
            Err(error) => {
                log::error!("could not start the session timer: {error}");
                self.error_notice = Some(format!("Could not start the session timer: {error}"));
            }
        }
    }

    /// Says a question the player shows, for someone not looking (it
    /// replaces the "Paused." said a moment before).
    pub(super) fn say_question(&self, text: &str) {
        if self.prefs.voice.enabled
            && self.prefs.voice.say.controls
            && let Some(speech) = &self.deps.speech
        {
            crate::speech::VoiceSink::say(speech.as_ref(), Some(text.to_owned()), Duration::ZERO);
        }
    }

    /// Moves from the player to the finish screen once the session is over.
    pub fn check_session_end(&mut self) {
        for conductor in &self.lingering_alarms {
            conductor.catch_up();
        }
        let Screen::Player(player) = &self.screen else {
            return;
        };
        player.conductor.catch_up();
        let snapshot = player.conductor.snapshot();
        // Resumed from elsewhere (a headset button) while "stop?" or
        // "quit?" was showing: the question no longer stands.
        if !snapshot.view.paused
            && !snapshot.view.phase_is_ended()
            && (player.confirm_stop || self.confirm_quit)
        {
            self.confirm_quit = false;
            if let Screen::Player(player) = &mut self.screen {
                player.confirm_stop = false;
            }
            return;
        }
        if let Phase::Ended(ending) = snapshot.view.phase {
            let summary = FinishSummary {
                routine: player.routine.clone(),
                length_secs: player.length_secs,
                step_secs: player.step_secs.clone(),
                ending,
                active_secs: snapshot.active_elapsed.as_secs(),
                steps_completed: snapshot.steps_completed,
                step_count: player.plan.steps.len(),
                token: player.token,
                pain_before: player.pain_before,
                pain_after: None,
                notes: String::new(),
                stopped_hurt: player.stopped_hurt,
                heat_on_at_stop: player.heat_on_at_stop || player.conductor.stopped_with_heat(),
                saved_rating: None,
            };
            if let Some(history) = &self.deps.history {
                let outcome = match ending {
                    Ending::Completed => Outcome::Completed,
                    Ending::Stopped if player.stopped_hurt => Outcome::StoppedHurt,
                    Ending::Stopped => Outcome::StoppedEarly,
                };
                history.finished(
                    player.token,
                    outcome,
                    u32::try_from(summary.active_secs).unwrap_or(u32::MAX),
                    u32::try_from(summary.steps_completed).unwrap_or(u32::MAX),
                    self.deps.clock.utc(),
                );
            }
            log::info!(
                "session {:?}: {} after {} s, {} of {} steps",
                summary.routine.id,
                if ending == Ending::Completed {
                    "completed"
                } else {
                    "stopped"
                },
                summary.active_secs,
                summary.steps_completed,
                summary.step_count
            );
            self.finished_timings.extend(player.conductor.timings());
            let alarm = snapshot.view.heat_alarm;
            self.confirm_quit = false;
            if let Screen::Player(player) =
                std::mem::replace(&mut self.screen, Screen::Finish(summary))
                && alarm
            {
                // The heat must still come off: keep the alarm going on the finish screen.
                self.lingering_alarms.push(player.conductor);
            }
            self.refresh_course();
        }
    }

    /// Records a session still playing as stopped (the window is closing).
    pub fn shutdown(&mut self) {
        self.save_rating();
        if let Screen::Player(player) = &mut self.screen {
            player.heat_on_at_stop = heat_is_on(&player.conductor);
        }
        if let Screen::Player(player) = &self.screen {
            player.conductor.control(Control::Stop);
        }
        self.check_session_end();
    }

    /// How late every cue fired in this run, finished sessions and the current one.
    pub fn cue_timings(&self) -> Vec<CueTiming> {
        let mut timings = self.finished_timings.clone();
        if let Screen::Player(player) = &self.screen {
            timings.extend(player.conductor.timings());
        }
        timings
    }

    /// How the window's call for attention should change, if at all: flash
    /// the taskbar entry (or the platform's equivalent) while the heat alarm
    /// waits for an answer, and stop once it is answered. `Some(true)`: ask
    /// for attention; `Some(false)`: stop asking.
    pub fn attention_change(&mut self) -> Option<bool> {
        let alarm = self.heat_alarm_pending();
        if alarm == self.attention_requested {
            return None;
        }
        self.attention_requested = alarm;
        Some(alarm)
    }

    /// The window's title: the countdown and the step while a session plays
    /// (so a covered window still tells the time in the taskbar), else the
    /// app's name.
    pub fn window_title(&self) -> String {
        let Screen::Player(player) = &self.screen else {
            return "unknot".to_owned();
        };
        let view = player.conductor.snapshot().view;
        let step = match view.phase {
            Phase::LeadIn => "Get ready".to_owned(),
            Phase::Step(index) => player
                .plan
                .steps
                .get(index)
                .map(|planned| planned.step.title.clone())
                .unwrap_or_default(),
            Phase::Transition(_) => "Change position".to_owned(),
            Phase::Ended(_) => return "unknot".to_owned(),
        };
        crate::core::words::playing_title(&step, view.segment_remaining, view.paused)
    }

    /// Whether the take-the-heat-off alarm is repeating, waiting for an answer.
    pub fn heat_alarm_pending(&self) -> bool {
        let playing = match &self.screen {
            Screen::Player(player) => player.conductor.snapshot().view.heat_alarm,
            _ => false,
        };
        playing
            || self
                .lingering_alarms
                .iter()
                .any(|conductor| conductor.snapshot().view.heat_alarm)
    }

    /// Asks the history for the course's sessions (after a session, or a new plan).
    pub(super) fn refresh_course(&mut self) {
        match (&self.prefs.course, &self.deps.history) {
            (Some(plan), Some(history)) => {
                history.course(plan.routine_id.clone(), plan.started_on);
            }
            _ => self.course_sessions = None,
        }
    }

    /// The course plan's progress today, once known.
    pub fn course_progress(&self) -> Option<crate::core::course::CourseProgress> {
        let plan = self.prefs.course.as_ref()?;
        let sessions = self.course_sessions.as_ref()?;
        Some(crate::core::course::progress(
            plan,
            sessions,
            self.deps.clock.today(),
        ))
    }
}

/// Whether a heat pack is on the skin in the session `conductor` plays.
fn heat_is_on(conductor: &Conductor) -> bool {
    matches!(
        conductor.snapshot().view.heat,
        Some(crate::core::engine::HeatView {
            status: crate::core::engine::HeatStatus::On { .. },
            ..
        })
    )
}
