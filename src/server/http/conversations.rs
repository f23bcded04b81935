//! `/conversations` and `/contacts`.

use super::paging::{self, bad_query, non_empty};
use crate::api::{
    ContactDetail, ContactPatch, ConversationCount, ConversationDetail, ConversationPage,
    ConversationPatch, LabelCount, MessagePage, NewMessage, ReplyChannels,
};
use crate::domain::limits;
use crate::domain::{ChannelKind, Contact, Conversation, Id, Message, Priority, Status, Timestamp};
use crate::server::AppState;
use crate::server::auth::Authed;
use crate::server::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use crate::server::store::conversations::{AssigneeFilter, ChannelFilter, StatusFilter};
use crate::server::store::{ListFilter, PostOutcome};
use crate::server::{reply_channels, reply_files};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    assignee: Option<String>,
    channel: Option<String>,
    team: Option<String>,
    priority: Option<String>,
    label: Option<String>,
    q: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

impl ListQuery {
    fn into_filter(self) -> Result<ListFilter, ApiError> {
        let status = non_empty(&self.status)
            .map(|s| match s {
                "open" => Ok(StatusFilter::Open),
                "snoozed" => Ok(StatusFilter::Snoozed),
                _ => s
                    .parse::<Status>()
                    .map(StatusFilter::Is)
                    .map_err(|e| bad_query("status", s, &format!("open, snoozed, {}", e.expected))),
            })
            .transpose()?;
        let assignee = non_empty(&self.assignee)
            .map(|a| match a {
                "me" => Ok(AssigneeFilter::Me),
                "unassigned" => Ok(AssigneeFilter::Unassigned),
                "any" => Ok(AssigneeFilter::Any),
                _ => a
                    .parse::<Id>()
                    .map(AssigneeFilter::Agent)
                    .map_err(|_| bad_query("assignee", a, "me, unassigned, any or an agent id")),
            })
            .transpose()?;
        let channel = non_empty(&self.channel)
            .map(|c| match c.parse::<Id>() {
                Ok(id) => Ok(ChannelFilter::Id(id)),
                Err(_) => c
                    .parse::<ChannelKind>()
                    .map(ChannelFilter::Kind)
                    .map_err(|e| {
                        bad_query(
                            "channel",
                            c,
                            &format!("a channel id or one of {}", e.expected),
                        )
                    }),
            })
            .transpose()?;
        let team_id = non_empty(&self.team)
            .map(|t| {
                t.parse::<Id>()
                    .map_err(|_| bad_query("team", t, "a team id"))
            })
            .transpose()?;
        let priority = non_empty(&self.priority)
            .map(|p| {
                p.parse::<Priority>()
                    .map_err(|e| bad_query("priority", p, &e.expected))
            })
            .transpose()?;
        let limit = paging::limit(&self.limit)?;
        let cursor = paging::cursor(&self.cursor)?;
        Ok(ListFilter {
            status,
            assignee,
            channel,
            team_id,
            priority,
            label: non_empty(&self.label).map(str::to_string),
            contact_id: None,
            q: non_empty(&self.q)
                .map(|q| {
                    limits::query(q)
                        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e))?;
                    Ok::<_, ApiError>(q.to_string())
                })
                .transpose()?,
            limit,
            cursor,
        })
    }
}

