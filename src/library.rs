//! The routine library: built-in routines embedded in the binary plus the
//! person's own files, with every problem kept for display instead of hidden.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::core::parse::{MAX_FILE_BYTES, Problem, parse_routine};
use crate::core::routine::Routine;

/// The built-in routine files, embedded so the app works from any folder.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "endorphin-15.toml",
        include_str!("../sessions/endorphin-15.toml"),
    ),
    (
        "lower-back-heat.toml",
        include_str!("../sessions/lower-back-heat.toml"),
    ),
    (
        "shoulders-to-lower-back.toml",
        include_str!("../sessions/shoulders-to-lower-back.toml"),
    ),
    (
        "trigger-points.toml",
        include_str!("../sessions/trigger-points.toml"),
    ),
    (
        "quick-tension-break.toml",
        include_str!("../sessions/quick-tension-break.toml"),
    ),
    (
        "evening-wind-down.toml",
        include_str!("../sessions/evening-wind-down.toml"),
    ),
];

/// The routine the app suggests first.
pub const DEFAULT_ROUTINE_ID: &str = "endorphin-15";

/// Where a routine came from, so the UI can say which ones are editable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoutineSource {
    /// Shipped inside the app; read-only.
    BuiltIn(&'static str),
    /// A file in the person's routines folder.
    File(PathBuf),
}

/// A routine with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryEntry {
    /// The parsed routine.
    pub routine: Routine,
    /// Its origin.
    pub source: RoutineSource,
}

/// Everything loaded, good and bad.
#[derive(Debug, Clone, Default)]
pub struct Library {
    /// Valid routines: built-ins first, then the person's own by file name.
    pub entries: Vec<LibraryEntry>,
    /// Every problem found, each naming its file, line and field.
    pub problems: Vec<Problem>,
}

impl Library {
    /// Finds a routine by id.
    pub fn find(&self, id: &str) -> Option<&LibraryEntry> {
        self.entries.iter().find(|entry| entry.routine.id == id)
    }

    /// Adds a parsed file, refusing an id that is already taken.
    fn add(&mut self, label: String, source: RoutineSource, text: &str) {
        match parse_routine(&label, text) {
            Ok(routine) => {
                if let Some(existing) = self.find(&routine.id) {
                    let owner = match &existing.source {
                        RoutineSource::BuiltIn(name) => format!("built-in routine {name}"),
                        RoutineSource::File(path) => path.display().to_string(),
                    };
                    self.problems.push(Problem {
                        file: label,
                        line: None,
                        field: Some("id".into()),
                        reason: format!(
                            "id \"{}\" is already used by {owner}; give this routine another id",
                            routine.id
                        ),
                    });
                } else {
                    self.entries.push(LibraryEntry { routine, source });
                }
            }
            Err(problems) => self.problems.extend(problems),
        }
    }
}

/// Loads only the built-in routines.
pub fn load_builtin() -> Library {
    let mut library = Library::default();
    for (name, text) in BUILTIN_FILES {
        library.add(
            format!("built-in {name}"),
            RoutineSource::BuiltIn(name),
            text,
        );
    }
    library
}

/// Loads the built-ins and every `*.toml` in `user_dir` (if it exists).
pub fn load(user_dir: Option<&Path>) -> Library {
    let mut library = load_builtin();
    let Some(dir) = user_dir else {
        return library;
    };
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return library,
        Err(error) => {
            library.problems.push(Problem {
                file: dir.display().to_string(),
                line: None,
                field: None,
                reason: format!("cannot read the routines folder: {error}"),
            });
            return library;
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        add_file(&mut library, &path);
    }
    library
}

/// Reads one routine file into the library, reporting unreadable or oversized files.
fn add_file(library: &mut Library, path: &Path) {
    let label = path.display().to_string();
    match read_capped(path) {
        Ok(text) => library.add(label, RoutineSource::File(path.to_owned()), &text),
        Err(error) => library.problems.push(Problem {
            file: label,
            line: None,
            field: None,
            reason: error.to_string(),
        }),
    }
}

/// Why a routine file could not be read as text.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened (missing, no permission).
    #[error("cannot open: {0}")]
    Open(std::io::Error),
    /// Reading failed part-way.
    #[error("cannot read: {0}")]
    Read(std::io::Error),
    /// Over the size limit; refused before parsing.
    #[error("file is larger than {limit_kib} KiB; routine files may be at most that")]
    TooLarge {
        /// The limit in KiB.
        limit_kib: usize,
    },
    /// Not text.
    #[error("not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
}

/// Reads a text file of at most [`MAX_FILE_BYTES`], without loading a huge one into memory.
pub fn read_capped(path: &Path) -> Result<String, ReadError> {
    let file = fs::File::open(path).map_err(ReadError::Open)?;
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_FILE_BYTES).unwrap_or(u64::MAX) + 1;
    file.take(limit)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Read)?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge {
            limit_kib: MAX_FILE_BYTES / 1024,
        });
    }
    String::from_utf8(bytes).map_err(|error| ReadError::NotUtf8 {
        offset: error.utf8_error().valid_up_to(),
    })
}

/// Validates files for `unknot check`: each on its own, then ids across them
/// and against the built-ins. Returns the routines that passed and every problem.
pub fn check_files(paths: &[PathBuf]) -> (Vec<(PathBuf, Routine)>, Vec<Problem>) {
    let mut library = load_builtin();
    let builtin_count = library.entries.len();
    for path in paths {
        add_file(&mut library, path);
    }
    let passed = library
        .entries
        .into_iter()
        .skip(builtin_count)
        .filter_map(|entry| match entry.source {
            RoutineSource::File(path) => Some((path, entry.routine)),
            RoutineSource::BuiltIn(_) => None,
        })
        .collect();
    (passed, library.problems)
}
