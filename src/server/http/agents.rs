//! `/me`, `/agents`, `/teams`.

use crate::api::{AgentWithToken, DeskInfo, MePatch, NewAgent};
use crate::domain::{Agent, Team};
use crate::server::AppState;
use crate::server::auth::{Admin, Authed, new_token};
use crate::server::error::{ApiError, ApiJson};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

/// `GET /desk`: which desk this is, for clients that keep state per desk.
pub async fn desk(State(state): State<AppState>, _: Authed) -> Result<Json<DeskInfo>, ApiError> {
    Ok(Json(DeskInfo {
        id: state.store.desk_id().await?,
        version: env!("CARGO_PKG_VERSION").to_string(),
    }))
}

pub async fn me(Authed(agent): Authed) -> Json<Agent> {
    Json(agent)
}

pub async fn patch_me(
    State(state): State<AppState>,
    Authed(agent): Authed,
    ApiJson(p): ApiJson<MePatch>,
) -> Result<Json<Agent>, ApiError> {
    Ok(Json(
        state.store.set_available(agent.id, p.available).await?,
    ))
}

pub async fn list(State(state): State<AppState>, _: Authed) -> Result<Json<Vec<Agent>>, ApiError> {
    Ok(Json(state.store.agents().await?))
}

pub async fn create(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(new): ApiJson<NewAgent>,
) -> Result<(StatusCode, Json<AgentWithToken>), ApiError> {
    let (token, hash) = new_token();
    let agent = state
        .store
        .add_agent(new.email, new.name, new.role, hash)
        .await?;
    Ok((StatusCode::CREATED, Json(AgentWithToken { agent, token })))
}

pub async fn teams(State(state): State<AppState>, _: Authed) -> Result<Json<Vec<Team>>, ApiError> {
    Ok(Json(state.store.teams().await?))
}
