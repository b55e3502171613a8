//! A mutation fuzzer for the three readers of the person's files: the routine
//! parser, the preferences parser and the custom-sound check. Pure Rust, no
//! compiler plug-ins, so it runs anywhere the tests run.
//!
//! It starts from real inputs (the built-in routines, saved preferences, the
//! built-in cue sounds and a few malformed headers), mutates them at random,
//! and checks for each input:
//! - nothing panics (the sound decoder's own panics are caught by the app's
//!   isolation and counted separately, since that is the app working);
//! - what parses writes back and parses again to the same value;
//! - an accepted sound has a sample rate and channel count a device can play.
//!
//! Inputs that break a rule are saved under `target/fuzz/` and the run exits 1.
//!
//! `cargo run --release --example fuzz -- [--seconds N] [--target all|routine|prefs|sound] [--seed S]`

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rodio::Source;
use unknot::audio::{SAMPLE_RATES, builtin_sound, decode_sound};
use unknot::core::engine::CueKind;
use unknot::core::parse::{parse_routine, routine_to_toml};
use unknot::core::prefs::{Preferences, parse_preferences, preferences_to_toml};
use unknot::library::BUILTIN_FILES;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Target {
    Routine,
    Prefs,
    Sound,
    Pages,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Routine => "routine",
            Target::Prefs => "prefs",
            Target::Sound => "sound",
            Target::Pages => "pages",
        }
    }
}

struct Args {
    seconds: f64,
    targets: Vec<Target>,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        seconds: 10.0,
        targets: vec![Target::Routine, Target::Prefs, Target::Sound, Target::Pages],
        seed: 0x756e_6b6e_6f74,
    };
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        let value = words.next().ok_or(format!("{word} needs a value"))?;
        match word.as_str() {
            "--seconds" => {
                args.seconds = value
                    .parse()
                    .ok()
                    .filter(|seconds: &f64| seconds.is_finite() && *seconds > 0.0)
                    .ok_or("--seconds takes a number of seconds above 0")?;
            }
            "--seed" => args.seed = value.parse().map_err(|_| "--seed takes a whole number")?,
            "--target" => {
                args.targets = match value.as_str() {
                    "all" => args.targets,
                    "routine" => vec![Target::Routine],
                    "prefs" => vec![Target::Prefs],
                    "sound" => vec![Target::Sound],
                    "pages" => vec![Target::Pages],
                    _ => return Err("--target is all, routine, prefs, sound or pages".into()),
                }
            }
            _ => return Err(format!("unknown option {word}")),
        }
    }
    Ok(args)
}

/// Inputs to start from, per target.
fn seeds(target: Target) -> Vec<Vec<u8>> {
    match target {
        Target::Routine => BUILTIN_FILES
            .iter()
            .map(|(_, text)| text.as_bytes().to_vec())
            .collect(),
        Target::Prefs => {
            let mut prefs = Preferences::default();
            let mut seeds = vec![preferences_to_toml(&prefs).unwrap_or_default().into_bytes()];
            prefs.master_volume = 0.3;
            prefs.cues.heat_off.custom_file = Some(PathBuf::from("/tmp/bell.ogg"));
            seeds.push(preferences_to_toml(&prefs).unwrap_or_default().into_bytes());
            seeds.push(b"schema_version = 1\ndefault_minutes = 15\n".to_vec());
            seeds
        }
        Target::Pages => vec![history_file()],
        Target::Sound => {
            let mut seeds: Vec<Vec<u8>> = CueKind::ALL
                .iter()
                .map(|kind| builtin_sound(*kind).to_vec())
                .collect();
            // Headers that lie: rate 0, 0 channels, a huge data chunk.
            let base = builtin_sound(CueKind::StepStart).to_vec();
            for (offset, bytes) in [(24, [0u8; 4]), (22, [0, 0, 0, 0]), (40, [0xff; 4])] {
                let mut lying = base.clone();
                if let Some(slice) = lying.get_mut(offset..offset + 4) {
                    slice.copy_from_slice(&bytes);
                }
                seeds.push(lying);
            }
            seeds.push(b"OggS".to_vec());
            seeds.push(b"fLaC\0\0\0\x22".to_vec());
            seeds.push(b"ID3\x04\0\0\0\0\0\0\xff\xfb".to_vec());
            seeds
        }
    }
}

