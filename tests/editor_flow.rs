//! The routine editor, import, export and reloading, driven through the real UI
//! with the real disk thread over a temporary routines folder.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use unknot::app::{AppDeps, Screen, UnknotApp};
use unknot::audio::{AudioStatus, SilentSink};
use unknot::clock::ManualClock;
use unknot::core::parse::parse_routine;
use unknot::core::prefs::Preferences;
use unknot::library;
use unknot::store::disk::DiskWorker;

fn harness(routines: &Path) -> Harness<'static, UnknotApp> {
    let deps = AppDeps {
        library: library::load(Some(routines)),
        clock: Arc::new(ManualClock::new()),
        cues: Arc::new(SilentSink),
        audio_status: Box::new(|| AudioStatus::Ready),
        prefs: read_safety(),
        prefs_saver: None,
        startup_notice: None,
        disk: Some(DiskWorker::start(Some(routines.to_owned()), Arc::new(|| {})).unwrap()),
        prefs_path: None,
        history: None,
        user_routines_dir: Some(routines.to_owned()),
        speech: None,
        desktop: None,
    };
    let app = UnknotApp::new(deps, Arc::new(|| {}));
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1200.0, 1400.0))
        .build_ui_state(|ui, app: &mut UnknotApp| app.show(ui), app);
    harness.run_steps(3);
    harness
}

/// Puts a path in the import/export screen's file field.
fn set_transfer_path(harness: &mut Harness<'_, UnknotApp>, path: &Path) {
    match &mut harness.state_mut().screen {
        Screen::Transfer(state) => state.path_text = path.display().to_string(),
        other => panic!("expected import or export, found {}", other.name()),
    }
}

/// Steps frames until `done` holds (the disk thread answers asynchronously).
fn wait_until(harness: &mut Harness<'_, UnknotApp>, done: impl Fn(&UnknotApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done(harness.state()) {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for the disk thread"
        );
        std::thread::sleep(Duration::from_millis(10));
        harness.run_steps(1);
    }
}

#[test]
fn duplicate_a_builtin_edit_a_step_save_and_see_it_in_the_library() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    harness.get_by_label("Quick tension break").click();
    harness.run_steps(3);
    harness.get_by_label("Duplicate and edit").click();
    harness.run_steps(3);
    assert_eq!(harness.state().screen.name(), "editor");

    // Edit the first step's title and length through the widgets.
    let title = harness.get_by_label("Step 1 title");
    title.focus();
    title.type_text(" slowly");
    harness.run_steps(3);
    match &mut harness.state_mut().screen {
        Screen::Editor(editor) => {
            assert_eq!(
                editor.draft.steps[0].title,
                "Plant your feet and drop the shoulders slowly"
            );
            assert_eq!(editor.draft.id, "quick-tension-break-mine");
            editor.draft.steps[0].duration_secs = 45;
        }
        other => panic!("expected the editor, found {}", other.name()),
    }
    harness.run_steps(3);
    harness.get_by_label("Save").click();
    harness.run_steps(3);
    wait_until(&mut harness, |app| {
        app.library().find("quick-tension-break-mine").is_some()
    });
    assert_eq!(harness.state().screen.name(), "library");
    harness
        .get_by_label("Quick tension break (my copy)")
        .click();
    harness.run_steps(3);
    harness.get_by_label("Plant your feet and drop the shoulders slowly");

    // The file on disk reads back as exactly the routine that was saved.
    let path = dir.path().join("quick-tension-break-mine.toml");
    let saved = parse_routine("x", &std::fs::read_to_string(&path).unwrap()).unwrap();
    let loaded = &harness
        .state()
        .library()
        .find("quick-tension-break-mine")
        .unwrap()
        .routine;
    assert_eq!(&saved, loaded);
    assert_eq!(saved.steps[0].duration_secs, 45);
    assert_eq!(saved.steps.len(), 5);
}

