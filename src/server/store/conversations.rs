//! Listing, reading and changing conversations.

use super::rows::{self, CONVERSATION_COLUMNS, CONVERSATION_JOINS};
use super::search;
use super::{Store, StoreError, WriteCtx};
use crate::api::{
    ConversationCount, ConversationDetail, ConversationPage, ConversationPatch, EventKind,
    LabelCount,
};
use crate::domain::{ChannelKind, Conversation, Id, Status, Timestamp, limits};
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
    /// Continue after this row.
    pub cursor: Option<Cursor>,
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

/// Where a page ends: the last row's activity time, id and search rowid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: i64,
    pub id: Id,
    pub search: i64,
}

impl Cursor {
    /// The cursor text: `<last_message_at>.<id>.<search_rowid>`.
    pub fn encode(&self) -> String {
        format!("{}.{}.{}", self.at, self.id, self.search)
    }

    /// Parses a cursor made by `encode`.
    pub fn decode(s: &str) -> Option<Cursor> {
        let mut parts = s.split('.').map(str::parse::<i64>);
        let cursor = Cursor {
            at: parts.next()?.ok()?,
            id: parts.next()?.ok()?,
            search: parts.next()?.ok()?,
        };
        parts.next().is_none().then_some(cursor)
    }
}

/// SQL text with numbered parameters, built clause by clause.
struct Query {
    sql: String,
    params: Vec<Value>,
}

impl Query {
    fn new(sql: String, params: Vec<Value>) -> Self {
        Query { sql, params }
    }

    /// Appends `clause`, numbering its `?` placeholders for `values`, in order.
    fn push(&mut self, clause: &str, values: &[Value]) {
        let mut values = values.iter();
        for (i, part) in clause.split('?').enumerate() {
            if i > 0 {
                self.params
                    .push(values.next().cloned().unwrap_or(Value::Null));
                self.sql.push_str(&format!("?{}", self.params.len()));
            }
            self.sql.push_str(part);
        }
    }
}

/// How a condition will be used: to walk rows in activity order, or to count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Walk,
    Count,
}

/// The filter as SQL conditions on `c`, each with its values.
///
/// "Open" is spelt two ways: walking newest first, `status != 'closed'` lets SQLite follow the
/// activity index and stop after a page; counting, the three open statuses as a set are three
/// seeks into the status index instead of a scan of every closed ticket (0.3 ms against 6 ms
/// on a desk of 100,000).
fn conditions(filter: &ListFilter, agent_id: Id, usage: Use) -> Vec<(&'static str, Vec<Value>)> {
    let text = |s: &str| Value::Text(s.to_string());
    let mut out = Vec::new();
    match filter.status {
        Some(StatusFilter::Is(s)) => out.push((" AND c.status = ?", vec![text(s.as_str())])),
        Some(StatusFilter::Open) if usage == Use::Count => out.push((
            " AND c.status IN ('new', 'waiting_on_contact', 'waiting_on_us')",
            vec![],
        )),
        Some(StatusFilter::Open) => out.push((" AND c.status != 'closed'", vec![])),
        Some(StatusFilter::Snoozed) => out.push((
            " AND c.snoozed_until > ?",
            vec![Timestamp::now().millis().into()],
        )),
        None => {}
    }
    match filter.assignee {
        Some(AssigneeFilter::Me) => out.push((" AND c.owner_id = ?", vec![agent_id.into()])),
        Some(AssigneeFilter::Agent(id)) => out.push((" AND c.owner_id = ?", vec![id.into()])),
        Some(AssigneeFilter::Unassigned) => out.push((" AND c.owner_id IS NULL", vec![])),
        Some(AssigneeFilter::Any) | None => {}
    }
    match filter.channel {
        Some(ChannelFilter::Id(id)) => out.push((" AND c.channel_id = ?", vec![id.into()])),
        Some(ChannelFilter::Kind(k)) => {
            out.push((" AND c.channel_kind = ?", vec![text(k.as_str())]))
        }
        None => {}
    }
    if let Some(team) = filter.team_id {
        out.push((" AND c.team_id = ?", vec![team.into()]));
    }
    if let Some(p) = filter.priority {
        out.push((" AND c.priority = ?", vec![text(p.as_str())]));
    }
    if let Some(label) = &filter.label {
        out.push((
            " AND EXISTS (SELECT 1 FROM json_each(c.labels) WHERE value = ?)",
            vec![text(label)],
        ));
    }
    if let Some(contact) = filter.contact_id {
        out.push((" AND c.contact_id = ?", vec![contact.into()]));
    }
    out
}

