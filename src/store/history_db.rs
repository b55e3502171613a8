//! The session history in SQLite: every session is written when it starts,
//! refreshed by a heartbeat while it plays and finalised when it ends, so a
//! crash loses at most a few seconds. Writes are transactions; the schema is
//! migrated by `user_version`; a damaged or newer database is set aside, never
//! deleted.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::core::history::{DayTotals, HistoryFilter, Outcome};
use crate::files::{self, FileError};

/// The schema this build writes.
pub const HISTORY_SCHEMA_VERSION: i32 = 3;
/// A running session recorded before sessions named their owner (schema 3)
/// is taken as dead when its heartbeat is older than this.
pub const STALE_HEARTBEAT: Duration = Duration::from_secs(30);
/// When the highest session id cannot be read, probing for rows stops after
/// this many ids in a row without one.
const PROBE_GAP: i64 = 10_000;
/// The most ids a salvage looks up one by one, so a file with absurd ids
/// cannot hold the history thread for long.
const MAX_PROBES: u64 = 2_000_000;
/// The largest history file a page-by-page salvage reads into memory.
const MAX_SALVAGE_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Why the history could not be used.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// SQLite said no.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Written by a newer version of the app.
    #[error(
        "the history was written by a newer version of unknot (schema {found}, this version reads up to {HISTORY_SCHEMA_VERSION})"
    )]
    NewerSchema {
        /// The version found.
        found: i32,
    },
    /// A stored value made no sense (a hand-edited database, say).
    #[error("row {id} has an unknown outcome \"{outcome}\"")]
    BadOutcome {
        /// Row id.
        id: i64,
        /// What was stored.
        outcome: String,
    },
    /// The damaged file could not be moved aside.
    #[error("the history file could not be set aside: {0}")]
    SetAside(std::io::Error),
    /// The path is not a regular file, or its folder cannot be made.
    #[error(transparent)]
    File(#[from] FileError),
    /// Damaged, but another running copy of the app still has it open.
    #[error(
        "the history is damaged and another copy of unknot is using it; close every copy and start again to recover it"
    )]
    InUseElsewhere,
}

impl HistoryError {
    /// Whether this says the file is damaged or not a database at all.
    pub fn is_damage(&self) -> bool {
        matches!(self, Self::Sqlite(error) if is_damage(error))
    }
}

/// What is known when a session starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// Routine id as played.
    pub routine_id: String,
    /// Routine name as played.
    pub routine_name: String,
    /// Planned active seconds.
    pub planned_secs: u32,
    /// Steps in the plan.
    pub step_count: u32,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// Regions the routine works, for filters and the body map.
    pub regions: Vec<String>,
    /// Whether the routine applies heat.
    pub heat_used: bool,
    /// Pain before, 0 to 10, if given.
    pub pain_before: Option<u8>,
    /// The running app that records it (see [`crate::store::instance`]), so
    /// the next start can tell at once whether it is still alive.
    pub owner: Option<String>,
}

/// One stored session.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionRow {
    /// Row id.
    pub id: i64,
    /// Routine id as played.
    pub routine_id: String,
    /// Routine name as played.
    pub routine_name: String,
    /// Planned active seconds.
    pub planned_secs: u32,
    /// Active seconds actually played.
    pub active_secs: u32,
    /// Steps played to their end.
    pub steps_done: u32,
    /// Steps in the plan.
    pub step_count: u32,
    /// Start, UTC.
    pub started_at: DateTime<Utc>,
    /// End, UTC (for an interrupted session: the last heartbeat).
    pub ended_at: Option<DateTime<Utc>>,
    /// How it ended.
    pub outcome: Outcome,
    /// Pain before, 0 to 10.
    pub pain_before: Option<u8>,
    /// Pain after, 0 to 10.
    pub pain_after: Option<u8>,
    /// Free notes.
    pub notes: String,
    /// Regions worked.
    pub regions: Vec<String>,
    /// Whether heat was used.
    pub heat_used: bool,
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The local calendar date of an instant, as stored: the day the person
/// would say they did the session on, whatever time zone they travel to later.
fn local_date(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono::Local)
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

/// The history database.
pub struct HistoryDb {
    conn: Connection,
}

/// The result of opening: the database and, at most once, something to tell the person.
pub struct Opened {
    /// The open database.
    pub db: HistoryDb,
    /// E.g. "the history file was damaged and was kept as …".
    pub notice: Option<String>,
}

impl HistoryDb {
    /// Opens (or creates) the history at `path`, readable by the person only.
    ///
    /// A damaged file is recovered: every readable session is copied into a
    /// fresh file and the original is kept, byte for byte, as
    /// `<name>.bad-<stamp>`. A file from a newer version is set aside whole.
    /// Either way a notice is stored in the new file until it is dismissed.
    pub fn open(path: &Path, stamp: &str) -> Result<Opened, HistoryError> {
        Self::open_guarded(path, stamp, &|| false)
    }

    /// [`Self::open`], but a damaged file is left alone while `others_alive`
    /// says another copy of the app is running (it would go on writing into
    /// the file set aside).
    pub fn open_guarded(
        path: &Path,
        stamp: &str,
        others_alive: &dyn Fn() -> bool,
    ) -> Result<Opened, HistoryError> {
        prepare_private_file(path)?;
        let opened = Self::open_existing(path)
            .and_then(|db| db.check_not_truncated(path).map(|()| db))
            .and_then(Self::trusted);
        match opened {
            Ok(db) => Ok(Opened { db, notice: None }),
            Err(error) if error.is_damage() && others_alive() => {
                log::warn!("history damaged ({error}), but another copy is using it");
                Err(HistoryError::InUseElsewhere)
            }
            Err(error)
                if error.is_damage() || matches!(error, HistoryError::NewerSchema { .. }) =>
            {
                Self::recover(path, stamp, &error)
            }
            Err(error) => Err(error),
        }
    }

