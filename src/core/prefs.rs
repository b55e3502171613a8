//! Preferences: what a person chose, as plain data with a schema version.
//!
//! Parsing and serialising live here (pure); reading, backing up and writing
//! files atomically live in the store.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::engine::CueKind;
use super::scale::{MAX_LENGTH_SECS, MIN_LENGTH_SECS};

/// The schema this build writes. Files with a higher number are from a newer app.
pub const PREFS_SCHEMA_VERSION: u32 = 1;
/// The longest "get ready" a person can choose.
pub const MAX_LEAD_IN_SECS: u32 = 60;
/// The longest pause between steps.
pub const MAX_TRANSITION_SECS: u32 = 60;
/// Smallest and largest UI scale.
pub const UI_SCALE_RANGE: (f32, f32) = (0.75, 2.0);

/// Light, dark, or whatever the system says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeChoice {
    /// Follow the operating system.
    #[default]
    System,
    /// Always dark.
    Dark,
    /// Always light.
    Light,
}

/// How the window is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Drawing {
    /// The graphics card through OpenGL when there is one; the processor
    /// when OpenGL itself runs on the processor (no usable graphics card).
    #[default]
    Automatic,
    /// Always OpenGL.
    Gl,
    /// Always the app's own drawing on the processor.
    Processor,
}

/// Which length the setup screen starts at for a routine not set up before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LengthMode {
    /// The routine's own length (15 min for the endorphin routine).
    #[default]
    RoutineOwn,
    /// The default session length from the settings, for every routine.
    DefaultLength,
}

/// One cue's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CueSetting {
    /// Whether the cue sounds at all (it is always shown on screen).
    pub enabled: bool,
    /// Relative volume, 0 to 1, multiplied by the master volume.
    pub volume: f32,
    /// A sound file to use instead of the built-in one.
    pub custom_file: Option<PathBuf>,
}

impl Default for CueSetting {
    fn default() -> Self {
        Self {
            enabled: true,
            volume: 1.0,
            custom_file: None,
        }
    }
}

/// The quietest the "take the heat off" cue may be set, as a share of the master volume.
pub const HEAT_OFF_MIN_VOLUME: f32 = 0.5;

/// Settings for every cue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CueSettings {
    /// A step begins.
    pub step_start: CueSetting,
    /// Halfway through a one-sided step.
    pub halfway: CueSetting,
    /// Time to switch sides.
    pub switch_side: CueSetting,
    /// The last seconds of a step.
    pub countdown_tick: CueSetting,
    /// The session is over.
    pub session_end: CueSetting,
    /// Heat goes on (towel first).
    pub heat_on: CueSetting,
    /// Time to check the skin under the heat.
    pub skin_check: CueSetting,
    /// Take the heat off now.
    pub heat_off: CueSetting,
}

impl Default for CueSettings {
    fn default() -> Self {
        Self {
            step_start: CueSetting::default(),
            halfway: CueSetting::default(),
            switch_side: CueSetting::default(),
            countdown_tick: CueSetting {
                volume: 0.6,
                ..CueSetting::default()
            },
            session_end: CueSetting::default(),
            heat_on: CueSetting::default(),
            skin_check: CueSetting::default(),
            heat_off: CueSetting::default(),
        }
    }
}

impl CueSettings {
    /// The setting for one cue.
    pub fn get(&self, kind: CueKind) -> &CueSetting {
        match kind {
            CueKind::StepStart => &self.step_start,
            CueKind::Halfway => &self.halfway,
            CueKind::SwitchSide => &self.switch_side,
            CueKind::CountdownTick => &self.countdown_tick,
            CueKind::SessionEnd => &self.session_end,
            CueKind::HeatOn => &self.heat_on,
            CueKind::SkinCheck => &self.skin_check,
            CueKind::HeatOff => &self.heat_off,
        }
    }

