//! The import/export screen's state.

use std::path::PathBuf;

use super::editor::EditorState;
use crate::core::routine::Routine;

/// Which way the file goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Direction {
    /// Bring a routine file into the person's routines folder.
    Import,
    /// Write this routine to a file of the person's choosing.
    Export(Routine),
}

/// What to do with an imported routine whose id is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportChoice {
    /// Overwrite the person's own routine with that id.
    Replace,
    /// Keep both: import under a new id.
    Rename,
}

/// An imported routine waiting for the person's choice about a clashing id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingImport {
    /// The routine as read from the file.
    pub routine: Routine,
    /// The name of the routine that already has this id.
    pub existing_name: String,
    /// Whether that routine is built in (and so cannot be replaced).
    pub existing_is_builtin: bool,
}

/// The import/export screen's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferState {
    /// Import or export.
    pub direction: Direction,
    /// The path as typed or picked.
    pub path_text: String,
    /// A result or problem to show.
    pub message: Option<String>,
    /// An import waiting for a choice.
    pub pending: Option<PendingImport>,
    /// The editor to return to after an export from it.
    pub return_to_editor: Option<Box<EditorState>>,
}

impl TransferState {
    /// A new import or export, starting from `suggested` as the path.
    pub fn new(direction: Direction, suggested: PathBuf) -> Self {
        Self {
            direction,
            path_text: suggested.display().to_string(),
            message: None,
            pending: None,
            return_to_editor: None,
        }
    }
}
