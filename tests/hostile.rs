//! Hostile files and processes: FIFOs, links to devices, damaged and
//! truncated histories, closed pipes, full disks, a copy that dies and a copy
//! that is frozen. Each must give a clear message and lose nothing.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use unknot::core::history::Outcome;
use unknot::store::history_db::{HistoryDb, NewSession, read_for_export};
use unknot::store::history_worker::HistoryWorker;

mod common;
use common::{mkfifo, within};

fn unknot() -> Command {
    Command::new(env!("CARGO_BIN_EXE_unknot"))
}

fn session(minute: i64) -> NewSession {
    NewSession {
        routine_id: "endorphin-15".into(),
        routine_name: "15-minute endorphin routine".into(),
        planned_secs: 900,
        step_count: 9,
        started_at: Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap()
            + chrono::Duration::minutes(minute),
        regions: vec!["neck".into()],
        heat_used: false,
        pain_before: Some(5),
        owner: None,
    }
}

/// A history of `count` finished sessions, with a long note each so the
/// table spans many pages.
fn seed(path: &Path, count: i64) {
    let mut db = HistoryDb::open(path, "seed").unwrap().db;
    for minute in 0..count {
        let id = db.start_session(&session(minute * 60)).unwrap();
        let at = session(minute * 60).started_at + chrono::Duration::minutes(15);
        db.finish(id, Outcome::Completed, 900, 9, at).unwrap();
        db.set_ratings(id, Some(5), Some(3), &"a looser back ".repeat(20))
            .unwrap();
    }
    // Fold the log into the file, so cutting the file cuts sessions.
    drop(db);
}

#[test]
fn a_truncated_history_keeps_every_readable_session_and_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    // Big enough that the pages leading to the rows sit near the end of the
    // file: cut in half, SQL reaches none of them, the pages still hold half.
    seed(&path, 3_000);
    let originals = HistoryDb::open(&path, "s").unwrap().db.all().unwrap();
    let bytes = fs::read(&path).unwrap();
    let cut = &bytes[..bytes.len() / 2];
    fs::write(&path, cut).unwrap();

    // The read-only export sees what can be read, and moves nothing.
    let before: Vec<PathBuf> = listing(dir.path());
    let exported = read_for_export(&path).unwrap();
    assert_eq!(
        listing(dir.path()),
        before,
        "export must not create or move files"
    );
    let readable = exported.rows.len();
    assert!(
        readable > 1_000 && readable < 2_000,
        "{readable} of 3000 readable: {:?}",
        exported.reasons
    );
    assert!(
        exported.tail_unknown,
        "the person is told there may be more"
    );
    for row in &exported.rows {
        let original = originals.iter().find(|o| o.id == row.id).unwrap();
        assert_eq!(row, original, "recovered rows are exactly the originals");
    }

    // Opening for use recovers the same sessions into a fresh file.
    let opened = HistoryDb::open(&path, "20261122-100000").unwrap();
    let notice = opened.notice.clone().expect("the person is told");
    assert_eq!(opened.db.count().unwrap(), readable as u64, "{notice}");
    let grouped = unknot::core::words::group_digits(readable as u64);
    assert!(
        notice.contains(&format!("{grouped} sessions were recovered")),
        "{notice}"
    );
    assert!(notice.contains("may have held more sessions"), "{notice}");
    let backup = dir.path().join("history.sqlite3.bad-20261122-100000");
    assert!(notice.contains(&backup.display().to_string()), "{notice}");
    assert_eq!(
        fs::read(&backup).unwrap(),
        cut,
        "the original is kept byte for byte"
    );
    drop(opened);

    // The notice stays until dismissed, across restarts.
    let mut db = HistoryDb::open(&path, "later").unwrap().db;
    let notices = db.notices().unwrap();
    assert_eq!(notices.len(), 1);
    db.dismiss_notice(notices[0].0).unwrap();
    assert!(db.notices().unwrap().is_empty());
}

fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut names: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    names.sort();
    names
}

