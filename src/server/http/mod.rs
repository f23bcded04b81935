//! The axum router of the HTTP API.

mod agents;
mod channels;
mod conversations;
mod events;
mod files;
mod inbound;

use super::AppState;
use super::error::ApiError;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};

/// Every route of the server.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/me", get(agents::me).patch(agents::patch_me))
        .route("/agents", get(agents::list).post(agents::create))
        .route("/teams", get(agents::teams))
        .route("/conversations", get(conversations::list))
        .route(
            "/conversations/{id}",
            get(conversations::detail).patch(conversations::patch),
        )
        .route(
            "/conversations/{id}/messages",
            get(conversations::messages).post(conversations::post_message),
        )
        .route("/conversations/{id}/read", post(conversations::mark_read))
        .route("/contacts/{id}", get(conversations::contact))
        .route("/channels", get(channels::list).post(channels::create))
        .route("/channels/{id}", get(channels::get))
        .route("/channels/{id}/inbound", post(inbound::receive))
        .route("/files/{hash}", get(files::get))
        .route("/events", get(events::stream))
        .merge(super::portal::api_routes());
    Router::new()
        .nest("/api/v1", api)
        .merge(super::portal::routes())
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this endpoint does not take that method",
            )
        })
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .with_state(state)
}
