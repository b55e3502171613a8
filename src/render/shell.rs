//! The window loop for the CPU painter: winit for the window and events,
//! egui-winit for input, accessibility and window commands, softbuffer to
//! hand pixels to the window system. A frame is drawn only when egui asks for
//! one, and only the changed rectangles are redrawn and sent.

use std::cell::Cell;
use std::num::NonZeroU32;
use std::rc::Rc;
use std::time::{Duration, Instant};

use egui::{ViewportCommand, ViewportId, ViewportInfo};
use egui_winit::accesskit_winit;
use egui_winit::winit;
use winit::application::ApplicationHandler;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, EventLoopProxy};
use winit::window::{Window, WindowId};

use super::painter::{SoftPainter, Tessellate};
use super::raster::{self, Target};

/// What the window loop needs from the app.
pub trait ShellApp {
    /// Work that runs every pass, even while the window is hidden.
    fn logic(&mut self, ctx: &egui::Context);
    /// Draws the window.
    fn ui(&mut self, ui: &mut egui::Ui);
    /// The colour under everything.
    fn clear_color(&self, visuals: &egui::Visuals) -> egui::Color32;
    /// A new window title, if it changed. Set directly on the window: a
    /// title that counts down must not cost two extra frames a second.
    fn take_title(&mut self) -> Option<String>;
    /// The largest texture side egui may use.
    fn max_texture_side(&self) -> usize;
    /// The window is closing.
    fn on_exit(&mut self);
}

/// The window loop could not start.
#[derive(Debug, thiserror::Error)]
pub enum ShellError {
    /// No display connection, or the event loop failed.
    #[error("the window system: {0}")]
    EventLoop(#[from] winit::error::EventLoopError),
    /// The window or its pixel buffer could not be made.
    #[error("the window: {0}")]
    Window(String),
}

enum UserEvent {
    /// egui asked for a frame (from any thread) after `delay`.
    Repaint {
        delay: Duration,
    },
    AccessKit(accesskit_winit::Event),
}

impl From<accesskit_winit::Event> for UserEvent {
    fn from(event: accesskit_winit::Event) -> Self {
        Self::AccessKit(event)
    }
}

/// The shortest time between frames.
const MIN_FRAME_INTERVAL: Duration = Duration::from_micros(16_667);
/// How long the window's state (size, position, minimized) is trusted
/// without an event saying it changed. Asking costs a round trip to the
/// display server for each of them; a window minimized without an event
/// is noticed within this time (until then it is drawn as before).
const WINDOW_STATE_TRUSTED: Duration = Duration::from_secs(10);

thread_local! {
    /// Set on the window's thread while egui runs a pass that paints. What
    /// the pass asks for comes back in its output, so a request from that
    /// thread then need not wake the loop a second time; a request from any
    /// other thread (the conductor, the history) always does.
    static IN_PASS: Cell<bool> = const { Cell::new(false) };
}

/// egui's repaint callback: wakes the loop through `wake` with the delay
/// asked for, except for requests the painting pass makes on its own thread.
pub(super) fn repaint_callback(
    wake: impl Fn(Duration) + Send + Sync + 'static,
) -> impl Fn(egui::RequestRepaintInfo) + Send + Sync + 'static {
    move |info: egui::RequestRepaintInfo| {
        if !IN_PASS.with(Cell::get) {
            wake(info.delay);
        }
    }
}

/// Marks a pass on this thread for as long as it lives, even if the pass
/// unwinds.
pub(super) struct PassGuard;

impl PassGuard {
    pub(super) fn enter() -> Self {
        IN_PASS.with(|flag| flag.set(true));
        Self
    }
}

impl Drop for PassGuard {
    fn drop(&mut self) {
        IN_PASS.with(|flag| flag.set(false));
    }
}

