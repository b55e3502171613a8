//! History export formats. JSON is serde's; CSV has one row per session with
//! the fields people sort and chart in a spreadsheet.

use crate::store::history_db::SessionRow;

/// One CSV line: flat fields, times as RFC 3339 UTC.
#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq, Eq)]
pub struct CsvRow {
    /// Row id.
    pub id: i64,
    /// Start, UTC.
    pub started_at: String,
    /// End, UTC (empty while running).
    pub ended_at: String,
    /// Routine id.
    pub routine_id: String,
    /// Routine name as played.
    pub routine_name: String,
    /// completed, stopped_early, interrupted or running.
    pub outcome: String,
    /// Planned active seconds.
    pub planned_secs: u32,
    /// Active seconds played.
    pub active_secs: u32,
    /// Steps finished.
    pub steps_done: u32,
    /// Steps planned.
    pub step_count: u32,
    /// Pain before, 0 to 10 (empty if not given).
    pub pain_before: Option<u8>,
    /// Pain after, 0 to 10 (empty if not given).
    pub pain_after: Option<u8>,
    /// Regions, separated by spaces.
    pub regions: String,
    /// Whether heat was used.
    pub heat_used: bool,
    /// Notes.
    pub notes: String,
}

impl From<&SessionRow> for CsvRow {
    fn from(row: &SessionRow) -> Self {
        let stamp = |at: chrono::DateTime<chrono::Utc>| {
            at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        };
        Self {
            id: row.id,
            started_at: stamp(row.started_at),
            ended_at: row.ended_at.map(stamp).unwrap_or_default(),
            routine_id: row.routine_id.clone(),
            routine_name: row.routine_name.clone(),
            outcome: row.outcome.as_str().to_owned(),
            planned_secs: row.planned_secs,
            active_secs: row.active_secs,
            steps_done: row.steps_done,
            step_count: row.step_count,
            pain_before: row.pain_before,
            pain_after: row.pain_after,
            regions: row.regions.join(" "),
            heat_used: row.heat_used,
            notes: row.notes.clone(),
        }
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The CSV writer failed.
    #[error("{0}")]
    Csv(#[from] csv::Error),
    /// The CSV was not UTF-8 (cannot happen with our fields).
    #[error("{0}")]
    Utf8(#[from] std::string::FromUtf8Error),
    /// JSON could not be written.
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    /// Flushing the writer failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The CSV header, in [`CsvRow`] field order (written even when there are no rows).
pub const CSV_HEADER: [&str; 15] = [
    "id",
    "started_at",
    "ended_at",
    "routine_id",
    "routine_name",
    "outcome",
    "planned_secs",
    "active_secs",
    "steps_done",
    "step_count",
    "pain_before",
    "pain_after",
    "regions",
    "heat_used",
    "notes",
];

/// Writes sessions as CSV with a header row.
pub fn to_csv(rows: &[SessionRow]) -> Result<String, ExportError> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    writer.write_record(CSV_HEADER)?;
    for row in rows {
        writer.serialize(CsvRow::from(row))?;
    }
    let bytes = writer.into_inner().map_err(|error| error.into_error())?;
    Ok(String::from_utf8(bytes)?)
}

/// The export file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One row per session, for spreadsheets.
    Csv,
    /// Every field, for other programs.
    Json,
}

impl ExportFormat {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        }
    }
}

/// Writes sessions in the chosen format.
pub fn render(rows: &[SessionRow], format: ExportFormat) -> Result<String, ExportError> {
    match format {
        ExportFormat::Csv => to_csv(rows),
        ExportFormat::Json => Ok(serde_json::to_string_pretty(rows)?),
    }
}