    /// Replaces a damaged (or newer) history at `path` with a fresh one that
    /// holds every session that could still be read. Call it with no other
    /// connection of this process open on `path`.
    pub fn recover(
        path: &Path,
        stamp: &str,
        reason: &HistoryError,
    ) -> Result<Opened, HistoryError> {
        let salvaged = if matches!(reason, HistoryError::NewerSchema { .. }) {
            // The newer version owns that format: keep it whole, read nothing.
            None
        } else {
            Some(match open_read_only(path) {
                Ok(history) => salvage(&history.conn, Some(path)),
                Err(error) => Salvaged::unreadable(&error.to_string()),
            })
        };
        let backup = set_aside(path, stamp)?;
        prepare_private_file(path)?;
        let mut db = Self::open_existing(path)?.trusted()?;
        let notice = match &salvaged {
            None => format!(
                "Your session history could not be used ({reason}). It was kept as {} and a new history was started.",
                backup.display()
            ),
            Some(salvaged) => {
                db.insert_with_ids(&salvaged.rows)?;
                log::warn!("history damaged: {reason}");
                let mut text = format!(
                    "Your session history file was damaged, so unknot rebuilt it: {} recovered. The damaged file is kept unchanged as {}.",
                    plural_sessions(salvaged.rows.len() as u64, "was", "were"),
                    backup.display()
                );
                if let Some(skipped) = salvaged.skipped_summary() {
                    text.push(' ');
                    text.push_str(&skipped);
                }
                text
            }
        };
        db.add_notice(&notice)?;
        Ok(Opened {
            db,
            notice: Some(notice),
        })
    }

