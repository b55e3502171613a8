//! The command line: the window's flags and the subcommands. Kept apart from
//! `main.rs` so the man page and the shell completions are made from the same
//! definition (`unknot generate`).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::core::scale::{MAX_LENGTH_SECS, MIN_LENGTH_SECS};

/// Guided self-massage and heat routines for back pain.
#[derive(Parser)]
#[command(name = "unknot", version, about)]
pub struct Cli {
    /// Use this folder for your routines instead of the usual data folder.
    #[arg(long, env = "UNKNOT_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Keep preferences in this folder (default: the system's config folder,
    /// or DATA_DIR/config when --data-dir is given).
    #[arg(long, env = "UNKNOT_CONFIG_DIR", global = true)]
    pub config_dir: Option<PathBuf>,
    /// Start playing this routine id right away.
    #[arg(long, value_name = "ROUTINE_ID")]
    pub autoplay: Option<String>,
    /// With --autoplay: the session length in seconds, 300 to 5400 (5 to 90
    /// minutes, as on the setup screen).
    #[arg(long, requires = "autoplay", value_parser = clap::value_parser!(u32).range(i64::from(MIN_LENGTH_SECS)..=i64::from(MAX_LENGTH_SECS)))]
    pub length_secs: Option<u32>,
    /// Close the window after this many seconds (for smoke tests and benchmarks).
    #[arg(long, hide = true)]
    pub quit_after_secs: Option<f64>,
    /// Open on this screen (for screenshots): settings, history, safety,
    /// setup:ID, edit:ID, finish:ID or ask-quit:ID.
    #[arg(long, hide = true, conflicts_with = "autoplay")]
    pub open: Option<String>,
    /// Write how late each cue fired to this file when the app closes.
    #[arg(long, hide = true)]
    pub timing_log: Option<PathBuf>,
    /// How to draw the window: automatic (OpenGL on a graphics card, the
    /// processor when OpenGL would run on the processor anyway), gl, or
    /// processor. Overrides the setting.
    #[arg(long, value_name = "HOW", value_parser = ["automatic", "gl", "processor"])]
    pub drawing: Option<String>,
    /// Print the OpenGL renderer's name and exit (used at start-up).
    #[arg(long, hide = true)]
    pub probe_gl: bool,
    /// A subcommand; without one, the window opens.
    #[command(subcommand)]
    pub command: Option<Commands>,
}

/// The subcommands; without one, the window opens.
#[derive(Subcommand)]
pub enum Commands {
    /// Work with the session history.
    History {
        /// What to do with it.
        #[command(subcommand)]
        action: HistoryAction,
    },
    /// Check routine files and report every problem with file, line and field.
    Check {
        /// Routine files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Also check the content the way the built-ins are checked: time
        /// limits, heat and nerve warnings, sources for claims, a gentle end.
        #[arg(long)]
        lint: bool,
    },
    /// Print the plan a routine would play: each step with its length, side,
    /// technique, pressure and region.
    Show {
        /// The routine's id (built-in or in your routines folder).
        routine_id: String,
        /// The session length in minutes (default: the routine's own).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=600))]
        minutes: Option<u32>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show a desktop notification if a session of your course is due or
    /// overdue, then exit. Run at login when "Remind me when a course
    /// session is due" is on in Settings; says nothing otherwise.
    Remind {
        /// Print the reminder instead of showing a notification.
        #[arg(long)]
        print: bool,
    },
    /// Write the man page and the bash, zsh and fish completions into a
    /// folder (for packagers).
    #[command(hide = true)]
    Generate {
        /// The folder to write into (made if missing).
        out_dir: PathBuf,
    },
}

/// What `unknot history` does.
#[derive(Subcommand)]
pub enum HistoryAction {
    /// Write every session, newest first, as CSV or JSON.
    Export {
        /// csv or json.
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

/// The export's format.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    /// Comma-separated values, one session per row.
    Csv,
    /// A JSON array of sessions.
    Json,
}

/// Writes `unknot.1`, `unknot.bash`, `_unknot` (zsh) and `unknot.fish` into
/// `dir`, all made from [`Cli`], and returns the paths written.
pub fn generate(dir: &std::path::Path) -> anyhow::Result<Vec<PathBuf>> {
    use anyhow::Context as _;
    use clap::CommandFactory as _;
    use clap_complete::Shell;
    std::fs::create_dir_all(dir).with_context(|| format!("making {}", dir.display()))?;
    let mut written = Vec::new();
    let command = Cli::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut page)
        .context("writing the man page")?;
    let man = dir.join("unknot.1");
    crate::files::write_atomically(&man, &page)?;
    written.push(man);
    for (shell, name) in [
        (Shell::Bash, "unknot.bash"),
        (Shell::Zsh, "_unknot"),
        (Shell::Fish, "unknot.fish"),
    ] {
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut command.clone(), "unknot", &mut script);
        let path = dir.join(name);
        crate::files::write_atomically(&path, &script)?;
        written.push(path);
    }
    Ok(written)
}
