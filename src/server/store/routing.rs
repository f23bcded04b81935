//! Per-channel routing rules and presets, and applying both to a conversation as it opens.

use super::{Store, StoreError, WriteCtx};
use crate::api::{ChannelPresets, RoutingRules};
use crate::domain::{Id, RoutingFallback, RoutingMode, limits};
use crate::server::routing::{self, Assignment, Candidate};
use rusqlite::{Connection, OptionalExtension};

/// Most agents or teams one rule may list.
const MAX_LISTED: usize = 1000;

fn require_channel(conn: &Connection, id: Id) -> Result<(), StoreError> {
    let found: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM channels WHERE id = ?1)")?
        .query_row([id], |r| r.get(0))?;
    if found {
        Ok(())
    } else {
        Err(StoreError::NotFound(format!("channel {id}")))
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Internal(e.to_string()))
}

fn parse_err(idx: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
}

/// A channel's rules and the agent its rotation last routed to; the default when unset.
fn rules(conn: &Connection, channel_id: Id) -> Result<(RoutingRules, Option<Id>), StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT mode, agent_ids, team_ids, fallback, only_available, last_agent_id \
             FROM channel_routing WHERE channel_id = ?1",
        )?
        .query_row([channel_id], |r| {
            let mode: String = r.get(0)?;
            let agents: String = r.get(1)?;
            let teams: String = r.get(2)?;
            let fallback: String = r.get(3)?;
            Ok((
                RoutingRules {
                    mode: mode.parse().map_err(|e| parse_err(0, e))?,
                    agent_ids: serde_json::from_str(&agents).map_err(|e| parse_err(1, e))?,
                    team_ids: serde_json::from_str(&teams).map_err(|e| parse_err(2, e))?,
                    fallback: fallback.parse().map_err(|e| parse_err(3, e))?,
                    only_available: r.get(4)?,
                },
                r.get(5)?,
            ))
        })
        .optional()?;
    Ok(row.unwrap_or_default())
}

/// A channel's presets; none when unset.
fn presets(conn: &Connection, channel_id: Id) -> Result<ChannelPresets, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT status, priority, team_id, labels FROM channel_presets WHERE channel_id = ?1",
        )?
        .query_row([channel_id], |r| {
            let status: Option<String> = r.get(0)?;
            let priority: Option<String> = r.get(1)?;
            let labels: String = r.get(3)?;
            Ok(ChannelPresets {
                status: status
                    .map(|s| s.parse())
                    .transpose()
                    .map_err(|e| parse_err(0, e))?,
                priority: priority
                    .map(|p| p.parse())
                    .transpose()
                    .map_err(|e| parse_err(1, e))?,
                team_id: r.get(2)?,
                labels: serde_json::from_str(&labels).map_err(|e| parse_err(3, e))?,
            })
        })
        .optional()?;
    Ok(row.unwrap_or_default())
}

/// Checks every listed agent exists and has a seat, every team exists; sorts and dedups.
fn validated_rules(conn: &Connection, mut r: RoutingRules) -> Result<RoutingRules, StoreError> {
    let invalid = |m: String| Err(StoreError::Invalid(m));
    if r.agent_ids.len() > MAX_LISTED || r.team_ids.len() > MAX_LISTED {
        return invalid(format!(
            "agent_ids and team_ids may list at most {MAX_LISTED} entries each"
        ));
    }
    r.agent_ids.sort_unstable();
    r.agent_ids.dedup();
    r.team_ids.sort_unstable();
    r.team_ids.dedup();
    let mut agent =
        conn.prepare_cached("SELECT name, has_seat, active FROM agents WHERE id = ?1")?;
    for &id in &r.agent_ids {
        let found: Option<(String, bool, bool)> = agent
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        match found {
            None => return invalid(format!("agent_ids: {id} is not an agent of this desk")),
            Some((name, _, false)) => {
                return invalid(format!(
                    "agent_ids: agent {id} ({name}) is deactivated; only active agents can be routed to"
                ));
            }
            Some((name, false, _)) => {
                return invalid(format!(
                    "agent_ids: agent {id} ({name}) has no seat; only agents with a seat can be routed to"
                ));
            }
            Some(_) => {}
        }
    }
    let mut team = conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM teams WHERE id = ?1)")?;
    for &id in &r.team_ids {
        if !team.query_row([id], |r| r.get::<_, bool>(0))? {
            return invalid(format!("team_ids: {id} is not a team of this desk"));
        }
    }
    let rotates = r.mode == RoutingMode::UsersAndTeams
        || (r.mode == RoutingMode::ContactOwner && r.fallback == RoutingFallback::UsersAndTeams);
    if rotates && r.agent_ids.is_empty() && r.team_ids.is_empty() {
        return invalid(
            "routing to users_and_teams needs at least one entry in agent_ids or team_ids".into(),
        );
    }
    Ok(r)
}

