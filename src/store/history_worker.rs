//! The history thread: owns the database, records sessions as they start,
//! writes a heartbeat every few seconds while one plays, and finalises it.
//! The window only sends messages, so it never waits on SQLite.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

use crate::core::history::{
    CalendarDay, HistoryFilter, Outcome, PainPoint, Stats, calendar, compute_stats,
    minutes_per_week, pain_trend,
};
use crate::store::export::{ExportFormat, render};
use crate::store::history_db::{HistoryDb, HistoryError, NewSession, SessionRow};
use crate::store::instance::{self, InstanceLock};

/// Weeks shown by the minutes chart and the calendar.
pub const CHART_WEEKS: u32 = 12;

/// What the history screen asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Increases with every new query, so late answers to old ones are ignored.
    pub generation: u64,
    /// Which sessions.
    pub filter: HistoryFilter,
    /// The local date "this week" and the streak count from.
    pub today: NaiveDate,
    /// Rows in the first page.
    pub page_size: u64,
}

/// Everything the history screen draws, except rows beyond the first page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HistoryView {
    /// The query this answers.
    pub generation: u64,
    /// Sessions stored in all.
    pub total_sessions: u64,
    /// Sessions the filter keeps.
    pub matching: u64,
    /// Sessions and minutes this week, month and all time; pain change; streak.
    pub stats: Stats,
    /// Minutes per week, oldest first.
    pub weekly_minutes: Vec<(NaiveDate, u64)>,
    /// Average pain before and after, per day with ratings.
    pub pain: Vec<PainPoint>,
    /// The last weeks, day by day.
    pub calendar: Vec<CalendarDay>,
    /// Routines in the history (id, latest name), for the filter.
    pub routines: Vec<(String, String)>,
    /// The newest rows the filter keeps.
    pub first_page: Vec<SessionRow>,
}

/// Builds the history screen's view with a handful of indexed queries.
pub fn load_view(db: &HistoryDb, query: &HistoryQuery) -> Result<HistoryView, HistoryError> {
    let days = db.day_totals(&query.filter)?;
    Ok(HistoryView {
        generation: query.generation,
        total_sessions: db.count()?,
        matching: db.count_matching(&query.filter)?,
        stats: compute_stats(&days, query.today),
        weekly_minutes: minutes_per_week(&days, query.today, CHART_WEEKS),
        pain: pain_trend(&days),
        calendar: calendar(&days, query.today, CHART_WEEKS),
        routines: db.routines()?,
        first_page: db.page(&query.filter, 0, query.page_size)?,
    })
}

/// Answers from the history thread to the history screen.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryReply {
    /// A new view for a query.
    View(Box<HistoryView>),
    /// More rows for the table.
    Page {
        /// The query these rows belong to.
        generation: u64,
        /// Index of the first row.
        offset: u64,
        /// The rows.
        rows: Vec<SessionRow>,
    },
    /// Ratings or notes were changed.
    Edited(i64),
    /// A session was deleted; keep it to undo.
    Deleted(Box<SessionRow>),
    /// A deleted session was put back.
    Restored(i64),
    /// The history was written to a file.
    Exported {
        /// Where.
        path: PathBuf,
        /// How many sessions.
        count: usize,
    },
    /// When heat was last used (for the setup screen's warning).
    LastHeat(Option<DateTime<Utc>>),
    /// Completed sessions of a course's routine since it began.
    Course(Vec<crate::core::course::CourseSession>),
    /// The history was found damaged and reopened with what could be
    /// recovered: ask again for what is on screen.
    Reopened,
    /// Something could not be read or written; the message says what.
    Failed(String),
}

/// How often a playing session's progress is written.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);

/// Reports the playing session's progress (active seconds, steps done) to
/// the history thread, from whichever thread keeps the session's time.
pub type ProgressReporter = Box<dyn Fn(u32, u32) + Send>;

/// The playing session's latest progress: its token, active seconds and
/// steps done. Its timekeeper writes it every second and the history thread
/// reads it at each heartbeat; a shared cell rather than a message, so the
/// history thread sleeps from one heartbeat to the next.
type ProgressCell = Arc<Mutex<Option<(SessionToken, u32, u32)>>>;

/// Identifies a session in this run before its database id is known.
pub type SessionToken = u64;