struct Running {
    window: Rc<Window>,
    state: egui_winit::State,
    surface: softbuffer::Surface<Rc<Window>, Rc<Window>>,
    surface_size: (u32, u32),
    /// The window's size in pixels, as its last resize said.
    size: winit::dpi::PhysicalSize<u32>,
    /// Set after a failed present, or when the window system may have lost
    /// what the window showed: the next frame redraws everything.
    lost: bool,
    /// A redraw this shell asked for is pending. One it did not ask for
    /// comes from the window system: an X server without a compositor asks
    /// for one when a covered part of the window comes back into view,
    /// and has forgotten what was there.
    asked_redraw: bool,
}

impl Running {
    fn ask_redraw(&mut self) {
        self.asked_redraw = true;
        self.window.request_redraw();
    }
}

struct Shell<A: ShellApp> {
    app: A,
    ctx: egui::Context,
    viewport: egui::ViewportBuilder,
    proxy: EventLoopProxy<UserEvent>,
    running: Option<Running>,
    info: ViewportInfo,
    /// When `info` was last asked of the window; `None` once an event may
    /// have changed it.
    info_asked: Option<Instant>,
    painter: SoftPainter,
    next_repaint: Option<Instant>,
    /// When the last frame began: animations are paced from it.
    last_frame: Instant,
    /// When the loop started: egui's clock.
    started: Instant,
    error: Option<ShellError>,
    exited: bool,
}

