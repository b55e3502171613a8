//! `unknot check` from the command line, run as a real process.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fs;
use std::process::Command;

fn unknot() -> Command {
    Command::new(env!("CARGO_BIN_EXE_unknot"))
}

#[test]
fn check_accepts_the_builtin_files() {
    let sessions = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sessions/quick-tension-break.toml"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    // A copy under a new id, since the built-in id is taken.
    let copy = dir.path().join("copy.toml");
    let text = fs::read_to_string(sessions)
        .expect("read")
        .replace("quick-tension-break", "copy-of-break");
    fs::write(&copy, text).expect("write");
    let output = unknot().arg("check").arg(&copy).output().expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("ok:") && stdout.contains("5 steps") && stdout.contains("5:00"),
        "{stdout}"
    );
}

#[test]
fn check_reports_file_line_field_and_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.toml");
    fs::write(
        &bad,
        "id = \"bad\"\nname = \"Bad\"\nsummary = \"x\"\n\n[[steps]]\ntitle = \"A\"\nregion = \"back\"\ntechnique = \"kneading\"\ntool = \"hands\"\npressure = \"medium\"\nside = \"left\"\nduration_secs = 0\ninstructions = \"x\"\n",
    )
    .expect("write");
    let duplicate = dir.path().join("dup.toml");
    fs::write(
        &duplicate,
        fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/sessions/endorphin-15.toml"
        ))
        .expect("read")
        // The built-in's id with other content: a clash.
        .replacen("name = \"", "name = \"My ", 1),
    )
    .expect("write");
    let output = unknot()
        .arg("check")
        .arg(&bad)
        .arg(&duplicate)
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let path = bad.display().to_string();
    assert!(
        stderr.contains(&format!(
            "{path}:7: steps[1].region: unknown region \"back\""
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{path}:12: steps[1].duration_secs: duration must be a positive"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("already used by built-in routine endorphin-15.toml"),
        "{stderr}"
    );
}

#[test]
fn check_reports_a_missing_file() {
    let output = unknot()
        .args(["check", "/nonexistent/routine.toml"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("/nonexistent/routine.toml: it cannot be opened")
    );
}

#[test]
fn the_shipped_routine_files_check_clean_even_when_edited() {
    let sessions = concat!(env!("CARGO_MANIFEST_DIR"), "/sessions");
    let mut files: Vec<std::path::PathBuf> = fs::read_dir(sessions)
        .expect("sessions folder")
        .map(|entry| entry.expect("entry").path())
        .collect();
    files.sort();
    let output = unknot().arg("check").args(&files).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).lines().count(),
        files.len()
    );

    // An edited copy of a built-in, under the built-in's file name, is checked
    // as its new version: no clash with the compiled-in one.
    let dir = tempfile::tempdir().expect("temp dir");
    let edited = dir.path().join("endorphin-15.toml");
    let text = fs::read_to_string(format!("{sessions}/endorphin-15.toml")).expect("read");
    fs::write(&edited, text.replacen("name = \"", "name = \"New ", 1)).expect("write");
    let output = unknot().arg("check").arg(&edited).output().expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn check_lists_every_problem_with_its_line_and_field_in_plain_words() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.toml");
    fs::write(
        &bad,
        "id = \"bad-one\"\nname = \"Bad\"\nsummary = \"x\"\ncolour = \"blue\"\n\n[[steps]]\ntitle = 5\nregion = \"neck\"\ntechnique = \"kneading\"\ntool = \"hands\"\npressure = \"light\"\nside = \"left\"\nduration_secs = \"ten\"\ninstructions = \"x\"\nspeed = 3\n",
    )
    .expect("write");
    let output = unknot().arg("check").arg(&bad).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let path = bad.display().to_string();
    let expected = [
        format!("{path}:4: colour: unknown field \"colour\""),
        format!("{path}:7: steps[1].title: must be text in quotes, not the number 5"),
        format!(
            "{path}:13: steps[1].duration_secs: must be a whole number of seconds, not the text \"ten\""
        ),
        format!("{path}:15: steps[1].speed: unknown field \"speed\""),
    ];
    for line in &expected {
        assert!(stderr.contains(line.as_str()), "{line}\n{stderr}");
    }
    assert_eq!(stderr.lines().count(), 4, "{stderr}");
    assert!(!stderr.contains("i64"), "{stderr}");
}

/// `unknot show` at 5, 15 and 90 minutes for every built-in, as JSON: every
/// step within its limit, and the length reached wherever the routine can.
#[test]
fn show_prints_every_builtin_at_5_15_and_90_minutes_within_limits() {
    let dir = tempfile::tempdir().expect("temp dir");
    for routine in unknot::library::load_builtin().entries {
        let id = &routine.routine.id;
        for minutes in [5u32, 15, 90] {
            let output = unknot()
                .args(["show", id, "--minutes", &minutes.to_string(), "--json"])
                .arg("--data-dir")
                .arg(dir.path())
                .output()
                .expect("runs");
            assert!(output.status.success(), "{id} at {minutes}: {output:?}");
            let plan: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
            let steps = plan["steps"].as_array().expect("steps");
            assert!(!steps.is_empty());
            for step in steps {
                assert!(
                    step["secs_per_side"].as_u64() <= step["limit_secs"].as_u64(),
                    "{id} at {minutes} min: {step}"
                );
                for key in ["secs", "side", "technique", "pressure", "region"] {
                    assert!(!step[key].is_null(), "{id}: no {key} in {step}");
                }
            }
            let total = plan["total_secs"].as_u64().expect("total");
            if plan.get("note").is_none() {
                assert!(
                    total.abs_diff(u64::from(minutes) * 60) <= 5,
                    "{id} at {minutes}: {total}"
                );
            }
        }
    }
    // The table names every column, and an unknown id lists the known ones.
    let table = unknot()
        .args(["show", "endorphin-15", "--minutes", "90"])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("per side") && text.contains("rounds of the middle"),
        "{text}"
    );
    let unknown = unknot()
        .args(["show", "no-such-routine"])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .expect("runs");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("endorphin-15"));
}

/// `--lint` reports content problems the format allows.
#[test]
fn check_lint_reports_content_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("mine.toml");
    fs::write(
        &file,
        r#"id = "mine"
name = "Mine"
summary = "Proven relief."
[[steps]]
title = "Ball"
region = "glutes"
technique = "trigger_point"
tool = "massage_ball"
pressure = "medium"
side = "center"
duration_secs = 60
instructions = "Sit on the ball."
"#,
    )
    .expect("write");
    let plain = unknot().arg("check").arg(&file).output().expect("runs");
    assert!(plain.status.success(), "{plain:?}");
    let lint = unknot()
        .args(["check", "--lint"])
        .arg(&file)
        .output()
        .expect("runs");
    assert!(!lint.status.success());
    let stderr = String::from_utf8_lossy(&lint.stderr);
    for rule in [
        "(promise)",
        "(sources)",
        "(movement-at-end)",
        "(nerve-signs)",
    ] {
        assert!(stderr.contains(rule), "{rule} missing from {stderr}");
    }
}
