//! The delivery queue's side of the store: claim the replies that are due, read what a
//! transport needs, record how an attempt went. Each is a short write or read of its own, so
//! no transaction is ever held across network I/O.

use super::deliveries::apply_status;
use super::{Store, StoreError, channels, rows};
use crate::api::EventKind;
use crate::domain::{DeliveryStatus, Id, Timestamp};
use crate::server::delivery::Outgoing;
use rusqlite::OptionalExtension;
use std::time::Duration;

/// The queued replies that may be attempted now: those of channels that are on, with no
/// earlier reply still queued (waiting or in flight) on the same channel for the same
/// conversation or the same customer. Replies thus leave in order per conversation and per
/// recipient; one that ends failed lets the next go.
const READY: &str = "FROM deliveries d \
     JOIN channels c ON c.id = d.channel_id \
     JOIN messages m ON m.id = d.message_id \
     JOIN conversations cv ON cv.id = m.conversation_id \
     WHERE d.next_attempt_at IS NOT NULL AND d.status = 'queued' \
     AND c.enabled = 1 AND c.deleted_at IS NULL \
     AND NOT EXISTS (SELECT 1 FROM deliveries e \
         JOIN messages em ON em.id = e.message_id \
         JOIN conversations ec ON ec.id = em.conversation_id \
         WHERE e.next_attempt_at IS NOT NULL AND e.status = 'queued' \
         AND e.channel_id = d.channel_id AND e.message_id < d.message_id \
         AND (em.conversation_id = m.conversation_id OR ec.contact_id = cv.contact_id))";

/// How one delivery attempt ended, as the queue records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The channel took the reply; its own id for it, when it gave one.
    Sent { external_id: Option<String> },
    /// Not this time: try again at `at`; `error` is shown to the agent meanwhile.
    Retry { error: String, at: Timestamp },
    /// Given up: the reply is marked failed with `error`.
    Failed { error: String },
}

/// A delivery claimed for one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claimed {
    pub message_id: Id,
    /// Attempts made before this one since the reply was queued or last retried by hand.
    pub attempts: u32,
}

