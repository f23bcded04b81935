//! `/canned`: the desk's shared canned replies; admins write, every agent reads.

use crate::api::{CannedPatch, CannedReply, NewCanned};
use crate::domain::Id;
use crate::server::AppState;
use crate::server::auth::{Admin, Authed};
use crate::server::error::{ApiError, ApiJson, ApiPath};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

pub async fn list(
    State(state): State<AppState>,
    _: Authed,
) -> Result<Json<Vec<CannedReply>>, ApiError> {
    Ok(Json(state.store.canned_replies().await?))
}

pub async fn create(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiJson(new): ApiJson<NewCanned>,
) -> Result<(StatusCode, Json<CannedReply>), ApiError> {
    let canned = state.store.create_canned(new, Some(admin.id)).await?;
    Ok((StatusCode::CREATED, Json(canned)))
}

pub async fn patch(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
    ApiJson(patch): ApiJson<CannedPatch>,
) -> Result<Json<CannedReply>, ApiError> {
    Ok(Json(state.store.update_canned(id, patch).await?))
}

pub async fn delete(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
) -> Result<StatusCode, ApiError> {
    state.store.delete_canned(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
