//! Loading and saving preferences. Loading never loses a file: anything that
//! cannot be used is set aside under a dated name. Saving happens on a named
//! thread, atomically, so the window never waits for the disk.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

use crate::core::prefs::{Preferences, parse_preferences, preferences_to_toml};

/// The preferences file name inside the config folder.
pub const PREFS_FILE_NAME: &str = "preferences.toml";

/// Why a save failed.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The folder could not be created or written (read-only, full disk, no permission).
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// The system's reason.
        source: io::Error,
    },
    /// The preferences could not be turned into TOML (a bug).
    #[error("cannot serialise the preferences: {0}")]
    Serialise(#[from] toml::ser::Error),
}

/// Writes `text` to `path` so that a crash leaves either the old file or the
/// new one, never a half-written file: temp file, fsync, rename, fsync folder.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), SaveError> {
    let io_error = |path: &Path| {
        let path = path.to_owned();
        move |source| SaveError::Io { path, source }
    };
    let folder = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(folder).map_err(io_error(folder))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".unknot-")
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(io_error(folder))?;
    temp.write_all(text.as_bytes())
        .map_err(io_error(temp.path()))?;
    temp.as_file().sync_all().map_err(io_error(temp.path()))?;
    temp.persist(path)
        .map_err(|error| io_error(path)(error.error))?;
    // Make the rename itself durable.
    if let Ok(dir) = fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// The result of loading: the preferences to use and, at most once, a notice.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The preferences in force.
    pub prefs: Preferences,
    /// Something the person should be told (a file set aside, say).
    pub notice: Option<String>,
    /// False when saving would overwrite a file that could not be set aside.
    pub may_save: bool,
}

/// Loads preferences from `path`. `stamp` names the backup of a bad file
/// (e.g. `20261121-204813`), so loading stays free of clock reads.
pub fn load(path: &Path, stamp: &str) -> Loaded {
    let text = match fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(text),
            Err(_) => Err("it is not text".to_owned()),
        },
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Loaded {
                prefs: Preferences::default(),
                notice: None,
                may_save: true,
            };
        }
        Err(error) => Err(format!("it cannot be read ({error})")),
    };
    let reason = match text.map(|text| parse_preferences(&text)) {
        Ok(Ok(prefs)) => {
            return Loaded {
                prefs,
                notice: None,
                may_save: true,
            };
        }
        Ok(Err(error)) => error.to_string(),
        Err(reason) => reason,
    };
    let backup = backup_path(path, stamp);
    match fs::rename(path, &backup) {
        Ok(()) => Loaded {
            prefs: Preferences::default(),
            notice: Some(format!(
                "Your preferences could not be used because {reason}. The file was kept as {} and the defaults are in use.",
                backup.display()
            )),
            may_save: true,
        },
        Err(error) => Loaded {
            prefs: Preferences::default(),
            notice: Some(format!(
                "Your preferences could not be used because {reason}, and the file could not be set aside ({error}). The defaults are in use and changes will not be saved, so the file stays as it is."
            )),
            may_save: false,
        },
    }
}

/// `preferences.toml` → `preferences.toml.bad-20261121-204813` (with a counter if taken).
fn backup_path(path: &Path, stamp: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| PREFS_FILE_NAME.to_owned());
    let mut candidate = path.with_file_name(format!("{name}.bad-{stamp}"));
    let mut counter = 2;
    while candidate.exists() {
        candidate = path.with_file_name(format!("{name}.bad-{stamp}-{counter}"));
        counter += 1;
    }
    candidate
}

/// Whether the last save worked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SaveStatus {
    /// Nothing written yet, or the last write worked.
    #[default]
    Saved,
    /// The last write failed; the message says why.
    Failed(String),
    /// Saving is off because a bad file could not be set aside.
    Disabled,
}

/// Saves preferences on a background thread, newest first.
pub struct PrefsSaver {
    sender: Option<Sender<Preferences>>,
    status: Arc<Mutex<SaveStatus>>,
    thread: Option<JoinHandle<()>>,
}

impl PrefsSaver {
    /// Starts the saving thread for `path`. `on_change` is called when the
    /// status changes, so the window can show or clear its notice.
    pub fn start(path: PathBuf, may_save: bool, on_change: Arc<dyn Fn() + Send + Sync>) -> Self {
        let status = Arc::new(Mutex::new(if may_save {
            SaveStatus::Saved
        } else {
            SaveStatus::Disabled
        }));
        if !may_save {
            return Self {
                sender: None,
                status,
                thread: None,
            };
        }
        let (sender, receiver) = mpsc::channel();
        let thread_status = Arc::clone(&status);
        let thread = thread::Builder::new()
            .name("unknot-prefs".into())
            .spawn(move || save_loop(&path, &receiver, &thread_status, on_change.as_ref()));
        match thread {
            Ok(thread) => Self {
                sender: Some(sender),
                status,
                thread: Some(thread),
            },
            Err(error) => {
                *status.lock().unwrap_or_else(PoisonError::into_inner) =
                    SaveStatus::Failed(format!("could not start saving: {error}"));
                Self {
                    sender: None,
                    status,
                    thread: None,
                }
            }
        }
    }

    /// Queues a save; returns at once.
    pub fn save(&self, prefs: &Preferences) {
        if let Some(sender) = &self.sender {
            let _ = sender.send(prefs.clone());
        }
    }

    /// The outcome of the latest save.
    pub fn status(&self) -> SaveStatus {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits for queued saves to finish (on exit).
    pub fn flush(mut self) {
        self.sender = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for PrefsSaver {
    fn drop(&mut self) {
        self.sender = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn save_loop(
    path: &Path,
    receiver: &Receiver<Preferences>,
    status: &Mutex<SaveStatus>,
    on_change: &(dyn Fn() + Send + Sync),
) {
    while let Ok(mut prefs) = receiver.recv() {
        // Only the newest matters when several changes arrive at once (a slider drag).
        while let Ok(newer) = receiver.try_recv() {
            prefs = newer;
        }
        let result = preferences_to_toml(&prefs)
            .map_err(SaveError::from)
            .and_then(|text| write_atomically(path, &text));
        let new_status = match result {
            Ok(()) => SaveStatus::Saved,
            Err(error) => {
                log::warn!("preferences not saved: {error}");
                SaveStatus::Failed(error.to_string())
            }
        };
        let mut current = status.lock().unwrap_or_else(PoisonError::into_inner);
        if *current != new_status {
            *current = new_status;
            drop(current);
            on_change();
        }
    }
}
