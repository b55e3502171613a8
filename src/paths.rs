//! Where the person's files live. One place decides, so the README, the
//! screens and the tests agree.

use std::path::{Path, PathBuf};

use crate::store::prefs_store::PREFS_FILE_NAME;

/// The folders the app reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPaths {
    /// Data: the person's routines (and, later, history).
    pub data_dir: PathBuf,
    /// Configuration: preferences.
    pub config_dir: PathBuf,
}

impl AppPaths {
    /// Uses the overrides when given (tests, benchmarks, `--data-dir`,
    /// `--config-dir`), else the OS defaults. With only a data override, the
    /// config goes inside it, so a test folder holds everything.
    pub fn resolve(data_override: Option<&Path>, config_override: Option<&Path>) -> Option<Self> {
        let project = directories::ProjectDirs::from("", "", "unknot");
        let data_dir = match data_override {
            Some(dir) => dir.to_owned(),
            None => project.as_ref()?.data_dir().to_owned(),
        };
        let config_dir = match (config_override, data_override) {
            (Some(dir), _) => dir.to_owned(),
            (None, Some(data)) => data.join("config"),
            (None, None) => project.as_ref()?.config_dir().to_owned(),
        };
        Some(Self {
            data_dir,
            config_dir,
        })
    }

    /// The person's own routine files.
    pub fn routines_dir(&self) -> PathBuf {
        self.data_dir.join("sessions")
    }

    /// The session history database.
    pub fn history_path(&self) -> PathBuf {
        self.data_dir.join("history.sqlite3")
    }

    /// The preferences file.
    pub fn prefs_path(&self) -> PathBuf {
        self.config_dir.join(PREFS_FILE_NAME)
    }
}