/// Types `text` into the field with this accessible name or label.
fn type_into(harness: &mut Harness<'_, UnknotApp>, field: &str, text: &str) {
    let node = harness.get_by_label(field);
    node.focus();
    node.type_text(text);
    harness.run_steps(3);
}

fn titles(harness: &Harness<'_, UnknotApp>) -> Vec<String> {
    match &harness.state().screen {
        Screen::Editor(editor) => editor.draft.steps.iter().map(|s| s.title.clone()).collect(),
        other => panic!("expected the editor, found {}", other.name()),
    }
}

#[test]
fn problems_show_inline_and_block_saving() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    harness.get_by_label("New routine").click();
    harness.run_steps(3);
    // A new routine is blank, not filled with example words that could be
    // saved as the person's own: the check asks for each one.
    harness.get_by_label("Fix these to save:");
    harness.get_by_label("Name: name is empty");
    harness.get_by_label("Summary: summary is empty");
    harness.get_by_label("Step 1 instructions: instructions is empty");
    type_into(&mut harness, "Name", "Desk break");
    type_into(&mut harness, "Summary", "Shoulders between meetings.");
    harness.get_by_label("Step 1 title: title is empty");
    type_into(&mut harness, "Step 1 title", "Shoulder rolls");
    type_into(
        &mut harness,
        "Step 1 instructions",
        "Roll both shoulders slowly.",
    );
    harness.get_by_label("Ready to save.");

    // Typing on while a problem comes and goes above keeps every keystroke
    // in the same field: "X" makes the id invalid, and the box appears.
    let id = harness.get_by_label("Id (file name)");
    id.focus();
    for key in ["X", "Y", "Z"] {
        harness.get_by_label("Id (file name)").type_text(key);
        harness.run_steps(3);
    }
    match &harness.state().screen {
        Screen::Editor(editor) => assert_eq!(editor.draft.id, "my-routineXYZ"),
        other => panic!("expected the editor, found {}", other.name()),
    }
    harness.get_by_label("Fix this to save:");
    harness.get_by_label_contains("Id: ");

    match &mut harness.state_mut().screen {
        Screen::Editor(editor) => editor.draft.id = "endorphin-15".into(),
        other => panic!("expected the editor, found {}", other.name()),
    }
    harness.run_steps(3);
    harness.get_by_label_contains("Id: id \"endorphin-15\" is already used");
    harness.get_by_label("Save").click();
    harness.run_steps(3);
    std::thread::sleep(Duration::from_millis(200));
    harness.run_steps(3);
    assert_eq!(harness.state().screen.name(), "editor");
    assert_eq!(
        std::fs::read_dir(dir.path())
            .map(|d| d.count())
            .unwrap_or(0),
        0
    );
}

#[test]
fn steps_can_be_added_reordered_removed_and_undone_then_the_routine_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    harness.get_by_label("New routine").click();
    harness.run_steps(3);
    type_into(&mut harness, "Name", "My routine");
    type_into(&mut harness, "Summary", "Evening shoulders.");
    type_into(&mut harness, "Step 1 title", "First step");
    type_into(&mut harness, "Step 1 instructions", "Slow strokes.");
    harness.get_by_label("Add a step").click();
    harness.run_steps(3);
    type_into(&mut harness, "Step 2 title", "Second");
    type_into(&mut harness, "Step 2 instructions", "Small circles.");
    harness.get_all_by_label("Up").nth(1).unwrap().click();
    harness.run_steps(3);
    assert_eq!(titles(&harness), vec!["Second", "First step"]);
    harness.get_by_label("Moved step 2 up.");

    // Remove says what it did and Undo puts it back.
    harness.get_all_by_label("Remove").nth(1).unwrap().click();
    harness.run_steps(3);
    assert_eq!(titles(&harness), vec!["Second"]);
    harness.get_by_label("Removed step 2 \"First step\".");
    harness.get_by_label("Undo").click();
    harness.run_steps(3);
    assert_eq!(titles(&harness), vec!["Second", "First step"]);
    harness.get_all_by_label("Remove").nth(1).unwrap().click();
    harness.run_steps(3);

    // Leaving with changes asks first; "Keep editing" stays.
    harness.get_by_label("Routines").click();
    harness.run_steps(3);
    harness.get_by_label("Leave without saving? Your changes will be lost.");
    harness.get_by_label("Keep editing").click();
    harness.run_steps(3);
    assert_eq!(harness.state().screen.name(), "editor");

    harness.get_by_label("Save").click();
    harness.run_steps(3);
    wait_until(&mut harness, |app| {
        app.library().find("my-routine").is_some()
    });

    // Deleting asks first, then removes the file.
    harness.get_by_label("My routine").click();
    harness.run_steps(3);
    harness.get_by_label("Edit").click();
    harness.run_steps(3);
    harness.get_by_label("Delete…").click();
    harness.run_steps(3);
    harness.get_by_label("Delete this routine file?");
    harness.get_by_label("Yes, delete").click();
    harness.run_steps(3);
    wait_until(&mut harness, |app| {
        app.library().find("my-routine").is_none()
    });
    assert!(!dir.path().join("my-routine.toml").exists());
}

