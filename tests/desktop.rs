//! Media keys and notifications on a private session bus started by the
//! test: the media-player interface is published while a session is open and
//! its controls change the session; notifications reach a notification
//! service, urgent for the heat, only when the window is not in front, and a
//! click on one brings the window forward.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use unknot::audio::SilentSink;
use unknot::clock::MonotonicClock;
use unknot::conductor::{Conductor, Listeners, Update};
use unknot::core::engine::{CueEvent, CueKind, Phase, PlannedStep, SessionPlan};
use unknot::core::routine::{Pressure, Region, Side, Step, Technique, Tool};
use unknot::desktop::{Desktop, DesktopConfig, DesktopPrefs, DesktopStatus, mpris};
use zbus::blocking::{Connection, Proxy};
use zbus::zvariant::OwnedValue;

const WAIT: Duration = Duration::from_secs(10);

/// A session bus of the test's own, gone when dropped.
struct Bus {
    daemon: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl Bus {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("bus");
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .arg(format!("--address=unix:path={}", socket.display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon runs (bash scripts/install-deps.sh test installs it)");
        let mut line = String::new();
        BufReader::new(daemon.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line.trim().to_owned();
        assert!(address.starts_with("unix:"), "bus address {address:?}");
        Self {
            daemon,
            address,
            _dir: dir,
        }
    }

    fn client(&self) -> Connection {
        zbus::blocking::connection::Builder::address(self.address.as_str())
            .unwrap()
            .build()
            .unwrap()
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

fn plan() -> SessionPlan {
    let step = |title: &str| PlannedStep {
        step: Step {
            title: title.into(),
            region: Region::Neck,
            technique: Technique::Stroking,
            tool: Tool::Hands,
            pressure: Pressure::Light,
            side: Side::Center,
            duration_secs: 60,
            instructions: String::new(),
            fixed: false,
            say: None,
        },
        duration: Duration::from_secs(60),
        round: Default::default(),
    };
    SessionPlan {
        routine_id: "test".into(),
        routine_name: "Neck reset".into(),
        lead_in: Duration::ZERO,
        transition: Duration::ZERO,
        heat: Vec::new(),
        steps: vec![step("Neck strokes"), step("Shoulder squeeze")],
    }
}

/// The desktop thread on `bus`, with a channel that hears every wake-up.
fn desktop(bus: &Bus) -> (Arc<Desktop>, Receiver<()>) {
    let (woken, wakes) = mpsc::channel();
    let woken = Mutex::new(woken);
    let desktop = Desktop::start(
        DesktopConfig {
            address: Some(bus.address.clone()),
            wake: Arc::new(move || {
                let _ = woken.lock().unwrap().send(());
            }),
        },
        DesktopPrefs {
            notifications: true,
            media_keys: true,
        },
    );
    while desktop.status() == DesktopStatus::Starting {
        wakes
            .recv_timeout(WAIT)
            .expect("the desktop thread reports");
    }
    assert_eq!(desktop.status(), DesktopStatus::Ready);
    (Arc::new(desktop), wakes)
}

/// The player as a desktop widget sees it, reading properties afresh each
/// time (a cache would follow the change signals, a moment later).
fn player(client: &Connection) -> Proxy<'static> {
    zbus::blocking::proxy::Builder::new(client)
        .destination(mpris::BUS_NAME)
        .unwrap()
        .path(mpris::PATH)
        .unwrap()
        .interface("org.mpris.MediaPlayer2.Player")
        .unwrap()
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .unwrap()
}

/// Waits until `name` has an owner on the bus, or no longer has one.
fn wait_for_name(client: &Connection, name: &str, owned: bool) {
    let dbus = zbus::blocking::fdo::DBusProxy::new(client).unwrap();
    let changes = dbus.receive_name_owner_changed().unwrap();
    let has = |dbus: &zbus::blocking::fdo::DBusProxy<'_>| {
        dbus.name_has_owner(name.try_into().unwrap()).unwrap()
    };
    if has(&dbus) == owned {
        return;
    }
    for change in changes {
        let args = change.args().unwrap();
        if args.name().as_str() == name && args.new_owner().is_some() == owned {
            return;
        }
    }
}

#[test]
fn media_keys_pause_skip_and_go_back_while_a_session_is_open() {
    let bus = Bus::start();
    let (desktop, _wakes) = desktop(&bus);
    let observer = {
        let desktop = Arc::clone(&desktop);
        Arc::new(move |update: &Update| desktop.changed(update))
            as Arc<dyn Fn(&Update) + Send + Sync>
    };
    let conductor = Conductor::start_with(
        plan(),
        Arc::new(MonotonicClock::new()),
        Arc::new(SilentSink),
        Arc::new(|| {}),
        Listeners {
            observer: Some(observer),
            ..Listeners::default()
        },
    )
    .unwrap();
    let client = bus.client();
    // Not published before a session is open.
    let dbus = zbus::blocking::fdo::DBusProxy::new(&client).unwrap();
    assert!(
        !dbus
            .name_has_owner(mpris::BUS_NAME.try_into().unwrap())
            .unwrap()
    );
    desktop.opened(conductor.handle(), conductor.update());
    wait_for_name(&client, mpris::BUS_NAME, true);

    let root = Proxy::new(
        &client,
        mpris::BUS_NAME,
        mpris::PATH,
        "org.mpris.MediaPlayer2",
    )
    .unwrap();
    assert_eq!(root.get_property::<String>("Identity").unwrap(), "unknot");
    let player = player(&client);
    assert!(player.get_property::<bool>("CanPause").unwrap());
    let metadata: HashMap<String, OwnedValue> = player.get_property("Metadata").unwrap();
    let title = |metadata: &HashMap<String, OwnedValue>| {
        String::try_from(metadata["xesam:title"].try_clone().unwrap()).unwrap()
    };
    assert_eq!(title(&metadata), "Neck strokes");
    assert_eq!(
        String::try_from(metadata["xesam:album"].try_clone().unwrap()).unwrap(),
        "Neck reset"
    );

    // Play/pause pauses the session itself, with the window out of the loop.
    let _: () = player.call("PlayPause", &()).unwrap();
    assert!(conductor.snapshot().view.paused);
    assert_eq!(
        player.get_property::<String>("PlaybackStatus").unwrap(),
        "Paused"
    );
    let _: () = player.call("PlayPause", &()).unwrap();
    assert!(!conductor.snapshot().view.paused);

    // Next skips to the second step, and the track follows.
    let _: () = player.call("Next", &()).unwrap();
    assert_eq!(conductor.snapshot().view.phase, Phase::Step(1));
    let metadata: HashMap<String, OwnedValue> = player.get_property("Metadata").unwrap();
    assert_eq!(title(&metadata), "Shoulder squeeze");
    // Previous right after a step began goes back to the one before.
    let _: () = player.call("Previous", &()).unwrap();
    assert_eq!(conductor.snapshot().view.phase, Phase::Step(0));
    let _: () = player.call("Stop", &()).unwrap();
    assert!(matches!(conductor.snapshot().view.phase, Phase::Ended(_)));

    // Leaving the session withdraws the player.
    desktop.closed();
    wait_for_name(&client, mpris::BUS_NAME, false);
    assert!(
        !dbus
            .name_has_owner(mpris::BUS_NAME.try_into().unwrap())
            .unwrap()
    );
}

/// A notification service of the test's own: records each notification
/// and can report a click.
struct FakeNotifications {
    sent: Mutex<Sender<(u32, String, u8)>>,
    next_id: Mutex<u32>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl FakeNotifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: &str,
        replaces_id: u32,
        _app_icon: &str,
        summary: &str,
        _body: &str,
        _actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let id = if replaces_id > 0 {
            replaces_id
        } else {
            let mut next = self.next_id.lock().unwrap();
            *next += 1;
            *next
        };
        let urgency = hints
            .get("urgency")
            .and_then(|value| u8::try_from(value.try_clone().ok()?).ok())
            .unwrap_or(1);
        let _ = self
            .sent
            .lock()
            .unwrap()
            .send((id, summary.to_owned(), urgency));
        id
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }

    #[zbus(signal)]
    async fn action_invoked(
        emitter: &zbus::object_server::SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;
}

fn update(kind: CueKind) -> Update {
    let mut update = Conductor::start(
        plan(),
        Arc::new(MonotonicClock::new()),
        Arc::new(SilentSink),
        Arc::new(|| {}),
    )
    .unwrap()
    .update();
    update.sounded = vec![CueEvent {
        kind,
        step_index: Some(0),
        due_at: Duration::ZERO,
        urgency: 0,
    }];
    update
}

#[test]
fn notifications_go_out_only_when_the_window_is_away_and_a_click_brings_it_back() {
    let bus = Bus::start();
    let (sent, received) = mpsc::channel();
    let server = zbus::blocking::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .name("org.freedesktop.Notifications")
        .unwrap()
        .serve_at(
            "/org/freedesktop/Notifications",
            FakeNotifications {
                sent: Mutex::new(sent),
                next_id: Mutex::new(0),
            },
        )
        .unwrap()
        .build()
        .unwrap();
    let (desktop, wakes) = desktop(&bus);

    // In front: the window itself shows the skin check, no notification.
    desktop.set_focused(true);
    desktop.changed(&update(CueKind::SkinCheck));
    // Away: the heat alarm goes out as an urgent notification.
    desktop.set_focused(false);
    desktop.changed(&update(CueKind::HeatOff));
    let (id, summary, urgency) = received.recv_timeout(WAIT).expect("a notification arrives");
    assert_eq!(summary, "Take the heat off now");
    assert_eq!(urgency, 2, "critical urgency");
    desktop.changed(&update(CueKind::SkinCheck));
    let (_, summary, urgency) = received.recv_timeout(WAIT).unwrap();
    assert_eq!((summary.as_str(), urgency), ("Skin check", 1));

    // A click on the heat notification asks for the window.
    assert!(!desktop.take_raise());
    let emitter = server
        .object_server()
        .interface::<_, FakeNotifications>("/org/freedesktop/Notifications")
        .unwrap();
    zbus::block_on(FakeNotifications::action_invoked(
        emitter.signal_emitter(),
        id,
        "default",
    ))
    .unwrap();
    while !desktop.take_raise() {
        wakes
            .recv_timeout(WAIT)
            .expect("the click wakes the window");
    }

    // Switched off: nothing more goes out.
    desktop.configure(DesktopPrefs {
        notifications: false,
        media_keys: true,
    });
    desktop.changed(&update(CueKind::HeatOff));
    // A marker after it, with notifications on again, arrives first.
    desktop.configure(DesktopPrefs {
        notifications: true,
        media_keys: true,
    });
    desktop.changed(&update(CueKind::SkinCheck));
    let (_, summary, _) = received.recv_timeout(WAIT).expect("the marker arrives");
    assert_eq!(
        summary, "Skin check",
        "the heat alarm went out while switched off"
    );
}