impl Store {
    /// Claims up to `limit` queued replies that are due and ready (see [`READY`]), and leases
    /// them for `lease` so that no other worker on this desk takes them meanwhile.
    pub async fn claim_due_deliveries(
        &self,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<Claimed>, StoreError> {
        self.write(move |ctx| {
            let now = ctx.now().millis();
            let claimed: Vec<Claimed> = ctx
                .tx
                .prepare_cached(&format!(
                    "SELECT d.message_id, d.attempts - d.attempts_before {READY} AND d.next_attempt_at <= ?1 \
                     ORDER BY d.next_attempt_at, d.message_id LIMIT ?2"
                ))?
                .query_map((now, limit as i64), |r| {
                    Ok(Claimed {
                        message_id: r.get(0)?,
                        attempts: r.get(1)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            let until = now + lease.as_millis() as i64;
            for c in &claimed {
                ctx.tx
                    .prepare_cached(
                        "UPDATE deliveries SET next_attempt_at = ?1, claimed_at = ?2 \
                         WHERE message_id = ?3",
                    )?
                    .execute((until, now, c.message_id))?;
            }
            Ok(claimed)
        })
        .await
    }

    /// Hands claimed deliveries back at once (the worker is stopping mid-attempt).
    pub async fn release_deliveries(&self, message_ids: Vec<Id>) -> Result<(), StoreError> {
        self.write(move |ctx| {
            for id in message_ids {
                ctx.tx
                    .prepare_cached(
                        "UPDATE deliveries SET next_attempt_at = ?1, claimed_at = NULL \
                         WHERE message_id = ?2 AND status = 'queued'",
                    )?
                    .execute((ctx.now().millis(), id))?;
            }
            Ok(())
        })
        .await
    }

    /// Makes every reply still claimed by an earlier process (killed mid-attempt) due at
    /// once; answers how many. The integration may get such a reply twice: it carries the
    /// same idempotency key both times.
    pub async fn reclaim_abandoned_deliveries(&self) -> Result<usize, StoreError> {
        self.write(|ctx| {
            Ok(ctx
                .tx
                .prepare_cached(
                    "UPDATE deliveries SET next_attempt_at = ?1, claimed_at = NULL \
                     WHERE claimed_at IS NOT NULL AND status = 'queued'",
                )?
                .execute([ctx.now().millis()])?)
        })
        .await
    }

    /// When the next ready reply (see [`READY`]) falls due, if any is waiting.
    pub async fn next_delivery_due(&self) -> Result<Option<Timestamp>, StoreError> {
        self.read(|c| {
            Ok(c.prepare_cached(&format!(
                "SELECT d.next_attempt_at {READY} ORDER BY d.next_attempt_at LIMIT 1"
            ))?
            .query_row([], |r| r.get::<_, i64>(0))
            .optional()?
            .map(Timestamp))
        })
        .await
    }

    /// Everything a transport needs to send the reply `message_id`; `attempt` counts from 1.
    pub async fn outgoing(&self, message_id: Id, attempt: u32) -> Result<Outgoing, StoreError> {
        self.read(move |c| {
            let message = rows::message(c, message_id)?;
            let conversation = rows::conversation(c, message.conversation_id, 0)?;
            let channel = channels::channel(c, message.channel_id)?;
            let contact = rows::contact(c, conversation.contact_id)?;
            let agent = match message.sender.id {
                Some(id) if message.sender.kind == crate::domain::SenderKind::Agent => {
                    Some(rows::agent(c, id)?)
                }
                _ => None,
            };
            Ok(Outgoing {
                message,
                conversation,
                channel,
                contact,
                agent,
                attempt,
            })
        })
        .await
    }

    /// Records how an attempt on `message_id` ended, and tells every client with
    /// `message.updated`. A delivery that moved on meanwhile (a receipt, a deleted channel)
    /// is left as it is.
    pub async fn record_attempt(
        &self,
        message_id: Id,
        outcome: AttemptOutcome,
    ) -> Result<(), StoreError> {
        self.write(move |ctx| {
            let counted = ctx
                .tx
                .prepare_cached(
                    "UPDATE deliveries SET attempts = attempts + 1, claimed_at = NULL \
                     WHERE message_id = ?1 AND status = 'queued'",
                )?
                .execute([message_id])?;
            if counted == 0 {
                return Ok(());
            }
            match outcome {
                AttemptOutcome::Sent { external_id } => {
                    if let Some(external_id) = external_id {
                        remember_external_id(ctx.tx, message_id, &external_id)?;
                    }
                    apply_status(ctx, message_id, DeliveryStatus::Sent, None)?;
                }
                AttemptOutcome::Retry { error, at } => {
                    ctx.tx
                        .prepare_cached(
                            "UPDATE deliveries SET next_attempt_at = ?1, error = ?2, \
                             updated_at = ?3 WHERE message_id = ?4",
                        )?
                        .execute((at.millis(), error, ctx.now().millis(), message_id))?;
                    let message = rows::message(ctx.tx, message_id)?;
                    ctx.emit(EventKind::MessageUpdated { message })?;
                }
                AttemptOutcome::Failed { error } => {
                    apply_status(ctx, message_id, DeliveryStatus::Failed, Some(error))?;
                }
            }
            Ok(())
        })
        .await
    }
}

/// Keeps the channel's id of a sent reply, to match its receipts; an id the channel already
/// gave another reply is not kept (receipts for it could not tell the two apart).
fn remember_external_id(
    tx: &rusqlite::Transaction<'_>,
    message_id: Id,
    external_id: &str,
) -> Result<(), StoreError> {
    let taken: Option<Id> = tx
        .prepare_cached(
            "SELECT other.message_id FROM deliveries d JOIN deliveries other \
             ON other.channel_id = d.channel_id AND other.external_id = ?2 \
             WHERE d.message_id = ?1",
        )?
        .query_row((message_id, external_id), |r| r.get(0))
        .optional()?;
    match taken {
        Some(other) if other != message_id => {
            tracing::warn!(
                message_id,
                other,
                external_id,
                "external id reused by the channel"
            );
        }
        _ => {
            tx.prepare_cached("UPDATE deliveries SET external_id = ?1 WHERE message_id = ?2")?
                .execute((external_id, message_id))?;
        }
    }
    Ok(())
}

impl Store {
    /// Applies an integration's report on its channel's reply `message_id`: moves the
    /// delivery forward (never back) and tells every client. A message that did not leave
    /// through `channel_id` is not found.
    pub async fn report_delivery(
        &self,
        channel_id: Id,
        message_id: Id,
        status: DeliveryStatus,
        error: Option<String>,
    ) -> Result<crate::domain::Message, StoreError> {
        self.write(move |ctx| {
            let through: Option<Id> = ctx
                .tx
                .prepare_cached("SELECT channel_id FROM deliveries WHERE message_id = ?1")?
                .query_row([message_id], |r| r.get(0))
                .optional()?;
            if through != Some(channel_id) {
                return Err(StoreError::NotFound(format!(
                    "reply {message_id} sent through channel {channel_id}"
                )));
            }
            apply_status(ctx, message_id, status, error)
        })
        .await
    }
}
