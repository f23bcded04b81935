//! `/outbox` and what an agent does with a failed reply: retry or discard it.

use super::paging;
use crate::api::OutboxPage;
use crate::domain::{Id, Message};
use crate::server::AppState;
use crate::server::auth::Authed;
use crate::server::error::{ApiError, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct OutboxQuery {
    before: Option<String>,
    limit: Option<String>,
}

/// `GET /outbox?before=&limit=`: the desk's replies waiting, retrying or failed.
pub async fn list(
    State(state): State<AppState>,
    _: Authed,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> Result<Json<OutboxPage>, ApiError> {
    let before = paging::before(&q.before)?;
    let limit = paging::limit(&q.limit)?;
    Ok(Json(state.store.outbox(before, limit).await?))
}

/// `POST /conversations/{id}/messages/{mid}/retry`: a new attempt for a failed reply.
pub async fn retry(
    State(state): State<AppState>,
    _: Authed,
    ApiPath((conversation, message)): ApiPath<(Id, Id)>,
) -> Result<Json<Message>, ApiError> {
    Ok(Json(
        state.store.retry_delivery(conversation, message).await?,
    ))
}

/// `POST /conversations/{id}/messages/{mid}/discard`: the reply is never sent.
pub async fn discard(
    State(state): State<AppState>,
    _: Authed,
    ApiPath((conversation, message)): ApiPath<(Id, Id)>,
) -> Result<Json<Message>, ApiError> {
    Ok(Json(
        state.store.discard_delivery(conversation, message).await?,
    ))
}