#[test]
fn cancel_with_changes_asks_and_discarding_goes_where_the_person_was_going() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    harness.get_by_label("Endorphin routine").click();
    harness.run_steps(3);
    harness.get_by_label("Duplicate and edit").click();
    harness.run_steps(3);
    // A copy not yet saved counts as a change: Esc asks, like Cancel.
    harness.key_press(egui::Key::Escape);
    harness.run_steps(3);
    harness.get_by_label("Leave without saving? Your changes will be lost.");
    harness.get_by_label("Keep editing").click();
    harness.run_steps(3);
    harness.get_by_label("Cancel").click();
    harness.run_steps(3);
    harness.get_by_label("Discard changes").click();
    harness.run_steps(3);
    assert_eq!(harness.state().screen.name(), "library");

    // Heat spans show and follow a removed step; Settings via the top bar
    // asks first, then goes to Settings once discarded.
    harness
        .get_by_label("Shoulders down to the lower back")
        .click();
    harness.run_steps(3);
    harness.get_by_label("Duplicate and edit").click();
    harness.run_steps(3);
    let heat_before = match &harness.state().screen {
        Screen::Editor(editor) => editor.draft.heat.clone(),
        other => panic!("expected the editor, found {}", other.name()),
    };
    assert!(
        !heat_before.is_empty(),
        "this routine lays heat alongside steps"
    );
    harness.get_by_label("Heat 1 from step");
    harness.get_all_by_label("Remove").next().unwrap().click();
    harness.run_steps(3);
    match &harness.state().screen {
        Screen::Editor(editor) => {
            let span = editor.draft.heat[0];
            assert_eq!(
                (span.from_step, span.to_step),
                (
                    heat_before[0].from_step.saturating_sub(1),
                    heat_before[0].to_step - 1
                ),
                "the heat stays on the steps it lay on, one fewer"
            );
        }
        other => panic!("expected the editor, found {}", other.name()),
    }
    harness.get_by_label("Settings").click();
    harness.run_steps(3);
    harness.get_by_label("Discard changes").click();
    harness.run_steps(3);
    assert_eq!(harness.state().screen.name(), "settings");
}

