//! The history screen's state, and the commands and replies that change it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{Datelike, Duration as Days, NaiveDate};

use super::UnknotApp;
use super::command::HistoryCommand;
use super::dialogs::DialogTarget;
use super::screen::Screen;
use crate::core::history::HistoryFilter;
use crate::store::export::ExportFormat;
use crate::store::history_db::SessionRow;
use crate::store::history_worker::{HistoryQuery, HistoryReply, HistoryView};

/// Rows fetched per request.
pub const PAGE_ROWS: u64 = 100;
/// Pages kept in memory; the ones farthest from view are dropped first.
const MAX_PAGES_KEPT: usize = 40;

/// A quick choice of dates for the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRange {
    /// No date limit.
    AllTime,
    /// Today and the six days before.
    LastWeek,
    /// The last 30 days.
    LastMonth,
    /// The last twelve weeks.
    LastTwelveWeeks,
    /// Since 1 January.
    ThisYear,
    /// Typed dates.
    Custom,
}

impl DateRange {
    /// Every choice, in the order offered.
    pub const ALL: [DateRange; 6] = [
        DateRange::AllTime,
        DateRange::LastWeek,
        DateRange::LastMonth,
        DateRange::LastTwelveWeeks,
        DateRange::ThisYear,
        DateRange::Custom,
    ];

    /// The words on the filter button.
    pub fn label(self) -> &'static str {
        match self {
            DateRange::AllTime => "All dates",
            DateRange::LastWeek => "Last 7 days",
            DateRange::LastMonth => "Last 30 days",
            DateRange::LastTwelveWeeks => "Last 12 weeks",
            DateRange::ThisYear => "This year",
            DateRange::Custom => "Between dates",
        }
    }

    /// The dates this choice means on `today` (`None` for typed dates).
    pub fn dates(self, today: NaiveDate) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
        let back = |days: i64| Some((Some(today - Days::days(days)), None));
        match self {
            DateRange::AllTime => Some((None, None)),
            DateRange::LastWeek => back(6),
            DateRange::LastMonth => back(29),
            DateRange::LastTwelveWeeks => back(83),
            DateRange::ThisYear => Some((today.with_ordinal(1), None)),
            DateRange::Custom => None,
        }
    }
}

/// The detail view of one session, with the person's edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    /// The session as stored.
    pub row: SessionRow,
    /// Pain before as edited.
    pub pain_before: Option<u8>,
    /// Pain after as edited.
    pub pain_after: Option<u8>,
    /// Notes as edited.
    pub notes: String,
    /// Waiting for "Delete" to be confirmed.
    pub confirm_delete: bool,
}

impl Detail {
    /// Opens a session for editing.
    pub fn new(row: SessionRow) -> Self {
        Self {
            pain_before: row.pain_before,
            pain_after: row.pain_after,
            notes: row.notes.clone(),
            row,
            confirm_delete: false,
        }
    }

    /// Whether there is anything to save.
    pub fn changed(&self) -> bool {
        self.pain_before != self.row.pain_before
            || self.pain_after != self.row.pain_after
            || self.notes != self.row.notes
    }
}

/// The history screen's state.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryState {
    /// The filter in force.
    pub filter: HistoryFilter,
    /// The date choice.
    pub range: DateRange,
    /// "From" as typed (custom dates).
    pub from_text: String,
    /// "To" as typed (custom dates).
    pub to_text: String,
    /// The latest query sent; older answers are ignored.
    pub generation: u64,
    /// The latest answer.
    pub view: Option<Box<HistoryView>>,
    /// Rows by page number.
    pub pages: BTreeMap<u64, Vec<SessionRow>>,
    /// Pages asked for and not yet here.
    pub requested: BTreeSet<u64>,
    /// The open session.
    pub detail: Option<Detail>,
    /// The last deleted session, for "Undo".
    pub deleted: Option<SessionRow>,
    /// Whether the export bar is open.
    pub exporting: bool,
    /// In a narrow window, the charts show instead of the table.
    pub show_charts: bool,
    /// Export format.
    pub export_format: ExportFormat,
    /// Export path as typed or picked.
    pub export_path: String,
    /// A passing result ("Saved.") shown beside the heading.
    pub message: Option<String>,
    /// Something that went wrong, shown in a notice until dismissed.
    pub problem: Option<String>,
}

