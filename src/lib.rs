//! unknot: guided self-massage and heat routines for back pain.
//!
//! `core` is the pure functional core (routines, scaling, the session engine);
//! `app` holds the state and handles commands and thread messages; `ui` only
//! draws; `library`, `audio`, `conductor` and `store` are the imperative shell.

pub mod app;
pub mod audio;
pub mod cli;
pub mod clock;
pub mod conductor;
pub mod core;
pub mod desktop;
pub mod files;
pub mod glyphs;
pub mod library;
pub mod paths;
pub mod remind;
pub mod render;
pub mod single;
pub mod speech;
pub mod store;
pub mod supervise;
pub mod ui;
