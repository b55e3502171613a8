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
    /// Stopped by the person because it hurt.
    StoppedHurt,
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
            Outcome::StoppedHurt => "stopped_hurt",
            Outcome::Interrupted => "interrupted",
        }
    }

    /// Reads the stored word.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "running" => Some(Outcome::Running),
            "completed" => Some(Outcome::Completed),
            "stopped_early" => Some(Outcome::StoppedEarly),
            "stopped_hurt" => Some(Outcome::StoppedHurt),
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
            Outcome::StoppedHurt => "Stopped: it hurt",
            Outcome::Interrupted => "Interrupted",
        }
    }
}

/// The parts of a session the statistics need (used to build [`DayTotals`]
/// in memory; the store builds the same totals with SQL).
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

/// Everything about one day that the statistics and charts need, so a history
/// of 100,000 sessions is summarised in a few thousand small records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayTotals {
    /// The local date.
    pub date: NaiveDate,
    /// Sessions that day.
    pub sessions: u32,
    /// Active seconds that day.
    pub active_secs: u64,
    /// Sum of the pain-before ratings given that day.
    pub pain_before_sum: u32,
    /// How many pain-before ratings were given.
    pub pain_before_count: u32,
    /// Sum of the pain-after ratings given that day.
    pub pain_after_sum: u32,
    /// How many pain-after ratings were given.
    pub pain_after_count: u32,
    /// Sum of (after - before) over sessions rated both times.
    pub pain_change_sum: i64,
    /// How many sessions were rated both times.
    pub pain_change_count: u32,
}

impl DayTotals {
    /// An empty day.
    pub fn empty(date: NaiveDate) -> Self {
        Self {
            date,
            sessions: 0,
            active_secs: 0,
            pain_before_sum: 0,
            pain_before_count: 0,
            pain_after_sum: 0,
            pain_after_count: 0,
            pain_change_sum: 0,
            pain_change_count: 0,
        }
    }

    fn add(&mut self, session: &StatInput) {
        self.sessions += 1;
        self.active_secs += u64::from(session.active_secs);
        if let Some(before) = session.pain_before {
            self.pain_before_sum += u32::from(before);
            self.pain_before_count += 1;
        }
        if let Some(after) = session.pain_after {
            self.pain_after_sum += u32::from(after);
            self.pain_after_count += 1;
        }
        if let (Some(before), Some(after)) = (session.pain_before, session.pain_after) {
            self.pain_change_sum += i64::from(after) - i64::from(before);
            self.pain_change_count += 1;
        }
    }
}

/// Sums sessions into one record per day, oldest first.
pub fn totals_by_day(sessions: &[StatInput]) -> Vec<DayTotals> {
    let mut days: std::collections::BTreeMap<NaiveDate, DayTotals> = Default::default();
    for session in sessions {
        days.entry(session.local_date)
            .or_insert_with(|| DayTotals::empty(session.local_date))
            .add(session);
    }
    days.into_values().collect()
}

/// Which sessions the history screen shows; every field narrows the list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryFilter {
    /// Only this routine.
    pub routine_id: Option<String>,
    /// Only this outcome.
    pub outcome: Option<Outcome>,
    /// Only sessions on or after this local date.
    pub from: Option<NaiveDate>,
    /// Only sessions on or before this local date.
    pub to: Option<NaiveDate>,
}

impl HistoryFilter {
    /// Whether nothing is filtered out.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The break guidance recommends between heat sessions on the same area.
pub const HEAT_REST_SECS: i64 = 60 * 60;

/// How long ago heat was last used, if that is less than the recommended
/// break, so the setup screen can say so.
pub fn heat_rest_warning(
    last_heat: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::Duration> {
    let since = now - last_heat?;
    (since >= chrono::Duration::zero() && since < chrono::Duration::seconds(HEAT_REST_SECS))
        .then_some(since)
}

/// Sessions and minutes over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// How many sessions.
    pub sessions: u32,
    /// Active minutes, rounded down.
    pub minutes: u64,
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

/// The Monday of the week `date` falls in.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Days::days(i64::from(date.weekday().num_days_from_monday()))
}

/// Computes the history statistics for `today` from per-day totals.
pub fn compute_stats(days: &[DayTotals], today: NaiveDate) -> Stats {
    let week_start = week_start(today);
    let month_start = today.with_day(1).unwrap_or(today);
    let mut stats = Stats::default();
    let (mut week_secs, mut month_secs, mut all_secs) = (0u64, 0u64, 0u64);
    let (mut change_sum, mut change_count) = (0i64, 0u32);
    for day in days {
        stats.all_time.sessions += day.sessions;
        all_secs += day.active_secs;
        if day.date >= week_start && day.date <= today {
            stats.this_week.sessions += day.sessions;
            week_secs += day.active_secs;
        }
        if day.date >= month_start && day.date <= today {
            stats.this_month.sessions += day.sessions;
            month_secs += day.active_secs;
        }
        change_sum += day.pain_change_sum;
        change_count += day.pain_change_count;
    }
    stats.this_week.minutes = week_secs / 60;
    stats.this_month.minutes = month_secs / 60;
    stats.all_time.minutes = all_secs / 60;
    if change_count > 0 {
        stats.average_pain_change = Some(change_sum as f32 / change_count as f32);
    }
    stats.streak_days = streak(
        days.iter()
            .filter(|day| day.sessions > 0)
            .map(|day| day.date),
        today,
    );
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
pub fn minutes_per_week(days: &[DayTotals], today: NaiveDate, weeks: u32) -> Vec<(NaiveDate, u64)> {
    let this_monday = week_start(today);
    let first_monday = this_monday - Days::weeks(i64::from(weeks.saturating_sub(1)));
    let mut secs = vec![0u64; weeks as usize];
    for day in days {
        if day.date < first_monday || day.date > this_monday + Days::days(6) {
            continue;
        }
        let index = ((day.date - first_monday).num_days() / 7) as usize;
        if let Some(slot) = secs.get_mut(index) {
            *slot += day.active_secs;
        }
    }
    secs.into_iter()
        .enumerate()
        .map(|(index, secs)| (first_monday + Days::weeks(index as i64), secs / 60))
        .collect()
}

/// Average pain before and after on one day, for the trend chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PainPoint {
    /// The local date.
    pub date: NaiveDate,
    /// Mean pain before, if any was given.
    pub before: Option<f32>,
    /// Mean pain after, if any was given.
    pub after: Option<f32>,
}

/// The days with any pain rating, oldest first.
pub fn pain_trend(days: &[DayTotals]) -> Vec<PainPoint> {
    let mean = |sum: u32, count: u32| (count > 0).then(|| sum as f32 / count as f32);
    days.iter()
        .filter(|day| day.pain_before_count > 0 || day.pain_after_count > 0)
        .map(|day| PainPoint {
            date: day.date,
            before: mean(day.pain_before_sum, day.pain_before_count),
            after: mean(day.pain_after_sum, day.pain_after_count),
        })
        .collect()
}

/// One square of the activity calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalendarDay {
    /// The local date.
    pub date: NaiveDate,
    /// Sessions that day.
    pub sessions: u32,
    /// Active minutes that day.
    pub minutes: u64,
    /// After today (drawn empty).
    pub future: bool,
}

