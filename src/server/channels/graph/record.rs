//! Writing what a webhook reported: customer messages (once each, with the window, consent
//! and the automatic replies of a new conversation) and receipts, in one transaction.

use super::Platform;
use super::events::{IncomingMessage, WebhookEvent};
use super::settings::{ConsentMode, GraphSettings};
use crate::api::{EventKind, InboundMessage};
use crate::domain::{Id, MessageKind, Timestamp};
use crate::server::store::messages::touch_conversation;
use crate::server::store::{Store, StoreError, WriteCtx, deliveries, inbound, rows};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

/// What a webhook changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    /// Ids of the customer messages stored.
    pub messages: Vec<Id>,
    /// Messages already stored by an earlier delivery of the same webhook.
    pub duplicates: usize,
    /// Receipts that matched a reply of this desk.
    pub receipts: usize,
    /// Receipts for messages this desk does not know (sent from elsewhere).
    pub unmatched_receipts: usize,
}

/// A customer message ready to store: the event and the inbound message it becomes.
pub type Ready = (IncomingMessage, InboundMessage);

/// Whether the platform message `platform_id` is already stored on `channel_id`.
pub fn seen(conn: &Connection, channel_id: Id, platform_id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM graph_inbound WHERE channel_id = ?1 AND platform_id = ?2")?
        .query_row((channel_id, platform_id), |_| Ok(()))
        .optional()?
        .is_some())
}

/// Stores `messages` and applies `receipts` for the channel of `settings`.
pub async fn record(
    store: &Store,
    platform: Platform,
    settings: GraphSettings,
    channel_name: String,
    messages: Vec<Ready>,
    receipts: Vec<WebhookEvent>,
) -> Result<Recorded, StoreError> {
    store
        .write(move |ctx| {
            let mut out = Recorded::default();
            for (incoming, msg) in messages {
                if seen(ctx.tx, settings.channel_id, &incoming.platform_id)? {
                    out.duplicates += 1;
                    continue;
                }
                out.messages.push(store_message(
                    ctx,
                    platform,
                    &settings,
                    &channel_name,
                    incoming,
                    msg,
                )?);
            }
            for event in receipts {
                apply_receipt(ctx, settings.channel_id, event, &mut out)?;
            }
            Ok(out)
        })
        .await
}

fn store_message(
    ctx: &mut WriteCtx<'_>,
    platform: Platform,
    settings: &GraphSettings,
    channel_name: &str,
    incoming: IncomingMessage,
    msg: InboundMessage,
) -> Result<Id, StoreError> {
    let channel_id = settings.channel_id;
    let outcome = inbound::ingest(ctx, channel_id, msg)?;
    let now = ctx.now();
    ctx.tx
        .prepare_cached(
            "INSERT INTO graph_inbound (channel_id, platform_id, message_id) VALUES (?1, ?2, ?3)",
        )?
        .execute((channel_id, &incoming.platform_id, outcome.message_id))?;
    let contact_id: Id = ctx
        .tx
        .prepare_cached("SELECT contact_id FROM conversations WHERE id = ?1")?
        .query_row([outcome.conversation_id], |r| r.get(0))?;
    // The platform's clock drives the window; a time from the future counts as now.
    let sent_at = if incoming.sent_at.millis() <= 0 {
        now
    } else {
        incoming.sent_at.min(now)
    };
    ctx.tx
        .prepare_cached(
            "INSERT INTO graph_contacts (channel_id, contact_id, last_inbound_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (channel_id, contact_id) \
             DO UPDATE SET last_inbound_at = MAX(last_inbound_at, excluded.last_inbound_at)",
        )?
        .execute((channel_id, contact_id, sent_at.millis()))?;
    if incoming.consent {
        set_consent(ctx, channel_id, contact_id, "given", now)?;
    }
    if outcome.new_conversation {
        automatic_replies(
            ctx,
            platform,
            settings,
            channel_name,
            outcome.conversation_id,
        )?;
        let consent = match settings.consent_mode {
            ConsentMode::Off => None,
            ConsentMode::Implicit => Some("implied"),
            ConsentMode::Explicit => Some("asked"),
        };
        if let Some(state) = consent
            && !incoming.consent
        {
            set_consent(ctx, channel_id, contact_id, state, now)?;
        }
    }
    Ok(outcome.message_id)
}

