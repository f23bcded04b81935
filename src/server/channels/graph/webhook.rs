//! The public webhook Meta calls: `GET` for the verification handshake, `POST` for events.
//!
//! `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with the app secret) is the
//! authentication: checked in constant time before anything is parsed; a bad one stores
//! nothing.

use super::events::WebhookEvent;
use super::record::{self, Recorded};
use super::settings::{self, GraphSettings};
use super::{Platform, http, media, messenger, profile, whatsapp};
use crate::api::{ChannelWithSecret, InboundMessage, InboundSender};
use crate::domain::Id;
use crate::server::AppState;
use crate::server::error::{ApiError, ApiPath, ApiQuery, parse_json};
use crate::server::signature::verify;
use crate::server::store::{StoreError, inbound};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The header Meta signs webhook bodies in.
pub const HUB_SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// Longest `hub.challenge` echoed.
const MAX_CHALLENGE: usize = 256;

/// Longest customer name kept from a profile.
const MAX_NAME_CHARS: usize = 200;

/// The verification handshake's query.
#[derive(Debug, Deserialize)]
pub struct Handshake {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// The channel and its settings, when `channel_id` is a configured channel of `platform`.
async fn configured(
    state: &AppState,
    platform: Platform,
    channel_id: Id,
) -> Result<Option<(ChannelWithSecret, GraphSettings)>, ApiError> {
    let channel = match state.store.channel(channel_id).await {
        Ok(c) if c.channel.kind == platform.kind() => c,
        Ok(_) | Err(StoreError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let settings = state
        .store
        .read(move |c| settings::load(c, channel_id))
        .await?;
    Ok(settings.map(|s| (channel, s)))
}

/// Equality that takes the same time wherever two strings of one length differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// `GET /hooks/{messenger|whatsapp}/{id}`: answers `hub.challenge` when `hub.verify_token`
/// is the channel's; 403 otherwise.
pub async fn handshake(
    platform: Platform,
    state: AppState,
    channel_id: Id,
    query: Handshake,
) -> Result<Response, ApiError> {
    let refused = |why: &str| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "verification_refused",
            why.to_string(),
        )
    };
    if query.mode.as_deref() != Some("subscribe") {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "expected hub.mode=subscribe with hub.verify_token and hub.challenge",
        ));
    }
    let challenge = query.challenge.unwrap_or_default();
    if challenge.is_empty()
        || challenge.len() > MAX_CHALLENGE
        || !challenge.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            format!("hub.challenge must be 1 to {MAX_CHALLENGE} printable characters"),
        ));
    }
    let Some((_, settings)) = configured(&state, platform, channel_id).await? else {
        return Err(refused(&format!(
            "no {} channel with Graph settings has this id",
            platform.name()
        )));
    };
    if !same(
        query.verify_token.as_deref().unwrap_or(""),
        &settings.verify_token,
    ) {
        return Err(refused(
            "hub.verify_token is not this channel's verify token",
        ));
    }
    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        challenge,
    )
        .into_response())
}

/// `POST /hooks/{messenger|whatsapp}/{id}`: a signed batch of events from Meta.
pub async fn receive(
    platform: Platform,
    state: AppState,
    channel_id: Id,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Recorded>), ApiError> {
    let bad_signature = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_signature",
            "missing or wrong X-Hub-Signature-256: expected sha256=<hex HMAC-SHA256 of the raw body with the app secret>",
        )
    };
    let body = body?;
    // An unknown or unconfigured channel answers like a bad signature: no probing for ids.
    let (channel, settings) = configured(&state, platform, channel_id)
        .await?
        .ok_or_else(bad_signature)?;
    let signature = headers
        .get(HUB_SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(bad_signature)?;
    if !verify(&settings.app_secret, &body, signature) {
        return Err(bad_signature());
    }
    if !channel.channel.enabled {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "channel_off",
            format!("channel {channel_id} is turned off and accepts no messages"),
        ));
    }
    let value: serde_json::Value = parse_json(&body)?;
    let events = match platform {
        Platform::Messenger => messenger::parse(value, &settings.account_id),
        Platform::Whatsapp => whatsapp::parse(value, &settings.account_id),
    }
    .map_err(|why| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("not a {} webhook body: {why}", platform.name()),
        )
    })?;
    let (incoming, receipts): (Vec<_>, Vec<_>) = events
        .into_iter()
        .partition(|e| matches!(e, WebhookEvent::Message(_)));
    let mut ready = Vec::new();
    let mut duplicates = 0;
    for event in incoming {
        let WebhookEvent::Message(msg) = event else {
            continue;
        };
        let platform_id = msg.platform_id.clone();
        // Skip the file downloads of a redelivery; the write checks again.
        if state
            .store
            .read(move |c| record::seen(c, channel_id, &platform_id))
            .await?
        {
            duplicates += 1;
            continue;
        }
        let mut msg = msg;
        if platform == Platform::Messenger
            && msg.name.is_none()
            && !profile::known(&state.store, channel_id, msg.customer.clone()).await?
        {
            msg.name = profile::name(
                http(state.config.allow_private_targets),
                &settings,
                &msg.customer,
            )
            .await;
        }
        // Names are the customer's own words: no control characters, no novels.
        msg.name = msg
            .name
            .map(|n| {
                n.chars()
                    .filter(|c| !c.is_control())
                    .take(MAX_NAME_CHARS)
                    .collect::<String>()
            })
            .filter(|n| !n.trim().is_empty());
        let mut attachments = Vec::with_capacity(msg.media.len());
        for m in &msg.media {
            attachments.push(
                media::fetch(
                    http(state.config.allow_private_targets),
                    &state.files,
                    &settings,
                    m,
                )
                .await,
            );
        }
        let mut text = msg.text.clone();
        if text.trim().is_empty() && attachments.is_empty() {
            text = format!("[an empty {} message]", platform.name());
        }
        let inbound_msg = InboundMessage {
            thread_id: msg.customer.clone(),
            sender: InboundSender {
                id: msg.customer.clone(),
                name: msg.name.clone(),
                email: None,
                phone: msg.phone.clone(),
            },
            text,
            subject: None,
            attachments,
        };
        inbound::validate(&inbound_msg)?;
        ready.push((msg, inbound_msg));
    }
    let mut recorded = record::record(
        &state.store,
        platform,
        settings,
        channel.channel.name,
        ready,
        receipts,
    )
    .await?;
    recorded.duplicates += duplicates;
    Ok((StatusCode::OK, Json(recorded)))
}

/// `GET /hooks/messenger/{id}`.
pub async fn messenger_handshake(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Id>,
    ApiQuery(q): ApiQuery<Handshake>,
) -> Result<Response, ApiError> {
    handshake(Platform::Messenger, state, id, q).await
}

/// `GET /hooks/whatsapp/{id}`.
pub async fn whatsapp_handshake(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Id>,
    ApiQuery(q): ApiQuery<Handshake>,
) -> Result<Response, ApiError> {
    handshake(Platform::Whatsapp, state, id, q).await
}

/// `POST /hooks/messenger/{id}`.
pub async fn messenger_receive(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Id>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Recorded>), ApiError> {
    receive(Platform::Messenger, state, id, headers, body).await
}

/// `POST /hooks/whatsapp/{id}`.
pub async fn whatsapp_receive(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Id>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Recorded>), ApiError> {
    receive(Platform::Whatsapp, state, id, headers, body).await
}
