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
        stdout.contains("ok:") && stdout.contains("6 steps") && stdout.contains("5:00"),
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
        .expect("read"),
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
        String::from_utf8_lossy(&output.stderr).contains("/nonexistent/routine.toml: cannot open")
    );
}