#[test]
fn the_export_command_reads_a_damaged_history_without_touching_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    seed(&path, 400);
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let before = listing(dir.path());

    let output = unknot()
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["history", "export", "--format", "csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let rows = String::from_utf8_lossy(&output.stdout).lines().count() - 1;
    assert!(rows > 50 && rows < 400, "{rows} rows");
    assert!(stderr.contains("may have held more"), "{stderr}");
    assert_eq!(listing(dir.path()), before);
    assert_eq!(fs::read(&path).unwrap(), &bytes[..bytes.len() / 2]);

    // The next start of the app then recovers it, and says so.
    let notify: Arc<dyn Fn() + Send + Sync> = Arc::new(|| {});
    let worker = HistoryWorker::start(path.clone(), "stamp".into(), notify);
    worker.flush();
    let status = worker.status();
    let notice = status.notice.expect("a notice");
    let grouped = unknot::core::words::group_digits(rows as u64);
    assert!(
        notice.contains(&format!("{grouped} sessions were recovered")),
        "{notice}"
    );
}

#[test]
fn one_nonsense_row_is_skipped_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    seed(&path, 3);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE sessions SET outcome = 'exploded' WHERE id = 2", [])
        .unwrap();
    drop(conn);
    let output = unknot()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["history", "export"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 3);
    assert!(stderr.contains("1 session could not be read"), "{stderr}");
    assert!(stderr.contains("exploded"), "{stderr}");
}

#[test]
fn a_closed_pipe_or_a_full_disk_is_a_message_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    seed(&dir.path().join("history.sqlite3"), 2_000);

    let mut child = unknot()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["history", "export"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("id,"), "{first}");
    // The reader is gone now, like `| head -1`.
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("standard output was closed"), "{stderr}");

    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = unknot()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["history", "export"])
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("No space left"), "{stderr}");
}

#[test]
fn export_never_replaces_a_link_a_fifo_or_a_device() {
    let dir = tempfile::tempdir().unwrap();
    seed(&dir.path().join("history.sqlite3"), 2);
    let target = dir.path().join("precious.txt");
    fs::write(&target, "keep me").unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let fifo = dir.path().join("fifo.csv");
    mkfifo(&fifo);
    for output in [link.clone(), fifo.clone(), PathBuf::from("/dev/null")] {
        let result = unknot()
            .arg("--data-dir")
            .arg(dir.path())
            .args(["history", "export", "--output"])
            .arg(&output)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("not a regular file"), "{stderr}");
    }
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_to_string(&target).unwrap(), "keep me");
    use std::os::unix::fs::FileTypeExt;
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn session_lengths_outside_five_to_ninety_minutes_are_refused() {
    for length in ["0", "299", "5401", "4294967295"] {
        let output = unknot()
            .args(["--autoplay", "endorphin-15", "--length-secs", length])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{length}: {stderr}");
        assert!(stderr.contains("300..=5400"), "{length}: {stderr}");
    }
}

#[test]
fn fifos_and_device_links_as_routines_or_preferences_never_block() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.toml");
    mkfifo(&fifo);
    let zero = dir.path().join("zero.toml");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let (fifo_arg, zero_arg) = (fifo.clone(), zero.clone());
    let output = within(Duration::from_secs(30), move || {
        unknot()
            .arg("check")
            .arg(fifo_arg)
            .arg(zero_arg)
            .output()
            .unwrap()
    });
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("fifo.toml: it is a named pipe (FIFO), not a regular file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("zero.toml: it is a device, not a regular file"),
        "{stderr}"
    );

    // The same files in the routines folder are listed as problems.
    let routines = dir.path().join("sessions");
    fs::create_dir(&routines).unwrap();
    mkfifo(&routines.join("pipe.toml"));
    std::os::unix::fs::symlink("/dev/zero", routines.join("zero.toml")).unwrap();
    let library = within(Duration::from_secs(30), move || {
        unknot::library::load(Some(&routines))
    });
    assert_eq!(library.problems.len(), 2, "{:?}", library.problems);
    assert!(library.entries.len() >= 6, "the built-ins still load");

    // Preferences: the defaults are used, the file is left alone and never written over.
    for (name, make) in [
        ("fifo", &(|path: &Path| mkfifo(path)) as &dyn Fn(&Path)),
        ("zero", &|path: &Path| {
            std::os::unix::fs::symlink("/dev/zero", path).unwrap()
        }),
    ] {
        let config = dir.path().join(format!("config-{name}"));
        fs::create_dir(&config).unwrap();
        let prefs = config.join("preferences.toml");
        make(&prefs);
        let path = prefs.clone();
        let loaded = within(Duration::from_secs(30), move || {
            unknot::store::prefs_store::load(&path, "stamp")
        });
        assert!(!loaded.may_save, "{name}");
        let notice = loaded.notice.expect("the person is told");
        assert!(notice.contains("not a regular file"), "{name}: {notice}");
        assert!(
            fs::symlink_metadata(&prefs).is_ok(),
            "{name}: left in place"
        );
    }
}

