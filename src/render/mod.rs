//! Drawing the window without a graphics card: egui's triangles filled on the
//! CPU, only where the picture changed, and handed to the window system with
//! the changed rectangles. Chosen at start-up when OpenGL would run on the CPU
//! anyway (Mesa's llvmpipe and its kin), where a full-window GL frame costs
//! milliseconds for a countdown that changed a few digits.

pub mod choice;
pub mod damage;
pub mod painter;
pub mod raster;
pub mod shapes;
pub mod shell;

#[cfg(test)]
mod tests;
