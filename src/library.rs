//! The routine library: built-in routines embedded in the binary plus the
//! person's own files, with every problem kept for display instead of hidden.

use std::fs;
use std::path::{Path, PathBuf};

use crate::core::parse::{MAX_FILE_BYTES, Problem, parse_routine, top_level_line};
use crate::core::routine::Routine;
use crate::files::{self, FileError};

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
    (
        "desk-reset.toml",
        include_str!("../sessions/desk-reset.toml"),
    ),
    ("wall-ball.toml", include_str!("../sessions/wall-ball.toml")),
    (
        "neck-and-upper-back.toml",
        include_str!("../sessions/neck-and-upper-back.toml"),
    ),
    (
        "side-lying-release.toml",
        include_str!("../sessions/side-lying-release.toml"),
    ),
    (
        "floor-foam-roller.toml",
        include_str!("../sessions/floor-foam-roller.toml"),
    ),
    (
        "hips-and-glutes.toml",
        include_str!("../sessions/hips-and-glutes.toml"),
    ),
    (
        "acupressure-course.toml",
        include_str!("../sessions/acupressure-course.toml"),
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

/// Reads a routine file as `unknot check` does: the format's rules, and
/// only symbols the app can draw.
pub fn parse_checked(label: &str, text: &str) -> Result<Routine, Vec<Problem>> {
    let routine = parse_routine(label, text)?;
    let problems = crate::glyphs::problems(label, &routine);
    if problems.is_empty() {
        Ok(routine)
    } else {
        Err(problems)
    }
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

    /// Adds a parsed file, refusing an id that is already taken. A file
    /// that says exactly what the built-in of the same id says is no clash:
    /// it is the same routine, kept once.
    fn add(&mut self, label: String, source: RoutineSource, text: &str) {
        match parse_checked(&label, text) {
            Ok(routine) => {
                if let Some(existing) = self.find(&routine.id)
                    && matches!(existing.source, RoutineSource::BuiltIn(_))
                    && existing.routine == routine
                {
                    return;
                }
                if let Some(existing) = self.find(&routine.id) {
                    let owner = match &existing.source {
                        RoutineSource::BuiltIn(name) => format!("built-in routine {name}"),
                        RoutineSource::File(path) => path.display().to_string(),
                    };
                    self.problems.push(Problem {
                        file: label,
                        line: top_level_line(text, "id"),
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
            reason: error.reason(),
        }),
    }
}

/// Reads a routine file: a regular file of at most [`MAX_FILE_BYTES`] of UTF-8 text.
pub fn read_capped(path: &Path) -> Result<String, FileError> {
    files::read_text(path, u64::try_from(MAX_FILE_BYTES).unwrap_or(u64::MAX))
}

/// Validates files for `unknot check`: each on its own, then ids across them
/// and against the built-ins. Returns the routines that passed and every problem.
///
/// A file named like a built-in (`sessions/endorphin-15.toml`) is checked as
/// the new version of that built-in, so editing one can be checked before it
/// is compiled in.
pub fn check_files(paths: &[PathBuf]) -> (Vec<(PathBuf, Routine)>, Vec<Problem>) {
    let replaced: Vec<&str> = paths
        .iter()
        .filter_map(|path| path.file_name()?.to_str())
        .collect();
    let mut library = Library::default();
    for (name, text) in BUILTIN_FILES {
        if !replaced.contains(name) {
            library.add(
                format!("built-in {name}"),
                RoutineSource::BuiltIn(name),
                text,
            );
        }
    }
    let mut passed = Vec::new();
    for path in paths {
        let before = library.entries.len();
        let problems = library.problems.len();
        add_file(&mut library, path);
        if library.entries.len() > before {
            if let Some(entry) = library.entries.last() {
                passed.push((path.clone(), entry.routine.clone()));
            }
        } else if library.problems.len() == problems
            && let Ok(text) = read_capped(path)
            && let Ok(routine) = parse_checked(&path.display().to_string(), &text)
        {
            // The same as a built-in: fine, and kept once.
            passed.push((path.clone(), routine));
        }
    }
    (passed, library.problems)
}
