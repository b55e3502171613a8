//! Cue sounds: the built-in ones decode, and custom files are checked before use.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::Cursor;
use std::path::Path;

use rodio::Source;
use unknot::audio::{CustomSoundError, builtin_sound, decode_sound, load_custom_sound};
use unknot::core::engine::CueKind;

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
    assert!(matches!(error, CustomSoundError::Unreadable(_)));
    assert!(error.to_string().starts_with("it cannot be read"));

    let huge = dir.path().join("huge.flac");
    std::fs::write(&huge, vec![0u8; 6 * 1024 * 1024]).unwrap();
    assert!(matches!(
        load_custom_sound(&huge),
        Err(CustomSoundError::TooLarge)
    ));
}