    /// Opens a file that may turn out to be damaged: until [`Self::trusted`]
    /// is called, closing the connection writes nothing back into the file.
    fn open_existing(path: &Path) -> Result<Self, HistoryError> {
        let conn = Connection::open(path)?;
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )?;
        Self::configure(conn)
    }

    /// The file checked out: let closing fold the log into it again.
    fn trusted(self) -> Result<Self, HistoryError> {
        self.conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            false,
        )?;
        Ok(self)
    }

    /// An in-memory history, for tests and benchmarks.
    pub fn open_in_memory() -> Result<Self, HistoryError> {
        Self::configure(Connection::open_in_memory()?)
    }

    fn configure(conn: Connection) -> Result<Self, HistoryError> {
        conn.busy_timeout(Duration::from_secs(5))?;
        // Reading the journal mode also proves the file is a database.
        let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let mut db = Self { conn };
        db.migrate()?;
        Ok(db)
    }

    fn migrate(&mut self) -> Result<(), HistoryError> {
        let version: i32 = self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if version > HISTORY_SCHEMA_VERSION {
            return Err(HistoryError::NewerSchema { found: version });
        }
        if (1..HISTORY_SCHEMA_VERSION).contains(&version) {
            // Never write a migration into a damaged file: it must be kept as it is.
            let check: String = self
                .conn
                .query_row("PRAGMA quick_check(1)", [], |row| row.get(0))?;
            if check != "ok" {
                return Err(HistoryError::Sqlite(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                    Some(check),
                )));
            }
        }
        if version < 1 {
            let tx = self.conn.transaction()?;
            tx.execute_batch(
                "CREATE TABLE sessions (
                    id INTEGER PRIMARY KEY,
                    routine_id TEXT NOT NULL,
                    routine_name TEXT NOT NULL,
                    planned_secs INTEGER NOT NULL,
                    active_secs INTEGER NOT NULL DEFAULT 0,
                    steps_done INTEGER NOT NULL DEFAULT 0,
                    step_count INTEGER NOT NULL,
                    started_at TEXT NOT NULL,
                    ended_at TEXT,
                    heartbeat_at TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    pain_before INTEGER,
                    pain_after INTEGER,
                    notes TEXT NOT NULL DEFAULT '',
                    regions TEXT NOT NULL DEFAULT '',
                    heat_used INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX sessions_started_at ON sessions(started_at);
                CREATE INDEX sessions_outcome ON sessions(outcome);
                PRAGMA user_version = 1;",
            )?;
            tx.commit()?;
        }
        if version < 2 {
            // Version 2 stores each session's local date, so statistics group
            // by day in SQL instead of converting every timestamp.
            let tx = self.conn.transaction()?;
            tx.execute_batch(
                "ALTER TABLE sessions ADD COLUMN local_date TEXT NOT NULL DEFAULT '';",
            )?;
            {
                let mut read = tx.prepare("SELECT id, started_at FROM sessions")?;
                let mut write = tx.prepare("UPDATE sessions SET local_date = ?2 WHERE id = ?1")?;
                let rows = read.query_map([], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
                })?;
                for row in rows {
                    let (id, started_at) = row?;
                    let date = parse_timestamp(&started_at)
                        .map(local_date)
                        .unwrap_or_default();
                    write.execute(params![id, date])?;
                }
            }
            tx.execute_batch(
                "-- Covers the per-day totals, so statistics read only this index.
                 CREATE INDEX sessions_by_day ON sessions(local_date, routine_id, outcome,
                     active_secs, pain_before, pain_after);
                 CREATE INDEX sessions_routine ON sessions(routine_id, started_at);
                 PRAGMA user_version = 2;",
            )?;
            tx.commit()?;
        }
        if version < 3 {
            // Version 3 names the running app that owns a session, and keeps
            // notices (a recovered history, say) until the person dismisses them.
            let tx = self.conn.transaction()?;
            tx.execute_batch(
                "ALTER TABLE sessions ADD COLUMN owner TEXT;
                 CREATE TABLE notices (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
                 PRAGMA user_version = 3;",
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// A file cut short (a full disk, a bad copy) opens without complaint and
    /// fails later; catch it now by comparing the size the header promises
    /// with the file's. Only when no log is pending, since pages may then
    /// still live in the log alone.
    fn check_not_truncated(&self, path: &Path) -> Result<(), HistoryError> {
        let [wal, _] = side_files(path);
        if std::fs::metadata(&wal).is_ok_and(|wal| wal.len() > 0) {
            return Ok(());
        }
        let pages: i64 = self
            .conn
            .query_row("PRAGMA page_count", [], |row| row.get(0))?;
        let page_size: i64 = self
            .conn
            .query_row("PRAGMA page_size", [], |row| row.get(0))?;
        let promised = u64::try_from(pages.saturating_mul(page_size)).unwrap_or(0);
        let actual = std::fs::metadata(path).map(|file| file.len()).unwrap_or(0);
        if actual < promised {
            return Err(HistoryError::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                Some(format!(
                    "the file is {actual} bytes but should be {promised}; it was cut short"
                )),
            )));
        }
        Ok(())
    }

    /// Stores a notice to show until the person dismisses it.
    pub fn add_notice(&mut self, text: &str) -> Result<i64, HistoryError> {
        self.conn
            .execute("INSERT INTO notices (text) VALUES (?1)", params![text])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Notices not yet dismissed, oldest first.
    pub fn notices(&self) -> Result<Vec<(i64, String)>, HistoryError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT id, text FROM notices ORDER BY id")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Forgets a notice the person dismissed.
    pub fn dismiss_notice(&mut self, id: i64) -> Result<(), HistoryError> {
        self.conn
            .execute("DELETE FROM notices WHERE id = ?1", params![id])?;
        Ok(())
    }

    /// Stops this connection from writing its log back into the file when it
    /// closes, so a file found damaged stays exactly as it was.
    pub fn close_without_checkpoint(self) {
        let _ = self.conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        );
    }

    /// The schema version in the file.
    pub fn schema_version(&self) -> Result<i32, HistoryError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))?)
    }

    /// Records a session as it starts; returns its id.
    pub fn start_session(&mut self, session: &NewSession) -> Result<i64, HistoryError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO sessions (routine_id, routine_name, planned_secs, step_count, started_at,
                 heartbeat_at, outcome, pain_before, regions, heat_used, local_date, owner)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                session.routine_id,
                session.routine_name,
                session.planned_secs,
                session.step_count,
                timestamp(session.started_at),
                Outcome::Running.as_str(),
                session.pain_before,
                session.regions.join(","),
                session.heat_used,
                local_date(session.started_at),
                session.owner,
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(id)
    }

    /// Notes progress while a session plays, so a crash loses little.
    pub fn heartbeat(
        &mut self,
        id: i64,
        active_secs: u32,
        steps_done: u32,
        at: DateTime<Utc>,
    ) -> Result<(), HistoryError> {
        self.conn.execute(
            "UPDATE sessions SET active_secs = ?2, steps_done = ?3, heartbeat_at = ?4
             WHERE id = ?1 AND outcome = 'running'",
            params![id, active_secs, steps_done, timestamp(at)],
        )?;
        Ok(())
    }

    /// Finalises a session.
    pub fn finish(
        &mut self,
        id: i64,
        outcome: Outcome,
        active_secs: u32,
        steps_done: u32,
        at: DateTime<Utc>,
    ) -> Result<(), HistoryError> {
        self.conn.execute(
            "UPDATE sessions SET outcome = ?2, active_secs = ?3, steps_done = ?4,
                 heartbeat_at = ?5, ended_at = ?5
             WHERE id = ?1",
            params![id, outcome.as_str(), active_secs, steps_done, timestamp(at)],
        )?;
        Ok(())
    }

    /// Marks sessions whose app is gone as interrupted, ending them at their
    /// last heartbeat. `is_alive` answers for a session's owner at once; a
    /// live owner, even a frozen one, keeps its session running. Sessions with
    /// no owner (recorded before schema 3) fall back to the heartbeat's age.
    pub fn recover_interrupted(
        &mut self,
        now: DateTime<Utc>,
        is_alive: impl Fn(&str) -> bool,
    ) -> Result<usize, HistoryError> {
        let stale_before = timestamp(
            now - chrono::Duration::from_std(STALE_HEARTBEAT)
                .unwrap_or(chrono::Duration::seconds(30)),
        );
        let running: Vec<(i64, Option<String>, String)> = {
            let mut statement = self.conn.prepare(
                "SELECT id, owner, heartbeat_at FROM sessions WHERE outcome = 'running'",
            )?;
            let rows =
                statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let dead: Vec<i64> = running
            .into_iter()
            .filter(|(_, owner, heartbeat)| match owner {
                Some(owner) => !is_alive(owner),
                None => *heartbeat < stale_before,
            })
            .map(|(id, _, _)| id)
            .collect();
        let tx = self.conn.transaction()?;
        for id in &dead {
            tx.execute(
                "UPDATE sessions SET outcome = 'interrupted', ended_at = heartbeat_at
                 WHERE id = ?1 AND outcome = 'running'",
                params![id],
            )?;
        }
        tx.commit()?;
        Ok(dead.len())
    }

    /// Sets the pain ratings and notes.
    pub fn set_ratings(
        &mut self,
        id: i64,
        pain_before: Option<u8>,
        pain_after: Option<u8>,
        notes: &str,
    ) -> Result<(), HistoryError> {
        self.conn.execute(
            "UPDATE sessions SET pain_before = ?2, pain_after = ?3, notes = ?4 WHERE id = ?1",
            params![id, pain_before, pain_after, notes],
        )?;
        Ok(())
    }

    /// Deletes a session and returns it, so the deletion can be undone.
    pub fn delete(&mut self, id: i64) -> Result<Option<SessionRow>, HistoryError> {
        let tx = self.conn.transaction()?;
        let row = tx
            .query_row(&format!("{SELECT} WHERE id = ?1"), params![id], read_row)
            .optional()?;
        tx.execute("DELETE FROM sessions WHERE id = ?1", params![id])?;
        tx.commit()?;
        row.map(|row| {
            row.map_err(HistoryError::from)
                .and_then(|raw| raw.into_row())
        })
        .transpose()
    }

    /// Puts a deleted session back with its id.
    pub fn restore(&mut self, row: &SessionRow) -> Result<(), HistoryError> {
        insert_row(&self.conn, row, Some(row.id))?;
        Ok(())
    }

    /// Every session, newest first.
    pub fn all(&self) -> Result<Vec<SessionRow>, HistoryError> {
        let mut statement = self
            .conn
            .prepare_cached(&format!("{SELECT} ORDER BY started_at DESC, id DESC"))?;
        let rows = statement.query_map([], read_row)?;
        let mut sessions = Vec::new();
        for row in rows {
            // A row that makes no sense (a hand-edited outcome) is left out of
            // the view instead of hiding every other session.
            match row??.into_row() {
                Ok(row) => sessions.push(row),
                Err(error) => log::warn!("history: {error}"),
            }
        }
        Ok(sessions)
    }

    /// One session by id.
    pub fn get(&self, id: i64) -> Result<Option<SessionRow>, HistoryError> {
        self.conn
            .query_row(&format!("{SELECT} WHERE id = ?1"), params![id], read_row)
            .optional()?
            .map(|row| {
                row.map_err(HistoryError::from)
                    .and_then(|raw| raw.into_row())
            })
            .transpose()
    }

    /// How many sessions are stored.
    pub fn count(&self) -> Result<u64, HistoryError> {
        let count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM sessions", [], |row| row.get(0))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// One page of the sessions a filter keeps, newest first.
    pub fn page(
        &self,
        filter: &HistoryFilter,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<SessionRow>, HistoryError> {
        let (conditions, mut values) = filter_sql(filter);
        let mut statement = self.conn.prepare_cached(&format!(
            "{SELECT} WHERE {conditions} ORDER BY started_at DESC, id DESC LIMIT ?{} OFFSET ?{}",
            values.len() + 1,
            values.len() + 2
        ))?;
        values.push(i64::try_from(limit).unwrap_or(i64::MAX).into());
        values.push(i64::try_from(offset).unwrap_or(i64::MAX).into());
        let rows = statement.query_map(rusqlite::params_from_iter(values), read_row)?;
        let mut sessions = Vec::new();
        for row in rows {
            // A row that makes no sense (a hand-edited outcome) is left out of
            // the view instead of hiding every other session.
            match row??.into_row() {
                Ok(row) => sessions.push(row),
                Err(error) => log::warn!("history: {error}"),
            }
        }
        Ok(sessions)
    }

    /// Every session a filter keeps, newest first (exports).
    pub fn matching(&self, filter: &HistoryFilter) -> Result<Vec<SessionRow>, HistoryError> {
        self.page(filter, 0, u64::MAX >> 1)
    }

    /// How many sessions a filter keeps.
    pub fn count_matching(&self, filter: &HistoryFilter) -> Result<u64, HistoryError> {
        let (conditions, values) = filter_sql(filter);
        let mut statement = self
            .conn
            .prepare_cached(&format!("SELECT COUNT(*) FROM sessions WHERE {conditions}"))?;
        let count: i64 =
            statement.query_row(rusqlite::params_from_iter(values), |row| row.get(0))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Per-day totals of the finished sessions a filter keeps, oldest first:
    /// everything the statistics and charts need, summed by SQLite.
    pub fn day_totals(&self, filter: &HistoryFilter) -> Result<Vec<DayTotals>, HistoryError> {
        let (conditions, values) = filter_sql(filter);
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT local_date, COUNT(*), SUM(active_secs),
                 TOTAL(pain_before), COUNT(pain_before),
                 TOTAL(pain_after), COUNT(pain_after),
                 TOTAL(pain_after - pain_before), COUNT(pain_after - pain_before)
             FROM sessions WHERE {conditions} AND outcome != 'running'
             GROUP BY local_date ORDER BY local_date"
        ))?;
        let rows = statement.query_map(rusqlite::params_from_iter(values), |row| {
            let date: String = row.get(0)?;
            Ok((
                date,
                DayTotals {
                    date: chrono::NaiveDate::MIN,
                    sessions: row.get(1)?,
                    active_secs: u64::try_from(row.get::<_, i64>(2)?).unwrap_or(0),
                    pain_before_sum: row.get::<_, f64>(3)? as u32,
                    pain_before_count: row.get(4)?,
                    pain_after_sum: row.get::<_, f64>(5)? as u32,
                    pain_after_count: row.get(6)?,
                    pain_change_sum: row.get::<_, f64>(7)? as i64,
                    pain_change_count: row.get(8)?,
                },
            ))
        })?;
        let mut days = Vec::new();
        for row in rows {
            let (date, mut totals) = row?;
            // A row whose date cannot be read is left out of the charts, not fatal.
            if let Ok(parsed) = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d") {
                totals.date = parsed;
                days.push(totals);
            }
        }
        Ok(days)
    }

    /// Each routine in the history with the name it was last played under,
    /// sorted by name, for the routine filter.
    pub fn routines(&self) -> Result<Vec<(String, String)>, HistoryError> {
        // Hop from one routine id to the next through the index, then read
        // each one's newest name: a few lookups however long the history is.
        let mut next_id = self.conn.prepare_cached(
            "SELECT routine_id FROM sessions WHERE routine_id > ?1
             ORDER BY routine_id LIMIT 1",
        )?;
        let mut newest_name = self.conn.prepare_cached(
            "SELECT routine_name FROM sessions WHERE routine_id = ?1
             ORDER BY started_at DESC LIMIT 1",
        )?;
        let mut routines: Vec<(String, String)> = Vec::new();
        let mut after = String::new();
        while let Some(id) = next_id
            .query_row(params![after], |row| row.get::<_, String>(0))
            .optional()?
        {
            let name: String = newest_name.query_row(params![id], |row| row.get(0))?;
            after.clone_from(&id);
            routines.push((id, name));
        }
        routines.sort_by_key(|(_, name)| name.to_lowercase());
        Ok(routines)
    }

    /// Completed sessions of a routine on or after a local date, oldest
    /// first, for a course plan's progress.
    pub fn course_sessions(
        &self,
        routine_id: &str,
        since: chrono::NaiveDate,
    ) -> Result<Vec<crate::core::course::CourseSession>, HistoryError> {
        course_sessions(&self.conn, routine_id, since)
    }

    /// When heat was last used: the end (or last heartbeat) of the latest
    /// session with heat.
    pub fn last_heat_use(&self) -> Result<Option<DateTime<Utc>>, HistoryError> {
        let last: Option<String> = self
            .conn
            .query_row(
                "SELECT MAX(heartbeat_at) FROM sessions WHERE heat_used = 1",
                [],
                |row| row.get(0),
            )
            .optional()?
            .flatten();
        Ok(last.as_deref().and_then(parse_timestamp))
    }

    /// Inserts sessions keeping their ids (a recovered history).
    pub fn insert_with_ids(&mut self, rows: &[SessionRow]) -> Result<(), HistoryError> {
        let tx = self.conn.transaction()?;
        for row in rows {
            insert_row(&tx, row, Some(row.id))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Inserts many sessions in one transaction (imports and benchmarks); each
    /// gets a new id.
    pub fn insert_many(&mut self, rows: &[SessionRow]) -> Result<(), HistoryError> {
        let tx = self.conn.transaction()?;
        for row in rows {
            insert_row(&tx, row, None)?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// Writes a whole row; `id` keeps a given id (undo), `None` lets SQLite choose.
fn insert_row(conn: &Connection, row: &SessionRow, id: Option<i64>) -> rusqlite::Result<usize> {
    let mut statement = conn.prepare_cached(
        "INSERT INTO sessions (id, routine_id, routine_name, planned_secs, active_secs, steps_done,
             step_count, started_at, ended_at, heartbeat_at, outcome, pain_before, pain_after,
             notes, regions, heat_used, local_date)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?;
    statement.execute(params![
        id,
        row.routine_id,
        row.routine_name,
        row.planned_secs,
        row.active_secs,
        row.steps_done,
        row.step_count,
        timestamp(row.started_at),
        row.ended_at.map(timestamp),
        timestamp(row.ended_at.unwrap_or(row.started_at)),
        row.outcome.as_str(),
        row.pain_before,
        row.pain_after,
        row.notes,
        row.regions.join(","),
        row.heat_used,
        local_date(row.started_at),
    ])
}

/// The filter as a WHERE clause with only the conditions in use (so SQLite can
/// pick the index that fits), and its parameters in order.
fn filter_sql(filter: &HistoryFilter) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let mut conditions = vec!["1".to_owned()];
    let mut values = Vec::new();
    let day = |date: chrono::NaiveDate| Value::Text(date.format("%Y-%m-%d").to_string());
    if let Some(id) = &filter.routine_id {
        values.push(Value::Text(id.clone()));
        conditions.push(format!("routine_id = ?{}", values.len()));
    }
    if let Some(outcome) = filter.outcome {
        values.push(Value::Text(outcome.as_str().to_owned()));
        conditions.push(format!("outcome = ?{}", values.len()));
    }
    if let Some(from) = filter.from {
        values.push(day(from));
        conditions.push(format!("local_date >= ?{}", values.len()));
    }
    if let Some(to) = filter.to {
        values.push(day(to));
        conditions.push(format!("local_date <= ?{}", values.len()));
    }
    (conditions.join(" AND "), values)
}

const SELECT: &str = "SELECT id, routine_id, routine_name, planned_secs, active_secs, steps_done,
    step_count, started_at, ended_at, outcome, pain_before, pain_after, notes, regions, heat_used
    FROM sessions";

/// A row as SQLite returns it, before the text fields are checked.
struct RawRow {
    id: i64,
    routine_id: String,
    routine_name: String,
    planned_secs: u32,
    active_secs: u32,
    steps_done: u32,
    step_count: u32,
    started_at: String,
    ended_at: Option<String>,
    outcome: String,
    pain_before: Option<u8>,
    pain_after: Option<u8>,
    notes: String,
    regions: String,
    heat_used: bool,
}

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<RawRow, rusqlite::Error>> {
    Ok(Ok(RawRow {
        id: row.get(0)?,
        routine_id: row.get(1)?,
        routine_name: row.get(2)?,
        planned_secs: row.get(3)?,
        active_secs: row.get(4)?,
        steps_done: row.get(5)?,
        step_count: row.get(6)?,
        started_at: row.get(7)?,
        ended_at: row.get(8)?,
        outcome: row.get(9)?,
        pain_before: row.get(10)?,
        pain_after: row.get(11)?,
        notes: row.get(12)?,
        regions: row.get(13)?,
        heat_used: row.get(14)?,
    }))
}

impl RawRow {
    fn into_row(self) -> Result<SessionRow, HistoryError> {
        let outcome = Outcome::parse(&self.outcome).ok_or_else(|| HistoryError::BadOutcome {
            id: self.id,
            outcome: self.outcome.clone(),
        })?;
        Ok(SessionRow {
            id: self.id,
            routine_id: self.routine_id,
            routine_name: self.routine_name,
            planned_secs: self.planned_secs,
            active_secs: self.active_secs,
            steps_done: self.steps_done,
            step_count: self.step_count,
            started_at: parse_timestamp(&self.started_at).unwrap_or_default(),
            ended_at: self.ended_at.as_deref().and_then(parse_timestamp),
            outcome,
            pain_before: self.pain_before,
            pain_after: self.pain_after,
            notes: self.notes,
            regions: self
                .regions
                .split(',')
                .filter(|region| !region.is_empty())
                .map(str::to_owned)
                .collect(),
            heat_used: self.heat_used,
        })
    }
}

/// Whether an SQLite error means the file is damaged or not a database.
fn is_damage(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

/// Moves a damaged history (and its WAL files) aside under a dated name.
fn set_aside(path: &Path, stamp: &str) -> Result<PathBuf, HistoryError> {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "history.sqlite3".into());
    let backup = files::set_aside_name(path, stamp);
    std::fs::rename(path, &backup).map_err(HistoryError::SetAside)?;
    for suffix in ["-wal", "-shm"] {
        let side = path.with_file_name(format!("{name}{suffix}"));
        if side.exists() {
            let _ = std::fs::rename(
                &side,
                backup.with_file_name(format!(
                    "{}{suffix}",
                    backup
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                )),
            );
        }
    }
    Ok(backup)
}

/// Sessions, in words: "1 session was", "10,007 sessions were".
fn plural_sessions(count: u64, one: &str, many: &str) -> String {
    let words = crate::core::words::count(count, "session", "sessions");
    format!("{words} {}", if count == 1 { one } else { many })
}

/// Makes sure the history can live at `path`: a private folder, and either
/// nothing there yet (an empty file is created, mode 0600, so SQLite's own
/// files inherit that mode) or a regular file, made private with its log files.
fn prepare_private_file(path: &Path) -> Result<(), HistoryError> {
    if let Some(folder) = path
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
    {
        files::create_private_dir(folder)?;
    }
    files::check_replaceable(path)?;
    match std::fs::symlink_metadata(path) {
        Ok(_) => {
            for side in side_files(path)
                .iter()
                .chain(std::iter::once(&path.to_owned()))
            {
                if side.exists() {
                    files::make_private(side)?;
                }
            }
        }
        Err(_) => {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            match options.open(path) {
                Ok(_) => {}
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(error) => {
                    return Err(FileError::Io {
                        path: path.to_owned(),
                        action: "created",
                        source: error,
                    }
                    .into());
                }
            }
        }
    }
    Ok(())
}

/// The log files SQLite keeps beside the database.
fn side_files(path: &Path) -> [PathBuf; 2] {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    [
        path.with_file_name(format!("{name}-wal")),
        path.with_file_name(format!("{name}-shm")),
    ]
}

/// Completed sessions of a routine on or after a local date, oldest first,
/// from any connection (a read-only one for `unknot remind`).
pub fn course_sessions(
    conn: &Connection,
    routine_id: &str,
    since: chrono::NaiveDate,
) -> Result<Vec<crate::core::course::CourseSession>, HistoryError> {
    let mut statement = conn.prepare_cached(
        "SELECT local_date, pain_before, pain_after, started_at FROM sessions
         WHERE routine_id = ?1 AND outcome = 'completed' AND local_date >= ?2
         ORDER BY started_at, id",
    )?;
    let rows = statement.query_map(
        params![routine_id, since.format("%Y-%m-%d").to_string()],
        |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<u8>>(1)?,
                row.get::<_, Option<u8>>(2)?,
                row.get::<_, String>(3)?,
            ))
        },
    )?;
    let mut sessions = Vec::new();
    for row in rows {
        let (date, pain_before, pain_after, started_at) = row?;
        if let Ok(date) = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d") {
            sessions.push(crate::core::course::CourseSession {
                date,
                started_at: parse_timestamp(&started_at),
                pain_before,
                pain_after,
            });
        }
    }
    Ok(sessions)
}

