//! Listing, reading and changing conversations.

use super::rows::{self, CONVERSATION_SELECT};
use super::{Store, StoreError, WriteCtx};
use crate::api::{ConversationDetail, ConversationPage, ConversationPatch, EventKind};
use crate::domain::{ChannelKind, Conversation, Id, Status, Timestamp};
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

/// Which conversations a list shows. Every field narrows; `Default` shows everything.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<StatusFilter>,
    pub assignee: Option<AssigneeFilter>,
    pub channel: Option<ChannelFilter>,
    pub team_id: Option<Id>,
    pub priority: Option<crate::domain::Priority>,
    pub label: Option<String>,
    pub contact_id: Option<Id>,
    pub q: Option<String>,
    pub limit: usize,
    /// Continue after this `(last_message_at, id)`.
    pub cursor: Option<(i64, Id)>,
}

/// The `status` filter: one pipeline status, or a group of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Is(Status),
    /// Anything but closed.
    Open,
    /// Snoozed until a future instant.
    Snoozed,
}

/// The `assignee` filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Me,
    Unassigned,
    Any,
    Agent(Id),
}

/// The `channel` filter: one channel, or every channel of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelFilter {
    Id(Id),
    Kind(ChannelKind),
}

/// Most rows one page may hold.
pub const MAX_PAGE: usize = 500;

/// Turns free text into an FTS5 query: every word must match, the last one as a prefix.
fn fts_query(q: &str) -> Option<String> {
    let words: Vec<&str> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let last = words.len().checked_sub(1)?;
    let terms: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i == last {
                format!("\"{w}\"*")
            } else {
                format!("\"{w}\"")
            }
        })
        .collect();
    Some(terms.join(" "))
}

/// The cursor text for a row: `<last_message_at>.<id>`.
pub fn encode_cursor(c: &Conversation) -> String {
    format!("{}.{}", c.last_message_at.millis(), c.id)
}

/// Parses a cursor made by `encode_cursor`.
pub fn decode_cursor(s: &str) -> Option<(i64, Id)> {
    let (at, id) = s.split_once('.')?;
    Some((at.parse().ok()?, id.parse().ok()?))
}

