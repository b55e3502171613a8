//! Time for the shell. The core takes time as a parameter; this is where the
//! parameter comes from, and tests swap in a hand-driven clock.
//!
//! Two readings: `now` keeps counting while the computer is suspended (on
//! Linux CLOCK_BOOTTIME), because a heat pack left on through a suspend is
//! still on the skin; `awake` stops during a suspend (the monotonic clock).
//! The difference growing tells the conductor that the computer slept.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A source of time as an offset from a fixed origin.
pub trait Clock: Send + Sync {
    /// Time since the clock's origin, suspend included; never goes backwards.
    fn now(&self) -> Duration;

    /// Time since the origin while the computer was awake. Clocks that cannot
    /// tell the two apart return [`Clock::now`].
    fn awake(&self) -> Duration {
        self.now()
    }

    /// The calendar time, for what is recorded and shown; never used to time cues.
    fn utc(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }

    /// Today's date where the person is.
    fn today(&self) -> chrono::NaiveDate {
        self.utc().with_timezone(&chrono::Local).date_naive()
    }
}

/// Reads `now` and `awake` together: the two readings are retaken if the
/// thread was held up between them, which would otherwise look like a
/// suspend of that length.
pub fn read_both(clock: &dyn Clock) -> (Duration, Duration) {
    const TOGETHER: Duration = Duration::from_millis(50);
    let mut reading = (clock.now(), clock.awake());
    for _ in 0..5 {
        let before = clock.awake();
        let now = clock.now();
        let after = clock.awake();
        reading = (now, before);
        if after.saturating_sub(before) <= TOGETHER {
            break;
        }
    }
    reading
}

/// The real clock: immune to wall-clock changes, and on Linux counting the
/// time the computer was suspended.
#[derive(Debug, Clone, Copy)]
pub struct MonotonicClock {
    origin: Instant,
    #[cfg(unix)]
    boot_origin: Duration,
}

/// A monotonic clock that keeps advancing during suspend: CLOCK_BOOTTIME on
/// Linux; CLOCK_MONOTONIC elsewhere, which on macOS counts sleep and on the
/// BSDs is the same clock as their boot time.
#[cfg(unix)]
fn boottime() -> Duration {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let id = rustix::time::ClockId::Boottime;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let id = rustix::time::ClockId::Monotonic;
    let time = rustix::time::clock_gettime(id);
    Duration::new(
        u64::try_from(time.tv_sec).unwrap_or(0),
        u32::try_from(time.tv_nsec).unwrap_or(0),
    )
}

impl MonotonicClock {
    /// A clock whose origin is the moment of the call.
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
            #[cfg(unix)]
            boot_origin: boottime(),
        }
    }
}

impl Default for MonotonicClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for MonotonicClock {
    #[cfg(unix)]
    fn now(&self) -> Duration {
        // Never behind the awake clock, whatever the two clocks' rounding.
        boottime()
            .saturating_sub(self.boot_origin)
            .max(self.origin.elapsed())
    }

    // Windows: std's clock (QueryPerformanceCounter); whether it counts sleep
    // has not been checked on a Windows machine.
    #[cfg(not(unix))]
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    fn awake(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// A clock that moves only when told to, so UI tests are deterministic.
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    /// (now, awake)
    now: Arc<Mutex<(Duration, Duration)>>,
}

impl ManualClock {
    /// A clock at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves time forward with the computer awake.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        now.0 += by;
        now.1 += by;
    }

    /// Moves time forward as a suspend does: `now` jumps, `awake` does not.
    pub fn suspend(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        now.0 += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        self.now.lock().unwrap_or_else(PoisonError::into_inner).0
    }

    fn awake(&self) -> Duration {
        self.now.lock().unwrap_or_else(PoisonError::into_inner).1
    }
}