/// Below this many conversations passing the filters, a text search starts from them.
const SELECTIVE: i64 = 3_000;

/// Whether fewer than `SELECTIVE` conversations pass `conds`.
fn selective(conn: &Connection, conds: &[(&str, Vec<Value>)]) -> Result<bool, StoreError> {
    if conds.is_empty() {
        return Ok(false);
    }
    let mut q = Query::new(
        "SELECT count(*) FROM (SELECT 1 FROM conversations c WHERE 1".into(),
        vec![],
    );
    for (clause, values) in conds {
        q.push(clause, values);
    }
    q.sql.push_str(&format!(" LIMIT {SELECTIVE})"));
    let n: i64 = conn
        .prepare_cached(&q.sql)?
        .query_row(params_from_iter(q.params), |r| r.get(0))?;
    Ok(n < SELECTIVE)
}

/// One page of conversations as `agent_id` sees them.
///
/// Three plans, all in the same order (last activity, newest first): without text, walk the
/// recency indexes; with text and broad filters, walk FTS5 matches newest first; with text and
/// selective filters, walk the filtered conversations against the set of the text's matches.
pub fn list(
    conn: &Connection,
    agent_id: Id,
    filter: &ListFilter,
) -> Result<ConversationPage, StoreError> {
    let seq: i64 = conn
        .prepare_cached("SELECT coalesce(max(seq), 0) FROM events")?
        .query_row([], |r| r.get(0))?;
    let conds = conditions(filter, agent_id, Use::Walk);
    let fts = filter.q.as_deref().and_then(search::fts_query);
    if filter.q.is_some() && fts.is_none() {
        // Text with no word in it matches nothing.
        return Ok(ConversationPage {
            items: Vec::new(),
            next_cursor: None,
            seq,
        });
    }
    let text_first = match &fts {
        Some(_) => !selective(conn, &conditions(filter, agent_id, Use::Count))?,
        None => false,
    };
    let from = if text_first {
        format!(
            "{CONVERSATION_COLUMNS} FROM conversation_search s \
             JOIN conversations c ON c.search_rowid = s.rowid {CONVERSATION_JOINS} WHERE 1"
        )
    } else {
        format!("{CONVERSATION_COLUMNS} FROM conversations c {CONVERSATION_JOINS} WHERE 1")
    };
    let mut q = Query::new(from, vec![Value::Integer(agent_id)]);
    if let Some(text) = &fts {
        let text = Value::Text(text.clone());
        if text_first {
            q.push(" AND conversation_search MATCH ?", &[text]);
        } else {
            // The word's matches once, as a set: probing the index per candidate costs
            // ~0.3 ms each for a common word.
            q.push(
                " AND c.search_rowid IN (SELECT rowid FROM conversation_search \
                 WHERE conversation_search MATCH ?)",
                &[text],
            );
        }
    }
    for (clause, values) in &conds {
        q.push(clause, values);
    }
    match filter.cursor {
        Some(c) if text_first => q.push(" AND s.rowid < ?", &[c.search.into()]),
        Some(c) => q.push(
            " AND (c.last_message_at, c.id) < (?, ?)",
            &[c.at.into(), c.id.into()],
        ),
        None => {}
    }
    let limit = filter.limit.clamp(1, MAX_PAGE);
    let order = if text_first {
        "s.rowid DESC"
    } else {
        "c.last_message_at DESC, c.id DESC"
    };
    q.sql
        .push_str(&format!(" ORDER BY {order} LIMIT {}", limit + 1));
    let mut rows: Vec<(Conversation, Option<i64>)> = conn
        .prepare_cached(&q.sql)?
        .query_map(params_from_iter(q.params), |r| {
            Ok((rows::conversation_from_row(r)?, r.get(18)?))
        })?
        .collect::<Result<_, _>>()?;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|(c, search)| {
            Cursor {
                at: c.last_message_at.millis(),
                id: c.id,
                search: search.unwrap_or(0),
            }
            .encode()
        })
    } else {
        None
    };
    let items = rows.into_iter().map(|(c, _)| c).collect();
    Ok(ConversationPage {
        items,
        next_cursor,
        seq,
    })
}

