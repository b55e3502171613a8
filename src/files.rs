//! The one way in and out for the person's files: preferences, routines,
//! imports, custom sounds, exports and the history's folder.
//!
//! Reading accepts regular files only. The file is opened without waiting (a
//! FIFO with no writer cannot hang the caller), its kind is checked on the open
//! handle, and the bytes are read through a hard cap that does not trust the
//! size the file system reports (a link to `/dev/zero` says 0 bytes). Writing
//! goes through a temporary file, `fsync` and a rename, refuses to replace
//! anything that is not a regular file, and creates files readable by the
//! person only.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Why a file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The path exists but is a FIFO, a device, a folder or a socket.
    #[error("{} is {kind}, not a regular file", path.display())]
    NotRegular {
        /// The path concerned.
        path: PathBuf,
        /// What it is instead, in words ("a folder", "a named pipe (FIFO)").
        kind: &'static str,
    },
    /// More bytes than the cap allows.
    #[error("{} is larger than {}", path.display(), describe_size(*limit))]
    TooLarge {
        /// The path concerned.
        path: PathBuf,
        /// The cap in bytes.
        limit: u64,
    },
    /// Not UTF-8 text where text was expected.
    #[error("{} is not UTF-8 text (invalid byte at offset {offset})", path.display())]
    NotText {
        /// The path concerned.
        path: PathBuf,
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The system refused (missing, no permission, read-only, disk full).
    #[error("{} cannot be {action}: {source}", path.display())]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// "opened", "read", "written"…
        action: &'static str,
        /// The system's reason.
        source: io::Error,
    },
}

impl FileError {
    /// Whether the file simply does not exist (often not an error at all).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
    }

    /// The reason without the path, for messages that name the file already.
    pub fn reason(&self) -> String {
        match self {
            Self::NotRegular { kind, .. } => format!("it is {kind}, not a regular file"),
            Self::TooLarge { limit, .. } => format!("it is larger than {}", describe_size(*limit)),
            Self::NotText { offset, .. } => {
                format!("it is not UTF-8 text (invalid byte at offset {offset})")
            }
            Self::Io { action, source, .. } => format!("it cannot be {action}: {source}"),
        }
    }

    /// Turns an I/O error on `path` while doing `action` into this type.
    pub fn io(path: &Path, action: &'static str) -> impl FnOnce(io::Error) -> Self {
        let path = path.to_owned();
        move |source| Self::Io {
            path,
            action,
            source,
        }
    }
}

fn describe_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / 1024 / 1024)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// Names a file type that is not a regular file, or `None` for a regular file.
fn irregular_kind(file_type: fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return Some("a device");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// Opens `path` for reading without ever blocking on the open itself.
fn open_for_reading(path: &Path) -> Result<fs::File, FileError> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A FIFO opened for reading waits for a writer; a non-blocking open
        // returns at once, and the kind check below then refuses it.
        let flags = rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY;
        options.custom_flags(i32::try_from(flags.bits()).unwrap_or(0));
    }
    options.open(path).map_err(FileError::io(path, "opened"))
}

/// Reads a regular file of at most `limit` bytes.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    let file = open_for_reading(path)?;
    let metadata = file.metadata().map_err(FileError::io(path, "read"))?;
    if let Some(kind) = irregular_kind(metadata.file_type()) {
        return Err(FileError::NotRegular {
            path: path.to_owned(),
            kind,
        });
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(FileError::io(path, "read"))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(FileError::TooLarge {
            path: path.to_owned(),
            limit,
        });
    }
    Ok(bytes)
}

/// Reads a regular UTF-8 text file of at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> Result<String, FileError> {
    let bytes = read_bytes(path, limit)?;
    String::from_utf8(bytes).map_err(|error| FileError::NotText {
        path: path.to_owned(),
        offset: error.utf8_error().valid_up_to(),
    })
}

/// Checks that `path` is a regular file or does not exist, without following
/// a final symbolic link: a write must never replace a link, FIFO or device.
pub fn check_replaceable(path: &Path) -> Result<(), FileError> {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => Err(FileError::NotRegular {
            path: path.to_owned(),
            kind: "a symbolic link",
        }),
        Ok(metadata) => match irregular_kind(metadata.file_type()) {
            Some(kind) => Err(FileError::NotRegular {
                path: path.to_owned(),
                kind,
            }),
            None => Ok(()),
        },
        // Missing, or a parent that is not a folder: creating the folder
        // then says what is wrong more plainly.
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(())
        }
        Err(error) => Err(FileError::io(path, "checked")(error)),
    }
}

/// Creates a folder (and its parents) that only the person can open.
pub fn create_private_dir(dir: &Path) -> Result<(), FileError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(FileError::io(dir, "created"))
}

/// Makes an existing folder of the app's own openable by the person only.
pub fn make_private_dir(dir: &Path) -> Result<(), FileError> {
    set_mode(dir, 0o700)
}

/// Makes an existing file readable and writable by the person only.
pub fn make_private(path: &Path) -> Result<(), FileError> {
    set_mode(path, 0o600)
}

fn set_mode(path: &Path, mode: u32) -> Result<(), FileError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
            .map_err(FileError::io(path, "made private"))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// Writes `bytes` to `path` so that a crash leaves either the old file or the
/// new one, never a half-written file: temp file (mode 0600), fsync, rename,
/// fsync the folder. Refuses to replace anything but a regular file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    check_replaceable(path)?;
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    create_private_dir(folder)?;
    // tempfile creates the file with mode 0600, so the result is private.
    let mut temp = tempfile::Builder::new()
        .prefix(".unknot-")
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(FileError::io(folder, "written"))?;
    temp.write_all(bytes)
        .map_err(FileError::io(path, "written"))?;
    temp.as_file()
        .sync_all()
        .map_err(FileError::io(path, "written"))?;
    temp.persist(path)
        .map_err(|error| FileError::io(path, "written")(error.error))?;
    // Make the rename itself durable.
    if let Ok(dir) = fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// `name` → `name.bad-<stamp>` beside it, with a counter if that is taken.
pub fn set_aside_name(path: &Path, stamp: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_owned());
    let mut candidate = path.with_file_name(format!("{name}.bad-{stamp}"));
    let mut counter = 2_u32;
    while fs::symlink_metadata(&candidate).is_ok() {
        candidate = path.with_file_name(format!("{name}.bad-{stamp}-{counter}"));
        counter = counter.saturating_add(1);
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_counts_bytes_read_not_the_reported_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.toml");
        fs::write(&path, vec![b'a'; 1025]).unwrap();
        assert!(matches!(
            read_bytes(&path, 1024),
            Err(FileError::TooLarge { limit: 1024, .. })
        ));
        assert_eq!(read_bytes(&path, 1025).unwrap().len(), 1025);
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_folders_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("zero.wav");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let error = read_bytes(&link, 1024).unwrap_err();
        assert!(
            error.to_string().contains("zero.wav is a device"),
            "{error}"
        );
        let error = read_bytes(dir.path(), 1024).unwrap_err();
        assert!(error.to_string().contains("is a folder"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn writes_never_replace_a_link_and_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.csv");
        fs::write(&target, "keep").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(write_atomically(&link, b"new").is_err());
        assert_eq!(fs::read_to_string(&target).unwrap(), "keep");
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );

        let fresh = dir.path().join("sub").join("out.csv");
        write_atomically(&fresh, b"rows").unwrap();
        let mode = fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let folder_mode = fs::metadata(fresh.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(folder_mode, 0o700);
    }
}
