//! Reading message history and posting agent replies and notes.

use super::rows::{self, MESSAGE_SELECT};
use super::{Store, StoreError, WriteCtx, conversations, deliveries};
use crate::api::{EventKind, MessagePage, NewMessage};
use crate::domain::{Attachment, ChannelKind, Id, Message, MessageKind, ReplyEmail, Status};
use crate::server::channels::graph;
use rusqlite::{Connection, OptionalExtension};

/// Longest preview kept on a conversation.
pub const PREVIEW_CHARS: usize = 120;

/// Longest `client_id` accepted.
const MAX_CLIENT_ID: usize = 128;

/// What [`Store::reply_targets`] answers.
#[derive(Debug, Clone)]
pub struct ReplyTargets {
    pub conversation: crate::domain::Conversation,
    pub contact: crate::domain::Contact,
    /// Every channel not deleted, with the contact's latest message on it.
    pub channels: Vec<(crate::domain::Channel, Option<crate::domain::Timestamp>)>,
    pub thread_key: Option<String>,
}

/// What posting a message did.
#[derive(Debug, Clone)]
pub enum PostOutcome {
    /// A new message was stored.
    Created(Message),
    /// A message with the same `client_id` already existed; nothing was added.
    Existing(Message),
}

/// Messages of a conversation older than `before` (newest page when `None`), oldest first.
pub fn page(
    conn: &Connection,
    conversation_id: Id,
    before: Option<Id>,
    limit: usize,
) -> Result<MessagePage, StoreError> {
    let sql = format!(
        "SELECT * FROM ({MESSAGE_SELECT} WHERE m.conversation_id = ?1 AND m.id < ?2 \
         ORDER BY m.id DESC LIMIT ?3) ORDER BY id"
    );
    let limit = limit.clamp(1, conversations::MAX_PAGE);
    let mut items: Vec<Message> = conn
        .prepare_cached(&sql)?
        .query_map(
            (conversation_id, before.unwrap_or(Id::MAX), limit as i64 + 1),
            rows::message_from_row,
        )?
        .collect::<Result<_, _>>()?;
    let has_older = items.len() > limit;
    if has_older {
        items.remove(0);
    }
    rows::attach_files(conn, &mut items)?;
    Ok(MessagePage { items, has_older })
}

/// Updates a conversation after a message was added to it; its search document follows.
pub fn touch_conversation(
    ctx: &mut WriteCtx<'_>,
    conversation_id: Id,
    message: &Message,
) -> Result<(), StoreError> {
    let preview = if message.body.trim().is_empty() {
        message
            .attachments
            .first()
            .map(|a| format!("[{}] {}", a.kind, a.name))
            .unwrap_or_default()
    } else {
        rows::first_line(&message.body, PREVIEW_CHARS)
    };
    ctx.tx
        .prepare_cached(
            "UPDATE conversations SET last_message_at = ?1, updated_at = ?1, preview = ?2, \
             message_count = message_count + 1 WHERE id = ?3",
        )?
        .execute((message.created_at.millis(), preview, conversation_id))?;
    ctx.reindex_later(conversation_id);
    Ok(())
}

