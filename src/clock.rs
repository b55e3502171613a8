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
}

/// The real clock: immune to wall-clock changes, and on Linux counting the
/// time the computer was suspended.
#[derive(Debug, Clone, Copy)]
pub struct MonotonicClock {
    origin: Instant,
    #[cfg(target_os = "linux")]
    boot_origin: Duration,
}

/// CLOCK_BOOTTIME: monotonic, and advancing during suspend.
#[cfg(target_os = "linux")]
fn boottime() -> Duration {
    let time = rustix::time::clock_gettime(rustix::time::ClockId::Boottime);
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
            #[cfg(target_os = "linux")]
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
    #[cfg(target_os = "linux")]
    fn now(&self) -> Duration {
        // Never behind the awake clock, whatever the two clocks' rounding.
        boottime()
            .saturating_sub(self.boot_origin)
            .max(self.origin.elapsed())
    }

    // Elsewhere std's monotonic clock already counts suspend on macOS
    // (mach_continuous_time) and Windows (QueryPerformanceCounter).
    #[cfg(not(target_os = "linux"))]
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
