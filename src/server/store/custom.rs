//! Custom channels: inbound messages with their channel account, and what replies need to
//! address the integration's thread.

use super::channels::account;
use super::inbound::{self, InboundOutcome};
use super::{Store, StoreError};
use crate::api::{ChannelAccount, InboundMessage};
use crate::domain::Id;
use rusqlite::OptionalExtension;

/// How the integration addresses a conversation of its channel.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomThread {
    /// The thread id of the latest inbound message.
    pub thread_id: String,
    /// The sender identity of the latest inbound message: where replies go.
    pub sender_id: String,
    /// The channel account the conversation runs through.
    pub account: Option<ChannelAccount>,
}

impl Store {
    /// Stores a customer's message from a custom channel, through `account_id` when given,
    /// and remembers how to address the thread; all in one transaction.
    pub async fn ingest_custom(
        &self,
        channel_id: Id,
        msg: InboundMessage,
        account_id: Option<Id>,
    ) -> Result<InboundOutcome, StoreError> {
        inbound::validate(&msg)?;
        self.write(move |ctx| {
            if let Some(id) = account_id {
                let owner: Option<Id> = ctx
                    .tx
                    .prepare_cached("SELECT channel_id FROM channel_accounts WHERE id = ?1")?
                    .query_row([id], |r| r.get(0))
                    .optional()?;
                if owner != Some(channel_id) {
                    return Err(StoreError::Invalid(format!(
                        "account_id {id} is not an account of channel {channel_id}; \
                         create it with POST /api/v1/channels/{channel_id}/accounts"
                    )));
                }
            }
            let (thread_id, sender_id) = (msg.thread_id.clone(), msg.sender.id.clone());
            let outcome = inbound::ingest(ctx, channel_id, msg)?;
            ctx.tx
                .prepare_cached(
                    "INSERT INTO custom_threads (conversation_id, thread_id, sender_id, account_id) \
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (conversation_id) DO UPDATE SET \
                     thread_id = excluded.thread_id, sender_id = excluded.sender_id, \
                     account_id = coalesce(excluded.account_id, account_id)",
                )?
                .execute((outcome.conversation_id, thread_id, sender_id, account_id))?;
            Ok(outcome)
        })
        .await
    }

    /// How the integration addresses `conversation_id`; `None` when it never wrote into it.
    pub async fn custom_thread(
        &self,
        conversation_id: Id,
    ) -> Result<Option<CustomThread>, StoreError> {
        self.read(move |c| {
            let row: Option<(String, String, Option<Id>)> = c
                .prepare_cached(
                    "SELECT thread_id, sender_id, account_id FROM custom_threads \
                     WHERE conversation_id = ?1",
                )?
                .query_row([conversation_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let Some((thread_id, sender_id, account_id)) = row else {
                return Ok(None);
            };
            Ok(Some(CustomThread {
                thread_id,
                sender_id,
                account: account_id.map(|id| account(c, id)).transpose()?,
            }))
        })
        .await
    }
}