/// One page of conversations as `agent_id` sees them.
pub fn list(
    conn: &Connection,
    agent_id: Id,
    filter: &ListFilter,
) -> Result<ConversationPage, StoreError> {
    let seq: i64 = conn
        .prepare_cached("SELECT coalesce(max(seq), 0) FROM events")?
        .query_row([], |r| r.get(0))?;
    let mut sql = format!("{CONVERSATION_SELECT} WHERE 1");
    let mut params: Vec<Value> = vec![Value::Integer(agent_id)];
    let mut bind = |sql: &mut String, clause: &str, v: Value| {
        params.push(v);
        sql.push_str(&clause.replace('?', &format!("?{}", params.len())));
    };
    match filter.status {
        Some(StatusFilter::Is(s)) => {
            bind(&mut sql, " AND c.status = ?", s.as_str().to_string().into())
        }
        Some(StatusFilter::Open) => sql.push_str(" AND c.status != 'closed'"),
        Some(StatusFilter::Snoozed) => bind(
            &mut sql,
            " AND c.snoozed_until > ?",
            Timestamp::now().millis().into(),
        ),
        None => {}
    }
    match filter.assignee {
        Some(AssigneeFilter::Me) => bind(&mut sql, " AND c.owner_id = ?", agent_id.into()),
        Some(AssigneeFilter::Agent(id)) => bind(&mut sql, " AND c.owner_id = ?", id.into()),
        Some(AssigneeFilter::Unassigned) => sql.push_str(" AND c.owner_id IS NULL"),
        Some(AssigneeFilter::Any) | None => {}
    }
    match filter.channel {
        Some(ChannelFilter::Id(id)) => bind(&mut sql, " AND c.channel_id = ?", id.into()),
        Some(ChannelFilter::Kind(k)) => bind(
            &mut sql,
            " AND c.channel_id IN (SELECT id FROM channels WHERE kind = ?)",
            k.as_str().to_string().into(),
        ),
        None => {}
    }
    if let Some(team) = filter.team_id {
        bind(&mut sql, " AND c.team_id = ?", team.into());
    }
    if let Some(p) = filter.priority {
        bind(
            &mut sql,
            " AND c.priority = ?",
            p.as_str().to_string().into(),
        );
    }
    if let Some(label) = &filter.label {
        bind(
            &mut sql,
            " AND EXISTS (SELECT 1 FROM json_each(c.labels) WHERE value = ?)",
            label.clone().into(),
        );
    }
    if let Some(contact) = filter.contact_id {
        bind(&mut sql, " AND c.contact_id = ?", contact.into());
    }
    if let Some(q) = filter.q.as_deref().and_then(fts_query) {
        bind(
            &mut sql,
            " AND c.id IN (SELECT rowid FROM conversation_search WHERE conversation_search MATCH ?)",
            q.into(),
        );
    }
    if let Some((at, id)) = filter.cursor {
        bind(&mut sql, " AND (c.last_message_at, c.id) < (?", at.into());
        bind(&mut sql, ", ?)", id.into());
    }
    let limit = filter.limit.clamp(1, MAX_PAGE);
    sql.push_str(&format!(
        " ORDER BY c.last_message_at DESC, c.id DESC LIMIT {}",
        limit + 1
    ));
    let mut items: Vec<Conversation> = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(params), rows::conversation_from_row)?
        .collect::<Result<_, _>>()?;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(encode_cursor)
    } else {
        None
    };
    Ok(ConversationPage {
        items,
        next_cursor,
        seq,
    })
}

/// How many messages a conversation detail carries.
const DETAIL_MESSAGES: usize = 50;

/// A conversation with its contact and latest messages.
pub fn detail(conn: &Connection, id: Id, agent_id: Id) -> Result<ConversationDetail, StoreError> {
    let conversation = rows::conversation(conn, id, agent_id)?;
    let contact = rows::contact(conn, conversation.contact_id)?;
    let page = super::messages::page(conn, id, None, DETAIL_MESSAGES)?;
    Ok(ConversationDetail {
        conversation,
        contact,
        messages: page.items,
        has_older: page.has_older,
    })
}

/// Checks that the referenced agent exists.
pub fn require_agent(ctx: &WriteCtx<'_>, id: Id) -> Result<(), StoreError> {
    rows::agent(ctx.tx, id)
        .map(|_| ())
        .map_err(|_| StoreError::Invalid(format!("owner_id {id} is not an agent of this desk")))
}

fn require_team(ctx: &WriteCtx<'_>, id: Id) -> Result<(), StoreError> {
    let found: bool = ctx
        .tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM teams WHERE id = ?1)")?
        .query_row([id], |r| r.get(0))?;
    if found {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "team_id {id} is not a team of this desk"
        )))
    }
}

