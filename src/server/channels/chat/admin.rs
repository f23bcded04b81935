//! `GET`/`PUT /api/v1/channels/{id}/chat`: reading and replacing a chat widget's settings.

use super::chat_channel;
use super::settings::ChatSettings;
use crate::api::EventKind;
use crate::domain::Id;
use crate::server::AppState;
use crate::server::auth::{Admin, Authed};
use crate::server::error::{ApiError, ApiJson, ApiPath};
use crate::server::store::StoreError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

/// The settings with where the widget is served.
#[derive(Debug, Serialize)]
pub struct ChatSettingsView {
    pub channel_id: Id,
    #[serde(flatten)]
    pub settings: ChatSettings,
    /// The path of the script to embed, relative to the server's address.
    pub widget_path: String,
}

fn view(channel_id: Id, settings: ChatSettings) -> Json<ChatSettingsView> {
    Json(ChatSettingsView {
        channel_id,
        settings,
        widget_path: format!("/chat/{channel_id}/widget.js"),
    })
}

/// Any agent may read a widget's settings: they are shown to every visitor anyway.
pub async fn get_settings(
    State(state): State<AppState>,
    _: Authed,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<ChatSettingsView>, ApiError> {
    let (_, settings) = chat_channel(&state, id).await?;
    Ok(view(id, settings))
}

/// Replaces the settings (absent fields take their defaults); emits `channel.updated`.
pub async fn put_settings(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
    ApiJson(settings): ApiJson<ChatSettings>,
) -> Result<Json<ChatSettingsView>, ApiError> {
    chat_channel(&state, id).await?;
    settings
        .validate()
        .map_err(|m| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m))?;
    let stored =
        serde_json::to_string(&settings).map_err(|e| StoreError::Internal(e.to_string()))?;
    state
        .store
        .write(move |ctx| {
            let changed = ctx
                .tx
                .prepare_cached(
                    "UPDATE channels SET settings = ?1 WHERE id = ?2 AND kind = 'chat'",
                )?
                .execute((&stored, id))?;
            if changed == 0 {
                return Err(StoreError::NotFound(format!("chat channel {id}")));
            }
            // Redacted, as every agent receives it.
            let channel = crate::server::store::channels::channel(ctx.tx, id)?
                .channel
                .redacted();
            ctx.emit(EventKind::ChannelUpdated { channel })?;
            Ok(())
        })
        .await?;
    Ok(view(id, settings))
}
