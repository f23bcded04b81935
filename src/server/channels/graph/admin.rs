//! The admin endpoints of Graph channels, and the window an agent sees on a conversation.

use super::record;
use super::settings::{self, GraphSettingsInput, GraphSettingsView};
use super::window::{self, WindowState};
use super::{Platform, http, welcome};
use crate::domain::{Id, Timestamp};
use crate::server::AppState;
use crate::server::auth::{Admin, Authed};
use crate::server::error::{ApiError, ApiJson, ApiPath};
use crate::server::store::{StoreError, rows};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

/// `GET /api/v1/channels/{id}/graph` (admin): the settings, secrets shown only as set.
pub async fn get(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<GraphSettingsView>, ApiError> {
    let channel = state.store.channel(id).await?;
    let platform = Platform::of(channel.channel.kind).ok_or_else(|| {
        ApiError::from(StoreError::Invalid(format!(
            "channel {id} is not a messenger or whatsapp channel"
        )))
    })?;
    let stored = state.store.read(move |c| settings::load(c, id)).await?;
    let stored = stored.ok_or_else(|| {
        ApiError::from(StoreError::NotFound(format!(
            "Graph settings of channel {id} (set them with PUT)"
        )))
    })?;
    Ok(Json(stored.view(platform)))
}

/// `PUT /api/v1/channels/{id}/graph` (admin): sets the settings; secrets left out are kept.
/// A changed Messenger greeting goes to the page's welcome screen.
pub async fn put(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
    ApiJson(input): ApiJson<GraphSettingsInput>,
) -> Result<Json<GraphSettingsView>, ApiError> {
    if let Some(url) = &input.base_url {
        crate::server::targets::check(url.trim(), state.config.allow_private_targets).map_err(
            |why| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "private_target",
                    format!("base_url: {why}"),
                )
            },
        )?;
    }
    let saved = settings::save(&state.store, id, input).await?;
    let mut view = saved.settings.view(saved.platform);
    if saved.platform == Platform::Messenger && saved.greeting_changed {
        view.greeting_sync = Some(
            match welcome::sync_greeting(http(state.config.allow_private_targets), &saved.settings)
                .await
            {
                Ok(()) if saved.settings.greeting.is_empty() => {
                    "removed from the page's Messenger welcome screen".to_string()
                }
                Ok(()) => "shown on the page's Messenger welcome screen".to_string(),
                Err(why) => format!("saved, but not on the Messenger welcome screen: {why}"),
            },
        );
    }
    Ok(Json(view))
}

/// Where a Messenger or WhatsApp conversation stands with its messaging window.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WindowView {
    pub conversation_id: Id,
    pub channel_id: Id,
    /// `open`, `human_agent` (Messenger replies tagged HUMAN_AGENT), `closed`, `never`, or
    /// `unrestricted` for channels without a window.
    pub state: String,
    pub last_inbound_at: Option<Timestamp>,
    /// When the current window ends.
    pub closes_at: Option<Timestamp>,
    /// Consent to process data: `none`, `asked`, `given` or `implied`.
    pub consent: Option<String>,
    /// One line for the agent.
    pub message: String,
}

/// `GET /api/v1/conversations/{id}/window`: whether a reply may go out now, and until when.
pub async fn conversation_window(
    State(state): State<AppState>,
    _: Authed,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<WindowView>, ApiError> {
    let view = state
        .store
        .read(move |c| {
            let conv = rows::conversation(c, id, 0)?;
            let Some(platform) = Platform::of(conv.channel_kind) else {
                return Ok(WindowView {
                    conversation_id: id,
                    channel_id: conv.channel_id,
                    state: "unrestricted".into(),
                    last_inbound_at: None,
                    closes_at: None,
                    consent: None,
                    message: "this channel has no messaging window".into(),
                });
            };
            let last = window::last_inbound(c, conv.channel_id, conv.contact_id)?;
            let now = Timestamp::now();
            let state = window::state(platform, last, now);
            let closes_at = window::closes_at(platform, last, now);
            let left = closes_at.map(|t| window::humanize(t.millis() - now.millis()));
            let message = match (state, left) {
                (WindowState::Open, Some(left)) => format!("replies go out normally for {left}"),
                (WindowState::HumanAgent, Some(left)) => format!(
                    "past 24 hours: replies go out with Messenger's HUMAN_AGENT tag for {left}; no automated messages"
                ),
                _ => window::refusal(platform, last, now).unwrap_or_default(),
            };
            Ok(WindowView {
                conversation_id: id,
                channel_id: conv.channel_id,
                state: serde_json::to_value(state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                last_inbound_at: last,
                closes_at,
                consent: Some(record::consent(c, conv.channel_id, conv.contact_id)?),
                message,
            })
        })
        .await?;
    Ok(Json(view))
}
