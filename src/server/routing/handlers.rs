//! `/channels/{id}/routing` and `/channels/{id}/presets`: agents read them, admins set them.

use crate::api::{ChannelPresets, RoutingRules};
use crate::domain::Id;
use crate::server::AppState;
use crate::server::auth::{Admin, Authed};
use crate::server::error::{ApiError, ApiJson, ApiPath};
use axum::Json;
use axum::extract::State;

pub async fn get_routing(
    State(state): State<AppState>,
    _: Authed,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<RoutingRules>, ApiError> {
    Ok(Json(state.store.routing_rules(id).await?))
}

pub async fn put_routing(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
    ApiJson(rules): ApiJson<RoutingRules>,
) -> Result<Json<RoutingRules>, ApiError> {
    Ok(Json(state.store.set_routing_rules(id, rules).await?))
}

pub async fn get_presets(
    State(state): State<AppState>,
    _: Authed,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<ChannelPresets>, ApiError> {
    Ok(Json(state.store.channel_presets(id).await?))
}

pub async fn put_presets(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
    ApiJson(presets): ApiJson<ChannelPresets>,
) -> Result<Json<ChannelPresets>, ApiError> {
    Ok(Json(state.store.set_channel_presets(id, presets).await?))
}
