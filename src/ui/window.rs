//! The eframe glue: the window, its geometry, closing, and the frame loop.

use std::path::PathBuf;
use std::time::Duration;

use crate::app::{NavCommand, UnknotApp};
use crate::core::prefs::WindowGeometry;

/// The eframe wrapper around [`UnknotApp`].
pub struct EframeApp {
    /// The app.
    pub app: UnknotApp,
    /// When the process started, to log time to first frame.
    pub launched_at: std::time::Instant,
    first_frame_logged: bool,
    quit_after: Option<Duration>,
    /// Where to write cue lateness when the app closes (benchmarks).
    pub timing_log: Option<PathBuf>,
    frames_drawn: u64,
    /// When each frame was drawn, kept only for the timing log (benchmarks).
    frame_times: Vec<Duration>,
    /// The window is closing on purpose (a confirmed quit, or `quit_after`).
    closing: bool,
    /// The title last given to the window.
    title: String,
    /// Requests from later starts of the app (come forward, play a routine).
    pub requests: Option<crate::single::Requests>,
    /// The window loop sets the title itself ([`crate::render::shell`]);
    /// otherwise it goes to eframe as a viewport command.
    direct_title: bool,
    pending_title: Option<String>,
}

impl EframeApp {
    /// Wraps the app; `quit_after` closes the window after that long (benchmarks).
    pub fn new(
        app: UnknotApp,
        launched_at: std::time::Instant,
        quit_after: Option<Duration>,
    ) -> Self {
        Self {
            app,
            launched_at,
            first_frame_logged: false,
            quit_after,
            timing_log: None,
            frames_drawn: 0,
            frame_times: Vec::new(),
            closing: false,
            title: "unknot".to_owned(),
            requests: None,
            direct_title: false,
            pending_title: None,
        }
    }

    /// Titles are taken with [`crate::render::shell::ShellApp::take_title`]
    /// instead of sent to eframe (which costs two extra frames a change).
    pub fn with_direct_title(mut self) -> Self {
        self.direct_title = true;
        self
    }

    /// Shows `notice` (when there is one) until it is dismissed.
    pub fn with_notice(mut self, notice: Option<String>) -> Self {
        if notice.is_some() {
            self.app.notice = notice;
        }
        self
    }
}

/// The widest font atlas the app asks for. Drivers report up to 16384, and egui
/// makes the atlas that wide: each extra row of the big countdown's glyphs then
/// costs megabytes, twice (the CPU copy and the texture).
pub const MAX_TEXTURE_SIDE: usize = 2048;

/// The window's size and place in the desktop's logical pixels, which is what
/// the next launch asks for. egui measures in points, and a point grows with
/// the text size (the zoom factor): saving points made the window shrink by
/// the text size on every launch.
pub fn window_geometry(inner: egui::Rect, outer: Option<egui::Rect>, zoom: f32) -> WindowGeometry {
    let zoom = if zoom.is_finite() && zoom > 0.0 {
        zoom
    } else {
        1.0
    };
    WindowGeometry {
        width: (inner.width() * zoom).round(),
        height: (inner.height() * zoom).round(),
        x: outer.map(|rect| (rect.min.x * zoom).round()),
        y: outer.map(|rect| (rect.min.y * zoom).round()),
    }
}

impl eframe::App for EframeApp {
    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        raw_input.max_texture_side = Some(
            raw_input
                .max_texture_side
                .map_or(MAX_TEXTURE_SIDE, |side| side.min(MAX_TEXTURE_SIDE)),
        );
    }

    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        visuals.panel_fill.to_normalized_gamma_f32()
    }

    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.step_logic(ctx);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.finish();
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
    }
}