    /// The setting for one cue, to change it.
    pub fn get_mut(&mut self, kind: CueKind) -> &mut CueSetting {
        match kind {
            CueKind::StepStart => &mut self.step_start,
            CueKind::Halfway => &mut self.halfway,
            CueKind::SwitchSide => &mut self.switch_side,
            CueKind::CountdownTick => &mut self.countdown_tick,
            CueKind::SessionEnd => &mut self.session_end,
            CueKind::HeatOn => &mut self.heat_on,
            CueKind::SkinCheck => &mut self.skin_check,
            CueKind::HeatOff => &mut self.heat_off,
        }
    }
}

/// Where and how big the window was.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowGeometry {
    /// Inner width in the desktop's logical pixels (what the window asks for
    /// when it opens), whatever the text size.
    pub width: f32,
    /// Inner height in logical pixels.
    pub height: f32,
    /// Left edge on screen, when the system reports it.
    pub x: Option<f32>,
    /// Top edge on screen, when the system reports it.
    pub y: Option<f32>,
}

/// What a person changed about one routine, remembered for next time.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RoutineMemory {
    /// The length last chosen.
    pub length_secs: Option<u32>,
    /// Step lengths nudged by hand, by step index, after scaling.
    pub step_secs: BTreeMap<usize, u32>,
}

/// The routine and length played last, to offer it first next time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastRoutine {
    /// Routine id.
    pub id: String,
    /// Length chosen.
    pub length_secs: u32,
}

/// Everything the app remembers between runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    /// The schema this file was written with.
    pub schema_version: u32,
    /// Length offered for routines a person has not set up before, in
    /// [`LengthMode::DefaultLength`].
    pub default_length_secs: u32,
    /// Whether new routines start at their own length or the default length.
    pub length_mode: LengthMode,
    /// "Get ready" time before the first step.
    pub lead_in_secs: u32,
    /// Quiet time between steps to change position or tool.
    pub transition_secs: u32,
    /// Master volume, 0 to 1.
    pub master_volume: f32,
    /// Per-cue sound settings.
    pub cues: CueSettings,
    /// Colour theme.
    pub theme: ThemeChoice,
    /// Zoom of the whole UI.
    pub ui_scale: f32,
    /// Window size and position at the last close.
    pub window: Option<WindowGeometry>,
    /// What was played last.
    pub last_routine: Option<LastRoutine>,
    /// Per-routine lengths and step nudges, by routine id.
    pub routines: BTreeMap<String, RoutineMemory>,
    /// Whether the history shows the day streak (some people find streaks stressful).
    pub show_streak: bool,
    /// Whether the person has read the safety page shown at the first start.
    pub safety_acknowledged: bool,
    /// The course plan in progress, if any.
    pub course: Option<super::course::CoursePlan>,
    /// Spoken guidance.
    pub voice: VoicePrefs,
    /// Desktop notifications (session finished, skin check, heat off) while
    /// the window is not in front.
    pub notifications: bool,
    /// Media keys and headset buttons control the session.
    pub media_keys: bool,
    /// At login, a notification when a course session is due (`unknot
    /// remind`, from an autostart entry that exists only while this is on).
    pub remind_course: bool,
    /// How the window is drawn (read at start-up).
    pub drawing: Drawing,
}

/// How the voice speaks, and what it says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VoicePrefs {
    /// Speak at all.
    pub enabled: bool,
    /// Which announcements.
    pub say: super::announce::Announcements,
    /// Speaking rate, -100 (slowest) to 100 (fastest); 0 is the voice's own.
    pub rate: i32,
    /// Loudness, 0 to 1, beside the cues' own volume.
    pub volume: f32,
    /// The speech service's voice by name; `None` for its default.
    pub voice: Option<String>,
}

