//! Numbers and lists in plain English: "1 step", "12 steps", "10,007
//! sessions", "hands, a ball and a roller".

/// 10007 → "10,007".
pub fn group_digits(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// "1 step", "2 steps", "1,500 steps".
pub fn count(count: u64, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", group_digits(count))
    }
}

/// "a", "a and b", "a, b and c".
pub fn natural_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The window's title while a session plays: the time left in the step,
/// the step, and the app ("4:12 · Base of the skull · unknot"), with
/// "Paused" first while paused. Whole seconds round up, as the countdown
/// shows them.
pub fn playing_title(step: &str, remaining: std::time::Duration, paused: bool) -> String {
    let secs = remaining.as_secs() + u64::from(remaining.subsec_nanos() > 0);
    let clock = format!("{}:{:02}", secs / 60, secs % 60);
    if paused {
        format!("Paused \u{b7} {clock} \u{b7} {step} \u{b7} unknot")
    } else {
        format!("{clock} \u{b7} {step} \u{b7} unknot")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_playing_title_tells_the_time_the_step_and_a_pause() {
        let at = std::time::Duration::from_millis(251_400);
        assert_eq!(
            playing_title("Base of the skull", at, false),
            "4:12 \u{b7} Base of the skull \u{b7} unknot"
        );
        assert_eq!(
            playing_title("Neck", std::time::Duration::from_secs(60), true),
            "Paused \u{b7} 1:00 \u{b7} Neck \u{b7} unknot"
        );
    }

    #[test]
    fn numbers_and_lists_read_as_a_person_writes_them() {
        assert_eq!(group_digits(7), "7");
        assert_eq!(group_digits(1_000), "1,000");
        assert_eq!(group_digits(1_422_443), "1,422,443");
        assert_eq!(count(1, "step", "steps"), "1 step");
        assert_eq!(count(0, "step", "steps"), "0 steps");
        assert_eq!(count(10_007, "session", "sessions"), "10,007 sessions");
        assert_eq!(natural_list(&["hands"]), "hands");
        assert_eq!(
            natural_list(&["hands", "massage ball"]),
            "hands and massage ball"
        );
        assert_eq!(natural_list(&["a", "b", "c"]), "a, b and c");
    }
}
