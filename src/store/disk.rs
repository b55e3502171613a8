//! A named thread for routine-file work (save, delete, import, export, rescan),
//! so the window never waits for the disk. Results come back over a channel
//! and the window is asked to repaint.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};

use crate::audio;
use crate::core::engine::CueKind;
use crate::library::{self, Library};
use crate::store::prefs_store::write_atomically;

/// Work for the disk thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskJob {
    /// Write a routine file, then remove `replaces` (a renamed routine's old file).
    SaveRoutine {
        /// Where to write.
        path: PathBuf,
        /// The TOML text.
        text: String,
        /// An old file to remove after the write succeeded.
        replaces: Option<PathBuf>,
    },
    /// Remove a routine file.
    DeleteRoutine(PathBuf),
    /// Write a routine to a file the person chose.
    Export {
        /// Destination.
        path: PathBuf,
        /// The TOML text.
        text: String,
    },
    /// Read a file the person chose to import.
    ReadImport(PathBuf),
    /// Load the library again (the routines folder changed).
    Rescan,
    /// Check a sound the person chose for a cue before it is used.
    CheckSound(CueKind, PathBuf),
}

/// What came back.
#[derive(Debug)]
pub enum DiskResult {
    /// A routine was written.
    Saved(PathBuf),
    /// A routine file was removed.
    Deleted(PathBuf),
    /// A routine was exported.
    Exported(PathBuf),
    /// An import file was read: its path and text (not yet validated).
    ImportRead(PathBuf, String),
    /// The library as it is on disk now.
    Rescanned(Library),
    /// A chosen cue sound decoded completely and can be used.
    SoundUsable(CueKind, PathBuf),
    /// Something failed; the message names the file.
    Failed(String),
}

/// Handle to the disk thread.
pub struct DiskWorker {
    jobs: Option<Sender<DiskJob>>,
    results: Receiver<DiskResult>,
    thread: Option<JoinHandle<()>>,
}

impl DiskWorker {
    /// Starts the thread. `routines_dir` is the person's routines folder.
    pub fn start(
        routines_dir: Option<PathBuf>,
        notify: Arc<dyn Fn() + Send + Sync>,
    ) -> std::io::Result<Self> {
        let (jobs, job_receiver) = mpsc::channel::<DiskJob>();
        let (result_sender, results) = mpsc::channel();
        let thread = thread::Builder::new()
            .name("unknot-disk".into())
            .spawn(move || {
                while let Ok(job) = job_receiver.recv() {
                    let result = run_job(job, routines_dir.as_deref());
                    if result_sender.send(result).is_err() {
                        break;
                    }
                    notify();
                }
            })?;
        Ok(Self {
            jobs: Some(jobs),
            results,
            thread: Some(thread),
        })
    }

    /// Queues a job; returns at once.
    pub fn submit(&self, job: DiskJob) {
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(job);
        }
    }

    /// Results that arrived since the last call.
    pub fn drain(&self) -> Vec<DiskResult> {
        self.results.try_iter().collect()
    }
}

impl Drop for DiskWorker {
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Runs one job on the calling thread (the worker's, or a test's).
pub fn run_job(job: DiskJob, routines_dir: Option<&Path>) -> DiskResult {
    match job {
        DiskJob::SaveRoutine {
            path,
            text,
            replaces,
        } => match write_atomically(&path, &text) {
            Ok(()) => {
                if let Some(old) = replaces.filter(|old| *old != path)
                    && let Err(error) = fs::remove_file(&old)
                    && error.kind() != std::io::ErrorKind::NotFound
                {
                    return DiskResult::Failed(format!(
                        "Saved {}, but the old file {} could not be removed: {error}",
                        path.display(),
                        old.display()
                    ));
                }
                DiskResult::Saved(path)
            }
            Err(error) => DiskResult::Failed(format!("Could not save the routine: {error}")),
        },
        DiskJob::DeleteRoutine(path) => match fs::remove_file(&path) {
            Ok(()) => DiskResult::Deleted(path),
            Err(error) => {
                DiskResult::Failed(format!("Could not delete {}: {error}", path.display()))
            }
        },
        DiskJob::Export { path, text } => match write_atomically(&path, &text) {
            Ok(()) => DiskResult::Exported(path),
            Err(error) => DiskResult::Failed(format!("Could not export: {error}")),
        },
        DiskJob::ReadImport(path) => match library::read_capped(&path) {
            Ok(text) => DiskResult::ImportRead(path, text),
            Err(error) => DiskResult::Failed(format!("Could not import: {error}")),
        },
        DiskJob::Rescan => DiskResult::Rescanned(library::load(routines_dir)),
        DiskJob::CheckSound(kind, path) => match audio::load_custom_sound(&path) {
            Ok(_) => DiskResult::SoundUsable(kind, path),
            Err(error) => DiskResult::Failed(audio::custom_sound_message(kind, &path, &error)),
        },
    }
}
