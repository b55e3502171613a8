//! The `unknot` binary: the desktop app, and `unknot check` for routine files.

use std::cell::Cell;
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow};
use clap::Parser as _;

use unknot::app::{AppDeps, UnknotApp};
use unknot::audio::{AudioPlayer, CueSink};
use unknot::cli::{Cli, Commands, ExportFormat, HistoryAction};
use unknot::clock::MonotonicClock;
use unknot::core::prefs::{Drawing, Preferences};
use unknot::core::routine::format_clock;
use unknot::library;
use unknot::paths::AppPaths;
use unknot::render;
use unknot::single;
use unknot::store;
use unknot::ui::{self, EframeApp};

fn main() -> ExitCode {
    let launched_at = Instant::now();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    // One log line per failure. Most are caught and handled (a sound file the
    // decoder chokes on); a stack dump would only alarm whoever reads the log.
    std::panic::set_hook(Box::new(|info| {
        let thread = std::thread::current();
        log::error!("{} failed: {info}", thread.name().unwrap_or("a thread"));
    }));
    let cli = Cli::parse();
    if cli.probe_gl {
        return render::choice::probe_main();
    }
    let result = match cli.command {
        Some(Commands::Check { ref files, lint }) => check(files, lint),
        Some(Commands::Show {
            ref routine_id,
            minutes,
            json,
        }) => show(&cli, routine_id, minutes, json),
        Some(Commands::History {
            action: HistoryAction::Export { format, ref output },
        }) => export_history(&cli, format, output.as_deref()),
        Some(Commands::Remind { print }) => remind(&cli, print),
        Some(Commands::Generate { ref out_dir }) => {
            unknot::cli::generate(out_dir).and_then(|written| {
                let names: Vec<String> = written
                    .iter()
                    .map(|path| path.display().to_string())
                    .collect();
                emit(&format!("{}\n", names.join("\n")))?;
                Ok(ExitCode::SUCCESS)
            })
        }
        None => run_app(&cli, launched_at),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            say(&format!("unknot: {error:#}"));
            ExitCode::FAILURE
        }
    }
}

/// Writes a line to standard error; a closed stderr is ignored, never a panic.
fn say(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Writes to standard output, turning a closed pipe or a full disk into an
/// error with a one-line message instead of a panic.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::BrokenPipe => {
                anyhow!("standard output was closed before everything was written")
            }
            _ => anyhow!("could not write to standard output: {error}"),
        })
}