enum Job {
    Start {
        token: SessionToken,
        session: NewSession,
    },
    /// Stop now. Dropping the worker's handle (the only sender) would close
    /// the channel as well; this says it in so many words.
    Shutdown,
    Finish {
        token: SessionToken,
        outcome: Outcome,
        active_secs: u32,
        steps_done: u32,
        at: DateTime<Utc>,
    },
    Ratings {
        token: SessionToken,
        pain_before: Option<u8>,
        pain_after: Option<u8>,
        notes: String,
    },
    Flush(Sender<()>),
    DismissNotice(i64),
    Query(HistoryQuery),
    Page {
        generation: u64,
        filter: HistoryFilter,
        offset: u64,
        limit: u64,
    },
    Edit {
        id: i64,
        pain_before: Option<u8>,
        pain_after: Option<u8>,
        notes: String,
    },
    Delete(i64),
    Restore(Box<SessionRow>),
    LastHeat,
    Course {
        routine_id: String,
        since: NaiveDate,
    },
    Export {
        filter: HistoryFilter,
        format: ExportFormat,
        path: PathBuf,
    },
}

/// Whether the history can be written, for the window's notice.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryStatus {
    /// Something to tell the person until they dismiss it (a damaged file
    /// recovered, say). Kept in the history itself, so it survives restarts.
    pub notice: Option<String>,
    /// The stored notice's id, for dismissing it.
    pub notice_id: Option<i64>,
    /// Set when history cannot be saved at all (read-only folder, say).
    pub unavailable: Option<String>,
}

/// Handle to the history thread.
pub struct HistoryWorker {
    jobs: Option<Sender<Job>>,
    replies: Receiver<HistoryReply>,
    status: Arc<Mutex<HistoryStatus>>,
    progress: ProgressCell,
    thread: Option<JoinHandle<()>>,
}

impl HistoryWorker {
    /// Opens the history at `path` on a new thread, recovers sessions cut off
    /// by a crash, and then serves jobs. `stamp` names a damaged file's backup.
    pub fn start(path: PathBuf, stamp: String, notify: Arc<dyn Fn() + Send + Sync>) -> Self {
        Self::start_with_heartbeat(path, stamp, notify, HEARTBEAT_EVERY)
    }

    /// [`Self::start`] with another heartbeat interval (tests use a short one).
    pub fn start_with_heartbeat(
        path: PathBuf,
        stamp: String,
        notify: Arc<dyn Fn() + Send + Sync>,
        heartbeat_every: Duration,
    ) -> Self {
        let (jobs, receiver) = mpsc::channel();
        let (reply_sender, replies) = mpsc::channel();
        let status = Arc::new(Mutex::new(HistoryStatus::default()));
        let thread_status = Arc::clone(&status);
        let progress = ProgressCell::default();
        let beat = Heartbeat {
            every: heartbeat_every,
            progress: Arc::clone(&progress),
        };
        let thread = thread::Builder::new()
            .name("unknot-history".into())
            .spawn(move || {
                run(
                    &path,
                    &stamp,
                    &receiver,
                    &reply_sender,
                    &thread_status,
                    notify.as_ref(),
                    &beat,
                );
            });
        match thread {
            Ok(thread) => Self {
                jobs: Some(jobs),
                replies,
                status,
                progress,
                thread: Some(thread),
            },
            Err(error) => {
                status
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .unavailable = Some(format!("the history thread could not start: {error}"));
                Self {
                    jobs: None,
                    replies,
                    status,
                    progress,
                    thread: None,
                }
            }
        }
    }

