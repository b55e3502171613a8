//! unknot: guided self-massage and heat routines for back pain.
//!
//! `core` is the pure functional core (routines, scaling, the session engine);
//! `library`, `audio`, `conductor` and `ui` are the thin imperative shell.

pub mod audio;
pub mod clock;
pub mod conductor;
pub mod core;
pub mod files;
pub mod library;
pub mod paths;
pub mod store;
pub mod supervise;
pub mod ui;