fn show(cli: &Cli, id: &str, minutes: Option<u32>, json: bool) -> anyhow::Result<ExitCode> {
    let paths = AppPaths::resolve(cli.data_dir.as_deref(), cli.config_dir.as_deref());
    let library = library::load(paths.as_ref().map(AppPaths::routines_dir).as_deref());
    let entry = library.find(id).ok_or_else(|| {
        let known: Vec<&str> = library
            .entries
            .iter()
            .map(|entry| entry.routine.id.as_str())
            .collect();
        anyhow!(
            "no routine \"{id}\"; the routines are: {}",
            known.join(", ")
        )
    })?;
    let plan = unknot::core::show::shown_plan(&entry.routine, minutes);
    let text = if json {
        let mut text = serde_json::to_string_pretty(&plan).context("writing JSON")?;
        text.push('\n');
        text
    } else {
        unknot::core::show::plan_table(&plan)
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn remind(cli: &Cli, print: bool) -> anyhow::Result<ExitCode> {
    let paths = AppPaths::resolve(cli.data_dir.as_deref(), cli.config_dir.as_deref())
        .ok_or_else(|| anyhow!("no home folder found; use --data-dir"))?;
    let today = chrono::Local::now().date_naive();
    let Some(reminder) = unknot::remind::due(&paths, today)? else {
        return Ok(ExitCode::SUCCESS);
    };
    emit(&format!("{}. {}\n", reminder.summary, reminder.body))?;
    if !print {
        unknot::remind::notify(&reminder).context("showing the reminder")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn check(files: &[PathBuf], lint: bool) -> anyhow::Result<ExitCode> {
    let (passed, problems) = library::check_files(files);
    let mut findings = Vec::new();
    let mut report = String::new();
    let builtin = library::load_builtin();
    for (path, routine) in &passed {
        if lint {
            let found = unknot::core::lint::routine_findings(routine, false);
            if !found.is_empty() {
                // Not "ok": the file reads, but its content breaks a rule.
                findings.extend(
                    found
                        .iter()
                        .map(|finding| format!("{}: {finding}", path.display())),
                );
                continue;
            }
        }
        report.push_str(&format!(
            "ok: {} ({}, {}, {})",
            path.display(),
            routine.name,
            unknot::core::words::count(routine.steps.len() as u64, "step", "steps"),
            format_clock(u64::from(routine.default_length_secs()))
        ));
        // A changed copy of a built-in passes as that built-in's new version;
        // in a routines folder it would clash with the one in the app.
        if let Some(entry) = builtin.find(&routine.id)
            && entry.routine != *routine
        {
            report.push_str(&format!(
                " as the new version of the built-in \"{}\"; in your routines folder it needs another id",
                routine.id
            ));
        }
        report.push('\n');
    }
    emit(&report)?;
    for problem in &problems {
        say(&format!("error: {problem}"));
    }
    for finding in &findings {
        say(&format!("lint: {finding}"));
    }
    Ok(if problems.is_empty() && findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn export_history(
    cli: &Cli,
    format: ExportFormat,
    output: Option<&std::path::Path>,
) -> anyhow::Result<ExitCode> {
    let paths = AppPaths::resolve(cli.data_dir.as_deref(), cli.config_dir.as_deref())
        .ok_or_else(|| anyhow!("no home folder found; use --data-dir"))?;
    let path = paths.history_path();
    // Read-only: the export never moves, repairs or creates the history.
    let read = store::history_db::read_for_export(&path)
        .with_context(|| format!("reading the history at {}", path.display()))?;
    let text = match format {
        ExportFormat::Json => serde_json::to_string_pretty(&read.rows).context("writing JSON")?,
        ExportFormat::Csv => store::export::to_csv(&read.rows).context("writing CSV")?,
    };
    match output {
        Some(file) => store::prefs_store::write_atomically(file, &text)
            .with_context(|| format!("writing {}", file.display()))?,
        None => emit(&text)?,
    }
    if let Some(skipped) = read.skipped_summary() {
        say(&format!("unknot: {skipped}"));
    }
    Ok(
        if read.rows.is_empty() && (read.skipped > 0 || read.tail_unknown) {
            // Sessions were there, but none could be written.
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        },
    )
}

fn run_app(cli: &Cli, launched_at: Instant) -> anyhow::Result<ExitCode> {
    let paths = AppPaths::resolve(cli.data_dir.as_deref(), cli.config_dir.as_deref());
    if paths.is_none() {
        log::warn!("no home folder found; only the built-in routines are available");
    }
    if let Some(paths) = &paths {
        tighten_default_folders(cli, paths);
    }
    let routines_dir = paths.as_ref().map(AppPaths::routines_dir);
    // The person's folder (any number of files) is read on the disk thread
    // once the window is up; the first frame shows the built-in routines.
    // A routine asked for by name on the command line must be known first.
    let library = if cli.autoplay.is_some() || cli.open.is_some() {
        library::load(routines_dir.as_deref())
    } else {
        library::load_builtin()
    };
    for problem in &library.problems {
        log::warn!("{problem}");
    }

    if let Some(id) = &cli.autoplay
        && library.find(id).is_none()
    {
        let known: Vec<&str> = library
            .entries
            .iter()
            .map(|e| e.routine.id.as_str())
            .collect();
        return Err(anyhow!(
            "--autoplay: no routine with id \"{id}\" (known: {})",
            known.join(", ")
        ));
    }

    // One window per set of files: a second start hands its request to the
    // first and ends here.
    let primary = match &paths {
        Some(paths) => match claim_instance(cli, paths)? {
            Started::Alone(primary) => primary,
            Started::HandedOver => return Ok(ExitCode::SUCCESS),
        },
        None => None,
    };

    // Preferences are a few hundred bytes, read once before the window exists.
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
    let prefs_path = paths.as_ref().map(AppPaths::prefs_path);
    let history_path = paths.as_ref().map(AppPaths::history_path);
    let loaded = match &prefs_path {
        Some(path) => store::prefs_store::load(path, &stamp),
        None => store::prefs_store::Loaded {
            prefs: Preferences::default(),
            notice: Some("No home folder was found, so settings will not be saved.".into()),
            may_save: false,
        },
    };
    if let Some(notice) = &loaded.notice {
        log::warn!("{notice}");
    }
    // Set when this process is a restart after OpenGL failed to open the
    // window (see `restart_on_processor`).
    let gl_failed = std::env::var(GL_FAILED_VARIABLE).ok();
    let drawing = match &gl_failed {
        Some(_) => Drawing::Processor,
        None => cli
            .drawing
            .as_deref()
            .and_then(render::choice::parse_drawing)
            .unwrap_or(loaded.prefs.drawing),
    };
    // Asked in a child process while the window is prepared here.
    let probe = (drawing == Drawing::Automatic).then(|| {
        std::env::current_exe()
            .map_err(|error| format!("the program's path: {error}"))
            .and_then(|program| render::choice::Probe::start(&program))
    });
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("unknot")
        .with_app_id(unknot::desktop::APP_ID)
        .with_inner_size([1024.0, 720.0])
        .with_min_inner_size([640.0, 480.0])
        .with_icon(load_icon());
    if let Some(window) = loaded.prefs.window {
        viewport = viewport.with_inner_size([window.width, window.height]);
        if let (Some(x), Some(y)) = (window.x, window.y) {
            viewport = viewport.with_position([x, y]);
        }
    }

    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        // Flat, calm colours do not band; skipping dithering makes every frame cheaper.
        dithering: false,
        viewport,
        ..Default::default()
    };
    // The reminder's login entry runs this same program on these folders.
    let autostart = match (
        unknot::desktop::autostart::autostart_dir(),
        std::env::current_exe(),
    ) {
        (Some(dir), Ok(program)) => Some(unknot::desktop::autostart::Autostart::new(
            &dir,
            &program,
            cli.data_dir.as_deref(),
            cli.config_dir.as_deref(),
        )),
        _ => None,
    };
    let parts = AppParts {
        library,
        loaded,
        prefs_path,
        history_path,
        routines_dir,
        stamp,
        autostart,
        autoplay: cli.autoplay.clone(),
        open: cli.open.clone(),
        length_secs: cli.length_secs,
        quit_after: cli.quit_after_secs.map(Duration::from_secs_f64),
        timing_log: cli.timing_log.clone(),
        primary,
        launched_at,
    };
    let (painter, why) = render::choice::decide(drawing, || match probe {
        Some(Ok(probe)) => probe.wait(render::choice::PROBE_TIMEOUT),
        Some(Err(why)) => Err(why),
        None => Err("not asked".to_owned()),
    });
    log::info!("drawing with {why}");
    match painter {
        render::choice::Painter::Gl => {
            // Kept here until eframe asks for the app, to tell whether
            // OpenGL failed before anything ran.
            let waiting = Rc::new(Cell::new(Some(parts)));
            let given = Rc::clone(&waiting);
            let result = eframe::run_native(
                "unknot",
                options,
                Box::new(move |cc| {
                    let parts = given
                        .take()
                        .ok_or_else(|| anyhow!("the app was built twice"))?;
                    Ok(Box::new(build_app(&cc.egui_ctx, parts)?))
                }),
            );
            match (result, waiting.take()) {
                (Ok(()), _) => {}
                (Err(error), Some(parts)) => {
                    // A driver gone since the setting was chosen: start
                    // again on the processor rather than not at all.
                    log::error!("OpenGL could not open the window: {error}");
                    drop(parts);
                    return Err(restart_on_processor(&error.to_string()));
                }
                (Err(error), None) => {
                    return Err(anyhow!("{error}")).context("could not open the window");
                }
            }
        }
        render::choice::Painter::Processor => {
            let notice = gl_failed.map(|error| {
                // The driver's words up to their details; the log has all.
                let short: String = error
                    .split([':', '{'])
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .take(100)
                    .collect();
                format!(
                    "OpenGL could not open the window ({}), so unknot draws it with the \
                     processor this time. The Drawing setting, under Settings and Look, \
                     chooses.",
                    short.trim()
                )
            });
            let ctx = egui::Context::default();
            let app = build_app(&ctx, parts)?
                .with_direct_title()
                .with_notice(notice);
            render::shell::run(ctx, options.viewport, move |_| app)
                .context("could not open the window")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Tells a restarted process that OpenGL failed, and why.
const GL_FAILED_VARIABLE: &str = "UNKNOT_GL_FAILED";

/// Replaces this process with a fresh one with the same arguments, drawing on
/// the processor: winit opens one event loop a process, and eframe's is
/// spent. Returns only if that fails. Nothing has run yet: the app was never
/// built, and the instance lock goes with this process's files.
fn restart_on_processor(why: &str) -> anyhow::Error {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        let program = match std::env::current_exe() {
            Ok(program) => program,
            Err(error) => return anyhow!(error).context("could not find the program to restart"),
        };
        let error = std::process::Command::new(program)
            .args(std::env::args_os().skip(1))
            .env(GL_FAILED_VARIABLE, why)
            .exec();
        anyhow!(error).context("could not restart drawing with the processor")
    }
    #[cfg(not(unix))]
    {
        anyhow!("{why}").context("could not open the window")
    }
}

/// Everything the window's app is made from, gathered before the window opens.
struct AppParts {
    library: library::Library,
    loaded: store::prefs_store::Loaded,
    prefs_path: Option<PathBuf>,
    history_path: Option<PathBuf>,
    routines_dir: Option<PathBuf>,
    stamp: String,
    autostart: Option<unknot::desktop::autostart::Autostart>,
    autoplay: Option<String>,
    open: Option<String>,
    length_secs: Option<u32>,
    quit_after: Option<Duration>,
    timing_log: Option<PathBuf>,
    primary: Option<single::Primary>,
    launched_at: Instant,
}

/// Starts the app's threads and makes the app, for either painter.
fn build_app(ctx: &egui::Context, parts: AppParts) -> anyhow::Result<EframeApp> {
    let AppParts {
        library,
        loaded,
        prefs_path,
        history_path,
        routines_dir,
        stamp,
        autostart,
        autoplay,
        open,
        length_secs,
        quit_after,
        timing_log,
        primary,
        launched_at,
    } = parts;
    ui::theme::apply(ctx);
    let repaint = ui::repaint_handle(ctx);
    let repaint_for_requests = Arc::clone(&repaint);
    let audio = Arc::new(AudioPlayer::start(Arc::clone(&repaint)));
    let prefs_path_for_messages = prefs_path.clone();
    let prefs_saver = prefs_path.map(|path| {
        store::prefs_store::PrefsSaver::start(path, loaded.may_save, Arc::clone(&repaint))
    });
    let status_source = Arc::clone(&audio);
    let speech = Arc::new(unknot::speech::Speech::start(
        unknot::speech::SpeechConfig::from_env(),
        &loaded.prefs.voice,
        Arc::clone(&repaint),
    ));
    let desktop = Arc::new(unknot::desktop::Desktop::start(
        unknot::desktop::DesktopConfig {
            address: None,
            wake: Arc::clone(&repaint),
            autostart,
        },
        unknot::desktop::DesktopPrefs {
            notifications: loaded.prefs.notifications,
            media_keys: loaded.prefs.media_keys,
            reminders: loaded.prefs.remind_course,
        },
    ));
    let deps = AppDeps {
        library,
        clock: Arc::new(MonotonicClock::new()),
        cues: audio as Arc<dyn CueSink>,
        audio_status: Box::new(move || status_source.status()),
        prefs: loaded.prefs,
        prefs_saver,
        startup_notice: loaded.notice,
        disk: match store::disk::DiskWorker::start(routines_dir.clone(), Arc::clone(&repaint)) {
            Ok(worker) => Some(worker),
            Err(error) => {
                log::error!("could not start the file thread: {error}");
                None
            }
        },
        user_routines_dir: routines_dir,
        prefs_path: prefs_path_for_messages,
        history: history_path.map(|path| {
            store::history_worker::HistoryWorker::start(path, stamp.clone(), Arc::clone(&repaint))
        }),
        speech: Some(speech),
        desktop: Some(desktop),
    };
    let mut app = UnknotApp::new(deps, repaint);
    if let Some(id) = &autoplay {
        app.autoplay(id, length_secs).map_err(|e| anyhow!(e))?;
    }
    if let Some(screen) = &open {
        app.open_screen(screen)
            .map_err(|e| anyhow!("--open: {e}"))?;
    }
    let mut wrapper = EframeApp::new(app, launched_at, quit_after);
    wrapper.timing_log = timing_log;
    wrapper.requests = primary.and_then(|primary| {
        primary
            .serve(Arc::clone(&repaint_for_requests))
            .map_err(|error| log::warn!("later starts cannot reach this window: {error}"))
            .ok()
    });
    Ok(wrapper)
}

/// What became of this start of the window.
enum Started {
    /// The only window on these files (with the means to hear later starts,
    /// unless they could not be set up).
    Alone(Option<single::Primary>),
    /// Another window has the files and took this start's request.
    HandedOver,
}

/// Becomes the one window on these files, or hands this start's request
/// (come forward, or `--autoplay`) to the window that is.
fn claim_instance(cli: &Cli, paths: &AppPaths) -> anyhow::Result<Started> {
    let instance = single::InstancePaths::new(&single::runtime_dir(), &paths.data_dir);
    let request = match &cli.autoplay {
        Some(id) => single::Request::Autoplay {
            id: id.clone(),
            length_secs: cli.length_secs,
        },
        None => single::Request::Raise,
    };
    match single::claim(&instance, &request) {
        Ok(single::Claim::First(primary)) => Ok(Started::Alone(Some(primary))),
        Ok(single::Claim::HandedOver) => {
            say(&format!(
                "unknot: already open on {}; brought that window forward{}",
                paths.data_dir.display(),
                if cli.autoplay.is_some() {
                    " and asked it to play"
                } else {
                    ""
                }
            ));
            Ok(Started::HandedOver)
        }
        Err(error @ (single::SingleError::NoAnswer | single::SingleError::Refused(_))) => {
            Err(error.into())
        }
        Err(error) => {
            // Without the lock or socket a second window could open on the
            // same files; that is better than no window at all.
            log::warn!("could not check for another running unknot: {error}");
            Ok(Started::Alone(None))
        }
    }
}

/// The app's own folders hold health notes: make ones left open by an older
/// version private. Folders the person named on the command line are theirs
/// to set, and are left as they are.
fn tighten_default_folders(cli: &Cli, paths: &AppPaths) {
    let mut own = Vec::new();
    if cli.data_dir.is_none() {
        own.push(&paths.data_dir);
        if cli.config_dir.is_none() {
            own.push(&paths.config_dir);
        }
    }
    for dir in own {
        if dir.is_dir()
            && let Err(error) = unknot::files::make_private_dir(dir)
        {
            log::warn!("{error}");
        }
    }
}

fn load_icon() -> egui::IconData {
    eframe::icon_data::from_png_bytes(include_bytes!("../assets/icon.png")).unwrap_or_default()
}