    fn send(&self, job: Job) {
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(job);
        }
    }

    /// Records a session as it starts. Its progress arrives by
    /// [`Self::progress_reporter`] and is written with each heartbeat.
    pub fn started(&self, token: SessionToken, session: NewSession) {
        self.send(Job::Start { token, session });
    }

    /// A reporter the session's timekeeper calls with its progress. It
    /// leaves the figures where the next heartbeat finds them and wakes
    /// nobody; the history thread never reads the session itself.
    pub fn progress_reporter(&self, token: SessionToken) -> ProgressReporter {
        let progress = Arc::clone(&self.progress);
        Box::new(move |active_secs, steps_done| {
            *progress.lock().unwrap_or_else(PoisonError::into_inner) =
                Some((token, active_secs, steps_done));
        })
    }

    /// Finalises a session.
    pub fn finished(
        &self,
        token: SessionToken,
        outcome: Outcome,
        active_secs: u32,
        steps_done: u32,
        at: DateTime<Utc>,
    ) {
        self.send(Job::Finish {
            token,
            outcome,
            active_secs,
            steps_done,
            at,
        });
    }

    /// Stores pain ratings and notes for a session of this run.
    pub fn rated(
        &self,
        token: SessionToken,
        pain_before: Option<u8>,
        pain_after: Option<u8>,
        notes: String,
    ) {
        self.send(Job::Ratings {
            token,
            pain_before,
            pain_after,
            notes,
        });
    }

    /// Asks for the history screen's view; the answer arrives through [`Self::drain`].
    pub fn query(&self, query: HistoryQuery) {
        self.send(Job::Query(query));
    }

    /// Asks for more rows of the table.
    pub fn page(&self, generation: u64, filter: HistoryFilter, offset: u64, limit: u64) {
        self.send(Job::Page {
            generation,
            filter,
            offset,
            limit,
        });
    }

    /// Changes a stored session's ratings and notes.
    pub fn edit(&self, id: i64, pain_before: Option<u8>, pain_after: Option<u8>, notes: String) {
        self.send(Job::Edit {
            id,
            pain_before,
            pain_after,
            notes,
        });
    }

    /// Deletes a session; the reply carries it so it can be put back.
    pub fn delete(&self, id: i64) {
        self.send(Job::Delete(id));
    }

    /// Puts a deleted session back.
    pub fn restore(&self, row: SessionRow) {
        self.send(Job::Restore(Box::new(row)));
    }

    /// Writes the sessions a filter keeps to a file, atomically.
    pub fn export(&self, filter: HistoryFilter, format: ExportFormat, path: PathBuf) {
        self.send(Job::Export {
            filter,
            format,
            path,
        });
    }

    /// Asks when heat was last used; the answer arrives through [`Self::drain`].
    pub fn last_heat(&self) {
        self.send(Job::LastHeat);
    }

    /// Asks for a course's sessions; the answer arrives through [`Self::drain`].
    pub fn course(&self, routine_id: String, since: NaiveDate) {
        self.send(Job::Course { routine_id, since });
    }

    /// Answers that have arrived since the last call.
    pub fn drain(&self) -> Vec<HistoryReply> {
        self.replies.try_iter().collect()
    }

    /// Waits until every job sent so far is written (tests and exit).
    pub fn flush(&self) {
        let (done, wait) = mpsc::channel();
        self.send(Job::Flush(done));
        let _ = wait.recv_timeout(Duration::from_secs(10));
    }

    /// The current status.
    pub fn status(&self) -> HistoryStatus {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Forgets the notice the person dismissed, here and in the history.
    pub fn dismiss_notice(&self) {
        let id = {
            let mut status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
            status.notice = None;
            status.notice_id.take()
        };
        if let Some(id) = id {
            self.send(Job::DismissNotice(id));
        }
    }
}