/// `GET /conversations/count`: the list's filters, counted.
pub async fn count(
    State(state): State<AppState>,
    Authed(agent): Authed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<ConversationCount>, ApiError> {
    let filter = q.into_filter()?;
    Ok(Json(
        state.store.count_conversations(agent.id, filter).await?,
    ))
}

pub async fn list(
    State(state): State<AppState>,
    Authed(agent): Authed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<ConversationPage>, ApiError> {
    let filter = q.into_filter()?;
    Ok(Json(
        state.store.list_conversations(agent.id, filter).await?,
    ))
}

pub async fn detail(
    State(state): State<AppState>,
    Authed(agent): Authed,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<ConversationDetail>, ApiError> {
    Ok(Json(state.store.conversation_detail(id, agent.id).await?))
}

pub async fn patch(
    State(state): State<AppState>,
    Authed(agent): Authed,
    ApiPath(id): ApiPath<Id>,
    ApiJson(p): ApiJson<ConversationPatch>,
) -> Result<Json<Conversation>, ApiError> {
    Ok(Json(state.store.patch_conversation(id, agent.id, p).await?))
}

/// Most labels offered for completion.
const LABELS_LISTED: usize = 500;

pub async fn labels(
    State(state): State<AppState>,
    Authed(_agent): Authed,
) -> Result<Json<Vec<LabelCount>>, ApiError> {
    Ok(Json(state.store.labels_in_use(LABELS_LISTED).await?))
}

pub async fn mark_read(
    State(state): State<AppState>,
    Authed(agent): Authed,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<Conversation>, ApiError> {
    Ok(Json(state.store.mark_read(id, agent.id).await?))
}

#[derive(Debug, Deserialize)]
pub struct MessagesQuery {
    before: Option<String>,
    limit: Option<String>,
}

pub async fn messages(
    State(state): State<AppState>,
    _: Authed,
    ApiPath(id): ApiPath<Id>,
    ApiQuery(q): ApiQuery<MessagesQuery>,
) -> Result<Json<MessagePage>, ApiError> {
    let before = paging::before(&q.before)?;
    let limit = paging::limit(&q.limit)?;
    Ok(Json(state.store.messages(id, before, limit).await?))
}

pub async fn post_message(
    State(state): State<AppState>,
    Authed(agent): Authed,
    ApiPath(id): ApiPath<Id>,
    ApiJson(new): ApiJson<NewMessage>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    // A retry of a stored message answers it, whatever changed since (a window closed...).
    if let Some(m) = state
        .store
        .message_by_client_id(id, new.client_id.clone())
        .await?
    {
        return Ok((StatusCode::OK, Json(m)));
    }
    if let Some(why) = new.email.as_ref().and_then(|e| e.problem(is_address)) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_email",
            why,
        ));
    }
    if !new.internal {
        let addressed = new.email.as_ref().is_some_and(|e| !e.to.is_empty());
        let targets = state.store.reply_targets(id).await?;
        if let Some(why) =
            reply_channels::unreachable(&targets, new.channel_id, addressed, Timestamp::now())
        {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unreachable",
                why,
            ));
        }
    }
    let refused =
        |m: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, reply_files::REFUSED, m);
    let files = reply_files::resolve(&state.files, &state.portal.public_url, &new.attachments)
        .await
        .map_err(refused)?;
    if !new.internal
        && !files.is_empty()
        && let Some(channel) = state.store.reply_channel(id, new.channel_id).await?
        && let Some(why) = reply_files::refusal(&channel.channel, &files)
    {
        return Err(refused(why));
    }
    Ok(
        match state.store.post_message(id, agent.id, new, files).await? {
            PostOutcome::Created(m) => (StatusCode::CREATED, Json(m)),
            PostOutcome::Existing(m) => (StatusCode::OK, Json(m)),
        },
    )
}

/// `GET /conversations/{id}/reply-channels`: every channel, and whether a reply on it reaches
/// the contact now.
pub async fn reply_channels(
    State(state): State<AppState>,
    _: Authed,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<ReplyChannels>, ApiError> {
    let targets = state.store.reply_targets(id).await?;
    Ok(Json(reply_channels::list(&targets, Timestamp::now())))
}

#[derive(Debug, Deserialize)]
pub struct MentionsQuery {
    limit: Option<String>,
}

/// `GET /mentions`: where the asking agent was mentioned, unseen first.
pub async fn mentions(
    State(state): State<AppState>,
    Authed(agent): Authed,
    ApiQuery(q): ApiQuery<MentionsQuery>,
) -> Result<Json<Vec<crate::api::MentionSummary>>, ApiError> {
    let limit = paging::limit(&q.limit)?;
    Ok(Json(state.store.mentions(agent.id, limit).await?))
}

pub async fn contact(
    State(state): State<AppState>,
    Authed(agent): Authed,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<ContactDetail>, ApiError> {
    Ok(Json(state.store.contact_detail(id, agent.id).await?))
}

pub async fn patch_contact(
    State(state): State<AppState>,
    _: Authed,
    ApiPath(id): ApiPath<Id>,
    ApiJson(p): ApiJson<ContactPatch>,
) -> Result<Json<Contact>, ApiError> {
    let contact = match p.owner_id {
        Some(owner) => state.store.set_contact_owner(id, owner).await?,
        None => state.store.contact_detail(id, 0).await?.contact,
    };
    Ok(Json(contact))
}

/// Whether `address` is a plain e-mail address a mail can go to.
fn is_address(address: &str) -> bool {
    crate::server::channels::public::is_email(address) && address.parse::<lettre::Address>().is_ok()
}
