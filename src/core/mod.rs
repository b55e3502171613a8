//! The functional core: routines, scaling and the session engine.
//!
//! Nothing in here touches egui, audio, files or the clock, so all of it is
//! tested directly with plain values and a fake time.

pub mod announce;
pub mod course;
pub mod engine;
pub mod heat_alarm;
pub mod history;
pub mod limits;
pub mod lint;
pub mod parse;
mod parse_raw;
pub mod plan;
pub mod prefs;
pub mod routine;
pub mod scale;
pub mod show;
pub mod sources;
pub mod words;