impl Drop for HistoryWorker {
    fn drop(&mut self) {
        if let Some(jobs) = self.jobs.take() {
            let _ = jobs.send(Job::Shutdown);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Playing {
    token: SessionToken,
    id: i64,
}

/// How often a playing session's progress is written, and where it is read.
struct Heartbeat {
    every: Duration,
    progress: ProgressCell,
}

fn run(
    path: &std::path::Path,
    stamp: &str,
    receiver: &Receiver<Job>,
    replies: &Sender<HistoryReply>,
    status: &Mutex<HistoryStatus>,
    notify: &(dyn Fn() + Send + Sync),
    beat: &Heartbeat,
) {
    let heartbeat_every = beat.every;
    let set = |change: &dyn Fn(&mut HistoryStatus)| {
        change(&mut status.lock().unwrap_or_else(PoisonError::into_inner));
        notify();
    };
    // Held for as long as this thread runs; see `store::instance`.
    let owners = owners_dir(path);
    let lock = match InstanceLock::acquire(&owners) {
        Ok(lock) => Some(lock),
        Err(error) => {
            log::warn!("sessions cannot name their owner ({error}); heartbeats decide instead");
            None
        }
    };
    let others_alive = || instance::others_alive(&owners, lock.as_ref().map(InstanceLock::name));
    let mut db = match HistoryDb::open_guarded(path, stamp, &others_alive) {
        Ok(opened) => Some(opened.db),
        Err(error) => {
            log::warn!("history unavailable: {error}");
            let reason = format!("{} ({error})", path.display());
            set(&|status| status.unavailable = Some(reason.clone()));
            None
        }
    };
    if let Some(db) = &mut db {
        match db.recover_interrupted(Utc::now(), |owner| instance::is_alive(&owners, owner)) {
            Ok(0) => {}
            Ok(count) => log::info!("{count} interrupted session(s) recovered into the history"),
            Err(error) => log::warn!("could not recover interrupted sessions: {error}"),
        }
        instance::sweep(&owners);
        show_stored_notice(db, &set);
    }
    let mut ids: Vec<(SessionToken, i64)> = Vec::new();
    let mut playing: Option<Playing> = None;
    let mut next_beat = std::time::Instant::now() + heartbeat_every;
    loop {
        let job = if playing.is_some() {
            let wait = next_beat.saturating_duration_since(std::time::Instant::now());
            match receiver.recv_timeout(wait) {
                Ok(job) => Some(job),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        } else {
            match receiver.recv() {
                Ok(job) => Some(job),
                Err(_) => break,
            }
        };
        if matches!(job, Some(Job::Shutdown)) {
            break;
        }
        let db_slot = &mut db;
        let Some(db) = db_slot.as_mut() else {
            match job {
                Some(Job::Flush(done)) => {
                    let _ = done.send(());
                }
                Some(Job::Query(_) | Job::Export { .. }) => {
                    let _ = replies.send(HistoryReply::Failed(
                        "The history could not be opened, so there is nothing to show.".into(),
                    ));
                    notify();
                }
                _ => {}
            }
            continue;
        };
        // Heartbeats keep their own schedule, however many other jobs arrive.
        if let Some(current) = &playing
            && std::time::Instant::now() >= next_beat
        {
            next_beat = std::time::Instant::now() + heartbeat_every;
            let reported = *beat.progress.lock().unwrap_or_else(PoisonError::into_inner);
            let (active_secs, steps_done) = match reported {
                Some((token, active_secs, steps_done)) if token == current.token => {
                    (active_secs, steps_done)
                }
                _ => (0, 0),
            };
            if let Err(error) = db.heartbeat(current.id, active_secs, steps_done, Utc::now()) {
                log::warn!("history heartbeat not saved: {error}");
            }
        }
        let result = match job {
            None => Ok(()),
            Some(Job::Start { token, mut session }) => {
                session.owner = lock.as_ref().map(|lock| lock.name().to_owned());
                db.start_session(&session).map(|id| {
                    ids.push((token, id));
                    playing = Some(Playing { token, id });
                    next_beat = std::time::Instant::now() + heartbeat_every;
                })
            }
            Some(Job::Finish {
                token,
                outcome,
                active_secs,
                steps_done,
                at,
            }) => {
                if playing
                    .as_ref()
                    .is_some_and(|current| current.token == token)
                {
                    playing = None;
                }
                match ids.iter().find(|(t, _)| *t == token) {
                    Some((_, id)) => db.finish(*id, outcome, active_secs, steps_done, at),
                    None => Ok(()),
                }
            }
            Some(Job::Ratings {
                token,
                pain_before,
                pain_after,
                notes,
            }) => match ids.iter().find(|(t, _)| *t == token) {
                Some((_, id)) => db.set_ratings(*id, pain_before, pain_after, &notes),
                None => Ok(()),
            },
            Some(Job::Flush(done)) => {
                let _ = done.send(());
                Ok(())
            }
            Some(Job::DismissNotice(id)) => db.dismiss_notice(id).map(|()| {
                // The next stored notice, if there is one, shows in its place.
                show_stored_notice(db, &set);
            }),
            Some(other) => {
                let (reply, damage) = answer(db, other);
                let _ = replies.send(reply);
                notify();
                damage.map_or(Ok(()), Err)
            }
        };
        let Err(error) = result else {
            continue;
        };
        if error.is_damage() && others_alive() {
            let reason = format!("{} ({})", path.display(), HistoryError::InUseElsewhere);
            set(&|status| status.unavailable = Some(reason.clone()));
        } else if error.is_damage() {
            // Found damaged while in use: keep the file as it is and carry on
            // with every session that can still be read.
            log::warn!("history damaged in use: {error}");
            if let Some(damaged) = db_slot.take() {
                damaged.close_without_checkpoint();
            }
            match HistoryDb::recover(path, stamp, &error) {
                Ok(opened) => {
                    show_stored_notice(&opened.db, &set);
                    *db_slot = Some(opened.db);
                    let _ = replies.send(HistoryReply::Reopened);
                    notify();
                }
                Err(error) => {
                    let reason = format!("{} ({error})", path.display());
                    set(&|status| status.unavailable = Some(reason.clone()));
                }
            }
        } else {
            log::warn!("history not saved: {error}");
            let reason = error.to_string();
            set(&|status| status.unavailable = Some(reason.clone()));
        }
    }
}

/// Serves the history screen's jobs. Returns the reply and, when the file
/// turned out to be damaged, the error that says so.
fn answer(db: &mut HistoryDb, job: Job) -> (HistoryReply, Option<HistoryError>) {
    let damage = std::cell::RefCell::new(None);
    let failed = |what: &str, error: &dyn std::fmt::Display| {
        log::warn!("history: {what}: {error}");
        HistoryReply::Failed(format!("The history could not be {what} ({error})."))
    };
    let failed_db = |what: &str, error: HistoryError| {
        let reply = failed(what, &error);
        if error.is_damage() {
            *damage.borrow_mut() = Some(error);
        }
        reply
    };
    let reply = match job {
        Job::Query(query) => match load_view(db, &query) {
            Ok(view) => HistoryReply::View(Box::new(view)),
            Err(error) => failed_db("read", error),
        },
        Job::Page {
            generation,
            filter,
            offset,
            limit,
        } => match db.page(&filter, offset, limit) {
            Ok(rows) => HistoryReply::Page {
                generation,
                offset,
                rows,
            },
            Err(error) => failed_db("read", error),
        },
        Job::Edit {
            id,
            pain_before,
            pain_after,
            notes,
        } => match db.set_ratings(id, pain_before, pain_after, &notes) {
            Ok(()) => HistoryReply::Edited(id),
            Err(error) => failed_db("saved", error),
        },
        Job::Delete(id) => match db.delete(id) {
            Ok(Some(row)) => HistoryReply::Deleted(Box::new(row)),
            Ok(None) => HistoryReply::Failed("That session was already deleted.".into()),
            Err(error) => failed_db("changed", error),
        },
        Job::Course { routine_id, since } => match db.course_sessions(&routine_id, since) {
            Ok(sessions) => HistoryReply::Course(sessions),
            Err(error) => failed_db("read", error),
        },
        Job::LastHeat => match db.last_heat_use() {
            Ok(at) => HistoryReply::LastHeat(at),
            Err(error) => failed_db("read", error),
        },
        Job::Restore(row) => match db.restore(&row) {
            Ok(()) => HistoryReply::Restored(row.id),
            Err(error) => failed_db("changed", error),
        },
        Job::Export {
            filter,
            format,
            path,
        } => {
            let written = db
                .matching(&filter)
                .map_err(|error| error.to_string())
                .and_then(|rows| {
                    let text = render(&rows, format).map_err(|error| error.to_string())?;
                    crate::store::prefs_store::write_atomically(&path, &text)
                        .map_err(|error| error.to_string())?;
                    Ok(rows.len())
                });
            match written {
                Ok(count) => HistoryReply::Exported { path, count },
                Err(error) => failed("exported", &error),
            }
        }
        Job::Start { .. }
        | Job::Shutdown
        | Job::Finish { .. }
        | Job::Ratings { .. }
        | Job::Flush(_)
        | Job::DismissNotice(_) => {
            HistoryReply::Failed("internal: a recording job reached the reader".into())
        }
    };
    (reply, damage.into_inner())
}

/// Where the running copies keep their lock files: beside the history.
fn owners_dir(history: &std::path::Path) -> PathBuf {
    history.with_file_name("running")
}

/// Shows the oldest notice stored in the history, if any.
/// Changes the shared status and wakes the window.
type SetStatus<'a> = &'a dyn Fn(&dyn Fn(&mut HistoryStatus));

fn show_stored_notice(db: &HistoryDb, set: SetStatus<'_>) {
    match db.notices() {
        Ok(notices) => {
            if let Some((id, text)) = notices.into_iter().next() {
                log::warn!("{text}");
                set(&|status| {
                    status.notice = Some(text.clone());
                    status.notice_id = Some(id);
                });
            }
        }
        Err(error) => log::warn!("history notices unreadable: {error}"),
    }
}
