//! `/api/v1/portals`: admins create, read and change portals, and invite customers.

use super::admin;
use crate::api::portal::{Invitation, NewInvitation, NewPortal, Portal, PortalPatch};
use crate::domain::Id;
use crate::server::AppState;
use crate::server::auth::Admin;
use crate::server::error::{ApiError, ApiJson, ApiPath};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

pub async fn list(State(state): State<AppState>, _: Admin) -> Result<Json<Vec<Portal>>, ApiError> {
    Ok(Json(state.store.portals().await?))
}

pub async fn get(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<Portal>, ApiError> {
    Ok(Json(state.store.portal(id).await?))
}

pub async fn create(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(new): ApiJson<NewPortal>,
) -> Result<(StatusCode, Json<Portal>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.store.create_portal(new).await?),
    ))
}

pub async fn patch(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
    ApiJson(patch): ApiJson<PortalPatch>,
) -> Result<Json<Portal>, ApiError> {
    Ok(Json(state.store.patch_portal(id, patch).await?))
}

pub async fn invite(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
    ApiJson(new): ApiJson<NewInvitation>,
) -> Result<(StatusCode, Json<Invitation>), ApiError> {
    let portal = state.store.portal(id).await?;
    let runtime = &state.portal;
    let invitation = admin::invite(
        &state.store,
        &runtime.mailer,
        &runtime.public_url,
        &portal,
        &new.email,
        new.name,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(invitation)))
}
