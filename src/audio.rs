//! Cue sounds. One named thread owns the only audio output for the life of the
//! app; everyone else sends it small messages, so nothing ever waits on audio.

use std::io::Cursor;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use rodio::Source;

use crate::core::engine::CueKind;
use crate::core::prefs::CueSettings;
use crate::files::{self, FileError};
use crate::supervise::{self, Supervised};

/// Something that can sound a cue. The conductor only needs this.
pub trait CueSink: Send + Sync {
    /// Plays the cue without waiting for it.
    fn play(&self, kind: CueKind);

    /// Plays an alarm that has gone unanswered `urgency` times: louder, and
    /// from the second repeat twice in a row. Other sinks just play it.
    fn play_urgent(&self, kind: CueKind, urgency: u8) {
        let _ = urgency;
        self.play(kind);
    }

    /// Plays a cue for the settings screen, even if that cue is switched off.
    fn preview(&self, kind: CueKind) {
        self.play(kind);
    }

    /// How long the cue's sound lasts as it would play now (zero when it is
    /// switched off or nothing can sound), so speech can start after it.
    fn sound_length(&self, kind: CueKind) -> Duration {
        let _ = kind;
        Duration::ZERO
    }

    /// Applies the master volume and per-cue settings. Silent sinks ignore it.
    fn apply_settings(&self, _master_volume: f32, _cues: &CueSettings) {}

