//! The history database on real files: migrations, the life of a session,
//! crash recovery, damaged and newer files, two writers, delete and undo.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};

use unknot::core::history::Outcome;
use unknot::store::history_db::{HISTORY_SCHEMA_VERSION, HistoryDb, NewSession};

fn at(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap() + Duration::seconds(secs)
}

fn new_session(started: DateTime<Utc>) -> NewSession {
    NewSession {
        routine_id: "endorphin-15".into(),
        routine_name: "15-minute endorphin routine".into(),
        planned_secs: 900,
        step_count: 9,
        started_at: started,
        regions: vec!["neck".into(), "lower_back".into()],
        heat_used: false,
        pain_before: Some(6),
        owner: None,
    }
}

#[test]
fn a_new_file_is_migrated_to_the_current_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/history.sqlite3");
    let opened = HistoryDb::open(&path, "s").unwrap();
    assert!(opened.notice.is_none());
    assert_eq!(opened.db.schema_version().unwrap(), HISTORY_SCHEMA_VERSION);
    assert_eq!(opened.db.count().unwrap(), 0);
    drop(opened);
    // An empty file (a crash right after creating it) is a valid new database.
    let empty = dir.path().join("empty.sqlite3");
    std::fs::write(&empty, b"").unwrap();
    let opened = HistoryDb::open(&empty, "s").unwrap();
    assert!(opened.notice.is_none());
    assert_eq!(opened.db.schema_version().unwrap(), HISTORY_SCHEMA_VERSION);
}

#[test]
fn a_session_is_written_at_start_updated_and_finalised() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let mut db = HistoryDb::open(&path, "s").unwrap().db;
    let id = db.start_session(&new_session(at(0))).unwrap();
    let row = db.get(id).unwrap().unwrap();
    assert_eq!(row.outcome, Outcome::Running);
    assert_eq!(row.pain_before, Some(6));
    db.heartbeat(id, 300, 3, at(305)).unwrap();
    db.finish(id, Outcome::Completed, 900, 9, at(905)).unwrap();
    db.set_ratings(id, Some(6), Some(3), "looser shoulders")
        .unwrap();
    drop(db);

    let db = HistoryDb::open(&path, "s").unwrap().db;
    let row = db.get(id).unwrap().unwrap();
    assert_eq!(row.outcome, Outcome::Completed);
    assert_eq!(
        (row.active_secs, row.steps_done, row.step_count),
        (900, 9, 9)
    );
    assert_eq!(row.ended_at, Some(at(905)));
    assert_eq!((row.pain_before, row.pain_after), (Some(6), Some(3)));
    assert_eq!(row.notes, "looser shoulders");
    assert_eq!(row.regions, vec!["neck", "lower_back"]);
}

#[test]
fn a_stale_heartbeat_becomes_interrupted_with_the_time_played() {
    let mut db = HistoryDb::open_in_memory().unwrap();
    let dead = db.start_session(&new_session(at(0))).unwrap();
    db.heartbeat(dead, 245, 2, at(250)).unwrap();
    let live = db.start_session(&new_session(at(400))).unwrap();
    db.heartbeat(live, 10, 0, at(415)).unwrap();

    let recovered = db.recover_interrupted(at(430), |_| true).unwrap();
    assert_eq!(recovered, 1);
    let row = db.get(dead).unwrap().unwrap();
    assert_eq!(row.outcome, Outcome::Interrupted);
    assert_eq!(row.active_secs, 245);
    assert_eq!(row.ended_at, Some(at(250)));
    // Another copy's live session (heartbeat 15 s ago) is left alone.
    assert_eq!(db.get(live).unwrap().unwrap().outcome, Outcome::Running);
    // Finished sessions are never touched.
    db.finish(live, Outcome::StoppedEarly, 20, 0, at(425))
        .unwrap();
    assert_eq!(db.recover_interrupted(at(9999), |_| false).unwrap(), 0);
}