impl HistoryState {
    /// A fresh screen with no filter; `export_folder` is where exports go by default.
    pub fn new(export_folder: &std::path::Path) -> Self {
        Self {
            filter: HistoryFilter::default(),
            range: DateRange::AllTime,
            from_text: String::new(),
            to_text: String::new(),
            generation: 0,
            view: None,
            pages: BTreeMap::new(),
            requested: BTreeSet::new(),
            detail: None,
            deleted: None,
            exporting: false,
            show_charts: false,
            export_format: ExportFormat::Csv,
            export_path: export_folder
                .join("unknot-history.csv")
                .display()
                .to_string(),
            message: None,
            problem: None,
        }
    }

    /// Takes a new view: the first page replaces whatever was cached.
    pub fn accept_view(&mut self, view: Box<HistoryView>) {
        if view.generation != self.generation {
            return;
        }
        self.pages.clear();
        self.requested.clear();
        self.pages.insert(0, view.first_page.clone());
        if let Some(detail) = &mut self.detail
            && let Some(fresh) = view.first_page.iter().find(|row| row.id == detail.row.id)
        {
            detail.row = fresh.clone();
        }
        self.view = Some(view);
    }

    /// Takes a page of rows, dropping far-away pages to bound memory.
    pub fn accept_page(&mut self, generation: u64, offset: u64, rows: Vec<SessionRow>) {
        if generation != self.generation {
            return;
        }
        let page = offset / PAGE_ROWS;
        self.requested.remove(&page);
        self.pages.insert(page, rows);
        while self.pages.len() > MAX_PAGES_KEPT {
            let farthest = self
                .pages
                .keys()
                .copied()
                .max_by_key(|kept| kept.abs_diff(page));
            match farthest {
                Some(far) => {
                    self.pages.remove(&far);
                }
                None => break,
            }
        }
    }

    /// The row at `index`, if its page is here.
    pub fn row(&self, index: u64) -> Option<&SessionRow> {
        self.pages
            .get(&(index / PAGE_ROWS))
            .and_then(|rows| rows.get((index % PAGE_ROWS) as usize))
    }

    /// The rows the table currently has, in order (tests).
    pub fn loaded_rows(&self) -> impl Iterator<Item = &SessionRow> {
        self.pages.values().flatten()
    }

    /// Switches the export format, changing the path's extension to match.
    pub fn export_path_for(&mut self, format: ExportFormat) {
        let path = std::path::PathBuf::from(self.export_path.trim());
        self.export_path = path
            .with_extension(format.extension())
            .display()
            .to_string();
        self.export_format = format;
    }
}

impl UnknotApp {
    /// Applies a command from the history screen.
    pub(super) fn run_history(&mut self, command: HistoryCommand) {
        match command {
            HistoryCommand::Query => self.query_history(),
            HistoryCommand::LoadPage(offset) => {
                if let (Screen::History(state), Some(history)) = (&self.screen, &self.deps.history)
                {
                    history.page(state.generation, state.filter.clone(), offset, PAGE_ROWS);
                }
            }
            HistoryCommand::EditSession {
                id,
                pain_before,
                pain_after,
                notes,
            } => {
                if let Some(history) = &self.deps.history {
                    history.edit(id, pain_before, pain_after, notes);
                }
            }
            HistoryCommand::DeleteSession(id) => {
                if let Some(history) = &self.deps.history {
                    history.delete(id);
                }
            }
            HistoryCommand::UndoDelete => {
                if let Screen::History(state) = &mut self.screen
                    && let Some(row) = state.deleted.take()
                    && let Some(history) = &self.deps.history
                {
                    history.restore(row);
                }
            }
            HistoryCommand::ForgetDeleted => {
                if let Screen::History(state) = &mut self.screen {
                    state.deleted = None;
                }
            }
            HistoryCommand::Export(path) => {
                if let (Screen::History(state), Some(history)) = (&self.screen, &self.deps.history)
                {
                    history.export(state.filter.clone(), state.export_format, path);
                }
            }
            HistoryCommand::BrowseExport => {
                if let Screen::History(state) = &self.screen {
                    let start = PathBuf::from(state.export_path.trim());
                    let filter = match state.export_format {
                        ExportFormat::Csv => ("CSV", &["csv"][..]),
                        ExportFormat::Json => ("JSON", &["json"][..]),
                    };
                    self.open_dialog(DialogTarget::HistoryExport, start, true, filter);
                }
            }
            HistoryCommand::DismissNotice => {
                if let Some(history) = &self.deps.history {
                    history.dismiss_notice();
                }
            }
        }
    }

