//! `/channels`: agents see channels, admins also their secrets, and manage them: create,
//! edit, turn off and on, delete, and connect channel accounts.

use crate::api::{ChannelAccount, ChannelPatch, ChannelWithSecret, NewChannel, NewChannelAccount};
use crate::domain::{Channel, Id, Role};
use crate::server::AppState;
use crate::server::auth::{Admin, Authed, new_secret};
use crate::server::error::{ApiError, ApiJson, ApiPath};
use crate::server::store::channel_gone;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Refuses a webhook URL naming a private target unless the server allows them.
fn check_target(state: &AppState, url: Option<&str>) -> Result<(), ApiError> {
    match url {
        Some(url) => crate::server::targets::check(url.trim(), state.config.allow_private_targets)
            .map_err(|why| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "private_target",
                    format!("webhook_url: {why}"),
                )
            }),
        None => Ok(()),
    }
}

/// A channel with its secret for admins, without for agents.
fn shown(c: ChannelWithSecret, role: Role) -> Response {
    match role {
        Role::Admin => Json(c).into_response(),
        Role::Agent => Json::<Channel>(c.channel.redacted()).into_response(),
    }
}

pub async fn list(
    State(state): State<AppState>,
    Authed(agent): Authed,
) -> Result<Response, ApiError> {
    let channels = state.store.channels().await?;
    Ok(match agent.role {
        Role::Admin => Json(channels).into_response(),
        Role::Agent => Json(
            channels
                .into_iter()
                .map(|c| c.channel.redacted())
                .collect::<Vec<_>>(),
        )
        .into_response(),
    })
}

pub async fn get(
    State(state): State<AppState>,
    Authed(agent): Authed,
    ApiPath(id): ApiPath<Id>,
) -> Result<Response, ApiError> {
    let channel = state.store.channel(id).await?;
    if channel.channel.deleted_at.is_some() {
        return Err(channel_gone(id).into());
    }
    Ok(shown(channel, agent.role))
}

pub async fn create(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(new): ApiJson<NewChannel>,
) -> Result<(StatusCode, Json<ChannelWithSecret>), ApiError> {
    check_target(&state, new.webhook_url.as_deref())?;
    let created = state.store.create_channel(new, new_secret()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn patch(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
    ApiJson(patch): ApiJson<ChannelPatch>,
) -> Result<Json<ChannelWithSecret>, ApiError> {
    check_target(
        &state,
        patch.webhook_url.as_ref().and_then(|u| u.as_deref()),
    )?;
    Ok(Json(state.store.update_channel(id, patch).await?))
}

pub async fn delete(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<ChannelWithSecret>, ApiError> {
    Ok(Json(state.store.delete_channel(id).await?))
}

pub async fn accounts(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<Vec<ChannelAccount>>, ApiError> {
    Ok(Json(state.store.channel_accounts(id).await?))
}

pub async fn add_account(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
    ApiJson(new): ApiJson<NewChannelAccount>,
) -> Result<(StatusCode, Json<ChannelAccount>), ApiError> {
    let account = state
        .store
        .add_channel_account(id, new.external_id, new.name)
        .await?;
    Ok((StatusCode::CREATED, Json(account)))
}
