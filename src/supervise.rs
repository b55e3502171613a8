//! Keeps a thread that safety depends on alive: its body runs again after a
//! panic, a limited number of times, and every restart is reported.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// How a supervised body ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Supervised {
    /// The body returned normally (its work is done).
    Finished,
    /// The body panicked more than the allowed number of times; holds the last reason.
    GaveUp(String),
}

/// The text of a panic payload, for messages.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown failure".to_owned()
    }
}

/// Runs `body` until it returns, running it again after each panic, at most
/// `max_restarts` times. `on_restart` hears the reason of each panic.
pub fn run_supervised(
    max_restarts: u32,
    mut body: impl FnMut(),
    mut on_restart: impl FnMut(&str),
) -> Supervised {
    let mut restarts = 0_u32;
    loop {
        match catch_unwind(AssertUnwindSafe(&mut body)) {
            Ok(()) => return Supervised::Finished,
            Err(payload) => {
                let reason = panic_message(payload.as_ref());
                if restarts >= max_restarts {
                    return Supervised::GaveUp(reason);
                }
                restarts += 1;
                on_restart(&reason);
            }
        }
    }
}

/// Runs `work`, turning a panic into an error with its message.
pub fn isolate<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|payload| panic_message(payload.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_body_is_restarted_and_reported_then_given_up() {
        let mut runs = 0;
        let mut heard = Vec::new();
        let result = run_supervised(
            2,
            || {
                runs += 1;
                panic!("boom {runs}");
            },
            |reason| heard.push(reason.to_owned()),
        );
        assert_eq!(runs, 3);
        assert_eq!(heard, ["boom 1", "boom 2"]);
        assert_eq!(result, Supervised::GaveUp("boom 3".into()));
    }

    #[test]
    fn a_body_that_recovers_finishes_normally() {
        let mut runs = 0;
        let result = run_supervised(
            5,
            || {
                runs += 1;
                assert!(runs > 1, "first run fails");
            },
            |_| {},
        );
        assert_eq!((runs, result), (2, Supervised::Finished));
    }
}
