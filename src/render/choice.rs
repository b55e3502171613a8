//! Which painter draws the window: OpenGL through eframe, or the app's own
//! CPU painter. Automatic asks a child process for the OpenGL renderer's
//! name, so the graphics driver is never loaded into the app itself when it
//! would only run on the processor, and a driver that crashes or hangs on
//! start-up takes down the probe, not the app.

use std::io::Read;
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::core::prefs::Drawing;

/// The painter the window gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Painter {
    /// eframe's OpenGL painter.
    Gl,
    /// [`super::shell`]: the CPU painter that redraws only what changed.
    Processor,
}

/// How long start-up waits for the probe before drawing on the processor.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Whether an OpenGL renderer name (`GL_RENDERER`) is an implementation
/// that runs on the processor.
pub fn renderer_is_software(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "llvmpipe",
        "softpipe",
        "swrast",
        "software rasterizer",
        "swiftshader",
        "microsoft basic render",
        "gdi generic",
        "apple software renderer",
    ]
    .iter()
    .any(|marker| name.contains(marker))
}

/// `--drawing` as a setting.
pub fn parse_drawing(flag: &str) -> Option<Drawing> {
    match flag {
        "automatic" => Some(Drawing::Automatic),
        "gl" => Some(Drawing::Gl),
        "processor" => Some(Drawing::Processor),
        _ => None,
    }
}

/// Decides the painter. `probe` is asked only for [`Drawing::Automatic`], and
/// gives the renderer's name or why there is none. Returns the painter and a
/// sentence for the log.
pub fn decide(
    drawing: Drawing,
    probe: impl FnOnce() -> Result<String, String>,
) -> (Painter, String) {
    match drawing {
        Drawing::Gl => (Painter::Gl, "OpenGL, as set".to_owned()),
        Drawing::Processor => (Painter::Processor, "the processor, as set".to_owned()),
        Drawing::Automatic => match probe() {
            Ok(name) if renderer_is_software(&name) => (
                Painter::Processor,
                format!("the processor: OpenGL would run on it too ({name})"),
            ),
            Ok(name) if name.trim().is_empty() => (
                Painter::Processor,
                "the processor: OpenGL gave no renderer name".to_owned(),
            ),
            Ok(name) => (Painter::Gl, format!("OpenGL on {name}")),
            Err(why) => (
                Painter::Processor,
                format!("the processor: no OpenGL ({why})"),
            ),
        },
    }
}

/// The probe, running in a child process.
pub struct Probe {
    child: std::process::Child,
    answer: mpsc::Receiver<String>,
}

impl Probe {
    /// Starts `program --probe-gl`.
    pub fn start(program: &std::path::Path) -> Result<Self, String> {
        let mut child = Command::new(program)
            .arg("--probe-gl")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|error| format!("could not start the probe: {error}"))?;
        let mut stdout = child
            .stdout
            .take()
            .ok_or_else(|| "the probe has no output".to_owned())?;
        let (send, answer) = mpsc::channel();
        std::thread::Builder::new()
            .name("gl-probe".into())
            .spawn(move || {
                let mut text = String::new();
                // The probe prints one short line; the cap guards against a
                // driver that floods its output.
                let _ = (&mut stdout).take(4096).read_to_string(&mut text);
                let _ = send.send(text);
            })
            .map_err(|error| format!("could not read the probe: {error}"))?;
        Ok(Self { child, answer })
    }

    /// The renderer's name, or why there is none, waiting at most `timeout`.
    pub fn wait(mut self, timeout: Duration) -> Result<String, String> {
        let answer = self.answer.recv_timeout(timeout);
        let status = match answer {
            Ok(_) => self.child.wait().ok(),
            Err(_) => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return Err(format!(
                    "the probe did not answer in {} s",
                    timeout.as_secs()
                ));
            }
        };
        let text = answer.unwrap_or_default();
        let name = text.lines().next().unwrap_or_default().trim().to_owned();
        match status {
            Some(status) if status.success() && !name.is_empty() => Ok(name),
            Some(status) => Err(format!("the probe ended with {status}")),
            None => Err("the probe vanished".to_owned()),
        }
    }
}

/// `unknot --probe-gl`: opens an invisible OpenGL window the way the app
/// would, prints `GL_RENDERER`, and exits.
#[allow(unsafe_code)]
pub fn probe_main() -> ExitCode {
    use eframe::glow::HasContext as _;
    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        viewport: egui::ViewportBuilder::default()
            .with_visible(false)
            .with_inner_size([32.0, 32.0]),
        ..Default::default()
    };
    let result = eframe::run_native(
        "unknot-probe",
        options,
        Box::new(|cc| {
            let name = cc.gl.as_ref().map(|gl| {
                // SAFETY: eframe made this context current on this thread
                // before calling us, and GL_RENDERER is a valid name for
                // glGetString in every OpenGL version.
                unsafe { gl.get_parameter_string(eframe::glow::RENDERER) }
            });
            println!("{}", name.unwrap_or_default().replace('\n', " "));
            // Nothing else to do: leave before a frame is drawn.
            std::process::exit(0)
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("no OpenGL: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn software_renderers_are_recognised_and_hardware_ones_are_not() {
        for name in [
            "llvmpipe (LLVM 15.0.6, 256 bits)",
            "softpipe",
            "Software Rasterizer",
            "Google SwiftShader",
        ] {
            assert!(renderer_is_software(name), "{name}");
        }
        for name in [
            "Mesa Intel(R) UHD Graphics 620 (KBL GT2)",
            "AMD Radeon RX 6600 (radeonsi, navi23, LLVM 15.0.7, DRM 3.49, 6.1.0)",
            "NVIDIA GeForce GTX 1060 6GB/PCIe/SSE2",
            "virgl (ANGLE)",
        ] {
            assert!(!renderer_is_software(name), "{name}");
        }
    }

    #[test]
    fn automatic_follows_the_probe_and_a_setting_skips_it() {
        let llvmpipe = || Ok("llvmpipe (LLVM 15.0.6, 256 bits)".to_owned());
        assert_eq!(decide(Drawing::Automatic, llvmpipe).0, Painter::Processor);
        let card = || Ok("Mesa Intel(R) Xe Graphics".to_owned());
        assert_eq!(decide(Drawing::Automatic, card).0, Painter::Gl);
        let none = || Err("the probe ended with exit status: 1".to_owned());
        assert_eq!(decide(Drawing::Automatic, none).0, Painter::Processor);
        let never = || -> Result<String, String> { panic!("a setting must not probe") };
        assert_eq!(decide(Drawing::Gl, never).0, Painter::Gl);
        assert_eq!(decide(Drawing::Processor, never).0, Painter::Processor);
    }
}