#[test]
fn a_damaged_file_is_set_aside_and_a_fresh_history_started() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let garbage = b"this was never a database ".repeat(200);
    std::fs::write(&path, &garbage).unwrap();
    let opened = HistoryDb::open(&path, "20261121-090000").unwrap();
    let notice = opened.notice.expect("told once");
    assert!(
        notice.contains("history.sqlite3.bad-20261121-090000"),
        "{notice}"
    );
    assert_eq!(opened.db.count().unwrap(), 0);
    let kept = std::fs::read(dir.path().join("history.sqlite3.bad-20261121-090000")).unwrap();
    assert_eq!(kept, garbage, "kept byte for byte");
}

#[test]
fn a_history_from_a_newer_version_is_set_aside_not_changed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    {
        let mut db = HistoryDb::open(&path, "s").unwrap().db;
        db.start_session(&new_session(at(0))).unwrap();
    }
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 7).unwrap();
    }
    let opened = HistoryDb::open(&path, "s").unwrap();
    assert!(opened.notice.unwrap().contains("newer version"));
    assert_eq!(opened.db.count().unwrap(), 0);
    let old = rusqlite::Connection::open(dir.path().join("history.sqlite3.bad-s")).unwrap();
    let (version, rows): (i32, i64) = (
        old.query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap(),
        old.query_row("SELECT COUNT(*) FROM sessions", [], |r| r.get(0))
            .unwrap(),
    );
    assert_eq!((version, rows), (7, 1));
}

#[test]
fn two_copies_writing_at_once_lose_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    HistoryDb::open(&path, "s").unwrap();
    let writers: Vec<_> = (0..2)
        .map(|writer| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut db = HistoryDb::open(&path, "s").unwrap().db;
                for n in 0..150 {
                    let id = db
                        .start_session(&new_session(at(writer * 10_000 + n)))
                        .unwrap();
                    db.heartbeat(id, 60, 1, at(writer * 10_000 + n + 60))
                        .unwrap();
                    db.finish(
                        id,
                        Outcome::Completed,
                        120,
                        2,
                        at(writer * 10_000 + n + 120),
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let db = HistoryDb::open(&path, "s").unwrap().db;
    let rows = db.all().unwrap();
    assert_eq!(rows.len(), 300);
    assert!(
        rows.iter()
            .all(|row| row.outcome == Outcome::Completed && row.active_secs == 120)
    );
    assert!(
        rows.windows(2)
            .all(|pair| pair[0].started_at >= pair[1].started_at),
        "newest first"
    );
}

#[test]
fn delete_can_be_undone() {
    let mut db = HistoryDb::open_in_memory().unwrap();
    let first = db.start_session(&new_session(at(0))).unwrap();
    db.finish(first, Outcome::Completed, 900, 9, at(900))
        .unwrap();
    let second = db.start_session(&new_session(at(2000))).unwrap();
    let removed = db.delete(first).unwrap().expect("existed");
    assert_eq!(db.count().unwrap(), 1);
    assert!(db.get(first).unwrap().is_none());
    db.restore(&removed).unwrap();
    assert_eq!(db.get(first).unwrap().unwrap(), removed);
    assert_eq!(
        db.all().unwrap().iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![second, first]
    );
    assert!(db.delete(12345).unwrap().is_none());
}

#[test]
fn the_worker_records_heartbeats_and_the_end_of_a_session() {
    use std::sync::Arc;
    use unknot::store::history_worker::HistoryWorker;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let worker = HistoryWorker::start_with_heartbeat(
        path.clone(),
        "s".into(),
        Arc::new(|| {}),
        std::time::Duration::from_millis(50),
    );
    worker.started(1, new_session(Utc::now()));
    // The session's timekeeper leaves its progress for the next heartbeat.
    let report = worker.progress_reporter(1);
    report(42, 1);
    // Wait for a heartbeat to carry the new progress.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        worker.flush();
        let db = HistoryDb::open(&path, "s").unwrap().db;
        let row = db.all().unwrap().pop();
        if row.as_ref().is_some_and(|row| row.active_secs == 42) {
            assert_eq!(row.unwrap().outcome, Outcome::Running);
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no heartbeat arrived");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    worker.finished(1, Outcome::Completed, 300, 6, Utc::now());
    worker.rated(1, Some(6), Some(2), "better".into());
    worker.flush();
    let row = HistoryDb::open(&path, "s")
        .unwrap()
        .db
        .all()
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(row.outcome, Outcome::Completed);
    assert_eq!((row.active_secs, row.steps_done), (300, 6));
    assert_eq!(
        (row.pain_before, row.pain_after, row.notes.as_str()),
        (Some(6), Some(2), "better")
    );
}

#[test]
fn an_unwritable_history_says_so_and_keeps_working() {
    use std::sync::Arc;
    use unknot::store::history_worker::HistoryWorker;

    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("data");
    std::fs::write(&blocker, "a file where the folder should be").unwrap();
    let worker = HistoryWorker::start(blocker.join("history.sqlite3"), "s".into(), Arc::new(|| {}));
    worker.started(1, new_session(Utc::now()));
    worker.finished(1, Outcome::Completed, 10, 1, Utc::now());
    worker.flush();
    assert!(worker.status().unavailable.is_some());
}

#[test]
fn export_writes_csv_and_json_that_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    {
        let mut db = HistoryDb::open(&path, "s").unwrap().db;
        let id = db.start_session(&new_session(at(0))).unwrap();
        db.finish(id, Outcome::Completed, 900, 9, at(905)).unwrap();
        db.set_ratings(id, Some(6), Some(3), "calmer, \"much\" looser")
            .unwrap();
        let id = db.start_session(&new_session(at(3600))).unwrap();
        db.finish(id, Outcome::StoppedEarly, 120, 1, at(3725))
            .unwrap();
    }
    let rows = HistoryDb::open(&path, "s").unwrap().db.all().unwrap();

    let run = |format: &str| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_unknot"))
            .args(["--data-dir"])
            .arg(dir.path())
            .args(["history", "export", "--format", format])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let json: Vec<unknot::store::history_db::SessionRow> =
        serde_json::from_str(&run("json")).unwrap();
    assert_eq!(json, rows);

    let csv_text = run("csv");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let parsed: Vec<unknot::store::export::CsvRow> =
        reader.deserialize().map(Result::unwrap).collect();
    let expected: Vec<unknot::store::export::CsvRow> = rows.iter().map(Into::into).collect();
    assert_eq!(parsed, expected);
    assert_eq!(parsed[0].outcome, "stopped_early");
    assert_eq!(parsed[1].notes, "calmer, \"much\" looser");

    let header = csv_text.lines().next().unwrap();
    assert_eq!(header, unknot::store::export::CSV_HEADER.join(","));

    // An empty history still has its header row.
    assert_eq!(
        unknot::store::export::to_csv(&[]).unwrap().trim_end(),
        unknot::store::export::CSV_HEADER.join(",")
    );

    // --output writes the file instead.
    let file = dir.path().join("out.csv");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_unknot"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["history", "export", "--output"])
        .arg(&file)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), csv_text);
}

