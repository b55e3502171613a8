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
use std::time::{Duration, Instant};

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
            autostart: None,
        },
        DesktopPrefs {
            notifications: true,
            media_keys: true,
            reminders: false,
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

/// Threads of zbus's blocking pool in this process (named `blocking-N`).
/// This process's pool threads, as "tid name".
fn pool_threads() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| {
            let task = task.ok()?;
            let name = std::fs::read_to_string(task.path().join("comm")).ok()?;
            let name = name.trim();
            name.starts_with("blocking-")
                .then(|| format!("{} {name}", task.file_name().to_string_lossy()))
        })
        .collect()
}

/// Connecting borrows a thread from zbus's blocking pool for the handshake.
/// Once connected, nothing is left waking on a timer: a pool thread that
/// stayed idle for good (blocking 1.7.0 keeps every one, each waking twice a
/// second) would cost CPU for the whole of every session.
#[test]
fn no_pool_thread_stays_behind_once_connected() {
    let bus = Bus::start();
    let (desktop, _wakes) = desktop(&bus);
    let _client = bus.client();
    // Other tests in this binary connect too, each borrowing pool threads
    // of its own for a moment: follow only the ones there now.
    let ours = pool_threads();
    let deadline = Instant::now() + WAIT;
    loop {
        let pool: Vec<_> = pool_threads()
            .into_iter()
            .filter(|thread| ours.contains(thread))
            .collect();
        if pool.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "pool threads still idle {WAIT:?} after connecting: {pool:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(desktop);
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
    let (server, received) = notification_service(&bus);
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
        reminders: false,
    });
    desktop.changed(&update(CueKind::HeatOff));
    // A marker after it, with notifications on again, arrives first.
    desktop.configure(DesktopPrefs {
        notifications: true,
        media_keys: true,
        reminders: false,
    });
    desktop.changed(&update(CueKind::SkinCheck));
    let (_, summary, _) = received.recv_timeout(WAIT).expect("the marker arrives");
    assert_eq!(
        summary, "Skin check",
        "the heat alarm went out while switched off"
    );
}

/// The fake notification service on `bus`, named and serving.
fn notification_service(bus: &Bus) -> (Connection, Receiver<(u32, String, u8)>) {
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
    (server, received)
}

/// Runs `unknot remind` on `data` with `bus` as the session bus.
fn remind(bus: &Bus, data: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_unknot"))
        .arg("--data-dir")
        .arg(data)
        .arg("remind")
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .output()
        .unwrap()
}

fn write_prefs(data: &std::path::Path, reminders: bool, course_started: Option<chrono::NaiveDate>) {
    let mut text = format!("schema_version = 1\nremind_course = {reminders}\n");
    if let Some(day) = course_started {
        text.push_str(&format!(
            "\n[course]\nroutine_id = \"endorphin-15\"\nstarted_on = \"{day}\"\n"
        ));
    }
    std::fs::create_dir_all(data.join("config")).unwrap();
    std::fs::write(data.join("config/preferences.toml"), text).unwrap();
}

#[test]
fn remind_notifies_only_when_a_course_session_is_due_and_reminders_are_on() {
    use unknot::core::history::Outcome;
    use unknot::store::history_db::{HistoryDb, NewSession};
    let bus = Bus::start();
    let (_server, received) = notification_service(&bus);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let today = chrono::Local::now().date_naive();
    let quiet = |output: &std::process::Output, case: &str| {
        assert!(output.status.success(), "{case}: {output:?}");
        assert!(output.stdout.is_empty(), "{case}: {output:?}");
        assert!(
            received.recv_timeout(Duration::from_millis(300)).is_err(),
            "{case}: no notification"
        );
    };

    // Never set up: nothing.
    quiet(&remind(&bus, data), "no preferences");
    // Reminders on, no course: nothing.
    write_prefs(data, true, None);
    quiet(&remind(&bus, data), "no course");
    // A course whose first session is due today, reminders off: nothing.
    write_prefs(data, false, Some(today));
    quiet(&remind(&bus, data), "reminders off");

    // Reminders on: one notification, the same line on standard output.
    write_prefs(data, true, Some(today));
    let output = remind(&bus, data);
    assert!(output.status.success(), "{output:?}");
    let (_, summary, urgency) = received.recv_timeout(WAIT).expect("a reminder");
    assert_eq!(summary, "A course session is due today");
    assert_eq!(urgency, 1);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("Session 1 of 4 of your course: Endorphin routine"),
        "{stdout}"
    );

    // The first session done three days ago: the next is not due yet.
    let started = chrono::Utc::now() - chrono::Duration::days(3);
    let mut db = HistoryDb::open(&data.join("history.sqlite3"), "t")
        .unwrap()
        .db;
    let id = db
        .start_session(&NewSession {
            routine_id: "endorphin-15".into(),
            routine_name: "Endorphin routine".into(),
            planned_secs: 900,
            step_count: 9,
            started_at: started,
            regions: vec!["neck".into()],
            heat_used: false,
            pain_before: None,
            owner: None,
        })
        .unwrap();
    db.finish(
        id,
        Outcome::Completed,
        900,
        9,
        started + chrono::Duration::minutes(15),
    )
    .unwrap();
    drop(db);
    let local_start = started.with_timezone(&chrono::Local).date_naive();
    write_prefs(data, true, Some(local_start));
    quiet(&remind(&bus, data), "not due");

    // Started 17 days ago with one session done: three days overdue.
    write_prefs(data, true, Some(local_start - chrono::Duration::days(14)));
    let output = remind(&bus, data);
    assert!(output.status.success(), "{output:?}");
    let (_, summary, _) = received.recv_timeout(WAIT).expect("an overdue reminder");
    assert!(summary.contains("overdue"), "{summary}");
}