/// Checks the preset team exists and the labels are sane; trims, sorts and dedups labels.
fn validated_presets(
    conn: &Connection,
    mut p: ChannelPresets,
) -> Result<ChannelPresets, StoreError> {
    let invalid = |m: String| Err(StoreError::Invalid(m));
    if let Some(id) = p.team_id {
        let found: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM teams WHERE id = ?1)")?
            .query_row([id], |r| r.get(0))?;
        if !found {
            return invalid(format!("team_id {id} is not a team of this desk"));
        }
    }
    p.labels = limits::labels("labels", &p.labels).map_err(StoreError::Invalid)?;
    Ok(p)
}

/// The rotation's eligible agents under `r`, in id order, each with its listed team.
fn candidates(conn: &Connection, r: &RoutingRules) -> Result<Vec<Candidate>, StoreError> {
    let (agents, teams) = (json(&r.agent_ids)?, json(&r.team_ids)?);
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, (SELECT min(tm.team_id) FROM team_members tm \
                       WHERE tm.agent_id = a.id AND tm.team_id IN (SELECT value FROM json_each(?2))) \
         FROM agents a \
         WHERE a.active AND a.has_seat AND (a.available OR NOT ?3) \
           AND (a.id IN (SELECT value FROM json_each(?1)) \
                OR a.id IN (SELECT tm.agent_id FROM team_members tm \
                            WHERE tm.team_id IN (SELECT value FROM json_each(?2)))) \
         ORDER BY a.id",
    )?;
    let rows = stmt.query_map((agents, teams, r.only_available), |row| {
        Ok(Candidate {
            agent_id: row.get(0)?,
            team_id: row.get(1)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The contact's owner if they may take the conversation: a seat, and available unless the
/// rules include away agents.
fn eligible_owner(
    conn: &Connection,
    contact_id: Id,
    only_available: bool,
) -> Result<Option<Id>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT a.id FROM contacts c JOIN agents a ON a.id = c.owner_id \
             WHERE c.id = ?1 AND a.active AND a.has_seat AND (a.available OR NOT ?2)",
        )?
        .query_row((contact_id, only_available), |r| r.get(0))
        .optional()?)
}

/// Whether a conversation that just opened is also routed, or only takes the presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// Presets, then the channel's routing rules.
    Routed,
    /// Presets only: whoever opened it decides the owner.
    PresetsOnly,
}