/// The schema of version 1, as the first release wrote it.
const SCHEMA_V1: &str = "CREATE TABLE sessions (
    id INTEGER PRIMARY KEY, routine_id TEXT NOT NULL, routine_name TEXT NOT NULL,
    planned_secs INTEGER NOT NULL, active_secs INTEGER NOT NULL DEFAULT 0,
    steps_done INTEGER NOT NULL DEFAULT 0, step_count INTEGER NOT NULL,
    started_at TEXT NOT NULL, ended_at TEXT, heartbeat_at TEXT NOT NULL,
    outcome TEXT NOT NULL, pain_before INTEGER, pain_after INTEGER,
    notes TEXT NOT NULL DEFAULT '', regions TEXT NOT NULL DEFAULT '',
    heat_used INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX sessions_started_at ON sessions(started_at);
    CREATE INDEX sessions_outcome ON sessions(outcome);
    PRAGMA user_version = 1;";

#[test]
fn a_version_1_history_is_migrated_and_keeps_every_row() {
    use unknot::core::history::HistoryFilter;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(SCHEMA_V1).unwrap();
        conn.execute(
            "INSERT INTO sessions (routine_id, routine_name, planned_secs, active_secs, steps_done,
                 step_count, started_at, ended_at, heartbeat_at, outcome, pain_before, pain_after)
             VALUES ('endorphin-15', 'Endorphin', 900, 900, 9, 9, ?1, ?2, ?2, 'completed', 6, 3)",
            [at(0).to_rfc3339(), at(900).to_rfc3339()],
        )
        .unwrap();
    }
    let db = HistoryDb::open(&path, "s").unwrap().db;
    assert_eq!(db.schema_version().unwrap(), HISTORY_SCHEMA_VERSION);
    let rows = db.all().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].pain_before, rows[0].pain_after),
        (Some(6), Some(3))
    );
    // The migrated row has its local date, so it counts in the day totals.
    let days = db.day_totals(&HistoryFilter::default()).unwrap();
    let local_day = at(0).with_timezone(&chrono::Local).date_naive();
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].date, local_day);
    assert_eq!((days[0].sessions, days[0].active_secs), (1, 900));
    assert_eq!(
        (days[0].pain_change_sum, days[0].pain_change_count),
        (-3, 1)
    );
}

