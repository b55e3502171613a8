//! A course plan: four sessions of one routine spread over six weeks (the
//! usual course for muscle spasms), with the rule that two sessions in a row
//! without relief mean it is time to try something else or ask a professional.

use chrono::{DateTime, Duration as Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Sessions in a course.
pub const COURSE_SESSIONS: usize = 4;
/// Days between suggested sessions: 0, 14, 28 and 42 days from the start.
pub const COURSE_SPACING_DAYS: i64 = 14;

/// The course the person chose, as remembered in the preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoursePlan {
    /// Which routine.
    pub routine_id: String,
    /// The day the course began.
    pub started_on: NaiveDate,
    /// The moment it began: sessions finished earlier that day came before
    /// the course and do not count. `None` for plans made by older versions.
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    /// Whether the "no relief" suggestion was already shown (once per plan).
    #[serde(default)]
    pub no_relief_shown: bool,
}

/// A completed session of the course's routine, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CourseSession {
    /// Its local date.
    pub date: NaiveDate,
    /// When it started, if known.
    pub started_at: Option<DateTime<Utc>>,
    /// Pain before, if rated.
    pub pain_before: Option<u8>,
    /// Pain after, if rated.
    pub pain_after: Option<u8>,
}

/// Where a course stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CourseProgress {
    /// Sessions done so far (at most [`COURSE_SESSIONS`]).
    pub done: usize,
    /// When to do the next one (`None` once all are done). Never in the past:
    /// a session that is overdue is suggested for today.
    pub next_on: Option<NaiveDate>,
    /// Two rated sessions in a row brought no relief.
    pub no_relief: bool,
    /// The next session is due today (or overdue).
    pub due_today: bool,
}

/// The suggested day of each session.
pub fn suggested_dates(started_on: NaiveDate) -> [NaiveDate; COURSE_SESSIONS] {
    std::array::from_fn(|index| started_on + Days::days(COURSE_SPACING_DAYS * index as i64))
}

/// Whether a session brought relief: pain after below pain before. `None`
/// when it was not rated both times.
pub fn relief(session: &CourseSession) -> Option<bool> {
    Some(session.pain_after? < session.pain_before?)
}

/// The course's progress from the completed sessions since it began.
pub fn progress(plan: &CoursePlan, sessions: &[CourseSession], today: NaiveDate) -> CourseProgress {
    // Sessions since the course began, one a day: a second session on the
    // same day is not another step of the course.
    let mut counted: Vec<&CourseSession> = Vec::new();
    for session in sessions {
        let after_start = session.date >= plan.started_on
            && match (plan.started_at, session.started_at) {
                (Some(plan_at), Some(session_at)) => session_at >= plan_at,
                _ => true,
            };
        if after_start && counted.last().is_none_or(|last| last.date != session.date) {
            counted.push(session);
        }
    }
    let done = counted.len().min(COURSE_SESSIONS);
    let next_on = suggested_dates(plan.started_on)
        .get(done)
        .map(|suggested| (*suggested).max(today));
    // Unrated sessions say nothing either way; two rated ones in a row without relief count.
    let rated: Vec<bool> = counted
        .iter()
        .filter_map(|session| relief(session))
        .collect();
    let no_relief = rated.windows(2).any(|pair| !pair[0] && !pair[1]);
    CourseProgress {
        done,
        next_on,
        no_relief,
        due_today: next_on.is_some_and(|next| next <= today),
    }
}

/// What a login-time reminder says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// The notification's title.
    pub summary: String,
    /// Its text.
    pub body: String,
}

