//! The real routine files, loaded the way the app loads them, and bad files in a
//! temporary routines folder.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fs;
use std::path::Path;

use unknot::core::parse::parse_routine;
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
fn the_builtin_library_has_twelve_routines_and_the_15_minute_default() {
    let library = library::load_builtin();
    assert!(library.problems.is_empty(), "{:?}", library.problems);
    assert!(
        library.entries.len() >= 12,
        "{} routines",
        library.entries.len()
    );
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

/// The content lint: what every built-in routine must get right (see
/// `unknot::core::lint` for the rules and the tests that each can fail).
#[test]
fn builtin_content_passes_the_safety_lint() {
    use std::time::Duration;
    use unknot::core::engine::{CueKind, SKIN_CHECK_EVERY, Session};
    use unknot::core::plan::plan_with_lengths;
    use unknot::core::routine::HEAT_CAP_SECS;

    for (file, text) in BUILTIN_FILES {
        // Every step names its region, tool, pressure and side in the file itself.
        let raw: toml::Value = toml::from_str(text).expect("TOML");
        assert!(raw.get("sources").is_some(), "{file}: no sources");
        for (index, step) in raw["steps"].as_array().expect("steps").iter().enumerate() {
            for key in ["region", "tool", "pressure", "side", "say"] {
                assert!(
                    step.get(key).is_some(),
                    "{file}: steps[{}] has no {key}",
                    index + 1
                );
            }
        }
    }
    let library = library::load_builtin();
    let routines: Vec<&unknot::core::routine::Routine> =
        library.entries.iter().map(|entry| &entry.routine).collect();
    let findings = unknot::core::lint::library_findings(&routines, true);
    assert!(
        findings.is_empty(),
        "{}",
        findings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    for entry in library.entries {
        let routine = &entry.routine;
        let id = &routine.id;
        // Heat stays within its cap at the routine's own length, and when it
        // plays, the skin is checked every five minutes and the heat comes off.
        let lengths: Vec<u32> = routine
            .steps
            .iter()
            .map(|step| step.duration_secs)
            .collect();
        for span in routine.heat_spans() {
            let secs: u32 = lengths[span.from_step..=span.to_step].iter().sum();
            assert!(secs <= HEAT_CAP_SECS, "{id}: {secs} s of heat");
        }
        let plan = plan_with_lengths(routine, &lengths, 0, 0);
        let mut session = Session::start(plan, Duration::ZERO);
        let mut heat_cues = Vec::new();
        for second in 0..=u64::from(routine.default_length_secs()) {
            for event in session.poll(Duration::from_secs(second)) {
                // First sounds only; an unanswered alarm's repeats are tested elsewhere.
                if event.urgency == 0
                    && matches!(
                        event.kind,
                        CueKind::HeatOn | CueKind::SkinCheck | CueKind::HeatOff
                    )
                {
                    heat_cues.push((event.kind, event.due_at));
                }
            }
        }
        let mut on_since = None;
        for (kind, at) in &heat_cues {
            match kind {
                CueKind::HeatOn => on_since = Some(*at),
                CueKind::SkinCheck => {
                    let since = on_since.expect("skin check while heat is on");
                    assert_eq!((*at - since).as_secs() % SKIN_CHECK_EVERY.as_secs(), 0);
                }
                _ => {
                    let since = on_since.take().expect("heat off after heat on");
                    let on = (*at - since).as_secs();
                    let checks = heat_cues
                        .iter()
                        .filter(|(kind, when)| {
                            *kind == CueKind::SkinCheck && *when > since && *when < *at
                        })
                        .count() as u64;
                    assert_eq!(
                        checks,
                        (on - 1) / SKIN_CHECK_EVERY.as_secs(),
                        "{id}: checks over {on} s"
                    );
                }
            }
        }
        assert!(on_since.is_none(), "{id}: heat left on at the end");
        assert_eq!(
            routine.uses_heat(),
            heat_cues.iter().any(|(kind, _)| *kind == CueKind::HeatOn),
            "{id}: heat routines announce the heat"
        );
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
    // The built-in's id with other content clashes; an identical copy does not.
    let changed = BUILTIN_FILES[0].1.replacen("name = \"", "name = \"My ", 1);
    fs::write(dir.path().join("c-duplicate.toml"), changed).expect("write");
    fs::write(dir.path().join("c-same.toml"), BUILTIN_FILES[0].1).expect("write");
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
        region.contains(":24: steps[2].region: unknown region \"necc\""),
        "{region}"
    );
    let duplicate = find("c-duplicate.toml");
    let id_line = BUILTIN_FILES[0]
        .1
        .lines()
        .position(|line| line.starts_with("id ="))
        .expect("an id line")
        + 1;
    assert!(
        duplicate.contains(&format!(
            "c-duplicate.toml:{id_line}: id: id \"endorphin-15\" is already used by built-in routine endorphin-15.toml"
        )),
        "{duplicate}"
    );
    assert!(find("d-not-toml.toml").contains(":1: this is not valid TOML"));
    assert!(find("e-binary.toml").contains("not UTF-8"));
    assert!(find("f-huge.toml").contains("larger than 1 MiB"));
}

#[test]
fn a_missing_routines_folder_is_not_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let library = library::load(Some(&dir.path().join("does-not-exist")));
    assert!(library.problems.is_empty());
    assert_eq!(library.entries.len(), BUILTIN_FILES.len());
}

#[test]
fn check_refuses_symbols_the_app_cannot_draw_and_accepts_any_script() {
    let dir = tempfile::tempdir().unwrap();
    let base = unknot::library::BUILTIN_FILES
        .iter()
        .find(|(name, _)| *name == "quick-tension-break.toml")
        .unwrap()
        .1;
    let scripts = base
        .replace("id = \"quick-tension-break\"", "id = \"scripts\"")
        .replace(
            "name = \"Quick tension break\"",
            "name = \"שלום גב · ظهر مريح · Спина → ★\"",
        );
    let good = dir.path().join("scripts.toml");
    std::fs::write(&good, &scripts).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_unknot"))
        .arg("check")
        .arg(&good)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let emoji = scripts.replace("Спина → ★", "Спина \u{1F642}");
    let bad = dir.path().join("emoji.toml");
    std::fs::write(&bad, emoji).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_unknot"))
        .arg("check")
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("name: \"\u{1F642}\" (U+1F642) is not in the app's own fonts"),
        "{said}"
    );
}
