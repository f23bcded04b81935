//! Delivery state of replies that leave through a channel: queued with the message, then
//! moved along by the delivery queue and by the channel's receipts.

use super::rows;
use super::{Store, StoreError, WriteCtx};
use crate::api::EventKind;
use crate::domain::{ChannelKind, DeliveryStatus, Id, Message};
use rusqlite::OptionalExtension;

/// Whether replies on a channel of `kind` leave through a transport. A chat reply reaches the
/// visitor's socket by itself; its transport only confirms there is a chat to reach. Forms
/// and calls have nobody to send to.
pub fn channel_sends(kind: ChannelKind, webhook_url: Option<&str>) -> bool {
    match kind {
        ChannelKind::Email | ChannelKind::Messenger | ChannelKind::Whatsapp | ChannelKind::Chat => {
            true
        }
        ChannelKind::Custom => webhook_url.is_some(),
        ChannelKind::Form | ChannelKind::Call => false,
    }
}

/// Queues `message_id` for delivery when its channel sends; in the message's transaction.
/// A reply on a channel that is turned off or deleted is refused, so nothing is stored.
pub fn enqueue(ctx: &mut WriteCtx<'_>, message_id: Id, channel_id: Id) -> Result<(), StoreError> {
    let (kind, webhook_url, enabled, deleted): (String, Option<String>, bool, bool) = ctx
        .tx
        .prepare_cached(
            "SELECT kind, webhook_url, enabled, deleted_at IS NOT NULL FROM channels WHERE id = ?1",
        )?
        .query_row([channel_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
    if deleted {
        return Err(StoreError::Gone(format!(
            "channel {channel_id} was deleted; reply on another channel"
        )));
    }
    if !enabled {
        return Err(StoreError::Conflict(format!(
            "channel {channel_id} is turned off; turn it on or reply on another channel"
        )));
    }
    let kind: ChannelKind = kind
        .parse()
        .map_err(|e: crate::domain::ParseEnumError| StoreError::Internal(e.to_string()))?;
    if channel_sends(kind, webhook_url.as_deref()) {
        let now = ctx.now().millis();
        ctx.tx
            .prepare_cached(
                "INSERT INTO deliveries (message_id, channel_id, status, next_attempt_at, updated_at) \
                 VALUES (?1, ?2, 'queued', ?3, ?3)",
            )?
            .execute((message_id, channel_id, now))?;
    }
    Ok(())
}

/// Moves a delivery to `status` if that is a step forward, and tells every client with a
/// `message.updated` event. Answers the message as it now stands.
pub fn apply_status(
    ctx: &mut WriteCtx<'_>,
    message_id: Id,
    status: DeliveryStatus,
    error: Option<String>,
) -> Result<Message, StoreError> {
    let current: Option<String> = ctx
        .tx
        .prepare_cached("SELECT status FROM deliveries WHERE message_id = ?1")?
        .query_row([message_id], |r| r.get(0))
        .optional()?;
    let current: DeliveryStatus = current
        .ok_or_else(|| StoreError::NotFound(format!("delivery of message {message_id}")))?
        .parse()
        .map_err(|e: crate::domain::ParseEnumError| StoreError::Internal(e.to_string()))?;
    if current.may_become(status) {
        ctx.tx
            .prepare_cached(
                "UPDATE deliveries SET status = ?1, error = ?2, updated_at = ?3, \
                 next_attempt_at = NULL WHERE message_id = ?4",
            )?
            .execute((status.as_str(), error, ctx.now().millis(), message_id))?;
        let message = rows::message(ctx.tx, message_id)?;
        ctx.emit(EventKind::MessageUpdated {
            message: message.clone(),
        })?;
        return Ok(message);
    }
    rows::message(ctx.tx, message_id)
}

impl Store {
    /// Applies a channel's receipt for the message it knows as `external_id`. Receipts only
    /// move a delivery forward; an older or repeated one changes nothing.
    pub async fn delivery_receipt(
        &self,
        channel_id: Id,
        external_id: String,
        status: DeliveryStatus,
        error: Option<String>,
    ) -> Result<Message, StoreError> {
        self.write(move |ctx| {
            let message_id: Id = ctx
                .tx
                .prepare_cached(
                    "SELECT message_id FROM deliveries WHERE channel_id = ?1 AND external_id = ?2",
                )?
                .query_row((channel_id, &external_id), |r| r.get(0))
                .optional()?
                .ok_or_else(|| {
                    StoreError::NotFound(format!(
                        "message {external_id:?} sent through channel {channel_id}"
                    ))
                })?;
            apply_status(ctx, message_id, status, error)
        })
        .await
    }
}
