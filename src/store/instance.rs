//! Which running copy of the app owns a playing session.
//!
//! Each copy holds an exclusive lock on a small file of its own for as long
//! as it runs. The operating system drops the lock the moment the process
//! ends, however it ends (kill -9 included), and keeps it while the process is
//! frozen (SIGSTOP). So the next start can tell at once, without waiting for a
//! heartbeat to age, whether a "running" session's app is still there.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};

use crate::files::{self, FileError};

/// This copy's claim: the lock is held while the value lives.
#[derive(Debug)]
pub struct InstanceLock {
    name: String,
    path: PathBuf,
    _file: File,
}

impl InstanceLock {
    /// Creates and locks a fresh lock file in `dir` (made private if new).
    pub fn acquire(dir: &Path) -> Result<Self, FileError> {
        files::create_private_dir(dir)?;
        let name = format!("{}-{}.lock", std::process::id(), fastrand::u64(..));
        let path = dir.join(&name);
        // Made and locked under a name `sweep` ignores, then renamed: no other
        // copy can ever see this file unlocked and take it for a dead one's.
        let making = dir.join(format!(".{name}.new"));
        let io = |source| FileError::Io {
            path: path.clone(),
            action: "locked",
            source,
        };
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&making)
            .map_err(io)?;
        file.try_lock().map_err(|error| match error {
            TryLockError::Error(error) => io(error),
            TryLockError::WouldBlock => io(std::io::Error::other("already locked")),
        })?;
        fs::rename(&making, &path).map_err(io)?;
        Ok(Self {
            name,
            path,
            _file: file,
        })
    }

    /// The name stored with this copy's sessions.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for InstanceLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Whether the copy that stored `name` is still running. A name that is not
/// a plain lock-file name is treated as dead.
pub fn is_alive(dir: &Path, name: &str) -> bool {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && !name.starts_with('.');
    if !plain {
        return false;
    }
    let Ok(file) = File::options().write(true).open(dir.join(name)) else {
        return false;
    };
    match file.try_lock() {
        Ok(()) => false,
        Err(TryLockError::WouldBlock) => true,
        // Locking not possible here: do not declare anyone dead on a guess.
        Err(TryLockError::Error(_)) => true,
    }
}

/// Whether a copy other than `own` is running now.
pub fn others_alive(dir: &Path, own: Option<&str>) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    entries.filter_map(Result::ok).any(|entry| {
        let name = entry.file_name().to_string_lossy().into_owned();
        name.ends_with(".lock") && Some(name.as_str()) != own && is_alive(dir, &name)
    })
}

/// Removes lock files whose copy has ended (left behind by a crash).
pub fn sweep(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".lock") && !is_alive(dir, &name) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_alive_and_a_dropped_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let lock = InstanceLock::acquire(dir.path()).unwrap();
        let name = lock.name().to_owned();
        assert!(is_alive(dir.path(), &name));
        drop(lock);
        assert!(!is_alive(dir.path(), &name));
        assert!(!is_alive(dir.path(), "../escape"));
    }

    #[test]
    fn sweep_removes_only_dead_locks() {
        let dir = tempfile::tempdir().unwrap();
        let live = InstanceLock::acquire(dir.path()).unwrap();
        fs::write(dir.path().join("1-2.lock"), "").unwrap();
        sweep(dir.path());
        assert!(dir.path().join(live.name()).exists());
        assert!(!dir.path().join("1-2.lock").exists());
    }
}