/// A history opened for reading only. When its log could not be read in
/// place (a read-only folder), it is a private copy that goes away with it.
pub struct ReadOnlyHistory {
    /// The connection (declared first, so it closes before the copy goes).
    pub conn: Connection,
    _copy: Option<tempfile::TempDir>,
}

/// Opens the history for reading only: nothing is created, moved or written
/// beside it. Sessions still waiting in its log are read too, from a private
/// copy when the folder does not let SQLite read the log in place.
pub fn open_read_only(path: &Path) -> Result<ReadOnlyHistory, HistoryError> {
    use rusqlite::OpenFlags;
    let metadata = std::fs::metadata(path).map_err(|source| FileError::Io {
        path: path.to_owned(),
        action: "opened",
        source,
    })?;
    if !metadata.is_file() {
        return Err(FileError::NotRegular {
            path: path.to_owned(),
            kind: if metadata.is_dir() {
                "a folder"
            } else {
                "not a regular file"
            },
        }
        .into());
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let [wal, _] = side_files(path);
    if !std::fs::metadata(&wal).is_ok_and(|wal| wal.len() > 0) {
        // Nothing waits in a log, so read the file as it is: SQLite then
        // creates no side files, even in a folder it could write to.
        let uri = format!("file:{}?immutable=1", uri_path(path));
        let conn = Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)?;
        return Ok(ReadOnlyHistory { conn, _copy: None });
    }
    let schema = |conn: &Connection| {
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| {
            row.get::<_, i64>(0)
        })
    };
    let in_place = Connection::open_with_flags(path, flags);
    match in_place.as_ref().map(schema) {
        // Readable, or damaged: either way salvage does what it can with it.
        Ok(Ok(_)) => {
            return Ok(ReadOnlyHistory {
                conn: in_place?,
                _copy: None,
            });
        }
        Ok(Err(error)) if is_damage(&error) => {
            return Ok(ReadOnlyHistory {
                conn: in_place?,
                _copy: None,
            });
        }
        _ => {}
    }
    // The log cannot be read where it is: read a private copy of the file
    // and its log instead.
    let copy = tempfile::tempdir().map_err(|source| FileError::Io {
        path: std::env::temp_dir(),
        action: "used for a copy",
        source,
    })?;
    let copied = copy.path().join("history.sqlite3");
    for (from, to) in [
        (path.to_owned(), copied.clone()),
        (wal, side_files(&copied)[0].clone()),
    ] {
        std::fs::copy(&from, &to).map_err(|source| FileError::Io {
            path: from.clone(),
            action: "copied",
            source,
        })?;
    }
    let conn = Connection::open(&copied)?;
    Ok(ReadOnlyHistory {
        conn,
        _copy: Some(copy),
    })
}

