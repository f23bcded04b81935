//! Mentions of agents in internal notes: each mentioned agent alone hears `mention.created`,
//! and `mention.seen` once they read the conversation.

use super::{Store, StoreError, WriteCtx, rows};
use crate::api::{EventKind, MAX_MENTIONS, MentionSummary, NewMessage};
use crate::domain::{Conversation, Id, Message};
use rusqlite::OptionalExtension;

/// What a new message's mentions may be, before anything is written.
pub fn check(new: &NewMessage) -> Result<(), StoreError> {
    if new.mentions.is_empty() {
        return Ok(());
    }
    if !new.internal {
        return Err(StoreError::Invalid(
            "mentions are for internal notes only; set internal to true".into(),
        ));
    }
    if new.mentions.len() > MAX_MENTIONS {
        return Err(StoreError::Invalid(format!(
            "a note mentions at most {MAX_MENTIONS} agents"
        )));
    }
    Ok(())
}

/// Stores the mentions of the note `message` and tells each mentioned agent, alone. An
/// agent that does not exist or is deactivated refuses the whole note.
pub fn record(
    ctx: &mut WriteCtx<'_>,
    message: &Message,
    conversation: &Conversation,
    mentions: &[Id],
) -> Result<(), StoreError> {
    let mut agents = mentions.to_vec();
    agents.sort_unstable();
    agents.dedup();
    for agent_id in agents {
        let active: Option<bool> = ctx
            .tx
            .prepare_cached("SELECT active FROM agents WHERE id = ?1")?
            .query_row([agent_id], |r| r.get(0))
            .optional()?;
        if active != Some(true) {
            return Err(StoreError::Invalid(format!(
                "mentions: {agent_id} is not an active agent of this desk"
            )));
        }
        ctx.tx
            .prepare_cached(
                "INSERT INTO mentions (message_id, agent_id, conversation_id, created_at) \
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute((message.id, agent_id, conversation.id, ctx.now().millis()))?;
        ctx.emit_to(
            Some(agent_id),
            EventKind::MentionCreated {
                conversation_id: conversation.id,
                agent_id,
                message: message.clone(),
                conversation: rows::conversation(ctx.tx, conversation.id, agent_id)?,
            },
        )?;
    }
    Ok(())
}

/// Marks `agent_id`'s mentions in `conversation_id` seen; tells that agent when any were not.
pub fn seen(ctx: &mut WriteCtx<'_>, conversation_id: Id, agent_id: Id) -> Result<(), StoreError> {
    let changed = ctx
        .tx
        .prepare_cached(
            "UPDATE mentions SET seen_at = ?1 \
             WHERE agent_id = ?2 AND conversation_id = ?3 AND seen_at IS NULL",
        )?
        .execute((ctx.now().millis(), agent_id, conversation_id))?;
    if changed > 0 {
        ctx.emit_to(
            Some(agent_id),
            EventKind::MentionSeen {
                conversation_id,
                agent_id,
            },
        )?;
    }
    Ok(())
}

impl Store {
    /// The conversations where `agent_id` was mentioned: those with unseen mentions first,
    /// then by latest mention, at most `limit`.
    pub async fn mentions(
        &self,
        agent_id: Id,
        limit: usize,
    ) -> Result<Vec<MentionSummary>, StoreError> {
        self.read(move |c| {
            let found: Vec<(Id, i64, Id)> = c
                .prepare_cached(
                    "SELECT conversation_id, sum(seen_at IS NULL) AS unseen, \
                     max(message_id) AS latest FROM mentions WHERE agent_id = ?1 \
                     GROUP BY conversation_id ORDER BY unseen > 0 DESC, latest DESC LIMIT ?2",
                )?
                .query_map((agent_id, limit as i64), |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?
                .collect::<Result<_, _>>()?;
            found
                .into_iter()
                .map(|(conversation, unseen, latest)| {
                    Ok(MentionSummary {
                        conversation: rows::conversation(c, conversation, agent_id)?,
                        unseen,
                        latest: rows::message(c, latest)?,
                    })
                })
                .collect()
        })
        .await
    }
}
