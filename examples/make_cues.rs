//! Synthesises the built-in cue sounds into `assets/cues/*.wav`.
//!
//! Run with `cargo run --example make_cues`. The sounds are soft sine bells with
//! a few partials and a smooth attack, so they are clear with eyes closed but
//! never startling. The generated files are committed and embedded in the app.

use std::f32::consts::TAU;
use std::path::Path;

const SAMPLE_RATE: u32 = 44_100;

/// One bell-like note: a fundamental with gentle partials and an exponential decay.
struct Note {
    start_secs: f32,
    frequency_hz: f32,
    length_secs: f32,
    decay_per_sec: f32,
    gain: f32,
}

fn render(notes: &[Note], total_secs: f32) -> Vec<f32> {
    let total = (total_secs * SAMPLE_RATE as f32) as usize;
    let mut samples = vec![0.0f32; total];
    for note in notes {
        let first = (note.start_secs * SAMPLE_RATE as f32) as usize;
        let count = (note.length_secs * SAMPLE_RATE as f32) as usize;
        for index in 0..count {
            let Some(slot) = samples.get_mut(first + index) else {
                break;
            };
            let t = index as f32 / SAMPLE_RATE as f32;
            let attack = (t / 0.008).min(1.0);
            let release = ((note.length_secs - t) / 0.05).clamp(0.0, 1.0);
            let envelope = attack * release * (-note.decay_per_sec * t).exp();
            let f = note.frequency_hz;
            let tone = (TAU * f * t).sin()
                + 0.35 * (TAU * 2.0 * f * t).sin() * (-2.0 * t).exp()
                + 0.12 * (TAU * 3.01 * f * t).sin() * (-4.0 * t).exp();
            *slot += note.gain * envelope * tone;
        }
    }
    let peak = samples.iter().fold(0.0f32, |m, s| m.max(s.abs())).max(1e-6);
    samples.iter().map(|s| s / peak * 0.7).collect()
}

fn write(path: &Path, samples: &[f32]) -> Result<(), hound::Error> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec)?;
    for sample in samples {
        writer.write_sample((sample * f32::from(i16::MAX)) as i16)?;
    }
    writer.finalize()
}

fn note(start_secs: f32, frequency_hz: f32, length_secs: f32, decay_per_sec: f32) -> Note {
    Note {
        start_secs,
        frequency_hz,
        length_secs,
        decay_per_sec,
        gain: 1.0,
    }
}

fn main() -> Result<(), hound::Error> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/cues");
    std::fs::create_dir_all(&dir)?;
    // A rising fourth: "begin".
    let step_start = render(
        &[note(0.0, 523.25, 0.9, 4.0), note(0.16, 698.46, 1.1, 3.5)],
        1.3,
    );
    // One soft mid bell: "halfway".
    let halfway = render(&[note(0.0, 659.25, 1.0, 3.5)], 1.0);
    // Down and up again, like turning over: "switch sides".
    let switch_side = render(
        &[
            note(0.0, 783.99, 0.5, 5.0),
            note(0.18, 587.33, 0.5, 5.0),
            note(0.36, 783.99, 0.9, 3.5),
        ],
        1.3,
    );
    // A short, muted wood-like tick.
    let countdown_tick = render(&[note(0.0, 987.77, 0.12, 30.0)], 0.15);
    // A slow major arpeggio that rings out: "done".
    let session_end = render(
        &[
            note(0.0, 523.25, 2.5, 1.2),
            note(0.25, 659.25, 2.3, 1.2),
            note(0.5, 783.99, 2.1, 1.2),
            note(0.75, 1046.5, 1.9, 1.4),
        ],
        2.8,
    );
    // Two low, warm notes: "heat on" (towel first).
    let heat_on = render(
        &[note(0.0, 392.0, 0.9, 3.0), note(0.22, 523.25, 1.2, 2.5)],
        1.5,
    );
    // Three quick high taps, unlike any other cue: "check your skin".
    let skin_check = render(
        &[
            note(0.0, 1318.5, 0.15, 18.0),
            note(0.14, 1318.5, 0.15, 18.0),
            note(0.28, 1318.5, 0.3, 12.0),
        ],
        0.7,
    );
    // A falling pair, repeated: "take the heat off now".
    let heat_off = render(
        &[
            note(0.0, 880.0, 0.35, 6.0),
            note(0.2, 659.25, 0.45, 5.0),
            note(0.55, 880.0, 0.35, 6.0),
            note(0.75, 659.25, 0.8, 4.0),
        ],
        1.7,
    );
    for (name, samples) in [
        ("heat_on", heat_on),
        ("skin_check", skin_check),
        ("heat_off", heat_off),
        ("step_start", step_start),
        ("halfway", halfway),
        ("switch_side", switch_side),
        ("countdown_tick", countdown_tick),
        ("session_end", session_end),
    ] {
        let path = dir.join(format!("{name}.wav"));
        write(&path, &samples)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
