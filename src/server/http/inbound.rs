//! Signed calls from an integration: `POST /channels/{id}/inbound` (a customer's message)
//! and `POST /channels/{id}/messages/{message_id}/status` (how far a reply got).
//!
//! The signature is the authentication: it is checked over the raw bytes, in constant time,
//! before the body is parsed; a bad one changes nothing. With `X-Frontdesk-Timestamp` it
//! covers `"<timestamp>.<raw body>"` and the timestamp must be within [`TIMESTAMP_WINDOW`]
//! of the server's clock (as the desk signs its own webhooks); without, the raw body alone
//! (the older form, kept for integrations that do not send a timestamp).

use crate::api::{
    ChannelWithSecret, CustomInbound, CustomInboundAccepted, StatusAccepted, StatusReport,
};
use crate::domain::{DeliveryStatus, Id, Timestamp};
use crate::server::AppState;
use crate::server::channels::custom::attachment_urls;
use crate::server::channels::custom::webhook::TIMESTAMP_HEADER;
use crate::server::error::{ApiError, ApiPath, parse_json};
use crate::server::signature::{SIGNATURE_HEADER, verify};
use crate::server::store::{CustomIngest, StoreError, channel_gone};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};

/// Longest error text a status report may carry.
const MAX_REPORT_ERROR: usize = 1000;
/// How far a signed timestamp may be from the server's clock, in seconds.
pub const TIMESTAMP_WINDOW: i64 = 300;

/// The channel behind a signed call, once the signature over `body` checks out. A deleted
/// channel answers 410 Gone.
async fn signed_channel(
    state: &AppState,
    channel_id: Id,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<ChannelWithSecret, ApiError> {
    let bad_signature = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_signature",
            format!(
                "missing or wrong {SIGNATURE_HEADER}: expected sha256=<hex HMAC-SHA256 with the channel secret of \"<{TIMESTAMP_HEADER}>.<raw body>\">, or of the raw body when no timestamp is sent"
            ),
        )
    };
    let channel = match state.store.channel(channel_id).await {
        Ok(c) => c,
        // An unknown channel answers like a bad signature: no probing for channel ids.
        Err(StoreError::NotFound(_)) => return Err(bad_signature()),
        Err(e) => return Err(e.into()),
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signature = header(SIGNATURE_HEADER).ok_or_else(bad_signature)?;
    match header(TIMESTAMP_HEADER) {
        Some(timestamp) => {
            let mut signed = format!("{timestamp}.").into_bytes();
            signed.extend_from_slice(body);
            if !verify(&channel.secret, &signed, signature) {
                return Err(bad_signature());
            }
            let now = Timestamp::now().millis() / 1000;
            let fresh = timestamp
                .trim()
                .parse::<i64>()
                .is_ok_and(|t| (now - t).abs() <= TIMESTAMP_WINDOW);
            if !fresh {
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "stale_timestamp",
                    format!(
                        "{TIMESTAMP_HEADER} must be the Unix time in seconds, within {TIMESTAMP_WINDOW} s of the server's clock"
                    ),
                ));
            }
        }
        None if !verify(&channel.secret, body, signature) => return Err(bad_signature()),
        None => {}
    }
    if channel.channel.deleted_at.is_some() {
        return Err(channel_gone(channel_id).into());
    }
    Ok(channel)
}

pub async fn receive(
    State(state): State<AppState>,
    ApiPath(channel_id): ApiPath<Id>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CustomInboundAccepted>), ApiError> {
    let body = body?;
    let channel = signed_channel(&state, channel_id, &headers, &body).await?;
    let (msg, account_id, message_id) = parse_json::<CustomInbound>(&body)?.into_parts();
    if !channel.channel.enabled {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "channel_off",
            format!(
                "channel {channel_id} is turned off and accepts no messages; an admin can turn it back on"
            ),
        ));
    }
    crate::server::store::inbound::validate(&msg)?;
    for (i, a) in msg.attachments.iter().enumerate() {
        if let Some(why) = attachment_urls::refusal(
            &a.url,
            &state.portal.public_url,
            state.config.allow_private_targets,
        ) {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "attachment_refused",
                format!("attachments[{i}].url {why}"),
            ));
        }
        channel
            .channel
            .capabilities
            .admits(a.kind, a.size)
            .map_err(|why| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "attachment_refused",
                    format!("attachments[{i}]: {why}"),
                )
            })?;
    }
    let ingested = state
        .store
        .ingest_custom(channel_id, msg, account_id, message_id)
        .await?;
    Ok(match ingested {
        CustomIngest::Stored(outcome) => (
            StatusCode::ACCEPTED,
            Json(CustomInboundAccepted {
                conversation_id: outcome.conversation_id,
                message_id: outcome.message_id,
                duplicate: false,
            }),
        ),
        CustomIngest::Replay {
            conversation_id,
            message_id,
        } => (
            StatusCode::OK,
            Json(CustomInboundAccepted {
                conversation_id,
                message_id,
                duplicate: true,
            }),
        ),
    })
}

pub async fn report_status(
    State(state): State<AppState>,
    ApiPath((channel_id, message_id)): ApiPath<(Id, Id)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<StatusAccepted>, ApiError> {
    let body = body?;
    signed_channel(&state, channel_id, &headers, &body).await?;
    let report: StatusReport = parse_json(&body)?;
    let invalid = |m: &str| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m);
    if report.status == DeliveryStatus::Queued {
        return Err(invalid("status must be sent, delivered, read or failed"));
    }
    if report
        .error
        .as_ref()
        .is_some_and(|e| e.len() > MAX_REPORT_ERROR)
    {
        return Err(invalid("error must be at most 1000 bytes"));
    }
    let error = match report.status {
        DeliveryStatus::Failed => Some(
            report
                .error
                .filter(|e| !e.trim().is_empty())
                .unwrap_or_else(|| "the channel reported a failure".into()),
        ),
        _ => None,
    };
    let message = state
        .store
        .report_delivery(channel_id, message_id, report.status, error)
        .await?;
    Ok(Json(StatusAccepted {
        message_id,
        delivery: message.delivery,
    }))
}
