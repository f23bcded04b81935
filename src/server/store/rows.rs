//! Turning rows into domain records, and the shared bits of SQL that select them.

use super::StoreError;
use crate::domain::{
    Agent, Attachment, Call, Contact, ContactIdentity, Conversation, Delivery, Id, Message,
    MessageKind, ReplyEmail, Sender, SenderKind, Timestamp,
};
use rusqlite::{Connection, OptionalExtension, Row};
use std::str::FromStr;

/// Columns of `Conversation`, in `conversation_from_row` order, then `c.search_rowid`.
pub const CONVERSATION_COLUMNS: &str = "SELECT c.id, c.subject, c.status, c.priority, \
     c.owner_id, c.team_id, c.channel_id, c.channel_kind, c.contact_id, ct.name, c.labels, \
     c.snoozed_until, c.created_at, c.updated_at, c.last_message_at, c.preview, \
     c.message_count, c.last_message_at > coalesce(rs.read_at, 0), c.search_rowid";

/// The joins behind `CONVERSATION_COLUMNS`; `?1` is the asking agent.
pub const CONVERSATION_JOINS: &str = "JOIN contacts ct ON ct.id = c.contact_id \
     LEFT JOIN read_state rs ON rs.conversation_id = c.id AND rs.agent_id = ?1";

/// Parses a TEXT column holding an enum spelling.
fn parsed<T: FromStr>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.get(idx)?;
    text.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn ts(row: &Row<'_>, idx: usize) -> rusqlite::Result<Timestamp> {
    row.get(idx).map(Timestamp)
}

/// A row of `CONVERSATION_SELECT`.
pub fn conversation_from_row(row: &Row<'_>) -> rusqlite::Result<Conversation> {
    let labels: String = row.get(10)?;
    Ok(Conversation {
        id: row.get(0)?,
        subject: row.get(1)?,
        status: parsed(row, 2)?,
        priority: parsed(row, 3)?,
        owner_id: row.get(4)?,
        team_id: row.get(5)?,
        channel_id: row.get(6)?,
        channel_kind: parsed(row, 7)?,
        contact_id: row.get(8)?,
        contact_name: row.get(9)?,
        labels: serde_json::from_str(&labels).unwrap_or_default(),
        snoozed_until: row.get::<_, Option<i64>>(11)?.map(Timestamp),
        created_at: ts(row, 12)?,
        updated_at: ts(row, 13)?,
        last_message_at: ts(row, 14)?,
        preview: row.get(15)?,
        message_count: row.get(16)?,
        unread: row.get(17)?,
    })
}

/// One conversation as `agent_id` sees it (`0` for no agent: never unread).
pub fn conversation(conn: &Connection, id: Id, agent_id: Id) -> Result<Conversation, StoreError> {
    let sql =
        format!("{CONVERSATION_COLUMNS} FROM conversations c {CONVERSATION_JOINS} WHERE c.id = ?2");
    conn.prepare_cached(&sql)?
        .query_row((agent_id, id), conversation_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("conversation {id}")))
}

/// Columns of `Message`, in `message_from_row` order.
pub const MESSAGE_SELECT: &str = "SELECT m.id, m.conversation_id, m.kind, m.sender_agent_id, \
     m.sender_contact_id, m.sender_name, m.channel_id, m.body, m.client_id, m.created_at, \
     d.status, d.error, d.attempts, d.updated_at, \
     CASE WHEN d.claimed_at IS NULL THEN d.next_attempt_at END, d.discarded_at \
     FROM messages m LEFT JOIN deliveries d ON d.message_id = m.id";

/// A row of `MESSAGE_SELECT`, without attachments.
pub fn message_from_row(row: &Row<'_>) -> rusqlite::Result<Message> {
    let kind: MessageKind = parsed(row, 2)?;
    let agent: Option<Id> = row.get(3)?;
    let contact: Option<Id> = row.get(4)?;
    let sender = match (agent, contact) {
        (Some(id), _) => (SenderKind::Agent, Some(id)),
        (None, Some(id)) => (SenderKind::Contact, Some(id)),
        (None, None) => match kind {
            MessageKind::Inbound => (SenderKind::Contact, None),
            _ => (SenderKind::System, None),
        },
    };
    Ok(Message {
        id: row.get(0)?,
        conversation_id: row.get(1)?,
        kind,
        internal: kind == MessageKind::Note,
        sender: Sender {
            kind: sender.0,
            id: sender.1,
            name: row.get(5)?,
        },
        channel_id: row.get(6)?,
        body: row.get(7)?,
        client_id: row.get(8)?,
        attachments: Vec::new(),
        created_at: ts(row, 9)?,
        delivery: match row.get::<_, Option<String>>(10)? {
            None => None,
            Some(_) => Some(Delivery {
                status: parsed(row, 10)?,
                error: row.get(11)?,
                attempts: row.get(12)?,
                updated_at: ts(row, 13)?,
                next_attempt_at: row.get::<_, Option<i64>>(14)?.map(Timestamp),
                discarded_at: row.get::<_, Option<i64>>(15)?.map(Timestamp),
            }),
        },
        call: None,
        email: None,
    })
}