fn set_consent(
    ctx: &mut WriteCtx<'_>,
    channel_id: Id,
    contact_id: Id,
    state: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    ctx.tx
        .prepare_cached(
            "UPDATE graph_contacts SET consent = ?1, consent_at = ?2 \
             WHERE channel_id = ?3 AND contact_id = ?4",
        )?
        .execute((state, now.millis(), channel_id, contact_id))?;
    Ok(())
}

/// The greeting (WhatsApp; Messenger shows it on the welcome screen), the instant reply and
/// the consent text of a new conversation: real outbound messages from the desk itself,
/// queued for delivery like any reply.
fn automatic_replies(
    ctx: &mut WriteCtx<'_>,
    platform: Platform,
    settings: &GraphSettings,
    channel_name: &str,
    conversation_id: Id,
) -> Result<(), StoreError> {
    let consent = match settings.consent_mode {
        ConsentMode::Off => "",
        ConsentMode::Implicit | ConsentMode::Explicit => settings.consent_text.as_str(),
    };
    let greeting = match platform {
        Platform::Messenger => "",
        Platform::Whatsapp => settings.greeting.as_str(),
    };
    let parts = [
        ("greeting", greeting),
        ("instant_reply", settings.instant_reply.as_str()),
        ("consent", consent),
    ];
    for (purpose, body) in parts {
        if body.trim().is_empty() {
            continue;
        }
        ctx.tx
            .prepare_cached(
                "INSERT INTO messages (conversation_id, kind, sender_name, channel_id, body, \
                 client_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute((
                conversation_id,
                MessageKind::Outbound.as_str(),
                channel_name,
                settings.channel_id,
                body,
                format!("auto:{purpose}"),
                ctx.now().millis(),
            ))?;
        let message_id = ctx.tx.last_insert_rowid();
        ctx.tx
            .prepare_cached(
                "INSERT INTO graph_auto_messages (message_id, purpose) VALUES (?1, ?2)",
            )?
            .execute((message_id, purpose))?;
        deliveries::enqueue(ctx, message_id, settings.channel_id)?;
        let message = rows::message(ctx.tx, message_id)?;
        touch_conversation(ctx, conversation_id, &message)?;
        ctx.emit(EventKind::MessageCreated {
            conversation_id,
            message,
            conversation: rows::conversation(ctx.tx, conversation_id, 0)?,
        })?;
    }
    Ok(())
}

fn apply_receipt(
    ctx: &mut WriteCtx<'_>,
    channel_id: Id,
    event: WebhookEvent,
    out: &mut Recorded,
) -> Result<(), StoreError> {
    match event {
        WebhookEvent::Receipt {
            external_id,
            status,
            error,
        } => {
            let found: Option<Id> = ctx
                .tx
                .prepare_cached(
                    "SELECT message_id FROM deliveries WHERE channel_id = ?1 AND external_id = ?2",
                )?
                .query_row((channel_id, &external_id), |r| r.get(0))
                .optional()?;
            match found {
                Some(id) => {
                    deliveries::apply_status(ctx, id, status, error)?;
                    out.receipts += 1;
                }
                None => out.unmatched_receipts += 1,
            }
        }
        WebhookEvent::Watermark {
            customer,
            watermark,
            status,
        } => {
            let ids: Vec<Id> = ctx
                .tx
                .prepare_cached(
                    "SELECT d.message_id FROM deliveries d \
                     JOIN messages m ON m.id = d.message_id \
                     JOIN conversations c ON c.id = m.conversation_id \
                     JOIN contact_identities ci \
                       ON ci.channel_id = d.channel_id AND ci.contact_id = c.contact_id \
                     WHERE d.channel_id = ?1 AND ci.external_id = ?2 \
                       AND d.status IN ('sent', 'delivered') AND m.created_at <= ?3 \
                     ORDER BY d.message_id",
                )?
                .query_map((channel_id, &customer, watermark.millis()), |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for id in ids {
                let before = rows::message(ctx.tx, id)?.delivery.map(|d| d.status);
                let after = deliveries::apply_status(ctx, id, status, None)?
                    .delivery
                    .map(|d| d.status);
                if before != after {
                    out.receipts += 1;
                }
            }
        }
        WebhookEvent::Message(_) => {}
    }
    Ok(())
}

/// The consent state of a customer on a channel: `none`, `asked`, `given` or `implied`.
pub fn consent(conn: &Connection, channel_id: Id, contact_id: Id) -> Result<String, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT consent FROM graph_contacts WHERE channel_id = ?1 AND contact_id = ?2",
        )?
        .query_row((channel_id, contact_id), |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| "none".to_string()))
}