    /// Problems found since the last call (a custom sound that cannot be used).
    fn take_warnings(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Custom cue files larger than this are refused (a cue is a few seconds).
pub const MAX_CUSTOM_SOUND_BYTES: u64 = 5 * 1024 * 1024;
/// Only this much of a custom sound is kept and played.
pub const MAX_CUE_SECONDS: usize = 15;
/// File endings accepted for custom cue sounds.
pub const CUSTOM_SOUND_EXTENSIONS: [&str; 4] = ["wav", "ogg", "flac", "mp3"];

/// Sample rates a cue may have.
pub const SAMPLE_RATES: std::ops::RangeInclusive<u32> = 8_000..=192_000;
/// Channel counts a cue may have.
pub const MAX_CHANNELS: u16 = 8;
/// A cue shorter than this could not be heard.
pub const MIN_CUE_MILLIS: u64 = 20;

/// Why a custom cue sound cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CustomSoundError {
    /// Not one of the supported kinds.
    #[error("only .wav, .ogg, .flac and .mp3 files can be used")]
    UnsupportedKind,
    /// Missing, unreadable, not a regular file, or too big.
    #[error("{}", .0.reason())]
    File(#[from] FileError),
    /// Not audio the decoder understands (or the decoder failed on it).
    #[error("it cannot be decoded as audio ({0})")]
    Undecodable(String),
    /// Decodes, but not as something a person could hear as a cue.
    #[error("it is not a usable cue ({0})")]
    Unusable(String),
}

/// Decodes a whole sound into memory, keeping at most [`MAX_CUE_SECONDS`].
///
/// The decoder runs isolated: a decoder that panics on a malformed file
/// becomes an error here, never a dead thread. Every sample is decoded and
/// checked before the sound can be used.
pub fn decode_sound<R>(data: R) -> Result<rodio::buffer::SamplesBuffer, CustomSoundError>
where
    R: std::io::Read + std::io::Seek + Send + Sync + 'static,
{
    supervise::isolate(|| decode_checked(data))
        .map_err(|panic| CustomSoundError::Undecodable(format!("the decoder failed: {panic}")))?
}

fn decode_checked<R>(data: R) -> Result<rodio::buffer::SamplesBuffer, CustomSoundError>
where
    R: std::io::Read + std::io::Seek + Send + Sync + 'static,
{
    let decoder = rodio::Decoder::new(data)
        .map_err(|error| CustomSoundError::Undecodable(error.to_string()))?;
    let channels = decoder.channels();
    let sample_rate = decoder.sample_rate();
    if !SAMPLE_RATES.contains(&sample_rate.get()) {
        return Err(CustomSoundError::Unusable(format!(
            "sample rate {} Hz; {} to {} Hz is needed",
            sample_rate.get(),
            SAMPLE_RATES.start(),
            SAMPLE_RATES.end()
        )));
    }
    if channels.get() > MAX_CHANNELS {
        return Err(CustomSoundError::Unusable(format!(
            "{} channels; at most {MAX_CHANNELS} are supported",
            channels.get()
        )));
    }
    let per_second = sample_rate.get() as usize * usize::from(channels.get());
    let limit = MAX_CUE_SECONDS.saturating_mul(per_second);
    let samples: Vec<f32> = decoder
        .take(limit)
        .map(|sample| {
            if sample.is_finite() {
                sample.clamp(-1.0, 1.0)
            } else {
                0.0
            }
        })
        .collect();
    let millis =
        u64::try_from(samples.len().saturating_mul(1000) / per_second.max(1)).unwrap_or(u64::MAX);
    if millis < MIN_CUE_MILLIS {
        return Err(CustomSoundError::Unusable(if samples.is_empty() {
            "it holds no sound".to_owned()
        } else {
            format!("it lasts {millis} ms; a cue needs at least {MIN_CUE_MILLIS} ms")
        }));
    }
    Ok(rodio::buffer::SamplesBuffer::new(
        channels,
        sample_rate,
        samples,
    ))
}

/// Loads a custom cue sound: its kind, then a regular file read through the
/// size cap, then a complete, isolated decode.
pub fn load_custom_sound(
    path: &std::path::Path,
) -> Result<rodio::buffer::SamplesBuffer, CustomSoundError> {
    let extension = path
        .extension()
        .map(|ext| ext.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if !CUSTOM_SOUND_EXTENSIONS.contains(&extension.as_str()) {
        return Err(CustomSoundError::UnsupportedKind);
    }
    let bytes = files::read_bytes(path, MAX_CUSTOM_SOUND_BYTES)?;
    decode_sound(Cursor::new(bytes))
}

/// The message shown when a chosen sound cannot be used.
pub fn custom_sound_message(
    kind: CueKind,
    path: &std::path::Path,
    error: &CustomSoundError,
) -> String {
    format!(
        "The sound {} for \"{}\" cannot be used because {error}; the built-in sound plays instead.",
        path.display(),
        kind.label()
    )
}

/// A sink that stays silent, for tests and for `--mute`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SilentSink;

impl CueSink for SilentSink {
    fn play(&self, _kind: CueKind) {}
}

/// The embedded cue sounds, generated by `cargo run --example make_cues`.
pub fn builtin_sound(kind: CueKind) -> &'static [u8] {
    match kind {
        CueKind::StepStart => include_bytes!("../assets/cues/step_start.wav"),
        CueKind::Halfway => include_bytes!("../assets/cues/halfway.wav"),
        CueKind::SwitchSide => include_bytes!("../assets/cues/switch_side.wav"),
        CueKind::CountdownTick => include_bytes!("../assets/cues/countdown_tick.wav"),
        CueKind::SessionEnd => include_bytes!("../assets/cues/session_end.wav"),
        CueKind::HeatOn => include_bytes!("../assets/cues/heat_on.wav"),
        CueKind::SkinCheck => include_bytes!("../assets/cues/skin_check.wav"),
        CueKind::HeatOff => include_bytes!("../assets/cues/heat_off.wav"),
    }
}

/// Whether sound is available, for the calm notice in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioStatus {
    /// Still opening the output device.
    Starting,
    /// Cues will be heard.
    Ready,
    /// No usable output; cues are visual only. Holds the reason for the log.
    Unavailable(String),
}

enum AudioCommand {
    Play(CueKind),
    Urgent(CueKind, u8),
    Preview(CueKind),
    Settings {
        master_volume: f32,
        cues: Box<CueSettings>,
    },
    /// A custom sound decoded off the audio thread, or why it cannot be used.
    Loaded {
        kind: CueKind,
        path: std::path::PathBuf,
        sound: Result<rodio::buffer::SamplesBuffer, String>,
    },
}

/// How many times the audio thread is restarted after a failure before the
/// app says sound is unavailable.
pub const MAX_AUDIO_RESTARTS: u32 = 5;

/// Handle to the audio thread.
pub struct AudioPlayer {
    commands: Mutex<Sender<AudioCommand>>,
    status: Arc<Mutex<AudioStatus>>,
    warnings: Arc<Mutex<Vec<String>>>,
    lengths: Arc<Mutex<Vec<(CueKind, Duration)>>>,
}

/// The longest a cue's sound holds back the speech after it: a long custom
/// sound is talked over rather than silencing the guidance.
pub const MAX_SPEECH_WAIT: Duration = Duration::from_secs(3);

/// What the audio thread shares with the window.
struct Outside {
    status: Arc<Mutex<AudioStatus>>,
    warnings: Arc<Mutex<Vec<String>>>,
    on_status: Arc<dyn Fn() + Send + Sync>,
    /// Each cue's sound length as it would play now.
    lengths: Arc<Mutex<Vec<(CueKind, Duration)>>>,
}

impl Outside {
    fn set_status(&self, value: AudioStatus) {
        *self.status.lock().unwrap_or_else(PoisonError::into_inner) = value;
        (self.on_status)();
    }