/// A varied history: several routines and outcomes over 40 days, some rated.
fn seeded(db: &mut HistoryDb) -> Vec<unknot::store::history_db::SessionRow> {
    let routines = ["endorphin-15", "quick-tension-break", "heat-lower-back"];
    let outcomes = [
        Outcome::Completed,
        Outcome::StoppedEarly,
        Outcome::Interrupted,
        Outcome::Completed,
    ];
    for index in 0..120i64 {
        let mut session = new_session(at(-index * 8 * 3600 - index * 61));
        session.routine_id = routines[(index % 3) as usize].into();
        session.routine_name = format!("Routine {}", index % 3);
        session.pain_before = (index % 4 != 0).then_some((index % 9) as u8);
        let id = db.start_session(&session).unwrap();
        let outcome = outcomes[(index % 4) as usize];
        db.finish(
            id,
            outcome,
            (index * 37 % 900) as u32,
            3,
            at(-index * 8 * 3600 + 900),
        )
        .unwrap();
        if index % 3 != 1 {
            let before = session.pain_before;
            db.set_ratings(id, before, Some((index % 7) as u8), "")
                .unwrap();
        }
    }
    db.all().unwrap()
}

#[test]
fn sql_day_totals_match_the_pure_statistics_under_every_filter() {
    use unknot::core::history::{HistoryFilter, StatInput, totals_by_day};
    let mut db = HistoryDb::open_in_memory().unwrap();
    let rows = seeded(&mut db);
    let local = |row: &unknot::store::history_db::SessionRow| {
        row.started_at.with_timezone(&chrono::Local).date_naive()
    };
    let middle = local(&rows[60]);
    let filters = [
        HistoryFilter::default(),
        HistoryFilter {
            routine_id: Some("quick-tension-break".into()),
            ..Default::default()
        },
        HistoryFilter {
            outcome: Some(Outcome::StoppedEarly),
            ..Default::default()
        },
        HistoryFilter {
            from: Some(middle),
            ..Default::default()
        },
        HistoryFilter {
            routine_id: Some("endorphin-15".into()),
            outcome: Some(Outcome::Completed),
            from: Some(middle - chrono::Days::new(10)),
            to: Some(middle),
        },
    ];
    for filter in filters {
        let kept: Vec<_> = rows
            .iter()
            .filter(|row| {
                filter
                    .routine_id
                    .as_ref()
                    .is_none_or(|id| *id == row.routine_id)
            })
            .filter(|row| filter.outcome.is_none_or(|outcome| outcome == row.outcome))
            .filter(|row| filter.from.is_none_or(|from| local(row) >= from))
            .filter(|row| filter.to.is_none_or(|to| local(row) <= to))
            .collect();
        assert!(!kept.is_empty(), "{filter:?} keeps something");
        let expected = totals_by_day(
            &kept
                .iter()
                .map(|row| StatInput {
                    local_date: local(row),
                    active_secs: row.active_secs,
                    pain_before: row.pain_before,
                    pain_after: row.pain_after,
                })
                .collect::<Vec<_>>(),
        );
        assert_eq!(db.day_totals(&filter).unwrap(), expected, "{filter:?}");
        assert_eq!(db.count_matching(&filter).unwrap(), kept.len() as u64);
        // Pages walk the same rows, newest first, without gaps or repeats.
        let mut paged = Vec::new();
        let mut offset = 0;
        loop {
            let page = db.page(&filter, offset, 7).unwrap();
            if page.is_empty() {
                break;
            }
            offset += page.len() as u64;
            paged.extend(page);
        }
        let kept_ids: Vec<i64> = kept.iter().map(|row| row.id).collect();
        assert_eq!(paged.iter().map(|row| row.id).collect::<Vec<_>>(), kept_ids);
    }
    let routines = db.routines().unwrap();
    assert_eq!(routines.len(), 3);
    assert!(routines.iter().any(|(id, _)| id == "heat-lower-back"));
}

