//! Signed calls from an integration: `POST /channels/{id}/inbound` (a customer's message)
//! and `POST /channels/{id}/messages/{message_id}/status` (how far a reply got).
//!
//! The signature is the authentication: it is checked over the raw bytes, in constant time,
//! before the body is parsed; a bad one changes nothing.

use crate::api::{
    ChannelWithSecret, InboundAccepted, InboundExtras, InboundMessage, StatusAccepted, StatusReport,
};
use crate::domain::{DeliveryStatus, Id};
use crate::server::AppState;
use crate::server::error::{ApiError, ApiPath, parse_json};
use crate::server::signature::{SIGNATURE_HEADER, verify};
use crate::server::store::{StoreError, channel_gone};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};

/// Longest error text a status report may carry.
const MAX_REPORT_ERROR: usize = 1000;

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
                "missing or wrong {SIGNATURE_HEADER}: expected sha256=<hex HMAC-SHA256 of the raw body with the channel secret>"
            ),
        )
    };
    let channel = match state.store.channel(channel_id).await {
        Ok(c) => c,
        // An unknown channel answers like a bad signature: no probing for channel ids.
        Err(StoreError::NotFound(_)) => return Err(bad_signature()),
        Err(e) => return Err(e.into()),
    };
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(bad_signature)?;
    if !verify(&channel.secret, body, signature) {
        return Err(bad_signature());
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
) -> Result<(StatusCode, Json<InboundAccepted>), ApiError> {
    let body = body?;
    let channel = signed_channel(&state, channel_id, &headers, &body).await?;
    let msg: InboundMessage = parse_json(&body)?;
    let extras: InboundExtras = parse_json(&body)?;
    if !channel.channel.enabled {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "channel_off",
            format!(
                "channel {channel_id} is turned off and accepts no messages; an admin can turn it back on"
            ),
        ));
    }
    for (i, a) in msg.attachments.iter().enumerate() {
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
    let outcome = state
        .store
        .ingest_custom(channel_id, msg, extras.account_id)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(InboundAccepted {
            conversation_id: outcome.conversation_id,
            message_id: outcome.message_id,
        }),
    ))
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
