//! Loading and saving preferences. Loading never loses a file: anything that
//! cannot be used is set aside under a dated name. Saving happens on a named
//! thread, atomically, so the window never waits for the disk.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

use crate::core::prefs::{Preferences, parse_preferences, preferences_to_toml};
use crate::files::{self, FileError};

/// The preferences file name inside the config folder.
pub const PREFS_FILE_NAME: &str = "preferences.toml";

/// Why a save failed.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The file or its folder could not be written (read-only, full disk,
    /// no permission, or something other than a regular file in the way).
    #[error(transparent)]
    File(#[from] FileError),
    /// The preferences could not be turned into TOML (a bug).
    #[error("cannot serialise the preferences: {0}")]
    Serialise(#[from] toml::ser::Error),
}

/// Preferences files larger than this are refused (they are a few KiB).
pub const MAX_PREFS_BYTES: u64 = 256 * 1024;

/// Writes `text` atomically and privately; see [`files::write_atomically`].
pub fn write_atomically(path: &Path, text: &str) -> Result<(), SaveError> {
    Ok(files::write_atomically(path, text.as_bytes())?)
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
    let text = match files::read_text(path, MAX_PREFS_BYTES) {
        Ok(text) => Ok(text),
        Err(error) if error.is_not_found() => {
            return Loaded {
                prefs: Preferences::default(),
                notice: None,
                may_save: true,
            };
        }
        // Not a regular file: leave it where it is and do not write over it.
        Err(error @ FileError::NotRegular { .. }) => {
            return Loaded {
                prefs: Preferences::default(),
                notice: Some(format!(
                    "Your preferences could not be read: {error}. The defaults are in use and changes will not be saved until it is replaced by a regular file."
                )),
                may_save: false,
            };
        }
        Err(error) => Err(error.to_string()),
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
    let backup = files::set_aside_name(path, stamp);
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
