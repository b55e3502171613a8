//! Cue sounds: the built-in ones decode, and custom files are checked before use.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::Cursor;
use std::path::Path;
use std::time::Duration;

use rodio::Source;
use unknot::audio::{
    AudioPlayer, AudioStatus, CueSink, CustomSoundError, builtin_sound, decode_sound,
    load_custom_sound,
};
use unknot::core::engine::CueKind;
use unknot::core::prefs::CueSettings;

mod common;
use common::{mkfifo, within};

fn write_wav(path: &Path, seconds: f32) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for n in 0..(seconds * 8000.0) as usize {
        let t = n as f32 / 8000.0;
        writer
            .write_sample(((t * 440.0 * std::f32::consts::TAU).sin() * 8000.0) as i16)
            .unwrap();
    }
    writer.finalize().unwrap();
}

#[test]
fn every_builtin_cue_decodes_to_a_short_sound() {
    for kind in CueKind::ALL {
        let sound = decode_sound(Cursor::new(builtin_sound(kind))).expect("decodes");
        let length = sound.total_duration().expect("known length");
        assert!(
            length.as_secs_f32() > 0.1 && length.as_secs_f32() < 3.5,
            "{kind:?}: {length:?}"
        );
    }
}

#[test]
fn a_custom_wav_is_loaded_and_cut_to_fifteen_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let short = dir.path().join("bell.wav");
    write_wav(&short, 0.5);
    let sound = load_custom_sound(&short).expect("loads");
    assert!((sound.total_duration().unwrap().as_secs_f32() - 0.5).abs() < 0.01);

    let long = dir.path().join("LONG.WAV");
    write_wav(&long, 20.0);
    let sound = load_custom_sound(&long).expect("loads");
    assert!((sound.total_duration().unwrap().as_secs_f32() - 15.0).abs() < 0.01);
}

#[test]
fn unusable_custom_files_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake.ogg");
    std::fs::write(&fake, "this is not audio").unwrap();
    assert!(matches!(
        load_custom_sound(&fake),
        Err(CustomSoundError::Undecodable(_))
    ));

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "x").unwrap();
    assert!(matches!(
        load_custom_sound(&text),
        Err(CustomSoundError::UnsupportedKind)
    ));

    let missing = dir.path().join("gone.mp3");
    let error = load_custom_sound(&missing).unwrap_err();
    assert!(matches!(error, CustomSoundError::File(_)));
    assert!(
        error.to_string().starts_with("it cannot be opened"),
        "{error}"
    );

    let huge = dir.path().join("huge.flac");
    std::fs::write(&huge, vec![0u8; 6 * 1024 * 1024]).unwrap();
    let error = load_custom_sound(&huge).unwrap_err();
    assert_eq!(error.to_string(), "it is larger than 5 MiB");
}

/// A 100-byte WAV whose header says 0 samples per second: a decoder that
/// trusts it divides by zero.
fn rate_zero_wav() -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&92u32.to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
    bytes.extend_from_slice(&1u16.to_le_bytes()); // mono
    bytes.extend_from_slice(&0u32.to_le_bytes()); // sample rate 0
    bytes.extend_from_slice(&0u32.to_le_bytes()); // byte rate
    bytes.extend_from_slice(&2u16.to_le_bytes());
    bytes.extend_from_slice(&16u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&56u32.to_le_bytes());
    bytes.extend_from_slice(&[0x10; 56]);
    assert_eq!(bytes.len(), 100);
    bytes
}

#[test]
fn hostile_custom_sounds_are_refused_without_panics_hangs_or_huge_reads() {
    let dir = tempfile::tempdir().unwrap();
    let rate_zero = dir.path().join("rate0.wav");
    std::fs::write(&rate_zero, rate_zero_wav()).unwrap();
    let error = load_custom_sound(&rate_zero).unwrap_err();
    assert!(
        matches!(
            error,
            CustomSoundError::Undecodable(_) | CustomSoundError::Unusable(_)
        ),
        "{error}"
    );

    let fifo = dir.path().join("fifo.wav");
    mkfifo(&fifo);
    let error = within(Duration::from_secs(20), move || {
        load_custom_sound(&fifo).unwrap_err().to_string()
    });
    assert_eq!(error, "it is a named pipe (FIFO), not a regular file");

    let zero = dir.path().join("zero.wav");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let error = within(Duration::from_secs(20), move || {
        load_custom_sound(&zero).unwrap_err().to_string()
    });
    assert_eq!(error, "it is a device, not a regular file");

    let folder = dir.path().join("folder.ogg");
    std::fs::create_dir(&folder).unwrap();
    assert_eq!(
        load_custom_sound(&folder).unwrap_err().to_string(),
        "it is a folder, not a regular file"
    );

    let truncated = dir.path().join("cut.wav");
    write_wav(&truncated, 1.0);
    let bytes = std::fs::read(&truncated).unwrap();
    std::fs::write(&truncated, &bytes[..30]).unwrap();
    assert!(load_custom_sound(&truncated).is_err());
}

#[test]
fn the_audio_thread_survives_a_bad_sound_and_keeps_reporting() {
    let dir = tempfile::tempdir().unwrap();
    let rate_zero = dir.path().join("rate0.wav");
    std::fs::write(&rate_zero, rate_zero_wav()).unwrap();
    let (changed, heard) = std::sync::mpsc::channel::<()>();
    let changed = std::sync::Mutex::new(changed);
    let player = AudioPlayer::start(std::sync::Arc::new(move || {
        let _ = changed.lock().unwrap().send(());
    }));
    let mut cues = CueSettings::default();
    cues.heat_off.custom_file = Some(rate_zero.clone());
    let wait_for_warning = |player: &AudioPlayer| -> Vec<String> {
        loop {
            let warnings = player.take_warnings();
            if !warnings.is_empty() {
                return warnings;
            }
            heard
                .recv_timeout(Duration::from_secs(20))
                .expect("the audio thread answers");
        }
    };
    player.apply_settings(0.8, &cues);
    let first = wait_for_warning(&player);
    assert!(first[0].contains("rate0.wav"), "{first:?}");
    assert!(first[0].contains("Remove heat"), "{first:?}");
    assert!(
        first[0].contains("the built-in sound plays instead"),
        "{first:?}"
    );
    // Still alive: a second bad file is checked and reported too.
    let fifo = dir.path().join("second.wav");
    mkfifo(&fifo);
    cues.heat_off.custom_file = Some(fifo);
    player.apply_settings(0.8, &cues);
    let second = wait_for_warning(&player);
    assert!(second[0].contains("named pipe"), "{second:?}");
    assert!(
        !matches!(player.status(), AudioStatus::Unavailable(reason) if reason.contains("stopped"))
    );
}