#[test]
fn the_worker_serves_the_history_screen_edits_deletes_restores_and_exports() {
    use std::sync::Arc;
    use unknot::core::history::HistoryFilter;
    use unknot::store::export::ExportFormat;
    use unknot::store::history_worker::{HistoryQuery, HistoryReply, HistoryWorker};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let rows = {
        let mut db = HistoryDb::open(&path, "s").unwrap().db;
        seeded(&mut db)
    };
    let worker = HistoryWorker::start(path.clone(), "s".into(), Arc::new(|| {}));
    let wait = |worker: &HistoryWorker| {
        worker.flush();
        worker.drain()
    };
    let today = rows[0]
        .started_at
        .with_timezone(&chrono::Local)
        .date_naive();
    worker.query(HistoryQuery {
        generation: 3,
        filter: HistoryFilter::default(),
        today,
        page_size: 25,
    });
    let replies = wait(&worker);
    let [HistoryReply::View(view)] = replies.as_slice() else {
        panic!("expected one view, got {replies:?}");
    };
    assert_eq!(view.generation, 3);
    assert_eq!((view.total_sessions, view.matching), (120, 120));
    assert_eq!(view.first_page.len(), 25);
    assert_eq!(view.first_page[0].id, rows[0].id);
    assert_eq!(view.stats.all_time.sessions, 120);
    assert_eq!(view.calendar.len(), 84);
    assert_eq!(view.weekly_minutes.len(), 12);
    assert!(!view.pain.is_empty());

    let target = rows[5].id;
    worker.edit(target, Some(8), Some(2), "much better".into());
    assert_eq!(wait(&worker), vec![HistoryReply::Edited(target)]);
    worker.delete(target);
    let replies = wait(&worker);
    let [HistoryReply::Deleted(deleted)] = replies.as_slice() else {
        panic!("expected a deletion, got {replies:?}");
    };
    assert_eq!(
        (
            deleted.pain_before,
            deleted.pain_after,
            deleted.notes.as_str()
        ),
        (Some(8), Some(2), "much better")
    );
    worker.restore((**deleted).clone());
    assert_eq!(wait(&worker), vec![HistoryReply::Restored(target)]);

    let out = dir.path().join("out/only-completed.csv");
    let completed = HistoryFilter {
        outcome: Some(Outcome::Completed),
        ..Default::default()
    };
    worker.export(completed, ExportFormat::Csv, out.clone());
    let replies = wait(&worker);
    assert_eq!(
        replies,
        vec![HistoryReply::Exported {
            path: out.clone(),
            count: 60
        }]
    );
    // A folder that cannot be written: a clear failure, nothing half-written.
    let blocked = dir.path().join("a-file");
    std::fs::write(&blocked, b"x").unwrap();
    worker.export(
        HistoryFilter::default(),
        ExportFormat::Json,
        blocked.join("h.json"),
    );
    let replies = wait(&worker);
    let [HistoryReply::Failed(message)] = replies.as_slice() else {
        panic!("expected a failure, got {replies:?}");
    };
    assert!(message.contains("could not be exported"), "{message}");
    assert_eq!(std::fs::read(&blocked).unwrap(), b"x");
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let read: Vec<unknot::store::export::CsvRow> =
        reader.deserialize().collect::<Result<_, _>>().unwrap();
    assert_eq!(read.len(), 60);
    assert!(read.iter().all(|row| row.outcome == "completed"));
    drop(worker);
    let db = HistoryDb::open(&path, "s").unwrap().db;
    let restored = db.get(target).unwrap().unwrap();
    assert_eq!(restored.notes, "much better");
    assert_eq!(db.count().unwrap(), 120);
}