/// Applies the channel's presets, then (when `Routed`) its routing rules, to a conversation
/// opened in this transaction, before its `conversation.created` event is written: the event
/// carries the owner and team it starts with.
pub(crate) fn on_conversation_opened(
    ctx: &mut WriteCtx<'_>,
    conversation_id: Id,
    opening: Opening,
) -> Result<(), StoreError> {
    let (channel_id, contact_id): (Id, Id) = ctx
        .tx
        .prepare_cached("SELECT channel_id, contact_id FROM conversations WHERE id = ?1")?
        .query_row([conversation_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let p = presets(ctx.tx, channel_id)?;
    if p != ChannelPresets::default() {
        ctx.tx
            .prepare_cached(
                "UPDATE conversations SET status = coalesce(?1, status), \
                 priority = coalesce(?2, priority), team_id = coalesce(?3, team_id), \
                 labels = ?4 WHERE id = ?5",
            )?
            .execute((
                p.status.map(|s| s.as_str()),
                p.priority.map(|p| p.as_str()),
                p.team_id,
                json(&p.labels)?,
                conversation_id,
            ))?;
    }
    if opening == Opening::PresetsOnly {
        return Ok(());
    }
    let (r, last) = rules(ctx.tx, channel_id)?;
    let owner = match r.mode {
        RoutingMode::ContactOwner => eligible_owner(ctx.tx, contact_id, r.only_available)?,
        _ => None,
    };
    let rotates = r.mode == RoutingMode::UsersAndTeams
        || (r.mode == RoutingMode::ContactOwner
            && owner.is_none()
            && r.fallback == RoutingFallback::UsersAndTeams);
    let pool = if rotates {
        candidates(ctx.tx, &r)?
    } else {
        Vec::new()
    };
    match routing::assign(&r, owner, &pool, last) {
        Assignment::Unassigned => {}
        Assignment::ContactOwner(agent_id) => {
            ctx.tx
                .prepare_cached("UPDATE conversations SET owner_id = ?1 WHERE id = ?2")?
                .execute((agent_id, conversation_id))?;
        }
        Assignment::Rotation(c) => {
            ctx.tx
                .prepare_cached(
                    "UPDATE conversations SET owner_id = ?1, team_id = coalesce(?2, team_id) \
                     WHERE id = ?3",
                )?
                .execute((c.agent_id, c.team_id, conversation_id))?;
            ctx.tx
                .prepare_cached(
                    "UPDATE channel_routing SET last_agent_id = ?1 WHERE channel_id = ?2",
                )?
                .execute((c.agent_id, channel_id))?;
        }
    }
    Ok(())
}

impl Store {
    /// A channel's routing rules (`nobody` when never set).
    pub async fn routing_rules(&self, channel_id: Id) -> Result<RoutingRules, StoreError> {
        self.read(move |c| {
            require_channel(c, channel_id)?;
            Ok(rules(c, channel_id)?.0)
        })
        .await
    }

    /// Replaces a channel's routing rules; the rotation keeps its place.
    pub async fn set_routing_rules(
        &self,
        channel_id: Id,
        new: RoutingRules,
    ) -> Result<RoutingRules, StoreError> {
        self.write(move |ctx| {
            require_channel(ctx.tx, channel_id)?;
            let r = validated_rules(ctx.tx, new)?;
            ctx.tx
                .prepare_cached(
                    "INSERT INTO channel_routing (channel_id, mode, agent_ids, team_ids, fallback, \
                     only_available, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                     ON CONFLICT (channel_id) DO UPDATE SET mode = excluded.mode, \
                     agent_ids = excluded.agent_ids, team_ids = excluded.team_ids, \
                     fallback = excluded.fallback, only_available = excluded.only_available, \
                     updated_at = excluded.updated_at",
                )?
                .execute((
                    channel_id,
                    r.mode.as_str(),
                    json(&r.agent_ids)?,
                    json(&r.team_ids)?,
                    r.fallback.as_str(),
                    r.only_available,
                    ctx.now().millis(),
                ))?;
            Ok(r)
        })
        .await
    }

    /// A channel's presets for new conversations (none when never set).
    pub async fn channel_presets(&self, channel_id: Id) -> Result<ChannelPresets, StoreError> {
        self.read(move |c| {
            require_channel(c, channel_id)?;
            presets(c, channel_id)
        })
        .await
    }

    /// Replaces a channel's presets for new conversations.
    pub async fn set_channel_presets(
        &self,
        channel_id: Id,
        new: ChannelPresets,
    ) -> Result<ChannelPresets, StoreError> {
        self.write(move |ctx| {
            require_channel(ctx.tx, channel_id)?;
            let p = validated_presets(ctx.tx, new)?;
            ctx.tx
                .prepare_cached(
                    "INSERT INTO channel_presets (channel_id, status, priority, team_id, labels, \
                     updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                     ON CONFLICT (channel_id) DO UPDATE SET status = excluded.status, \
                     priority = excluded.priority, team_id = excluded.team_id, \
                     labels = excluded.labels, updated_at = excluded.updated_at",
                )?
                .execute((
                    channel_id,
                    p.status.map(|s| s.as_str()),
                    p.priority.map(|p| p.as_str()),
                    p.team_id,
                    json(&p.labels)?,
                    ctx.now().millis(),
                ))?;
            Ok(p)
        })
        .await
    }
}
