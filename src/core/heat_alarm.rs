//! The take-the-heat-off alarm: once the heat must come off, the cue repeats,
//! sooner and louder each time, until the person says the heat is off. Someone
//! who dozed off under a heat pack must not sleep through a single chime.
//!
//! Pure: times are offsets on the session's clock, passed in.

use std::time::Duration;

/// The waits before the first repeats; after these it repeats every [`ALARM_REPEAT_LAST`].
pub const ALARM_REPEAT_AFTER: [Duration; 3] = [
    Duration::from_secs(30),
    Duration::from_secs(20),
    Duration::from_secs(15),
];
/// The wait between repeats once the first ones went unanswered.
pub const ALARM_REPEAT_LAST: Duration = Duration::from_secs(10);
/// Urgency stops growing here (the sound is at full volume and doubled).
pub const MAX_URGENCY: u8 = 4;

/// An alarm that has sounded and is waiting to be acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeatAlarm {
    /// When it last sounded.
    last_at: Duration,
    /// How many repeats have sounded so far.
    repeats: u8,
}

impl HeatAlarm {
    /// The alarm's first sound, at `at`.
    pub fn raised(at: Duration) -> Self {
        Self {
            last_at: at,
            repeats: 0,
        }
    }

    /// When the next repeat is due.
    pub fn next_due(&self) -> Duration {
        let wait = ALARM_REPEAT_AFTER
            .get(usize::from(self.repeats))
            .copied()
            .unwrap_or(ALARM_REPEAT_LAST);
        self.last_at + wait
    }

    /// Sounds a repeat if one is due by `now`, returning its urgency (1 for
    /// the first repeat, growing to [`MAX_URGENCY`]). After a long gap (a
    /// suspended computer) only one repeat sounds, not a pile of them.
    pub fn poll(&mut self, now: Duration) -> Option<u8> {
        if now < self.next_due() {
            return None;
        }
        self.repeats = self.repeats.saturating_add(1);
        self.last_at = now;
        Some(self.repeats.min(MAX_URGENCY))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(value: u64) -> Duration {
        Duration::from_secs(value)
    }

    #[test]
    fn repeats_come_sooner_and_grow_more_urgent() {
        let mut alarm = HeatAlarm::raised(secs(100));
        assert_eq!(alarm.poll(secs(129)), None);
        assert_eq!(alarm.poll(secs(130)), Some(1));
        assert_eq!(alarm.next_due(), secs(150));
        assert_eq!(alarm.poll(secs(150)), Some(2));
        assert_eq!(alarm.poll(secs(165)), Some(3));
        assert_eq!(alarm.poll(secs(175)), Some(4));
        assert_eq!(alarm.poll(secs(185)), Some(4));
    }

    #[test]
    fn a_long_gap_sounds_one_repeat_not_a_pile() {
        let mut alarm = HeatAlarm::raised(secs(0));
        assert_eq!(alarm.poll(secs(3600)), Some(1));
        assert_eq!(alarm.poll(secs(3600)), None);
        assert_eq!(alarm.next_due(), secs(3620));
    }
}
