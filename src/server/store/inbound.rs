//! Turning a customer's message from a channel into a ticket: find or create the contact,
//! continue the thread or open a conversation, and move the ticket along the pipeline.

use super::messages::touch_conversation;
use super::routing::{self, Opening};
use super::rows;
use super::{Store, StoreError, WriteCtx};
use crate::api::{EventKind, InboundMessage};
use crate::domain::{Id, MessageKind, Priority, Status, limits};
use rusqlite::OptionalExtension;

/// Longest subject taken from the first line of a message.
const SUBJECT_CHARS: usize = 80;

/// What an accepted inbound message did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundOutcome {
    pub conversation_id: Id,
    pub message_id: Id,
    /// Whether a new conversation was opened.
    pub new_conversation: bool,
    /// Whether a new contact was created for the sender.
    pub new_contact: bool,
}

/// Checks an inbound message before anything is written.
pub(crate) fn validate(msg: &InboundMessage) -> Result<(), StoreError> {
    check(msg).map_err(StoreError::Invalid)
}

fn check(msg: &InboundMessage) -> Result<(), String> {
    let id = |field: &str, value: &str| {
        if value.trim().is_empty() || value.len() > limits::MAX_EXTERNAL_ID_BYTES {
            Err(format!(
                "{field} must be 1 to {} bytes",
                limits::MAX_EXTERNAL_ID_BYTES
            ))
        } else {
            Ok(())
        }
    };
    id("thread_id", &msg.thread_id)?;
    id("sender.id", &msg.sender.id)?;
    if msg.text.trim().is_empty() && msg.attachments.is_empty() {
        return Err("a message needs text or at least one attachment".into());
    }
    if let Some(name) = &msg.sender.name {
        limits::optional_text("sender.name", name, limits::MAX_NAME_CHARS)?;
    }
    if let Some(email) = &msg.sender.email {
        limits::email("sender.email", email)?;
    }
    if let Some(phone) = &msg.sender.phone {
        limits::optional_text("sender.phone", phone, limits::MAX_PHONE_CHARS)?;
    }
    if let Some(subject) = &msg.subject {
        // Line breaks are fine: a new conversation keeps the subject's first line.
        if subject.chars().count() > limits::MAX_SUBJECT_CHARS {
            return Err(format!(
                "subject must be at most {} characters",
                limits::MAX_SUBJECT_CHARS
            ));
        }
    }
    if msg.attachments.len() > limits::MAX_ATTACHMENTS {
        return Err(format!(
            "a message may carry at most {} attachments",
            limits::MAX_ATTACHMENTS
        ));
    }
    for (i, a) in msg.attachments.iter().enumerate() {
        if a.size < 0 {
            return Err(format!("attachments[{i}].size must not be negative"));
        }
        if a.name.trim().is_empty() || a.url.trim().is_empty() {
            return Err(format!("attachments[{i}] needs a name and a url"));
        }
        limits::text(
            &format!("attachments[{i}].name"),
            &a.name,
            limits::MAX_FILE_NAME_CHARS,
        )?;
        if a.url.len() > limits::MAX_URL_BYTES {
            return Err(format!(
                "attachments[{i}].url must be at most {} bytes",
                limits::MAX_URL_BYTES
            ));
        }
        if let Some(mime) = &a.mime_type {
            limits::optional_text(
                &format!("attachments[{i}].mime_type"),
                mime,
                limits::MAX_MIME_CHARS,
            )?;
        }
    }
    Ok(())
}

/// Finds the sender's contact by channel identity, then by email; creates one otherwise.
fn find_or_create_contact(
    ctx: &mut WriteCtx<'_>,
    channel_id: Id,
    msg: &InboundMessage,
) -> Result<(Id, bool), StoreError> {
    let by_identity: Option<Id> = ctx
        .tx
        .prepare_cached(
            "SELECT contact_id FROM contact_identities WHERE channel_id = ?1 AND external_id = ?2",
        )?
        .query_row((channel_id, &msg.sender.id), |r| r.get(0))
        .optional()?;
    if let Some(id) = by_identity {
        return Ok((id, false));
    }
    let by_email: Option<Id> = match &msg.sender.email {
        Some(email) => ctx
            .tx
            .prepare_cached("SELECT id FROM contacts WHERE email = ?1 ORDER BY id LIMIT 1")?
            .query_row([email.trim()], |r| r.get(0))
            .optional()?,
        None => None,
    };
    let (contact_id, created) = match by_email {
        Some(id) => (id, false),
        None => {
            let name = super::names::first_contact_name(
                [msg.sender.name.as_deref(), msg.sender.email.as_deref()]
                    .into_iter()
                    .flatten()
                    .chain([msg.sender.id.as_str()]),
            );
            ctx.tx
                .prepare_cached(
                    "INSERT INTO contacts (name, email, phone, created_at) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute((
                    name,
                    msg.sender.email.as_deref().map(str::trim),
                    msg.sender.phone.as_deref(),
                    ctx.now().millis(),
                ))?;
            (ctx.tx.last_insert_rowid(), true)
        }
    };
    ctx.tx
        .prepare_cached(
            "INSERT INTO contact_identities (channel_id, external_id, contact_id) VALUES (?1, ?2, ?3)",
        )?
        .execute((channel_id, &msg.sender.id, contact_id))?;
    let contact = rows::contact(ctx.tx, contact_id)?;
    ctx.emit(if created {
        EventKind::ContactCreated { contact }
    } else {
        EventKind::ContactUpdated { contact }
    })?;
    Ok((contact_id, created))
}

