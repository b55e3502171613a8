//! Session history as plain data, and the statistics people look at: how much
//! they did this week, whether pain is going down, and their streak.
//!
//! Dates come in as parameters (the caller converts to local time), so every
//! figure here is tested with fixed dates.

use chrono::{Datelike, Duration as Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Still playing (only seen while the app runs).
    Running,
    /// Played to the end.
    Completed,
    /// Stopped by the person.
    StoppedEarly,
    /// The app closed or crashed mid-session; found on the next start.
    Interrupted,
}

impl Outcome {
    /// The word stored in the database and in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Running => "running",
            Outcome::Completed => "completed",
            Outcome::StoppedEarly => "stopped_early",
            Outcome::Interrupted => "interrupted",
        }
    }

    /// Reads the stored word.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "running" => Some(Outcome::Running),
            "completed" => Some(Outcome::Completed),
            "stopped_early" => Some(Outcome::StoppedEarly),
            "interrupted" => Some(Outcome::Interrupted),
            _ => None,
        }
    }

    /// Words for the screen.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Running => "In progress",
            Outcome::Completed => "Completed",
            Outcome::StoppedEarly => "Stopped early",
            Outcome::Interrupted => "Interrupted",
        }
    }
}

/// The parts of a session the statistics need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatInput {
    /// The local date the session started on.
    pub local_date: NaiveDate,
    /// Active seconds played.
    pub active_secs: u32,
    /// Pain before, 0 to 10, if given.
    pub pain_before: Option<u8>,
    /// Pain after, 0 to 10, if given.
    pub pain_after: Option<u8>,
}

/// Sessions and minutes over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// How many sessions.
    pub sessions: u32,
    /// Active minutes, rounded down.
    pub minutes: u32,
}

/// The figures on the history screen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stats {
    /// Since Monday of this week.
    pub this_week: Totals,
    /// Since the first of this month.
    pub this_month: Totals,
    /// Everything.
    pub all_time: Totals,
    /// Mean of (after - before) over sessions with both ratings; negative is better.
    pub average_pain_change: Option<f32>,
    /// Days in a row, ending today or yesterday, with at least one session.
    pub streak_days: u32,
}

/// Computes the history statistics for `today`.
pub fn compute_stats(sessions: &[StatInput], today: NaiveDate) -> Stats {
    let week_start = today - Days::days(i64::from(today.weekday().num_days_from_monday()));
    let month_start = today.with_day(1).unwrap_or(today);
    let mut stats = Stats::default();
    let mut changes: Vec<i32> = Vec::new();
    for session in sessions {
        let add = |totals: &mut Totals| {
            totals.sessions += 1;
            totals.minutes += session.active_secs / 60;
        };
        add(&mut stats.all_time);
        if session.local_date >= week_start && session.local_date <= today {
            add(&mut stats.this_week);
        }
        if session.local_date >= month_start && session.local_date <= today {
            add(&mut stats.this_month);
        }
        if let (Some(before), Some(after)) = (session.pain_before, session.pain_after) {
            changes.push(i32::from(after) - i32::from(before));
        }
    }
    if !changes.is_empty() {
        let sum: i32 = changes.iter().sum();
        stats.average_pain_change = Some(sum as f32 / changes.len() as f32);
    }
    stats.streak_days = streak(sessions.iter().map(|s| s.local_date), today);
    stats
}

/// Consecutive days with a session, ending today (or yesterday, so a streak is
/// not "broken" before the day is over).
pub fn streak(dates: impl Iterator<Item = NaiveDate>, today: NaiveDate) -> u32 {
    let mut days: Vec<NaiveDate> = dates.filter(|date| *date <= today).collect();
    days.sort_unstable();
    days.dedup();
    let Some(last) = days.last().copied() else {
        return 0;
    };
    if last < today - Days::days(1) {
        return 0;
    }
    let mut count = 0;
    let mut expected = last;
    for day in days.iter().rev() {
        if *day == expected {
            count += 1;
            expected -= Days::days(1);
        } else {
            break;
        }
    }
    count
}

/// Minutes per week for the last `weeks` weeks (oldest first), weeks starting Monday.
pub fn minutes_per_week(
    sessions: &[StatInput],
    today: NaiveDate,
    weeks: u32,
) -> Vec<(NaiveDate, u32)> {
    let this_monday = today - Days::days(i64::from(today.weekday().num_days_from_monday()));
    (0..weeks)
        .rev()
        .map(|back| {
            let start = this_monday - Days::weeks(i64::from(back));
            let end = start + Days::days(7);
            let minutes = sessions
                .iter()
                .filter(|s| s.local_date >= start && s.local_date < end)
                .map(|s| s.active_secs / 60)
                .sum();
            (start, minutes)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    fn session(date: &str, secs: u32, before: Option<u8>, after: Option<u8>) -> StatInput {
        StatInput {
            local_date: day(date),
            active_secs: secs,
            pain_before: before,
            pain_after: after,
        }
    }

    #[test]
    fn outcome_words_round_trip() {
        for outcome in [
            Outcome::Running,
            Outcome::Completed,
            Outcome::StoppedEarly,
            Outcome::Interrupted,
        ] {
            assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
        }
        assert_eq!(Outcome::parse("done"), None);
    }

    #[test]
    fn stats_on_known_data() {
        // Saturday 2026-11-21; the week began on Monday 2026-11-16.
        let today = day("2026-11-21");
        let sessions = vec![
            session("2026-11-21", 900, Some(6), Some(3)),
            session("2026-11-20", 600, Some(5), Some(5)),
            session("2026-11-16", 300, None, Some(2)),
            session("2026-11-15", 1200, Some(7), Some(4)),
            session("2026-10-31", 900, None, None),
        ];
        let stats = compute_stats(&sessions, today);
        assert_eq!(
            stats.this_week,
            Totals {
                sessions: 3,
                minutes: 30
            }
        );
        assert_eq!(
            stats.this_month,
            Totals {
                sessions: 4,
                minutes: 50
            }
        );
        assert_eq!(
            stats.all_time,
            Totals {
                sessions: 5,
                minutes: 65
            }
        );
        // Changes: -3, 0, -3 → mean -2.
        assert_eq!(stats.average_pain_change, Some(-2.0));
        assert_eq!(stats.streak_days, 2);
    }

    #[test]
    fn streak_counts_from_yesterday_and_breaks_on_a_gap() {
        let today = day("2026-11-21");
        let dates = ["2026-11-20", "2026-11-19", "2026-11-19", "2026-11-17"].map(day);
        assert_eq!(streak(dates.into_iter(), today), 2);
        assert_eq!(streak([day("2026-11-18")].into_iter(), today), 0);
        assert_eq!(streak(std::iter::empty(), today), 0);
    }

    #[test]
    fn minutes_per_week_buckets_by_monday() {
        let today = day("2026-11-21");
        let sessions = vec![
            session("2026-11-21", 900, None, None),
            session("2026-11-16", 600, None, None),
            session("2026-11-15", 300, None, None),
        ];
        let weeks = minutes_per_week(&sessions, today, 3);
        assert_eq!(
            weeks,
            vec![
                (day("2026-11-02"), 0),
                (day("2026-11-09"), 5),
                (day("2026-11-16"), 25)
            ]
        );
    }
}