    fn warn(&self, message: String) {
        log::warn!("{message}");
        self.warnings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(message);
        (self.on_status)();
    }
}

/// The audio thread's settings, kept across a restart.
struct Mix {
    /// Sends decoded custom sounds back to the audio thread.
    loader: Sender<AudioCommand>,
    /// Custom sounds being decoded now.
    pending: Vec<(CueKind, std::path::PathBuf)>,
    master_volume: f32,
    cues: CueSettings,
    custom: CustomSounds,
}

impl AudioPlayer {
    /// Starts the audio thread. `on_status` is called when the status changes,
    /// so the window can repaint its notice.
    ///
    /// The thread is supervised: if anything in it fails, it opens the output
    /// again and goes on with the same settings, and the person is told.
    pub fn start(on_status: Arc<dyn Fn() + Send + Sync>) -> Self {
        let (sender, receiver) = mpsc::channel();
        let outside = Outside {
            status: Arc::new(Mutex::new(AudioStatus::Starting)),
            warnings: Arc::new(Mutex::new(Vec::new())),
            on_status,
            lengths: Arc::new(Mutex::new(Vec::new())),
        };
        let status = Arc::clone(&outside.status);
        let warnings = Arc::clone(&outside.warnings);
        let lengths = Arc::clone(&outside.lengths);
        let loader = sender.clone();
        let spawned = thread::Builder::new()
            .name("unknot-audio".into())
            .spawn(move || supervised_audio(&receiver, loader, &outside));
        if let Err(error) = spawned {
            *status.lock().unwrap_or_else(PoisonError::into_inner) =
                AudioStatus::Unavailable(format!("could not start the audio thread: {error}"));
        }
        Self {
            commands: Mutex::new(sender),
            status,
            warnings,
            lengths,
        }
    }

    /// The current status.
    pub fn status(&self) -> AudioStatus {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn send(&self, command: AudioCommand) {
        let sender = self.commands.lock().unwrap_or_else(PoisonError::into_inner);
        if sender.send(command).is_err() {
            // The thread is gone for good: say so instead of pretending.
            let mut status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
            if !matches!(*status, AudioStatus::Unavailable(_)) {
                *status = AudioStatus::Unavailable("the audio thread has stopped".into());
            }
        }
    }
}

impl CueSink for AudioPlayer {
    fn play(&self, kind: CueKind) {
        self.send(AudioCommand::Play(kind));
    }

    fn play_urgent(&self, kind: CueKind, urgency: u8) {
        self.send(AudioCommand::Urgent(kind, urgency));
    }

    fn preview(&self, kind: CueKind) {
        self.send(AudioCommand::Preview(kind));
    }

    fn apply_settings(&self, master_volume: f32, cues: &CueSettings) {
        self.send(AudioCommand::Settings {
            master_volume,
            cues: Box::new(cues.clone()),
        });
    }

    fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.warnings.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn sound_length(&self, kind: CueKind) -> Duration {
        self.lengths
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(Duration::ZERO, |(_, length)| (*length).min(MAX_SPEECH_WAIT))
    }
}

impl Mix {
    /// Tells the outside how long each cue sounds with the current settings.
    fn publish_lengths(
        &self,
        builtin: &[(CueKind, rodio::buffer::SamplesBuffer)],
        outside: &Outside,
    ) {
        let lengths = CueKind::ALL
            .iter()
            .map(|kind| {
                let enabled = self.cues.get(*kind).enabled || *kind == CueKind::HeatOff;
                let sound = self
                    .custom
                    .iter()
                    .find(|(k, _, _)| k == kind)
                    .map(|(_, _, sound)| sound)
                    .or_else(|| {
                        builtin
                            .iter()
                            .find(|(k, _)| k == kind)
                            .map(|(_, sound)| sound)
                    });
                // "Take the heat off" sounds at half volume or more whatever
                // the master volume says.
                let audible = self.master_volume > 0.0 || *kind == CueKind::HeatOff;
                let length = sound
                    .filter(|_| enabled && audible)
                    .and_then(rodio::Source::total_duration)
                    .unwrap_or_default();
                (*kind, length)
            })
            .collect();
        *outside
            .lengths
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = lengths;
    }
}

/// Custom sounds in use: which cue, from which file, decoded.
type CustomSounds = Vec<(CueKind, std::path::PathBuf, rodio::buffer::SamplesBuffer)>;

impl Mix {
    /// Drops custom sounds no longer chosen and starts decoding new ones on a
    /// thread of their own, so a large file never holds up a cue.
    fn refresh(&mut self, outside: &Outside) {
        let cues = &self.cues;
        let chosen = |kind: CueKind, path: &std::path::Path| {
            cues.get(kind).custom_file.as_deref() == Some(path)
        };
        self.custom.retain(|(kind, path, _)| chosen(*kind, path));
        self.pending.retain(|(kind, path)| chosen(*kind, path));
        for kind in CueKind::ALL {
            let Some(path) = self.cues.get(kind).custom_file.clone() else {
                continue;
            };
            let known = self.custom.iter().any(|(k, _, _)| *k == kind)
                || self.pending.iter().any(|(k, _)| *k == kind);
            if known {
                continue;
            }
            self.pending.push((kind, path.clone()));
            let loader = self.loader.clone();
            let for_thread = path.clone();
            let spawned = thread::Builder::new()
                .name("unknot-sound-check".into())
                .spawn(move || {
                    let sound = load_custom_sound(&for_thread)
                        .map_err(|error| custom_sound_message(kind, &for_thread, &error));
                    let _ = loader.send(AudioCommand::Loaded {
                        kind,
                        path: for_thread,
                        sound,
                    });
                });
            if let Err(error) = spawned {
                self.pending.retain(|(k, _)| *k != kind);
                outside.warn(format!(
                    "The sound {} could not be checked ({error}); the built-in sound plays instead.",
                    path.display()
                ));
            }
        }
    }

