//! `/me`, `/agents` (with their tokens and access), `/teams`.

use crate::api::{
    AgentPatch, AgentWithToken, DeskInfo, MePatch, NewAgent, NewTeam, TeamPatch, TokensRevoked,
};
use crate::domain::{Agent, Id, Team};
use crate::server::AppState;
use crate::server::auth::{Admin, Authed, new_token};
use crate::server::error::{ApiError, ApiJson, ApiPath};
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

pub async fn patch_agent(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
    ApiJson(p): ApiJson<AgentPatch>,
) -> Result<Json<Agent>, ApiError> {
    let agent = state.store.update_agent(id, p).await?;
    state.access.nudge();
    Ok(Json(agent))
}

/// `POST /agents/{id}/revoke-token`: every token of the agent stops working; none is issued.
pub async fn revoke_tokens(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<TokensRevoked>, ApiError> {
    let revoked = state.store.revoke_tokens(id).await?;
    state.access.nudge();
    Ok(Json(TokensRevoked {
        agent_id: id,
        revoked,
    }))
}

/// `POST /agents/{id}/tokens`: a new token for an active agent, shown once.
pub async fn issue_token(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
) -> Result<(StatusCode, Json<AgentWithToken>), ApiError> {
    let (token, hash) = new_token();
    let agent = state.store.issue_token(id, hash).await?;
    Ok((StatusCode::CREATED, Json(AgentWithToken { agent, token })))
}

pub async fn create_team(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(new): ApiJson<NewTeam>,
) -> Result<(StatusCode, Json<Team>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.store.create_team(new).await?),
    ))
}

pub async fn patch_team(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
    ApiJson(p): ApiJson<TeamPatch>,
) -> Result<Json<Team>, ApiError> {
    Ok(Json(state.store.patch_team(id, p).await?))
}