/// Fills in the attachments and call details of `messages`, which all belong to one
/// conversation.
pub fn attach_files(conn: &Connection, messages: &mut [Message]) -> Result<(), StoreError> {
    let (Some(first), Some(last)) = (messages.first(), messages.last()) else {
        return Ok(());
    };
    let (lo, hi) = (first.id.min(last.id), first.id.max(last.id));
    let mut stmt = conn.prepare_cached(
        "SELECT a.message_id, a.kind, a.name, a.mime_type, a.size, a.url \
         FROM attachments a JOIN messages m ON m.id = a.message_id \
         WHERE m.conversation_id = ?1 AND a.message_id BETWEEN ?2 AND ?3 ORDER BY a.id",
    )?;
    let rows = stmt.query_map((first.conversation_id, lo, hi), |r| {
        Ok((
            r.get::<_, Id>(0)?,
            Attachment {
                kind: parsed(r, 1)?,
                name: r.get(2)?,
                mime_type: r.get(3)?,
                size: r.get(4)?,
                url: r.get(5)?,
            },
        ))
    })?;
    for row in rows {
        let (message_id, attachment) = row?;
        if let Some(m) = messages.iter_mut().find(|m| m.id == message_id) {
            m.attachments.push(attachment);
        }
    }
    attach_calls(conn, messages, lo, hi)?;
    attach_emails(conn, messages, lo, hi)
}

/// The e-mail header fields of replies by e-mail among `messages` (ids `lo` to `hi`).
fn attach_emails(
    conn: &Connection,
    messages: &mut [Message],
    lo: Id,
    hi: Id,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT message_id, to_addrs, cc_addrs, bcc_addrs, subject FROM reply_email \
         WHERE message_id BETWEEN ?1 AND ?2",
    )?;
    let list = |r: &Row<'_>, i: usize| -> rusqlite::Result<Vec<String>> {
        serde_json::from_str(&r.get::<_, String>(i)?).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
        })
    };
    let rows = stmt.query_map((lo, hi), |r| {
        Ok((
            r.get::<_, Id>(0)?,
            ReplyEmail {
                to: list(r, 1)?,
                cc: list(r, 2)?,
                bcc: list(r, 3)?,
                subject: r.get(4)?,
            },
        ))
    })?;
    for row in rows {
        let (message_id, email) = row?;
        if let Some(m) = messages.iter_mut().find(|m| m.id == message_id) {
            m.email = Some(Box::new(email));
        }
    }
    Ok(())
}

/// Fills in the call details of the logged calls among `messages` (ids `lo..=hi`).
fn attach_calls(
    conn: &Connection,
    messages: &mut [Message],
    lo: Id,
    hi: Id,
) -> Result<(), StoreError> {
    let Some(first) = messages.first() else {
        return Ok(());
    };
    let mut stmt = conn.prepare_cached(
        "SELECT message_id, direction, from_number, to_number, duration_seconds, \
         recording_url, notes, started_at FROM calls \
         WHERE conversation_id = ?1 AND message_id BETWEEN ?2 AND ?3",
    )?;
    let rows = stmt.query_map((first.conversation_id, lo, hi), |r| {
        Ok((
            r.get::<_, Id>(0)?,
            Call {
                direction: parsed(r, 1)?,
                from: r.get(2)?,
                to: r.get(3)?,
                duration_seconds: r.get(4)?,
                recording_url: r.get(5)?,
                notes: r.get(6)?,
                started_at: ts(r, 7)?,
            },
        ))
    })?;
    for row in rows {
        let (message_id, call) = row?;
        if let Some(m) = messages.iter_mut().find(|m| m.id == message_id) {
            m.call = Some(Box::new(call));
        }
    }
    Ok(())
}

/// One message with its attachments.
pub fn message(conn: &Connection, id: Id) -> Result<Message, StoreError> {
    let sql = format!("{MESSAGE_SELECT} WHERE m.id = ?1");
    let m = conn
        .prepare_cached(&sql)?
        .query_row([id], message_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("message {id}")))?;
    let mut one = [m];
    attach_files(conn, &mut one)?;
    let [m] = one;
    Ok(m)
}

/// One contact with its channel identities.
pub fn contact(conn: &Connection, id: Id) -> Result<Contact, StoreError> {
    let mut contact = conn
        .prepare_cached(
            "SELECT id, name, email, phone, owner_id, company_id, created_at \
             FROM contacts WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Contact {
                id: r.get(0)?,
                name: r.get(1)?,
                email: r.get(2)?,
                phone: r.get(3)?,
                owner_id: r.get(4)?,
                company_id: r.get(5)?,
                identities: Vec::new(),
                created_at: ts(r, 6)?,
            })
        })
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("contact {id}")))?;
    let mut stmt = conn.prepare_cached(
        "SELECT channel_id, external_id FROM contact_identities WHERE contact_id = ?1 \
         ORDER BY channel_id, external_id",
    )?;
    contact.identities = stmt
        .query_map([id], |r| {
            Ok(ContactIdentity {
                channel_id: r.get(0)?,
                external_id: r.get(1)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(contact)
}

/// Columns of `Agent`, in `agent_from_row` order.
pub const AGENT_SELECT: &str =
    "SELECT id, name, email, role, has_seat, available, active FROM agents";

/// A row of `AGENT_SELECT`.
pub fn agent_from_row(row: &Row<'_>) -> rusqlite::Result<Agent> {
    Ok(Agent {
        id: row.get(0)?,
        name: row.get(1)?,
        email: row.get(2)?,
        role: parsed(row, 3)?,
        has_seat: row.get(4)?,
        available: row.get(5)?,
        active: row.get(6)?,
    })
}

/// One agent.
pub fn agent(conn: &Connection, id: Id) -> Result<Agent, StoreError> {
    let sql = format!("{AGENT_SELECT} WHERE id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id], agent_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("agent {id}")))
}

/// The first line of `text`, at most `max` characters, for previews and subjects.
pub fn first_line(text: &str, max: usize) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    match line.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}
