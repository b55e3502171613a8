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

#[cfg(test)]
mod tests {
    use super::*;

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