/// A path as the path part of an SQLite `file:` URI.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'%' | b'?' | b'#' => out.push_str(&format!("%{byte:02X}")),
            _ => out.push(char::from(byte)),
        }
    }
    out
}

/// What could be read out of a history, damaged or not.
#[derive(Debug, Default)]
pub struct Salvaged {
    /// Every session that could be read, by id.
    pub rows: Vec<SessionRow>,
    /// Sessions known to exist that could not be read.
    pub skipped: u64,
    /// The first few reasons, for the message.
    pub reasons: Vec<String>,
    /// True when the end of the table could not be read, so there may be more.
    pub tail_unknown: bool,
}

impl Salvaged {
    fn unreadable(reason: &str) -> Self {
        Self {
            reasons: vec![reason.to_owned()],
            tail_unknown: true,
            ..Self::default()
        }
    }

    fn skip(&mut self, reason: String) {
        self.skipped += 1;
        if self.reasons.len() < 3 {
            self.reasons.push(reason);
        }
    }

    /// What had to be left out, in a sentence, or `None` when nothing was.
    pub fn skipped_summary(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.skipped > 0 {
            parts.push(format!(
                "{} could not be read (first: {})",
                plural_sessions(self.skipped, "", "").trim_end(),
                self.reasons
                    .first()
                    .map(String::as_str)
                    .unwrap_or("unknown")
            ));
        }
        if self.tail_unknown && self.rows.is_empty() && self.skipped == 0 {
            parts.push(format!(
                "no session could be read ({})",
                self.reasons
                    .first()
                    .map(String::as_str)
                    .unwrap_or("unknown")
            ));
        } else if self.tail_unknown {
            parts.push(
                "the end of the file could not be read, so it may have held more sessions".into(),
            );
        }
        if parts.is_empty() {
            return None;
        }
        let text = parts.join("; ");
        let mut chars = text.chars();
        let first = chars
            .next()
            .map(|c| c.to_uppercase().to_string())
            .unwrap_or_default();
        Some(format!("{first}{}.", chars.as_str()))
    }
}