/// A real history file with a few sessions, as the page scanner's seed.
fn history_file() -> Vec<u8> {
    use unknot::store::history_db::{HistoryDb, NewSession};
    let Ok(dir) = tempfile::tempdir() else {
        return Vec::new();
    };
    let path = dir.path().join("history.sqlite3");
    if let Ok(opened) = HistoryDb::open(&path, "seed") {
        let mut db = opened.db;
        for minute in 0..40 {
            let _ = db.start_session(&NewSession {
                routine_id: "endorphin-15".into(),
                routine_name: "15-minute endorphin routine".into(),
                planned_secs: 900,
                step_count: 9,
                started_at: chrono::DateTime::from_timestamp(1_790_000_000 + minute * 3600, 0)
                    .unwrap_or_default(),
                regions: vec!["neck".into()],
                heat_used: minute % 3 == 0,
                pain_before: Some(5),
                owner: None,
            });
        }
    }
    std::fs::read(&path).unwrap_or_default()
}

/// Pieces that tend to reach new paths in each format.
const TEXT_PIECES: &[&[u8]] = &[
    b"[[steps]]\n",
    b"[[heat]]\n",
    b" = ",
    b"\"",
    b"\n",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"4611686018427387905",
    b"0",
    b"-1",
    b"1e400",
    b"nan",
    b"true",
    b"[",
    b"]",
    b"{",
    b"\xff\xfe",
    b"\\u0000",
    b"'''",
    "\u{202e}\u{1f600}".as_bytes(),
];

fn mutate(input: &mut Vec<u8>, seeds: &[Vec<u8>], rng: &mut fastrand::Rng) {
    for _ in 0..rng.usize(1..=4) {
        let len = input.len();
        match rng.u8(0..8) {
            0 if len > 0 => {
                let at = rng.usize(..len);
                input[at] ^= 1 << rng.u8(0..8);
            }
            1 if len > 0 => {
                let at = rng.usize(..len);
                input[at] = [0, 0xff, 0x7f, 0x80, b'0', b'9'][rng.usize(..6)];
            }
            2 => {
                let at = rng.usize(..=len);
                let piece = TEXT_PIECES[rng.usize(..TEXT_PIECES.len())];
                input.splice(at..at, piece.iter().copied());
            }
            3 if len > 1 => {
                let start = rng.usize(..len);
                let end = (start + rng.usize(1..=64)).min(len);
                input.drain(start..end);
            }
            4 if len > 1 => {
                let start = rng.usize(..len);
                let end = (start + rng.usize(1..=64)).min(len);
                let copy: Vec<u8> = input[start..end].to_vec();
                let at = rng.usize(..=input.len());
                input.splice(at..at, copy);
            }
            5 if len > 0 => input.truncate(rng.usize(..len)),
            6 => {
                let other = &seeds[rng.usize(..seeds.len())];
                if !other.is_empty() && len > 0 {
                    let from = rng.usize(..other.len());
                    let take = rng.usize(1..=256).min(other.len() - from);
                    let at = rng.usize(..len);
                    let end = (at + take).min(len);
                    input.splice(at..end, other[from..from + take].iter().copied());
                }
            }
            _ => {
                let at = rng.usize(..=len);
                let count = rng.usize(1..=16);
                input.splice(at..at, std::iter::repeat_with(|| rng.u8(..)).take(count));
            }
        }
    }
}

