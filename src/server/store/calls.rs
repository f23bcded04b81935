//! Logging a phone call: find the customer (by phone, then email; created when unknown), the
//! conversation (the given one, else their most recent open one on any channel, else a new
//! one on the call channel), and add the call as a message there.

use super::messages::touch_conversation;
use super::routing::{Opening, on_conversation_opened};
use super::{Store, StoreError, WriteCtx, conversations, rows};
use crate::api::{CallLogged, EventKind, NewCall};
use crate::domain::{
    Call, CallDirection, ChannelKind, Id, MessageKind, Priority, Status, Timestamp,
};
use crate::server::channels::calls::{self as call_channel, phone_digits};
use rusqlite::OptionalExtension;

/// The digits of `contacts.phone`, as indexed by `contacts_phone_digits`: the same
/// characters dropped as `phone_digits` drops.
const PHONE_DIGITS: &str = "replace(replace(replace(replace(replace(replace(phone, ' ', ''), \
     '-', ''), '.', ''), '(', ''), ')', ''), '+', '')";

/// The call logged before with this `client_id`, if any.
fn earlier(
    ctx: &WriteCtx<'_>,
    channel_id: Id,
    client_id: &str,
) -> Result<Option<CallLogged>, StoreError> {
    let found: Option<Id> = ctx
        .tx
        .prepare_cached("SELECT message_id FROM calls WHERE channel_id = ?1 AND client_id = ?2")?
        .query_row((channel_id, client_id), |r| r.get(0))
        .optional()?;
    let Some(message_id) = found else {
        return Ok(None);
    };
    let message = rows::message(ctx.tx, message_id)?;
    let conversation = rows::conversation(ctx.tx, message.conversation_id, 0)?;
    Ok(Some(CallLogged {
        conversation_id: conversation.id,
        contact_id: conversation.contact_id,
        message,
        new_conversation: false,
        new_contact: false,
    }))
}

