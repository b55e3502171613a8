//! `unknot remind`: at login, a notification when a course session is due.
//! It reads the preferences and the history without changing either (a
//! damaged file stays where it is for the window to deal with), shows at
//! most one notification and exits.

use anyhow::Context as _;
use chrono::NaiveDate;

use crate::core::course::{self, Reminder};
use crate::core::prefs::parse_preferences;
use crate::files;
use crate::paths::AppPaths;
use crate::store::history_db;
use crate::store::prefs_store::MAX_PREFS_BYTES;

/// The reminder due `today` for the files at `paths`: `None` when reminders
/// are off, no course is planned, or no session is due.
pub fn due(paths: &AppPaths, today: NaiveDate) -> anyhow::Result<Option<Reminder>> {
    let prefs_path = paths.prefs_path();
    let prefs = match files::read_text(&prefs_path, MAX_PREFS_BYTES) {
        Ok(text) => {
            parse_preferences(&text).with_context(|| format!("reading {}", prefs_path.display()))?
        }
        // Never set up: reminders were never turned on.
        Err(error) if error.is_not_found() => return Ok(None),
        Err(error) => return Err(error).context("reading the preferences"),
    };
    let Some(plan) = prefs.course.filter(|_| prefs.remind_course) else {
        return Ok(None);
    };
    let history_path = paths.history_path();
    let sessions = match history_db::open_read_only(&history_path) {
        Ok(history) => {
            history_db::course_sessions(&history.conn, &plan.routine_id, plan.started_on)
                .with_context(|| format!("reading {}", history_path.display()))?
        }
        // No session played yet.
        Err(history_db::HistoryError::File(error)) if error.is_not_found() => Vec::new(),
        Err(error) => {
            return Err(error).with_context(|| format!("reading {}", history_path.display()));
        }
    };
    let library = crate::library::load(Some(&paths.routines_dir()));
    let name = library.find(&plan.routine_id).map_or_else(
        || plan.routine_id.clone(),
        |entry| entry.routine.name.clone(),
    );
    Ok(course::reminder(&plan, &name, &sessions, today))
}

/// Shows `reminder` over the session bus.
pub fn notify(reminder: &Reminder) -> anyhow::Result<()> {
    let connection = zbus::blocking::connection::Builder::session()
        .and_then(|builder| builder.method_timeout(crate::desktop::BUS_TIMEOUT).build())
        .context("connecting to the session bus")?;
    crate::desktop::notify::send_once(&connection, &reminder.summary, &reminder.body)
        .context("asking the notification service")?;
    Ok(())
}
