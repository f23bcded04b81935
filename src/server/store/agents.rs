//! Agents, their API tokens, availability, and teams.

use super::rows::{self, AGENT_SELECT};
use super::{Store, StoreError};
use crate::api::{AgentPatch, EventKind, NewTeam, TeamPatch};
use crate::domain::{Agent, Id, Role, Team, Timestamp, limits};
use rusqlite::{Connection, OptionalExtension};

/// Creates an agent and stores the hash of its first token.
pub fn create_agent(
    conn: &Connection,
    email: &str,
    name: &str,
    role: Role,
    token_hash: &[u8],
) -> Result<Agent, StoreError> {
    let email = email.trim();
    limits::email("email", email).map_err(StoreError::Invalid)?;
    limits::text("name", name, limits::MAX_NAME_CHARS).map_err(StoreError::Invalid)?;
    let taken: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM agents WHERE email = ?1)")?
        .query_row([email], |r| r.get(0))?;
    if taken {
        return Err(StoreError::Conflict(format!(
            "an agent with email {email} already exists"
        )));
    }
    let now = Timestamp::now().millis();
    conn.prepare_cached(
        "INSERT INTO agents (email, name, role, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute((email, name.trim(), role.as_str(), now))?;
    let id = conn.last_insert_rowid();
    add_token(conn, id, token_hash)?;
    rows::agent(conn, id)
}

/// Stores the hash of another token for an agent.
pub fn add_token(conn: &Connection, agent_id: Id, token_hash: &[u8]) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO api_tokens (hash, agent_id, created_at) VALUES (?1, ?2, ?3)")?
        .execute((token_hash, agent_id, Timestamp::now().millis()))?;
    Ok(())
}

/// The agent with this email.
pub fn agent_by_email(conn: &Connection, email: &str) -> Result<Agent, StoreError> {
    let sql = format!("{AGENT_SELECT} WHERE email = ?1");
    conn.prepare_cached(&sql)?
        .query_row([email.trim()], rows::agent_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("agent {email}")))
}

/// The agent a token belongs to, active or not; `None` for an unknown or revoked token.
fn agent_by_token(conn: &Connection, hash: &[u8]) -> Result<Option<Agent>, StoreError> {
    let sql =
        format!("{AGENT_SELECT} WHERE id = (SELECT agent_id FROM api_tokens WHERE hash = ?1)");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([hash], rows::agent_from_row)
        .optional()?)
}

/// Whether an active admin other than `agent_id` exists.
fn other_active_admin(conn: &Connection, agent_id: Id) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM agents WHERE role = 'admin' AND active AND id != ?1)",
        )?
        .query_row([agent_id], |r| r.get(0))?)
}

