//! The storage shell: files on disk, written so that nothing is ever lost.

pub mod disk;
pub mod export;
pub mod history_db;
pub mod history_worker;
pub mod instance;
pub mod prefs_store;
pub mod salvage_pages;
