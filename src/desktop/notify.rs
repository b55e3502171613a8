//! Desktop notifications (`org.freedesktop.Notifications`): the session
//! finished, a skin check, take the heat off. Clicking one brings the window
//! forward.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use zbus::blocking::Connection;
use zbus::proxy;
use zbus::zvariant::Value;

/// Which notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The session ran to its end.
    Finished,
    /// Look at the skin under the heat.
    SkinCheck,
    /// Take the heat off now: urgent, stays until answered.
    HeatOff,
}

/// A notification that was shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// Which one.
    pub kind: Kind,
    /// The service's id for it.
    pub id: u32,
    /// Its summary line.
    pub summary: String,
}

#[proxy(
    interface = "org.freedesktop.Notifications",
    default_service = "org.freedesktop.Notifications",
    default_path = "/org/freedesktop/Notifications"
)]
trait Notifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: &str,
        replaces_id: u32,
        app_icon: &str,
        summary: &str,
        body: &str,
        actions: &[&str],
        hints: HashMap<&str, Value<'_>>,
        expire_timeout: i32,
    ) -> zbus::Result<u32>;

    #[zbus(signal)]
    fn action_invoked(&self, id: u32, action_key: String) -> zbus::Result<()>;
}

/// Shows one notification and returns at once (for `unknot remind`, which
/// exits straight after): clicking it opens the app through its desktop entry.
pub fn send_once(connection: &Connection, summary: &str, body: &str) -> zbus::Result<u32> {
    let proxy = NotificationsProxyBlocking::new(connection)?;
    let mut hints = HashMap::new();
    hints.insert("urgency", Value::from(1_u8));
    hints.insert("desktop-entry", Value::from(super::APP_ID));
    proxy.notify("unknot", 0, super::APP_ID, summary, body, &[], hints, -1)
}

/// Sends notifications and listens for clicks on them.
pub struct Notifier {
    connection: Connection,
    /// Ids of the notifications this app sent, so only their clicks count.
    ours: Arc<Mutex<Vec<u32>>>,
}

impl Notifier {
    /// Starts listening for clicks on `connection`; a click on one of ours
    /// calls `raise`.
    pub fn start(connection: &Connection, raise: Arc<dyn Fn() + Send + Sync>) -> Self {
        let ours: Arc<Mutex<Vec<u32>>> = Arc::new(Mutex::new(Vec::new()));
        let listener = {
            let connection = connection.clone();
            let ours = Arc::clone(&ours);
            move || {
                let Ok(proxy) = NotificationsProxyBlocking::new(&connection) else {
                    return;
                };
                let Ok(clicks) = proxy.receive_action_invoked() else {
                    return;
                };
                for click in clicks {
                    let Ok(args) = click.args() else { continue };
                    let mine = ours
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .contains(&args.id);
                    if mine && args.action_key == "default" {
                        raise();
                    }
                }
            }
        };
        if let Err(error) = thread::Builder::new()
            .name("unknot-notify-clicks".into())
            .spawn(listener)
        {
            log::warn!("clicks on notifications will not open the window: {error}");
        }
        Self {
            connection: connection.clone(),
            ours,
        }
    }

    /// Shows a notification (replacing `replaces` if given) and returns it.
    pub fn send(
        &self,
        kind: Kind,
        summary: &str,
        body: &str,
        replaces: Option<u32>,
    ) -> zbus::Result<Sent> {
        let proxy = NotificationsProxyBlocking::new(&self.connection)?;
        let mut hints = HashMap::new();
        // 2 is "critical": shown until dismissed, over do-not-disturb.
        let urgency: u8 = if kind == Kind::HeatOff { 2 } else { 1 };
        hints.insert("urgency", Value::from(urgency));
        hints.insert("desktop-entry", Value::from(super::APP_ID));
        let category = match kind {
            Kind::Finished => "presence",
            Kind::SkinCheck | Kind::HeatOff => "device",
        };
        hints.insert("category", Value::from(category));
        let expire = if kind == Kind::HeatOff { 0 } else { -1 };
        let id = proxy.notify(
            "unknot",
            replaces.unwrap_or(0),
            super::APP_ID,
            summary,
            body,
            &["default", "Open unknot"],
            hints,
            expire,
        )?;
        self.ours
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(id);
        Ok(Sent {
            kind,
            id,
            summary: summary.to_owned(),
        })
    }
}