/// Posts an agent's reply or note; idempotent by `client_id`.
fn post(
    ctx: &mut WriteCtx<'_>,
    conversation_id: Id,
    agent_id: Id,
    new: NewMessage,
    files: Vec<Attachment>,
) -> Result<PostOutcome, StoreError> {
    let existing: Option<Id> = ctx
        .tx
        .prepare_cached("SELECT id FROM messages WHERE conversation_id = ?1 AND client_id = ?2")?
        .query_row((conversation_id, &new.client_id), |r| r.get(0))
        .optional()?;
    if let Some(id) = existing {
        return Ok(PostOutcome::Existing(rows::message(ctx.tx, id)?));
    }
    let before = rows::conversation(ctx.tx, conversation_id, agent_id)?;
    let agent = rows::agent(ctx.tx, agent_id)?;
    let channel_id = match new.channel_id {
        Some(id) => {
            let enabled: Option<bool> = ctx
                .tx
                .prepare_cached("SELECT enabled FROM channels WHERE id = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?;
            match enabled {
                None => {
                    return Err(StoreError::Invalid(format!(
                        "channel_id {id} is not a channel of this desk"
                    )));
                }
                Some(false) => {
                    return Err(StoreError::Conflict(format!(
                        "channel {id} is turned off; turn it on or reply on another channel"
                    )));
                }
                Some(true) => id,
            }
        }
        None => before.channel_id,
    };
    let kind = if new.internal {
        MessageKind::Note
    } else {
        MessageKind::Outbound
    };
    let now = ctx.now();
    if kind == MessageKind::Outbound {
        graph::window::check(ctx.tx, channel_id, before.contact_id, &new.body, now)?;
    }
    let channel_kind: ChannelKind = ctx
        .tx
        .prepare_cached("SELECT kind FROM channels WHERE id = ?1")?
        .query_row([channel_id], |r| r.get::<_, String>(0))?
        .parse()
        .map_err(|e: crate::domain::ParseEnumError| StoreError::Invalid(e.to_string()))?;
    let email = match (kind, channel_kind, new.email) {
        (MessageKind::Outbound, ChannelKind::Email, fields) => {
            Some(email_defaults(ctx, fields.unwrap_or_default(), &before)?)
        }
        (_, _, None) => None,
        (_, _, Some(_)) => {
            return Err(StoreError::Invalid(
                "email fields go only with a reply (not a note) on an e-mail channel".into(),
            ));
        }
    };
    ctx.tx
        .prepare_cached(
            "INSERT INTO messages (conversation_id, kind, sender_agent_id, sender_name, \
             channel_id, body, client_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute((
            conversation_id,
            kind.as_str(),
            agent_id,
            &agent.name,
            channel_id,
            &new.body,
            &new.client_id,
            now.millis(),
        ))?;
    let message_id = ctx.tx.last_insert_rowid();
    if let Some(email) = &email {
        let json = |list: &Vec<String>| serde_json::to_string(list).unwrap_or_default();
        ctx.tx
            .prepare_cached(
                "INSERT INTO reply_email (message_id, to_addrs, cc_addrs, bcc_addrs, subject) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute((
                message_id,
                json(&email.to),
                json(&email.cc),
                json(&email.bcc),
                &email.subject,
            ))?;
    }
    for f in &files {
        ctx.tx
            .prepare_cached(
                "INSERT INTO attachments (message_id, kind, name, mime_type, size, url) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute((
                message_id,
                f.kind.as_str(),
                &f.name,
                &f.mime_type,
                f.size,
                &f.url,
            ))?;
    }
    if kind == MessageKind::Outbound {
        deliveries::enqueue(ctx, message_id, channel_id)?;
    }
    let message = rows::message(ctx.tx, message_id)?;
    touch_conversation(ctx, conversation_id, &message)?;
    if kind == MessageKind::Outbound {
        if before.owner_id.is_none() {
            ctx.tx
                .prepare_cached("UPDATE conversations SET owner_id = ?1 WHERE id = ?2")?
                .execute((agent_id, conversation_id))?;
        }
        if before.status != Status::WaitingOnContact {
            ctx.tx
                .prepare_cached("UPDATE conversations SET status = ?1 WHERE id = ?2")?
                .execute((Status::WaitingOnContact.as_str(), conversation_id))?;
        }
    }
    conversations::mark_read(ctx, conversation_id, agent_id)?;
    let conversation = rows::conversation(ctx.tx, conversation_id, 0)?;
    ctx.emit(EventKind::MessageCreated {
        conversation_id,
        message: message.clone(),
        conversation: conversation.clone(),
    })?;
    super::mentions::record(ctx, &message, &conversation, &new.mentions)?;
    Ok(PostOutcome::Created(message))
}

/// A reply's e-mail fields with the thread's defaults filled in: the contact's address as
/// `to`, `Re: ` and the conversation's subject as `subject`.
fn email_defaults(
    ctx: &mut WriteCtx<'_>,
    mut email: ReplyEmail,
    conversation: &crate::domain::Conversation,
) -> Result<ReplyEmail, StoreError> {
    if email.to.is_empty() {
        let address: Option<String> = ctx
            .tx
            .prepare_cached("SELECT email FROM contacts WHERE id = ?1")?
            .query_row([conversation.contact_id], |r| r.get(0))
            .optional()?
            .flatten();
        email.to = address.into_iter().collect();
    }
    if email.to.is_empty() {
        return Err(StoreError::Invalid(
            "the contact has no e-mail address: give the recipients in email.to".into(),
        ));
    }
    if email.subject.trim().is_empty() {
        email.subject = ReplyEmail::reply_subject(&conversation.subject);
    }
    Ok(email)
}

