//! `/channels`: agents see channels, admins also their secrets and create them.

use crate::api::{ChannelWithSecret, NewChannel};
use crate::domain::{Channel, Id, Role};
use crate::server::AppState;
use crate::server::auth::{Admin, Authed, new_secret};
use crate::server::error::{ApiError, ApiJson, ApiPath};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

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
    Ok(shown(state.store.channel(id).await?, agent.role))
}

pub async fn create(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(new): ApiJson<NewChannel>,
) -> Result<(StatusCode, Json<ChannelWithSecret>), ApiError> {
    let created = state.store.create_channel(new, new_secret()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}
