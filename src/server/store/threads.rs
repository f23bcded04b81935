//! Which conversation an inbound message continues, by the channel's threading model.

use super::StoreError;
use crate::domain::{Capabilities, Id, Threading};
use rusqlite::{Connection, OptionalExtension};

/// The channel's declared threading model.
fn threading(conn: &Connection, channel_id: Id) -> Result<Threading, StoreError> {
    let declared: Option<String> = conn
        .prepare_cached("SELECT capabilities FROM channels WHERE id = ?1")?
        .query_row([channel_id], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(declared
        .and_then(|c| serde_json::from_str::<Capabilities>(&c).ok())
        .unwrap_or_default()
        .threading)
}

/// The conversation a message from `contact_id` with `thread_id` continues, if any, and the
/// thread key a new conversation gets. By thread id, the key names the conversation (closed
/// ones reopen); by sender, the contact's latest open conversation on the channel continues
/// whatever the thread id, and a new one has no key.
pub fn existing_conversation(
    conn: &Connection,
    channel_id: Id,
    contact_id: Id,
    thread_id: &str,
) -> Result<(Option<Id>, Option<String>), StoreError> {
    match threading(conn, channel_id)? {
        Threading::ThreadId => {
            let existing = conn
                .prepare_cached(
                    "SELECT id FROM conversations WHERE channel_id = ?1 AND thread_key = ?2",
                )?
                .query_row((channel_id, thread_id), |r| r.get(0))
                .optional()?;
            Ok((existing, Some(thread_id.to_string())))
        }
        Threading::Sender => {
            let existing = conn
                .prepare_cached(
                    "SELECT id FROM conversations WHERE contact_id = ?1 AND channel_id = ?2 \
                     AND status <> 'closed' ORDER BY last_message_at DESC, id DESC LIMIT 1",
                )?
                .query_row((contact_id, channel_id), |r| r.get(0))
                .optional()?;
            Ok((existing, None))
        }
    }
}
