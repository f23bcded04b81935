//! The axum router of the HTTP API.

mod agents;
mod body_timeout;
mod canned;
mod channels;
mod conversations;
mod events;
mod files;
mod inbound;
mod outbox;
mod paging;

use super::AppState;
use super::channels::{calls, chat, forms, graph};
use super::error::ApiError;
use super::routing::handlers as routing;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};

/// Every route of the server.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/desk", get(agents::desk))
        .route("/me", get(agents::me).patch(agents::patch_me))
        .route("/agents", get(agents::list).post(agents::create))
        .route("/agents/{id}", patch(agents::patch_agent))
        .route("/agents/{id}/revoke-token", post(agents::revoke_tokens))
        .route("/agents/{id}/tokens", post(agents::issue_token))
        .route("/teams", get(agents::teams).post(agents::create_team))
        .route("/teams/{id}", patch(agents::patch_team))
        .route("/conversations", get(conversations::list))
        .route("/conversations/count", get(conversations::count))
        .route(
            "/conversations/{id}",
            get(conversations::detail).patch(conversations::patch),
        )
        .route(
            "/conversations/{id}/messages",
            get(conversations::messages).post(conversations::post_message),
        )
        .route("/conversations/{id}/read", post(conversations::mark_read))
        .route(
            "/conversations/{id}/messages/{mid}/retry",
            post(outbox::retry),
        )
        .route(
            "/conversations/{id}/messages/{mid}/discard",
            post(outbox::discard),
        )
        .route("/outbox", get(outbox::list))
        .route("/mentions", get(conversations::mentions))
        .route("/canned", get(canned::list).post(canned::create))
        .route("/canned/{id}", patch(canned::patch).delete(canned::delete))
        .route(
            "/conversations/{id}/reply-channels",
            get(conversations::reply_channels),
        )
        .route("/labels", get(conversations::labels))
        .route(
            "/contacts/{id}",
            get(conversations::contact).patch(conversations::patch_contact),
        )
        .route("/channels", get(channels::list).post(channels::create))
        .route(
            "/channels/{id}",
            get(channels::get)
                .patch(channels::patch)
                .delete(channels::delete),
        )
        .route("/channels/{id}/inbound", post(inbound::receive))
        .route(
            "/channels/{id}/accounts",
            get(channels::accounts).post(channels::add_account),
        )
        .route(
            "/channels/{id}/messages/{message_id}/status",
            post(inbound::report_status),
        )
        .route("/files/{hash}", get(files::get))
        .route("/files", post(files::upload))
        .route(
            "/channels/{id}/routing",
            get(routing::get_routing).put(routing::put_routing),
        )
        .route(
            "/channels/{id}/presets",
            get(routing::get_presets).put(routing::put_presets),
        )
        .route("/calls", post(calls::log))
        .route("/events", get(events::stream))
        .merge(graph::api_routes())
        .merge(chat::admin_routes())
        .merge(forms::admin_routes())
        .merge(crate::server::channels::email::http::routes(&state))
        .merge(super::portal::api_routes());
    Router::new()
        .nest("/api/v1", api)
        .merge(graph::public_routes())
        .route("/files/{channel}/{hash}", get(files::public))
        .merge(chat::public_routes(&state))
        .merge(forms::public_routes())
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
        .layer(axum::middleware::from_fn_with_state(
            state.config.http.body_timeout,
            body_timeout::limit,
        ))
        .with_state(state)
}