impl crate::render::shell::ShellApp for EframeApp {
    fn logic(&mut self, ctx: &egui::Context) {
        self.step_logic(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui) {
        self.draw(ui);
    }

    fn clear_color(&self, visuals: &egui::Visuals) -> egui::Color32 {
        visuals.panel_fill
    }

    fn take_title(&mut self) -> Option<String> {
        self.pending_title.take()
    }

    fn max_texture_side(&self) -> usize {
        MAX_TEXTURE_SIDE
    }

    fn on_exit(&mut self) {
        self.finish();
    }
}

impl EframeApp {
    /// Every pass, even while the window is hidden.
    fn step_logic(&mut self, ctx: &egui::Context) {
        // Runs even while the window is hidden, so a finished session is noticed.
        self.app.check_session_end();
        let focused = ctx.input(|input| input.viewport().focused.unwrap_or(input.focused));
        let mut raise = self.app.sync_desktop(focused);
        for request in self.requests.iter().flat_map(crate::single::Requests::take) {
            // Another start of the app on the same files.
            raise = true;
            if let crate::single::Request::Autoplay { id, length_secs } = request {
                self.app.handed_autoplay(&id, length_secs);
            }
        }
        if raise {
            // A notification, the desktop's player or another start asked for the window.
            ctx.send_viewport_cmd(egui::ViewportCommand::Minimized(false));
            ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
        }
        let title = self.app.window_title();
        if title != self.title {
            if self.direct_title {
                self.pending_title = Some(title.clone());
            } else {
                ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            }
            self.title = title;
        }
        if let Some(attention) = self.app.attention_change() {
            let kind = if attention {
                egui::UserAttentionType::Critical
            } else {
                egui::UserAttentionType::Reset
            };
            ctx.send_viewport_cmd(egui::ViewportCommand::RequestUserAttention(kind));
        }
        let viewport = ctx.input(|input| input.viewport().clone());
        // The close button (or the desktop's close) mid-session asks first,
        // like Ctrl+Q; a second close, or "Stop and quit", goes through.
        if viewport.close_requested() && !self.closing {
            if self.app.quit_needs_confirming() && !self.app.confirm_quit {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.app.run_command(NavCommand::Quit.into());
                ctx.request_repaint();
            } else {
                self.closing = true;
            }
        }
        if viewport.minimized != Some(true)
            && viewport.maximized != Some(true)
            && viewport.fullscreen != Some(true)
            && let Some(inner) = viewport.inner_rect
        {
            self.app.remember_window(window_geometry(
                inner,
                viewport.outer_rect,
                ctx.zoom_factor(),
            ));
        }
        if let Some(limit) = self.quit_after {
            let elapsed = self.launched_at.elapsed();
            if elapsed >= limit {
                // A timed run (benchmarks, the smoke test) closes without asking.
                self.closing = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            } else {
                ctx.request_repaint_after(limit - elapsed);
            }
        }
    }

    /// The window is closing.
    fn finish(&mut self) {
        self.app.shutdown();
        let seconds = self.launched_at.elapsed().as_secs_f64();
        log::info!(
            "drew {} frames in {seconds:.1} s ({:.2} per second)",
            self.frames_drawn,
            self.frames_drawn as f64 / seconds.max(0.001)
        );
        let Some(path) = &self.timing_log else {
            return;
        };
        let mut lines: String = self
            .app
            .cue_timings()
            .iter()
            .map(|timing| format!("{:?} {}\n", timing.kind, timing.lateness.as_micros()))
            .collect();
        // Spoken lines: how long each waited for its cue's sound, and how
        // long from being handed over to the voice starting.
        if let Some(speech) = &self.app.deps.speech {
            for timing in speech.timings() {
                lines.push_str(&format!(
                    "Speech {} {}\n",
                    timing.delay.as_micros(),
                    timing
                        .began
                        .saturating_duration_since(timing.asked)
                        .as_micros()
                ));
            }
        }
        for at in &self.frame_times {
            lines.push_str(&format!("Frame {}\n", at.as_micros()));
        }
        if let Err(error) = std::fs::write(path, lines) {
            log::error!("could not write the timing log {}: {error}", path.display());
        }
    }

    /// Draws the window.
    fn draw(&mut self, ui: &mut egui::Ui) {
        self.app.show(ui);
        if self.app.take_close_request() {
            self.closing = true;
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
        self.frames_drawn += 1;
        if self.timing_log.is_some() {
            self.frame_times.push(self.launched_at.elapsed());
        }
        if log::log_enabled!(log::Level::Trace) {
            log::trace!(
                "frame {} at {:.3} s, repaint causes {:?}",
                self.frames_drawn,
                self.launched_at.elapsed().as_secs_f64(),
                ui.ctx().repaint_causes()
            );
        }
        if !self.first_frame_logged {
            self.first_frame_logged = true;
            let elapsed = self.launched_at.elapsed();
            log::info!(
                "first frame drawn {:.1} ms after launch",
                elapsed.as_secs_f64() * 1000.0
            );
            if let Ok(path) = std::env::var("UNKNOT_FIRST_FRAME_FILE") {
                let _ = std::fs::write(path, format!("{}\n", elapsed.as_micros()));
            }
        }
    }
}
