//! `POST /channels/{id}/inbound`: a signed message from an integration.
//!
//! The signature is the authentication: it is checked over the raw bytes, in constant time,
//! before the body is parsed; a bad one stores nothing.

use crate::api::{InboundAccepted, InboundMessage};
use crate::domain::Id;
use crate::server::AppState;
use crate::server::error::{ApiError, ApiPath, parse_json};
use crate::server::signature::{SIGNATURE_HEADER, verify};
use crate::server::store::StoreError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};

pub async fn receive(
    State(state): State<AppState>,
    ApiPath(channel_id): ApiPath<Id>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<InboundAccepted>), ApiError> {
    let bad_signature = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_signature",
            format!(
                "missing or wrong {SIGNATURE_HEADER}: expected sha256=<hex HMAC-SHA256 of the raw body with the channel secret>"
            ),
        )
    };
    let body = body?;
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
    if !verify(&channel.secret, &body, signature) {
        return Err(bad_signature());
    }
    let msg: InboundMessage = parse_json(&body)?;
    let outcome = state.store.ingest_inbound(channel_id, msg).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(InboundAccepted {
            conversation_id: outcome.conversation_id,
            message_id: outcome.message_id,
        }),
    ))
}