/// Checks one input. `Err` is a broken rule, with what broke.
fn check(target: Target, input: &[u8], decoder_panics: &mut u64) -> Result<(), String> {
    match target {
        Target::Routine => {
            let Ok(text) = std::str::from_utf8(input) else {
                return Ok(());
            };
            if let Ok(routine) = parse_routine("fuzz.toml", text) {
                let written = routine_to_toml(&routine);
                match parse_routine("again.toml", &written) {
                    Ok(again) if again == routine => {}
                    Ok(_) => return Err("routine changed on a write and read back".into()),
                    Err(problems) => {
                        return Err(format!("written routine does not read back: {problems:?}"));
                    }
                }
            }
            Ok(())
        }
        Target::Prefs => {
            let Ok(text) = std::str::from_utf8(input) else {
                return Ok(());
            };
            if let Ok(prefs) = parse_preferences(text) {
                let written = preferences_to_toml(&prefs).map_err(|error| error.to_string())?;
                match parse_preferences(&written) {
                    Ok(again) if again == prefs => {}
                    Ok(_) => return Err("preferences changed on a write and read back".into()),
                    Err(error) => {
                        return Err(format!("written preferences do not read back: {error}"));
                    }
                }
            }
            Ok(())
        }
        Target::Pages => {
            // A damaged history is read page by page: never a panic, and
            // never a row from outside the file.
            let scan = unknot::store::salvage_pages::scan(input);
            if scan.rows.len() > input.len() {
                return Err("more rows than bytes".into());
            }
            Ok(())
        }
        Target::Sound => {
            match decode_sound(Cursor::new(input.to_vec())) {
                Ok(sound) => {
                    if !SAMPLE_RATES.contains(&sound.sample_rate().get())
                        || sound.channels().get() == 0
                    {
                        return Err("an unplayable sound was accepted".into());
                    }
                }
                Err(error) if error.to_string().contains("the decoder failed") => {
                    *decoder_panics += 1;
                }
                Err(_) => {}
            }
            Ok(())
        }
    }
}

/// An input that takes longer than this has hung the reader.
const HANG_LIMIT: Duration = Duration::from_secs(10);

struct Report {
    inputs: u64,
    accepted: u64,
    decoder_panics: u64,
    slowest: Duration,
    broken: Vec<PathBuf>,
}

fn run(target: Target, seconds: f64, rng: &mut fastrand::Rng) -> Report {
    let seeds = seeds(target);
    let mut report = Report {
        inputs: 0,
        accepted: 0,
        decoder_panics: 0,
        slowest: Duration::ZERO,
        broken: Vec::new(),
    };
    // Inputs are checked on a thread of their own, so one that hangs the
    // reader is caught by the time limit instead of stalling the run.
    let (inputs, for_checker) = std::sync::mpsc::channel::<Vec<u8>>();
    let (results, outcomes) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for input in for_checker {
            let mut decoder_panics = 0;
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                check(target, &input, &mut decoder_panics)
            }));
            let outcome = outcome.unwrap_or_else(|_| Err("a panic escaped".to_owned()));
            if results.send((outcome, decoder_panics)).is_err() {
                break;
            }
        }
    });
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    while Instant::now() < until {
        let mut input = seeds[rng.usize(..seeds.len())].clone();
        mutate(&mut input, &seeds, rng);
        let started = Instant::now();
        if inputs.send(input.clone()).is_err() {
            break;
        }
        let (outcome, hung) = match outcomes.recv_timeout(HANG_LIMIT) {
            Ok((outcome, decoder_panics)) => {
                report.decoder_panics += decoder_panics;
                (outcome, false)
            }
            Err(_) => (
                Err(format!("no answer within {} s", HANG_LIMIT.as_secs())),
                true,
            ),
        };
        report.slowest = report.slowest.max(started.elapsed());
        report.inputs += 1;
        let broken = match outcome {
            Ok(()) => {
                report.accepted += 1;
                None
            }
            Err(rule) => Some(rule),
        };
        if let Some(rule) = broken {
            let dir = PathBuf::from("target/fuzz");
            let _ = std::fs::create_dir_all(&dir);
            let path = dir.join(format!("{}-{}.bin", target.name(), report.broken.len() + 1));
            let _ = std::fs::write(&path, &input);
            eprintln!(
                "fuzz: {}: {rule} (input saved as {})",
                target.name(),
                path.display()
            );
            report.broken.push(path);
        }
        if hung {
            // The checker is stuck on that input; this target is done.
            break;
        }
    }
    report
}

fn main() -> std::process::ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("fuzz: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    // Panics are counted, not printed: the decoder's caught ones are expected.
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let mut failed = false;
    println!("fuzz: seed {}, {} s per target", args.seed, args.seconds);
    for target in &args.targets {
        let report = run(*target, args.seconds, &mut rng);
        println!(
            "fuzz: {:<7} {:>9} inputs ({:.0}/s), slowest {:.1} ms, decoder panics caught {}, rules broken {}",
            target.name(),
            report.inputs,
            report.inputs as f64 / args.seconds.max(0.001),
            report.slowest.as_secs_f64() * 1000.0,
            report.decoder_panics,
            report.broken.len()
        );
        failed |= !report.broken.is_empty();
    }
    if failed {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