#[test]
fn a_dead_copy_is_known_at_once_and_a_live_one_never_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let notify: Arc<dyn Fn() + Send + Sync> = Arc::new(|| {});
    let first = HistoryWorker::start(path.clone(), "s".into(), Arc::clone(&notify));
    first.started(1, session(0));
    first.progress_reporter(1)(42, 2);
    first.flush();

    // A second copy while the first still runs (alive, or frozen: its lock
    // is held either way) leaves the session running.
    let second = HistoryWorker::start(path.clone(), "s".into(), Arc::clone(&notify));
    second.flush();
    let running = HistoryDb::open(&path, "s").unwrap().db.all().unwrap();
    assert_eq!(running[0].outcome, Outcome::Running);
    drop(second);

    // The first copy ends without finishing its session, as kill -9 would.
    drop(first);
    let third = HistoryWorker::start(path.clone(), "s".into(), notify);
    third.flush();
    let rows = HistoryDb::open(&path, "s").unwrap().db.all().unwrap();
    assert_eq!(rows[0].outcome, Outcome::Interrupted);
}

#[cfg(unix)]
#[test]
fn the_history_and_its_folder_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let path = data.join("history.sqlite3");
    let mut db = HistoryDb::open(&path, "s").unwrap().db;
    db.start_session(&session(0)).unwrap();
    let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    for name in [
        "history.sqlite3",
        "history.sqlite3-wal",
        "history.sqlite3-shm",
    ] {
        assert_eq!(mode(&data.join(name)), 0o600, "{name}");
    }
    drop(db);
    // An existing history made by an older version is tightened on open.
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    drop(HistoryDb::open(&path, "s").unwrap());
    assert_eq!(mode(&path), 0o600);
}

/// Runs the binary as a user the folder does not let write: `nobody` when the
/// tests run as root (as on CI), else the current user.
#[cfg(unix)]
fn as_reader(data: &Path) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false);
    let mut command = if root {
        for entry in walk(data) {
            std::os::unix::fs::lchown(&entry, Some(65534), Some(65534)).unwrap();
        }
        let mut command = Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_unknot"));
        command
    } else {
        unknot()
    };
    command.arg("--data-dir").arg(data);
    command
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut all = vec![dir.to_owned()];
    all.extend(listing(dir));
    all
}

#[cfg(unix)]
#[test]
fn export_reads_a_read_only_folder_including_sessions_still_in_the_log() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let data = dir.path().join("data");
    let path = data.join("history.sqlite3");
    seed(&path, 3);
    // Two more sessions that live only in the log, as after a crash.
    let mut db = HistoryDb::open(&path, "s").unwrap().db;
    db.start_session(&session(9_000)).unwrap();
    db.start_session(&session(9_100)).unwrap();
    db.close_without_checkpoint();
    assert!(
        fs::metadata(data.join("history.sqlite3-wal"))
            .unwrap()
            .len()
            > 0
    );
    let _ = fs::remove_dir_all(data.join("running"));
    let before = listing(&data);
    fs::set_permissions(&data, fs::Permissions::from_mode(0o500)).unwrap();

    let output = as_reader(&data)
        .args(["history", "export"])
        .output()
        .unwrap();
    fs::set_permissions(&data, fs::Permissions::from_mode(0o700)).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().count(), 1 + 5, "{stdout}");
    assert_eq!(stdout.matches(",running,").count(), 2, "{stdout}");
    assert_eq!(listing(&data), before);
}
