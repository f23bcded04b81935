//! Meta's messaging windows: a business may answer within 24 hours of the customer's last
//! message; Messenger allows a human agent up to 7 days with the `HUMAN_AGENT` tag. Checked
//! when an agent posts a reply (so the agent hears it at once) and again when it leaves.

use super::Platform;
use crate::domain::{Id, Timestamp};
use crate::server::store::StoreError;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

const HOUR: i64 = 60 * 60 * 1000;
/// The standard messaging window.
pub const STANDARD: i64 = 24 * HOUR;
/// Messenger's human agent window.
pub const HUMAN_AGENT: i64 = 7 * 24 * HOUR;

/// Where a conversation stands with its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowState {
    /// Replies go out as ordinary responses.
    Open,
    /// Messenger only: replies go out tagged `HUMAN_AGENT`; automated messages may not.
    HumanAgent,
    /// No reply may go out until the customer writes again.
    Closed,
    /// The customer never wrote on this channel.
    Never,
}

/// The window of a customer who last wrote at `last_inbound` (platform time), at `now`.
pub fn state(platform: Platform, last_inbound: Option<Timestamp>, now: Timestamp) -> WindowState {
    let Some(last) = last_inbound else {
        return WindowState::Never;
    };
    let age = now.millis() - last.millis();
    if age <= STANDARD {
        WindowState::Open
    } else if platform == Platform::Messenger && age <= HUMAN_AGENT {
        WindowState::HumanAgent
    } else {
        WindowState::Closed
    }
}

/// When the current window (standard or human agent) ends; `None` when none is open.
pub fn closes_at(
    platform: Platform,
    last_inbound: Option<Timestamp>,
    now: Timestamp,
) -> Option<Timestamp> {
    let last = last_inbound?;
    match state(platform, last_inbound, now) {
        WindowState::Open => Some(Timestamp(last.millis() + STANDARD)),
        WindowState::HumanAgent => Some(Timestamp(last.millis() + HUMAN_AGENT)),
        WindowState::Closed | WindowState::Never => None,
    }
}

/// When the customer behind `contact_id` last wrote on `channel_id`: by the platform's clock
/// for messages that came through the webhook; for conversations that reached the desk
/// another way (seeded, imported), the newest inbound message the desk holds.
pub fn last_inbound(
    conn: &Connection,
    channel_id: Id,
    contact_id: Id,
) -> Result<Option<Timestamp>, StoreError> {
    let platform: Option<i64> = conn
        .prepare_cached(
            "SELECT last_inbound_at FROM graph_contacts WHERE channel_id = ?1 AND contact_id = ?2",
        )?
        .query_row((channel_id, contact_id), |r| r.get(0))
        .optional()?;
    if let Some(at) = platform {
        return Ok(Some(Timestamp(at)));
    }
    let stored: Option<i64> = conn
        .prepare_cached(
            "SELECT MAX(m.created_at) FROM conversations c \
             JOIN messages m ON m.conversation_id = c.id \
             WHERE c.contact_id = ?2 AND m.channel_id = ?1 AND m.kind = 'inbound'",
        )?
        .query_row((channel_id, contact_id), |r| r.get(0))?;
    Ok(stored.map(Timestamp))
}

/// "3 h", "45 min", "2 d": how long `millis` is, roughly.
pub fn humanize(millis: i64) -> String {
    let minutes = millis.max(0) / 60_000;
    if minutes < 60 {
        format!("{} min", minutes.max(1))
    } else if minutes < 48 * 60 {
        format!("{} h", minutes / 60)
    } else {
        format!("{} d", minutes / (24 * 60))
    }
}

/// Why no reply may go out now, or `None` when one may.
pub fn refusal(
    platform: Platform,
    last_inbound: Option<Timestamp>,
    now: Timestamp,
) -> Option<String> {
    let name = platform.name();
    match (state(platform, last_inbound, now), last_inbound) {
        (WindowState::Open | WindowState::HumanAgent, _) => None,
        (WindowState::Never, _) | (_, None) => Some(format!(
            "{name}: the customer has not written on this channel yet; the customer must write first"
        )),
        (WindowState::Closed, Some(last)) => Some(match platform {
            Platform::Whatsapp => format!(
                "the WhatsApp 24-hour window closed {} ago; the customer must write first",
                humanize(now.millis() - last.millis() - STANDARD)
            ),
            Platform::Messenger => format!(
                "Messenger: more than 7 days since the customer last wrote ({} ago); the customer must write first",
                humanize(now.millis() - last.millis())
            ),
        }),
    }
}