/// The reminder to show today, if a session of the course is due or
/// overdue; `None` when none is due or the course is complete.
pub fn reminder(
    plan: &CoursePlan,
    routine_name: &str,
    sessions: &[CourseSession],
    today: NaiveDate,
) -> Option<Reminder> {
    let progress = progress(plan, sessions, today);
    if !progress.due_today {
        return None;
    }
    let suggested = *suggested_dates(plan.started_on).get(progress.done)?;
    let late = (today - suggested).num_days();
    let summary = match late {
        ..=0 => "A course session is due today".to_owned(),
        1 => "A course session is a day overdue".to_owned(),
        days => format!("A course session is {days} days overdue"),
    };
    let body = format!(
        "Session {} of {COURSE_SESSIONS} of your course: {routine_name}. Open unknot when you have a quiet moment.",
        progress.done + 1
    );
    Some(Reminder { summary, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    fn session(date: &str, before: Option<u8>, after: Option<u8>) -> CourseSession {
        CourseSession {
            date: day(date),
            started_at: None,
            pain_before: before,
            pain_after: after,
        }
    }

    fn plan() -> CoursePlan {
        CoursePlan {
            routine_id: "endorphin-15".into(),
            started_on: day("2026-11-02"),
            started_at: None,
            no_relief_shown: false,
        }
    }

    #[test]
    fn the_reminder_says_due_or_overdue_and_nothing_otherwise() {
        let plan = plan();
        let first = reminder(&plan, "Endorphin routine", &[], day("2026-11-02"));
        assert_eq!(
            first.map(|r| r.summary),
            Some("A course session is due today".to_owned())
        );
        let done = [session("2026-11-02", None, None)];
        assert_eq!(reminder(&plan, "E", &done, day("2026-11-10")), None);
        let late = reminder(&plan, "Endorphin routine", &done, day("2026-11-19"));
        assert_eq!(
            late.as_ref().map(|r| r.summary.as_str()),
            Some("A course session is 3 days overdue")
        );
        assert!(late.is_some_and(|r| r.body.starts_with("Session 2 of 4")));
        let one_day = reminder(&plan, "E", &done, day("2026-11-17"));
        assert!(one_day.is_some_and(|r| r.summary.contains("a day overdue")));
        let all: Vec<CourseSession> = ["2026-11-02", "2026-11-16", "2026-11-30", "2026-12-14"]
            .iter()
            .map(|date| session(date, None, None))
            .collect();
        assert_eq!(reminder(&plan, "E", &all, day("2027-01-20")), None);
    }

    #[test]
    fn a_session_before_the_plan_or_a_second_one_the_same_day_does_not_count() {
        let at = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .map(|at| at.with_timezone(&Utc))
                .unwrap_or_default()
        };
        let plan = CoursePlan {
            started_at: Some(at("2026-11-02T12:00:00Z")),
            ..plan()
        };
        let timed = |date: &str, time: &str| CourseSession {
            started_at: Some(at(time)),
            ..session(date, None, None)
        };
        // Done that morning, before the plan was made at noon: not part of it.
        let sessions = [timed("2026-11-02", "2026-11-02T08:00:00Z")];
        assert_eq!(progress(&plan, &sessions, day("2026-11-02")).done, 0);
        // After noon it counts, but twice on one day is still one.
        let sessions = [
            timed("2026-11-02", "2026-11-02T08:00:00Z"),
            timed("2026-11-02", "2026-11-02T13:00:00Z"),
            timed("2026-11-02", "2026-11-02T18:00:00Z"),
        ];
        assert_eq!(progress(&plan, &sessions, day("2026-11-02")).done, 1);
    }

    #[test]
    fn four_sessions_two_weeks_apart_and_overdue_means_today() {
        assert_eq!(
            suggested_dates(day("2026-11-02")),
            ["2026-11-02", "2026-11-16", "2026-11-30", "2026-12-14"].map(day)
        );
        let sessions = [session("2026-11-02", None, None)];
        let progress = progress(&plan(), &sessions, day("2026-11-10"));
        assert_eq!(progress.done, 1);
        assert_eq!(progress.next_on, Some(day("2026-11-16")));
        let late = super::progress(&plan(), &sessions, day("2026-11-21"));
        assert_eq!(late.next_on, Some(day("2026-11-21")));
        // Sessions before the plan began do not count; four done ends it.
        let many = [
            session("2026-10-30", None, None),
            session("2026-11-02", None, None),
            session("2026-11-16", None, None),
            session("2026-11-30", None, None),
            session("2026-12-14", None, None),
        ];
        let finished = super::progress(&plan(), &many, day("2026-12-15"));
        assert_eq!((finished.done, finished.next_on), (4, None));
    }

    #[test]
    fn no_relief_twice_in_a_row_is_noticed_and_unrated_sessions_do_not_break_it() {
        let today = day("2026-12-01");
        // Relief, then none, then none: noticed.
        let sessions = [
            session("2026-11-02", Some(6), Some(3)),
            session("2026-11-16", Some(5), Some(5)),
            session("2026-11-30", Some(4), Some(6)),
        ];
        assert!(progress(&plan(), &sessions, today).no_relief);
        // None, relief, none: not twice in a row.
        let sessions = [
            session("2026-11-02", Some(5), Some(5)),
            session("2026-11-16", Some(6), Some(2)),
            session("2026-11-30", Some(4), Some(4)),
        ];
        assert!(!progress(&plan(), &sessions, today).no_relief);
        // An unrated session between two without relief still counts as in a row.
        let sessions = [
            session("2026-11-02", Some(5), Some(5)),
            session("2026-11-16", None, Some(2)),
            session("2026-11-30", Some(4), Some(4)),
        ];
        assert!(progress(&plan(), &sessions, today).no_relief);
    }
}