#[test]
fn remind_without_a_notification_service_says_so_and_fails() {
    let bus = Bus::start();
    let dir = tempfile::tempdir().unwrap();
    write_prefs(dir.path(), true, Some(chrono::Local::now().date_naive()));
    let output = remind(&bus, dir.path());
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("showing the reminder"), "{stderr}");
    // --print needs no bus at all.
    let printed = Command::new(env!("CARGO_BIN_EXE_unknot"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["remind", "--print"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    assert!(printed.status.success(), "{printed:?}");
    assert!(String::from_utf8_lossy(&printed.stdout).contains("due today"));
}

mod single_instance {
    use super::*;
    use std::io::{Read as _, Write as _};
    use unknot::single::{Claim, InstancePaths, Request, SingleError, claim};

    fn paths(dir: &std::path::Path) -> InstancePaths {
        let data = dir.join("data");
        std::fs::create_dir_all(&data).unwrap();
        InstancePaths::new(&dir.join("run"), &data)
    }

    #[test]
    fn a_second_start_hands_its_request_to_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let paths = paths(dir.path());
        let Claim::First(primary) = claim(&paths, &Request::Raise).unwrap() else {
            panic!("the first start is alone");
        };
        let (woken, wakes) = mpsc::channel();
        let woken = Mutex::new(woken);
        let requests = primary
            .serve(Arc::new(move || {
                let _ = woken.lock().unwrap().send(());
            }))
            .unwrap();
        let request = Request::Autoplay {
            id: "endorphin-15".into(),
            length_secs: Some(1200),
        };
        assert!(matches!(
            claim(&paths, &request).unwrap(),
            Claim::HandedOver
        ));
        wakes.recv_timeout(WAIT).expect("the window is woken");
        assert_eq!(requests.take(), vec![request]);

        // Nonsense on the socket is answered with an error, and the
        // listener keeps serving.
        let mut stream = std::os::unix::net::UnixStream::connect(&paths.socket).unwrap();
        stream.write_all(b"\xff\xfe rubbish\n").unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("error"), "{reply}");
        assert!(matches!(
            claim(&paths, &Request::Raise).unwrap(),
            Claim::HandedOver
        ));
        wakes.recv_timeout(WAIT).unwrap();
        assert_eq!(requests.take(), vec![Request::Raise]);
    }

    #[test]
    fn a_socket_left_by_a_killed_copy_does_not_block_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let paths = paths(dir.path());
        std::fs::create_dir_all(paths.socket.parent().unwrap()).unwrap();
        // A dead copy's socket: bound, then its listener gone.
        drop(std::os::unix::net::UnixListener::bind(&paths.socket).unwrap());
        std::fs::write(&paths.lock, b"").unwrap();
        assert!(matches!(
            claim(&paths, &Request::Raise).unwrap(),
            Claim::First(_)
        ));
    }

    #[test]
    fn a_running_copy_that_does_not_answer_is_reported_not_bypassed() {
        let dir = tempfile::tempdir().unwrap();
        let paths = paths(dir.path());
        // Holds the lock and the socket but never answers (as if stopped).
        let _frozen = claim(&paths, &Request::Raise).unwrap();
        let error = claim(&paths, &Request::Raise).unwrap_err();
        assert!(matches!(error, SingleError::NoAnswer), "{error}");
        assert!(error.to_string().contains("not opening a second window"));
    }

    #[test]
    fn different_data_folders_never_meet() {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("run");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let first = claim(&InstancePaths::new(&run, &a), &Request::Raise).unwrap();
        let second = claim(&InstancePaths::new(&run, &b), &Request::Raise).unwrap();
        assert!(matches!(
            (first, second),
            (Claim::First(_), Claim::First(_))
        ));
    }
}