/// Reads every session that can be read. A whole-table scan first; if the
/// file is damaged, each id is looked up on its own so that one bad page
/// costs only the rows on it.
pub fn salvage(conn: &Connection, file: Option<&Path>) -> Salvaged {
    // With this flag SQLite reads a file shorter than its header promises
    // (cut short) instead of refusing it whole; nothing is written.
    let _ = conn.pragma_update(None, "writable_schema", "ON");
    let mut salvaged = Salvaged::default();
    let Err(error) = scan_all(conn, &mut salvaged) else {
        return salvaged;
    };
    log::warn!("history: whole scan failed ({error}); reading session by session");
    let mut salvaged = Salvaged::default();
    if let Err(error) = probe_by_id(conn, &mut salvaged) {
        salvaged.reasons.push(error.to_string());
        salvaged.tail_unknown = true;
    }
    // Sessions SQL can no longer reach (the pages leading to them are gone)
    // may still sit whole on their own pages: read those pages directly.
    let Some(file) = file else {
        return salvaged;
    };
    match files::read_bytes(file, MAX_SALVAGE_BYTES) {
        Ok(bytes) => add_page_rows(&mut salvaged, &super::salvage_pages::scan(&bytes)),
        Err(error) => log::warn!("history: pages not read: {error}"),
    }
    salvaged
}