/// Checks the channel is an enabled call channel.
fn require_call_channel(ctx: &WriteCtx<'_>, channel_id: Id) -> Result<(), StoreError> {
    let found: Option<(String, bool)> = ctx
        .tx
        .prepare_cached("SELECT kind, enabled FROM channels WHERE id = ?1")?
        .query_row([channel_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match found {
        None => Err(StoreError::Invalid(format!(
            "channel_id {channel_id} is not a channel of this desk"
        ))),
        Some((kind, _)) if kind != ChannelKind::Call.as_str() => Err(StoreError::Invalid(format!(
            "channel_id {channel_id} is a {kind} channel; calls are logged on a channel of kind call"
        ))),
        Some((_, false)) => Err(StoreError::Conflict(format!(
            "channel {channel_id} is turned off and logs no calls"
        ))),
        Some(_) => Ok(()),
    }
}

/// Finds the customer by this channel's phone identity, any contact's phone, then email;
/// creates them otherwise. Records the phone as the contact's identity on the call channel.
fn find_or_create_contact(
    ctx: &mut WriteCtx<'_>,
    channel_id: Id,
    new: &NewCall,
) -> Result<(Id, bool), StoreError> {
    let given = new.contact.clone().unwrap_or_default();
    let phone = given
        .phone
        .clone()
        .unwrap_or_else(|| call_channel::customer_number(new).to_string());
    let digits = phone_digits(&phone);
    if digits.is_none() && given.email.is_none() {
        return Err(StoreError::Invalid(format!(
            "the customer's number {phone:?} is not a phone number; name the customer with \
             contact.phone, contact.email, contact_id or conversation_id"
        )));
    }
    let mut found: Option<Id> = None;
    if let Some(d) = &digits {
        found = ctx
            .tx
            .prepare_cached(
                "SELECT contact_id FROM contact_identities WHERE channel_id = ?1 AND external_id = ?2",
            )?
            .query_row((channel_id, d), |r| r.get(0))
            .optional()?;
        if found.is_none() {
            let sql = format!(
                "SELECT id FROM contacts WHERE phone IS NOT NULL AND {PHONE_DIGITS} = ?1 \
                 ORDER BY id LIMIT 1"
            );
            found = ctx
                .tx
                .prepare_cached(&sql)?
                .query_row([d], |r| r.get(0))
                .optional()?;
        }
    }
    if found.is_none()
        && let Some(email) = &given.email
    {
        found = ctx
            .tx
            .prepare_cached("SELECT id FROM contacts WHERE email = ?1 ORDER BY id LIMIT 1")?
            .query_row([email], |r| r.get(0))
            .optional()?;
    }
    let phone = digits.is_some().then_some(phone);
    let (contact_id, created, mut changed) = match found {
        Some(id) => {
            // A contact known by email only learns the number they called from.
            let learned = ctx
                .tx
                .prepare_cached("UPDATE contacts SET phone = ?1 WHERE id = ?2 AND phone IS NULL")?
                .execute((&phone, id))?;
            (id, false, phone.is_some() && learned > 0)
        }
        None => {
            let name = super::names::first_contact_name(
                [
                    given.name.as_deref(),
                    phone.as_deref(),
                    given.email.as_deref(),
                ]
                .into_iter()
                .flatten(),
            );
            ctx.tx
                .prepare_cached(
                    "INSERT INTO contacts (name, email, phone, created_at) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute((name, &given.email, &phone, ctx.now().millis()))?;
            (ctx.tx.last_insert_rowid(), true, false)
        }
    };
    if let Some(d) = &digits {
        changed |= ctx
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO contact_identities (channel_id, external_id, contact_id) \
                 VALUES (?1, ?2, ?3)",
            )?
            .execute((channel_id, d, contact_id))?
            > 0;
    }
    if created || changed {
        let contact = rows::contact(ctx.tx, contact_id)?;
        ctx.emit(if created {
            EventKind::ContactCreated { contact }
        } else {
            EventKind::ContactUpdated { contact }
        })?;
    }
    Ok((contact_id, created))
}

/// Who the call is with and where it goes: `(contact, existing conversation, new contact)`.
fn resolve(ctx: &mut WriteCtx<'_>, new: &NewCall) -> Result<(Id, Option<Id>, bool), StoreError> {
    if let Some(id) = new.conversation_id {
        let conversation = rows::conversation(ctx.tx, id, 0).map_err(|_| {
            StoreError::Invalid(format!(
                "conversation_id {id} is not a conversation of this desk"
            ))
        })?;
        if let Some(contact_id) = new.contact_id
            && contact_id != conversation.contact_id
        {
            return Err(StoreError::Invalid(format!(
                "conversation {id} is with contact {}, not contact_id {contact_id}",
                conversation.contact_id
            )));
        }
        return Ok((conversation.contact_id, Some(id), false));
    }
    let (contact_id, new_contact) = match new.contact_id {
        Some(id) => {
            rows::contact(ctx.tx, id).map_err(|_| {
                StoreError::Invalid(format!("contact_id {id} is not a contact of this desk"))
            })?;
            (id, false)
        }
        None => find_or_create_contact(ctx, new.channel_id, new)?,
    };
    let open: Option<Id> = ctx
        .tx
        .prepare_cached(
            "SELECT id FROM conversations WHERE contact_id = ?1 AND status != 'closed' \
             ORDER BY last_message_at DESC, id DESC LIMIT 1",
        )?
        .query_row([contact_id], |r| r.get(0))
        .optional()?;
    Ok((contact_id, open, new_contact))
}

/// Logs a call; answers whether it was new (`false`: an earlier call with its `client_id`).
fn log(
    ctx: &mut WriteCtx<'_>,
    agent_id: Id,
    new: NewCall,
) -> Result<(CallLogged, bool), StoreError> {
    if let Some(client_id) = &new.client_id
        && let Some(logged) = earlier(ctx, new.channel_id, client_id)?
    {
        return Ok((logged, false));
    }
    require_call_channel(ctx, new.channel_id)?;
    let agent = rows::agent(ctx.tx, agent_id)?;
    let now = ctx.now();
    let call = Call {
        direction: new.direction,
        from: new.from.clone(),
        to: new.to.clone(),
        duration_seconds: new.duration_seconds,
        recording_url: new.recording_url.clone(),
        notes: new.notes.clone(),
        started_at: new
            .started_at
            .unwrap_or(Timestamp(now.millis() - new.duration_seconds * 1000)),
    };
    let (contact_id, existing, new_contact) = resolve(ctx, &new)?;
    let conversation_id = match existing {
        Some(id) => id,
        None => {
            ctx.tx
                .prepare_cached(
                    "INSERT INTO conversations (subject, status, priority, channel_id, channel_kind, \
                     contact_id, created_at, updated_at, last_message_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?7)",
                )?
                .execute((
                    call_channel::subject(&call),
                    Status::New.as_str(),
                    Priority::Medium.as_str(),
                    new.channel_id,
                    ChannelKind::Call.as_str(),
                    contact_id,
                    now.millis(),
                ))?;
            let id = ctx.tx.last_insert_rowid();
            let opening = match call.direction {
                CallDirection::Inbound => Opening::Routed,
                CallDirection::Outbound => Opening::PresetsOnly,
            };
            on_conversation_opened(ctx, id, opening)?;
            id
        }
    };
    let (kind, sender_agent, sender_contact, sender_name) = match call.direction {
        CallDirection::Inbound => (
            MessageKind::Inbound,
            None,
            Some(contact_id),
            rows::contact(ctx.tx, contact_id)?.name,
        ),
        CallDirection::Outbound => (MessageKind::Outbound, Some(agent_id), None, agent.name),
    };
    ctx.tx
        .prepare_cached(
            "INSERT INTO messages (conversation_id, kind, sender_agent_id, sender_contact_id, \
             sender_name, channel_id, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute((
            conversation_id,
            kind.as_str(),
            sender_agent,
            sender_contact,
            sender_name,
            new.channel_id,
            call_channel::body(&call),
            now.millis(),
        ))?;
    let message_id = ctx.tx.last_insert_rowid();
    ctx.tx
        .prepare_cached(
            "INSERT INTO calls (message_id, conversation_id, channel_id, direction, from_number, \
             to_number, duration_seconds, recording_url, notes, started_at, client_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute((
            message_id,
            conversation_id,
            new.channel_id,
            call.direction.as_str(),
            &call.from,
            &call.to,
            call.duration_seconds,
            &call.recording_url,
            &call.notes,
            call.started_at.millis(),
            &new.client_id,
        ))?;
    let message = rows::message(ctx.tx, message_id)?;
    touch_conversation(ctx, conversation_id, &message)?;
    match (call.direction, existing.is_some()) {
        // The customer reached out: the ball is with the team again, and a snooze ends.
        (CallDirection::Inbound, true) => {
            ctx.tx
                .prepare_cached(
                    "UPDATE conversations SET snoozed_until = NULL, \
                     status = CASE WHEN status IN ('waiting_on_contact', 'closed') \
                              THEN 'waiting_on_us' ELSE status END \
                     WHERE id = ?1",
                )?
                .execute([conversation_id])?;
        }
        (CallDirection::Inbound, false) => {}
        // Whoever calls a customer about an unassigned ticket takes it, as a reply would.
        (CallDirection::Outbound, _) => {
            ctx.tx
                .prepare_cached(
                    "UPDATE conversations SET owner_id = ?1 WHERE id = ?2 AND owner_id IS NULL",
                )?
                .execute((agent_id, conversation_id))?;
        }
    }
    conversations::mark_read(ctx, conversation_id, agent_id)?;
    let conversation = rows::conversation(ctx.tx, conversation_id, 0)?;
    if existing.is_none() {
        ctx.emit(EventKind::ConversationCreated {
            conversation: conversation.clone(),
        })?;
    }
    ctx.emit(EventKind::MessageCreated {
        conversation_id,
        message: message.clone(),
        conversation,
    })?;
    Ok((
        CallLogged {
            conversation_id,
            contact_id,
            message,
            new_conversation: existing.is_none(),
            new_contact,
        },
        true,
    ))
}

impl Store {
    /// Logs a call `agent_id` reports (validated by `channels::calls::validate`); answers
    /// whether it is new, or the earlier call with the same `client_id`.
    pub async fn log_call(
        &self,
        agent_id: Id,
        new: NewCall,
    ) -> Result<(CallLogged, bool), StoreError> {
        self.write(move |ctx| log(ctx, agent_id, new)).await
    }
}