/// Refuses a reply on `channel_id` to `contact_id` that its platform would refuse: outside
/// the window, or longer than a message may be. Other channels pass. Called in the reply's
/// write transaction; internal notes never come here.
pub fn check(
    conn: &Connection,
    channel_id: Id,
    contact_id: Id,
    body: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let kind: String = conn
        .prepare_cached("SELECT kind FROM channels WHERE id = ?1")?
        .query_row([channel_id], |r| r.get(0))?;
    let Some(platform) = kind.parse().ok().and_then(Platform::of) else {
        return Ok(());
    };
    let max = platform.max_text_chars();
    if body.chars().count() > max {
        return Err(StoreError::Invalid(format!(
            "{} replies are limited to {max} characters; split this one",
            platform.name()
        )));
    }
    match refusal(platform, last_inbound(conn, channel_id, contact_id)?, now) {
        Some(why) => Err(StoreError::Conflict(why)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = Timestamp(100 * HUMAN_AGENT);

    fn ago(ms: i64) -> Option<Timestamp> {
        Some(Timestamp(NOW.millis() - ms))
    }

    #[test]
    fn windows_open_tag_and_close_by_platform() {
        use Platform::*;
        assert_eq!(state(Whatsapp, ago(STANDARD), NOW), WindowState::Open);
        assert_eq!(state(Whatsapp, ago(STANDARD + 1), NOW), WindowState::Closed);
        assert_eq!(
            state(Messenger, ago(STANDARD + 1), NOW),
            WindowState::HumanAgent
        );
        assert_eq!(
            state(Messenger, ago(HUMAN_AGENT + 1), NOW),
            WindowState::Closed
        );
        assert_eq!(state(Messenger, None, NOW), WindowState::Never);
        assert_eq!(
            closes_at(Messenger, ago(STANDARD + 1), NOW),
            Some(Timestamp(NOW.millis() - STANDARD - 1 + HUMAN_AGENT))
        );
    }

    #[test]
    fn the_platform_clock_wins_and_stored_messages_stand_in_without_it() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::server::store::schema::migrate(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO channels (id, kind, name, secret, created_at) VALUES (1, 'whatsapp', 'W', 's', 0);
             INSERT INTO contacts (id, name, created_at) VALUES (7, 'Lucia', 0);
             INSERT INTO conversations (id, subject, status, priority, channel_id, channel_kind, contact_id, created_at, updated_at, last_message_at)
                 VALUES (3, 's', 'new', 'low', 1, 'whatsapp', 7, 0, 0, 0);
             INSERT INTO messages (conversation_id, kind, sender_contact_id, sender_name, channel_id, body, created_at)
                 VALUES (3, 'inbound', 7, 'Lucia', 1, 'a', 1000), (3, 'inbound', 7, 'Lucia', 1, 'b', 5000),
                        (3, 'outbound', NULL, 'Ada', 1, 'c', 9000);",
        )
        .unwrap();
        assert_eq!(last_inbound(&conn, 1, 7).unwrap(), Some(Timestamp(5000)));
        assert_eq!(last_inbound(&conn, 1, 8).unwrap(), None);
        conn.execute(
            "INSERT INTO graph_contacts (channel_id, contact_id, last_inbound_at) VALUES (1, 7, 200)",
            [],
        )
        .unwrap();
        assert_eq!(last_inbound(&conn, 1, 7).unwrap(), Some(Timestamp(200)));
        let refused = check(&conn, 1, 7, "hi", Timestamp(200 + STANDARD + 4 * HOUR)).unwrap_err();
        assert!(matches!(refused, StoreError::Conflict(m) if m.contains("closed 4 h ago")));
    }

    #[test]
    fn refusals_say_how_long_ago_the_window_closed() {
        assert_eq!(
            refusal(Platform::Whatsapp, ago(STANDARD + 3 * HOUR), NOW).unwrap(),
            "the WhatsApp 24-hour window closed 3 h ago; the customer must write first"
        );
        assert_eq!(
            refusal(Platform::Messenger, ago(8 * 24 * HOUR), NOW).unwrap(),
            "Messenger: more than 7 days since the customer last wrote (8 d ago); the customer must write first"
        );
        assert!(refusal(Platform::Messenger, ago(2 * 24 * HOUR), NOW).is_none());
        assert!(
            refusal(Platform::Whatsapp, None, NOW)
                .unwrap()
                .contains("must write first")
        );
    }
}
