//! The history thread: owns the database, records sessions as they start,
//! writes a heartbeat every few seconds while one plays, and finalises it.
//! The window only sends messages, so it never waits on SQLite.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::core::history::Outcome;
use crate::store::history_db::{HistoryDb, NewSession, SessionRow};

/// How often a playing session's progress is written.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);

/// Progress of the playing session: active seconds and steps done.
pub type ProgressProbe = Box<dyn Fn() -> (u32, u32) + Send>;

/// Identifies a session in this run before its database id is known.
pub type SessionToken = u64;

enum Job {
    Start {
        token: SessionToken,
        session: NewSession,
        probe: ProgressProbe,
    },
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
}

/// Whether the history can be written, for the window's notice.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryStatus {
    /// Something to tell the person once (a damaged file set aside, sessions recovered).
    pub notice: Option<String>,
    /// Set when history cannot be saved at all (read-only folder, say).
    pub unavailable: Option<String>,
}

/// Handle to the history thread.
pub struct HistoryWorker {
    jobs: Option<Sender<Job>>,
    status: Arc<Mutex<HistoryStatus>>,
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
        let status = Arc::new(Mutex::new(HistoryStatus::default()));
        let thread_status = Arc::clone(&status);
        let thread = thread::Builder::new()
            .name("unknot-history".into())
            .spawn(move || {
                run(
                    &path,
                    &stamp,
                    &receiver,
                    &thread_status,
                    notify.as_ref(),
                    heartbeat_every,
                );
            });
        match thread {
            Ok(thread) => Self {
                jobs: Some(jobs),
                status,
                thread: Some(thread),
            },
            Err(error) => {
                status
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .unavailable = Some(format!("the history thread could not start: {error}"));
                Self {
                    jobs: None,
                    status,
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

    /// Records a session as it starts. `probe` reports progress for heartbeats.
    pub fn started(&self, token: SessionToken, session: NewSession, probe: ProgressProbe) {
        self.send(Job::Start {
            token,
            session,
            probe,
        });
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

    /// Forgets the one-time notice once shown.
    pub fn dismiss_notice(&self) {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .notice = None;
    }
}

impl Drop for HistoryWorker {
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Playing {
    token: SessionToken,
    id: i64,
    probe: ProgressProbe,
}

fn run(
    path: &std::path::Path,
    stamp: &str,
    receiver: &Receiver<Job>,
    status: &Mutex<HistoryStatus>,
    notify: &(dyn Fn() + Send + Sync),
    heartbeat_every: Duration,
) {
    let set = |change: &dyn Fn(&mut HistoryStatus)| {
        change(&mut status.lock().unwrap_or_else(PoisonError::into_inner));
        notify();
    };
    let mut db = match HistoryDb::open(path, stamp) {
        Ok(opened) => {
            if let Some(notice) = opened.notice {
                log::warn!("{notice}");
                set(&|status| status.notice = Some(notice.clone()));
            }
            Some(opened.db)
        }
        Err(error) => {
            log::warn!("history unavailable: {error}");
            let reason = format!("{} ({error})", path.display());
            set(&|status| status.unavailable = Some(reason.clone()));
            None
        }
    };
    if let Some(db) = &mut db {
        match db.recover_interrupted(Utc::now()) {
            Ok(0) => {}
            Ok(count) => log::info!("{count} interrupted session(s) recovered into the history"),
            Err(error) => log::warn!("could not recover interrupted sessions: {error}"),
        }
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
        let Some(db) = db.as_mut() else {
            if let Some(Job::Flush(done)) = job {
                let _ = done.send(());
            }
            continue;
        };
        // Heartbeats keep their own schedule, however many other jobs arrive.
        if let Some(current) = &playing
            && std::time::Instant::now() >= next_beat
        {
            next_beat = std::time::Instant::now() + heartbeat_every;
            let (active_secs, steps_done) = (current.probe)();
            if let Err(error) = db.heartbeat(current.id, active_secs, steps_done, Utc::now()) {
                log::warn!("history heartbeat not saved: {error}");
            }
        }
        let result = match job {
            None => Ok(()),
            Some(Job::Start {
                token,
                session,
                probe,
            }) => db.start_session(&session).map(|id| {
                ids.push((token, id));
                playing = Some(Playing { token, id, probe });
                next_beat = std::time::Instant::now() + heartbeat_every;
            }),
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
        };
        if let Err(error) = result {
            log::warn!("history not saved: {error}");
            let reason = error.to_string();
            set(&|status| status.unavailable = Some(reason.clone()));
        }
    }
}

/// Reads every session for export, newest first.
pub fn export_rows(
    path: &std::path::Path,
) -> Result<Vec<SessionRow>, crate::store::history_db::HistoryError> {
    let opened = HistoryDb::open(path, &Utc::now().format("%Y%m%d-%H%M%S").to_string())?;
    opened.db.all()
}
