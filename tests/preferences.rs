//! Preferences on real files in a temporary folder: round trips, damaged and
//! future files set aside (never overwritten), and folders that cannot be written.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fs;
use std::sync::Arc;

use unknot::core::prefs::{Preferences, ThemeChoice};
use unknot::store::prefs_store::{self, PrefsSaver, SaveStatus};

fn saver(path: &std::path::Path) -> PrefsSaver {
    PrefsSaver::start(path.to_owned(), true, Arc::new(|| {}))
}

#[test]
fn saved_preferences_load_back_identically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/config/preferences.toml");
    let mut prefs = Preferences {
        master_volume: 0.35,
        theme: ThemeChoice::Dark,
        lead_in_secs: 12,
        ..Preferences::default()
    };
    prefs.cues.countdown_tick.enabled = false;
    let saver = saver(&path);
    saver.save(&Preferences::default());
    saver.save(&prefs);
    assert_eq!(saver.status(), SaveStatus::Saved);
    saver.flush();
    let loaded = prefs_store::load(&path, "stamp");
    assert_eq!(loaded.prefs, prefs);
    assert_eq!(loaded.notice, None);
    // No temporary files are left behind.
    let names: Vec<String> = fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["preferences.toml".to_owned()]);
}

#[test]
fn a_missing_file_means_defaults_and_no_notice() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = prefs_store::load(&dir.path().join("preferences.toml"), "stamp");
    assert_eq!(loaded.prefs, Preferences::default());
    assert_eq!(loaded.notice, None);
    assert!(loaded.may_save);
}

#[test]
fn a_damaged_file_is_set_aside_with_a_dated_name_and_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("preferences.toml");
    let damaged = "master_volume = 0.5\ntheme = [oops\n";
    fs::write(&path, damaged).unwrap();
    let loaded = prefs_store::load(&path, "20261121-101500");
    assert_eq!(loaded.prefs, Preferences::default());
    let backup = dir.path().join("preferences.toml.bad-20261121-101500");
    assert_eq!(
        fs::read_to_string(&backup).unwrap(),
        damaged,
        "kept byte for byte"
    );
    assert!(!path.exists());
    let notice = loaded.notice.expect("the person is told");
    assert!(notice.contains("damaged (line 2)"), "{notice}");
    assert!(
        notice.contains("preferences.toml.bad-20261121-101500"),
        "{notice}"
    );

    // A second damaged file in the same second gets its own name.
    fs::write(&path, "nonsense = = =").unwrap();
    let again = prefs_store::load(&path, "20261121-101500");
    assert!(again.notice.unwrap().contains("bad-20261121-101500-2"));
    assert_eq!(
        fs::read_to_string(&backup).unwrap(),
        damaged,
        "first backup untouched"
    );
}

#[test]
fn a_file_from_a_newer_version_is_kept_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("preferences.toml");
    let future = "schema_version = 9\nnew_feature = \"yes\"\n";
    fs::write(&path, future).unwrap();
    let loaded = prefs_store::load(&path, "s");
    assert!(loaded.notice.unwrap().contains("newer version of unknot"));
    assert_eq!(
        fs::read_to_string(dir.path().join("preferences.toml.bad-s")).unwrap(),
        future
    );
}

#[test]
fn a_folder_where_the_file_should_be_is_left_alone_and_never_written_over() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("preferences.toml");
    fs::create_dir(&path).unwrap();
    fs::write(path.join("inside.txt"), "kept").unwrap();
    let loaded = prefs_store::load(&path, "s");
    let notice = loaded.notice.unwrap();
    assert!(
        notice.contains("preferences.toml is a folder, not a regular file"),
        "{notice}"
    );
    assert!(!loaded.may_save);
    assert_eq!(fs::read_to_string(path.join("inside.txt")).unwrap(), "kept");
}

#[test]
fn a_folder_that_cannot_be_written_reports_a_failed_save() {
    let dir = tempfile::tempdir().unwrap();
    // The config "folder" is a plain file, so nothing can be created inside it
    // (a read-only folder behaves the same way, but root may write anyway).
    let blocker = dir.path().join("config");
    fs::write(&blocker, "not a folder").unwrap();
    let path = blocker.join("preferences.toml");
    let saver = saver(&path);
    saver.save(&Preferences::default());
    let status_after = {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let status = saver.status();
            if status != SaveStatus::Saved || std::time::Instant::now() > deadline {
                break status;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    };
    match status_after {
        SaveStatus::Failed(message) => {
            assert!(message.contains("config cannot be created"), "{message}");
        }
        other => panic!("expected a failed save, got {other:?}"),
    }
    assert_eq!(
        fs::read_to_string(&blocker).unwrap(),
        "not a folder",
        "nothing clobbered"
    );
}