impl Default for VoicePrefs {
    fn default() -> Self {
        Self {
            enabled: true,
            say: super::announce::Announcements::default(),
            rate: -10,
            volume: 0.9,
            voice: None,
        }
    }
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            schema_version: PREFS_SCHEMA_VERSION,
            default_length_secs: 15 * 60,
            length_mode: LengthMode::RoutineOwn,
            lead_in_secs: 5,
            transition_secs: 0,
            master_volume: 0.8,
            cues: CueSettings::default(),
            theme: ThemeChoice::System,
            ui_scale: 1.0,
            window: None,
            last_routine: None,
            routines: BTreeMap::new(),
            show_streak: true,
            safety_acknowledged: false,
            course: None,
            voice: VoicePrefs::default(),
            notifications: true,
            media_keys: true,
            remind_course: false,
            drawing: Drawing::Automatic,
        }
    }
}

/// Why a preferences file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrefsError {
    /// Not valid TOML, or a field of the wrong type.
    #[error("the file is damaged (line {line}): {message}")]
    Corrupt {
        /// 1-based line of the first problem, 0 when unknown.
        line: usize,
        /// What was wrong.
        message: String,
    },
    /// Written by a newer version of the app.
    #[error(
        "it was written by a newer version of unknot (schema {found}, this version reads up to {PREFS_SCHEMA_VERSION})"
    )]
    FutureVersion {
        /// The version found in the file.
        found: u32,
    },
}

/// Reads preferences, clamping out-of-range values to safe ones.
pub fn parse_preferences(text: &str) -> Result<Preferences, PrefsError> {
    #[derive(Deserialize)]
    struct VersionOnly {
        schema_version: Option<u32>,
    }
    let corrupt = |error: toml::de::Error| PrefsError::Corrupt {
        line: error
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1)
            .unwrap_or(0),
        message: error.message().trim().to_owned(),
    };
    let version: VersionOnly = toml::from_str(text).map_err(corrupt)?;
    if let Some(found) = version.schema_version
        && found > PREFS_SCHEMA_VERSION
    {
        return Err(PrefsError::FutureVersion { found });
    }
    let prefs: Preferences = toml::from_str(text).map_err(corrupt)?;
    Ok(prefs.sanitised())
}

/// Writes preferences as TOML.
pub fn preferences_to_toml(prefs: &Preferences) -> Result<String, toml::ser::Error> {
    toml::to_string_pretty(prefs)
}

impl Preferences {
    /// Brings every value into its allowed range, so a hand-edited file can never
    /// produce a silent cue at 900 % or a 40-hour lead-in.
    pub fn sanitised(mut self) -> Self {
        self.schema_version = PREFS_SCHEMA_VERSION;
        self.default_length_secs = self
            .default_length_secs
            .clamp(MIN_LENGTH_SECS, MAX_LENGTH_SECS);
        self.lead_in_secs = self.lead_in_secs.min(MAX_LEAD_IN_SECS);
        self.transition_secs = self.transition_secs.min(MAX_TRANSITION_SECS);
        self.master_volume = clamp_unit(self.master_volume);
        self.voice.volume = clamp_unit(self.voice.volume);
        self.voice.rate = self.voice.rate.clamp(-100, 100);
        if self
            .voice
            .voice
            .as_ref()
            .is_some_and(|name| name.trim().is_empty() || name.len() > 100)
        {
            self.voice.voice = None;
        }
        for kind in CueKind::ALL {
            let cue = self.cues.get_mut(kind);
            cue.volume = clamp_unit(cue.volume);
        }
        // "Take the heat off" is a safety alarm: it cannot be switched off or
        // turned right down (the master volume still applies).
        self.cues.heat_off.enabled = true;
        self.cues.heat_off.volume = self.cues.heat_off.volume.max(HEAT_OFF_MIN_VOLUME);
        let (low, high) = UI_SCALE_RANGE;
        self.ui_scale = if self.ui_scale.is_finite() {
            self.ui_scale.clamp(low, high)
        } else {
            1.0
        };
        if let Some(window) = self.window
            && !(window.width.is_finite()
                && window.height.is_finite()
                && window.width >= 200.0
                && window.height >= 200.0)
        {
            self.window = None;
        }
        self
    }

