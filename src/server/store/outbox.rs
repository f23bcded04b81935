//! The outbox: replies waiting to leave or given up, and what an agent may do about a
//! failed one (try it again, or discard it).

use super::{Store, StoreError, WriteCtx, rows};
use crate::api::{EventKind, OutboxItem, OutboxPage, OutboxState};
use crate::domain::{DeliveryStatus, Id, Message};
use rusqlite::OptionalExtension;

/// How a reply's delivery stands, as an agent's action on it needs to know.
struct Standing {
    status: DeliveryStatus,
    claimed: bool,
    discarded: bool,
}

/// The delivery of reply `message_id` in `conversation_id`; 404 when the message is not in
/// that conversation, 409 when it has no delivery (a note, an inbound message).
fn standing(
    ctx: &WriteCtx<'_>,
    conversation_id: Id,
    message_id: Id,
) -> Result<Standing, StoreError> {
    let row: Option<(Option<String>, bool, bool)> = ctx
        .tx
        .prepare_cached(
            "SELECT d.status, d.claimed_at IS NOT NULL, d.discarded_at IS NOT NULL \
             FROM messages m LEFT JOIN deliveries d ON d.message_id = m.id \
             WHERE m.id = ?1 AND m.conversation_id = ?2",
        )?
        .query_row((message_id, conversation_id), |r| {
            let flag = |i| r.get::<_, Option<bool>>(i).map(Option::unwrap_or_default);
            Ok((r.get(0)?, flag(1)?, flag(2)?))
        })
        .optional()?;
    let (status, claimed, discarded) = row.ok_or_else(|| {
        StoreError::NotFound(format!(
            "message {message_id} in conversation {conversation_id}"
        ))
    })?;
    let status = status
        .ok_or_else(|| {
            StoreError::Conflict(format!(
                "message {message_id} is not a reply that leaves through a channel"
            ))
        })?
        .parse()
        .map_err(|e: crate::domain::ParseEnumError| StoreError::Internal(e.to_string()))?;
    Ok(Standing {
        status,
        claimed,
        discarded,
    })
}

fn updated(ctx: &mut WriteCtx<'_>, message_id: Id) -> Result<Message, StoreError> {
    let message = rows::message(ctx.tx, message_id)?;
    ctx.emit(EventKind::MessageUpdated {
        message: message.clone(),
    })?;
    Ok(message)
}

impl Store {
    /// Queues a failed reply for a new round of attempts, due now. It keeps its id, so the
    /// channel sees the same idempotency key. Only a failed, not discarded reply may be
    /// retried.
    pub async fn retry_delivery(
        &self,
        conversation_id: Id,
        message_id: Id,
    ) -> Result<Message, StoreError> {
        self.write(move |ctx| {
            let s = standing(ctx, conversation_id, message_id)?;
            if s.discarded {
                return Err(StoreError::Conflict(format!(
                    "reply {message_id} was discarded; it is never sent again"
                )));
            }
            if s.status != DeliveryStatus::Failed {
                return Err(StoreError::Conflict(format!(
                    "reply {message_id} is {}, not failed; only a failed reply is retried",
                    s.status.as_str()
                )));
            }
            ctx.tx
                .prepare_cached(
                    "UPDATE deliveries SET status = 'queued', error = NULL, next_attempt_at = ?1, \
                     claimed_at = NULL, attempts_before = attempts, updated_at = ?1 \
                     WHERE message_id = ?2",
                )?
                .execute((ctx.now().millis(), message_id))?;
            updated(ctx, message_id)
        })
        .await
    }

    /// Discards a reply that failed or still waits: it stays in the thread, marked
    /// discarded, and is never attempted again. Discarding twice changes nothing; a reply
    /// already sent, or in the middle of an attempt, is not discarded.
    pub async fn discard_delivery(
        &self,
        conversation_id: Id,
        message_id: Id,
    ) -> Result<Message, StoreError> {
        self.write(move |ctx| {
            let s = standing(ctx, conversation_id, message_id)?;
            if s.discarded {
                return rows::message(ctx.tx, message_id);
            }
            match s.status {
                DeliveryStatus::Failed => {}
                DeliveryStatus::Queued if !s.claimed => {}
                DeliveryStatus::Queued => {
                    return Err(StoreError::Conflict(format!(
                        "reply {message_id} is being sent right now; discard it if that fails"
                    )));
                }
                other => {
                    return Err(StoreError::Conflict(format!(
                        "reply {message_id} was already {}",
                        other.as_str()
                    )));
                }
            }
            ctx.tx
                .prepare_cached(
                    "UPDATE deliveries SET status = 'failed', \
                     error = coalesce(error, 'discarded before it was sent'), \
                     next_attempt_at = NULL, discarded_at = ?1, updated_at = ?1 \
                     WHERE message_id = ?2",
                )?
                .execute((ctx.now().millis(), message_id))?;
            updated(ctx, message_id)
        })
        .await
    }

    /// The desk's replies that are queued, being sent, waiting to be retried or failed (and
    /// not discarded), newest first, with ids below `before`.
    pub async fn outbox(&self, before: Option<Id>, limit: usize) -> Result<OutboxPage, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT m.id, cv.subject, ct.name, d.status, d.claimed_at IS NOT NULL, \
                 d.attempts > d.attempts_before \
                 FROM deliveries d JOIN messages m ON m.id = d.message_id \
                 JOIN conversations cv ON cv.id = m.conversation_id \
                 JOIN contacts ct ON ct.id = cv.contact_id \
                 WHERE d.discarded_at IS NULL AND d.status IN ('queued', 'failed') \
                 AND d.message_id < ?1 ORDER BY d.message_id DESC LIMIT ?2",
            )?;
            let rows = stmt
                .query_map((before.unwrap_or(Id::MAX), limit as i64 + 1), |r| {
                    let state = match (r.get::<_, String>(3)?.as_str(), r.get(4)?, r.get(5)?) {
                        ("failed", _, _) => OutboxState::Failed,
                        (_, true, _) => OutboxState::Sending,
                        (_, false, true) => OutboxState::Retrying,
                        _ => OutboxState::Queued,
                    };
                    Ok((r.get::<_, Id>(0)?, r.get(1)?, r.get(2)?, state))
                })?
                .collect::<Result<Vec<(Id, String, String, OutboxState)>, _>>()?;
            let has_more = rows.len() > limit;
            let items = rows
                .into_iter()
                .take(limit)
                .map(|(id, conversation_subject, contact_name, state)| {
                    Ok(OutboxItem {
                        state,
                        message: rows::message(c, id)?,
                        conversation_subject,
                        contact_name,
                    })
                })
                .collect::<Result<_, StoreError>>()?;
            Ok(OutboxPage { items, has_more })
        })
        .await
    }
}