/// Applies a patch; emits `conversation.updated` when anything changed.
pub fn patch(
    ctx: &mut WriteCtx<'_>,
    id: Id,
    agent_id: Id,
    patch: &ConversationPatch,
) -> Result<Conversation, StoreError> {
    let before = rows::conversation(ctx.tx, id, agent_id)?;
    let mut changes = Vec::new();
    let mut set = |field: &'static str, changed: bool, value: Value| -> Result<(), StoreError> {
        if changed {
            ctx.tx
                .prepare_cached(&format!(
                    "UPDATE conversations SET {field} = ?1 WHERE id = ?2"
                ))?
                .execute((value, id))?;
            changes.push(field.to_string());
        }
        Ok(())
    };
    if let Some(status) = patch.status {
        set(
            "status",
            status != before.status,
            status.as_str().to_string().into(),
        )?;
    }
    if let Some(priority) = patch.priority {
        set(
            "priority",
            priority != before.priority,
            priority.as_str().to_string().into(),
        )?;
    }
    if let Some(owner) = patch.owner_id {
        if let Some(owner) = owner {
            require_agent(ctx, owner)?;
        }
        set("owner_id", owner != before.owner_id, owner.into())?;
    }
    if let Some(team) = patch.team_id {
        if let Some(team) = team {
            require_team(ctx, team)?;
        }
        set("team_id", team != before.team_id, team.into())?;
    }
    if let Some(labels) = &patch.labels {
        let mut labels: Vec<String> = labels.iter().map(|l| l.trim().to_string()).collect();
        labels.retain(|l| !l.is_empty());
        labels.sort();
        labels.dedup();
        let json =
            serde_json::to_string(&labels).map_err(|e| StoreError::Internal(e.to_string()))?;
        set("labels", labels != before.labels, json.into())?;
    }
    if let Some(until) = patch.snoozed_until {
        set(
            "snoozed_until",
            until != before.snoozed_until,
            until.map(|t| t.millis()).into(),
        )?;
    }
    if changes.is_empty() {
        return Ok(before);
    }
    let now = ctx.now();
    ctx.tx
        .prepare_cached("UPDATE conversations SET updated_at = ?1 WHERE id = ?2")?
        .execute((now.millis(), id))?;
    let conversation = rows::conversation(ctx.tx, id, 0)?;
    ctx.emit(EventKind::ConversationUpdated {
        conversation,
        changes,
    })?;
    rows::conversation(ctx.tx, id, agent_id)
}

impl Store {
    /// One page of conversations as `agent_id` sees them.
    pub async fn list_conversations(
        &self,
        agent_id: Id,
        filter: ListFilter,
    ) -> Result<ConversationPage, StoreError> {
        self.read(move |c| list(c, agent_id, &filter)).await
    }

    /// A conversation with its contact and latest messages.
    pub async fn conversation_detail(
        &self,
        id: Id,
        agent_id: Id,
    ) -> Result<ConversationDetail, StoreError> {
        self.read(move |c| detail(c, id, agent_id)).await
    }

    /// Changes status, owner, team, priority, labels or snooze of a conversation.
    pub async fn patch_conversation(
        &self,
        id: Id,
        agent_id: Id,
        p: ConversationPatch,
    ) -> Result<Conversation, StoreError> {
        self.write(move |ctx| patch(ctx, id, agent_id, &p)).await
    }

    /// Marks a conversation read by `agent_id` up to now.
    pub async fn mark_read(&self, id: Id, agent_id: Id) -> Result<Conversation, StoreError> {
        self.write(move |ctx| {
            rows::conversation(ctx.tx, id, agent_id)?;
            mark_read(ctx, id, agent_id)?;
            rows::conversation(ctx.tx, id, agent_id)
        })
        .await
    }
}

/// Records that `agent_id` has seen `conversation_id` as of now.
pub fn mark_read(ctx: &WriteCtx<'_>, conversation_id: Id, agent_id: Id) -> Result<(), StoreError> {
    ctx.tx
        .prepare_cached(
            "INSERT INTO read_state (agent_id, conversation_id, read_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (agent_id, conversation_id) DO UPDATE SET read_at = excluded.read_at",
        )?
        .execute((agent_id, conversation_id, ctx.now().millis()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_query_quotes_words_and_prefixes_the_last() {
        assert_eq!(
            fts_query("refund \"order\" 12-3").as_deref(),
            Some("\"refund\" \"order\" \"12\" \"3\"*")
        );
        assert_eq!(fts_query(" -*- "), None);
    }

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        assert_eq!(decode_cursor("1700.42"), Some((1700, 42)));
        assert_eq!(decode_cursor("x.42"), None);
        assert_eq!(decode_cursor("1700"), None);
    }
}