fn teams(conn: &Connection) -> Result<Vec<Team>, StoreError> {
    let mut teams: Vec<Team> = conn
        .prepare_cached("SELECT id, name FROM teams ORDER BY name")?
        .query_map([], |r| {
            Ok(Team {
                id: r.get(0)?,
                name: r.get(1)?,
                member_ids: Vec::new(),
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn
        .prepare_cached("SELECT agent_id FROM team_members WHERE team_id = ?1 ORDER BY agent_id")?;
    for team in &mut teams {
        team.member_ids = stmt
            .query_map([team.id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
    }
    Ok(teams)
}

impl Store {
    /// The desk's identity.
    pub async fn desk_id(&self) -> Result<String, StoreError> {
        self.read(|c| Ok(c.query_row("SELECT id FROM desk", [], |r| r.get(0))?))
            .await
    }

    /// The active agent a token belongs to, if any: one indexed lookup, read afresh on each
    /// call, so a token revoked by any process stops working at once.
    pub async fn agent_for_token(&self, hash: [u8; 32]) -> Result<Option<Agent>, StoreError> {
        Ok(self.token_owner(hash).await?.filter(|a| a.active))
    }

    /// The agent a token belongs to, active or not.
    pub async fn token_owner(&self, hash: [u8; 32]) -> Result<Option<Agent>, StoreError> {
        self.read(move |c| agent_by_token(c, &hash)).await
    }

    /// A number that changes whenever a token is revoked or an agent's role or activity
    /// changes, whichever process made the change.
    pub async fn access_version(&self) -> Result<i64, StoreError> {
        self.read(|c| {
            Ok(c.prepare_cached("SELECT access_version FROM desk")?
                .query_row([], |r| r.get(0))?)
        })
        .await
    }

    /// Revokes every token of an agent; answers how many there were.
    pub async fn revoke_tokens(&self, agent_id: Id) -> Result<usize, StoreError> {
        self.write(move |ctx| {
            rows::agent(ctx.tx, agent_id)?;
            Ok(ctx
                .tx
                .prepare_cached("DELETE FROM api_tokens WHERE agent_id = ?1")?
                .execute([agent_id])?)
        })
        .await
    }

    /// Stores another token for an active agent.
    pub async fn issue_token(&self, agent_id: Id, hash: [u8; 32]) -> Result<Agent, StoreError> {
        self.write(move |ctx| {
            let agent = rows::agent(ctx.tx, agent_id)?;
            if !agent.active {
                return Err(StoreError::Conflict(format!(
                    "agent {agent_id} ({}) is deactivated: activate them before issuing a token",
                    agent.name
                )));
            }
            add_token(ctx.tx, agent_id, &hash)?;
            Ok(agent)
        })
        .await
    }

    /// Every agent, by name.
    pub async fn agents(&self) -> Result<Vec<Agent>, StoreError> {
        self.read(|c| {
            let sql = format!("{AGENT_SELECT} ORDER BY name, id");
            Ok(c.prepare_cached(&sql)?
                .query_map([], rows::agent_from_row)?
                .collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Every team with its members.
    pub async fn teams(&self) -> Result<Vec<Team>, StoreError> {
        self.read(teams).await
    }

    /// Creates an agent whose first token has `token_hash`.
    pub async fn add_agent(
        &self,
        email: String,
        name: String,
        role: Role,
        token_hash: [u8; 32],
    ) -> Result<Agent, StoreError> {
        self.write(move |ctx| {
            let agent = create_agent(ctx.tx, &email, &name, role, &token_hash)?;
            ctx.emit(EventKind::AgentUpdated {
                agent: agent.clone(),
            })?;
            Ok(agent)
        })
        .await
    }

    /// Sets an agent available or away.
    pub async fn set_available(&self, agent_id: Id, available: bool) -> Result<Agent, StoreError> {
        self.write(move |ctx| {
            let before = rows::agent(ctx.tx, agent_id)?;
            if before.available == available {
                return Ok(before);
            }
            ctx.tx
                .prepare_cached("UPDATE agents SET available = ?1 WHERE id = ?2")?
                .execute((available, agent_id))?;
            let agent = rows::agent(ctx.tx, agent_id)?;
            ctx.emit(EventKind::AgentUpdated {
                agent: agent.clone(),
            })?;
            Ok(agent)
        })
        .await
    }
}

/// Checks a team name is non-empty and short, and every member is an agent; dedups members.
fn validated_team(
    conn: &Connection,
    name: Option<&str>,
    members: Option<&mut Vec<Id>>,
) -> Result<(), StoreError> {
    if let Some(name) = name {
        limits::text("name", name, limits::MAX_TEAM_NAME_CHARS).map_err(StoreError::Invalid)?;
    }
    if let Some(members) = members {
        members.sort_unstable();
        members.dedup();
        for &id in members.iter() {
            if rows::agent(conn, id).is_err() {
                return Err(StoreError::Invalid(format!(
                    "member_ids: {id} is not an agent of this desk"
                )));
            }
        }
    }
    Ok(())
}

fn team_name_taken(conn: &Connection, name: &str, except: Id) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM teams WHERE name = ?1 AND id != ?2)")?
        .query_row((name, except), |r| r.get(0))?)
}

fn set_members(conn: &Connection, team_id: Id, members: &[Id]) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM team_members WHERE team_id = ?1")?
        .execute([team_id])?;
    let mut add =
        conn.prepare_cached("INSERT INTO team_members (team_id, agent_id) VALUES (?1, ?2)")?;
    for &agent_id in members {
        add.execute((team_id, agent_id))?;
    }
    Ok(())
}

fn team(conn: &Connection, id: Id) -> Result<Team, StoreError> {
    teams(conn)?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| StoreError::NotFound(format!("team {id}")))
}

impl Store {
    /// Changes an agent's availability, seat, role or activity; emits `agent.updated` when
    /// anything changed. The last active admin can be neither demoted nor deactivated.
    pub async fn update_agent(&self, agent_id: Id, patch: AgentPatch) -> Result<Agent, StoreError> {
        self.write(move |ctx| {
            let before = rows::agent(ctx.tx, agent_id)?;
            let available = patch.available.unwrap_or(before.available);
            let has_seat = patch.has_seat.unwrap_or(before.has_seat);
            let role = patch.role.unwrap_or(before.role);
            let active = patch.active.unwrap_or(before.active);
            if (available, has_seat, role, active)
                == (before.available, before.has_seat, before.role, before.active)
            {
                return Ok(before);
            }
            if before.role == Role::Admin
                && before.active
                && !(role == Role::Admin && active)
                && !other_active_admin(ctx.tx, agent_id)?
            {
                return Err(StoreError::Conflict(format!(
                    "agent {agent_id} ({}) is the last active admin: make another agent admin first",
                    before.name
                )));
            }
            ctx.tx
                .prepare_cached(
                    "UPDATE agents SET available = ?1, has_seat = ?2, role = ?3, active = ?4 \
                     WHERE id = ?5",
                )?
                .execute((available, has_seat, role.as_str(), active, agent_id))?;
            let agent = rows::agent(ctx.tx, agent_id)?;
            ctx.emit(EventKind::AgentUpdated {
                agent: agent.clone(),
            })?;
            Ok(agent)
        })
        .await
    }

    /// Creates a team with its members; emits `team.updated`.
    pub async fn create_team(&self, new: NewTeam) -> Result<Team, StoreError> {
        self.write(move |ctx| {
            let NewTeam {
                name,
                mut member_ids,
            } = new;
            let name = name.trim();
            validated_team(ctx.tx, Some(name), Some(&mut member_ids))?;
            if team_name_taken(ctx.tx, name, 0)? {
                return Err(StoreError::Conflict(format!(
                    "a team named {name:?} already exists"
                )));
            }
            ctx.tx
                .prepare_cached("INSERT INTO teams (name) VALUES (?1)")?
                .execute([name])?;
            let id = ctx.tx.last_insert_rowid();
            set_members(ctx.tx, id, &member_ids)?;
            let created = team(ctx.tx, id)?;
            ctx.emit(EventKind::TeamUpdated {
                team: created.clone(),
            })?;
            Ok(created)
        })
        .await
    }

    /// Renames a team or replaces its members; emits `team.updated` when anything changed.
    pub async fn patch_team(&self, id: Id, patch: TeamPatch) -> Result<Team, StoreError> {
        self.write(move |ctx| {
            let before = team(ctx.tx, id)?;
            let TeamPatch {
                name,
                mut member_ids,
            } = patch;
            let name = name.as_deref().map(str::trim);
            validated_team(ctx.tx, name, member_ids.as_mut())?;
            if let Some(name) = name {
                if team_name_taken(ctx.tx, name, id)? {
                    return Err(StoreError::Conflict(format!(
                        "a team named {name:?} already exists"
                    )));
                }
                ctx.tx
                    .prepare_cached("UPDATE teams SET name = ?1 WHERE id = ?2")?
                    .execute((name, id))?;
            }
            if let Some(members) = &member_ids {
                set_members(ctx.tx, id, members)?;
            }
            let after = team(ctx.tx, id)?;
            if after != before {
                ctx.emit(EventKind::TeamUpdated {
                    team: after.clone(),
                })?;
            }
            Ok(after)
        })
        .await
    }
}
