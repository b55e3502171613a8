//! The standard media-player interface (MPRIS), so media keys, headset
//! buttons and the desktop's player controls pause, skip and go back.
//!
//! Published only while a session is open. Methods arrive on zbus's own
//! thread and go straight to the session's [`ControlHandle`], so they work
//! with the window hidden and never wait for a frame.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use zbus::interface;
use zbus::zvariant::{ObjectPath, OwnedValue, Value};

use crate::conductor::{ControlHandle, Update};
use crate::core::engine::{Control, Phase};

/// Where both interfaces live, as the specification requires.
pub const PATH: &str = "/org/mpris/MediaPlayer2";
/// The bus name: the specification's prefix and the app's name.
pub const BUS_NAME: &str = "org.mpris.MediaPlayer2.unknot";

/// What the player interface reports, updated from the session.
#[derive(Default)]
pub struct Now {
    /// Controls the open session.
    pub handle: Option<ControlHandle>,
    /// "Playing", "Paused" or "Stopped".
    pub status: &'static str,
    /// The step's title.
    pub title: String,
    /// The routine's name.
    pub routine: String,
    /// 1-based step number, for a track id that changes with the step.
    pub step: usize,
    /// The segment's length, in microseconds.
    pub length_us: i64,
    /// Time into the segment, in microseconds.
    pub position_us: i64,
}

impl Now {
    /// Reads the session again, if one is open.
    pub fn refresh(&mut self) {
        if let Some(update) = self.handle.as_ref().and_then(ControlHandle::update) {
            self.apply(&update);
        }
    }

    /// Takes in what the session shows now.
    pub fn apply(&mut self, update: &Update) {
        let view = &update.view;
        self.status = match view.phase {
            Phase::Ended(_) => "Stopped",
            _ if view.paused => "Paused",
            _ => "Playing",
        };
        self.title = update.step_title.clone().unwrap_or_default();
        self.routine = update.routine.clone();
        self.step = match view.phase {
            Phase::Step(index) | Phase::Transition(index) => index + 1,
            Phase::LeadIn | Phase::Ended(_) => 0,
        };
        self.length_us = micros(view.segment_length);
        self.position_us = micros(view.segment_length.saturating_sub(view.segment_remaining));
    }
}

fn micros(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)
}

/// State shared by the interfaces and the desktop thread.
pub type Shared = Arc<Mutex<Now>>;

fn lock(shared: &Shared) -> MutexGuard<'_, Now> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `org.mpris.MediaPlayer2`: who the player is.
pub struct Root {
    /// Brings the window forward.
    pub raise: Arc<dyn Fn() + Send + Sync>,
}

#[interface(name = "org.mpris.MediaPlayer2")]
impl Root {
    fn raise(&self) {
        (self.raise)();
    }

    /// Quitting from a media widget would end a session unasked: refused.
    fn quit(&self) {}

    #[zbus(property)]
    fn can_quit(&self) -> bool {
        false
    }

    #[zbus(property)]
    fn can_raise(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn has_track_list(&self) -> bool {
        false
    }

    #[zbus(property)]
    fn identity(&self) -> String {
        "unknot".into()
    }

    #[zbus(property)]
    fn desktop_entry(&self) -> String {
        super::APP_ID.into()
    }

    #[zbus(property)]
    fn supported_uri_schemes(&self) -> Vec<String> {
        Vec::new()
    }

    #[zbus(property)]
    fn supported_mime_types(&self) -> Vec<String> {
        Vec::new()
    }
}

/// `org.mpris.MediaPlayer2.Player`: the controls and what is playing.
pub struct Player {
    /// The session and what it shows.
    pub now: Shared,
}

impl Player {
    /// Applies `control` and takes in the result at once, so a property
    /// read right after the call already shows it.
    fn control(&self, control: Control) {
        // Held throughout, so a refresh on another thread cannot write an
        // older state over this one.
        let mut now = lock(&self.now);
        if let Some(handle) = now.handle.clone() {
            handle.control(control);
            if let Some(update) = handle.update() {
                now.apply(&update);
            }
        }
    }

    fn has_session(&self) -> bool {
        let now = lock(&self.now);
        now.handle.is_some() && now.status != "Stopped"
    }
}

#[interface(name = "org.mpris.MediaPlayer2.Player")]
impl Player {
    fn next(&self) {
        self.control(Control::Skip);
    }

    fn previous(&self) {
        self.control(Control::Back);
    }

    fn pause(&self) {
        self.control(Control::Pause);
    }

    fn play_pause(&self) {
        self.control(Control::TogglePause);
    }

    fn stop(&self) {
        self.control(Control::Stop);
    }

    fn play(&self) {
        self.control(Control::Resume);
    }

    /// Steps are timed: seeking is not offered (`CanSeek` is false).
    fn seek(&self, _offset: i64) {}

    fn set_position(&self, _track: ObjectPath<'_>, _position: i64) {}

    fn open_uri(&self, _uri: &str) {}

    #[zbus(property)]
    fn playback_status(&self) -> String {
        let status = lock(&self.now).status;
        if status.is_empty() { "Stopped" } else { status }.to_owned()
    }

    #[zbus(property)]
    fn metadata(&self) -> HashMap<String, OwnedValue> {
        let now = lock(&self.now);
        let mut metadata = HashMap::new();
        let track = format!("/org/unknot/step/{}", now.step);
        let mut put = |key: &str, value: Value<'_>| {
            if let Ok(value) = value.try_to_owned() {
                metadata.insert(key.to_owned(), value);
            }
        };
        if let Ok(path) = ObjectPath::try_from(track.as_str()) {
            put("mpris:trackid", Value::from(path));
        }
        put("mpris:length", Value::from(now.length_us));
        put("xesam:title", Value::from(now.title.as_str()));
        put("xesam:album", Value::from(now.routine.as_str()));
        put("xesam:artist", Value::from(vec!["unknot"]));
        metadata
    }

    #[zbus(property)]
    fn position(&self) -> i64 {
        lock(&self.now).position_us
    }

    #[zbus(property)]
    fn rate(&self) -> f64 {
        1.0
    }

    #[zbus(property)]
    fn minimum_rate(&self) -> f64 {
        1.0
    }

    #[zbus(property)]
    fn maximum_rate(&self) -> f64 {
        1.0
    }

    #[zbus(property)]
    fn volume(&self) -> f64 {
        1.0
    }

    #[zbus(property)]
    fn can_go_next(&self) -> bool {
        self.has_session()
    }

    #[zbus(property)]
    fn can_go_previous(&self) -> bool {
        self.has_session()
    }

    #[zbus(property)]
    fn can_play(&self) -> bool {
        self.has_session()
    }

    #[zbus(property)]
    fn can_pause(&self) -> bool {
        self.has_session()
    }

    #[zbus(property)]
    fn can_seek(&self) -> bool {
        false
    }

    #[zbus(property)]
    fn can_control(&self) -> bool {
        true
    }
}