/// Stores an inbound message on `channel_id`.
pub(crate) fn ingest(
    ctx: &mut WriteCtx<'_>,
    channel_id: Id,
    msg: InboundMessage,
) -> Result<InboundOutcome, StoreError> {
    ingest_into(ctx, channel_id, msg, None)
}

/// Stores an inbound message on `channel_id`, continuing conversation `into` when given
/// (whatever channel it started on: a customer answering a reply an agent sent on another
/// channel), its thread otherwise.
pub(crate) fn ingest_into(
    ctx: &mut WriteCtx<'_>,
    channel_id: Id,
    msg: InboundMessage,
    into: Option<Id>,
) -> Result<InboundOutcome, StoreError> {
    let (enabled, kind): (bool, String) = ctx
        .tx
        .prepare_cached("SELECT enabled, kind FROM channels WHERE id = ?1")?
        .query_row([channel_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("channel {channel_id}")))?;
    if !enabled {
        return Err(StoreError::Conflict(format!(
            "channel {channel_id} is turned off and accepts no messages"
        )));
    }
    let (contact_id, new_contact) = find_or_create_contact(ctx, channel_id, &msg)?;
    let now = ctx.now().millis();
    let (existing, thread_key) = match into {
        Some(id) => (Some(id), None),
        None => {
            super::threads::existing_conversation(ctx.tx, channel_id, contact_id, &msg.thread_id)?
        }
    };
    let new_conversation = existing.is_none();
    let conversation_id = match existing {
        Some(id) => id,
        None => {
            let subject = msg
                .subject
                .as_deref()
                .map(|s| rows::first_line(s, SUBJECT_CHARS))
                .filter(|s| !s.is_empty())
                .or_else(|| {
                    Some(rows::first_line(&msg.text, SUBJECT_CHARS)).filter(|s| !s.is_empty())
                })
                .or_else(|| {
                    msg.attachments
                        .first()
                        .map(|a| format!("[{}] {}", a.kind, a.name))
                })
                .unwrap_or_default();
            ctx.tx
                .prepare_cached(
                    "INSERT INTO conversations (subject, status, priority, channel_id, channel_kind, \
                     contact_id, thread_key, created_at, updated_at, last_message_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?8)",
                )?
                .execute((
                    subject,
                    Status::New.as_str(),
                    Priority::Medium.as_str(),
                    channel_id,
                    &kind,
                    contact_id,
                    thread_key,
                    now,
                ))?;
            let id = ctx.tx.last_insert_rowid();
            routing::on_conversation_opened(ctx, id, Opening::Routed)?;
            id
        }
    };
    let sender_name = rows::contact(ctx.tx, contact_id)?.name;
    ctx.tx
        .prepare_cached(
            "INSERT INTO messages (conversation_id, kind, sender_contact_id, sender_name, \
             channel_id, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute((
            conversation_id,
            MessageKind::Inbound.as_str(),
            contact_id,
            sender_name,
            channel_id,
            &msg.text,
            now,
        ))?;
    let message_id = ctx.tx.last_insert_rowid();
    for a in &msg.attachments {
        ctx.tx
            .prepare_cached(
                "INSERT INTO attachments (message_id, kind, name, mime_type, size, url) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute((
                message_id,
                a.kind.as_str(),
                &a.name,
                a.mime_type.as_deref(),
                a.size,
                &a.url,
            ))?;
    }
    let message = rows::message(ctx.tx, message_id)?;
    touch_conversation(ctx, conversation_id, &message)?;
    if !new_conversation {
        ctx.tx
            .prepare_cached(
                "UPDATE conversations SET snoozed_until = NULL, \
                 status = CASE WHEN status IN ('waiting_on_contact', 'closed') \
                          THEN 'waiting_on_us' ELSE status END \
                 WHERE id = ?1",
            )?
            .execute([conversation_id])?;
    }
    let conversation = rows::conversation(ctx.tx, conversation_id, 0)?;
    if new_conversation {
        ctx.emit(EventKind::ConversationCreated {
            conversation: conversation.clone(),
        })?;
    }
    ctx.emit(EventKind::MessageCreated {
        conversation_id,
        message,
        conversation,
    })?;
    Ok(InboundOutcome {
        conversation_id,
        message_id,
        new_conversation,
        new_contact,
    })
}

impl Store {
    /// Stores a customer's message that arrived on `channel_id`.
    pub async fn ingest_inbound(
        &self,
        channel_id: Id,
        msg: InboundMessage,
    ) -> Result<InboundOutcome, StoreError> {
        validate(&msg)?;
        self.write(move |ctx| ingest(ctx, channel_id, msg)).await
    }
}
