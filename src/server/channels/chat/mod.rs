//! Live chat: a website widget (one script tag) talking to the desk over a websocket.
//!
//! Public routes, outside `/api/v1`, need no token:
//! - `GET /chat/{id}/widget.js`: the widget, plain JavaScript;
//! - `GET /chat/{id}/config`: colour, position, avatar, greeting and whether agents are in;
//! - `GET /chat/{id}/ws`: the visitor's websocket (see [`socket`]);
//! - `POST /chat/{id}/offline`: the email form shown outside hours;
//! - `GET /chat/{id}/demo`: a page holding nothing but the script tag, to try the widget.
//!
//! Admins edit the widget through `GET`/`PUT /api/v1/channels/{id}/chat` (see [`admin`]).

pub mod admin;
pub mod limits;
mod offline;
pub mod settings;
mod socket;
pub mod transport;
pub mod visitor;
mod widget;

use crate::api::ChannelWithSecret;
use crate::domain::{ChannelKind, Id};
use crate::server::AppState;
use crate::server::channels::public::{allow_any_origin, preflight};
use crate::server::error::{ApiError, ApiPath};
use crate::server::limits::{Limiter, client_key};
use crate::server::store::StoreError;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use limits::{MAX_MESSAGE_CHARS, RateLimiter};
use settings::ChatSettings;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use time::OffsetDateTime;

/// What the public chat routes share.
#[derive(Clone)]
pub struct ChatState {
    pub app: AppState,
    pub limiter: Arc<RateLimiter>,
    /// New chats per client address.
    pub new_chats: Arc<Limiter<IpAddr>>,
    /// Offline messages per client address.
    pub offline: Arc<Limiter<IpAddr>>,
}

impl ChatState {
    /// The limit key of a request's client.
    fn client(&self, headers: &HeaderMap, peer: SocketAddr) -> IpAddr {
        client_key(headers, peer, self.app.config.trust_proxy)
    }
}

/// The public, unauthenticated chat routes.
pub fn public_routes(state: &AppState) -> Router<AppState> {
    let chat = ChatState {
        app: state.clone(),
        limiter: Arc::new(RateLimiter::default()),
        new_chats: Arc::new(Limiter::new(limits::NEW_CHATS)),
        offline: Arc::new(Limiter::new(limits::OFFLINE)),
    };
    Router::new()
        .route("/chat/{id}/widget.js", get(widget::script))
        .route("/chat/{id}/demo", get(widget::demo))
        .route("/chat/{id}/config", get(config).options(preflight))
        .route(
            "/chat/{id}/offline",
            post(offline::submit).options(preflight),
        )
        .route("/chat/{id}/ws", get(socket::upgrade))
        .with_state(chat)
}

/// The admin routes, nested under `/api/v1`.
pub fn admin_routes() -> Router<AppState> {
    Router::new().route(
        "/channels/{id}/chat",
        get(admin::get_settings).put(admin::put_settings),
    )
}

/// A chat channel and its widget settings; 404 for an unknown id or another kind.
async fn chat_channel(
    state: &AppState,
    id: Id,
) -> Result<(ChannelWithSecret, ChatSettings), ApiError> {
    let channel = match state.store.channel(id).await {
        Ok(c) => c,
        Err(StoreError::NotFound(_)) => {
            return Err(ApiError::not_found(format!("chat channel {id}")));
        }
        Err(e) => return Err(e.into()),
    };
    if channel.channel.kind != ChannelKind::Chat {
        return Err(ApiError::not_found(format!(
            "chat channel {id} (channel {id} is a {} channel)",
            channel.channel.kind
        )));
    }
    let settings = ChatSettings::from_channel(&channel.channel.settings);
    Ok((channel, settings))
}

/// A chat channel a visitor may use now: turned on, and called from an allowed origin.
async fn usable_channel(
    state: &AppState,
    id: Id,
    headers: &HeaderMap,
) -> Result<(ChannelWithSecret, ChatSettings), ApiError> {
    let (channel, settings) = chat_channel(state, id).await?;
    if !channel.channel.enabled {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!("chat channel {id} is turned off and accepts no chats"),
        ));
    }
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .filter(|o| *o != "null");
    if !settings.allows_origin(origin) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            format!(
                "this chat widget may not be used on {}; an admin can add it to allowed_origins",
                origin.unwrap_or("this page")
            ),
        ));
    }
    Ok((channel, settings))
}

/// `GET /chat/{id}/config`: what the widget needs to draw itself.
async fn config(
    State(chat): State<ChatState>,
    ApiPath(id): ApiPath<Id>,
    headers: HeaderMap,
) -> Response {
    let answer = match usable_channel(&chat.app, id, &headers).await {
        Ok((channel, settings)) => {
            let online = settings.is_open(OffsetDateTime::now_utc());
            let body = serde_json::json!({
                "channel_id": id,
                "name": channel.channel.name,
                "color": settings.color,
                "position": settings.position,
                "avatar_url": settings.avatar_url,
                "greeting": settings.greeting,
                "offline_message": settings.offline_message,
                "online": online,
                "max_message_chars": MAX_MESSAGE_CHARS,
            });
            let mut response = Json(body).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => e.into_response(),
    };
    allow_any_origin(answer)
}
