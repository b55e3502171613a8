//! Where the person's files live. One place decides, so the README, the
//! library screen and the tests agree.

use std::path::{Path, PathBuf};

/// The folders the app reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPaths {
    /// Data: the person's routines (and, later, history).
    pub data_dir: PathBuf,
}

impl AppPaths {
    /// Uses `override_dir` when given (tests, benchmarks, `--data-dir`), else the OS default.
    pub fn resolve(override_dir: Option<&Path>) -> Option<Self> {
        let data_dir = match override_dir {
            Some(dir) => dir.to_owned(),
            None => directories::ProjectDirs::from("", "", "unknot")?
                .data_dir()
                .to_owned(),
        };
        Some(Self { data_dir })
    }

    /// The person's own routine files.
    pub fn routines_dir(&self) -> PathBuf {
        self.data_dir.join("sessions")
    }
}