/// Adds the sessions a page scan found that SQL did not.
fn add_page_rows(salvaged: &mut Salvaged, scan: &super::salvage_pages::PageScan) {
    use super::salvage_pages::PageValue;
    let text = |value: Option<&PageValue>| match value {
        Some(PageValue::Text(text)) => Some(text.clone()),
        _ => None,
    };
    let int = |value: Option<&PageValue>| match value {
        Some(PageValue::Integer(number)) => Some(*number),
        _ => None,
    };
    let secs = |value: Option<&PageValue>| int(value).and_then(|n| u32::try_from(n).ok());
    let pain = |value: Option<&PageValue>| int(value).and_then(|n| u8::try_from(n).ok());
    if !scan.rows.is_empty() {
        // The pages were readable: they, not the lookups that failed on the
        // way to them, say what was lost.
        salvaged.skipped = 0;
        salvaged.reasons.clear();
        salvaged.tail_unknown = scan.cut_short;
    }
    let mut known: std::collections::HashSet<i64> =
        salvaged.rows.iter().map(|row| row.id).collect();
    for (id, values) in &scan.rows {
        // A sessions row: 16 or more columns, text where the schema has text.
        let (Some(routine_id), Some(started_at), Some(outcome)) = (
            text(values.get(1)),
            text(values.get(7)),
            text(values.get(10)),
        ) else {
            continue;
        };
        if values.len() < 16 || !known.insert(*id) {
            continue;
        }
        let raw = RawRow {
            id: *id,
            routine_id,
            routine_name: text(values.get(2)).unwrap_or_default(),
            planned_secs: secs(values.get(3)).unwrap_or(0),
            active_secs: secs(values.get(4)).unwrap_or(0),
            steps_done: secs(values.get(5)).unwrap_or(0),
            step_count: secs(values.get(6)).unwrap_or(0),
            started_at,
            ended_at: text(values.get(8)),
            outcome,
            pain_before: pain(values.get(11)),
            pain_after: pain(values.get(12)),
            notes: text(values.get(13)).unwrap_or_default(),
            regions: text(values.get(14)).unwrap_or_default(),
            heat_used: int(values.get(15)) == Some(1),
        };
        keep_or_skip(salvaged, *id, Ok(raw));
    }
    salvaged.skipped = salvaged.skipped.saturating_add(scan.unreadable_cells);
    salvaged.rows.sort_by_key(|row| row.id);
}

