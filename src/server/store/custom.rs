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

/// Longest integration message id kept, in bytes.
pub const MAX_MESSAGE_ID: usize = 256;

/// What a custom channel's inbound message did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomIngest {
    /// Stored as a new message.
    Stored(InboundOutcome),
    /// Its `message_id` was stored before: nothing was written; the message stored then.
    Replay { conversation_id: Id, message_id: Id },
}

impl Store {
    /// Stores a customer's message from a custom channel, through `account_id` when given,
    /// and remembers how to address the thread; all in one transaction. A `message_id` the
    /// channel already stored answers the first message and writes nothing.
    pub async fn ingest_custom(
        &self,
        channel_id: Id,
        msg: InboundMessage,
        account_id: Option<Id>,
        message_id: Option<String>,
    ) -> Result<CustomIngest, StoreError> {
        inbound::validate(&msg)?;
        if message_id
            .as_ref()
            .is_some_and(|id| id.trim().is_empty() || id.len() > MAX_MESSAGE_ID)
        {
            return Err(StoreError::Invalid(format!(
                "message_id must be 1 to {MAX_MESSAGE_ID} bytes"
            )));
        }
        self.write(move |ctx| {
            if let Some(external) = &message_id {
                let stored: Option<(Id, Id)> = ctx
                    .tx
                    .prepare_cached(
                        "SELECT m.conversation_id, m.id FROM custom_message_ids x \
                         JOIN messages m ON m.id = x.message_id \
                         WHERE x.channel_id = ?1 AND x.external_id = ?2",
                    )?
                    .query_row((channel_id, external), |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                if let Some((conversation_id, message_id)) = stored {
                    return Ok(CustomIngest::Replay {
                        conversation_id,
                        message_id,
                    });
                }
            }
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
            if let Some(external) = message_id {
                ctx.tx
                    .prepare_cached(
                        "INSERT INTO custom_message_ids (channel_id, external_id, message_id) \
                         VALUES (?1, ?2, ?3)",
                    )?
                    .execute((channel_id, external, outcome.message_id))?;
            }
            Ok(CustomIngest::Stored(outcome))
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