/// The last `weeks` weeks, Monday to Sunday, oldest first: `7 * weeks` days
/// ending on the Sunday of this week.
pub fn calendar(days: &[DayTotals], today: NaiveDate, weeks: u32) -> Vec<CalendarDay> {
    let first = week_start(today) - Days::weeks(i64::from(weeks.saturating_sub(1)));
    let by_date: std::collections::HashMap<NaiveDate, &DayTotals> =
        days.iter().map(|day| (day.date, day)).collect();
    (0..i64::from(weeks) * 7)
        .map(|offset| {
            let date = first + Days::days(offset);
            let found = by_date.get(&date);
            CalendarDay {
                date,
                sessions: found.map_or(0, |day| day.sessions),
                minutes: found.map_or(0, |day| day.active_secs / 60),
                future: date > today,
            }
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
            Outcome::StoppedHurt,
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
        let stats = compute_stats(&totals_by_day(&sessions), today);
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
        let weeks = minutes_per_week(&totals_by_day(&sessions), today, 3);
        assert_eq!(
            weeks,
            vec![
                (day("2026-11-02"), 0),
                (day("2026-11-09"), 5),
                (day("2026-11-16"), 25)
            ]
        );
    }

    #[test]
    fn minutes_add_up_seconds_before_rounding() {
        // Three 40-second sessions are two minutes, not zero.
        let today = day("2026-11-21");
        let sessions = vec![
            session("2026-11-21", 40, None, None),
            session("2026-11-21", 40, None, None),
            session("2026-11-21", 40, None, None),
        ];
        let stats = compute_stats(&totals_by_day(&sessions), today);
        assert_eq!(stats.this_week.minutes, 2);
        assert_eq!(stats.average_pain_change, None);
    }

    #[test]
    fn pain_trend_averages_each_day_and_skips_unrated_days() {
        let sessions = vec![
            session("2026-11-20", 600, Some(6), Some(3)),
            session("2026-11-20", 600, Some(4), None),
            session("2026-11-19", 600, None, None),
            session("2026-11-18", 600, None, Some(2)),
        ];
        let trend = pain_trend(&totals_by_day(&sessions));
        assert_eq!(
            trend,
            vec![
                PainPoint {
                    date: day("2026-11-18"),
                    before: None,
                    after: Some(2.0)
                },
                PainPoint {
                    date: day("2026-11-20"),
                    before: Some(5.0),
                    after: Some(3.0)
                },
            ]
        );
    }

    #[test]
    fn calendar_covers_whole_weeks_ending_this_sunday() {
        let today = day("2026-11-21"); // a Saturday
        let sessions = vec![
            session("2026-11-21", 900, None, None),
            session("2026-08-31", 600, None, None), // Monday, first square
            session("2026-08-30", 600, None, None), // the day before: outside
        ];
        let squares = calendar(&totals_by_day(&sessions), today, 12);
        assert_eq!(squares.len(), 84);
        assert_eq!(squares[0].date, day("2026-08-31"));
        assert_eq!((squares[0].sessions, squares[0].minutes), (1, 10));
        assert_eq!(squares[83].date, day("2026-11-22"));
        assert!(squares[83].future);
        assert!(!squares[82].future);
        assert_eq!(squares[82].minutes, 15);
        let busy: u32 = squares.iter().map(|square| square.sessions).sum();
        assert_eq!(busy, 2);
    }

    #[test]
    fn heat_within_the_hour_is_warned_about() {
        use chrono::TimeZone;
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 21, 12, 0, 0)
            .unwrap();
        let minutes = |m: i64| Some(now - chrono::Duration::minutes(m));
        assert_eq!(
            heat_rest_warning(minutes(35), now),
            Some(chrono::Duration::minutes(35))
        );
        assert_eq!(heat_rest_warning(minutes(60), now), None);
        assert_eq!(heat_rest_warning(None, now), None);
        // A clock set back does not produce a nonsense warning.
        assert_eq!(heat_rest_warning(minutes(-5), now), None);
    }
}