fn keep_or_skip(salvaged: &mut Salvaged, id: i64, raw: rusqlite::Result<RawRow>) {
    match raw.map_err(HistoryError::from).and_then(RawRow::into_row) {
        Ok(row) => salvaged.rows.push(row),
        Err(error) => salvaged.skip(format!("session {id}: {error}")),
    }
}

fn scan_all(conn: &Connection, salvaged: &mut Salvaged) -> rusqlite::Result<()> {
    let mut statement = conn.prepare(&format!("{SELECT} ORDER BY id"))?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let id = row.get::<_, i64>(0).unwrap_or_default();
        keep_or_skip(salvaged, id, read_row(row).and_then(|raw| raw));
    }
    Ok(())
}

fn probe_by_id(conn: &Connection, salvaged: &mut Salvaged) -> rusqlite::Result<()> {
    let bound = |sql: &str| {
        conn.query_row(sql, [], |row| row.get::<_, Option<i64>>(0))
            .ok()
            .flatten()
    };
    let first = bound("SELECT min(id) FROM sessions").unwrap_or(1).min(1);
    let last = bound("SELECT max(id) FROM sessions");
    let mut next = conn.prepare("SELECT id FROM sessions WHERE id > ?1 ORDER BY id LIMIT 1")?;
    let mut by_id = conn.prepare(&format!("{SELECT} WHERE id = ?1"))?;
    let mut id = first.saturating_sub(1);
    let mut pending_errors = Vec::new();
    let mut misses = 0_i64;
    for _ in 0..MAX_PROBES {
        // Ask the table for the next id; where that part of it is damaged,
        // step over it one id at a time.
        let candidate = match next
            .query_row(params![id], |row| row.get::<_, i64>(0))
            .optional()
        {
            Ok(Some(found)) => found,
            Ok(None) => break,
            Err(_) => match id.checked_add(1) {
                Some(step) => step,
                None => break,
            },
        };
        match by_id
            .query_row(params![candidate], |row| {
                Ok(read_row(row).and_then(|raw| raw))
            })
            .optional()
        {
            Ok(Some(raw)) => {
                for reason in pending_errors.drain(..) {
                    salvaged.skip(reason);
                }
                misses = 0;
                keep_or_skip(salvaged, candidate, raw);
            }
            Ok(None) => misses += 1,
            Err(error) => {
                pending_errors.push(format!("session {candidate}: {error}"));
                misses += 1;
            }
        }
        id = candidate;
        let past_the_end = last.map_or(misses >= PROBE_GAP, |last| id >= last);
        if past_the_end {
            break;
        }
    }
    if last.is_some_and(|last| id >= last) {
        for reason in pending_errors {
            salvaged.skip(reason);
        }
    } else if !pending_errors.is_empty() || last.is_some() {
        salvaged.tail_unknown = true;
    }
    Ok(())
}

/// Reads the history for `unknot history export`: read-only, newest first,
/// every readable session, with what was skipped. A missing file is an empty
/// history.
pub fn read_for_export(path: &Path) -> Result<Salvaged, HistoryError> {
    if !path.exists() && std::fs::symlink_metadata(path).is_err() {
        return Ok(Salvaged::default());
    }
    let history = open_read_only(path)?;
    let mut salvaged = salvage(&history.conn, Some(path));
    salvaged
        .rows
        .sort_by(|a, b| b.started_at.cmp(&a.started_at).then(b.id.cmp(&a.id)));
    Ok(salvaged)
}