    /// The length the setup screen starts at: remembered, else per the length mode.
    pub fn starting_length(&self, routine_id: &str, routine_own_secs: u32) -> u32 {
        if let Some(secs) = self
            .routines
            .get(routine_id)
            .and_then(|memory| memory.length_secs)
        {
            return secs;
        }
        match self.length_mode {
            LengthMode::RoutineOwn => routine_own_secs,
            LengthMode::DefaultLength => self.default_length_secs,
        }
    }
}

fn clamp_unit(value: f32) -> f32 {
    if value.is_finite() {
        value.clamp(0.0, 1.0)
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip() {
        let prefs = Preferences::default();
        let text = preferences_to_toml(&prefs).expect("serialises");
        assert_eq!(parse_preferences(&text), Ok(prefs));
    }

    #[test]
    fn changed_values_round_trip() {
        let mut prefs = Preferences {
            default_length_secs: 20 * 60,
            lead_in_secs: 10,
            transition_secs: 5,
            master_volume: 0.4,
            theme: ThemeChoice::Light,
            ui_scale: 1.25,
            window: Some(WindowGeometry {
                width: 900.0,
                height: 700.0,
                x: Some(10.0),
                y: None,
            }),
            last_routine: Some(LastRoutine {
                id: "trigger-points".into(),
                length_secs: 600,
            }),
            ..Preferences::default()
        };
        prefs.cues.halfway.enabled = false;
        prefs.cues.session_end.custom_file = Some(PathBuf::from("/tmp/bell.ogg"));
        prefs.routines.insert(
            "endorphin-15".into(),
            RoutineMemory {
                length_secs: Some(1200),
                step_secs: [(2, 95)].into_iter().collect(),
            },
        );
        let text = preferences_to_toml(&prefs).expect("serialises");
        assert_eq!(parse_preferences(&text), Ok(prefs));
    }

    #[test]
    fn missing_fields_take_defaults_and_bad_values_are_clamped() {
        let prefs =
            parse_preferences("master_volume = 9.0\nlead_in_secs = 100000\nui_scale = 0.1\n")
                .expect("valid");
        assert_eq!(prefs.master_volume, 1.0);
        assert_eq!(prefs.lead_in_secs, MAX_LEAD_IN_SECS);
        assert_eq!(prefs.ui_scale, UI_SCALE_RANGE.0);
        assert_eq!(prefs.default_length_secs, 900);
        assert_eq!(parse_preferences(""), Ok(Preferences::default()));
    }

    #[test]
    fn starting_length_prefers_memory_then_the_mode() {
        let mut prefs = Preferences::default();
        assert_eq!(prefs.starting_length("quick", 300), 300);
        prefs.length_mode = LengthMode::DefaultLength;
        assert_eq!(prefs.starting_length("quick", 300), 900);
        prefs.routines.insert(
            "quick".into(),
            RoutineMemory {
                length_secs: Some(600),
                ..RoutineMemory::default()
            },
        );
        assert_eq!(prefs.starting_length("quick", 300), 600);
    }

    #[test]
    fn future_and_corrupt_files_are_told_apart() {
        assert_eq!(
            parse_preferences("schema_version = 7\nsomething_new = true\n"),
            Err(PrefsError::FutureVersion { found: 7 })
        );
        match parse_preferences("master_volume = 0.5\ntheme = [\n") {
            Err(PrefsError::Corrupt { line, .. }) => assert_eq!(line, 2),
            other => panic!("expected corrupt, got {other:?}"),
        }
        assert!(matches!(
            parse_preferences("master_volume = \"loud\"\n"),
            Err(PrefsError::Corrupt { .. })
        ));
    }

    #[test]
    fn the_heat_off_alarm_cannot_be_silenced() {
        let mut prefs = Preferences::default();
        prefs.cues.heat_off.enabled = false;
        prefs.cues.heat_off.volume = 0.0;
        let prefs = prefs.sanitised();
        assert!(prefs.cues.heat_off.enabled);
        assert_eq!(prefs.cues.heat_off.volume, HEAT_OFF_MIN_VOLUME);
    }
}