impl Store {
    /// Posts an agent's reply or internal note with the `files` it carries (checked by the
    /// caller); the same `client_id` twice adds it once.
    pub async fn post_message(
        &self,
        conversation_id: Id,
        agent_id: Id,
        new: NewMessage,
        files: Vec<Attachment>,
    ) -> Result<PostOutcome, StoreError> {
        if new.client_id.trim().is_empty() || new.client_id.len() > MAX_CLIENT_ID {
            return Err(StoreError::Invalid(format!(
                "client_id must be 1 to {MAX_CLIENT_ID} bytes"
            )));
        }
        if new.body.trim().is_empty() && files.is_empty() {
            return Err(StoreError::Invalid("body must not be empty".into()));
        }
        super::mentions::check(&new)?;
        self.write(move |ctx| post(ctx, conversation_id, agent_id, new, files))
            .await
    }

    /// The channel a reply on `conversation_id` leaves by: `channel_id`, or the
    /// conversation's own; `None` when that is no channel of this desk.
    pub async fn reply_channel(
        &self,
        conversation_id: Id,
        channel_id: Option<Id>,
    ) -> Result<Option<crate::api::ChannelWithSecret>, StoreError> {
        self.read(move |c| {
            let id = match channel_id {
                Some(id) => id,
                None => rows::conversation(c, conversation_id, 0)?.channel_id,
            };
            match super::channels::channel(c, id) {
                Ok(ch) => Ok(Some(ch)),
                Err(StoreError::NotFound(_)) => Ok(None),
                Err(e) => Err(e),
            }
        })
        .await
    }

    /// The message posted to `conversation_id` with `client_id`, if there is one.
    pub async fn message_by_client_id(
        &self,
        conversation_id: Id,
        client_id: String,
    ) -> Result<Option<Message>, StoreError> {
        self.read(move |c| {
            let id: Option<Id> = c
                .prepare_cached(
                    "SELECT id FROM messages WHERE conversation_id = ?1 AND client_id = ?2",
                )?
                .query_row((conversation_id, &client_id), |r| r.get(0))
                .optional()?;
            id.map(|id| rows::message(c, id)).transpose()
        })
        .await
    }

    /// What decides which channels reach a conversation's contact: the conversation, its
    /// contact, every channel not deleted, the contact's latest message per channel, and the
    /// conversation's thread key.
    pub async fn reply_targets(&self, conversation_id: Id) -> Result<ReplyTargets, StoreError> {
        self.read(move |c| {
            let conversation = rows::conversation(c, conversation_id, 0)?;
            let contact = rows::contact(c, conversation.contact_id)?;
            let sql = format!(
                "{} WHERE deleted_at IS NULL ORDER BY id",
                super::channels::CHANNEL_SELECT
            );
            let channels: Vec<crate::domain::Channel> = c
                .prepare_cached(&sql)?
                .query_map([], super::channels::channel_from_row)?
                .map(|r| r.map(|c| c.channel))
                .collect::<Result<_, _>>()?;
            let mut last_inbound = Vec::with_capacity(channels.len());
            for ch in &channels {
                last_inbound.push(graph::window::last_inbound(c, ch.id, contact.id)?);
            }
            let thread_key: Option<String> = c
                .prepare_cached("SELECT thread_key FROM conversations WHERE id = ?1")?
                .query_row([conversation_id], |r| r.get(0))?;
            Ok(ReplyTargets {
                conversation,
                contact,
                channels: channels.into_iter().zip(last_inbound).collect(),
                thread_key,
            })
        })
        .await
    }

    /// The name and media type an attachment at `url` was stored with (the first, when the
    /// same bytes came under several names).
    pub async fn attachment_by_url(
        &self,
        url: String,
    ) -> Result<Option<(String, Option<String>)>, StoreError> {
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT name, mime_type FROM attachments WHERE url = ?1 ORDER BY id LIMIT 1",
            )?
            .query_row([url], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
        })
        .await
    }

    /// A page of a conversation's history, oldest first.
    pub async fn messages(
        &self,
        conversation_id: Id,
        before: Option<Id>,
        limit: usize,
    ) -> Result<MessagePage, StoreError> {
        self.read(move |c| {
            rows::conversation(c, conversation_id, 0)?;
            page(c, conversation_id, before, limit)
        })
        .await
    }
}