/// Opens the window and runs until it closes.
pub fn run<A: ShellApp>(
    ctx: egui::Context,
    viewport: egui::ViewportBuilder,
    app: impl FnOnce(&egui::Context) -> A,
) -> Result<(), ShellError> {
    let event_loop = EventLoop::<UserEvent>::with_user_event().build()?;
    let proxy = event_loop.create_proxy();
    let wake = proxy.clone();
    ctx.set_request_repaint_callback(repaint_callback(move |delay| {
        // Fails only once the loop has ended, when nothing needs drawing.
        let _ = wake.send_event(UserEvent::Repaint { delay });
    }));
    let app = app(&ctx);
    let mut shell = Shell {
        app,
        ctx,
        // Shown once the accessibility adapter is attached, as it requires.
        viewport: viewport.with_visible(false),
        proxy,
        running: None,
        info: ViewportInfo::default(),
        info_asked: None,
        painter: SoftPainter::new(),
        next_repaint: Some(Instant::now()),
        last_frame: Instant::now(),
        started: Instant::now(),
        error: None,
        exited: false,
    };
    event_loop.run_app(&mut shell)?;
    shell.finish();
    match shell.error.take() {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

impl<A: ShellApp> Shell<A> {
    fn finish(&mut self) {
        if !self.exited {
            self.exited = true;
            self.app.on_exit();
        }
    }

    fn open(&mut self, event_loop: &ActiveEventLoop) -> Result<(), ShellError> {
        let window = egui_winit::create_window(&self.ctx, event_loop, &self.viewport)
            .map_err(|error| ShellError::Window(error.to_string()))?;
        let window = Rc::new(window);
        let context = softbuffer::Context::new(Rc::clone(&window))
            .map_err(|error| ShellError::Window(error.to_string()))?;
        let surface = softbuffer::Surface::new(&context, Rc::clone(&window))
            .map_err(|error| ShellError::Window(error.to_string()))?;
        let mut state = egui_winit::State::new(
            self.ctx.clone(),
            ViewportId::ROOT,
            event_loop,
            Some(window.scale_factor() as f32),
            event_loop.system_theme(),
            Some(self.app.max_texture_side()),
        );
        state.init_accesskit(event_loop, &window, self.proxy.clone());
        egui_winit::update_viewport_info(&mut self.info, &self.ctx, &window, true);
        let size = window.inner_size();
        window.set_visible(true);
        window.request_redraw();
        self.running = Some(Running {
            window,
            state,
            surface,
            surface_size: (0, 0),
            size,
            lost: true,
            asked_redraw: false,
        });
        Ok(())
    }

    /// One pass: the app's logic, and when the window shows, its ui and paint.
    fn frame(&mut self, event_loop: &ActiveEventLoop) {
        let Some(running) = self.running.as_mut() else {
            return;
        };
        let window = Rc::clone(&running.window);
        let began = Instant::now();
        self.last_frame = began;
        // This frame serves a repaint that is already due; a later one
        // (from another thread, say) stands.
        if self.next_repaint.is_some_and(|when| when <= began) {
            self.next_repaint = None;
        }
        // A countdown tick changes nothing about the window, so its state
        // is asked again only after an event, while minimized (to notice
        // the window coming back), or when it has not been for a while.
        let stale = self.info_asked.is_none_or(|asked| {
            self.info.minimized == Some(true) || asked.elapsed() >= WINDOW_STATE_TRUSTED
        });
        if stale {
            egui_winit::update_viewport_info(&mut self.info, &self.ctx, &window, false);
            self.info_asked = Some(began);
        }
        running
            .state
            .egui_input_mut()
            .viewports
            .insert(ViewportId::ROOT, self.info.clone());
        let close_asked = self.info.close_requested();
        let hidden = self.info.minimized == Some(true);
        let mut raw_input = take_input(running, &self.ctx, self.started);
        raw_input.max_texture_side = Some(self.app.max_texture_side());
        self.info.events.clear();
        let app = &mut self.app;

        let (platform_output, commands, repaint_delay, paint) = if hidden {
            let output = self.ctx.run_logic(&raw_input, |ctx| app.logic(ctx));
            let commands = output
                .viewport_commands
                .into_iter()
                .filter(|(id, _)| *id == ViewportId::ROOT)
                .flat_map(|(_, commands)| commands)
                .collect::<Vec<_>>();
            (output.platform_output, commands, None, None)
        } else {
            let pass = PassGuard::enter();
            let output = self.ctx.run_ui(raw_input, |ui| {
                app.logic(ui.ctx());
                app.ui(ui);
            });
            drop(pass);
            let viewport = output.viewport_output.get(&ViewportId::ROOT);
            let commands = viewport.map(|v| v.commands.clone()).unwrap_or_default();
            let delay = viewport.map(|v| v.repaint_delay);
            (
                output.platform_output,
                commands,
                delay,
                Some((
                    output.shapes,
                    output.textures_delta,
                    output.pixels_per_point,
                )),
            )
        };

        running
            .state
            .handle_platform_output_with_event_loop(&window, event_loop, platform_output);
        if let Some(title) = self.app.take_title() {
            window.set_title(&title);
        }
        let cancelled = commands
            .iter()
            .any(|command| matches!(command, ViewportCommand::CancelClose));
        let mut actions = Vec::new();
        egui_winit::process_viewport_commands(
            &self.ctx,
            &mut self.info,
            commands,
            &window,
            &mut actions,
        );
        if close_asked && !cancelled {
            event_loop.exit();
            return;
        }
        if self.info.close_requested() {
            // The app asked to close: the next pass tells it, and it goes.
            self.schedule(Duration::ZERO);
        }
        if let Some(delay) = repaint_delay.filter(|delay| *delay < Duration::MAX) {
            self.schedule(delay);
        }
        if let Some((shapes, mut textures_delta, pixels_per_point)) = paint {
            log::debug!("frame: ui {:.2} ms", began.elapsed().as_secs_f64() * 1000.0);
            let clear = raster::pack(self.app.clear_color(&self.ctx.global_style().visuals));
            let ctx = self.ctx.clone();
            let mut tessellate = |shapes| ctx.tessellate(shapes, pixels_per_point);
            if let Some(running) = self.running.as_mut() {
                paint_window(
                    running,
                    &mut self.painter,
                    Frame {
                        shapes,
                        tessellate: &mut tessellate,
                        textures_delta: &mut textures_delta,
                        pixels_per_point,
                        clear,
                    },
                );
            }
        }
    }

    fn schedule(&mut self, delay: Duration) {
        // Nothing waits for the screen's refresh here (no vsync), so an
        // animation asking for the next frame at once is paced to 60 a second.
        let when = (Instant::now() + delay.min(Duration::from_secs(3600)))
            .max(self.last_frame + MIN_FRAME_INTERVAL);
        self.next_repaint = Some(self.next_repaint.map_or(when, |next| next.min(when)));
    }
}

/// egui's input for a pass: what `egui_winit::State::take_egui_input` does,
/// with the window's size from its last resize rather than asked of the
/// display server, a round trip each frame.
fn take_input(running: &mut Running, ctx: &egui::Context, started: Instant) -> egui::RawInput {
    let native = running.window.scale_factor() as f32;
    let pixels_per_point = native * ctx.zoom_factor();
    let size = egui::vec2(running.size.width as f32, running.size.height as f32) / pixels_per_point;
    let input = running.state.egui_input_mut();
    input.time = Some(started.elapsed().as_secs_f64());
    // A minimized window may report no size; egui keeps the last then.
    input.screen_rect =
        (size.x > 0.0 && size.y > 0.0).then(|| egui::Rect::from_min_size(egui::Pos2::ZERO, size));
    input.viewport_id = ViewportId::ROOT;
    input
        .viewports
        .entry(ViewportId::ROOT)
        .or_default()
        .native_pixels_per_point = Some(native);
    input.take()
}

/// One frame's drawing, as egui gave it.
struct Frame<'a> {
    shapes: Vec<egui::epaint::ClippedShape>,
    tessellate: &'a mut Tessellate<'a>,
    textures_delta: &'a mut egui::TexturesDelta,
    pixels_per_point: f32,
    clear: u32,
}

fn paint_window(running: &mut Running, painter: &mut SoftPainter, frame: Frame<'_>) {
    // Textures are taken even when nothing is painted, or later frames
    // would miss them.
    painter.take_textures(frame.textures_delta);
    let size = running.size;
    let (Some(width), Some(height)) = (NonZeroU32::new(size.width), NonZeroU32::new(size.height))
    else {
        return;
    };
    if running.surface_size != (size.width, size.height) {
        if let Err(error) = running.surface.resize(width, height) {
            log::error!("could not resize the window's pixels: {error}");
            return;
        }
        running.surface_size = (size.width, size.height);
        running.lost = true;
    }
    let started = Instant::now();
    let mut buffer = match running.surface.buffer_mut() {
        Ok(buffer) => buffer,
        Err(error) => {
            log::error!("could not get the window's pixels: {error}");
            running.lost = true;
            return;
        }
    };
    let age = if running.lost { 0 } else { buffer.age() };
    let damage = painter.paint(
        &mut Target {
            pixels: &mut buffer,
            width: size.width as usize,
            height: size.height as usize,
        },
        age,
        frame.shapes,
        frame.tessellate,
        frame.textures_delta,
        frame.pixels_per_point,
        frame.clear,
    );
    let rects: Vec<softbuffer::Rect> = damage
        .iter()
        .filter_map(|rect| {
            Some(softbuffer::Rect {
                x: u32::try_from(rect.x0).ok()?,
                y: u32::try_from(rect.y0).ok()?,
                width: NonZeroU32::new(u32::try_from(rect.x1 - rect.x0).ok()?)?,
                height: NonZeroU32::new(u32::try_from(rect.y1 - rect.y0).ok()?)?,
            })
        })
        .collect();
    let painted = started.elapsed();
    if rects.is_empty() {
        // Nothing changed: the window keeps what it shows.
        return;
    }
    running.window.pre_present_notify();
    match buffer.present_with_damage(&rects) {
        Ok(()) => running.lost = false,
        Err(error) => {
            log::error!("could not show the window's pixels: {error}");
            running.lost = true;
        }
    }
    let stats = painter.stats();
    log::debug!(
        "painted {} of {} shapes, {} triangles, {} pixels{} in {:.2} ms, shown in {:.2} ms",
        stats.shapes_drawn,
        stats.shapes,
        stats.triangles,
        stats.pixels_redrawn,
        if stats.full { " (all)" } else { "" },
        painted.as_secs_f64() * 1000.0,
        started.elapsed().as_secs_f64() * 1000.0
    );
}

impl<A: ShellApp> ApplicationHandler<UserEvent> for Shell<A> {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.running.is_some() {
            return;
        }
        if let Err(error) = self.open(event_loop) {
            self.error = Some(error);
            event_loop.exit();
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        let Some(running) = self.running.as_mut() else {
            return;
        };
        if !matches!(event, WindowEvent::RedrawRequested) {
            log::trace!("window event {event:?}");
            self.info_asked = None;
        }
        match &event {
            WindowEvent::RedrawRequested => {
                if !std::mem::take(&mut running.asked_redraw) {
                    running.lost = true;
                }
                self.frame(event_loop);
                return;
            }
            WindowEvent::Occluded(_) => {
                // Covered or uncovered: what shows may need drawing anew.
                running.lost = true;
                running.ask_redraw();
            }
            WindowEvent::Focused(_)
            | WindowEvent::CursorEntered { .. }
            | WindowEvent::CursorLeft { .. }
            | WindowEvent::Moved(_) => {
                // These come with a window closing or moving over this one,
                // and the redraw they ask for would hide the window system's
                // own (winit sends one redraw for both), so the frame after
                // them redraws everything. They are rare; a full frame is
                // about 10 ms on the processor.
                running.lost = true;
            }
            WindowEvent::CloseRequested => {
                self.info.events.push(egui::ViewportEvent::Close);
                running.ask_redraw();
            }
            WindowEvent::Destroyed => {
                event_loop.exit();
                return;
            }
            WindowEvent::Resized(size) => {
                running.size = *size;
                running.ask_redraw();
            }
            WindowEvent::ScaleFactorChanged { .. } => {
                running.size = running.window.inner_size();
                running.ask_redraw();
            }
            _ => {}
        }
        let response = running.state.on_window_event(&running.window, &event);
        if response.repaint {
            running.ask_redraw();
        }
    }

    fn user_event(&mut self, _event_loop: &ActiveEventLoop, event: UserEvent) {
        match event {
            UserEvent::Repaint { delay } => self.schedule(delay),
            UserEvent::AccessKit(event) => {
                let Some(running) = self.running.as_mut() else {
                    return;
                };
                match event.window_event {
                    accesskit_winit::WindowEvent::InitialTreeRequested => {
                        self.ctx.enable_accesskit();
                        running.ask_redraw();
                    }
                    accesskit_winit::WindowEvent::ActionRequested(request) => {
                        running.state.on_accesskit_action_request(request);
                        running.ask_redraw();
                    }
                    accesskit_winit::WindowEvent::AccessibilityDeactivated => {
                        self.ctx.disable_accesskit();
                    }
                }
            }
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        if event_loop.exiting() {
            // The app decided to close in this turn: no pass after that.
            return;
        }
        match self.next_repaint {
            Some(when) if when <= Instant::now() => {
                self.next_repaint = None;
                event_loop.set_control_flow(ControlFlow::Wait);
                match &self.running {
                    // A redraw is already on its way: that frame serves both.
                    Some(running) if running.asked_redraw => {}
                    // Drawn here rather than through a redraw request, which
                    // would cost the loop another turn (a wake-up, a look at
                    // the X queue) for every countdown tick.
                    Some(_) => self.frame(event_loop),
                    None => {}
                }
                // The frame may have asked for the next one already.
                if let Some(when) = self.next_repaint {
                    event_loop.set_control_flow(ControlFlow::WaitUntil(when));
                }
            }
            Some(when) => event_loop.set_control_flow(ControlFlow::WaitUntil(when)),
            None => event_loop.set_control_flow(ControlFlow::Wait),
        }
    }

    fn exiting(&mut self, _event_loop: &ActiveEventLoop) {
        self.finish();
    }
}
