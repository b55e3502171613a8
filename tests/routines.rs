//! The real routine files, loaded the way the app loads them, and bad files in a
//! temporary routines folder.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fs;
use std::path::Path;

use unknot::core::parse::parse_routine;
use unknot::core::routine::{Pressure, Region, Side};
use unknot::library::{self, BUILTIN_FILES, DEFAULT_ROUTINE_ID, RoutineSource};

#[test]
fn every_file_in_sessions_is_built_in_and_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions");
    let mut on_disk: Vec<String> = fs::read_dir(&dir)
        .expect("sessions folder")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = BUILTIN_FILES
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .collect();
    embedded.sort();
    assert_eq!(
        on_disk, embedded,
        "every routine file must be embedded in the binary"
    );

    for name in &on_disk {
        let text = fs::read_to_string(dir.join(name)).expect("readable");
        let routine = parse_routine(name, &text).unwrap_or_else(|problems| {
            panic!(
                "{name}: {}",
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
        assert_eq!(
            format!("{}.toml", routine.id),
            *name,
            "file named after its id"
        );
    }
}

#[test]
fn the_builtin_library_has_the_six_routines_and_the_15_minute_default() {
    let library = library::load_builtin();
    assert!(library.problems.is_empty(), "{:?}", library.problems);
    assert!(library.entries.len() >= 6);
    let default = library.find(DEFAULT_ROUTINE_ID).expect("default routine");
    assert_eq!(default.routine.default_length_secs(), 15 * 60);
    assert_eq!(
        library.entries[0].routine.id, DEFAULT_ROUTINE_ID,
        "listed first"
    );
    let quick = library.find("quick-tension-break").expect("quick break");
    assert_eq!(quick.routine.default_length_secs(), 5 * 60);
    assert!(
        library
            .find("lower-back-heat")
            .expect("heat")
            .routine
            .uses_heat()
    );
    for id in [
        "shoulders-to-lower-back",
        "trigger-points",
        "evening-wind-down",
    ] {
        assert!(library.find(id).is_some(), "{id} missing");
    }
}

#[test]
fn builtin_content_keeps_firm_pressure_off_the_lower_back_and_cues_sides() {
    for entry in library::load_builtin().entries {
        for step in &entry.routine.steps {
            assert!(
                !(step.region == Region::LowerBack && step.pressure == Pressure::Firm),
                "{}: '{}' presses firmly on the lower back",
                entry.routine.id,
                step.title
            );
            if step.side == Side::Both {
                assert!(
                    step.instructions.to_lowercase().contains("switch"),
                    "{}: two-sided step '{}' should say when to switch",
                    entry.routine.id,
                    step.title
                );
            }
            let words = step.instructions.to_lowercase();
            assert!(
                !words.contains("cure") && !words.contains("heal"),
                "{}",
                step.title
            );
        }
    }
}

#[test]
fn user_files_load_beside_builtins_and_bad_ones_are_reported_not_hidden() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = BUILTIN_FILES[4]
        .1
        .replace("id = \"quick-tension-break\"", "id = \"my-break\"")
        .replace("name = \"Quick tension break\"", "name = \"My break\"");
    fs::write(dir.path().join("a-good.toml"), good).expect("write");
    let bad_region = BUILTIN_FILES[4]
        .1
        .replace("id = \"quick-tension-break\"", "id = \"bad-one\"")
        .replacen("region = \"neck\"", "region = \"necc\"", 1);
    fs::write(dir.path().join("b-bad-region.toml"), bad_region).expect("write");
    fs::write(dir.path().join("c-duplicate.toml"), BUILTIN_FILES[0].1).expect("write");
    fs::write(dir.path().join("d-not-toml.toml"), "this is [not toml").expect("write");
    fs::write(dir.path().join("e-binary.toml"), [0xff, 0xfe, 0x00, 0x41]).expect("write");
    fs::write(dir.path().join("f-huge.toml"), vec![b'#'; 2 * 1024 * 1024]).expect("write");
    fs::write(dir.path().join("notes.txt"), "not a routine").expect("write");

    let library = library::load(Some(dir.path()));
    let mine = library.find("my-break").expect("good user file loaded");
    assert!(matches!(mine.source, RoutineSource::File(_)));
    assert_eq!(library.entries.len(), BUILTIN_FILES.len() + 1);

    let messages: Vec<String> = library.problems.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 5, "{messages:#?}");
    let find = |needle: &str| {
        messages
            .iter()
            .find(|m| m.contains(needle))
            .unwrap_or_else(|| panic!("no message for {needle}: {messages:#?}"))
            .clone()
    };
    let region = find("b-bad-region.toml");
    assert!(
        region.contains(":22: steps[2].region: unknown region \"necc\""),
        "{region}"
    );
    assert!(
        find("c-duplicate.toml").contains("already used by built-in routine endorphin-15.toml")
    );
    assert!(find("d-not-toml.toml").contains("not valid routine TOML"));
    assert!(find("e-binary.toml").contains("not UTF-8"));
    assert!(find("f-huge.toml").contains("larger than 1024 KiB"));
}

#[test]
fn a_missing_routines_folder_is_not_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let library = library::load(Some(&dir.path().join("does-not-exist")));
    assert!(library.problems.is_empty());
    assert_eq!(library.entries.len(), BUILTIN_FILES.len());
}