    /// Opens the history screen and asks for its first view.
    pub(super) fn show_history(&mut self) {
        self.screen = Screen::History(Box::new(HistoryState::new(&super::dialogs::home_folder())));
        self.query_history();
    }

    /// Asks the history thread for the screen's view under its current filter.
    pub(super) fn query_history(&mut self) {
        let Screen::History(state) = &mut self.screen else {
            return;
        };
        let Some(history) = &self.deps.history else {
            state.problem = Some("The history is not available in this run.".into());
            state.view = Some(Box::default());
            return;
        };
        state.generation += 1;
        history.query(HistoryQuery {
            generation: state.generation,
            filter: state.filter.clone(),
            today: self.deps.clock.today(),
            page_size: PAGE_ROWS,
        });
    }

    /// Applies what the history thread sent back.
    pub(super) fn apply_history_reply(&mut self, reply: HistoryReply) {
        let requery = {
            if let HistoryReply::Course(sessions) = reply {
                self.course_sessions = Some(sessions);
                return;
            }
            if let HistoryReply::LastHeat(at) = reply {
                if let Screen::Setup(setup) = &mut self.screen {
                    setup.last_heat = at;
                }
                return;
            }
            let Screen::History(state) = &mut self.screen else {
                if let HistoryReply::Failed(message) = reply {
                    self.notice = Some(message);
                }
                return;
            };
            match reply {
                HistoryReply::View(view) => {
                    state.accept_view(view);
                    false
                }
                HistoryReply::Page {
                    generation,
                    offset,
                    rows,
                } => {
                    state.accept_page(generation, offset, rows);
                    false
                }
                HistoryReply::Edited(id) => {
                    if let Some(detail) = &mut state.detail
                        && detail.row.id == id
                    {
                        detail.row.pain_before = detail.pain_before;
                        detail.row.pain_after = detail.pain_after;
                        detail.row.notes = detail.notes.clone();
                    }
                    state.message = Some("Saved.".into());
                    true
                }
                HistoryReply::Deleted(row) => {
                    if state
                        .detail
                        .as_ref()
                        .is_some_and(|detail| detail.row.id == row.id)
                    {
                        state.detail = None;
                    }
                    state.deleted = Some(*row);
                    true
                }
                HistoryReply::Restored(_) => true,
                HistoryReply::Exported { path, count } => {
                    state.message = Some(format!(
                        "Exported {count} session{} to {}.",
                        if count == 1 { "" } else { "s" },
                        path.display()
                    ));
                    false
                }
                HistoryReply::LastHeat(_) | HistoryReply::Course(_) => false,
                HistoryReply::Reopened => {
                    state.problem = None;
                    true
                }
                HistoryReply::Failed(message) => {
                    state.problem = Some(message);
                    // Stop the "reading" spinner: there is nothing more coming.
                    if state.view.is_none() {
                        state.view = Some(Box::default());
                    }
                    false
                }
            }
        };
        if requery {
            self.query_history();
        }
    }
}