/// How many conversations pass `filter` (its limit and cursor ignored).
pub fn count(
    conn: &Connection,
    agent_id: Id,
    filter: &ListFilter,
) -> Result<ConversationCount, StoreError> {
    let seq: i64 = conn
        .prepare_cached("SELECT coalesce(max(seq), 0) FROM events")?
        .query_row([], |r| r.get(0))?;
    let fts = filter.q.as_deref().and_then(search::fts_query);
    if filter.q.is_some() && fts.is_none() {
        return Ok(ConversationCount { count: 0, seq });
    }
    let mut q = Query::new(
        "SELECT count(*) FROM conversations c WHERE 1".into(),
        vec![],
    );
    if let Some(text) = fts {
        q.push(
            " AND c.search_rowid IN (SELECT rowid FROM conversation_search \
             WHERE conversation_search MATCH ?)",
            &[Value::Text(text)],
        );
    }
    for (clause, values) in &conditions(filter, agent_id, Use::Count) {
        q.push(clause, values);
    }
    let count = conn
        .prepare_cached(&q.sql)?
        .query_row(params_from_iter(q.params), |r| r.get(0))?;
    Ok(ConversationCount { count, seq })
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

/// Checks that the referenced agent exists and is active.
pub fn require_agent(ctx: &WriteCtx<'_>, id: Id) -> Result<(), StoreError> {
    let agent = rows::agent(ctx.tx, id)
        .map_err(|_| StoreError::Invalid(format!("owner_id {id} is not an agent of this desk")))?;
    if !agent.active {
        return Err(StoreError::Invalid(format!(
            "owner_id {id} ({}) is deactivated",
            agent.name
        )));
    }
    Ok(())
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
        let labels = limits::labels("labels", labels).map_err(StoreError::Invalid)?;
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
        if filter.q.is_some() {
            self.read_search(move |c| list(c, agent_id, &filter)).await
        } else {
            self.read(move |c| list(c, agent_id, &filter)).await
        }
    }

    /// How many conversations `agent_id` would see through `filter`.
    pub async fn count_conversations(
        &self,
        agent_id: Id,
        filter: ListFilter,
    ) -> Result<ConversationCount, StoreError> {
        if filter.q.is_some() {
            self.read_search(move |c| count(c, agent_id, &filter)).await
        } else {
            self.read(move |c| count(c, agent_id, &filter)).await
        }
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

    /// Marks a conversation read by `agent_id` up to now. When it was unread, a
    /// `conversation.read` event tells that agent's other clients to clear their marker.
    pub async fn mark_read(&self, id: Id, agent_id: Id) -> Result<Conversation, StoreError> {
        self.write(move |ctx| {
            let before = rows::conversation(ctx.tx, id, agent_id)?;
            mark_read(ctx, id, agent_id)?;
            if before.unread {
                ctx.emit(EventKind::ConversationRead {
                    conversation_id: id,
                    agent_id,
                })?;
            }
            rows::conversation(ctx.tx, id, agent_id)
        })
        .await
    }

    /// The labels in use on open and recent conversations, most used first, at most `limit`.
    pub async fn labels_in_use(&self, limit: usize) -> Result<Vec<LabelCount>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT j.value, count(*) FROM conversations c, json_each(c.labels) j \
                 WHERE c.labels != '[]' GROUP BY j.value ORDER BY count(*) DESC, j.value LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit as i64], |r| {
                Ok(LabelCount {
                    label: r.get(0)?,
                    count: r.get(1)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }
}

/// Records that `agent_id` has seen `conversation_id` as of now, mentions there included.
pub fn mark_read(
    ctx: &mut WriteCtx<'_>,
    conversation_id: Id,
    agent_id: Id,
) -> Result<(), StoreError> {
    ctx.tx
        .prepare_cached(
            "INSERT INTO read_state (agent_id, conversation_id, read_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (agent_id, conversation_id) DO UPDATE SET read_at = excluded.read_at",
        )?
        .execute((agent_id, conversation_id, ctx.now().millis()))?;
    super::mentions::seen(ctx, conversation_id, agent_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let c = Cursor {
            at: 1700,
            id: 42,
            search: 9,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("x.42.9"), None);
        assert_eq!(Cursor::decode("1700.42"), None);
        assert_eq!(Cursor::decode("1700.42.9.1"), None);
    }
}