    /// Takes in a decoded custom sound if its cue still wants it.
    fn loaded(
        &mut self,
        kind: CueKind,
        path: std::path::PathBuf,
        sound: Result<rodio::buffer::SamplesBuffer, String>,
        outside: &Outside,
    ) {
        let was_pending = self.pending.iter().any(|(k, p)| *k == kind && *p == path);
        self.pending.retain(|(k, p)| !(*k == kind && *p == path));
        if !was_pending || self.cues.get(kind).custom_file.as_ref() != Some(&path) {
            return;
        }
        match sound {
            Ok(sound) => self.custom.push((kind, path, sound)),
            Err(message) => outside.warn(message),
        }
    }
}

fn supervised_audio(
    commands: &Receiver<AudioCommand>,
    loader: Sender<AudioCommand>,
    outside: &Outside,
) {
    let mut mix = Mix {
        loader,
        pending: Vec::new(),
        master_volume: 0.8,
        cues: CueSettings::default(),
        custom: Vec::new(),
    };
    let result = supervise::run_supervised(
        MAX_AUDIO_RESTARTS,
        || audio_thread(commands, outside, &mut mix),
        |reason| {
            outside.warn(format!(
                "Sound stopped unexpectedly ({reason}) and was restarted. If cues go quiet again, check the sound settings."
            ));
        },
    );
    if let Supervised::GaveUp(reason) = result {
        log::error!("audio failed {MAX_AUDIO_RESTARTS} times, giving up: {reason}");
        outside.set_status(AudioStatus::Unavailable(format!(
            "sound failed repeatedly ({reason})"
        )));
        // Keep the channel open so senders never block or fail.
        while commands.recv().is_ok() {}
    }
}

fn audio_thread(commands: &Receiver<AudioCommand>, outside: &Outside, mix: &mut Mix) {
    let mut device = match rodio::DeviceSinkBuilder::open_default_sink() {
        Ok(device) => device,
        Err(error) => {
            log::warn!("no audio output, cues are visual only: {error}");
            outside.set_status(AudioStatus::Unavailable(error.to_string()));
            // Keep answering so senders never notice, and still check custom
            // sounds so a bad file is reported even without a device.
            while let Ok(command) = commands.recv() {
                match command {
                    AudioCommand::Settings { cues, .. } => {
                        mix.cues = *cues;
                        mix.refresh(outside);
                    }
                    AudioCommand::Loaded { kind, path, sound } => {
                        mix.loaded(kind, path, sound, outside);
                    }
                    _ => {}
                }
            }
            return;
        }
    };
    device.log_on_drop(false);
    let mut sounds: Vec<(CueKind, rodio::buffer::SamplesBuffer)> = Vec::new();
    for kind in CueKind::ALL {
        match decode_sound(Cursor::new(builtin_sound(kind))) {
            Ok(sound) => sounds.push((kind, sound)),
            Err(error) => log::error!("built-in cue {kind:?} cannot be decoded: {error}"),
        }
    }
    mix.publish_lengths(&sounds, outside);
    outside.set_status(AudioStatus::Ready);
    while let Ok(command) = commands.recv() {
        let (kind, forced, urgency) = match command {
            AudioCommand::Settings {
                master_volume,
                cues,
            } => {
                mix.master_volume = master_volume.clamp(0.0, 1.0);
                mix.cues = *cues;
                mix.refresh(outside);
                mix.publish_lengths(&sounds, outside);
                continue;
            }
            AudioCommand::Loaded { kind, path, sound } => {
                mix.loaded(kind, path, sound, outside);
                mix.publish_lengths(&sounds, outside);
                continue;
            }
            AudioCommand::Play(kind) => (kind, false, 0),
            AudioCommand::Urgent(kind, urgency) => (kind, false, urgency),
            AudioCommand::Preview(kind) => (kind, true, 0),
        };
        let setting = mix.cues.get(kind);
        let mut gain = mix.master_volume * setting.volume.clamp(0.0, 1.0);
        if kind == CueKind::HeatOff {
            // Taking the heat off is never quiet, whatever the volume settings,
            // and an unanswered alarm grows louder.
            gain = (gain.max(0.5) * (1.0 + 0.25 * f32::from(urgency))).min(1.0);
        }
        if (!setting.enabled && !forced && urgency == 0) || gain <= 0.0 {
            continue;
        }
        let chosen = mix
            .custom
            .iter()
            .find(|(k, _, _)| *k == kind)
            .map(|(_, _, sound)| sound)
            .or_else(|| {
                sounds
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map(|(_, sound)| sound)
            });
        if let Some(sound) = chosen {
            device.mixer().add(sound.clone().amplify(gain));
            if urgency >= 2 {
                let length = sound.total_duration().unwrap_or_default();
                device.mixer().add(
                    sound
                        .clone()
                        .amplify(gain)
                        .delay(length + Duration::from_millis(250)),
                );
            }
        }
    }
}