#[test]
fn import_refuses_a_taken_id_until_the_person_chooses_and_export_writes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join("shared.toml");
    std::fs::write(&file, library::BUILTIN_FILES[0].1).unwrap();

    let mut harness = harness(dir.path());
    harness.get_by_label("Import…").click();
    harness.run_steps(3);
    harness.get_by_label("File");
    set_transfer_path(&mut harness, &file);
    harness.run_steps(3);
    harness.get_by_label("Import").click();
    harness.run_steps(3);
    wait_until(&mut harness, |app| match &app.screen {
        Screen::Transfer(state) => state.pending.is_some(),
        _ => false,
    });
    // The clash is with a built-in, so only a copy is offered.
    assert!(harness.query_by_label("Replace mine").is_none());
    harness.get_by_label("Import as a copy").click();
    harness.run_steps(3);
    wait_until(&mut harness, |app| {
        app.library().find("endorphin-15-2").is_some()
    });
    let imported = &harness
        .state()
        .library()
        .find("endorphin-15-2")
        .unwrap()
        .routine;
    assert_eq!(imported.name, "Endorphin routine (imported)");
    assert_eq!(imported.default_length_secs(), 900);

    // A broken file is refused with the same message as `unknot check`.
    std::fs::write(&file, "id = \"x\"\nname = 3\n").unwrap();
    harness.get_by_label("Import…").click();
    harness.run_steps(3);
    set_transfer_path(&mut harness, &file);
    harness.run_steps(3);
    harness.get_by_label("Import").click();
    harness.run_steps(3);
    wait_until(&mut harness, |app| match &app.screen {
        Screen::Transfer(state) => state.message.is_some(),
        _ => false,
    });
    harness.get_by_label_contains("This file was not imported");

    // Export a built-in routine and read it back.
    harness.get_by_label("Back").click();
    harness.run_steps(3);
    harness.get_by_label("Evening wind-down").click();
    harness.run_steps(3);
    harness.get_by_label("Export…").click();
    harness.run_steps(3);
    let target = outside.path().join("evening.toml");
    set_transfer_path(&mut harness, &target);
    harness.run_steps(3);
    harness.get_by_label("Export").click();
    harness.run_steps(3);
    wait_until(&mut harness, |_| target.exists());
    let exported = parse_routine("e", &std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(
        &exported,
        &harness
            .state()
            .library()
            .find("evening-wind-down")
            .unwrap()
            .routine
    );
}

#[test]
fn files_changed_by_hand_are_picked_up_when_the_window_gets_focus() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    let text = library::BUILTIN_FILES[4]
        .1
        .replace("quick-tension-break", "hand-made")
        .replace("Quick tension break", "Hand made");
    std::fs::write(dir.path().join("hand-made.toml"), &text).unwrap();
    harness.event(egui::Event::WindowFocused(true));
    harness.run_steps(3);
    wait_until(&mut harness, |app| {
        app.library().find("hand-made").is_some()
    });
    harness.get_by_label("Hand made");

    // Break it: the routine goes, and its problem is shown instead.
    std::fs::write(
        dir.path().join("hand-made.toml"),
        text.replace("\"neck\"", "\"nek\""),
    )
    .unwrap();
    harness.event(egui::Event::WindowFocused(true));
    harness.run_steps(3);
    wait_until(&mut harness, |app| {
        app.library().find("hand-made").is_none()
    });
    harness.get_by_label_contains("unknown region \"nek\"");
}

/// Preferences of someone who has read the first-start safety page.
fn read_safety() -> Preferences {
    Preferences {
        safety_acknowledged: true,
        ..Preferences::default()
    }
}

#[test]
fn the_fields_stay_put_as_problems_come_and_go_and_a_step_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    harness.get_by_label("Endorphin routine").click();
    harness.run_steps(3);
    harness.get_by_label("Duplicate and edit").click();
    harness.run_steps(3);
    let before = harness.get_by_label("Step 1 title").rect();
    harness.get_by_label("Ready to save.");
    // A problem appears (an id with a capital letter), then an undoable change.
    type_into(&mut harness, "Id (file name)", "X");
    harness.get_by_label("Fix this to save:");
    assert_eq!(
        harness.get_by_label("Step 1 title").rect(),
        before,
        "a problem moved the form"
    );
    harness.get_all_by_label("Remove").next().unwrap().click();
    harness.run_steps(3);
    harness.get_by_label_contains("Removed step 1");
    assert_eq!(
        harness.get_by_label("Step 1 title").rect(),
        before,
        "a change note moved the form"
    );
}
